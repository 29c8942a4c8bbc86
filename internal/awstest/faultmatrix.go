package awstest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// FaultMatrix is the one fault sweep of the suite: it fails each mutating
// call of an undisturbed run in turn, before the write (AWS refused it) and
// after it (AWS made the change and the answer was lost), and checks that
// the library either recovers by itself (Retried) or fails naming the step
// and then a rerun reaches exactly the state of the undisturbed run, after
// which a further run makes no mutating call.
//
// S is what Setup hands to Run (a key ARN made beforehand, a spec).
type FaultMatrix[S any] struct {
	// Setup prepares a fresh backend before the run under test (nil: no
	// preparation). Its calls are not failed.
	Setup func(t *testing.T, ctx context.Context, b *Backend) S
	// Run is the call (or calls) under test.
	Run func(ctx context.Context, b *Backend, s S) error
	// Match selects the calls to fail, one at a time; MutatingOnly is
	// always set. The zero value fails every service's writes.
	Match emulator.Match
	// Err is the injected error; default a 403 AccessDenied.
	Err *emulator.APIError
	// Retried says the injected error is one the library retries: the run
	// under test must succeed despite the fault.
	Retried bool
	// Check, when set, asserts the failed run's error; op is the failed
	// call's "service:Operation". Without it the error only has to be
	// non-nil.
	Check func(t *testing.T, op string, err error)
	// Calls, when > 0, is how many mutating calls the undisturbed run must
	// make: a sweep over fewer calls than expected would prove little.
	Calls int
	// Timeout bounds each subtest; default 60s.
	Timeout time.Duration
	// Backend makes each fresh backend; default New(t).
	Backend func(t *testing.T) *Backend
	// Every, when > 1, fails only every Every-th call (the 1st, the
	// Every+1-th, ...): a sample of a long sweep for the default test run.
	// Each further variant starts a little later (variant k of n at call
	// 1+k*Every/n, rounded), so the variants together fail more distinct
	// calls: with Every 2, the first variant fails the odd calls and the
	// second the even ones.
	Every int
	// Samples, when > 0, fails only that many calls per variant, spread
	// evenly over the run (it sets Every from the number of calls).
	Samples int
	// PerOperation fails only the first call of each operation (Sampled),
	// and each of those in one variant, the operations dealt round the
	// variants in turn (dealt): every kind of write and every kind of
	// fault once, max(operations, variants) subtests; the other pairs and
	// the repeats are left to the full run.
	//
	// Every, Samples and PerOperation sample the default test run only:
	// with FOUNDATION_TEST_MATRIX=1 (FullMatrix) every call is failed.
	PerOperation bool
	// Variants, when set, replaces the two default sweeps (Err before the
	// write, Err after it) with these.
	Variants []FaultVariant
	// Parallel runs the subtests in parallel (t.Parallel): each has its
	// own backend, so Setup, Run and Check must share no state.
	Parallel bool
}

// FaultVariant is one sweep of a FaultMatrix: how each call is failed.
type FaultVariant struct {
	Name string // the subtests' first name element: "before", "after", "lost-500"
	// Err is the injected error; nil means the matrix's Err.
	Err *emulator.APIError
	// After applies the write before failing it (the answer was lost).
	After bool
	// Retried says the library (or the SDK's retryer) retries this error:
	// the run must succeed despite it, with no duplicate made.
	Retried bool
}

// LostAnswer500 is the variant AWS produces most: the write was applied,
// the answer lost as a retryable 500, and the SDK retries the call. A
// create without a client token or a find-before-create makes a second
// resource here.
var LostAnswer500 = FaultVariant{Name: "lost-500", After: true, Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: applied, answer lost"}}

// Test runs the sweep as subtests "before/N-service:Operation" and
// "after/N-..." (or one group per Variant). It needs the in-process emulator (CapFaults); on other
// backends it skips.
func (m FaultMatrix[S]) Test(t *testing.T) {
	t.Helper()
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	match := m.Match
	match.MutatingOnly = true
	setup := func(t *testing.T, ctx context.Context, b *Backend) S {
		var s S
		if m.Setup != nil {
			s = m.Setup(t, ctx, b)
		}
		return s
	}

	newBackend := m.Backend
	if newBackend == nil {
		newBackend = func(t *testing.T) *Backend { return New(t) }
	}
	ctx := Context(t, timeout)
	ref := newBackend(t)
	e := ref.RequireEmulator(t, CapFaults)
	s := setup(t, ctx, ref)
	mark := e.CallCount()
	if err := m.Run(ctx, ref, s); err != nil {
		t.Fatalf("undisturbed run: %v", err)
	}
	var ops []string
	for _, c := range e.MutatingCallsSince(mark) {
		if match.Service == "" || match.Service == c.Service {
			if match.Operation == "" || match.Operation == c.Operation {
				ops = append(ops, c.Service+":"+c.Operation)
			}
		}
	}
	if len(ops) == 0 || (m.Calls > 0 && len(ops) != m.Calls) {
		t.Fatalf("the undisturbed run made %d matching mutating calls, want %d: %v", len(ops), m.Calls, ops)
	}
	want, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	inject := m.Err
	if inject == nil {
		inject = &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"}
	}

	if m.Samples > 0 && len(ops) > m.Samples {
		m.Every = (len(ops) + m.Samples - 1) / m.Samples
	}
	variants := m.Variants
	if len(variants) == 0 {
		variants = []FaultVariant{{Name: "before", Retried: m.Retried}, {Name: "after", After: true, Retried: m.Retried}}
	}
	deal := dealt(Sampled(ops, func(op string) string { return op }), len(variants))
	var sub Subtests
	defer sub.Done(t)
	for k, v := range variants {
		inject := inject
		if v.Err != nil {
			inject = v.Err
		}
		for i, op := range ops {
			switch {
			case FullMatrix():
			case m.PerOperation:
				if !slices.Contains(deal[k], i) {
					continue
				}
			case m.Every > 1:
				if j := i - (2*k*m.Every+len(variants))/(2*len(variants)); j < 0 || j%m.Every != 0 {
					continue
				}
			}
			sub.Run(t, fmt.Sprintf("%s/%d-%s", v.Name, i+1, op), func(t *testing.T) {
				if m.Parallel {
					t.Parallel()
				}
				ctx := Context(t, timeout)
				b := newBackend(t)
				e := b.RequireEmulator(t, CapFaults)
				s := setup(t, ctx, b)
				f := e.AddFault(&emulator.Fault{Match: match, Nth: i + 1, AfterHandler: v.After, Err: inject})
				err := m.Run(ctx, b, s)
				e.RemoveFault(f)
				if f.Fired() != 1 {
					t.Fatalf("the fault at %s fired %d times (err = %v)", op, f.Fired(), err)
				}
				switch {
				case v.Retried && err != nil:
					t.Fatalf("a retried fault at %s failed the run: %v", op, err)
				case !v.Retried && err == nil:
					t.Fatalf("the fault at %s was not reported", op)
				case !v.Retried:
					if m.Check != nil {
						m.Check(t, op, err)
					}
					if err := m.Run(ctx, b, s); err != nil {
						t.Fatalf("rerun after the fault at %s: %v", op, err)
					}
				}
				got, err := e.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("state after the fault at %s differs from the undisturbed run's:\n%s", op, FirstDiff(got, want))
				}
				mark := e.CallCount()
				if err := m.Run(ctx, b, s); err != nil {
					t.Fatalf("converged rerun: %v", err)
				}
				if w := e.MutatingCallsSince(mark); len(w) != 0 {
					t.Fatalf("a converged rerun made %d mutating calls, first %s:%s", len(w), w[0].Service, w[0].Operation)
				}
			})
		}
	}
}

// FirstDiff describes the first line where two texts (snapshots, generated
// files) differ, with the wanted text's lines around it.
func FirstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s\ncontext (want):\n%s", i+1, gl, wl, strings.Join(w[lo:min(len(w), i+3)], "\n"))
		}
	}
	return "(identical)"
}

// Fast returns FastOptions followed by extra: the options tests pass to
// every Ensure call.
func Fast(extra ...foundation.Option) []foundation.Option {
	return append(FastOptions(), extra...)
}
