package orgpolicy_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/scp"
)

// RCP guardrails are packed like SCPs (shared ones hoisted, the rest into
// the fewest policies, RCPFullAWSAccess and others' RCPs counted), then
// converged: created, attached, read back, and a rerun makes no mutating
// call.
func TestPackRCPConverges(t *testing.T) {
	ctx := awstest.Context(t, 60*time.Second)
	b := awstest.New(t)
	root := b.Organization(ctx, t)
	api := b.Organizations()
	ou := func(parent, name string) string {
		out, err := api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	workloads := ou(root, "Workloads")
	ids := map[string]string{"": root, "Workloads": workloads, "Workloads/Prod": ou(workloads, "Prod"), "Workloads/Dev": ou(workloads, "Dev")}

	// Another tool's RCP on Prod takes a slot.
	foreign := "vendor-" + b.Unique("rcp")
	if _, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(foreign), Description: aws.String(""), Type: orgpolicy.RCP,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:DeleteQueue","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.RCP, TargetID: ids["Workloads/Prod"], Policies: []string{foreign}}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	occupied, err := orgpolicy.ReadOccupied(ctx, api, orgpolicy.RCP, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(occupied, map[string][]string{"Workloads/Prod": {foreign}}) {
		t.Fatalf("occupied: %v", occupied)
	}

	shared := func() []scp.Guardrail {
		return []scp.Guardrail{
			orgpolicy.DenyExternalAccess(orgpolicy.OrgIdentitiesOptions{OrganizationID: testOrgID}),
			orgpolicy.EnforceSecureTransport(orgpolicy.SecureTransportOptions{}),
		}
	}
	spec := scp.PackSpec{Occupied: occupied, Guardrails: map[string][]scp.Guardrail{
		"Workloads/Prod": append(shared(), orgpolicy.ConfusedDeputyProtection(orgpolicy.ConfusedDeputyOptions{OrganizationID: testOrgID})),
		"Workloads/Dev":  shared(),
	}}
	packed, err := orgpolicy.PackRCP(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(packed.Unfit) > 0 || len(packed.Hoisted) != 2 || packed.Free["Workloads/Prod"] != 3 {
		t.Fatalf("packing: %+v", packed)
	}
	if want := map[string][]string{"Workloads": {"rcp-guardrails-Workloads-1"}, "Workloads/Prod": {"rcp-guardrails-Workloads-Prod-1"}}; !reflect.DeepEqual(packed.Attachments, want) {
		t.Fatalf("attachments %v, want %v", packed.Attachments, want)
	}
	converge := func() ([]foundation.Change, error) {
		p, err := orgpolicy.PackRCP(spec)
		if err != nil {
			return nil, err
		}
		var changes []foundation.Change
		for _, ps := range orgpolicy.PackedPolicySpecs(orgpolicy.RCP, p, nil) {
			r, err := orgpolicy.EnsurePolicy(ctx, api, ps, awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			changes = append(changes, r.Changes...)
		}
		as, err := orgpolicy.PackedAttachmentSpecs(orgpolicy.RCP, p, ids)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			r, err := orgpolicy.EnsureAttachments(ctx, api, a, awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			changes = append(changes, r.Changes...)
		}
		return changes, nil
	}
	if _, err := converge(); err != nil {
		t.Fatal(err)
	}
	got := attachedNames(ctx, t, api, ids["Workloads/Prod"], orgpolicy.RCP)
	if !sameSet(got, []string{"RCPFullAWSAccess", foreign, "rcp-guardrails-Workloads-Prod-1"}) {
		t.Fatalf("Prod: %v", got)
	}
	if got := attachedNames(ctx, t, api, ids["Workloads"], orgpolicy.RCP); !sameSet(got, []string{"RCPFullAWSAccess", "rcp-guardrails-Workloads-1"}) {
		t.Fatalf("Workloads: %v", got)
	}
	b.RequireIdempotent(t, converge)

	// At 2 per target, Prod (RCPFullAWSAccess and the vendor's RCP) has no
	// slot left for its own guardrail.
	spec.Limits = scp.Limits{MaxPoliciesPerTarget: 2}
	tight, err := orgpolicy.PackRCP(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(tight.Unfit) != 1 || !strings.Contains(tight.Unfit[0].Reason, "Workloads/Prod has 0 free slots (limit 2, RCPFullAWSAccess, 1 held by others") {
		t.Fatalf("unfit: %+v", tight.Unfit)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}
