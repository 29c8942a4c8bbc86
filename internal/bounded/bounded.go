// Package bounded runs work with bounded concurrency, the way every
// package fans out calls within AWS's quotas.
package bounded

import (
	"context"
	"errors"
	"sync"
)

// ForEach calls fn for 0..n-1 with at most limit calls at once (limit < 1
// means 1), and returns every error joined. A call that has not started
// when ctx ends is skipped with ctx's error.
func ForEach(ctx context.Context, n, limit int, fn func(context.Context, int) error) error {
	if limit < 1 {
		limit = 1
	}
	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
