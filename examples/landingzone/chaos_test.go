package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// conflicts are the conflict errors the chaos test injects into 10% of each
// service's writes: the code each service answers a concurrent change
// with, and which the library retries (internal/awsretry) for that
// service's calls.
//
// Left out: KMS, which has no conflict error (its transient errors are
// 5xx, retried by the SDK), ECR, which has none for the calls the library
// makes, and DynamoDB, whose ResourceInUseException statebackend waits out
// only on UpdateTable and TagResource (on CreateTable it means "exists"),
// neither of which a fresh landing zone calls.
var conflicts = []struct {
	service string
	err     emulator.APIError
}{
	{"organizations", emulator.APIError{Status: 400, Code: "ConcurrentModificationException",
		Message: "injected: AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later."}},
	{"sso", emulator.APIError{Status: 409, Code: "ConflictException",
		Message: "injected: Operation is in conflict with another operation on the same resource"}},
	{"identitystore", emulator.APIError{Status: 409, Code: "ConflictException", Extra: map[string]string{"Reason": "CONCURRENT_MODIFICATION"},
		Message: "injected: the request conflicts with a concurrent modification"}},
	{"iam", emulator.APIError{Status: 409, Code: "ConcurrentModification",
		Message: "injected: Multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again."}},
	{"s3", emulator.APIError{Status: 409, Code: "OperationAborted",
		Message: "injected: A conflicting conditional operation is currently in progress against this resource. Please try again."}},
}

// quickRetryer is a retryer with its waits divided by 1000: the chaos test
// runs the examples' retryer (examplekit.Connect's, the library's
// recommendation) at test speed, with its attempts, retryable codes and
// retry quota unchanged.
type quickRetryer struct{ aws.RetryerV2 }

func (q quickRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	d, err := q.RetryerV2.RetryDelay(attempt, err)
	return d / 1000, err
}

// chaosEnv is the examples' Env for the backend: the clients
// examplekit.Connect configures for -endpoint, with their backoff sped up.
func chaosEnv(t *testing.T, ctx context.Context, b *awstest.Backend) *examplekit.Env {
	t.Helper()
	env, err := examplekit.Connect(ctx, examplekit.Flags{Endpoint: b.Endpoint}, b.Region, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	r := env.Config.Retryer()
	if r.MaxAttempts() != foundation.RetryMaxAttempts || env.Config.RetryMaxAttempts != foundation.RetryMaxAttempts || env.Config.RetryMode != foundation.RetryMode {
		t.Fatalf("examplekit.Connect does not configure the recommended retries: MaxAttempts %d, cfg %d %s", r.MaxAttempts(), env.Config.RetryMaxAttempts, env.Config.RetryMode)
	}
	recommended := env.Config.Retryer
	env.Config.Retryer = func() aws.Retryer { return quickRetryer{recommended().(aws.RetryerV2)} }
	return env
}

// chaosConverge converges seed 000 with the examples' clients, one account
// at a time so the emulator makes its IDs in the same order in every run
// and snapshots compare byte for byte.
// It returns the changes reported, as text.
func chaosConverge(ctx context.Context, env *examplekit.Env, outDir string) (string, error) {
	opts := append(awstest.FastOptions(), foundation.WithConcurrency(1))
	r, err := Converge(ctx, env, Seed000(), outDir, opts...)
	if err != nil {
		return "", err
	}
	cs, err := kittest.Listed(r, r.Accounts, r.Organization.Changes, r.Tree.Changes, r.Management)
	return cs.String(), err
}

// TestLandingZoneChaos converges the whole landing zone with the library's
// recommended client configuration (foundation.ConfigureRetries, as
// examplekit.Connect sets it) under three kinds of chaos, one seed of the
// emulator's fault draws at a time:
//
//   - throttling: 30% of all calls of every service throttled;
//   - conflicts: 10% of each service's writes refused with its conflict
//     error (the services in conflicts);
//   - both together.
//
// Every run must succeed, report the changes an undisturbed run reports,
// end in exactly its state (byte-identical snapshot: nothing created twice,
// nothing missing), and a rerun must report no change and make no mutating
// call. The default run tries 1 seed per
// kind; FOUNDATION_TEST_CHAOS=1 (CI) tries 10.
func TestLandingZoneChaos(t *testing.T) {
	t.Parallel()
	seeds := 1
	if os.Getenv("FOUNDATION_TEST_CHAOS") == "1" {
		seeds = 10
	}
	newBackend := func(t *testing.T, seed uint64) (*awstest.Backend, *emulator.Emulator) {
		b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true, Seed: seed}))
		return b, b.RequireEmulator(t, awstest.CapFaults)
	}

	ctx := awstest.Context(t, 60*time.Second)
	ref, re := newBackend(t, 1)
	start := time.Now()
	wantChanges, err := chaosConverge(ctx, chaosEnv(t, ctx, ref), t.TempDir())
	if err != nil {
		t.Fatalf("undisturbed run: %v", err)
	}
	t.Logf("undisturbed run: %d calls, %d mutating, %s", re.CallCount(), len(re.MutatingCallsSince(0)), time.Since(start).Round(time.Millisecond))
	want, err := re.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	throttle := func(e *emulator.Emulator) []*emulator.Fault {
		return []*emulator.Fault{e.AddFault(&emulator.Fault{Fraction: 0.3})}
	}
	conflict := func(e *emulator.Emulator) []*emulator.Fault {
		var fs []*emulator.Fault
		for _, c := range conflicts {
			fs = append(fs, e.AddFault(&emulator.Fault{Match: emulator.Match{Service: c.service, MutatingOnly: true}, Fraction: 0.1, Err: &c.err}))
		}
		return fs
	}
	for _, kind := range []struct {
		name   string
		faults func(*emulator.Emulator) []*emulator.Fault
	}{
		{"throttling-30", throttle},
		{"conflicts-10", conflict},
		{"both", func(e *emulator.Emulator) []*emulator.Fault { return append(conflict(e), throttle(e)...) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel() // each seed on its own emulator
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) {
					ctx := awstest.Context(t, 60*time.Second)
					b, e := newBackend(t, seed)
					env, out := chaosEnv(t, ctx, b), t.TempDir()
					faults := kind.faults(e)
					start := time.Now()
					changes, err := chaosConverge(ctx, env, out)
					fired, by := 0, ""
					for _, f := range faults {
						fired += f.Fired()
						by += fmt.Sprintf(" %s:%d", cmp.Or(f.Match.Service, "all"), f.Fired())
						e.RemoveFault(f)
					}
					if err != nil {
						t.Fatalf("run with %d faults: %v", fired, err)
					}
					t.Logf("converged through %d faults (%s) in %d calls, %s", fired, by[1:], e.CallCount(), time.Since(start).Round(time.Millisecond))
					if fired == 0 {
						t.Fatal("no fault fired")
					}
					if changes != wantChanges {
						t.Errorf("the run reported other changes than the undisturbed run:\n%s", awstest.FirstDiff([]byte(changes), []byte(wantChanges)))
					}
					got, err := e.Snapshot()
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("state after the chaos differs from the undisturbed run's:\n%s", awstest.FirstDiff(got, want))
					}
					mark := e.CallCount()
					if again, err := chaosConverge(ctx, env, out); err != nil || again != "" {
						t.Fatalf("rerun: changes %q, err %v", again, err)
					}
					if w := e.MutatingCallsSince(mark); len(w) != 0 {
						t.Fatalf("the rerun made %d mutating calls, first %s:%s", len(w), w[0].Service, w[0].Operation)
					}
				})
			}
		})
	}
}
