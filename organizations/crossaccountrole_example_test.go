package organizations_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// Give every workload account a DeploymentRole that only the
// shared-services account (where CI runs) can assume, as seed 002 does:
// the role is converged in each account through ForEachAccount, then the
// shared-services account assumes it. A second run changes nothing and
// makes no mutating call. Runs on the emulator of package foundationtest:
// with credentials for the management account, build cfg with
// config.LoadDefaultConfig instead.
func ExampleEnsureCrossAccountRole() {
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
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy}}, poll); err != nil {
		log.Fatal(err)
	}
	tree, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "SharedServices"}, {Path: "Workloads"}},
		Accounts: []organizations.AccountSpec{
			{Name: "shared-services", Email: "aws+shared@example.com", OU: "SharedServices"},
			{Name: "dev", Email: "aws+dev@example.com", OU: "Workloads"},
			{Name: "staging", Email: "aws+staging@example.com", OU: "Workloads"},
		},
	}, poll)
	if err != nil {
		log.Fatal(err)
	}
	shared := tree.Account("aws+shared@example.com").ID
	spec := organizations.CrossAccountRoleSpec{
		Name:              "DeploymentRole",
		TrustedAccountIDs: []string{shared},
		InlinePolicies: map[string]*foundation.PolicyDocument{"deploy": foundation.NewPolicy(foundation.Statement{
			Effect: foundation.EffectAllow, Action: foundation.Actions("ecs:UpdateService"), Resource: foundation.Resources("*")})},
	}
	var workloads []organizations.Target
	for _, a := range tree.Accounts[1:] { // dev and staging: Accounts are in spec order
		workloads = append(workloads, organizations.Target{ID: a.ID, Name: a.Name})
	}
	converge := func() *organizations.Summary {
		sum, err := organizations.ForEachAccount(ctx, cfg, organizations.FanOutSpec{Accounts: workloads},
			func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
				role, err := organizations.EnsureCrossAccountRole(ctx, iam.NewFromConfig(cfg), spec, poll)
				if err != nil {
					return nil, err
				}
				return role.Changes, nil
			})
		if err != nil {
			log.Fatal(err)
		}
		return sum
	}
	for _, r := range converge().Results {
		fmt.Printf("%s %s: %s", r.Target.Name, r.Target.ID, r.Changes)
	}
	mark := srv.Mark()
	fmt.Println("second run changes:", converge().Count(), "mutating calls:", len(srv.MutatingCallsSince(mark)))

	// The shared-services account assumes the role in dev.
	asShared, err := organizations.AccountConfig(ctx, cfg, shared, organizations.DefaultRoleName)
	if err != nil {
		log.Fatal(err)
	}
	dev := tree.Account("aws+dev@example.com").ID
	asDeployer, err := organizations.AccountConfig(ctx, asShared, dev, "DeploymentRole", organizations.WithSessionName("ci"))
	if err != nil {
		log.Fatal(err)
	}
	id, err := sts.NewFromConfig(asDeployer).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shared-services", shared, "acts in dev as", aws.ToString(id.Arn))
	// Output:
	// dev 819253216044: create iam:role "DeploymentRole"
	// create iam:role-inline-policy "DeploymentRole/deploy"
	// staging 512433534803: create iam:role "DeploymentRole"
	// create iam:role-inline-policy "DeploymentRole/deploy"
	// second run changes: 0 mutating calls: 0
	// shared-services 095060373275 acts in dev as arn:aws:sts::819253216044:assumed-role/DeploymentRole/ci
}
