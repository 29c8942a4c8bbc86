package identitycenter_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/identitycenter"
)

// Create seed 000's AdministratorAccess permission set (8 hours), then
// lengthen its sessions: the change is made in place, and a third run
// changes nothing and makes no mutating call. Runs on the emulator of
// package foundationtest: with credentials for AWS, build cfg with
// config.LoadDefaultConfig instead, in an organization where Identity
// Center is enabled.
func ExampleEnsurePermissionSet() {
	// Identity Center needs an organization, and is enabled in the console:
	// WithIdentityCenter enables it when the organization is created.
	srv, err := foundationtest.Start(foundationtest.WithIdentityCenter())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	ctx := context.Background()
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}

	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg)}
	spec := identitycenter.PermissionSetSpec{
		Name:            "AdministratorAccess",
		Description:     "For platform engineers",
		SessionDuration: 8 * time.Hour,
		ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")},
	}
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	ps, err := identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(ps.Changes)

	spec.SessionDuration = 12 * time.Hour
	ps, err = identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(ps.Changes)

	mark := srv.Mark()
	ps, err = identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("third run changes:", len(ps.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	fmt.Println("permission set:", ps.ARN)
	// Output:
	// create sso:permission-set "AdministratorAccess"
	// create sso:managed-policy-attachment "AdministratorAccess": ManagedPolicyArn: arn:aws:iam::aws:policy/AdministratorAccess
	// update sso:permission-set "AdministratorAccess": SessionDuration: PT8H -> PT12H
	// third run changes: 0 mutating calls: 0
	// permission set: arn:aws:sso:::permissionSet/ssoins-7d32864f2ec6219e/ps-b3f95a9f2757386c
}
