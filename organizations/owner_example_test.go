package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// An OU someone made by hand (no managed-by=foundation tag) is refused
// until the spec adopts it; adopted, it is converged as the spec says and
// stays its owner's: never tagged managed-by=foundation. The OU the
// library creates under it carries the tag. Runs on the emulator of
// package foundationtest.
func ExampleEnsureTree_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := sdk.NewFromConfig(srv.Config())
	ctx := context.Background()
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, poll); err != nil {
		log.Fatal(err)
	}
	// The stranger's OU, made with the SDK as the console would.
	roots, err := api.ListRoots(ctx, &sdk.ListRootsInput{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := api.CreateOrganizationalUnit(ctx, &sdk.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("Security")}); err != nil {
		log.Fatal(err)
	}

	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{
		{Path: "Security", Tags: map[string]string{"team": "secops"}},
		{Path: "Security/Audit"},
	}}
	_, err = organizations.EnsureTree(ctx, api, spec, poll)
	var nm *foundation.NotManagedError
	if errors.As(err, &nm) {
		fmt.Println("refused:", nm.Kind, nm.ID, "set", nm.Field)
	}

	spec.OUs[0].Adopt = true
	tree, err := organizations.EnsureTree(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range tree.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	for _, ou := range tree.OUs {
		tags, err := api.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceId: aws.String(ou.ID)})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s:", ou.Path)
		for _, tg := range tags.Tags {
			fmt.Printf(" %s=%s", aws.ToString(tg.Key), aws.ToString(tg.Value))
		}
		fmt.Println()
	}
	// Output:
	// refused: organizations:ou Security set spec.OUs[0].Adopt
	// update organizations:ou-tags Security
	// create organizations:ou Security/Audit
	// Security: team=secops
	// Security/Audit: managed-by=foundation
}
