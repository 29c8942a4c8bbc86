package identitycenter_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// Create seed 000's AdministratorAccess permission set (8 hours), then
// lengthen its sessions: the change is made in place.
func ExampleEnsurePermissionSet() {
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "example-secret", ""),
	}
	ctx := context.Background()
	// Identity Center needs an organization and is enabled in the console.
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	if _, _, err := srv.EnableIdentityCenter(); err != nil {
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
