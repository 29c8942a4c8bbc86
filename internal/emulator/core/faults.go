package core

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Match selects calls for a fault. Empty fields match anything.
type Match struct {
	Service   string // SigV4 signing name, "s3"
	Operation string // "PutBucketVersioning"
	Account   string // acting account ID
	// MutatingOnly restricts the match to operations that change state.
	MutatingOnly bool
}

func (m Match) matches(c *Call) bool {
	return (m.Service == "" || m.Service == c.Service) &&
		(m.Operation == "" || m.Operation == c.Operation) &&
		(m.Account == "" || m.Account == c.Account) &&
		(!m.MutatingOnly || c.Mutating)
}

// Fault is a programmed failure or delay. Build one with FailNth, FailAlways,
// Throttle or Delay; Remove takes it out again.
type Fault struct {
	Match Match
	// Nth fails only the Nth matching call (1-based); 0 fails every
	// matching call (subject to Fraction).
	Nth int
	// Fraction, when > 0, fails that fraction of matching calls, chosen by
	// the emulator's seeded random source.
	Fraction float64
	// Err is the AWS error returned. Nil with Fraction set means the
	// service's throttling error.
	Err *APIError
	// Latency is added to every matching call (faulted or not).
	Latency time.Duration
	// AfterHandler applies the change first and then returns Err, as when
	// AWS did the work but the response was lost.
	AfterHandler bool

	seen        int
	fired       atomic.Int64
	svcThrottle *APIError
	svcStatuses ErrorStatuses
}

// Fired returns how many calls the fault has failed.
func (f *Fault) Fired() int { return int(f.fired.Load()) }

func (f *Fault) err() *APIError {
	if f.Err != nil {
		e := *f.Err
		if e.Status == 0 && f.svcStatuses != nil {
			// A fault that names only a code is sent with the status AWS
			// sends that code with.
			e.Status = f.svcStatuses.Status(e.Code)
		}
		return &e
	}
	if f.svcThrottle != nil {
		e := *f.svcThrottle
		return &e
	}
	return Errorf(http.StatusInternalServerError, "InternalFailure", "injected fault")
}

// AddFault installs f and returns it.
func (e *Emulator) AddFault(f *Fault) *Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
	return f
}

// FailNth makes the nth call matching m fail with err.
func (e *Emulator) FailNth(m Match, n int, err APIError) *Fault {
	return e.AddFault(&Fault{Match: m, Nth: n, Err: &err})
}

// FailAlways makes every call matching m fail with err.
func (e *Emulator) FailAlways(m Match, err APIError) *Fault {
	return e.AddFault(&Fault{Match: m, Err: &err})
}

// Throttle makes a fraction (0..1] of the calls matching m fail with the
// service's throttling error (DynamoDB ThrottlingException, S3 SlowDown,
// STS Throttling), which the SDK retries.
func (e *Emulator) Throttle(m Match, fraction float64) *Fault {
	return e.AddFault(&Fault{Match: m, Fraction: fraction})
}

// Delay adds latency to every call matching m.
func (e *Emulator) Delay(m Match, d time.Duration) *Fault {
	return e.AddFault(&Fault{Match: m, Latency: d})
}

// RemoveFault uninstalls f.
func (e *Emulator) RemoveFault(f *Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, g := range e.faults {
		if g == f {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
			return
		}
	}
}

// ClearFaults uninstalls every fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// matchFaults returns the fault that fails this call, if any, and the total
// latency to add. Called with e.mu held.
func (e *Emulator) matchFaults(c *Call) (*Fault, time.Duration) {
	var hit *Fault
	var latency time.Duration
	for _, f := range e.faults {
		if !f.Match.matches(c) {
			continue
		}
		latency += f.Latency
		if f.Latency > 0 && f.Err == nil && f.Fraction == 0 && f.Nth == 0 {
			continue // a pure delay
		}
		f.seen++
		fail := false
		switch {
		case f.Nth > 0:
			fail = f.seen == f.Nth
		case f.Fraction > 0:
			fail = e.rnd.Float64() < f.Fraction
		default:
			fail = true
		}
		if fail && hit == nil {
			if s := e.services[c.Service]; s != nil {
				f.svcStatuses = s.Statuses
			}
			if f.Err == nil {
				if s := e.services[c.Service]; s != nil && s.Throttle.Code != "" {
					t := s.Throttle
					f.svcThrottle = &t
				}
			}
			f.fired.Add(1)
			hit = f
		}
	}
	return hit, latency
}
