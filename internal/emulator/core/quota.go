package core

import (
	"time"
)

// quotaState is the running state of the Model: a token bucket per rate
// quota and calling account (and region, for regional services), and the
// count of throttled calls.
type quotaState struct {
	buckets   map[bucketKey]*bucket
	throttled map[string]int // "service:Operation" -> calls answered with a throttling error
}

type bucketKey struct {
	rate            int // index in Model.Rates
	account, region string
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newQuotaState() *quotaState {
	return &quotaState{buckets: map[bucketKey]*bucket{}, throttled: map[string]int{}}
}

// globalServices are the services with one endpoint for every region: their
// quotas are per account, not per account and region.
var globalServices = map[string]bool{"organizations": true, "iam": true}

// Model returns a copy of the latency and quota model the emulator runs,
// nil when it is off.
func (e *Emulator) Model() *Model {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.model.Clone()
}

// SetModel replaces the latency and quota model (nil turns it off) and
// refills every rate bucket; the throttle counts are kept. Asynchronous
// requests in progress are timed by the new model from when they were
// made. Reset keeps the model.
func (e *Emulator) SetModel(m *Model) error {
	if err := m.Validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.model = m.Clone()
	e.quota.buckets = map[bucketKey]*bucket{}
	return nil
}

// modelLatency returns the wall time the model adds to a call. Called with
// e.mu held.
func (e *Emulator) modelLatency(service, op string) time.Duration {
	m := e.model
	if m == nil {
		return 0
	}
	return m.Wall(m.LatencyOf(service, op))
}

// admit takes a token from the bucket of the rate quota that governs the
// call, or answers with the service's throttling error when the bucket is
// empty. Called with e.mu held.
func (e *Emulator) admit(svc *Service, op, account, region string) *APIError {
	m := e.model
	if m == nil {
		return nil
	}
	r, i := m.RateOf(svc.Name, op)
	if r == nil {
		return nil
	}
	if globalServices[svc.Name] {
		region = ""
	}
	k := bucketKey{rate: i, account: account, region: region}
	now := e.Now()
	b := e.quota.buckets[k]
	if b == nil {
		b = &bucket{tokens: r.burst(), last: now}
		e.quota.buckets[k] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		// Model seconds elapsed: wall time divided by the time scale.
		b.tokens = min(r.burst(), b.tokens+elapsed.Seconds()/m.scale()*r.PerSecond)
		b.last = now
	}
	if b.tokens < 1 {
		t := svc.Throttle
		if t.Code == "" {
			t = APIError{Status: 400, Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return &t
	}
	b.tokens--
	return nil
}

// countThrottle records a call answered with its service's throttling error
// by the model or a service's own quota (not by a fault). Called with e.mu
// held.
func (e *Emulator) countThrottle(service, op string) {
	e.quota.throttled[service+":"+op]++
}

// Throttled returns how many calls the emulator answered with a throttling
// error of its own, by "service:Operation": a rate quota of the Model, or a
// limit on asynchronous requests in progress (CreateAccount,
// CreateAccountAssignment), whether or not the model is on. Faults are not
// counted. A client that keeps to AWS's quotas sees an empty map.
func (e *Emulator) Throttled() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return cloneMap(e.quota.throttled)
}

// AsyncTimed reports whether the model times the asynchronous work started
// by kind ("service:Operation", AsyncCreateAccount, ...): then it settles
// only when AsyncDue says so, and describes do not advance it. Called with
// e.mu held.
func (e *Emulator) AsyncTimed(kind string) bool {
	_, ok := e.model.asyncOf(kind)
	return ok
}

// AsyncDue reports whether asynchronous work of kind started at since has
// finished by now: after the model's duration for kind (scaled by
// TimeScale) when the model times it, else after Options.AsyncDuration.
// Called with e.mu held.
func (e *Emulator) AsyncDue(kind string, since time.Time) bool {
	if since.IsZero() {
		return false
	}
	d := e.opts.AsyncDuration
	if md, ok := e.model.asyncOf(kind); ok {
		d = e.model.Wall(md)
	}
	return !e.Now().Before(since.Add(d))
}

// ConcurrencyLimit returns how many asynchronous requests of kind may be in
// progress at once: the model's figure when it names one, else def (the
// service's own limit). Called with e.mu held.
func (e *Emulator) ConcurrencyLimit(kind string, def int) int {
	if m := e.model; m != nil {
		if k, ok := m.Concurrency[kind]; ok && k > 0 {
			return k
		}
	}
	return def
}
