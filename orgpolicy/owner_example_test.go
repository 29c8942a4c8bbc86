package orgpolicy_test

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
	"github.com/awsfoundation/foundation/orgpolicy"
)

// A tag policy another tool made (tagged managed-by=terraform) is refused
// until the spec adopts it; adopted, its content is converged and it keeps
// its owner's tag. Runs on the emulator of package foundationtest.
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
	if _, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("cost-center"), Description: aws.String(""), Type: types.PolicyTypeTagPolicy,
		Content: aws.String(`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`),
		Tags:    []types.Tag{{Key: aws.String("managed-by"), Value: aws.String("terraform")}},
	}); err != nil {
		log.Fatal(err)
	}
	spec := orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: "cost-center", Document: orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{
		{Key: "CostCenter", Values: []string{"100", "200"}},
	}}}
	_, err = orgpolicy.EnsurePolicy(ctx, api, spec)
	fmt.Println("without Adopt:", errors.Is(err, foundation.ErrNotManaged))

	spec.Adopt = true
	p, err := orgpolicy.EnsurePolicy(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range p.Changes {
		fmt.Println("with Adopt:", c.Action, c.Resource, c.ID)
	}
	tags, err := api.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(p.ID)})
	if err != nil {
		log.Fatal(err)
	}
	for _, tg := range tags.Tags {
		fmt.Println("tag:", aws.ToString(tg.Key), "=", aws.ToString(tg.Value))
	}
	// Output:
	// without Adopt: true
	// with Adopt: update organizations:policy-content cost-center
	// tag: managed-by = terraform
}
