package organizations_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// startBackend starts the test suite's backend for the Example name (the
// embedded emulator unless the environment selects another) and returns a
// config acting as its management account, and a function that releases it.
func startBackend(name string) (aws.Config, func()) {
	b, done := awstest.Example(name)
	return b.Config(), done
}

var examplePolling = foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)

// Converge the organization of seed 000 (an organization with SCPs, a
// Management OU, Workloads with Dev, Staging and Production, and one account
// in each) on the embedded emulator, and print what was done.
func ExampleEnsureTree() {
	cfg, stop := startBackend("ExampleEnsureTree")
	defer stop()
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()

	org, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy},
	}, examplePolling)
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
	tree, err := organizations.EnsureTree(ctx, api, spec, examplePolling)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(org.Changes[0].Action, org.Changes[0].Resource, strings.HasPrefix(org.Changes[0].ID, "o-"))
	for _, c := range append(org.Changes[1:], tree.Changes...) {
		fmt.Println(c.Action, c.Resource, c.ID)
	}

	again, err := organizations.EnsureTree(ctx, api, spec, examplePolling)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes))
	// Output:
	// create organizations:organization true
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
	// second run changes: 0
}

// Plan a tree on an account that has no organization yet: a dry run makes
// only read calls and lists every change, OUs and accounts under OUs that
// would be created included.
func ExampleEnsureTree_dryRun() {
	cfg, stop := startBackend("ExampleEnsureTree_dryRun")
	defer stop()
	api := sdk.NewFromConfig(cfg)

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
	// Output:
	// create organizations:ou "Security"
	// create organizations:ou "Workloads"
	// create organizations:ou "Suspended"
	// create organizations:ou "Workloads/Prod"
	// create organizations:account "aws+log-archive@example.com": Name: log-archive
	// update organizations:account-parent "aws+log-archive@example.com": Parent: Root -> Security
}

// Read the tree for a report: here the OUs and the member accounts with
// the policies attached to each (fmt.Print(tree) prints the whole tree,
// IDs included).
func ExampleReadTree() {
	cfg, stop := startBackend("ExampleReadTree")
	defer stop()
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()

	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy},
	}, examplePolling); err != nil {
		log.Fatal(err)
	}
	if _, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
		OUs:      []organizations.OUSpec{{Path: "Sandbox"}, {Path: "Workloads/Prod"}},
		Accounts: []organizations.AccountSpec{{Name: "sandbox", Email: "aws+sandbox@example.com", OU: "Sandbox"}},
	}, examplePolling); err != nil {
		log.Fatal(err)
	}
	tree, err := organizations.ReadTree(ctx, api)
	if err != nil {
		log.Fatal(err)
	}
	names := func(ps []organizations.Policy) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	fmt.Println("policy types:", tree.PolicyTypes, "root:", names(tree.RootPolicies))
	for _, ou := range tree.OUs {
		fmt.Println(ou.Path+"/", names(ou.Policies))
	}
	for _, a := range tree.Accounts {
		if a.ID != tree.ManagementAccountID {
			fmt.Printf("%s <%s> in %s/: %s %v\n", a.Name, a.Email, a.OU, a.State, names(a.Policies))
		}
	}
	// Output:
	// policy types: [SERVICE_CONTROL_POLICY] root: [FullAWSAccess]
	// Sandbox/ [FullAWSAccess]
	// Workloads/ [FullAWSAccess]
	// Workloads/Prod/ [FullAWSAccess]
	// sandbox <aws+sandbox@example.com> in Sandbox/: ACTIVE [FullAWSAccess]
}

// Act in a member account through the role Organizations created in it.
func ExampleAccountConfig() {
	cfg, stop := startBackend("ExampleAccountConfig")
	defer stop()
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()

	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, examplePolling); err != nil {
		log.Fatal(err)
	}
	acct, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{
		Name: "myapp-dev", Email: "you+aws-dev@example.com", OU: "Workloads/Dev",
	}, examplePolling)
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
	fmt.Println(strings.Replace(aws.ToString(id.Arn), acct.ID, "<myapp-dev>", 1))
	// Output:
	// arn:aws:sts::<myapp-dev>:assumed-role/OrganizationAccountAccessRole/bootstrap
}
