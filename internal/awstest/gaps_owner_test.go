package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The ownership tag's probes (issue 16): the creates the library tags in
// the call itself.
func init() {
	probes[S3CreateBucketTags] = func(ctx context.Context, t *testing.T, b *Backend) bool {
		name := aws.String(b.Unique("probe"))
		cfg := &s3types.CreateBucketConfiguration{Tags: []s3types.Tag{{Key: aws.String("managed-by"), Value: aws.String("foundation")}}}
		if b.Region != "us-east-1" {
			cfg.LocationConstraint = s3types.BucketLocationConstraint(b.Region)
		}
		_, err := b.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: name, CreateBucketConfiguration: cfg})
		must(t, err)
		out, err := b.S3().GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: name})
		if err != nil {
			return true // NoSuchTagSet: the create's tags were dropped
		}
		return len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Value) != "foundation"
	}
}
