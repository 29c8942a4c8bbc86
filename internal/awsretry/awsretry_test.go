package awsretry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
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
