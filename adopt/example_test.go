package adopt_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/foundationtest"
)

// Read an organization made by hand (an OU, an account administering
// CloudFormation StackSets for the organization) into a Foundation, and
// converge on it: nothing to change, no write. What the library did not
// make is read with Adopt set, so converging never tags it; the delegated
// administrator is in the registry, so one registered behind the file's
// back is reported by the next converge. Runs on the emulator of package
// foundationtest: with credentials for AWS, build cfg with
// config.LoadDefaultConfig instead.
func ExampleRead() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	ctx := context.Background()

	// By hand, with the SDK.
	org := orgsdk.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		log.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	if err != nil {
		log.Fatal(err)
	}
	ou, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("Infrastructure")})
	if err != nil {
		log.Fatal(err)
	}
	req, err := org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String("tooling"), Email: aws.String("tooling@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	var id *string
	for id == nil {
		st, err := org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.CreateAccountStatus.Id})
		if err != nil {
			log.Fatal(err)
		}
		id = st.CreateAccountStatus.AccountId
		time.Sleep(10 * time.Millisecond)
	}
	steps := []func() error{
		func() error {
			_, err := org.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: id, SourceParentId: roots.Roots[0].Id, DestinationParentId: ou.OrganizationalUnit.Id})
			return err
		},
		func() error {
			_, err := org.EnableAWSServiceAccess(ctx, &orgsdk.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("member.org.stacksets.cloudformation.amazonaws.com")})
			return err
		},
		func() error {
			_, err := org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: id, ServicePrincipal: aws.String("member.org.stacksets.cloudformation.amazonaws.com")})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			log.Fatal(err)
		}
	}

	// Read it, and converge on what was read.
	fast := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	f, err := adopt.Read(ctx, adopt.NewReadAPI(cfg), adopt.ReadSpec{StateBucketPatterns: []string{"*-terraform-state-*"}}, fast)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range f.OUs {
		fmt.Printf("ou %s adopt=%v\n", o.Path, o.Adopt)
	}
	for _, s := range f.Services {
		fmt.Println("service", s.Principal, "administered by", s.DelegatedAdministrators)
	}
	mark := srv.Mark()
	res, err := adopt.Converge(ctx, adopt.NewConvergeAPI(cfg), f, fast)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("changes:", len(res.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	// Output:
	// ou Infrastructure adopt=true
	// service member.org.stacksets.cloudformation.amazonaws.com administered by [tooling@example.com]
	// changes: 0 mutating calls: 0
}
