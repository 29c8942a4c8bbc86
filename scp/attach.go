package scp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// AttachedPolicy is one SCP attached to a target.
type AttachedPolicy struct {
	// ID is, in a dry run, a predicted identifier ("(known after apply:
	// scp NAME)") for a policy that does not exist yet.
	ID, Name string
	// AWSManaged is true for FullAWSAccess; Managed for the policies this
	// library manages (tagged managed-by=foundation).
	AWSManaged, Managed bool
}

// Attachments is what EnsureAttachments converged.
type Attachments struct {
	TargetID string
	// Policies are the SCPs attached to the target after the run (in dry
	// run: that would be), sorted by name.
	Policies []AttachedPolicy
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the target was already converged.
	Changes foundation.Changes
}

// EnsureAttachments makes the SCPs attached to one target (root, OU or
// account) exactly Spec.Policies among those this library manages:
// missing ones are attached, managed ones not listed are detached, and
// FullAWSAccess and policies the library does not manage are kept unless
// Spec.DetachFullAWSAccess or Spec.DetachUnmanaged ask otherwise.
//
// SCPs are enabled on the organization's root first when they are not
// (EnablePolicyType), waiting for the root to report them ENABLED (with the
// options' poll interval and wait timeout); AWS then attaches FullAWSAccess
// everywhere.
//
// The per-target limit is checked twice: on the spec alone before any call
// (the listed policies, plus FullAWSAccess when it is kept), and on what
// the target would have once its current attachments are read, before any
// write (*AttachmentLimitError). Attachments are made before detachments,
// as far as the limit allows, so the target never drops to zero SCPs and
// new guardrails are in place before old ones go.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made. A listed policy that does
// not exist is an error wrapping ErrPolicyNotFound.
//
// A dry run plans with what the dry runs before it would have made, so a
// dry run of EnsurePolicy and organizations.EnsureTree followed by
// EnsureAttachments lists everything: a listed name that does not exist,
// and a policy ID predicted by EnsurePolicy's dry run, are attachments that
// would be made; a TargetID predicted by the organizations package's dry
// run (an OU or account that would be created, or the root of an
// organization that would be created) is not read: it is planned as a new
// target, which starts with FullAWSAccess attached. A dry run before the
// organization exists plans enabling SCPs on its root. In a real run a
// predicted identifier is an invalid spec naming its field.
//
// On error the result is nil and the error carries the changes made before
// it (a *foundation.IncompleteError, errors.As).
func EnsureAttachments(ctx context.Context, api AttachmentAPI, spec AttachmentSpec, opts ...foundation.Option) (*Attachments, error) {
	o := call.Resolve(opts...)
	o.Logger = o.Logger.With(slog.String("target", spec.TargetID))
	rec := plan.New(o)
	// Validation accepts predicted identifiers only when the call plans.
	errs := spec.faults(rec.Planning())
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r := &attachRun{api: api, spec: spec, limits: spec.Limits.withDefaults(), o: o, rec: rec}
	a, err := r.ensure(ctx)
	if err != nil {
		return nil, rec.Fail(err)
	}
	a.Changes = rec.Changes()
	return a, nil
}

type attachRun struct {
	api    AttachmentAPI
	spec   AttachmentSpec
	limits Limits
	o      call.Options
	rec    *plan.Recorder
	// noOrg: a dry run before the organization exists (planned on the
	// organization its dry run would create).
	noOrg bool
}

func (r *attachRun) errorf(format string, args ...any) error {
	return fmt.Errorf("scp: target %q: "+format, append([]any{r.spec.TargetID}, args...)...)
}

// entry is one policy in the plan.
type entry struct {
	AttachedPolicy
	pending bool // dry run: the policy does not exist yet (its ID is predicted)
}

func (r *attachRun) ensure(ctx context.Context) (*Attachments, error) {
	enabled, err := r.ensurePolicyType(ctx)
	if err != nil {
		return nil, err
	}
	var all []types.PolicySummary // none when the organization would be created
	if !r.noOrg {
		if all, err = listPolicies(ctx, r.api); err != nil {
			return nil, r.errorf("list policies: %w", err)
		}
	}
	byID := map[string]types.PolicySummary{}
	byName := map[string]types.PolicySummary{}
	for _, p := range all {
		byID[aws.ToString(p.Id)] = p
		byName[aws.ToString(p.Name)] = p
	}

	// What is wanted.
	var wanted []entry
	wantedIDs := map[string]bool{}
	for _, ref := range r.spec.Policies {
		if name, ok := predictedName("scp", ref); ok {
			// A policy EnsurePolicy's dry run would create (validation
			// accepts predicted IDs only in a dry run).
			wanted = append(wanted, entry{AttachedPolicy: AttachedPolicy{ID: ref, Name: name, Managed: true}, pending: true})
			continue
		}
		sum, ok := byID[ref]
		if !ok {
			sum, ok = byName[ref]
		}
		if !ok && ref == FullAWSAccessID {
			sum, ok = byName[FullAWSAccessName]
		}
		if !ok {
			if r.rec.Planning() && !policyIDRe.MatchString(ref) {
				// Planning (read path): a dry run plans on the policies
				// the dry run of EnsurePolicy before it would create, so
				// a name not found is a policy that would be created.
				wanted = append(wanted, entry{AttachedPolicy: AttachedPolicy{ID: plan.Predict("scp", ref), Name: ref, Managed: true}, pending: true})
				continue
			}
			return nil, r.errorf("policy %q: %w", ref, ErrPolicyNotFound)
		}
		e := entry{AttachedPolicy: AttachedPolicy{ID: aws.ToString(sum.Id), Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		wanted = append(wanted, e)
		wantedIDs[e.ID] = true
	}

	// What is attached.
	var current []types.PolicySummary
	if _, newTarget := predictedTarget(r.spec.TargetID); enabled && !newTarget {
		current, err = r.listAttached(ctx)
		if err != nil {
			return nil, r.errorf("list attached policies: %w", err)
		}
	} else {
		// Dry run on an organization without SCPs: enabling them attaches
		// FullAWSAccess to every target. Dry run on a target that would be
		// created (its ID predicted, validation accepts it only in a dry
		// run): it is not read; a new OU or account starts with
		// FullAWSAccess.
		if full, ok := byID[FullAWSAccessID]; ok {
			current = []types.PolicySummary{full}
		} else {
			current = []types.PolicySummary{{Id: aws.String(FullAWSAccessID), Name: aws.String(FullAWSAccessName), AwsManaged: true}}
		}
	}
	attachedIDs := map[string]bool{}
	var kept, detach []entry
	for _, sum := range current {
		id := aws.ToString(sum.Id)
		attachedIDs[id] = true
		e := entry{AttachedPolicy: AttachedPolicy{ID: id, Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		if !e.AWSManaged {
			tags, err := listTags(ctx, r.api, id)
			if err != nil {
				return nil, r.errorf("policy %q: list tags: %w", e.Name, err)
			}
			e.Managed = tags[ManagedByTagKey] == ManagedByTagValue
		}
		switch {
		case wantedIDs[id]:
			kept = append(kept, e)
		case id == FullAWSAccessID && !r.spec.DetachFullAWSAccess,
			e.AWSManaged && id != FullAWSAccessID && !r.spec.DetachUnmanaged,
			!e.AWSManaged && !e.Managed && !r.spec.DetachUnmanaged:
			kept = append(kept, e)
		default:
			detach = append(detach, e)
		}
	}
	var attach []entry
	for _, e := range wanted {
		if e.pending || !attachedIDs[e.ID] {
			attach = append(attach, e)
		}
	}
	// The wanted policies carry their Managed flag from the current
	// attachments when attached; look it up for the others.
	for i := range attach {
		if attach[i].pending || attach[i].AWSManaged {
			continue
		}
		tags, err := listTags(ctx, r.api, attach[i].ID)
		if err != nil {
			return nil, r.errorf("policy %q: list tags: %w", attach[i].Name, err)
		}
		attach[i].Managed = tags[ManagedByTagKey] == ManagedByTagValue
	}

	final := append(append([]entry(nil), kept...), attach...)
	if len(final) > r.limits.MaxPoliciesPerTarget || len(final) == 0 {
		names := make([]string, len(final))
		for i, e := range final {
			names[i] = e.Name
		}
		sort.Strings(names)
		return nil, &AttachmentLimitError{TargetID: r.spec.TargetID, Policies: names, Count: len(final), Limit: r.limits.MaxPoliciesPerTarget}
	}
	if err := r.apply(ctx, len(current), attach, detach); err != nil {
		return nil, err
	}
	out := &Attachments{TargetID: r.spec.TargetID}
	for _, e := range final {
		out.Policies = append(out.Policies, e.AttachedPolicy)
	}
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].Name < out.Policies[j].Name })
	return out, nil
}

// apply attaches and detaches, attaching first while the limit allows and
// never detaching the last SCP.
func (r *attachRun) apply(ctx context.Context, count int, attach, detach []entry) error {
	for len(attach) > 0 || len(detach) > 0 {
		switch {
		case len(attach) > 0 && count < r.limits.MaxPoliciesPerTarget:
			if err := r.attach(ctx, attach[0]); err != nil {
				return err
			}
			attach, count = attach[1:], count+1
		case len(detach) > 0 && count > 1:
			if err := r.detach(ctx, detach[0]); err != nil {
				return err
			}
			detach, count = detach[1:], count-1
		default:
			return r.errorf("cannot replace %q with %q within the limit of %d SCPs without detaching the last one",
				detach[0].Name, attach[0].Name, r.limits.MaxPoliciesPerTarget)
		}
	}
	return nil
}

func (r *attachRun) attachmentID(e entry) string { return r.spec.TargetID + "/" + e.Name }

func (r *attachRun) attach(ctx context.Context, e entry) error {
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourcePolicyAttachment, ID: r.attachmentID(e)}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.spec.TargetID)}, retryOpt)
		var dup *types.DuplicatePolicyAttachmentException
		switch {
		case errors.As(err, &dup):
			// Attached meanwhile (by another run, or by a first attempt
			// whose answer was lost): converged.
			return plan.ErrUnchanged
		case err != nil:
			return r.errorf("attach %q: %w", e.Name, err)
		}
		return nil
	})
}

func (r *attachRun) detach(ctx context.Context, e entry) error {
	c := foundation.Change{Action: foundation.ActionDelete, Resource: ResourcePolicyAttachment, ID: r.attachmentID(e)}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.spec.TargetID)}, retryOpt)
		var gone *types.PolicyNotAttachedException
		switch {
		case errors.As(err, &gone):
			// Detached meanwhile: converged.
			return plan.ErrUnchanged
		case err != nil:
			return r.errorf("detach %q: %w", e.Name, err)
		}
		return nil
	})
}

func (r *attachRun) listAttached(ctx context.Context) ([]types.PolicySummary, error) {
	var out []types.PolicySummary
	p := organizations.NewListPoliciesForTargetPaginator(r.api, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(r.spec.TargetID), Filter: types.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

// ensurePolicyType makes sure SCPs are enabled on the organization's root.
// It reports whether they are (false only in dry run, when they would be
// enabled).
func (r *attachRun) ensurePolicyType(ctx context.Context) (bool, error) {
	var rootID string
	var status types.PolicyTypeStatus
	root, err := r.root(ctx)
	var notInUse *types.AWSOrganizationsNotInUseException
	switch {
	case r.rec.Planning() && errors.As(err, &notInUse):
		// Planning (read path): a dry run before the organization exists
		// plans on the organization its dry run would create, whose root
		// has no SCPs enabled yet.
		r.noOrg = true
		rootID = plan.Predict("root", "")
	case err != nil:
		return false, err
	default:
		rootID = aws.ToString(root.Id)
		status = scpStatus(root)
	}
	if status == types.PolicyTypeStatusPendingEnable || status == types.PolicyTypeStatusPendingDisable {
		// Someone else's change in progress: its outcome is read, in a dry
		// run too.
		if status, err = r.waitPolicyType(ctx, rootID, r.o.Poll); err != nil {
			return false, err
		}
	}
	if status == types.PolicyTypeStatusEnabled {
		return true, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyType, ID: rootID + "/" + string(types.PolicyTypeServiceControlPolicy),
		Diffs: []foundation.Diff{{Field: "Status", From: string(status), To: string(types.PolicyTypeStatusEnabled)}}}
	applied, err := r.rec.Do(ctx, c, func(ctx context.Context) error {
		_, err := r.api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy}, retryOpt)
		var already *types.PolicyTypeAlreadyEnabledException
		switch {
		case errors.As(err, &already):
			// Enabled meanwhile: wait for it below.
			return plan.ErrUnchanged
		case err != nil:
			return fmt.Errorf("scp: root %q: enable SCPs: %w", rootID, err)
		}
		return nil
	})
	if err != nil || !applied {
		return false, err // planned: SCPs would be enabled
	}
	status, err = r.waitPolicyType(ctx, rootID, func(ctx context.Context, what string, check func(context.Context) (bool, error)) error {
		return r.rec.Wait(ctx, r.o, what, check)
	})
	if err != nil {
		return false, err
	}
	if status != types.PolicyTypeStatusEnabled {
		return false, fmt.Errorf("scp: root %q: SCPs are %s after being enabled", rootID, status)
	}
	return true, nil
}

// waitPolicyType polls the root, with poll, until its SCP status is not
// pending.
func (r *attachRun) waitPolicyType(ctx context.Context, rootID string, poll func(context.Context, string, func(context.Context) (bool, error)) error) (types.PolicyTypeStatus, error) {
	var status types.PolicyTypeStatus
	err := poll(ctx, fmt.Sprintf("SCPs on root %s", rootID), func(ctx context.Context) (bool, error) {
		root, err := r.root(ctx)
		if err != nil {
			return false, err
		}
		status = scpStatus(root)
		return status != types.PolicyTypeStatusPendingEnable && status != types.PolicyTypeStatusPendingDisable, nil
	})
	if err != nil {
		return "", fmt.Errorf("scp: root %q: wait for SCPs: %w", rootID, err)
	}
	return status, nil
}

// root returns the organization's root.
func (r *attachRun) root(ctx context.Context) (*types.Root, error) {
	p := organizations.NewListRootsPaginator(r.api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, fmt.Errorf("scp: list roots: %w", err)
		}
		if len(page.Roots) > 0 {
			root := page.Roots[0]
			return &root, nil
		}
	}
	return nil, errors.New("scp: list roots: the organization has no root")
}

// scpStatus is the root's SCP policy type status, "" when absent.
func scpStatus(root *types.Root) types.PolicyTypeStatus {
	for _, pt := range root.PolicyTypes {
		if pt.Type == types.PolicyTypeServiceControlPolicy {
			return pt.Status
		}
	}
	return ""
}
