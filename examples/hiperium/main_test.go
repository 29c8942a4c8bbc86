package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/scp"
)

// newBackend returns the selected backend; on the in-process emulator with
// Identity Center enabled along with the organization (a console step on
// AWS, what the program's embedded emulator does too).
func newBackend(t *testing.T) *awstest.Backend {
	t.Helper()
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true}))
	b.Require(t, awstest.CapFreshState, awstest.CapIdentityCenter) // the seed's organization, its fixed names
	return b
}

// program runs hiperium against the test's backend.
type program struct {
	b      *awstest.Backend
	dir    string   // -out
	ran    bool     // a run made Identity Center's permission set
	retire []string // the last run's -close
}

// seed is seed 001 as the backend can serve it. Where it cannot tell a
// group's members (moto: no identitystore:GetGroupMembershipId) the
// Provisioners group has none; where it cannot read a permission set's
// permissions boundary (moto), which every run after the first does, those
// runs leave the permission set and its assignments as the first made them.
func (p *program) seed() Spec {
	spec := Seed001("")
	if p.b.Lacks(awstest.IdentityStoreGetMembershipID) {
		for i := range spec.Access.Groups {
			spec.Access.Groups[i].Members = nil
		}
	}
	if p.ran && p.b.Lacks(awstest.SSOGetPermissionsBoundary) {
		spec.Access.PermissionSets, spec.Access.Assignments = nil, nil
	}
	return spec
}

// asIs reports whether the backend can serve seed 001 as declared (with
// the runs done so far).
func (p *program) asIs() bool {
	return !p.b.Lacks(awstest.IdentityStoreGetMembershipID) && !(p.ran && p.b.Lacks(awstest.SSOGetPermissionsBoundary))
}

// run runs `hiperium -endpoint URL -once -out DIR args...`. Where the
// backend cannot serve seed 001 as declared, it runs the program's
// Converge with p.seed() instead, reporting as the program does.
func (p *program) run(ctx context.Context, out io.Writer, args ...string) error {
	args = append([]string{"-endpoint", p.b.Endpoint, "-once", "-out", p.dir}, args...)
	f, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	if p.asIs() {
		err = run(ctx, args, out)
	} else {
		spec := p.seed()
		spec.Retire = append(spec.Retire, f.close...)
		err = examplekit.Run(out, f.kit, func() (examplekit.Report, error) {
			return Converge(ctx, p.b.Config(), spec, filepath.Join(p.dir, "config"), append(awstest.FastOptions(), foundation.WithDryRun(f.kit.DryRun))...)
		})
	}
	if err == nil && !f.kit.DryRun {
		p.ran, p.retire = true, f.close
	}
	return err
}

// converge runs Converge with the test's recorded clients and returns
// every change it reported.
func (p *program) converge(ctx context.Context, opts ...foundation.Option) (foundation.Changes, error) {
	spec := p.seed()
	spec.Retire = p.retire
	r, err := Converge(ctx, p.b.Config(), spec, filepath.Join(p.dir, "config"), append(awstest.FastOptions(), opts...)...)
	if err != nil {
		return nil, err
	}
	cs := append(r.orgChanges(), r.accessChanges()...)
	return append(cs, r.Profiles...), nil
}

func TestHiperiumConvergesAndSecondRunIsNoop(t *testing.T) {
	b := newBackend(t)
	ctx := awstest.Context(t, 2*time.Minute)
	p := &program{b: b, dir: t.TempDir()}
	var out bytes.Buffer
	require.NoError(t, p.run(ctx, &out), out.String())
	spec := p.seed()
	members := len(spec.Access.Groups[0].Members)
	require.Contains(t, out.String(), fmt.Sprintf("Changed %d resources", 31+members))

	mgmt := b.Config()
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
	if members > 0 {
		_, err = ids2.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: storeID, GroupId: group.GroupId,
			MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(user.UserId)}})
		require.NoError(t, err, "andres is a member of Provisioners")
	}
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
	if !b.Lacks(awstest.SSOAssignmentProvisions) {
		sandboxIAM := iam.NewFromConfig(b.ConfigFor(ids["Sandbox"]))
		roles, err := sandboxIAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/sso.amazonaws.com/")})
		require.NoError(t, err)
		require.Len(t, roles.Roles, 1)
		role := aws.ToString(roles.Roles[0].RoleName)
		require.True(t, strings.HasPrefix(role, "AWSReservedSSO_"+ProvisionersSet+"_"), role)
		rp, err := sandboxIAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("AwsSSOInlinePolicy")})
		require.NoError(t, err)
		rdoc, err := foundation.ParsePolicy(awstest.DecodePolicy(t, aws.ToString(rp.PolicyDocument)))
		require.NoError(t, err)
		require.True(t, rdoc.Equal(provisionersPolicy()))
	}

	// The profiles, in the -out directory.
	cfg := readConfig(t, p.dir)
	require.Equal(t, "https://"+aws.ToString(storeID)+".awsapps.com/start", cfg.Section("sso-session hiperium").Key("sso_start_url").String())
	for profile, account := range map[string]string{"sandbox": "Sandbox", "idp-pre": "IdP-Pre"} {
		sec := cfg.Section("profile " + profile)
		require.Equal(t, ids[account], sec.Key("sso_account_id").String(), profile)
		require.Equal(t, ProvisionersSet, sec.Key("sso_role_name").String())
		require.Equal(t, "hiperium", sec.Key("sso_session").String())
		require.Equal(t, "us-east-1", sec.Key("region").String())
	}

	// A second run reports nothing; two more with the test's recorded
	// clients make no mutating call (nor any the emulator saw).
	out.Reset()
	require.NoError(t, p.run(ctx, &out), out.String())
	require.Contains(t, out.String(), "Changed 0 resources")
	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return p.converge(ctx) })
}

func TestHiperiumCloseMovesToSuspended(t *testing.T) {
	b := newBackend(t)
	ctx := awstest.Context(t, 2*time.Minute)
	p := &program{b: b, dir: t.TempDir()}
	var out bytes.Buffer
	require.NoError(t, p.run(ctx, &out), out.String())
	idp := Seed001("").Tree.Accounts[1]
	require.Equal(t, "IdP-Pre", idp.Name)

	// Close IdP-Pre.
	emu := b.EmulatorFor(awstest.CapServerCallLog)
	emuMark := 0
	if emu != nil {
		emuMark = emu.CallCount()
	}
	out.Reset()
	require.NoError(t, p.run(ctx, &out, "-close", idp.Email), out.String())
	if emu != nil {
		ops := emu.OperationsSince(emuMark)
		t.Logf("closing run: %d calls, %d mutating", len(ops), len(emu.MutatingCallsSince(emuMark)))
		require.Contains(t, ops, "organizations:CloseAccount")
	}
	require.Contains(t, out.String(), `update organizations:account-parent "you+idp-pre@example.com": Parent: Security -> Suspended`)
	require.Contains(t, out.String(), `update organizations:account-status "you+idp-pre@example.com": State: ACTIVE -> PENDING_CLOSURE`)
	require.Contains(t, out.String(), `delete aws-config:profile "idp-pre"`)

	org := orgsdk.NewFromConfig(b.Config())
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
	cfg := readConfig(t, p.dir)
	require.False(t, cfg.HasSection("profile idp-pre"))
	require.True(t, cfg.HasSection("profile sandbox"))

	// Running again is a no-op.
	out.Reset()
	require.NoError(t, p.run(ctx, &out, "-close", idp.Email), out.String())
	require.Contains(t, out.String(), "Changed 0 resources")
	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return p.converge(ctx) })

	// Without -close the closed account cannot be converged, and the error
	// says what to do.
	err = p.run(ctx, &out)
	require.ErrorContains(t, err, "-close "+idp.Email)
}

func TestHiperiumDryRunMakesNoMutatingCall(t *testing.T) {
	b := newBackend(t)
	ctx := awstest.Context(t, 2*time.Minute)
	p := &program{b: b, dir: t.TempDir()}
	emu := b.EmulatorFor(awstest.CapServerCallLog) // the program's own calls, where the server logs them
	var out bytes.Buffer
	mark := b.Mark()
	require.NoError(t, p.run(ctx, &out, "-dry-run"))
	b.RequireNoMutations(t, mark)
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(0))
		t.Logf("dry run on a fresh emulator: %d calls", emu.CallCount())
	}
	members := len(p.seed().Access.Groups[0].Members)
	require.Contains(t, out.String(), fmt.Sprintf("Would change %d resources", 31+members))
	for _, want := range []string{
		"create organizations:organization",
		`create organizations:ou "Workloads/SDLC"`,
		`create organizations:account "you+sandbox@example.com"`,
		`create organizations:policy "hiperium-access-policy"`,
		`create organizations:policy-attachment "Suspended <- hiperium-suspended-deny-all"`,
		`create sso:permission-set-inline-policy "provisioners-permission-set"`,
		`create sso:account-assignment "GROUP:Provisioners/provisioners-permission-set/<Sandbox>"`,
		`create aws-config:profile "sandbox"`,
	} {
		require.Contains(t, out.String(), want)
	}
	if members > 0 {
		require.Contains(t, out.String(), `create identitystore:group-membership "Provisioners/andres"`)
	}
	entries, err := os.ReadDir(p.dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a dry run writes no file")
	mark = b.Mark()
	planned, err := p.converge(ctx, foundation.WithDryRun(true))
	require.NoError(t, err)
	require.Len(t, planned, 31+members)
	b.RequireNoMutations(t, mark)

	// After a real run, a dry run (closing an account too) plans only the
	// closure and writes nothing.
	require.NoError(t, p.run(ctx, &out))
	emuMark := 0
	if emu != nil {
		emuMark = emu.CallCount()
	}
	mark = b.Mark()
	out.Reset()
	require.NoError(t, p.run(ctx, &out, "-dry-run"))
	require.Contains(t, out.String(), "Would change 0 resources")
	require.NoError(t, p.run(ctx, &out, "-dry-run", "-close", "you+idp-pre@example.com"))
	require.Contains(t, out.String(), `update organizations:account-status "you+idp-pre@example.com": State: ACTIVE -> PENDING_CLOSURE`)
	require.Contains(t, out.String(), `delete aws-config:profile "idp-pre"`)
	b.RequireNoMutations(t, mark)
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(emuMark))
	}
	require.True(t, readConfig(t, p.dir).HasSection("profile idp-pre"))
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

func readConfig(t *testing.T, dir string) *ini.File {
	t.Helper()
	f, err := ini.Load(filepath.Join(dir, "config"))
	require.NoError(t, err)
	require.True(t, slices.Contains(f.SectionStrings(), "sso-session hiperium"))
	return f
}
