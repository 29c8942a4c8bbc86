package identitycenter_test

import (
	"sync"
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

// TestAssignAccountByAccount: a program that assigns account by account,
// several accounts at once (as each account is created), with one
// ReadCache for the run: the group's assignments are read once for all the
// calls, the calls share the instance's 10 outstanding assignment
// creations (6 calls of 2 never have more than 10 in progress), and a
// second run reads the listing once and changes nothing.
func TestAssignAccountByAccount(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	names := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	o := newOrg(t, ctx, b, names...)
	spec := identitycenter.AccessSpec{
		Groups: []identitycenter.GroupSpec{{DisplayName: "Admins"}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}},
			{Name: "ReadOnlyAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}},
		},
	}
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	e := b.EmulatorFor(awstest.CapServerCallLog)
	emuMark := 0
	if e != nil {
		emuMark = e.CallCount()
	}
	for run := range 2 {
		opts := awstest.Fast(foundation.WithReadCache(foundation.NewReadCache()))
		mark := b.Mark()
		var wg sync.WaitGroup
		changes := make([]int, len(names))
		for i, id := range o.ids(names...) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				as, err := identitycenter.EnsureAssignments(ctx, apiFor(b), identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
					Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")}, PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"},
					Accounts: []string{id},
				}}}, opts...)
				if err != nil {
					t.Error(err)
					return
				}
				changes[i] = len(as.Changes)
			}()
		}
		wg.Wait()
		for i, n := range changes {
			if want := map[int]int{0: 2, 1: 0}[run]; n != want {
				t.Errorf("run %d, account %s: %d changes, want %d", run, names[i], n, want)
			}
		}
		if n := countOps(b, mark, "ListAccountAssignments"); n != 0 {
			t.Errorf("run %d: %d ListAccountAssignments calls", run, n)
		}
		if n := countOps(b, mark, "ListAccountAssignmentsForPrincipal"); n < 1 || n > 6 {
			t.Errorf("run %d: %d ListAccountAssignmentsForPrincipal calls, want the group's listing once (1 to 6 pages)", run, n)
		}
	}
	if e != nil {
		if max := e.MaxOutstandingAssignmentCreations(); max > identitycenter.DefaultAssignmentConcurrency {
			t.Errorf("%d assignment creations outstanding at once, AWS allows %d", max, identitycenter.DefaultAssignmentConcurrency)
		}
		// The emulator refuses an eleventh creation in progress: none was
		// refused.
		for _, c := range e.CallsSince(emuMark) {
			if c.Service == "sso" && c.ErrorCode != "" {
				t.Errorf("call %s failed with %s", c.Operation, c.ErrorCode)
			}
		}
	}
}
