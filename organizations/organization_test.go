package organizations_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

func TestEnsureOrganization(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 20*time.Second)
	api := client(t, b)
	spec := organizations.OrganizationSpec{PolicyTypes: []types.PolicyType{types.PolicyTypeTagPolicy, types.PolicyTypeServiceControlPolicy}}
	org, err := organizations.EnsureOrganization(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`create organizations:organization "": FeatureSet: ALL`,
		`update organizations:policy-type "TAG_POLICY": Status: ENABLED`,
		`update organizations:policy-type "SERVICE_CONTROL_POLICY": Status: ENABLED`,
	}
	if got := keys(org.Changes); !slices.Equal(got, want) || org.Changes[0].ID != org.ID {
		t.Errorf("changes: %q", org.Changes)
	}
	desc, err := api.DescribeOrganization(ctx, &sdk.DescribeOrganizationInput{})
	if err != nil || *desc.Organization.Id != org.ID || desc.Organization.FeatureSet != types.OrganizationFeatureSetAll ||
		*desc.Organization.Arn != org.ARN || org.ManagementAccountEmail == "" {
		t.Errorf("organization: %+v / %+v %v", org, desc, err)
	}
	if !slices.Equal(org.PolicyTypes, []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeTagPolicy}) {
		t.Errorf("policy types: %v", org.PolicyTypes)
	}
	// Fewer types asked: nothing is disabled.
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := organizations.EnsureOrganization(ctx, api, scp, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		if again.ID != org.ID || again.RootID != org.RootID || len(again.PolicyTypes) != 2 {
			t.Errorf("second run: %+v", again)
		}
		return again.Changes, nil
	})
}

// TestOrganizationThatCannotBeConverged: consolidated billing only, or a
// member account calling.
func TestOrganizationThatCannotBeConverged(t *testing.T) {
	var s awstest.Subtests
	s.Run(t, "consolidated billing", func(t *testing.T) {
		b := awstest.New(t)
		b.Require(t, awstest.CapFreshState)
		ctx := awstest.Context(t, 20*time.Second)
		api := client(t, b)
		if _, err := api.CreateOrganization(ctx, &sdk.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling}); err != nil {
			t.Fatal(err)
		}
		mark := b.Mark()
		_, err := organizations.EnsureOrganization(ctx, api, scp, awstest.Fast()...)
		var oe *organizations.OrganizationError
		if !errors.As(err, &oe) || oe.Reason != organizations.ConsolidatedBillingOnly || oe.OrganizationID == "" {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
		b.RequireNoMutations(t, mark)
	})
	s.Run(t, "member account", func(t *testing.T) {
		b, api, ctx := withOrg(t)
		b.Require(t, awstest.CapMemberAccounts)
		b.Need(t, awstest.OrgMemberRefused)
		member, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: "member", Email: "member@example.com"}, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		memberAPI := client(t, b, b.ConfigFor(member.ID))
		mark := b.Mark()
		_, err = organizations.EnsureOrganization(ctx, memberAPI, scp, awstest.Fast()...)
		var oe *organizations.OrganizationError
		if !errors.As(err, &oe) || oe.Reason != organizations.NotManagementAccount || oe.ManagementAccountID != b.AccountID(t) {
			t.Fatalf("err = %v", err)
		}
		var ad *types.AccessDeniedException
		if !errors.As(err, &ad) {
			t.Errorf("does not wrap the AWS error: %v", err)
		}
		t.Log(err)
		b.RequireNoMutations(t, mark)
	})
	s.Done(t)
}
