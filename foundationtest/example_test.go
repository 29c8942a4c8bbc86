package foundationtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/statebackend"
)

// A Terraform state backend bootstrapped on the emulator: the second run
// makes no mutating call, and a refused write comes back as AWS's typed
// error. In a test, foundationtest.NewServer(t) starts and closes the
// server, and srv.RequireIdempotent(t, run) checks the second run.
func Example() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cfg := srv.Config() // the management account, fake credentials
	api := statebackend.API{
		S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		DynamoDB: dynamodb.NewFromConfig(cfg),
	}
	spec := statebackend.Spec{Bucket: "acme-tfstate", Region: foundationtest.Region, AccountID: srv.ManagementAccountID()}
	ctx := context.Background()

	first, err := statebackend.Bootstrap(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first run changes:", len(first.Changes) > 0)

	mark := srv.Mark()
	again, err := statebackend.Bootstrap(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))

	// Someone suspends versioning by hand, and the repair is refused: the
	// run returns AWS's typed error.
	if _, err := api.S3.PutBucketVersioning(ctx, suspend(spec.Bucket)); err != nil {
		log.Fatal(err)
	}
	srv.FailAlways(foundationtest.Match{Service: "s3", Operation: "PutBucketVersioning"},
		foundationtest.Error{Code: "AccessDenied", Message: "not allowed"})
	_, err = statebackend.Bootstrap(ctx, api, spec)
	var ae smithy.APIError
	fmt.Println("repair refused:", errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied")
	// Output:
	// first run changes: true
	// second run changes: 0 mutating calls: 0
	// repair refused: true
}

func suspend(bucket string) *s3.PutBucketVersioningInput {
	return &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}
}
