package orgpolicy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

var (
	policyIDRe = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	targetRe   = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$`)
)

// AttachmentSpec is the set of policies of one type wanted on one target.
type AttachmentSpec struct {
	// Type is the policy type (required).
	Type Type
	// TargetID is the root, OU or account (required); in a dry run also
	// an identifier the organizations package's dry run predicted.
	TargetID string
	// Policies are the policies of the type the target must have, by name
	// or ID (in a dry run also an ID EnsurePolicy's dry run predicted).
	// Missing ones are attached; the ones this library manages
	// (managed-by=foundation) that are attached but not listed are
	// detached.
	Policies []string
	// DetachFullAWSAccess detaches the AWS managed FullAWSAccess SCP
	// (SCPs only; RCPFullAWSAccess cannot be detached and is always kept).
	DetachFullAWSAccess bool
	// DetachUnmanaged detaches the attached policies of the type not
	// listed that this library does not manage.
	DetachUnmanaged bool
	// Limits: MaxPoliciesPerTarget is checked on the spec before any call
	// and on what would be attached before any write (zero: the type's
	// default).
	Limits Limits
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec, as a real run checks it.
func (s AttachmentSpec) Validate() error { return errors.Join(s.faults(false)...) }

func (s AttachmentSpec) faults(dryRun bool) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	info := Info(s.Type)
	if !Known(s.Type) {
		bad("spec.Type", string(s.Type), "is not a policy type AWS Organizations knows (orgpolicy.Types)")
	}
	switch {
	case s.TargetID == "":
		bad("spec.TargetID", "", "is required")
	case plan.IsPredicted(s.TargetID):
		if !dryRun {
			bad("spec.TargetID", s.TargetID, "is an identifier predicted by a dry run: a real run needs the real identifier")
		}
	case !targetRe.MatchString(s.TargetID):
		bad("spec.TargetID", s.TargetID, `must be a root ID ("r-..."), an OU ID ("ou-xxxx-xxxxxxxx") or a 12-digit account ID`)
	}
	for _, p := range limitFaults("spec.Limits", s.Limits) {
		errs = append(errs, specerr.New(pkg, "spec.Limits", "", p))
	}
	if s.DetachFullAWSAccess && s.Type != SCP {
		bad("spec.DetachFullAWSAccess", "", "applies to SCPs only (RCPFullAWSAccess cannot be detached)")
	}
	seen := map[string]int{}
	for i, p := range s.Policies {
		field := fmt.Sprintf("spec.Policies[%d]", i)
		switch {
		case p == "":
			bad(field, "", "is required")
		case plan.IsPredicted(p) && !dryRun:
			bad(field, p, "is an identifier predicted by a dry run: a real run needs the real identifier")
		case plan.IsPredicted(p) && predictedPolicyName(s.Type, p) == "":
			bad(field, p, "is an identifier predicted for a resource that is not a "+string(s.Type))
		case strings.HasPrefix(p, "p-") && !policyIDRe.MatchString(p) && p != info.ManagedPolicyID:
			bad(field, p, "looks like a policy ID but is not one")
		}
		if j, dup := seen[p]; dup {
			bad(field, p, fmt.Sprintf("duplicates spec.Policies[%d]", j))
		}
		seen[p] = i
	}
	count := len(s.Policies)
	if info.ManagedPolicyID != "" && !listsManaged(info, s.Policies) && !s.DetachFullAWSAccess {
		count++ // the full-access policy stays
	}
	if max := s.Limits.For(s.Type).MaxPoliciesPerTarget; Known(s.Type) && count > max {
		bad("spec.Policies", "", fmt.Sprintf("%d policies would be attached (the AWS managed full-access policy counted when kept), more than the limit of %d %s per target", count, max, s.Type))
	}
	if info.Authorization && count == 0 {
		bad("spec.Policies", "", "must name at least one policy: AWS requires every target to keep one "+string(s.Type))
	}
	return errs
}

// predictedPolicyName returns the name of the policy of type t an
// identifier predicted by EnsurePolicy's dry run stands for, or "".
func predictedPolicyName(t Type, id string) string {
	prefix := strings.TrimSuffix(plan.Predict(kind(t), ""), ")")
	name, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return ""
	}
	name = strings.TrimSuffix(name, ")")
	if plan.Predict(kind(t), name) != id {
		return ""
	}
	return name
}

func listsManaged(info TypeInfo, refs []string) bool {
	for _, r := range refs {
		if r == info.ManagedPolicyID || r == info.ManagedPolicyName {
			return true
		}
	}
	return false
}

// Attachments is what EnsureAttachments converged.
type Attachments struct {
	Type     Type
	TargetID string
	// Policies are the policies of the type attached to the target after
	// the run (in dry run: that would be), sorted by name.
	Policies []scp.AttachedPolicy
	Changes  foundation.Changes
}

// EnsureAttachments makes the policies of one type attached to one
// target exactly Spec.Policies among those this library manages, for every
// type (scp.EnsureAttachments for SCPs): the type is enabled on the root
// first when it is not (waiting for ENABLED), missing policies are
// attached and managed ones not listed detached, attachments before
// detachments as far as the limit allows. AWS managed full-access policies
// (FullAWSAccess, RCPFullAWSAccess) and policies this library does not
// manage are kept unless the spec says otherwise. The per-target limit is
// checked on the spec before any call and on what the target would have
// before any write (*scp.AttachmentLimitError). A second run on converged
// state makes no write.
func EnsureAttachments(ctx context.Context, api AttachmentAPI, spec AttachmentSpec, opts ...foundation.Option) (*Attachments, error) {
	o := call.Resolve(opts...)
	rec := plan.New(o)
	errs := spec.faults(rec.Planning())
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if spec.Type == SCP {
		l := spec.Limits.For(SCP)
		a, err := scp.EnsureAttachments(ctx, api, scp.AttachmentSpec{TargetID: spec.TargetID, Policies: spec.Policies,
			DetachFullAWSAccess: spec.DetachFullAWSAccess, DetachUnmanaged: spec.DetachUnmanaged,
			Limits: scp.Limits{MaxPolicySize: l.MaxPolicySize, MaxPoliciesPerTarget: l.MaxPoliciesPerTarget}}, opts...)
		if err != nil {
			return nil, err
		}
		return &Attachments{Type: SCP, TargetID: a.TargetID, Policies: a.Policies, Changes: a.Changes}, nil
	}
	r := &attachRun{api: api, spec: spec, info: Info(spec.Type), max: spec.Limits.For(spec.Type).MaxPoliciesPerTarget, o: o, rec: rec}
	a, err := r.ensure(ctx)
	if err != nil {
		return nil, rec.Fail(err)
	}
	a.Changes = rec.Changes()
	return a, nil
}

type attachRun struct {
	api  AttachmentAPI
	spec AttachmentSpec
	info TypeInfo
	max  int
	o    call.Options
	rec  *plan.Recorder
}

func (r *attachRun) errorf(format string, args ...any) error {
	return fmt.Errorf("orgpolicy: %s on target %q: "+format, append([]any{r.spec.Type, r.spec.TargetID}, args...)...)
}

type entry struct {
	scp.AttachedPolicy
	pending bool
}

func (r *attachRun) ensure(ctx context.Context) (*Attachments, error) {
	enabled, noOrg, err := r.ensureType(ctx)
	if err != nil {
		return nil, err
	}
	var all []types.PolicySummary
	if !noOrg {
		if all, err = listPolicies(ctx, r.api, r.spec.Type); err != nil {
			return nil, r.errorf("list policies: %w", err)
		}
	}
	byRef := map[string]types.PolicySummary{}
	for _, p := range all {
		byRef[aws.ToString(p.Id)] = p
		byRef[aws.ToString(p.Name)] = p
	}
	var wanted []entry
	wantedIDs := map[string]bool{}
	for _, ref := range r.spec.Policies {
		sum, ok := byRef[ref]
		if !ok && ref == r.info.ManagedPolicyName {
			sum, ok = types.PolicySummary{Id: aws.String(r.info.ManagedPolicyID), Name: aws.String(ref), AwsManaged: true}, true
		}
		if !ok {
			if r.rec.Planning() && (plan.IsPredicted(ref) || !policyIDRe.MatchString(ref)) {
				name := ref
				if plan.IsPredicted(ref) {
					name = predictedPolicyName(r.spec.Type, ref)
				}
				wanted = append(wanted, entry{AttachedPolicy: scp.AttachedPolicy{ID: plan.Predict(kind(r.spec.Type), name), Name: name, Managed: true}, pending: true})
				continue
			}
			return nil, r.errorf("policy %q: %w", ref, scp.ErrPolicyNotFound)
		}
		e := entry{AttachedPolicy: scp.AttachedPolicy{ID: aws.ToString(sum.Id), Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		wanted = append(wanted, e)
		wantedIDs[e.ID] = true
	}
	var current []types.PolicySummary
	if enabled && !plan.IsPredicted(r.spec.TargetID) {
		p := organizations.NewListPoliciesForTargetPaginator(r.api, &organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(r.spec.TargetID), Filter: r.spec.Type})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, retryOpt)
			if err != nil {
				return nil, r.errorf("list attached policies: %w", err)
			}
			current = append(current, page.Policies...)
		}
	} else if r.info.ManagedPolicyID != "" {
		// Enabling the type (or making the target) attaches the managed
		// full-access policy.
		current = []types.PolicySummary{{Id: aws.String(r.info.ManagedPolicyID), Name: aws.String(r.info.ManagedPolicyName), AwsManaged: true}}
	}
	attached := map[string]bool{}
	var kept, detach []entry
	for _, sum := range current {
		e := entry{AttachedPolicy: scp.AttachedPolicy{ID: aws.ToString(sum.Id), Name: aws.ToString(sum.Name), AWSManaged: sum.AwsManaged}}
		attached[e.ID] = true
		if !e.AWSManaged {
			tags, err := listTags(ctx, r.api, e.ID)
			if err != nil {
				return nil, r.errorf("policy %q: list tags: %w", e.Name, err)
			}
			e.Managed = tags[scp.ManagedByTagKey] == scp.ManagedByTagValue
		}
		switch {
		case wantedIDs[e.ID],
			e.ID == r.info.ManagedPolicyID && (r.spec.Type == RCP || !r.spec.DetachFullAWSAccess),
			!e.Managed && !r.spec.DetachUnmanaged && e.ID != r.info.ManagedPolicyID:
			kept = append(kept, e)
		default:
			detach = append(detach, e)
		}
	}
	var attach []entry
	for _, e := range wanted {
		if e.pending || !attached[e.ID] {
			if !e.pending && !e.AWSManaged {
				tags, err := listTags(ctx, r.api, e.ID)
				if err != nil {
					return nil, r.errorf("policy %q: list tags: %w", e.Name, err)
				}
				e.Managed = tags[scp.ManagedByTagKey] == scp.ManagedByTagValue
			}
			attach = append(attach, e)
		}
	}
	final := append(append([]entry(nil), kept...), attach...)
	if len(final) > r.max || (r.info.Authorization && len(final) == 0) {
		names := make([]string, len(final))
		for i, e := range final {
			names[i] = e.Name
		}
		sort.Strings(names)
		return nil, &scp.AttachmentLimitError{TargetID: r.spec.TargetID, Policies: names, Count: len(final), Limit: r.max}
	}
	count := len(current)
	for len(attach) > 0 || len(detach) > 0 {
		switch {
		case len(attach) > 0 && count < r.max:
			if err := r.write(ctx, foundation.ActionCreate, attach[0]); err != nil {
				return nil, err
			}
			attach, count = attach[1:], count+1
		case len(detach) > 0 && (count > 1 || !r.info.Authorization):
			if err := r.write(ctx, foundation.ActionDelete, detach[0]); err != nil {
				return nil, err
			}
			detach, count = detach[1:], count-1
		default:
			return nil, r.errorf("cannot replace %q with %q within the limit of %d", detach[0].Name, attach[0].Name, r.max)
		}
	}
	out := &Attachments{Type: r.spec.Type, TargetID: r.spec.TargetID}
	for _, e := range final {
		out.Policies = append(out.Policies, e.AttachedPolicy)
	}
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].Name < out.Policies[j].Name })
	return out, nil
}

func (r *attachRun) write(ctx context.Context, action foundation.Action, e entry) error {
	c := foundation.Change{Action: action, Resource: ResourcePolicyAttachment, ID: r.spec.TargetID + "/" + e.Name}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		var err error
		if action == foundation.ActionCreate {
			_, err = r.api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.spec.TargetID)}, retryOpt)
			var dup *types.DuplicatePolicyAttachmentException
			if errors.As(err, &dup) {
				return plan.ErrUnchanged
			}
		} else {
			_, err = r.api.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(e.ID), TargetId: aws.String(r.spec.TargetID)}, retryOpt)
			var gone *types.PolicyNotAttachedException
			if errors.As(err, &gone) {
				return plan.ErrUnchanged
			}
		}
		if err != nil {
			return r.errorf("%s %q: %w", map[foundation.Action]string{foundation.ActionCreate: "attach", foundation.ActionDelete: "detach"}[action], e.Name, err)
		}
		return nil
	})
}

// ensureType enables the policy type on the root when it is not and waits
// for ENABLED. It reports whether the type is enabled (false in a dry run
// that would enable it) and whether the organization does not exist yet
// (a dry run planned on the organization its dry run would create).
func (r *attachRun) ensureType(ctx context.Context) (enabled, noOrg bool, err error) {
	root, err := rootOf(ctx, r.api)
	var notInUse *types.AWSOrganizationsNotInUseException
	var rootID string
	var status types.PolicyTypeStatus
	switch {
	case r.rec.Planning() && errors.As(err, &notInUse):
		noOrg, rootID = true, plan.Predict("root", "")
	case err != nil:
		return false, false, r.errorf("list roots: %w", err)
	default:
		rootID, status = aws.ToString(root.Id), typeStatus(root, r.spec.Type)
	}
	wait := func(poll func(context.Context, string, func(context.Context) (bool, error)) error) (types.PolicyTypeStatus, error) {
		var st types.PolicyTypeStatus
		err := poll(ctx, fmt.Sprintf("%s on root %s", r.spec.Type, rootID), func(ctx context.Context) (bool, error) {
			root, err := rootOf(ctx, r.api)
			if err != nil {
				return false, err
			}
			st = typeStatus(root, r.spec.Type)
			return st != types.PolicyTypeStatusPendingEnable && st != types.PolicyTypeStatusPendingDisable, nil
		})
		return st, err
	}
	if status == types.PolicyTypeStatusPendingEnable || status == types.PolicyTypeStatusPendingDisable {
		if status, err = wait(r.o.Poll); err != nil {
			return false, noOrg, r.errorf("wait for the policy type: %w", err)
		}
	}
	if status == types.PolicyTypeStatusEnabled {
		return true, noOrg, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourcePolicyType, ID: rootID + "/" + string(r.spec.Type),
		Diffs: []foundation.Diff{{Field: "Status", From: string(status), To: string(types.PolicyTypeStatusEnabled)}}}
	applied, err := r.rec.Do(ctx, c, func(ctx context.Context) error {
		_, err := r.api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: r.spec.Type}, retryOpt)
		var already *types.PolicyTypeAlreadyEnabledException
		if errors.As(err, &already) {
			return plan.ErrUnchanged
		}
		if err != nil {
			return fmt.Errorf("orgpolicy: root %q: enable %s: %w", rootID, r.spec.Type, err)
		}
		return nil
	})
	if err != nil || !applied {
		return false, noOrg, err
	}
	status, err = wait(func(ctx context.Context, what string, check func(context.Context) (bool, error)) error {
		return r.rec.Wait(ctx, r.o, what, check)
	})
	if err != nil {
		return false, noOrg, r.errorf("wait for the policy type: %w", err)
	}
	if status != types.PolicyTypeStatusEnabled {
		return false, noOrg, r.errorf("the policy type is %s after being enabled", status)
	}
	return true, noOrg, nil
}

func rootOf(ctx context.Context, api organizations.ListRootsAPIClient) (*types.Root, error) {
	p := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryOpt)
		if err != nil {
			return nil, err
		}
		if len(page.Roots) > 0 {
			return &page.Roots[0], nil
		}
	}
	return nil, errors.New("the organization has no root")
}

func typeStatus(root *types.Root, t Type) types.PolicyTypeStatus {
	for _, pt := range root.PolicyTypes {
		if pt.Type == t {
			return pt.Status
		}
	}
	return ""
}

// ReadEffective returns the effective management policy of type t for an
// account (DescribeEffectivePolicy): the policies attached along its path
// merged with the inheritance operators, as AWS applies it. It returns
// ("", nil) when no policy of the type applies to the account
// (EffectivePolicyNotFoundException). SCPs and RCPs have no effective
// policy: asking for one is an invalid spec, refused before any call.
func ReadEffective(ctx context.Context, api EffectiveAPI, t Type, accountID string) (string, error) {
	var errs []error
	if !Known(t) || Info(t).Authorization {
		errs = append(errs, specerr.New(pkg, "type", string(t), "must be a management policy type (SCPs and RCPs have no effective policy)"))
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(accountID) {
		errs = append(errs, specerr.New(pkg, "accountID", accountID, "must be a 12-digit account ID (AWS computes effective policies for accounts only)"))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	out, err := api.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyType(t), TargetId: aws.String(accountID)}, retryOpt)
	var none *types.EffectivePolicyNotFoundException
	switch {
	case errors.As(err, &none):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("orgpolicy: account %q: describe effective %s: %w", accountID, t, err)
	}
	if out.EffectivePolicy == nil {
		return "", nil
	}
	return aws.ToString(out.EffectivePolicy.PolicyContent), nil
}
