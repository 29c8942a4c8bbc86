package oidcfed

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Kind names a CI system whose OIDC tokens this package knows: their issuer
// URL, default audience and the format of their subject claim.
type Kind string

// The CI systems this package knows. The zero Kind is not valid: an Issuer
// must be built with one of the presets (GitHub, GitLab, Bitbucket,
// CircleCI, HCPTerraform, TerraformEnterprise, Buildkite).
const (
	KindGitHub    Kind = "github"
	KindGitLab    Kind = "gitlab"
	KindBitbucket Kind = "bitbucket"
	KindCircleCI  Kind = "circleci"
	KindTerraform Kind = "terraform"
	KindBuildkite Kind = "buildkite"
)

// Well-known issuer values.
const (
	// GitHubIssuerURL is the issuer of GitHub Actions tokens on github.com.
	GitHubIssuerURL = "https://token.actions.githubusercontent.com"
	// GitHubAudience is the audience aws-actions/configure-aws-credentials
	// requests.
	GitHubAudience = "sts.amazonaws.com"
	// HCPTerraformIssuerURL is the issuer of HCP Terraform workload
	// identity tokens.
	HCPTerraformIssuerURL = "https://app.terraform.io"
	// TerraformAudience is the audience HCP Terraform and Terraform
	// Enterprise request for AWS by default (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE).
	TerraformAudience = "aws.workload.identity"
	// BuildkiteIssuerURL is the issuer of Buildkite agent OIDC tokens.
	BuildkiteIssuerURL = "https://agent.buildkite.com"
	// BuildkiteAudience is the audience Buildkite's AWS guide requests
	// (buildkite-agent oidc request-token --audience sts.amazonaws.com).
	BuildkiteAudience = "sts.amazonaws.com"
)

// Issuer is a CI system's OIDC token issuer: the IAM OIDC provider's URL and
// the audiences (client IDs) its tokens carry for AWS. Build it with a
// preset; the zero Issuer is refused.
//
// The issuer's host and path (the URL without "https://") is both the name
// of the IAM OIDC provider (arn:aws:iam::ACCOUNT:oidc-provider/HOSTPATH)
// and the prefix of the condition keys of its claims (HOSTPATH:sub,
// HOSTPATH:aud).
type Issuer struct {
	Kind Kind
	// URL is the issuer URL, "https://" and a host, with a path for some
	// issuers (Bitbucket, CircleCI), without a trailing slash.
	URL string
	// Audiences are the audiences the role's trust policy pins and the
	// client IDs of the provider.
	Audiences []string
}

// GitHub is the issuer of GitHub Actions on github.com:
// https://token.actions.githubusercontent.com, audience sts.amazonaws.com.
//
// Subject claim (sub) formats, as GitHub documents them:
//
//	repo:OWNER/REPO:ref:refs/heads/BRANCH    a push or run on a branch
//	repo:OWNER/REPO:ref:refs/tags/TAG        a run on a tag
//	repo:OWNER/REPO:environment:ENVIRONMENT  a job that names an environment
//	repo:OWNER/REPO:pull_request             a pull_request run
//
// A job that uses an environment gets the environment form, whatever its
// branch. The job_workflow_ref claim names the reusable workflow a job runs,
// "OWNER/REPO/.github/workflows/FILE.yml@REF"; AWS exposes it as the
// condition key token.actions.githubusercontent.com:job_workflow_ref.
// Organizations that customize the subject template get other formats,
// which this package refuses.
//
// AWS validates the GitHub issuer against its trusted certificate
// authorities, so the provider needs no thumbprint.
func GitHub() Issuer {
	return Issuer{Kind: KindGitHub, URL: GitHubIssuerURL, Audiences: []string{GitHubAudience}}
}

// GitLab is the issuer of GitLab CI/CD ID tokens of gitlab.com (host "" or
// "gitlab.com") or of a self-managed instance ("gitlab.example.com"). Its
// audience is the instance URL ("https://gitlab.com"), the value GitLab's
// AWS guide puts in the job's id_tokens "aud"; change Audiences if your
// jobs request another.
//
// Subject claim format (the default; GitLab lets a project customize it):
//
//	project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH
//	project_path:GROUP/SUBGROUP/PROJECT:ref_type:tag:ref:TAG
//
// The ref is the bare branch or tag name (no refs/heads/ prefix).
func GitLab(host string) Issuer {
	if host == "" {
		host = "gitlab.com"
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "https://"), "/")
	u := "https://" + host
	return Issuer{Kind: KindGitLab, URL: u, Audiences: []string{u}}
}

// Bitbucket is the issuer of Bitbucket Pipelines OIDC tokens of one
// workspace:
// https://api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc,
// audience "ari:cloud:bitbucket::workspace/WORKSPACE_UUID" (both shown in
// Repository settings > OpenID Connect). workspaceUUID may be given with or
// without its braces.
//
// Subject claim format: "{REPOSITORY_UUID}:{STEP_UUID}", or
// "{REPOSITORY_UUID}:{DEPLOYMENT_ENVIRONMENT_UUID}:{STEP_UUID}" for a step
// with a deployment environment, UUIDs in braces. The step UUID changes on
// every run, so Bitbucket subjects are patterns ending in ":*" (see
// BitbucketRepository and BitbucketEnvironment).
func Bitbucket(workspace, workspaceUUID string) Issuer {
	id := strings.Trim(workspaceUUID, "{}")
	return Issuer{
		Kind:      KindBitbucket,
		URL:       "https://api.bitbucket.org/2.0/workspaces/" + workspace + "/pipelines-config/identity/oidc",
		Audiences: []string{"ari:cloud:bitbucket::workspace/" + id},
	}
}

// CircleCI is the issuer of CircleCI OIDC tokens of one organization:
// https://oidc.circleci.com/org/ORG_ID, whose default audience is the
// organization ID itself.
//
// Subject claim format: "org/ORG_ID/project/PROJECT_ID/user/USER_ID", IDs
// being UUIDs; the user is whoever triggered the job (see CircleCIProject
// and CircleCIUser).
func CircleCI(orgID string) Issuer {
	return Issuer{Kind: KindCircleCI, URL: "https://oidc.circleci.com/org/" + orgID, Audiences: []string{orgID}}
}

// HCPTerraform is the issuer of HCP Terraform (Terraform Cloud) workload
// identity tokens: https://app.terraform.io, audience
// aws.workload.identity.
//
// Subject claim format:
//
//	organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE
//
// PHASE is "plan" or "apply"; the default project is named
// "Default Project". Tokens issued before projects existed lacked the
// project part (Lint reports that legacy form).
func HCPTerraform() Issuer {
	return Issuer{Kind: KindTerraform, URL: HCPTerraformIssuerURL, Audiences: []string{TerraformAudience}}
}

// TerraformEnterprise is the issuer of a Terraform Enterprise installation
// ("tfe.example.com"): same claims and audience as HCPTerraform.
func TerraformEnterprise(host string) Issuer {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "https://"), "/")
	return Issuer{Kind: KindTerraform, URL: "https://" + host, Audiences: []string{TerraformAudience}}
}

// Buildkite is the issuer of Buildkite agent OIDC tokens:
// https://agent.buildkite.com, audience sts.amazonaws.com (what Buildkite's
// AWS guide has jobs request). The issuer is shared by every Buildkite
// organization, so a subject must always name the organization.
//
// Subject claim format:
//
//	organization:ORG_SLUG:pipeline:PIPELINE_SLUG:ref:REF:commit:COMMIT:step:STEP_KEY
//
// REF is a full ref ("refs/heads/main"); COMMIT and STEP_KEY change from
// build to build, so Buildkite subjects are patterns (see BuildkiteBranch).
func Buildkite() Issuer {
	return Issuer{Kind: KindBuildkite, URL: BuildkiteIssuerURL, Audiences: []string{BuildkiteAudience}}
}

// HostPath is the issuer URL without its scheme: the IAM OIDC provider's
// name and the prefix of its condition keys
// ("token.actions.githubusercontent.com").
func (i Issuer) HostPath() string { return hostPath(i.URL) }

// ProviderARN is the ARN of this issuer's IAM OIDC provider in an account
// of the aws partition.
func (i Issuer) ProviderARN(accountID string) string {
	return "arn:aws:iam::" + accountID + ":oidc-provider/" + i.HostPath()
}

// ProviderSpec returns the spec of this issuer's IAM OIDC provider: its URL
// and its audiences as client IDs, no thumbprints (AWS validates the
// well-known issuers against its trusted certificate authorities).
func (i Issuer) ProviderSpec() ProviderSpec {
	return ProviderSpec{URL: i.URL, ClientIDs: append([]string(nil), i.Audiences...)}
}

// ConditionKey returns the condition key of one of the issuer's claims
// ("token.actions.githubusercontent.com:sub").
func (i Issuer) ConditionKey(claim string) string { return i.HostPath() + ":" + claim }

func hostPath(u string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/")
}

var (
	uuidRe          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hostRe          = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?$`)
	bitbucketPathRe = regexp.MustCompile(`^/2\.0/workspaces/([a-z0-9_.-]+)/pipelines-config/identity/oidc$`)
	slugRe          = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// issuerFaults returns every rule the issuer breaks; field is the spec
// field naming it.
func issuerFaults(i Issuer, field string) []error {
	var errs []error
	bad := func(f, v, rule string) { errs = append(errs, invalid(f, v, rule)) }
	switch i.Kind {
	case KindGitHub, KindGitLab, KindBitbucket, KindCircleCI, KindTerraform, KindBuildkite:
	case "":
		bad(field+".Kind", "", "is required: build the issuer with GitHub(), GitLab(host), Bitbucket(workspace, uuid), CircleCI(orgID), HCPTerraform(), TerraformEnterprise(host) or Buildkite()")
		return errs
	default:
		bad(field+".Kind", string(i.Kind), "unknown provider: this package knows github, gitlab, bitbucket, circleci, terraform and buildkite")
		return errs
	}
	urlErrs, u := parseIssuerURL(field+".URL", i.URL)
	if len(urlErrs) > 0 {
		return append(errs, urlErrs...)
	}
	path := u.EscapedPath()
	switch i.Kind {
	case KindGitHub:
		// github.com, or the unique issuer of a GitHub Enterprise Cloud
		// enterprise (token.actions.githubusercontent.com/ENTERPRISE).
		if u.Host != "token.actions.githubusercontent.com" || (path != "" && !slugRe.MatchString(strings.TrimPrefix(path, "/"))) {
			bad(field+".URL", i.URL, `must be "https://token.actions.githubusercontent.com" (or its /ENTERPRISE form) for GitHub Actions`)
		}
	case KindBitbucket:
		if u.Host != "api.bitbucket.org" || !bitbucketPathRe.MatchString(path) {
			bad(field+".URL", i.URL, "must be https://api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc with a lowercase workspace slug")
		}
	case KindCircleCI:
		id, ok := strings.CutPrefix(path, "/org/")
		if u.Host != "oidc.circleci.com" || !ok || !uuidRe.MatchString(id) {
			bad(field+".URL", i.URL, "must be https://oidc.circleci.com/org/ORG_ID with the organization's UUID")
		}
	case KindBuildkite:
		if u.Host != "agent.buildkite.com" || path != "" {
			bad(field+".URL", i.URL, `must be "https://agent.buildkite.com" for Buildkite`)
		}
	}
	return errs
}

// parseIssuerURL checks an issuer URL: https, a lowercase DNS host, no
// user, query, fragment or trailing slash.
func parseIssuerURL(field, raw string) ([]error, *url.URL) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return []error{invalid(field, "", "is required")}, nil
	case err != nil || u.Scheme != "https" || u.Host == "":
		return []error{invalid(field, raw, `must be an https URL such as "https://token.actions.githubusercontent.com"`)}, nil
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "/") || strings.Contains(u.EscapedPath(), "//"):
		return []error{invalid(field, raw, "must have no user, query, fragment, empty path segment or trailing slash")}, nil
	case !hostRe.MatchString(u.Host):
		return []error{invalid(field, raw, "must name a lowercase DNS host")}, nil
	case len(raw) > 255:
		return []error{invalid(field, raw, "must be at most 255 characters")}, nil
	}
	return nil, u
}

// circleOrg returns the organization ID in a CircleCI issuer host path.
func circleOrg(hostPath string) string {
	_, id, _ := strings.Cut(hostPath, "oidc.circleci.com/org/")
	return id
}

// kindForHostPath guesses the issuer kind from a condition key prefix, for
// Lint; "" when unknown (a self-managed GitLab or Terraform Enterprise is
// recognised by its subjects instead).
func kindForHostPath(hp string) Kind {
	switch {
	case hp == "token.actions.githubusercontent.com" || strings.HasPrefix(hp, "token.actions.githubusercontent.com/"):
		return KindGitHub
	case hp == "gitlab.com":
		return KindGitLab
	case strings.HasPrefix(hp, "api.bitbucket.org/2.0/workspaces/"):
		return KindBitbucket
	case strings.HasPrefix(hp, "oidc.circleci.com/org/"):
		return KindCircleCI
	case hp == "app.terraform.io":
		return KindTerraform
	case hp == "agent.buildkite.com":
		return KindBuildkite
	}
	return ""
}

func (k Kind) label() string {
	switch k {
	case KindGitHub:
		return "GitHub Actions"
	case KindGitLab:
		return "GitLab"
	case KindBitbucket:
		return "Bitbucket Pipelines"
	case KindCircleCI:
		return "CircleCI"
	case KindTerraform:
		return "HCP Terraform"
	case KindBuildkite:
		return "Buildkite"
	}
	return fmt.Sprintf("%q", string(k))
}
