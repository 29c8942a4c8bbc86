package oidcfed_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/oidcfed"
)

// trustDoc builds a one-statement trust policy with the given principal
// (JSON), action and condition (JSON).
func trustDoc(t *testing.T, principal, action, condition string) *foundation.PolicyDocument {
	t.Helper()
	st := fmt.Sprintf(`{"Effect":"Allow","Principal":%s,"Action":%s`, principal, action)
	if condition != "" {
		st += `,"Condition":` + condition
	}
	doc, err := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[` + st + `}]}`)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

const (
	ghFed = `{"Federated":"` + githubARN + `"}`
	wia   = `"sts:AssumeRoleWithWebIdentity"`
	ghAud = `"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"`
)

func TestLintFindings(t *testing.T) {
	cases := []struct {
		name       string
		doc        *foundation.PolicyDocument
		sev        oidcfed.Severity // the most severe finding
		rule, path string           // part of that finding's rule and path
		count      int              // number of findings (0: don't check)
	}{
		{"no sub condition", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`}}`),
			oidcfed.SeverityCritical, "no condition on token.actions.githubusercontent.com:sub", "Statement[0].Condition", 1},
		{"no condition at all", trustDoc(t, ghFed, wia, ""),
			oidcfed.SeverityCritical, "every workflow of every repository", "Statement[0].Condition", 2},
		{"repo:*", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}`),
			oidcfed.SeverityCritical, "matches every repository", `Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]`, 1},
		{"owner wildcard", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo*/app:ref:refs/heads/main"}}`),
			oidcfed.SeverityCritical, "wildcard in the repository owner", "", 1},
		{"any owner", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*/app:*"}}`),
			oidcfed.SeverityCritical, "repositories of any owner", "", 1},
		{"ForAllValues on sub", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"ForAllValues:StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/app:*"}}`),
			oidcfed.SeverityCritical, "ForAllValues on the single-valued key", "", 1},
		{"Principal *", trustDoc(t, `"*"`, wia, `{"StringEquals":{`+ghAud+`}}`),
			oidcfed.SeverityCritical, `Principal "*"`, "Statement[0].Principal", 1},
		{"Principal AWS *", trustDoc(t, `{"AWS":"*"}`, `"sts:*"`, ""),
			oidcfed.SeverityCritical, `Principal "*"`, "Statement[0].Principal", 2},
		{"negated sub only", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:evil/*"}}`),
			oidcfed.SeverityCritical, "no condition on token.actions.githubusercontent.com:sub", "", 1},
		{"iss key", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`,"token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request","token.actions.githubusercontent.com:iss":"https://token.actions.githubusercontent.com"}}`),
			oidcfed.SeverityWarning, "meaningless", `["token.actions.githubusercontent.com:iss"]`, 1},
		{"missing aud", trustDoc(t, ghFed, wia, `{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request"}}`),
			oidcfed.SeverityWarning, "no condition on token.actions.githubusercontent.com:aud", "", 1},
		{"wildcard aud", trustDoc(t, ghFed, wia, `{"StringLike":{"token.actions.githubusercontent.com:aud":"*","token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request"}}`),
			oidcfed.SeverityWarning, "the audience is a wildcard", "", 2},
		{"name wildcard", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*:ref:refs/heads/main"}}`),
			oidcfed.SeverityWarning, `wildcard in the repository name "*"`, "", 1},
		{"wildcard under StringEquals", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`,"token.actions.githubusercontent.com:sub":"repo:octo-org/app:*"}}`),
			oidcfed.SeverityWarning, "compares * and ? literally", "", 1},
		{"malformed exact subject", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`,"token.actions.githubusercontent.com:sub":"octo-org/app:main"}}`),
			oidcfed.SeverityWarning, "default format", "", 1},
		{"IfExists on sub", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringEqualsIfExists":{"token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request"}}`),
			oidcfed.SeverityWarning, "IfExists", "", 1},
		{"SAML principal", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"}`, wia, ""),
			oidcfed.SeverityWarning, "is not an IAM OIDC provider", "Statement[0].Principal.Federated[0]", 1},
		{"not an IAM ARN", trustDoc(t, `{"Federated":"arn:aws:sts::123456789012:oidc-provider/token.actions.githubusercontent.com"}`, wia, ""),
			oidcfed.SeverityWarning, "is not an IAM OIDC provider", "Statement[0].Principal.Federated[0]", 1},
		{"OIDC provider without host", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/"}`, wia, ""),
			oidcfed.SeverityWarning, "is not an IAM OIDC provider", "Statement[0].Principal.Federated[0]", 1},
		{"public web identity provider", trustDoc(t, `{"Federated":"accounts.google.com"}`, wia, `{"StringEquals":{"accounts.google.com:aud":"my-app.apps.googleusercontent.com"}}`),
			oidcfed.SeverityCritical, "no condition on accounts.google.com:sub", "", 2},
		{"action wildcard", trustDoc(t, ghFed, `"sts:AssumeRoleWith*"`, `{"StringEquals":{`+ghAud+`,"token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request"}}`),
			oidcfed.SeverityWarning, "allows more than", "Statement[0].Action", 1},
		{"StringLike without wildcard", trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/app:pull_request"}}`),
			oidcfed.SeverityInfo, "StringLike on a value without a wildcard", "", 1},
		{"terraform legacy subject", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/app.terraform.io"}`, wia,
			`{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:acme:workspace:prod:run_phase:*"}}`),
			oidcfed.SeverityInfo, "legacy format", "", 1},
		{"terraform organization wildcard", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/app.terraform.io"}`, wia,
			`{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:*:project:*:workspace:prod:run_phase:apply"}}`),
			oidcfed.SeverityCritical, "wildcard in the organization", "", 1},
		{"buildkite no organization", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/agent.buildkite.com"}`, wia,
			`{"StringEquals":{"agent.buildkite.com:aud":"sts.amazonaws.com"},"StringLike":{"agent.buildkite.com:sub":"organization:*:pipeline:deploy:*"}}`),
			oidcfed.SeverityCritical, "other Buildkite organizations", "", 1},
		{"self-managed gitlab group wildcard", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"}`, wia,
			`{"StringEquals":{"gitlab.example.com:aud":"https://gitlab.example.com"},"StringLike":{"gitlab.example.com:sub":"project_path:*/app:ref_type:branch:ref:main"}}`),
			oidcfed.SeverityCritical, "wildcard in the group", "", 1},
		{"bitbucket any repository", trustDoc(t, `{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"}`, wia,
			`{"StringEquals":{"api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:aud":"ari:cloud:bitbucket::workspace/x"},"StringLike":{"api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:sub":"*:*"}}`),
			oidcfed.SeverityCritical, "wildcard in the repository UUID", "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := oidcfed.Lint(tc.doc)
			if len(fs) == 0 {
				t.Fatal("no findings")
			}
			top := fs[0]
			if top.Severity != tc.sev || !strings.Contains(top.Rule, tc.rule) || !strings.Contains(top.Path, tc.path) {
				t.Fatalf("top finding %v, want %s %q at %q; all: %v", top, tc.sev, tc.rule, tc.path, fs)
			}
			if tc.count > 0 && len(fs) != tc.count {
				t.Fatalf("%d findings, want %d: %v", len(fs), tc.count, fs)
			}
			for i := 1; i < len(fs); i++ {
				if fs[i].Severity > fs[i-1].Severity {
					t.Fatalf("not sorted by severity: %v", fs)
				}
			}
		})
	}
}

func TestLintIgnoresWhatIsNotWebIdentityTrust(t *testing.T) {
	doc, err := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"},
		{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if fs := oidcfed.Lint(doc); len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	if oidcfed.Lint(nil) != nil {
		t.Fatal("nil document")
	}
}

// Lint reads the URL-encoded form GetRole returns once parsed.
func TestLintOfURLEncodedDocument(t *testing.T) {
	doc := trustDoc(t, ghFed, wia, `{"StringEquals":{`+ghAud+`},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}`)
	enc, err := doc.URLEncoded()
	if err != nil {
		t.Fatal(err)
	}
	back, err := foundation.ParsePolicy(enc)
	if err != nil {
		t.Fatal(err)
	}
	fs := oidcfed.Lint(back)
	if len(fs) != 1 || fs[0].Severity != oidcfed.SeverityCritical {
		t.Fatalf("%v", fs)
	}
	want := `critical: Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]: "repo:*": matches every repository`
	if fs[0].String() != want {
		t.Fatalf("String() = %q\nwant       %q", fs[0], want)
	}
}

func TestFindingsError(t *testing.T) {
	seed, _ := foundation.ParsePolicy(seedTrustLiteral)
	fs := oidcfed.Lint(seed) // one info finding
	if err := oidcfed.FindingsError(fs, oidcfed.SeverityWarning); err != nil {
		t.Fatalf("info finding above the threshold: %v", err)
	}
	err := oidcfed.FindingsError(fs, oidcfed.SeverityInfo)
	var le *oidcfed.LintError
	if !errors.Is(err, oidcfed.ErrDangerousTrust) || !errors.As(err, &le) || len(le.Findings) != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "oidcfed: trust policy: 1 finding(s): info: ") {
		t.Fatalf("message %q", err)
	}
	if oidcfed.FindingsError(nil, oidcfed.SeverityInfo) != nil {
		t.Fatal("no findings, an error")
	}
	for s, want := range map[oidcfed.Severity]string{oidcfed.SeverityInfo: "info", oidcfed.SeverityWarning: "warning", oidcfed.SeverityCritical: "critical", 9: "Severity(9)"} {
		if s.String() != want {
			t.Errorf("%d: %s", s, s)
		}
	}
}
