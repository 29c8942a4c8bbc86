package identitycenter_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// Create seed 000's AdministratorAccess permission set (8 hours), then
// lengthen its sessions: the change is made in place.
func ExampleEnsurePermissionSet() {
	b, done := awstest.Example("ExampleEnsurePermissionSet")
	defer done()
	cfg := b.Config()
	ctx := context.Background()
	// Identity Center needs an organization and is enabled in the console
	// (the emulator's EnableIdentityCenter; moto has an instance already).
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	if e := b.EmulatorFor(awstest.CapEmulatorState); e != nil {
		if _, _, err := e.EnableIdentityCenter(); err != nil {
			log.Fatal(err)
		}
	}

	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg)}
	api = withGaps(b, api) // the test backend's known gaps (helpers_test.go); not for AWS
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

	ps, err = identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("third run changes:", len(ps.Changes))
	// Output:
	// create sso:permission-set "AdministratorAccess"
	// create sso:managed-policy-attachment "AdministratorAccess": ManagedPolicyArn: arn:aws:iam::aws:policy/AdministratorAccess
	// update sso:permission-set "AdministratorAccess": SessionDuration: PT8H -> PT12H
	// third run changes: 0
}
