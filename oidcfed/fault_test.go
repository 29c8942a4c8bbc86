package oidcfed_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/call/settings"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/oidcfed"
)

// faultSetup is the seed's provider (with a tag) and the seed's role with
// every setting, so that a fresh run makes several kinds of write.
func (e *env) faultSetup() error {
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{"managed-by": "foundation"}
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, fast()...)
	if err != nil {
		return err
	}
	spec := e.richSpec()
	spec.ProviderARN = p.ARN
	spec.InlinePolicies["ci-read-parameters"] = foundation.NewPolicy(foundation.Statement{Sid: "ReadParameters", Effect: foundation.EffectAllow,
		Action: foundation.Actions("ssm:GetParameter"), Resource: foundation.Resources("arn:aws:ssm:us-east-1:" + e.account + ":parameter/ci/*")})
	_, err = oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, fast()...)
	return err
}

// TestAccessDeniedOnEachWrite fails each mutating call of a fresh run in
// turn with AccessDenied: the run fails with the AWS error wrapped once
// (errors.As finds it), and running it again converges to exactly the state
// of a run without faults.
func TestAccessDeniedOnEachWrite(t *testing.T) {
	ref := newAccount(t)
	em := ref.b.RequireEmulator(t, awstest.CapFaults)
	start := em.CallCount()
	if err := ref.faultSetup(); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range em.MutatingCallsSince(start) {
		ops = append(ops, c.Operation)
	}
	want, err := em.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reference run: %d mutating calls: %v", len(ops), ops)
	if len(ops) < 4 {
		t.Fatalf("too few writes: %v", ops)
	}
	for n := 1; n <= len(ops); n++ {
		e := newAccount(t)
		em := e.b.RequireEmulator(t, awstest.CapFaults)
		f := em.FailNth(emulator.Match{Service: "iam", MutatingOnly: true}, n,
			emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
		err := e.faultSetup()
		var ae smithy.APIError
		if err == nil || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
			t.Fatalf("AccessDenied on write %d (%s): err = %v", n, ops[n-1], err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "oidcfed: ") || strings.Count(msg, "oidcfed:") != 1 || !strings.Contains(msg, ops[n-1]) {
			t.Fatalf("write %d: error not wrapped once with the resource and the step: %q", n, msg)
		}
		if f.Fired() != 1 {
			t.Fatalf("write %d: fault fired %d times", n, f.Fired())
		}
		if err := e.faultSetup(); err != nil {
			t.Fatalf("re-run after a failure on write %d (%s): %v", n, ops[n-1], err)
		}
		got, err := em.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("AccessDenied on write %d (%s): state differs from the reference:\n%s\nwant\n%s", n, ops[n-1], got, want)
		}
	}
}

// TestProviderPropagationIsRetried: IAM refuses a trust policy naming an
// OIDC provider created moments ago (MalformedPolicyDocument, "Invalid
// principal") until it has propagated. CreateRole and
// UpdateAssumeRolePolicy are retried for a bounded time.
func TestProviderPropagationIsRetried(t *testing.T) {
	malformed := emulator.APIError{Status: 400, Code: "MalformedPolicyDocument", Message: "Invalid principal in policy: \"FEDERATED\""}

	e := newAccount(t)
	em := e.b.RequireEmulator(t, awstest.CapFaults)
	em.FailNth(emulator.Match{Service: "iam", Operation: "CreateRole"}, 1, malformed)
	em.FailNth(emulator.Match{Service: "iam", Operation: "CreateRole"}, 2, malformed) // the second attempt too
	if _, err := e.setupSeed(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range e.b.Calls(0) {
		if c.Operation == "CreateRole" {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("CreateRole called %d times, want 3", n)
	}

	// Bounded by time: a policy IAM keeps refusing fails once the
	// propagation timeout (internal/awsretry.Wait) has passed. No root
	// option sets it; the test sets the internal setting directly.
	const bound = 100 * time.Millisecond
	short := foundation.Option(func(s *settings.Settings) { s.PropagationTimeout = bound })
	e = newAccount(t)
	em = e.b.RequireEmulator(t, awstest.CapFaults)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), fast()...); err != nil {
		t.Fatal(err)
	}
	em.FailAlways(emulator.Match{Service: "iam", Operation: "CreateRole"}, malformed)
	mark := e.b.Mark()
	start := time.Now()
	_, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(e.github), fast(short)...)
	took := time.Since(start)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || !strings.HasPrefix(err.Error(), `oidcfed: role "eks-prod-github-ci": create: `) {
		t.Fatalf("err = %v", err)
	}
	if got := len(e.b.MutatingCalls(mark)); got < 2 {
		t.Fatalf("%d CreateRole attempts, want it retried", got)
	}
	if took < bound || took > bound+5*time.Second {
		t.Fatalf("gave up after %s, want the %s bound", took, bound)
	}
}
