package adopt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	accountsdk "github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/statebackend"
)

// createAccount makes a member account in the root by hand and returns its
// ID.
func createAccount(t *testing.T, ctx context.Context, org *orgsdk.Client, name, email string) string {
	t.Helper()
	out, err := org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	require.NoError(t, err)
	for {
		st, err := org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		require.NoError(t, err)
		if st.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
			return aws.ToString(st.CreateAccountStatus.AccountId)
		}
		require.NotEqual(t, orgtypes.CreateAccountStateFailed, st.CreateAccountStatus.State)
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAdoptRegistryRootAccessAndStateBackends: trusted access and a
// delegated administrator, root access, accounts' contacts and opt-in
// Regions, and state backends in the
// organization's accounts, made by hand (and one backend by the library),
// read into a Foundation that converges with no change and no write; an
// account whose role cannot be assumed is skipped with the reason, a
// bucket a pattern names whose settings are not a state backend's is
// skipped with the changes converging it would make; and a delegated
// administrator registered after the read is reported by the next converge.
func TestAdoptRegistryRootAccessAndStateBackends(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts)
	b.Need(t, awstest.IAMRootAccess, awstest.S3BucketDefaults2023, awstest.S3CreateBucketTags, awstest.AccountRegionOptIn)
	ctx := awstest.Context(t, 60*time.Second)
	cfg := b.Config()
	bareOrg(t, ctx, b)
	org := orgsdk.NewFromConfig(cfg)
	dev := createAccount(t, ctx, org, "reg-dev", "reg-dev@example.com")
	prod := createAccount(t, ctx, org, "reg-prod", "reg-prod@example.com")
	locked := createAccount(t, ctx, org, "reg-locked", "reg-locked@example.com")

	// Trusted access for CloudFormation StackSets with dev as its administrator, and
	// centralized root credentials management.
	for _, p := range []string{organizations.ServiceStackSets, organizations.ServiceIAM, organizations.ServiceAccountManagement} {
		_, err := org.EnableAWSServiceAccess(ctx, &orgsdk.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)})
		require.NoError(t, err)
	}
	_, err := org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: aws.String(dev), ServicePrincipal: aws.String(organizations.ServiceStackSets)})
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg).EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
	require.NoError(t, err)

	// A security contact for dev and an opt-in Region in prod (its
	// enabling takes hours on AWS: adopted as it is, not waited for).
	acct := accountsdk.NewFromConfig(cfg)
	_, err = acct.PutAlternateContact(ctx, &accountsdk.PutAlternateContactInput{AccountId: aws.String(dev), AlternateContactType: accttypes.AlternateContactTypeSecurity,
		Name: aws.String("Sec Ops"), Title: aws.String("Security"), EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("+1 555 0100")})
	require.NoError(t, err)
	_, err = acct.EnableRegion(ctx, &accountsdk.EnableRegionInput{AccountId: aws.String(prod), RegionName: aws.String("af-south-1")})
	require.NoError(t, err)

	// A state backend the library made in dev (named by a pattern), one
	// tagged as the library's in the management account (found without a
	// pattern), a hand-made bucket a pattern names in prod with
	// versioning only, and a bucket no pattern names.
	devCfg, err := organizations.AccountConfig(ctx, cfg, dev, organizations.DefaultRoleName)
	require.NoError(t, err)
	_, err = statebackend.Bootstrap(ctx, statebackend.API{S3: s3.NewFromConfig(devCfg), DynamoDB: dynamodb.NewFromConfig(devCfg)}, statebackend.Spec{
		Bucket: "reg-dev-tfstate", Region: "eu-west-1", LockTable: "reg-dev-locks", Locking: statebackend.LockDynamoDB,
		NoncurrentVersionsToKeep: 10, Tags: map[string]string{"team": "platform", foundation.ManagedByTagKey: foundation.ManagedByTagValue}}, awstest.Fast()...)
	require.NoError(t, err)
	_, err = statebackend.Bootstrap(ctx, statebackend.API{S3: s3.NewFromConfig(cfg)}, statebackend.Spec{
		Bucket: "reg-management-state", Region: "us-east-1", Tags: map[string]string{foundation.ManagedByTagKey: foundation.ManagedByTagValue}}, awstest.Fast()...)
	require.NoError(t, err)
	// Someone else's lock table beside dev's backend: not taken for the
	// library's bucket's.
	_, err = dynamodb.NewFromConfig(devCfg, func(o *dynamodb.Options) { o.Region = "eu-west-1" }).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("someone-elses-locks"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}})
	require.NoError(t, err)
	prodCfg, err := organizations.AccountConfig(ctx, cfg, prod, organizations.DefaultRoleName)
	require.NoError(t, err)
	prodS3 := s3.NewFromConfig(prodCfg)
	for _, name := range []string{"legacy-terraform-state-prod", "reg-prod-assets", "reg-prod-private"} {
		_, err = prodS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		require.NoError(t, err)
	}
	_, err = prodS3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("legacy-terraform-state-prod"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	// A bucket whose tags the role may not read (a bucket policy's Deny
	// on AWS; the emulator does not evaluate bucket policies, so a
	// fault on prod's third GetBucketTagging, the buckets' in name
	// order): that bucket only is skipped, the rest of the account read.
	b.RequireEmulator(t, awstest.CapFaults).AddFault(&emulator.Fault{Match: emulator.Match{Service: "s3", Operation: "GetBucketTagging", Account: prod}, Nth: 3,
		Err: &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "Access Denied"}})
	// The locked account's access role trusts someone else only.
	lockedCfg, err := organizations.AccountConfig(ctx, cfg, locked, organizations.DefaultRoleName)
	require.NoError(t, err)
	_, err = iam.NewFromConfig(lockedCfg).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(organizations.DefaultRoleName),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)

	f, err := adopt.Read(ctx, adopt.NewReadAPI(cfg), adopt.ReadSpec{StateBucketPatterns: []string{"*-tfstate", "legacy-terraform-state-*"}}, awstest.Fast()...)
	require.NoError(t, err)
	require.Contains(t, f.Services, adopt.Service{Principal: organizations.ServiceStackSets, DelegatedAdministrators: []string{"reg-dev@example.com"}})
	require.Contains(t, f.Services, adopt.Service{Principal: organizations.ServiceIAM})
	require.Equal(t, &adopt.RootAccess{Features: []string{"RootCredentialsManagement"}}, f.RootAccess)
	for _, a := range f.Accounts {
		switch a.Email {
		case "reg-dev@example.com":
			require.Equal(t, &adopt.Contacts{Security: &adopt.Contact{Name: "Sec Ops", Title: "Security", Email: "sec@example.com", Phone: "+1 555 0100"}}, a.Contacts)
		case "reg-prod@example.com":
			require.Equal(t, []string{"af-south-1"}, a.Regions)
		}
	}
	var mgmtEmail string
	for _, a := range f.Accounts {
		if a.Management {
			mgmtEmail = a.Email
		}
	}
	require.ElementsMatch(t, []adopt.StateBackend{
		{Account: "reg-dev@example.com", Bucket: "reg-dev-tfstate", Region: "eu-west-1", LockTable: "reg-dev-locks", NoncurrentVersionsToKeep: 10, Tags: map[string]string{"team": "platform"}},
		{Account: mgmtEmail, Bucket: "reg-management-state", Region: "us-east-1"},
	}, f.StateBackends)
	var skipped []string
	for _, s := range f.Skipped {
		skipped = append(skipped, s.Resource+" "+s.ID)
		switch s.ID {
		case "legacy-terraform-state-prod":
			require.Contains(t, s.Reason, "converging it would update s3:bucket-lifecycle, update s3:bucket-policy")
		case "reg-prod-private":
			require.Contains(t, s.Reason, "its tags could not be read, so whether it is a state backend cannot be told: ")
		case "someone-elses-locks":
			require.Contains(t, s.Reason, "a lock table (someone else's) in eu-west-1, where 0 state buckets and 1 lock tables are someone else's")
		case "reg-locked@example.com":
			require.Contains(t, s.Reason, "its state backends were not read: ")
			require.Contains(t, s.Reason, "AccessDenied")
		}
	}
	require.ElementsMatch(t, []string{"s3:bucket legacy-terraform-state-prod", "organizations:account reg-locked@example.com", "dynamodb:table someone-elses-locks", "s3:bucket reg-prod-private"}, skipped)

	// Through the file: a dry run plans nothing, a run writes nothing.
	text, err := yaml.Marshal(f)
	require.NoError(t, err)
	require.True(t, strings.Contains(string(text), "delegatedAdministrators:") && strings.Contains(string(text), "stateBackends:") && strings.Contains(string(text), "rootAccess:"), string(text))
	var back adopt.Foundation
	require.NoError(t, yaml.Unmarshal(text, &back))
	api := adopt.NewConvergeAPI(cfg)
	mark := b.Mark()
	plan, err := adopt.Converge(ctx, api, &back, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, plan.Changes)
	res, err := adopt.Converge(ctx, api, &back, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, res.Changes)
	b.RequireNoMutations(t, mark)

	// A name edited in the file is converged with the Account Management
	// API (Organizations cannot rename), once.
	renamed := back
	renamed.Accounts = append([]adopt.Account(nil), back.Accounts...)
	for i := range renamed.Accounts {
		if renamed.Accounts[i].Email == "reg-prod@example.com" {
			renamed.Accounts[i].Name = "reg-production"
		}
	}
	plan, err = adopt.Converge(ctx, api, &renamed, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	res, err = adopt.Converge(ctx, api, &renamed, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, plan.Changes.String(), res.Changes.String())
	require.Len(t, res.Changes, 1, res.Changes.String())
	require.Equal(t, account.ResAccountName, res.Changes[0].Resource)
	require.Equal(t, []string{prod}, res.Accounts)
	d, err := org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: aws.String(prod)})
	require.NoError(t, err)
	require.Equal(t, "reg-production", aws.ToString(d.Account.Name))
	mark = b.Mark()
	res, err = adopt.Converge(ctx, api, &renamed, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, res.Changes)
	b.RequireNoMutations(t, mark)
	back = renamed

	// An administrator registered behind the file's back is reported, as
	// the library reports it, and nothing is written.
	_, err = org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: aws.String(prod), ServicePrincipal: aws.String(organizations.ServiceStackSets)})
	require.NoError(t, err)
	mark = b.Mark()
	_, err = adopt.Converge(ctx, api, &back, awstest.Fast()...)
	var unexpected *organizations.UnexpectedDelegatedAdministratorError
	require.ErrorAs(t, err, &unexpected)
	require.Equal(t, prod, unexpected.Findings[0].AccountID)
	b.RequireNoMutations(t, mark)
}

// TestAdoptIdentityCenterInstanceSettings: an instance encrypted by hand
// with a customer managed multi-Region key and replicated to a second
// Region is read with both, and converges with no change and no write.
func TestAdoptIdentityCenterInstanceSettings(t *testing.T) {
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenterExternalIdP: true}))
	b.Require(t, awstest.CapEmulatorOptions, awstest.CapFreshState) // the external IdP is a console step
	b.Need(t, awstest.SSOInstanceEncryption)
	ctx := awstest.Context(t, 30*time.Second)
	cfg := b.Config()
	bareOrg(t, ctx, b)
	instARN, _, err := b.RequireEmulator(t, awstest.CapEmulatorState).EnableIdentityCenter()
	require.NoError(t, err)
	mgmt := b.AccountID(t)
	kc := kmssdk.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kmssdk.CreateKeyInput{MultiRegion: aws.Bool(true), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"IdentityCenter","Effect":"Allow","Principal":{"Service":["sso.amazonaws.com","identitystore.amazonaws.com"]},` +
		`"Action":["kms:Decrypt","kms:ReEncryptTo","kms:ReEncryptFrom","kms:GenerateDataKeyWithoutPlaintext","kms:DescribeKey"],"Resource":"*"}]}`)})
	require.NoError(t, err)
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	_, err = kc.ReplicateKey(ctx, &kmssdk.ReplicateKeyInput{KeyId: key.KeyMetadata.KeyId, ReplicaRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	sso := ssoadmin.NewFromConfig(cfg)
	_, err = sso.UpdateInstance(ctx, &ssoadmin.UpdateInstanceInput{InstanceArn: aws.String(instARN),
		EncryptionConfiguration: &ssotypes.EncryptionConfiguration{KeyType: ssotypes.KmsKeyTypeCustomerManagedKey, KmsKeyArn: aws.String(keyARN)}})
	require.NoError(t, err)
	for {
		d, err := sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(instARN)})
		require.NoError(t, err)
		if d.EncryptionConfigurationDetails.EncryptionStatus == ssotypes.KmsKeyStatusEnabled {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err = sso.AddRegion(ctx, &ssoadmin.AddRegionInput{InstanceArn: aws.String(instARN), RegionName: aws.String("eu-west-1")})
	require.NoError(t, err)
	for {
		r, err := sso.DescribeRegion(ctx, &ssoadmin.DescribeRegionInput{InstanceArn: aws.String(instARN), RegionName: aws.String("eu-west-1")})
		require.NoError(t, err)
		if r.Status == ssotypes.RegionStatusActive {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	f, err := adopt.Read(ctx, adopt.NewReadAPI(cfg), adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	require.NotNil(t, f.IdentityCenter)
	require.Equal(t, keyARN, f.IdentityCenter.KMSKeyARN)
	require.Equal(t, []string{"eu-west-1"}, f.IdentityCenter.Regions)
	text, err := yaml.Marshal(f)
	require.NoError(t, err)
	var back adopt.Foundation
	require.NoError(t, yaml.Unmarshal(text, &back))
	mark := b.Mark()
	plan, err := adopt.Converge(ctx, adopt.NewConvergeAPI(cfg), &back, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, plan.Changes)
	res, err := adopt.Converge(ctx, adopt.NewConvergeAPI(cfg), &back, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, res.Changes)
	b.RequireNoMutations(t, mark)
}

// TestReadStoppedIsAnError: an account whose clients cannot be made
// because the read was stopped is not skipped as the account's doing: Read
// returns the context's error.
func TestReadStoppedIsAnError(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	bareOrg(t, ctx, b)
	stopped, stop := context.WithCancel(ctx)
	defer stop()
	api := readAPI(b)
	api.Account = nil
	api.InAccount = func(ctx context.Context, _ string, _ bool) (adopt.AccountReadAPI, error) {
		stop()
		return adopt.AccountReadAPI{}, ctx.Err()
	}
	_, err := adopt.Read(stopped, api, adopt.ReadSpec{}, awstest.Fast()...)
	require.ErrorIs(t, err, context.Canceled)
}

// TestReadWithAccessRole: member accounts are read through the role
// WithAccessRole names (a Control Tower landing zone's, say); an account
// without it is skipped, naming the role.
func TestReadWithAccessRole(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.IAMManagedPolicies)
	ctx := awstest.Context(t, 30*time.Second)
	cfg := b.Config()
	bareOrg(t, ctx, b)
	member := createAccount(t, ctx, orgsdk.NewFromConfig(cfg), "ct-member", "ct-member@example.com")
	const role = "AWSControlTowerExecution"
	api := adopt.NewReadAPI(cfg, adopt.WithAccessRole(role))
	api.Account = nil
	f, err := adopt.Read(ctx, api, adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	require.Len(t, f.Skipped, 1)
	require.Equal(t, "ct-member@example.com", f.Skipped[0].ID)
	require.Contains(t, f.Skipped[0].Reason, "role/"+role)

	// The role made, trusting the management account: read through it.
	memberCfg, err := organizations.AccountConfig(ctx, cfg, member, organizations.DefaultRoleName)
	require.NoError(t, err)
	_, err = iam.NewFromConfig(memberCfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b.AccountID(t) + `:root"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)
	_, err = iam.NewFromConfig(memberCfg).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	require.NoError(t, err)
	f, err = adopt.Read(ctx, api, adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, f.Skipped)
}
