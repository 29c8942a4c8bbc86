package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// newBackend returns the selected backend in seed 003's Region, and the
// test's context.
func newBackend(t testing.TB) (*awstest.Backend, context.Context) {
	t.Helper()
	return kittest.NewBackend(t, Seed003("").Region, awstest.CapFreshState, awstest.CapIdentityCenter) // the seed's organization, its fixed names
}

// converge runs Converge with the test's recorded clients and returns
// every change it reported.
func converge(ctx context.Context, b *awstest.Backend, spec Spec, outDir string, opts ...foundation.Option) (foundation.Changes, error) {
	r, err := Converge(ctx, b.Config(), spec, outDir, append(awstest.FastOptions(), opts...)...)
	if err != nil {
		return nil, err
	}
	return r.changes(), nil
}

// program is autochart against the test's backend, writing in outDir.
func program(b *awstest.Backend, spec Spec, outDir string) kittest.Program {
	return kittest.Program{
		B:   b,
		Run: kittest.RunWith(run, "-endpoint", b.Endpoint, "-once", "-out", outDir),
		Converge: func(ctx context.Context, opts ...foundation.Option) (foundation.Changes, error) {
			return converge(ctx, b, spec, outDir, opts...)
		},
	}
}

// state is what the tests read back with SDK clients.
type state struct {
	accounts map[string]orgtypes.Account // by name
	parents  map[string]string           // account name -> parent OU name
	aliases  map[string][]string         // account name -> aliases
	users    map[string]string           // user name -> ID
	// assigned maps account name -> the user names assigned
	// AdministratorAccess in it.
	assigned map[string][]string
	roles    map[string][]string // account name -> AWSReservedSSO_ roles
}

func readState(t testing.TB, b *awstest.Backend, people ...string) state {
	t.Helper()
	ctx := context.Background()
	mgmtID := b.AccountID(t)
	mgmt := b.Config()
	org := orgsdk.NewFromConfig(mgmt)
	st := state{accounts: map[string]orgtypes.Account{}, parents: map[string]string{}, aliases: map[string][]string{},
		users: map[string]string{}, assigned: map[string][]string{}, roles: map[string][]string{}}
	for _, a := range kittest.Accounts(t, org) {
		name := aws.ToString(a.Name)
		st.accounts[name] = a
		if p := kittest.Parent(t, org, aws.ToString(a.Id)); p.Type == orgtypes.ParentTypeOrganizationalUnit {
			st.parents[name] = kittest.OUName(t, org, aws.ToString(p.Id))
		}
		cfg := kittest.Config(b, mgmtID, aws.ToString(a.Id))
		aliases, err := iam.NewFromConfig(cfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		require.NoError(t, err)
		st.aliases[name] = aliases.AccountAliases
		rp := iam.NewListRolesPaginator(iam.NewFromConfig(cfg), &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/sso.amazonaws.com/")})
		for rp.HasMorePages() {
			page, err := rp.NextPage(ctx)
			require.NoError(t, err)
			for _, r := range page.Roles {
				st.roles[name] = append(st.roles[name], aws.ToString(r.RoleName))
			}
		}
	}

	sso := ssoadmin.NewFromConfig(mgmt)
	instARN, storeID := kittest.Instance(t, sso)
	ids := identitystore.NewFromConfig(mgmt)
	byID := map[string]string{}
	for _, name := range people {
		st.users[name] = kittest.UserID(t, ids, storeID, name)
		byID[st.users[name]] = name
	}
	// AdministratorAccess: short sessions, the AWS managed policy alone.
	ps, ok := kittest.PermissionSets(t, sso, instARN)["AdministratorAccess"]
	require.True(t, ok, "permission set AdministratorAccess")
	require.Equal(t, "PT1H", aws.ToString(ps.SessionDuration), "short sessions")
	psARN := aws.ToString(ps.PermissionSetArn)
	require.Equal(t, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, kittest.ManagedPolicies(t, sso, instARN, psARN))
	for name, a := range st.accounts {
		for _, as := range kittest.Assignments(t, sso, instARN, psARN, aws.ToString(a.Id)) {
			require.Equal(t, ssotypes.PrincipalTypeUser, as.PrincipalType)
			st.assigned[name] = append(st.assigned[name], byID[aws.ToString(as.PrincipalId)])
		}
		sort.Strings(st.assigned[name])
	}
	return st
}

func TestAutochartConvergesAndSecondRunIsNoop(t *testing.T) {
	b, ctx := newBackend(t)
	outDir := t.TempDir()
	args := []string{"-endpoint", b.Endpoint, "-once", "-out", outDir}
	var out bytes.Buffer
	start := time.Now()
	require.NoError(t, run(ctx, args, &out), out.String())
	t.Logf("first run: %s", time.Since(start).Round(time.Millisecond))
	require.Contains(t, out.String(), "AWS emulator at "+b.Endpoint)
	require.Contains(t, out.String(), "https://autochart-dev.signin.aws.amazon.com/console")
	require.Contains(t, out.String(), "AWS_CONFIG_FILE="+filepath.Join(outDir, "paul", "config")+" aws sso login --profile autochart_dev_paul")
	require.Contains(t, out.String(), `On an emulator "aws sso login" cannot work`)

	// The seed's tree: the product OU with the dev and prod accounts, each
	// with its alias; the management account has none.
	st := readState(t, b, "paul")
	require.Len(t, st.accounts, 3, "management + dev + prod")
	spec := Seed003("")
	ids := map[string]string{}
	for _, e := range spec.Envs {
		a, ok := st.accounts[e.Account.Name]
		require.True(t, ok, e.Account.Name)
		ids[e.Name] = aws.ToString(a.Id)
		require.Equal(t, e.Account.Email, aws.ToString(a.Email))
		require.Equal(t, "autochart", st.parents[e.Account.Name])
		require.Equal(t, []string{"autochart-" + e.Name}, st.aliases[e.Account.Name])
		// Paul is assigned AdministratorAccess, and Identity Center made
		// its role in the account.
		require.Equal(t, []string{"paul"}, st.assigned[e.Account.Name], e.Name)
		if !b.Lacks(awstest.SSOAssignmentProvisions) {
			require.Len(t, st.roles[e.Account.Name], 1, e.Name)
			require.True(t, strings.HasPrefix(st.roles[e.Account.Name][0], "AWSReservedSSO_AdministratorAccess_"), st.roles[e.Account.Name][0])
		}
	}
	for name, a := range st.accounts {
		if aws.ToString(a.Id) == b.AccountID(t) {
			require.Empty(t, st.aliases[name], "no alias on the management account")
			require.Empty(t, st.roles[name])
		}
	}
	require.Equal(t, "paul@example.com", userEmail(t, b, st.users["paul"]))

	// The profiles, read back as the AWS CLI reads them.
	cfgFile := filepath.Join(outDir, "paul", "config")
	fi, err := os.Stat(cfgFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	file := kittest.ReadConfig(t, cfgFile)
	for env, id := range ids {
		sec := file.Section("profile autochart_" + env + "_paul")
		require.Equal(t, id, sec.Key("sso_account_id").String())
		require.Equal(t, "AdministratorAccess", sec.Key("sso_role_name").String())
		require.Equal(t, "autochart", sec.Key("sso_session").String())
	}
	require.NotContains(t, file.SectionStrings(), "default", "no default profile, as the seed advises")
	assertProfilesWithCLI(t, cfgFile, ids)

	// A second run reports nothing and leaves the file as it was; two
	// more with the test's recorded clients make no mutating call (nor any
	// the emulator saw). A converged run reads the permission set's
	// boundary.
	t.Run("second run is a no-op", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary)
		before, err := os.ReadFile(cfgFile)
		require.NoError(t, err)
		start = time.Now()
		program(b, spec, outDir).SecondRunIsNoop(t, ctx)
		t.Logf("second run and two converges: %s", time.Since(start).Round(time.Millisecond))
		after, err := os.ReadFile(cfgFile)
		require.NoError(t, err)
		require.Equal(t, string(before), string(after))
	})
}

func userEmail(t testing.TB, b *awstest.Backend, userID string) string {
	t.Helper()
	mgmt := b.Config()
	_, storeID := kittest.Instance(t, ssoadmin.NewFromConfig(mgmt))
	u, err := identitystore.NewFromConfig(mgmt).DescribeUser(context.Background(), &identitystore.DescribeUserInput{
		IdentityStoreId: storeID, UserId: aws.String(userID)})
	require.NoError(t, err)
	require.Len(t, u.Emails, 1)
	return aws.ToString(u.Emails[0].Value)
}

// assertProfilesWithCLI reads each profile's account and role with the
// AWS CLI (a reader none of us wrote), in an isolated HOME.
func assertProfilesWithCLI(t testing.TB, cfgFile string, ids map[string]string) {
	t.Helper()
	cli := os.Getenv("FOUNDATION_TEST_AWS_CLI")
	if cli == "" && os.Getenv("FOUNDATION_TEST_AWSCLI") != "1" {
		t.Log("the profiles are read back with the AWS CLI (about 4 s) with FOUNDATION_TEST_AWSCLI=1 (.ci/run sets it)")
		return
	}
	if cli == "" {
		var err error
		if cli, err = exec.LookPath("aws"); err != nil {
			t.Log("no AWS CLI found (apt-get install awscli, or set FOUNDATION_TEST_AWS_CLI): the profiles are not read back with it")
			return
		}
	}
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + cfgFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	// Each `aws` start takes most of a second: run them at once.
	type query struct{ profile, key, want string }
	var queries []query
	for env, id := range ids {
		profile := "autochart_" + env + "_paul"
		queries = append(queries, query{profile, "sso_account_id", id}, query{profile, "sso_role_name", "AdministratorAccess"})
	}
	got := make([]string, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			cmd := exec.Command(cli, "configure", "get", q.key, "--profile", q.profile)
			cmd.Env = env
			b, err := cmd.CombinedOutput()
			got[i], errs[i] = strings.TrimSpace(string(b)), err
		})
	}
	wg.Wait()
	for i, q := range queries {
		require.NoError(t, errs[i], "%s configure get %s --profile %s: %s", cli, q.key, q.profile, got[i])
		require.Equal(t, q.want, got[i], "%s of profile %s", q.key, q.profile)
	}
}

func TestAutochartDryRunMakesNoMutatingCall(t *testing.T) {
	b, ctx := newBackend(t)
	outDir := filepath.Join(t.TempDir(), "profiles")
	prog := program(b, Seed003(""), outDir)
	out, planned := prog.DryRunFresh(t, ctx)
	for _, want := range []string{
		`create organizations:ou "autochart"`,
		`create organizations:account "paul+autochart_dev@example.com": Name: autochart_dev`,
		`create organizations:account "paul+autochart_prod@example.com": Name: autochart_prod`,
		`create iam:account-alias "autochart-dev"`,
		`create identitystore:user "paul"`,
		`create sso:permission-set "AdministratorAccess"`,
		`create sso:account-assignment "USER:paul/AdministratorAccess/(known after apply: account paul+autochart_prod@example.com)"`,
		`create aws-config:profile "autochart_dev_paul"`,
		"AWS CLI profiles of paul (" + filepath.Join(outDir, "paul", "config") + ")",
		"Would change 16 resources",
	} {
		require.Contains(t, out, want)
	}
	_, err := os.Stat(outDir)
	require.ErrorIs(t, err, os.ErrNotExist, "a dry run writes no file")
	require.Len(t, planned, 16)

	// After a real run, a dry run plans nothing and still writes nothing
	// (reading the permission set's boundary).
	t.Run("after a run", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary)
		prog.DryRunAfterRun(t, ctx)
	})
}

// Offboarding is taking a person out of the spec: their assignments go
// (Prune), nobody else's. A person limited to dev gets no prod access nor
// prod profile.
func TestAutochartPeopleAndOffboarding(t *testing.T) {
	b, ctx := newBackend(t)
	outDir := t.TempDir()
	spec := Seed003("")
	spec.People = append(spec.People, Person{UserSpec: identitycenter.UserSpec{UserName: "ana", GivenName: "Ana", FamilyName: "Dev"}, Envs: []string{"dev"}})
	_, err := converge(ctx, b, spec, outDir)
	require.NoError(t, err)
	st := readState(t, b, "paul", "ana")
	require.Equal(t, []string{"ana", "paul"}, st.assigned["autochart_dev"])
	require.Equal(t, []string{"paul"}, st.assigned["autochart_prod"])
	ana := kittest.ReadConfig(t, filepath.Join(outDir, "ana", "config"))
	require.Contains(t, ana.SectionStrings(), "profile autochart_dev_ana")
	require.NotContains(t, ana.SectionStrings(), "profile autochart_prod_ana")

	t.Run("ana leaves", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary) // a second run reads the permission set's boundary
		spec.People = spec.People[:1]
		changes, err := converge(ctx, b, spec, outDir)
		require.NoError(t, err)
		require.Equal(t, []string{`delete sso:account-assignment "USER:ana/AdministratorAccess/` + aws.ToString(st.accounts["autochart_dev"].Id) + `"`},
			strings.Split(strings.TrimSpace(changes.String()), "\n"))
		st := readState(t, b, "paul", "ana")
		require.Equal(t, []string{"paul"}, st.assigned["autochart_dev"])
		require.Equal(t, []string{"paul"}, st.assigned["autochart_prod"])
		b.RequireIdempotent(t, func() ([]foundation.Change, error) { return converge(ctx, b, spec, outDir) })
	})
}

func TestAutochartEmbeddedDefaultRunsTwice(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the default -out is a new temp dir
	out := kittest.EmbeddedRunsTwice(t, run)
	require.Contains(t, out, "AWS CLI profiles written in a new temporary directory, "+os.Getenv("TMPDIR"))
}

func TestAutochartFlags(t *testing.T) {
	kittest.RequireFlagErrors(t, run, map[string][]string{
		"plain": {"-email", "Paul <paul@example.com>"},
	})
	require.Equal(t, "me+autochart_prod@example.com", Seed003("me@example.com").Envs[1].Account.Email)
}

// Issue 13's acceptance: on a fresh backend, the set of changes of
// -dry-run -json is the real run's (kittest.PlanMatchesRun's matching rule).
// Before the dry runs chained, the plan listed 13 changes (4 of them
// hand-written, the profiles left out) where the run made 16.
func TestAutochartDryRunPlansTheRun(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	planned, made := kittest.PlanMatchesRun(t, ctx, b, run, "-endpoint", b.Endpoint, "-out", t.TempDir())
	t.Logf("planned %d, made %d", planned, made)
}

// A run that fails in its last AWS step (the account assignments) reports
// every change made before the failure, in every step (the organization,
// the accounts, their aliases, the user and permission set), not only the
// failing call's; -json lists them with their accounts.
func TestAutochartFailureReportsEverythingMade(t *testing.T) {
	kittest.FailureReportsEverythingMade(t, "", run, emulator.Match{Service: "sso", Operation: "CreateAccountAssignment"}, []string{"-out", t.TempDir()},
		"organizations:organization", "organizations:account", "iam:account-alias", "identitystore:user", "sso:permission-set")
}
