package scp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/policyrun"
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
	l := spec.Limits.withDefaults()
	errorf := func(format string, args ...any) error {
		return fmt.Errorf("scp: target %q: "+format, append([]any{spec.TargetID}, args...)...)
	}
	policies, err := policyrun.EnsureAttachments(ctx, api, policyrun.Attachments{
		Type: types.PolicyTypeServiceControlPolicy, TargetID: spec.TargetID, Policies: spec.Policies, Kind: "scp",
		ManagedID: FullAWSAccessID, ManagedName: FullAWSAccessName, Authorization: true,
		DetachManaged: spec.DetachFullAWSAccess, DetachUnmanaged: spec.DetachUnmanaged, Max: l.MaxPoliciesPerTarget,
		Messages: policyrun.Messages{
			Errorf:   errorf,
			NotFound: ErrPolicyNotFound,
			Limit: func(names []string, count, max int) error {
				return &AttachmentLimitError{TargetID: spec.TargetID, Policies: names, Count: count, Limit: max}
			},
			Replace: func(detach, attach string, max int) error {
				return errorf("cannot replace %q with %q within the limit of %d SCPs without detaching the last one", detach, attach, max)
			},
			ListRoots: func(err error) error { return fmt.Errorf("scp: list roots: %w", err) },
			WaitRoots: func(err error) error { return fmt.Errorf("scp: list roots: %w", err) },
			Waiting:   func(rootID string) string { return fmt.Sprintf("SCPs on root %s", rootID) },
			Wait: func(rootID string, err error) error {
				return fmt.Errorf("scp: root %q: wait for SCPs: %w", rootID, err)
			},
			Enable: func(rootID string, err error) error { return fmt.Errorf("scp: root %q: enable SCPs: %w", rootID, err) },
			NotEnabled: func(rootID string, status types.PolicyTypeStatus) error {
				return fmt.Errorf("scp: root %q: SCPs are %s after being enabled", rootID, status)
			},
		},
	}, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	a := &Attachments{TargetID: spec.TargetID, Changes: rec.Changes()}
	for _, p := range policies {
		a.Policies = append(a.Policies, AttachedPolicy(p))
	}
	return a, nil
}
