package ecr_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/foundationtest"
)

// A repository someone made by hand (mutable tags, no scanning):
// EnsureRepository refuses it, and with Spec.Adopt hardens it as the spec
// says without tagging it managed-by=foundation.
func ExampleSpec_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := awsecr.NewFromConfig(srv.Config())
	ctx := context.Background()
	if _, err := api.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("legacy")}); err != nil {
		log.Fatal(err)
	}

	spec := ecr.Spec{Name: "legacy"}
	_, err = ecr.EnsureRepository(ctx, api, spec)
	fmt.Println(errors.Is(err, foundation.ErrNotManaged))

	spec.Adopt = true
	r, err := ecr.EnsureRepository(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range r.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	tags, err := api.ListTagsForResource(ctx, &awsecr.ListTagsForResourceInput{ResourceArn: aws.String(r.ARN)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tags.Tags), "tags")
	// Output:
	// true
	// update ecr:repository-tag-mutability legacy
	// update ecr:repository-scanning legacy
	// 0 tags
}
