package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// seed002Statements are the statements of seed 002's SCP, in order: no
// root user, the allowed Regions, S3/EBS/RDS encryption, internet gateways.
var seed002Statements = []string{"DenyRootUser", "DenyOutsideAllowedRegions", "DenyS3UnapprovedEncryption",
	"DenyUnencryptedEBSVolumes", "DenyDisableEBSEncryptionByDefault", "DenyUnencryptedRDSStorage", "DenyInternetGateways"}

// seed002Access is where each permission set is assigned (to its group):
// Developer in dev and staging, SecurityAudit everywhere, Deployment in the
// workload accounts.
var seed002Access = map[string][]string{
	"Developer":     {"dev", "staging"},
	"SecurityAudit": {ManagementKey, "security", "dev", "staging", "production", "shared-services", "network"},
	"Deployment":    {"dev", "staging", "production"},
}

// seed002RoleAccounts are where the DeploymentRole is, trusting only
// shared-services.
var seed002RoleAccounts = []string{"dev", "staging", "production"}

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{IdentityCenter: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// accountConfig acts as the root user of accountID on the emulator (which
// maps a 12-digit access key to that account).
func accountConfig(srv *emulator.Server, accountID string) aws.Config {
	return aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accountID, "x", "")}
}

// state is what the test reads back: account IDs by key.
type state struct {
	srv *emulator.Server
	ids map[string]string
}

func TestSecureCartConvergesAndSecondRunIsNoop(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out), out.String())
	require.Contains(t, out.String(), "DeploymentRole, assumable only from securecart-shared-services")
	t.Logf("first run: %d calls, %d mutating", srv.CallCount(), len(srv.MutatingCallsSince(0)))

	spec := Seed002("")
	mgmt := accountConfig(srv, srv.ManagementAccountID())
	org := orgsdk.NewFromConfig(mgmt)
	st := state{srv: srv, ids: map[string]string{ManagementKey: srv.ManagementAccountID()}}

	// The organization: seven accounts, each member in its OU.
	byEmail := map[string]orgtypes.Account{}
	p := orgsdk.NewListAccountsPaginator(org, &orgsdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Accounts {
			byEmail[aws.ToString(a.Email)] = a
		}
	}
	require.Len(t, byEmail, 7, "management + 6 members")
	for _, want := range spec.Accounts {
		a, ok := byEmail[spec.email(want.Key)]
		require.True(t, ok, want.Key)
		require.Equal(t, want.Name, aws.ToString(a.Name))
		st.ids[want.Key] = aws.ToString(a.Id)
		require.Equal(t, want.OU, parentOU(t, org, aws.ToString(a.Id)), want.Key)
	}

	// The guardrails: one SCP on each of the three OUs, with the seed's
	// statements and the networking account as the only IGW exception.
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	ous := map[string]string{}
	op := orgsdk.NewListOrganizationalUnitsForParentPaginator(org, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: roots.Roots[0].Id})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		require.NoError(t, err)
		for _, ou := range page.OrganizationalUnits {
			ous[aws.ToString(ou.Name)] = aws.ToString(ou.Id)
		}
	}
	require.Len(t, ous, 3)
	var policyID string
	for _, name := range spec.GuardrailOUs {
		pols, err := org.ListPoliciesForTarget(ctx, &orgsdk.ListPoliciesForTargetInput{TargetId: aws.String(ous[name]), Filter: orgtypes.PolicyTypeServiceControlPolicy})
		require.NoError(t, err)
		var names []string
		for _, p := range pols.Policies {
			names = append(names, aws.ToString(p.Name))
			if aws.ToString(p.Name) == "securecart-guardrails" {
				policyID = aws.ToString(p.Id)
			}
		}
		sort.Strings(names)
		require.Equal(t, []string{"FullAWSAccess", "securecart-guardrails"}, names, name)
	}
	pol, err := org.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: aws.String(policyID)})
	require.NoError(t, err)
	doc, err := foundation.ParsePolicy(aws.ToString(pol.Policy.Content))
	require.NoError(t, err)
	sids := map[string]foundation.Statement{}
	var order []string
	for _, s := range doc.Statement {
		require.Equal(t, foundation.EffectDeny, s.Effect, s.Sid)
		sids[s.Sid] = s
		order = append(order, s.Sid)
	}
	require.Equal(t, seed002Statements, order)
	require.Equal(t, foundation.StringList{st.ids["network"]}, sids["DenyInternetGateways"].Condition["StringNotEquals"]["aws:PrincipalAccount"])
	require.ElementsMatch(t, spec.AllowedRegions, sids["DenyOutsideAllowedRegions"].Condition["StringNotEquals"]["aws:RequestedRegion"])
	require.Equal(t, foundation.StringList(spec.RegionExemptPrincipals), sids["DenyOutsideAllowedRegions"].Condition["ArnNotLike"]["aws:PrincipalARN"])

	// Identity Center: the permission sets and exactly the assignments
	// the seed describes.
	st.requireAccess(t, ctx, spec)

	// The deployment role: in the workload accounts only, trusting only
	// the shared-services account, with the minimal policy.
	shared := st.ids["shared-services"]
	wantTrust, err := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + shared + `:root"},"Action":"sts:AssumeRole"}]}`)
	require.NoError(t, err)
	for key, id := range st.ids {
		c := iam.NewFromConfig(accountConfig(srv, id))
		role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("DeploymentRole")})
		if !slices.Contains(seed002RoleAccounts, key) {
			var nse *iamtypes.NoSuchEntityException
			require.ErrorAs(t, err, &nse, "no DeploymentRole in %s", key)
			continue
		}
		require.NoError(t, err, key)
		trust, err := foundation.ParsePolicy(aws.ToString(role.Role.AssumeRolePolicyDocument))
		require.NoError(t, err)
		require.True(t, trust.Equal(wantTrust), "%s trust: %s", key, trust.MustJSON())
		require.EqualValues(t, 3600, aws.ToInt32(role.Role.MaxSessionDuration))
		inline, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("DeploymentRole"), PolicyName: aws.String("deploy")})
		require.NoError(t, err)
		got, err := foundation.ParsePolicy(aws.ToString(inline.PolicyDocument))
		require.NoError(t, err)
		require.True(t, got.Equal(deploymentPolicy()), key)
		attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("DeploymentRole")})
		require.NoError(t, err)
		require.Empty(t, attached.AttachedPolicies)
	}

	// The trust, proved with STS: the shared-services account (its root,
	// by a 12-digit access key) assumes the role in every workload
	// account; every other account is refused.
	for _, key := range seed002RoleAccounts {
		arn := "arn:aws:iam::" + st.ids[key] + ":role/DeploymentRole"
		creds, err := assume(ctx, accountConfig(srv, shared), arn)
		require.NoError(t, err, "shared-services -> %s", key)
		in := accountConfig(srv, shared)
		in.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
		who, err := sts.NewFromConfig(in).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		require.NoError(t, err)
		require.Equal(t, st.ids[key], aws.ToString(who.Account))
		require.True(t, strings.HasPrefix(aws.ToString(who.Arn), "arn:aws:sts::"+st.ids[key]+":assumed-role/DeploymentRole/"))
		for _, other := range []string{ManagementKey, "security", "network", "dev", "staging", "production"} {
			if other == key {
				continue
			}
			_, err := assume(ctx, accountConfig(srv, st.ids[other]), arn)
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied", "%s -> %s: %v", other, key, err)
		}
	}

	// A second run reports nothing and makes no mutating call.
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out))
	require.Contains(t, out.String(), "Changed 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))
	t.Logf("second run: %d calls, 0 mutating", srv.CallCount()-mark)
}

func assume(ctx context.Context, cfg aws.Config, roleARN string) (*ststypes.Credentials, error) {
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("pipeline")})
	if err != nil {
		return nil, err
	}
	return out.Credentials, nil
}

// requireAccess checks every permission set and that each (permission set,
// account) pair is assigned to exactly the group the spec says, or none.
func (st state) requireAccess(t *testing.T, ctx context.Context, spec Spec) {
	t.Helper()
	mgmt := accountConfig(st.srv, st.ids[ManagementKey])
	sso := ssoadmin.NewFromConfig(mgmt)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.Len(t, inst.Instances, 1)
	instanceARN, storeID := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId

	groups := map[string]string{} // ID -> name
	gp := identitystore.NewListGroupsPaginator(identitystore.NewFromConfig(mgmt), &identitystore.ListGroupsInput{IdentityStoreId: storeID})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		require.NoError(t, err)
		for _, g := range page.Groups {
			groups[aws.ToString(g.GroupId)] = aws.ToString(g.DisplayName)
		}
	}
	require.Len(t, groups, len(spec.Access))

	sets := map[string]string{} // name -> ARN
	pp := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: instanceARN})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		require.NoError(t, err)
		for _, arn := range page.PermissionSets {
			d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
			require.NoError(t, err)
			sets[aws.ToString(d.PermissionSet.Name)] = arn
		}
	}
	require.Len(t, sets, len(spec.Access))
	for _, a := range spec.Access {
		arn, ok := sets[a.PermissionSet.Name]
		require.True(t, ok, a.PermissionSet.Name)
		mp, err := sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
		require.NoError(t, err)
		var managed []string
		for _, m := range mp.AttachedManagedPolicies {
			managed = append(managed, aws.ToString(m.Arn))
		}
		require.ElementsMatch(t, a.PermissionSet.ManagedPolicies, managed, a.PermissionSet.Name)
		ip, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: aws.String(arn)})
		require.NoError(t, err)
		if a.PermissionSet.InlinePolicy == nil {
			require.Empty(t, aws.ToString(ip.InlinePolicy), a.PermissionSet.Name)
		} else {
			got, err := foundation.ParsePolicy(aws.ToString(ip.InlinePolicy))
			require.NoError(t, err)
			require.True(t, got.Equal(a.PermissionSet.InlinePolicy), a.PermissionSet.Name)
		}
		for key, id := range st.ids {
			var got []string
			ap := ssoadmin.NewListAccountAssignmentsPaginator(sso, &ssoadmin.ListAccountAssignmentsInput{
				InstanceArn: instanceARN, PermissionSetArn: aws.String(arn), AccountId: aws.String(id)})
			for ap.HasMorePages() {
				page, err := ap.NextPage(ctx)
				require.NoError(t, err)
				for _, as := range page.AccountAssignments {
					got = append(got, string(as.PrincipalType)+":"+groups[aws.ToString(as.PrincipalId)])
				}
			}
			var want []string
			if slices.Contains(seed002Access[a.PermissionSet.Name], key) {
				want = []string{"GROUP:" + a.Group}
			}
			require.ElementsMatch(t, want, got, "%s in %s", a.PermissionSet.Name, key)
		}
	}
}

// parentOU returns the name of the OU an account is directly in.
func parentOU(t *testing.T, org *orgsdk.Client, accountID string) string {
	t.Helper()
	ps, err := org.ListParents(context.Background(), &orgsdk.ListParentsInput{ChildId: aws.String(accountID)})
	require.NoError(t, err)
	require.Len(t, ps.Parents, 1)
	require.Equal(t, orgtypes.ParentTypeOrganizationalUnit, ps.Parents[0].Type)
	ou, err := org.DescribeOrganizationalUnit(context.Background(), &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: ps.Parents[0].Id})
	require.NoError(t, err)
	return aws.ToString(ou.OrganizationalUnit.Name)
}

func TestSecureCartDryRunMakesNoMutatingCall(t *testing.T) {
	srv := startEmulator(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-dry-run"}, &out))
	require.Empty(t, srv.MutatingCallsSince(0))
	for _, want := range []string{
		"Would change 46 resources",
		"create organizations:organization",
		`create organizations:ou "SharedServicesOU"`,
		`create organizations:account "you+securecart-network@example.com"`,
		`create organizations:policy "securecart-guardrails"`,
		`create organizations:policy-attachment "WorkloadsOU <- securecart-guardrails"`,
		`create sso:permission-set "SecurityAudit"`,
		`create sso:account-assignment "GROUP:SecurityAuditors/SecurityAudit/` + srv.ManagementAccountID() + `"`,
		`create sso:account-assignment "Developers x Developer x <staging>"`,
		`create iam:role "DeploymentRole in securecart-production (trusts shared-services)"`,
	} {
		require.Contains(t, out.String(), want)
	}
	require.NotContains(t, out.String(), "Developers x Developer x <production>")

	// After a real run, a dry run plans nothing and still writes nothing.
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-once"}, &out))
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-dry-run"}, &out))
	require.Contains(t, out.String(), "Would change 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))
}

func TestSecureCartEmbeddedDefaultRunsTwice(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
}

func TestSecureCartFlags(t *testing.T) {
	var out bytes.Buffer
	for want, args := range map[string][]string{
		"-yes":      {"-aws"},
		"-email":    {"-aws", "-yes"},
		"exclude":   {"-aws", "-endpoint", "http://127.0.0.1:1"},
		"plain":     {"-email", "Me <me@example.com>"},
		"arguments": {"extra"},
	} {
		err := run(context.Background(), args, &out)
		require.ErrorContains(t, err, want)
	}
	require.NotContains(t, out.String(), "Real AWS", "no AWS call may be made before the flags are right")
	require.NotContains(t, out.String(), "emulator")
	require.Equal(t, "me+securecart-dev@example.com", Seed002("me@example.com").email("dev"))
}

func TestSeed002SpecIsConsistent(t *testing.T) {
	require.NoError(t, Seed002("").Check())
	s := Seed002("")
	s.Region = "us-east-1"
	s.TrustedAccounts = []string{"dev"}
	s.Access[0].Accounts = append(s.Access[0].Accounts, "qa")
	err := s.Check()
	for _, want := range []string{`spec.Region "us-east-1"`, `"dev" is also trusted`, `no account has key "qa"`} {
		require.ErrorContains(t, err, want)
	}
	doc, err := Guardrails(Seed002(""), "222233334444")
	require.NoError(t, err)
	var sids []string
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
	}
	require.Equal(t, seed002Statements, sids)
}
