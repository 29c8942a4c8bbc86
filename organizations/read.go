package organizations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
)

// Tree is a read-only snapshot of the organization: the root, every OU by
// path, every account with its OU, and the policies attached to each, for
// reports and dry runs. Read it with ReadTree.
type Tree struct {
	OrganizationID      string
	ManagementAccountID string
	RootID              string
	RootARN             string
	// PolicyTypes are the policy types enabled on the root, sorted.
	PolicyTypes []types.PolicyType
	// RootPolicies are the policies attached to the root.
	RootPolicies []Policy
	// OUs are every OU, sorted by path.
	OUs []TreeOU
	// Accounts are every account, sorted by OU path then name.
	Accounts []TreeAccount
}

// Policy is a policy attached to a target.
type Policy struct {
	ID         string
	Name       string
	Type       types.PolicyType
	AWSManaged bool
}

// TreeOU is an OU of a Tree.
type TreeOU struct {
	Path     string
	ID       string
	ARN      string
	ParentID string
	Policies []Policy
}

// TreeAccount is an account of a Tree.
type TreeAccount struct {
	ID    string
	ARN   string
	Name  string
	Email string
	// OU is the path of the account's OU, "" for the root.
	OU       string
	ParentID string
	State    types.AccountState
	Policies []Policy
}

// OU returns the OU of path, or nil.
func (t *Tree) OU(path string) *TreeOU {
	for i := range t.OUs {
		if t.OUs[i].Path == path {
			return &t.OUs[i]
		}
	}
	return nil
}

// Account returns the account with email (case-insensitive), or nil.
func (t *Tree) Account(email string) *TreeAccount {
	for i := range t.Accounts {
		if strings.EqualFold(t.Accounts[i].Email, email) {
			return &t.Accounts[i]
		}
	}
	return nil
}

// ReadTree reads the organization's tree with read calls only: the
// organization and its root with the enabled policy types, the OUs and
// accounts of every parent (ListOrganizationalUnitsForParent,
// ListAccountsForParent), and the policies policy-first: the policies of
// each enabled type (ListPolicies) and the targets of each
// (ListTargetsForPolicy), which for an organization of many accounts and
// few policies is far fewer calls than asking every target for its
// policies. Each parent is read as soon as its own parent's listing names
// it (no wait for a whole level), beside the policies, at most
// DefaultReadConcurrency calls at once.
//
// With foundation.WithReadCache, the root and the listings of each parent
// are those the run has read already.
func ReadTree(ctx context.Context, api ReadTreeAPI, opts ...foundation.Option) (*Tree, error) {
	var f faults
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	desc, err := r.describeOrganization(ctx)
	if err != nil {
		return nil, fmt.Errorf("organizations: read tree: describe organization: %w", err)
	}
	root, err := r.cachedRoot(ctx)
	if err != nil {
		return nil, fmt.Errorf("organizations: read tree: list roots: %w", err)
	}
	t := &Tree{
		OrganizationID: aws.ToString(desc.Organization.Id), ManagementAccountID: aws.ToString(desc.Organization.MasterAccountId),
		RootID: aws.ToString(root.Id), RootARN: aws.ToString(root.Arn),
	}
	for p, s := range policyTypeStatus(root) {
		if s == types.PolicyTypeStatusEnabled {
			t.PolicyTypes = append(t.PolicyTypes, p)
		}
	}
	slices.Sort(t.PolicyTypes)

	rd := &treeReader{r: r, t: t, sem: make(chan struct{}, r.o.Width(DefaultReadConcurrency, 0)), policies: map[string][]Policy{}}
	rd.visit(ctx, TreeOU{ID: t.RootID}) // the root as a parent with path ""
	for _, typ := range t.PolicyTypes {
		rd.policiesOf(ctx, typ)
	}
	rd.wg.Wait()
	if err := errors.Join(rd.errs...); err != nil {
		return nil, err
	}

	slices.SortFunc(t.OUs, func(a, b TreeOU) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(t.Accounts, func(a, b TreeAccount) int {
		if c := strings.Compare(a.OU, b.OU); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	sorted := func(ps []Policy) []Policy {
		slices.SortFunc(ps, func(a, b Policy) int {
			if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		return ps
	}
	t.RootPolicies = sorted(rd.policies[t.RootID])
	for i := range t.OUs {
		t.OUs[i].Policies = sorted(rd.policies[t.OUs[i].ID])
	}
	for i := range t.Accounts {
		t.Accounts[i].Policies = sorted(rd.policies[t.Accounts[i].ID])
	}
	return t, nil
}

// treeReader reads a Tree: each parent's listings, and each policy's
// targets, as separate tasks started as soon as they are known, at most
// cap(sem) calls at once. A task holds a place in sem only while it calls
// AWS, never while it waits for the tasks it starts.
type treeReader struct {
	r   *run
	t   *Tree
	sem chan struct{}
	wg  sync.WaitGroup

	mu       sync.Mutex
	errs     []error
	policies map[string][]Policy // target ID -> policies attached
}

func (rd *treeReader) fail(err error) {
	rd.mu.Lock()
	rd.errs = append(rd.errs, err)
	rd.mu.Unlock()
}

// do runs fn in a task once a place is free.
func (rd *treeReader) do(ctx context.Context, fn func(context.Context) error) {
	rd.wg.Add(1)
	go func() {
		defer rd.wg.Done()
		select {
		case rd.sem <- struct{}{}:
		case <-ctx.Done():
			rd.fail(ctx.Err())
			return
		}
		err := fn(ctx)
		<-rd.sem
		if err != nil {
			rd.fail(err)
		}
	}()
}

// visit reads the OUs and accounts of parent, then visits each child OU.
func (rd *treeReader) visit(ctx context.Context, parent TreeOU) {
	var ous []types.OrganizationalUnit
	rd.do(ctx, func(ctx context.Context) error {
		l, err := rd.r.children(ctx, parent.ID)
		if err != nil {
			return err
		}
		l.mu.Lock()
		ous = slices.Clone(l.ous)
		l.mu.Unlock()
		var children []TreeOU
		for _, ou := range ous {
			path := aws.ToString(ou.Name)
			if parent.Path != "" {
				path = parent.Path + "/" + path
			}
			children = append(children, TreeOU{Path: path, ID: aws.ToString(ou.Id), ARN: aws.ToString(ou.Arn), ParentID: parent.ID})
		}
		rd.mu.Lock()
		rd.t.OUs = append(rd.t.OUs, children...)
		rd.mu.Unlock()
		for _, c := range children {
			rd.visit(ctx, c)
		}
		return nil
	})
	rd.do(ctx, func(ctx context.Context) error {
		in, err := rd.r.accountsIn(ctx, parent.ID)
		if err != nil {
			return err
		}
		in.mu.Lock()
		accounts := make([]TreeAccount, 0, len(in.byEmail))
		for _, a := range in.byEmail {
			accounts = append(accounts, TreeAccount{ID: aws.ToString(a.Id), ARN: aws.ToString(a.Arn), Name: aws.ToString(a.Name),
				Email: aws.ToString(a.Email), OU: parent.Path, ParentID: parent.ID, State: accountState(&a)})
		}
		in.mu.Unlock()
		rd.mu.Lock()
		rd.t.Accounts = append(rd.t.Accounts, accounts...)
		rd.mu.Unlock()
		return nil
	})
}

// policiesOf reads the policies of type typ, then the targets of each.
func (rd *treeReader) policiesOf(ctx context.Context, typ types.PolicyType) {
	rd.do(ctx, func(ctx context.Context) error {
		var all []types.PolicySummary
		p := organizations.NewListPoliciesPaginator(rd.r.api, &organizations.ListPoliciesInput{Filter: typ})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryCME)
			if err != nil {
				return fmt.Errorf("organizations: list %s policies: %w", typ, err)
			}
			all = append(all, out.Policies...)
		}
		for _, s := range all {
			pol := Policy{ID: aws.ToString(s.Id), Name: aws.ToString(s.Name), Type: s.Type, AWSManaged: s.AwsManaged}
			rd.do(ctx, func(ctx context.Context) error {
				p := organizations.NewListTargetsForPolicyPaginator(rd.r.api, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pol.ID)})
				var ids []string
				for p.HasMorePages() {
					out, err := p.NextPage(ctx, retryCME)
					if err != nil {
						return fmt.Errorf("organizations: policy %s (%s): list targets: %w", pol.Name, pol.ID, err)
					}
					for _, tg := range out.Targets {
						ids = append(ids, aws.ToString(tg.TargetId))
					}
				}
				rd.mu.Lock()
				for _, id := range ids {
					rd.policies[id] = append(rd.policies[id], pol)
				}
				rd.mu.Unlock()
				return nil
			})
		}
		return nil
	})
}

// String renders the tree as an indented report: the root, then each OU
// under its parent with its accounts, and the policies attached to each.
//
//	Organization o-abc (management account 123456789012); policy types: SERVICE_CONTROL_POLICY
//	Root r-abcd [FullAWSAccess]
//	  management <root@example.com> 123456789012 ACTIVE [FullAWSAccess]
//	  Workloads/ ou-abcd-11111111 [FullAWSAccess]
//	    Production/ ou-abcd-22222222 [FullAWSAccess, DenyDelete]
//	      myapp-production <prod@example.com> 111111111111 ACTIVE [FullAWSAccess]
func (t *Tree) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Organization %s (management account %s)", t.OrganizationID, t.ManagementAccountID)
	if len(t.PolicyTypes) > 0 {
		var s []string
		for _, p := range t.PolicyTypes {
			s = append(s, string(p))
		}
		fmt.Fprintf(&b, "; policy types: %s", strings.Join(s, ", "))
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "Root %s%s\n", t.RootID, policyList(t.RootPolicies))
	var walk func(path string, depth int)
	walk = func(path string, depth int) {
		indent := strings.Repeat("  ", depth)
		for _, a := range t.Accounts {
			if a.OU == path {
				fmt.Fprintf(&b, "%s%s <%s> %s %s%s\n", indent, a.Name, a.Email, a.ID, a.State, policyList(a.Policies))
			}
		}
		for _, ou := range t.OUs {
			if parentPath(ou.Path) == path {
				fmt.Fprintf(&b, "%s%s/ %s%s\n", indent, baseName(ou.Path), ou.ID, policyList(ou.Policies))
				walk(ou.Path, depth+1)
			}
		}
	}
	walk("", 1)
	return b.String()
}

func policyList(ps []Policy) string {
	if len(ps) == 0 {
		return ""
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return " [" + strings.Join(names, ", ") + "]"
}
