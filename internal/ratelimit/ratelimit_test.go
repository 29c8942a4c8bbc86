package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestWaitKeepsToTheRate(t *testing.T) {
	l := New(200, 5) // 5 at once, then one every 5 ms
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	for range 25 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = l.Wait(ctx) }()
	}
	wg.Wait()
	// 20 tokens beyond the burst at 200 a second: at least 100 ms.
	if d := time.Since(start); d < 95*time.Millisecond {
		t.Fatalf("25 requests at 200/s with burst 5 took %v, want >= 100ms", d)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	l := New(1, 1)
	_ = l.Wait(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("Wait returned before a token was free")
	}
	var nilL *Limiter
	if err := nilL.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}
