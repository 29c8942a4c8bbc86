// Package awsretry is the one place where the library retries AWS calls.
// It has two mechanisms, for two kinds of transient refusal, and nothing
// else in the library loops over a failed call:
//
//  1. Codes AWS documents as transient that the SDK's standard retryer does
//     not retry (the lists below). Packages add them to a client's retryer
//     for each call, so they are retried by the SDK, bounded by the
//     client's retryer (its MaxAttempts and backoff), which the caller
//     configures:
//
//     out, err := api.CreateOrganizationalUnit(ctx, in, func(o *organizations.Options) {
//     o.Retryer = awsretry.Add(o.Retryer, awsretry.Organizations...)
//     })
//
//     Throttling is already retried by the SDK and is not listed here.
//
//  2. Propagation: AWS refuses a write because something created moments
//     ago is not visible yet (IAM or KMS MalformedPolicyDocumentException
//     for a new principal, DynamoDB point-in-time recovery on a new table, a
//     table update while another settles). Wait retries such a write,
//     bounded by time: call.Options.PropagationTimeout, with the options'
//     poll backoff. A Wait inside another Wait does not loop: it calls its
//     function once and lets the outer Wait retry, so attempts never
//     multiply.
//
// The errors Wait retries are not in the lists of 1, so the SDK retryer
// and Wait never retry the same error.
package awsretry

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/awsfoundation/foundation/internal/call"
)

// Codes AWS documents as transient, per service.
var (
	// Organizations: "The target of the operation is currently being
	// modified by a different request. Try again later."
	Organizations = []string{"ConcurrentModificationException"}
	// SSOAdmin (IAM Identity Center): a conflicting operation on the same
	// permission set or instance is in progress.
	SSOAdmin = []string{"ConflictException"}
	// IAM: "multiple requests to change this object were submitted
	// simultaneously. Wait a few minutes and submit your request again."
	IAM = []string{"ConcurrentModification"}
	// S3: OperationAborted (409), "A conflicting conditional operation is
	// currently in progress against this resource. Try again." (bucket
	// configuration writes racing a bucket create).
	S3 = []string{"OperationAborted"}
)

// Add returns r extended to also retry the given error codes. A nil r gets
// the SDK's standard retryer.
func Add(r aws.Retryer, codes ...string) aws.Retryer {
	if r == nil {
		r = retry.NewStandard()
	}
	if len(codes) == 0 {
		return r
	}
	return retry.AddWithErrorCodes(r, codes...)
}

// PropagationError is returned by Wait when the write was still refused
// when o.PropagationTimeout passed. It unwraps to the last refusal, so
// errors.As finds the SDK's typed exception.
type PropagationError struct {
	Attempts int
	Timeout  time.Duration
	Err      error
}

func (e *PropagationError) Error() string {
	return fmt.Sprintf("still refused after %d attempts in %s: %v", e.Attempts, e.Timeout, e.Err)
}

func (e *PropagationError) Unwrap() error { return e.Err }

type waitingKey struct{}

// Wait calls write until it succeeds or fails with an error that
// propagating does not accept, for at most o.PropagationTimeout, waiting
// o.PollInterval (doubling up to o.MaxPollInterval) between attempts. When
// the time is up it returns a *PropagationError; when ctx ends while
// waiting, the last error. Each attempt gets the caller's context: the
// timeout bounds the retrying, not a call in flight.
//
// Inside the write of another Wait (the context says so), Wait calls
// write once: the outer Wait does the retrying.
func Wait(ctx context.Context, o call.Options, propagating func(error) bool, write func(context.Context) error) error {
	if ctx.Value(waitingKey{}) != nil {
		return write(ctx)
	}
	inner := context.WithValue(ctx, waitingKey{}, true)
	deadline := time.Now().Add(o.PropagationTimeout)
	delay := max(o.PollInterval, time.Millisecond)
	for attempt := 1; ; attempt++ {
		err := write(inner)
		if err == nil || !propagating(err) {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return &PropagationError{Attempts: attempt, Timeout: o.PropagationTimeout, Err: err}
		}
		if o.Logger != nil {
			o.Logger.Debug("refused while propagating; retrying", "attempt", attempt, "error", err.Error())
		}
		t := time.NewTimer(min(delay, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, max(o.MaxPollInterval, delay))
	}
}
