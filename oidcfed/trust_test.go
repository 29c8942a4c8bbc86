package oidcfed_test

import (
	"slices"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/oidcfed"
)

const (
	bbWorkspaceUUID = "0c2f3e4d-1a2b-4c3d-8e9f-a0b1c2d3e4f5"
	bbRepoUUID      = "6a1f7e42-52a4-4b52-9a0a-4d6d2f5e6b1c"
	bbEnvUUID       = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	circleOrgID     = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
	circleProjectID = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
	circleUserID    = "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f"
)

// cond is one expected condition: operator, key, values.
type cond struct {
	op, key string
	values  []string
}

// requireStatement asserts one trust statement field by field.
func requireStatement(t *testing.T, st foundation.Statement, providerARN string, conds ...cond) {
	t.Helper()
	if st.Effect != foundation.EffectAllow {
		t.Errorf("Effect = %q", st.Effect)
	}
	if st.Principal == nil || st.Principal.Wildcard || len(st.Principal.AWS)+len(st.Principal.Service)+len(st.Principal.CanonicalUser) != 0 ||
		!slices.Equal([]string(st.Principal.Federated), []string{providerARN}) {
		t.Errorf("Principal = %+v, want Federated %s only", st.Principal, providerARN)
	}
	if !slices.Equal([]string(st.Action), []string{"sts:AssumeRoleWithWebIdentity"}) || st.NotAction != nil {
		t.Errorf("Action = %v, NotAction = %v", st.Action, st.NotAction)
	}
	if st.Resource != nil || st.NotResource != nil || st.NotPrincipal != nil || st.Sid != "" {
		t.Errorf("unexpected fields: %+v", st)
	}
	n := 0
	for _, kv := range st.Condition {
		n += len(kv)
	}
	if n != len(conds) {
		t.Errorf("Condition has %d keys, want %d: %v", n, len(conds), st.Condition)
	}
	for _, c := range conds {
		got, ok := st.Condition[c.op][c.key]
		if !ok {
			t.Errorf("Condition[%q][%q] missing: %v", c.op, c.key, st.Condition)
			continue
		}
		if !slices.Equal([]string(got), c.values) {
			t.Errorf("Condition[%q][%q] = %q, want %q", c.op, c.key, got, c.values)
		}
	}
}

func trust(t *testing.T, spec oidcfed.RoleSpec) *foundation.PolicyDocument {
	t.Helper()
	doc, err := oidcfed.TrustPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != foundation.PolicyVersion {
		t.Errorf("Version = %q", doc.Version)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	// What the package writes passes its own linter without a finding.
	if fs := oidcfed.Lint(doc); len(fs) > 0 {
		t.Errorf("Lint of a generated trust policy: %v", fs)
	}
	// And reads back the same from IAM's URL-encoded form.
	enc, _ := doc.URLEncoded()
	back, err := foundation.ParsePolicy(enc)
	if err != nil || !back.Equal(doc) {
		t.Errorf("URL-encoded round trip: %v", err)
	}
	return doc
}

func TestTrustPolicyGitHub(t *testing.T) {
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      oidcfed.GitHub(),
		ProviderARN: githubARN,
		Subjects: []oidcfed.Subject{
			oidcfed.GitHubBranch("octo-org/app", "main"),
			oidcfed.GitHubEnvironment("octo-org/app", "production"),
			oidcfed.GitHubPullRequest("octo-org/app"),
			oidcfed.GitHubTag("octo-org/app", "v*").WithWildcard(),
		},
	})
	const k = "token.actions.githubusercontent.com"
	if len(doc.Statement) != 2 {
		t.Fatalf("%d statements, want 2 (exact and pattern subjects apart): %s", len(doc.Statement), doc.MustJSON())
	}
	requireStatement(t, doc.Statement[0], githubARN,
		cond{"StringEquals", k + ":aud", []string{"sts.amazonaws.com"}},
		cond{"StringEquals", k + ":sub", []string{
			"repo:octo-org/app:ref:refs/heads/main",
			"repo:octo-org/app:environment:production",
			"repo:octo-org/app:pull_request",
		}})
	requireStatement(t, doc.Statement[1], githubARN,
		cond{"StringEquals", k + ":aud", []string{"sts.amazonaws.com"}},
		cond{"StringLike", k + ":sub", []string{"repo:octo-org/app:ref:refs/tags/v*"}})
}

func TestTrustPolicyGitHubReusableWorkflow(t *testing.T) {
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      oidcfed.GitHub(),
		ProviderARN: githubARN,
		Subjects: []oidcfed.Subject{
			oidcfed.GitHubEnvironment("octo-org/app", "production"),
			oidcfed.GitHubReusableWorkflow("octo-org/platform-ci", "deploy.yml", "refs/heads/main"),
		},
		Conditions: foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:repository_owner_id": {"1234567"}}},
	})
	const k = "token.actions.githubusercontent.com"
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements: %s", len(doc.Statement), doc.MustJSON())
	}
	// All conditions of one statement hold together: the caller's
	// environment AND the reusable workflow it runs.
	requireStatement(t, doc.Statement[0], githubARN,
		cond{"StringEquals", k + ":aud", []string{"sts.amazonaws.com"}},
		cond{"StringEquals", k + ":sub", []string{"repo:octo-org/app:environment:production"}},
		cond{"StringEquals", k + ":job_workflow_ref", []string{"octo-org/platform-ci/.github/workflows/deploy.yml@refs/heads/main"}},
		cond{"StringEquals", k + ":repository_owner_id", []string{"1234567"}})
}

func TestTrustPolicyGitLab(t *testing.T) {
	for _, tc := range []struct {
		issuer oidcfed.Issuer
		host   string
	}{
		{oidcfed.GitLab(""), "gitlab.com"},
		{oidcfed.GitLab("gitlab.example.com"), "gitlab.example.com"},
	} {
		arn := "arn:aws:iam::" + account + ":oidc-provider/" + tc.host
		doc := trust(t, oidcfed.RoleSpec{
			Issuer:      tc.issuer,
			ProviderARN: arn,
			Subjects: []oidcfed.Subject{
				oidcfed.GitLabBranch("platform/infra/app", "main"),
				oidcfed.GitLabTag("platform/infra/app", "v1.2.3"),
			},
		})
		if len(doc.Statement) != 1 {
			t.Fatalf("%d statements", len(doc.Statement))
		}
		requireStatement(t, doc.Statement[0], arn,
			cond{"StringEquals", tc.host + ":aud", []string{"https://" + tc.host}},
			cond{"StringEquals", tc.host + ":sub", []string{
				"project_path:platform/infra/app:ref_type:branch:ref:main",
				"project_path:platform/infra/app:ref_type:tag:ref:v1.2.3",
			}})
	}
}

func TestTrustPolicyBitbucket(t *testing.T) {
	iss := oidcfed.Bitbucket("acme", "{"+bbWorkspaceUUID+"}")
	host := "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
	if iss.URL != "https://"+host || iss.HostPath() != host {
		t.Fatalf("issuer %+v", iss)
	}
	arn := "arn:aws:iam::" + account + ":oidc-provider/" + host
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      iss,
		ProviderARN: arn,
		Subjects:    []oidcfed.Subject{oidcfed.BitbucketEnvironment(bbRepoUUID, bbEnvUUID)},
	})
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	requireStatement(t, doc.Statement[0], arn,
		cond{"StringEquals", host + ":aud", []string{"ari:cloud:bitbucket::workspace/" + bbWorkspaceUUID}},
		cond{"StringLike", host + ":sub", []string{"{" + bbRepoUUID + "}:{" + bbEnvUUID + "}:*"}})
}

func TestTrustPolicyCircleCI(t *testing.T) {
	iss := oidcfed.CircleCI(circleOrgID)
	host := "oidc.circleci.com/org/" + circleOrgID
	arn := "arn:aws:iam::" + account + ":oidc-provider/" + host
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      iss,
		ProviderARN: arn,
		Subjects: []oidcfed.Subject{
			oidcfed.CircleCIUser(circleOrgID, circleProjectID, circleUserID),
			oidcfed.CircleCIProject(circleOrgID, circleProjectID),
		},
	})
	if len(doc.Statement) != 2 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	requireStatement(t, doc.Statement[0], arn,
		cond{"StringEquals", host + ":aud", []string{circleOrgID}},
		cond{"StringEquals", host + ":sub", []string{"org/" + circleOrgID + "/project/" + circleProjectID + "/user/" + circleUserID}})
	requireStatement(t, doc.Statement[1], arn,
		cond{"StringEquals", host + ":aud", []string{circleOrgID}},
		cond{"StringLike", host + ":sub", []string{"org/" + circleOrgID + "/project/" + circleProjectID + "/user/*"}})
}

func TestTrustPolicyHCPTerraform(t *testing.T) {
	arn := "arn:aws:iam::" + account + ":oidc-provider/app.terraform.io"
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      oidcfed.HCPTerraform(),
		ProviderARN: arn,
		Subjects: []oidcfed.Subject{
			oidcfed.TerraformWorkspace("acme", "Default Project", "prod-network", oidcfed.RunPhasePlan),
			oidcfed.TerraformWorkspace("acme", "Default Project", "prod-network", oidcfed.RunPhaseApply),
		},
	})
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	requireStatement(t, doc.Statement[0], arn,
		cond{"StringEquals", "app.terraform.io:aud", []string{"aws.workload.identity"}},
		cond{"StringEquals", "app.terraform.io:sub", []string{
			"organization:acme:project:Default Project:workspace:prod-network:run_phase:plan",
			"organization:acme:project:Default Project:workspace:prod-network:run_phase:apply",
		}})

	// Terraform Enterprise: same claims, its own host.
	tfe := oidcfed.TerraformEnterprise("tfe.example.com")
	if tfe.URL != "https://tfe.example.com" || tfe.Audiences[0] != "aws.workload.identity" {
		t.Fatalf("TFE issuer %+v", tfe)
	}
}

func TestTrustPolicyBuildkite(t *testing.T) {
	arn := "arn:aws:iam::" + account + ":oidc-provider/agent.buildkite.com"
	doc := trust(t, oidcfed.RoleSpec{
		Issuer:      oidcfed.Buildkite(),
		ProviderARN: arn,
		Subjects: []oidcfed.Subject{
			oidcfed.BuildkiteBranch("acme", "deploy", "main"),
			oidcfed.BuildkiteBranchStep("acme", "release", "main", "publish"),
		},
	})
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	requireStatement(t, doc.Statement[0], arn,
		cond{"StringEquals", "agent.buildkite.com:aud", []string{"sts.amazonaws.com"}},
		cond{"StringLike", "agent.buildkite.com:sub", []string{
			"organization:acme:pipeline:deploy:ref:refs/heads/main:commit:*:step:*",
			"organization:acme:pipeline:release:ref:refs/heads/main:commit:*:step:publish",
		}})
}

// The seed's trust policy, as generated: the same meaning as the seed's
// Terraform (which matches its exact subject with StringLike), written
// with StringEquals.
func TestTrustPolicySeed000(t *testing.T) {
	spec := seedRoleSpec(githubARN)
	spec.Issuer = oidcfed.GitHub()
	doc := trust(t, spec)
	const k = "token.actions.githubusercontent.com"
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	requireStatement(t, doc.Statement[0], githubARN,
		cond{"StringEquals", k + ":aud", []string{"sts.amazonaws.com"}},
		cond{"StringEquals", k + ":sub", []string{"repo:MatthewDipo/myapp:ref:refs/heads/main"}})

	seed, err := foundation.ParsePolicy(seedTrustLiteral)
	if err != nil {
		t.Fatal(err)
	}
	fs := oidcfed.Lint(seed)
	if len(fs) != 1 || fs[0].Severity != oidcfed.SeverityInfo {
		t.Fatalf("Lint(seed literal) = %v, want one info finding (StringLike without a wildcard)", fs)
	}
}

func TestIssuerPresets(t *testing.T) {
	for _, tc := range []struct {
		iss       oidcfed.Issuer
		url, aud  string
		hostPath  string
		providerA string
	}{
		{oidcfed.GitHub(), "https://token.actions.githubusercontent.com", "sts.amazonaws.com", "token.actions.githubusercontent.com", ""},
		{oidcfed.GitLab(""), "https://gitlab.com", "https://gitlab.com", "gitlab.com", ""},
		{oidcfed.GitLab("https://gitlab.example.com/"), "https://gitlab.example.com", "https://gitlab.example.com", "gitlab.example.com", ""},
		{oidcfed.Bitbucket("acme", bbWorkspaceUUID), "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
			"ari:cloud:bitbucket::workspace/" + bbWorkspaceUUID, "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", ""},
		{oidcfed.CircleCI(circleOrgID), "https://oidc.circleci.com/org/" + circleOrgID, circleOrgID, "oidc.circleci.com/org/" + circleOrgID, ""},
		{oidcfed.HCPTerraform(), "https://app.terraform.io", "aws.workload.identity", "app.terraform.io", ""},
		{oidcfed.Buildkite(), "https://agent.buildkite.com", "sts.amazonaws.com", "agent.buildkite.com", ""},
	} {
		if tc.iss.URL != tc.url || len(tc.iss.Audiences) != 1 || tc.iss.Audiences[0] != tc.aud || tc.iss.HostPath() != tc.hostPath {
			t.Errorf("%s: %+v", tc.iss.Kind, tc.iss)
		}
		if got := tc.iss.ProviderARN(account); got != "arn:aws:iam::"+account+":oidc-provider/"+tc.hostPath {
			t.Errorf("%s: ProviderARN = %s", tc.iss.Kind, got)
		}
		ps := tc.iss.ProviderSpec()
		if ps.URL != tc.url || !slices.Equal(ps.ClientIDs, []string{tc.aud}) || ps.Thumbprints != nil {
			t.Errorf("%s: ProviderSpec = %+v", tc.iss.Kind, ps)
		}
		if err := ps.Validate(); err != nil {
			t.Errorf("%s: %v", tc.iss.Kind, err)
		}
	}
}

func TestSubjectBuilders(t *testing.T) {
	for _, tc := range []struct {
		s      oidcfed.Subject
		claim  string
		value  string
		wild   bool
		kind   oidcfed.Kind
		format string
	}{
		{oidcfed.GitHubBranch("o/r", "main"), "", "repo:o/r:ref:refs/heads/main", false, oidcfed.KindGitHub, ""},
		{oidcfed.GitHubTag("o/r", "v1"), "", "repo:o/r:ref:refs/tags/v1", false, oidcfed.KindGitHub, ""},
		{oidcfed.GitHubEnvironment("o/r", "prod"), "", "repo:o/r:environment:prod", false, oidcfed.KindGitHub, ""},
		{oidcfed.GitHubPullRequest("o/r"), "", "repo:o/r:pull_request", false, oidcfed.KindGitHub, ""},
		{oidcfed.GitHubReusableWorkflow("o/ci", "deploy.yml", "refs/tags/v2"), "job_workflow_ref", "o/ci/.github/workflows/deploy.yml@refs/tags/v2", false, oidcfed.KindGitHub, ""},
		{oidcfed.GitLabBranch("g/p", "main"), "", "project_path:g/p:ref_type:branch:ref:main", false, oidcfed.KindGitLab, ""},
		{oidcfed.GitLabTag("g/p", "v1"), "", "project_path:g/p:ref_type:tag:ref:v1", false, oidcfed.KindGitLab, ""},
		{oidcfed.BitbucketRepository("{" + bbRepoUUID + "}"), "", "{" + bbRepoUUID + "}:*", true, oidcfed.KindBitbucket, ""},
		{oidcfed.CircleCIUser("o", "p", "u"), "", "org/o/project/p/user/u", false, oidcfed.KindCircleCI, ""},
		{oidcfed.TerraformWorkspace("o", "p", "w", oidcfed.RunPhaseApply), "", "organization:o:project:p:workspace:w:run_phase:apply", false, oidcfed.KindTerraform, ""},
		{oidcfed.BuildkiteBranch("o", "p", "main"), "", "organization:o:pipeline:p:ref:refs/heads/main:commit:*:step:*", true, oidcfed.KindBuildkite, ""},
	} {
		if tc.s.Claim != tc.claim || tc.s.Value != tc.value || tc.s.Wildcard != tc.wild || tc.s.Kind != tc.kind {
			t.Errorf("%+v, want claim %q value %q wildcard %v kind %s", tc.s, tc.claim, tc.value, tc.wild, tc.kind)
		}
	}
	if got := oidcfed.GitHubTag("o/r", "v*").WithWildcard().String(); got != "sub=repo:o/r:ref:refs/tags/v* (pattern)" {
		t.Errorf("String = %q", got)
	}
}
