package core

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Workload describes the work a converge does, for LowerBound: an
// organization-wide chain run once, a chain per OU and a chain per account,
// each a sequence of stages whose calls run in parallel.
type Workload struct {
	// Accounts is how many accounts run the Account chain.
	Accounts int
	// OUs is how many OUs run the OU chain, in OUDepth levels: an OU's
	// chain starts when its parent's has ended (default 1 level when OUs
	// > 0).
	OUs     int
	OUDepth int
	// Org is the organization-wide chain (enable policy types, create the
	// SCPs, permission sets, ...), run once beside everything else.
	Org Chain
	// OU is the chain of one OU (CreateOrganizationalUnit, tags, policy
	// attachments).
	OU Chain
	// Account is the chain of one account, from its first call (usually
	// organizations:CreateAccount) to its last. The accounts' chains run
	// beside each other and beside the Org and OU chains: LowerBound does
	// not make an account wait for its OU (creating an OU takes far less
	// than creating an account), nor for the Org chain.
	Account Chain
}

// Chain is a sequence of stages: a stage starts when the one before it has
// ended.
type Chain []Stage

// Stage is a set of calls that do not depend on each other and so may run
// at the same time.
type Stage []Op

// Op is one kind of call in a stage.
type Op struct {
	// Service is the SigV4 signing name ("organizations", "sso", "s3");
	// Operation the API operation ("CreateAccount").
	Service, Operation string
	// Count is how many such calls the stage makes in parallel (default 1).
	Count int
	// Member marks a call made with the member account's own credentials
	// (after sts:AssumeRole): it counts against that account's quotas.
	// Other calls (Organizations, sso-admin, the AssumeRole itself) are
	// made by the management account and share its quotas. Only the
	// Account chain has member calls: Member is ignored in the Org and OU
	// chains.
	Member bool
}

// count returns Count with its default.
func (o Op) count() int {
	if o.Count > 0 {
		return o.Count
	}
	return 1
}

// Bound is what LowerBound found.
type Bound struct {
	// Wall is the least time, in model time (multiply by TimeScale for
	// wall time), from the first call to the last response.
	Wall time.Duration
	// Calls is the least number of calls: every call of the workload, plus
	// one status describe per asynchronous call the model times (the one
	// that sees it finished; a client that polls sooner makes more).
	// Retries of throttled calls are not counted: a client that keeps to
	// the quotas makes none.
	Calls int
	// Binding names the constraint that sets Wall (a key of Constraints).
	Binding string
	// Constraints is every constraint LowerBound considered, with the time
	// it alone requires: "chain org", "chain ou", "chain account",
	// "concurrency organizations:CreateAccount", "rate sso (management)",
	// "rate s3 (member)", ...
	Constraints map[string]time.Duration
}

// String renders the bound and its constraints, the binding one first.
func (b Bound) String() string {
	keys := SortedKeys(b.Constraints)
	sort.SliceStable(keys, func(i, j int) bool { return b.Constraints[keys[i]] > b.Constraints[keys[j]] })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %v", k, b.Constraints[k].Round(time.Millisecond)))
	}
	return fmt.Sprintf("lower bound %v, %d calls (%s)", b.Wall.Round(time.Millisecond), b.Calls, strings.Join(parts, "; "))
}

// defaultConcurrency is each service's own limit on asynchronous requests
// in progress, which applies when Model.Concurrency names none (the
// organizations and ssoadmin packages keep the same figures, with their
// sources, as orgMaxCreatesInProgress and ssoMaxOutstandingCreations).
var defaultConcurrency = map[string]int{
	AsyncCreateAccount:           5,
	AsyncCreateAccountAssignment: 10,
}

// LowerBound returns the least wall time (in model time) and the least
// number of calls m allows for w. It is a lower bound: no client, however
// it schedules its calls, finishes sooner on an emulator running m, and a
// client that starts every call the moment its dependencies allow and keeps
// exactly to the quotas comes close to it.
//
// The time is the largest of these constraints, each necessary on its own:
//
//   - chain: the Org chain, OUDepth times the OU chain, and the Account
//     chain, each as the sum of its stages, a stage taking as long as its
//     slowest call. A call takes its latency (Model.LatencyOf); an
//     asynchronous call the model times (Model.Async) takes the longer of
//     its latency and its duration, plus the latency of the one describe
//     that sees it finished.
//   - concurrency: an asynchronous operation limited to K requests in
//     progress (Model.Concurrency, else the service's own limit: 5
//     CreateAccount, 10 CreateAccountAssignment), made n times in all,
//     holds a slot for its duration D, so the last of them cannot finish
//     before ceil(n/K) x D after the earliest one can start; add the
//     stages before it and the describe and stages after it.
//   - rate: a quota of r requests per second with burst b, which the
//     workload's calls in one account use C times (the management
//     account's calls of every chain, or one member account's own calls),
//     needs (C - b) / r before the last call is accepted, plus that
//     call's latency.
//
// The bound assumes one region. It ignores what a client cannot avoid only
// by its own fault (throttled retries, early polls) and the eventual
// consistency model. Wall is 0 for an empty workload.
func LowerBound(m *Model, w Workload) Bound {
	b := Bound{Constraints: map[string]time.Duration{}}
	depth := w.OUDepth
	if depth <= 0 && w.OUs > 0 {
		depth = 1
	}
	chains := []struct {
		name  string
		chain Chain
		times int // how many times the chain runs
		seq   int // how many times it runs back to back (OU levels)
	}{
		{"org", w.Org, 1, 1},
		{"ou", w.OU, w.OUs, depth},
		{"account", w.Account, w.Accounts, 1},
	}

	// The duration of one call, of a stage, of a chain's stages before and
	// after stage i.
	callTime := func(o Op) time.Duration {
		lat := m.LatencyOf(o.Service, o.Operation)
		key := o.Service + ":" + o.Operation
		if d, ok := m.asyncOf(key); ok {
			return max(lat, d) + m.LatencyOf(o.Service, AsyncDescribe[key])
		}
		return lat
	}
	stageTime := func(s Stage) time.Duration {
		var t time.Duration
		for _, o := range s {
			t = max(t, callTime(o))
		}
		return t
	}
	sum := func(stages []Stage) time.Duration {
		var t time.Duration
		for _, s := range stages {
			t += stageTime(s)
		}
		return t
	}

	// chain constraints and call counts
	type slot struct {
		n             int
		before, after time.Duration
		seen          bool
	}
	slots := map[string]*slot{}
	type bucketUse struct {
		calls int
		lat   time.Duration
	}
	mgmt := map[int]*bucketUse{}   // rate index -> the management account's calls
	member := map[int]*bucketUse{} // rate index -> one member account's calls
	use := func(into map[int]*bucketUse, service, op string, n int) {
		r, i := m.RateOf(service, op)
		if r == nil || n <= 0 {
			return
		}
		u := into[i]
		if u == nil {
			u = &bucketUse{lat: m.LatencyOf(service, op)}
			into[i] = u
		}
		u.calls += n
		u.lat = min(u.lat, m.LatencyOf(service, op))
	}
	for _, c := range chains {
		if c.times <= 0 || len(c.chain) == 0 {
			continue
		}
		b.Constraints["chain "+c.name] = time.Duration(c.seq) * sum(c.chain)
		for si, s := range c.chain {
			for _, o := range s {
				n := o.count() * c.times
				key := o.Service + ":" + o.Operation
				b.Calls += n
				into := mgmt
				if o.Member && c.name == "account" {
					into = member
					n = o.count() // per member account
				}
				use(into, o.Service, o.Operation, n)
				if _, timed := m.asyncOf(key); timed {
					b.Calls += o.count() * c.times
					use(into, o.Service, AsyncDescribe[key], n)
				}
				if _, limited := m.concurrencyOf(key); limited {
					sl := slots[key]
					if sl == nil {
						sl = &slot{}
						slots[key] = sl
					}
					before, after := sum(c.chain[:si]), sum(c.chain[si+1:])
					if !sl.seen || before < sl.before {
						sl.before = before
					}
					if !sl.seen || after < sl.after {
						sl.after = after
					}
					sl.seen = true
					sl.n += o.count() * c.times
				}
			}
		}
	}
	for key, sl := range slots {
		k, _ := m.concurrencyOf(key)
		d, _ := m.asyncOf(key)
		svc, op, _ := strings.Cut(key, ":")
		rounds := (sl.n + k - 1) / k
		b.Constraints["concurrency "+key] = sl.before + time.Duration(rounds)*max(d, m.LatencyOf(svc, op)) +
			m.LatencyOf(svc, AsyncDescribe[key]) + sl.after
	}
	rate := func(who string, uses map[int]*bucketUse) {
		for i, u := range uses {
			r := &m.Rates[i]
			extra := float64(u.calls) - r.burst()
			if extra <= 0 {
				continue
			}
			name := "rate " + r.Service
			if len(r.Operations) > 0 {
				name += ":" + strings.Join(r.Operations, "|")
			}
			secs := extra / r.PerSecond
			b.Constraints[name+" ("+who+")"] = time.Duration(math.Ceil(secs*float64(time.Second))) + u.lat
		}
	}
	rate("management", mgmt)
	if w.Accounts > 0 {
		rate("member", member)
	}
	for _, k := range SortedKeys(b.Constraints) {
		if d := b.Constraints[k]; d > b.Wall || b.Binding == "" {
			b.Wall, b.Binding = d, k
		}
	}
	return b
}

// asyncOf returns the model's duration for an asynchronous operation, if
// the model times it.
func (m *Model) asyncOf(key string) (time.Duration, bool) {
	if m == nil {
		return 0, false
	}
	d, ok := m.Async[key]
	return d, ok
}

// concurrencyOf returns the limit on key's requests in progress: the
// model's, else the service's own.
func (m *Model) concurrencyOf(key string) (int, bool) {
	if m != nil {
		if k, ok := m.Concurrency[key]; ok && k > 0 {
			return k, true
		}
	}
	k, ok := defaultConcurrency[key]
	return k, ok
}
