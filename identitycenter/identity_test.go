package identitycenter_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

func TestUsersAndGroupsConverge(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	api := apiFor(b)
	user := identitycenter.UserSpec{UserName: "paul", GivenName: "Paul", FamilyName: "Swail", Email: "paul@example.com"}
	u, err := identitycenter.EnsureUser(ctx, api, user, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" || changeLines(u.Changes)[0] != "create identitystore:user paul" {
		t.Fatalf("user: %+v", u)
	}
	display := "Paul Swail"
	if !b.Lacks(awstest.IdentityStoreUpdateUser) {
		// Every managed attribute converges, in one UpdateUser.
		user.GivenName, user.FamilyName, user.DisplayName, user.Email = "Paul", "Swail-Jones", "Paul S.", "paul@winterwind.example.com"
		display = "Paul S."
		mark := b.Mark()
		u2, err := identitycenter.EnsureUser(ctx, api, user, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		if u2.ID != u.ID || len(u2.Changes) != 1 || len(u2.Changes[0].Diffs) != 3 || len(b.MutatingCalls(mark)) != 1 {
			t.Errorf("update: %s (%d mutating calls)", u2.Changes, len(b.MutatingCalls(mark)))
		}
		t.Logf("%s", u2.Changes)
	}
	d, err := IdentityStore(b).DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(o.storeID), UserId: aws.String(u.ID)})
	if err != nil || aws.ToString(d.DisplayName) != display || aws.ToString(d.Name.GivenName) != user.GivenName || aws.ToString(d.Name.FamilyName) != user.FamilyName ||
		len(d.Emails) != 1 || aws.ToString(d.Emails[0].Value) != user.Email || !d.Emails[0].Primary || aws.ToString(d.Emails[0].Type) != "work" {
		t.Errorf("user: %v %+v %+v %+v", err, aws.ToString(d.DisplayName), d.Name, d.Emails)
	}
	group := identitycenter.GroupSpec{DisplayName: "sysadmins", Description: "IAM group of seed 003", Members: []string{"paul"}}
	g, err := identitycenter.EnsureGroup(ctx, api, group, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"create identitystore:group sysadmins", "create identitystore:group-membership sysadmins/paul"}; !slices.Equal(changeLines(g.Changes), w) {
		t.Errorf("group: %v", changeLines(g.Changes))
	}
	if !b.Lacks(awstest.IdentityStoreUpdateGroup) {
		group.Description = "Administrators"
		g, err = identitycenter.EnsureGroup(ctx, api, group, awstest.Fast()...)
		if err != nil || !slices.Equal(changeLines(g.Changes), []string{"update identitystore:group sysadmins"}) {
			t.Errorf("group description: %v %v", err, g.Changes)
		}
	}
	dg, err := IdentityStore(b).DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(o.storeID), GroupId: aws.String(g.ID)})
	if err != nil || aws.ToString(dg.DisplayName) != group.DisplayName || aws.ToString(dg.Description) != group.Description {
		t.Errorf("group: %v %+v", err, dg)
	}
	m, err := identitycenter.EnsureMembership(ctx, api, identitycenter.MembershipSpec{GroupName: "sysadmins", UserName: "paul"}, awstest.Fast()...)
	if err != nil || len(m.Changes) != 0 || m.GroupID != g.ID || m.UserID != u.ID {
		t.Errorf("membership: %v %+v", err, m)
	}
	// Store given explicitly: no ListInstances (where the backend's store
	// IDs pass validation).
	userAPI := api
	if !b.Lacks(awstest.IdentityStoreIDFormat) {
		user.IdentityStoreID = o.storeID
		userAPI = identitycenter.API{IdentityStore: api.IdentityStore}
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		var all foundation.Changes
		u, err := identitycenter.EnsureUser(ctx, userAPI, user, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		g, err := identitycenter.EnsureGroup(ctx, api, group, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return append(append(all, u.Changes...), g.Changes...), nil
	})
}

// TestFindInstance finds the organization's instance and what AWS says of
// it.
func TestFindInstance(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	mark := b.Mark()
	inst, err := identitycenter.FindInstance(ctx, SSOAdmin(b), awstest.Fast()...)
	if err != nil || inst.ARN != o.instanceARN || inst.IdentityStoreID != o.storeID || inst.OwnerAccountID != o.mgmt || inst.Status != "ACTIVE" {
		t.Fatalf("instance %+v, %v; want %s %s owned by %s, ACTIVE", inst, err, o.instanceARN, o.storeID, o.mgmt)
	}
	if !strings.HasPrefix(inst.ARN, "arn:aws:sso:::instance/ssoins-") || !strings.HasPrefix(inst.IdentityStoreID, "d-") {
		t.Errorf("instance ARN %q, identity store %q", inst.ARN, inst.IdentityStoreID)
	}
	for _, c := range b.Calls(mark) {
		if c.Operation != "ListInstances" {
			t.Errorf("call %s: want only ListInstances", c)
		}
	}
}

// TestNotEnabledIsATypedError starts with an organization whose IAM
// Identity Center is not enabled yet, which only the emulator can set up
// (moto has an instance from the start).
func TestNotEnabledIsATypedError(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	// Only the emulator can be without an instance (moto has one from the
	// start; AWS enables it in the console). Elsewhere the test's client
	// makes the real ListInstances and answers it as AWS does where Identity
	// Center is not enabled: no instances.
	sso, api := identitycenter.SSOAdminAPI(SSOAdmin(b)), apiFor(b)
	if b.EmulatorFor(awstest.CapEmulatorState) == nil {
		sso = &noInstances{SSOAdminAPI: sso}
		api.SSOAdmin = sso
	}
	mark := b.Mark()
	_, err := identitycenter.FindInstance(ctx, sso, awstest.Fast()...)
	if !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Fatalf("err = %v, want ErrNotEnabled", err)
	}
	t.Logf("%v", err)
	// A real run (a dry run plans instead: see noinstance_test.go).
	_, err = identitycenter.EnsureAccess(ctx, api, validAccess(), awstest.Fast()...)
	if !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Fatalf("EnsureAccess: err = %v, want ErrNotEnabled", err)
	}
	b.RequireNoMutations(t, mark)
	o := newOrg(t, ctx, b)
	inst, err := identitycenter.FindInstance(ctx, SSOAdmin(b), awstest.Fast()...)
	if err != nil || inst.ARN != o.instanceARN || inst.IdentityStoreID != o.storeID || inst.OwnerAccountID != o.mgmt || inst.Status != "ACTIVE" {
		t.Fatalf("instance %+v, %v", inst, err)
	}
}

func TestLoggingIsSilentUnlessAsked(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	newOrg(t, ctx, b)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := identitycenter.EnsurePermissionSet(ctx, apiFor(b), identitycenter.PermissionSetSpec{Name: "Logged"}, awstest.Fast(foundation.WithLogger(logger))...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`change="create sso:permission-set \"Logged\""`)) {
		t.Errorf("debug log lacks the change:\n%s", buf.String())
	}
}

// noInstances makes the real ListInstances call and drops its instances:
// AWS's answer in an account where IAM Identity Center is not enabled.
type noInstances struct{ identitycenter.SSOAdminAPI }

func (n *noInstances) ListInstances(ctx context.Context, in *ssoadmin.ListInstancesInput, opts ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error) {
	out, err := n.SSOAdminAPI.ListInstances(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	out.Instances, out.NextToken = nil, nil
	return out, nil
}
