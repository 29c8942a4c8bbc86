package kittest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
)

// Accounts returns every account of the organization.
func Accounts(t testing.TB, org *orgsdk.Client) []orgtypes.Account {
	t.Helper()
	var out []orgtypes.Account
	p := orgsdk.NewListAccountsPaginator(org, &orgsdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		out = append(out, page.Accounts...)
	}
	return out
}

// AccountsByEmail returns every account of the organization by its email.
func AccountsByEmail(t testing.TB, org *orgsdk.Client) map[string]orgtypes.Account {
	t.Helper()
	return accountsBy(t, org, func(a orgtypes.Account) *string { return a.Email })
}

// AccountsByName returns every account of the organization by its name.
func AccountsByName(t testing.TB, org *orgsdk.Client) map[string]orgtypes.Account {
	t.Helper()
	return accountsBy(t, org, func(a orgtypes.Account) *string { return a.Name })
}

func accountsBy(t testing.TB, org *orgsdk.Client, key func(orgtypes.Account) *string) map[string]orgtypes.Account {
	t.Helper()
	out := map[string]orgtypes.Account{}
	for _, a := range Accounts(t, org) {
		out[aws.ToString(key(a))] = a
	}
	return out
}

// RootID returns the ID of the organization's root.
func RootID(t testing.TB, org *orgsdk.Client) string {
	t.Helper()
	roots, err := org.ListRoots(context.Background(), &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	require.NotEmpty(t, roots.Roots)
	return aws.ToString(roots.Roots[0].Id)
}

// ChildOUs returns the IDs of the OUs directly under parent (a root or an
// OU), by name.
func ChildOUs(t testing.TB, org *orgsdk.Client, parent string) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := orgsdk.NewListOrganizationalUnitsForParentPaginator(org, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, ou := range page.OrganizationalUnits {
			out[aws.ToString(ou.Name)] = aws.ToString(ou.Id)
		}
	}
	return out
}

// OUPaths returns every OU's ID by its path below the root
// ("Workloads/Prod").
func OUPaths(t testing.TB, org *orgsdk.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(parent, prefix string)
	walk = func(parent, prefix string) {
		for name, id := range ChildOUs(t, org, parent) {
			out[prefix+name] = id
			walk(id, prefix+name+"/")
		}
	}
	walk(RootID(t, org), "")
	return out
}

// OUID returns the ID of the OU at path ("Workloads/Prod"), failing the
// test if there is none.
func OUID(t testing.TB, org *orgsdk.Client, path string) string {
	t.Helper()
	id, ok := OUPaths(t, org)[path]
	if !ok {
		t.Fatalf("OU %q not found", path)
	}
	return id
}

// Parent returns the one parent (root or OU) of child, an account or OU.
func Parent(t testing.TB, org *orgsdk.Client, child string) orgtypes.Parent {
	t.Helper()
	out, err := org.ListParents(context.Background(), &orgsdk.ListParentsInput{ChildId: aws.String(child)})
	require.NoError(t, err)
	require.Len(t, out.Parents, 1)
	return out.Parents[0]
}

// ParentOf returns the ID of child's parent.
func ParentOf(t testing.TB, org *orgsdk.Client, child string) string {
	t.Helper()
	return aws.ToString(Parent(t, org, child).Id)
}

// ParentOU returns the name of the OU an account is directly in; the test
// fails if it is in the root.
func ParentOU(t testing.TB, org *orgsdk.Client, accountID string) string {
	t.Helper()
	p := Parent(t, org, accountID)
	require.Equal(t, orgtypes.ParentTypeOrganizationalUnit, p.Type)
	return OUName(t, org, aws.ToString(p.Id))
}

// OUName returns the name of an OU.
func OUName(t testing.TB, org *orgsdk.Client, id string) string {
	t.Helper()
	ou, err := org.DescribeOrganizationalUnit(context.Background(), &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
	require.NoError(t, err)
	return aws.ToString(ou.OrganizationalUnit.Name)
}

// OUPath returns the path of the OU child (an account or OU) is in, ""
// for the root.
func OUPath(t testing.TB, org *orgsdk.Client, child string) string {
	t.Helper()
	var parts []string
	for {
		p := Parent(t, org, child)
		if p.Type == orgtypes.ParentTypeRoot {
			return strings.Join(parts, "/")
		}
		parts = append([]string{OUName(t, org, aws.ToString(p.Id))}, parts...)
		child = aws.ToString(p.Id)
	}
}

// Attached returns the names of the SCPs attached to target, sorted.
func Attached(t testing.TB, org *orgsdk.Client, target string) []string {
	t.Helper()
	var names []string
	p := orgsdk.NewListPoliciesForTargetPaginator(org, &orgsdk.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, pol := range page.Policies {
			names = append(names, aws.ToString(pol.Name))
		}
	}
	sort.Strings(names)
	return names
}

// PolicyContent returns the document of the SCP called name, failing the
// test if there is none.
func PolicyContent(t testing.TB, org *orgsdk.Client, name string) *foundation.PolicyDocument {
	t.Helper()
	p := orgsdk.NewListPoliciesPaginator(org, &orgsdk.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, pol := range page.Policies {
			if aws.ToString(pol.Name) != name {
				continue
			}
			d, err := org.DescribePolicy(context.Background(), &orgsdk.DescribePolicyInput{PolicyId: pol.Id})
			require.NoError(t, err)
			doc, err := foundation.ParsePolicy(aws.ToString(d.Policy.Content))
			require.NoError(t, err)
			return doc
		}
	}
	t.Fatalf("policy %s not found", name)
	return nil
}
