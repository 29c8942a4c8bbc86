package identitycenter_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
)

// An account ID predicted by organizations' dry run (an account it would
// create) is accepted in a dry run: its assignments are planned without
// reading AWS for the account. A real run refuses it as an invalid spec
// naming the field, before any call.
func TestDryRunPlansAssignmentsToPredictedAccounts(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	spec := seed000(o)
	spec.Assignments[0].Accounts = []string{o.mgmt}
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	predicted := plan.Predict("account", "myapp-dev")
	as := identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
		Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal("PlatformEngineers")},
		PermissionSets: []string{"AdministratorAccess"},
		Accounts:       []string{o.mgmt, predicted},
	}}}

	mark := b.Mark()
	got, err := identitycenter.EnsureAssignments(ctx, apiFor(b), as, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	want := []string{"create sso:account-assignment GROUP:PlatformEngineers/AdministratorAccess/" + predicted}
	if lines := changeLines(got.Changes); !slices.Equal(lines, want) {
		t.Fatalf("planned %q, want %q", lines, want)
	}
	// The predicted account is not read: the dry run lists assignments as
	// often as one without it.
	reads := countOps(b, mark, "ListAccountAssignments")
	known := as
	known.Assignments = []identitycenter.AssignmentSpec{as.Assignments[0]}
	known.Assignments[0].Accounts = []string{o.mgmt}
	mark = b.Mark()
	if _, err := identitycenter.EnsureAssignments(ctx, apiFor(b), known, awstest.Fast(foundation.WithDryRun(true))...); err != nil {
		t.Fatal(err)
	}
	if n := countOps(b, mark, "ListAccountAssignments"); n != reads {
		t.Errorf("%d ListAccountAssignments calls with the predicted account, %d without", reads, n)
	}

	mark = b.Mark()
	_, err = identitycenter.EnsureAssignments(ctx, apiFor(b), as, awstest.Fast()...)
	var se *foundation.SpecError
	if !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Field != "spec.Assignments[0].Accounts[1]" {
		t.Fatalf("real run with a predicted account: err = %v", err)
	}
	b.RequireNoCalls(t, mark)
	if err := as.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("Validate (a real run's rules): %v", err)
	}

	// EnsureAccess too: the whole setup plans with the predicted account.
	spec.Assignments[0].Accounts = append(spec.Assignments[0].Accounts, predicted)
	mark = b.Mark()
	acc, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	want = []string{
		"create sso:account-assignment GROUP:PlatformEngineers/AdministratorAccess/" + predicted,
		"create sso:account-assignment GROUP:PlatformEngineers/ReadOnlyAccess/" + predicted,
	}
	if lines := changeLines(acc.Changes); !slices.Equal(lines, want) {
		t.Fatalf("planned %q, want %q", lines, want)
	}
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("real EnsureAccess with a predicted account: err = %v", err)
	}
}
