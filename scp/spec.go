package scp

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/policyrun"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The tag that marks the SCPs this library manages (foundation's ownership
// tag). EnsurePolicy puts it on every policy it creates, in the create
// call, and never on one it finds without it (that one is refused, or
// adopted untagged with PolicySpec.Adopt); EnsureAttachments detaches only
// policies that carry it (unless DetachUnmanaged says otherwise), so SCPs
// made by hand or by other tools are never detached by accident.
const (
	ManagedByTagKey   = policyrun.ManagedByTagKey
	ManagedByTagValue = policyrun.ManagedByTagValue
)

// The AWS managed SCP attached to every root, OU and account when SCPs are
// enabled.
const (
	FullAWSAccessID   = "p-FullAWSAccess"
	FullAWSAccessName = "FullAWSAccess"
)

// Organizations quotas and formats.
const (
	maxNameLen        = 128
	maxDescriptionLen = 512
	maxTags           = 50
)

var (
	policyIDRe = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	rootIDRe   = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDRe     = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
)

// PolicySpec is one service control policy wanted.
type PolicySpec struct {
	// Name is the policy's name (required): 1 to 128 printable ASCII
	// characters. EnsurePolicy finds the policy by it.
	Name string
	// Description is at most 512 characters.
	Description string
	// Document is the policy (build it with Build). Exactly one of
	// Document and Content is required.
	Document *foundation.PolicyDocument
	// Content is the policy as JSON text, parsed strictly
	// (foundation.ParsePolicy). The policy is written minified.
	Content string
	// Tags are put on the policy (a policy EnsurePolicy creates also
	// gets managed-by=foundation, in the create call). Tags with other
	// keys already on it are kept.
	Tags map[string]string
	// Adopt converges a policy made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (AttachmentSpec never detaches
	// it as the library's own). Without Adopt, EnsurePolicy refuses such a
	// policy with a *foundation.NotManagedError before any write to it.
	// Tags may not hold managed-by when Adopt is set. A policy that does
	// not exist is created, with managed-by=foundation, Adopt or not.
	Adopt bool
	// Limits: MaxPolicySize is checked before any call.
	Limits Limits
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec, as a real run checks it: EnsurePolicy calls it
// before any API call, and in a dry run also accepts a document holding
// identifiers predicted by other dry runs (a guardrail's account that
// would be created).
func (s PolicySpec) Validate() error {
	_, errs := s.document(false)
	return errors.Join(errs...)
}

// document returns the spec's document (parsed from Content when needed)
// and every fault of the spec; dryRun accepts a document holding predicted
// identifiers.
func (s PolicySpec) document(dryRun bool) (*foundation.PolicyDocument, []error) {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	errs = append(errs, nameFaults("spec.Name", s.Name)...)
	if s.Name == FullAWSAccessName {
		bad("spec.Name", s.Name, "is the name of the AWS managed policy")
	}
	if n := utf8.RuneCountInString(s.Description); n > maxDescriptionLen {
		bad("spec.Description", "", fmt.Sprintf("must be at most %d characters, is %d", maxDescriptionLen, n))
	}
	errs = append(errs, s.Limits.faults("spec.Limits")...)
	limits := s.Limits.withDefaults()

	var doc *foundation.PolicyDocument
	switch {
	case s.Document != nil && s.Content != "":
		bad("spec.Content", "", "must be empty when spec.Document is set: give one of them")
	case s.Document != nil:
		doc = s.Document.Clone()
		errs = append(errs, documentFaults("spec.Document", doc, limits)...)
		if raw, err := json.Marshal(doc); !dryRun && err == nil && strings.Contains(string(raw), predictedMark) {
			bad("spec.Document", "", "holds an identifier predicted by a dry run (a resource that does not exist yet): a real run needs the real identifier")
		}
	case s.Content != "":
		d, err := foundation.ParsePolicy(s.Content)
		if err != nil {
			bad("spec.Content", "", "is not a valid policy document: "+err.Error())
			break
		}
		doc = d
		errs = append(errs, documentFaults("spec.Content", doc, limits)...)
		if !dryRun && strings.Contains(s.Content, predictedMark) {
			bad("spec.Content", "", "holds an identifier predicted by a dry run (a resource that does not exist yet): a real run needs the real identifier")
		}
	default:
		bad("spec.Document", "", "is required (or spec.Content)")
	}
	errs = append(errs, tagFaults("spec.Tags", s.Tags)...)
	if s.Adopt && s.Tags[ManagedByTagKey] == ManagedByTagValue {
		bad(fmt.Sprintf("spec.Tags[%q]", ManagedByTagKey), ManagedByTagValue, "must be left out when spec.Adopt is set: an adopted policy stays its owner's and is never given the library's marker")
	}
	return doc, errs
}

func nameFaults(field, name string) []error {
	var errs []error
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs = append(errs, specerr.New(pkg, field, "", "is required"))
	case n > maxNameLen:
		errs = append(errs, specerr.New(pkg, field, name, fmt.Sprintf("must be at most %d characters, is %d", maxNameLen, n)))
	}
	for _, r := range name {
		if r < 0x20 || r > 0x7e {
			errs = append(errs, specerr.New(pkg, field, name, "must contain only printable ASCII characters"))
			break
		}
	}
	return errs
}

// tagFaults checks AWS's tag rules, leaving one tag to the marker
// (ManagedByTagKey), which may only have its own value: that fault comes
// first among its tag's.
func tagFaults(field string, tags map[string]string) []error {
	var errs []error
	if len(tags) > maxTags-1 {
		errs = append(errs, specerr.New(pkg, field, "", fmt.Sprintf("must have at most %d tags (AWS allows %d, and %s takes one), has %d", maxTags-1, maxTags, ManagedByTagKey, len(tags))))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		if k == ManagedByTagKey && v != ManagedByTagValue {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("%s[%q]", field, k), v, fmt.Sprintf("is the library's own marker: leave it out (it is always %s=%s)", ManagedByTagKey, ManagedByTagValue)))
		}
		errs = append(errs, awsrules.TagFaults(pkg, field, map[string]string{k: v}, 0)...) // this tag's, the count checked above
	}
	return errs
}

// AttachmentSpec is the set of SCPs wanted on one target.
type AttachmentSpec struct {
	// TargetID is the root ("r-..."), OU ("ou-...-...") or account
	// (12 digits) the policies are attached to (required). In a dry run it
	// may be an identifier the organizations package's dry run predicted
	// for a root, OU or account that would be created.
	TargetID string
	// Policies are the SCPs the target must have, by name or by ID
	// ("p-..."; in a dry run also an ID EnsurePolicy's dry run predicted).
	// They are attached when missing. The SCPs this library
	// manages (tagged managed-by=foundation) that are attached but not
	// listed are detached.
	Policies []string
	// DetachFullAWSAccess detaches the AWS managed FullAWSAccess policy
	// when it is not listed in Policies. By default it is kept, and
	// counted against the limit. Without it, the Policies must allow what
	// the target's principals may do (an allow list).
	DetachFullAWSAccess bool
	// DetachUnmanaged detaches the attached SCPs not listed in Policies
	// that this library does not manage (made by hand or by another
	// tool). By default they are kept, and counted against the limit.
	DetachUnmanaged bool
	// Limits: MaxPoliciesPerTarget is checked before any call on the spec
	// alone, and again, before any write, on what would be attached.
	Limits Limits
}

// targetKind returns "root", "ou" or "account", or "" for a malformed ID.
func targetKind(id string) string {
	switch {
	case rootIDRe.MatchString(id):
		return "root"
	case ouIDRe.MatchString(id):
		return "ou"
	case accountRe.MatchString(id):
		return "account"
	}
	return ""
}

func isFullAWSAccess(ref string) bool { return ref == FullAWSAccessID || ref == FullAWSAccessName }

// predictedName returns the name an identifier predicted by a dry run for
// a resource of kind stands for, and whether id is one.
func predictedName(kind, id string) (string, bool) { return policyrun.PredictedName(kind, id) }

// predictedTarget returns the kind of target ("root", "ou", "account") an
// identifier predicted by the organizations package's dry run stands for,
// and whether id is one.
func predictedTarget(id string) (string, bool) {
	for _, kind := range []string{"root", "ou", "account"} {
		if _, ok := predictedName(kind, id); ok {
			return kind, true
		}
	}
	return "", false
}

func isPredictedAccount(id string) bool {
	_, ok := predictedName("account", id)
	return ok
}

// predictedMark starts every identifier predicted by a dry run.
var predictedMark = strings.TrimSuffix(plan.Predict("", ""), " )")

// predictedRule is the fault of an identifier predicted by a dry run given
// to a real run.
const predictedRule = "is an identifier predicted by a dry run for a resource that does not exist yet: a real run needs the real identifier (create the resource first, then pass its ID)"

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec, as a real run checks it: EnsureAttachments
// calls it before any API call, and in a dry run also accepts identifiers
// predicted by other dry runs.
func (s AttachmentSpec) Validate() error { return errors.Join(s.faults(false)...) }

// faults returns every fault of the spec; dryRun accepts predicted
// identifiers (of a target, of a policy).
func (s AttachmentSpec) faults(dryRun bool) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	_, predictedTargetOK := predictedTarget(s.TargetID)
	switch {
	case s.TargetID == "":
		bad("spec.TargetID", "", "is required")
	case plan.IsPredicted(s.TargetID) && !predictedTargetOK:
		bad("spec.TargetID", s.TargetID, "is an identifier predicted for a resource that is not a root, OU or account")
	case predictedTargetOK && !dryRun:
		bad("spec.TargetID", s.TargetID, predictedRule)
	case predictedTargetOK:
	case targetKind(s.TargetID) == "":
		bad("spec.TargetID", s.TargetID, `must be a root ID ("r-" and 4 to 32 lowercase letters or digits), an OU ID ("ou-xxxx-xxxxxxxx") or a 12-digit account ID`)
	}
	errs = append(errs, s.Limits.faults("spec.Limits")...)
	limits := s.Limits.withDefaults()

	seen := map[string]int{}
	full := false
	for i, p := range s.Policies {
		field := fmt.Sprintf("spec.Policies[%d]", i)
		key := p // a predicted ID stands for its policy's name
		name, predicted := predictedName("scp", p)
		switch {
		case predicted && !dryRun:
			bad(field, p, predictedRule)
		case predicted:
			key = name
		case plan.IsPredicted(p):
			bad(field, p, "is an identifier predicted for a resource that is not a service control policy")
		case strings.HasPrefix(p, "p-") && !policyIDRe.MatchString(p) && p != FullAWSAccessID:
			bad(field, p, `looks like a policy ID but is not one ("p-" and 8 to 128 letters, digits or underscores)`)
		default:
			errs = append(errs, nameFaults(field, p)...)
		}
		if j, dup := seen[key]; dup {
			bad(field, p, fmt.Sprintf("duplicates spec.Policies[%d]", j))
		}
		seen[key] = i
		if isFullAWSAccess(p) {
			if full {
				bad(field, p, "names FullAWSAccess twice (by name and by ID)")
			}
			full = true
		}
	}
	if full && s.DetachFullAWSAccess {
		bad("spec.DetachFullAWSAccess", "", "must be false when spec.Policies lists FullAWSAccess")
	}
	count := len(s.Policies)
	keepsFull := !full && !s.DetachFullAWSAccess
	if keepsFull {
		count++
	}
	switch {
	case count == 0:
		bad("spec.Policies", "", "must name at least one policy when spec.DetachFullAWSAccess is set: AWS requires every target to keep at least one SCP")
	case count > limits.MaxPoliciesPerTarget && limits.MaxPoliciesPerTarget > 0:
		what := fmt.Sprintf("%d policies", len(s.Policies))
		if keepsFull {
			what += " plus FullAWSAccess, which is kept,"
		}
		bad("spec.Policies", "", fmt.Sprintf("%s exceed the limit of %d SCPs per target", what, limits.MaxPoliciesPerTarget))
	}
	return errs
}
