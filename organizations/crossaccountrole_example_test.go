package organizations_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// Give every workload account a DeploymentRole that only the
// shared-services account (where CI runs) can assume, as seed 002 does:
// the role is converged in each account through ForEachAccount, then the
// shared-services account assumes it.
func ExampleEnsureCrossAccountRole() {
	cfg, stop := startBackend("ExampleEnsureCrossAccountRole")
	defer stop()
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy}}, examplePolling); err != nil {
		log.Fatal(err)
	}
	tree, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "SharedServices"}, {Path: "Workloads"}},
		Accounts: []organizations.AccountSpec{
			{Name: "shared-services", Email: "aws+shared@example.com", OU: "SharedServices"},
			{Name: "dev", Email: "aws+dev@example.com", OU: "Workloads"},
			{Name: "staging", Email: "aws+staging@example.com", OU: "Workloads"},
		},
	}, examplePolling)
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
	for _, a := range tree.Accounts[1:] {
		workloads = append(workloads, organizations.Target{ID: a.ID, Name: a.Name})
	}
	sum, err := organizations.ForEachAccount(ctx, cfg, organizations.FanOutSpec{Accounts: workloads},
		func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
			role, err := organizations.EnsureCrossAccountRole(ctx, iam.NewFromConfig(cfg), spec, examplePolling)
			if err != nil {
				return nil, err
			}
			return role.Changes, nil
		})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range sum.Results {
		fmt.Printf("%s: %s", r.Target.Name, r.Changes)
	}

	// The shared-services account assumes the role in dev.
	asShared, err := organizations.AccountConfig(ctx, cfg, shared, organizations.DefaultRoleName)
	if err != nil {
		log.Fatal(err)
	}
	dev := tree.Account("aws+dev@example.com").ID
	_, err = organizations.AccountConfig(ctx, asShared, dev, "DeploymentRole")
	fmt.Println("shared-services assumes DeploymentRole in dev:", err == nil)
	// Output:
	// dev: create iam:role "DeploymentRole"
	// create iam:role-inline-policy "DeploymentRole/deploy"
	// staging: create iam:role "DeploymentRole"
	// create iam:role-inline-policy "DeploymentRole/deploy"
	// shared-services assumes DeploymentRole in dev: true
}
