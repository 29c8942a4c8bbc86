package kms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// createServiceLinkedRole creates a service-linked role through the IAM
// API (path /aws-service-role/SERVICE/), acting as the account's root.
func createServiceLinkedRole(t *testing.T, srv *emulator.Server, account, service string) string {
	t.Helper()
	out, err := iam.NewFromConfig(emutest.Config(srv, account)).CreateServiceLinkedRole(context.Background(),
		&iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
	require.NoError(t, err)
	return aws.ToString(out.Role.Arn)
}

func TestKMSCreateDescribeAndAliases(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")

	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("state bucket key"),
		Tags: []types.Tag{{TagKey: aws.String("Project"), TagValue: aws.String("myapp")}}})
	require.NoError(t, err)
	md := out.KeyMetadata
	id := aws.ToString(md.KeyId)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	arn := "arn:aws:kms:us-east-1:" + emulator.DefaultManagementAccountID + ":key/" + id
	require.Equal(t, arn, aws.ToString(md.Arn))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(md.AWSAccountId))
	require.Equal(t, types.KeyStateEnabled, md.KeyState)
	require.True(t, md.Enabled)
	require.Equal(t, types.KeyManagerTypeCustomer, md.KeyManager)
	require.Equal(t, types.OriginTypeAwsKms, md.Origin)
	require.Equal(t, types.KeySpecSymmetricDefault, md.KeySpec)
	require.Equal(t, types.KeyUsageTypeEncryptDecrypt, md.KeyUsage)
	require.Equal(t, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault}, md.EncryptionAlgorithms)
	require.False(t, aws.ToBool(md.MultiRegion))
	require.NotNil(t, md.CreationDate)
	require.Nil(t, md.DeletionDate)

	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/myapp/state"), TargetKeyId: aws.String(id)})
	require.NoError(t, err)
	for _, ref := range []string{id, arn, "alias/myapp/state", "arn:aws:kms:us-east-1:" + emulator.DefaultManagementAccountID + ":alias/myapp/state"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		require.NoError(t, err, ref)
		require.Equal(t, id, aws.ToString(d.KeyMetadata.KeyId))
		require.Equal(t, "state bucket key", aws.ToString(d.KeyMetadata.Description))
	}

	// Alias errors.
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/myapp/state"), TargetKeyId: aws.String(id)})
	var exists *types.AlreadyExistsException
	require.True(t, errors.As(err, &exists), "%v", err)
	for bad, code := range map[string]string{
		"alias/aws/mine":  "NotAuthorizedException",
		"myapp":           "ValidationException",
		"alias/has space": "ValidationException",
		"alias/colon:x":   "InvalidAliasNameException",
	} {
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(bad), TargetKeyId: aws.String(id)})
		emutest.RequireCode(t, err, code)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/other"),
		TargetKeyId: aws.String("00000000-0000-4000-8000-000000000000")})
	var notFound *types.NotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/nope")})
	emutest.RequireCode(t, err, "NotFoundException")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:bad")})
	emutest.RequireCode(t, err, "InvalidArnException")
	// Key-management operations take key IDs and key ARNs, not aliases.
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String("alias/myapp/state")})
	emutest.RequireCode(t, err, "NotFoundException")
	// Another region's key is not found.
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}, func(o *kms.Options) { o.Region = "eu-west-1" })
	emutest.RequireCode(t, err, "NotFoundException")

	// UpdateAlias moves the alias; ListAliases filters by key.
	k2, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("second")})
	require.NoError(t, err)
	id2 := aws.ToString(k2.KeyMetadata.KeyId)
	require.NotEqual(t, id, id2)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/second"), TargetKeyId: aws.String(id2)})
	require.NoError(t, err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/myapp/state"), TargetKeyId: aws.String(id2)})
	require.NoError(t, err)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/myapp/state")})
	require.NoError(t, err)
	require.Equal(t, id2, aws.ToString(d.KeyMetadata.KeyId))
	rsa, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	require.NoError(t, err)
	require.Contains(t, rsa.KeyMetadata.SigningAlgorithms, types.SigningAlgorithmSpecRsassaPssSha256)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/second"), TargetKeyId: rsa.KeyMetadata.KeyId})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/nope"), TargetKeyId: aws.String(id2)})
	emutest.RequireCode(t, err, "NotFoundException")

	var names []string
	p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{KeyId: aws.String(id2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Aliases {
			require.Equal(t, id2, aws.ToString(a.TargetKeyId))
			require.Equal(t, "arn:aws:kms:us-east-1:"+emulator.DefaultManagementAccountID+":"+aws.ToString(a.AliasName), aws.ToString(a.AliasArn))
			names = append(names, aws.ToString(a.AliasName))
		}
	}
	require.Equal(t, []string{"alias/myapp/state", "alias/second"}, names)

	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/second")})
	require.NoError(t, err)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/second")})
	emutest.RequireCode(t, err, "NotFoundException")

	// Key spec and usage validation.
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256})
	emutest.RequireCode(t, err, "ValidationException")
	hmac, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	require.NoError(t, err)
	require.Equal(t, []types.MacAlgorithmSpec{types.MacAlgorithmSpecHmacSha256}, hmac.KeyMetadata.MacAlgorithms)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(strings.Repeat("d", 8193))})
	emutest.RequireCode(t, err, "ValidationException")
	mrk, err := c.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	require.NoError(t, err)
	require.Regexp(t, `^mrk-[0-9a-f]{32}$`, aws.ToString(mrk.KeyMetadata.KeyId))
	require.Equal(t, types.MultiRegionKeyTypePrimary, mrk.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType)
}

func TestKMSListKeysPaginates(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(fmt.Sprint("key ", i))})
		require.NoError(t, err)
		want[aws.ToString(out.KeyMetadata.KeyId)] = true
	}
	first, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	require.NoError(t, err)
	require.Len(t, first.Keys, 2)
	require.True(t, first.Truncated)
	require.NotEmpty(t, aws.ToString(first.NextMarker))

	got := map[string]bool{}
	pages := 0
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, k := range page.Keys {
			require.Equal(t, "arn:aws:kms:us-east-1:"+emulator.DefaultManagementAccountID+":key/"+aws.ToString(k.KeyId), aws.ToString(k.KeyArn))
			got[aws.ToString(k.KeyId)] = true
		}
	}
	require.Equal(t, want, got)
	require.Equal(t, 3, pages)

	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("!!not-a-marker")})
	var bad *types.InvalidMarkerException
	require.True(t, errors.As(err, &bad), "%v", err)

	// Keys are per account and region.
	require.NoError(t, srv.AddAccount(emutest.Member))
	other, err := emutest.NewKMS(srv, emutest.Member).ListKeys(ctx, &kms.ListKeysInput{})
	require.NoError(t, err)
	require.Empty(t, other.Keys)
	west, err := c.ListKeys(ctx, &kms.ListKeysInput{}, func(o *kms.Options) { o.Region = "eu-west-1" })
	require.NoError(t, err)
	require.Empty(t, west.Keys)
}

func TestKMSKeyRotation(t *testing.T) {
	now := emutest.TimeFixed
	srv := emutest.Start(t, emulator.Options{Clock: func() time.Time { return now }})
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	id := k.KeyMetadata.KeyId

	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	require.NoError(t, err)
	require.False(t, st.KeyRotationEnabled)
	require.Nil(t, st.RotationPeriodInDays)

	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
	require.NoError(t, err)
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	require.NoError(t, err)
	require.True(t, st.KeyRotationEnabled)
	require.EqualValues(t, 365, aws.ToInt32(st.RotationPeriodInDays))
	require.Equal(t, aws.ToString(id), aws.ToString(st.KeyId))

	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(180)})
	require.NoError(t, err)
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyMetadata.Arn})
	require.NoError(t, err)
	require.EqualValues(t, 180, aws.ToInt32(st.RotationPeriodInDays))
	require.True(t, emutest.TimeFixed.Add(180*24*time.Hour).Equal(aws.ToTime(st.NextRotationDate)), "%v", st.NextRotationDate)

	for _, days := range []int32{89, 2561} {
		_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(days)})
		emutest.RequireCode(t, err, "ValidationException")
	}

	_, err = c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
	require.NoError(t, err)
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	require.NoError(t, err)
	require.False(t, st.KeyRotationEnabled)

	// Only symmetric encryption keys rotate automatically.
	rsa, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa4096, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	require.NoError(t, err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: rsa.KeyMetadata.KeyId})
	var unsupported *types.UnsupportedOperationException
	require.True(t, errors.As(err, &unsupported), "%v", err)

	// A disabled key cannot have its rotation changed.
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
	require.NoError(t, err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
	var disabled *types.DisabledException
	require.True(t, errors.As(err, &disabled), "%v", err)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, types.KeyStateDisabled, d.KeyMetadata.KeyState)
	require.False(t, d.KeyMetadata.Enabled)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	require.NoError(t, err)
}

func TestKMSKeyPolicy(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	id := k.KeyMetadata.KeyId

	// The default key policy gives the account (through IAM) every KMS action.
	got, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, "default", aws.ToString(got.PolicyName))
	var def struct {
		Version   string
		Id        string
		Statement []struct {
			Sid       string
			Effect    string
			Principal struct{ AWS string }
			Action    string
			Resource  string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Policy)), &def))
	require.Equal(t, "2012-10-17", def.Version)
	require.Equal(t, "key-default-1", def.Id)
	require.Len(t, def.Statement, 1)
	require.Equal(t, "Enable IAM User Permissions", def.Statement[0].Sid)
	require.Equal(t, "Allow", def.Statement[0].Effect)
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":root", def.Statement[0].Principal.AWS)
	require.Equal(t, "kms:*", def.Statement[0].Action)
	require.Equal(t, "*", def.Statement[0].Resource)

	names, err := c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, []string{"default"}, names.PolicyNames)
	_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("other")})
	emutest.RequireCode(t, err, "NotFoundException")

	// The lesson learned: a key policy naming the Auto Scaling service-linked
	// role is refused until the role exists.
	root := "arn:aws:iam::" + emulator.DefaultManagementAccountID + ":root"
	withSLR := emutest.KeyPolicy([2]string{root, "kms:*"}, [2]string{emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID), "kms:Decrypt"})
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(withSLR)})
	var malformed *types.MalformedPolicyDocumentException
	require.True(t, errors.As(err, &malformed), "%v", err)
	require.Equal(t, "Policy contains a statement with one or more invalid principals.", malformed.ErrorMessage())
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(withSLR)})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	// A role of the same name on another path is not the service-linked role.
	_, err = srv.CreateRole(emulator.DefaultManagementAccountID, emutest.AutoScalingSLR, emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	require.NoError(t, err)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(withSLR)})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	_, err = iam.NewFromConfig(emutest.Config(srv, emulator.DefaultManagementAccountID)).DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(emutest.AutoScalingSLR)})
	require.NoError(t, err)

	require.Equal(t, emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID),
		createServiceLinkedRole(t, srv, emulator.DefaultManagementAccountID, "autoscaling.amazonaws.com"))
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(withSLR)})
	require.NoError(t, err)
	got, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")})
	require.NoError(t, err)
	require.Equal(t, withSLR, aws.ToString(got.Policy))
	k2, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(withSLR)})
	require.NoError(t, err)
	got, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k2.KeyMetadata.KeyId})
	require.NoError(t, err)
	require.Equal(t, withSLR, aws.ToString(got.Policy))

	// Roles of other accounts must exist too.
	require.NoError(t, srv.AddAccount(emutest.Member))
	cross := emutest.KeyPolicy([2]string{root, "kms:*"}, [2]string{"arn:aws:iam::" + emutest.Member + ":role/Deployer", "kms:Decrypt"})
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(cross)})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	_, err = srv.CreateRole(emutest.Member, "Deployer", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	require.NoError(t, err)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(cross)})
	require.NoError(t, err)
	// Users do not exist in the emulator's accounts; principals in accounts
	// the emulator does not have cannot be checked and are accepted.
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(emutest.KeyPolicy([2]string{root, "kms:*"},
		[2]string{"arn:aws:iam::" + emutest.Member + ":user/alice", "kms:Decrypt"}))})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(emutest.KeyPolicy([2]string{root, "kms:*"},
		[2]string{"arn:aws:iam::999999999999:role/External", "kms:Decrypt"}, [2]string{"arn:aws:iam::999999999999:user/bob", "kms:Decrypt"}))})
	require.NoError(t, err)
	// Accounts, account roots, "*" and service principals need no lookup.
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"` + emulator.DefaultManagementAccountID + `"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root","*"]},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"999999999999"}}},
		{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"kms:Encrypt*","Resource":"*"}]}`)})
	require.NoError(t, err)

	// Malformed documents.
	for _, bad := range []string{
		`not json`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`,                       // no principal
		`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}]}`,       // bad effect
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Resource":"*"}]}`,                        // no action
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","X":1}]}`, // unknown element
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emulator.DefaultManagementAccountID + `:group/admins"},"Action":"kms:*","Resource":"*"}]}`,
	} {
		_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(bad)})
		emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(emutest.KeyPolicy([2]string{root, "kms:*"})),
		PolicyName: aws.String("custom")})
	emutest.RequireCode(t, err, "NotFoundException")
	huge := emutest.KeyPolicy([2]string{root, "kms:*"})
	huge = strings.Replace(huge, `"Grant0"`, `"`+strings.Repeat("a", 33000)+`"`, 1)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(huge)})
	emutest.RequireCode(t, err, "LimitExceededException")

	// The policy lockout safety check: the caller must keep kms:PutKeyPolicy.
	lockout := emutest.KeyPolicy([2]string{emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID), "kms:*"})
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(lockout)})
	require.True(t, errors.As(err, &malformed), "%v", err)
	require.Contains(t, malformed.ErrorMessage(), "will not allow you to update the key policy")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(lockout)})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	denied := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"kms:Put*","Resource":"*"}]}`
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(denied)})
	emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	narrow := emutest.KeyPolicy([2]string{root, "kms:PutKeyPolicy"})
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(narrow)})
	require.NoError(t, err)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(lockout), BypassPolicyLockoutSafetyCheck: true})
	require.NoError(t, err)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(lockout), BypassPolicyLockoutSafetyCheck: true})
	require.NoError(t, err)
}

func TestKMSAssumedRoleLockoutAndCrossAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddMemberAccount(emutest.Member, "OrganizationAccountAccessRole"))
	assumed, err := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + emutest.Member + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("deploy")})
	require.NoError(t, err)
	cfg := emutest.Config(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(assumed.Credentials.AccessKeyId),
		aws.ToString(assumed.Credentials.SecretAccessKey), aws.ToString(assumed.Credentials.SessionToken))
	mc := kms.NewFromConfig(cfg)

	// A policy granting the session's role keeps the session able to update it.
	roleARN := "arn:aws:iam::" + emutest.Member + ":role/OrganizationAccountAccessRole"
	k, err := mc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(emutest.KeyPolicy([2]string{roleARN, "kms:*"}))})
	require.NoError(t, err)
	require.Equal(t, emutest.Member, aws.ToString(k.KeyMetadata.AWSAccountId))

	// The management account can describe the member's key by ARN only when
	// the key policy lets it.
	mgmt := emutest.NewKMS(srv, "AKIDEXAMPLE")
	_, err = mgmt.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyMetadata.Arn})
	emutest.RequireCode(t, err, "AccessDeniedException")
	_, err = mc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: k.KeyMetadata.KeyId, Policy: aws.String(emutest.KeyPolicy(
		[2]string{roleARN, "kms:*"}, [2]string{"arn:aws:iam::" + emulator.DefaultManagementAccountID + ":root", "kms:Describe*"}))})
	require.NoError(t, err)
	d, err := mgmt.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyMetadata.Arn})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(k.KeyMetadata.KeyId), aws.ToString(d.KeyMetadata.KeyId))
	_, err = mgmt.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyMetadata.Arn})
	emutest.RequireCode(t, err, "AccessDeniedException")
	// By bare key ID the key is looked up in the caller's own account.
	_, err = mgmt.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyMetadata.KeyId})
	emutest.RequireCode(t, err, "NotFoundException")
}

func TestKMSTagsAndDeletion(t *testing.T) {
	now := emutest.TimeFixed
	srv := emutest.Start(t, emulator.Options{Clock: func() time.Time { return now }})
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{
		{TagKey: aws.String("Project"), TagValue: aws.String("myapp")},
		{TagKey: aws.String("Env"), TagValue: aws.String("prod")},
	}})
	require.NoError(t, err)
	id := k.KeyMetadata.KeyId

	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{
		{TagKey: aws.String("Owner"), TagValue: aws.String("platform")},
		{TagKey: aws.String("Env"), TagValue: aws.String("staging")},
	}})
	require.NoError(t, err)
	tags := map[string]string{}
	p := kms.NewListResourceTagsPaginator(c, &kms.ListResourceTagsInput{KeyId: id})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Tags), 2)
		for _, tg := range page.Tags {
			tags[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
		}
	}
	require.Equal(t, map[string]string{"Project": "myapp", "Env": "staging", "Owner": "platform"}, tags)
	_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"Owner", "Missing"}})
	require.NoError(t, err)
	lt, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(50)})
	require.NoError(t, err)
	require.Len(t, lt.Tags, 2)
	require.False(t, lt.Truncated)

	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("aws:owner"), TagValue: aws.String("x")}}})
	var tagErr *types.TagException
	require.True(t, errors.As(err, &tagErr), "%v", err)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String(strings.Repeat("k", 129)), TagValue: aws.String("x")}}})
	emutest.RequireCode(t, err, "TagException")
	var many []types.Tag
	for i := 0; i < 49; i++ {
		many = append(many, types.Tag{TagKey: aws.String(fmt.Sprint("k", i)), TagValue: aws.String("v")})
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: many})
	emutest.RequireCode(t, err, "LimitExceededException")

	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: id})
	require.NoError(t, err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
	require.NoError(t, err)

	// Scheduling deletion.
	for _, days := range []int32{6, 31} {
		_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(days)})
		emutest.RequireCode(t, err, "ValidationException")
	}
	del, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(k.KeyMetadata.Arn), aws.ToString(del.KeyId))
	require.Equal(t, types.KeyStatePendingDeletion, del.KeyState)
	require.EqualValues(t, 7, aws.ToInt32(del.PendingWindowInDays))
	require.True(t, emutest.TimeFixed.Add(7*24*time.Hour).Equal(aws.ToTime(del.DeletionDate)))
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, types.KeyStatePendingDeletion, d.KeyMetadata.KeyState)
	require.False(t, d.KeyMetadata.Enabled)
	require.NotNil(t, d.KeyMetadata.DeletionDate)
	require.EqualValues(t, 7, aws.ToInt32(d.KeyMetadata.PendingDeletionWindowInDays))

	var invalidState *types.KMSInvalidStateException
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	require.True(t, errors.As(err, &invalidState), "%v", err)
	require.Contains(t, invalidState.ErrorMessage(), "is pending deletion")
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/late"), TargetKeyId: id})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	require.NoError(t, err)
	require.False(t, st.KeyRotationEnabled)

	// Canceling leaves the key disabled, with its rotation setting back.
	cancel, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(k.KeyMetadata.Arn), aws.ToString(cancel.KeyId))
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	require.NoError(t, err)
	require.Equal(t, types.KeyStateDisabled, d.KeyMetadata.KeyState)
	require.Nil(t, d.KeyMetadata.DeletionDate)
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	require.NoError(t, err)
	require.True(t, st.KeyRotationEnabled)
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	emutest.RequireCode(t, err, "KMSInvalidStateException")
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	require.NoError(t, err)

	// Once the waiting period ends the key and its aliases are gone.
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id})
	require.NoError(t, err)
	now = now.Add(30 * 24 * time.Hour)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	var notFound *types.NotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)
	aliases, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	require.NoError(t, err)
	require.Empty(t, aliases.Aliases)
	keys, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	require.NoError(t, err)
	require.Empty(t, keys.Keys)
}

// kmsScenario runs the same calls against an emulator, for snapshot checks.
func kmsScenario(t *testing.T, srv *emulator.Server) {
	ctx := context.Background()
	c := emutest.NewKMS(srv, "AKIDEXAMPLE")
	for _, name := range []string{"state", "logs"} {
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(name + " key"),
			Tags: []types.Tag{{TagKey: aws.String("Name"), TagValue: aws.String(name)}}})
		require.NoError(t, err)
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/" + name), TargetKeyId: k.KeyMetadata.KeyId})
		require.NoError(t, err)
		_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId, RotationPeriodInDays: aws.Int32(180)})
		require.NoError(t, err)
	}
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("unaliased")})
	require.NoError(t, err)
}

func TestKMSSnapshotIsDeterministic(t *testing.T) {
	var snaps [][]byte
	for i := 0; i < 2; i++ {
		srv := emutest.Start(t, emulator.Options{})
		kmsScenario(t, srv)
		b, err := srv.Snapshot()
		require.NoError(t, err)
		snaps = append(snaps, b)
	}
	require.Equal(t, string(snaps[0]), string(snaps[1]))
	var snap struct {
		Accounts map[string]struct {
			KMS map[string]struct {
				Keys map[string]struct {
					ID       string          `json:"id"`
					Policy   json.RawMessage `json:"policy"`
					Aliases  []string        `json:"aliases"`
					Rotation struct {
						Enabled      bool `json:"enabled"`
						PeriodInDays int  `json:"periodInDays"`
					} `json:"rotation"`
				} `json:"keys"`
			} `json:"kms"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal(snaps[0], &snap))
	keys := snap.Accounts[emulator.DefaultManagementAccountID].KMS["us-east-1"].Keys
	require.Len(t, keys, 3)
	require.Equal(t, []string{"alias/state"}, keys["alias/state"].Aliases)
	require.True(t, keys["alias/state"].Rotation.Enabled)
	require.Equal(t, 180, keys["alias/logs"].Rotation.PeriodInDays)
	for name, k := range keys {
		if !strings.HasPrefix(name, "alias/") {
			require.Equal(t, k.ID, name)
		}
		var policy struct{ Version string }
		require.NoError(t, json.Unmarshal(k.Policy, &policy), "policy is a JSON object, not a string")
		require.Equal(t, "2012-10-17", policy.Version)
	}
	require.False(t, strings.Contains(string(snaps[0]), "CreationDate"))
}
