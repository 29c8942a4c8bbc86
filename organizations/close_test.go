package organizations_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// TestCloseAccount moves an account to the suspended OU, tags it and
// closes it: PENDING_CLOSURE, then SUSPENDED; closing it again is a no-op.
func TestCloseAccount(t *testing.T) {
	b, api, ctx := withOrg(t)
	tree, err := organizations.EnsureTree(ctx, api, seed001(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	sandbox := tree.Account("sandbox@hiperium.example.com")
	spec := organizations.CloseAccountSpec{AccountID: sandbox.ID, Tags: map[string]string{"closed-by": "platform", "ticket": "OPS-42"}}

	mark := b.Mark()
	planned, err := organizations.CloseAccount(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	mark = b.Mark()
	closed, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`update organizations:account-parent "sandbox@hiperium.example.com": Parent: Sandbox -> Suspended`,
		`update organizations:account-tags "sandbox@hiperium.example.com": tag closed-by: platform; tag ticket: OPS-42`,
		`update organizations:account-status "sandbox@hiperium.example.com": State: ACTIVE -> PENDING_CLOSURE`,
	}
	if got := keys(closed.Changes); !slices.Equal(got, want) || !slices.Equal(keys(planned.Changes), want) {
		t.Errorf("changes:\n%q\ndry run:\n%q\nwant %q", got, keys(planned.Changes), want)
	}
	if ops := opsOf(b.MutatingCalls(mark)); !slices.Equal(ops, []string{"MoveAccount", "TagResource", "CloseAccount"}) {
		t.Errorf("mutating calls: %v", ops)
	}
	// AWS closes an account in the background; a backend that closes it at
	// once reports it SUSPENDED already.
	wantState := types.AccountStatePendingClosure
	if b.Lacks(awstest.OrgClosePending) {
		wantState = types.AccountStateSuspended
	}
	if closed.State != wantState || closed.ParentID != tree.OU("Suspended").ID || closed.OU != "Suspended" {
		t.Errorf("closed: %+v", closed)
	}
	if got := readAccounts(t, ctx, api)["sandbox@hiperium.example.com"]; got != "Suspended" {
		t.Errorf("account is in %q", got)
	}

	// Waiting for SUSPENDED makes no write.
	spec.Wait = organizations.CloseWaitSuspended
	mark = b.Mark()
	suspended, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if suspended.State != types.AccountStateSuspended || len(suspended.Changes) != 0 {
		t.Errorf("suspended: %+v", suspended)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		a, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		if a.State != types.AccountStateSuspended {
			t.Errorf("state %s", a.State)
		}
		return a.Changes, nil
	})

	// The closed account's email cannot be ensured again.
	_, err = organizations.EnsureTree(ctx, api, seed001(), awstest.Fast()...)
	var ce *organizations.AccountClosedError
	if !errors.As(err, &ce) || ce.AccountID != sandbox.ID || ce.State != types.AccountStateSuspended {
		t.Errorf("ensure a closed account: %v", err)
	}
}

// TestCloseAccountCreatesSuspendedOU: found by email; the suspended OU is
// created when missing, and a dry run lists exactly what the run does.
func TestCloseAccountCreatesSuspendedOU(t *testing.T) {
	b, api, ctx := withOrg(t)
	if _, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := organizations.CloseAccountSpec{Email: "YOU+aws-staging@example.com", SuspendedOU: "Closed/Suspended", Wait: organizations.CloseWaitNone}
	mark := b.Mark()
	planned, err := organizations.CloseAccount(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	closed, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`create organizations:ou "Closed"`,
		`create organizations:ou "Closed/Suspended"`,
		`update organizations:account-parent "you+aws-staging@example.com": Parent: Workloads/Staging -> Closed/Suspended`,
		`update organizations:account-status "you+aws-staging@example.com": State: ACTIVE -> PENDING_CLOSURE`,
	}
	if got := keys(closed.Changes); !slices.Equal(got, want) || !slices.Equal(keys(planned.Changes), want) {
		t.Errorf("changes:\n%q\ndry run:\n%q\nwant %q", got, keys(planned.Changes), want)
	}
	if got := readAccounts(t, ctx, api)["you+aws-staging@example.com"]; got != "Closed/Suspended" {
		t.Errorf("account is in %q", got)
	}
}

// TestCloseManagementAccount is refused with a typed error and no write,
// named by its ID or by its email.
func TestCloseManagementAccount(t *testing.T) {
	b, api, ctx := withOrg(t)
	mgmt := b.AccountID(t)
	desc, err := api.DescribeOrganization(ctx, &sdk.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	email := aws.ToString(desc.Organization.MasterAccountEmail)
	for _, spec := range []organizations.CloseAccountSpec{{AccountID: mgmt}, {Email: email}} {
		mark := b.Mark()
		_, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
		var me *organizations.ManagementAccountError
		if !errors.As(err, &me) || me.AccountID != mgmt {
			t.Errorf("%+v: err = %v", spec, err)
		}
		b.RequireNoMutations(t, mark)
	}
}

// TestCloseAccountQuotas: AWS's closure quotas are typed errors, not
// retried.
func TestCloseAccountQuotas(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapQuotas)
	e := b.RequireEmulator(t, awstest.CapServerCallLog)
	res, err := organizations.EnsureAccounts(ctx, api, organizations.AccountsSpec{Accounts: manyAccounts(11)}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	close := func(i int, wait organizations.CloseWait) error {
		_, err := organizations.CloseAccount(ctx, api, organizations.CloseAccountSpec{AccountID: res.Accounts[i].ID, Wait: wait}, awstest.Fast()...)
		return err
	}
	// At most 5 closures pending at once (the emulator's choice; AWS does
	// not publish the number).
	for i := range 5 {
		if err := close(i, organizations.CloseWaitNone); err != nil {
			t.Fatal(err)
		}
	}
	mark := e.CallCount()
	err = close(5, organizations.CloseWaitNone)
	var qe *organizations.CloseQuotaError
	if !errors.As(err, &qe) || qe.Reason != types.ConstraintViolationExceptionReasonCloseAccountRequestsLimitExceeded || qe.AccountID != res.Accounts[5].ID {
		t.Fatalf("sixth pending closure: %v", err)
	}
	t.Log(err)
	if n := closeCalls(e.CallsSince(mark)); n != 1 {
		t.Errorf("%d CloseAccount calls: retried", n)
	}
	// Once they are SUSPENDED, the 30-day quota (10 accounts for an
	// organization this small) is what stops the eleventh.
	for i := range 10 {
		if err := close(i, organizations.CloseWaitSuspended); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
	mark = e.CallCount()
	err = close(10, organizations.CloseWaitSuspended)
	if !errors.As(err, &qe) || qe.Reason != types.ConstraintViolationExceptionReasonCloseAccountQuotaExceeded {
		t.Fatalf("eleventh closure: %v", err)
	}
	t.Log(err)
	if n := closeCalls(e.CallsSince(mark)); n != 1 {
		t.Errorf("%d CloseAccount calls: retried", n)
	}
	out, err := api.DescribeAccount(ctx, &sdk.DescribeAccountInput{AccountId: aws.String(res.Accounts[10].ID)})
	if err != nil || out.Account.State != types.AccountStateActive {
		t.Errorf("the eleventh account: %v %v", out, err)
	}
}

func closeCalls(calls []emulator.Call) int {
	n := 0
	for _, c := range calls {
		if c.Operation == "CloseAccount" {
			n++
		}
	}
	return n
}
