package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// exampleAccount creates a member account on the example's emulator and
// returns its ID.
func exampleAccount(ctx context.Context, api *sdk.Client, name string) string {
	tree, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: name, Email: name + "@example.com"},
		foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	return tree.ID
}

// Declare which services the organization trusts and who administers each:
// IAM Identity Center administered by a security account, CloudFormation
// StackSets by two. A second run changes nothing; an administrator added by
// hand is reported, and removed only with Prune.
func ExampleEnsureServiceAccess() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	api := sdk.NewFromConfig(srv.Config())
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}); err != nil {
		log.Fatal(err)
	}
	security, deploy := exampleAccount(ctx, api, "security"), exampleAccount(ctx, api, "deploy")

	spec := organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: organizations.ServiceIdentityCenter, DelegatedAdministrators: []string{security}},
		{Principal: organizations.ServiceStackSets, DelegatedAdministrators: []string{security, deploy}},
	}}
	res, err := organizations.EnsureServiceAccess(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	name := strings.NewReplacer(security, "security", deploy, "deploy")
	for _, c := range res.Changes {
		fmt.Println(c.Action, c.Resource, name.Replace(c.ID))
	}
	again, err := organizations.EnsureServiceAccess(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes))

	// Someone hands Identity Center to the deploy account (it takes one
	// administrator, so they replace the security account).
	_, _ = api.DeregisterDelegatedAdministrator(ctx, &sdk.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(security), ServicePrincipal: aws.String(organizations.ServiceIdentityCenter)})
	_, _ = api.RegisterDelegatedAdministrator(ctx, &sdk.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(deploy), ServicePrincipal: aws.String(organizations.ServiceIdentityCenter)})
	_, err = organizations.EnsureServiceAccess(ctx, api, spec)
	var drift *organizations.UnexpectedDelegatedAdministratorError
	if errors.As(err, &drift) {
		for _, f := range drift.Findings {
			fmt.Println("unexpected:", f.Principal, "administered by", f.Name)
		}
	}
	spec.Prune = true
	fixed, err := organizations.EnsureServiceAccess(ctx, api, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range fixed.Changes {
		fmt.Println(c.Action, c.Resource, name.Replace(c.ID))
	}
	// Output:
	// create organizations:service-access sso.amazonaws.com
	// create organizations:service-access member.org.stacksets.cloudformation.amazonaws.com
	// create organizations:delegated-administrator sso.amazonaws.com/security
	// create organizations:delegated-administrator member.org.stacksets.cloudformation.amazonaws.com/security
	// create organizations:delegated-administrator member.org.stacksets.cloudformation.amazonaws.com/deploy
	// second run changes: 0
	// unexpected: sso.amazonaws.com administered by deploy
	// delete organizations:delegated-administrator sso.amazonaws.com/deploy
	// create organizations:delegated-administrator sso.amazonaws.com/security
}

// Enable centralized root access, find the member accounts whose root user
// still has credentials, and remove them: a dry run first, then the run.
// AssumeRoot takes a role or user of the management account, not its root
// user, so the example works as a role of the management account.
func ExampleEnsureNoRootCredentials() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	cfg := srv.Config()
	api := sdk.NewFromConfig(cfg)
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}); err != nil {
		log.Fatal(err)
	}
	legacy := exampleAccount(ctx, api, "legacy")
	_ = exampleAccount(ctx, api, "fresh")
	// The legacy account's owner once set a root password and made an access key.
	if err := srv.SeedRootCredentials(legacy, true, 1, 0, 0); err != nil {
		log.Fatal(err)
	}

	access, err := organizations.EnsureRootAccess(ctx, organizations.RootAccessAPI{Organizations: api, IAM: iam.NewFromConfig(cfg)},
		organizations.RootAccessSpec{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("features:", access.Features)

	// An operator role in the management account (made here for the example).
	mgmt := srv.ManagementAccountID()
	if _, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("RootOperator"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			mgmt + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		log.Fatal(err)
	}
	operator, err := organizations.AccountConfig(ctx, cfg, mgmt, "RootOperator")
	if err != nil {
		log.Fatal(err)
	}

	plan, err := organizations.EnsureNoRootCredentials(ctx, operator, organizations.RootCredentialsSpec{}, foundation.WithDryRun(true))
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range plan.WithCredentials() {
		fmt.Println("has root credentials:", a.AccountID == legacy, "password:", a.Password, "access keys:", len(a.AccessKeys))
	}
	fmt.Println("planned deletes:", len(plan.Changes))
	done, err := organizations.EnsureNoRootCredentials(ctx, operator, organizations.RootCredentialsSpec{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range done.Changes {
		fmt.Println(c.Action, c.Resource)
	}
	after, err := organizations.AuditRootCredentials(ctx, operator, organizations.RootCredentialsSpec{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accounts with root credentials now:", len(after.WithCredentials()))
	// Output:
	// features: [RootCredentialsManagement RootSessions]
	// has root credentials: true password: true access keys: 1
	// planned deletes: 2
	// delete iam:root-password
	// delete iam:root-access-key
	// accounts with root credentials now: 0
}
