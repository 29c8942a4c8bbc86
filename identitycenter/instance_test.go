package identitycenter_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// keyPolicy lets the account administer the key and IAM Identity Center
// use it, as the user guide's baseline key policy does.
func keyPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"IdentityCenter","Effect":"Allow","Principal":{"Service":["sso.amazonaws.com","identitystore.amazonaws.com"]},` +
		`"Action":["kms:Decrypt","kms:ReEncryptTo","kms:ReEncryptFrom","kms:GenerateDataKeyWithoutPlaintext","kms:DescribeKey"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

// TestEnsureInstanceSettings encrypts the instance with a customer managed
// multi-Region key and replicates it to a second Region, reads both back,
// and reruns with zero mutating calls.
func TestEnsureInstanceSettings(t *testing.T) {
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenterExternalIdP: true}))
	b.Require(t, awstest.CapEmulatorOptions) // the external IdP is a console step
	b.Need(t, awstest.SSOInstanceEncryption)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	kc := kmssdk.NewFromConfig(b.Config())
	key, err := kc.CreateKey(ctx, &kmssdk.CreateKeyInput{MultiRegion: aws.Bool(true), Policy: aws.String(keyPolicy(o.mgmt)), Description: aws.String("identity center")})
	require.NoError(t, err)
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	_, err = kc.ReplicateKey(ctx, &kmssdk.ReplicateKeyInput{KeyId: key.KeyMetadata.KeyId, ReplicaRegion: aws.String("eu-west-1")})
	require.NoError(t, err)

	spec := identitycenter.InstanceSettingsSpec{KMSKeyARN: keyARN, Regions: []string{"eu-west-1"}}
	api := SSOAdmin(b)
	dry := b.Mark()
	plan, err := identitycenter.EnsureInstanceSettings(ctx, api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	b.RequireNoMutations(t, dry)
	require.Equal(t, []string{"update sso:instance-encryption", "create sso:instance-region"}, kinds(plan.Changes))

	got, err := identitycenter.EnsureInstanceSettings(ctx, api, spec, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, kinds(plan.Changes), kinds(got.Changes), "the dry run plans what the run does")
	require.Equal(t, keyARN, got.KMSKeyARN)
	require.Equal(t, []string{"eu-west-1"}, got.Regions)

	// Read back from AWS.
	d, err := api.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(o.instanceARN)})
	require.NoError(t, err)
	require.Equal(t, ssotypes.KmsKeyTypeCustomerManagedKey, d.EncryptionConfigurationDetails.KeyType)
	require.Equal(t, keyARN, aws.ToString(d.EncryptionConfigurationDetails.KmsKeyArn))
	require.Equal(t, ssotypes.KmsKeyStatusEnabled, d.EncryptionConfigurationDetails.EncryptionStatus)
	r, err := api.DescribeRegion(ctx, &ssoadmin.DescribeRegionInput{InstanceArn: aws.String(o.instanceARN), RegionName: aws.String("eu-west-1")})
	require.NoError(t, err)
	require.Equal(t, ssotypes.RegionStatusActive, r.Status)
	require.False(t, r.IsPrimaryRegion)

	// A lost answer: the key update was made, its answer lost, the resent
	// request refused while the update runs. The run still converges and
	// reports the change (found from outside: it failed instead).
	e := b.RequireEmulator(t, awstest.CapFaults)
	key2, err := kc.CreateKey(ctx, &kmssdk.CreateKeyInput{MultiRegion: aws.Bool(true), Policy: aws.String(keyPolicy(o.mgmt))})
	require.NoError(t, err)
	_, err = kc.ReplicateKey(ctx, &kmssdk.ReplicateKeyInput{KeyId: key2.KeyMetadata.KeyId, ReplicaRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "sso", Operation: "UpdateInstance"}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	spec2 := identitycenter.InstanceSettingsSpec{KMSKeyARN: aws.ToString(key2.KeyMetadata.Arn), Regions: []string{"eu-west-1"}}
	lost, err := identitycenter.EnsureInstanceSettings(ctx, api, spec2, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, []string{"update sso:instance-encryption"}, kinds(lost.Changes))
	spec = spec2

	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		res, err := identitycenter.EnsureInstanceSettings(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return res.Changes, nil
	})

	// Pruning removes a Region the spec no longer lists.
	pruned, err := identitycenter.EnsureInstanceSettings(ctx, api, identitycenter.InstanceSettingsSpec{KMSKeyARN: spec.KMSKeyARN, PruneRegions: true}, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, []string{"delete sso:instance-region"}, kinds(pruned.Changes))
	require.Empty(t, pruned.Regions)
}

// TestInstanceSettingsRefusals: what AWS refuses comes back as its typed
// exception, and what the spec gets wrong is refused before any call.
func TestInstanceSettingsRefusals(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapEmulatorOptions)
	b.Need(t, awstest.SSOInstanceEncryption)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	kc := kmssdk.NewFromConfig(b.Config())
	api := SSOAdmin(b)

	// A key whose policy does not let Identity Center use it.
	plain, err := kc.CreateKey(ctx, &kmssdk.CreateKeyInput{})
	require.NoError(t, err)
	_, err = identitycenter.EnsureInstanceSettings(ctx, api, identitycenter.InstanceSettingsSpec{KMSKeyARN: aws.ToString(plain.KeyMetadata.Arn)}, awstest.Fast()...)
	var denied *ssotypes.AccessDeniedException
	require.True(t, errors.As(err, &denied), "%v", err)
	require.Equal(t, ssotypes.AccessDeniedExceptionReasonKmsAccessDeniedException, denied.Reason)

	// Replication without an external identity provider.
	key, err := kc.CreateKey(ctx, &kmssdk.CreateKeyInput{MultiRegion: aws.Bool(true), Policy: aws.String(keyPolicy(o.mgmt))})
	require.NoError(t, err)
	_, err = kc.ReplicateKey(ctx, &kmssdk.ReplicateKeyInput{KeyId: key.KeyMetadata.KeyId, ReplicaRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	_, err = identitycenter.EnsureInstanceSettings(ctx, api, identitycenter.InstanceSettingsSpec{KMSKeyARN: aws.ToString(key.KeyMetadata.Arn), Regions: []string{"eu-west-1"}}, awstest.Fast()...)
	var invalid *ssotypes.ValidationException
	require.True(t, errors.As(err, &invalid), "%v", err)
	var inc *foundation.IncompleteError
	require.True(t, errors.As(err, &inc), "the key was set before the Region failed")
	require.Equal(t, []string{"update sso:instance-encryption"}, kinds(inc.Changes))

	// Bad input: every fault, no call.
	mark := b.Mark()
	_, err = identitycenter.EnsureInstanceSettings(ctx, api, identitycenter.InstanceSettingsSpec{
		KMSKeyARN: "alias/identity-center", Regions: []string{"eu-west-1", "Mars", "eu-west-1"}}, awstest.Fast()...)
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	for _, want := range []string{"spec.KMSKeyARN: \"alias/identity-center\": must be a KMS key ARN", "spec.Regions[1]: \"Mars\"", "spec.Regions[2]: \"eu-west-1\": is listed twice", "must be a multi-Region key"} {
		require.ErrorContains(t, err, want)
	}
	b.RequireNoCalls(t, mark)
}

func kinds(cs foundation.Changes) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource)
	}
	return out
}
