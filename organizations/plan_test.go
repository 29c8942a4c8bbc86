package organizations_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/organizations"
)

// refusingClient is an Organizations client of b that fails the test, and
// the call, when a call carries a predicted identifier.
func refusingClient(t *testing.T, b *awstest.Backend) *sdk.Client {
	cfg := b.Config()
	awstest.RefusePredicted(t, &cfg)
	return client(t, b, cfg)
}

// A dry run on an account without an organization predicts the root, OU
// and account IDs the real run gets from AWS, and sends none of them.
func TestDryRunPredictsIdentifiers(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 30*time.Second)
	api := refusingClient(t, b)
	mark := b.Mark()
	org, err := organizations.EnsureOrganization(ctx, api, scp, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	root := plan.Predict("root", "")
	if org.RootID != root || org.ID != plan.Predict("organization", "") || org.Changes[0].ID != org.ID {
		t.Fatalf("organization: %+v", org)
	}
	spec := seed000()
	tree, err := organizations.EnsureTree(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if tree.RootID != root {
		t.Fatalf("tree root %q", tree.RootID)
	}
	idOf := map[string]string{"": root}
	for _, ou := range tree.OUs {
		idOf[ou.Path] = ou.ID
		parent := ou.Path[:max(0, strings.LastIndex(ou.Path, "/"))]
		if ou.ID != plan.Predict("ou", ou.Path) || ou.ARN != "" || ou.ParentID != idOf[parent] {
			t.Errorf("ou: %+v", ou)
		}
	}
	for _, a := range tree.Accounts {
		if a.ID != plan.Predict("account", a.Email) || a.ARN != "" || a.ParentID != idOf[a.OU] {
			t.Errorf("account: %+v", a)
		}
	}

	// The one account alone, and with the OU that would be created for it.
	one, err := organizations.EnsureAccount(ctx, api, spec.Accounts[2], dry()...)
	if err != nil {
		t.Fatal(err)
	}
	if one.ID != plan.Predict("account", spec.Accounts[2].Email) || one.ParentID != plan.Predict("ou", spec.Accounts[2].OU) {
		t.Errorf("account: %+v", one)
	}
	b.RequireNoMutations(t, mark)
}

// A dry run on an existing organization plans moving an existing account
// into OUs that would be created, retagging it, and closing another through
// a suspended OU that would be created, without sending the predicted OU
// IDs; the real run then makes exactly those changes.
func TestDryRunPlansMovesIntoOUsThatWouldBeCreated(t *testing.T) {
	b, _, ctx := withOrg(t)
	api := refusingClient(t, b)
	existing := organizations.AccountSpec{Name: "mover", Email: "mover@example.com", Tags: map[string]string{"team": "a"}}
	closing := organizations.AccountSpec{Name: "closer", Email: "closer@example.com"}
	for _, s := range []organizations.AccountSpec{existing, closing} {
		if _, err := organizations.EnsureAccount(ctx, api, s, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
	}
	existing.OU, existing.Tags = "New/Deep", map[string]string{"team": "b"}
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "New/Deep"}}, Accounts: []organizations.AccountSpec{existing}}
	closeSpec := organizations.CloseAccountSpec{Email: closing.Email, SuspendedOU: "Gone/Closed", Tags: map[string]string{"closed-by": "test"}}

	mark := b.Mark()
	planned, err := organizations.EnsureTree(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`create organizations:ou "New"`,
		`create organizations:ou "New/Deep"`,
		`update organizations:account-parent "mover@example.com": Parent: Root -> New/Deep`,
		`update organizations:account-tags "mover@example.com": tag team: a -> b`,
	}
	if got := changeLines(planned.Changes); !slices.Equal(got, want) {
		t.Fatalf("planned:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a := planned.Accounts[0]; len(a.ID) != 12 || a.ParentID != plan.Predict("ou", "New/Deep") {
		t.Fatalf("account: %+v", a)
	}
	plannedClose, err := organizations.CloseAccount(ctx, api, closeSpec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	if plannedClose.ParentID != plan.Predict("ou", "Gone/Closed") {
		t.Fatalf("closed account: %+v", plannedClose)
	}
	b.RequireNoMutations(t, mark)

	made, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got := changeLines(made.Changes); !slices.Equal(got, want) {
		t.Fatalf("made:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	closed, err := organizations.CloseAccount(ctx, api, closeSpec, awstest.Fast(foundation.WithWaitTimeout(5*time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	if p, c := changeLines(plannedClose.Changes), changeLines(closed.Changes); !slices.Equal(p, c) {
		t.Fatalf("close planned:\n%s\nmade:\n%s", strings.Join(p, "\n"), strings.Join(c, "\n"))
	}
}

func changeLines(cs foundation.Changes) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

// A predicted account ID is refused where a real account is needed, naming
// the argument.
func TestAccountConfigRefusesPredictedIDs(t *testing.T) {
	b := awstest.New(t)
	mark := b.Mark()
	_, err := organizations.AccountConfig(context.Background(), b.Config(), plan.Predict("account", "new@example.com"), organizations.DefaultRoleName)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "accountID: ") || !strings.Contains(err.Error(), "predicted by a dry run") {
		t.Fatalf("err = %v", err)
	}
	b.RequireNoCalls(t, mark)
}

// A failure after a write returns the changes made with the
// error (a *foundation.IncompleteError), and the error still names the step
// and matches the AWS error.
func TestPartialResults(t *testing.T) {
	b, api, ctx := withOrg(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	e.FailNth(emulator.Match{Service: "organizations", Operation: "CreateOrganizationalUnit"}, 2,
		emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"})
	res, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "A"}, {Path: "B"}, {Path: "C"}}},
		awstest.Fast(foundation.WithConcurrency(1))...)
	var inc *foundation.IncompleteError
	var ae smithy.APIError
	if res != nil || !errors.As(err, &inc) || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" ||
		!strings.HasPrefix(err.Error(), `organizations: ou "B": create: `) {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	// Siblings are all tried: A and C were made, B failed.
	if got := changeLines(inc.Changes); !slices.Equal(got, []string{`create organizations:ou "A"`, `create organizations:ou "C"`}) {
		t.Fatalf("changes: %q", got)
	}
}
