package scp_test

import (
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

// TestRunReadsPoliciesRootAndTagsOnce: the calls of one run sharing a
// foundation.ReadCache (a policy, then its attachments to two OUs, run
// again) list the SCPs once, read the root once and each policy's tags
// once; a run that creates the policy lists them again after the create
// (the new policy is found by the attachments) and reads the root again
// after enabling SCPs on it; the rerun makes no mutating call.
func TestRunReadsPoliciesRootAndTagsOnce(t *testing.T) {
	o := newOrg(t)
	spec := scp.PolicySpec{Name: "deny-leave", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`}
	run := func() (map[string]int, []awstest.Call) {
		t.Helper()
		opts := awstest.Fast(foundation.WithReadCache(foundation.NewReadCache()))
		mark := o.b.Mark()
		if _, err := scp.EnsurePolicy(o.ctx, o.api, spec, opts...); err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{o.prodOU, o.rootID} {
			if _, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: target, Policies: []string{"deny-leave", "FullAWSAccess"}}, opts...); err != nil {
				t.Fatal(err)
			}
		}
		n := map[string]int{}
		for _, c := range o.b.Calls(mark) {
			n[c.Operation]++
		}
		return n, o.b.MutatingCalls(mark)
	}
	first, _ := run()
	if first["ListPolicies"] != 2 {
		t.Errorf("first run: ListPolicies %d, want 2 (before and after the create): %v", first["ListPolicies"], first)
	}
	again, mutating := run()
	if len(mutating) != 0 {
		t.Fatalf("rerun made mutating calls: %v", mutating)
	}
	if again["ListPolicies"] != 1 || again["ListRoots"] != 1 || again["ListTagsForResource"] != 1 || again["DescribePolicy"] != 1 {
		t.Errorf("rerun: ListPolicies %d, ListRoots %d, ListTagsForResource %d, DescribePolicy %d, want 1 each: %v",
			again["ListPolicies"], again["ListRoots"], again["ListTagsForResource"], again["DescribePolicy"], again)
	}
}
