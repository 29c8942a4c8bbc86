package identitycenter_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/organizations"
)

// noInstance is a backend without IAM Identity Center (and, until the test
// creates one, without an organization): only the emulator can be that
// (moto has an instance from the start, and AWS enables one in the
// console).
type noInstance struct {
	b   *awstest.Backend
	e   *emulator.Emulator
	api identitycenter.API
}

func startNoInstance(t *testing.T) *noInstance {
	t.Helper()
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapEmulatorState)
	return &noInstance{b: b, e: e, api: apiFor(b)}
}

func (n *noInstance) createOrganization(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := n.b.Organizations().CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
}

// requireOnlyListInstances fails unless every call since mark was a
// (read-only) ListInstances.
func (n *noInstance) requireOnlyListInstances(t *testing.T, mark int) {
	t.Helper()
	calls := n.b.Calls(mark)
	if len(calls) == 0 {
		t.Errorf("no call at all: the instance was not looked for")
	}
	for _, c := range calls {
		if c.Mutating || c.Operation != "ListInstances" {
			t.Errorf("call %s (mutating %v): want only ListInstances", c, c.Mutating)
		}
	}
}

// fullAccess uses everything a permission set can have, and users, a
// group with members, a group without, and group and user assignments.
func fullAccess(accounts ...string) identitycenter.AccessSpec {
	return identitycenter.AccessSpec{
		Users: []identitycenter.UserSpec{
			{UserName: "alice", GivenName: "Alice", FamilyName: "Liddell", Email: "alice@example.com"},
			{UserName: "bob", GivenName: "Bob", FamilyName: "Builder"},
		},
		Groups: []identitycenter.GroupSpec{
			{DisplayName: "Admins", Description: "Administrators", Members: []string{"alice", "bob"}},
			{DisplayName: "Auditors"},
		},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", Description: "For platform engineers", SessionDuration: 8 * time.Hour,
				RelayState:      "https://console.aws.amazon.com/console/home",
				ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess"), identitycenter.AWSManagedPolicy("ReadOnlyAccess")},
				Tags:            map[string]string{"team": "platform"}},
			{Name: "Deploy", SessionDuration: 2 * time.Hour,
				ManagedPolicies:         []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")},
				CustomerManagedPolicies: []identitycenter.CustomerManagedPolicy{{Name: "TasksDeploy"}},
				InlinePolicy:            provisionersPolicy(),
				PermissionsBoundary:     &identitycenter.PermissionsBoundary{CustomerManagedPolicy: &identitycenter.CustomerManagedPolicy{Name: "DeveloperBoundary", Path: "/boundaries/"}},
				Tags:                    map[string]string{"team": "apps"}},
			{Name: "Audit", PermissionsBoundary: &identitycenter.PermissionsBoundary{ManagedPolicyARN: identitycenter.AWSManagedPolicy("ReadOnlyAccess")}},
		},
		Assignments: []identitycenter.AssignmentSpec{
			{Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")},
				PermissionSets: []string{"AdministratorAccess", "Audit"}, Accounts: accounts},
			{Principals: []identitycenter.Principal{identitycenter.UserPrincipal("bob"), identitycenter.GroupPrincipal("Auditors")},
				PermissionSets: []string{"Deploy"}, Accounts: accounts[:1]},
		},
	}
}

// createPolicies creates the customer managed policies of fullAccess in
// the account cfg acts in.
func createPolicies(t *testing.T, ctx context.Context, cfg aws.Config) {
	t.Helper()
	c := iam.NewFromConfig(cfg)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`
	for _, p := range [][2]string{{"TasksDeploy", "/"}, {"DeveloperBoundary", "/boundaries/"}} {
		if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(p[0]), Path: aws.String(p[1]), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
}

func fullStrings(cs foundation.Changes) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fullString(c))
	}
	return out
}

// requireNoIDs fails when a dry run without an instance returned an ID.
// requireNoIDs checks that a dry run without an instance reports no
// instance and only predicted IDs and ARNs (plan.Predict), which name what
// they stand for.
func requireNoIDs(t *testing.T, acc *identitycenter.Access) {
	t.Helper()
	if acc.Instance != (identitycenter.Instance{}) {
		t.Errorf("instance %+v, want none", acc.Instance)
	}
	for _, u := range acc.Users {
		if u.ID != plan.Predict("identity store user", u.UserName) {
			t.Errorf("user %s: ID %q", u.UserName, u.ID)
		}
	}
	for _, g := range acc.Groups {
		if g.ID != plan.Predict("identity store group", g.DisplayName) {
			t.Errorf("group %s: ID %q", g.DisplayName, g.ID)
		}
	}
	for _, p := range acc.PermissionSets {
		if p.ARN != plan.Predict("permission set", p.Name) || len(p.ProvisionedAccounts) > 0 {
			t.Errorf("permission set %s: ARN %q, provisioned to %v", p.Name, p.ARN, p.ProvisionedAccounts)
		}
	}
	for _, a := range acc.Assignments.Assignments {
		if !plan.IsPredicted(a.PrincipalID) || a.PermissionSetARN != plan.Predict("permission set", a.PermissionSet) {
			t.Errorf("assignment %s: principal ID %q, permission set ARN %q", a, a.PrincipalID, a.PermissionSetARN)
		}
	}
}

// TestDryRunWithoutInstancePlansTheFirstRun: the organization exists but
// IAM Identity Center is not enabled yet. A dry run lists exactly what the
// first real run makes once it is enabled, reading nothing but
// ListInstances; a real run before that returns ErrNotEnabled.
func TestDryRunWithoutInstancePlansTheFirstRun(t *testing.T) {
	n := startNoInstance(t)
	ctx := awstest.Context(t, 30*time.Second)
	n.createOrganization(t, ctx)
	mgmt := n.b.AccountID(t)
	accts, err := organizations.EnsureAccounts(ctx, n.b.Organizations(), organizations.AccountsSpec{
		Accounts: []organizations.AccountSpec{{Name: "workload", Email: "workload@example.com"}}}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	member := accts.Account("workload@example.com").ID
	createPolicies(t, ctx, n.b.Config())
	spec := fullAccess(mgmt, member)

	mark := n.b.Mark()
	dry, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatalf("dry run without an instance: %v", err)
	}
	n.requireOnlyListInstances(t, mark)
	requireNoIDs(t, dry)
	t.Logf("planned:%s", joinLines(fullStrings(dry.Changes)))
	var resources []string
	for _, c := range dry.Changes {
		if !slices.Contains(resources, c.Resource) {
			resources = append(resources, c.Resource)
		}
	}
	want := []string{identitycenter.ResUser, identitycenter.ResGroup, identitycenter.ResMembership, identitycenter.ResPermissionSet,
		identitycenter.ResManagedPolicy, identitycenter.ResCustomerManagedPolicy, identitycenter.ResInlinePolicy,
		identitycenter.ResPermissionsBoundary, identitycenter.ResAssignment}
	if !slices.Equal(sorted(resources), sorted(want)) {
		t.Errorf("planned changes of %v, want %v", resources, want)
	}

	// A real run still refuses, without a write.
	mark = n.b.Mark()
	if _, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast()...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Fatalf("real run without an instance: err = %v, want ErrNotEnabled", err)
	}
	n.b.RequireNoMutations(t, mark)

	if _, _, err := n.e.EnableIdentityCenter(); err != nil {
		t.Fatal(err)
	}
	mark = n.b.Mark()
	real, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := fullStrings(dry.Changes), fullStrings(real.Changes); !slices.Equal(d, r) {
		t.Errorf("the dry run without an instance planned%s\nthe first real run made%s", joinLines(d), joinLines(r))
	}
	if m := n.b.MutatingCalls(mark); len(m) != len(real.Changes) {
		t.Errorf("%d mutating calls, %d changes", len(m), len(real.Changes))
	}
	again, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil || len(again.Changes) != 0 {
		t.Errorf("dry run after the real run: %v\n%s", err, again.Changes)
	}
}

// TestDryRunBeforeTheOrganization: nothing exists at all, not even the
// organization. EnsureAccess, EnsureUser, EnsureGroup and
// EnsurePermissionSet plan in a dry run; the functions whose spec names
// what must already exist, and every real run, return ErrNotEnabled.
func TestDryRunBeforeTheOrganization(t *testing.T) {
	n := startNoInstance(t)
	ctx := awstest.Context(t, 30*time.Second)
	mgmt := n.b.AccountID(t)
	spec := fullAccess(mgmt)
	dryRun := awstest.Fast(foundation.WithDryRun(true))

	mark := n.b.Mark()
	dry, err := identitycenter.EnsureAccess(ctx, n.api, spec, dryRun...)
	if err != nil {
		t.Fatalf("dry run before the organization: %v", err)
	}
	requireNoIDs(t, dry)
	u, err := identitycenter.EnsureUser(ctx, n.api, spec.Users[0], dryRun...)
	if err != nil || !plan.IsPredicted(u.ID) || !slices.Equal(changeLines(u.Changes), []string{`create identitystore:user alice`}) {
		t.Errorf("EnsureUser: %v %+v", err, u)
	}
	g, err := identitycenter.EnsureGroup(ctx, n.api, spec.Groups[1], dryRun...)
	if err != nil || !plan.IsPredicted(g.ID) || !slices.Equal(changeLines(g.Changes), []string{`create identitystore:group Auditors`}) {
		t.Errorf("EnsureGroup: %v %+v", err, g)
	}
	ps, err := identitycenter.EnsurePermissionSet(ctx, n.api, spec.PermissionSets[1], dryRun...)
	if err != nil || !plan.IsPredicted(ps.ARN) {
		t.Fatalf("EnsurePermissionSet: %v %+v", err, ps)
	}
	if got, want := fullStrings(ps.Changes), fullStrings(dry.PermissionSet("Deploy").Changes); !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("EnsurePermissionSet planned%s\nwant%s", joinLines(got), joinLines(want))
	}
	// Nothing the spec names can exist without an instance.
	if _, err := identitycenter.EnsureGroup(ctx, n.api, spec.Groups[0], dryRun...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsureGroup with members: err = %v, want ErrNotEnabled", err)
	}
	if _, err := identitycenter.EnsureMembership(ctx, n.api, identitycenter.MembershipSpec{GroupName: "Admins", UserName: "alice"}, dryRun...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsureMembership: err = %v, want ErrNotEnabled", err)
	}
	if _, err := identitycenter.EnsureAssignments(ctx, n.api, identitycenter.AssignmentsSpec{Assignments: spec.Assignments}, dryRun...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsureAssignments: err = %v, want ErrNotEnabled", err)
	}
	n.requireOnlyListInstances(t, mark)

	// Real runs refuse.
	if _, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast()...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsureAccess: err = %v, want ErrNotEnabled", err)
	}
	if _, err := identitycenter.EnsureUser(ctx, n.api, spec.Users[0], awstest.Fast()...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsureUser: err = %v, want ErrNotEnabled", err)
	}
	if _, err := identitycenter.EnsurePermissionSet(ctx, n.api, spec.PermissionSets[0], awstest.Fast()...); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("EnsurePermissionSet: err = %v, want ErrNotEnabled", err)
	}
	n.requireOnlyListInstances(t, mark)

	// The plan is what the first real run makes once the organization and
	// its instance exist.
	n.createOrganization(t, ctx)
	createPolicies(t, ctx, n.b.Config())
	if _, _, err := n.e.EnableIdentityCenter(); err != nil {
		t.Fatal(err)
	}
	real, err := identitycenter.EnsureAccess(ctx, n.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := fullStrings(dry.Changes), fullStrings(real.Changes); !slices.Equal(d, r) {
		t.Errorf("the dry run before the organization planned%s\nthe first real run made%s", joinLines(d), joinLines(r))
	}
}
