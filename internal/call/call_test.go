package call

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
)

func TestResolveDefaults(t *testing.T) {
	o := Resolve()
	require.False(t, o.DryRun)
	require.NotNil(t, o.Logger)
	require.Equal(t, DefaultWaitTimeout, o.WaitTimeout)
	require.Equal(t, DefaultPollInterval, o.PollInterval)
	require.Equal(t, DefaultMaxPollInterval, o.MaxPollInterval)
	require.Equal(t, DefaultPropagationTimeout, o.PropagationTimeout)
	// The With... functions of the root package state these values.
	require.Equal(t, 10*time.Minute, DefaultWaitTimeout)
	require.Equal(t, 2*time.Second, DefaultPollInterval)
	require.Equal(t, 30*time.Second, DefaultMaxPollInterval)

	o = Resolve(foundation.WithDryRun(true), nil, foundation.WithWaitTimeout(time.Second), foundation.WithPollInterval(time.Second, time.Millisecond))
	require.True(t, o.DryRun)
	require.Equal(t, time.Second, o.WaitTimeout)
	require.Equal(t, time.Second, o.MaxPollInterval, "max is never below the first interval")
}

func TestPollBacksOffUntilDone(t *testing.T) {
	o := Resolve(foundation.WithPollInterval(time.Millisecond, 4*time.Millisecond))
	n := 0
	var gaps []time.Duration
	last := time.Now()
	err := o.Poll(context.Background(), "thing", func(context.Context) (bool, error) {
		gaps = append(gaps, time.Since(last))
		last = time.Now()
		n++
		return n == 5, nil
	})
	require.NoError(t, err)
	require.Equal(t, 5, n)
	require.GreaterOrEqual(t, gaps[4], 4*time.Millisecond)
}

func TestPollStopsOnErrorAndTimeout(t *testing.T) {
	boom := errors.New("boom")
	o := Resolve(foundation.WithPollInterval(time.Millisecond, time.Millisecond), foundation.WithWaitTimeout(20*time.Millisecond))
	require.ErrorIs(t, o.Poll(context.Background(), "x", func(context.Context) (bool, error) { return false, boom }), boom)

	err := o.Poll(context.Background(), "table t ACTIVE", func(context.Context) (bool, error) { return false, nil })
	var wt *foundation.WaitTimeoutError
	require.ErrorAs(t, err, &wt)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "table t ACTIVE")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Resolve(foundation.WithPollInterval(time.Hour, time.Hour)).Poll(ctx, "x", func(context.Context) (bool, error) { return false, nil })
	require.ErrorIs(t, err, context.Canceled)
}

// A deadline that passes while a check's call is in flight is the wait's
// timeout, not the call's error: callers match *foundation.WaitTimeoutError.
func TestPollTimeoutDuringACheckIsAWaitTimeout(t *testing.T) {
	o := Resolve(foundation.WithWaitTimeout(20*time.Millisecond), foundation.WithPollInterval(time.Millisecond, time.Millisecond))
	err := o.Poll(context.Background(), "slow thing", func(ctx context.Context) (bool, error) {
		<-ctx.Done() // a call that outlives the deadline
		return false, fmt.Errorf("list roots: %w", ctx.Err())
	})
	var wt *foundation.WaitTimeoutError
	require.ErrorAs(t, err, &wt)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
