package adopt_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/awstest"
)

// handBuilt is an organization made the way people make one by hand: SDK
// calls one by one, no library code, nothing tagged managed-by=foundation.
type handBuilt struct {
	prefix                      string
	devEmail, prodEmail         string
	devID, prodID, managementID string
	policyName, roleName, group string
	permissionSet, user         string
	repo, deployPolicy          string
}

// bareOrg makes an organization with SCPs enabled and nothing in it.
func bareOrg(t *testing.T, ctx context.Context, b *awstest.Backend) {
	t.Helper()
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts)
	org := orgsdk.NewFromConfig(b.Config())
	_, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	_, err = org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: roots.Roots[0].Id, PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
}

func buildByHand(t *testing.T, ctx context.Context, b *awstest.Backend, prefix string) handBuilt {
	t.Helper()
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts, awstest.CapIdentityCenter)
	// Read reads every permission set's tags.
	b.Need(t, awstest.SSOListTagsForResource)
	cfg := b.Config()
	h := handBuilt{prefix: prefix, devEmail: prefix + "-dev@example.com", prodEmail: prefix + "-prod@example.com",
		policyName: prefix + "-deny-leave", roleName: prefix + "-github-ci", group: prefix + "-admins",
		permissionSet: prefix + "Admin", user: prefix + "-jane", repo: "acme/" + prefix}
	org := orgsdk.NewFromConfig(cfg)
	_, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)
	d, err := org.DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{})
	require.NoError(t, err)
	h.managementID = aws.ToString(d.Organization.MasterAccountId)
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	root := roots.Roots[0]
	_, err = org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: root.Id, PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	workloads, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: root.Id, Name: aws.String("Workloads"),
		Tags: []orgtypes.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}}})
	require.NoError(t, err)
	prod, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: workloads.OrganizationalUnit.Id, Name: aws.String("Production")})
	require.NoError(t, err)
	create := func(name, email string, parent *string) string {
		out, err := org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email),
			Tags: []orgtypes.Tag{{Key: aws.String("env"), Value: aws.String(name)}}})
		require.NoError(t, err)
		for {
			st, err := org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
			require.NoError(t, err)
			if st.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
				id := aws.ToString(st.CreateAccountStatus.AccountId)
				_, err = org.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: aws.String(id), SourceParentId: root.Id, DestinationParentId: parent})
				require.NoError(t, err)
				return id
			}
			require.NotEqual(t, orgtypes.CreateAccountStateFailed, st.CreateAccountStatus.State)
			time.Sleep(20 * time.Millisecond)
		}
	}
	h.devID = create(prefix+"-dev", h.devEmail, workloads.OrganizationalUnit.Id)
	h.prodID = create(prefix+"-prod", h.prodEmail, prod.OrganizationalUnit.Id)
	pol, err := org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String(h.policyName), Description: aws.String("no leaving"),
		Type:    orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})
	require.NoError(t, err)
	_, err = org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: prod.OrganizationalUnit.Id})
	require.NoError(t, err)
	// A tag policy on Workloads (management policies are adopted too).
	_, err = org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: root.Id, PolicyType: orgtypes.PolicyTypeTagPolicy})
	require.NoError(t, err)
	tagPol, err := org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String(h.policyName + "-tags"), Description: aws.String("cost centers"),
		Type:    orgtypes.PolicyTypeTagPolicy,
		Content: aws.String(`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`)})
	require.NoError(t, err)
	_, err = org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: tagPol.Policy.PolicySummary.Id, TargetId: workloads.OrganizationalUnit.Id})
	require.NoError(t, err)

	// Identity Center: a user in a group, a permission set, an assignment.
	// On the emulator the test enables it first (the console step, which
	// has no API); moto has one from the start.
	if e := b.EmulatorFor(awstest.CapEmulatorState); e != nil {
		_, _, err := e.EnableIdentityCenter()
		require.NoError(t, err)
	}
	sso := ssoadmin.NewFromConfig(cfg)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.NotEmpty(t, inst.Instances, "Identity Center instance")
	instARN, storeID := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	ids := identitystore.NewFromConfig(cfg)
	u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: storeID, UserName: aws.String(h.user), DisplayName: aws.String("Jane Doe"),
		Name:   &istypes.Name{GivenName: aws.String("Jane"), FamilyName: aws.String("Doe")},
		Emails: []istypes.Email{{Value: aws.String(h.user + "@example.com"), Type: aws.String("work"), Primary: true}}})
	require.NoError(t, err)
	g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: storeID, DisplayName: aws.String(h.group), Description: aws.String("administrators")})
	require.NoError(t, err)
	_, err = ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: storeID, GroupId: g.GroupId, MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}})
	require.NoError(t, err)
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: instARN, Name: aws.String(h.permissionSet), SessionDuration: aws.String("PT8H")})
	require.NoError(t, err)
	psARN := ps.PermissionSet.PermissionSetArn
	_, err = sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: instARN, PermissionSetArn: psARN, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	require.NoError(t, err)
	for _, acct := range []string{h.devID, h.prodID} {
		a, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: instARN, PermissionSetArn: psARN,
			PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: g.GroupId, TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(acct)})
		require.NoError(t, err)
		for a.AccountAssignmentCreationStatus.Status == ssotypes.StatusValuesInProgress {
			time.Sleep(20 * time.Millisecond)
			st, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: instARN, AccountAssignmentCreationRequestId: a.AccountAssignmentCreationStatus.RequestId})
			require.NoError(t, err)
			a.AccountAssignmentCreationStatus = st.AccountAssignmentCreationStatus
		}
		require.Equal(t, ssotypes.StatusValuesSucceeded, a.AccountAssignmentCreationStatus.Status, aws.ToString(a.AccountAssignmentCreationStatus.FailureReason))
	}

	// CI federation: GitHub's provider and a role a repository assumes.
	iamc := iam.NewFromConfig(cfg)
	prov, err := iamc.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}})
	require.NoError(t, err)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:` + h.repo + `:ref:refs/heads/main"}}}]}`
	_, err = iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(h.roleName), AssumeRolePolicyDocument: aws.String(trust),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	require.NoError(t, err)
	deploy, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(prefix + "-deploy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:DescribeCluster","Resource":"*"}]}`)})
	require.NoError(t, err)
	h.deployPolicy = aws.ToString(deploy.Policy.Arn)
	_, err = iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(h.roleName), PolicyArn: deploy.Policy.Arn})
	require.NoError(t, err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(h.roleName), PolicyName: aws.String("push"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}]}`)})
	require.NoError(t, err)
	// A role pinned to a reusable workflow and to the repository's ID (the
	// provider claims STS checks since 2026-01): adopted as it is.
	pinned := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",` +
		`"token.actions.githubusercontent.com:sub":"repo:` + h.repo + `:ref:refs/heads/main",` +
		`"token.actions.githubusercontent.com:job_workflow_ref":"acme/workflows/.github/workflows/deploy.yml@refs/heads/main",` +
		`"token.actions.githubusercontent.com:repository_id":"123456"}}}]}`
	_, err = iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(h.roleName + "-pinned"), AssumeRolePolicyDocument: aws.String(pinned)})
	require.NoError(t, err)
	// A role whose trust the library does not build: reported, not adopted.
	odd := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:` + h.repo + `:*"}}}]}`
	_, err = iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(h.roleName + "-loose"), AssumeRolePolicyDocument: aws.String(odd)})
	require.NoError(t, err)
	return h
}
