package awstest

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// A probe asks the backend whether it behaves as AWS does in one
// behaviour: lacks is true when it does not.
type probe func(ctx context.Context, t *testing.T, b *Backend) (lacks bool)

// probes check registry entries against the backend itself, so an entry
// cannot outlive the gap (moto fixed it) and the emulator is held to the
// same behaviour.
var probes = map[Behaviour]probe{
	SSOInstanceEncryption: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		_, err := sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: inst})
		return unimplemented(t, err)
	},
	SSOGetPermissionsBoundary: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{
			InstanceArn: inst, PermissionSetArn: ps})
		return unimplemented(t, err, "ResourceNotFoundException") // none attached: AWS says ResourceNotFound
	},
	SSOListTagsForResource: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: ps})
		return unimplemented(t, err)
	},
	SSOProvisioningStatus: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		out, err := sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
			TargetType: "ALL_PROVISIONED_ACCOUNTS"})
		require.NoError(t, err)
		_, err = sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: inst, ProvisionPermissionSetRequestId: out.PermissionSetProvisioningStatus.RequestId})
		return unimplemented(t, err)
	},
	IdentityStoreGetMembershipID: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Require(t, CapIdentityCenter)
		organizationRoot(ctx, t, b)
		d, err := ssoadmin.NewFromConfig(b.Config()).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		require.NoError(t, err)
		require.NotEmpty(t, d.Instances, "no Identity Center instance")
		store := d.Instances[0].IdentityStoreId
		ids := identitystore.NewFromConfig(b.Config())
		u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: store, UserName: aws.String(b.Unique("probe")),
			DisplayName: aws.String("Probe"), Name: &idtypes.Name{GivenName: aws.String("P"), FamilyName: aws.String("Robe")}})
		require.NoError(t, err)
		g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String(b.Unique("probe"))})
		require.NoError(t, err)
		member := &idtypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}
		_, err = ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: g.GroupId, MemberId: member})
		require.NoError(t, err)
		_, err = ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: g.GroupId, MemberId: member})
		return unimplemented(t, err)
	},
	IAMAddClientIDToOIDCProvider: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := iam.NewFromConfig(b.Config())
		p, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://" + b.Unique("probe") + ".example.com"), ClientIDList: []string{"sts.amazonaws.com"},
			ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}})
		require.NoError(t, err)
		_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: p.OpenIDConnectProviderArn, ClientID: aws.String("another")})
		return unimplemented(t, err)
	},
	SSODefaultSessionDuration: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String(b.Unique("probe"))})
		if err != nil {
			var de *smithy.DeserializationError
			if errors.As(err, &de) {
				return true
			}
			t.Fatalf("unexpected error: %v", err)
		}
		return aws.ToString(out.PermissionSet.SessionDuration) != "PT1H"
	},
	SSOManagedPolicyPath: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst,
			PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")})
		return refused(t, err)
	},
	SSOPermissionsBoundaryWrite: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: inst,
			PermissionSetArn: ps, PermissionsBoundary: &ssotypes.PermissionsBoundary{
				ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}})
		return unimplemented(t, err)
	},
	SSOTagResource: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: ps,
			Tags: []ssotypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		return unimplemented(t, err)
	},
	IdentityStoreUpdateUser: func(ctx context.Context, t *testing.T, b *Backend) bool {
		ids, store := identityStore(ctx, t, b)
		u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: store, UserName: aws.String(b.Unique("probe")),
			DisplayName: aws.String("Probe"), Name: &idtypes.Name{GivenName: aws.String("P"), FamilyName: aws.String("Robe")}})
		must(t, err)
		_, err = ids.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: store, UserId: u.UserId,
			Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("displayName"), AttributeValue: iddoc.NewLazyDocument("Other")}}})
		return unimplemented(t, err)
	},
	IdentityStoreUpdateGroup: func(ctx context.Context, t *testing.T, b *Backend) bool {
		ids, store := identityStore(ctx, t, b)
		g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String(b.Unique("probe"))})
		must(t, err)
		_, err = ids.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: store, GroupId: g.GroupId,
			Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: iddoc.NewLazyDocument("d")}}})
		return unimplemented(t, err)
	},
	IdentityStoreIDFormat: func(ctx context.Context, t *testing.T, b *Backend) bool {
		_, store := identityStore(ctx, t, b)
		return !regexp.MustCompile(`^d-[0-9a-f]{10}$`).MatchString(aws.ToString(store))
	},
	SSOPermissionSetARN: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		return !regexp.MustCompile(`^arn:aws:sso:::permissionSet/ssoins-[0-9a-f]{16}/ps-[0-9a-f]{16}$`).MatchString(aws.ToString(ps))
	},
	IAMServiceLinkedRoleNames: func(ctx context.Context, t *testing.T, b *Backend) bool {
		out, err := iam.NewFromConfig(b.Config()).CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
		must(t, err)
		return aws.ToString(out.Role.RoleName) != "AWSServiceRoleForECS"
	},
	IAMServiceLinkedRoleTaken: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := iam.NewFromConfig(b.Config())
		in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}
		_, err := c.CreateServiceLinkedRole(ctx, in)
		must(t, err)
		_, err = c.CreateServiceLinkedRole(ctx, in)
		return !hasCode(err, "InvalidInput")
	},
	IAMManagedPolicies: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := iam.NewFromConfig(b.Config())
		name := aws.String(b.Unique("probe"))
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		must(t, err)
		_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		return refused(t, err)
	},
	KMSRotationPeriod: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := kms.NewFromConfig(b.Config())
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		must(t, err)
		_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId, RotationPeriodInDays: aws.Int32(90)})
		must(t, err)
		st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyMetadata.KeyId})
		must(t, err)
		return aws.ToInt32(st.RotationPeriodInDays) != 90
	},
	KMSPolicyPrincipalsExist: func(ctx context.Context, t *testing.T, b *Backend) bool {
		acct := b.AccountID(t)
		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct +
			`:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Ghost","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct +
			`:role/` + b.Unique("no-such-role") + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
		_, err := kms.NewFromConfig(b.Config()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(policy)})
		if err != nil && !hasCode(err, "MalformedPolicyDocumentException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
	KMSDefaultKeyUsage: func(ctx context.Context, t *testing.T, b *Backend) bool {
		k, err := kms.NewFromConfig(b.Config()).CreateKey(ctx, &kms.CreateKeyInput{})
		must(t, err)
		return k.KeyMetadata.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt
	},
	KMSScheduleDeletionTwice: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := kms.NewFromConfig(b.Config())
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		must(t, err)
		in := &kms.ScheduleKeyDeletionInput{KeyId: k.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)}
		_, err = c.ScheduleKeyDeletion(ctx, in)
		must(t, err)
		_, err = c.ScheduleKeyDeletion(ctx, in)
		if err != nil && !hasCode(err, "KMSInvalidStateException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
	KMSGetKeyPolicyDefaultName: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := kms.NewFromConfig(b.Config())
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		must(t, err)
		_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyMetadata.KeyId})
		return refused(t, err)
	},
	DynamoDBDeletionProtection: func(ctx context.Context, t *testing.T, b *Backend) bool {
		d := table(ctx, t, b, func(in *dynamodb.CreateTableInput) { in.DeletionProtectionEnabled = aws.Bool(true) })
		return !aws.ToBool(d.DeletionProtectionEnabled)
	},
	DynamoDBUpdateTableSSE: func(ctx context.Context, t *testing.T, b *Backend) bool {
		d := table(ctx, t, b, nil)
		c := b.DynamoDB()
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: d.TableName,
			SSESpecification: &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms}})
		must(t, err)
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: d.TableName})
		must(t, err)
		return out.Table.SSEDescription == nil || out.Table.SSEDescription.SSEType != ddbtypes.SSETypeKms
	},
	S3NewerNoncurrentVersions: func(ctx context.Context, t *testing.T, b *Backend) bool {
		bucket := newBucket(ctx, t, b)
		c := b.S3()
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bucket,
			LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
				ID: aws.String("r"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
				NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(3)},
			}}}})
		must(t, err)
		out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
		must(t, err)
		return len(out.Rules) != 1 || out.Rules[0].NoncurrentVersionExpiration == nil ||
			aws.ToInt32(out.Rules[0].NoncurrentVersionExpiration.NewerNoncurrentVersions) != 3
	},
	S3BucketDefaults2023: func(ctx context.Context, t *testing.T, b *Backend) bool {
		bucket := newBucket(ctx, t, b)
		out, err := b.S3().GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
		if err != nil {
			return refused(t, err)
		}
		c := out.PublicAccessBlockConfiguration
		return !(aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets))
	},
	S3ExpectedBucketOwner: func(ctx context.Context, t *testing.T, b *Backend) bool {
		bucket := newBucket(ctx, t, b)
		other := "111111111111"
		if b.AccountID(t) == other {
			other = "222222222222"
		}
		_, err := b.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket, ExpectedBucketOwner: aws.String(other)})
		return err == nil
	},
	S3CrossAccountDenied: func(ctx context.Context, t *testing.T, b *Backend) bool {
		bucket := newBucket(ctx, t, b)
		member := b.MemberAccount(ctx, t, "probe")
		_, err := b.S3(b.ConfigFor(member)).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket})
		return err == nil
	},
	ECRScanOnPushOff: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := ecr.NewFromConfig(b.Config())
		name := aws.String(b.Unique("probe"))
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: name,
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true}})
		must(t, err)
		_, err = c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: name,
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: false}})
		must(t, err)
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{aws.ToString(name)}})
		must(t, err)
		return out.Repositories[0].ImageScanningConfiguration.ScanOnPush
	},
	OrgSCPSize: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		_, err := b.Organizations().CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(b.Unique("probe")),
			Description: aws.String("probe"), Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(scpOfSize(11000))})
		if err != nil && !hasCode(err, "ConstraintViolationException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil // 11,000 characters is over the limit before and after 2026-05-15
	},
	OrgAttachmentLimit: func(ctx context.Context, t *testing.T, b *Backend) bool {
		root := b.Organization(ctx, t)
		c := b.Organizations()
		_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
		if err != nil && !hasCode(err, "PolicyTypeAlreadyEnabledException") {
			must(t, err)
		}
		ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(b.Unique("probe"))})
		must(t, err)
		for i := 0; i < 11; i++ { // with FullAWSAccess, one more than the 10 AWS allows since 2026-05-15
			p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(b.Unique("probe")), Description: aws.String("probe"),
				Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(scpOfSize(200))})
			must(t, err)
			_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: ou.OrganizationalUnit.Id})
			if err != nil {
				if !hasCode(err, "ConstraintViolationException") {
					t.Fatalf("unexpected error: %v", err)
				}
				return false
			}
		}
		return true
	},
	OrgPolicyTypes2025: func(ctx context.Context, t *testing.T, b *Backend) bool {
		root := b.Organization(ctx, t)
		_, err := b.Organizations().EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeChatbotPolicy})
		if err != nil && !hasCode(err, "InvalidInputException") && !hasCode(err, "PolicyTypeAlreadyEnabledException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return hasCode(err, "InvalidInputException")
	},
	OrgBackupPolicies: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		_, err := b.Organizations().CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(b.Unique("probe")), Description: aws.String("probe"),
			Type: orgtypes.PolicyTypeBackupPolicy, Content: aws.String(`{"plans":{"p":{"regions":{"@@assign":["eu-west-1"]}}}}`)},
			func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
		return unimplemented(t, err)
	},
	OrgDescribeEffectivePolicy: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		_, err := b.Organizations().DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: orgtypes.EffectivePolicyTypeTagPolicy})
		return unimplemented(t, err, "EffectivePolicyNotFoundException")
	},
	OrgNotInUse: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Require(t, CapFreshState)
		_, err := b.Organizations().CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(b.Unique("probe")),
			Description: aws.String("probe"), Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(scpOfSize(200))})
		return !hasCode(err, "AWSOrganizationsNotInUseException")
	},
	OrgAsyncInProgress: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		name := b.Unique("probe")
		out, err := b.Organizations().CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		must(t, err)
		return out.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress
	},
	OrgMemberRefused: func(ctx context.Context, t *testing.T, b *Backend) bool {
		member := b.MemberAccount(ctx, t, "probe")
		_, err := b.Organizations(b.ConfigFor(member)).ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil && !hasCode(err, "AccessDeniedException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
	IAMAliasUnique: func(ctx context.Context, t *testing.T, b *Backend) bool {
		member := b.MemberAccount(ctx, t, "probe")
		alias := aws.String(b.Unique("probe-alias"))
		_, err := iam.NewFromConfig(b.Config()).CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: alias})
		must(t, err)
		_, err = iam.NewFromConfig(b.ConfigFor(member)).CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: alias})
		if err != nil && !hasCode(err, "EntityAlreadyExists") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
	OrgServiceAccessRequired: func(ctx context.Context, t *testing.T, b *Backend) bool {
		member := b.MemberAccount(ctx, t, "probe")
		_, err := b.Organizations().RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(member), ServicePrincipal: aws.String("access-analyzer.amazonaws.com")})
		if err != nil && !hasCode(err, "ConstraintViolationException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
	OrgDelegatedAdminServices: func(ctx context.Context, t *testing.T, b *Backend) bool {
		member := b.MemberAccount(ctx, t, "probe")
		c := b.Organizations()
		_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")})
		must(t, err)
		_, err = c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(member), ServicePrincipal: aws.String("sso.amazonaws.com")})
		if err != nil && !hasCode(err, "InvalidInputException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err != nil
	},
	IAMRootAccess: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		_, err := b.Organizations().EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
		if hasCode(err, "InvalidInputException") {
			return true
		}
		must(t, err)
		_, err = iam.NewFromConfig(b.Config()).ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
		return unimplemented(t, err)
	},
	OrgDuplicateOU: func(ctx context.Context, t *testing.T, b *Backend) bool {
		org := organizationRoot(ctx, t, b)
		c := b.Organizations()
		name := aws.String(b.Unique("probe"))
		_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: org, Name: name})
		require.NoError(t, err)
		_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: org, Name: name})
		if err != nil && !hasCode(err, "DuplicateOrganizationalUnitException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
}

// Account Management probes (issue 16).
func init() {
	probes[AccountRegionOptIn] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		_, err := account.NewFromConfig(b.Config()).GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String("eu-central-2")})
		return accountUnserved(t, err)
	}
	probes[AccountName] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		_, err := account.NewFromConfig(b.Config()).GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		return accountUnserved(t, err)
	}
	probes[AccountMemberAccess] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Organization(ctx, t)
		_, err := account.NewFromConfig(b.Config()).PutAlternateContact(ctx, &account.PutAlternateContactInput{AccountId: aws.String("999999999999"),
			AlternateContactType: accounttypes.AlternateContactTypeSecurity, Name: aws.String("n"), Title: aws.String("t"),
			EmailAddress: aws.String("a@example.com"), PhoneNumber: aws.String("1")})
		if err != nil && !hasCode(err, "AccessDeniedException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	}
	probes[AccountPrimaryEmail] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		member := b.MemberAccount(ctx, t, "probe")
		_, err := b.Organizations().EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("account.amazonaws.com")})
		must(t, err)
		_, err = account.NewFromConfig(b.Config()).GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: aws.String(member)})
		return accountUnserved(t, err)
	}
	probes[AccountDeleteNoContact] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		_, err := account.NewFromConfig(b.Config()).DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{
			AlternateContactType: accounttypes.AlternateContactTypeBilling})
		if err != nil && !hasCode(err, "ResourceNotFoundException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	}
}

// accountUnserved reports whether err says the Account Management operation
// is not served: moto answers a path it does not route with 404 and no AWS
// error code.
func accountUnserved(t *testing.T, err error) bool {
	t.Helper()
	var re *awshttp.ResponseError
	if err != nil && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound && !hasCode(err, "ResourceNotFoundException") {
		return true
	}
	return unimplemented(t, err)
}

func TestRegisteredGapsMatchTheBackend(t *testing.T) {
	var s Subtests
	for _, behaviour := range sortedBehaviours() {
		s.Run(t, string(behaviour), func(t *testing.T) {
			b := New(t, WithEmulatorOptions(emulator.Options{IdentityCenter: true}))
			b.Require(t, CapFreshState)
			ctx := Context(t, time.Minute)
			lacks := probes[behaviour](ctx, t, b)
			switch {
			case lacks && !b.Lacks(behaviour):
				t.Fatalf("%s lacks %q but the registry does not say so: add a Gap", b.Kind, behaviour)
			case !lacks && b.Lacks(behaviour):
				t.Fatalf("%s now does %q as AWS does: remove its Gap from the registry", b.Kind, behaviour)
			}
		})
	}
	s.Done(t)
}

func sortedBehaviours() []Behaviour {
	var out []Behaviour
	for k := range probes {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// unimplemented reports whether err says the operation is not implemented
// (an AWS-style NotImplemented, or moto's HTML 500 page for Python's
// NotImplementedError); any other error than the ones AWS may answer fails
// the test.
func unimplemented(t *testing.T, err error, awsCodes ...string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusInternalServerError {
		return true
	}
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotImplemented", "NotImplementedException", "InternalFailure":
			return true
		}
		for _, c := range awsCodes {
			if ae.ErrorCode() == c {
				return false
			}
		}
	}
	t.Fatalf("unexpected error: %v", err)
	return false
}

// refused reports whether the backend answered err with an AWS error, for
// a request AWS accepts.
func refused(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) || unimplemented(t, err) {
		return true
	}
	t.Fatalf("unexpected error: %v", err)
	return false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func identityStore(ctx context.Context, t *testing.T, b *Backend) (*identitystore.Client, *string) {
	t.Helper()
	sso, _ := ssoInstance(ctx, t, b)
	d, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	must(t, err)
	return identitystore.NewFromConfig(b.Config()), d.Instances[0].IdentityStoreId
}

func newBucket(ctx context.Context, t *testing.T, b *Backend) *string {
	t.Helper()
	name := aws.String(b.Unique("probe"))
	_, err := b.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: name})
	must(t, err)
	return name
}

func table(ctx context.Context, t *testing.T, b *Backend, edit func(*dynamodb.CreateTableInput)) *ddbtypes.TableDescription {
	t.Helper()
	in := &dynamodb.CreateTableInput{TableName: aws.String(b.Unique("probe")), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}}
	if edit != nil {
		edit(in)
	}
	c := b.DynamoDB()
	_, err := c.CreateTable(ctx, in)
	must(t, err)
	for {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		must(t, err)
		if d.Table.TableStatus == ddbtypes.TableStatusActive {
			return d.Table
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// scpOfSize is a valid SCP of about n characters.
func scpOfSize(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Sid":"Probe","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/probe":"`
	tail := `"}}}]}`
	pad := n - len(head) - len(tail)
	if pad < 1 {
		pad = 1
	}
	return head + strings.Repeat("x", pad) + tail
}

func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func ssoInstance(ctx context.Context, t *testing.T, b *Backend) (*ssoadmin.Client, *string) {
	t.Helper()
	b.Require(t, CapIdentityCenter)
	organizationRoot(ctx, t, b) // the emulator enables Identity Center with the organization
	sso := ssoadmin.NewFromConfig(b.Config())
	out, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.NotEmpty(t, out.Instances, "no Identity Center instance")
	return sso, out.Instances[0].InstanceArn
}

func permissionSet(ctx context.Context, t *testing.T, b *Backend, sso *ssoadmin.Client, inst *string) *string {
	t.Helper()
	out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String(b.Unique("probe")),
		SessionDuration: aws.String("PT1H")}) // without it moto answers a number (see SSODefaultSessionDuration)
	require.NoError(t, err)
	return out.PermissionSet.PermissionSetArn
}

func organizationRoot(ctx context.Context, t *testing.T, b *Backend) *string {
	t.Helper()
	c := b.Organizations()
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"})
	if err != nil && !hasCode(err, "AlreadyInOrganizationException") {
		t.Fatalf("create organization on %s: %v", b.Kind, err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	return roots.Roots[0].Id
}
