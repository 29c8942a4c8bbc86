package s3_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// CreateBucket takes a general purpose bucket's tags in
// CreateBucketConfiguration.Tags (AWS since 2025-11), with or without a
// location constraint; GetBucketTagging returns them. Bad tags are refused
// with PutBucketTagging's errors (InvalidTag, 400) and no bucket is made.
func TestS3CreateBucketWithTags(t *testing.T) {
	srv := startS3(t)
	ctx := context.Background()
	tags := []types.Tag{{Key: aws.String("managed-by"), Value: aws.String("foundation")}, {Key: aws.String("team"), Value: aws.String("platform")}}
	for region, cfg := range map[string]*types.CreateBucketConfiguration{
		"us-east-1": {Tags: tags},
		"eu-west-1": {Tags: tags, LocationConstraint: types.BucketLocationConstraintEuWest1},
	} {
		c := s3Management(srv, region)
		name := "tagged-" + region
		createBucket(t, c, name, cfg)
		out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
		require.NoError(t, err)
		require.Len(t, out.TagSet, 2)
		got := map[string]string{}
		for _, tg := range out.TagSet {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		require.Equal(t, map[string]string{"managed-by": "foundation", "team": "platform"}, got)
	}

	c := s3Management(srv, "us-east-1")
	for _, bad := range [][]types.Tag{
		{{Key: aws.String("aws:owner"), Value: aws.String("x")}},
		{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}},
	} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad-tags"), CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: bad}})
		requireS3Error(t, err, "InvalidTag", http.StatusBadRequest)
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bad-tags")})
		requireS3Error(t, err, "", http.StatusNotFound)
	}
	var many []types.Tag
	for i := range 51 {
		many = append(many, types.Tag{Key: aws.String(string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: aws.String("v")})
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad-tags"), CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: many}})
	requireS3Error(t, err, "InvalidTag", http.StatusBadRequest)
}
