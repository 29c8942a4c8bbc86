package orgpolicy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/policyrun"
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
	if name, ok := policyrun.PredictedName(kind(t), id); ok {
		return name
	}
	return ""
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
	t, target := spec.Type, spec.TargetID
	info := Info(t)
	errorf := func(format string, args ...any) error {
		return fmt.Errorf("orgpolicy: %s on target %q: "+format, append([]any{t, target}, args...)...)
	}
	policies, err := policyrun.EnsureAttachments(ctx, api, policyrun.Attachments{
		Type: t, TargetID: target, Policies: spec.Policies, Kind: kind(t),
		ManagedID: info.ManagedPolicyID, ManagedName: info.ManagedPolicyName, Authorization: info.Authorization,
		DetachManaged: spec.DetachFullAWSAccess, DetachUnmanaged: spec.DetachUnmanaged, Max: spec.Limits.For(t).MaxPoliciesPerTarget,
		Messages: policyrun.Messages{
			Errorf:   errorf,
			NotFound: scp.ErrPolicyNotFound,
			Limit: func(names []string, count, max int) error {
				return &scp.AttachmentLimitError{TargetID: target, Policies: names, Count: count, Limit: max}
			},
			Replace: func(detach, attach string, max int) error {
				return errorf("cannot replace %q with %q within the limit of %d", detach, attach, max)
			},
			ListRoots: func(err error) error { return errorf("list roots: %w", err) },
			Waiting:   func(rootID string) string { return fmt.Sprintf("%s on root %s", t, rootID) },
			Wait:      func(_ string, err error) error { return errorf("wait for the policy type: %w", err) },
			Enable: func(rootID string, err error) error {
				return fmt.Errorf("orgpolicy: root %q: enable %s: %w", rootID, t, err)
			},
			NotEnabled: func(_ string, status types.PolicyTypeStatus) error {
				return errorf("the policy type is %s after being enabled", status)
			},
		},
	}, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	a := &Attachments{Type: t, TargetID: target, Changes: rec.Changes()}
	for _, p := range policies {
		a.Policies = append(a.Policies, scp.AttachedPolicy(p))
	}
	return a, nil
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
