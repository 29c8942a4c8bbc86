package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// TestHiperiumFaultMatrix fails each mutating call of the whole of seed
// 001 in turn, in kittest.FaultVariants; a rerun must reach the state of
// an undisturbed run and a further run make no write.
func TestHiperiumFaultMatrix(t *testing.T) {
	t.Parallel()
	kittest.FaultMatrix(t, "", func(ctx context.Context, b *awstest.Backend, dir string) error {
		_, err := Converge(ctx, b.Config(), Seed001(""), filepath.Join(dir, "config"), awstest.Fast(foundation.WithConcurrency(1))...)
		return err
	})
}
