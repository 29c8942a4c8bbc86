package organizations

import (
	"context"
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

// ReadTree reads the organization's tree with read calls only: the root
// and its enabled policy types, the OUs and accounts of every parent
// (ListOrganizationalUnitsForParent, ListAccountsForParent), and the
// policies attached to every target, one ListPoliciesForTarget per enabled
// policy type. Parents and targets are read DefaultReadConcurrency at once.
func ReadTree(ctx context.Context, api ReadTreeAPI, opts ...foundation.Option) (*Tree, error) {
	var f faults
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	desc, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	if err != nil {
		return nil, fmt.Errorf("organizations: read tree: describe organization: %w", err)
	}
	root, err := r.readRoot(ctx)
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

	// Walk the tree level by level.
	var mu sync.Mutex
	level := []TreeOU{{ID: t.RootID}} // the root as a parent with path ""
	for len(level) > 0 {
		var next []TreeOU
		err := forEach(ctx, len(level), DefaultReadConcurrency, func(ctx context.Context, i int) error {
			parent := level[i]
			ous, err := r.listOUs(ctx, parent.ID)
			if err != nil {
				return err
			}
			var accounts []TreeAccount
			p := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent.ID)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx, retryCME)
				if err != nil {
					return fmt.Errorf("organizations: parent %s: list accounts: %w", parent.ID, err)
				}
				for _, a := range out.Accounts {
					accounts = append(accounts, TreeAccount{ID: aws.ToString(a.Id), ARN: aws.ToString(a.Arn), Name: aws.ToString(a.Name),
						Email: aws.ToString(a.Email), OU: parent.Path, ParentID: parent.ID, State: accountState(&a)})
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, ou := range ous {
				path := aws.ToString(ou.Name)
				if parent.Path != "" {
					path = parent.Path + "/" + path
				}
				next = append(next, TreeOU{Path: path, ID: aws.ToString(ou.Id), ARN: aws.ToString(ou.Arn), ParentID: parent.ID})
			}
			t.Accounts = append(t.Accounts, accounts...)
			return nil
		})
		if err != nil {
			return nil, err
		}
		t.OUs = append(t.OUs, next...)
		level = next
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

	// Policies of every target.
	if len(t.PolicyTypes) > 0 {
		targets := []*[]Policy{&t.RootPolicies}
		ids := []string{t.RootID}
		for i := range t.OUs {
			targets, ids = append(targets, &t.OUs[i].Policies), append(ids, t.OUs[i].ID)
		}
		for i := range t.Accounts {
			targets, ids = append(targets, &t.Accounts[i].Policies), append(ids, t.Accounts[i].ID)
		}
		err := forEach(ctx, len(targets), DefaultReadConcurrency, func(ctx context.Context, i int) error {
			var ps []Policy
			for _, typ := range t.PolicyTypes {
				p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(ids[i]), Filter: typ})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx, retryCME)
					if err != nil {
						return fmt.Errorf("organizations: target %s: list %s policies: %w", ids[i], typ, err)
					}
					for _, s := range out.Policies {
						ps = append(ps, Policy{ID: aws.ToString(s.Id), Name: aws.ToString(s.Name), Type: s.Type, AWSManaged: s.AwsManaged})
					}
				}
			}
			slices.SortFunc(ps, func(a, b Policy) int {
				if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
					return c
				}
				return strings.Compare(a.Name, b.Name)
			})
			*targets[i] = ps
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
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
