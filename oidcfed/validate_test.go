package oidcfed_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

func validGitHubSpec() oidcfed.RoleSpec {
	return oidcfed.RoleSpec{
		Name:        "ci",
		Issuer:      oidcfed.GitHub(),
		ProviderARN: githubARN,
		Subjects:    []oidcfed.Subject{oidcfed.GitHubBranch("octo-org/app", "main")},
	}
}

func subjects(s ...oidcfed.Subject) func(*oidcfed.RoleSpec) {
	return func(r *oidcfed.RoleSpec) { r.Subjects = s }
}

func raw(v string) oidcfed.Subject { return oidcfed.Subject{Value: v, Wildcard: true} }

// TestDangerousTrustIsRefusedBeforeAnyCall feeds EnsureGitHubRole and
// EnsureCIRole specs that would trust more than they say (or nothing, or
// garbage): every one fails with foundation.ErrInvalidSpec naming the field
// and the rule, and not a single API call is made.
func TestDangerousTrustIsRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	otherProvider := func(host string) string { return "arn:aws:iam::" + account + ":oidc-provider/" + host }
	cases := []struct {
		name  string
		mod   func(*oidcfed.RoleSpec)
		field string
		rule  string
	}{
		// Who: the sub condition.
		{"no subject at all", subjects(), "spec.Subjects", "no sub condition"},
		{"only a reusable workflow: no sub", subjects(oidcfed.GitHubReusableWorkflow("octo-org/ci", "deploy.yml", "refs/heads/main")),
			"spec.Subjects", "no sub condition"},
		{"repo:* (wildcard)", subjects(raw("repo:*")), "spec.Subjects[0]", "matches every repository"},
		{"repo:* (exact)", subjects(oidcfed.Subject{Value: "repo:*"}), "spec.Subjects[0]", "matches every repository"},
		{"bare *", subjects(raw("*")), "spec.Subjects[0]", "matches every repository"},
		{"re* prefix wildcard", subjects(raw("re*")), "spec.Subjects[0]", "matches every repository"},
		{"owner wildcard repo:*/x", subjects(raw("repo:*/app:ref:refs/heads/main")), "spec.Subjects[0]", "wildcard in the repository owner"},
		{"owner wildcard repo:org*", subjects(raw("repo:org*")), "spec.Subjects[0]", "wildcard in the repository owner"},
		{"owner wildcard repo:org*/app", subjects(raw("repo:org*/app:ref:refs/heads/main")), "spec.Subjects[0]", "matches repositories of other owners"},
		{"owner wildcard even when names may be", subjects(oidcfed.Subject{Value: "repo:*/*", Wildcard: true, AllowNameWildcard: true}),
			"spec.Subjects[0]", "wildcard in the repository owner"},
		{"name wildcard not allowed", subjects(raw("repo:octo-org/app-*:ref:refs/heads/main")), "spec.Subjects[0]", "set AllowNameWildcard"},
		{"wildcard without Wildcard", subjects(oidcfed.GitHubBranch("octo-org/app", "release/*")), "spec.Subjects[0]", "set Wildcard"},
		{"empty branch", subjects(oidcfed.GitHubBranch("octo-org/app", "")), "spec.Subjects[0]", "branch name is empty"},
		{"empty environment", subjects(oidcfed.GitHubEnvironment("octo-org/app", "")), "spec.Subjects[0]", "environment name is empty"},
		{"empty tag", subjects(oidcfed.GitHubTag("octo-org/app", "")), "spec.Subjects[0]", "tag name is empty"},
		{"branch with a space", subjects(oidcfed.GitHubBranch("octo-org/app", "my branch")), "spec.Subjects[0]", "not a valid git ref name"},
		{"no repository name", subjects(oidcfed.GitHubBranch("octo-org", "main")), "spec.Subjects[0]", "OWNER/REPO"},
		{"empty repository", subjects(oidcfed.GitHubPullRequest("")), "spec.Subjects[0]", "owner is empty"},
		{"no context", subjects(oidcfed.Subject{Value: "repo:octo-org/app"}), "spec.Subjects[0]", "names no context"},
		{"customized subject template", subjects(oidcfed.Subject{Value: "repository_owner:octo-org:environment:prod"}),
			"spec.Subjects[0]", "default format"},
		{"policy variable", subjects(oidcfed.Subject{Value: "repo:octo-org/${aws:username}:pull_request"}), "spec.Subjects[0]", "policy variable"},
		{"duplicate subject", subjects(oidcfed.GitHubPullRequest("octo-org/app"), oidcfed.GitHubPullRequest("octo-org/app")),
			"spec.Subjects[1]", "duplicates spec.Subjects[0]"},
		{"reusable workflow without ref", subjects(oidcfed.GitHubBranch("octo-org/app", "main"),
			oidcfed.Subject{Claim: oidcfed.ClaimJobWorkflowRef, Value: "octo-org/ci/.github/workflows/deploy.yml"}), "spec.Subjects[1]", "no @REF"},
		{"reusable workflow of any owner", subjects(oidcfed.GitHubBranch("octo-org/app", "main"),
			oidcfed.Subject{Claim: oidcfed.ClaimJobWorkflowRef, Value: "*/ci/.github/workflows/deploy.yml@refs/heads/main", Wildcard: true}),
			"spec.Subjects[1]", "wildcard in the repository owner"},
		{"unknown claim", subjects(oidcfed.GitHubBranch("octo-org/app", "main"), oidcfed.Subject{Claim: "actor", Value: "octocat"}),
			"spec.Subjects[1].Claim", "unknown claim"},
		{"subject of another CI system", subjects(oidcfed.GitLabBranch("group/app", "main")), "spec.Subjects[0]", "is a GitLab subject but spec.Issuer is GitHub Actions"},

		// Audience.
		{"audience wildcard", func(s *oidcfed.RoleSpec) { s.Audiences = []string{"*"} }, "spec.Audiences[0]", "must not be a wildcard"},
		{"audience pattern", func(s *oidcfed.RoleSpec) { s.Audiences = []string{"sts.*"} }, "spec.Audiences[0]", "must not be a wildcard"},
		{"audience missing", func(s *oidcfed.RoleSpec) { s.Issuer.Audiences = nil }, "spec.Audiences", "audience missing"},
		{"audience empty", func(s *oidcfed.RoleSpec) { s.Audiences = []string{""} }, "spec.Audiences[0]", "must not be empty"},

		// Provider.
		{"unknown provider", func(s *oidcfed.RoleSpec) {
			s.Issuer = oidcfed.Issuer{Kind: "jenkins", URL: "https://jenkins.example.com", Audiences: []string{"sts.amazonaws.com"}}
		}, "spec.Issuer.Kind", "unknown provider"},
		{"no provider", func(s *oidcfed.RoleSpec) { s.Issuer = oidcfed.Issuer{URL: "https://x.example.com"} }, "spec.Issuer.Kind", "is required"},
		{"GitHub kind, other URL", func(s *oidcfed.RoleSpec) { s.Issuer.URL = "https://token.example.com" }, "spec.Issuer.URL", "token.actions.githubusercontent.com"},
		{"provider ARN of another issuer", func(s *oidcfed.RoleSpec) { s.ProviderARN = otherProvider("gitlab.com") }, "spec.ProviderARN", "provider of spec.Issuer"},
		{"provider ARN missing", func(s *oidcfed.RoleSpec) { s.ProviderARN = "" }, "spec.ProviderARN", "is required"},
		{"provider ARN not an OIDC provider", func(s *oidcfed.RoleSpec) { s.ProviderARN = "arn:aws:iam::" + account + ":saml-provider/x" },
			"spec.ProviderARN", "OIDC provider ARN"},

		// Extra conditions.
		{"iss condition", func(s *oidcfed.RoleSpec) {
			s.Conditions = foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:iss": {"https://token.actions.githubusercontent.com"}}}
		}, `spec.Conditions["StringEquals"]["token.actions.githubusercontent.com:iss"]`, "meaningless"},
		{"ForAllValues on a single-valued key", func(s *oidcfed.RoleSpec) {
			s.Conditions = foundation.Conditions{"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:repository": {"octo-org/app"}}}
		}, `spec.Conditions["ForAllValues:StringEquals"]`, "ForAllValues on the single-valued key"},
		{"sub through Conditions", func(s *oidcfed.RoleSpec) {
			s.Conditions = foundation.Conditions{"StringLike": {"token.actions.githubusercontent.com:sub": {"repo:*"}}}
		}, `spec.Conditions["StringLike"]["token.actions.githubusercontent.com:sub"]`, "spec.Subjects"},
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
	mark := e.b.Mark()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := validGitHubSpec()
			tc.mod(&spec)
			for _, ensure := range []func() error{
				func() error { _, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...); return err },
				func() error { _, err := oidcfed.EnsureCIRole(e.ctx, e.api, spec, awstest.Fast()...); return err },
			} {
				err := ensure()
				if !errors.Is(err, foundation.ErrInvalidSpec) {
					t.Fatalf("err = %v, want ErrInvalidSpec", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "oidcfed: "+tc.field) || !strings.Contains(msg, tc.rule) {
					t.Fatalf("err = %q, want field %q and rule %q", msg, tc.field, tc.rule)
				}
				var se *foundation.SpecError
				if !errors.As(err, &se) {
					t.Fatalf("no *foundation.SpecError in %v", err)
				}
			}
		})
	}
	e.b.RequireNoCalls(t, mark)
}

// The example of the design document, word for word.
func TestRepoStarMessage(t *testing.T) {
	spec := validGitHubSpec()
	spec.Subjects = []oidcfed.Subject{raw("repo:*")}
	err := spec.Validate()
	if err == nil || err.Error() != `oidcfed: spec.Subjects[0]: "repo:*": matches every repository` {
		t.Fatalf("err = %v", err)
	}
}

// Dangerous subjects of the other CI systems.
func TestDangerousSubjectsOfOtherIssuers(t *testing.T) {
	e := newEnv(t)
	bb := oidcfed.Bitbucket("acme", bbWorkspaceUUID)
	cc := oidcfed.CircleCI(circleOrgID)
	cases := []struct {
		name    string
		issuer  oidcfed.Issuer
		subject oidcfed.Subject
		rule    string
	}{
		{"gitlab every project", oidcfed.GitLab(""), raw("project_path:*"), "matches every project"},
		{"gitlab group wildcard", oidcfed.GitLab(""), raw("project_path:grp*/app:ref_type:branch:ref:main"), "wildcard in the group"},
		{"gitlab subgroup wildcard", oidcfed.GitLab(""), raw("project_path:grp/*/app:ref_type:branch:ref:main"), "wildcard in the group path"},
		{"gitlab project wildcard", oidcfed.GitLab(""), raw("project_path:grp/app*:ref_type:branch:ref:main"), "set AllowNameWildcard"},
		{"gitlab empty branch", oidcfed.GitLab(""), oidcfed.GitLabBranch("grp/app", ""), "branch name is empty"},
		{"gitlab not the default format", oidcfed.GitLab(""), oidcfed.Subject{Value: "grp/app:main"}, "default format"},
		{"bitbucket every repository", bb, raw("*"), "every repository of the workspace"},
		{"bitbucket repository wildcard", bb, raw("{*}:*"), "wildcard in the repository UUID"},
		{"bitbucket repository not a UUID", bb, oidcfed.BitbucketRepository("my-repo"), "UUID in braces"},
		{"circleci every project", cc, raw("org/*"), "every project of the organization"},
		{"circleci other organization", cc, oidcfed.CircleCIProject("d4c3b2a1-e5f6-4a7b-8c9d-0e1f2a3b4c5d", circleProjectID), "not the issuer's organization"},
		{"circleci project wildcard", cc, raw("org/" + circleOrgID + "/project/*"), "set AllowNameWildcard"},
		{"terraform every organization", oidcfed.HCPTerraform(), raw("organization:*"), "every organization"},
		{"terraform organization wildcard", oidcfed.HCPTerraform(), raw("organization:acme*:project:p:workspace:w:run_phase:apply"), "wildcard in the organization"},
		{"terraform workspace wildcard", oidcfed.HCPTerraform(), raw("organization:acme:project:p:workspace:*:run_phase:apply"), "set AllowNameWildcard"},
		{"terraform bad phase", oidcfed.HCPTerraform(), oidcfed.TerraformWorkspace("acme", "p", "w", "destroy"), "plan or apply"},
		{"buildkite every organization", oidcfed.Buildkite(), raw("organization:*"), "every Buildkite organization"},
		{"buildkite organization wildcard", oidcfed.Buildkite(), raw("organization:ac*:pipeline:deploy:ref:refs/heads/main:commit:*:step:*"), "other Buildkite organizations"},
		{"buildkite any pipeline", oidcfed.Buildkite(), raw("organization:acme:*"), "set AllowNameWildcard"},
		{"buildkite empty branch", oidcfed.Buildkite(), oidcfed.BuildkiteBranch("acme", "deploy", ""), "branch name is empty"},
	}
	mark := e.b.Mark()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := oidcfed.RoleSpec{Name: "ci", Issuer: tc.issuer, ProviderARN: tc.issuer.ProviderARN(account), Subjects: []oidcfed.Subject{tc.subject}}
			_, err := oidcfed.EnsureCIRole(e.ctx, e.api, spec, awstest.Fast()...)
			if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Subjects[0]") || !strings.Contains(err.Error(), tc.rule) {
				t.Fatalf("err = %v, want spec.Subjects[0] and %q", err, tc.rule)
			}
		})
	}
	e.b.RequireNoCalls(t, mark)
}

// Bounded patterns that the rules allow.
func TestBoundedPatternsAreAccepted(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		issuer oidcfed.Issuer
		s      oidcfed.Subject
	}{
		{oidcfed.GitHub(), oidcfed.GitHubBranch("octo-org/app", "release/*").WithWildcard()},
		{oidcfed.GitHub(), raw("repo:octo-org/app:*")},
		{oidcfed.GitHub(), oidcfed.Subject{Value: "repo:octo-org/*:environment:production", Wildcard: true, AllowNameWildcard: true}},
		{oidcfed.GitHub(), oidcfed.Subject{Value: "repo:octo-org/svc-*", Wildcard: true, AllowNameWildcard: true}},
		{oidcfed.GitLab(""), oidcfed.GitLabTag("grp/sub/app", "v*").WithWildcard()},
		{oidcfed.Bitbucket("acme", bbWorkspaceUUID), oidcfed.BitbucketRepository(bbRepoUUID)},
		{oidcfed.CircleCI(circleOrgID), oidcfed.CircleCIProject(circleOrgID, circleProjectID)},
		{oidcfed.HCPTerraform(), raw("organization:acme:project:Default Project:workspace:prod:run_phase:*")},
		{oidcfed.Buildkite(), raw("organization:acme:pipeline:deploy:*")},
	} {
		spec := oidcfed.RoleSpec{Name: "ci", Issuer: tc.issuer, ProviderARN: tc.issuer.ProviderARN(account), Subjects: []oidcfed.Subject{tc.s}}
		if tc.issuer.Kind == oidcfed.KindGitHub {
			spec.Subjects = append(spec.Subjects, oidcfed.GitHubReusableWorkflow("octo-org/ci", "build.yaml", "0123456789abcdef0123456789abcdef01234567"))
		}
		if err := spec.Validate(); err != nil {
			t.Errorf("%s: %v", tc.s, err)
		}
		mark := e.b.Mark()
		r, err := oidcfed.EnsureCIRole(e.ctx, e.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
		if err != nil || len(r.Changes) != 1 {
			t.Errorf("%s: dry run: %v", tc.s, err)
		}
		e.b.RequireNoMutations(t, mark)
	}
}

func TestRoleSpecFaults(t *testing.T) {
	doc := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions("s3:GetObject"), Resource: foundation.Resources("*")})
	withPrincipal := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Principal: foundation.AWSPrincipal("111122223333"),
		Action: foundation.Actions("s3:GetObject"), Resource: foundation.Resources("*")})
	big := foundation.NewPolicy()
	for i := range 60 {
		big.Statement = append(big.Statement, foundation.Statement{Sid: "S" + strings.Repeat("x", i%5) + string(rune('A'+i%26)) + string(rune('a'+i/26)),
			Effect: foundation.EffectAllow, Action: foundation.Actions("s3:GetObject"), Resource: foundation.Resources("arn:aws:s3:::" + strings.Repeat("b", 150) + "/*")})
	}
	cases := []struct {
		name        string
		mod         func(*oidcfed.RoleSpec)
		field, rule string
	}{
		{"name empty", func(s *oidcfed.RoleSpec) { s.Name = "" }, "spec.Name", "is required"},
		{"name bad", func(s *oidcfed.RoleSpec) { s.Name = "ci role" }, "spec.Name", "1 to 64"},
		{"path bad", func(s *oidcfed.RoleSpec) { s.Path = "ci" }, "spec.Path", `start and end with "/"`},
		{"session too long", func(s *oidcfed.RoleSpec) { s.MaxSessionDuration = 13 * time.Hour }, "spec.MaxSessionDuration", "1h to 12h"},
		{"session too short", func(s *oidcfed.RoleSpec) { s.MaxSessionDuration = 15 * time.Minute }, "spec.MaxSessionDuration", "1h to 12h"},
		{"inline nil", func(s *oidcfed.RoleSpec) { s.InlinePolicies = map[string]*foundation.PolicyDocument{"p": nil} }, `spec.InlinePolicies["p"]`, "nil"},
		{"inline with principal", func(s *oidcfed.RoleSpec) {
			s.InlinePolicies = map[string]*foundation.PolicyDocument{"p": withPrincipal}
		},
			`spec.InlinePolicies["p"].Statement[0]`, "no Principal"},
		{"inline bad name", func(s *oidcfed.RoleSpec) { s.InlinePolicies = map[string]*foundation.PolicyDocument{"my policy": doc} },
			`spec.InlinePolicies["my policy"]`, "policy name"},
		{"inline too big", func(s *oidcfed.RoleSpec) { s.InlinePolicies = map[string]*foundation.PolicyDocument{"big": big} },
			"spec.InlinePolicies", "10240"},
		{"managed ARN bad", func(s *oidcfed.RoleSpec) { s.ManagedPolicyARNs = []string{"ReadOnlyAccess"} }, "spec.ManagedPolicyARNs[0]", "managed policy ARN"},
		{"boundary and remove", func(s *oidcfed.RoleSpec) {
			s.PermissionsBoundary, s.RemovePermissionsBoundary = "arn:aws:iam::aws:policy/PowerUserAccess", true
		}, "spec.RemovePermissionsBoundary", "excludes"},
		{"tag aws:", func(s *oidcfed.RoleSpec) { s.Tags = map[string]string{"aws:x": "y"} }, `spec.Tags["aws:x"]`, `"aws:"`},
		{"description control", func(s *oidcfed.RoleSpec) { s.Description = "a\x00b" }, "spec.Description", "printable"},
	}
	for _, tc := range cases {
		spec := validGitHubSpec()
		tc.mod(&spec)
		err := spec.Validate()
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("%s: err = %v, want %s / %s", tc.name, err, tc.field, tc.rule)
		}
	}
	if err := validGitHubSpec().Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := oidcfed.EnsureCIRole(t.Context(), nil, validGitHubSpec())
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "api") {
		t.Fatalf("nil api: %v", err)
	}
	_, err = oidcfed.EnsureGitHubRole(t.Context(), nil, oidcfed.RoleSpec{Name: "x", Issuer: oidcfed.GitLab(""), ProviderARN: "arn:aws:iam::" + account + ":oidc-provider/gitlab.com",
		Subjects: []oidcfed.Subject{oidcfed.GitLabBranch("g/p", "main")}})
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "EnsureGitHubRole needs the GitHub issuer") {
		t.Fatalf("GitLab issuer: %v", err)
	}
}

func TestProviderSpecFaults(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name        string
		spec        oidcfed.ProviderSpec
		field, rule string
	}{
		{"no URL", oidcfed.ProviderSpec{ClientIDs: []string{"sts.amazonaws.com"}}, "spec.URL", "is required"},
		{"http URL", oidcfed.ProviderSpec{URL: "http://token.actions.githubusercontent.com", ClientIDs: []string{"a"}}, "spec.URL", "https"},
		{"trailing slash", oidcfed.ProviderSpec{URL: "https://gitlab.com/", ClientIDs: []string{"a"}}, "spec.URL", "trailing slash"},
		{"query", oidcfed.ProviderSpec{URL: "https://gitlab.com?x=1", ClientIDs: []string{"a"}}, "spec.URL", "query"},
		{"no client ID", oidcfed.ProviderSpec{URL: "https://gitlab.com"}, "spec.ClientIDs", "audience missing"},
		{"wildcard client ID", oidcfed.ProviderSpec{URL: "https://gitlab.com", ClientIDs: []string{"*"}}, "spec.ClientIDs[0]", "wildcard"},
		{"bad thumbprint", oidcfed.ProviderSpec{URL: "https://gitlab.com", ClientIDs: []string{"a"}, Thumbprints: []string{"abc"}}, "spec.Thumbprints[0]", "40 hexadecimal"},
		{"six thumbprints", oidcfed.ProviderSpec{URL: "https://gitlab.com", ClientIDs: []string{"a"}, Thumbprints: []string{
			githubThumbprint, strings.Repeat("1", 40), strings.Repeat("2", 40), strings.Repeat("3", 40), strings.Repeat("4", 40), strings.Repeat("5", 40)}},
			"spec.Thumbprints", "at most 5"},
		{"bad tag", oidcfed.ProviderSpec{URL: "https://gitlab.com", ClientIDs: []string{"a"}, Tags: map[string]string{"k": "a*b"}}, `spec.Tags["k"]`, "may contain only"},
	}
	mark := e.b.Mark()
	for _, tc := range cases {
		_, err := oidcfed.EnsureProvider(e.ctx, e.api, tc.spec, awstest.Fast()...)
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("%s: err = %v, want %s / %s", tc.name, err, tc.field, tc.rule)
		}
	}
	e.b.RequireNoCalls(t, mark)
}
