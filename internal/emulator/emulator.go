package emulator

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/organizations"
	"github.com/awsfoundation/foundation/internal/emulator/ssoadmin"
	"github.com/awsfoundation/foundation/internal/emulator/sts"
)

// Emulator is an in-process AWS API emulator. It implements http.Handler;
// point an SDK client's BaseEndpoint at a server serving it (see Start).
//
// All state lives in memory, per account. An Emulator is safe for concurrent
// use: requests are served one at a time against the state, latency faults
// are applied outside the lock.
type Emulator struct {
	e *core.Emulator
}

// New returns an Emulator with the management account created.
func New(opts Options) *Emulator { return &Emulator{e: core.New(opts.core())} }

// ServeHTTP routes a request by the service named in its SigV4 credential
// scope, applies faults, serves it against the acting account's state and
// records it in the call log.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.e.ServeHTTP(w, r) }

// ManagementAccountID returns the account that acts for credentials the
// emulator did not issue.
func (e *Emulator) ManagementAccountID() string { return e.e.ManagementAccountID() }

// AddAccount creates an empty account with the given 12-digit ID, as if it
// had been created in or invited to the organization. It is a no-op when the
// account exists.
func (e *Emulator) AddAccount(id string) error { return e.e.AddAccount(id) }

// Accounts returns the IDs of every account, sorted.
func (e *Emulator) Accounts() []string { return e.e.Accounts() }

// Calls returns a copy of the call log.
func (e *Emulator) Calls() []Call { return e.e.Calls() }

// CallCount returns the number of calls served so far; pass it to CallsSince
// to see what a piece of code did.
func (e *Emulator) CallCount() int { return e.e.CallCount() }

// CallsSince returns the calls served after the first n.
func (e *Emulator) CallsSince(n int) []Call { return e.e.CallsSince(n) }

// MutatingCallsSince returns the mutating calls served after the first n.
func (e *Emulator) MutatingCallsSince(n int) []Call { return e.e.MutatingCallsSince(n) }

// OperationsSince returns "service:Operation" for every call after the first n, in order.
func (e *Emulator) OperationsSince(n int) []string { return e.e.OperationsSince(n) }

// AddFault installs f and returns it.
func (e *Emulator) AddFault(f *Fault) *Fault { return e.e.AddFault(f) }

// FailNth makes the nth call matching m fail with err.
func (e *Emulator) FailNth(m Match, n int, err APIError) *Fault {
	return e.e.FailNth(m, n, err)
}

// FailAlways makes every call matching m fail with err.
func (e *Emulator) FailAlways(m Match, err APIError) *Fault {
	return e.e.FailAlways(m, err)
}

// Throttle makes a fraction (0..1] of the calls matching m fail with the
// service's throttling error (DynamoDB ThrottlingException, S3 SlowDown,
// STS Throttling), which the SDK retries.
func (e *Emulator) Throttle(m Match, fraction float64) *Fault {
	return e.e.Throttle(m, fraction)
}

// Delay adds latency to every call matching m.
func (e *Emulator) Delay(m Match, d time.Duration) *Fault { return e.e.Delay(m, d) }

// Throttled returns how many calls the emulator answered with a throttling
// error of its own, by "service:Operation": a rate quota of the Model or a
// limit on asynchronous requests in progress; faults are not counted. A
// client that keeps to AWS's quotas sees an empty map.
func (e *Emulator) Throttled() map[string]int { return e.e.Throttled() }

// Model returns a copy of the latency and quota model the emulator runs,
// nil when it is off.
func (e *Emulator) Model() *Model { return e.e.Model() }

// SetModel replaces the latency and quota model (nil turns it off) and
// refills every rate bucket. Reset keeps the model.
func (e *Emulator) SetModel(m *Model) error { return e.e.SetModel(m) }

// RemoveFault uninstalls f.
func (e *Emulator) RemoveFault(f *Fault) { e.e.RemoveFault(f) }

// ClearFaults uninstalls every fault.
func (e *Emulator) ClearFaults() { e.e.ClearFaults() }

// Snapshot returns the canonical JSON of all state: accounts by ID, then
// services by signing name, with map keys sorted and no timestamps, request
// IDs or other values that differ between two runs that did the same work.
// Two emulators that reached the same state produce identical bytes.
func (e *Emulator) Snapshot() ([]byte, error) { return e.e.Snapshot() }

// OnReset registers setup to run on the fresh state each time Reset
// replaces the emulator's state, before any request sees it; the
// foundation-emulator command uses it to recreate its -accounts. Nil
// removes it.
func (e *Emulator) OnReset(setup func(*Emulator) error) {
	if setup == nil {
		e.e.OnReset(nil)
		return
	}
	e.e.OnReset(func(fresh *core.Emulator) error { return setup(&Emulator{e: fresh}) })
}

// Reset replaces all state (accounts, STS sessions, S3 buckets, the call
// log, faults, the random source) with that of a new Emulator built from
// the same Options, then set up by the OnReset function. The *Emulator stays
// the same, so Servers and callers holding it see the new state. A request
// in flight is served wholly against the old state or the new one.
func (e *Emulator) Reset() error { return e.e.Reset() }

// CreateRole creates an IAM role in an account with the given trust policy,
// as the Organizations service does for a new account's access role. It
// returns the role's ARN.
func (e *Emulator) CreateRole(accountID, name, trustPolicy string) (string, error) {
	return iam.CreateRole(e.e, accountID, name, trustPolicy)
}

// AddMemberAccount creates an account (if missing) with an access role
// named roleName that trusts the management account, as AWS Organizations'
// CreateAccount does with OrganizationAccountAccessRole. It is a no-op for
// the role when it already exists.
func (e *Emulator) AddMemberAccount(id, roleName string) error {
	return iam.AddMemberAccount(e.e, id, roleName)
}

// FailNextAccountCreation makes the next CreateAccount request of the
// organization managed by the emulator's management account FAILED with the
// given FailureReason (ACCOUNT_LIMIT_EXCEEDED, INVALID_EMAIL,
// INTERNAL_FAILURE, ...) once it settles. Calls queue up, one per request.
func (e *Emulator) FailNextAccountCreation(reason string) error {
	return organizations.FailNextAccountCreation(e.e, reason)
}

// EnableIdentityCenter enables IAM Identity Center for the organization of
// the management account, as the console's Enable button does (there is no
// API for an organization instance), and returns the instance ARN and its
// identity store ID. It fails when the management account manages no
// organization, and returns the existing instance when already enabled.
func (e *Emulator) EnableIdentityCenter() (instanceARN, identityStoreID string, err error) {
	return ssoadmin.EnableIdentityCenter(e.e)
}

// RootCredentials are the root user credentials SeedRootCredentials gives
// an account.
type RootCredentials = iam.RootCredentialsSeed

// SeedRootCredentials gives the root user of an existing account a
// password, access keys, MFA devices and signing certificates (added to
// those it has), as its owner would by signing in as the root user, which
// no API can do: tests of root credential removal (sts:AssumeRoot, then
// iam:DeleteLoginProfile, DeleteAccessKey, ...) start from it.
func (e *Emulator) SeedRootCredentials(accountID string, c RootCredentials) error {
	return iam.SeedRootCredentials(e.e, accountID, c)
}

// WebIdentityToken returns a JWT with the given claims (iss, aud, sub, and
// any of the issuer's others) signed by the one token issuer the emulator
// trusts, for STS AssumeRoleWithWebIdentity: the role's account needs the
// IAM OIDC provider of the token's iss, and the role's trust policy is
// checked against the claims. iat and exp default to now and five minutes
// later by the emulator's clock.
func (e *Emulator) WebIdentityToken(claims map[string]any) (string, error) {
	return sts.SignWebIdentityToken(e.e, claims)
}

// MaxOutstandingAssignmentCreations returns the most CreateAccountAssignment
// requests the management account's instance ever had IN_PROGRESS at once
// (0 without an instance).
func (e *Emulator) MaxOutstandingAssignmentCreations() int {
	return ssoadmin.MaxOutstandingAssignmentCreations(e.e)
}

// Server is an Emulator served over HTTP on a loopback port, like
// httptest.Server, with the control API (the core's control.go) under
// ControlPrefix.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT", to use as an SDK
	// client's BaseEndpoint (S3 clients need UsePathStyle).
	URL string
	// Emulator is the emulator being served.
	*Emulator

	srv *http.Server
	ln  net.Listener
}

// Start serves a new Emulator on a free loopback port.
func Start(opts Options) (*Server, error) {
	return Serve(New(opts), "127.0.0.1:0")
}

// Serve serves e on addr (host:port; port 0 picks a free one).
func Serve(e *Emulator, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Emulator: e, ln: ln,
		srv: &http.Server{Handler: core.Handler(e.e), ReadHeaderTimeout: 30 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server at once, closing every connection. (A graceful
// Shutdown would wait seconds for connections that clients opened but never
// used, which concurrent SDK calls routinely leave behind.)
func (s *Server) Close() error {
	return s.srv.Close()
}
