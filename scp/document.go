package scp

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "scp"

// Limits AWS Organizations applies to service control policies, used when
// Limits leaves a field zero: today's quotas, raised by AWS on 2026-05-15
// in every partition, automatically (from 5,120 characters and 5 SCPs per
// target). Set Limits when yours differ (LegacyLimits are the earlier ones,
// for a backend or a partition that still applies them).
const (
	// DefaultMaxPolicySize is the largest SCP document AWS accepts, in
	// characters, counted on the minified document (see Size).
	DefaultMaxPolicySize = 10240
	// DefaultMaxPoliciesPerTarget is how many SCPs may be attached directly
	// to one root, OU or account, FullAWSAccess included.
	DefaultMaxPoliciesPerTarget = 10
)

// LegacyLimits are the SCP quotas before 2026-05-15: 5,120 characters and
// 5 SCPs per target.
var LegacyLimits = Limits{MaxPolicySize: 5120, MaxPoliciesPerTarget: 5}

// Limits are the SCP quotas checked before any call. The zero value means
// AWS's defaults.
type Limits struct {
	// MaxPolicySize is the largest document, in characters of its minified
	// JSON. Zero means DefaultMaxPolicySize.
	MaxPolicySize int
	// MaxPoliciesPerTarget is how many SCPs one target may have attached,
	// FullAWSAccess included. Zero means DefaultMaxPoliciesPerTarget.
	MaxPoliciesPerTarget int
}

func (l Limits) withDefaults() Limits {
	if l.MaxPolicySize == 0 {
		l.MaxPolicySize = DefaultMaxPolicySize
	}
	if l.MaxPoliciesPerTarget == 0 {
		l.MaxPoliciesPerTarget = DefaultMaxPoliciesPerTarget
	}
	return l
}

func (l Limits) faults(field string) []error {
	var errs []error
	if l.MaxPolicySize < 0 {
		errs = append(errs, specerr.New(pkg, field+".MaxPolicySize", fmt.Sprint(l.MaxPolicySize), fmt.Sprintf("must be positive (0 means the default %d)", DefaultMaxPolicySize)))
	}
	if l.MaxPoliciesPerTarget < 0 {
		errs = append(errs, specerr.New(pkg, field+".MaxPoliciesPerTarget", fmt.Sprint(l.MaxPoliciesPerTarget), fmt.Sprintf("must be positive (0 means the default %d)", DefaultMaxPoliciesPerTarget)))
	}
	return errs
}

// Minify returns the document as AWS counts it against the size quota: its
// compact JSON, with no white space outside strings (the form
// foundation.PolicyDocument.JSON writes). EnsurePolicy sends exactly this
// text as the policy content.
func Minify(doc *foundation.PolicyDocument) (string, error) {
	if doc == nil {
		return "", errors.New("scp: policy document is nil")
	}
	return doc.JSON()
}

// Size returns the number of characters of the minified document, the
// number AWS compares with the maximum SCP size.
func Size(doc *foundation.PolicyDocument) (int, error) {
	s, err := Minify(doc)
	if err != nil {
		return 0, err
	}
	return utf8.RuneCountInString(s), nil
}

// SizeError is returned (joined into an ErrInvalidSpec error by validation)
// when a document is larger than the size limit once minified.
type SizeError struct {
	Size, Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("is %d characters once minified, more than the limit of %d", e.Size, e.Limit)
}

// CheckDocument validates doc as a service control policy and returns an
// error matching foundation.ErrInvalidSpec that lists every fault, or nil.
// It applies foundation's structural checks (PolicyDocument.Validate), the
// SCP grammar (see ValidateDocument) and the size limit (zero Limits mean
// the defaults).
func CheckDocument(doc *foundation.PolicyDocument, limits Limits) error {
	return errors.Join(documentFaults("document", doc, limits.withDefaults())...)
}

// ValidateDocument reports the SCP-specific faults of doc, without the size
// limit, as a *foundation.PolicyError (nil when there are none), after the
// structural checks of PolicyDocument.Validate:
//
//   - Principal and NotPrincipal are not supported in SCPs (AWS
//     Organizations User Guide, "SCP syntax": SCPs apply to the principals
//     of the accounts they are attached to, so neither element exists, not
//     even "*");
//   - each action is "*" or "service:action", with a lowercase service
//     prefix; wildcards may appear anywhere in the action name (supported
//     since September 2025, with the full IAM language for SCPs);
//   - each condition operator is one IAM knows, with an optional
//     "IfExists" suffix and "ForAnyValue:"/"ForAllValues:" prefix.
//
// Since the September 2025 change, Condition, NotAction, Resource and
// NotResource are accepted in Allow statements as well as Deny ones, so
// they are not restricted here.
func ValidateDocument(doc *foundation.PolicyDocument) error {
	var probs []string
	if err := doc.Validate(); err != nil {
		var pe *foundation.PolicyError
		if errors.As(err, &pe) {
			probs = append(probs, pe.Problems...)
		} else {
			probs = append(probs, err.Error())
		}
	}
	if doc != nil {
		for i, st := range doc.Statement {
			path := fmt.Sprintf("Statement[%d]", i)
			if st.Principal != nil {
				probs = append(probs, path+".Principal: is not supported in service control policies")
			}
			if st.NotPrincipal != nil {
				probs = append(probs, path+".NotPrincipal: is not supported in service control policies")
			}
			for _, f := range []struct {
				name string
				l    foundation.StringList
			}{{"Action", st.Action}, {"NotAction", st.NotAction}} {
				for j, a := range f.l {
					if a != "" && !validAction(a) {
						probs = append(probs, fmt.Sprintf("%s.%s[%d]: %q: must be \"*\" or \"service:action\" with a lowercase service prefix", path, f.name, j, a))
					}
				}
			}
			for op := range st.Condition {
				if op != "" && !knownOperator(op) {
					probs = append(probs, fmt.Sprintf("%s.Condition: %q: unknown condition operator", path, op))
				}
			}
		}
	}
	if len(probs) > 0 {
		return &foundation.PolicyError{Problems: probs}
	}
	return nil
}

// documentFaults returns one SpecError per fault of doc, the fields named
// under field ("spec.Document").
func documentFaults(field string, doc *foundation.PolicyDocument, limits Limits) []error {
	if doc == nil {
		return []error{specerr.New(pkg, field, "", "is required")}
	}
	var errs []error
	if err := ValidateDocument(doc); err != nil {
		var pe *foundation.PolicyError
		if errors.As(err, &pe) {
			for _, p := range pe.Problems {
				errs = append(errs, specerr.New(pkg, field, "", p))
			}
		}
	}
	if n, err := Size(doc); err != nil {
		errs = append(errs, specerr.New(pkg, field, "", err.Error()))
	} else if limits.MaxPolicySize > 0 && n > limits.MaxPolicySize {
		errs = append(errs, &specSizeError{field: field, SizeError: SizeError{Size: n, Limit: limits.MaxPolicySize}})
	}
	return errs
}

// specSizeError is a SizeError that is also a spec fault: it names the
// field and unwraps to both *SizeError and foundation.ErrInvalidSpec.
type specSizeError struct {
	field string
	SizeError
}

func (e *specSizeError) Error() string {
	return (&foundation.SpecError{Package: pkg, Field: e.field, Rule: e.SizeError.Error()}).Error()
}

func (e *specSizeError) Unwrap() []error {
	return []error{foundation.ErrInvalidSpec, &e.SizeError}
}

var actionRe = regexp.MustCompile(`^[a-z0-9*?][a-z0-9*?-]*:[A-Za-z0-9*?_.-]+$`)

func validAction(a string) bool { return a == "*" || actionRe.MatchString(a) }

// baseOperators are the IAM condition operators, without the IfExists
// suffix and the set prefixes.
var baseOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true,
	"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": true, "DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true,
	"DateGreaterThan": true, "DateGreaterThanEquals": true,
	"Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"Null": true,
}

// splitOperator splits "ForAnyValue:StringLikeIfExists" into its set
// qualifier ("ForAnyValue"), base operator ("StringLike") and whether it
// has the IfExists suffix.
func splitOperator(op string) (set, base string, ifExists bool) {
	base = op
	if i := strings.IndexByte(op, ':'); i >= 0 {
		set, base = op[:i], op[i+1:]
	}
	if base != "Null" && strings.HasSuffix(base, "IfExists") {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	return set, base, ifExists
}

func knownOperator(op string) bool {
	set, base, _ := splitOperator(op)
	if set != "" && set != "ForAnyValue" && set != "ForAllValues" {
		return false
	}
	return baseOperators[base]
}
