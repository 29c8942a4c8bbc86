package scp_test

import (
	"context"
	"slices"
	"testing"

	"github.com/awsfoundation/foundation"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/scp"
)

// The setup of seed 000 and 001 on a fresh organization: three policies,
// SCPs enabled, attachments on two OUs (one with FullAWSAccess replaced)
// (convergeFresh), then an update of a policy's content, description and
// tags (convergeUpdate).
func seedPolicies(t *testing.T) []scp.PolicySpec {
	t.Helper()
	suspended, err := seed001Suspended()
	if err != nil {
		t.Fatal(err)
	}
	deny, err := seed001DenyList()
	if err != nil {
		t.Fatal(err)
	}
	return []scp.PolicySpec{
		{Name: "production-protection", Document: mustDoc(t, seed000), Tags: map[string]string{"seed": "000"}},
		{Name: "hiperium-access-policy", Description: "Deny list of services for the Hiperium organization.", Document: deny},
		{Name: "suspended", Document: suspended},
	}
}

func convergeFresh(t *testing.T, o *org) error {
	t.Helper()
	for _, s := range seedPolicies(t) {
		if _, err := scp.EnsurePolicy(o.ctx, o.api, s, awstest.Fast()...); err != nil {
			return err
		}
	}
	for _, a := range []scp.AttachmentSpec{
		{TargetID: o.prodOU, Policies: []string{"production-protection", "hiperium-access-policy"}},
		{TargetID: o.suspendedOU(t), Policies: []string{"suspended"}, DetachFullAWSAccess: true},
	} {
		if _, err := scp.EnsureAttachments(o.ctx, o.api, a, awstest.Fast()...); err != nil {
			return err
		}
	}
	return nil
}

// convergeUpdate changes the content, description and tags of a policy
// convergeFresh made: UpdatePolicy and TagResource.
func convergeUpdate(t *testing.T, o *org) error {
	t.Helper()
	changed := seedPolicies(t)[0]
	changed.Document = changed.Document.Clone()
	changed.Document.Statement[1].Action = append(changed.Document.Statement[1].Action, "rds:DeleteGlobalCluster")
	changed.Description = "production: no destructive operations"
	changed.Tags = map[string]string{"seed": "000", "env": "production"}
	_, err := scp.EnsurePolicy(o.ctx, o.api, changed, awstest.Fast()...)
	return err
}

func (o *org) suspendedOU(t *testing.T) string {
	t.Helper()
	if o.suspended == "" {
		o.suspended = o.createOU(t, o.rootID, "Suspended")
	}
	return o.suspended
}

// TestConcurrentModificationOnEachWriteIsRetried injects AWS's
// ConcurrentModificationException on each mutating call of a full setup in
// turn, before the write and after it (the answer lost): every run succeeds
// (the retry added through internal/awsretry) and reaches exactly the state
// of a run without faults. "fresh" creates the three policies and the
// attachments; "update" then changes a policy's content, description and
// tags.
func TestConcurrentModificationOnEachWriteIsRetried(t *testing.T) {
	t.Parallel()
	cme := &emulator.APIError{Status: 400, Code: "ConcurrentModificationException", Message: "injected"}
	setup := func(t *testing.T, ctx context.Context, b *awstest.Backend) *org {
		b.Require(t, awstest.CapSnapshot)
		o := orgOn(t, ctx, b)
		o.suspendedOU(t)
		return o
	}
	var s awstest.Subtests
	defer s.Done(t)
	s.Run(t, "fresh", func(t *testing.T) {
		awstest.FaultMatrix[*org]{
			Setup: setup,
			Run:   func(_ context.Context, _ *awstest.Backend, o *org) error { return convergeFresh(t, o) },
			Match: emulator.Match{Service: "organizations"},
			Err:   cme,
			// lost-500: the write applied, its answer lost as a retryable 500.
			Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, {Name: "after", After: true, Retried: true}, awstest.LostAnswer500, notApplied500},
			Calls:    8, // 3 CreatePolicy, EnablePolicyType, 3 AttachPolicy, DetachPolicy

			PerOperation: true, // a sample: each operation and each variant once (FOUNDATION_TEST_MATRIX=1: every call)
		}.Test(t)
	})
	s.Run(t, "update", func(t *testing.T) {
		awstest.FaultMatrix[*org]{
			Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) *org {
				o := setup(t, ctx, b)
				if err := convergeFresh(t, o); err != nil {
					t.Fatal(err)
				}
				return o
			},
			Run:   func(_ context.Context, _ *awstest.Backend, o *org) error { return convergeUpdate(t, o) },
			Match: emulator.Match{Service: "organizations"},
			Err:   cme,
			// lost-500: the write applied, its answer lost as a retryable 500.
			Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, {Name: "after", After: true, Retried: true}, awstest.LostAnswer500, notApplied500},
			Calls:    2, // UpdatePolicy, TagResource
		}.Test(t)
	})
}

// TestDryRunListsEveryChangeOfAFullSetup runs the seeds' setup in dry run on
// a fresh organization: no mutating call, and exactly the changes the real
// run then makes.
func TestDryRunListsEveryChangeOfAFullSetup(t *testing.T) {
	o := newOrg(t)
	o.suspendedOU(t)
	run := func(opts ...foundation.Option) foundation.Changes {
		t.Helper()
		var all foundation.Changes
		suspended, _ := seed001Suspended()
		for _, s := range []scp.PolicySpec{
			{Name: "production-protection", Document: mustDoc(t, seed000)},
			{Name: "suspended", Document: suspended},
		} {
			p, err := scp.EnsurePolicy(o.ctx, o.api, s, awstest.Fast(opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p.Changes...)
		}
		for _, a := range []scp.AttachmentSpec{
			{TargetID: o.prodOU, Policies: []string{"production-protection"}},
			{TargetID: o.suspendedOU(t), Policies: []string{"suspended"}, DetachFullAWSAccess: true},
		} {
			r, err := scp.EnsureAttachments(o.ctx, o.api, a, awstest.Fast(opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, r.Changes...)
		}
		return all
	}
	mark := o.b.Mark()
	dry := run(foundation.WithDryRun(true))
	o.b.RequireNoMutations(t, mark)
	real := run()
	// The dry run predicts enabling SCPs for each target (nothing is
	// enabled yet when the second is planned); the real run enables them
	// once. Otherwise the lists are the same.
	want := changeStrings(real)
	enable := "update organizations:policy-type " + o.rootID + "/SERVICE_CONTROL_POLICY"
	if len(want) < 4 || want[2] != enable {
		t.Fatalf("real run:\n%s", real)
	}
	want = slices.Insert(want, 4, enable)
	if got := changeStrings(dry); !slices.Equal(got, want) {
		t.Fatalf("dry run:\n%s\nreal run:\n%s", dry, real)
	}
	if len(real) != 6 {
		t.Fatalf("real run:\n%s", real)
	}
}

// notApplied500 is a retryable 500 before the write: AWS did not apply it.
// A create guarded by a read (awsretry.Create) finds nothing and creates
// again; the others are retried by the SDK.
var notApplied500 = awstest.FaultVariant{Name: "500-before", Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: not applied"}}

// TestCreatePolicyLostAnswerIsReportedAsMade: a CreatePolicy AWS applied
// whose answer was lost (a retryable 500 after the write) is not sent again:
// the policy is found by its name, reported as this run's creation, and
// converged.
func TestCreatePolicyLostAnswerIsReportedAsMade(t *testing.T) {
	o := newOrg(t)
	e := o.b.RequireEmulator(t, awstest.CapFaults)
	f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "organizations", Operation: "CreatePolicy"}, Nth: 1,
		AfterHandler: true, Err: awstest.LostAnswer500.Err})
	mark := e.CallCount()
	spec := seedPolicies(t)[0]
	p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil || f.Fired() != 1 {
		t.Fatalf("err = %v, fault fired %d times", err, f.Fired())
	}
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreatePolicy" {
			n++
		}
	}
	if n != 1 || len(p.Changes) != 1 || p.Changes[0].Action != foundation.ActionCreate || p.Changes[0].Resource != scp.ResourcePolicy || p.ID == "" {
		t.Errorf("%d CreatePolicy calls, policy %q, changes %v", n, p.ID, p.Changes)
	}
	// The one policy carries the ownership tag from its create: the rerun
	// takes it as the library's and changes nothing.
	if tags := o.tags(t, p.ID); tags[scp.ManagedByTagKey] != scp.ManagedByTagValue {
		t.Fatalf("tags of the policy the lost create made: %v", tags)
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	})
}
