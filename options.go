package foundation

import (
	"log/slog"
	"time"

	"github.com/awsfoundation/foundation/internal/call/settings"
)

// Option changes how an Ensure function runs. Options come only from the
// With... functions (what they set is internal to the library); a function
// given none makes a real run, silent, with the default timeouts. A nil
// Option is ignored.
type Option func(*settings.Settings)

// WithDryRun makes the call read-only; the result lists what would change.
func WithDryRun(dryRun bool) Option { return func(s *settings.Settings) { s.DryRun = dryRun } }

// WithLogger sends debug records of what a function reads and writes to l.
// The default is silent (a discarding logger).
func WithLogger(l *slog.Logger) Option { return func(s *settings.Settings) { s.Logger = l } }

// WithWaitTimeout bounds each wait for asynchronous work (an account being
// created, a table becoming ACTIVE); a wait that runs out returns a
// *WaitTimeoutError. The default is 10 minutes; d <= 0 means the default.
func WithWaitTimeout(d time.Duration) Option {
	return func(s *settings.Settings) { s.WaitTimeout = d }
}

// WithPollInterval sets the first and the largest delay between two polls of
// asynchronous work; the delay doubles from first up to max (a max below
// first is raised to first). Tests use short intervals; the defaults, 2
// seconds growing to 30, suit AWS. A value <= 0 means its default.
func WithPollInterval(first, max time.Duration) Option {
	return func(s *settings.Settings) { s.PollInterval, s.MaxPollInterval = first, max }
}

// WithConcurrency sets how many calls a function makes at once where its
// work is independent (sibling OUs, accounts, assignments, per-account
// work). Each function caps n at what AWS allows for that work (5 account
// creations in flight, 10 outstanding Identity Center assignment requests)
// and documents its default; n <= 0 means the default. Specs say what to
// converge; this option says how fast.
func WithConcurrency(n int) Option { return func(s *settings.Settings) { s.Concurrency = n } }

// WithPropagationTimeout bounds how long a write is retried while AWS
// refuses it because something it names was created moments ago and has
// not propagated (a new role or service-linked role in a trust or key
// policy). The default is 2 minutes; d <= 0 means the default.
func WithPropagationTimeout(d time.Duration) Option {
	return func(s *settings.Settings) { s.PropagationTimeout = d }
}
