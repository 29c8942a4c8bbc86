package bounded

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestForEachBoundsAndJoins(t *testing.T) {
	var inFlight, peak atomic.Int32
	boom := errors.New("boom")
	err := ForEach(context.Background(), 20, 3, func(_ context.Context, i int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		if i == 7 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if peak.Load() > 3 {
		t.Fatalf("peak %d > 3", peak.Load())
	}
}

func TestForEachStopsStartingWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int32
	err := ForEach(ctx, 5, 0, func(context.Context, int) error { ran.Add(1); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if ran.Load() > 1 {
		t.Fatalf("%d calls started after cancel", ran.Load())
	}
}
