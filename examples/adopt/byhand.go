package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

// byHand makes, on the embedded emulator, an organization the way people
// make one without this library: SDK calls one by one, nothing tagged
// managed-by=foundation. The same steps as AWS CLI commands are in
// README.md; awscli_test.go runs them with the AWS CLI.
func byHand(ctx context.Context, env *examplekit.Env) error {
	cfg := env.Config
	org := orgsdk.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return err
	}
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	if err != nil {
		return err
	}
	root := roots.Roots[0].Id
	if _, err := org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		return err
	}
	workloads, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Workloads"),
		Tags: []orgtypes.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}}})
	if err != nil {
		return err
	}
	prod, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: workloads.OrganizationalUnit.Id, Name: aws.String("Production")})
	if err != nil {
		return err
	}
	create := func(name, email string, parent *string) (string, error) {
		out, err := org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
		if err != nil {
			return "", err
		}
		for {
			st, err := org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
			if err != nil {
				return "", err
			}
			switch st.CreateAccountStatus.State {
			case orgtypes.CreateAccountStateSucceeded:
				id := st.CreateAccountStatus.AccountId
				_, err = org.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: id, SourceParentId: root, DestinationParentId: parent})
				return aws.ToString(id), err
			case orgtypes.CreateAccountStateFailed:
				return "", fmt.Errorf("create account %s: %s", name, st.CreateAccountStatus.FailureReason)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	dev, err := create("shop-dev", "aws+shop-dev@example.com", workloads.OrganizationalUnit.Id)
	if err != nil {
		return err
	}
	production, err := create("shop-prod", "aws+shop-prod@example.com", prod.OrganizationalUnit.Id)
	if err != nil {
		return err
	}
	pol, err := org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("deny-leave-organization"), Description: aws.String("members stay"),
		Type:    orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})
	if err != nil {
		return err
	}
	if _, err := org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: prod.OrganizationalUnit.Id}); err != nil {
		return err
	}

	// Identity Center: a user in an admins group with a permission set in
	// both accounts.
	sso := ssoadmin.NewFromConfig(cfg)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return err
	}
	if len(inst.Instances) == 0 {
		return fmt.Errorf("no Identity Center instance")
	}
	instARN, store := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	ids := identitystore.NewFromConfig(cfg)
	u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: store, UserName: aws.String("jane"), DisplayName: aws.String("Jane Doe"),
		Name:   &istypes.Name{GivenName: aws.String("Jane"), FamilyName: aws.String("Doe")},
		Emails: []istypes.Email{{Value: aws.String("jane@example.com"), Type: aws.String("work"), Primary: true}}})
	if err != nil {
		return err
	}
	g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String("shop-admins")})
	if err != nil {
		return err
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: g.GroupId,
		MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}}); err != nil {
		return err
	}
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: instARN, Name: aws.String("ShopAdmin"), SessionDuration: aws.String("PT4H")})
	if err != nil {
		return err
	}
	psARN := ps.PermissionSet.PermissionSetArn
	if _, err := sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: instARN, PermissionSetArn: psARN,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		return err
	}
	for _, acct := range []string{dev, production} {
		a, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: instARN, PermissionSetArn: psARN,
			PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: g.GroupId, TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(acct)})
		if err != nil {
			return err
		}
		for st := a.AccountAssignmentCreationStatus; st.Status != ssotypes.StatusValuesSucceeded; {
			if st.Status == ssotypes.StatusValuesFailed {
				return fmt.Errorf("assignment in %s: %s", acct, aws.ToString(st.FailureReason))
			}
			time.Sleep(20 * time.Millisecond)
			out, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: instARN,
				AccountAssignmentCreationRequestId: a.AccountAssignmentCreationStatus.RequestId})
			if err != nil {
				return err
			}
			st = out.AccountAssignmentCreationStatus
		}
	}

	// Trusted access: CloudFormation StackSets administered by the dev
	// account, and IAM's centralized root credentials management.
	for _, p := range []string{"member.org.stacksets.cloudformation.amazonaws.com", "iam.amazonaws.com", "account.amazonaws.com"} {
		if _, err := org.EnableAWSServiceAccess(ctx, &orgsdk.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			return err
		}
	}
	if _, err := org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: aws.String(dev),
		ServicePrincipal: aws.String("member.org.stacksets.cloudformation.amazonaws.com")}); err != nil {
		return err
	}
	if _, err := iam.NewFromConfig(cfg).EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		return err
	}

	// The accounts' settings: dev's security contact, and an opt-in
	// Region for prod.
	acct := account.NewFromConfig(cfg)
	if _, err := acct.PutAlternateContact(ctx, &account.PutAlternateContactInput{AccountId: aws.String(dev), AlternateContactType: accttypes.AlternateContactTypeSecurity,
		Name: aws.String("Shop Security"), Title: aws.String("Security lead"), EmailAddress: aws.String("security@example.com"), PhoneNumber: aws.String("+1 555 0100")}); err != nil {
		return err
	}
	if _, err := acct.EnableRegion(ctx, &account.EnableRegionInput{AccountId: aws.String(production), RegionName: aws.String("eu-south-2")}); err != nil {
		return err
	}

	// The dev account's Terraform state backend, through its access role.
	if err := stateBackendByHand(ctx, cfg, dev); err != nil {
		return fmt.Errorf("state backend: %w", err)
	}

	// CI federation: GitHub's provider and the role a repository assumes.
	iamc := iam.NewFromConfig(cfg)
	prov, err := iamc.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}})
	if err != nil {
		return err
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",` +
		`"token.actions.githubusercontent.com:sub":"repo:example-org/shop:ref:refs/heads/main"}}}]}`
	if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("shop-github-ci"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		return err
	}
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("shop-github-ci"), PolicyName: aws.String("push-images"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:PutImage","ecr:UploadLayerPart"],"Resource":"*"}]}`)})
	return err
}

// StateBucketPattern names the state bucket byHand makes: it has no
// managed-by=foundation tag, so reading it takes the pattern.
const StateBucketPattern = "shop-terraform-state-*"

// stateBackendByHand makes, in the account through its access role, a
// Terraform state bucket and lock table the way a careful team does by
// hand: versioned, encrypted, public access blocked, TLS only, old
// versions expired (under the rule ID the library uses for that rule), and
// a lock table on demand with point-in-time recovery and deletion
// protection.
func stateBackendByHand(ctx context.Context, mgmt aws.Config, account string) error {
	cfg := mgmt.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(mgmt), "arn:aws:iam::"+account+":role/OrganizationAccountAccessRole"))
	bucket := "shop-terraform-state-" + account
	region := func(o *s3.Options) { o.Region = "eu-west-1" }
	s3c := s3.NewFromConfig(cfg)
	steps := []func() error{
		func() error {
			_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}, region)
			return err
		},
		func() error {
			_, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}, region)
			return err
		},
		func() error {
			_, err := s3c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
				LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
					ID: aws.String("foundation-state-retention"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
					NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(5)},
					AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
				}}}}, region)
			return err
		},
		func() error {
			arn := "arn:aws:s3:::" + bucket
			_, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + arn + `","` + arn + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},` +
				`{"Sid":"DenyOutdatedTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + arn + `","` + arn + `/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}]}`)}, region)
			return err
		},
		func() error {
			_, err := s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("shop")}}}}, region)
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	ddb := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Region = "eu-west-1" })
	table := aws.String("shop-terraform-locks")
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: table, BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions:      []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:                 []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		SSESpecification:          &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms},
		DeletionProtectionEnabled: aws.Bool(true),
		Tags:                      []ddbtypes.Tag{{Key: aws.String("team"), Value: aws.String("shop")}}}); err != nil {
		return err
	}
	for {
		d, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
		if err != nil {
			return err
		}
		if d.Table.TableStatus == ddbtypes.TableStatusActive {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: table,
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	return err
}
