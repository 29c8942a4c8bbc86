package identitycenter_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/identitycenter"
)

// A permission set someone made in the console, without the library's
// managed-by=foundation tag, is refused before any write; with Adopt the
// spec converges it (its policy attached) without taking it over: it stays
// untagged, and the policy its owner attached stays too.
func ExamplePermissionSetSpec_adopt() {
	srv, err := foundationtest.Start(foundationtest.WithIdentityCenter())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config()
	ctx := context.Background()
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	sso := ssoadmin.NewFromConfig(cfg)
	inst, err := identitycenter.FindInstance(ctx, sso)
	if err != nil {
		log.Fatal(err)
	}
	// The console's permission set, with a policy of its owner's.
	made, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst.ARN), Name: aws.String("DataReaders")})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(inst.ARN),
		PermissionSetArn: made.PermissionSet.PermissionSetArn, ManagedPolicyArn: aws.String(identitycenter.AWSManagedPolicy("ViewOnlyAccess"))}); err != nil {
		log.Fatal(err)
	}

	api := identitycenter.API{SSOAdmin: sso}
	spec := identitycenter.PermissionSetSpec{Name: "DataReaders", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}}
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	_, err = identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	fmt.Println("not adopted:", errors.Is(err, foundation.ErrNotManaged))
	fmt.Println(err)

	spec.Adopt = true
	ps, err := identitycenter.EnsurePermissionSet(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(ps.Changes)
	// Output:
	// not adopted: true
	// sso:permission-set "DataReaders" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
	// create sso:managed-policy-attachment "DataReaders": ManagedPolicyArn: arn:aws:iam::aws:policy/ReadOnlyAccess
}
