package scp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes this package reports.
const (
	ResourcePolicy           = "organizations:policy"
	ResourcePolicyContent    = "organizations:policy-content"
	ResourcePolicyTags       = "organizations:policy-tags"
	ResourcePolicyAttachment = "organizations:policy-attachment"
	ResourcePolicyType       = "organizations:policy-type"
)

// Policy is the SCP EnsurePolicy converged.
type Policy struct {
	// ID ("p-...") and ARN. In a dry run, for a policy that would be
	// created, ID is a predicted identifier ("(known after apply: scp
	// NAME)") that EnsureAttachments accepts in the same dry run, and ARN
	// is empty.
	ID, ARN string
	Name    string
	// Size is the number of characters of the content (minified).
	Size int
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the policy was already converged.
	Changes foundation.Changes
}

// EnsurePolicy converges one service control policy: found by name among
// the organization's SCPs, created when missing, otherwise updated when its
// content differs by meaning (foundation.PolicyDocument.Equal: AWS's
// formatting is not drift) or its description differs; its tags converge on
// Spec.Tags plus managed-by=foundation (other tags are kept). A policy of
// that name made by hand is adopted: converged and tagged. The content is
// always written minified (Minify).
//
// The spec is validated first, size limit included: an invalid one returns
// an error matching foundation.ErrInvalidSpec and no call is made. It must
// be called with the management account (or a delegated administrator for
// Organizations policies). In a dry run the document may hold account IDs
// the organizations package's dry run predicted (a guardrail exempting an
// account that would be created); a real run refuses them (spec.Document).
// On error the result is nil and the error carries the changes made before
// it (a *foundation.IncompleteError, errors.As).
func EnsurePolicy(ctx context.Context, api PolicyAPI, spec PolicySpec, opts ...foundation.Option) (*Policy, error) {
	o := call.Resolve(opts...)
	o.Logger = o.Logger.With(slog.String("policy", spec.Name))
	rec := plan.New(o)
	// Validation accepts predicted identifiers only when the call plans.
	doc, errs := spec.document(rec.Planning())
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	content, err := Minify(doc)
	if err != nil {
		return nil, specerr.New(pkg, "spec.Document", "", err.Error())
	}
	r := &policyRun{api: api, spec: spec, doc: doc, content: content, rec: rec, log: o.Logger, o: o}
	p, err := r.ensure(ctx)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	p.Size, _ = Size(doc)
	p.Changes = r.rec.Changes()
	return p, nil
}

type policyRun struct {
	api     PolicyAPI
	spec    PolicySpec
	doc     *foundation.PolicyDocument
	content string
	rec     *plan.Recorder
	log     *slog.Logger
	o       call.Options
}

func (r *policyRun) errorf(step string, err error) error {
	return fmt.Errorf("scp: policy %q: %s: %w", r.spec.Name, step, err)
}

// wantTags are the tags the policy must carry.
func (r *policyRun) wantTags() map[string]string {
	want := map[string]string{ManagedByTagKey: ManagedByTagValue}
	if r.spec.Unmanaged {
		want = map[string]string{}
	}
	for k, v := range r.spec.Tags {
		want[k] = v
	}
	return want
}

func (r *policyRun) ensure(ctx context.Context) (*Policy, error) {
	sum, err := findPolicy(ctx, r.api, r.spec.Name)
	var notInUse *types.AWSOrganizationsNotInUseException
	if r.rec.Planning() && errors.As(err, &notInUse) {
		// Planning (read path): a dry run before the organization exists
		// plans on the organization its dry run would create, which has
		// no policies, so the policy would be created.
		sum, err = nil, nil
	}
	if err != nil {
		return nil, r.errorf("list policies", err)
	}
	if sum == nil {
		return r.create(ctx)
	}
	return r.converge(ctx, sum)
}

func (r *policyRun) create(ctx context.Context) (*Policy, error) {
	change := foundation.Change{Action: foundation.ActionCreate, Resource: ResourcePolicy, ID: r.spec.Name}
	var out *organizations.CreatePolicyOutput
	var raced error
	applied, err := r.rec.Do(ctx, change, func(ctx context.Context) error {
		// A lost answer is not resent by the SDK: the policy the earlier
		// attempt made is found by its name (awsretry.Create), and the
		// change is this run's.
		var err error
		out, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*organizations.CreatePolicyOutput, bool, error) {
			sum, err := findPolicy(ctx, r.api, r.spec.Name)
			if err != nil || sum == nil {
				return nil, false, err
			}
			return &organizations.CreatePolicyOutput{Policy: &types.Policy{PolicySummary: sum}}, true, nil
		}, func(ctx context.Context) (*organizations.CreatePolicyOutput, error) {
			return r.api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
				Name:        aws.String(r.spec.Name),
				Description: aws.String(r.spec.Description),
				Content:     aws.String(r.content),
				Type:        types.PolicyTypeServiceControlPolicy,
				Tags:        sdkTags(r.wantTags()),
			}, creating)
		})
		var dup *types.DuplicatePolicyException
		if errors.As(err, &dup) {
			// Another run created it between our read and our create
			// (or our first attempt did): converged below.
			raced = err
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
		return &Policy{ID: plan.Predict("scp", r.spec.Name), Name: r.spec.Name}, nil
	case raced != nil:
		// Read it again and converge it.
		r.log.Debug("create raced; converging the existing policy")
		sum, ferr := findPolicy(ctx, r.api, r.spec.Name)
		if ferr != nil {
			return nil, r.errorf("list policies", ferr)
		}
		if sum == nil {
			return nil, r.errorf("create", raced)
		}
		return r.converge(ctx, sum)
	}
	p := &Policy{Name: r.spec.Name}
	if out.Policy != nil && out.Policy.PolicySummary != nil {
		p.ID, p.ARN = aws.ToString(out.Policy.PolicySummary.Id), aws.ToString(out.Policy.PolicySummary.Arn)
	}
	return p, nil
}

func (r *policyRun) converge(ctx context.Context, sum *types.PolicySummary) (*Policy, error) {
	p := &Policy{ID: aws.ToString(sum.Id), ARN: aws.ToString(sum.Arn), Name: r.spec.Name}
	if sum.AwsManaged {
		return nil, fmt.Errorf("scp: policy %q (%s): %w", r.spec.Name, p.ID, ErrAWSManagedPolicy)
	}
	out, err := r.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: sum.Id}, retryOpt)
	if err != nil {
		return nil, r.errorf("describe", err)
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
	have, perr := foundation.ParsePolicy(haveContent)
	if perr != nil || !have.Equal(r.doc) {
		in.Content = aws.String(r.content)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyContent,
			ID: r.spec.Name, Diffs: contentDiffs(have, haveContent, r.doc, r.content)})
	}
	if haveDescription != r.spec.Description {
		in.Description = aws.String(r.spec.Description)
		changes = append(changes, foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicy,
			ID: r.spec.Name, Diffs: []foundation.Diff{{Field: "Description", From: haveDescription, To: r.spec.Description}}})
	}
	if len(changes) > 0 {
		// One UpdatePolicy makes every change.
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
	if err := r.ensureTags(ctx, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

func (r *policyRun) ensureTags(ctx context.Context, id string) error {
	have, err := listTags(ctx, r.api, id)
	if err != nil {
		return r.errorf("list tags", err)
	}
	want := r.wantTags()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var put []types.Tag
	var diffs []foundation.Diff
	for _, k := range keys {
		old, ok := have[k]
		if ok && old == want[k] {
			continue
		}
		put = append(put, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
	}
	if len(put) == 0 {
		return nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyTags, ID: r.spec.Name, Diffs: diffs}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		if _, err := r.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: put}, retryOpt); err != nil {
			return r.errorf("tag", err)
		}
		return nil
	})
}

// findPolicy returns the SCP named name, or nil.
func findPolicy(ctx context.Context, api organizations.ListPoliciesAPIClient, name string) (*types.PolicySummary, error) {
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
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

// listPolicies returns every SCP of the organization.
func listPolicies(ctx context.Context, api organizations.ListPoliciesAPIClient) ([]types.PolicySummary, error) {
	var out []types.PolicySummary
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

// listTags returns the tags of an Organizations resource.
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
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// contentDiffs describes how the content changes, statement by statement:
// a Diff per Sid added, changed or removed ("Statement DenyRootUser"), per
// statement without a Sid that is not in the other document, and for the
// Version. When the documents differ in a way no statement shows (or the
// current content does not parse), one Diff gives both contents whole.
func contentDiffs(have *foundation.PolicyDocument, haveRaw string, want *foundation.PolicyDocument, wantRaw string) []foundation.Diff {
	whole := []foundation.Diff{{Field: "Content", From: haveRaw, To: wantRaw}}
	if have == nil {
		return whole
	}
	var diffs []foundation.Diff
	if have.Version != want.Version {
		diffs = append(diffs, foundation.Diff{Field: "Version", From: have.Version, To: want.Version})
	}
	haveBySid := map[string]foundation.Statement{}
	for _, st := range have.Statement {
		if st.Sid != "" {
			if _, dup := haveBySid[st.Sid]; !dup {
				haveBySid[st.Sid] = st
			}
		}
	}
	wantSids := map[string]bool{}
	for _, st := range want.Statement {
		if st.Sid == "" {
			if !containsEqual(have.Statement, st) {
				diffs = append(diffs, foundation.Diff{Field: "Statement (no Sid)", To: statementJSON(st)})
			}
			continue
		}
		wantSids[st.Sid] = true
		old, ok := haveBySid[st.Sid]
		switch {
		case !ok:
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, To: statementJSON(st)})
		case !old.Equal(st):
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, From: statementJSON(old), To: statementJSON(st)})
		}
	}
	for _, st := range have.Statement {
		switch {
		case st.Sid == "":
			if !containsEqual(want.Statement, st) {
				diffs = append(diffs, foundation.Diff{Field: "Statement (no Sid)", From: statementJSON(st)})
			}
		case !wantSids[st.Sid]:
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, From: statementJSON(st)})
			wantSids[st.Sid] = true // report a duplicated Sid once
		}
	}
	if len(diffs) == 0 {
		return whole
	}
	return diffs
}

func containsEqual(l []foundation.Statement, st foundation.Statement) bool {
	for _, o := range l {
		if o.Equal(st) {
			return true
		}
	}
	return false
}

// statementJSON is a statement as compact JSON, for diffs.
func statementJSON(st foundation.Statement) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
