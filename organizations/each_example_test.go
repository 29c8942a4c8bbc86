package organizations_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/organizations"
)

// Create three accounts and, as soon as each exists, act in it through
// its access role (here: ask STS who we are), while the others are still
// being created. One ReadCache for the run lets EnsureOrganization,
// EnsureTreeEach and ReadTree share what they read (the root is read once).
// Runs on the emulator of package foundationtest.
func ExampleEnsureTreeEach() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config()
	api := sdk.NewFromConfig(cfg)
	ctx := context.Background()
	opts := []foundation.Option{
		foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond),
		foundation.WithReadCache(foundation.NewReadCache()), // one per run
	}
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, opts...); err != nil {
		log.Fatal(err)
	}
	spec := organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "Workloads"}},
		Accounts: []organizations.AccountSpec{
			{Name: "dev", Email: "dev@example.com", OU: "Workloads"},
			{Name: "staging", Email: "staging@example.com", OU: "Workloads"},
			{Name: "production", Email: "production@example.com", OU: "Workloads"},
		},
	}
	var mu sync.Mutex
	var acted []string
	tree, err := organizations.EnsureTreeEach(ctx, api, spec, func(ctx context.Context, a *organizations.Account) (foundation.Changes, error) {
		if foundation.IsPredicted(a.ID) { // a dry run: the account would be created
			return nil, nil
		}
		member, err := organizations.AccountConfig(ctx, cfg, a.ID, organizations.DefaultRoleName, organizations.WithAccessWait(opts...))
		if err != nil {
			return nil, err
		}
		who, err := sts.NewFromConfig(member).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		mu.Lock()
		acted = append(acted, fmt.Sprintf("%s acts in its own account: %t", a.Name, aws.ToString(who.Account) == a.ID))
		mu.Unlock()
		return nil, nil
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
	sort.Strings(acted)
	for _, s := range acted {
		fmt.Println(s)
	}
	fmt.Println("changes:", len(tree.Changes))
	// Output:
	// dev acts in its own account: true
	// production acts in its own account: true
	// staging acts in its own account: true
	// changes: 7
}
