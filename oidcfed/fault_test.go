package oidcfed_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/oidcfed"
)

// faultSetup is the seed's provider (with a tag) and the seed's role with
// every setting, so that a fresh run makes several kinds of write.
func (e *env) faultSetup() error {
	_, err := e.faultSetupChanges()
	return err
}

// faultSetupChanges is faultSetup returning the changes both calls report.
func (e *env) faultSetupChanges() (foundation.Changes, error) {
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{"managed-by": "foundation"}
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast()...)
	if err != nil {
		return nil, err
	}
	spec := e.richSpec()
	spec.ProviderARN = p.ARN
	spec.InlinePolicies["ci-read-parameters"] = foundation.NewPolicy(foundation.Statement{Sid: "ReadParameters", Effect: foundation.EffectAllow,
		Action: foundation.Actions("ssm:GetParameter"), Resource: foundation.Resources("arn:aws:ssm:us-east-1:" + e.account + ":parameter/ci/*")})
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
	if err != nil {
		return nil, err
	}
	return append(p.Changes, r.Changes...), nil
}

// TestLostAnswersAreReportedAsMade: a CreateOpenIDConnectProvider or
// CreateRole AWS applied whose answer was lost (a retryable 500 after the
// write) is found by reading and reported as this run's change: the run
// reports exactly the undisturbed run's changes.
func TestLostAnswersAreReportedAsMade(t *testing.T) {
	lines := func(cs foundation.Changes) []string {
		var out []string
		for _, c := range cs {
			out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
		}
		return out
	}
	ref := accountOn(t, awstest.New(t))
	ref.b.RequireEmulator(t, awstest.CapFaults)
	undisturbed, err := ref.faultSetupChanges()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"CreateOpenIDConnectProvider", "CreateRole"} {
		t.Run(op, func(t *testing.T) {
			e := accountOn(t, awstest.New(t))
			em := e.b.RequireEmulator(t, awstest.CapFaults)
			f := em.AddFault(&emulator.Fault{Match: emulator.Match{Service: "iam", Operation: op}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
			got, err := e.faultSetupChanges()
			if err != nil || f.Fired() != 1 {
				t.Fatalf("err = %v, fault fired %d times", err, f.Fired())
			}
			if g, w := lines(got), lines(undisturbed); !slices.Equal(g, w) {
				t.Errorf("changes\n got %q\nwant %q", g, w)
			}
		})
	}
}

// TestAccessDeniedOnEachWrite fails each mutating call of a fresh run in
// turn with AccessDenied, before and after AWS made the write: the run fails
// with the AWS error wrapped once (errors.As finds it) naming the step, and
// running it again converges to exactly the state of a run without faults.
func TestAccessDeniedOnEachWrite(t *testing.T) {
	awstest.FaultMatrix[*env]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) *env {
			e := accountOn(t, b)
			e.ctx = ctx
			return e
		},
		Run:   func(_ context.Context, _ *awstest.Backend, e *env) error { return e.faultSetup() },
		Match: emulator.Match{Service: "iam"},
		Calls: 5,
		// lost-500: the write applied, its answer lost as a retryable 500.
		Variants: []awstest.FaultVariant{{Name: "before"}, {Name: "after", After: true}, awstest.LostAnswer500, notApplied500},
		Check: func(t *testing.T, op string, err error) {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
				t.Fatalf("AccessDenied on %s: err = %v", op, err)
			}
			_, name, _ := strings.Cut(op, ":")
			if msg := err.Error(); !strings.HasPrefix(msg, "oidcfed: ") || strings.Count(msg, "oidcfed:") != 1 || !strings.Contains(msg, name) {
				t.Fatalf("%s: error not wrapped once with the resource and the step: %q", op, msg)
			}
		},
	}.Test(t)
}

// A failure after some writes says what was made: the error carries a
// *foundation.IncompleteError listing exactly the changes made before it.
func TestFailureReportsTheChangesMade(t *testing.T) {
	e := newAccount(t)
	em := e.b.RequireEmulator(t, awstest.CapFaults)
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	spec := e.richSpec()
	spec.ProviderARN = p.ARN
	em.FailNth(emulator.Match{Service: "iam", Operation: "PutRolePolicy"}, 1,
		emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
	_, err = oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
	var inc *foundation.IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("err = %v, want a *foundation.IncompleteError", err)
	}
	want := []string{
		"create iam:role eks-prod-github-ci",
		"create iam:role-managed-policy eks-prod-github-ci/" + spec.ManagedPolicyARNs[0],
	}
	if got := changeStrings(inc.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes %q, want %q", got, want)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.HasPrefix(err.Error(), `oidcfed: role "eks-prod-github-ci": put inline policy`) {
		t.Fatalf("err = %v", err)
	}

	// The provider's own writes: a failed tag after the create.
	e = newAccount(t)
	em = e.b.RequireEmulator(t, awstest.CapFaults)
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{"managed-by": "foundation"}
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	pspec.ClientIDs = append(pspec.ClientIDs, "sigstore")
	pspec.Tags["team"] = "platform"
	em.FailNth(emulator.Match{Service: "iam", Operation: "TagOpenIDConnectProvider"}, 1,
		emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
	_, err = oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast()...)
	if !errors.As(err, &inc) || !slices.Equal(changeStrings(inc.Changes), []string{"update iam:oidc-provider-client-ids token.actions.githubusercontent.com"}) {
		t.Fatalf("err = %v", err)
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
	// propagation timeout (foundation.WithPropagationTimeout) has passed.
	const bound = 100 * time.Millisecond
	short := foundation.WithPropagationTimeout(bound)
	e = newAccount(t)
	em = e.b.RequireEmulator(t, awstest.CapFaults)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	em.FailAlways(emulator.Match{Service: "iam", Operation: "CreateRole"}, malformed)
	mark := e.b.Mark()
	start := time.Now()
	_, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(e.github), awstest.Fast(short)...)
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

// TestConcurrentModificationOnEachWriteIsRetried fails each IAM write of a
// fresh run once with ConcurrentModification, which AWS asks callers to
// retry: the retryer retries it, the run succeeds and reaches the
// undisturbed run's state with no duplicate.
func TestConcurrentModificationOnEachWriteIsRetried(t *testing.T) {
	awstest.FaultMatrix[*env]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) *env {
			e := accountOn(t, b)
			e.ctx = ctx
			return e
		},
		Run:   func(_ context.Context, _ *awstest.Backend, e *env) error { return e.faultSetup() },
		Match: emulator.Match{Service: "iam"},
		Calls: 5,
		Err: &emulator.APIError{Status: 409, Code: "ConcurrentModification",
			Message: "injected: multiple requests to change this object were submitted simultaneously"},
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}},
	}.Test(t)
}

// notApplied500 is a retryable 500 before the write: AWS did not apply it.
// A create guarded by a read (awsretry.Create) finds nothing and creates
// again; the others are retried by the SDK.
var notApplied500 = awstest.FaultVariant{Name: "500-before", Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: not applied"}}
