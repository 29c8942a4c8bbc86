package organizations_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

func dry() []foundation.Option { return awstest.Fast(foundation.WithDryRun(true)) }

var scp = organizations.OrganizationSpec{PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy}}

// client returns an Organizations client of b (for cfg, the management
// account when omitted) whose idle connections are closed when the test
// ends.
func client(t testing.TB, b *awstest.Backend, cfg ...aws.Config) *sdk.Client {
	c := b.Config()
	if len(cfg) > 0 {
		c = cfg[0]
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return sdk.NewFromConfig(c, func(o *sdk.Options) { o.HTTPClient = &http.Client{Transport: tr} })
}

// withOrg returns a backend (a new one, or the one given) whose management
// account has an organization with SCPs enabled: the test's own, since the
// tests read whole trees back.
func withOrg(t *testing.T, on ...*awstest.Backend) (*awstest.Backend, *sdk.Client, context.Context) {
	t.Helper()
	var b *awstest.Backend
	if len(on) > 0 {
		b = on[0]
	} else {
		b = awstest.New(t)
	}
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 30*time.Second)
	api := client(t, b)
	if _, err := organizations.EnsureOrganization(ctx, api, scp, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	return b, api, ctx
}

// seed000 is the tree of seed 000 (Steps 1-4): a Management OU, Workloads
// with Dev, Staging and Production, and the three member accounts.
func seed000() organizations.TreeSpec {
	return organizations.TreeSpec{
		OUs: []organizations.OUSpec{
			{Path: "Management"},
			{Path: "Workloads", Tags: map[string]string{"managed-by": "foundation"}},
			{Path: "Workloads/Dev"},
			{Path: "Workloads/Staging"},
			{Path: "Workloads/Production", Tags: map[string]string{"environment": "production", "scp": "deny-destructive"}},
		},
		Accounts: []organizations.AccountSpec{
			{Name: "myapp-dev", Email: "you+aws-dev@example.com", OU: "Workloads/Dev"},
			{Name: "myapp-staging", Email: "you+aws-staging@example.com", OU: "Workloads/Staging"},
			{Name: "myapp-production", Email: "you+aws-production@example.com", OU: "Workloads/Production",
				Tags: map[string]string{"environment": "production"}},
		},
	}
}

// seed001 is the tree of seed 001 (sections 1-2): Security, Sandbox,
// Workloads with SDLC and Prod, Deployments and Suspended, with the
// Security and Sandbox accounts.
func seed001() organizations.TreeSpec {
	return organizations.TreeSpec{
		OUs: []organizations.OUSpec{
			{Path: "Security"},
			{Path: "Sandbox", Tags: map[string]string{"spend-cap": "100"}},
			{Path: "Workloads/SDLC"},
			{Path: "Workloads/Prod"},
			{Path: "Deployments"},
			{Path: "Suspended", Tags: map[string]string{"scp": "deny-all"}},
		},
		Accounts: []organizations.AccountSpec{
			{Name: "hiperium-security", Email: "security@hiperium.example.com", OU: "Security"},
			{Name: "hiperium-sandbox", Email: "sandbox@hiperium.example.com", OU: "Sandbox",
				BillingAccess: types.IAMUserAccessToBillingDeny, Tags: map[string]string{"owner": "andres"}},
		},
	}
}

// readOUPaths walks the OUs with the SDK and returns path -> ID.
func readOUPaths(t *testing.T, ctx context.Context, api *sdk.Client) (rootID string, paths map[string]string) {
	t.Helper()
	roots, err := api.ListRoots(ctx, &sdk.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("list roots: %v %v", roots, err)
	}
	rootID = aws.ToString(roots.Roots[0].Id)
	paths = map[string]string{}
	var walk func(parentID, prefix string)
	walk = func(parentID, prefix string) {
		p := sdk.NewListOrganizationalUnitsForParentPaginator(api, &sdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ou := range out.OrganizationalUnits {
				path := prefix + aws.ToString(ou.Name)
				paths[path] = aws.ToString(ou.Id)
				walk(aws.ToString(ou.Id), path+"/")
			}
		}
	}
	walk(rootID, "")
	return rootID, paths
}

// readAccounts returns every account by lower-cased email with its parent's
// path ("" for the root), read with the SDK.
func readAccounts(t *testing.T, ctx context.Context, api *sdk.Client) map[string]string {
	t.Helper()
	rootID, paths := readOUPaths(t, ctx, api)
	byID := map[string]string{rootID: ""}
	for p, id := range paths {
		byID[id] = p
	}
	out := map[string]string{}
	p := sdk.NewListAccountsPaginator(api, &sdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			parents, err := api.ListParents(ctx, &sdk.ListParentsInput{ChildId: a.Id})
			if err != nil || len(parents.Parents) != 1 {
				t.Fatalf("list parents of %s: %v %v", aws.ToString(a.Id), parents, err)
			}
			path, ok := byID[aws.ToString(parents.Parents[0].Id)]
			if !ok {
				t.Fatalf("account %s: parent %s is not in the tree", aws.ToString(a.Email), aws.ToString(parents.Parents[0].Id))
			}
			out[strings.ToLower(aws.ToString(a.Email))] = path
		}
	}
	return out
}

// verifyTree reads the tree back with the SDK and checks every OU path
// (declared and ancestors) exists with the declared tags, and every
// account is in its OU.
func verifyTree(t *testing.T, ctx context.Context, api *sdk.Client, spec organizations.TreeSpec) {
	t.Helper()
	_, paths := readOUPaths(t, ctx, api)
	want := map[string]bool{}
	for _, ou := range spec.OUs {
		p := ""
		for i, name := range strings.Split(ou.Path, "/") {
			if i > 0 {
				p += "/"
			}
			p += name
			want[p] = true
		}
	}
	var got, wantList []string
	for p := range paths {
		got = append(got, p)
	}
	for p := range want {
		wantList = append(wantList, p)
	}
	slices.Sort(got)
	slices.Sort(wantList)
	if !slices.Equal(got, wantList) {
		t.Errorf("OU paths:\n got %q\nwant %q", got, wantList)
	}
	for _, ou := range spec.OUs {
		tags := tagsOf(t, ctx, api, paths[ou.Path])
		for k, v := range ou.Tags {
			if tags[k] != v {
				t.Errorf("OU %q: tag %s = %q, want %q", ou.Path, k, tags[k], v)
			}
		}
	}
	accounts := readAccounts(t, ctx, api)
	for _, a := range spec.Accounts {
		parent, ok := accounts[strings.ToLower(a.Email)]
		if !ok {
			t.Errorf("account %s does not exist", a.Email)
		} else if parent != a.OU {
			t.Errorf("account %s is in %q, want %q", a.Email, parent, a.OU)
		}
	}
}

func tagsOf(t *testing.T, ctx context.Context, api *sdk.Client, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := sdk.NewListTagsForResourcePaginator(api, &sdk.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("tags of %s: %v", id, err)
		}
		for _, tg := range page.Tags {
			out[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	return out
}

// keys renders changes for comparison; the organization's ID is left out
// (a dry run on a fresh account cannot know it).
func keys(cs []foundation.Change) []string {
	var out []string
	for _, c := range cs {
		if c.Resource == organizations.ResOrganization {
			c.ID = ""
		}
		out = append(out, c.String())
	}
	return out
}

func opsOf(calls []awstest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Operation)
	}
	return out
}

func countOps(calls []awstest.Call, op string) int {
	n := 0
	for _, c := range calls {
		if c.Operation == op {
			n++
		}
	}
	return n
}
