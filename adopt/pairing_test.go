package adopt_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/statebackend"
)

// TestLockTablesPairWithStateBackendsOnly: a bucket tagged
// managed-by=foundation by hand beside a state backend the library made
// does not take the backend's lock table from it (found from outside: the
// staging backend lost its lockTable and the table was skipped as one of
// "2 state buckets ... cannot be told"), and two backends of one Region
// pair with their tables by name. The read converges with no change, and
// reads the same again.
func TestLockTablesPairWithStateBackendsOnly(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts)
	b.Need(t, awstest.S3BucketDefaults2023, awstest.S3CreateBucketTags)
	ctx := awstest.Context(t, 60*time.Second)
	cfg := b.Config()
	bareOrg(t, ctx, b)
	staging := createAccount(t, ctx, orgsdk.NewFromConfig(cfg), "pair-staging", "pair-staging@example.com")
	stagingCfg, err := organizations.AccountConfig(ctx, cfg, staging, organizations.DefaultRoleName)
	require.NoError(t, err)
	api := statebackend.API{S3: s3.NewFromConfig(stagingCfg), DynamoDB: dynamodb.NewFromConfig(stagingCfg)}
	own := map[string]string{foundation.ManagedByTagKey: foundation.ManagedByTagValue}
	backend := func(project string) {
		_, err = statebackend.Bootstrap(ctx, api, statebackend.Spec{Bucket: project + "-terraform-state-" + staging, Region: "eu-west-1",
			LockTable: project + "-terraform-locks", Locking: statebackend.LockBoth, Tags: own}, awstest.Fast()...)
		require.NoError(t, err)
	}
	backend("shop")
	// The stranger: tagged as the library's, nothing else of a state
	// backend, in the backends' Region.
	s3eu := s3.NewFromConfig(stagingCfg, func(o *s3.Options) { o.Region = "eu-west-1" })
	_, err = s3eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("handtagged-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
	require.NoError(t, err)
	_, err = s3eu.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("handtagged-bucket"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(foundation.ManagedByTagValue)}}}})
	require.NoError(t, err)

	spec := adopt.ReadSpec{StateBucketPatterns: []string{"tfstate-*"}}
	f, err := adopt.Read(ctx, adopt.NewReadAPI(cfg), spec, awstest.Fast()...)
	require.NoError(t, err)
	shop := adopt.StateBackend{Account: "pair-staging@example.com", Bucket: "shop-terraform-state-" + staging, Region: "eu-west-1", LockTable: "shop-terraform-locks"}
	require.Equal(t, []adopt.StateBackend{shop}, f.StateBackends)

	// A second backend in the Region: each table with its bucket, by name.
	backend("web")
	f, err = adopt.Read(ctx, adopt.NewReadAPI(cfg), spec, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, []adopt.StateBackend{shop,
		{Account: "pair-staging@example.com", Bucket: "web-terraform-state-" + staging, Region: "eu-west-1", LockTable: "web-terraform-locks"},
	}, f.StateBackends)
	var skipped []adopt.Skipped
	for _, s := range f.Skipped {
		if s.Resource == statebackend.ResBucket || s.Resource == statebackend.ResTable {
			skipped = append(skipped, s)
		}
	}
	require.Len(t, skipped, 1, "%+v", f.Skipped)
	require.Equal(t, "handtagged-bucket", skipped[0].ID)
	require.Contains(t, skipped[0].Reason, "its settings are not a state backend's")

	text, err := yaml.Marshal(f)
	require.NoError(t, err)
	var back adopt.Foundation
	require.NoError(t, yaml.Unmarshal(text, &back))
	mark := b.Mark()
	plan, err := adopt.Converge(ctx, adopt.NewConvergeAPI(cfg), &back, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, plan.Changes)
	b.RequireNoMutations(t, mark)
	again, err := adopt.Read(ctx, adopt.NewReadAPI(cfg), spec, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, f, again, "the re-read is stable")
}
