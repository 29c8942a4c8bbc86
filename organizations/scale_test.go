package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// hooked is the Organizations client with hooks on the calls a test
// watches.
type hooked struct {
	*sdk.Client
	create   func(ctx context.Context, in *sdk.CreateAccountInput) // before the call
	move     func(ctx context.Context, in *sdk.MoveAccountInput)   // before the call
	describe func(out *sdk.DescribeCreateAccountStatusOutput) *sdk.DescribeCreateAccountStatusOutput
}

func (h *hooked) CreateAccount(ctx context.Context, in *sdk.CreateAccountInput, o ...func(*sdk.Options)) (*sdk.CreateAccountOutput, error) {
	if h.create != nil {
		h.create(ctx, in)
	}
	return h.Client.CreateAccount(ctx, in, o...)
}

func (h *hooked) MoveAccount(ctx context.Context, in *sdk.MoveAccountInput, o ...func(*sdk.Options)) (*sdk.MoveAccountOutput, error) {
	if h.move != nil {
		h.move(ctx, in)
	}
	return h.Client.MoveAccount(ctx, in, o...)
}

func (h *hooked) DescribeCreateAccountStatus(ctx context.Context, in *sdk.DescribeCreateAccountStatusInput, o ...func(*sdk.Options)) (*sdk.DescribeCreateAccountStatusOutput, error) {
	out, err := h.Client.DescribeCreateAccountStatus(ctx, in, o...)
	if err == nil && h.describe != nil {
		out = h.describe(out)
	}
	return out, err
}

func accountsIn(ou string, n int, prefix string) []organizations.AccountSpec {
	out := make([]organizations.AccountSpec, n)
	for i := range out {
		out[i] = organizations.AccountSpec{Name: fmt.Sprintf("%s-%02d", prefix, i), Email: fmt.Sprintf("%s-%02d@example.com", prefix, i), OU: ou}
	}
	return out
}

// TestCreationSlotFreedAtSucceeded: a creation slot is released the moment
// the status says SUCCEEDED, so the sixth CreateAccount is made while the
// first account is still being moved into its OU (the move is held until
// then); the account's ID and ARN come from the status, with no
// DescribeAccount; AWS's limit of five creations in progress is kept (no
// CreateAccount refused).
func TestCreationSlotFreedAtSucceeded(t *testing.T) {
	b, api, ctx := withOrg(t)
	var creates atomic.Int32
	sixth := make(chan struct{})
	var once sync.Once
	var held atomic.Bool
	h := &hooked{Client: api,
		create: func(context.Context, *sdk.CreateAccountInput) {
			if creates.Add(1) == 6 {
				once.Do(func() { close(sixth) })
			}
		},
		move: func(ctx context.Context, _ *sdk.MoveAccountInput) {
			if held.CompareAndSwap(false, true) {
				select {
				case <-sixth:
				case <-time.After(20 * time.Second):
					t.Error("the sixth CreateAccount waited for the first account's move: the creation slot was held through the move")
				}
			}
		},
	}
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Work"}}, Accounts: accountsIn("Work", 7, "slot")}
	mark := b.Mark()
	res, err := organizations.EnsureTree(ctx, h, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	calls := b.Calls(mark)
	if n := countOps(calls, "CreateAccount"); n != 7 {
		t.Errorf("%d CreateAccount calls for 7 accounts (a sixth in progress refused?): %v", n, opsOf(calls))
	}
	for _, op := range []string{"DescribeAccount", "ListParents"} {
		if n := countOps(calls, op); n != 0 {
			t.Errorf("%d %s calls: the new account's ID comes from its status and its parent is the root", n, op)
		}
	}
	// What the result says is what AWS says.
	p := sdk.NewListAccountsPaginator(api, &sdk.ListAccountsInput{})
	arns := map[string]string{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			arns[aws.ToString(a.Id)] = aws.ToString(a.Arn)
		}
	}
	for _, a := range res.Accounts {
		if a.ARN == "" || arns[a.ID] != a.ARN || a.State != types.AccountStateActive || a.ParentID != res.OU("Work").ID {
			t.Errorf("account %+v: AWS has ARN %q", a, arns[a.ID])
		}
	}
	verifyTree(t, ctx, api, spec)
}

// TestCreationPolledAtAFixedCadence: the creation status is read every
// poll interval, not with a doubling backoff. Six "in progress" answers at
// a 20 ms interval take about 140 ms; doubling from 20 ms would sleep
// 20+40+80+160+320+640 = 1,260 ms.
func TestCreationPolledAtAFixedCadence(t *testing.T) {
	_, api, ctx := withOrg(t)
	var mu sync.Mutex
	seen := map[string]int{}
	h := &hooked{Client: api, describe: func(out *sdk.DescribeCreateAccountStatusOutput) *sdk.DescribeCreateAccountStatusOutput {
		mu.Lock()
		defer mu.Unlock()
		id := aws.ToString(out.CreateAccountStatus.Id)
		if seen[id]++; seen[id] <= 6 {
			st := *out.CreateAccountStatus
			st.State, st.AccountId = types.CreateAccountStateInProgress, nil
			return &sdk.DescribeCreateAccountStatusOutput{CreateAccountStatus: &st}
		}
		return out
	}}
	start := time.Now()
	if _, err := organizations.EnsureTree(ctx, h, organizations.TreeSpec{Accounts: accountsIn("", 1, "cadence")},
		foundation.WithPollInterval(20*time.Millisecond, 2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 700*time.Millisecond {
		t.Errorf("six in-progress answers at a 20 ms interval took %v: the status is not read at a fixed cadence", d)
	}
}

// TestNoOpRerunReadsPerOU: a converged tree's rerun reads the root once,
// the OUs of each parent on the spec's paths, the accounts of each OU that
// has accounts (ListAccountsForParent) and the tags of each OU and account
// of the spec, each once (their owner is checked: managed-by=foundation):
// no ListParents, ListAccounts or DescribeAccount per account. Exact counts on the emulator (2 items a page), for 4 and 12
// accounts.
func TestNoOpRerunReadsPerOU(t *testing.T) {
	for _, n := range []int{4, 12} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b, api, ctx := withOrg(t)
			var accts []organizations.AccountSpec
			accts = append(accts, accountsIn("Workloads/Dev", n/2, "dev")...)
			accts = append(accts, accountsIn("Workloads/Prod", n/4, "prod")...)
			accts = append(accts, accountsIn("Sandbox", n-n/2-n/4, "sbx")...)
			accts[0].Tags = map[string]string{"owner": "team-a"}
			spec := organizations.TreeSpec{
				OUs:      []organizations.OUSpec{{Path: "Workloads", Tags: map[string]string{"managed-by": "foundation"}}, {Path: "Workloads/Dev"}, {Path: "Workloads/Prod"}, {Path: "Sandbox"}},
				Accounts: accts,
			}
			if _, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			mark := b.Mark()
			res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
			if err != nil || len(res.Changes) != 0 {
				t.Fatalf("rerun: %v %v", err, res.Changes)
			}
			calls := b.Calls(mark)
			t.Logf("%d accounts: rerun %d calls: %v", n, len(calls), opsOf(calls))
			for _, op := range []string{"ListParents", "ListAccounts", "DescribeAccount", "ListCreateAccountStatus", "DescribeOrganizationalUnit"} {
				if c := countOps(calls, op); c != 0 {
					t.Errorf("%d %s calls on a converged tree", c, op)
				}
			}
			pages := func(items int) int { return max(1, (items+1)/2) }
			want := map[string]int{
				"ListRoots":                        1,
				"ListOrganizationalUnitsForParent": pages(2) + pages(2), // the root (Workloads, Sandbox), Workloads (Dev, Prod)
				"ListAccountsForParent":            pages(n/2) + pages(n/4) + pages(n-n/2-n/4),
				"ListTagsForResource":              4 + n, // each OU and account of the spec: its owner
			}
			if b.Kind != awstest.KindEmulator && b.Kind != awstest.KindContainer {
				// Other backends page differently: at most one call a
				// page of one item.
				if len(calls) > 1+4+n+4+n {
					t.Errorf("%d calls for %d accounts", len(calls), n)
				}
				return
			}
			total := 0
			for op, c := range want {
				total += c
				if got := countOps(calls, op); got != c {
					t.Errorf("%s: %d calls, want %d", op, got, c)
				}
			}
			if len(calls) != total {
				t.Errorf("%d calls, want %d: %v", len(calls), total, opsOf(calls))
			}
		})
	}
}

// TestEnsureTreeEachStartsWorkAsAccountsArrive: the work of an account
// starts while other accounts are still being created (the sixth
// CreateAccount is held until some work has run), every account gets its
// work once, the work's changes are the account's and the result's, and a
// failing work leaves the others done and returns an IncompleteError with
// every change made, naming its account.
func TestEnsureTreeEachStartsWorkAsAccountsArrive(t *testing.T) {
	b, api, ctx := withOrg(t)
	var creates atomic.Int32
	worked := make(chan struct{})
	var once sync.Once
	h := &hooked{Client: api, create: func(context.Context, *sdk.CreateAccountInput) {
		if creates.Add(1) == 6 {
			select {
			case <-worked:
			case <-time.After(20 * time.Second):
				t.Error("no account's work started before the sixth account was created")
			}
		}
	}}
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Work"}}, Accounts: accountsIn("Work", 7, "each")}
	var mu sync.Mutex
	got := map[string]int{}
	work := func(ctx context.Context, a *organizations.Account) (foundation.Changes, error) {
		once.Do(func() { close(worked) })
		mu.Lock()
		got[a.Email]++
		mu.Unlock()
		if a.ID == "" || a.ParentID == "" {
			return nil, fmt.Errorf("account not converged: %+v", a)
		}
		c := foundation.Change{Action: foundation.ActionCreate, Resource: "test:thing", ID: a.ID}
		if a.Email == spec.Accounts[3].Email {
			return foundation.Changes{c}, errors.New("boom")
		}
		return foundation.Changes{c}, nil
	}
	_, err := organizations.EnsureTreeEach(ctx, h, spec, work, awstest.Fast()...)
	var inc *foundation.IncompleteError
	if !errors.As(err, &inc) || !strings.Contains(err.Error(), spec.Accounts[3].Email) {
		t.Fatalf("err = %v, want an IncompleteError naming %s", err, spec.Accounts[3].Email)
	}
	things := 0
	for _, c := range inc.Changes {
		if c.Resource == "test:thing" {
			things++
		}
	}
	if things != 7 || len(got) != 7 {
		t.Errorf("work ran for %d accounts, %d of its changes reported: %v", len(got), things, got)
	}

	// The rerun: no tree change, no mutating call (the work makes none);
	// each account's changes are its work's.
	mark := b.Mark()
	res, err := organizations.EnsureTreeEach(ctx, api, spec, func(ctx context.Context, a *organizations.Account) (foundation.Changes, error) {
		return foundation.Changes{{Action: foundation.ActionUpdate, Resource: "test:thing", ID: a.ID}}, nil
	}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 7 {
		t.Errorf("rerun changes: %v", res.Changes)
	}
	b.RequireNoMutations(t, mark)
	for _, a := range res.Accounts {
		if len(a.Changes) != 1 || a.Changes[0].ID != a.ID {
			t.Errorf("account %s changes %v", a.Email, a.Changes)
		}
	}

	// A dry run gives the work the predicted IDs of accounts to create.
	more := spec
	more.Accounts = append(slices.Clone(spec.Accounts), accountsIn("Work", 1, "planned")...)
	var predicted atomic.Int32
	mark = b.Mark()
	if _, err := organizations.EnsureTreeEach(ctx, api, more, func(ctx context.Context, a *organizations.Account) (foundation.Changes, error) {
		if foundation.IsPredicted(a.ID) {
			predicted.Add(1)
		}
		return nil, nil
	}, dry()...); err != nil {
		t.Fatal(err)
	}
	if predicted.Load() != 1 {
		t.Errorf("dry run: %d predicted accounts given to the work, want 1", predicted.Load())
	}
	b.RequireNoMutations(t, mark)
}

// TestReadTreePolicyFirst: ReadTree reads each parent's OUs and accounts
// and each policy's targets (ListPolicies, ListTargetsForPolicy), never a
// target's policies: on the emulator (2 items a page) exactly the
// policy-first minimum of calls, and the same policies per target as
// ListPoliciesForTarget reports.
func TestReadTreePolicyFirst(t *testing.T) {
	b, api, ctx := withOrg(t)
	spec := organizations.TreeSpec{
		OUs:      []organizations.OUSpec{{Path: "A"}, {Path: "A/B"}, {Path: "C"}},
		Accounts: append(accountsIn("A/B", 3, "rb"), accountsIn("C", 1, "rc")...),
	}
	if _, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	mark := b.Mark()
	tree, err := organizations.ReadTree(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	calls := b.Calls(mark)
	if n := countOps(calls, "ListPoliciesForTarget"); n != 0 {
		t.Errorf("%d ListPoliciesForTarget calls", n)
	}
	// Every target has FullAWSAccess, as ListPoliciesForTarget says.
	targets := []string{tree.RootID}
	for _, ou := range tree.OUs {
		targets = append(targets, ou.ID)
	}
	for _, a := range tree.Accounts {
		targets = append(targets, a.ID)
	}
	for _, id := range targets {
		out, err := api.ListPoliciesForTarget(ctx, &sdk.ListPoliciesForTargetInput{TargetId: aws.String(id), Filter: types.PolicyTypeServiceControlPolicy})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range out.Policies {
			want = append(want, aws.ToString(p.Name))
		}
		var got []organizations.Policy
		switch {
		case id == tree.RootID:
			got = tree.RootPolicies
		case tree.OUs != nil && slices.ContainsFunc(tree.OUs, func(o organizations.TreeOU) bool { return o.ID == id }):
			got = tree.OUs[slices.IndexFunc(tree.OUs, func(o organizations.TreeOU) bool { return o.ID == id })].Policies
		default:
			got = tree.Accounts[slices.IndexFunc(tree.Accounts, func(a organizations.TreeAccount) bool { return a.ID == id })].Policies
		}
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("target %s: ReadTree %v, ListPoliciesForTarget %v", id, names, want)
		}
	}
	if b.Kind != awstest.KindEmulator && b.Kind != awstest.KindContainer {
		return
	}
	pages := func(items int) int { return max(1, (items+1)/2) }
	// The organization, the root; per parent (root, A, A/B, C) its OUs and
	// accounts; the SCPs (FullAWSAccess), and its targets (the root, 3
	// OUs, 4 accounts and the management account).
	want := 2 + (pages(2) + pages(1)) + (pages(1) + pages(0)) + (pages(0) + pages(3)) + (pages(0) + pages(1)) + pages(1) + pages(1+3+5)
	if len(calls) != want {
		t.Errorf("%d calls, want the policy-first minimum %d: %v", len(calls), want, opsOf(calls))
	}
}

// TestReadCacheSharedAcrossCalls: with one foundation.ReadCache for the
// run, EnsureOrganization, EnsureTree and ReadTree read the organization
// and its root once between them; the cache follows the run's own writes
// (an account created in the root and moved, an OU created, tags set), so
// a second EnsureTree on the same cache changes nothing, and reads nothing
// the first already read.
func TestReadCacheSharedAcrossCalls(t *testing.T) {
	b, api, ctx := withOrg(t)
	// An account in the root that the spec moves.
	if _, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{Accounts: accountsIn("", 1, "mover")}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := organizations.TreeSpec{
		OUs:      []organizations.OUSpec{{Path: "X", Tags: map[string]string{"k": "v"}}, {Path: "X/Y"}},
		Accounts: append(accountsIn("X/Y", 1, "mover"), accountsIn("X", 2, "fresh")...),
	}
	spec.Accounts[0].Tags = map[string]string{"team": "a"}
	opts := awstest.Fast(foundation.WithReadCache(foundation.NewReadCache()))
	mark := b.Mark()
	if _, err := organizations.EnsureOrganization(ctx, api, scp, opts...); err != nil {
		t.Fatal(err)
	}
	first, err := organizations.EnsureTree(ctx, api, spec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.ReadTree(ctx, api, opts...); err != nil {
		t.Fatal(err)
	}
	calls := b.Calls(mark)
	if countOps(calls, "ListRoots") != 1 || countOps(calls, "DescribeOrganization") != 1 {
		t.Errorf("ListRoots %d, DescribeOrganization %d, want 1 each: %v", countOps(calls, "ListRoots"), countOps(calls, "DescribeOrganization"), opsOf(calls))
	}
	mark = b.Mark()
	again, err := organizations.EnsureTree(ctx, api, spec, opts...)
	if err != nil || len(again.Changes) != 0 {
		t.Fatalf("second run on the same cache: %v %v", err, again.Changes)
	}
	for i, a := range again.Accounts {
		if a.ID != first.Accounts[i].ID || a.ParentID != first.Accounts[i].ParentID {
			t.Errorf("second run: %+v, first %+v", a, first.Accounts[i])
		}
	}
	b.RequireNoMutations(t, mark)
	for _, op := range []string{"ListRoots", "ListAccountsForParent", "ListOrganizationalUnitsForParent", "ListAccounts", "ListParents"} {
		if n := countOps(b.Calls(mark), op); n != 0 {
			t.Errorf("second run on the same cache: %d %s calls", n, op)
		}
	}
	verifyTree(t, ctx, api, spec)
}
