package oidcfed_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// TestSeed000GitHubOIDC converges seed 000 Step 6 on a fresh account: the
// GitHub OIDC provider and the <cluster>-github-ci role trusting the main
// branch of one repository, with its four-statement inline policy. It
// reads everything back, then checks the second run is a no-op.
func TestSeed000GitHubOIDC(t *testing.T) {
	e := newAccount(t)
	mark := e.b.Mark()
	changes, err := e.setupSeed()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"create iam:oidc-provider token.actions.githubusercontent.com",
		"create iam:role eks-prod-github-ci",
		"create iam:role-inline-policy eks-prod-github-ci/github-ci-policy",
	}
	if got := changeStrings(changes); !slices.Equal(got, want) {
		t.Fatalf("changes:\n%s", changes)
	}
	fresh, freshMut := len(e.b.Calls(mark)), len(e.b.MutatingCalls(mark))
	t.Logf("fresh run: %d calls, %d mutating", fresh, freshMut)
	if freshMut != 3 {
		t.Fatalf("fresh run made %d mutating calls: %v", freshMut, e.b.MutatingCalls(mark))
	}

	// The provider, as IAM returns it.
	p, err := e.api.GetOpenIDConnectProvider(e.ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(e.github)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.Url) != "token.actions.githubusercontent.com" || !slices.Equal(p.ClientIDList, []string{"sts.amazonaws.com"}) ||
		!slices.Equal(p.ThumbprintList, []string{githubThumbprint}) {
		t.Fatalf("provider: url %q client IDs %v thumbprints %v", aws.ToString(p.Url), p.ClientIDList, p.ThumbprintList)
	}

	// The role and its trust policy (URL-encoded by IAM), by meaning.
	r, err := e.api.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("eks-prod-github-ci")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(r.Role.Path) != "/" || aws.ToInt32(r.Role.MaxSessionDuration) != 3600 ||
		aws.ToString(r.Role.Arn) != "arn:aws:iam::"+e.account+":role/eks-prod-github-ci" {
		t.Fatalf("role %+v", r.Role)
	}
	got, err := foundation.ParsePolicy(aws.ToString(r.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	spec := seedRoleSpec(e.github)
	spec.Issuer = oidcfed.GitHub()
	wantTrust, err := oidcfed.TrustPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(wantTrust) {
		t.Fatalf("trust policy:\n%s\nwant\n%s", got.MustJSON(), wantTrust.MustJSON())
	}
	if fs := oidcfed.Lint(got); len(fs) != 0 {
		t.Fatalf("Lint of the role's trust policy: %v", fs)
	}
	seedLiteral, _ := foundation.ParsePolicy(seedTrustLiteral)
	if seedLiteral.Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"][0] !=
		got.Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"][0] {
		t.Fatal("the role does not trust the seed's subject")
	}

	// The inline policy: the seed's four statements, exactly.
	names, err := e.api.ListRolePolicies(e.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("eks-prod-github-ci")})
	if err != nil || !slices.Equal(names.PolicyNames, []string{"github-ci-policy"}) {
		t.Fatalf("inline policies %v, %v", names, err)
	}
	rp, err := e.api.GetRolePolicy(e.ctx, &iam.GetRolePolicyInput{RoleName: aws.String("eks-prod-github-ci"), PolicyName: aws.String("github-ci-policy")})
	if err != nil {
		t.Fatal(err)
	}
	inline, err := foundation.ParsePolicy(aws.ToString(rp.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	if !inline.Equal(seedCIPolicy(e.account)) {
		t.Fatalf("inline policy:\n%s", inline.MustJSON())
	}
	var sids []string
	for _, st := range inline.Statement {
		sids = append(sids, st.Sid)
	}
	if !slices.Equal(sids, []string{"ECRAuth", "ECRPush", "KMSCosignSign", "S3AuditWrite"}) {
		t.Fatalf("Sids %v", sids)
	}
	push, _ := inline.StatementBySid("ECRPush")
	if len(push.Action) != 9 || push.Resource[0] != "arn:aws:ecr:*:"+e.account+":repository/myapp" {
		t.Fatalf("ECRPush %+v", push)
	}
	audit, _ := inline.StatementBySid("S3AuditWrite")
	if audit.Resource[0] != auditBucketARN(e.account)+"/ci-push-audit/*" || audit.Action[0] != "s3:PutObject" {
		t.Fatalf("S3AuditWrite %+v", audit)
	}
	attached, err := e.api.ListAttachedRolePolicies(e.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("eks-prod-github-ci")})
	if err != nil || len(attached.AttachedPolicies) != 0 {
		t.Fatalf("attached %v, %v", attached, err)
	}

	second := e.b.Mark()
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return e.setupSeed() })
	t.Logf("converged run: %d calls, 0 mutating", len(e.b.Calls(second))/2)
}

// TestDryRunOfTheSeed lists, on a fresh account, exactly the changes the
// real run then makes, with read calls only.
func TestDryRunOfTheSeed(t *testing.T) {
	e := newAccount(t)
	mark := e.b.Mark()
	dry, err := e.setupSeed(foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	real, err := e.setupSeed()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changeStrings(dry), changeStrings(real)) || len(real) != 3 {
		t.Fatalf("dry run:\n%s\nreal run:\n%s", dry, real)
	}
}

// TestDryRunListsEveryChangeOfADriftedRole: every drift is listed by a dry
// run that makes no write, and the real run then makes exactly those
// changes.
func TestDryRunListsEveryChangeOfADriftedRole(t *testing.T) {
	e := newAccount(t)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	if _, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(e.github), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := e.richSpec()
	spec.PruneInlinePolicies = true
	if _, err := e.api.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(spec.Name), PolicyName: aws.String("added-by-hand"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(spec.Name),
		PolicyArn: aws.String(e.awsManaged("AdministratorAccess"))}); err != nil {
		t.Fatal(err)
	}
	mark := e.b.Mark()
	dry, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	real, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"update iam:role-trust-policy eks-prod-github-ci",
		"update iam:role-permissions-boundary eks-prod-github-ci",
		"delete iam:role-managed-policy eks-prod-github-ci/" + e.awsManaged("AdministratorAccess"),
		"delete iam:role-inline-policy eks-prod-github-ci/added-by-hand",
		"create iam:role-managed-policy eks-prod-github-ci/" + spec.ManagedPolicyARNs[0],
		"update iam:role-settings eks-prod-github-ci",
		"update iam:role-tags eks-prod-github-ci",
	}
	if !slices.Equal(changeStrings(dry.Changes), want) || !slices.Equal(changeStrings(real.Changes), want) {
		t.Fatalf("dry run:\n%s\nreal run:\n%s", dry.Changes, real.Changes)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// TestEveryIssuerOnTheEmulator converges a provider and a role for each CI
// system (provider URLs with paths included) and runs them again.
func TestEveryIssuerOnTheEmulator(t *testing.T) {
	e := newAccount(t)
	cases := []struct {
		issuer  oidcfed.Issuer
		subject oidcfed.Subject
	}{
		{oidcfed.GitHub(), oidcfed.GitHubEnvironment("octo-org/app", "production")},
		{oidcfed.GitLab(""), oidcfed.GitLabBranch("group/app", "main")},
		{oidcfed.GitLab("gitlab.example.com"), oidcfed.GitLabTag("group/app", "v1.0.0")},
		{oidcfed.Bitbucket("acme", bbWorkspaceUUID), oidcfed.BitbucketRepository(bbRepoUUID)},
		{oidcfed.CircleCI(circleOrgID), oidcfed.CircleCIProject(circleOrgID, circleProjectID)},
		{oidcfed.HCPTerraform(), oidcfed.TerraformWorkspace("acme", "Default Project", "prod", oidcfed.RunPhaseApply)},
		{oidcfed.Buildkite(), oidcfed.BuildkiteBranch("acme", "deploy", "main")},
	}
	run := func() (foundation.Changes, error) {
		var all foundation.Changes
		for i, tc := range cases {
			p, err := oidcfed.EnsureProvider(e.ctx, e.api, tc.issuer.ProviderSpec(), awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			if p.ARN != tc.issuer.ProviderARN(e.account) {
				t.Fatalf("%s: provider ARN %s", tc.issuer.Kind, p.ARN)
			}
			r, err := oidcfed.EnsureCIRole(e.ctx, e.api, oidcfed.RoleSpec{
				Name: "ci-" + string(tc.issuer.Kind) + "-" + string(rune('a'+i)), Issuer: tc.issuer, ProviderARN: p.ARN,
				Subjects: []oidcfed.Subject{tc.subject},
			}, awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			all = append(append(all, p.Changes...), r.Changes...)
		}
		return all, nil
	}
	changes, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2*len(cases) {
		t.Fatalf("changes:\n%s", changes)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return run() })
}
