package scp_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/scp"
)

// An SCP someone made by hand (no managed-by=foundation tag) is refused
// until the spec adopts it; adopted, it is converged as the spec says and
// stays its owner's: never tagged, never detached. Runs on the emulator of
// package foundationtest.
func ExampleEnsurePolicy_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := organizations.NewFromConfig(srv.Config())
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	// The stranger's policy, made with the SDK as the console would.
	if _, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("deny-leave"), Description: aws.String("by hand"), Type: types.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`),
	}); err != nil {
		log.Fatal(err)
	}
	spec := scp.PolicySpec{
		Name: "deny-leave", Description: "No account leaves the organization",
		Document: scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})),
	}
	_, err = scp.EnsurePolicy(ctx, api, spec)
	var nm *foundation.NotManagedError
	fmt.Println("without Adopt:", errors.As(err, &nm), nm.Kind, nm.ID, nm.Field)

	spec.Adopt = true
	for run := 1; run <= 2; run++ {
		mark := srv.Mark()
		p, err := scp.EnsurePolicy(ctx, api, spec)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d with Adopt: %d changes, %d mutating calls\n", run, len(p.Changes), len(srv.MutatingCallsSince(mark)))
		for _, c := range p.Changes {
			fmt.Println(" ", c.Action, c.Resource, c.ID)
		}
		tags, err := api.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(p.ID)})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("  tags:", len(tags.Tags))
	}
	// Output:
	// without Adopt: true organizations:policy deny-leave spec.Adopt
	// run 1 with Adopt: 2 changes, 1 mutating calls
	//   update organizations:policy-content deny-leave
	//   update organizations:policy deny-leave
	//   tags: 0
	// run 2 with Adopt: 0 changes, 0 mutating calls
	//   tags: 0
}
