package statebackend_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// Bootstrap a state backend with a DynamoDB lock table next to the S3 lock
// file (the migration setup), and print what was created and the Terraform
// configuration to use it. Runs on the test backend (the embedded emulator
// unless told otherwise).
func ExampleBootstrap() {
	b, done := awstest.Example("ExampleBootstrap", awstest.WithRegion("eu-west-1"))
	defer done()
	cfg := b.Config()
	api := statebackend.API{
		S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		DynamoDB: dynamodb.NewFromConfig(cfg),
	}
	ctx := context.Background()
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	spec := statebackend.Spec{
		Bucket:    "acme-tfstate-example",
		Region:    "eu-west-1",
		AccountID: aws.ToString(who.Account),
		Locking:   statebackend.LockBoth,
		LockTable: "terraform-locks",
		Tags:      map[string]string{"team": "platform"},
	}
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	backend, err := statebackend.Bootstrap(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	creates := func(cs foundation.Changes) (n int) {
		for _, c := range cs {
			if c.Action == foundation.ActionCreate {
				n++
			}
		}
		return n
	}
	for _, c := range backend.Changes {
		if c.Action == foundation.ActionCreate {
			fmt.Println(c.Action, c.Resource, c.ID)
		}
	}
	fmt.Print(backend.Config.Terraform())

	// A second run finds everything in place.
	again, err := statebackend.Bootstrap(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run creates:", creates(again.Changes))
	fmt.Println("same configuration:", again.Config == backend.Config)
	// Output:
	// create s3:bucket acme-tfstate-example
	// create dynamodb:table terraform-locks
	// terraform {
	//   backend "s3" {
	//     bucket         = "acme-tfstate-example"
	//     key            = "terraform.tfstate"
	//     region         = "eu-west-1"
	//     encrypt        = true
	//     use_lockfile   = true
	//     dynamodb_table = "terraform-locks"
	//   }
	// }
	// second run creates: 0
	// same configuration: true
}
