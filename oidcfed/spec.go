package oidcfed

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/iamrole"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "oidcfed"

func invalid(field, value, rule string) error { return specerr.New(pkg, field, value, rule) }

// ProviderSpec is the IAM OIDC identity provider wanted. Issuer.ProviderSpec
// builds one from a preset.
type ProviderSpec struct {
	// URL is the issuer URL ("https://token.actions.githubusercontent.com").
	URL string
	// ClientIDs are the audiences the provider accepts: exactly this set is
	// converged (client IDs not listed are removed). At least one.
	ClientIDs []string
	// Thumbprints, when set, are the SHA-1 fingerprints (40 hex digits) of
	// the issuer's certificate authority, converged as a set. AWS validates
	// the well-known CI issuers (GitHub, GitLab, ...) against its trusted
	// certificate authorities and ignores thumbprints for them; leave this
	// empty unless an issuer needs them. Empty leaves the provider's
	// thumbprints as they are.
	Thumbprints []string
	// Tags are put on the provider; tags with other keys are kept. A
	// provider EnsureProvider creates also carries managed-by=foundation
	// (foundation.ManagedByTagKey), which Tags may not set to another
	// value.
	Tags map[string]string

	// Adopt converges a provider made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (client IDs the spec does not
	// list are left on it). Without Adopt such a provider is a
	// *foundation.NotManagedError, before any write.
	Adopt bool
}

// Defaults and limits of a RoleSpec.
const (
	// DefaultMaxSessionDuration is the longest session of a role whose spec
	// leaves MaxSessionDuration zero, and AWS's default.
	DefaultMaxSessionDuration = iamrole.DefaultMaxSessionDuration
	// MaxInlinePoliciesSize is IAM's limit on the total size of a role's
	// inline policies, in characters (whitespace excluded).
	MaxInlinePoliciesSize = iamrole.MaxInlinePoliciesSize
	// MaxManagedPolicies is the largest number of managed policies IAM lets
	// a role have (the default quota is 10, adjustable up to 20).
	MaxManagedPolicies = iamrole.MaxManagedPolicies
)

// RoleSpec is a role that CI jobs assume with AssumeRoleWithWebIdentity.
type RoleSpec struct {
	// Name is the role's name (required, 1-64 of letters, digits and
	// + = , . @ _ -).
	Name string
	// Path is the role's path, "/" by default. IAM cannot change the path
	// of an existing role: a role of this name at another path is a
	// *RoleConflictError.
	Path string
	// Description of the role (at most 1000 characters); converged.
	Description string

	// Issuer is the CI system (a preset such as GitHub()); required.
	Issuer Issuer
	// ProviderARN is the ARN of the issuer's IAM OIDC provider, the
	// trust policy's Federated principal (EnsureProvider returns it;
	// Issuer.ProviderARN builds it). Its name must be the issuer's host and
	// path. In a dry run it may be the ARN EnsureProvider predicted for a
	// provider it would create (plan.IsPredicted): the role is planned
	// with it. A real run refuses a predicted ARN.
	ProviderARN string
	// Audiences pinned with StringEquals on the aud claim; default
	// Issuer.Audiences. Never empty, never a wildcard.
	Audiences []string
	// Subjects are who may assume the role; at least one sub subject.
	Subjects []Subject
	// Conditions are extra conditions added to every trust statement, such
	// as {"StringEquals": {"token.actions.githubusercontent.com:repository_id": {"123456"}}}.
	// They may not name the issuer's sub, aud or iss keys, nor use
	// ForAllValues on its single-valued keys.
	Conditions foundation.Conditions

	// Repository is the GitHub repository the sub subjects name, with its
	// immutable IDs when the caller knows them (GitHub issuer only). With
	// it, the subjects of this repository, built with its name
	// (GitHubBranch(repo.FullName(), "main")), are written in
	// SubjectFormat. The zero value leaves the subjects as they are.
	Repository GitHubRepository
	// SubjectFormat is the form of Repository's subjects the role trusts:
	// mutable, immutable, or both during a cutover (SubjectMigration). The
	// zero value is immutable when Repository's IDs are known and mutable
	// otherwise.
	SubjectFormat SubjectFormat
	// Claims are provider claims the trust policy requires, by claim name
	// ({"repository_id": {"456789"}}): StringEquals on
	// ISSUER:CLAIM, which AWS STS checks against the token since 2026-01.
	// GitHub issuer only; the names are GitHubClaims. Pinning
	// repository_id keeps a role to one repository whatever its name.
	Claims map[string][]string

	// MaxSessionDuration is the longest session, 1 to 12 hours; default
	// one hour. Converged.
	MaxSessionDuration time.Duration

	// InlinePolicies are the role's inline policies, by name; each is put
	// when missing or different in meaning (foundation.PolicyDocument.Equal).
	InlinePolicies map[string]*foundation.PolicyDocument
	// PruneInlinePolicies deletes the role's inline policies that are not
	// in InlinePolicies. Default: they are kept (and not reported).
	PruneInlinePolicies bool
	// ManagedPolicyARNs are the managed policies attached to the role. By
	// default the attachments converge to exactly this set: policies
	// attached by hand are detached (a CI role's permissions are what its
	// spec says).
	ManagedPolicyARNs []string
	// KeepUnlistedManagedPolicies turns the exact set into an additive one:
	// listed policies are attached, others are left attached.
	KeepUnlistedManagedPolicies bool
	// PermissionsBoundary is the ARN of the managed policy set as the
	// role's permissions boundary; converged when set. Empty leaves the
	// boundary as it is (a boundary set by an administrator is never
	// removed by omission).
	PermissionsBoundary string
	// RemovePermissionsBoundary removes the role's permissions boundary.
	// It excludes PermissionsBoundary.
	RemovePermissionsBoundary bool
	// Tags are put on the role; tags with other keys are kept. A role
	// EnsureCIRole creates also carries managed-by=foundation
	// (foundation.ManagedByTagKey), which Tags may not set to another
	// value.
	Tags map[string]string

	// Adopt converges a role made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (managed and inline policies the
	// spec does not list are left on it). Without Adopt such a role is a
	// *foundation.NotManagedError, before any write. A CI role of the name
	// made by someone else is a takeover path: adopt it only knowingly.
	Adopt bool
}

var (
	providerARNRe = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):oidc-provider/(.+)$`)
	thumbprintRe  = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec; EnsureProvider calls it before any call.
func (s ProviderSpec) Validate() error { return errors.Join(s.faults()...) }

func (s ProviderSpec) faults() []error {
	errs := urlFaults("spec.URL", s.URL)
	errs = append(errs, audienceFaults("spec.ClientIDs", s.ClientIDs, "client ID")...)
	if len(s.ClientIDs) > 100 {
		errs = append(errs, invalid("spec.ClientIDs", "", fmt.Sprintf("must have at most 100 client IDs, has %d", len(s.ClientIDs))))
	}
	if len(s.Thumbprints) > 5 {
		errs = append(errs, invalid("spec.Thumbprints", "", fmt.Sprintf("must have at most 5 thumbprints, has %d", len(s.Thumbprints))))
	}
	seen := map[string]int{}
	for i, t := range s.Thumbprints {
		f := fmt.Sprintf("spec.Thumbprints[%d]", i)
		if !thumbprintRe.MatchString(t) {
			errs = append(errs, invalid(f, t, "must be a SHA-1 fingerprint: 40 hexadecimal digits"))
			continue
		}
		if j, dup := seen[strings.ToLower(t)]; dup {
			errs = append(errs, invalid(f, t, fmt.Sprintf("duplicates spec.Thumbprints[%d]", j)))
		}
		seen[strings.ToLower(t)] = i
	}
	return append(errs, awsrules.OwnedTagFaults(pkg, "spec.Tags", s.Tags, awsrules.MaxTags)...)
}

func urlFaults(field, u string) []error {
	errs, _ := parseIssuerURL(field, u)
	return errs
}

func audienceFaults(field string, auds []string, what string) []error {
	var errs []error
	if len(auds) == 0 {
		return []error{invalid(field, "", fmt.Sprintf("audience missing: at least one %s is required (it is pinned with StringEquals on the aud claim)", what))}
	}
	seen := map[string]int{}
	for i, a := range auds {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case strings.TrimSpace(a) == "":
			errs = append(errs, invalid(f, a, what+" must not be empty"))
		case hasWild(a):
			errs = append(errs, invalid(f, a, what+" must not be a wildcard: the audience is pinned exactly"))
		case strings.Contains(a, "${"):
			errs = append(errs, invalid(f, a, what+` must not contain "${" (IAM would read a policy variable)`))
		case len(a) > 255:
			errs = append(errs, invalid(f, a, what+" must be at most 255 characters"))
		}
		if j, dup := seen[a]; dup {
			errs = append(errs, invalid(f, a, fmt.Sprintf("duplicates %s[%d]", field, j)))
		}
		seen[a] = i
	}
	return errs
}

// withDefaults returns the spec with zero fields set to their defaults.
func (s RoleSpec) withDefaults() RoleSpec {
	if s.Path == "" {
		s.Path = "/"
	}
	if len(s.Audiences) == 0 {
		s.Audiences = s.Issuer.Audiences
	}
	if s.MaxSessionDuration == 0 {
		s.MaxSessionDuration = DefaultMaxSessionDuration
	}
	return s
}

// Validate reports every fault of the spec (defaults applied) in one error
// matching foundation.ErrInvalidSpec, each a *foundation.SpecError naming
// the field and the rule:
//
//	oidcfed: spec.Subjects[0]: "repo:*": matches every repository
//
// EnsureCIRole calls it before any call. Validate checks the spec for a
// real run: a ProviderARN predicted by a dry run is refused (EnsureCIRole
// accepts it in a dry run).
func (s RoleSpec) Validate() error { return errors.Join(s.withDefaults().faults(false)...) }

// faults checks the spec; planning says the call is a dry run, where a
// predicted ProviderARN is accepted.
func (s RoleSpec) faults(planning bool) []error {
	// The trust fields first, then the role's own settings, which the role
	// engine checks by IAM's rules.
	return append(s.trustFaults(planning), iamrole.Faults(s.role(nil))...)
}

// trustFaults checks the fields that make the trust policy; planning says
// the call is a dry run, where a predicted ProviderARN is accepted.
func (s RoleSpec) trustFaults(planning bool) []error {
	errs := issuerFaults(s.Issuer, "spec.Issuer")
	if len(errs) > 0 {
		return errs
	}
	bad := func(field, value, rule string) { errs = append(errs, invalid(field, value, rule)) }
	hp := s.Issuer.HostPath()
	switch m := providerARNRe.FindStringSubmatch(s.ProviderARN); {
	case s.ProviderARN == "":
		bad("spec.ProviderARN", "", "is required: the ARN of the issuer's IAM OIDC provider (EnsureProvider returns it)")
	case plan.IsPredicted(s.ProviderARN):
		if !planning {
			bad("spec.ProviderARN", s.ProviderARN, "is the ARN a dry run predicted, not a provider's: a real run needs the ARN EnsureProvider returns in a real run")
		}
	case m == nil:
		bad("spec.ProviderARN", s.ProviderARN, "must be an IAM OIDC provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST)")
	case m[3] != hp:
		bad("spec.ProviderARN", s.ProviderARN, fmt.Sprintf("must be the provider of spec.Issuer (…:oidc-provider/%s)", hp))
	}
	errs = append(errs, audienceFaults("spec.Audiences", s.Audiences, "audience")...)
	errs = append(errs, s.repositoryFaults()...)

	hasSub := false
	seen := map[string]int{}
	for i, sub := range s.Subjects {
		f := fmt.Sprintf("spec.Subjects[%d]", i)
		claim := sub.claim()
		switch {
		case sub.Kind != "" && sub.Kind != s.Issuer.Kind:
			bad(f, sub.Value, fmt.Sprintf("is a %s subject but spec.Issuer is %s", sub.Kind.label(), s.Issuer.Kind.label()))
			continue
		case claim != ClaimSub && !(claim == ClaimJobWorkflowRef && s.Issuer.Kind == KindGitHub):
			bad(f+".Claim", claim, "unknown claim: must be \"sub\" (or \"job_workflow_ref\" for GitHub)")
			continue
		case sub.Value == "":
			bad(f, "", "value is empty")
			continue
		case strings.Contains(sub.Value, "${"):
			bad(f, sub.Value, `must not contain "${" (IAM would read a policy variable)`)
			continue
		case strings.ContainsFunc(sub.Value, unicode.IsControl) || len(sub.Value) > 1024:
			bad(f, sub.Value, "must be at most 1024 characters without control characters")
			continue
		}
		if claim == ClaimSub {
			hasSub = true
		}
		key := claim + "\x00" + sub.Value
		if j, dup := seen[key]; dup {
			bad(f, sub.Value, fmt.Sprintf("duplicates spec.Subjects[%d]", j))
			continue
		}
		seen[key] = i
		reported := false
		for _, p := range analyzeSubject(s.Issuer.Kind, hp, claim, sub.Value, sub.AllowNameWildcard && sub.Wildcard) {
			if p.sev >= SeverityWarning {
				bad(f, sub.Value, p.rule)
				reported = true
			}
		}
		if !reported && !sub.Wildcard && hasWild(sub.Value) {
			bad(f, sub.Value, "contains * or ?, which StringEquals compares literally: set Wildcard to match a pattern with StringLike")
		}
	}
	if !hasSub {
		bad("spec.Subjects", "", fmt.Sprintf("no sub condition: at least one sub subject is required, or every identity of %s could assume the role%s",
			s.Issuer.Kind.label(), everyoneHint(hp)))
	}

	for _, op := range sortedKeys(s.Conditions) {
		qualifier, base, _ := splitOperator(op)
		f := fmt.Sprintf("spec.Conditions[%q]", op)
		if base == "" || len(s.Conditions[op]) == 0 {
			bad(f, "", "must name an operator and at least one condition key")
			continue
		}
		for _, key := range sortedKeys(s.Conditions[op]) {
			kf := fmt.Sprintf("%s[%q]", f, key)
			lk := strings.ToLower(key)
			claim, ours := strings.CutPrefix(lk, strings.ToLower(hp)+":")
			switch {
			case key == "":
				bad(kf, "", "condition key must not be empty")
			case ours && claim == "iss":
				bad(kf, "", "a condition on the issuer is meaningless: STS checks the token's issuer against the provider itself")
			case ours && (claim == "sub" || claim == "aud" || claim == ClaimJobWorkflowRef):
				bad(kf, "", "is set from spec.Subjects and spec.Audiences, not spec.Conditions")
			case ours && qualifier == "ForAllValues" && claim != "amr":
				bad(kf, "", fmt.Sprintf("ForAllValues on the single-valued key %s is true when the key is absent; use %s", key, base))
			}
			vals := s.Conditions[op][key]
			if len(vals) == 0 {
				bad(kf, "", "must have at least one value")
			}
			for _, v := range vals {
				if strings.Contains(v, "${") {
					bad(kf, v, `must not contain "${" (IAM would read a policy variable)`)
				}
			}
		}
	}
	return errs
}

// TrustPolicy returns the trust policy EnsureCIRole gives a role of this
// spec, after checking the fields it is made of (Issuer, ProviderARN,
// Audiences, Subjects, Conditions); an invalid spec returns an error
// matching foundation.ErrInvalidSpec.
//
// Every statement allows sts:AssumeRoleWithWebIdentity to the Federated
// principal ProviderARN, with StringEquals on ISSUER:aud (the audiences)
// and the subjects: exact ones under StringEquals, wildcard ones under
// StringLike. A token must match a sub subject and, when there are
// job_workflow_ref subjects, one of those too. Because the conditions of
// one statement are all required, exact and wildcard subjects of a claim go
// to separate statements (one per combination), so the policy has one
// statement when every subject is exact.
func TrustPolicy(spec RoleSpec) (*foundation.PolicyDocument, error) {
	s := spec.withDefaults()
	if errs := s.trustFaults(false); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s.trustPolicy(), nil
}

// trustPolicy builds the document of a valid spec.
func (s RoleSpec) trustPolicy() *foundation.PolicyDocument {
	var subE, subL, jwrE, jwrL []string
	for _, sub := range s.subjects() {
		like := sub.Wildcard && hasWild(sub.Value)
		switch {
		case sub.claim() == ClaimSub && !like:
			subE = appendNew(subE, sub.Value)
		case sub.claim() == ClaimSub:
			subL = appendNew(subL, sub.Value)
		case !like:
			jwrE = appendNew(jwrE, sub.Value)
		default:
			jwrL = appendNew(jwrL, sub.Value)
		}
	}
	type group struct {
		vals []string
		like bool
	}
	var subGroups, jwrGroups []group
	for _, g := range []group{{subE, false}, {subL, true}} {
		if len(g.vals) > 0 {
			subGroups = append(subGroups, g)
		}
	}
	for _, g := range []group{{jwrE, false}, {jwrL, true}} {
		if len(g.vals) > 0 {
			jwrGroups = append(jwrGroups, g)
		}
	}
	if len(jwrGroups) == 0 {
		jwrGroups = []group{{}}
	}
	doc := foundation.NewPolicy()
	for _, sg := range subGroups {
		for _, jg := range jwrGroups {
			cond := foundation.Conditions{"StringEquals": {s.Issuer.ConditionKey("aud"): slices.Clone(s.Audiences)}}
			put := func(claim string, g group) {
				if len(g.vals) == 0 {
					return
				}
				op := "StringEquals"
				if g.like {
					op = "StringLike"
				}
				if cond[op] == nil {
					cond[op] = map[string]foundation.StringList{}
				}
				cond[op][s.Issuer.ConditionKey(claim)] = slices.Clone(g.vals)
			}
			put(ClaimSub, sg)
			put(ClaimJobWorkflowRef, jg)
			for op, kv := range mergeConditions(s.Conditions, s.claimConditions()) {
				if cond[op] == nil {
					cond[op] = map[string]foundation.StringList{}
				}
				for k, v := range kv {
					cond[op][k] = append(cond[op][k], v...)
				}
			}
			doc.Statement = append(doc.Statement, foundation.Statement{
				Effect:    foundation.EffectAllow,
				Principal: foundation.FederatedPrincipal(s.ProviderARN),
				Action:    foundation.Actions(WebIdentityAction),
				Condition: cond,
			})
		}
	}
	return doc
}

// mergeConditions returns a and b in one set (a caller checked they share
// no key).
func mergeConditions(a, b foundation.Conditions) foundation.Conditions {
	if len(b) == 0 {
		return a
	}
	out := foundation.Conditions{}
	for _, c := range []foundation.Conditions{a, b} {
		for op, kv := range c {
			if out[op] == nil {
				out[op] = map[string]foundation.StringList{}
			}
			for k, v := range kv {
				out[op][k] = append(out[op][k], v...)
			}
		}
	}
	return out
}

func appendNew(l []string, v string) []string {
	if slices.Contains(l, v) {
		return l
	}
	return append(l, v)
}

// sortedCopy returns a sorted copy of l.
func sortedCopy(l []string) []string {
	out := slices.Clone(l)
	sort.Strings(out)
	return out
}
