package kittest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"
)

// Instance returns the ARN and identity store ID of the organization's
// one Identity Center instance.
func Instance(t testing.TB, sso *ssoadmin.Client) (instanceARN, storeID *string) {
	t.Helper()
	inst, err := sso.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, inst.Instances, 1)
	return inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
}

// PermissionSets returns every permission set of the instance, described,
// by name.
func PermissionSets(t testing.TB, sso *ssoadmin.Client, instanceARN *string) map[string]ssotypes.PermissionSet {
	t.Helper()
	out := map[string]ssotypes.PermissionSet{}
	p := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: instanceARN})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, arn := range page.PermissionSets {
			d, err := sso.DescribePermissionSet(context.Background(), &ssoadmin.DescribePermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
			require.NoError(t, err)
			out[aws.ToString(d.PermissionSet.Name)] = *d.PermissionSet
		}
	}
	return out
}

// PermissionSetARN returns the ARN of the permission set called name,
// failing the test if there is none.
func PermissionSetARN(t testing.TB, sso *ssoadmin.Client, instanceARN *string, name string) string {
	t.Helper()
	ps, ok := PermissionSets(t, sso, instanceARN)[name]
	if !ok {
		t.Fatalf("permission set %s not found", name)
	}
	return aws.ToString(ps.PermissionSetArn)
}

// ManagedPolicies returns the ARNs of the AWS managed policies attached
// to a permission set.
func ManagedPolicies(t testing.TB, sso *ssoadmin.Client, instanceARN *string, psARN string) []string {
	t.Helper()
	var arns []string
	p := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(sso, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(psARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, m := range page.AttachedManagedPolicies {
			arns = append(arns, aws.ToString(m.Arn))
		}
	}
	return arns
}

// Assignments returns the assignments of a permission set in an account.
func Assignments(t testing.TB, sso *ssoadmin.Client, instanceARN *string, psARN, accountID string) []ssotypes.AccountAssignment {
	t.Helper()
	var out []ssotypes.AccountAssignment
	p := ssoadmin.NewListAccountAssignmentsPaginator(sso, &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: instanceARN, PermissionSetArn: aws.String(psARN), AccountId: aws.String(accountID)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		out = append(out, page.AccountAssignments...)
	}
	return out
}

// UserID returns the ID of the identity store's user called userName.
func UserID(t testing.TB, ids *identitystore.Client, storeID *string, userName string) string {
	t.Helper()
	out, err := ids.GetUserId(context.Background(), &identitystore.GetUserIdInput{IdentityStoreId: storeID, AlternateIdentifier: uniqueAttribute("userName", userName)})
	require.NoError(t, err, userName)
	return aws.ToString(out.UserId)
}

// GroupID returns the ID of the identity store's group called displayName.
func GroupID(t testing.TB, ids *identitystore.Client, storeID *string, displayName string) string {
	t.Helper()
	out, err := ids.GetGroupId(context.Background(), &identitystore.GetGroupIdInput{IdentityStoreId: storeID, AlternateIdentifier: uniqueAttribute("displayName", displayName)})
	require.NoError(t, err, displayName)
	return aws.ToString(out.GroupId)
}

func uniqueAttribute(path, value string) *istypes.AlternateIdentifierMemberUniqueAttribute {
	return &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
		AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(value)}}
}
