package identitycenter_test

import (
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestReadCacheReadsOncePerRun: the calls of one run sharing a
// foundation.ReadCache find the instance, list the permission sets and
// look each group up once between them: the people and permission sets
// first, the assignments later (as a program does once its accounts
// exist), and a rerun of both makes no change.
func TestReadCacheReadsOncePerRun(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, "dev", "prod")
	spec := identitycenter.AccessSpec{
		Groups: []identitycenter.GroupSpec{{DisplayName: "Admins"}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}},
			{Name: "ReadOnlyAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}},
		},
	}
	assign := identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
		Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")}, PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"},
		Accounts: o.ids("dev", "prod"),
	}}}
	for run := range 2 {
		opts := awstest.Fast(foundation.WithReadCache(foundation.NewReadCache()))
		mark := b.Mark()
		a, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, opts...)
		if err != nil {
			t.Fatal(err)
		}
		as, err := identitycenter.EnsureAssignments(ctx, apiFor(b), assign, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if run == 1 && len(a.Changes)+len(as.Changes) != 0 {
			t.Errorf("rerun changed: %v %v", a.Changes, as.Changes)
		}
		for op, want := range map[string]int{"ListInstances": 1, "ListPermissionSets": 1, "GetGroupId": 1} {
			if got := countOps(b, mark, op); got != want {
				t.Errorf("run %d: %d %s calls, want %d", run, got, op, want)
			}
		}
		// One group on 2 permission sets x 2 accounts: its assignments
		// are read per principal (a page or two), not per pair.
		if run == 1 {
			if n := countOps(b, mark, "ListAccountAssignments"); n != 0 {
				t.Errorf("%d ListAccountAssignments calls: one principal's assignments are read per principal", n)
			}
			if n := countOps(b, mark, "ListAccountAssignmentsForPrincipal"); n < 1 || n > 4 {
				t.Errorf("%d ListAccountAssignmentsForPrincipal calls for 4 assignments", n)
			}
		}
	}
}
