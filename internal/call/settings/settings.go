// Package settings holds the fields a foundation.Option sets. It is a leaf
// so that the root package can name it in the Option type without importing
// internal/call, which imports the root package for its error types.
// Packages read the settings through call.Resolve, never from here.
package settings

import (
	"log/slog"
	"time"

	"github.com/awsfoundation/foundation/internal/readcache"
)

// Settings are what the foundation.With... options set. A zero field means
// the option was not given; call.Resolve fills in the defaults.
type Settings struct {
	// DryRun makes only read calls; the result lists the changes that
	// would be made.
	DryRun bool
	// Logger receives debug records of what a function reads and writes.
	// Nil means silent.
	Logger *slog.Logger
	// WaitTimeout bounds each wait for asynchronous work.
	WaitTimeout time.Duration
	// PollInterval is the first delay between polls; MaxPollInterval caps
	// the exponential backoff.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// PropagationTimeout bounds how long a write that AWS refuses while
	// something just created propagates is retried (internal/awsretry.Wait).
	PropagationTimeout time.Duration
	// Concurrency is how many independent calls a function makes at once;
	// 0 means the function's default (call.Options.Width).
	Concurrency int
	// ReadCache is the run's read cache (foundation.WithReadCache); nil
	// means each call reads for itself.
	ReadCache *readcache.Cache
	// RequestRates are the request rates the caller set per service
	// (foundation.WithRequestRate); a service not named keeps its
	// package's default.
	RequestRates map[string]float64
}
