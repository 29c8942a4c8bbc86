package s3account_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/s3account"
)

// Turn on the account-level S3 Block Public Access (Security Hub S3.1) and
// print what was done. A second run changes nothing and makes no mutating
// call. Runs on the emulator of package foundationtest (LiteralEndpoint
// addresses it as it is): with credentials for AWS, build cfg with
// config.LoadDefaultConfig and the client without LiteralEndpoint.
func ExampleEnsurePublicAccessBlock() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := s3control.NewFromConfig(srv.Config(), s3account.LiteralEndpoint)
	spec := s3account.Spec{AccountID: srv.ManagementAccountID()}
	ctx := context.Background()

	pab, err := s3account.EnsurePublicAccessBlock(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range pab.Changes {
		fmt.Println(c)
	}

	mark := srv.Mark()
	again, err := s3account.EnsurePublicAccessBlock(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	fmt.Println("meets S3.1:", spec.MeetsS3_1())
	// Output:
	// create s3:account-public-access-block "123456789012": BlockPublicAcls: true; IgnorePublicAcls: true; BlockPublicPolicy: true; RestrictPublicBuckets: true
	// second run changes: 0 mutating calls: 0
	// meets S3.1: true
}
