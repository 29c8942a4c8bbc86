package organizations_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// operatorConfig returns a config acting as a role of the management
// account: AssumeRoot refuses root user credentials.
func operatorConfig(t *testing.T, ctx context.Context, b *awstest.Backend) aws.Config {
	t.Helper()
	mgmt := b.AccountID(t)
	_, err := iam.NewFromConfig(b.Config()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("RootOperator"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := organizations.AccountConfig(ctx, b.Config(), mgmt, "RootOperator")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func rootAPI(t *testing.T, b *awstest.Backend) organizations.RootAccessAPI {
	return organizations.RootAccessAPI{Organizations: client(t, b), IAM: iam.NewFromConfig(b.Config())}
}

// TestRootAccessManagement enables centralized root access, reports the
// member account that still has root credentials, removes them (dry run
// first), and reruns with no change.
func TestRootAccessManagement(t *testing.T) {
	b, _, ctx := withOrg(t)
	b.Need(t, awstest.IAMRootAccess)
	with := b.MemberAccount(ctx, t, "legacy")
	without := b.MemberAccount(ctx, t, "new")
	e := b.RequireEmulator(t, awstest.CapEmulatorState)
	if err := e.SeedRootCredentials(with, emulator.RootCredentials{Password: true, AccessKeys: 2, MFADevices: 1, SigningCertificates: 1}); err != nil {
		t.Fatal(err)
	}
	api := rootAPI(t, b)
	op := operatorConfig(t, ctx, b)

	// Before centralized root access, AssumeRoot is refused.
	if _, err := organizations.AuditRootCredentials(ctx, op, organizations.RootCredentialsSpec{}); err == nil {
		t.Fatal("audit before root access: no error")
	}

	mark := b.Mark()
	planned, err := organizations.EnsureRootAccess(ctx, api, organizations.RootAccessSpec{}, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	want := []string{
		`create organizations:service-access "iam.amazonaws.com"`,
		`create iam:organizations-feature "RootCredentialsManagement"`,
		`create iam:organizations-feature "RootSessions"`,
	}
	if got := keys(planned.Changes); !slices.Equal(got, want) {
		t.Fatalf("dry run:\n got %q\nwant %q", got, want)
	}
	res, err := organizations.EnsureRootAccess(ctx, api, organizations.RootAccessSpec{}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(res.Changes); !slices.Equal(got, want) {
		t.Fatalf("run:\n got %q\nwant %q", got, want)
	}
	features, err := iam.NewFromConfig(b.Config()).ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	if err != nil || len(features.EnabledFeatures) != 2 || aws.ToString(features.OrganizationId) != res.OrganizationID {
		t.Fatalf("features read back: %+v %v", features, err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureRootAccess(ctx, api, organizations.RootAccessSpec{}, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	// The audit finds the legacy account's credentials, and only those.
	mark = b.Mark()
	report, err := organizations.AuditRootCredentials(ctx, op, organizations.RootCredentialsSpec{})
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	found := report.WithCredentials()
	if len(report.Accounts) != 2 || len(found) != 1 || found[0].AccountID != with || !found[0].Password ||
		len(found[0].AccessKeys) != 2 || len(found[0].MFADevices) != 1 || len(found[0].SigningCertificates) != 1 {
		t.Fatalf("audit: %+v", report.Accounts)
	}
	_ = without

	// Dry run first: the deletes planned, nothing changed.
	mark = b.Mark()
	plannedDel, err := organizations.EnsureNoRootCredentials(ctx, op, organizations.RootCredentialsSpec{}, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if len(plannedDel.Changes) != 5 {
		t.Fatalf("dry run: %s", plannedDel.Changes)
	}
	del, err := organizations.EnsureNoRootCredentials(ctx, op, organizations.RootCredentialsSpec{}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(del.Changes), keys(plannedDel.Changes); !slices.Equal(got, want) {
		t.Fatalf("run changes %q, dry run planned %q", got, want)
	}
	for _, c := range del.Changes {
		if c.Action != foundation.ActionDelete || !strings.HasPrefix(c.ID, with) {
			t.Fatalf("change %s", c)
		}
	}
	after, err := organizations.AuditRootCredentials(ctx, op, organizations.RootCredentialsSpec{Accounts: []string{with}})
	if err != nil || len(after.WithCredentials()) != 0 {
		t.Fatalf("after removal: %+v %v", after, err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureNoRootCredentials(ctx, op, organizations.RootCredentialsSpec{}, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// TestRootAccessErrors: invalid specs are refused before any call; root
// user credentials cannot open root sessions.
func TestRootAccessErrors(t *testing.T) {
	b, _, ctx := withOrg(t)
	mark := b.Mark()
	_, err := organizations.EnsureRootAccess(ctx, rootAPI(t, b), organizations.RootAccessSpec{
		Features: []iamtypes.FeatureType{"RootEverything", iamtypes.FeatureTypeRootSessions, iamtypes.FeatureTypeRootSessions}})
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Features[0]") || !strings.Contains(err.Error(), "spec.Features[2]") {
		t.Fatalf("err = %v", err)
	}
	_, err = organizations.EnsureNoRootCredentials(ctx, aws.Config{}, organizations.RootCredentialsSpec{
		Accounts: []string{"12", "(known after apply: account x@example.com)"}})
	for _, want := range []string{"spec.Accounts[0]", "spec.Accounts[1]", "cfg.Region", "cfg.Credentials"} {
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), want) {
			t.Errorf("err does not name %s: %v", want, err)
		}
	}
	b.RequireNoCalls(t, mark)

	b.Need(t, awstest.IAMRootAccess)
	member := b.MemberAccount(ctx, t, "m")
	if _, err := organizations.EnsureRootAccess(ctx, rootAPI(t, b), organizations.RootAccessSpec{}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	_, err = organizations.AuditRootCredentials(ctx, b.Config(), organizations.RootCredentialsSpec{Accounts: []string{member}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("root user calling AssumeRoot: %v", err)
	}
}
