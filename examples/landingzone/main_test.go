package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/stretchr/testify/require"
	"gopkg.in/ini.v1"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// newBackend returns the selected backend; on the in-process emulator with
// Identity Center enabled along with the organization (a console step on
// AWS, what the program's embedded emulator does too).
func newBackend(t *testing.T) *awstest.Backend {
	t.Helper()
	return awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true}))
}

// seed returns seed 000 as the backend can serve it, and the program's
// flags for it: where the backend cannot tell a group's members (moto has
// no identitystore:GetGroupMembershipId), the admin group has none, so the
// rest of the landing zone still runs there.
func seed(t *testing.T, b *awstest.Backend) (Spec, []string) {
	t.Helper()
	spec := Seed000()
	if !b.Lacks(awstest.IdentityStoreGetMembershipID) {
		return spec, nil
	}
	spec.Admins = nil
	file := filepath.Join(t.TempDir(), "lz.yaml")
	require.NoError(t, os.WriteFile(file, []byte("admins: []\n"), 0o600))
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
	cs := append(foundation.Changes{}, r.Organization.Changes...)
	cs = append(cs, r.Tree.Changes...)
	cs = append(cs, r.Management...)
	cs = append(cs, r.Planned...)
	if r.Accounts != nil {
		for _, a := range r.Accounts.Results {
			cs = append(cs, a.Changes...)
		}
	}
	if n := r.Count(); n != len(cs) {
		return nil, fmt.Errorf("Count() = %d, but %d changes listed", n, len(cs))
	}
	return cs, nil
}

func TestLandingZoneConvergesAndSecondRunIsNoop(t *testing.T) {
	b := newBackend(t)
	b.Require(t, awstest.CapFreshState) // the seed's organization, and its fixed names
	ctx := awstest.Context(t, 2*time.Minute)
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
	accounts := map[string]orgtypes.Account{}
	p := orgsdk.NewListAccountsPaginator(org, &orgsdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Accounts {
			accounts[aws.ToString(a.Name)] = a
		}
	}
	require.Len(t, accounts, 4, "management + dev, staging, production")
	ids := map[string]string{"mgmt": mgmtID}
	for _, e := range spec.Environments {
		a, ok := accounts[e.Account]
		require.True(t, ok, e.Account)
		require.Equal(t, spec.email(e.Name), aws.ToString(a.Email))
		require.Equal(t, e.OU, ouPath(t, org, aws.ToString(a.Id)), e.Account)
		ids[e.Name] = aws.ToString(a.Id)
	}
	_, err := org.DescribeOrganizationalUnit(ctx, &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ouID(t, org, "Management"))})
	require.NoError(t, err)

	// The production guardrail on the Production OU, with the seed's statements.
	pols, err := org.ListPoliciesForTarget(ctx, &orgsdk.ListPoliciesForTargetInput{
		TargetId: aws.String(ouID(t, org, "Workloads/Production")), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	var names []string
	var guardrail string
	for _, p := range pols.Policies {
		names = append(names, aws.ToString(p.Name))
		if aws.ToString(p.Name) == "myapp-production-guardrails" {
			guardrail = aws.ToString(p.Id)
		}
	}
	sort.Strings(names)
	require.Equal(t, []string{"FullAWSAccess", "myapp-production-guardrails"}, names)
	gp, err := org.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: aws.String(guardrail)})
	require.NoError(t, err)
	doc, err := foundation.ParsePolicy(aws.ToString(gp.Policy.Content))
	require.NoError(t, err)
	for _, sid := range []string{"DenyDangerousEKSOperations", "DenyRDSDelete", "RequireRegions"} {
		_, ok := doc.StatementBySid(sid)
		require.True(t, ok, sid)
	}

	// Identity Center: both permission sets (8 hours) on all four accounts for the admin group.
	sso := ssoadmin.NewFromConfig(mgmt)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, inst.Instances, 1)
	instanceARN := inst.Instances[0].InstanceArn
	sets := map[string]string{}
	psp := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: instanceARN})
	for psp.HasMorePages() {
		page, err := psp.NextPage(ctx)
		require.NoError(t, err)
		for _, arn := range page.PermissionSets {
			d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
			require.NoError(t, err)
			require.Equal(t, "PT8H", aws.ToString(d.PermissionSet.SessionDuration))
			sets[aws.ToString(d.PermissionSet.Name)] = arn
		}
	}
	require.Len(t, sets, 2)
	for _, ps := range []string{"AdministratorAccess", "ReadOnlyAccess"} {
		for env, id := range ids {
			as, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: instanceARN,
				AccountId: aws.String(id), PermissionSetArn: aws.String(sets[ps])})
			require.NoError(t, err)
			require.Len(t, as.AccountAssignments, 1, "%s on %s", ps, env)
			require.Equal(t, "GROUP", string(as.AccountAssignments[0].PrincipalType))
		}
	}

	// The engineers' AWS CLI config: a profile per account and region.
	cfgFile, err := ini.Load(filepath.Join(out, "aws-config"))
	require.NoError(t, err)
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
		cfg := mgmt
		if id != mgmtID {
			cfg = b.ConfigFor(id)
		}
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
		stdout.Reset()
		require.NoError(t, run(ctx, args, &stdout))
		require.Contains(t, stdout.String(), "Changed 0 resources")
		b.RequireIdempotent(t, func() ([]foundation.Change, error) { return converge(ctx, b, spec, out) })
	})
}

func ouPath(t *testing.T, org *orgsdk.Client, child string) string {
	t.Helper()
	var parts []string
	for {
		out, err := org.ListParents(context.Background(), &orgsdk.ListParentsInput{ChildId: aws.String(child)})
		require.NoError(t, err)
		parent := out.Parents[0]
		if parent.Type == orgtypes.ParentTypeRoot {
			return strings.Join(parts, "/")
		}
		ou, err := org.DescribeOrganizationalUnit(context.Background(), &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: parent.Id})
		require.NoError(t, err)
		parts = append([]string{aws.ToString(ou.OrganizationalUnit.Name)}, parts...)
		child = aws.ToString(parent.Id)
	}
}

func ouID(t *testing.T, org *orgsdk.Client, path string) string {
	t.Helper()
	roots, err := org.ListRoots(context.Background(), &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	id := aws.ToString(roots.Roots[0].Id)
next:
	for _, name := range strings.Split(path, "/") {
		p := orgsdk.NewListOrganizationalUnitsForParentPaginator(org, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(id)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			require.NoError(t, err)
			for _, ou := range page.OrganizationalUnits {
				if aws.ToString(ou.Name) == name {
					id = aws.ToString(ou.Id)
					continue next
				}
			}
		}
		t.Fatalf("OU %q not found", path)
	}
	return id
}

func TestLandingZoneDryRunMakesNoMutatingCall(t *testing.T) {
	b := newBackend(t)
	b.Require(t, awstest.CapFreshState) // plans against no organization
	ctx := awstest.Context(t, 2*time.Minute)
	mgmtID := b.AccountID(t)
	emu := b.EmulatorFor(awstest.CapServerCallLog) // the program's own calls, where the server logs them
	var out bytes.Buffer
	dir := t.TempDir()
	spec, specArgs := seed(t, b)
	dryRun := append([]string{"-endpoint", b.Endpoint, "-dry-run", "-out", dir}, specArgs...)
	require.NoError(t, run(ctx, dryRun, &out))
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(0))
	}
	for _, want := range []string{
		"create organizations:organization",
		`create organizations:ou "Workloads/Production"`,
		`create organizations:account "you+aws-prod@example.com"`,
		`create organizations:policy "myapp-production-guardrails"`,
		`create organizations:policy-attachment "Workloads/Production <- myapp-production-guardrails"`,
		`create identitystore:group "PlatformAdmins"`,
		`create sso:permission-set "ReadOnlyAccess"`,
		`create sso:account-assignment "PlatformAdmins x AdministratorAccess, ReadOnlyAccess x 4 accounts"`,
		`create kms:key "alias/mgmt-us-east-1-main"`,
		`create iam:oidc-provider "token.actions.githubusercontent.com"`,
		`create iam:role "myapp-prod-github-ci`,
		`create ecr:repository "myapp`,
		`create kms:key "alias/prod-us-east-1-main in myapp-production"`,
		`create s3:bucket "myapp-terraform-state-<myapp-dev>"`,
		`create s3:bucket "myapp-terraform-state-` + mgmtID + `"`,
	} {
		require.Contains(t, out.String(), want)
	}
	if len(spec.Admins) > 0 {
		require.Contains(t, out.String(), `create identitystore:group-membership "PlatformAdmins/you"`)
	}
	_, err := os.Stat(filepath.Join(dir, "aws-config"))
	require.True(t, os.IsNotExist(err), "a dry run writes no file")
	// The same dry run with the test's recorded clients: reads only.
	mark := b.Mark()
	planned, err := converge(ctx, b, spec, dir, foundation.WithDryRun(true))
	require.NoError(t, err)
	require.NotEmpty(t, planned)
	b.RequireNoMutations(t, mark)

	// After a real run, a dry run plans nothing and still writes nothing
	// (reading every permission set's boundary).
	t.Run("after a run", func(t *testing.T) {
		b.Need(t, awstest.SSOGetPermissionsBoundary)
		require.NoError(t, run(ctx, append([]string{"-endpoint", b.Endpoint, "-once", "-out", dir}, specArgs...), &out))
		emuMark := 0
		if emu != nil {
			emuMark = emu.CallCount()
		}
		out.Reset()
		require.NoError(t, run(ctx, dryRun, &out))
		require.Contains(t, out.String(), "Would change 0 resources")
		if emu != nil {
			require.Empty(t, emu.MutatingCallsSince(emuMark))
		}
		mark := b.Mark()
		planned, err := converge(ctx, b, spec, dir, foundation.WithDryRun(true))
		require.NoError(t, err)
		require.Empty(t, planned)
		b.RequireNoMutations(t, mark)
	})
}

func TestLandingZoneEmbeddedDefaultRunsTwiceQuickly(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	require.NoError(t, run(context.Background(), []string{"-out", t.TempDir()}, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
	require.Less(t, time.Since(start), 30*time.Second)
}

func TestLandingZoneSpecFile(t *testing.T) {
	b := newBackend(t)
	b.Require(t, awstest.CapFreshState) // the spec's organization
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
environments:
  - {name: test, account: acme-test, ou: Workloads/Test}
  - {name: live, account: acme-live, ou: Workloads/Live, protected: true}
`+admins), 0o600))
	spec, err := LoadSpec(file)
	require.NoError(t, err)
	require.Equal(t, "acme", spec.Project)
	require.Len(t, spec.Environments, 2)
	require.Equal(t, "PlatformAdmins", spec.AdminGroup, "fields left out keep seed 000's")

	ctx := awstest.Context(t, 2*time.Minute)
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", b.Endpoint, "-once", "-spec", file, "-out", dir}, &out), out.String())
	require.Contains(t, out.String(), `create organizations:account "ops+aws-live@acme.example"`)
	require.Contains(t, out.String(), `bucket         = "acme-terraform-state-`+b.AccountID(t)+`"`)
	require.Contains(t, out.String(), `region         = "eu-west-1"`)
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
	var out bytes.Buffer
	for want, args := range map[string][]string{
		"-yes":      {"-aws"},
		"-email":    {"-aws", "-yes"},
		"exclude":   {"-aws", "-endpoint", "http://127.0.0.1:1"},
		"plain":     {"-email", "Me <me@example.com>"},
		"arguments": {"extra"},
		"no such":   {"-spec", "/nonexistent/lz.yaml"},
	} {
		err := run(context.Background(), args, &out)
		require.ErrorContains(t, err, want)
	}
	require.NotContains(t, out.String(), "Real AWS", "no AWS call may be made before the flags are right")
}

// A spec with the S3 lock file alone (locking: lockfile) converges: no lock
// table is asked of statebackend, which refuses one in that mode. Found by
// running a spec file of a user's own against moto.
func TestLandingZoneLockFileOnly(t *testing.T) {
	b := newBackend(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 2*time.Minute)
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
