package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/s3account"
)

// seed returns seed 000 as the backend can serve it, and the program's
// flags for it: where the backend cannot tell a group's members (moto has
// no identitystore:GetGroupMembershipId), the admin group has none, so the
// rest of the landing zone still runs there.
func seed(t testing.TB, b *awstest.Backend) (Spec, []string) {
	t.Helper()
	spec := Seed000()
	if !b.Lacks(awstest.IdentityStoreGetMembershipID) {
		return spec, nil
	}
	spec.Admins = nil
	file := filepath.Join(t.TempDir(), "lz.yaml")
	// seed.yaml without its people: a spec file is the whole spec.
	noAdmins := regexp.MustCompile(`(?m)^admins:\n(  - .*\n)+`).ReplaceAll(seedFile, []byte("admins: []\n"))
	require.NoError(t, os.WriteFile(file, noAdmins, 0o600))
	loaded, err := LoadSpec(file)
	require.NoError(t, err)
	require.Empty(t, loaded.Admins)
	return spec, []string{"-spec", file}
}

// converge runs Converge on the backend with the test's recorded clients,
// for assertions on the calls it makes.
func converge(ctx context.Context, b *awstest.Backend, spec Spec, outDir string, opts ...foundation.Option) (foundation.Changes, error) {
	opts = append(awstest.FastOptions(), opts...)
	r, err := Converge(ctx, &examplekit.Env{Config: b.Config(), PathStyle: true}, spec, outDir, opts...)
	if err != nil {
		return nil, err
	}
	return kittest.Listed(r, r.Accounts, r.Organization.Changes, r.Tree.Changes, r.Management)
}

// program is landingzone against the test's backend, writing in outDir.
func program(b *awstest.Backend, spec Spec, specArgs []string, outDir string) kittest.Program {
	return kittest.Program{
		B:   b,
		Run: kittest.RunWith(run, append([]string{"-endpoint", b.Endpoint, "-once", "-out", outDir}, specArgs...)...),
		Converge: func(ctx context.Context, opts ...foundation.Option) (foundation.Changes, error) {
			return converge(ctx, b, spec, outDir, opts...)
		},
	}
}

func TestLandingZoneConvergesAndSecondRunIsNoop(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState) // the seed's organization, and its fixed names
	out := t.TempDir()
	spec, specArgs := seed(t, b)
	args := append([]string{"-endpoint", b.Endpoint, "-once", "-out", out}, specArgs...)
	var stdout bytes.Buffer
	require.NoError(t, run(ctx, args, &stdout), stdout.String())
	require.Contains(t, stdout.String(), "AWS emulator at "+b.Endpoint)
	require.Contains(t, stdout.String(), `backend "s3"`)
	require.Contains(t, stdout.String(), "remote_state")

	mgmtID := b.AccountID(t)
	mgmt := b.Config()
	org := orgsdk.NewFromConfig(mgmt)

	// The organization: the seed's tree and accounts in their OUs.
	accounts := kittest.AccountsByName(t, org)
	require.Len(t, accounts, 4, "management + dev, staging, production")
	ids := map[string]string{"mgmt": mgmtID}
	for _, e := range spec.Environments {
		a, ok := accounts[e.Account]
		require.True(t, ok, e.Account)
		require.Equal(t, spec.email(e.Name), aws.ToString(a.Email))
		require.Equal(t, e.OU, kittest.OUPath(t, org, aws.ToString(a.Id)), e.Account)
		ids[e.Name] = aws.ToString(a.Id)
	}
	_, err := org.DescribeOrganizationalUnit(ctx, &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(kittest.OUID(t, org, "Management"))})
	require.NoError(t, err)

	// The production guardrail on the Production OU, with the seed's statements.
	require.Equal(t, []string{"FullAWSAccess", "myapp-production-guardrails"}, kittest.Attached(t, org, kittest.OUID(t, org, "Workloads/Production")))
	doc := kittest.PolicyContent(t, org, "myapp-production-guardrails")
	for _, sid := range []string{"DenyDangerousEKSOperations", "DenyRDSDelete", "RequireRegions"} {
		_, ok := doc.StatementBySid(sid)
		require.True(t, ok, sid)
	}

	// Identity Center: both permission sets (8 hours) on all four accounts for the admin group.
	sso := ssoadmin.NewFromConfig(mgmt)
	instanceARN, _ := kittest.Instance(t, sso)
	sets := kittest.PermissionSets(t, sso, instanceARN)
	for _, ps := range sets {
		require.Equal(t, "PT8H", aws.ToString(ps.SessionDuration))
	}
	require.Len(t, sets, 2)
	for _, ps := range []string{"AdministratorAccess", "ReadOnlyAccess"} {
		for env, id := range ids {
			as := kittest.Assignments(t, sso, instanceARN, aws.ToString(sets[ps].PermissionSetArn), id)
			require.Len(t, as, 1, "%s on %s", ps, env)
			require.Equal(t, "GROUP", string(as[0].PrincipalType))
		}
	}

	// The engineers' AWS CLI config: a profile per account and region.
	cfgFile := kittest.ReadConfig(t, filepath.Join(out, "aws-config"))
	for _, env := range []string{"mgmt", "dev", "staging", "prod"} {
		for region, short := range map[string]string{"us-east-1": "use1", "us-west-2": "usw2"} {
			sec, err := cfgFile.GetSection("profile myapp-" + env + "-" + short)
			require.NoError(t, err)
			require.Equal(t, ids[env], sec.Key("sso_account_id").String())
			require.Equal(t, "AdministratorAccess", sec.Key("sso_role_name").String())
			require.Equal(t, region, sec.Key("region").String())
			require.Equal(t, "admin", sec.Key("sso_session").String())
		}
	}

	// CI federation, the image repository and keys in the management account.
	iam := iamsdk.NewFromConfig(mgmt)
	role, err := iam.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("myapp-prod-github-ci")})
	require.NoError(t, err)
	trust, err := foundation.ParsePolicy(awstest.DecodePolicy(t, aws.ToString(role.Role.AssumeRolePolicyDocument)))
	require.NoError(t, err)
	require.Contains(t, trust.MustJSON(), `"token.actions.githubusercontent.com:sub":"repo:MatthewDipo/myapp:ref:refs/heads/main"`)
	rp, err := iam.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("myapp-prod-github-ci"), PolicyName: aws.String("github-ci-policy")})
	require.NoError(t, err)
	inline, err := foundation.ParsePolicy(awstest.DecodePolicy(t, aws.ToString(rp.PolicyDocument)))
	require.NoError(t, err)
	require.Len(t, inline.Statement, 4)
	repo, err := ecrsdk.NewFromConfig(mgmt).DescribeRepositories(ctx, &ecrsdk.DescribeRepositoriesInput{RepositoryNames: []string{"myapp"}})
	require.NoError(t, err)
	require.Equal(t, "IMMUTABLE", string(repo.Repositories[0].ImageTagMutability))
	require.True(t, repo.Repositories[0].ImageScanningConfiguration.ScanOnPush)
	require.Equal(t, "KMS", string(repo.Repositories[0].EncryptionConfiguration.EncryptionType))
	rpol, err := ecrsdk.NewFromConfig(mgmt).GetRepositoryPolicy(ctx, &ecrsdk.GetRepositoryPolicyInput{RepositoryName: aws.String("myapp")})
	require.NoError(t, err)
	for _, env := range []string{"dev", "staging", "prod"} {
		require.Contains(t, aws.ToString(rpol.PolicyText), "arn:aws:iam::"+ids[env]+":root")
	}

	// Every account: its key (rotating; the AutoScaling service-linked
	// role exists and is named in the policy) and its state backend.
	for env, id := range ids {
		cfg := kittest.Config(b, mgmtID, id)
		if env != "mgmt" {
			k := kmssdk.NewFromConfig(cfg)
			alias := fmt.Sprintf("alias/%s-us-east-1-main", env)
			key, err := k.DescribeKey(ctx, &kmssdk.DescribeKeyInput{KeyId: aws.String(alias)})
			require.NoError(t, err, alias)
			rot, err := k.GetKeyRotationStatus(ctx, &kmssdk.GetKeyRotationStatusInput{KeyId: key.KeyMetadata.KeyId})
			require.NoError(t, err)
			require.True(t, rot.KeyRotationEnabled)
			kp, err := k.GetKeyPolicy(ctx, &kmssdk.GetKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, PolicyName: aws.String("default")})
			require.NoError(t, err)
			require.Contains(t, aws.ToString(kp.Policy), "arn:aws:iam::"+id+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
			// (moto guesses most services' role names, but names AutoScaling's right)
			_, err = iamsdk.NewFromConfig(cfg).GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling")})
			require.NoError(t, err, env)
		}
		s3c := b.S3(cfg)
		bucket := fmt.Sprintf("myapp-terraform-state-%s", id)
		v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		require.NoError(t, err, env)
		require.Equal(t, s3types.BucketVersioningStatusEnabled, v.Status)
		pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		c := pab.PublicAccessBlockConfiguration
		require.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets))
		pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		require.Contains(t, aws.ToString(pol.Policy), "aws:SecureTransport")
		// S3.1: the account-level public access block, all four on.
		apab, err := s3control.NewFromConfig(cfg, s3account.LiteralEndpoint).GetPublicAccessBlock(ctx,
			&s3control.GetPublicAccessBlockInput{AccountId: aws.String(id)})
		require.NoError(t, err, env)
		ac := apab.PublicAccessBlockConfiguration
		require.True(t, aws.ToBool(ac.BlockPublicAcls) && aws.ToBool(ac.IgnorePublicAcls) && aws.ToBool(ac.BlockPublicPolicy) && aws.ToBool(ac.RestrictPublicBuckets), env)
		tbl, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("myapp-terraform-locks")})
		require.NoError(t, err, env)
		require.Equal(t, ddbtypes.BillingModePayPerRequest, tbl.Table.BillingModeSummary.BillingMode)
		if !b.Lacks(awstest.DynamoDBDeletionProtection) {
			require.True(t, aws.ToBool(tbl.Table.DeletionProtectionEnabled))
		}
	}

	// A second run of the program reports nothing; two more, with the
	// test's recorded clients, make no mutating call (nor any the emulator
	// saw, where it is the backend). A converged run reads every
	// permission set's boundary.
	t.Run("second run is a no-op", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary)
		program(b, spec, specArgs, out).SecondRunIsNoop(t, ctx)
	})
}

func TestLandingZoneDryRunMakesNoMutatingCall(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState) // plans against no organization
	mgmtID := b.AccountID(t)
	dir := t.TempDir()
	spec, specArgs := seed(t, b)
	prog := program(b, spec, specArgs, dir)
	// The program's dry run, then the same with the test's recorded
	// clients: reads only.
	out, _ := prog.DryRunFresh(t, ctx)
	for _, want := range []string{
		`create organizations:ou "Workloads/Production"`,
		`create organizations:account "you+aws-prod@example.com"`,
		`create organizations:policy "myapp-production-guardrails"`,
		`create organizations:policy-attachment "Workloads/Production <- myapp-production-guardrails"`,
		`update organizations:policy-type "(known after apply: root )/SERVICE_CONTROL_POLICY"`,
		`create identitystore:group "PlatformAdmins"`,
		`create sso:permission-set "ReadOnlyAccess"`,
		`create sso:account-assignment "GROUP:PlatformAdmins/ReadOnlyAccess/(known after apply: account you+aws-prod@example.com)"`,
		`create aws-config:profile "myapp-prod-use1"`,
		`create kms:key "alias/mgmt-us-east-1-main"`,
		`create iam:oidc-provider "token.actions.githubusercontent.com"`,
		`create iam:role "myapp-prod-github-ci`,
		`create ecr:repository "myapp`,
		"== myapp-production (ID known after apply)\n",
		`create kms:key "alias/prod-us-east-1-main"`,
		`create s3:bucket "myapp-terraform-state-(known after apply: account you+aws-dev@example.com)"`,
		`create s3:bucket "myapp-terraform-state-` + mgmtID + `"`,
		`create s3:account-public-access-block (ID known after apply): BlockPublicAcls: true`,
		`create s3:account-public-access-block "` + mgmtID + `": BlockPublicAcls: true; IgnorePublicAcls: true; BlockPublicPolicy: true; RestrictPublicBuckets: true`,
	} {
		require.Contains(t, out, want)
	}
	if len(spec.Admins) > 0 {
		require.Contains(t, out, `create identitystore:group-membership "PlatformAdmins/you"`)
	}
	_, err := os.Stat(filepath.Join(dir, "aws-config"))
	require.True(t, os.IsNotExist(err), "a dry run writes no file")

	// After a real run, a dry run plans nothing and still writes nothing
	// (reading every permission set's boundary).
	t.Run("after a run", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary)
		prog.DryRunAfterRun(t, ctx)
	})
}

func TestLandingZoneEmbeddedDefaultRunsTwiceQuickly(t *testing.T) {
	start := time.Now()
	kittest.EmbeddedRunsTwice(t, run, "-out", t.TempDir())
	require.Less(t, time.Since(start), 30*time.Second)
}

func TestLandingZoneSpecFile(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState) // the spec's organization
	// Where the backend cannot tell a group's members, the admin group has none.
	admins := ""
	if b.Lacks(awstest.IdentityStoreGetMembershipID) {
		admins = "admins: []\n"
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "lz.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
project: acme
email: ops@acme.example
regions: [eu-west-1]
region: eu-west-1
githubRepository: acme/infra
environments:
  - {name: test, account: acme-test, ou: Workloads/Test}
  - {name: live, account: acme-live, ou: Workloads/Live, protected: true}
`+admins), 0o600))
	spec, err := LoadSpec(file)
	require.NoError(t, err)
	require.Equal(t, "acme", spec.Project)
	require.Len(t, spec.Environments, 2)
	require.Equal(t, "PlatformAdmins", spec.AdminGroup, "keys left out get their documented default")
	require.Equal(t, "acme/infra", spec.GitHubRepository, "identity comes from the file only")

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", b.Endpoint, "-once", "-spec", file, "-out", dir}, &out), out.String())
	require.Contains(t, out.String(), `create organizations:account "ops+aws-live@acme.example"`)
	require.Contains(t, out.String(), `bucket       = "acme-terraform-state-`+b.AccountID(t)+`"`)
	require.Contains(t, out.String(), `region       = "eu-west-1"`)
	require.Contains(t, out.String(), `use_lockfile = true`, "locking defaults to the S3 lock file")
	require.NotContains(t, out.String(), "dynamodb_table")
	t.Run("second run", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary) // a converged run reads every permission set's boundary
		out.Reset()
		require.NoError(t, run(ctx, []string{"-endpoint", b.Endpoint, "-spec", file, "-out", dir}, &out), out.String())
		require.Contains(t, out.String(), "Second run: no changes.")
	})

	// JSON works too; unknown fields are refused.
	js := filepath.Join(dir, "lz.json")
	require.NoError(t, os.WriteFile(js, []byte(`{"project": "acme", "enviroments": []}`), 0o600))
	_, err = LoadSpec(js)
	require.ErrorContains(t, err, "enviroments")
}

func TestLandingZoneFlags(t *testing.T) {
	kittest.RequireFlagErrors(t, run, map[string][]string{
		"no such": {"-spec", "/nonexistent/lz.yaml"},
	})
}

// A spec with the S3 lock file alone (locking: lockfile) converges: no lock
// table is asked of statebackend, which refuses one in that mode. Found by
// running a spec file of a user's own against moto.
func TestLandingZoneLockFileOnly(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState)
	spec, _ := seed(t, b)
	spec.Locking = "lockfile"
	out := t.TempDir()
	if _, err := converge(ctx, b, spec, out); err != nil {
		t.Fatal(err)
	}
	tables, err := b.DynamoDB().ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	require.Empty(t, tables.TableNames, "a lock table was made for lockfile locking")
	mgmt := b.AccountID(t)
	_, err = b.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(spec.Project + "-terraform-state-" + mgmt)})
	require.NoError(t, err)
	if b.Lacks(awstest.SSOGetPermissionsBoundary) {
		return // a second run reads every permission set's boundary
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return converge(ctx, b, spec, out) })
}

// Issue 13's acceptance: on a fresh backend, the set of changes of
// -dry-run -json is the real run's (kittest.PlanMatchesRun's matching rule).
// Before the dry runs chained, the plan listed 49 changes (7 of them
// hand-written) where the run made 94.
func TestLandingZoneDryRunPlansTheRun(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	b.Need(t, awstest.IdentityStoreGetMembershipID) // the seed's admin joins the group
	planned, made := kittest.PlanMatchesRun(t, ctx, b, run, "-endpoint", b.Endpoint, "-out", t.TempDir())
	t.Logf("planned %d, made %d", planned, made)
}

// Environments may share an OU (found from outside: two environments in one
// OU, a normal layout, were refused with the library's "duplicates
// spec.OUs[0].Path"); the guardrail goes on the OU once, and the dry run
// plans what the run makes.
func TestLandingZoneEnvironmentsShareAnOU(t *testing.T) {
	seed := string(seedFile)
	seed = strings.Replace(seed, "ou: Workloads/Staging}", "ou: Workloads/Production, protected: true}", 1)
	seed = strings.Replace(seed, "ous: [Management]", "ous: [Management, Workloads/Production]", 1)
	file := filepath.Join(t.TempDir(), "lz.yaml")
	require.NoError(t, os.WriteFile(file, []byte(seed), 0o600))
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	b.Need(t, awstest.IdentityStoreGetMembershipID)
	planned, made := kittest.PlanMatchesRun(t, ctx, b, run, "-endpoint", b.Endpoint, "-out", t.TempDir(), "-spec", file)
	require.Equal(t, planned, made)
}
