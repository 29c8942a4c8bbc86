package scp_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

// ensurePolicies creates the named guardrail policies and returns their IDs.
func (o *org) ensurePolicies(t *testing.T, names ...string) map[string]string {
	t.Helper()
	docs := map[string]*foundation.PolicyDocument{
		"deny-root":      scp.MustBuild(scp.DenyRootUser(scp.RootUserOptions{})),
		"deny-leave":     scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})),
		"regions":        scp.MustBuild(scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}})),
		"security":       scp.MustBuild(scp.ProtectSecurityServices(scp.SecurityServicesOptions{})),
		"deny-all":       scp.MustBuild(scp.DenyAll(scp.DenyAllOptions{})),
		"allow-all":      scp.MustBuild(scp.AllowAll(scp.AllowAllOptions{})),
		"production-000": mustDoc(t, seed000),
	}
	for i := 1; i <= 6; i++ { // fillers, for today's 10 per target
		docs[fmt.Sprint("pad-", i)] = scp.MustBuild(scp.ProtectActions(scp.ProtectActionsOptions{Sid: fmt.Sprint("Pad", i), Actions: []string{fmt.Sprintf("ec2:DeleteVpc%d", i)}}))
	}
	ids := map[string]string{}
	for _, n := range names {
		p, err := scp.EnsurePolicy(o.ctx, o.api, scp.PolicySpec{Name: n, Document: docs[n]}, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = p.ID
	}
	return ids
}

func (o *org) ensureAttachments(t *testing.T, spec scp.AttachmentSpec, opts ...foundation.Option) *scp.Attachments {
	t.Helper()
	a, err := scp.EnsureAttachments(o.ctx, o.api, spec, awstest.Fast(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func requireAttached(t *testing.T, o *org, target string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := o.attached(t, target); !slices.Equal(got, want) {
		t.Fatalf("attached to %s:\n got %q\nwant %q", target, got, want)
	}
}

func TestEnsureAttachmentsOnAFreshOrganization(t *testing.T) {
	o := newOrg(t)
	o.ensurePolicies(t, "production-000", "deny-leave")
	spec := scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"production-000", "deny-leave"}}

	// Dry run: SCPs are not enabled yet, the attachments are predicted.
	mark := o.b.Mark()
	dry := o.ensureAttachments(t, spec, foundation.WithDryRun(true))
	o.b.RequireNoMutations(t, mark)
	want := []string{
		"update organizations:policy-type " + o.rootID + "/SERVICE_CONTROL_POLICY",
		"create organizations:policy-attachment " + o.prodOU + "/production-000",
		"create organizations:policy-attachment " + o.prodOU + "/deny-leave",
	}
	requireChanges(t, dry.Changes, want...)
	if d := dry.Changes[0].Diffs; len(d) != 1 || d[0].To != "ENABLED" {
		t.Fatalf("policy type diff: %+v", d)
	}

	a := o.ensureAttachments(t, spec)
	requireChanges(t, a.Changes, want...)
	requireAttached(t, o, o.prodOU, "FullAWSAccess", "production-000", "deny-leave")
	var names []string
	for _, p := range a.Policies {
		names = append(names, p.Name)
		if p.Name == "FullAWSAccess" != p.AWSManaged || p.Name != "FullAWSAccess" != p.Managed {
			t.Fatalf("flags of %+v", p)
		}
	}
	if strings.Join(names, ",") != "FullAWSAccess,deny-leave,production-000" {
		t.Fatalf("result policies: %v", names)
	}
	roots, err := o.api.ListRoots(o.ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots[0].PolicyTypes) != 1 || roots.Roots[0].PolicyTypes[0].Status != types.PolicyTypeStatusEnabled {
		t.Fatalf("root policy types: %+v %v", roots.Roots[0].PolicyTypes, err)
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		a, err := scp.EnsureAttachments(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return a.Changes, nil
	})
}

func TestEnsureAttachmentsDetachesOnlyManagedPolicies(t *testing.T) {
	o := newOrg(t)
	o.ensurePolicies(t, "deny-root", "deny-leave", "regions")
	foreign := o.foreignPolicy(t, "hand-made", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}`)
	o.ensureAttachments(t, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"deny-root", "deny-leave", "regions"}})
	if _, err := o.api.AttachPolicy(o.ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(foreign), TargetId: aws.String(o.prodOU)}); err != nil {
		t.Fatal(err)
	}
	requireAttached(t, o, o.prodOU, "FullAWSAccess", "deny-root", "deny-leave", "regions", "hand-made")

	// "regions" leaves the desired set; the foreign policy and
	// FullAWSAccess stay.
	spec := scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"deny-root", "deny-leave"}}
	a := o.ensureAttachments(t, spec)
	requireChanges(t, a.Changes, "delete organizations:policy-attachment "+o.prodOU+"/regions")
	requireAttached(t, o, o.prodOU, "FullAWSAccess", "deny-root", "deny-leave", "hand-made")
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		a, err := scp.EnsureAttachments(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return a.Changes, nil
	})

	// Explicitly asked: an allow list replaces FullAWSAccess and the
	// foreign policy goes. Attachments come before detachments.
	ids := o.ensurePolicies(t, "allow-all")
	mark := o.b.Mark()
	spec = scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{ids["allow-all"], "deny-root"}, DetachFullAWSAccess: true, DetachUnmanaged: true}
	a = o.ensureAttachments(t, spec)
	requireChanges(t, a.Changes,
		"create organizations:policy-attachment "+o.prodOU+"/allow-all",
		"delete organizations:policy-attachment "+o.prodOU+"/FullAWSAccess",
		"delete organizations:policy-attachment "+o.prodOU+"/deny-leave",
		"delete organizations:policy-attachment "+o.prodOU+"/hand-made",
	)
	var ops []string
	for _, c := range o.b.MutatingCalls(mark) {
		ops = append(ops, c.Operation)
	}
	if strings.Join(ops, ",") != "AttachPolicy,DetachPolicy,DetachPolicy,DetachPolicy" {
		t.Fatalf("write order: %v", ops)
	}
	requireAttached(t, o, o.prodOU, "allow-all", "deny-root")
}

func TestEnsureAttachmentsSwapsWithinTheLimit(t *testing.T) {
	o := newOrg(t)
	pads := []string{"pad-1", "pad-2", "pad-3", "pad-4", "pad-5"}
	o.ensurePolicies(t, append([]string{"deny-root", "deny-leave", "regions", "security", "deny-all"}, pads...)...)
	o.ensureAttachments(t, scp.AttachmentSpec{TargetID: o.prodOU, Policies: append([]string{"deny-root", "deny-leave", "regions", "security"}, pads...)})
	requireAttached(t, o, o.prodOU, append([]string{"FullAWSAccess", "deny-root", "deny-leave", "regions", "security"}, pads...)...)
	// The target is full (10 since 2026-05-15): the swap detaches first,
	// then attaches, never going above 10 nor below 1.
	a := o.ensureAttachments(t, scp.AttachmentSpec{TargetID: o.prodOU, Policies: append([]string{"deny-root", "deny-leave", "regions", "deny-all"}, pads...)})
	requireChanges(t, a.Changes,
		"delete organizations:policy-attachment "+o.prodOU+"/security",
		"create organizations:policy-attachment "+o.prodOU+"/deny-all",
	)
	requireAttached(t, o, o.prodOU, append([]string{"FullAWSAccess", "deny-root", "deny-leave", "regions", "deny-all"}, pads...)...)
}

func TestEnsureAttachmentsChecksTheLimitAfterReadingBeforeWriting(t *testing.T) {
	o := newOrg(t)
	pads := []string{"pad-1", "pad-2", "pad-3", "pad-4", "pad-5"}
	o.ensurePolicies(t, append([]string{"deny-root", "deny-leave", "regions"}, pads...)...)
	o.ensureAttachments(t, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"deny-root"}})
	for _, n := range []string{"hand-1", "hand-2"} {
		id := o.foreignPolicy(t, n, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}`)
		if _, err := o.api.AttachPolicy(o.ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(o.prodOU)}); err != nil {
			t.Fatal(err)
		}
	}
	// 8 wanted + FullAWSAccess + 2 foreign kept = 11 > 10.
	mark := o.b.Mark()
	wanted := append([]string{"deny-root", "deny-leave", "regions"}, pads...)
	_, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: wanted}, awstest.Fast()...)
	var le *scp.AttachmentLimitError
	if !errors.As(err, &le) || le.Count != 11 || le.Limit != 10 || le.TargetID != o.prodOU {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), o.prodOU) || !strings.Contains(err.Error(), "11 SCPs") {
		t.Fatalf("message: %v", err)
	}
	o.b.RequireNoMutations(t, mark)
	if o.b.Lacks(awstest.OrgAttachmentLimit) {
		return
	}

	// A raised limit (AWS raises quotas on request) lets it through... if
	// AWS agrees: the backend keeps 10 and refuses.
	_, err = scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: wanted,
		Limits: scp.Limits{MaxPoliciesPerTarget: 11}}, awstest.Fast()...)
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), `scp: target "`+o.prodOU+`": attach "`) {
		t.Fatalf("not wrapped: %v", err)
	}
}

func TestEnsureAttachmentsUnknownPolicy(t *testing.T) {
	o := newOrg(t)
	_, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"not-there"}}, awstest.Fast()...)
	if !errors.Is(err, scp.ErrPolicyNotFound) || !strings.Contains(err.Error(), `"not-there"`) {
		t.Fatalf("err = %v", err)
	}
	// In dry run a policy that EnsurePolicy would create first is listed.
	spec := scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"not-there"}}
	mark := o.b.Mark()
	a := o.ensureAttachments(t, spec, foundation.WithDryRun(true))
	o.b.RequireNoMutations(t, mark)
	requireChanges(t, a.Changes, "create organizations:policy-attachment "+o.prodOU+"/not-there")
}

// pendingRoots reports SCPs PENDING_ENABLE on the root for the first few
// ListRoots calls after they were enabled, as AWS may.
type pendingRoots struct {
	*organizations.Client
	pending int
}

func (p *pendingRoots) ListRoots(ctx context.Context, in *organizations.ListRootsInput, opts ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	out, err := p.Client.ListRoots(ctx, in, opts...)
	if err == nil && p.pending > 0 {
		for i := range out.Roots {
			for j := range out.Roots[i].PolicyTypes {
				if out.Roots[i].PolicyTypes[j].Status == types.PolicyTypeStatusEnabled {
					out.Roots[i].PolicyTypes[j].Status = types.PolicyTypeStatusPendingEnable
					p.pending--
				}
			}
		}
	}
	return out, err
}

func TestEnsureAttachmentsWaitsForPendingEnable(t *testing.T) {
	o := newOrg(t)
	o.ensurePolicies(t, "deny-root")
	if _, err := o.api.EnablePolicyType(o.ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(o.rootID), PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	api := &pendingRoots{Client: o.api, pending: 3}
	a, err := scp.EnsureAttachments(o.ctx, api, scp.AttachmentSpec{TargetID: o.rootID, Policies: []string{"deny-root"}}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if api.pending != 0 {
		t.Fatalf("did not wait: %d pending reads left", api.pending)
	}
	requireChanges(t, a.Changes, "create organizations:policy-attachment "+o.rootID+"/deny-root")

	// A wait that never ends times out with the options' timeout.
	api = &pendingRoots{Client: o.api, pending: 1 << 30}
	_, err = scp.EnsureAttachments(o.ctx, api, scp.AttachmentSpec{TargetID: o.rootID, Policies: []string{"deny-root"}},
		awstest.Fast(foundation.WithWaitTimeout(50e6))...)
	var wt *foundation.WaitTimeoutError
	if !errors.As(err, &wt) {
		t.Fatalf("err = %v", err)
	}
}
