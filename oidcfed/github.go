package oidcfed

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/awsfoundation/foundation"
)

// GitHubRepository is a repository on github.com, named by its owner and
// name and, when the caller knows them, the immutable numeric IDs GitHub
// gave the owner and the repository. The package never calls GitHub: a
// caller that needs the IDs reads them itself (the REST API's
// GET /repos/OWNER/REPO returns "id" and "owner.id").
//
// # Immutable subjects
//
// GitHub's changelog of 2026-04-23 ("Immutable subject claims for GitHub
// Actions OIDC tokens") announced that repositories created, renamed or
// transferred on github.com after the cutover date get a default sub claim
// with the owner's and the repository's IDs appended, and that existing
// repositories can opt in (repository or organization OIDC settings). The
// changelog gives 2026-06-18 as the cutover; the later docs change cited
// below gives 2026-07-15. Names
// can be recycled (a deleted owner's name claimed by someone else), IDs
// cannot, so a role trusting the immutable form keeps trusting the same
// repository.
//
// The format this package writes is GitHub's documented one, each ID
// appended to its name with "@":
//
//	repo:OWNER@OWNER_ID/REPO@REPOSITORY_ID:ref:refs/heads/main
//
// as in GitHub's docs change "Document immutable subject claims for GitHub
// Actions OIDC tokens" (github/docs#45221, July 2026) and Microsoft Entra's
// "Migrate GitHub Actions federated credentials to immutable subjects". The
// changelog's own example used "-" (repo:octocat-123456/my-repo-456789:...),
// and the first docs change with that form was reverted; the "-" form is
// also the mutable subject of another owner ("octocat-123456"), which "@",
// a character names cannot hold, rules out. Check a token of your
// repository before a cutover (GitHub's OIDC settings preview the subject
// prefix): the exact delimiter could not be confirmed against a token.
// GitHub Enterprise Server does not use immutable subjects.
type GitHubRepository struct {
	// Owner is the user or organization ("octo-org").
	Owner string
	// Name is the repository's name ("app").
	Name string
	// OwnerID is the owner's immutable numeric ID; 0 when unknown.
	OwnerID int64
	// RepositoryID is the repository's immutable numeric ID; 0 when
	// unknown.
	RepositoryID int64
}

// FullName is "OWNER/REPO", the repository as the mutable subject names it.
func (r GitHubRepository) FullName() string { return r.Owner + "/" + r.Name }

// ImmutableName is "OWNER@OWNER_ID/REPO@REPOSITORY_ID", the repository as
// the immutable subject names it ("" unless both IDs are known).
func (r GitHubRepository) ImmutableName() string {
	if !r.hasIDs() {
		return ""
	}
	return r.Owner + "@" + strconv.FormatInt(r.OwnerID, 10) + "/" + r.Name + "@" + strconv.FormatInt(r.RepositoryID, 10)
}

func (r GitHubRepository) hasIDs() bool { return r.OwnerID > 0 && r.RepositoryID > 0 }

func (r GitHubRepository) isZero() bool { return r == GitHubRepository{} }

// SubjectFormat is which form of a GitHub repository's sub claim a role
// trusts (see GitHubRepository).
type SubjectFormat int

// The subject formats.
const (
	// SubjectFormatAuto, the zero value, is SubjectImmutable when both
	// IDs of RoleSpec.Repository are known and SubjectMutable otherwise.
	SubjectFormatAuto SubjectFormat = iota
	// SubjectMutable trusts repo:OWNER/REPO:..., the format of
	// repositories created before the cutover that have not opted in.
	SubjectMutable
	// SubjectImmutable trusts repo:OWNER@ID/REPO@ID:..., the format of
	// repositories created, renamed or transferred since the cutover, or
	// opted in. Needs both IDs.
	SubjectImmutable
	// SubjectMigration trusts both, for the cutover of an existing
	// repository: converge the role, opt the repository in, check a run,
	// then converge with SubjectImmutable. Needs both IDs. LintRepositories
	// reports it (info) so it is not left on.
	SubjectMigration
)

func (f SubjectFormat) String() string {
	switch f {
	case SubjectFormatAuto:
		return "auto"
	case SubjectMutable:
		return "mutable"
	case SubjectImmutable:
		return "immutable"
	case SubjectMigration:
		return "migration"
	}
	return fmt.Sprintf("SubjectFormat(%d)", int(f))
}

// resolve returns the format for repo: Auto is decided by the IDs.
func (f SubjectFormat) resolve(repo GitHubRepository) SubjectFormat {
	if f != SubjectFormatAuto {
		return f
	}
	if repo.hasIDs() {
		return SubjectImmutable
	}
	return SubjectMutable
}

// GitHubClaims are the GitHub token claims AWS STS lets a trust policy
// check as condition keys (token.actions.githubusercontent.com:CLAIM),
// besides sub and aud, since AWS's "AWS STS supports validation of
// identity provider specific claims" (2026-01): the claims RoleSpec.Claims
// accepts. job_workflow_ref is one too, written from Subjects
// (GitHubReusableWorkflow). The list is the one AWS's announcement and
// IAM's condition key table give (as quoted by third parties: the AWS
// page itself could not be read here); repository_owner_id, which some
// posts list, is not in it and is refused.
var GitHubClaims = []string{"actor", "actor_id", "enterprise_id", "environment", "ref", "repository", "repository_id", "workflow"}

// numericGitHubClaims hold IDs.
var numericGitHubClaims = map[string]bool{"actor_id": true, "enterprise_id": true, "repository_id": true}

var digitsRe = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// repositoryFaults checks spec.Repository, spec.SubjectFormat and
// spec.Claims.
func (s RoleSpec) repositoryFaults() []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, invalid(field, value, rule)) }
	r := s.Repository
	if s.SubjectFormat < SubjectFormatAuto || s.SubjectFormat > SubjectMigration {
		bad("spec.SubjectFormat", s.SubjectFormat.String(), "unknown format: must be SubjectFormatAuto, SubjectMutable, SubjectImmutable or SubjectMigration")
	}
	if !r.isZero() || s.SubjectFormat != SubjectFormatAuto {
		switch {
		case s.Issuer.Kind != KindGitHub:
			bad("spec.Repository", r.FullName(), "is a GitHub repository but spec.Issuer is "+s.Issuer.Kind.label())
			return errs
		case r.isZero():
			bad("spec.Repository", "", "is required with spec.SubjectFormat "+s.SubjectFormat.String()+": the repository whose subjects it formats")
			return errs
		}
		switch {
		case !ghOwnerRe.MatchString(r.Owner) || len(r.Owner) > 39:
			bad("spec.Repository.Owner", r.Owner, "must be a GitHub user or organization name (1-39 letters, digits or inner hyphens)")
		case !ghNameRe.MatchString(r.Name) || len(r.Name) > 100 || r.Name == "." || r.Name == "..":
			bad("spec.Repository.Name", r.Name, "must be a GitHub repository name (1-100 letters, digits, '.', '_' or '-')")
		}
		if r.OwnerID < 0 {
			bad("spec.Repository.OwnerID", strconv.FormatInt(r.OwnerID, 10), "must be positive (0 when unknown)")
		}
		if r.RepositoryID < 0 {
			bad("spec.Repository.RepositoryID", strconv.FormatInt(r.RepositoryID, 10), "must be positive (0 when unknown)")
		}
		if (r.OwnerID > 0) != (r.RepositoryID > 0) {
			bad("spec.Repository", r.FullName(), "give both OwnerID and RepositoryID or neither: the immutable subject names both")
		}
		if f := s.SubjectFormat; (f == SubjectImmutable || f == SubjectMigration) && !r.hasIDs() {
			bad("spec.SubjectFormat", f.String(), "needs spec.Repository.OwnerID and RepositoryID: the immutable subject names both")
		}
		named := false
		for i, sub := range s.Subjects {
			if sub.claim() != ClaimSub {
				continue
			}
			rest, ok := strings.CutPrefix(sub.Value, "repo:")
			if !ok {
				continue
			}
			repo, _, _ := strings.Cut(rest, ":")
			owner, name, _ := strings.Cut(repo, "/")
			if repo == r.FullName() {
				named = true
				continue
			}
			o, oid, oat := strings.Cut(owner, "@")
			n, rid, rat := strings.Cut(name, "@")
			if (oat || rat) && o == r.Owner && n == r.Name {
				named = true
				if r.hasIDs() && (oid != strconv.FormatInt(r.OwnerID, 10) || rid != strconv.FormatInt(r.RepositoryID, 10)) {
					bad(fmt.Sprintf("spec.Subjects[%d]", i), sub.Value, "names spec.Repository with other IDs ("+r.ImmutableName()+" expected)")
				}
			}
		}
		if !named {
			bad("spec.Subjects", "", "no sub subject names spec.Repository "+r.FullName()+": build them with its name (GitHubBranch(\""+r.FullName()+"\", ...)), the format writes the IDs")
		}
	}
	errs = append(errs, s.claimFaults()...)
	return errs
}

func (s RoleSpec) claimFaults() []error {
	var errs []error
	if len(s.Claims) == 0 {
		return nil
	}
	bad := func(field, value, rule string) { errs = append(errs, invalid(field, value, rule)) }
	if s.Issuer.Kind != KindGitHub {
		return []error{invalid("spec.Claims", "", "provider claims are supported for the GitHub issuer only")}
	}
	hp := strings.ToLower(s.Issuer.HostPath()) + ":"
	for _, claim := range sortedKeys(s.Claims) {
		f := fmt.Sprintf("spec.Claims[%q]", claim)
		switch {
		case claim == ClaimJobWorkflowRef:
			bad(f, "", "is set from spec.Subjects (GitHubReusableWorkflow), not spec.Claims")
			continue
		case claim == ClaimSub || claim == "aud":
			bad(f, "", "is set from spec.Subjects and spec.Audiences, not spec.Claims")
			continue
		case !slices.Contains(GitHubClaims, claim):
			bad(f, "", "is not a claim AWS STS checks: one of "+strings.Join(GitHubClaims, ", "))
			continue
		}
		vals := s.Claims[claim]
		if len(vals) == 0 {
			bad(f, "", "must have at least one value")
		}
		for i, v := range vals {
			vf := fmt.Sprintf("%s[%d]", f, i)
			switch {
			case v == "" || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 }):
				bad(vf, v, "must be a non-empty value without control characters")
			case hasWild(v):
				bad(vf, v, "must not contain * or ?: claims are matched exactly (StringEquals)")
			case strings.Contains(v, "${"):
				bad(vf, v, `must not contain "${" (IAM would read a policy variable)`)
			case numericGitHubClaims[claim] && !digitsRe.MatchString(v):
				bad(vf, v, "must be a numeric GitHub ID")
			}
		}
		for op, kv := range s.Conditions {
			for key := range kv {
				if strings.EqualFold(key, hp+claim) {
					bad(f, "", fmt.Sprintf("is also in spec.Conditions[%q]: set it in one place", op))
				}
			}
		}
	}
	return errs
}

// subjects returns the spec's subjects with the subjects of spec.Repository
// written in spec.SubjectFormat: mutable ones ("repo:OWNER/REPO:...") are
// kept, replaced by the immutable form or joined by it. Subjects already
// in the immutable form, of other repositories and of other claims are
// kept as they are.
func (s RoleSpec) subjects() []Subject {
	r := s.Repository
	if r.isZero() {
		return s.Subjects
	}
	format := s.SubjectFormat.resolve(r)
	if format == SubjectMutable || !r.hasIDs() {
		return s.Subjects
	}
	prefix := "repo:" + r.FullName() + ":"
	out := make([]Subject, 0, 2*len(s.Subjects))
	for _, sub := range s.Subjects {
		ctx, ok := strings.CutPrefix(sub.Value, prefix)
		if sub.claim() != ClaimSub || !ok {
			out = append(out, sub)
			continue
		}
		if format == SubjectMigration {
			out = append(out, sub)
		}
		im := sub
		im.Value = "repo:" + r.ImmutableName() + ":" + ctx
		out = append(out, im)
	}
	return out
}

// claimConditions returns spec.Claims as StringEquals conditions on the
// issuer's keys.
func (s RoleSpec) claimConditions() foundation.Conditions {
	if len(s.Claims) == 0 {
		return nil
	}
	m := map[string]foundation.StringList{}
	for claim, vals := range s.Claims {
		m[s.Issuer.ConditionKey(claim)] = slices.Clone(vals)
	}
	return foundation.Conditions{"StringEquals": m}
}

// splitImmutable splits a GitHub owner or repository name of a subject into
// the name and its immutable ID ("octo-org@123" -> "octo-org", "123").
func splitImmutable(s string) (name, id string, has bool) { return strings.Cut(s, "@") }

// LintRepositories is Lint, plus findings on the GitHub subjects of the
// repositories whose IDs the caller knows (the package never asks GitHub):
//
//   - warning: a role that trusts a repository only by its mutable subject
//     (repo:OWNER/REPO:...) although its IDs are known. Tokens of a
//     repository created, renamed or transferred since GitHub's cutover
//     (and of one opted in) carry the immutable subject, so the role does
//     not let its CI in; and a mutable subject matches whoever holds the
//     name next. Trust SubjectImmutable, or SubjectMigration during a
//     cutover.
//   - info: a role that trusts both forms (SubjectMigration): drop the
//     mutable one once the repository's tokens carry the immutable one.
//
// Repositories without both IDs are not checked.
func LintRepositories(document *foundation.PolicyDocument, repos ...GitHubRepository) []Finding {
	out := Lint(document)
	if document == nil {
		return out
	}
	type seen struct {
		mutable   []string // paths
		values    []string
		immutable bool
	}
	known := map[string]*seen{}
	for _, r := range repos {
		if r.hasIDs() {
			known[r.FullName()] = &seen{}
		}
	}
	if len(known) == 0 {
		return out
	}
	ghKey := strings.ToLower(GitHub().HostPath()) + ":sub"
	for i, st := range document.Statement {
		if st.Effect != foundation.EffectAllow || st.Principal == nil {
			continue
		}
		for _, op := range sortedKeys(st.Condition) {
			_, base, _ := splitOperator(op)
			if base != "StringEquals" && base != "StringLike" {
				continue
			}
			for _, key := range sortedKeys(st.Condition[op]) {
				if strings.ToLower(key) != ghKey {
					continue
				}
				for _, v := range st.Condition[op][key] {
					rest, ok := strings.CutPrefix(v, "repo:")
					if !ok {
						continue
					}
					repo, _, _ := strings.Cut(rest, ":")
					owner, name, _ := strings.Cut(repo, "/")
					o, _, oat := splitImmutable(owner)
					n, _, rat := splitImmutable(name)
					sn := known[o+"/"+n]
					if sn == nil {
						continue
					}
					if oat || rat {
						sn.immutable = true
						continue
					}
					sn.mutable = append(sn.mutable, fmt.Sprintf("Statement[%d].Condition[%q][%q]", i, op, key))
					sn.values = append(sn.values, v)
				}
			}
		}
	}
	for _, r := range repos {
		sn := known[r.FullName()]
		if sn == nil || len(sn.mutable) == 0 {
			continue
		}
		for j, p := range sn.mutable {
			if sn.immutable {
				out = append(out, Finding{SeverityInfo, p, sn.values[j],
					"trusts the mutable subject of " + r.FullName() + " beside its immutable one (migration): drop it once the repository's tokens carry repo:" + r.ImmutableName() + ":..."})
				continue
			}
			out = append(out, Finding{SeverityWarning, p, sn.values[j],
				"trusts only the mutable subject of " + r.FullName() + " although its IDs are known: tokens of a repository created, renamed or opted in since GitHub's immutable subjects carry repo:" + r.ImmutableName() + ":..., and a mutable name can be reclaimed by another owner; trust SubjectImmutable (or SubjectMigration during a cutover)"})
		}
		sn.mutable = nil // a repository listed twice is reported once
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return int(b.Severity) - int(a.Severity) })
	return out
}
