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
//  3. Lost answers of creates that are not idempotent: a create AWS
//     applied whose answer was lost (a 5xx, a broken connection) must not
//     be sent again blindly, or it makes a second resource (kms:CreateKey
//     has no client token, nor have the sso-admin and Organizations
//     creates the library makes). Such a call uses a Creating retryer,
//     which lets the SDK retry only what proves the request was not
//     applied (throttling, the refusals of 1); Create then looks for the
//     earlier attempt (by its name, or a tag only that create sets) and
//     adopts it, or creates again, bounded by call.Options.
//     PropagationTimeout.
//
// The errors Wait retries are not in the lists of 1, so the SDK retryer
// and Wait never retry the same error; Create retries only MaybeApplied
// errors, which neither of them does for a Creating call.
//
// identitystore's ConflictException is retried (IdentityStoreRetryer) only
// with the reason CONCURRENT_MODIFICATION; the same code with
// UNIQUENESS_CONSTRAINT_VIOLATION is a duplicate the caller reads. KMS has
// no conflict code to add: its transient errors (KMSInternalException,
// DependencyTimeoutException) are 5xx, which the SDK retries on idempotent
// calls and Create resolves on CreateKey.
package awsretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation/internal/call"
)

// Codes AWS documents as transient, per service.
var (
	// Organizations: "The target of the operation is currently being
	// modified by a different request. Try again later."
	Organizations = []string{"ConcurrentModificationException"}
	// SSOAdmin (IAM Identity Center): ConflictException, "a conflict with a
	// previous successful write is detected ... a retry (with appropriate
	// backoff logic) is the recommended response" (sso-admin API
	// Reference, Errors). It also answers a duplicate (a permission set
	// name, an attached policy) and a provisioning in progress: callers
	// read after the retries are used up (identitycenter).
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

// IdentityStoreRetryer returns r extended to retry identitystore's
// ConflictException when its reason is CONCURRENT_MODIFICATION ("the
// requested resource was being concurrently modified by another request")
// or absent (then counted as transient). With the reason
// UNIQUENESS_CONSTRAINT_VIOLATION it is a duplicate a retry cannot clear
// (identitystore API Reference, ConflictException), and is not retried.
// A nil r gets the SDK's standard retryer.
func IdentityStoreRetryer(r aws.Retryer) aws.Retryer {
	return &retryIf{RetryerV2: v2(r), retryable: identityStoreConflict}
}

// IdentityStoreCreating is Creating for identitystore's creates: it also
// retries ConflictException CONCURRENT_MODIFICATION (IdentityStoreRetryer).
func IdentityStoreCreating(r aws.Retryer) aws.Retryer {
	c := Creating(r).(*retryIf)
	return &retryIf{RetryerV2: c.RetryerV2, retryable: func(err error) aws.Ternary {
		if v := identityStoreConflict(err); v != aws.UnknownTernary {
			return v
		}
		return c.retryable(err)
	}}
}

func identityStoreConflict(err error) aws.Ternary {
	var ce *idstypes.ConflictException
	if errors.As(err, &ce) {
		return aws.BoolTernary(ce.Reason != idstypes.ConflictExceptionReasonUniquenessConstraintViolation)
	}
	return aws.UnknownTernary
}

// Creating returns r changed for a create that AWS may apply while its
// answer is lost (a create without a client token: kms:CreateKey,
// sso-admin CreatePermissionSet, ...). The SDK then retries only what
// proves the request was not applied: throttling and the given codes (a
// refusal AWS asks to retry). Any other error (a 5xx, a transport error, a
// timeout) is returned at once, so that Create reads before it creates
// again instead of the SDK making a second resource. A nil r gets the SDK's
// standard retryer.
func Creating(r aws.Retryer, codes ...string) aws.Retryer {
	listed := map[string]bool{}
	for _, c := range codes {
		listed[c] = true
	}
	return &retryIf{RetryerV2: v2(r), retryable: func(err error) aws.Ternary {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return aws.FalseTernary // no answer: maybe applied
		}
		if _, throttled := retry.DefaultThrottleErrorCodes[ae.ErrorCode()]; throttled || listed[ae.ErrorCode()] {
			return aws.TrueTernary
		}
		return aws.FalseTernary
	}}
}

// retryIf is a retryer whose IsErrorRetryable asks retryable first.
type retryIf struct {
	aws.RetryerV2
	retryable func(error) aws.Ternary
}

func (r *retryIf) IsErrorRetryable(err error) bool {
	if v := r.retryable(err); v != aws.UnknownTernary {
		return v.Bool()
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// v2 returns r as an aws.RetryerV2 (the standard retryer when r is nil).
func v2(r aws.Retryer) aws.RetryerV2 {
	if r == nil {
		r = retry.NewStandard()
	}
	if r2, ok := r.(aws.RetryerV2); ok {
		return r2
	}
	return retryerV2{r}
}

type retryerV2 struct{ aws.Retryer }

func (r retryerV2) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}

// MaybeApplied reports whether err leaves open whether AWS applied the
// write: an answer with a 5xx status, or no answer at all (the request
// could not be sent completely, the connection broke, a timeout). A 4xx
// answer is a refusal: the write was not applied.
func MaybeApplied(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500
	}
	var send *smithyhttp.RequestSendError
	var ne net.Error
	return errors.As(err, &send) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// LostCreateError is returned by Create when every attempt failed in a
// way that leaves open whether AWS applied it and no earlier attempt was
// found, until o.PropagationTimeout passed. It unwraps to the last error.
type LostCreateError struct {
	Attempts int
	Timeout  time.Duration
	Err      error
}

func (e *LostCreateError) Error() string {
	return fmt.Sprintf("no answer after %d attempts in %s, and no earlier attempt found: %v", e.Attempts, e.Timeout, e.Err)
}

func (e *LostCreateError) Unwrap() error { return e.Err }

// Create makes a resource whose create AWS may apply while the answer is
// lost, and which has no client token: the call create makes must use a
// Creating retryer, so the SDK never sends it twice. When create fails in
// a way that leaves open whether AWS applied it (MaybeApplied), find looks
// for the earlier attempt (by its name or a tag that only this create
// sets): found, it is returned as the result of the create; not found,
// create is called again. The retrying is bounded by o.PropagationTimeout
// (at least one find after the last failure), with the options' poll
// backoff; then a *LostCreateError. Any other error of create or find is
// returned as it is.
func Create[T any](ctx context.Context, o call.Options, find func(context.Context) (T, bool, error), create func(context.Context) (T, error)) (T, error) {
	deadline := time.Now().Add(o.PropagationTimeout)
	delay := max(o.PollInterval, time.Millisecond)
	for attempt := 1; ; attempt++ {
		v, err := create(ctx)
		if err == nil || !MaybeApplied(err) {
			return v, err
		}
		if o.Logger != nil {
			o.Logger.Debug("create may have been applied; looking for it", "attempt", attempt, "error", err.Error())
		}
		found, ok, ferr := find(ctx)
		switch {
		case ferr != nil:
			var zero T
			return zero, fmt.Errorf("%w (and looking for the earlier attempt: %w)", err, ferr)
		case ok:
			return found, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			var zero T
			return zero, &LostCreateError{Attempts: attempt, Timeout: o.PropagationTimeout, Err: err}
		}
		t := time.NewTimer(min(delay, left))
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, err
		case <-t.C:
		}
		delay = min(2*delay, max(o.MaxPollInterval, delay))
	}
}
