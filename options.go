package foundation

import (
	"context"
	"log/slog"
	"time"
)

// Default timings used when Options leave them unset.
const (
	// DefaultWaitTimeout bounds every wait for asynchronous AWS work
	// (a DynamoDB table becoming ACTIVE, an account being created).
	DefaultWaitTimeout = 10 * time.Minute
	// DefaultPollInterval is the first delay between two polls of an
	// asynchronous operation; it grows up to DefaultMaxPollInterval.
	DefaultPollInterval = 2 * time.Second
	// DefaultMaxPollInterval caps the backoff between two polls.
	DefaultMaxPollInterval = 30 * time.Second
)

// Options are the settings every Ensure function accepts. Build them with the
// With... functions; the zero value is a real run, silent, with default
// timeouts.
type Options struct {
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
}

// Option changes Options.
type Option func(*Options)

// WithDryRun makes the call read-only; the result lists what would change.
func WithDryRun(dryRun bool) Option { return func(o *Options) { o.DryRun = dryRun } }

// WithLogger sends debug records to l. The default is a discarding logger.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// WithWaitTimeout bounds each wait for asynchronous work.
func WithWaitTimeout(d time.Duration) Option { return func(o *Options) { o.WaitTimeout = d } }

// WithPollInterval sets the first and the largest delay between two polls of
// asynchronous work. Tests use short intervals; the defaults suit AWS.
func WithPollInterval(first, max time.Duration) Option {
	return func(o *Options) { o.PollInterval, o.MaxPollInterval = first, max }
}

// ApplyOptions returns Options with opts applied over the defaults. Packages
// call it once at the top of each exported function.
func ApplyOptions(opts ...Option) Options {
	o := Options{}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = DefaultWaitTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = DefaultMaxPollInterval
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = o.PollInterval
	}
	return o
}

// Poll calls check until it reports done, returns an error, the context ends
// or o.WaitTimeout passes. Delays start at o.PollInterval and double up to
// o.MaxPollInterval. what names the thing waited for in the timeout error.
func (o Options) Poll(ctx context.Context, what string, check func(context.Context) (done bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, o.WaitTimeout)
	defer cancel()
	delay := o.PollInterval
	for {
		done, err := check(ctx)
		if err != nil {
			if ctx.Err() != nil {
				// The deadline passed (or the context ended) during the
				// check: that is the timeout, however the call reported it.
				return &WaitTimeoutError{What: what, Timeout: o.WaitTimeout, Cause: ctx.Err()}
			}
			return err
		}
		if done {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return &WaitTimeoutError{What: what, Timeout: o.WaitTimeout, Cause: ctx.Err()}
		case <-t.C:
		}
		delay *= 2
		if delay > o.MaxPollInterval {
			delay = o.MaxPollInterval
		}
	}
}

// WaitTimeoutError is returned when asynchronous work did not finish within
// the wait timeout, or the context ended first.
type WaitTimeoutError struct {
	What    string
	Timeout time.Duration
	Cause   error
}

func (e *WaitTimeoutError) Error() string {
	return "timed out after " + e.Timeout.String() + " waiting for " + e.What + ": " + e.Cause.Error()
}

// Unwrap returns context.DeadlineExceeded or context.Canceled.
func (e *WaitTimeoutError) Unwrap() error { return e.Cause }
