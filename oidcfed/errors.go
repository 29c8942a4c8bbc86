package oidcfed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
)

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. Match it
// with errors.As.
type RoleConflictError struct {
	Role   string
	Reason string
}

func (e *RoleConflictError) Error() string {
	return fmt.Sprintf("oidcfed: role %q: %s", e.Role, e.Reason)
}

func isNoSuchEntity(err error) bool {
	var nse *types.NoSuchEntityException
	return errors.As(err, &nse)
}

func isAlreadyExists(err error) bool {
	var ae *types.EntityAlreadyExistsException
	return errors.As(err, &ae)
}

// propagationAttempts bounds the retries of a trust policy write that IAM
// refuses because the OIDC provider it names was created moments ago.
const propagationAttempts = 5

// retryPropagation calls write until it does not fail with
// MalformedPolicyDocumentException, at most propagationAttempts times,
// waiting the options' poll backoff in between. The trust policies this
// package writes are validated before any call, so IAM refusing one is its
// eventual consistency: a Federated principal naming an OIDC provider that
// was just created is "invalid" until the provider has propagated.
func retryPropagation(ctx context.Context, o foundation.Options, write func() error) error {
	delay := o.PollInterval
	for attempt := 1; ; attempt++ {
		err := write()
		var mpd *types.MalformedPolicyDocumentException
		if err == nil || !errors.As(err, &mpd) || attempt == propagationAttempts {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, o.MaxPollInterval)
	}
}
