package core

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Model is the emulator's latency and quota model: how long each call
// takes, how many calls per second AWS accepts from one account (answered
// beyond that with the service's own throttling error, which the SDKs
// retry), how many asynchronous requests may be in progress at once, and
// how long asynchronous work takes on the emulator's clock. Options.Model
// nil, the default, turns it off: calls take no time, nothing is throttled
// but by faults, and asynchronous work settles after its count of
// describes or Options.AsyncDuration, as the emulator always did.
//
// Every figure is in AWS units (seconds of AWS time, requests per second of
// AWS time); TimeScale runs the whole model faster or slower than real time
// without changing them. DefaultModel returns the figures AWS documents,
// each with its source in the comments of DefaultModel; LowerBound computes
// from a Model the least wall time and calls a workload needs.
//
// A Model is read by the emulator for its whole life: do not change one
// after passing it to New.
type Model struct {
	// TimeScale is how much wall time one unit of model time takes: 1 (or
	// 0, the zero value) runs the model in real time; 0.05 runs it at 1/20
	// of real time, so a 60 s CreateAccount takes 3 s by the clock, a 50 ms
	// call 2.5 ms and a 20 requests-per-second quota allows 400 calls per
	// wall second. Durations reported by LowerBound stay in model time
	// (multiply by TimeScale for wall time).
	//
	// Choose a scale at which the scaled latency stays well above what the
	// emulator itself costs per call: about 0.25 ms of wall time with an
	// in-process SDK client on two cores (measured 2026-12-03, 4,000 calls
	// per second at 8 to 32 in parallel). At 0.005 that cost is 50 ms of
	// model time per call, as much as DefaultLatency, so the measured time
	// of call-heavy work (a no-op rerun) is inflated against LowerBound; at
	// 0.05 it is 5 ms.
	TimeScale float64

	// DefaultLatency is how long a call takes when Latency names neither its
	// operation nor its service. The emulator serves the request, then
	// holds the response for the latency outside its lock, so concurrent
	// calls overlap as they do on AWS.
	DefaultLatency time.Duration
	// Latency overrides DefaultLatency by "service" (SigV4 signing name:
	// "organizations", "sso", "s3") or "service:Operation"
	// ("organizations:CreateAccount"); the operation wins over the service.
	Latency map[string]time.Duration

	// Rates are the request-rate quotas, each a token bucket per calling
	// account (and per region for regional services): Burst calls at once,
	// refilled at PerSecond. A call that finds its bucket empty is answered,
	// after its latency, with the service's throttling error (Service.Throttle:
	// Organizations TooManyRequestsException, sso-admin and identitystore
	// ThrottlingException, IAM and STS Throttling, KMS, ECR and DynamoDB
	// ThrottlingException, S3 SlowDown), does nothing and is counted in
	// Emulator.Throttled. A call matches the first Rate that names its
	// operation, else the first that names only its service.
	Rates []Rate

	// Async is how long asynchronous work takes, by the "service:Operation"
	// of the request that starts it (AsyncCreateAccount, ...), from the
	// moment the request is served. While the model times a kind of work
	// its describes do not advance it: it settles when its duration has
	// passed on the clock (Options.Clock, scaled by TimeScale), whoever
	// asks. Kinds not named here keep the describe counts and
	// Options.AsyncDuration.
	Async map[string]time.Duration

	// Concurrency is how many asynchronous requests of one kind may be in
	// progress at once (per organization for CreateAccount, per Identity
	// Center instance for CreateAccountAssignment, the two kinds with a
	// limit), by "service:Operation";
	// a request beyond it is answered with the error AWS sends
	// (Organizations TooManyRequestsException, sso-admin
	// ThrottlingException). A kind not named here keeps the service's own
	// limit, which is AWS's documented one (5 and 10).
	Concurrency map[string]int
}

// Rate is one request-rate quota: a token bucket per calling account.
type Rate struct {
	// Service is the SigV4 signing name ("organizations", "sso",
	// "identitystore", "iam", "kms", "sts", "s3", "dynamodb", "ecr").
	Service string `json:"service"`
	// Operations the quota covers, sharing one bucket; empty: every
	// operation of the service that no other Rate names (a collective
	// quota such as IAM Identity Center's 20 TPS).
	Operations []string `json:"operations,omitempty"`
	// PerSecond is the sustained rate, in requests per second of model
	// time.
	PerSecond float64 `json:"perSecond"`
	// Burst is how many calls the bucket holds (at least 1; 0 means
	// PerSecond rounded up).
	Burst int `json:"burst,omitempty"`
	// Source is where AWS documents the figure, or "unconfirmed: ..." when
	// it does not.
	Source string `json:"source,omitempty"`
}

// The asynchronous operations the model can time (keys of Model.Async and
// Model.Concurrency).
const (
	// AsyncCreateAccount is Organizations CreateAccount, settled
	// (SUCCEEDED or FAILED) as DescribeCreateAccountStatus reports.
	AsyncCreateAccount = "organizations:CreateAccount"
	// AsyncCreateAccountAssignment is IAM Identity Center
	// CreateAccountAssignment (DescribeAccountAssignmentCreationStatus).
	AsyncCreateAccountAssignment = "sso:CreateAccountAssignment"
	// AsyncDeleteAccountAssignment is IAM Identity Center
	// DeleteAccountAssignment (DescribeAccountAssignmentDeletionStatus).
	AsyncDeleteAccountAssignment = "sso:DeleteAccountAssignment"
	// AsyncProvisionPermissionSet is IAM Identity Center
	// ProvisionPermissionSet (DescribePermissionSetProvisioningStatus).
	AsyncProvisionPermissionSet = "sso:ProvisionPermissionSet"
)

// AsyncDescribe names, for each asynchronous operation the model can time,
// the operation that reports its status: LowerBound counts one such
// describe per asynchronous call (the one that sees it finished).
var AsyncDescribe = map[string]string{
	AsyncCreateAccount:           "DescribeCreateAccountStatus",
	AsyncCreateAccountAssignment: "DescribeAccountAssignmentCreationStatus",
	AsyncDeleteAccountAssignment: "DescribeAccountAssignmentDeletionStatus",
	AsyncProvisionPermissionSet:  "DescribePermissionSetProvisioningStatus",
}

// scale returns TimeScale with its default.
func (m *Model) scale() float64 {
	if m == nil || m.TimeScale <= 0 {
		return 1
	}
	return m.TimeScale
}

// Wall converts a duration of model time into wall time (by TimeScale).
func (m *Model) Wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) * m.scale())
}

// LatencyOf returns the latency of one call of service:operation, in model
// time (0 for a nil Model).
func (m *Model) LatencyOf(service, operation string) time.Duration {
	if m == nil {
		return 0
	}
	if d, ok := m.Latency[service+":"+operation]; ok {
		return d
	}
	if d, ok := m.Latency[service]; ok {
		return d
	}
	return m.DefaultLatency
}

// RateOf returns the Rate that governs service:operation and its index in
// Rates, or nil when no quota applies.
func (m *Model) RateOf(service, operation string) (*Rate, int) {
	if m == nil {
		return nil, -1
	}
	general := -1
	for i := range m.Rates {
		r := &m.Rates[i]
		if r.Service != service {
			continue
		}
		if len(r.Operations) == 0 {
			if general < 0 {
				general = i
			}
			continue
		}
		for _, op := range r.Operations {
			if op == operation {
				return r, i
			}
		}
	}
	if general >= 0 {
		return &m.Rates[general], general
	}
	return nil, -1
}

// burst returns Burst with its default.
func (r *Rate) burst() float64 {
	if r.Burst > 0 {
		return float64(r.Burst)
	}
	b := float64(int(r.PerSecond))
	if b < r.PerSecond || b < 1 {
		b++
	}
	return b
}

// Validate reports the first field of m that makes no sense (a negative
// duration or rate, a Rate without service or rate, an unknown async kind).
func (m *Model) Validate() error {
	if m == nil {
		return nil
	}
	if m.TimeScale < 0 {
		return fmt.Errorf("model: TimeScale: %v is negative", m.TimeScale)
	}
	if m.DefaultLatency < 0 {
		return fmt.Errorf("model: DefaultLatency: %v is negative", m.DefaultLatency)
	}
	for _, k := range SortedKeys(m.Latency) {
		if m.Latency[k] < 0 {
			return fmt.Errorf("model: Latency[%q]: %v is negative", k, m.Latency[k])
		}
	}
	for i, r := range m.Rates {
		switch {
		case r.Service == "":
			return fmt.Errorf("model: Rates[%d].Service: required", i)
		case r.PerSecond <= 0:
			return fmt.Errorf("model: Rates[%d].PerSecond: %v must be positive", i, r.PerSecond)
		case r.Burst < 0:
			return fmt.Errorf("model: Rates[%d].Burst: %d is negative", i, r.Burst)
		}
	}
	for _, k := range SortedKeys(m.Async) {
		if _, ok := AsyncDescribe[k]; !ok {
			return fmt.Errorf("model: Async[%q]: not an asynchronous operation the emulator times (%s)", k, strings.Join(SortedKeys(AsyncDescribe), ", "))
		}
		if m.Async[k] < 0 {
			return fmt.Errorf("model: Async[%q]: %v is negative", k, m.Async[k])
		}
	}
	for _, k := range SortedKeys(m.Concurrency) {
		if _, ok := defaultConcurrency[k]; !ok {
			return fmt.Errorf("model: Concurrency[%q]: not an asynchronous operation with a concurrency limit (%s)", k, strings.Join(SortedKeys(defaultConcurrency), ", "))
		}
		if m.Concurrency[k] < 1 {
			return fmt.Errorf("model: Concurrency[%q]: %d must be at least 1", k, m.Concurrency[k])
		}
	}
	return nil
}

// Clone returns a deep copy of m, so a caller can change a DefaultModel
// without touching another's.
func (m *Model) Clone() *Model {
	if m == nil {
		return nil
	}
	c := *m
	c.Latency = cloneMap(m.Latency)
	c.Async = cloneMap(m.Async)
	c.Concurrency = cloneMap(m.Concurrency)
	c.Rates = make([]Rate, len(m.Rates))
	for i, r := range m.Rates {
		r.Operations = append([]string(nil), r.Operations...)
		c.Rates[i] = r
	}
	return &c
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// String summarises m for logs and error messages.
func (m *Model) String() string {
	if m == nil {
		return "model off"
	}
	keys := make([]string, 0, len(m.Rates))
	for _, r := range m.Rates {
		k := r.Service
		if len(r.Operations) > 0 {
			k += ":" + strings.Join(r.Operations, "|")
		}
		keys = append(keys, fmt.Sprintf("%s %g/s", k, r.PerSecond))
	}
	sort.Strings(keys)
	return fmt.Sprintf("model x%g latency %v rates [%s] async %v concurrency %v",
		m.scale(), m.DefaultLatency, strings.Join(keys, ", "), m.Async, m.Concurrency)
}
