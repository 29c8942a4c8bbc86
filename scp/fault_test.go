package scp_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/awsfoundation/foundation"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/scp"
)

// converge is the whole setup of seed 000 and 001 on a fresh organization:
// three policies, SCPs enabled, attachments on two OUs (one with
// FullAWSAccess replaced), then an update of a policy.
func converge(t *testing.T, o *org) error {
	t.Helper()
	suspended, err := seed001Suspended()
	if err != nil {
		return err
	}
	deny, err := seed001DenyList()
	if err != nil {
		return err
	}
	specs := []scp.PolicySpec{
		{Name: "production-protection", Document: mustDoc(t, seed000), Tags: map[string]string{"seed": "000"}},
		{Name: "hiperium-access-policy", Description: "Deny list of services for the Hiperium organization.", Document: deny},
		{Name: "suspended", Document: suspended},
	}
	for _, s := range specs {
		if _, err := scp.EnsurePolicy(o.ctx, o.api, s, awstest.FastOptions()...); err != nil {
			return err
		}
	}
	for _, a := range []scp.AttachmentSpec{
		{TargetID: o.prodOU, Policies: []string{"production-protection", "hiperium-access-policy"}},
		{TargetID: o.suspendedOU(t), Policies: []string{"suspended"}, DetachFullAWSAccess: true},
	} {
		if _, err := scp.EnsureAttachments(o.ctx, o.api, a, awstest.FastOptions()...); err != nil {
			return err
		}
	}
	// Then a change of content, description and tags: UpdatePolicy and
	// TagResource.
	changed := specs[0]
	changed.Document = changed.Document.Clone()
	changed.Document.Statement[1].Action = append(changed.Document.Statement[1].Action, "rds:DeleteGlobalCluster")
	changed.Description = "production: no destructive operations"
	changed.Tags = map[string]string{"seed": "000", "env": "production"}
	_, err = scp.EnsurePolicy(o.ctx, o.api, changed, awstest.FastOptions()...)
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
// turn: every run succeeds (the retry added through internal/awsretry) and
// reaches exactly the state of a run without faults.
func TestConcurrentModificationOnEachWriteIsRetried(t *testing.T) {
	ref := newOrg(t)
	ref.b.Require(t, awstest.CapFaults, awstest.CapSnapshot)
	e := ref.b.RequireEmulator(t, awstest.CapFaults)
	ref.suspendedOU(t)
	start := e.CallCount()
	if err := converge(t, ref); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range e.MutatingCallsSince(start) {
		ops = append(ops, c.Operation)
	}
	want, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reference run: %d mutating calls: %v", len(ops), ops)
	if len(ops) < 10 {
		t.Fatalf("too few writes: %v", ops)
	}
	for n := 1; n <= len(ops); n++ {
		o := newOrg(t)
		e := o.b.RequireEmulator(t, awstest.CapFaults)
		o.suspendedOU(t)
		f := e.FailNth(emulator.Match{Service: "organizations", MutatingOnly: true}, n,
			emulator.APIError{Status: 400, Code: "ConcurrentModificationException", Message: "injected"})
		if err := converge(t, o); err != nil {
			t.Fatalf("CME on write %d (%s): %v", n, ops[n-1], err)
		}
		if f.Fired() != 1 {
			t.Fatalf("write %d: fault fired %d times", n, f.Fired())
		}
		got, err := e.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("CME on write %d (%s): state differs from the reference:\n%s\nwant\n%s", n, ops[n-1], got, want)
		}
	}
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
			p, err := scp.EnsurePolicy(o.ctx, o.api, s, append(awstest.FastOptions(), opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p.Changes...)
		}
		for _, a := range []scp.AttachmentSpec{
			{TargetID: o.prodOU, Policies: []string{"production-protection"}},
			{TargetID: o.suspendedOU(t), Policies: []string{"suspended"}, DetachFullAWSAccess: true},
		} {
			r, err := scp.EnsureAttachments(o.ctx, o.api, a, append(awstest.FastOptions(), opts...)...)
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
