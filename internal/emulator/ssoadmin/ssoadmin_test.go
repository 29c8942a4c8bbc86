package ssoadmin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

var (
	ssoInstanceRe = regexp.MustCompile(`^arn:aws:sso:::instance/ssoins-[0-9a-f]{16}$`)
	ssoPSRe       = regexp.MustCompile(`^arn:aws:sso:::permissionSet/ssoins-[0-9a-f]{16}/ps-[0-9a-f]{16}$`)
	ssoRoleRe     = regexp.MustCompile(`^AWSReservedSSO_([\w+=,.@-]+)_[0-9a-f]{16}$`)
)

func ssoClient(srv *emulator.Server, ak string) *ssoadmin.Client {
	return ssoadmin.NewFromConfig(emutest.Config(srv, ak))
}

func ssoCreatePS(t *testing.T, client *ssoadmin.Client, inst, name string) string {
	t.Helper()
	out, err := client.CreatePermissionSet(context.Background(), &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(inst), Name: aws.String(name)})
	require.NoError(t, err)
	return aws.ToString(out.PermissionSet.PermissionSetArn)
}

// ssoWaitAssignment describes an assignment request until it settles.
func ssoWaitAssignment(t *testing.T, client *ssoadmin.Client, inst, id string, deletion bool) *types.AccountAssignmentOperationStatus {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		var st *types.AccountAssignmentOperationStatus
		if deletion {
			out, err := client.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
				InstanceArn: aws.String(inst), AccountAssignmentDeletionRequestId: aws.String(id)})
			require.NoError(t, err)
			st = out.AccountAssignmentDeletionStatus
		} else {
			out, err := client.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
				InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: aws.String(id)})
			require.NoError(t, err)
			st = out.AccountAssignmentCreationStatus
		}
		if st.Status != types.StatusValuesInProgress {
			return st
		}
	}
	t.Fatalf("assignment request %s never settled", id)
	return nil
}

func ssoWaitProvisioning(t *testing.T, client *ssoadmin.Client, inst, id string) *types.PermissionSetProvisioningStatus {
	t.Helper()
	for i := 0; i < 10; i++ {
		out, err := client.DescribePermissionSetProvisioningStatus(context.Background(), &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: aws.String(inst), ProvisionPermissionSetRequestId: aws.String(id)})
		require.NoError(t, err)
		if out.PermissionSetProvisioningStatus.Status != types.StatusValuesInProgress {
			return out.PermissionSetProvisioningStatus
		}
	}
	t.Fatalf("provisioning request %s never settled", id)
	return nil
}

// ssoSnapshotMap decodes the emulator's snapshot.
func ssoSnapshotMap(t *testing.T, srv *emulator.Server) map[string]any {
	t.Helper()
	b, err := srv.Snapshot()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// ssoReservedRoles returns the AWSReservedSSO_ roles of an account in the snapshot, by name.
func ssoReservedRoles(t *testing.T, srv *emulator.Server, account string) map[string]any {
	t.Helper()
	roles, _ := emutest.Dig(ssoSnapshotMap(t, srv), "accounts", account, "iam", "roles").(map[string]any)
	out := map[string]any{}
	for name, r := range roles {
		if strings.HasPrefix(name, "AWSReservedSSO_") {
			out[name] = r
		}
	}
	return out
}

func TestSSOInstance(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	_, _, err := srv.EnableIdentityCenter()
	require.Error(t, err, "no organization yet")
	out, err := ssoClient(srv, "AKIDEXAMPLE").ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Empty(t, out.Instances)

	inst, store, accounts := emutest.SSOSetup(t, srv, "workload")
	require.Regexp(t, ssoInstanceRe, inst)
	again, store2, err := srv.EnableIdentityCenter()
	require.NoError(t, err)
	require.Equal(t, inst, again)
	require.Equal(t, store, store2)

	client := ssoClient(srv, "AKIDEXAMPLE")
	out, err = client.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, out.Instances, 1)
	require.Equal(t, inst, aws.ToString(out.Instances[0].InstanceArn))
	require.Equal(t, store, aws.ToString(out.Instances[0].IdentityStoreId))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(out.Instances[0].OwnerAccountId))
	require.Equal(t, types.InstanceStatusActive, out.Instances[0].Status)
	desc, err := client.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(inst)})
	require.NoError(t, err)
	require.Equal(t, types.InstanceStatusActive, desc.Status)
	require.Equal(t, store, aws.ToString(desc.IdentityStoreId))

	// A member account sees no instance and is denied the organization's.
	member := ssoClient(srv, accounts[0])
	out, err = member.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Empty(t, out.Instances)
	_, err = member.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(inst)})
	var ad *types.AccessDeniedException
	require.True(t, errors.As(err, &ad), "%v", err)
	_, err = member.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(inst)})
	emutest.RequireCode(t, err, "AccessDeniedException")
	_, err = client.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String("arn:aws:sso:::instance/nope")})
	emutest.RequireCode(t, err, "ValidationException")
}

func TestSSOPermissionSetCRUD(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	inst, _, _ := emutest.SSOSetup(t, srv)
	client := ssoClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()

	created, err := client.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst),
		Name: aws.String("Admin"), Description: aws.String("Full access"), SessionDuration: aws.String("PT8H"),
		RelayState: aws.String("https://console.aws.amazon.com/"),
		Tags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	require.NoError(t, err)
	admin := aws.ToString(created.PermissionSet.PermissionSetArn)
	require.Regexp(t, ssoPSRe, admin)
	require.True(t, strings.HasPrefix(admin, "arn:aws:sso:::permissionSet/"+strings.TrimPrefix(inst, "arn:aws:sso:::instance/")+"/"))
	require.Equal(t, "PT8H", aws.ToString(created.PermissionSet.SessionDuration))
	require.NotNil(t, created.PermissionSet.CreatedDate)

	// Defaults: one hour sessions.
	readOnly := ssoCreatePS(t, client, inst, "ReadOnly")
	desc, err := client.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(readOnly)})
	require.NoError(t, err)
	require.Equal(t, "ReadOnly", aws.ToString(desc.PermissionSet.Name))
	require.Equal(t, "PT1H", aws.ToString(desc.PermissionSet.SessionDuration))

	_, err = client.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Admin")})
	var conflict *types.ConflictException
	require.True(t, errors.As(err, &conflict), "%v", err)

	for name, in := range map[string]*ssoadmin.CreatePermissionSetInput{
		"empty name":       {Name: aws.String("")},
		"long name":        {Name: aws.String(strings.Repeat("a", 33))},
		"bad name":         {Name: aws.String("has space")},
		"short session":    {Name: aws.String("a1"), SessionDuration: aws.String("PT30M")},
		"long session":     {Name: aws.String("a2"), SessionDuration: aws.String("PT13H")},
		"bad session":      {Name: aws.String("a3"), SessionDuration: aws.String("8 hours")},
		"long description": {Name: aws.String("a4"), Description: aws.String(strings.Repeat("d", 701))},
		"long relay state": {Name: aws.String("a5"), RelayState: aws.String(strings.Repeat("r", 241))},
		"aws tag":          {Name: aws.String("a6"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}},
	} {
		in.InstanceArn = aws.String(inst)
		_, err := client.CreatePermissionSet(ctx, in)
		var ve *types.ValidationException
		require.Truef(t, errors.As(err, &ve), "%s: %v", name, err)
	}
	// 32 characters and PT12H are the limits, inclusive.
	_, err = client.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst),
		Name: aws.String(strings.Repeat("b", 32)), SessionDuration: aws.String("PT12H")})
	require.NoError(t, err)

	_, err = client.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(readOnly), SessionDuration: aws.String("PT4H"), Description: aws.String("Read only")})
	require.NoError(t, err)
	desc, err = client.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(readOnly)})
	require.NoError(t, err)
	require.Equal(t, "PT4H", aws.ToString(desc.PermissionSet.SessionDuration))
	require.Equal(t, "Read only", aws.ToString(desc.PermissionSet.Description))
	_, err = client.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(readOnly), SessionDuration: aws.String("PT0H")})
	emutest.RequireCode(t, err, "ValidationException")

	// ListPermissionSets pages through the paginator.
	var arns []string
	p := ssoadmin.NewListPermissionSetsPaginator(client, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(inst)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.PermissionSets), 2)
		arns = append(arns, page.PermissionSets...)
	}
	require.Len(t, arns, 3)
	require.Equal(t, []string{admin, readOnly}, arns[:2])

	// Tags.
	_, err = client.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(admin),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	require.NoError(t, err)
	var tags []string
	tp := ssoadmin.NewListTagsForResourcePaginator(client, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(admin)})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		require.NoError(t, err)
		for _, tag := range page.Tags {
			tags = append(tags, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
		}
	}
	require.Equal(t, []string{"env=prod", "team=platform"}, tags)
	_, err = client.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(admin), TagKeys: []string{"team"}})
	require.NoError(t, err)
	lt, err := client.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(admin)})
	require.NoError(t, err)
	require.Len(t, lt.Tags, 1)

	_, err = client.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(readOnly)})
	require.NoError(t, err)
	_, err = client.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(readOnly)})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	_, err = client.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/x")})
	emutest.RequireCode(t, err, "ValidationException")
}

func TestSSOPermissionSetPolicies(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	inst, _, _ := emutest.SSOSetup(t, srv)
	client := ssoClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	ps := ssoCreatePS(t, client, inst, "Ops")
	ids := func() (*string, *string) { return aws.String(inst), aws.String(ps) }
	i, p := ids()

	attach := func(arn string) error {
		_, err := client.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
			InstanceArn: i, PermissionSetArn: p, ManagedPolicyArn: aws.String(arn)})
		return err
	}
	require.NoError(t, attach("arn:aws:iam::aws:policy/ReadOnlyAccess"))
	require.NoError(t, attach("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"))
	require.NoError(t, attach("arn:aws:iam::aws:policy/AWSSupportAccess"))
	emutest.RequireCode(t, attach("arn:aws:iam::aws:policy/ReadOnlyAccess"), "ConflictException")
	emutest.RequireCode(t, attach("arn:aws:iam::123456789012:policy/Mine"), "ValidationException")
	emutest.RequireCode(t, attach("not-an-arn"), "ValidationException")

	var attached []string
	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(client, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		require.NoError(t, err)
		for _, m := range page.AttachedManagedPolicies {
			attached = append(attached, aws.ToString(m.Name))
		}
	}
	require.Equal(t, []string{"ReadOnlyAccess", "ViewOnlyAccess", "AWSSupportAccess"}, attached)

	_, err := client.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AWSSupportAccess")})
	require.NoError(t, err)
	_, err = client.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AWSSupportAccess")})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	// Customer managed policy references (Path defaults to "/").
	_, err = client.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("BoundaryPolicy")}})
	require.NoError(t, err)
	_, err = client.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Scoped"), Path: aws.String("/team/")}})
	require.NoError(t, err)
	_, err = client.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("BoundaryPolicy"), Path: aws.String("/")}})
	emutest.RequireCode(t, err, "ConflictException")
	_, err = client.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("X"), Path: aws.String("no-slash")}})
	emutest.RequireCode(t, err, "ValidationException")
	refs, err := client.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.Len(t, refs.CustomerManagedPolicyReferences, 2)
	require.Equal(t, "/", aws.ToString(refs.CustomerManagedPolicyReferences[0].Path))
	_, err = client.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Scoped"), Path: aws.String("/team/")}})
	require.NoError(t, err)
	_, err = client.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{
		InstanceArn: i, PermissionSetArn: p, CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Scoped"), Path: aws.String("/team/")}})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	// At most 20 managed and customer managed policies together (3 attached now).
	for n := 0; n < 17; n++ {
		require.NoError(t, attach(fmt.Sprintf("arn:aws:iam::aws:policy/P%02d", n)))
	}
	emutest.RequireCode(t, attach("arn:aws:iam::aws:policy/OneTooMany"), "ServiceQuotaExceededException")

	// Inline policy.
	got, err := client.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.Empty(t, aws.ToString(got.InlinePolicy))
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: p, InlinePolicy: aws.String(policy)})
	require.NoError(t, err)
	got, err = client.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.JSONEq(t, policy, aws.ToString(got.InlinePolicy))
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: p, InlinePolicy: aws.String("{not json")})
	emutest.RequireCode(t, err, "ValidationException")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 10240) + `"}]}`
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: p, InlinePolicy: aws.String(big)})
	emutest.RequireCode(t, err, "ValidationException")
	// Whitespace does not count against the 10,240 characters.
	spacious := `{"Version":"2012-10-17",` + strings.Repeat(" ", 12000) + `"Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: p, InlinePolicy: aws.String(spacious)})
	require.NoError(t, err)
	_, err = client.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	got, err = client.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.Empty(t, aws.ToString(got.InlinePolicy))

	// Permissions boundary: exactly one of the two forms.
	_, err = client.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	emutest.RequireCode(t, err, "ResourceNotFoundException")
	_, err = client.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: i, PermissionSetArn: p,
		PermissionsBoundary: &types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess"),
			CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("B")}}})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: i, PermissionSetArn: p,
		PermissionsBoundary: &types.PermissionsBoundary{}})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: i, PermissionSetArn: p,
		PermissionsBoundary: &types.PermissionsBoundary{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Boundary"), Path: aws.String("/b/")}}})
	require.NoError(t, err)
	b, err := client.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.Equal(t, "Boundary", aws.ToString(b.PermissionsBoundary.CustomerManagedPolicyReference.Name))
	require.Equal(t, "/b/", aws.ToString(b.PermissionsBoundary.CustomerManagedPolicyReference.Path))
	_, err = client.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: i, PermissionSetArn: p,
		PermissionsBoundary: &types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}})
	require.NoError(t, err)
	b, err = client.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::aws:policy/PowerUserAccess", aws.ToString(b.PermissionsBoundary.ManagedPolicyArn))
	require.Nil(t, b.PermissionsBoundary.CustomerManagedPolicyReference)
	_, err = client.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	require.NoError(t, err)
	_, err = client.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: i, PermissionSetArn: p})
	emutest.RequireCode(t, err, "ResourceNotFoundException")
}

func TestSSOProvisioningAndAssignments(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	inst, store, accounts := emutest.SSOSetup(t, srv, "workload", "sandbox")
	workload, sandbox := accounts[0], accounts[1]
	client := ssoClient(srv, "AKIDEXAMPLE")
	ids := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	alice := emutest.CreateUser(t, ids, store, "alice")
	admins := emutest.CreateGroup(t, ids, store, "Admins")
	ps := ssoCreatePS(t, client, inst, "Admin")
	_, err := client.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	require.NoError(t, err)

	assign := func(principalType types.PrincipalType, principal, account string) (*ssoadmin.CreateAccountAssignmentOutput, error) {
		return client.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst),
			PermissionSetArn: aws.String(ps), PrincipalType: principalType, PrincipalId: aws.String(principal),
			TargetType: types.TargetTypeAwsAccount, TargetId: aws.String(account)})
	}
	// Validation: principal must exist, account must be in the organization.
	_, err = assign(types.PrincipalTypeUser, "00000000-0000-0000-0000-000000000000", workload)
	emutest.RequireCode(t, err, "ResourceNotFoundException")
	_, err = assign(types.PrincipalTypeUser, admins, workload) // a group ID as a user
	emutest.RequireCode(t, err, "ResourceNotFoundException")
	_, err = assign(types.PrincipalTypeUser, "alice", workload)
	emutest.RequireCode(t, err, "ValidationException")
	_, err = assign(types.PrincipalTypeUser, alice, "999999999999")
	emutest.RequireCode(t, err, "ValidationException")
	_, err = assign(types.PrincipalTypeUser, alice, "12345")
	emutest.RequireCode(t, err, "ValidationException")

	created, err := assign(types.PrincipalTypeUser, alice, workload)
	require.NoError(t, err)
	st := created.AccountAssignmentCreationStatus
	require.Equal(t, types.StatusValuesInProgress, st.Status)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, aws.ToString(st.RequestId))
	require.Equal(t, workload, aws.ToString(st.TargetId))

	// Not in effect until the request settles: IN_PROGRESS for 2 describes.
	la, err := client.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst), AccountId: aws.String(workload), PermissionSetArn: aws.String(ps)})
	require.NoError(t, err)
	require.Empty(t, la.AccountAssignments)
	require.Empty(t, ssoReservedRoles(t, srv, workload))
	for n := 0; n < 2; n++ {
		d, err := client.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: st.RequestId})
		require.NoError(t, err)
		require.Equal(t, types.StatusValuesInProgress, d.AccountAssignmentCreationStatus.Status)
	}
	require.Equal(t, types.StatusValuesSucceeded, ssoWaitAssignment(t, client, inst, aws.ToString(st.RequestId), false).Status)
	_, err = client.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
		InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: aws.String("00000000-0000-0000-0000-000000000000")})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	la, err = client.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst), AccountId: aws.String(workload), PermissionSetArn: aws.String(ps)})
	require.NoError(t, err)
	require.Len(t, la.AccountAssignments, 1)
	require.Equal(t, alice, aws.ToString(la.AccountAssignments[0].PrincipalId))
	require.Equal(t, types.PrincipalTypeUser, la.AccountAssignments[0].PrincipalType)

	// The assignment provisioned the set: a reserved role in the account.
	roles := ssoReservedRoles(t, srv, workload)
	require.Len(t, roles, 1)
	var roleName string
	for name := range roles {
		roleName = name
	}
	require.Equal(t, "Admin", ssoRoleRe.FindStringSubmatch(roleName)[1])
	require.Equal(t, "/aws-reserved/sso.amazonaws.com/", emutest.Dig(roles[roleName], "path"))
	require.Equal(t, "arn:aws:iam::"+workload+":role/aws-reserved/sso.amazonaws.com/"+roleName, emutest.Dig(roles[roleName], "arn"))
	trust := emutest.Dig(roles[roleName], "trustPolicy")
	if trust == nil {
		trust = emutest.Dig(roles[roleName], "assumeRolePolicy")
	}
	federated, _ := emutest.Dig(trust, "Statement", 0, "Principal", "Federated").(string)
	require.Regexp(t, `^arn:aws:iam::`+workload+`:saml-provider/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$`, federated)

	accountsFor := func(status types.ProvisioningStatus) []string {
		var out []string
		p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(client, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
			InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps), ProvisioningStatus: status})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			out = append(out, page.AccountIds...)
		}
		return out
	}
	setsFor := func(account string, status types.ProvisioningStatus) []string {
		out, err := client.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{
			InstanceArn: aws.String(inst), AccountId: aws.String(account), ProvisioningStatus: status})
		require.NoError(t, err)
		return out.PermissionSets
	}
	require.Equal(t, []string{workload}, accountsFor(""))
	require.Equal(t, []string{workload}, accountsFor(types.ProvisioningStatusLatestPermissionSetProvisioned))
	require.Empty(t, accountsFor(types.ProvisioningStatusLatestPermissionSetNotProvisioned))
	require.Equal(t, []string{ps}, setsFor(workload, ""))
	require.Empty(t, setsFor(sandbox, ""))

	// Changing the set leaves the account on the old version until re-provisioned.
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`)})
	require.NoError(t, err)
	require.Equal(t, []string{workload}, accountsFor(types.ProvisioningStatusLatestPermissionSetNotProvisioned))
	require.Empty(t, accountsFor(types.ProvisioningStatusLatestPermissionSetProvisioned))
	require.Equal(t, []string{ps}, setsFor(workload, types.ProvisioningStatusLatestPermissionSetNotProvisioned))

	prov, err := client.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetTypeAllProvisionedAccounts})
	require.NoError(t, err)
	require.Equal(t, types.StatusValuesInProgress, prov.PermissionSetProvisioningStatus.Status)
	_, err = client.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: aws.String(workload)})
	emutest.RequireCode(t, err, "ConflictException")
	require.Equal(t, types.StatusValuesSucceeded, ssoWaitProvisioning(t, client, inst, aws.ToString(prov.PermissionSetProvisioningStatus.RequestId)).Status)
	require.Equal(t, []string{workload}, accountsFor(types.ProvisioningStatusLatestPermissionSetProvisioned))
	require.Empty(t, accountsFor(types.ProvisioningStatusLatestPermissionSetNotProvisioned))

	// Provisioning to a new account creates its role without any assignment.
	prov, err = client.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: aws.String(sandbox)})
	require.NoError(t, err)
	require.Equal(t, sandbox, aws.ToString(prov.PermissionSetProvisioningStatus.AccountId))
	require.Empty(t, ssoReservedRoles(t, srv, sandbox))
	require.Equal(t, types.StatusValuesSucceeded, ssoWaitProvisioning(t, client, inst, aws.ToString(prov.PermissionSetProvisioningStatus.RequestId)).Status)
	require.Len(t, ssoReservedRoles(t, srv, sandbox), 1)
	require.Equal(t, []string{sandbox, workload}, accountsFor(""))
	_, err = client.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetTypeAwsAccount, TargetId: aws.String("999999999999")})
	emutest.RequireCode(t, err, "ValidationException")

	statuses, err := client.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: aws.String(inst),
		Filter: &types.OperationStatusFilter{Status: types.StatusValuesSucceeded}})
	require.NoError(t, err)
	require.Len(t, statuses.PermissionSetsProvisioningStatus, 2)

	// A group assignment too; then a provisioned set cannot be deleted.
	created, err = assign(types.PrincipalTypeGroup, admins, workload)
	require.NoError(t, err)
	require.Equal(t, types.StatusValuesSucceeded, ssoWaitAssignment(t, client, inst, aws.ToString(created.AccountAssignmentCreationStatus.RequestId), false).Status)
	creations, err := client.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: aws.String(inst)})
	require.NoError(t, err)
	require.Len(t, creations.AccountAssignmentsCreationStatus, 2)
	_, err = client.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
	emutest.RequireCode(t, err, "ConflictException")

	// Deleting assignments is asynchronous; the last one deprovisions the account.
	unassign := func(principalType types.PrincipalType, principal string) *types.AccountAssignmentOperationStatus {
		out, err := client.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: aws.String(inst),
			PermissionSetArn: aws.String(ps), PrincipalType: principalType, PrincipalId: aws.String(principal),
			TargetType: types.TargetTypeAwsAccount, TargetId: aws.String(workload)})
		require.NoError(t, err)
		require.Equal(t, types.StatusValuesInProgress, out.AccountAssignmentDeletionStatus.Status)
		return ssoWaitAssignment(t, client, inst, aws.ToString(out.AccountAssignmentDeletionStatus.RequestId), true)
	}
	require.Equal(t, types.StatusValuesSucceeded, unassign(types.PrincipalTypeUser, alice).Status)
	require.Len(t, ssoReservedRoles(t, srv, workload), 1)
	require.Equal(t, types.StatusValuesSucceeded, unassign(types.PrincipalTypeGroup, admins).Status)
	require.Empty(t, ssoReservedRoles(t, srv, workload))
	require.Equal(t, []string{sandbox}, accountsFor(""))
	failed := unassign(types.PrincipalTypeGroup, admins)
	require.Equal(t, types.StatusValuesFailed, failed.Status)
	require.NotEmpty(t, aws.ToString(failed.FailureReason))
	deletions, err := client.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(inst),
		Filter: &types.OperationStatusFilter{Status: types.StatusValuesFailed}})
	require.NoError(t, err)
	require.Len(t, deletions.AccountAssignmentsDeletionStatus, 1)
}

func TestSSOCustomerManagedPoliciesMustExistInTheAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{SSOStatusDescribes: 1})
	inst, store, accounts := emutest.SSOSetup(t, srv, "workload")
	workload := accounts[0]
	client := ssoClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	bob := emutest.CreateUser(t, emutest.IdentityStoreClient(srv, "AKIDEXAMPLE"), store, "bob")
	ps := ssoCreatePS(t, client, inst, "Scoped")
	_, err := client.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
		CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("TeamPolicy"), Path: aws.String("/team/")}})
	require.NoError(t, err)
	_, err = client.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	require.NoError(t, err)
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(ps), InlinePolicy: aws.String(inline)})
	require.NoError(t, err)
	assign := func() *types.AccountAssignmentOperationStatus {
		out, err := client.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst),
			PermissionSetArn: aws.String(ps), PrincipalType: types.PrincipalTypeUser, PrincipalId: aws.String(bob),
			TargetType: types.TargetTypeAwsAccount, TargetId: aws.String(workload)})
		require.NoError(t, err)
		return ssoWaitAssignment(t, client, inst, aws.ToString(out.AccountAssignmentCreationStatus.RequestId), false)
	}

	// The referenced policy does not exist in the account: the request fails.
	st := assign()
	require.Equal(t, types.StatusValuesFailed, st.Status)
	require.Contains(t, aws.ToString(st.FailureReason), "/team/TeamPolicy")
	require.Empty(t, ssoReservedRoles(t, srv, workload))

	_, err = iam.NewFromConfig(emutest.Config(srv, workload)).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("TeamPolicy"),
		Path: aws.String("/team/"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)})
	require.NoError(t, err)
	require.Equal(t, types.StatusValuesSucceeded, assign().Status)
	roles := ssoReservedRoles(t, srv, workload)
	require.Len(t, roles, 1)
	for _, r := range roles {
		require.ElementsMatch(t, []any{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::" + workload + ":policy/team/TeamPolicy"},
			emutest.Dig(r, "attachedPolicies"))
		require.Equal(t, "Deny", emutest.Dig(r, "inlinePolicies", "AwsSSOInlinePolicy", "Statement", 0, "Effect"))
	}
}

func TestSSOAssignmentCreationLimit(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	inst, store, accounts := emutest.SSOSetup(t, srv, "workload")
	ids := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	var users []string
	for n := 0; n < 40; n++ {
		users = append(users, emutest.CreateUser(t, ids, store, fmt.Sprintf("u%02d", n)))
	}
	plain := ssoClient(srv, "AKIDEXAMPLE")
	ps := ssoCreatePS(t, plain, inst, "Dev")
	in := func(user string) *ssoadmin.CreateAccountAssignmentInput {
		return &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
			PrincipalType: types.PrincipalTypeUser, PrincipalId: aws.String(user), TargetType: types.TargetTypeAwsAccount, TargetId: aws.String(accounts[0])}
	}

	// Ten creations may be in progress; the eleventh is throttled.
	noRetry := func(o *ssoadmin.Options) { o.RetryMaxAttempts = 1 }
	var pending []string
	for n := 0; n < 10; n++ {
		out, err := plain.CreateAccountAssignment(ctx, in(users[n]), noRetry)
		require.NoError(t, err)
		pending = append(pending, aws.ToString(out.AccountAssignmentCreationStatus.RequestId))
	}
	_, err := plain.CreateAccountAssignment(ctx, in(users[10]), noRetry)
	var throttled *types.ThrottlingException
	require.True(t, errors.As(err, &throttled), "%v", err)
	for _, id := range pending {
		require.Equal(t, types.StatusValuesSucceeded, ssoWaitAssignment(t, plain, inst, id, false).Status)
	}
	require.Equal(t, 10, srv.MaxOutstandingAssignmentCreations())

	// 30 more, concurrently: the SDK retries the throttled ones until the
	// describes of the others let them in.
	client := ssoadmin.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *ssoadmin.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 500
			o.MaxBackoff = 2 * time.Millisecond
			o.RateLimiter = emutest.NoRateLimit{}
		})
	})
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for _, user := range users[10:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out, err := client.CreateAccountAssignment(ctx, in(user))
			if err != nil {
				errs <- err
				return
			}
			for {
				d, err := client.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
					InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus.RequestId})
				if err != nil {
					errs <- err
					return
				}
				if d.AccountAssignmentCreationStatus.Status != types.StatusValuesInProgress {
					if d.AccountAssignmentCreationStatus.Status != types.StatusValuesSucceeded {
						errs <- fmt.Errorf("%s: %s", user, aws.ToString(d.AccountAssignmentCreationStatus.FailureReason))
					}
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.LessOrEqual(t, srv.MaxOutstandingAssignmentCreations(), 10)
	throttles := 0
	for _, c := range srv.Calls() {
		if c.Operation == "CreateAccountAssignment" && c.ErrorCode == "ThrottlingException" {
			throttles++
		}
	}
	require.Greater(t, throttles, 0)

	var assigned []string
	p := ssoadmin.NewListAccountAssignmentsPaginator(plain, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst),
		AccountId: aws.String(accounts[0]), PermissionSetArn: aws.String(ps)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.AccountAssignments), 2)
		for _, a := range page.AccountAssignments {
			assigned = append(assigned, aws.ToString(a.PrincipalId))
		}
	}
	require.ElementsMatch(t, users, assigned)
	require.Len(t, ssoReservedRoles(t, srv, accounts[0]), 1)
}

// ssoScript drives one emulator through a fixed Identity Center setup.
func ssoScript(t *testing.T, srv *emulator.Server) {
	t.Helper()
	inst, store, accounts := emutest.SSOSetup(t, srv, "workload")
	ids := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	client := ssoClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	bob := emutest.CreateUser(t, ids, store, "bob")
	ops := emutest.CreateGroup(t, ids, store, "Ops")
	_, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(ops), MemberId: &idstypes.MemberIdMemberUserId{Value: bob}})
	require.NoError(t, err)
	ps, err := client.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Operator"),
		Description: aws.String("Operations"), SessionDuration: aws.String("PT2H"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	arn := ps.PermissionSet.PermissionSetArn
	_, err = client.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: arn, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	require.NoError(t, err)
	for _, p := range []struct {
		typ types.PrincipalType
		id  string
	}{{types.PrincipalTypeGroup, ops}, {types.PrincipalTypeUser, bob}} {
		out, err := client.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: arn,
			PrincipalType: p.typ, PrincipalId: aws.String(p.id), TargetType: types.TargetTypeAwsAccount, TargetId: aws.String(accounts[0])})
		require.NoError(t, err)
		ssoWaitAssignment(t, client, inst, aws.ToString(out.AccountAssignmentCreationStatus.RequestId), false)
	}
	_, err = client.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: arn, InlinePolicy: aws.String(`{"Version": "2012-10-17", "Statement": []}`)})
	require.NoError(t, err)
}

func TestSSOSnapshotIsDeterministic(t *testing.T) {
	a := emutest.Start(t, emulator.Options{})
	b := emutest.Start(t, emulator.Options{Clock: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	ssoScript(t, a)
	ssoScript(t, b)
	sa, err := a.Snapshot()
	require.NoError(t, err)
	sb, err := b.Snapshot()
	require.NoError(t, err)
	require.Equal(t, string(sa), string(sb))

	snap := ssoSnapshotMap(t, a)
	mgmt := emutest.Dig(snap, "accounts", emulator.DefaultManagementAccountID).(map[string]any)
	require.Equal(t, "PT2H", emutest.Dig(mgmt, "sso", "permissionSets", "Operator", "sessionDuration"))
	provisioned := emutest.Dig(mgmt, "sso", "permissionSets", "Operator", "provisionedAccounts").(map[string]any)
	require.Len(t, provisioned, 1)
	for _, status := range provisioned {
		require.Equal(t, "LATEST_PERMISSION_SET_NOT_PROVISIONED", status)
	}
	var assignments []any
	for _, l := range emutest.Dig(mgmt, "sso", "assignments").(map[string]any) {
		assignments = append(assignments, l.([]any)...)
	}
	require.ElementsMatch(t, []any{"Operator GROUP:Ops", "Operator USER:bob"}, assignments)
	require.Equal(t, []any{"bob"}, emutest.Dig(mgmt, "identitystore", "groups", "Ops", "members"))
	require.Equal(t, "User bob", emutest.Dig(mgmt, "identitystore", "users", "bob", "DisplayName"))
	require.NotContains(t, string(sa), "CreatedDate")
}

func TestSSOIdentityCenterOptionEnablesWithOrganization(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{IdentityCenter: true})
	ctx := context.Background()
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	sso := ssoadmin.NewFromConfig(cfg)
	out, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Empty(t, out.Instances, "no organization yet, no instance")
	_, err = organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	out, err = sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, out.Instances, 1)
	arn, store, err := srv.EnableIdentityCenter()
	require.NoError(t, err)
	require.Equal(t, arn, aws.ToString(out.Instances[0].InstanceArn), "enabling again is a no-op")
	require.Equal(t, store, aws.ToString(out.Instances[0].IdentityStoreId))
}
