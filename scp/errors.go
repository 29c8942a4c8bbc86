package scp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/awsfoundation/foundation/internal/policyrun"
)

// ErrPolicyNotFound is returned, wrapped, when EnsureAttachments is asked
// to attach a policy (by name or ID) that does not exist.
var ErrPolicyNotFound = errors.New("no such service control policy")

// ErrAWSManagedPolicy is returned, wrapped, when EnsurePolicy finds that
// the policy of the name given is an AWS managed policy, which cannot be
// changed.
var ErrAWSManagedPolicy = errors.New("is an AWS managed policy and cannot be changed")

// AttachmentLimitError is returned by EnsureAttachments, before any write,
// when the SCPs the target would have (those wanted plus those kept:
// FullAWSAccess and policies the library does not manage) are more than
// the limit, or none.
type AttachmentLimitError struct {
	TargetID string
	// Policies are the names of the SCPs the target would have.
	Policies []string
	// Count is len(Policies); Limit the MaxPoliciesPerTarget applied.
	Count, Limit int
}

func (e *AttachmentLimitError) Error() string {
	if e.Count == 0 {
		return fmt.Sprintf("scp: target %q: no SCP would remain attached; AWS requires at least one", e.TargetID)
	}
	return fmt.Sprintf("scp: target %q: %d SCPs would be attached (%s), more than the limit of %d per target",
		e.TargetID, e.Count, strings.Join(e.Policies, ", "), e.Limit)
}

// retryOpt adds the Organizations errors AWS asks callers to retry
// (ConcurrentModificationException) to the client's retryer, for one call.
var retryOpt = policyrun.RetryOpt
