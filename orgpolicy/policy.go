package orgpolicy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
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
	// Tags are put on the policy next to managed-by=foundation; other tags
	// already on it are kept.
	Tags map[string]string
	// Unmanaged converges a policy made outside this library (adopted, see
	// package adopt) without making it the library's: managed-by=foundation
	// is not put on it, so an attachment list never detaches it as the
	// library's own. A managed-by tag already there is left as it is.
	Unmanaged bool
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
// description differs; tags converge on Spec.Tags plus
// managed-by=foundation. The spec is checked first, the type's grammar and
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
			Tags: spec.Tags, Unmanaged: spec.Unmanaged, Limits: scp.Limits{MaxPolicySize: l.MaxPolicySize, MaxPoliciesPerTarget: l.MaxPoliciesPerTarget}}, opts...)
		if err != nil {
			return nil, err
		}
		return &Policy{ID: p.ID, ARN: p.ARN, Type: SCP, Name: p.Name, Size: size, Changes: p.Changes}, nil
	}
	o := call.Resolve(opts...)
	r := &policyRun{api: api, spec: spec, content: content, rec: plan.New(o), o: o}
	p, err := r.ensure(ctx)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	p.Size, p.Changes = size, r.rec.Changes()
	return p, nil
}

type policyRun struct {
	api     PolicyAPI
	spec    PolicySpec
	content string
	rec     *plan.Recorder
	o       call.Options
}

func (r *policyRun) errorf(step string, err error) error {
	return fmt.Errorf("orgpolicy: %s %q: %s: %w", r.spec.Type, r.spec.Name, step, err)
}

func (r *policyRun) wantTags() map[string]string {
	want := map[string]string{scp.ManagedByTagKey: scp.ManagedByTagValue}
	if r.spec.Unmanaged {
		want = map[string]string{}
	}
	maps.Copy(want, r.spec.Tags)
	return want
}

func (r *policyRun) ensure(ctx context.Context) (*Policy, error) {
	sum, err := findPolicy(ctx, r.api, r.spec.Type, r.spec.Name)
	var notInUse *types.AWSOrganizationsNotInUseException
	if r.rec.Planning() && errors.As(err, &notInUse) {
		sum, err = nil, nil // planned on the organization a dry run would create
	}
	if err != nil {
		return nil, r.errorf("list policies", err)
	}
	if sum != nil {
		return r.converge(ctx, sum)
	}
	change := foundation.Change{Action: foundation.ActionCreate, Resource: ResourcePolicy, ID: r.spec.Name}
	var out *organizations.CreatePolicyOutput
	raced := false
	applied, err := r.rec.Do(ctx, change, func(ctx context.Context) error {
		var err error
		out, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*organizations.CreatePolicyOutput, bool, error) {
			sum, err := findPolicy(ctx, r.api, r.spec.Type, r.spec.Name)
			if err != nil || sum == nil {
				return nil, false, err
			}
			return &organizations.CreatePolicyOutput{Policy: &types.Policy{PolicySummary: sum}}, true, nil
		}, func(ctx context.Context) (*organizations.CreatePolicyOutput, error) {
			return r.api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(r.spec.Name),
				Description: aws.String(r.spec.Description), Content: aws.String(r.content), Type: r.spec.Type,
				Tags: sdkTags(r.wantTags())}, creating)
		})
		var dup *types.DuplicatePolicyException
		if errors.As(err, &dup) {
			raced = true
			return plan.ErrUnchanged
		}
		if err != nil {
			return r.errorf("create", err)
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case !applied:
		return &Policy{ID: plan.Predict(kind(r.spec.Type), r.spec.Name), Type: r.spec.Type, Name: r.spec.Name}, nil
	case raced:
		sum, err := findPolicy(ctx, r.api, r.spec.Type, r.spec.Name)
		if err != nil || sum == nil {
			return nil, r.errorf("create raced; list policies", errors.Join(err, errors.New("not found")))
		}
		return r.converge(ctx, sum)
	}
	p := &Policy{Type: r.spec.Type, Name: r.spec.Name}
	if out.Policy != nil && out.Policy.PolicySummary != nil {
		p.ID, p.ARN = aws.ToString(out.Policy.PolicySummary.Id), aws.ToString(out.Policy.PolicySummary.Arn)
	}
	return p, nil
}

func (r *policyRun) converge(ctx context.Context, sum *types.PolicySummary) (*Policy, error) {
	p := &Policy{ID: aws.ToString(sum.Id), ARN: aws.ToString(sum.Arn), Type: r.spec.Type, Name: r.spec.Name}
	if sum.AwsManaged {
		return nil, fmt.Errorf("orgpolicy: %s %q (%s): %w", r.spec.Type, r.spec.Name, p.ID, scp.ErrAWSManagedPolicy)
	}
	out, err := r.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: sum.Id}, retryOpt)
	if err != nil {
		return nil, r.errorf("describe", err)
	}
	var have, haveDesc string
	if out.Policy != nil {
		have = aws.ToString(out.Policy.Content)
		if out.Policy.PolicySummary != nil {
			haveDesc = aws.ToString(out.Policy.PolicySummary.Description)
		}
	}
	in := &organizations.UpdatePolicyInput{PolicyId: sum.Id}
	var changes []foundation.Change
	if !sameContent(r.spec.Type, have, r.content) {
		in.Content = aws.String(r.content)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyContent, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "Content", From: have, To: r.content}}})
	}
	if haveDesc != r.spec.Description {
		in.Description = aws.String(r.spec.Description)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicy, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "Description", From: haveDesc, To: r.spec.Description}}})
	}
	if len(changes) > 0 {
		if err := r.rec.Write(ctx, changes[0], func(ctx context.Context) error {
			if _, err := r.api.UpdatePolicy(ctx, in, retryOpt); err != nil {
				return r.errorf("update", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for _, c := range changes[1:] {
			r.rec.Also(c)
		}
	}
	tags, err := listTags(ctx, r.api, p.ID)
	if err != nil {
		return nil, r.errorf("list tags", err)
	}
	var put []types.Tag
	var diffs []foundation.Diff
	want := r.wantTags()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if old, ok := tags[k]; !ok || old != want[k] {
			put = append(put, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
			diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
		}
	}
	if len(put) > 0 {
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyTags, ID: r.spec.Name, Diffs: diffs}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(p.ID), Tags: put}, retryOpt); err != nil {
				return r.errorf("tag", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// findPolicy returns the policy of type t named name, or nil.
func findPolicy(ctx context.Context, api organizations.ListPoliciesAPIClient, t Type, name string) (*types.PolicySummary, error) {
	all, err := listPolicies(ctx, api, t)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if aws.ToString(all[i].Name) == name {
			return &all[i], nil
		}
	}
	return nil, nil
}

func listPolicies(ctx context.Context, api organizations.ListPoliciesAPIClient, t Type) ([]types.PolicySummary, error) {
	var out []types.PolicySummary
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: t})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

func listTags(ctx context.Context, api organizations.ListTagsForResourceAPIClient, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func sdkTags(m map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// creating: CreatePolicy has no client token; a lost answer is resolved by
// finding the policy by name (awsretry.Create).
func creating(o *organizations.Options) {
	o.Retryer = awsretry.Creating(o.Retryer, awsretry.Organizations...)
}

// retryOpt adds ConcurrentModificationException to the retried errors.
func retryOpt(o *organizations.Options) {
	o.Retryer = awsretry.Add(o.Retryer, awsretry.Organizations...)
}
