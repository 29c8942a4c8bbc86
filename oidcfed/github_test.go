package oidcfed_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// newRepo is a repository created after GitHub's cutover: its tokens carry
// the immutable subject.
var newRepo = oidcfed.GitHubRepository{Owner: "octo-org", Name: "app", OwnerID: 123456, RepositoryID: 456789}

const (
	immutableMain = "repo:octo-org@123456/app@456789:ref:refs/heads/main"
	mutableMain   = "repo:octo-org/app:ref:refs/heads/main"
	ghSub         = "token.actions.githubusercontent.com:sub"
)

func repoSpec(providerARN string, format oidcfed.SubjectFormat) oidcfed.RoleSpec {
	return oidcfed.RoleSpec{
		Name:          "app-deploy",
		Issuer:        oidcfed.GitHub(),
		ProviderARN:   providerARN,
		Repository:    newRepo,
		SubjectFormat: format,
		Subjects:      []oidcfed.Subject{oidcfed.GitHubBranch(newRepo.FullName(), "main")},
	}
}

// trustedSubs returns the sub values a trust policy trusts (every
// statement, StringEquals and StringLike).
func trustedSubs(doc *foundation.PolicyDocument) []string {
	var out []string
	for _, st := range doc.Statement {
		for _, kv := range st.Condition {
			out = append(out, kv[ghSub]...)
		}
	}
	slices.Sort(out)
	return out
}

// TestGitHubSubjectFormats checks which subjects each format trusts: a
// repository with known IDs gets the immutable subject by default, both in
// migration mode, the mutable one only when asked.
func TestGitHubSubjectFormats(t *testing.T) {
	for _, tc := range []struct {
		format oidcfed.SubjectFormat
		repo   oidcfed.GitHubRepository
		want   []string
	}{
		{oidcfed.SubjectFormatAuto, newRepo, []string{immutableMain}},
		{oidcfed.SubjectImmutable, newRepo, []string{immutableMain}},
		{oidcfed.SubjectMigration, newRepo, []string{mutableMain, immutableMain}},
		{oidcfed.SubjectMutable, newRepo, []string{mutableMain}},
		{oidcfed.SubjectFormatAuto, oidcfed.GitHubRepository{Owner: "octo-org", Name: "app"}, []string{mutableMain}},
	} {
		spec := repoSpec(githubARN, tc.format)
		spec.Repository = tc.repo
		doc, err := oidcfed.TrustPolicy(spec)
		if err != nil {
			t.Fatalf("%v: %v", tc.format, err)
		}
		if got := trustedSubs(doc); !slices.Equal(got, tc.want) {
			t.Errorf("%v: trusts %q, want %q", tc.format, got, tc.want)
		}
		if f := oidcfed.FindingsError(oidcfed.Lint(doc), oidcfed.SeverityWarning); f != nil {
			t.Errorf("%v: lint: %v", tc.format, f)
		}
	}
	if got := newRepo.ImmutableName(); got != "octo-org@123456/app@456789" {
		t.Fatalf("ImmutableName %q", got)
	}
}

// TestGitHubRepositoryValidation checks the repository, format and claims
// rules, each naming its field, before any call.
func TestGitHubRepositoryValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*oidcfed.RoleSpec)
		want string
	}{
		{"immutable without IDs", func(s *oidcfed.RoleSpec) {
			s.Repository = oidcfed.GitHubRepository{Owner: "octo-org", Name: "app"}
			s.SubjectFormat = oidcfed.SubjectImmutable
		}, "spec.SubjectFormat"},
		{"one ID", func(s *oidcfed.RoleSpec) { s.Repository.RepositoryID = 0 }, "give both OwnerID and RepositoryID"},
		{"negative ID", func(s *oidcfed.RoleSpec) { s.Repository.OwnerID = -1 }, "spec.Repository.OwnerID"},
		{"bad owner", func(s *oidcfed.RoleSpec) { s.Repository.Owner = "octo_org" }, "spec.Repository.Owner"},
		{"format without repository", func(s *oidcfed.RoleSpec) {
			s.Repository = oidcfed.GitHubRepository{}
			s.SubjectFormat = oidcfed.SubjectMigration
		}, "spec.Repository"},
		{"unknown format", func(s *oidcfed.RoleSpec) { s.SubjectFormat = 9 }, "unknown format"},
		{"no subject names it", func(s *oidcfed.RoleSpec) {
			s.Subjects = []oidcfed.Subject{oidcfed.GitHubBranch("octo-org/other", "main")}
		}, "no sub subject names spec.Repository"},
		{"other IDs", func(s *oidcfed.RoleSpec) {
			s.Subjects = []oidcfed.Subject{{Value: "repo:octo-org@1/app@2:ref:refs/heads/main"}}
		}, "names spec.Repository with other IDs"},
		{"other issuer", func(s *oidcfed.RoleSpec) {
			s.Issuer = oidcfed.GitLab("")
			s.ProviderARN = "arn:aws:iam::" + account + ":oidc-provider/gitlab.com"
			s.Subjects = []oidcfed.Subject{oidcfed.GitLabBranch("g/p", "main")}
		}, "spec.Repository"},
		{"unknown claim", func(s *oidcfed.RoleSpec) { s.Claims = map[string][]string{"repository_owner_id": {"1"}} }, `spec.Claims["repository_owner_id"]`},
		{"claim job_workflow_ref", func(s *oidcfed.RoleSpec) { s.Claims = map[string][]string{"job_workflow_ref": {"x"}} }, "GitHubReusableWorkflow"},
		{"non-numeric ID claim", func(s *oidcfed.RoleSpec) { s.Claims = map[string][]string{"repository_id": {"app"}} }, "numeric GitHub ID"},
		{"wildcard claim", func(s *oidcfed.RoleSpec) { s.Claims = map[string][]string{"ref": {"refs/heads/*"}} }, "must not contain * or ?"},
		{"claim twice", func(s *oidcfed.RoleSpec) {
			s.Claims = map[string][]string{"repository_id": {"456789"}}
			s.Conditions = foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:repository_id": {"1"}}}
		}, "set it in one place"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := repoSpec(githubARN, oidcfed.SubjectFormatAuto)
			tc.edit(&s)
			err := s.Validate()
			if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalidSpec naming %q", err, tc.want)
			}
			// Refused before any call: the API is never touched.
			if _, err := oidcfed.EnsureGitHubRole(t.Context(), nilRoleAPI{}, s); !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Fatalf("EnsureGitHubRole: %v", err)
			}
		})
	}
}

// nilRoleAPI panics on any call: validation must refuse first.
type nilRoleAPI struct{ oidcfed.RoleAPI }

// TestGitHubClaimsConditions checks provider claims become StringEquals
// conditions on the issuer's keys, in every statement.
func TestGitHubClaimsConditions(t *testing.T) {
	s := repoSpec(githubARN, oidcfed.SubjectMigration)
	s.Subjects = append(s.Subjects, oidcfed.GitHubTag(newRepo.FullName(), "v*").WithWildcard())
	s.Claims = map[string][]string{"repository_id": {"456789"}, "workflow": {"deploy"}}
	doc, err := oidcfed.TrustPolicy(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 2 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	for i, st := range doc.Statement {
		eq := st.Condition["StringEquals"]
		if !slices.Equal(eq["token.actions.githubusercontent.com:repository_id"], []string{"456789"}) ||
			!slices.Equal(eq["token.actions.githubusercontent.com:workflow"], []string{"deploy"}) {
			t.Fatalf("statement %d: %v", i, st.Condition)
		}
	}
	if got := trustedSubs(doc); !slices.Contains(got, "repo:octo-org@123456/app@456789:ref:refs/tags/v*") || !slices.Contains(got, "repo:octo-org/app:ref:refs/tags/v*") {
		t.Fatalf("subs %q", got)
	}
}

// TestLintImmutableSubjects checks Lint reads the immutable form: valid
// ones pass, a wildcard in an owner ID is critical, a malformed ID warns.
func TestLintImmutableSubjects(t *testing.T) {
	doc := func(op, sub string) *foundation.PolicyDocument {
		cond := foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}}}
		if cond[op] == nil {
			cond[op] = map[string]foundation.StringList{}
		}
		cond[op][ghSub] = foundation.StringList{sub}
		return foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow,
			Principal: foundation.FederatedPrincipal(githubARN), Action: foundation.Actions(oidcfed.WebIdentityAction),
			Condition: cond})
	}
	for _, tc := range []struct {
		op, sub string
		want    oidcfed.Severity // worst finding; 0 = none
		rule    string
	}{
		{"StringEquals", immutableMain, 0, ""},
		{"StringLike", "repo:octo-org@123456/app@456789:*", 0, ""},
		{"StringLike", "repo:octo-org@*/app@456789:*", oidcfed.SeverityCritical, "owner"},
		{"StringLike", "repo:octo-org@123456/*:*", oidcfed.SeverityWarning, "repository name"},
		{"StringEquals", "repo:octo-org@12a/app@456789:ref:refs/heads/main", oidcfed.SeverityWarning, "owner ID"},
		{"StringEquals", "repo:octo-org@123456/app:ref:refs/heads/main", oidcfed.SeverityWarning, "only one of"},
	} {
		fs := oidcfed.Lint(doc(tc.op, tc.sub))
		worst := oidcfed.Severity(0)
		text := ""
		for _, f := range fs {
			if f.Severity > oidcfed.SeverityInfo {
				worst = max(worst, f.Severity)
				text += f.String()
			}
		}
		if worst != tc.want || !strings.Contains(text, tc.rule) {
			t.Errorf("%s %q: findings %v, want worst %v with %q", tc.op, tc.sub, fs, tc.want, tc.rule)
		}
	}
}

// TestLintChangelogHyphenForm notes a subject written as the changelog's
// example (repo:octocat-123456/my-repo-456789:...): information, since it
// is a valid mutable subject, of another owner.
func TestLintChangelogHyphenForm(t *testing.T) {
	doc := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow,
		Principal: foundation.FederatedPrincipal(githubARN), Action: foundation.Actions(oidcfed.WebIdentityAction),
		Condition: foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
			ghSub: {"repo:octocat-123456/my-repo-456789:ref:refs/heads/main"}}}})
	fs := oidcfed.Lint(doc)
	if len(fs) != 1 || fs[0].Severity != oidcfed.SeverityInfo || !strings.Contains(fs[0].Rule, "repo:octocat@123456/my-repo@456789") {
		t.Fatalf("findings %v", fs)
	}
	if oidcfed.Lint(foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow,
		Principal: foundation.FederatedPrincipal(githubARN), Action: foundation.Actions(oidcfed.WebIdentityAction),
		Condition: foundation.Conditions{"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
			ghSub: {"repo:team-42/app-2:ref:refs/heads/main"}}}})) != nil {
		t.Fatal("short numeric suffixes are names, not IDs")
	}
}

// TestLintRepositories flags a role trusting only the mutable subject of a
// repository whose IDs are known, and notes migration mode.
func TestLintRepositories(t *testing.T) {
	docOf := func(f oidcfed.SubjectFormat) *foundation.PolicyDocument {
		d, err := oidcfed.TrustPolicy(repoSpec(githubARN, f))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	unknownIDs := oidcfed.GitHubRepository{Owner: "octo-org", Name: "app"}
	for _, tc := range []struct {
		format oidcfed.SubjectFormat
		repos  []oidcfed.GitHubRepository
		want   []oidcfed.Severity
	}{
		{oidcfed.SubjectMutable, []oidcfed.GitHubRepository{newRepo}, []oidcfed.Severity{oidcfed.SeverityWarning}},
		{oidcfed.SubjectMutable, []oidcfed.GitHubRepository{unknownIDs}, nil},
		{oidcfed.SubjectMutable, nil, nil},
		{oidcfed.SubjectMigration, []oidcfed.GitHubRepository{newRepo, newRepo}, []oidcfed.Severity{oidcfed.SeverityInfo}},
		{oidcfed.SubjectImmutable, []oidcfed.GitHubRepository{newRepo}, nil},
	} {
		var got []oidcfed.Severity
		for _, f := range oidcfed.LintRepositories(docOf(tc.format), tc.repos...) {
			got = append(got, f.Severity)
			if !strings.Contains(f.Rule, "octo-org@123456/app@456789") {
				t.Errorf("%v: rule %q names no immutable subject", tc.format, f.Rule)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v with %v: severities %v, want %v", tc.format, tc.repos, got, tc.want)
		}
	}
}

// TestImmutableSubjectRoleAssumable converges a role for a repository in
// the immutable format, reads it back, reruns it as a no-op, and (on the
// emulator, whose STS checks web identity tokens) assumes it with a token
// carrying the immutable subject, not the mutable one; migration mode lets
// both in, and returning to immutable shuts the mutable one out again.
func TestImmutableSubjectRoleAssumable(t *testing.T) {
	e := newAccount(t)
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, oidcfed.GitHub().ProviderSpec(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	spec := repoSpec(p.ARN, oidcfed.SubjectFormatAuto)
	spec.Claims = map[string][]string{"repository_id": {"456789"}}
	ensure := func(s oidcfed.RoleSpec) ([]foundation.Change, error) {
		r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, s, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	}
	if _, err := ensure(spec); err != nil {
		t.Fatal(err)
	}
	readBack := func() []string {
		t.Helper()
		r, err := e.api.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String(spec.Name)})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := foundation.ParsePolicy(awstest.DecodePolicy(t, aws.ToString(r.Role.AssumeRolePolicyDocument)))
		if err != nil {
			t.Fatal(err)
		}
		return trustedSubs(doc)
	}
	if got := readBack(); !slices.Equal(got, []string{immutableMain}) {
		t.Fatalf("trusted subjects read back: %q", got)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensure(spec) })

	var assume func(sub, repositoryID string) error
	if emu := e.b.EmulatorFor(awstest.CapEmulatorState); emu != nil {
		client := e.b.STS()
		roleARN := "arn:aws:iam::" + e.account + ":role/" + spec.Name
		assume = func(sub, repositoryID string) error {
			tok, err := emu.WebIdentityToken(map[string]any{"iss": oidcfed.GitHubIssuerURL, "aud": oidcfed.GitHubAudience,
				"sub": sub, "repository_id": repositoryID, "repository": "octo-org/app"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String(tok)})
			return err
		}
	}
	check := func(sub, repositoryID string, ok bool) {
		t.Helper()
		if assume == nil {
			return
		}
		err := assume(sub, repositoryID)
		var ae smithy.APIError
		switch {
		case ok && err != nil:
			t.Fatalf("assume with %s (repository_id %s): %v", sub, repositoryID, err)
		case !ok && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied"):
			t.Fatalf("assume with %s (repository_id %s): %v, want AccessDenied", sub, repositoryID, err)
		}
	}
	check(immutableMain, "456789", true)
	check(mutableMain, "456789", false)
	check(immutableMain, "1", false) // the repository_id claim is checked too

	spec.SubjectFormat = oidcfed.SubjectMigration
	changes, err := ensure(spec)
	if err != nil || len(changes) != 1 || changes[0].Action != foundation.ActionUpdate {
		t.Fatalf("to migration: %v %v", changes, err)
	}
	if got := readBack(); !slices.Equal(got, []string{mutableMain, immutableMain}) {
		t.Fatalf("migration trusts %q", got)
	}
	check(immutableMain, "456789", true)
	check(mutableMain, "456789", true)

	spec.SubjectFormat = oidcfed.SubjectImmutable
	if changes, err := ensure(spec); err != nil || len(changes) != 1 {
		t.Fatalf("to immutable: %v %v", changes, err)
	}
	check(mutableMain, "456789", false)
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensure(spec) })
}
