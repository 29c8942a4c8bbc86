package organizations_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// roleAccounts are the accounts of the cross-account role tests: the role
// is in target; shared (the shared-services account) is trusted; other is
// any other account. readOnly, powerUser and admin are the ARNs of the
// managed policies the tests attach: AWS's ReadOnlyAccess, PowerUserAccess
// and AdministratorAccess.
type roleAccounts struct{ target, shared, other, readOnly, powerUser, admin string }

// exampleAccounts are seed 002's, for the tests that call no backend.
var exampleAccounts = roleAccounts{target: "444455556666", shared: "111122223333", other: "777788889999",
	readOnly: awsPolicy("ReadOnlyAccess"), powerUser: awsPolicy("PowerUserAccess"), admin: awsPolicy("AdministratorAccess")}

func awsPolicy(name string) string { return "arn:aws:iam::aws:policy/" + name }

// deployPolicy is a minimal deployment policy (seed 002's DeploymentRole).
func deployPolicy(target string) *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "UpdateServices", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("ecs:UpdateService", "ecs:DescribeServices"),
			Resource: foundation.Resources("arn:aws:ecs:eu-west-1:" + target + ":service/securecart/*")},
	)
}

// deploymentRole is the role of the tests: trusted by the shared-services
// account, with every setting the engine converges.
func deploymentRole(a roleAccounts) organizations.CrossAccountRoleSpec {
	return organizations.CrossAccountRoleSpec{
		Name:                "DeploymentRole",
		Path:                "/securecart/",
		Description:         "Assumed by CI in the shared-services account",
		TrustedAccountIDs:   []string{a.shared},
		ExternalID:          "securecart-ci",
		MaxSessionDuration:  2 * time.Hour,
		InlinePolicies:      map[string]*foundation.PolicyDocument{"deploy": deployPolicy(a.target)},
		ManagedPolicyARNs:   []string{a.readOnly},
		PermissionsBoundary: a.powerUser,
		Tags:                map[string]string{"project": "securecart", "managed-by": "foundation"},
	}
}

// roleEnv is a backend (a new one, or the one given) with the three
// accounts, members of the test's organization, and an IAM client acting in
// the target account.
func roleEnv(t *testing.T, on ...*awstest.Backend) (*awstest.Backend, *iam.Client, context.Context, roleAccounts) {
	t.Helper()
	b, orgs, ctx := withOrg(t, on...)
	b.Require(t, awstest.CapMemberAccounts)
	res, err := organizations.EnsureAccounts(ctx, orgs, organizations.AccountsSpec{Accounts: []organizations.AccountSpec{
		{Name: "workload", Email: "workload@example.com"},
		{Name: "shared-services", Email: "shared-services@example.com"},
		{Name: "other", Email: "other@example.com"},
	}}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	a := roleAccounts{target: res.Accounts[0].ID, shared: res.Accounts[1].ID, other: res.Accounts[2].ID,
		readOnly: awsPolicy("ReadOnlyAccess"), powerUser: awsPolicy("PowerUserAccess"), admin: awsPolicy("AdministratorAccess")}
	api := iam.NewFromConfig(b.ConfigFor(a.target))
	if b.Lacks(awstest.IAMManagedPolicies) {
		// Customer managed policies of the same names stand in for AWS's.
		for _, arn := range []*string{&a.readOnly, &a.powerUser, &a.admin} {
			out, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(strings.TrimPrefix(*arn, awsPolicy(""))),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
			if err != nil {
				t.Fatal(err)
			}
			*arn = aws.ToString(out.Policy.Arn)
		}
	}
	return b, api, ctx, a
}

func ensureRole(ctx context.Context, api organizations.CrossAccountRoleAPI, spec organizations.CrossAccountRoleSpec, opts ...foundation.Option) ([]foundation.Change, error) {
	r, err := organizations.EnsureCrossAccountRole(ctx, api, spec, awstest.Fast(opts...)...)
	if err != nil {
		return nil, err
	}
	return r.Changes, nil
}

func changeKeys(cs []foundation.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
	}
	return out
}

func TestCrossAccountRoleFreshRunReadsBackAndIsIdempotent(t *testing.T) {
	b, api, ctx, a := roleEnv(t)
	spec := deploymentRole(a)
	r, err := organizations.EnsureCrossAccountRole(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"create iam:role DeploymentRole",
		"create iam:role-managed-policy DeploymentRole/" + a.readOnly,
		"create iam:role-inline-policy DeploymentRole/deploy",
	}
	if got := changeKeys(r.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
	if r.ARN != "arn:aws:iam::"+a.target+":role/securecart/DeploymentRole" || r.Path != "/securecart/" || r.Name != "DeploymentRole" {
		t.Fatalf("result: %+v", r)
	}

	// Read back with the SDK.
	got, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("DeploymentRole")})
	if err != nil {
		t.Fatal(err)
	}
	role := got.Role
	trust, err := foundation.ParsePolicy(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	wantTrust, _ := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + a.shared + `:root"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"sts:ExternalId":"securecart-ci"}}}]}`)
	if !trust.Equal(wantTrust) || !r.TrustPolicy.Equal(wantTrust) {
		t.Fatalf("trust policy:\n got %s\nwant %s", trust.MustJSON(), wantTrust.MustJSON())
	}
	if aws.ToString(role.Path) != "/securecart/" || aws.ToInt32(role.MaxSessionDuration) != 7200 ||
		aws.ToString(role.Description) != spec.Description ||
		role.PermissionsBoundary == nil || aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn) != spec.PermissionsBoundary {
		t.Fatalf("role settings: %+v", role)
	}
	attached, err := api.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("DeploymentRole")})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != spec.ManagedPolicyARNs[0] {
		t.Fatalf("attached policies: %+v %v", attached, err)
	}
	inline, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("DeploymentRole"), PolicyName: aws.String("deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := foundation.ParsePolicy(aws.ToString(inline.PolicyDocument)); err != nil || !doc.Equal(deployPolicy(a.target)) {
		t.Fatalf("inline policy: %v %v", doc, err)
	}
	tags, err := api.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("DeploymentRole")})
	if err != nil || len(tags.Tags) != 2 {
		t.Fatalf("tags: %+v %v", tags, err)
	}

	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensureRole(ctx, api, spec) })
}

func TestCrossAccountRoleDryRun(t *testing.T) {
	b, api, ctx, a := roleEnv(t)
	spec := deploymentRole(a)
	mark := b.Mark()
	dryRes, err := organizations.EnsureCrossAccountRole(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if dryRes.ARN != "" || len(dryRes.Changes) != 3 {
		t.Fatalf("dry run of a new role: %+v", dryRes)
	}
	if _, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(spec.Name)}); err == nil {
		t.Fatal("a dry run created the role")
	}
	real, err := ensureRole(ctx, api, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changeKeys(dryRes.Changes), changeKeys(real)) {
		t.Fatalf("dry run listed %q, the run made %q", changeKeys(dryRes.Changes), changeKeys(real))
	}

	// A drifted role: the dry run lists the repairs and writes nothing.
	if _, err := api.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(spec.Name), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		t.Fatal(err)
	}
	mark = b.Mark()
	cs, err := ensureRole(ctx, api, spec, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if got := changeKeys(cs); !slices.Equal(got, []string{"update iam:role-settings DeploymentRole"}) {
		t.Fatalf("dry run of a drifted role: %q", got)
	}
}

// assume calls sts:AssumeRole on the target's role as cfg.
func assume(ctx context.Context, cfg aws.Config, roleARN, externalID string) (*sts.AssumeRoleOutput, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("test")}
	if externalID != "" {
		in.ExternalId = aws.String(externalID)
	}
	return sts.NewFromConfig(cfg).AssumeRole(ctx, in)
}

func requireAccessDenied(t *testing.T, err error, what string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("%s: want AccessDenied, got %v", what, err)
	}
}

// TestCrossAccountRoleTrust proves the trust with STS: the trusted account
// assumes the role (with the external ID), nobody else does. Where
// sts:AssumeRole does not evaluate trust, the trust converged is read back
// and the trusted principals still assume the role.
func TestCrossAccountRoleTrust(t *testing.T) {
	b, api, ctx, a := roleEnv(t)
	denied := func(t *testing.T, err error, what string) {
		t.Helper()
		if b.Has(awstest.CapTrustEvaluation) {
			requireAccessDenied(t, err, what)
		}
	}
	readBack := func(r *organizations.CrossAccountRole) {
		t.Helper()
		got, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
		if err != nil {
			t.Fatal(err)
		}
		if trust, err := foundation.ParsePolicy(aws.ToString(got.Role.AssumeRolePolicyDocument)); err != nil || !trust.Equal(r.TrustPolicy) {
			t.Fatalf("trust policy read back: %v %v, want %s", trust, err, r.TrustPolicy.MustJSON())
		}
	}
	r, err := organizations.EnsureCrossAccountRole(ctx, api, deploymentRole(a), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	readBack(r)
	out, err := assume(ctx, b.ConfigFor(a.shared), r.ARN, "securecart-ci")
	if err != nil {
		t.Fatalf("the trusted account could not assume the role: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::"+a.target+":assumed-role/DeploymentRole/") {
		t.Fatalf("assumed %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
	_, err = assume(ctx, b.ConfigFor(a.shared), r.ARN, "")
	denied(t, err, "trusted account without the external ID")
	_, err = assume(ctx, b.ConfigFor(a.shared), r.ARN, "guessed")
	denied(t, err, "trusted account with another external ID")
	_, err = assume(ctx, b.ConfigFor(a.other), r.ARN, "securecart-ci")
	denied(t, err, "another account")
	_, err = assume(ctx, b.ConfigFor(a.target), r.ARN, "securecart-ci")
	denied(t, err, "the role's own account")

	// Trusting one exact role of the account: its sessions may, the
	// account's other principals (its root) may not.
	pipeline, err := iam.NewFromConfig(b.ConfigFor(a.shared)).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Pipeline"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::` + a.shared + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	ciARN := aws.ToString(pipeline.Role.Arn)
	spec := deploymentRole(a)
	spec.TrustedAccountIDs, spec.TrustedPrincipalARNs, spec.ExternalID = nil, []string{ciARN}, ""
	byRole, err := organizations.EnsureCrossAccountRole(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	readBack(byRole)
	_, err = assume(ctx, b.ConfigFor(a.shared), r.ARN, "")
	denied(t, err, "the trusted role's account root")
	ci, err := assume(ctx, b.ConfigFor(a.shared), ciARN, "")
	if err != nil {
		t.Fatal(err)
	}
	ciCfg := b.ConfigFor(a.shared)
	ciCfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		c := ci.Credentials
		return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
			SessionToken: aws.ToString(c.SessionToken)}, nil
	}))
	if _, err := assume(ctx, ciCfg, r.ARN, ""); err != nil {
		t.Fatalf("the trusted role could not assume the role: %v", err)
	}

	// RequireMFA: sessions without MFA (every access key) are refused.
	spec.RequireMFA = true
	withMFA, err := organizations.EnsureCrossAccountRole(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	readBack(withMFA)
	if withMFA.TrustPolicy.Equal(byRole.TrustPolicy) {
		t.Fatalf("RequireMFA left the trust as it was: %s", withMFA.TrustPolicy.MustJSON())
	}
	_, err = assume(ctx, ciCfg, r.ARN, "")
	denied(t, err, "the trusted role without MFA")
}

func TestCrossAccountRoleDriftIsRepaired(t *testing.T) {
	b, api, ctx, a := roleEnv(t)
	spec := deploymentRole(a)
	r, err := organizations.EnsureCrossAccountRole(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// Someone opens the trust to every account, attaches administrator
	// access and lengthens sessions.
	if _, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(spec.Name),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(spec.Name),
		PolicyArn: aws.String(a.admin)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(spec.Name), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		t.Fatal(err)
	}
	if _, err := assume(ctx, b.ConfigFor(a.other), r.ARN, ""); err != nil {
		t.Fatalf("the widened trust should let anyone in: %v", err)
	}
	cs, err := ensureRole(ctx, api, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"update iam:role-trust-policy DeploymentRole",
		"delete iam:role-managed-policy DeploymentRole/" + a.admin,
		"update iam:role-settings DeploymentRole",
	}
	if got := changeKeys(cs); !slices.Equal(got, want) {
		t.Fatalf("repairs:\n got %q\nwant %q", got, want)
	}
	if b.Has(awstest.CapTrustEvaluation) {
		_, err = assume(ctx, b.ConfigFor(a.other), r.ARN, "securecart-ci")
		requireAccessDenied(t, err, "another account after the repair")
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensureRole(ctx, api, spec) })
}

func TestCrossAccountRoleAtAnotherPathIsAConflict(t *testing.T) {
	_, api, ctx, a := roleEnv(t)
	spec := deploymentRole(a)
	if _, err := ensureRole(ctx, api, spec); err != nil {
		t.Fatal(err)
	}
	spec.Path = "/elsewhere/"
	_, err := ensureRole(ctx, api, spec)
	var rc *organizations.RoleConflictError
	if !errors.As(err, &rc) || rc.Role != "DeploymentRole" || rc.Package != "organizations" || rc.Have != "/securecart/" || rc.Want != "/elsewhere/" ||
		!strings.Contains(err.Error(), `exists with path "/securecart/", not "/elsewhere/"`) {
		t.Fatalf("want a *RoleConflictError, got %v", err)
	}
}

// TestCrossAccountRoleAWSErrorsAreWrappedOnce fails each write of a fresh
// run with AccessDenied: the error names the package, the role and the
// step once, keeps the SDK error, and a second run finishes the work.
func TestCrossAccountRoleAWSErrorsAreWrappedOnce(t *testing.T) {
	for n, step := range []string{"create", `attach "arn:aws:iam::aws:policy/ReadOnlyAccess"`, `put inline policy "deploy"`} {
		b := awstest.New(t)
		em := b.RequireEmulator(t, awstest.CapFaults)
		_, api, ctx, a := roleEnv(t, b)
		em.FailNth(emulator.Match{Service: "iam", MutatingOnly: true}, n+1, emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
		_, err := ensureRole(ctx, api, deploymentRole(a))
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
			t.Fatalf("write %d: %v", n+1, err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, `organizations: role "DeploymentRole": `+step+": ") || strings.Count(msg, "organizations:") != 1 {
			t.Fatalf("write %d: not wrapped once with the role and the step: %q", n+1, msg)
		}
		if _, err := ensureRole(ctx, api, deploymentRole(a)); err != nil {
			t.Fatalf("re-run after write %d failed: %v", n+1, err)
		}
		b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensureRole(ctx, api, deploymentRole(a)) })
	}
}

func TestCrossAccountRoleInvalidSpecsMakeNoCall(t *testing.T) {
	b := awstest.New(t)
	api := iam.NewFromConfig(b.Config())
	ctx := awstest.Context(t, 10*time.Second)
	with := func(f func(*organizations.CrossAccountRoleSpec)) organizations.CrossAccountRoleSpec {
		s := deploymentRole(exampleAccounts)
		f(&s)
		return s
	}
	cases := []struct {
		name string
		spec organizations.CrossAccountRoleSpec
		want string
	}{
		{"no trusted principal", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedAccountIDs = nil }),
			"spec.TrustedAccountIDs: no trusted principal"},
		{"every account", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedAccountIDs = []string{"*"} }),
			`spec.TrustedAccountIDs[0]: "*": would trust every AWS account`},
		{"account pattern", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedAccountIDs = []string{"11112222333?"} }),
			`spec.TrustedAccountIDs[0]: "11112222333?": has a wildcard`},
		{"short account", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedAccountIDs = []string{"1111"} }),
			`spec.TrustedAccountIDs[0]: "1111": must be a 12-digit account ID`},
		{"everyone", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedPrincipalARNs = []string{"*"} }),
			`spec.TrustedPrincipalARNs[0]: "*": is "*": would trust every AWS principal`},
		{"every account's root", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:iam::*:root"}
		}), `spec.TrustedPrincipalARNs[0]: "arn:aws:iam::*:root": has a wildcard in the account ID`},
		{"a role name in every account", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:iam::*:role/Deployer"}
		}), `"arn:aws:iam::*:role/Deployer": has a wildcard in the account ID: would trust principals of other AWS accounts`},
		{"account prefix", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:iam::1111*:role/Deployer"}
		}), "has a wildcard in the account ID"},
		{"every role of the account", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:iam::222233334444:role/*"}
		}), `"arn:aws:iam::222233334444:role/*": has a wildcard: a trusted principal must be an exact ARN`},
		{"account ID as ARN", with(func(s *organizations.CrossAccountRoleSpec) { s.TrustedPrincipalARNs = []string{"222233334444"} }),
			"is an account ID: list it in spec.TrustedAccountIDs"},
		{"session ARN", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:sts::222233334444:assumed-role/Deployer/session"}
		}), "must be the exact ARN of an account root, a role or a user"},
		{"other partition", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws-cn:iam::222233334444:role/Deployer"}
		}), `is in partition "aws-cn", not spec.Partition "aws"`},
		{"duplicate", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedPrincipalARNs = []string{"arn:aws:iam::" + exampleAccounts.shared + ":root"}
		}), "spec.TrustedPrincipalARNs[0]: \"arn:aws:iam::111122223333:root\": duplicates spec.TrustedAccountIDs[0]"},
		{"unknown partition", with(func(s *organizations.CrossAccountRoleSpec) { s.Partition = "aws-mars" }), `spec.Partition: "aws-mars": must be an AWS partition`},
		{"external ID", with(func(s *organizations.CrossAccountRoleSpec) { s.ExternalID = "a b" }), `spec.ExternalID: "a b": must be 2 to 1224`},
		{"name", with(func(s *organizations.CrossAccountRoleSpec) { s.Name = "" }), "spec.Name: is required"},
		{"path", with(func(s *organizations.CrossAccountRoleSpec) { s.Path = "securecart" }), `spec.Path: "securecart": must be "/" or start and end with "/"`},
		{"session", with(func(s *organizations.CrossAccountRoleSpec) { s.MaxSessionDuration = 13 * time.Hour }), "spec.MaxSessionDuration"},
		{"managed policy", with(func(s *organizations.CrossAccountRoleSpec) { s.ManagedPolicyARNs = []string{"ReadOnlyAccess"} }),
			"spec.ManagedPolicyARNs[0]"},
		{"inline policy with a principal", with(func(s *organizations.CrossAccountRoleSpec) {
			s.InlinePolicies = map[string]*foundation.PolicyDocument{"p": foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow,
				Principal: foundation.AnyPrincipal(), Action: foundation.Actions("s3:GetObject"), Resource: foundation.Resources("*")})}
		}), "an identity policy has no Principal"},
		{"boundary both ways", with(func(s *organizations.CrossAccountRoleSpec) { s.RemovePermissionsBoundary = true }),
			"spec.RemovePermissionsBoundary: excludes spec.PermissionsBoundary"},
		{"tag", with(func(s *organizations.CrossAccountRoleSpec) { s.Tags = map[string]string{"aws:x": "y"} }), `tag key must not start with "aws:"`},
		{"trust too large", with(func(s *organizations.CrossAccountRoleSpec) {
			s.TrustedAccountIDs = nil
			for i := range 200 {
				s.TrustedAccountIDs = append(s.TrustedAccountIDs, strings.Repeat("0", 9)+string(rune('0'+i/100))+string(rune('0'+i/10%10))+string(rune('0'+i%10)))
			}
		}), "the trust policy would be"},
	}
	mark := b.Mark()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := organizations.EnsureCrossAccountRole(ctx, api, c.spec, awstest.Fast()...)
			if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an invalid spec naming %q, got %v", c.want, err)
			}
			if !strings.HasPrefix(err.Error(), "organizations: ") {
				t.Fatalf("not named by the package: %v", err)
			}
			if c.spec.Validate() == nil {
				t.Fatal("Validate accepts what EnsureCrossAccountRole refuses")
			}
		})
	}
	if _, err := organizations.EnsureCrossAccountRole(ctx, nil, deploymentRole(exampleAccounts)); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("nil api: %v", err)
	}
	b.RequireNoCalls(t, mark)
	if err := deploymentRole(exampleAccounts).Validate(); err != nil {
		t.Fatalf("the valid spec: %v", err)
	}
	if _, err := organizations.CrossAccountTrustPolicy(organizations.CrossAccountRoleSpec{TrustedPrincipalARNs: []string{"*"}}); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("CrossAccountTrustPolicy accepted *: %v", err)
	}
}
