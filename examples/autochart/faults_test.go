package main

import (
	"context"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// TestAutochartFaultMatrix fails each mutating call of the whole of seed
// 003 in turn, in kittest.FaultVariants; a rerun must reach the state of
// an undisturbed run and a further run make no write.
func TestAutochartFaultMatrix(t *testing.T) {
	t.Parallel()
	spec := Seed003("")
	kittest.FaultMatrix(t, spec.Region, func(ctx context.Context, b *awstest.Backend, dir string) error {
		_, err := converge(ctx, b, spec, dir, foundation.WithConcurrency(1))
		return err
	})
}
