package organizations_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// TestConcurrentRuns: two runs of the same tree at once both succeed and
// leave one of everything (creates that race re-read and converge).
func TestConcurrentRuns(t *testing.T) {
	b, api, ctx := withOrg(t)
	// Racing creates converge on AWS's refusal of a duplicate OU.
	b.Need(t, awstest.OrgDuplicateOU)
	spec := seed000()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	verifyTree(t, ctx, api, spec)
	if n := len(readAccounts(t, ctx, api)); n != 4 {
		t.Errorf("%d accounts, want 4", n)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return res.Changes, nil
	})
}

// TestLogging: silent by default; with a logger, debug records name the
// changes.
func TestLogging(t *testing.T) {
	_, api, ctx := withOrg(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: "Security"}, awstest.Fast(foundation.WithLogger(logger))...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `create organizations:ou \"Security\"`) {
		t.Errorf("log:\n%s", buf.String())
	}
}
