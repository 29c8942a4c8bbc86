package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/s3account"
)

// TestLandingZoneSecurityHubControls converges a fresh landing zone and
// reads back, in every account, the AWS Security Hub controls the design
// names (DESIGN.md, "Secure defaults"): S3.1, S3.4, S3.5, S3.8, S3.14,
// KMS.4, ECR.1, ECR.2, ECR.3, DynamoDB.2 and DynamoDB.6: 11 of 11.
func TestLandingZoneSecurityHubControls(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapMemberAccounts)
	spec, _ := seed(t, b)
	_, err := converge(ctx, b, spec, t.TempDir())
	require.NoError(t, err)

	mgmtID := b.AccountID(t)
	ids := map[string]string{"mgmt": mgmtID}
	accounts := kittest.AccountsByName(t, orgsdk.NewFromConfig(b.Config()))
	for _, e := range spec.Environments {
		ids[e.Name] = aws.ToString(accounts[e.Account].Id)
	}
	met := map[string]int{}
	for env, id := range ids {
		cfg := kittest.Config(b, mgmtID, id)
		t.Run(env, func(t *testing.T) {
			checkAccountControls(t, ctx, b, cfg, spec, id, met)
		})
	}
	checkRepositoryControls(t, ctx, b, spec, met)

	want := []string{"S3.1", "S3.4", "S3.5", "S3.8", "S3.14", "KMS.4", "ECR.1", "ECR.2", "ECR.3", "DynamoDB.2", "DynamoDB.6"}
	for _, c := range want {
		require.NotZero(t, met[c], "control %s was never checked", c)
	}
	t.Logf("%d/%d Security Hub controls met, read back in %d accounts", len(met), len(want), len(ids))
}

func checkAccountControls(t *testing.T, ctx context.Context, b *awstest.Backend, cfg aws.Config, spec Spec, id string, met map[string]int) {
	// S3.1: the account-level block public access, all four settings.
	ctl := s3control.NewFromConfig(cfg, s3account.LiteralEndpoint)
	pab, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(id)})
	require.NoError(t, err)
	c := pab.PublicAccessBlockConfiguration
	require.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets), "S3.1")
	met["S3.1"]++

	// The state bucket: S3.4 encryption, S3.5 TLS only, S3.8 its own block
	// public access, S3.14 versioning.
	bucket := spec.backendSpec("", id).Bucket
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	enc, err := s3c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.NotEmpty(t, enc.ServerSideEncryptionConfiguration.Rules, "S3.4")
	require.NotEmpty(t, enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm, "S3.4")
	met["S3.4"]++
	pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	tls := false
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && st.Condition["Bool"]["aws:SecureTransport"] != nil {
			tls = true
		}
	}
	require.True(t, tls, "S3.5: a Deny on aws:SecureTransport false")
	met["S3.5"]++
	bpab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	bc := bpab.PublicAccessBlockConfiguration
	require.True(t, aws.ToBool(bc.BlockPublicAcls) && aws.ToBool(bc.IgnorePublicAcls) && aws.ToBool(bc.BlockPublicPolicy) && aws.ToBool(bc.RestrictPublicBuckets), "S3.8")
	met["S3.8"]++
	ver, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Equal(t, "Enabled", string(ver.Status), "S3.14")
	met["S3.14"]++

	// KMS.4: rotation on every customer managed symmetric key.
	k := kmssdk.NewFromConfig(cfg)
	awsManaged := map[string]bool{} // keys behind the reserved alias/aws/... names (moto reports them as CUSTOMER)
	ap := kmssdk.NewListAliasesPaginator(k, &kmssdk.ListAliasesInput{})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Aliases {
			if strings.HasPrefix(aws.ToString(a.AliasName), "alias/aws/") && a.TargetKeyId != nil {
				awsManaged[aws.ToString(a.TargetKeyId)] = true
			}
		}
	}
	p := kmssdk.NewListKeysPaginator(k, &kmssdk.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, key := range page.Keys {
			d, err := k.DescribeKey(ctx, &kmssdk.DescribeKeyInput{KeyId: key.KeyId})
			require.NoError(t, err)
			m := d.KeyMetadata
			if awsManaged[aws.ToString(key.KeyId)] || m.KeyManager != kmstypes.KeyManagerTypeCustomer || m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyState != kmstypes.KeyStateEnabled {
				continue // KMS.4 applies to enabled customer managed symmetric keys
			}
			rot, err := k.GetKeyRotationStatus(ctx, &kmssdk.GetKeyRotationStatusInput{KeyId: key.KeyId})
			require.NoError(t, err)
			require.True(t, rot.KeyRotationEnabled, "KMS.4: key %s (%s)", aws.ToString(key.KeyId), aws.ToString(m.Description))
			met["KMS.4"]++
		}
	}

	// DynamoDB.2 point-in-time recovery and DynamoDB.6 deletion protection
	// on the lock table (seed 000 locks with both S3 and DynamoDB).
	table := spec.backendSpec("", id).LockTable
	if table == "" {
		return
	}
	ddb := dynamodb.NewFromConfig(cfg)
	pitr, err := ddb.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(table)})
	require.NoError(t, err)
	require.Equal(t, "ENABLED", string(pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus), "DynamoDB.2")
	met["DynamoDB.2"]++
	if b.Lacks(awstest.DynamoDBDeletionProtection) {
		return
	}
	td, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	require.NoError(t, err)
	require.True(t, aws.ToBool(td.Table.DeletionProtectionEnabled), "DynamoDB.6")
	met["DynamoDB.6"]++
}

// ECR.1 scan on push, ECR.2 immutable tags, ECR.3 a lifecycle policy: the
// image repository in the management account.
func checkRepositoryControls(t *testing.T, ctx context.Context, b *awstest.Backend, spec Spec, met map[string]int) {
	e := ecrsdk.NewFromConfig(b.Config())
	out, err := e.DescribeRepositories(ctx, &ecrsdk.DescribeRepositoriesInput{RepositoryNames: []string{spec.Repository}})
	require.NoError(t, err)
	require.Len(t, out.Repositories, 1)
	r := out.Repositories[0]
	require.True(t, r.ImageScanningConfiguration.ScanOnPush, "ECR.1")
	met["ECR.1"]++
	require.Equal(t, "IMMUTABLE", string(r.ImageTagMutability), "ECR.2")
	met["ECR.2"]++
	lp, err := e.GetLifecyclePolicy(ctx, &ecrsdk.GetLifecyclePolicyInput{RepositoryName: aws.String(spec.Repository)})
	require.NoError(t, err)
	require.True(t, strings.Contains(aws.ToString(lp.LifecyclePolicyText), "rules"), "ECR.3")
	met["ECR.3"]++
}
