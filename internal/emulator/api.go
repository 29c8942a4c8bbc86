package emulator

import (
	"log/slog"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"

	"github.com/awsfoundation/foundation/internal/emulator/dynamodb"
	"github.com/awsfoundation/foundation/internal/emulator/organizations"
	"github.com/awsfoundation/foundation/internal/emulator/ssoadmin"

	// The services the emulator speaks: each registers itself with the core
	// when its package is initialised (dynamodb, organizations, ssoadmin and
	// iam, imported for their settings or Go API, too).
	_ "github.com/awsfoundation/foundation/internal/emulator/account"
	_ "github.com/awsfoundation/foundation/internal/emulator/ecr"
	_ "github.com/awsfoundation/foundation/internal/emulator/identitystore"
	_ "github.com/awsfoundation/foundation/internal/emulator/kms"
	_ "github.com/awsfoundation/foundation/internal/emulator/s3"
	_ "github.com/awsfoundation/foundation/internal/emulator/s3control"
	_ "github.com/awsfoundation/foundation/internal/emulator/sts"
)

// The facade's types and constants are the core's (but Options, which
// carries the services' settings too): the aliases keep the package's API
// as it was before the emulator was split into a core and one package per
// service.

// DefaultManagementAccountID is the account that acts when a request carries
// credentials the emulator did not issue: the organization's management
// account in tests and examples.
const DefaultManagementAccountID = core.DefaultManagementAccountID

// DefaultRegion is the region used when a request's credential scope has none.
const DefaultRegion = core.DefaultRegion

// DefaultAsyncDuration is Options.AsyncDuration's default.
const DefaultAsyncDuration = core.DefaultAsyncDuration

// ControlPrefix is the path prefix of the control API that every Server
// serves beside the AWS APIs (see the core's control.go).
const ControlPrefix = core.ControlPrefix

// Options configure an Emulator. The zero value is usable: every field has a
// default chosen to expose client bugs (small pages, async resources that are
// not ready on the first read).
type Options struct {
	// ManagementAccountID is the account that exists from the start and acts
	// for credentials the emulator did not issue. Default DefaultManagementAccountID.
	ManagementAccountID string
	// PageSize caps every paginated list response. Default 2, so code that
	// reads only the first page fails its tests.
	PageSize int
	// TableActivationDescribes is how many DescribeTable calls see a new
	// DynamoDB table (or a table update) in its transitional status before it
	// becomes ACTIVE. Default 2.
	TableActivationDescribes int
	// AccountCreationDescribes is how many DescribeCreateAccountStatus calls
	// see an Organizations CreateAccount request IN_PROGRESS before it
	// settles (SUCCEEDED or FAILED). Default 2.
	AccountCreationDescribes int
	// AccountClosureDescribes is how many DescribeAccount calls see a closed
	// account PENDING_CLOSURE before it is SUSPENDED. Default 2.
	AccountClosureDescribes int
	// SCPMaxSize is the largest service control policy, in characters after
	// removing whitespace outside strings. Default 10240, as in AWS since
	// 2026-05-15 (5120 before).
	SCPMaxSize int
	// SCPMaxAttachments is how many service control policies (FullAWSAccess
	// included) one root, OU or account can have attached. Default 10, as in
	// AWS since 2026-05-15 (5 before).
	SCPMaxAttachments int
	// SSOStatusDescribes is how many Describe*Status calls see an IAM Identity Center asynchronous request (permission set provisioning, account assignment creation or deletion) IN_PROGRESS before it settles. Default 2.
	SSOStatusDescribes int
	// AsyncDuration is how long, by Clock, an asynchronous change (a new or
	// updating DynamoDB table, an Organizations CreateAccount request or
	// account closure, an IAM Identity Center provisioning or account
	// assignment request) stays in progress when nobody describes it: it
	// settles after its count of describes (the *Describes options) or
	// after AsyncDuration, whichever comes first. Default
	// DefaultAsyncDuration (30s): long enough that a test's back-to-back
	// describes, even through a slow CLI, see the describe-count behaviour,
	// and within the time AWS itself takes (a table is usually ACTIVE in
	// seconds to tens of seconds, an account in minutes).
	AsyncDuration time.Duration
	// IdentityCenter enables the organization instance of IAM Identity
	// Center as soon as the management account creates its organization
	// (with all features). In AWS that is a console step with no API; the
	// examples and the foundation-emulator command turn it on so a program
	// can go from an empty account to Identity Center access in one run.
	// Tests call EnableIdentityCenter instead.
	IdentityCenter bool
	// IdentityCenterExternalIdP makes the instance's identity source an
	// external identity provider (a console step), as multi-Region
	// replication (sso-admin AddRegion) requires.
	IdentityCenterExternalIdP bool
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Seed seeds the random source used for throttling faults, so a run with
	// the same seed throttles the same calls. Default 1.
	Seed uint64
	// Logger receives a debug record per request. Default: discard.
	Logger *slog.Logger
	// Consistency turns on the model of AWS's eventual consistency: new
	// roles, service-linked roles and OIDC providers invisible as
	// principals, new accounts' access roles not assumable and new accounts
	// unknown to IAM Identity Center, each for a time or a number of
	// refused calls (see Consistency). The zero value, the default, turns it
	// off.
	Consistency Consistency
	// Model turns on the latency and quota model: per-call latency, AWS's
	// request-rate quotas per account answered with each service's
	// throttling error, limits on asynchronous requests in progress, and
	// asynchronous work (CreateAccount, account assignments, permission set
	// provisioning) that takes a duration on the clock instead of a count of
	// describes. Start from DefaultModel (AWS's figures, each with its
	// source); set TimeScale to run it faster than real time. Nil, the
	// default, turns it off. See core.Model and LowerBound.
	Model *Model
}

// core splits o into the core's options and each service's settings.
func (o Options) core() core.Options {
	return core.Options{
		ManagementAccountID: o.ManagementAccountID, PageSize: o.PageSize, AsyncDuration: o.AsyncDuration,
		Clock: o.Clock, Seed: o.Seed, Logger: o.Logger, Consistency: o.Consistency, Model: o.Model,
		Services: map[string]any{
			"dynamodb": dynamodb.Settings{TableActivationDescribes: o.TableActivationDescribes},
			"organizations": organizations.Settings{AccountCreationDescribes: o.AccountCreationDescribes,
				AccountClosureDescribes: o.AccountClosureDescribes, SCPMaxSize: o.SCPMaxSize, SCPMaxAttachments: o.SCPMaxAttachments},
			"sso": ssoadmin.Settings{SSOStatusDescribes: o.SSOStatusDescribes, IdentityCenter: o.IdentityCenter, ExternalIdentityProvider: o.IdentityCenterExternalIdP},
		},
	}
}

// Consistency is the eventual-consistency model (see core.Consistency,
// which documents what AWS says of each kind).
type Consistency = core.Consistency

// Model is the latency and quota model (see core.Model).
type Model = core.Model

// Rate is one request-rate quota of a Model (see core.Rate).
type Rate = core.Rate

// DefaultModel returns a new Model with AWS's figures, each with its source
// (see core.DefaultModel).
func DefaultModel() *Model { return core.DefaultModel() }

// DefaultRates returns DefaultModel's request-rate quotas.
func DefaultRates() []Rate { return core.DefaultRates() }

// AssumedRates returns request-rate quotas AWS does not document, by
// analogy with documented ones (see core.AssumedRates).
func AssumedRates() []Rate { return core.AssumedRates() }

// ParseModel reads a Model from JSON: "default", {"default":true,
// "timeScale":0.05} (AWS's figures with overrides) or a whole model (see
// core.Model.UnmarshalJSON).
func ParseModel(b []byte) (*Model, error) { return core.ParseModel(b) }

// Workload describes the work a converge does, for LowerBound (see
// core.Workload).
type Workload = core.Workload

// Chain is a sequence of stages of a Workload.
type Chain = core.Chain

// Stage is a set of calls of a Chain that may run at the same time.
type Stage = core.Stage

// Op is one kind of call in a Stage.
type Op = core.Op

// Bound is the least wall time and calls LowerBound found.
type Bound = core.Bound

// LowerBound returns the least wall time (in model time) and number of
// calls m allows for w (see core.LowerBound for how it is computed).
func LowerBound(m *Model, w Workload) Bound { return core.LowerBound(m, w) }

// The asynchronous operations a Model can time (keys of Model.Async and
// Model.Concurrency).
const (
	AsyncCreateAccount           = core.AsyncCreateAccount
	AsyncCreateAccountAssignment = core.AsyncCreateAccountAssignment
	AsyncDeleteAccountAssignment = core.AsyncDeleteAccountAssignment
	AsyncProvisionPermissionSet  = core.AsyncProvisionPermissionSet
)

// APIError is an error as AWS returns it (see core.APIError).
type APIError = core.APIError

// Call is one request the emulator served, as recorded in its call log.
type Call = core.Call

// Match selects calls for a fault. Empty fields match anything.
type Match = core.Match

// Fault is a programmed failure or delay (see core.Fault).
type Fault = core.Fault

// Ctx is one request being served (see core.Ctx).
type Ctx = core.Ctx
