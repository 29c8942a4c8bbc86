package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// orgFake has only the four calls of EnsureOrganization: a fake for one
// function needs only that function's calls.
type orgFake struct{}

var _ organizations.EnsureOrganizationAPI = orgFake{}

func (orgFake) DescribeOrganization(context.Context, *sdk.DescribeOrganizationInput, ...func(*sdk.Options)) (*sdk.DescribeOrganizationOutput, error) {
	return &sdk.DescribeOrganizationOutput{Organization: &types.Organization{
		Id: aws.String("o-abcdefghij"), Arn: aws.String("arn:aws:organizations::111111111111:organization/o-abcdefghij"),
		FeatureSet: types.OrganizationFeatureSetAll, MasterAccountId: aws.String("111111111111"),
		MasterAccountEmail: aws.String("root@example.com"),
	}}, nil
}

func (orgFake) CreateOrganization(context.Context, *sdk.CreateOrganizationInput, ...func(*sdk.Options)) (*sdk.CreateOrganizationOutput, error) {
	panic("CreateOrganization: the organization exists")
}

func (orgFake) ListRoots(context.Context, *sdk.ListRootsInput, ...func(*sdk.Options)) (*sdk.ListRootsOutput, error) {
	return &sdk.ListRootsOutput{Roots: []types.Root{{
		Id: aws.String("r-abcd"), Arn: aws.String("arn:aws:organizations::111111111111:root/o-abcdefghij/r-abcd"),
		PolicyTypes: []types.PolicyTypeSummary{{Type: types.PolicyTypeServiceControlPolicy, Status: types.PolicyTypeStatusEnabled}},
	}}}, nil
}

func (orgFake) EnablePolicyType(context.Context, *sdk.EnablePolicyTypeInput, ...func(*sdk.Options)) (*sdk.EnablePolicyTypeOutput, error) {
	panic("EnablePolicyType: SCPs are enabled")
}

// TestEnsureOrganizationFake passes EnsureOrganization a fake of its four
// calls only: a converged organization, no change.
func TestEnsureOrganizationFake(t *testing.T) {
	org, err := organizations.EnsureOrganization(context.Background(), orgFake{}, scp, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if org.ID != "o-abcdefghij" || org.RootID != "r-abcd" || len(org.Changes) != 0 {
		t.Errorf("organization: %+v", org)
	}
}

// TestPerFunctionInterfaces runs every function with a client narrowed to
// its own interface (a struct embedding only it has only its methods), in a
// dry run, a run and a rerun: each interface holds every call its function
// makes.
func TestPerFunctionInterfaces(t *testing.T) {
	_, api, ctx := withOrg(t)
	twice := func(name string, fn func(dry bool) error) {
		t.Helper()
		for _, dryRun := range []bool{true, false, false} {
			if err := fn(dryRun); err != nil {
				t.Fatalf("%s (dry run %v): %v", name, dryRun, err)
			}
		}
	}
	opts := func(dryRun bool) []foundation.Option {
		if dryRun {
			return dry()
		}
		return awstest.Fast()
	}
	twice("EnsureOrganization", func(d bool) error {
		_, err := organizations.EnsureOrganization(ctx, struct {
			organizations.EnsureOrganizationAPI
		}{api}, scp, opts(d)...)
		return err
	})
	twice("EnsureOU", func(d bool) error {
		_, err := organizations.EnsureOU(ctx, struct{ organizations.EnsureOUAPI }{api},
			organizations.OUSpec{Path: "Narrow/OU", Tags: map[string]string{"team": "platform"}}, opts(d)...)
		return err
	})
	twice("EnsureTree", func(d bool) error {
		_, err := organizations.EnsureTree(ctx, struct{ organizations.EnsureTreeAPI }{api}, seed001(), opts(d)...)
		return err
	})
	twice("EnsureAccount", func(d bool) error {
		_, err := organizations.EnsureAccount(ctx, struct{ organizations.EnsureAccountAPI }{api},
			organizations.AccountSpec{Name: "narrow", Email: "narrow@example.com", OU: "Narrow/OU", Tags: map[string]string{"team": "platform"}}, opts(d)...)
		return err
	})
	twice("EnsureAccounts", func(d bool) error {
		_, err := organizations.EnsureAccounts(ctx, struct {
			organizations.EnsureAccountsAPI
		}{api}, organizations.AccountsSpec{Accounts: []organizations.AccountSpec{
			{Name: "narrow2", Email: "narrow2@example.com", OU: "Narrow"},
		}}, opts(d)...)
		return err
	})
	twice("ReadTree", func(bool) error {
		_, err := organizations.ReadTree(ctx, struct{ organizations.ReadTreeAPI }{api}, awstest.Fast()...)
		return err
	})
	twice("CloseAccount", func(d bool) error {
		_, err := organizations.CloseAccount(ctx, struct{ organizations.CloseAccountAPI }{api},
			organizations.CloseAccountSpec{Email: "narrow@example.com", Tags: map[string]string{"closed-by": "platform"}}, opts(d)...)
		return err
	})
}
