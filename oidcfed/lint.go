package oidcfed

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
)

// Severity ranks a Finding.
type Severity int

// The severities, from harmless to dangerous.
const (
	// SeverityInfo: harmless, but not what was probably meant (StringLike
	// without a wildcard).
	SeverityInfo Severity = iota + 1
	// SeverityWarning: weaker than it should be or matching nothing (no aud
	// condition, a Federated principal that is not an OIDC provider, a
	// wildcard in a repository name, a malformed subject).
	SeverityWarning
	// SeverityCritical: lets identities the owner did not mean assume the
	// role (no sub condition, "repo:*", a wildcard owner, Principal "*",
	// ForAllValues on a single-valued key).
	SeverityCritical
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Finding is one problem Lint found in a trust policy.
type Finding struct {
	Severity Severity
	// Path locates the element: `Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]`.
	Path string
	// Value is the offending value, when there is one.
	Value string
	// Rule says what is wrong.
	Rule string
}

// String renders the finding on one line:
//
//	critical: Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]: "repo:*": matches every repository
func (f Finding) String() string {
	if f.Value != "" {
		return fmt.Sprintf("%s: %s: %q: %s", f.Severity, f.Path, f.Value, f.Rule)
	}
	return fmt.Sprintf("%s: %s: %s", f.Severity, f.Path, f.Rule)
}

// ErrDangerousTrust is what a *LintError unwraps to.
var ErrDangerousTrust = errors.New("dangerous trust policy")

// LintError carries the findings FindingsError was given at or above its
// threshold. It unwraps to ErrDangerousTrust.
type LintError struct {
	Findings []Finding
}

func (e *LintError) Error() string {
	parts := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		parts[i] = f.String()
	}
	return fmt.Sprintf("oidcfed: trust policy: %d finding(s): %s", len(e.Findings), strings.Join(parts, "; "))
}

// Unwrap makes errors.Is(err, ErrDangerousTrust) true.
func (e *LintError) Unwrap() error { return ErrDangerousTrust }

// FindingsError returns a *LintError holding the findings of severity min
// or above, or nil when there are none. FindingsError(Lint(doc),
// SeverityWarning) is how a program refuses a trust policy it is given.
func FindingsError(findings []Finding, min Severity) error {
	var keep []Finding
	for _, f := range findings {
		if f.Severity >= min {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &LintError{Findings: keep}
}

// WebIdentityAction is the action a web identity trust statement allows.
const WebIdentityAction = "sts:AssumeRoleWithWebIdentity"

// publicWebIdentityProviders are the Federated principals that are not IAM
// OIDC providers but that AssumeRoleWithWebIdentity accepts; their
// condition keys are "NAME:sub", "NAME:aud".
var publicWebIdentityProviders = map[string]bool{
	"accounts.google.com":            true,
	"graph.facebook.com":             true,
	"www.amazon.com":                 true,
	"cognito-identity.amazonaws.com": true,
}

// Lint checks a role trust policy (any document, such as one read from
// GetRole and parsed with foundation.ParsePolicy) for trust that is wider
// than it looks, and returns what it finds, most severe first. It applies to
// the Allow statements that allow sts:AssumeRoleWithWebIdentity, and reports:
//
//   - critical: Principal "*" (or {"AWS": "*"}) or NotPrincipal;
//   - critical: no sub condition on an OIDC principal (StringEquals or
//     StringLike on KEY:sub; negated operators do not restrict);
//   - critical: a subject pattern that matches every repository ("repo:*"),
//     a wildcard in the owner ("repo:*/x", "repo:org*"), the GitLab group,
//     the Terraform, Buildkite or CircleCI organization, or the Bitbucket
//     repository;
//   - critical: ForAllValues on a single-valued key (every OIDC claim but
//     amr): it is true when the key is absent;
//   - warning: a wildcard in a repository (project, workspace, pipeline)
//     name; a subject that is not in its issuer's format or names no ref;
//   - or ? under StringEquals (compared literally: matches nothing);
//     IfExists on sub or aud; no aud condition, or a wildcard audience; the
//     KEY:iss key (meaningless: STS checks the issuer itself); a Federated
//     principal that is not an IAM OIDC provider; an Action wider than
//     sts:AssumeRoleWithWebIdentity or a NotAction;
//   - info: StringLike on a value without a wildcard (harmless: StringEquals
//     says the same); a legacy HCP Terraform subject.
//
// The subject formats are those of the presets (GitHub, GitLab, Bitbucket,
// CircleCI, HCPTerraform, Buildkite); the issuer is recognised by the
// provider's host (a self-managed GitLab or Terraform Enterprise by its
// subjects). Statements with other principals and Deny statements are not
// checked. A nil document has no findings.
func Lint(document *foundation.PolicyDocument) []Finding {
	if document == nil {
		return nil
	}
	var out []Finding
	for i, st := range document.Statement {
		out = append(out, lintStatement(i, st)...)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Severity > out[b].Severity })
	return out
}

func lintStatement(i int, st foundation.Statement) []Finding {
	if st.Effect != foundation.EffectAllow {
		return nil
	}
	path := fmt.Sprintf("Statement[%d]", i)
	var out []Finding
	add := func(sev Severity, p, v, rule string) { out = append(out, Finding{sev, p, v, rule}) }

	covered := false
	for _, a := range st.Action {
		if globMatch(strings.ToLower(a), strings.ToLower(WebIdentityAction)) {
			covered = true
			if hasWild(a) {
				add(SeverityWarning, path+".Action", a, "allows more than "+WebIdentityAction+"; name the action")
			}
		}
	}
	if len(st.NotAction) > 0 {
		excluded := false
		for _, a := range st.NotAction {
			if globMatch(strings.ToLower(a), strings.ToLower(WebIdentityAction)) {
				excluded = true
			}
		}
		if !excluded {
			covered = true
			add(SeverityWarning, path+".NotAction", "", "Allow with NotAction allows "+WebIdentityAction+" and every other action not listed")
		}
	}
	if !covered {
		return nil
	}
	if st.NotPrincipal != nil {
		add(SeverityCritical, path+".NotPrincipal", "", "Allow with NotPrincipal on "+WebIdentityAction+" trusts every principal not listed")
		return out
	}
	if st.Principal == nil {
		return out
	}
	if st.Principal.Wildcard || contains(st.Principal.AWS, "*") {
		add(SeverityCritical, path+".Principal", "*", "Allow with Principal \"*\" on "+WebIdentityAction+" trusts every identity provider's tokens")
	}
	for j, fed := range st.Principal.Federated {
		fpath := fmt.Sprintf("%s.Principal.Federated[%d]", path, j)
		prefix, ok := oidcProviderHostPath(fed)
		if !ok {
			if !publicWebIdentityProviders[fed] {
				add(SeverityWarning, fpath, fed, "is not an IAM OIDC provider (arn:aws:iam::ACCOUNT:oidc-provider/HOST): not a CI trust this package can check")
				continue
			}
			add(SeverityWarning, fpath, fed, "is a public web identity provider, not an IAM OIDC provider: anyone with an account there gets tokens; the conditions must pin the audience and subject")
			prefix = fed
		}
		out = append(out, lintConditions(path, st.Condition, prefix)...)
	}
	return out
}

// oidcProviderHostPath returns the HOSTPATH of an IAM OIDC provider ARN.
func oidcProviderHostPath(s string) (string, bool) {
	a, err := arn.Parse(s)
	if err != nil || !strings.HasPrefix(a.Partition, "aws") || a.Service != "iam" {
		return "", false
	}
	hp, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	if !ok || hp == "" {
		return "", false
	}
	return hp, true
}

// splitOperator splits a condition operator into its set qualifier
// ("ForAllValues", "ForAnyValue" or ""), base operator and IfExists flag.
func splitOperator(op string) (qualifier, base string, ifExists bool) {
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
	}
	base, ifExists = strings.CutSuffix(op, "IfExists")
	return qualifier, base, ifExists
}

type subValue struct {
	path, value string
	like        bool
}

func lintConditions(path string, cond foundation.Conditions, prefix string) []Finding {
	var out []Finding
	add := func(sev Severity, p, v, rule string) { out = append(out, Finding{sev, p, v, rule}) }
	lp := strings.ToLower(prefix) + ":"
	var subs, jwrs []subValue
	audSeen := false
	for _, op := range sortedKeys(cond) {
		qualifier, base, ifExists := splitOperator(op)
		for _, key := range sortedKeys(cond[op]) {
			vals := cond[op][key]
			kpath := fmt.Sprintf("%s.Condition[%q][%q]", path, op, key)
			like := base == "StringLike" || base == "StringNotLike"
			if like {
				for _, v := range vals {
					if !hasWild(v) {
						add(SeverityInfo, kpath, v, "StringLike on a value without a wildcard: harmless, StringEquals says the same")
					}
				}
			}
			lk := strings.ToLower(key)
			if !strings.HasPrefix(lk, lp) {
				continue
			}
			claim := lk[len(lp):]
			if qualifier == "ForAllValues" && claim != "amr" {
				add(SeverityCritical, kpath, "", fmt.Sprintf("ForAllValues on the single-valued key %s: true when the key is absent; use %s", key, base))
			}
			positive := base == "StringEquals" || base == "StringLike" || base == "StringEqualsIgnoreCase"
			switch claim {
			case "iss":
				add(SeverityWarning, kpath, "", "a condition on the issuer is meaningless: STS checks the token's issuer against the provider itself")
			case "sub", "aud", ClaimJobWorkflowRef:
				if !positive {
					continue
				}
				if ifExists {
					add(SeverityWarning, kpath, "", fmt.Sprintf("%s with IfExists is true when the claim is absent; drop IfExists", op))
				}
				for _, v := range vals {
					sv := subValue{kpath, v, base == "StringLike"}
					switch claim {
					case "sub":
						subs = append(subs, sv)
					case ClaimJobWorkflowRef:
						jwrs = append(jwrs, sv)
					case "aud":
						audSeen = true
						if sv.like && strings.Trim(v, "*?") == "" || v == "" {
							add(SeverityWarning, kpath, v, "the audience is a wildcard: pin it with StringEquals")
						} else if sv.like && hasWild(v) {
							add(SeverityWarning, kpath, v, "the audience is a pattern: pin it with StringEquals")
						}
					}
				}
			}
		}
	}
	if len(subs) == 0 {
		add(SeverityCritical, path+".Condition", "", fmt.Sprintf("has no condition on %s:sub: every identity %s issues tokens for can assume the role%s",
			prefix, prefix, everyoneHint(prefix)))
	}
	if !audSeen {
		add(SeverityWarning, path+".Condition", "", fmt.Sprintf("has no condition on %s:aud: pin the audience with StringEquals", prefix))
	}
	kind := kindForHostPath(prefix)
	if kind == "" {
		kind = guessKind(subs)
	}
	check := func(svs []subValue, claim string) {
		for _, sv := range svs {
			if !sv.like {
				if hasWild(sv.value) {
					add(SeverityWarning, sv.path, sv.value, "StringEquals compares * and ? literally, so this value matches no token; use StringLike for a pattern")
				}
				continue
			}
			for _, p := range analyzeSubject(kind, prefix, claim, sv.value, false) {
				add(p.sev, sv.path, sv.value, p.rule)
			}
		}
	}
	check(subs, ClaimSub)
	if kind == KindGitHub {
		check(jwrs, ClaimJobWorkflowRef)
	}
	// Exact values are checked for their format too (a typo such as a
	// missing "repo:" matches nothing).
	for _, sv := range subs {
		if sv.like || hasWild(sv.value) || kind == "" {
			continue
		}
		for _, p := range analyzeSubject(kind, prefix, ClaimSub, sv.value, false) {
			add(p.sev, sv.path, sv.value, p.rule)
		}
	}
	return out
}

func everyoneHint(prefix string) string {
	switch kindForHostPath(prefix) {
	case KindGitHub:
		return " (every workflow of every repository on GitHub)"
	case KindBuildkite:
		return " (every pipeline of every Buildkite organization)"
	case KindTerraform:
		return " (every workspace of every HCP Terraform organization)"
	case KindGitLab:
		return " (every project on gitlab.com)"
	}
	return ""
}

// guessKind recognises a self-managed GitLab or Terraform Enterprise by the
// format of its subjects.
func guessKind(subs []subValue) Kind {
	for _, s := range subs {
		switch {
		case strings.HasPrefix(s.value, "project_path:"):
			return KindGitLab
		case strings.HasPrefix(s.value, "organization:") && strings.Contains(s.value, ":workspace:"):
			return KindTerraform
		}
	}
	return ""
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// globMatch matches s against an IAM wildcard pattern (awsrules.Glob).
func globMatch(pattern, s string) bool { return awsrules.Glob(pattern, s, false) }
