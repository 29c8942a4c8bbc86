package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/awsfoundation/foundation/internal/awstest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// inFlight wraps the client and counts the CreateAccount requests in
// progress as the client sees them: +1 when CreateAccount returns a
// request IN_PROGRESS, -1 when DescribeCreateAccountStatus reports it
// SUCCEEDED or FAILED (the emulator settles a request while serving that
// call).
type inFlight struct {
	*sdk.Client
	mu      sync.Mutex
	pending map[string]bool
	max     int
	creates int
}

func (f *inFlight) CreateAccount(ctx context.Context, in *sdk.CreateAccountInput, opts ...func(*sdk.Options)) (*sdk.CreateAccountOutput, error) {
	out, err := f.Client.CreateAccount(ctx, in, opts...)
	if err == nil {
		f.mu.Lock()
		f.creates++
		if out.CreateAccountStatus.State == types.CreateAccountStateInProgress {
			f.pending[aws.ToString(out.CreateAccountStatus.Id)] = true
			f.max = max(f.max, len(f.pending))
		}
		f.mu.Unlock()
	}
	return out, err
}

func (f *inFlight) DescribeCreateAccountStatus(ctx context.Context, in *sdk.DescribeCreateAccountStatusInput, opts ...func(*sdk.Options)) (*sdk.DescribeCreateAccountStatusOutput, error) {
	out, err := f.Client.DescribeCreateAccountStatus(ctx, in, opts...)
	if err == nil && out.CreateAccountStatus.State != types.CreateAccountStateInProgress {
		f.mu.Lock()
		delete(f.pending, aws.ToString(in.CreateAccountRequestId))
		f.mu.Unlock()
	}
	return out, err
}

func manyAccounts(n int) []organizations.AccountSpec {
	var out []organizations.AccountSpec
	for i := range n {
		ou := []string{"Workloads/SDLC", "Workloads/Prod", "Sandbox", ""}[i%4]
		out = append(out, organizations.AccountSpec{Name: fmt.Sprintf("team-%02d", i), Email: fmt.Sprintf("aws+team%02d@example.com", i), OU: ou})
	}
	return out
}

// TestAccountCreationConcurrency requests 12 accounts at once: never more
// than 5 (or the lower bound asked with foundation.WithConcurrency; a
// higher one is capped) CreateAccount requests are in progress, the backend
// never refuses one, and all are created.
func TestAccountCreationConcurrency(t *testing.T) {
	var s awstest.Subtests
	for _, c := range []struct{ conc, want int }{{0, organizations.DefaultAccountCreationConcurrency}, {2, 2}, {10, organizations.DefaultAccountCreationConcurrency}} {
		s.Run(t, fmt.Sprintf("concurrency=%d", c.conc), func(t *testing.T) {
			b, api, ctx := withOrg(t)
			e := b.EmulatorFor(awstest.CapServerCallLog)
			f := &inFlight{Client: api, pending: map[string]bool{}}
			emuMark := 0
			if e != nil {
				emuMark = e.CallCount()
			}
			mark := b.Mark()
			spec := organizations.AccountsSpec{Accounts: manyAccounts(12)}
			res, err := organizations.EnsureAccounts(ctx, f, spec, awstest.Fast(foundation.WithConcurrency(c.conc))...)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("12 accounts, concurrency %d: %d CreateAccount, at most %d in progress; %d calls", c.conc, f.creates, f.max, len(b.Calls(mark)))
			// Where creation is instant nothing is ever in progress: the
			// bound still holds, but is not reached.
			reached := f.max == c.want || b.Lacks(awstest.OrgAsyncInProgress)
			if f.creates != 12 || f.max > c.want || !reached {
				t.Errorf("%d creations, at most %d in progress; want 12 and %d", f.creates, f.max, c.want)
			}
			if n := countOps(b.Calls(mark), "CreateAccount"); n != 12 {
				t.Errorf("%d CreateAccount calls", n)
			}
			// The emulator refuses a sixth creation in progress with
			// TooManyRequestsException (which the SDK would retry
			// silently): it must never have been sent.
			if e != nil {
				for _, call := range e.CallsSince(emuMark) {
					if call.ErrorCode != "" {
						t.Errorf("emulator refused %s: %s", call.Operation, call.ErrorCode)
					}
				}
			}
			if len(res.Accounts) != 12 {
				t.Fatalf("%d accounts", len(res.Accounts))
			}
			verifyTree(t, ctx, api, organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Workloads/SDLC"}, {Path: "Workloads/Prod"}, {Path: "Sandbox"}}, Accounts: spec.Accounts})
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				res, err := organizations.EnsureAccounts(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return res.Changes, nil
			})
		})
	}
	s.Done(t)
}

// TestAccountCreationFailure surfaces AWS's FailureReason as a typed error.
func TestAccountCreationFailure(t *testing.T) {
	var s awstest.Subtests
	s.Run(t, "ACCOUNT_LIMIT_EXCEEDED", func(t *testing.T) {
		b, api, ctx := withOrg(t)
		e := b.RequireEmulator(t, awstest.CapEmulatorState)
		if err := e.FailNextAccountCreation("ACCOUNT_LIMIT_EXCEEDED"); err != nil {
			t.Fatal(err)
		}
		spec := organizations.AccountSpec{Name: "myapp-dev", Email: "dev@example.com", OU: "Workloads/Dev"}
		_, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast()...)
		var ce *organizations.AccountCreationError
		if !errors.As(err, &ce) || ce.Reason != types.CreateAccountFailureReasonAccountLimitExceeded ||
			ce.Email != spec.Email || !strings.HasPrefix(ce.RequestID, "car-") {
			t.Fatalf("err = %v (%#v)", err, ce)
		}
		t.Log(err)
		// Once AWS accepts it, the next run creates the account.
		a, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast()...)
		if err != nil || a.ID == "" {
			t.Fatalf("re-run: %+v %v", a, err)
		}
	})
	s.Run(t, "EMAIL_ALREADY_EXISTS", func(t *testing.T) {
		b, api, ctx := withOrg(t)
		b.Need(t, awstest.OrgEmailTaken)
		// An account of another organization owns the email: only the
		// emulator can add an account outside the organization.
		e := b.RequireEmulator(t, awstest.CapEmulatorState)
		const other = "210987654321"
		if err := e.AddAccount(other); err != nil {
			t.Fatal(err)
		}
		otherOrg, err := client(t, b, b.ConfigFor(other)).CreateOrganization(ctx, &sdk.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
		if err != nil {
			t.Fatal(err)
		}
		taken := aws.ToString(otherOrg.Organization.MasterAccountEmail)
		spec := organizations.TreeSpec{Accounts: []organizations.AccountSpec{{Name: "taken", Email: taken}}}
		_, err = organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
		var ce *organizations.AccountCreationError
		if !errors.As(err, &ce) || ce.Reason != types.CreateAccountFailureReasonEmailAlreadyExists || ce.Email != taken {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
	})
	s.Done(t)
}

// TestAccountFoundElsewhereIsMoved: an account that exists under another OU
// is found by its email (whatever its case) and moved, never created again;
// a name that differs is reported as drift.
func TestAccountFoundElsewhereIsMoved(t *testing.T) {
	b, api, ctx := withOrg(t)
	first, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: "hiperium-sandbox", Email: "sandbox@hiperium.example.com", OU: "Sandbox"}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	spec := seed001()
	spec.Accounts[1].OU = "Workloads/Prod"
	spec.Accounts[1].Email = "Sandbox@Hiperium.Example.com"
	spec.Accounts[1].Name = "hiperium-sandbox-renamed"
	mark := b.Mark()
	res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if n := countOps(b.Calls(mark), "CreateAccount"); n != 1 { // the security account only
		t.Errorf("%d CreateAccount calls: %v", n, opsOf(b.Calls(mark)))
	}
	moved := res.Account("sandbox@hiperium.example.com")
	if moved.ID != first.ID || moved.OU != "Workloads/Prod" || moved.ParentID != res.OU("Workloads/Prod").ID {
		t.Errorf("moved account: %+v", moved)
	}
	if len(moved.Drift) != 1 || !strings.Contains(moved.Drift[0], "hiperium-sandbox-renamed") {
		t.Errorf("drift: %q", moved.Drift)
	}
	want := []string{`update organizations:account-parent "Sandbox@Hiperium.Example.com": Parent: Sandbox -> Workloads/Prod`}
	var got []string
	for _, c := range moved.Changes {
		if c.Resource != organizations.ResAccountTags {
			got = append(got, c.String())
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes: %q, want %q", got, want)
	}
	accounts := readAccounts(t, ctx, api)
	if len(accounts) != 3 || accounts["sandbox@hiperium.example.com"] != "Workloads/Prod" {
		t.Errorf("accounts: %v", accounts)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return res.Changes, nil
	})
}

// TestAccountCreationInProgressIsAdopted: a run that stopped after
// CreateAccount leaves a request IN_PROGRESS (tagged managed-by=foundation,
// as the library's CreateAccount is); the next run waits for it instead of
// creating the account again.
func TestAccountCreationInProgressIsAdopted(t *testing.T) {
	b, api, ctx := withOrg(t)
	spec := organizations.AccountSpec{Name: "myapp-staging", Email: "staging@example.com", OU: "Workloads/Staging", Tags: map[string]string{"env": "staging"}}
	if _, err := api.CreateAccount(ctx, &sdk.CreateAccountInput{AccountName: aws.String(spec.Name), Email: aws.String(spec.Email),
		Tags: []types.Tag{{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(foundation.ManagedByTagValue)}}}); err != nil {
		t.Fatal(err)
	}
	// A dry run reports the creation without waiting for it.
	mark := b.Mark()
	planned, err := organizations.EnsureAccount(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	mark = b.Mark()
	a, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// It waits for the request (where creation is instant, the request has
	// SUCCEEDED and the account is found by its email).
	calls := b.Calls(mark)
	waited := countOps(calls, "DescribeCreateAccountStatus") > 0 || b.Lacks(awstest.OrgAsyncInProgress)
	if countOps(calls, "CreateAccount") != 0 || !waited {
		t.Errorf("calls: %v", opsOf(calls))
	}
	if !slices.Equal(keys(planned.Changes), keys(a.Changes)) {
		t.Errorf("dry run listed:\n%s\nthe run made:\n%s", planned.Changes, a.Changes)
	}
	accounts := readAccounts(t, ctx, api)
	if len(accounts) != 2 || accounts["staging@example.com"] != "Workloads/Staging" {
		t.Errorf("accounts: %v", accounts)
	}
	if tags := tagsOf(t, ctx, api, a.ID); tags["env"] != "staging" {
		t.Errorf("tags of the adopted account: %v", tags)
	}
}

// TestTagsConverge: only the keys of the spec are set or removed; other
// keys are kept; drift is repaired.
func TestTagsConverge(t *testing.T) {
	b, api, ctx := withOrg(t)
	ou, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: "Workloads/Production", Tags: map[string]string{"env": "prod"}}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(ou.Changes); !slices.Equal(got, []string{`create organizations:ou "Workloads"`, `create organizations:ou "Workloads/Production"`}) {
		t.Errorf("changes: %q", got)
	}
	// Someone else's tag, and drift of ours.
	if _, err := api.TagResource(ctx, &sdk.TagResourceInput{ResourceId: aws.String(ou.ID), Tags: []types.Tag{
		{Key: aws.String("owner"), Value: aws.String("team-a")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	spec := organizations.OUSpec{Path: "Workloads/Production", Tags: map[string]string{"env": "prod", "tier": "1"}}
	mark := b.Mark()
	again, err := organizations.EnsureOU(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`update organizations:ou-tags "Workloads/Production": tag env: dev -> prod; tag tier: 1`}
	if got := keys(again.Changes); !slices.Equal(got, want) || again.ID != ou.ID {
		t.Errorf("changes: %q, want %q", got, want)
	}
	if ops := opsOf(b.MutatingCalls(mark)); !slices.Equal(ops, []string{"TagResource"}) {
		t.Errorf("mutating calls: %v", ops)
	}
	if tags := tagsOf(t, ctx, api, ou.ID); len(tags) != 4 || tags["owner"] != "team-a" || tags["env"] != "prod" || tags["tier"] != "1" || !foundation.Managed(tags) {
		t.Errorf("tags: %v", tags)
	}
	spec = organizations.OUSpec{Path: "Workloads/Production", Tags: map[string]string{"env": "prod"}, RemoveTags: []string{"tier", "absent"}}
	mark = b.Mark()
	again, err = organizations.EnsureOU(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if ops := opsOf(b.MutatingCalls(mark)); !slices.Equal(ops, []string{"UntagResource"}) || len(again.Changes) != 1 {
		t.Errorf("mutating calls: %v, changes %s", ops, again.Changes)
	}
	if tags := tagsOf(t, ctx, api, ou.ID); len(tags) != 3 || tags["owner"] != "team-a" || !foundation.Managed(tags) {
		t.Errorf("tags: %v", tags)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		ou, err := organizations.EnsureOU(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return ou.Changes, nil
	})
}

// TestManagementAccountInTree: seed 000 keeps the management account in a
// "Management" OU; it is found by its email and moved like any account.
func TestManagementAccountInTree(t *testing.T) {
	b, api, ctx := withOrg(t)
	desc, err := api.DescribeOrganization(ctx, &sdk.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	spec := seed000()
	spec.Accounts = append(spec.Accounts, organizations.AccountSpec{Name: "management", Email: aws.ToString(desc.Organization.MasterAccountEmail), OU: "Management"})
	mark := b.Mark()
	res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if n := countOps(b.Calls(mark), "CreateAccount"); n != 3 {
		t.Errorf("%d CreateAccount calls", n)
	}
	m := res.Accounts[3]
	if m.ID != aws.ToString(desc.Organization.MasterAccountId) || m.ParentID != res.OU("Management").ID || len(m.Drift) != 1 {
		t.Errorf("management account: %+v", m)
	}
	verifyTree(t, ctx, api, spec)
}
