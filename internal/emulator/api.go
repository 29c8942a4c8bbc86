package emulator

import (
	"github.com/awsfoundation/foundation/internal/emulator/core"

	// The services the emulator speaks: each registers itself with the core
	// when its package is initialised.
	_ "github.com/awsfoundation/foundation/internal/emulator/dynamodb"
	_ "github.com/awsfoundation/foundation/internal/emulator/ecr"
	_ "github.com/awsfoundation/foundation/internal/emulator/iam"
	_ "github.com/awsfoundation/foundation/internal/emulator/identitystore"
	_ "github.com/awsfoundation/foundation/internal/emulator/kms"
	_ "github.com/awsfoundation/foundation/internal/emulator/organizations"
	_ "github.com/awsfoundation/foundation/internal/emulator/s3"
	_ "github.com/awsfoundation/foundation/internal/emulator/ssoadmin"
	_ "github.com/awsfoundation/foundation/internal/emulator/sts"
)

// The facade's types and constants are the core's: the aliases keep the
// package's API as it was before the emulator was split into a core and one
// package per service.

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

// Options configure an Emulator (see core.Options).
type Options = core.Options

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
