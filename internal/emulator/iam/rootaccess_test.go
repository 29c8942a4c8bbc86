package iam_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

const (
	auditTask  = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	deleteTask = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
)

// TestRootAccessManagement walks centralized root access as the IAM user
// guide describes it: trusted access for IAM, the two features, then a
// privileged session per task that reads and removes a member account's
// root credentials; each refusal on the way is checked.
func TestRootAccessManagement(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{PageSize: 1})
	orgs, orgID, _ := emutest.OrgSetup(t, srv)
	ctx := context.Background()
	member := aws.ToString(emutest.CreateAccount(t, orgs, "m", "m@example.com").AccountId)
	require.NoError(t, srv.SeedRootCredentials(member, emulator.RootCredentials{Password: true, AccessKeys: 2, MFADevices: 1, SigningCertificates: 1}))
	mgmtIAM := emutest.IAMClient(srv, "AKIDEXAMPLE")

	_, err := mgmtIAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	var notEnabled *types.ServiceAccessNotEnabledException
	require.ErrorAs(t, err, &notEnabled)
	_, err = orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
	require.NoError(t, err)
	_, err = emutest.IAMClient(srv, member).EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	var notMgmt *types.CallerIsNotManagementAccountException
	require.ErrorAs(t, err, &notMgmt)

	// A role of the management account calls AssumeRoot (root users cannot).
	_, err = srv.CreateRole(srv.ManagementAccountID(), "Admin", emutest.TrustAccount(srv.ManagementAccountID(), ""))
	require.NoError(t, err)
	role, err := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + srv.ManagementAccountID() + ":role/Admin"), RoleSessionName: aws.String("ops")})
	require.NoError(t, err)
	adminCfg := emutest.Config(srv, "x")
	adminCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(role.Credentials.AccessKeyId),
		aws.ToString(role.Credentials.SecretAccessKey), aws.ToString(role.Credentials.SessionToken))
	admin := sts.NewFromConfig(adminCfg)
	assumeRoot := func(client *sts.Client, task string) (aws.Config, error) {
		out, err := client.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member),
			TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(task)}, DurationSeconds: aws.Int32(900)})
		if err != nil {
			return aws.Config{}, err
		}
		cfg := emutest.Config(srv, "x")
		cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
			aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
		return cfg, nil
	}
	_, err = assumeRoot(admin, auditTask)
	emutest.RequireCode(t, err, "AccessDenied") // root sessions not enabled yet

	for _, enable := range []func() (*iam.EnableOrganizationsRootSessionsOutput, error){
		func() (*iam.EnableOrganizationsRootSessionsOutput, error) {
			_, err := mgmtIAM.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return nil, err
		},
		func() (*iam.EnableOrganizationsRootSessionsOutput, error) {
			return mgmtIAM.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
		},
	} {
		_, err := enable()
		require.NoError(t, err)
	}
	features, err := mgmtIAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	require.NoError(t, err)
	require.Equal(t, orgID, aws.ToString(features.OrganizationId))
	require.ElementsMatch(t, []types.FeatureType{types.FeatureTypeRootCredentialsManagement, types.FeatureTypeRootSessions}, features.EnabledFeatures)

	_, err = assumeRoot(sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")), auditTask)
	emutest.RequireCode(t, err, "AccessDenied") // root user credentials
	_, err = admin.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(member),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}})
	emutest.RequireCode(t, err, "ValidationError")

	auditCfg, err := assumeRoot(admin, auditTask)
	require.NoError(t, err)
	audit := iam.NewFromConfig(auditCfg)
	who, err := sts.NewFromConfig(auditCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+member+":root", aws.ToString(who.Arn))
	_, err = audit.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	require.NoError(t, err)
	var keys []string
	kp := iam.NewListAccessKeysPaginator(audit, &iam.ListAccessKeysInput{})
	for kp.HasMorePages() {
		page, err := kp.NextPage(ctx)
		require.NoError(t, err)
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, aws.ToString(k.AccessKeyId))
		}
	}
	require.Len(t, keys, 2, "paged one at a time")
	_, err = audit.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	emutest.RequireCode(t, err, "AccessDenied") // the audit task cannot delete

	delCfg, err := assumeRoot(admin, deleteTask)
	require.NoError(t, err)
	del := iam.NewFromConfig(delCfg)
	_, err = del.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	require.NoError(t, err)
	_, err = del.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	var nse *types.NoSuchEntityException
	require.ErrorAs(t, err, &nse)
	for _, k := range keys {
		_, err = del.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(k)})
		require.NoError(t, err)
	}
	mfa, err := del.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	require.NoError(t, err)
	require.Len(t, mfa.MFADevices, 1)
	_, err = del.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: mfa.MFADevices[0].SerialNumber})
	require.NoError(t, err)
	certs, err := del.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
	require.NoError(t, err)
	require.Len(t, certs.Certificates, 1)
	_, err = del.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{CertificateId: certs.Certificates[0].CertificateId})
	require.NoError(t, err)

	left, err := audit.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	require.NoError(t, err)
	require.Empty(t, left.AccessKeyMetadata)
	_, err = audit.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	require.ErrorAs(t, err, &nse)
	// A role (not a root session) must name a user.
	_, err = iam.NewFromConfig(adminCfg).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	emutest.RequireCode(t, err, "ValidationError")
}

// TestRootAccessFeaturesBelongToTheOrganization: an organization deleted
// and made again (the same ID in the emulator) starts without features.
func TestRootAccessFeaturesBelongToTheOrganization(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	orgs, _, _ := emutest.OrgSetup(t, srv)
	ctx := context.Background()
	mgmtIAM := emutest.IAMClient(srv, "AKIDEXAMPLE")
	trust := func() {
		_, err := orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
		require.NoError(t, err)
	}
	trust()
	_, err := mgmtIAM.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	require.NoError(t, err)
	_, err = orgs.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	require.NoError(t, err)
	_, err = mgmtIAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	var nf *types.OrganizationNotFoundException
	require.ErrorAs(t, err, &nf)
	_, err = orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	trust()
	out, err := mgmtIAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	require.NoError(t, err)
	require.Empty(t, out.EnabledFeatures)
}
