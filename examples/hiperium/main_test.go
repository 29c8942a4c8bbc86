package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"
	"gopkg.in/ini.v1"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/scp"
)

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{IdentityCenter: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// accountConfig acts as the root user of accountID on the emulator.
func accountConfig(srv *emulator.Server, accountID string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accountID, "x", "")}
}

func TestHiperiumConvergesAndSecondRunIsNoop(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once", "-out", dir}, &out), out.String())
	t.Logf("first run: %d calls, %d mutating", srv.CallCount(), len(srv.MutatingCallsSince(0)))
	require.Contains(t, out.String(), "Changed 32 resources")

	spec := Seed001("")
	mgmt := accountConfig(srv, srv.ManagementAccountID())
	org := orgsdk.NewFromConfig(mgmt)

	// Every OU of the tree, and the accounts in theirs.
	ous := ouPaths(t, org)
	for _, p := range []string{"Security", "Sandbox", "Workloads", "Workloads/SDLC", "Workloads/Prod",
		"Deployments", "Deployments/SDLC", "Deployments/Prod", "Suspended"} {
		require.Contains(t, ous, p)
	}
	require.Len(t, ous, 9)
	accounts := listAccounts(t, org)
	require.Len(t, accounts, 3, "management + Sandbox, IdP-Pre")
	ids := map[string]string{}
	for _, want := range spec.Tree.Accounts {
		a, ok := accounts[want.Email]
		require.True(t, ok, want.Email)
		require.Equal(t, want.Name, aws.ToString(a.Name))
		require.Equal(t, orgtypes.AccountStateActive, a.State)
		require.Equal(t, ous[want.OU], parentOf(t, org, aws.ToString(a.Id)), want.Name)
		ids[want.Name] = aws.ToString(a.Id)
	}

	// The SCPs: the deny list on every top OU but Suspended, deny-all on
	// Suspended; SDLC and Prod inherit.
	for path, want := range map[string][]string{
		"Security": {"FullAWSAccess", DenyListPolicy}, "Sandbox": {"FullAWSAccess", DenyListPolicy},
		"Workloads": {"FullAWSAccess", DenyListPolicy}, "Deployments": {"FullAWSAccess", DenyListPolicy},
		"Workloads/SDLC": {"FullAWSAccess"}, "Workloads/Prod": {"FullAWSAccess"},
		"Suspended": {"FullAWSAccess", DenyAllPolicy},
	} {
		require.Equal(t, want, attached(t, org, ous[path]), path)
	}
	require.True(t, policyContent(t, org, DenyListPolicy).Equal(scp.MustBuild(denyList()...)))
	require.Len(t, policyContent(t, org, DenyListPolicy).Statement, 9)
	require.Equal(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}`,
		policyContent(t, org, DenyAllPolicy).MustJSON())

	// Identity Center: the user in the Provisioners group, the permission
	// set with its inline policy, assigned to the group on both accounts.
	sso, ids2 := ssoadmin.NewFromConfig(mgmt), identitystore.NewFromConfig(mgmt)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, inst.Instances, 1)
	instanceARN, storeID := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	user, err := ids2.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: storeID,
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("andres")}}})
	require.NoError(t, err)
	group, err := ids2.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: storeID,
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(ProvisionersGroup)}}})
	require.NoError(t, err)
	_, err = ids2.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: storeID, GroupId: group.GroupId,
		MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(user.UserId)}})
	require.NoError(t, err, "andres is a member of Provisioners")
	psARN := permissionSetARN(t, sso, instanceARN, ProvisionersSet)
	inline, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: psARN})
	require.NoError(t, err)
	doc, err := foundation.ParsePolicy(aws.ToString(inline.InlinePolicy))
	require.NoError(t, err)
	require.True(t, doc.Equal(provisionersPolicy()), aws.ToString(inline.InlinePolicy))
	for _, name := range []string{"Sandbox", "IdP-Pre"} {
		as, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: instanceARN, PermissionSetArn: psARN, AccountId: aws.String(ids[name])})
		require.NoError(t, err)
		require.Len(t, as.AccountAssignments, 1, name)
		require.Equal(t, ssotypes.PrincipalTypeGroup, as.AccountAssignments[0].PrincipalType)
		require.Equal(t, aws.ToString(group.GroupId), aws.ToString(as.AccountAssignments[0].PrincipalId))
	}

	// In the Sandbox account: the role Identity Center made, with the
	// inline policy.
	sandboxIAM := iam.NewFromConfig(accountConfig(srv, ids["Sandbox"]))
	roles, err := sandboxIAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/sso.amazonaws.com/")})
	require.NoError(t, err)
	require.Len(t, roles.Roles, 1)
	role := aws.ToString(roles.Roles[0].RoleName)
	require.True(t, strings.HasPrefix(role, "AWSReservedSSO_"+ProvisionersSet+"_"), role)
	rp, err := sandboxIAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("AwsSSOInlinePolicy")})
	require.NoError(t, err)
	rdoc, err := foundation.ParsePolicy(decodePolicy(t, aws.ToString(rp.PolicyDocument)))
	require.NoError(t, err)
	require.True(t, rdoc.Equal(provisionersPolicy()))

	// The profiles, in the -out directory.
	cfg := readConfig(t, dir)
	require.Equal(t, "https://"+aws.ToString(storeID)+".awsapps.com/start", cfg.Section("sso-session hiperium").Key("sso_start_url").String())
	for profile, account := range map[string]string{"sandbox": "Sandbox", "idp-pre": "IdP-Pre"} {
		sec := cfg.Section("profile " + profile)
		require.Equal(t, ids[account], sec.Key("sso_account_id").String(), profile)
		require.Equal(t, ProvisionersSet, sec.Key("sso_role_name").String())
		require.Equal(t, "hiperium", sec.Key("sso_session").String())
		require.Equal(t, "us-east-1", sec.Key("region").String())
	}

	// A second run reports nothing and makes no mutating call.
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once", "-out", dir}, &out))
	require.Contains(t, out.String(), "Changed 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))
	t.Logf("second run: %d calls, 0 mutating", srv.CallCount()-mark)
}

func TestHiperiumCloseMovesToSuspended(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once", "-out", dir}, &out), out.String())
	idp := Seed001("").Tree.Accounts[1]
	require.Equal(t, "IdP-Pre", idp.Name)

	// Close IdP-Pre.
	args := []string{"-endpoint", srv.URL, "-once", "-out", dir, "-close", idp.Email}
	out.Reset()
	mark := srv.CallCount()
	require.NoError(t, run(ctx, args, &out), out.String())
	ops := srv.OperationsSince(mark)
	t.Logf("closing run: %d calls, %d mutating", len(ops), len(srv.MutatingCallsSince(mark)))
	require.Contains(t, ops, "organizations:CloseAccount")
	require.Contains(t, out.String(), `update organizations:account-parent "you+idp-pre@example.com": Parent: Security -> Suspended`)
	require.Contains(t, out.String(), `delete aws-config:profile "idp-pre"`)

	org := orgsdk.NewFromConfig(accountConfig(srv, srv.ManagementAccountID()))
	a := listAccounts(t, org)[idp.Email]
	require.Equal(t, ouPaths(t, org)["Suspended"], parentOf(t, org, aws.ToString(a.Id)))
	d, err := org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: a.Id})
	require.NoError(t, err)
	require.Contains(t, []orgtypes.AccountState{orgtypes.AccountStatePendingClosure, orgtypes.AccountStateSuspended}, d.Account.State)
	got := map[string]string{}
	tp := orgsdk.NewListTagsForResourcePaginator(org, &orgsdk.ListTagsForResourceInput{ResourceId: a.Id})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		require.NoError(t, err)
		for _, tg := range page.Tags {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	require.Equal(t, map[string]string{"project": "hiperium", "retired-by": "foundation", "retired-from": "Security"}, got)
	cfg := readConfig(t, dir)
	require.False(t, cfg.HasSection("profile idp-pre"))
	require.True(t, cfg.HasSection("profile sandbox"))

	// Running again is a no-op.
	mark = srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, args, &out), out.String())
	require.Contains(t, out.String(), "Changed 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))

	// Without -close the closed account cannot be converged, and the error
	// says what to do.
	err = run(ctx, []string{"-endpoint", srv.URL, "-once", "-out", dir}, &out)
	require.ErrorContains(t, err, "-close "+idp.Email)
}

func TestHiperiumDryRunMakesNoMutatingCall(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-dry-run", "-out", dir}, &out))
	require.Empty(t, srv.MutatingCallsSince(0))
	t.Logf("dry run on a fresh emulator: %d calls", srv.CallCount())
	require.Contains(t, out.String(), "Would change 32 resources")
	for _, want := range []string{
		"create organizations:organization",
		`create organizations:ou "Workloads/SDLC"`,
		`create organizations:account "you+sandbox@example.com"`,
		`create organizations:policy "hiperium-access-policy"`,
		`create organizations:policy-attachment "Suspended <- hiperium-suspended-deny-all"`,
		`create identitystore:group-membership "Provisioners/andres"`,
		`create sso:permission-set-inline-policy "provisioners-permission-set"`,
		`create sso:account-assignment "GROUP:Provisioners/provisioners-permission-set/<Sandbox>"`,
		`create aws-config:profile "sandbox"`,
	} {
		require.Contains(t, out.String(), want)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a dry run writes no file")

	// After a real run, a dry run (closing an account too) plans only the
	// closure and writes nothing.
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once", "-out", dir}, &out))
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-dry-run", "-out", dir}, &out))
	require.Contains(t, out.String(), "Would change 0 resources")
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-dry-run", "-out", dir, "-close", "you+idp-pre@example.com"}, &out))
	require.Contains(t, out.String(), `update organizations:account-status "you+idp-pre@example.com": State: ACTIVE -> PENDING_CLOSURE`)
	require.Contains(t, out.String(), `delete aws-config:profile "idp-pre"`)
	require.Empty(t, srv.MutatingCallsSince(mark))
	require.True(t, readConfig(t, dir).HasSection("profile idp-pre"))
}

func TestHiperiumEmbeddedDefaultRunsTwice(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the default -out
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
	require.Contains(t, out.String(), "aws sso login --profile sandbox")

	// -close on the embedded emulator builds the seed first, then closes.
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-close", "you+idp-pre@example.com"}, &out), out.String())
	require.Contains(t, out.String(), "State: ACTIVE -> PENDING_CLOSURE")
	require.Contains(t, out.String(), "Second run: no changes.")
}

func TestHiperiumFlags(t *testing.T) {
	var out bytes.Buffer
	for want, args := range map[string][]string{
		"-yes":                  {"-aws"},
		"-email":                {"-aws", "-yes"},
		"exclude":               {"-aws", "-endpoint", "http://127.0.0.1:1"},
		"plain email":           {"-email", "Me <me@example.com>"},
		"not a plain email":     {"-close", "nobody"},
		"unexpected arguments":  {"extra"},
		"flag provided but not": {"-nope"},
	} {
		require.ErrorContains(t, run(context.Background(), args, &out), want, args)
	}
	require.NotContains(t, out.String(), "Real AWS", "no AWS call may be made before the flags are right")
	require.NotContains(t, out.String(), "emulator at")
	require.Equal(t, "me+sandbox@example.com", Seed001("me@example.com").Tree.Accounts[0].Email)
}

// ---- readers ----

func listAccounts(t *testing.T, org *orgsdk.Client) map[string]orgtypes.Account {
	t.Helper()
	out := map[string]orgtypes.Account{}
	p := orgsdk.NewListAccountsPaginator(org, &orgsdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, a := range page.Accounts {
			out[aws.ToString(a.Email)] = a
		}
	}
	return out
}

// ouPaths returns every OU's ID by path, and "" for the root.
func ouPaths(t *testing.T, org *orgsdk.Client) map[string]string {
	t.Helper()
	roots, err := org.ListRoots(context.Background(), &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	out := map[string]string{"": aws.ToString(roots.Roots[0].Id)}
	var walk func(parent, prefix string)
	walk = func(parent, prefix string) {
		p := orgsdk.NewListOrganizationalUnitsForParentPaginator(org, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			require.NoError(t, err)
			for _, ou := range page.OrganizationalUnits {
				path := prefix + aws.ToString(ou.Name)
				out[path] = aws.ToString(ou.Id)
				walk(aws.ToString(ou.Id), path+"/")
			}
		}
	}
	walk(out[""], "")
	delete(out, "")
	return out
}

func parentOf(t *testing.T, org *orgsdk.Client, child string) string {
	t.Helper()
	out, err := org.ListParents(context.Background(), &orgsdk.ListParentsInput{ChildId: aws.String(child)})
	require.NoError(t, err)
	require.Len(t, out.Parents, 1)
	return aws.ToString(out.Parents[0].Id)
}

func attached(t *testing.T, org *orgsdk.Client, target string) []string {
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

func policyContent(t *testing.T, org *orgsdk.Client, name string) *foundation.PolicyDocument {
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

func permissionSetARN(t *testing.T, sso *ssoadmin.Client, instanceARN *string, name string) *string {
	t.Helper()
	p := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: instanceARN})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, arn := range page.PermissionSets {
			d, err := sso.DescribePermissionSet(context.Background(), &ssoadmin.DescribePermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
			require.NoError(t, err)
			if aws.ToString(d.PermissionSet.Name) == name {
				return aws.String(arn)
			}
		}
	}
	t.Fatalf("permission set %s not found", name)
	return nil
}

// decodePolicy undoes IAM's URL encoding of policy documents.
func decodePolicy(t *testing.T, s string) string {
	t.Helper()
	if strings.HasPrefix(s, "{") {
		return s
	}
	u, err := url.QueryUnescape(s)
	require.NoError(t, err)
	return u
}

func readConfig(t *testing.T, dir string) *ini.File {
	t.Helper()
	f, err := ini.Load(filepath.Join(dir, "config"))
	require.NoError(t, err)
	require.True(t, slices.Contains(f.SectionStrings(), "sso-session hiperium"))
	return f
}
