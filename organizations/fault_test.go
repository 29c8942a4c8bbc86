package organizations_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

var cme = emulator.APIError{Status: 400, Code: "ConcurrentModificationException",
	Message: "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later."}

// faultTree is seed 001's tree with tags on an existing-parent OU and on
// accounts.
func faultTree() organizations.TreeSpec { return seed001() }

// one converges one item at a time, so that the emulator's IDs (drawn from
// a per-organization counter) are the same in every run.
func one() []foundation.Option { return awstest.Fast(foundation.WithConcurrency(1)) }

// TestConcurrentModificationOnEveryWrite injects a
// ConcurrentModificationException on each Organizations write of a run in
// turn, before the write (AWS refused it) and after it (the write happened,
// the answer was lost): a fresh organization and tree (seed 001), and the
// repair of drifted tags. Each is retried and the run reaches exactly the
// state of a clean run.
func TestConcurrentModificationOnEveryWrite(t *testing.T) {
	t.Parallel()
	fresh := func(ctx context.Context, api *sdk.Client) error {
		if _, err := organizations.EnsureOrganization(ctx, api, scp, one()...); err != nil {
			return err
		}
		_, err := organizations.EnsureTree(ctx, api, faultTree(), one()...)
		return err
	}
	retag := faultTree()
	retag.OUs[1].Tags = map[string]string{"spend-cap": "200"}
	retag.OUs[1].RemoveTags = []string{"owner"}
	retag.Accounts[1].Tags = map[string]string{"owner": "andres", "cost-center": "42"}
	retag.Accounts[1].RemoveTags = []string{"temp"}
	matrix := func(setup func(t *testing.T, ctx context.Context, api *sdk.Client), run func(ctx context.Context, api *sdk.Client) error, calls int) awstest.FaultMatrix[*sdk.Client] {
		return awstest.FaultMatrix[*sdk.Client]{
			Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) *sdk.Client {
				b.Require(t, awstest.CapSnapshot)
				api := client(t, b)
				setup(t, ctx, api)
				return api
			},
			Run:   func(ctx context.Context, _ *awstest.Backend, api *sdk.Client) error { return run(ctx, api) },
			Match: emulator.Match{Service: "organizations"},
			Err:   &cme,
			// lost-500: the write applied, its answer lost as a retryable 500.
			Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, {Name: "after", After: true, Retried: true}, awstest.LostAnswer500, notApplied500},
			Calls:    calls,
			// A sample: each operation and each variant once
			// (FOUNDATION_TEST_MATRIX=1: every call).
			PerOperation: true,
		}
	}
	var s awstest.Subtests
	defer s.Done(t)
	s.Run(t, "fresh", func(t *testing.T) {
		// CreateOrganization, EnablePolicyType, 7 CreateOrganizationalUnit,
		// 2 CreateAccount and MoveAccount.
		matrix(func(*testing.T, context.Context, *sdk.Client) {}, fresh, 13).Test(t)
	})
	s.Run(t, "tag-drift", func(t *testing.T) {
		matrix(func(t *testing.T, ctx context.Context, api *sdk.Client) {
			if err := fresh(ctx, api); err != nil {
				t.Fatal(err)
			}
			tree, err := organizations.ReadTree(ctx, api)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{tree.OU("Sandbox").ID, tree.Account("sandbox@hiperium.example.com").ID} {
				if _, err := api.TagResource(ctx, &sdk.TagResourceInput{ResourceId: aws.String(id),
					Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("x")}, {Key: aws.String("temp"), Value: aws.String("1")}}}); err != nil {
					t.Fatal(err)
				}
			}
		}, func(ctx context.Context, api *sdk.Client) error {
			_, err := organizations.EnsureTree(ctx, api, retag, one()...)
			return err
		}, 4).Test(t) // TagResource and UntagResource on an OU and an account

	})
}

// TestConcurrentModificationPersisting: the retries are bounded by the
// client's retryer, and the error names the step and keeps the SDK's type.
func TestConcurrentModificationPersisting(t *testing.T) {
	b, api, ctx := withOrg(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	e.FailAlways(emulator.Match{Service: "organizations", Operation: "CreateOrganizationalUnit"}, cme)
	mark := e.CallCount()
	_, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: "Security"}, awstest.Fast()...)
	var ce *types.ConcurrentModificationException
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), `organizations: ou "Security": create: `) {
		t.Fatalf("err = %v", err)
	}
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateOrganizationalUnit" {
			n++
		}
	}
	if n != 5 { // the harness's retryer: 5 attempts
		t.Errorf("%d attempts", n)
	}
}

// TestCrossAccountRoleConcurrentModificationIsRetried fails each IAM write
// of a fresh cross-account role once with ConcurrentModification, which
// AWS asks callers to retry; and each once with a lost answer (applied,
// then a retryable 500): every run converges to the undisturbed state.
func TestCrossAccountRoleConcurrentModificationIsRetried(t *testing.T) {
	type env struct {
		api  *iam.Client
		spec organizations.CrossAccountRoleSpec
	}
	awstest.FaultMatrix[env]{
		Setup: func(t *testing.T, _ context.Context, b *awstest.Backend) env {
			_, api, _, a := roleEnv(t, b)
			return env{api, deploymentRole(a)}
		},
		Run: func(ctx context.Context, _ *awstest.Backend, e env) error {
			_, err := ensureRole(ctx, e.api, e.spec)
			return err
		},
		Match: emulator.Match{Service: "iam"},
		Err: &emulator.APIError{Status: 409, Code: "ConcurrentModification",
			Message: "injected: multiple requests to change this object were submitted simultaneously"},
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, awstest.LostAnswer500, notApplied500},
	}.Test(t)
}

// TestCreateAccountLostAnswerMakesOneRequest: a CreateAccount AWS applied
// whose answer was lost (a retryable 500) is not sent again: the request
// it started is found in progress and waited for, and the account is
// reported created by this run.
func TestCreateAccountLostAnswerMakesOneRequest(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	e := b.RequireEmulator(t, awstest.CapFaults)
	m := emulator.Match{Service: "organizations", Operation: "CreateAccount"}
	f := e.AddFault(&emulator.Fault{Match: m, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	mark := e.CallCount()
	res, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: "prod", Email: "prod@example.com"}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fired() != 1 {
		t.Fatalf("fault fired %d times", f.Fired())
	}
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateAccount" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d CreateAccount requests, want 1", n)
	}
	if got := changeKeys(res.Changes); len(got) == 0 || got[0] != "create organizations:account prod@example.com" {
		t.Errorf("changes %q: the account is this run's", got)
	}
	// The one account carries the ownership tag from its create.
	if tags := tagsOf(t, ctx, api, res.ID); !foundation.Managed(tags) {
		t.Errorf("tags of the account the lost create made: %v", tags)
	}
}

// notApplied500 is a retryable 500 before the write: AWS did not apply it.
// A create guarded by a read (awsretry.Create) finds nothing and creates
// again; the others are retried by the SDK.
var notApplied500 = awstest.FaultVariant{Name: "500-before", Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: not applied"}}

// TestCreateOULostAnswerMakesOneRequest: a CreateOrganizationalUnit AWS
// applied whose answer was lost is not sent again: the OU is found by its
// name under its parent and reported as this run's creation.
func TestCreateOULostAnswerMakesOneRequest(t *testing.T) {
	b, api, ctx := withOrg(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	m := emulator.Match{Service: "organizations", Operation: "CreateOrganizationalUnit"}
	f := e.AddFault(&emulator.Fault{Match: m, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	mark := e.CallCount()
	res, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: "Security"}, awstest.Fast()...)
	if err != nil || f.Fired() != 1 {
		t.Fatalf("err = %v, fault fired %d times", err, f.Fired())
	}
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateOrganizationalUnit" {
			n++
		}
	}
	if got := changeKeys(res.Changes); n != 1 || len(got) != 1 || got[0] != "create organizations:ou Security" || res.ID == "" {
		t.Errorf("%d CreateOrganizationalUnit requests, OU %q, changes %q", n, res.ID, got)
	}
	if tags := tagsOf(t, ctx, api, res.ID); !foundation.Managed(tags) {
		t.Errorf("tags of the OU the lost create made: %v", tags)
	}
}
