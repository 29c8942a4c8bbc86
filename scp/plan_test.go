package scp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/scp"
)

// refusePlaceholders returns a client of b's backend that fails the test,
// and the call, when a call carries a predicted identifier.
func refusePlaceholders(t *testing.T, b *awstest.Backend) *organizations.Client {
	cfg := b.Config()
	awstest.RefusePredicted(t, &cfg)
	return b.Organizations(cfg)
}

// A dry run of EnsureAttachments plans with the identifiers other dry runs
// predicted (a policy EnsurePolicy would create, an OU the organizations
// package would create) without reading AWS for them; a real run refuses
// them as an invalid spec naming the field, before any call.
func TestEnsureAttachmentsPlansWithPredictedIdentifiers(t *testing.T) {
	o := newOrg(t)
	o.ensurePolicies(t, "deny-root")
	api := refusePlaceholders(t, o.b)
	mark := o.b.Mark()
	p, err := scp.EnsurePolicy(o.ctx, api, scp.PolicySpec{Name: "new-guardrail", Document: mustDoc(t, seed000)}, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.IsPredicted(p.ID) {
		t.Fatalf("policy ID %q is not predicted", p.ID)
	}
	newOU := plan.Predict("ou", "Workloads/New")
	spec := scp.AttachmentSpec{TargetID: newOU, Policies: []string{p.ID, "deny-root"}}
	a, err := scp.EnsureAttachments(o.ctx, api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	o.b.RequireNoMutations(t, mark)
	requireChanges(t, a.Changes,
		"update organizations:policy-type "+o.rootID+"/SERVICE_CONTROL_POLICY",
		"create organizations:policy-attachment "+newOU+"/new-guardrail",
		"create organizations:policy-attachment "+newOU+"/deny-root")
	var got []string
	for _, ap := range a.Policies {
		got = append(got, ap.Name+"="+ap.ID)
	}
	want := "FullAWSAccess=" + scp.FullAWSAccessID + ",deny-root=" + a.Policies[1].ID + ",new-guardrail=" + p.ID
	if strings.Join(got, ",") != want || !strings.HasPrefix(a.Policies[1].ID, "p-") {
		t.Fatalf("policies: %v, want %s", got, want)
	}
	for _, c := range o.b.Calls(mark) {
		if c.Operation == "ListPoliciesForTarget" {
			t.Fatal("the target that would be created was read")
		}
	}

	// A real run: the same spec is invalid, field by field, and no call
	// is made.
	mark = o.b.Mark()
	_, err = scp.EnsureAttachments(o.ctx, api, spec, awstest.Fast()...)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v", err)
	}
	for _, field := range []string{"spec.TargetID", "spec.Policies[0]"} {
		if !strings.Contains(err.Error(), field+": ") {
			t.Errorf("the error does not name %s: %v", field, err)
		}
	}
	if strings.Contains(err.Error(), "spec.Policies[1]") {
		t.Errorf("a real name was refused: %v", err)
	}
	o.b.RequireNoCalls(t, mark)
	if err := spec.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("Validate checks as a real run: %v", err)
	}
}

// Identifiers predicted for something else are refused even in a dry run.
func TestEnsureAttachmentsRefusesMisplacedPredictions(t *testing.T) {
	b := awstest.New(t)
	mark := b.Mark()
	_, err := scp.EnsureAttachments(context.Background(), b.Organizations(), scp.AttachmentSpec{
		TargetID: plan.Predict("scp", "x"),
		Policies: []string{plan.Predict("account", "a@example.com"), plan.Predict("scp", "dup"), "dup"},
	}, foundation.WithDryRun(true))
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"spec.TargetID: ", "spec.Policies[0]: ", "spec.Policies[2]: " + `"dup": duplicates spec.Policies[1]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	b.RequireNoCalls(t, mark)
}

// A dry run before the organization exists plans a landing zone's SCPs:
// the policy's creation, SCPs enabled on the root that would be created,
// and the attachment to it, with no call carrying a placeholder.
func TestDryRunBeforeOrganizationPlansAttachments(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // no organization yet
	b.Need(t, awstest.OrgNotInUse)
	ctx := awstest.Context(t, 30*time.Second)
	api := refusePlaceholders(t, b)
	mark := b.Mark()
	dry := awstest.Fast(foundation.WithDryRun(true))
	p, err := scp.EnsurePolicy(ctx, api, scp.PolicySpec{Name: "deny-leave",
		Document: scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}))}, dry...)
	if err != nil {
		t.Fatal(err)
	}
	root := plan.Predict("root", "")
	a, err := scp.EnsureAttachments(ctx, api, scp.AttachmentSpec{TargetID: root, Policies: []string{p.ID}}, dry...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	requireChanges(t, a.Changes,
		"update organizations:policy-type "+root+"/SERVICE_CONTROL_POLICY",
		"create organizations:policy-attachment "+root+"/deny-leave")
}

// A dry run before the organization exists takes FullAWSAccess listed by
// name for the AWS managed policy the new root starts with: kept, not
// planned as a policy to attach (which the real run would not attach, as
// it is attached already), and listed once.
func TestDryRunBeforeOrganizationKeepsFullAWSAccessByName(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // no organization yet
	b.Need(t, awstest.OrgNotInUse)
	ctx := awstest.Context(t, 30*time.Second)
	api := refusePlaceholders(t, b)
	mark := b.Mark()
	dry := awstest.Fast(foundation.WithDryRun(true))
	root := plan.Predict("root", "")
	a, err := scp.EnsureAttachments(ctx, api, scp.AttachmentSpec{TargetID: root, Policies: []string{scp.FullAWSAccessName, "deny-leave"}}, dry...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	requireChanges(t, a.Changes,
		"update organizations:policy-type "+root+"/SERVICE_CONTROL_POLICY",
		"create organizations:policy-attachment "+root+"/deny-leave")
	want := []scp.AttachedPolicy{ // sorted by name
		{ID: scp.FullAWSAccessID, Name: scp.FullAWSAccessName, AWSManaged: true},
		{ID: plan.Predict("scp", "deny-leave"), Name: "deny-leave", Managed: true},
	}
	if fmt.Sprint(a.Policies) != fmt.Sprint(want) {
		t.Fatalf("policies %+v, want %+v", a.Policies, want)
	}
}

// A failure after some writes returns the changes made so far with the
// error (a *foundation.IncompleteError), and the error still matches the
// AWS error.
func TestPartialResults(t *testing.T) {
	denied := emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"}
	requireIncomplete := func(t *testing.T, err error, want ...string) {
		t.Helper()
		var inc *foundation.IncompleteError
		var ae smithy.APIError
		if !errors.As(err, &inc) || !errors.As(err, &ae) || ae.ErrorCode() != denied.Code {
			t.Fatalf("err = %v", err)
		}
		requireChanges(t, inc.Changes, want...)
	}

	var sub awstest.Subtests
	defer sub.Done(t)
	sub.Run(t, "attachments", func(t *testing.T) {
		o := newOrg(t)
		e := o.b.RequireEmulator(t, awstest.CapFaults)
		o.ensurePolicies(t, "deny-root", "deny-leave")
		e.FailNth(emulator.Match{Service: "organizations", Operation: "AttachPolicy"}, 2, denied)
		a, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{"deny-root", "deny-leave"}}, awstest.Fast()...)
		if a != nil {
			t.Fatalf("result on error: %+v", a)
		}
		requireIncomplete(t, err,
			"update organizations:policy-type "+o.rootID+"/SERVICE_CONTROL_POLICY",
			"create organizations:policy-attachment "+o.prodOU+"/deny-root")
		if !strings.HasPrefix(err.Error(), fmt.Sprintf("scp: target %q: attach %q: ", o.prodOU, "deny-leave")) {
			t.Fatalf("err = %v", err)
		}
	})
	sub.Run(t, "policy", func(t *testing.T) {
		o := newOrg(t)
		e := o.b.RequireEmulator(t, awstest.CapFaults)
		spec := scp.PolicySpec{Name: "p", Document: mustDoc(t, seed000)}
		if _, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
		spec.Description, spec.Tags = "changed", map[string]string{"env": "prod"}
		e.FailNth(emulator.Match{Service: "organizations", Operation: "TagResource"}, 1, denied)
		_, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		requireIncomplete(t, err, "update organizations:policy p")
	})
}

// A guardrail may name an account the organizations package's dry run
// predicted: EnsurePolicy plans with it in a dry run and refuses it in a
// real run, naming the field, before any call.
func TestEnsurePolicyPlansWithPredictedAccounts(t *testing.T) {
	o := newOrg(t)
	network := plan.Predict("account", "network@example.com")
	doc, err := scp.Build(scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{network}}))
	if err != nil {
		t.Fatal(err)
	}
	spec := scp.PolicySpec{Name: "no-igw", Document: doc}
	api := refusePlaceholders(t, o.b)
	mark := o.b.Mark()
	p, err := scp.EnsurePolicy(o.ctx, api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	requireChanges(t, p.Changes, "create organizations:policy no-igw")
	o.b.RequireNoMutations(t, mark)

	mark = o.b.Mark()
	for _, s := range []scp.PolicySpec{spec, {Name: "no-igw", Content: doc.MustJSON()}} {
		_, err = scp.EnsurePolicy(o.ctx, api, s, awstest.Fast()...)
		field := "spec.Document: "
		if s.Content != "" {
			field = "spec.Content: "
		}
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), field) || !strings.Contains(err.Error(), "predicted by a dry run") {
			t.Fatalf("err = %v", err)
		}
		if err := s.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) {
			t.Fatalf("Validate checks as a real run: %v", err)
		}
	}
	o.b.RequireNoCalls(t, mark)
}
