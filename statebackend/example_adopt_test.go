package statebackend_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/statebackend"
)

// A state bucket someone made by hand, with their own tag: Bootstrap
// refuses it, and with Spec.Adopt hardens it as the spec says, keeping
// their tag and never tagging it managed-by=foundation.
func ExampleSpec_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := s3.NewFromConfig(srv.Config())
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy-tfstate")}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("legacy-tfstate"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("data-team")}}}}); err != nil {
		log.Fatal(err)
	}

	spec := statebackend.Spec{Bucket: "legacy-tfstate", Region: "us-east-1", Tags: map[string]string{"env": "prod"}}
	_, err = statebackend.Bootstrap(ctx, statebackend.API{S3: c}, spec)
	fmt.Println(errors.Is(err, foundation.ErrNotManaged))

	spec.Adopt = true
	b, err := statebackend.Bootstrap(ctx, statebackend.API{S3: c}, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range b.Changes {
		fmt.Println(ch.Action, ch.Resource, ch.ID)
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("legacy-tfstate")})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tags.TagSet {
		fmt.Println(aws.ToString(t.Key), "=", aws.ToString(t.Value))
	}
	// Output:
	// true
	// update s3:bucket-versioning legacy-tfstate
	// update s3:bucket-lifecycle legacy-tfstate
	// update s3:bucket-policy legacy-tfstate
	// update s3:bucket-tagging legacy-tfstate
	// env = prod
	// owner = data-team
}
