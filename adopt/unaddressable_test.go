package adopt_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// An OU whose name has a "/" (AWS allows it) cannot be named by a spec's
// path: Read lists it, the OUs under it and their accounts under skipped
// instead of writing a path that Converge would create as two new OUs
// (moving the accounts out of the real one); the rest is read, and the
// file converges with no change.
func TestOUWithSlashInItsNameIsSkipped(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts)
	ctx := awstest.Context(t, 30*time.Second)
	api := b.Organizations()
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	roots, err := api.ListRoots(ctx, &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	mk := func(parent, name string) string {
		out, err := api.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		require.NoError(t, err)
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	root := aws.ToString(roots.Roots[0].Id)
	slashed := mk(root, "Dev/Test")
	mk(slashed, "Inner")
	mk(root, "Plain")
	tree, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{Accounts: []organizations.AccountSpec{{Name: "slashed", Email: "slashed@example.com"}}}, awstest.Fast()...)
	require.NoError(t, err)
	_, err = api.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: aws.String(tree.Account("slashed@example.com").ID), SourceParentId: aws.String(root), DestinationParentId: aws.String(slashed)})
	require.NoError(t, err)

	f, err := adopt.Read(ctx, adopt.ReadAPI{Organizations: api}, adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, []adopt.OU{{Path: "Plain", Adopt: true}}, f.OUs)
	for _, a := range f.Accounts {
		require.NotEqual(t, "slashed@example.com", a.Email, "an account in the OU a path cannot name")
	}
	skipped := map[string]bool{}
	for _, s := range f.Skipped {
		skipped[s.Resource+" "+s.ID] = true
	}
	for _, want := range []string{"organizations:ou Dev/Test", "organizations:ou Dev/Test/Inner", "organizations:account slashed@example.com"} {
		require.True(t, skipped[want], "%s not skipped: %v", want, f.Skipped)
	}

	mark := b.Mark()
	res, err := adopt.Converge(ctx, adopt.ConvergeAPI{Organizations: api}, f, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, res.Changes)
	b.RequireNoMutations(t, mark)
}
