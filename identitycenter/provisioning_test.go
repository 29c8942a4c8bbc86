package identitycenter_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// TestChangedInlinePolicyIsReprovisionedEverywhere changes seed 001's
// inline policy once the permission set is provisioned to two accounts:
// one ProvisionPermissionSet to ALL_PROVISIONED_ACCOUNTS, waited for, and
// both accounts are on the latest version afterwards.
func TestChangedInlinePolicyIsReprovisionedEverywhere(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.SSOAssignmentProvisions)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, seed001Accounts...)
	spec := withoutTags(b, seed001(o, seed001Accounts...))
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	var reqs requests
	api := apiFor(b, reqs.option())
	spec.PermissionSets[0].InlinePolicy = provisionersPolicy("cloudwatch:*")
	mark := b.Mark()
	got, err := identitycenter.EnsureAccess(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"update sso:permission-set-inline-policy provisioners-permission-set",
		"update sso:provisioning provisioners-permission-set/ALL_PROVISIONED_ACCOUNTS",
	}
	if g := changeLines(got.Changes); !slices.Equal(g, want) {
		t.Errorf("changes%s\nwant%s", joinLines(g), joinLines(want))
	}
	if n := countOps(b, mark, "ProvisionPermissionSet"); n != 1 {
		t.Errorf("ProvisionPermissionSet called %d times, want 1", n)
	}
	if p := reqs.provisions(); !slices.Equal(p, []string{"ALL_PROVISIONED_ACCOUNTS "}) {
		t.Errorf("ProvisionPermissionSet targets %q", p)
	}
	if n := countOps(b, mark, "DescribePermissionSetProvisioningStatus"); n < 1 {
		t.Errorf("provisioning not waited for")
	}
	accounts := sorted(o.ids(seed001Accounts...))
	if ps := got.PermissionSet("provisioners-permission-set"); !slices.Equal(ps.ProvisionedAccounts, accounts) {
		t.Errorf("ProvisionedAccounts %v, want %v", ps.ProvisionedAccounts, accounts)
	}
	verifyAccess(t, ctx, b, o, spec) // LATEST_PERMISSION_SET_PROVISIONED in both, nothing stale
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}

// TestCrashBetweenUpdateAndProvisionIsFinishedByNextRun fails the
// provisioning after the inline policy changed (the run "crashed"); both
// accounts are then stale, and the next run, which finds the permission
// set itself converged, re-provisions each stale account.
func TestCrashBetweenUpdateAndProvisionIsFinishedByNextRun(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, seed001Accounts...)
	spec := seed001(o, seed001Accounts...)
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec.PermissionSets[0].InlinePolicy = provisionersPolicy("xray:*")
	f := e.FailAlways(emulator.Match{Service: "sso", Operation: "ProvisionPermissionSet"},
		emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected: the run stops here"})
	_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	var ade *types.AccessDeniedException
	if !errors.As(err, &ade) {
		t.Fatalf("err = %v, want the injected AccessDeniedException", err)
	}
	e.RemoveFault(f)
	sso := SSOAdmin(b)
	ps := psByName(t, ctx, sso, o.instanceARN, "provisioners-permission-set")
	accounts := sorted(o.ids(seed001Accounts...))
	if stale := provisioned(t, ctx, sso, o.instanceARN, aws.ToString(ps.PermissionSetArn), types.ProvisioningStatusLatestPermissionSetNotProvisioned); !slices.Equal(stale, accounts) {
		t.Fatalf("after the crash, stale accounts %v, want %v", stale, accounts)
	}
	var reqs requests
	api := apiFor(b, reqs.option())
	got, err := identitycenter.EnsureAccess(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range accounts {
		want = append(want, "update sso:provisioning provisioners-permission-set/"+a)
	}
	if g := changeLines(got.Changes); !slices.Equal(g, want) {
		t.Errorf("recovery changes%s\nwant%s", joinLines(g), joinLines(want))
	}
	if p := reqs.provisions(); !slices.Equal(p, []string{"AWS_ACCOUNT " + accounts[0], "AWS_ACCOUNT " + accounts[1]}) {
		t.Errorf("ProvisionPermissionSet targets %q", p)
	}
	verifyAccess(t, ctx, b, o, spec)
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}
