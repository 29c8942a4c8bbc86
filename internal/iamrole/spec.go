package iamrole

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes Ensure reports.
const (
	ResourceRole                    = "iam:role"
	ResourceRoleTrustPolicy         = "iam:role-trust-policy"
	ResourceRoleInlinePolicy        = "iam:role-inline-policy"
	ResourceRoleManagedPolicy       = "iam:role-managed-policy"
	ResourceRolePermissionsBoundary = "iam:role-permissions-boundary"
	ResourceRoleTags                = "iam:role-tags"
	ResourceRoleSettings            = "iam:role-settings"
)

// Defaults and limits of a role.
const (
	// DefaultMaxSessionDuration is AWS's default maximum session duration.
	DefaultMaxSessionDuration = time.Hour
	// MaxInlinePoliciesSize is IAM's limit on the total size of a role's
	// inline policies, in characters (whitespace excluded).
	MaxInlinePoliciesSize = 10240
	// MaxManagedPolicies is the largest number of managed policies IAM lets
	// a role have (the default quota is 10, adjustable up to 20).
	MaxManagedPolicies = 20
)

// Spec is a role with its trust policy already built and validated by the
// caller. WithDefaults fills Path and MaxSessionDuration.
type Spec struct {
	// Package prefixes errors ("oidcfed") and names the caller in faults.
	Package string
	// PredictedARN is reported as the role's ARN in dry run when the role
	// does not exist yet; may be empty.
	PredictedARN string

	Name        string
	Path        string
	Description string
	Trust       *foundation.PolicyDocument

	MaxSessionDuration time.Duration

	InlinePolicies              map[string]*foundation.PolicyDocument
	PruneInlinePolicies         bool
	ManagedPolicyARNs           []string
	KeepUnlistedManagedPolicies bool
	PermissionsBoundary         string
	RemovePermissionsBoundary   bool
	// Tags are put on the role; a role Ensure creates also carries the
	// ownership tag (foundation.ManagedByTagKey) from CreateRole itself.
	Tags map[string]string

	// Adopt converges a role made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged managed-by=foundation, and nothing the spec does
	// not name is removed from it (unlisted managed policies are not
	// detached, unlisted inline policies not deleted). Without it such a
	// role is a *foundation.NotManagedError before any write.
	Adopt bool
	// AdoptField names Adopt in the caller's spec for errors ("spec.Adopt"
	// when empty).
	AdoptField string
}

// WithDefaults returns s with Path "/" and MaxSessionDuration
// DefaultMaxSessionDuration when they are zero.
func (s Spec) WithDefaults() Spec {
	if s.Path == "" {
		s.Path = "/"
	}
	if s.MaxSessionDuration == 0 {
		s.MaxSessionDuration = DefaultMaxSessionDuration
	}
	return s
}

var (
	roleNameRe   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	rolePathRe   = regexp.MustCompile(`^/$|^/[\x21-\x7E]+/$`)
	policyNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	policyARNRe  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[\w+=,.@/-]+$`)
)

// Faults checks the role's own settings (everything but the trust policy)
// of a spec with defaults applied, against IAM's rules: name, path,
// description, maximum session duration, inline policies (names, identity
// policy documents, total size), managed policy ARNs, boundary, tags. Each
// fault is a *foundation.SpecError of s.Package naming the field "spec.X".
func Faults(s Spec) []error {
	var errs []error
	bad := func(field, value, rule string) {
		errs = append(errs, specerr.New(s.Package, field, value, rule))
	}
	switch {
	case s.Name == "":
		bad("spec.Name", "", "is required")
	case !roleNameRe.MatchString(s.Name):
		bad("spec.Name", s.Name, "must be 1 to 64 letters, digits and + = , . @ _ -")
	}
	if !rolePathRe.MatchString(s.Path) || len(s.Path) > 512 {
		bad("spec.Path", s.Path, `must be "/" or start and end with "/" (at most 512 printable ASCII characters)`)
	}
	if utf8.RuneCountInString(s.Description) > 1000 {
		bad("spec.Description", "", "must be at most 1000 characters")
	} else if strings.ContainsFunc(s.Description, func(r rune) bool {
		return !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r >= 0xa1 && r <= 0xff)
	}) {
		bad("spec.Description", s.Description, "may contain only printable Latin-1 characters, tabs and newlines")
	}
	if d := s.MaxSessionDuration; d < time.Hour || d > 12*time.Hour || d%time.Second != 0 {
		bad("spec.MaxSessionDuration", d.String(), "must be a whole number of seconds from 1h to 12h (0 means 1h)")
	}

	total := 0
	for _, name := range SortedKeys(s.InlinePolicies) {
		f := fmt.Sprintf("spec.InlinePolicies[%q]", name)
		if !policyNameRe.MatchString(name) {
			bad(f, name, "policy name must be 1 to 128 letters, digits and + = , . @ _ -")
		}
		doc := s.InlinePolicies[name]
		if doc == nil {
			bad(f, "", "document must not be nil")
			continue
		}
		if err := doc.Validate(); err != nil {
			bad(f, "", err.Error())
			continue
		}
		for i, st := range doc.Statement {
			if st.Principal != nil || st.NotPrincipal != nil {
				bad(fmt.Sprintf("%s.Statement[%d]", f, i), "", "an identity policy has no Principal or NotPrincipal")
			}
			if len(st.Resource) == 0 && len(st.NotResource) == 0 {
				bad(fmt.Sprintf("%s.Statement[%d]", f, i), "", "an identity policy statement needs Resource or NotResource")
			}
		}
		j, _ := doc.JSON()
		total += len(strings.Join(strings.Fields(j), ""))
	}
	if total > MaxInlinePoliciesSize {
		bad("spec.InlinePolicies", "", fmt.Sprintf("total %d characters, more than IAM's limit of %d for a role's inline policies", total, MaxInlinePoliciesSize))
	}

	if len(s.ManagedPolicyARNs) > MaxManagedPolicies {
		bad("spec.ManagedPolicyARNs", "", fmt.Sprintf("must have at most %d policies, has %d", MaxManagedPolicies, len(s.ManagedPolicyARNs)))
	}
	seen := map[string]int{}
	for i, a := range s.ManagedPolicyARNs {
		f := fmt.Sprintf("spec.ManagedPolicyARNs[%d]", i)
		if !policyARNRe.MatchString(a) {
			bad(f, a, "must be a managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/PATH/NAME)")
		}
		if j, dup := seen[a]; dup {
			bad(f, a, fmt.Sprintf("duplicates spec.ManagedPolicyARNs[%d]", j))
		}
		seen[a] = i
	}
	if s.PermissionsBoundary != "" {
		if !policyARNRe.MatchString(s.PermissionsBoundary) {
			bad("spec.PermissionsBoundary", s.PermissionsBoundary, "must be a managed policy ARN")
		}
		if s.RemovePermissionsBoundary {
			bad("spec.RemovePermissionsBoundary", "", "excludes spec.PermissionsBoundary")
		}
	}
	return append(errs, awsrules.OwnedTagFaults(s.Package, "spec.Tags", s.Tags, awsrules.MaxTags)...)
}

// TagDiff returns the tags to put so that have includes want, and the
// diffs describing them.
func TagDiff(have, want map[string]string) ([]types.Tag, []foundation.Diff) {
	var put []types.Tag
	var diffs []foundation.Diff
	for _, k := range SortedKeys(want) {
		old, ok := have[k]
		if ok && old == want[k] {
			continue
		}
		put = append(put, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
	}
	return put, diffs
}

// Tags returns m as IAM tags, sorted by key; nil for an empty map.
func Tags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(m))
	for _, k := range SortedKeys(m) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// SortedKeys returns the keys of m, sorted.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsNoSuchEntity reports whether err is IAM's NoSuchEntityException.
func IsNoSuchEntity(err error) bool {
	var nse *types.NoSuchEntityException
	return errors.As(err, &nse)
}

// IsAlreadyExists reports whether err is IAM's EntityAlreadyExistsException.
func IsAlreadyExists(err error) bool {
	var ae *types.EntityAlreadyExistsException
	return errors.As(err, &ae)
}
