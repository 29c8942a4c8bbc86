package core

import "time"

// DefaultAsyncDuration is Options.AsyncDuration's default.
const DefaultAsyncDuration = 30 * time.Second

// settleDue settles every asynchronous change that has been in progress for
// Options.AsyncDuration, by the emulator's clock: a new or updating DynamoDB
// table, an Organizations CreateAccount request or account closure, an IAM
// Identity Center provisioning or account assignment request: each service
// settles its own (service.settle), in the order of the services' names. Each also
// settles after its count of describes (TableActivationDescribes, ...),
// whichever comes first, so a client that waits without polling is served
// as AWS would serve it. Called with e.mu held, before every request.
func (e *Emulator) settleDue() {
	now := e.Now()
	due := func(since time.Time) bool {
		return !since.IsZero() && !now.Before(since.Add(e.opts.AsyncDuration))
	}
	for _, name := range SortedKeys(e.services) {
		if s := e.services[name]; s.Settle != nil {
			s.Settle(e, due)
		}
	}
}

// EpochSeconds renders a timestamp as the JSON protocols do: seconds since
// the epoch, with milliseconds.
func EpochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
