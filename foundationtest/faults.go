package foundationtest

import (
	"time"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// Match selects the calls a fault applies to. Empty fields match anything.
type Match struct {
	Service   string // SigV4 signing name: "s3", "iam", "kms", "organizations", "sso" (sso-admin), "identitystore"
	Operation string // "CreateKey"
	Account   string // the acting account's ID
	// MutatingOnly restricts the match to operations that change state.
	MutatingOnly bool
}

// Error is the AWS error a fault returns.
type Error struct {
	// Code is the AWS error code: "ThrottlingException", "AccessDenied",
	// "ConcurrentModificationException".
	Code string
	// Message is the error message (default: "injected fault").
	Message string
	// Status is the HTTP status; 0 sends the status AWS sends with Code
	// where the emulator knows it, 400 otherwise.
	Status int
}

// Fault is a programmed failure or delay installed on a server.
type Fault struct{ f *emulator.Fault }

// Fired returns how many calls the fault has failed.
func (f *Fault) Fired() int { return f.f.Fired() }

func (e Error) api() emulator.APIError {
	msg := e.Message
	if msg == "" {
		msg = "injected fault"
	}
	return emulator.APIError{Status: e.Status, Code: e.Code, Message: msg}
}

func (m Match) emu() emulator.Match {
	return emulator.Match{Service: m.Service, Operation: m.Operation, Account: m.Account, MutatingOnly: m.MutatingOnly}
}

func (s *Server) add(f *emulator.Fault) *Fault { return &Fault{f: s.srv.AddFault(f)} }

// FailNth fails the nth call matching m (1-based, counted from now) with
// err, before the server does anything: the request had no effect.
func (s *Server) FailNth(m Match, n int, err Error) *Fault {
	e := err.api()
	return s.add(&emulator.Fault{Match: m.emu(), Nth: n, Err: &e})
}

// FailNthAfter fails the nth call matching m (counted from now) with err
// after the server
// applied it: AWS did the work and the response was lost. With a retryable
// error (a 500, a throttle) the SDK sends the request again, which is how
// a retry makes a second resource when nothing guards against it.
func (s *Server) FailNthAfter(m Match, n int, err Error) *Fault {
	e := err.api()
	return s.add(&emulator.Fault{Match: m.emu(), Nth: n, Err: &e, AfterHandler: true})
}

// FailAlways fails every call matching m with err until the fault is removed.
func (s *Server) FailAlways(m Match, err Error) *Fault {
	e := err.api()
	return s.add(&emulator.Fault{Match: m.emu(), Err: &e})
}

// Throttle fails a fraction (0 to 1] of the calls matching m with the
// service's throttling error, which the SDK retries. The choice is seeded:
// the same run throttles the same calls.
func (s *Server) Throttle(m Match, fraction float64) *Fault {
	return s.add(&emulator.Fault{Match: m.emu(), Fraction: fraction})
}

// Latency adds d to every call matching m.
func (s *Server) Latency(m Match, d time.Duration) *Fault {
	return s.add(&emulator.Fault{Match: m.emu(), Latency: d})
}

// RemoveFault uninstalls f.
func (s *Server) RemoveFault(f *Fault) { s.srv.RemoveFault(f.f) }

// ClearFaults uninstalls every fault.
func (s *Server) ClearFaults() { s.srv.ClearFaults() }
