// Package policyrun is the one engine that converges AWS Organizations
// policies and their attachments, for every policy type (SCPs, RCPs and the
// management policies): package scp is its front-end for SCPs and package
// orgpolicy for every other type. The front-ends validate the spec, choose
// their messages (Messages, the Errorf functions) and the content
// comparison; this package reads, compares and writes, through
// internal/plan, so a dry run, the change list and partial results behave
// the same for every type.
package policyrun

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// The Resource names of the changes the engine reports.
const (
	ResourcePolicy           = "organizations:policy"
	ResourcePolicyContent    = "organizations:policy-content"
	ResourcePolicyTags       = "organizations:policy-tags"
	ResourcePolicyAttachment = "organizations:policy-attachment"
	ResourcePolicyType       = "organizations:policy-type"
)

// The tag that marks a policy as this library's.
const (
	ManagedByTagKey   = foundation.ManagedByTagKey
	ManagedByTagValue = foundation.ManagedByTagValue
)

// PolicyAPI is the part of the Organizations client EnsurePolicy uses.
type PolicyAPI interface {
	ListPolicies(ctx context.Context, params *organizations.ListPoliciesInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	DescribePolicy(ctx context.Context, params *organizations.DescribePolicyInput, optFns ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	CreatePolicy(ctx context.Context, params *organizations.CreatePolicyInput, optFns ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error)
	UpdatePolicy(ctx context.Context, params *organizations.UpdatePolicyInput, optFns ...func(*organizations.Options)) (*organizations.UpdatePolicyOutput, error)
	ListTagsForResource(ctx context.Context, params *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, params *organizations.TagResourceInput, optFns ...func(*organizations.Options)) (*organizations.TagResourceOutput, error)
}

var _ PolicyAPI = (*organizations.Client)(nil)

// Policy is one policy to converge, validated by the front-end.
type Policy struct {
	Type                       types.PolicyType
	Name, Description, Content string
	// Tags are the caller's tags the policy must carry (never the
	// managed-by marker); others already on it are kept. A policy this run
	// creates also gets managed-by=foundation, in the CreatePolicy call.
	Tags map[string]string
	// Adopt converges a policy found without managed-by=foundation (made
	// outside this library) without tagging it; without Adopt such a
	// policy is refused (foundation.CheckOwner) before any write to it.
	// AdoptField names the spec field in that error ("spec.Adopt").
	Adopt      bool
	AdoptField string
	// Kind names the policy in an identifier predicted by a dry run
	// (plan.Predict).
	Kind string
	// Diff returns how the content read (have) differs from Content by
	// meaning, nil when it does not.
	Diff func(have string) []foundation.Diff
	// Errorf wraps the error of a step; AWSManaged is the error for a
	// policy of the name that AWS manages (ID id).
	Errorf     func(step string, err error) error
	AWSManaged func(id string) error
}

// EnsurePolicy converges p: found by name among the policies of its type,
// created when missing with managed-by=foundation among its tags (a create
// whose answer is lost, or that races, converges the policy found),
// otherwise, when it is the library's (managed-by=foundation) or p.Adopt,
// updated in one UpdatePolicy when its content or description differs; its
// tags converge on p.Tags (an adopted policy is never given the marker). A
// policy found without the marker and not adopted is refused with a
// *foundation.NotManagedError before any write, in a dry run too. It
// returns the policy's ID and ARN (in a dry run that would create it, a
// predicted ID and no ARN).
func EnsurePolicy(ctx context.Context, api PolicyAPI, p Policy, o call.Options, rec *plan.Recorder) (id, arn string, err error) {
	r := &policyRun{api: api, p: p, o: o, rec: rec}
	sum, err := findCached(ctx, api, o, p.Type, p.Name)
	var notInUse *types.AWSOrganizationsNotInUseException
	if rec.Planning() && errors.As(err, &notInUse) {
		// Planning (read path): a dry run before the organization exists
		// plans on the organization its dry run would create, which has
		// no policies, so the policy would be created.
		sum, err = nil, nil
	}
	if err != nil {
		return "", "", p.Errorf("list policies", err)
	}
	if sum == nil {
		return r.create(ctx)
	}
	return r.converge(ctx, sum)
}

type policyRun struct {
	api PolicyAPI
	p   Policy
	o   call.Options
	rec *plan.Recorder
}

func (r *policyRun) create(ctx context.Context) (id, arn string, err error) {
	p := r.p
	change := foundation.Change{Action: foundation.ActionCreate, Resource: ResourcePolicy, ID: p.Name}
	var out *organizations.CreatePolicyOutput
	var raced error
	applied, err := r.rec.Do(ctx, change, func(ctx context.Context) error {
		defer r.o.ReadCache.Invalidate(keyPolicies + string(p.Type)) // one more policy
		// A lost answer is not resent by the SDK: the policy the earlier
		// attempt made is found by its name (awsretry.Create), and the
		// change is this run's.
		var err error
		out, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*organizations.CreatePolicyOutput, bool, error) {
			sum, err := FindPolicy(ctx, r.api, p.Type, p.Name)
			if err != nil || sum == nil {
				return nil, false, err
			}
			// Ours carries the ownership tag from its create; one
			// without it was made meanwhile by someone else.
			if !p.Adopt {
				tags, err := ListTags(ctx, r.api, aws.ToString(sum.Id))
				if err != nil {
					return nil, false, err
				}
				if err := foundation.CheckOwner(ResourcePolicy, p.Name, tags, false, p.AdoptField); err != nil {
					return nil, false, err
				}
			}
			return &organizations.CreatePolicyOutput{Policy: &types.Policy{PolicySummary: sum}}, true, nil
		}, func(ctx context.Context) (*organizations.CreatePolicyOutput, error) {
			return r.api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
				Name:        aws.String(p.Name),
				Description: aws.String(p.Description),
				Content:     aws.String(p.Content),
				Type:        p.Type,
				// The marker goes on in the create itself: a lost
				// answer or a crash never leaves an untagged policy.
				Tags: SDKTags(foundation.WithManagedBy(p.Tags)),
			}, Creating)
		})
		var dup *types.DuplicatePolicyException
		if errors.As(err, &dup) {
			// Another run created it between our read and our create
			// (or our first attempt did): converged below.
			raced = err
			return plan.ErrUnchanged
		}
		var nm *foundation.NotManagedError
		if errors.As(err, &nm) {
			return err
		}
		if err != nil {
			return p.Errorf("create", err)
		}
		return nil
	})
	switch {
	case err != nil:
		return "", "", err
	case !applied:
		return plan.Predict(p.Kind, p.Name), "", nil
	case raced != nil:
		r.o.Logger.Debug("create raced; converging the existing policy")
		sum, ferr := FindPolicy(ctx, r.api, p.Type, p.Name)
		if ferr != nil {
			return "", "", p.Errorf("list policies", ferr)
		}
		if sum == nil {
			return "", "", p.Errorf("create", raced)
		}
		return r.converge(ctx, sum)
	}
	if out.Policy != nil && out.Policy.PolicySummary != nil {
		id, arn = aws.ToString(out.Policy.PolicySummary.Id), aws.ToString(out.Policy.PolicySummary.Arn)
	}
	return id, arn, nil
}

func (r *policyRun) converge(ctx context.Context, sum *types.PolicySummary) (id, arn string, err error) {
	p := r.p
	id, arn = aws.ToString(sum.Id), aws.ToString(sum.Arn)
	if sum.AwsManaged {
		return "", "", p.AWSManaged(id)
	}
	// Ownership first: a policy made outside this library is not written
	// to unless the spec adopts it.
	tags, err := CachedTags(ctx, r.api, r.o, id)
	if err != nil {
		return "", "", p.Errorf("list tags", err)
	}
	if err := foundation.CheckOwner(ResourcePolicy, p.Name, tags, p.Adopt, p.AdoptField); err != nil {
		return "", "", err
	}
	out, err := r.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: sum.Id}, RetryOpt)
	if err != nil {
		return "", "", p.Errorf("describe", err)
	}
	var haveContent, haveDescription string
	if out.Policy != nil {
		haveContent = aws.ToString(out.Policy.Content)
		if out.Policy.PolicySummary != nil {
			haveDescription = aws.ToString(out.Policy.PolicySummary.Description)
		}
	}
	if haveDescription == "" {
		haveDescription = aws.ToString(sum.Description)
	}
	in := &organizations.UpdatePolicyInput{PolicyId: sum.Id}
	var changes []foundation.Change
	if diffs := p.Diff(haveContent); diffs != nil {
		in.Content = aws.String(p.Content)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyContent, ID: p.Name, Diffs: diffs})
	}
	if haveDescription != p.Description {
		in.Description = aws.String(p.Description)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicy,
			ID: p.Name, Diffs: []foundation.Diff{{Field: "Description", From: haveDescription, To: p.Description}}})
	}
	if len(changes) > 0 {
		// One UpdatePolicy makes every change.
		if err := r.rec.Write(ctx, changes[0], func(ctx context.Context) error {
			defer r.o.ReadCache.Invalidate(keyPolicies + string(p.Type))
			if _, err := r.api.UpdatePolicy(ctx, in, RetryOpt); err != nil {
				return p.Errorf("update", err)
			}
			return nil
		}); err != nil {
			return "", "", err
		}
		for _, c := range changes[1:] {
			r.rec.Also(c)
		}
	}
	if err := r.ensureTags(ctx, id, tags); err != nil {
		return "", "", err
	}
	return id, arn, nil
}

// ensureTags puts the spec's tags the policy lacks (have: its tags). It
// never removes a tag, and never adds the marker: a policy of the library
// has it from its create, an adopted one stays its owner's.
func (r *policyRun) ensureTags(ctx context.Context, id string, have map[string]string) error {
	var put []types.Tag
	var diffs []foundation.Diff
	want := awsrules.WantedTags(r.p.Tags, r.p.Adopt)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if old, ok := have[k]; !ok || old != want[k] {
			put = append(put, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
			diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
		}
	}
	if len(put) == 0 {
		return nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyTags, ID: r.p.Name, Diffs: diffs}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		defer r.o.ReadCache.Invalidate(keyPolicyTags + id)
		if _, err := r.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: put}, RetryOpt); err != nil {
			return r.p.Errorf("tag", err)
		}
		return nil
	})
}

// FindPolicy returns the policy of type t named name, or nil.
func FindPolicy(ctx context.Context, api organizations.ListPoliciesAPIClient, t types.PolicyType, name string) (*types.PolicySummary, error) {
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: t})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, RetryOpt)
		if err != nil {
			return nil, err
		}
		for i := range page.Policies {
			if aws.ToString(page.Policies[i].Name) == name {
				s := page.Policies[i]
				return &s, nil
			}
		}
	}
	return nil, nil
}

// The run's read cache (foundation.WithReadCache) keys of this package:
// the policies of a type ([]types.PolicySummary, dropped by a create or
// an update of one of them) and a policy's tags (map[string]string, not
// changed in place, dropped by a TagResource). The root is read through
// package organizations' key (*types.Root, dropped when a policy type is
// enabled).
const (
	keyPolicies   = "organizations/policies/"    // + policy type
	keyPolicyTags = "organizations/policy-tags/" // + policy ID
	keyRoot       = "organizations/root"
)

// CachedPolicies returns every policy of type t, read once per run.
func CachedPolicies(ctx context.Context, api organizations.ListPoliciesAPIClient, o call.Options, t types.PolicyType) ([]types.PolicySummary, error) {
	return readcache.Get(o.ReadCache, keyPolicies+string(t), func() ([]types.PolicySummary, error) { return ListPolicies(ctx, api, t) })
}

// findCached returns the policy of type t named name from the run's
// listing (CachedPolicies), or nil.
func findCached(ctx context.Context, api organizations.ListPoliciesAPIClient, o call.Options, t types.PolicyType, name string) (*types.PolicySummary, error) {
	all, err := CachedPolicies(ctx, api, o, t)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if aws.ToString(all[i].Name) == name {
			s := all[i]
			return &s, nil
		}
	}
	return nil, nil
}

// CachedTags returns the tags of policy id, read once per run.
func CachedTags(ctx context.Context, api organizations.ListTagsForResourceAPIClient, o call.Options, id string) (map[string]string, error) {
	return readcache.Get(o.ReadCache, keyPolicyTags+id, func() (map[string]string, error) { return ListTags(ctx, api, id) })
}

// ListPolicies returns every policy of type t.
func ListPolicies(ctx context.Context, api organizations.ListPoliciesAPIClient, t types.PolicyType) ([]types.PolicySummary, error) {
	var out []types.PolicySummary
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: t})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, RetryOpt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

// ListTags returns the tags of an Organizations resource.
func ListTags(ctx context.Context, api organizations.ListTagsForResourceAPIClient, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, RetryOpt)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// SDKTags is m as SDK tags, sorted by key.
func SDKTags(m map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// Creating is the option of CreatePolicy, which has no client token: the
// SDK retries only throttling and ConcurrentModificationException (proof
// the policy was not made), not a lost answer, which awsretry.Create
// resolves by looking for the policy by its name.
func Creating(o *organizations.Options) {
	o.Retryer = awsretry.Creating(o.Retryer, awsretry.Organizations...)
}

// RetryOpt adds the Organizations errors AWS asks callers to retry
// (ConcurrentModificationException) to the client's retryer, for one call.
func RetryOpt(o *organizations.Options) {
	o.Retryer = awsretry.Add(o.Retryer, awsretry.Organizations...)
}
