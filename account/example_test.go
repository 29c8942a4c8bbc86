package account_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/foundationtest"
)

// The security contact of the management account, converged twice: the
// second run changes nothing. Runs on the emulator of package
// foundationtest: with credentials for AWS, build the client from
// config.LoadDefaultConfig instead.
func ExampleEnsureAlternateContacts() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := acct.NewFromConfig(srv.Config())
	spec := account.ContactsSpec{Security: &account.Contact{Name: "Security team", Title: "CISO",
		Email: "security@example.com", Phone: "+1 555 0100"}}
	for run := 1; run <= 2; run++ {
		got, err := account.EnsureAlternateContacts(context.Background(), api, spec)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %d change(s)\n", run, len(got.Changes))
		for _, c := range got.Changes {
			fmt.Println(" ", c.Action, c.Resource, c.ID)
		}
	}
	// Output:
	// run 1: 1 change(s)
	//   create account:alternate-contact SECURITY
	// run 2: 0 change(s)
}

// Enabling an opt-in Region: EnsureRegionOptIn waits until AWS reports it
// ENABLED (the emulator settles it after a few reads).
func ExampleEnsureRegionOptIn() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := acct.NewFromConfig(srv.Config())
	got, err := account.EnsureRegionOptIn(context.Background(), api,
		account.RegionsSpec{Enabled: []string{"eu-central-2"}},
		foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	d := got.Changes[0].Diffs[0]
	fmt.Println(got.Status["eu-central-2"], d.Field, d.From, "->", d.To)
	// Output:
	// ENABLED RegionOptStatus DISABLED -> ENABLED
}

// Naming a member account from the management account: the organization
// enables trusted access for account.amazonaws.com once, then AccountID
// names the member.
func ExampleEnsureAccountName() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	org := organizations.NewFromConfig(srv.Config())
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		log.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	var member string
	for member == "" {
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
		if err != nil {
			log.Fatal(err)
		}
		member = aws.ToString(st.CreateAccountStatus.AccountId)
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(account.ServicePrincipal)}); err != nil {
		log.Fatal(err)
	}
	got, err := account.EnsureAccountName(ctx, acct.NewFromConfig(srv.Config()), account.NameSpec{AccountID: member, Name: "Workload Dev"})
	if err != nil {
		log.Fatal(err)
	}
	c := got.Changes[0]
	fmt.Println(c.Action, c.Resource, c.ID == member+"/name", c.Diffs[0].To)
	// Output:
	// update account:name true Workload Dev
}
