package oidcfed

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The token claims a Subject can match.
const (
	// ClaimSub is the subject claim: which repository, branch, environment
	// or pipeline the token was issued to.
	ClaimSub = "sub"
	// ClaimJobWorkflowRef is GitHub's job_workflow_ref claim: the reusable
	// workflow the job runs ("OWNER/REPO/.github/workflows/FILE.yml@REF").
	ClaimJobWorkflowRef = "job_workflow_ref"
)

// Subject is one value of a claim a role trusts: who may assume it. Build
// subjects with the typed builders (GitHubBranch, GitLabBranch,
// TerraformWorkspace, ...), which write the claim in the issuer's format;
// a Subject literal with a Value is accepted too and checked the same way.
//
// A subject is matched exactly (StringEquals) unless Wildcard is set, in
// which case it is matched with StringLike and may contain * and ?. Even
// then the pattern must be bounded: the part of the claim that names the
// owner (GitHub owner, GitLab group, Terraform or Buildkite organization,
// CircleCI organization, Bitbucket repository) must be literal, and the
// repository / project / workspace / pipeline name may hold a wildcard only
// with AllowNameWildcard.
//
// The trust policy requires every claim's condition: a token must match one
// of the sub subjects and, when there are job_workflow_ref subjects, one of
// those too.
type Subject struct {
	// Kind is the CI system whose claim format Value follows; the builders
	// set it. Empty means the role's issuer.
	Kind Kind
	// Claim is ClaimSub (the default when empty) or, for GitHub,
	// ClaimJobWorkflowRef.
	Claim string
	// Value is the claim's value, such as
	// "repo:octo-org/app:ref:refs/heads/main".
	Value string
	// Wildcard matches Value as a pattern (StringLike): * matches any run
	// of characters, ? any one character.
	Wildcard bool
	// AllowNameWildcard permits a wildcard in the repository (project,
	// workspace, pipeline) name, never in its owner. Wildcard must be set
	// too.
	AllowNameWildcard bool
}

// WithWildcard returns a copy of s matched as a pattern (StringLike).
func (s Subject) WithWildcard() Subject { s.Wildcard = true; return s }

// claim returns the claim name, ClaimSub by default.
func (s Subject) claim() string {
	if s.Claim == "" {
		return ClaimSub
	}
	return s.Claim
}

// String returns "claim=value", with " (pattern)" for wildcard subjects.
func (s Subject) String() string {
	out := s.claim() + "=" + s.Value
	if s.Wildcard {
		out += " (pattern)"
	}
	return out
}

// GitHubBranch trusts workflow runs on one branch of a repository ("owner/repo"):
// repo:OWNER/REPO:ref:refs/heads/BRANCH. Jobs that use a GitHub
// environment carry the environment form instead (GitHubEnvironment).
func GitHubBranch(repo, branch string) Subject {
	return Subject{Kind: KindGitHub, Value: "repo:" + repo + ":ref:refs/heads/" + branch}
}

// GitHubTag trusts workflow runs on one tag: repo:OWNER/REPO:ref:refs/tags/TAG.
// Use WithWildcard for a bounded pattern such as "v*".
func GitHubTag(repo, tag string) Subject {
	return Subject{Kind: KindGitHub, Value: "repo:" + repo + ":ref:refs/tags/" + tag}
}

// GitHubEnvironment trusts jobs that run in one deployment environment:
// repo:OWNER/REPO:environment:NAME. Protect the environment (required
// reviewers, deployment branches) in GitHub: the environment, not the
// branch, is then what the role trusts.
func GitHubEnvironment(repo, environment string) Subject {
	return Subject{Kind: KindGitHub, Value: "repo:" + repo + ":environment:" + environment}
}

// GitHubPullRequest trusts pull_request workflow runs of a repository:
// repo:OWNER/REPO:pull_request. Such runs execute the pull request's code:
// give this role read-only permissions.
func GitHubPullRequest(repo string) Subject {
	return Subject{Kind: KindGitHub, Value: "repo:" + repo + ":pull_request"}
}

// GitHubReusableWorkflow requires the job to run a given reusable workflow:
// the job_workflow_ref claim "OWNER/REPO/.github/workflows/FILE@REF" (file
// is the workflow's file name, "deploy.yml"; ref is "refs/heads/main",
// "refs/tags/v1" or a commit SHA). It restricts the sub subjects, which are
// still required: the caller's repository is what sub names.
func GitHubReusableWorkflow(repo, file, ref string) Subject {
	return Subject{Kind: KindGitHub, Claim: ClaimJobWorkflowRef, Value: repo + "/.github/workflows/" + file + "@" + ref}
}

// GitLabBranch trusts pipelines of one branch of a project ("group/project",
// subgroups allowed): project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH.
func GitLabBranch(projectPath, branch string) Subject {
	return Subject{Kind: KindGitLab, Value: "project_path:" + projectPath + ":ref_type:branch:ref:" + branch}
}

// GitLabTag trusts pipelines of one tag: project_path:GROUP/PROJECT:ref_type:tag:ref:TAG.
func GitLabTag(projectPath, tag string) Subject {
	return Subject{Kind: KindGitLab, Value: "project_path:" + projectPath + ":ref_type:tag:ref:" + tag}
}

// BitbucketRepository trusts every step of one repository's pipelines:
// "{REPOSITORY_UUID}:*". The step UUID changes on every run, so this is a
// pattern bounded to the repository (the workspace is the issuer's).
func BitbucketRepository(repoUUID string) Subject {
	return Subject{Kind: KindBitbucket, Value: braced(repoUUID) + ":*", Wildcard: true}
}

// BitbucketEnvironment trusts the steps of one repository that deploy to
// one deployment environment: "{REPOSITORY_UUID}:{ENVIRONMENT_UUID}:*".
func BitbucketEnvironment(repoUUID, environmentUUID string) Subject {
	return Subject{Kind: KindBitbucket, Value: braced(repoUUID) + ":" + braced(environmentUUID) + ":*", Wildcard: true}
}

func braced(id string) string { return "{" + strings.Trim(id, "{}") + "}" }

// CircleCIProject trusts the jobs of one project, whoever triggered them:
// "org/ORG_ID/project/PROJECT_ID/user/*", a pattern bounded to the project.
func CircleCIProject(orgID, projectID string) Subject {
	return Subject{Kind: KindCircleCI, Value: "org/" + orgID + "/project/" + projectID + "/user/*", Wildcard: true}
}

// CircleCIUser trusts the jobs of one project triggered by one user:
// "org/ORG_ID/project/PROJECT_ID/user/USER_ID".
func CircleCIUser(orgID, projectID, userID string) Subject {
	return Subject{Kind: KindCircleCI, Value: "org/" + orgID + "/project/" + projectID + "/user/" + userID}
}

// RunPhase is the phase of an HCP Terraform run a token is issued for.
type RunPhase string

// The two run phases.
const (
	RunPhasePlan  RunPhase = "plan"
	RunPhaseApply RunPhase = "apply"
)

// TerraformWorkspace trusts one run phase of one HCP Terraform (or
// Terraform Enterprise) workspace:
// organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE.
// The default project is named "Default Project". Give two subjects (or
// two roles, a read-only one for plan) to trust both phases.
func TerraformWorkspace(org, project, workspace string, phase RunPhase) Subject {
	return Subject{Kind: KindTerraform,
		Value: "organization:" + org + ":project:" + project + ":workspace:" + workspace + ":run_phase:" + string(phase)}
}

// BuildkiteBranch trusts every step of every build of one branch of a
// pipeline: organization:ORG:pipeline:PIPELINE:ref:refs/heads/BRANCH:commit:*:step:*,
// the pattern Buildkite's own preset uses (the commit and the step change
// from build to build).
func BuildkiteBranch(org, pipeline, branch string) Subject {
	return Subject{Kind: KindBuildkite, Wildcard: true,
		Value: "organization:" + org + ":pipeline:" + pipeline + ":ref:refs/heads/" + branch + ":commit:*:step:*"}
}

// BuildkiteBranchStep is BuildkiteBranch restricted to one step key.
func BuildkiteBranchStep(org, pipeline, branch, stepKey string) Subject {
	return Subject{Kind: KindBuildkite, Wildcard: true,
		Value: "organization:" + org + ":pipeline:" + pipeline + ":ref:refs/heads/" + branch + ":commit:*:step:" + stepKey}
}

// ---- checks ----

// problem is one thing wrong with a subject value, with its severity.
type problem struct {
	sev  Severity
	rule string
}

func crit(format string, args ...any) []problem {
	return []problem{{SeverityCritical, fmt.Sprintf(format, args...)}}
}

func warn(format string, args ...any) []problem {
	return []problem{{SeverityWarning, fmt.Sprintf(format, args...)}}
}

func worst(ps []problem) Severity {
	s := Severity(0)
	for _, p := range ps {
		s = max(s, p.sev)
	}
	return s
}

func hasWild(s string) bool { return strings.ContainsAny(s, "*?") }

func endsWithWild(s string) bool { return strings.HasSuffix(s, "*") }

// everyPrefix reports a pattern whose first wildcard falls in the fixed
// prefix of the format, or right after it with nothing literal following:
// it matches every subject of the issuer.
func everyPrefix(v, prefix, msg string) ([]problem, bool) {
	w := strings.IndexAny(v, "*?")
	if w < 0 {
		return nil, false
	}
	if w < len(prefix) && strings.HasPrefix(prefix, v[:w]) {
		return crit("%s", msg), true
	}
	if w == len(prefix) && strings.HasPrefix(v, prefix) && strings.Trim(v[w:], "*?") == "" {
		return crit("%s", msg), true
	}
	return nil, false
}

var (
	ghOwnerRe    = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)
	ghNameRe     = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	gitlabSegRe  = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)
	tfNameRe     = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	tfProjectRe  = regexp.MustCompile(`^[A-Za-z0-9 _-]+$`)
	bkSlugRe     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*)$`)
	shaRe        = regexp.MustCompile(`^[0-9a-f]{40}$`)
	hyphenIDRe   = regexp.MustCompile(`^(.+)-([0-9]{4,})$`)
	bracedUUIDRe = regexp.MustCompile(`^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$`)
)

// noWild returns s without its wildcard characters, for character checks.
func noWild(s string) string { return strings.NewReplacer("*", "", "?", "").Replace(s) }

// nameWildcard is the problem of a wildcard in a repository-level name.
func nameWildcard(allow bool, what, name, owner string) []problem {
	plural := what + "s"
	if p, ok := strings.CutSuffix(what, "y"); ok {
		plural = p + "ies"
	}
	if allow {
		return []problem{{SeverityInfo, fmt.Sprintf("has a wildcard in the %s name %q (allowed by AllowNameWildcard): matches other %s of %q", what, name, plural, owner)}}
	}
	return warn("has a wildcard in the %s name %q: matches other %s of %q; set AllowNameWildcard to allow it", what, name, plural, owner)
}

// refNameFault returns why a branch or tag name is not one git accepts
// (git check-ref-format), or "". Wildcards are checked elsewhere.
func refNameFault(name, what string) string {
	switch {
	case name == "":
		return what + " name is empty"
	case strings.ContainsAny(name, ": ~^\\[") || strings.ContainsFunc(name, unicode.IsControl) || strings.Contains(name, "\x7f"):
		return fmt.Sprintf("%s name %q is not a valid git ref name (no spaces, control characters or any of : ~ ^ \\ [)", what, name)
	case strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") || name == "@" ||
		strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock"):
		return fmt.Sprintf("%s name %q is not a valid git ref name", what, name)
	}
	return ""
}

func refProblem(name, what string) []problem {
	if f := refNameFault(name, what); f != "" {
		return warn("%s", f)
	}
	return nil
}

// analyzeSubject checks a claim value in the format of kind. Wildcard
// characters are read as wildcards (the caller decides whether StringLike
// is used); hostPath is the issuer's (for CircleCI's organization).
func analyzeSubject(kind Kind, hostPath, claim, v string, allowName bool) []problem {
	if claim == ClaimJobWorkflowRef {
		return analyzeJobWorkflowRef(v, allowName)
	}
	switch kind {
	case KindGitHub:
		return analyzeGitHub(v, allowName)
	case KindGitLab:
		return analyzeGitLab(v, allowName)
	case KindBitbucket:
		return analyzeBitbucket(v)
	case KindCircleCI:
		return analyzeCircleCI(v, circleOrg(hostPath), allowName)
	case KindTerraform:
		return analyzeTerraform(v, allowName)
	case KindBuildkite:
		return analyzeBuildkite(v, allowName)
	}
	if ps, ok := everyPrefix(v, "", "matches every subject of the issuer"); ok {
		return ps
	}
	return nil
}

func analyzeGitHub(v string, allowName bool) []problem {
	const pfx = "repo:"
	if ps, ok := everyPrefix(v, pfx, "matches every repository"); ok {
		return ps
	}
	if !strings.HasPrefix(v, pfx) {
		return warn(`is not a GitHub subject in the default format "repo:OWNER/REPO:..." (customized subject templates are not supported)`)
	}
	repo, ctx, hasCtx := strings.Cut(v[len(pfx):], ":")
	owner, name, hasSlash := strings.Cut(repo, "/")
	// The immutable form appends the IDs: OWNER@OWNER_ID/REPO@REPOSITORY_ID.
	var ps []problem
	owner, name, ps = immutableIDs(owner, name, hasSlash)
	ps = append(ps, githubRepo(owner, name, hasSlash, allowName)...)
	if worst(ps) == SeverityCritical {
		return ps
	}
	if o, n := hyphenIDRe.FindStringSubmatch(owner), hyphenIDRe.FindStringSubmatch(name); o != nil && n != nil {
		ps = append(ps, problem{SeverityInfo, fmt.Sprintf("names %s/%s, the form of GitHub's 2026-04-23 changelog example for immutable subjects; "+
			"GitHub's documented immutable form is repo:%s@%s/%s@%s:... (\"@\"), and as written this is the mutable subject of the owner %q",
			owner, name, o[1], o[2], n[1], n[2], owner)})
	}
	if !hasCtx {
		if !endsWithWild(repo) {
			ps = append(ps, warn("names no context after the repository: expected repo:OWNER/REPO:ref:refs/heads/BRANCH, :ref:refs/tags/TAG, :environment:NAME or :pull_request")...)
		}
		return ps
	}
	switch {
	case ctx == "pull_request":
	case strings.HasPrefix(ctx, "ref:refs/heads/"):
		ps = append(ps, refProblem(strings.TrimPrefix(ctx, "ref:refs/heads/"), "branch")...)
	case strings.HasPrefix(ctx, "ref:refs/tags/"):
		ps = append(ps, refProblem(strings.TrimPrefix(ctx, "ref:refs/tags/"), "tag")...)
	case strings.HasPrefix(ctx, "environment:"):
		env := strings.TrimPrefix(ctx, "environment:")
		switch {
		case env == "":
			ps = append(ps, warn("environment name is empty")...)
		case strings.ContainsFunc(env, unicode.IsControl) || len(env) > 255:
			ps = append(ps, warn("environment name %q is not a valid GitHub environment name (at most 255 characters, no control characters)", env)...)
		}
	case hasWild(ctx):
		// A pattern over the context, bounded by the repository.
	default:
		ps = append(ps, warn("has an unknown context %q: expected ref:refs/heads/BRANCH, ref:refs/tags/TAG, environment:NAME or pull_request", ctx)...)
	}
	return ps
}

// immutableIDs strips the "@ID" of an immutable subject's owner and
// repository name, checking the IDs; a wildcard in an ID stays with the
// name, so githubRepo judges it as one in the owner or the name.
func immutableIDs(owner, name string, hasSlash bool) (string, string, []problem) {
	var ps []problem
	o, oid, oat := splitImmutable(owner)
	n, rid, rat := splitImmutable(name)
	if hasWild(oid) || hasWild(rid) {
		if hasWild(oid) {
			o += "*"
		}
		if hasWild(rid) {
			n += "*"
		}
		return o, n, nil
	}
	if oat && !digitsRe.MatchString(oid) {
		ps = append(ps, warn("owner ID %q of the immutable subject must be GitHub's numeric ID", oid)...)
	}
	if rat && !digitsRe.MatchString(rid) {
		ps = append(ps, warn("repository ID %q of the immutable subject must be GitHub's numeric ID", rid)...)
	}
	if hasSlash && oat != rat {
		ps = append(ps, warn("names the IDs of only one of the owner and the repository: the immutable subject is repo:OWNER@OWNER_ID/REPO@REPOSITORY_ID")...)
	}
	return o, n, ps
}

// githubRepo checks the OWNER/REPO part of a GitHub claim.
func githubRepo(owner, name string, hasSlash, allowName bool) []problem {
	if hasWild(owner) {
		if strings.IndexAny(owner, "*?") == 0 {
			return crit("has a wildcard in the repository owner %q: matches repositories of any owner", owner)
		}
		return crit("has a wildcard in the repository owner %q: matches repositories of other owners", owner)
	}
	if !hasSlash && hasWild(name) {
		return crit("has a wildcard in the repository owner: matches repositories of other owners")
	}
	var ps []problem
	switch {
	case owner == "":
		return warn("repository owner is empty")
	case !ghOwnerRe.MatchString(owner) || len(owner) > 39:
		return warn("repository owner %q is not a valid GitHub user or organization name", owner)
	case !hasSlash:
		return warn("must name the repository as OWNER/REPO")
	case name == "":
		return warn("repository name is empty")
	}
	if hasWild(name) {
		ps = append(ps, nameWildcard(allowName, "repository", name, owner)...)
	}
	if n := noWild(name); n != "" && (!ghNameRe.MatchString(n) || len(name) > 100) {
		ps = append(ps, warn("repository name %q is not a valid GitHub repository name", name)...)
	}
	return ps
}

func analyzeJobWorkflowRef(v string, allowName bool) []problem {
	if ps, ok := everyPrefix(v, "", "matches every reusable workflow of every repository"); ok {
		return ps
	}
	left, ref, hasRef := strings.Cut(v, "@")
	parts := strings.SplitN(left, "/", 3)
	owner, name := parts[0], ""
	if len(parts) > 1 {
		name = parts[1]
	}
	ps := githubRepo(owner, name, len(parts) > 1, allowName)
	if worst(ps) == SeverityCritical {
		return ps
	}
	switch {
	case len(parts) < 3:
		if !endsWithWild(left) {
			ps = append(ps, warn("must be OWNER/REPO/.github/workflows/FILE.yml@REF")...)
		}
	case !hasWild(parts[2]):
		p := parts[2]
		if !strings.HasPrefix(p, ".github/workflows/") || strings.Contains(p, "..") ||
			!(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) || strings.Count(p, "/") != 2 {
			ps = append(ps, warn("workflow path %q must be .github/workflows/FILE.yml (or .yaml)", p)...)
		}
	}
	switch {
	case !hasRef:
		if !endsWithWild(v) {
			ps = append(ps, warn("has no @REF (refs/heads/BRANCH, refs/tags/TAG or a commit SHA)")...)
		}
	case ref == "":
		ps = append(ps, warn("ref is empty")...)
	case hasWild(ref):
	case strings.HasPrefix(ref, "refs/heads/"):
		ps = append(ps, refProblem(strings.TrimPrefix(ref, "refs/heads/"), "branch")...)
	case strings.HasPrefix(ref, "refs/tags/"):
		ps = append(ps, refProblem(strings.TrimPrefix(ref, "refs/tags/"), "tag")...)
	case shaRe.MatchString(ref):
	default:
		ps = append(ps, warn("ref %q must be refs/heads/BRANCH, refs/tags/TAG or a 40-character commit SHA", ref)...)
	}
	return ps
}

func analyzeGitLab(v string, allowName bool) []problem {
	const pfx = "project_path:"
	if ps, ok := everyPrefix(v, pfx, "matches every project of the GitLab instance"); ok {
		return ps
	}
	if !strings.HasPrefix(v, pfx) {
		return warn(`is not a GitLab subject in the default format "project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH"`)
	}
	path, ctx, hasCtx := strings.Cut(v[len(pfx):], ":")
	segs := strings.Split(path, "/")
	group, name := segs[:len(segs)-1], segs[len(segs)-1]
	for _, g := range group {
		if hasWild(g) {
			return crit("has a wildcard in the group path %q: matches projects of other groups", strings.Join(group, "/"))
		}
	}
	if len(segs) < 2 {
		if hasWild(path) {
			return crit("has a wildcard in the group %q: matches projects of other groups", path)
		}
		return warn("must name the project as GROUP/PROJECT")
	}
	for _, s := range segs {
		if s == "" {
			return warn("project path %q has an empty segment", path)
		}
		if n := noWild(s); n != "" && !gitlabSegRe.MatchString(n) {
			return warn("project path %q is not a valid GitLab path", path)
		}
	}
	var ps []problem
	if hasWild(name) {
		ps = append(ps, nameWildcard(allowName, "project", name, strings.Join(group, "/"))...)
	}
	if !hasCtx {
		if !endsWithWild(path) {
			ps = append(ps, warn("names no ref: expected :ref_type:branch:ref:BRANCH or :ref_type:tag:ref:TAG after the project path")...)
		}
		return ps
	}
	switch {
	case strings.HasPrefix(ctx, "ref_type:branch:ref:"):
		ps = append(ps, refProblem(strings.TrimPrefix(ctx, "ref_type:branch:ref:"), "branch")...)
	case strings.HasPrefix(ctx, "ref_type:tag:ref:"):
		ps = append(ps, refProblem(strings.TrimPrefix(ctx, "ref_type:tag:ref:"), "tag")...)
	case hasWild(ctx):
	default:
		ps = append(ps, warn("has an unknown context %q: expected ref_type:branch:ref:BRANCH or ref_type:tag:ref:TAG", ctx)...)
	}
	return ps
}

func analyzeBitbucket(v string) []problem {
	if ps, ok := everyPrefix(v, "", "matches every repository of the workspace"); ok {
		return ps
	}
	parts := strings.Split(v, ":")
	repo := parts[0]
	if hasWild(repo) {
		return crit("has a wildcard in the repository UUID %q: matches other repositories of the workspace", repo)
	}
	if !bracedUUIDRe.MatchString(repo) {
		return warn("repository %q must be a UUID in braces, such as {6a1f7e42-52a4-4b52-9a0a-4d6d2f5e6b1c}", repo)
	}
	uuidOrWild := func(what, s string) []problem {
		if hasWild(s) || bracedUUIDRe.MatchString(s) {
			return nil
		}
		return warn("%s %q must be a UUID in braces or a wildcard", what, s)
	}
	switch len(parts) {
	case 1:
		return warn("names no step: expected {REPOSITORY_UUID}:{STEP_UUID} or {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}")
	case 2:
		return uuidOrWild("step", parts[1])
	case 3:
		return append(uuidOrWild("deployment environment", parts[1]), uuidOrWild("step", parts[2])...)
	}
	return warn("is not a Bitbucket subject: expected {REPOSITORY_UUID}:{STEP_UUID} or {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}")
}

// kv is a claim of alternating keywords and values ("organization:ORG:...").
type kv struct {
	vals    map[string]string
	covered bool   // a wildcard stands for the rest of the claim
	bad     string // a structural problem
}

func parseKV(parts, keywords []string) kv {
	r := kv{vals: map[string]string{}}
	for i, key := range keywords {
		k := 2 * i
		if k >= len(parts) {
			if !r.covered {
				r.bad = "has no " + key
			}
			return r
		}
		if parts[k] != key {
			if hasWild(parts[k]) {
				r.covered = true
				return r
			}
			if !r.covered {
				r.bad = fmt.Sprintf("has %q where %q is expected", parts[k], key)
			}
			return r
		}
		if k+1 >= len(parts) {
			r.bad = "has no value for " + key
			return r
		}
		r.vals[key] = parts[k+1]
		if hasWild(parts[k+1]) {
			r.covered = true
		}
	}
	if len(parts) > 2*len(keywords) && !r.covered {
		r.bad = "has more parts than expected"
	}
	return r
}

func analyzeCircleCI(v, issuerOrg string, allowName bool) []problem {
	const format = "org/ORG_ID/project/PROJECT_ID/user/USER_ID"
	if ps, ok := everyPrefix(v, "org/", "matches every project of the organization"); ok {
		return ps
	}
	r := parseKV(strings.Split(v, "/"), []string{"org", "project", "user"})
	org, hasOrg := r.vals["org"]
	if !hasOrg {
		return warn("is not a CircleCI subject: expected %s", format)
	}
	if hasWild(org) {
		return crit("has a wildcard in the organization ID %q: matches every project of the organization", org)
	}
	if r.bad != "" {
		return warn("is not a CircleCI subject (%s): expected %s", r.bad, format)
	}
	if !uuidRe.MatchString(org) {
		return warn("organization ID %q must be a UUID", org)
	}
	var ps []problem
	if issuerOrg != "" && org != issuerOrg {
		ps = append(ps, warn("organization %q is not the issuer's organization %q: matches no token", org, issuerOrg)...)
	}
	project, hasProject := r.vals["project"]
	switch {
	case !hasProject || hasWild(project):
		if !hasProject {
			project = "*"
		}
		ps = append(ps, nameWildcard(allowName, "project", project, org)...)
	case !uuidRe.MatchString(project):
		ps = append(ps, warn("project ID %q must be a UUID", project)...)
	}
	if user, ok := r.vals["user"]; ok && !hasWild(user) && !uuidRe.MatchString(user) {
		ps = append(ps, warn("user ID %q must be a UUID", user)...)
	}
	return ps
}

func analyzeTerraform(v string, allowName bool) []problem {
	const format = "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:plan|apply"
	if ps, ok := everyPrefix(v, "organization:", "matches every workspace of every organization of the issuer"); ok {
		return ps
	}
	parts := strings.Split(v, ":")
	keywords := []string{"organization", "project", "workspace", "run_phase"}
	var ps []problem
	if len(parts) > 2 && parts[2] == "workspace" {
		keywords = []string{"organization", "workspace", "run_phase"}
		ps = append(ps, problem{SeverityInfo, "uses the legacy format without the project (organization:ORG:workspace:WS:run_phase:PHASE), which HCP Terraform no longer issues"})
	}
	r := parseKV(parts, keywords)
	org, hasOrg := r.vals["organization"]
	if !hasOrg {
		return warn("is not an HCP Terraform subject: expected %s", format)
	}
	if hasWild(org) {
		return crit("has a wildcard in the organization %q: matches workspaces of other organizations", org)
	}
	if r.bad != "" {
		return warn("is not an HCP Terraform subject (%s): expected %s", r.bad, format)
	}
	if !tfNameRe.MatchString(org) {
		return warn("organization %q is not a valid HCP Terraform organization name", org)
	}
	for _, key := range keywords[1 : len(keywords)-1] {
		val, ok := r.vals[key]
		if !ok || hasWild(val) {
			if !ok {
				val = "*"
			}
			ps = append(ps, nameWildcard(allowName, key, val, org)...)
			if !ok {
				break
			}
			continue
		}
		re := tfNameRe
		if key == "project" {
			re = tfProjectRe
		}
		if !re.MatchString(val) {
			ps = append(ps, warn("%s %q is not a valid HCP Terraform %s name", key, val, key)...)
		}
	}
	if phase, ok := r.vals["run_phase"]; ok && !hasWild(phase) && phase != string(RunPhasePlan) && phase != string(RunPhaseApply) {
		ps = append(ps, warn("run_phase %q must be plan or apply", phase)...)
	}
	return ps
}

func analyzeBuildkite(v string, allowName bool) []problem {
	const format = "organization:ORG:pipeline:PIPELINE:ref:REF:commit:COMMIT:step:STEP"
	if ps, ok := everyPrefix(v, "organization:", "matches pipelines of every Buildkite organization (the issuer is shared by all of them)"); ok {
		return ps
	}
	r := parseKV(strings.Split(v, ":"), []string{"organization", "pipeline", "ref", "commit", "step"})
	org, hasOrg := r.vals["organization"]
	if !hasOrg {
		return warn("is not a Buildkite subject: expected %s", format)
	}
	if hasWild(org) {
		return crit("has a wildcard in the organization %q: matches pipelines of other Buildkite organizations (the issuer is shared by all of them)", org)
	}
	if r.bad != "" {
		return warn("is not a Buildkite subject (%s): expected %s", r.bad, format)
	}
	if !bkSlugRe.MatchString(org) {
		return warn("organization slug %q is not a valid Buildkite slug", org)
	}
	var ps []problem
	pipeline, hasPipeline := r.vals["pipeline"]
	switch {
	case !hasPipeline || hasWild(pipeline):
		if !hasPipeline {
			pipeline = "*"
		}
		return append(ps, nameWildcard(allowName, "pipeline", pipeline, org)...)
	case !bkSlugRe.MatchString(pipeline):
		return warn("pipeline slug %q is not a valid Buildkite slug", pipeline)
	}
	if ref, ok := r.vals["ref"]; ok && !hasWild(ref) {
		switch {
		case ref == "":
			ps = append(ps, warn("ref is empty")...)
		case strings.HasPrefix(ref, "refs/heads/"):
			ps = append(ps, refProblem(strings.TrimPrefix(ref, "refs/heads/"), "branch")...)
		case strings.HasPrefix(ref, "refs/tags/"):
			ps = append(ps, refProblem(strings.TrimPrefix(ref, "refs/tags/"), "tag")...)
		default:
			ps = append(ps, warn("ref %q must be a full ref such as refs/heads/main", ref)...)
		}
	}
	if c, ok := r.vals["commit"]; ok && !hasWild(c) && !shaRe.MatchString(c) {
		ps = append(ps, warn("commit %q must be a 40-character commit SHA or a wildcard", c)...)
	}
	return ps
}
