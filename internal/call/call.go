// Package call is how every package runs one call of an exported function
// with the caller's options: Resolve turns the foundation.Option values into
// Options with the defaults filled in, and Options.Poll waits for
// asynchronous AWS work with context-aware backoff and an overall timeout.
//
//	o := call.Resolve(opts...)
//	if o.DryRun { ... }
//	err := o.Poll(ctx, "table t to become ACTIVE", check)
package call

import (
	"context"
	"log/slog"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call/settings"
)

// Default timings used when the options leave them unset. The With...
// functions of the root package document them.
const (
	// DefaultWaitTimeout bounds every wait for asynchronous AWS work
	// (a DynamoDB table becoming ACTIVE, an account being created).
	DefaultWaitTimeout = 10 * time.Minute
	// DefaultPollInterval is the first delay between two polls of an
	// asynchronous operation; it grows up to DefaultMaxPollInterval.
	DefaultPollInterval = 2 * time.Second
	// DefaultMaxPollInterval caps the backoff between two polls.
	DefaultMaxPollInterval = 30 * time.Second
	// DefaultPropagationTimeout bounds the retries of a write that AWS
	// refuses while a principal created moments ago propagates.
	DefaultPropagationTimeout = 2 * time.Minute
)

// Options are the resolved settings of one call: the fields of
// settings.Settings, every one set.
type Options settings.Settings

// Resolve returns Options with opts applied over the defaults. Packages
// call it once at the top of each exported function. Nil options are
// skipped.
func Resolve(opts ...foundation.Option) Options {
	var s settings.Settings
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	o := Options(s)
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
	if o.PropagationTimeout <= 0 {
		o.PropagationTimeout = DefaultPropagationTimeout
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = o.PollInterval
	}
	return o
}

// Width returns how many independent calls to make at once: the
// WithConcurrency option when given, def otherwise, never more than max
// (what AWS allows for the work; max <= 0 means no cap).
func (o Options) Width(def, max int) int {
	n := o.Concurrency
	if n <= 0 {
		n = def
	}
	if max > 0 && n > max {
		n = max
	}
	if n < 1 {
		n = 1
	}
	return n
}

// Poll calls check until it reports done, returns an error, the context ends
// or o.WaitTimeout passes. Delays start at o.PollInterval and double up to
// o.MaxPollInterval. what names the thing waited for in the timeout error,
// a *foundation.WaitTimeoutError.
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
				return &foundation.WaitTimeoutError{What: what, Timeout: o.WaitTimeout, Cause: ctx.Err()}
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
			return &foundation.WaitTimeoutError{What: what, Timeout: o.WaitTimeout, Cause: ctx.Err()}
		case <-t.C:
		}
		delay *= 2
		if delay > o.MaxPollInterval {
			delay = o.MaxPollInterval
		}
	}
}
