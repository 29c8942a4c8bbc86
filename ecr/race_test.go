package ecr_test

import (
	"sync"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestConcurrentRunsConverge starts several EnsureRepository runs at once
// on a fresh account: all succeed, and the repository is converged.
func TestConcurrentRunsConverge(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	verifyRepository(t, ctx, b, spec, mustParse(t, seedPolicyJSON))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}
