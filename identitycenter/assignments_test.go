package identitycenter_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// bulk is 4 groups x 1 permission set x 10 accounts = 40 assignments.
func bulk(t *testing.T, ctx context.Context, b *awstest.Backend) (*org, identitycenter.AccessSpec) {
	var names []string
	for i := range 9 {
		names = append(names, fmt.Sprintf("workload-%d", i+1))
	}
	o := newOrg(t, ctx, b, names...)
	spec := identitycenter.AccessSpec{
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "ReadOnlyAccess", SessionDuration: 8 * time.Hour,
			ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}}},
		Assignments: []identitycenter.AssignmentSpec{{PermissionSets: []string{"ReadOnlyAccess"}, Accounts: o.ids(append([]string{"management"}, names...)...)}},
	}
	for _, g := range []string{"Auditors", "Developers", "Operators", "Security"} {
		spec.Groups = append(spec.Groups, identitycenter.GroupSpec{DisplayName: g})
		spec.Assignments[0].Principals = append(spec.Assignments[0].Principals, identitycenter.GroupPrincipal(g))
	}
	return o, spec
}

func TestFortyAssignmentsNeverExceedTenOutstanding(t *testing.T) {
	for _, tc := range []struct {
		conc, max int
	}{{0, identitycenter.DefaultAssignmentConcurrency}, {3, 3}, {20, identitycenter.DefaultAssignmentConcurrency}} { // 20: capped at AWS's limit
		t.Run(fmt.Sprintf("concurrency=%d", tc.conc), func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 30*time.Second)
			o, spec := bulk(t, ctx, b)
			mark := b.Mark()
			// The emulator also counts the creations outstanding at once
			// (its IN_PROGRESS requests) and every attempt's error.
			e := b.EmulatorFor(awstest.CapServerCallLog)
			emuMark := 0
			if e != nil {
				emuMark = e.CallCount()
			}
			got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithConcurrency(tc.conc))...)
			if err != nil {
				t.Fatal(err)
			}
			if n := countOps(b, mark, "CreateAccountAssignment"); n != 40 || len(got.Assignments.Assignments) != 40 {
				t.Fatalf("%d CreateAccountAssignment calls, %d assignments; want 40", n, len(got.Assignments.Assignments))
			}
			for _, c := range b.Calls(mark) {
				if c.Service == "SSO Admin" && c.Err != nil {
					t.Errorf("call %s failed: %v", c, c.Err)
				}
			}
			if e != nil {
				max := e.MaxOutstandingAssignmentCreations()
				t.Logf("concurrency %d: at most %d assignment creations outstanding", tc.conc, max)
				if max > tc.max || max < 2 {
					t.Errorf("max outstanding creations %d, want 2..%d", max, tc.max)
				}
				for _, c := range e.CallsSince(emuMark) {
					if c.Service == "sso" && c.ErrorCode != "" {
						t.Errorf("call %s failed with %s", c.Operation, c.ErrorCode)
					}
				}
			}
			verifyAccess(t, ctx, b, o, spec)
		})
	}
}

func TestPruneRemovesOnlyOutOfSpecAssignmentsInScope(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, "dev", "prod", "sandbox")
	dev, prod, sandbox := o.accounts["dev"], o.accounts["prod"], o.accounts["sandbox"]
	// Everything that will exist: in-spec and out-of-spec.
	setup := identitycenter.AccessSpec{
		Users:  []identitycenter.UserSpec{{UserName: "alice", GivenName: "Alice", FamilyName: "A"}, {UserName: "mallory", GivenName: "Mallory", FamilyName: "M"}},
		Groups: []identitycenter.GroupSpec{{DisplayName: "Admins"}, {DisplayName: "Contractors"}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}},
			{Name: "ReadOnlyAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}},
			{Name: "Billing", ManagedPolicies: []string{jobFunction(b, "Billing", "AWSBillingReadOnlyAccess")}},
		},
		Assignments: []identitycenter.AssignmentSpec{
			{Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")}, PermissionSets: []string{"AdministratorAccess"}, Accounts: []string{dev, prod}},
			{Principals: []identitycenter.Principal{identitycenter.UserPrincipal("alice")}, PermissionSets: []string{"ReadOnlyAccess"}, Accounts: []string{dev}},
			// Out of spec, in scope (permission set and account named by the spec):
			{Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Contractors")}, PermissionSets: []string{"AdministratorAccess"}, Accounts: []string{prod}},
			{Principals: []identitycenter.Principal{identitycenter.UserPrincipal("mallory")}, PermissionSets: []string{"ReadOnlyAccess"}, Accounts: []string{prod}},
			// Out of scope: an account the spec does not name (unless in PruneAccounts) ...
			{Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Contractors")}, PermissionSets: []string{"AdministratorAccess"}, Accounts: []string{sandbox}},
			// ... and a permission set the spec does not name.
			{Principals: []identitycenter.Principal{identitycenter.UserPrincipal("mallory")}, PermissionSets: []string{"Billing"}, Accounts: []string{dev}},
		},
	}
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), setup, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := identitycenter.AssignmentsSpec{Assignments: setup.Assignments[:2]}
	// Without Prune nothing is deleted.
	mark := b.Mark()
	got, err := identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil || len(got.Changes) != 0 || len(got.Deleted) != 0 {
		t.Fatalf("without prune: %v\n%s", err, got.Changes)
	}
	b.RequireNoMutations(t, mark)

	spec.Prune = true
	dry, err := identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"delete sso:account-assignment GROUP:Contractors/AdministratorAccess/" + prod,
		"delete sso:account-assignment USER:mallory/ReadOnlyAccess/" + prod,
	}
	if g := changeLines(dry.Changes); !slices.Equal(g, want) {
		t.Errorf("dry run prune%s\nwant%s", joinLines(g), joinLines(want))
	}
	got, err = identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if g := changeLines(got.Changes); !slices.Equal(g, want) {
		t.Errorf("prune%s\nwant%s", joinLines(g), joinLines(want))
	}
	sso := SSOAdmin(b)
	admin := aws.ToString(psByName(t, ctx, sso, o.instanceARN, "AdministratorAccess").PermissionSetArn)
	billing := aws.ToString(psByName(t, ctx, sso, o.instanceARN, "Billing").PermissionSetArn)
	if a := assignmentsOf(t, ctx, sso, o.instanceARN, admin, sandbox); len(a) != 1 {
		t.Errorf("out-of-scope account lost its assignment: %v", a)
	}
	if a := assignmentsOf(t, ctx, sso, o.instanceARN, billing, dev); len(a) != 1 {
		t.Errorf("out-of-scope permission set lost its assignment: %v", a)
	}
	if a := assignmentsOf(t, ctx, sso, o.instanceARN, admin, prod); len(a) != 1 {
		t.Errorf("AdministratorAccess in prod: %v, want only Admins", a)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
	// PruneAccounts brings the sandbox into scope.
	spec.PruneAccounts = []string{sandbox}
	got, err = identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if g := changeLines(got.Changes); !slices.Equal(g, []string{"delete sso:account-assignment GROUP:Contractors/AdministratorAccess/" + sandbox}) {
		t.Errorf("prune with PruneAccounts: %v", g)
	}
	if a := assignmentsOf(t, ctx, sso, o.instanceARN, billing, dev); len(a) != 1 {
		t.Errorf("out-of-scope permission set lost its assignment: %v", a)
	}
}

func TestUnknownPrincipalsAndPermissionSetsAreTypedErrorsBeforeAnyWrite(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, "dev")
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), identitycenter.AccessSpec{
		Groups:         []identitycenter.GroupSpec{{DisplayName: "Admins"}},
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "AdministratorAccess"}},
	}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
		Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal("Admins"), identitycenter.GroupPrincipal("Ghosts"), identitycenter.UserPrincipal("nobody")},
		PermissionSets: []string{"AdministratorAccess", "NoSuchSet"}, Accounts: []string{o.accounts["dev"]},
	}}}
	for _, dry := range []bool{false, true} {
		mark := b.Mark()
		_, err := identitycenter.EnsureAssignments(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
		var up *identitycenter.UnknownPrincipalError
		var ups *identitycenter.UnknownPermissionSetError
		if !errors.As(err, &up) || !errors.As(err, &ups) || !errors.Is(err, identitycenter.ErrNotFound) || errors.Is(err, foundation.ErrInvalidSpec) {
			t.Fatalf("dry=%v: err = %v", dry, err)
		}
		if !slices.Equal(up.Principals, []identitycenter.Principal{identitycenter.GroupPrincipal("Ghosts"), identitycenter.UserPrincipal("nobody")}) ||
			!slices.Equal(ups.Names, []string{"NoSuchSet"}) {
			t.Errorf("unknown: %v %v", up.Principals, ups.Names)
		}
		for _, name := range []string{`group "Ghosts"`, `user "nobody"`, "NoSuchSet"} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error does not name %s: %v", name, err)
			}
		}
		b.RequireNoMutations(t, mark)
	}
	// EnsureMembership and EnsureGroup members too.
	_, err := identitycenter.EnsureMembership(ctx, apiFor(b), identitycenter.MembershipSpec{GroupName: "Admins", UserName: "nobody"}, awstest.Fast()...)
	var up *identitycenter.UnknownPrincipalError
	if !errors.As(err, &up) || len(up.Principals) != 1 || up.Principals[0] != identitycenter.UserPrincipal("nobody") {
		t.Errorf("EnsureMembership: %v", err)
	}
	mark := b.Mark()
	_, err = identitycenter.EnsureGroup(ctx, apiFor(b), identitycenter.GroupSpec{DisplayName: "New", Members: []string{"nobody"}}, awstest.Fast()...)
	if !errors.As(err, &up) {
		t.Errorf("EnsureGroup: %v", err)
	}
	b.RequireNoMutations(t, mark)
}

// TestFailedAssignmentSurfacesAWSReason deletes the group right after
// CreateAccountAssignment returned, so AWS fails the request.
func TestFailedAssignmentSurfacesAWSReason(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.SSOAssignmentChecksPrincipal)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, "dev")
	access, err := identitycenter.EnsureAccess(ctx, apiFor(b), identitycenter.AccessSpec{
		Groups:         []identitycenter.GroupSpec{{DisplayName: "Doomed"}},
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "ReadOnlyAccess"}},
	}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	ids := IdentityStore(b)
	deleteGroup := func(so *ssoadmin.Options) {
		so.APIOptions = append(so.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("deleteGroup",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleInitialize(ctx, in)
					if _, ok := in.Parameters.(*ssoadmin.CreateAccountAssignmentInput); ok && err == nil {
						_, _ = ids.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(o.storeID), GroupId: aws.String(access.Group("Doomed").ID)})
					}
					return out, md, err
				}), middleware.After)
		})
	}
	api := apiFor(b, deleteGroup)
	_, err = identitycenter.EnsureAssignments(ctx, api, identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
		Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Doomed")}, PermissionSets: []string{"ReadOnlyAccess"}, Accounts: []string{o.accounts["dev"]},
	}}}, awstest.Fast()...)
	var ae *identitycenter.AssignmentError
	if !errors.As(err, &ae) || ae.Reason == "" || ae.AccountID != o.accounts["dev"] || ae.PermissionSet != "ReadOnlyAccess" || ae.Delete {
		t.Fatalf("err = %v, want an *AssignmentError with AWS's reason", err)
	}
	t.Logf("AWS's reason: %s", ae.Reason)
}
