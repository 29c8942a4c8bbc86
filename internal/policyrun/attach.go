package policyrun

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// AttachmentAPI is the part of the Organizations client EnsureAttachments
// uses.
type AttachmentAPI interface {
	ListRoots(ctx context.Context, params *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	EnablePolicyType(ctx context.Context, params *organizations.EnablePolicyTypeInput, optFns ...func(*organizations.Options)) (*organizations.EnablePolicyTypeOutput, error)
	ListPolicies(ctx context.Context, params *organizations.ListPoliciesInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	ListPoliciesForTarget(ctx context.Context, params *organizations.ListPoliciesForTargetInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	ListTagsForResource(ctx context.Context, params *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	AttachPolicy(ctx context.Context, params *organizations.AttachPolicyInput, optFns ...func(*organizations.Options)) (*organizations.AttachPolicyOutput, error)
	DetachPolicy(ctx context.Context, params *organizations.DetachPolicyInput, optFns ...func(*organizations.Options)) (*organizations.DetachPolicyOutput, error)
}

var _ AttachmentAPI = (*organizations.Client)(nil)

// Attachments is the set of policies of one type wanted on one target,
// validated by the front-end.
type Attachments struct {
	Type     types.PolicyType
	TargetID string
	// Policies are the wanted policies by name or ID, or an ID predicted
	// by EnsurePolicy's dry run (with Kind).
	Policies []string
	Kind     string
	// ManagedID and ManagedName are the type's AWS managed full-access
	// policy ("" for none); Authorization: a target must keep one policy
	// of the type.
	ManagedID, ManagedName string
	Authorization          bool
	// DetachManaged detaches the AWS managed full-access policy when it
	// is not listed; DetachUnmanaged the policies this library does not
	// manage.
	DetachManaged, DetachUnmanaged bool
	// Max is the per-target limit.
	Max int
	Messages
}

// Messages are the front-end's errors.
type Messages struct {
	// Errorf is an error on the target.
	Errorf func(format string, args ...any) error
	// NotFound is wrapped when a listed policy does not exist.
	NotFound error
	// Limit is the error when the target would have more than max
	// policies, or none (names sorted).
	Limit func(names []string, count, max int) error
	// Replace is the error when detach cannot be replaced with attach
	// within the limit.
	Replace func(detach, attach string, max int) error
	// The policy type on the root: reading the root, waiting for a
	// pending status (Waiting names what is waited for), enabling, and a
	// status other than ENABLED after enabling.
	ListRoots func(err error) error
	// WaitRoots wraps an error reading the root while waiting (nil: not
	// wrapped, Wait wraps it).
	WaitRoots  func(err error) error
	Waiting    func(rootID string) string
	Wait       func(rootID string, err error) error
	Enable     func(rootID string, err error) error
	NotEnabled func(rootID string, status types.PolicyTypeStatus) error
}

// Attached is one policy attached to a target.
type Attached struct {
	ID, Name            string
	AWSManaged, Managed bool
}

type entry struct {
	Attached
	pending bool // dry run: the policy does not exist yet (its ID is predicted)
}

// EnsureAttachments makes the policies of a.Type attached to a.TargetID
// exactly a.Policies among those this library manages: the type is enabled
// on the root first when it is not (waiting for ENABLED), missing policies
// are attached and managed ones not listed detached, attachments before
// detachments as far as the limit allows. It returns the policies the
// target has after the run (in a dry run: would have), sorted by name.
func EnsureAttachments(ctx context.Context, api AttachmentAPI, a Attachments, o call.Options, rec *plan.Recorder) ([]Attached, error) {
	r := &attachRun{api: api, a: a, o: o, rec: rec}
	return r.ensure(ctx)
}

type attachRun struct {
	api AttachmentAPI
	a   Attachments
	o   call.Options
	rec *plan.Recorder
}

func (r *attachRun) ensure(ctx context.Context) ([]Attached, error) {
	a := r.a
	enabled, noOrg, err := r.ensureType(ctx)
	if err != nil {
		return nil, err
	}
	var all []types.PolicySummary // none when the organization would be created
	if !noOrg {
		if all, err = CachedPolicies(ctx, r.api, r.o, a.Type); err != nil {
			return nil, a.Errorf("list policies: %w", err)
		}
	}
	byID := map[string]types.PolicySummary{}
	byName := map[string]types.PolicySummary{}
	for _, p := range all {
		byID[aws.ToString(p.Id)] = p
		byName[aws.ToString(p.Name)] = p
	}
	managed := types.PolicySummary{Id: aws.String(a.ManagedID), Name: aws.String(a.ManagedName), AwsManaged: true}
	if full, ok := byID[a.ManagedID]; ok {
		managed = full
	}

	// What is wanted.
	var wanted []entry
	wantedIDs := map[string]bool{}
	for _, ref := range a.Policies {
		if name, ok := PredictedName(a.Kind, ref); ok {
			// A policy EnsurePolicy's dry run would create (validation
			// accepts predicted IDs only in a dry run).
			wanted = append(wanted, entry{Attached: Attached{ID: ref, Name: name, Managed: true}, pending: true})
			continue
		}
		sum, ok := byID[ref]
		if !ok {
			sum, ok = byName[ref]
		}
		if !ok && a.ManagedID != "" && (ref == a.ManagedID || ref == a.ManagedName) {
			// The AWS managed policy, also when the organization (or the
			// type) a dry run plans on does not list it yet.
			sum, ok = managed, true
		}
		if !ok {
			if r.rec.Planning() && !policyIDRe.MatchString(ref) {
				// Planning (read path): a dry run plans on the policies
				// the dry run of EnsurePolicy before it would create, so
				// a name not found is a policy that would be created.
				wanted = append(wanted, entry{Attached: Attached{ID: plan.Predict(a.Kind, ref), Name: ref, Managed: true}, pending: true})
				continue
			}
			return nil, a.Errorf("policy %q: %w", ref, a.NotFound)
		}
		e := entry{Attached: Attached{ID: aws.ToString(sum.Id), Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		wanted = append(wanted, e)
		wantedIDs[e.ID] = true
	}

	// What is attached.
	var current []types.PolicySummary
	switch {
	case enabled && !plan.IsPredicted(a.TargetID):
		if current, err = r.listAttached(ctx); err != nil {
			return nil, a.Errorf("list attached policies: %w", err)
		}
	case a.ManagedID != "":
		// Dry run on an organization without the type: enabling it
		// attaches the full-access policy to every target. Dry run on a
		// target that would be created (its ID predicted, validation
		// accepts it only in a dry run): it is not read; a new OU or
		// account starts with the full-access policy.
		current = []types.PolicySummary{managed}
	}
	attachedIDs := map[string]bool{}
	var kept, detach []entry
	for _, sum := range current {
		e := entry{Attached: Attached{ID: aws.ToString(sum.Id), Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		attachedIDs[e.ID] = true
		if !e.AWSManaged {
			if e.Managed, err = r.managed(ctx, e); err != nil {
				return nil, err
			}
		}
		switch {
		case wantedIDs[e.ID],
			e.ID == a.ManagedID && !a.DetachManaged,
			!e.Managed && !a.DetachUnmanaged && e.ID != a.ManagedID:
			kept = append(kept, e)
		default:
			detach = append(detach, e)
		}
	}
	var attach []entry
	for _, e := range wanted {
		if !e.pending && attachedIDs[e.ID] {
			continue
		}
		// The wanted policies carry their Managed flag from the current
		// attachments when attached; look it up for the others.
		if !e.pending && !e.AWSManaged {
			if e.Managed, err = r.managed(ctx, e); err != nil {
				return nil, err
			}
		}
		attach = append(attach, e)
	}

	final := append(append([]entry(nil), kept...), attach...)
	if len(final) > a.Max || (a.Authorization && len(final) == 0) {
		names := make([]string, len(final))
		for i, e := range final {
			names[i] = e.Name
		}
		sort.Strings(names)
		return nil, a.Limit(names, len(final), a.Max)
	}
	if err := r.apply(ctx, len(current), attach, detach); err != nil {
		return nil, err
	}
	out := make([]Attached, 0, len(final))
	for _, e := range final {
		out = append(out, e.Attached)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// managed reports whether the policy carries the library's marker.
func (r *attachRun) managed(ctx context.Context, e entry) (bool, error) {
	tags, err := CachedTags(ctx, r.api, r.o, e.ID)
	if err != nil {
		return false, r.a.Errorf("policy %q: list tags: %w", e.Name, err)
	}
	return tags[ManagedByTagKey] == ManagedByTagValue, nil
}

// apply attaches and detaches, attaching first while the limit allows and,
// for an authorization type, never detaching the last policy.
func (r *attachRun) apply(ctx context.Context, count int, attach, detach []entry) error {
	for len(attach) > 0 || len(detach) > 0 {
		switch {
		case len(attach) > 0 && count < r.a.Max:
			if err := r.write(ctx, foundation.ActionCreate, attach[0]); err != nil {
				return err
			}
			attach, count = attach[1:], count+1
		case len(detach) > 0 && (count > 1 || !r.a.Authorization):
			if err := r.write(ctx, foundation.ActionDelete, detach[0]); err != nil {
				return err
			}
			detach, count = detach[1:], count-1
		default:
			return r.a.Replace(detach[0].Name, attach[0].Name, r.a.Max)
		}
	}
	return nil
}

func (r *attachRun) write(ctx context.Context, action foundation.Action, e entry) error {
	c := foundation.Change{Action: action, Resource: ResourcePolicyAttachment, ID: r.a.TargetID + "/" + e.Name}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		var err error
		var converged bool
		if action == foundation.ActionCreate {
			_, err = r.api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.a.TargetID)}, RetryOpt)
			var dup *types.DuplicatePolicyAttachmentException
			converged = errors.As(err, &dup) // attached meanwhile (by another run, or a first attempt whose answer was lost)
		} else {
			_, err = r.api.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.a.TargetID)}, RetryOpt)
			var gone *types.PolicyNotAttachedException
			converged = errors.As(err, &gone) // detached meanwhile
		}
		switch {
		case converged:
			return plan.ErrUnchanged
		case err != nil && action == foundation.ActionCreate:
			return r.a.Errorf("attach %q: %w", e.Name, err)
		case err != nil:
			return r.a.Errorf("detach %q: %w", e.Name, err)
		}
		return nil
	})
}

func (r *attachRun) listAttached(ctx context.Context) ([]types.PolicySummary, error) {
	var out []types.PolicySummary
	p := organizations.NewListPoliciesForTargetPaginator(r.api, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(r.a.TargetID), Filter: r.a.Type})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, RetryOpt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

// ensureType enables the policy type on the root when it is not and waits
// for ENABLED. It reports whether the type is enabled (false in a dry run
// that would enable it) and whether the organization does not exist yet
// (a dry run planned on the organization its dry run would create).
func (r *attachRun) ensureType(ctx context.Context) (enabled, noOrg bool, err error) {
	a := r.a
	var rootID string
	var status types.PolicyTypeStatus
	root, err := readcache.Get(r.o.ReadCache, keyRoot, func() (*types.Root, error) { return RootOf(ctx, r.api) })
	var notInUse *types.AWSOrganizationsNotInUseException
	switch {
	case r.rec.Planning() && errors.As(err, &notInUse):
		// Planning (read path): a dry run before the organization exists
		// plans on the organization its dry run would create, whose root
		// has no policy type enabled yet.
		noOrg, rootID = true, plan.Predict("root", "")
	case err != nil:
		return false, false, a.ListRoots(err)
	default:
		rootID, status = aws.ToString(root.Id), TypeStatus(root, a.Type)
	}
	wait := func(poll func(context.Context, string, func(context.Context) (bool, error)) error) (types.PolicyTypeStatus, error) {
		var st types.PolicyTypeStatus
		err := poll(ctx, a.Waiting(rootID), func(ctx context.Context) (bool, error) {
			root, err := RootOf(ctx, r.api)
			if err != nil && a.WaitRoots != nil {
				return false, a.WaitRoots(err)
			}
			if err != nil {
				return false, err
			}
			st = TypeStatus(root, a.Type)
			return st != types.PolicyTypeStatusPendingEnable && st != types.PolicyTypeStatusPendingDisable, nil
		})
		if err != nil {
			return "", a.Wait(rootID, err)
		}
		return st, nil
	}
	if status == types.PolicyTypeStatusPendingEnable || status == types.PolicyTypeStatusPendingDisable {
		// Someone else's change in progress: its outcome is read, in a dry
		// run too.
		if status, err = wait(r.o.Poll); err != nil {
			return false, noOrg, err
		}
	}
	if status == types.PolicyTypeStatusEnabled {
		return true, noOrg, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyType, ID: rootID + "/" + string(a.Type),
		Diffs: []foundation.Diff{{Field: "Status", From: string(status), To: string(types.PolicyTypeStatusEnabled)}}}
	applied, err := r.rec.Do(ctx, c, func(ctx context.Context) error {
		defer r.o.ReadCache.Invalidate(keyRoot) // its policy types change
		_, err := r.api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: a.Type}, RetryOpt)
		var already *types.PolicyTypeAlreadyEnabledException
		switch {
		case errors.As(err, &already):
			// Enabled meanwhile: wait for it below.
			return plan.ErrUnchanged
		case err != nil:
			return a.Enable(rootID, err)
		}
		return nil
	})
	if err != nil || !applied {
		return false, noOrg, err // planned: the type would be enabled
	}
	status, err = wait(func(ctx context.Context, what string, check func(context.Context) (bool, error)) error {
		return r.rec.Wait(ctx, r.o, what, check)
	})
	if err != nil {
		return false, noOrg, err
	}
	if status != types.PolicyTypeStatusEnabled {
		return false, noOrg, a.NotEnabled(rootID, status)
	}
	return true, noOrg, nil
}

// RootOf returns the organization's root.
func RootOf(ctx context.Context, api organizations.ListRootsAPIClient) (*types.Root, error) {
	p := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, RetryOpt)
		if err != nil {
			return nil, err
		}
		if len(page.Roots) > 0 {
			return &page.Roots[0], nil
		}
	}
	return nil, errors.New("the organization has no root")
}

// TypeStatus is the root's status of policy type t, "" when absent.
func TypeStatus(root *types.Root, t types.PolicyType) types.PolicyTypeStatus {
	for _, pt := range root.PolicyTypes {
		if pt.Type == t {
			return pt.Status
		}
	}
	return ""
}

// PredictedName returns the name of the resource of kind an identifier
// predicted by a dry run stands for, and whether id is one.
func PredictedName(kind, id string) (string, bool) {
	if !plan.IsPredicted(id) {
		return "", false
	}
	name, ok := strings.CutPrefix(id, strings.TrimSuffix(plan.Predict(kind, ""), ")"))
	if !ok {
		return "", false
	}
	name = strings.TrimSuffix(name, ")")
	return name, plan.Predict(kind, name) == id
}

var policyIDRe = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
