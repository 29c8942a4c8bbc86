package awsretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
)

func TestAddRetriesListedCodesOnly(t *testing.T) {
	r := Add(retry.NewStandard(), Organizations...)
	cme := &smithy.GenericAPIError{Code: "ConcurrentModificationException", Fault: smithy.FaultClient}
	require.True(t, r.IsErrorRetryable(cme))
	require.False(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}))
	require.False(t, r.IsErrorRetryable(errors.New("plain")))
	require.False(t, retry.NewStandard().IsErrorRetryable(cme), "the SDK alone does not retry it")
	require.NotNil(t, Add(nil))
}

func TestEveryListedCodeIsRetriedAndNotByTheSDKAlone(t *testing.T) {
	for _, codes := range [][]string{Organizations, SSOAdmin, IAM, S3} {
		r := Add(nil, codes...)
		for _, code := range codes {
			err := &smithy.GenericAPIError{Code: code, Fault: smithy.FaultClient}
			require.True(t, r.IsErrorRetryable(err), code)
			require.False(t, retry.NewStandard().IsErrorRetryable(err), code)
		}
	}
	require.Contains(t, IAM, "ConcurrentModification", "DESIGN.md point 7")
	require.Contains(t, S3, "OperationAborted")
}

var errPropagating = errors.New("principal not visible yet")

func propagating(err error) bool { return errors.Is(err, errPropagating) }

func fastOptions(timeout time.Duration) call.Options {
	o := call.Resolve(foundation.WithPollInterval(time.Millisecond, 5*time.Millisecond))
	o.PropagationTimeout = timeout
	return o
}

// TestWaitIsBoundedByTime: a refusal that never clears stops once the
// propagation timeout has passed, with the last refusal inside.
func TestWaitIsBoundedByTime(t *testing.T) {
	o := fastOptions(50 * time.Millisecond)
	n := 0
	start := time.Now()
	err := Wait(context.Background(), o, propagating, func(context.Context) error { n++; return errPropagating })
	took := time.Since(start)
	var pe *PropagationError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, errPropagating)
	require.Equal(t, n, pe.Attempts)
	require.Greater(t, n, 1)
	require.GreaterOrEqual(t, took, 50*time.Millisecond)
	require.Less(t, took, time.Second, "bounded by the timeout, not by attempts")
}

func TestWaitRetriesOnlyPropagation(t *testing.T) {
	o := fastOptions(time.Minute)
	other := errors.New("access denied")
	n := 0
	err := Wait(context.Background(), o, propagating, func(context.Context) error { n++; return other })
	require.Equal(t, other, err)
	require.Equal(t, 1, n)

	n = 0
	err = Wait(context.Background(), o, propagating, func(context.Context) error {
		n++
		if n < 3 {
			return errPropagating
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

func TestWaitStopsWhenTheContextEnds(t *testing.T) {
	o := fastOptions(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := Wait(ctx, o, propagating, func(context.Context) error { return errPropagating })
	require.ErrorIs(t, err, errPropagating)
	require.Error(t, ctx.Err())
}

// TestNestedWaitDoesNotMultiply: a Wait inside the write of another Wait
// calls its write once per outer attempt, so the inner write runs exactly
// as often as the outer one, and the whole is bounded by one timeout.
func TestNestedWaitDoesNotMultiply(t *testing.T) {
	o := fastOptions(40 * time.Millisecond)
	outer, inner := 0, 0
	start := time.Now()
	err := Wait(context.Background(), o, propagating, func(ctx context.Context) error {
		outer++
		return Wait(ctx, o, propagating, func(ctx context.Context) error {
			inner++
			return Wait(ctx, o, propagating, func(context.Context) error { return errPropagating })
		})
	})
	var pe *PropagationError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, outer, inner)
	require.Equal(t, outer, pe.Attempts)
	require.Less(t, time.Since(start), time.Second)
}

func responseErr(status int, code string) error {
	return &smithy.OperationError{ServiceID: "X", OperationName: "Create", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Fault: smithy.FaultServer},
	}}
}

// TestCreatingRetriesOnlyWhatProvesNotApplied: a create's retryer retries
// throttling and the listed refusals, never a 5xx or a missing answer.
func TestCreatingRetriesOnlyWhatProvesNotApplied(t *testing.T) {
	r := Creating(retry.NewStandard(), SSOAdmin...)
	require.True(t, r.IsErrorRetryable(responseErr(400, "ThrottlingException")))
	require.True(t, r.IsErrorRetryable(responseErr(409, "ConflictException")))
	require.False(t, r.IsErrorRetryable(responseErr(500, "InternalFailure")), "applied, answer lost")
	require.False(t, r.IsErrorRetryable(responseErr(503, "ServiceUnavailable")))
	require.False(t, r.IsErrorRetryable(&smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}))
	require.True(t, retry.NewStandard().IsErrorRetryable(responseErr(500, "InternalFailure")), "the SDK alone retries it")
	_, ok := Creating(nil).(aws.RetryerV2)
	require.True(t, ok)
}

func TestMaybeApplied(t *testing.T) {
	require.True(t, MaybeApplied(responseErr(500, "InternalFailure")))
	require.True(t, MaybeApplied(&smithyhttp.RequestSendError{Err: errors.New("broken pipe")}))
	require.True(t, MaybeApplied(fmt.Errorf("x: %w", io.ErrUnexpectedEOF)))
	require.False(t, MaybeApplied(responseErr(400, "ValidationException")))
	require.False(t, MaybeApplied(responseErr(409, "ConflictException")))
	require.False(t, MaybeApplied(context.Canceled))
	require.False(t, MaybeApplied(nil))
	require.False(t, MaybeApplied(errors.New("a fake's error")))
}

// TestCreateFindsTheEarlierAttempt: after a lost answer, the earlier
// attempt is found and adopted, not created again; when none is found the
// create is tried again; a refusal is returned at once.
func TestCreateFindsTheEarlierAttempt(t *testing.T) {
	o := fastOptions(time.Second)
	made := 0
	lost := true
	create := func(context.Context) (int, error) {
		made++
		if lost {
			lost = false
			return 0, responseErr(500, "InternalFailure")
		}
		return made, nil
	}
	finds := 0
	v, err := Create(context.Background(), o, func(context.Context) (int, bool, error) { finds++; return made, made > 0, nil }, create)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	require.Equal(t, 1, made, "no second create")
	require.Equal(t, 1, finds)

	// Not applied (a 500 before the write): found nowhere, created again.
	made, lost = 0, true
	v, err = Create(context.Background(), o, func(context.Context) (int, bool, error) { return 0, false, nil }, create)
	require.NoError(t, err)
	require.Equal(t, 2, v)

	// A refusal is not looked for.
	refused := responseErr(400, "AccessDenied")
	_, err = Create(context.Background(), o, func(context.Context) (int, bool, error) { t.Fatal("find called"); return 0, false, nil },
		func(context.Context) (int, error) { return 0, refused })
	require.ErrorIs(t, err, refused)
}

// TestCreateIsBoundedByTime: answers that stay lost, with nothing found,
// stop after the propagation timeout with a *LostCreateError.
func TestCreateIsBoundedByTime(t *testing.T) {
	o := fastOptions(30 * time.Millisecond)
	lost := responseErr(500, "InternalFailure")
	n := 0
	_, err := Create(context.Background(), o, func(context.Context) (int, bool, error) { return 0, false, nil },
		func(context.Context) (int, error) { n++; return 0, lost })
	var le *LostCreateError
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, lost)
	require.Greater(t, n, 1)
	require.Equal(t, n, le.Attempts)
}

func TestIdentityStoreRetryerRetriesOnlyConcurrentModification(t *testing.T) {
	r := IdentityStoreRetryer(nil)
	require.True(t, r.IsErrorRetryable(&idstypes.ConflictException{Reason: idstypes.ConflictExceptionReasonConcurrentModification}))
	require.False(t, r.IsErrorRetryable(&idstypes.ConflictException{Reason: idstypes.ConflictExceptionReasonUniquenessConstraintViolation}))
	require.False(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: "AccessDeniedException"}))

	c := IdentityStoreCreating(nil)
	require.True(t, c.IsErrorRetryable(&idstypes.ConflictException{Reason: idstypes.ConflictExceptionReasonConcurrentModification}))
	require.False(t, c.IsErrorRetryable(&idstypes.ConflictException{Reason: idstypes.ConflictExceptionReasonUniquenessConstraintViolation}))
	require.True(t, c.IsErrorRetryable(responseErr(400, "ThrottlingException")))
	require.False(t, c.IsErrorRetryable(responseErr(500, "InternalFailure")), "a create's lost answer")
}
