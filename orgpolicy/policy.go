package orgpolicy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/policyrun"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

// The Resource names of the changes this package reports: package scp's,
// for every type.
const (
	ResourcePolicy           = scp.ResourcePolicy
	ResourcePolicyContent    = scp.ResourcePolicyContent
	ResourcePolicyTags       = scp.ResourcePolicyTags
	ResourcePolicyAttachment = scp.ResourcePolicyAttachment
	ResourcePolicyType       = scp.ResourcePolicyType
)

// IAM wraps an IAM policy document as the Document of an SCP or RCP (build
// it with scp.Build or BuildRCP).
func IAM(t Type, doc *foundation.PolicyDocument) Document { return iamDoc{t: t, doc: doc} }

type iamDoc struct {
	t   Type
	doc *foundation.PolicyDocument
}

func (d iamDoc) Type() Type { return d.t }

func (d iamDoc) Content() (string, error) {
	if d.doc == nil {
		return "", errors.New("the policy document is nil")
	}
	return d.doc.JSON()
}

// PolicySpec is one organization policy wanted, of any type.
type PolicySpec struct {
	// Type is the policy type (required): SCP, RCP, Tag, Backup, ...
	Type Type
	// Name finds the policy among those of its type (required): 1 to 128
	// printable ASCII characters.
	Name string
	// Description is at most 512 characters.
	Description string
	// Document is the policy, built (TagPolicy, BackupPolicy,
	// AIOptOutPolicy, DeclarativeEC2Policy, Settings, or IAM for SCPs and
	// RCPs). Exactly one of Document and Content is required.
	Document Document
	// Content is the policy as JSON text. It is written minified.
	Content string
	// Tags are put on the policy (a policy EnsurePolicy creates also
	// gets managed-by=foundation, in the create call); other tags already
	// on it are kept.
	Tags map[string]string
	// Adopt converges a policy made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (an attachment list never
	// detaches it as the library's own). Without Adopt, EnsurePolicy
	// refuses such a policy with a *foundation.NotManagedError before any
	// write to it. Tags may not hold managed-by when Adopt is set. A
	// policy that does not exist is created, with managed-by=foundation,
	// Adopt or not.
	Adopt bool
	// Limits: MaxPolicySize is checked before any call (zero: the type's
	// default).
	Limits Limits
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec: EnsurePolicy calls it before any API call.
func (s PolicySpec) Validate() error {
	_, errs := s.content()
	return errors.Join(errs...)
}

// content returns the minified document and every fault of the spec.
func (s PolicySpec) content() (string, []error) {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	if !Known(s.Type) {
		bad("spec.Type", string(s.Type), "is not a policy type AWS Organizations knows (orgpolicy.Types)")
	}
	switch n := utf8.RuneCountInString(s.Name); {
	case n == 0:
		bad("spec.Name", "", "is required")
	case n > 128:
		bad("spec.Name", s.Name, fmt.Sprintf("must be at most 128 characters, is %d", n))
	}
	for _, r := range s.Name {
		if r < 0x20 || r > 0x7e {
			bad("spec.Name", s.Name, "must contain only printable ASCII characters")
			break
		}
	}
	if i := Info(s.Type); i.ManagedPolicyName != "" && s.Name == i.ManagedPolicyName {
		bad("spec.Name", s.Name, "is the name of the AWS managed policy")
	}
	if n := utf8.RuneCountInString(s.Description); n > 512 {
		bad("spec.Description", "", fmt.Sprintf("must be at most 512 characters, is %d", n))
	}
	for _, p := range limitFaults("spec.Limits", s.Limits) {
		errs = append(errs, specerr.New(pkg, "spec.Limits", "", p))
	}
	if len(s.Tags) > 49 {
		bad("spec.Tags", "", fmt.Sprintf("must have at most 49 tags (AWS allows 50, and %s takes one), has %d", scp.ManagedByTagKey, len(s.Tags)))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		if k == scp.ManagedByTagKey && s.Tags[k] != scp.ManagedByTagValue {
			bad(fmt.Sprintf("spec.Tags[%q]", k), s.Tags[k], "is the library's own marker: leave it out")
		}
		if k == scp.ManagedByTagKey && s.Tags[k] == scp.ManagedByTagValue && s.Adopt {
			bad(fmt.Sprintf("spec.Tags[%q]", k), s.Tags[k], "must be left out when spec.Adopt is set: an adopted policy stays its owner's and is never given the library's marker")
		}
		errs = append(errs, awsrules.TagFaults(pkg, "spec.Tags", map[string]string{k: s.Tags[k]}, 0)...)
	}
	var content, field string
	switch {
	case s.Document != nil && s.Content != "":
		bad("spec.Content", "", "must be empty when spec.Document is set: give one of them")
		return "", errs
	case s.Document != nil:
		field = "spec.Document"
		if s.Document.Type() != s.Type {
			bad(field, "", fmt.Sprintf("is a %s document, not a %s", s.Document.Type(), s.Type))
			return "", errs
		}
		c, err := s.Document.Content()
		if err != nil {
			if errors.Is(err, foundation.ErrInvalidSpec) {
				return "", append(errs, err)
			}
			bad(field, "", err.Error())
			return "", errs
		}
		content = c
	case s.Content != "":
		field, content = "spec.Content", s.Content
	default:
		bad("spec.Document", "", "is required (or spec.Content)")
		return "", errs
	}
	if Known(s.Type) {
		errs = append(errs, contentFaults(field, s.Type, content, s.Limits)...)
	}
	min, _ := Minify(content)
	return min, errs
}

// Policy is the policy EnsurePolicy converged.
type Policy struct {
	// ID ("p-...") and ARN. In a dry run, for a policy that would be
	// created, ID is a predicted identifier that EnsureAttachments accepts
	// in the same dry run, and ARN is empty.
	ID, ARN string
	Type    Type
	Name    string
	// Size is the number of characters of the content (minified).
	Size int
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the policy was already converged.
	Changes foundation.Changes
}

// EnsurePolicy converges one organization policy of any type, the way
// scp.EnsurePolicy does for SCPs (which it calls for them): found by name
// among the policies of its type, created when missing, otherwise updated
// when its content differs by meaning (IAM documents compared as policies,
// management policies as JSON values: formatting is not drift) or its
// description differs; tags converge on Spec.Tags. A policy it creates
// carries managed-by=foundation from the create call; one found without it
// is refused with a *foundation.NotManagedError before any write unless
// Spec.Adopt is set (then it is converged and never tagged). The spec is checked first, the type's grammar and
// size included: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made.
//
// Creating a policy does not need its type enabled; attaching it does
// (EnsureAttachments enables it). On error the result is nil and the
// error carries the changes made before it (*foundation.IncompleteError).
func EnsurePolicy(ctx context.Context, api PolicyAPI, spec PolicySpec, opts ...foundation.Option) (*Policy, error) {
	content, errs := spec.content()
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	size := utf8.RuneCountInString(content)
	if spec.Type == SCP {
		l := spec.Limits.For(SCP)
		p, err := scp.EnsurePolicy(ctx, api, scp.PolicySpec{Name: spec.Name, Description: spec.Description, Content: content,
			Tags: spec.Tags, Adopt: spec.Adopt, Limits: scp.Limits{MaxPolicySize: l.MaxPolicySize, MaxPoliciesPerTarget: l.MaxPoliciesPerTarget}}, opts...)
		if err != nil {
			return nil, err
		}
		return &Policy{ID: p.ID, ARN: p.ARN, Type: SCP, Name: p.Name, Size: size, Changes: p.Changes}, nil
	}
	o := call.Resolve(opts...)
	rec := plan.New(o)
	t, name := spec.Type, spec.Name
	errorf := func(step string, err error) error { return fmt.Errorf("orgpolicy: %s %q: %s: %w", t, name, step, err) }
	id, arn, err := policyrun.EnsurePolicy(ctx, api, policyrun.Policy{
		Type: t, Name: name, Description: spec.Description, Content: content,
		Tags: spec.Tags, Adopt: spec.Adopt, AdoptField: "spec.Adopt", Kind: kind(t),
		Diff: func(have string) []foundation.Diff {
			if sameContent(t, have, content) {
				return nil
			}
			return []foundation.Diff{{Field: "Content", From: have, To: content}}
		},
		Errorf: errorf,
		AWSManaged: func(id string) error {
			return fmt.Errorf("orgpolicy: %s %q (%s): %w", t, name, id, scp.ErrAWSManagedPolicy)
		},
	}, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	return &Policy{ID: id, ARN: arn, Type: t, Name: name, Size: size, Changes: rec.Changes()}, nil
}

// listTags returns the tags of an Organizations resource.
var listTags = policyrun.ListTags

// retryOpt adds ConcurrentModificationException to the retried errors.
var retryOpt = policyrun.RetryOpt
