package foundationtest

import (
	"github.com/awsfoundation/foundation/internal/emulator"
)

// Model is the server's latency and quota model: per-call latency, AWS's
// documented request-rate quotas per account answered with each service's
// own throttling error (which the SDKs retry), limits on asynchronous
// requests in progress (five CreateAccount, ten CreateAccountAssignment),
// and asynchronous work that takes a duration on the server's clock (an
// account about a minute, an assignment seconds) instead of a couple of
// polls. Every figure is in AWS units and its source is documented with
// DefaultModel; TimeScale runs it faster than real time. A server without
// one (the default) answers at once and throttles nothing.
type Model = emulator.Model

// Rate is one request-rate quota of a Model: a token bucket per calling
// account.
type Rate = emulator.Rate

// DefaultModel returns a new Model with AWS's figures, each with its
// source; change the copy (TimeScale, Latency, Async) before WithModel.
func DefaultModel() *Model { return emulator.DefaultModel() }

// WithModel turns on the latency and quota model. Code under test should
// use the SDK's retryer (the default): throttled calls are retried as on
// AWS. Server.Throttled tells whether the code kept to the quotas.
func WithModel(m *Model) Option { return func(o *emulator.Options) { o.Model = m } }

// SetModel replaces the server's latency and quota model (nil turns it
// off).
func (s *Server) SetModel(m *Model) error { return s.srv.SetModel(m) }

// Throttled returns how many calls the server answered with a throttling
// error of its own, by "service:Operation": a rate quota of the model or a
// limit on asynchronous requests in progress (faults are not counted). Code
// that keeps to AWS's quotas leaves it empty.
func (s *Server) Throttled() map[string]int { return s.srv.Throttled() }
