package organizations_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// Converge the organization of seed 000 (an organization with SCPs, a
// Management OU, Workloads with Dev, Staging and Production, and one account
// in each), and print what was done; a second run changes nothing and makes
// no mutating call. Runs on the emulator of package foundationtest: with
// credentials for the management account, build cfg with
// config.LoadDefaultConfig instead.
func ExampleEnsureTree() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)

	org, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy},
	}, poll)
	if err != nil {
		log.Fatal(err)
	}
	spec := organizations.TreeSpec{
		OUs: []organizations.OUSpec{
			{Path: "Management"},
			{Path: "Workloads/Dev"},
			{Path: "Workloads/Staging"},
			{Path: "Workloads/Production", Tags: map[string]string{"environment": "production"}},
		},
		Accounts: []organizations.AccountSpec{
			{Name: "myapp-dev", Email: "you+aws-dev@example.com", OU: "Workloads/Dev"},
			{Name: "myapp-staging", Email: "you+aws-staging@example.com", OU: "Workloads/Staging"},
			{Name: "myapp-production", Email: "you+aws-production@example.com", OU: "Workloads/Production"},
		},
	}
	tree, err := organizations.EnsureTree(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range append(org.Changes, tree.Changes...) {
		fmt.Println(c.Action, c.Resource, c.ID)
	}

	mark := srv.Mark()
	again, err := organizations.EnsureTree(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	// Output:
	// create organizations:organization o-k08s7el70p
	// update organizations:policy-type SERVICE_CONTROL_POLICY
	// create organizations:ou Management
	// create organizations:ou Workloads
	// create organizations:ou Workloads/Dev
	// create organizations:ou Workloads/Staging
	// create organizations:ou Workloads/Production
	// create organizations:account you+aws-dev@example.com
	// update organizations:account-parent you+aws-dev@example.com
	// create organizations:account you+aws-staging@example.com
	// update organizations:account-parent you+aws-staging@example.com
	// create organizations:account you+aws-production@example.com
	// update organizations:account-parent you+aws-production@example.com
	// second run changes: 0 mutating calls: 0
}

// Plan a tree on an account that has no organization yet: a dry run makes
// only read calls and lists every change, OUs and accounts under OUs that
// would be created included.
func ExampleEnsureTree_dryRun() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	api := sdk.NewFromConfig(cfg)

	mark := srv.Mark()
	plan, err := organizations.EnsureTree(context.Background(), api, organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "Security"}, {Path: "Workloads/Prod"}, {Path: "Suspended"}},
		Accounts: []organizations.AccountSpec{
			{Name: "log-archive", Email: "aws+log-archive@example.com", OU: "Security"},
		},
	}, foundation.WithDryRun(true))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan.Changes)
	fmt.Println("mutating calls:", len(srv.MutatingCallsSince(mark)))
	// Output:
	// create organizations:ou "Security"
	// create organizations:ou "Workloads"
	// create organizations:ou "Suspended"
	// create organizations:ou "Workloads/Prod"
	// create organizations:account "aws+log-archive@example.com": Name: log-archive
	// update organizations:account-parent "aws+log-archive@example.com": Parent: Root -> Security
	// mutating calls: 0
}

// Read the tree for a report: the organization, its OUs and accounts,
// with their IDs and the policies attached to each.
func ExampleReadTree() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)

	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy},
	}, poll); err != nil {
		log.Fatal(err)
	}
	if _, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
		OUs:      []organizations.OUSpec{{Path: "Sandbox"}, {Path: "Workloads/Prod"}},
		Accounts: []organizations.AccountSpec{{Name: "sandbox", Email: "aws+sandbox@example.com", OU: "Sandbox"}},
	}, poll); err != nil {
		log.Fatal(err)
	}
	tree, err := organizations.ReadTree(ctx, api)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(tree)
	// Output:
	// Organization o-k08s7el70p (management account 123456789012); policy types: SERVICE_CONTROL_POLICY
	// Root r-c9i8 [FullAWSAccess]
	//   Management account <123456789012@example.com> 123456789012 ACTIVE [FullAWSAccess]
	//   Sandbox/ ou-c9i8-3fhr7s64 [FullAWSAccess]
	//     sandbox <aws+sandbox@example.com> 314643256983 ACTIVE [FullAWSAccess]
	//   Workloads/ ou-c9i8-vmhzuyap [FullAWSAccess]
	//     Prod/ ou-c9i8-k1nyegl8 [FullAWSAccess]
}

// Act in a member account through the role Organizations created in it.
func ExampleAccountConfig() {
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
	acct, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{
		Name: "myapp-dev", Email: "you+aws-dev@example.com", OU: "Workloads/Dev",
	}, poll)
	if err != nil {
		log.Fatal(err)
	}
	member, err := organizations.AccountConfig(ctx, cfg, acct.ID, organizations.DefaultRoleName,
		organizations.WithSessionName("bootstrap"))
	if err != nil {
		log.Fatal(err)
	}
	id, err := sts.NewFromConfig(member).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(id.Arn))
	// Output:
	// arn:aws:sts::717680805434:assumed-role/OrganizationAccountAccessRole/bootstrap
}
