package statebackend_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/statebackend"
)

// Bootstrap a state backend with a DynamoDB lock table next to the S3 lock
// file (the migration setup), and print what was done and the Terraform
// configuration to use it. A second run changes nothing and makes no
// mutating call. Runs on the emulator of package foundationtest: with
// credentials for AWS, build cfg with config.LoadDefaultConfig instead.
func ExampleBootstrap() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	cfg.Region = "eu-west-1"
	api := statebackend.API{
		S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		DynamoDB: dynamodb.NewFromConfig(cfg),
	}
	spec := statebackend.Spec{
		Bucket:    "acme-tfstate-" + srv.ManagementAccountID(),
		Region:    "eu-west-1",
		AccountID: srv.ManagementAccountID(),
		Locking:   statebackend.LockBoth,
		LockTable: "terraform-locks",
		Tags:      map[string]string{"team": "platform"},
	}
	ctx := context.Background()
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	backend, err := statebackend.Bootstrap(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range backend.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	fmt.Print(backend.Config.Terraform())

	// A second run finds everything in place.
	mark := srv.Mark()
	again, err := statebackend.Bootstrap(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	fmt.Println("same configuration:", again.Config == backend.Config)
	// Output:
	// create s3:bucket acme-tfstate-123456789012
	// update s3:bucket-versioning acme-tfstate-123456789012
	// update s3:bucket-lifecycle acme-tfstate-123456789012
	// update s3:bucket-policy acme-tfstate-123456789012
	// create dynamodb:table terraform-locks
	// update dynamodb:table-pitr terraform-locks
	// terraform {
	//   backend "s3" {
	//     bucket         = "acme-tfstate-123456789012"
	//     key            = "terraform.tfstate"
	//     region         = "eu-west-1"
	//     encrypt        = true
	//     use_lockfile   = true
	//     dynamodb_table = "terraform-locks"
	//   }
	// }
	// second run changes: 0 mutating calls: 0
	// same configuration: true
}
