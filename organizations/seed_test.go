package organizations_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// TestSeedTrees converges the trees of seeds 000 and 001 on a fresh
// account: a dry run first (read calls only, listing every change), then the
// real run (whose changes are exactly those listed), read back with the SDK,
// then twice more with no change and no mutating call.
func TestSeedTrees(t *testing.T) {
	var s awstest.Subtests
	for name, spec := range map[string]organizations.TreeSpec{"seed000": seed000(), "seed001": seed001()} {
		s.Run(t, name, func(t *testing.T) {
			b := awstest.New(t)
			b.Require(t, awstest.CapFreshState)
			ctx := awstest.Context(t, 30*time.Second)
			api := client(t, b)

			// Dry run on an account with no organization.
			mark := b.Mark()
			dryOrg, err := organizations.EnsureOrganization(ctx, api, scp, dry()...)
			if err != nil {
				t.Fatal(err)
			}
			dryTree, err := organizations.EnsureTree(ctx, api, spec, dry()...)
			if err != nil {
				t.Fatal(err)
			}
			b.RequireNoMutations(t, mark)
			t.Logf("%s: dry run on a fresh account: %d calls: %v", name, len(b.Calls(mark)), opsOf(b.Calls(mark)))
			planned := keys(append(dryOrg.Changes, dryTree.Changes...))

			// The real run.
			mark = b.Mark()
			org, err := organizations.EnsureOrganization(ctx, api, scp, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			calls := b.Calls(mark)
			t.Logf("%s: fresh run: %d calls (%d mutating, %d CreateAccount)", name, len(calls), len(b.MutatingCalls(mark)), countOps(calls, "CreateAccount"))
			made := keys(append(org.Changes, tree.Changes...))
			if !slices.Equal(planned, made) {
				t.Errorf("dry run listed:\n%s\nthe run made:\n%s", foundation.Changes(append(dryOrg.Changes, dryTree.Changes...)),
					foundation.Changes(append(org.Changes, tree.Changes...)))
			}
			if n, c := len(b.MutatingCalls(mark)), len(made); n != c {
				t.Errorf("%d mutating calls for %d changes: %v", n, c, opsOf(b.MutatingCalls(mark)))
			}
			if org.ID == "" || org.RootID == "" || org.ManagementAccountID != b.AccountID(t) ||
				!slices.Equal(org.PolicyTypes, []types.PolicyType{types.PolicyTypeServiceControlPolicy}) {
				t.Errorf("organization: %+v", org)
			}
			if tree.RootID != org.RootID {
				t.Errorf("tree root %q, organization root %q", tree.RootID, org.RootID)
			}
			for _, a := range tree.Accounts {
				if len(a.ID) != 12 || a.State != types.AccountStateActive || a.ParentID == "" || tree.OU(a.OU) == nil && a.OU != "" ||
					a.OU != "" && tree.OU(a.OU).ID != a.ParentID || len(a.Drift) != 0 {
					t.Errorf("account: %+v", a)
				}
			}
			verifyTree(t, ctx, api, spec)

			// ReadTree agrees.
			snap, err := organizations.ReadTree(ctx, api)
			if err != nil {
				t.Fatal(err)
			}
			for _, ou := range tree.OUs {
				if got := snap.OU(ou.Path); got == nil || got.ID != ou.ID {
					t.Errorf("ReadTree: OU %q: %+v, want ID %s", ou.Path, got, ou.ID)
				}
			}
			for _, a := range tree.Accounts {
				if got := snap.Account(a.Email); got == nil || got.ID != a.ID || got.OU != a.OU || got.State != types.AccountStateActive {
					t.Errorf("ReadTree: account %s: %+v", a.Email, got)
				}
			}
			t.Logf("%s:\n%s", name, snap)

			// Converged: no change, no mutating call.
			first := true
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				mark := b.Mark()
				org, err := organizations.EnsureOrganization(ctx, api, scp, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				again, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				if first {
					t.Logf("%s: second run: %d calls: %v", name, len(b.Calls(mark)), opsOf(b.Calls(mark)))
					first = false
				}
				for i, a := range again.Accounts {
					if a.ID != tree.Accounts[i].ID || a.ParentID != tree.Accounts[i].ParentID {
						t.Errorf("second run: account %+v, first run %+v", a, tree.Accounts[i])
					}
				}
				return append(org.Changes, again.Changes...), nil
			})

			// A dry run on the converged tree lists nothing.
			mark = b.Mark()
			again, err := organizations.EnsureTree(ctx, api, spec, dry()...)
			if err != nil || len(again.Changes) != 0 {
				t.Errorf("dry run on converged tree: %v\n%s", err, again.Changes)
			}
			b.RequireNoMutations(t, mark)
		})
	}
	s.Done(t)
}
