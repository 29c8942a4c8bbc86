package organizations_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// Give each account of seed 003 an alias for console sign-in
// (https://autochart-dev.signin.aws.amazon.com/console), acting in each
// through its access role. A second run changes nothing and makes no
// mutating call. Runs on the emulator of package foundationtest: with
// credentials for the management account, build cfg with
// config.LoadDefaultConfig instead.
func ExampleEnsureAccountAlias() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)

	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, poll); err != nil {
		log.Fatal(err)
	}
	tree, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "autochart"}},
		Accounts: []organizations.AccountSpec{
			{Name: "autochart-dev", Email: "paul+autochart_dev@example.com", OU: "autochart"},
			{Name: "autochart-prod", Email: "paul+autochart_prod@example.com", OU: "autochart"},
		},
	}, poll)
	if err != nil {
		log.Fatal(err)
	}
	var targets []organizations.Target
	for _, a := range tree.Accounts {
		targets = append(targets, organizations.Target{ID: a.ID, Name: a.Name})
	}
	converge := func() *organizations.Summary {
		sum, err := organizations.ForEachAccount(ctx, cfg, organizations.FanOutSpec{Accounts: targets},
			func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
				alias, err := organizations.EnsureAccountAlias(ctx, iam.NewFromConfig(cfg), organizations.AccountAliasSpec{Alias: t.Name})
				if err != nil {
					return nil, err
				}
				return alias.Changes, nil
			})
		if err != nil {
			log.Fatal(err)
		}
		return sum
	}
	for _, r := range converge().Results {
		fmt.Print(r.Target.Name+": ", r.Changes)
	}
	mark := srv.Mark()
	fmt.Println("second run changes:", converge().Count(), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	// Output:
	// autochart-dev: create iam:account-alias "autochart-dev"
	// autochart-prod: create iam:account-alias "autochart-prod"
	// second run changes: 0 mutating calls: 0
}
