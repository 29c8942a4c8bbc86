package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
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
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/scp"
)

// newProgram returns hiperium on the selected backend, writing in a new
// directory, and the test's context.
func newProgram(t testing.TB) (*program, context.Context) {
	t.Helper()
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter) // the seed's organization, its fixed names
	return &program{b: b, dir: t.TempDir()}, ctx
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
		err = examplekit.Run(out, f.kit, func(dryRun bool) (examplekit.Report, error) {
			return Converge(ctx, p.b.Config(), spec, filepath.Join(p.dir, "config"), append(awstest.FastOptions(), foundation.WithDryRun(dryRun))...)
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

// kit is the program as the shared test sequences run it.
func (p *program) kit() kittest.Program {
	return kittest.Program{B: p.b, Run: p.run, Converge: p.converge}
}

// readConfig reads the profiles the program wrote in its -out directory.
func (p *program) readConfig(t testing.TB) *ini.File {
	t.Helper()
	return kittest.ReadConfig(t, filepath.Join(p.dir, "config"), "sso-session hiperium")
}

func TestHiperiumConvergesAndSecondRunIsNoop(t *testing.T) {
	p, ctx := newProgram(t)
	b := p.b
	var out bytes.Buffer
	require.NoError(t, p.run(ctx, &out), out.String())
	spec := p.seed()
	members := len(spec.Access.Groups[0].Members)
	require.Contains(t, out.String(), fmt.Sprintf("Changed %d resources", 31+members))

	mgmt := b.Config()
	org := orgsdk.NewFromConfig(mgmt)

	// Every OU of the tree, and the accounts in theirs.
	ous := kittest.OUPaths(t, org)
	for _, p := range []string{"Security", "Sandbox", "Workloads", "Workloads/SDLC", "Workloads/Prod",
		"Deployments", "Deployments/SDLC", "Deployments/Prod", "Suspended"} {
		require.Contains(t, ous, p)
	}
	require.Len(t, ous, 9)
	accounts := kittest.AccountsByEmail(t, org)
	require.Len(t, accounts, 3, "management + Sandbox, IdP-Pre")
	ids := map[string]string{}
	for _, want := range spec.Tree.Accounts {
		a, ok := accounts[want.Email]
		require.True(t, ok, want.Email)
		require.Equal(t, want.Name, aws.ToString(a.Name))
		require.Equal(t, orgtypes.AccountStateActive, a.State)
		require.Equal(t, ous[want.OU], kittest.ParentOf(t, org, aws.ToString(a.Id)), want.Name)
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
		require.Equal(t, want, kittest.Attached(t, org, ous[path]), path)
	}
	require.True(t, kittest.PolicyContent(t, org, DenyListPolicy).Equal(scp.MustBuild(denyList()...)))
	require.Len(t, kittest.PolicyContent(t, org, DenyListPolicy).Statement, 9)
	require.Equal(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}`,
		kittest.PolicyContent(t, org, DenyAllPolicy).MustJSON())

	// Identity Center: the user in the Provisioners group, the permission
	// set with its inline policy, assigned to the group on both accounts.
	sso, ids2 := ssoadmin.NewFromConfig(mgmt), identitystore.NewFromConfig(mgmt)
	instanceARN, storeID := kittest.Instance(t, sso)
	user := kittest.UserID(t, ids2, storeID, "andres")
	group := kittest.GroupID(t, ids2, storeID, ProvisionersGroup)
	if members > 0 {
		_, err := ids2.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: storeID, GroupId: aws.String(group),
			MemberId: &istypes.MemberIdMemberUserId{Value: user}})
		require.NoError(t, err, "andres is a member of Provisioners")
	}
	psARN := kittest.PermissionSetARN(t, sso, instanceARN, ProvisionersSet)
	inline, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(psARN)})
	require.NoError(t, err)
	doc, err := foundation.ParsePolicy(aws.ToString(inline.InlinePolicy))
	require.NoError(t, err)
	require.True(t, doc.Equal(provisionersPolicy()), aws.ToString(inline.InlinePolicy))
	for _, name := range []string{"Sandbox", "IdP-Pre"} {
		as := kittest.Assignments(t, sso, instanceARN, psARN, ids[name])
		require.Len(t, as, 1, name)
		require.Equal(t, ssotypes.PrincipalTypeGroup, as[0].PrincipalType)
		require.Equal(t, group, aws.ToString(as[0].PrincipalId))
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
	cfg := p.readConfig(t)
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
	p.kit().SecondRunIsNoop(t, ctx)
}

func TestHiperiumCloseMovesToSuspended(t *testing.T) {
	p, ctx := newProgram(t)
	b := p.b
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
	a := kittest.AccountsByEmail(t, org)[idp.Email]
	require.Equal(t, kittest.OUPaths(t, org)["Suspended"], kittest.ParentOf(t, org, aws.ToString(a.Id)))
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
	require.Equal(t, map[string]string{"managed-by": "foundation", "project": "hiperium", "retired-by": "foundation", "retired-from": "Security"}, got) // managed-by: the library made it
	cfg := p.readConfig(t)
	require.False(t, cfg.HasSection("profile idp-pre"))
	require.True(t, cfg.HasSection("profile sandbox"))

	// Running again is a no-op.
	p.kit().SecondRunIsNoop(t, ctx, "-close", idp.Email)

	// Without -close the closed account cannot be converged, and the error
	// says what to do.
	err = p.run(ctx, &out)
	require.ErrorContains(t, err, "-close "+idp.Email)
}

func TestHiperiumDryRunMakesNoMutatingCall(t *testing.T) {
	p, ctx := newProgram(t)
	out, planned := p.kit().DryRunFresh(t, ctx)
	members := len(p.seed().Access.Groups[0].Members)
	require.Contains(t, out, fmt.Sprintf("Would change %d resources", 31+members))
	for _, want := range []string{
		`create organizations:ou "Workloads/SDLC"`,
		`create organizations:account "you+sandbox@example.com"`,
		`create organizations:policy "hiperium-access-policy"`,
		`create organizations:policy-attachment "(known after apply: ou Suspended)/hiperium-suspended-deny-all"`,
		`create sso:permission-set-inline-policy "provisioners-permission-set"`,
		`create sso:account-assignment "GROUP:Provisioners/provisioners-permission-set/(known after apply: account you+sandbox@example.com)"`,
		`create aws-config:profile "sandbox"`,
	} {
		require.Contains(t, out, want)
	}
	if members > 0 {
		require.Contains(t, out, `create identitystore:group-membership "Provisioners/andres"`)
	}
	entries, err := os.ReadDir(p.dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a dry run writes no file")
	require.Len(t, planned, 31+members)

	// After a real run, a dry run plans nothing; closing an account too,
	// it plans only the closure; neither writes anything.
	p.kit().DryRunAfterRun(t, ctx, func() {
		var out bytes.Buffer
		require.NoError(t, p.run(ctx, &out, "-dry-run", "-close", "you+idp-pre@example.com"))
		require.Contains(t, out.String(), `update organizations:account-status "you+idp-pre@example.com": State: ACTIVE -> PENDING_CLOSURE`)
		require.Contains(t, out.String(), `delete aws-config:profile "idp-pre"`)
	})
	require.True(t, p.readConfig(t).HasSection("profile idp-pre"))
}

func TestHiperiumEmbeddedDefaultRunsTwice(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the default -out
	out := kittest.EmbeddedRunsTwice(t, run)
	require.Contains(t, out, "aws sso login --profile sandbox")
	require.Contains(t, out, `On an emulator "aws sso login" cannot work`)

	// -close on the embedded emulator builds the seed first, then closes.
	out = kittest.EmbeddedRunsTwice(t, run, "-close", "you+idp-pre@example.com")
	require.Contains(t, out, "State: ACTIVE -> PENDING_CLOSURE")
}

func TestHiperiumFlags(t *testing.T) {
	out := kittest.RequireFlagErrors(t, run, map[string][]string{
		"not a plain email":     {"-close", "nobody"},
		"flag provided but not": {"-nope"},
	})
	require.NotContains(t, out, "emulator at")
	require.Equal(t, "me+sandbox@example.com", Seed001("me@example.com").Tree.Accounts[0].Email)
}

// Issue 13's acceptance: on a fresh backend, the set of changes of
// -dry-run -json is the real run's (kittest.PlanMatchesRun's matching rule).
// Before the dry runs chained, the plan listed 32 changes, 10 of them
// hand-written.
func TestHiperiumDryRunPlansTheRun(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	b.Need(t, awstest.IdentityStoreGetMembershipID) // the seed's user joins the group
	planned, made := kittest.PlanMatchesRun(t, ctx, b, run, "-endpoint", b.Endpoint, "-out", t.TempDir())
	t.Logf("planned %d, made %d", planned, made)
}

// A run that fails in its last AWS step (the account assignments) reports
// every change made before the failure, in every step (the organization,
// the accounts, the SCPs, the permission set), not only the failing call's;
// -json lists them with their accounts.
func TestHiperiumFailureReportsEverythingMade(t *testing.T) {
	kittest.FailureReportsEverythingMade(t, "", run, emulator.Match{Service: "sso", Operation: "CreateAccountAssignment"}, []string{"-out", t.TempDir()},
		"organizations:organization", "organizations:account", "organizations:policy-attachment", "identitystore:group", "sso:permission-set")
}

// profiles is optional (README: default none): a spec without it converges
// and writes no AWS CLI config (found from outside: it was refused, with
// the library's field names).
func TestHiperiumWithoutProfiles(t *testing.T) {
	seed := string(seedFile)
	i := strings.Index(seed, "\nprofiles:")
	require.Positive(t, i)
	file := filepath.Join(t.TempDir(), "h.yaml")
	require.NoError(t, os.WriteFile(file, []byte(seed[:i+1]), 0o600))
	b, _ := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	b.Need(t, awstest.IdentityStoreGetMembershipID)
	out := t.TempDir()
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-endpoint", b.Endpoint, "-once", "-spec", file, "-out", out}, &stdout), stdout.String())
	require.NoFileExists(t, filepath.Join(out, "config"))
	require.NotContains(t, stdout.String(), "aws sso login")
}
