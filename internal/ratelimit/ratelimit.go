// Package ratelimit is the token bucket the library keeps to a service's
// request-rate quota with (foundation.WithRequestRate; IAM Identity
// Center's 20 requests a second by default). A Limiter is shared by every
// call of a run that shares a foundation.ReadCache, else by the goroutines
// of one call.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limiter is a token bucket: Burst requests at once, refilled at PerSecond.
// A nil *Limiter never waits.
type Limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// New returns a full Limiter of perSecond requests a second and burst at
// once (at least 1).
func New(perSecond float64, burst int) *Limiter {
	b := float64(max(1, burst))
	return &Limiter{rate: perSecond, burst: b, tokens: b, now: time.Now}
}

// Wait takes a token, waiting until one is free or ctx ends. Tokens are
// handed out in the order asked for.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil || l.rate <= 0 {
		return nil
	}
	l.mu.Lock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	l.tokens--
	wait := time.Duration(0)
	if l.tokens < 0 {
		wait = time.Duration(-l.tokens / l.rate * float64(time.Second))
	}
	l.mu.Unlock()
	if wait == 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// The token stays taken: a caller that gave up does not let the
		// next ones overrun the quota.
		return ctx.Err()
	}
}
