package main

import (
	"context"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// TestLandingZoneFaultMatrix fails each mutating call of the whole landing
// zone in turn, in kittest.FaultVariants; a rerun must reach the state of
// an undisturbed run and a further run make no write.
func TestLandingZoneFaultMatrix(t *testing.T) {
	t.Parallel()
	kittest.FaultMatrix(t, "", func(ctx context.Context, b *awstest.Backend, dir string) error {
		_, err := converge(ctx, b, Seed000(), dir, foundation.WithConcurrency(1))
		return err
	})
}
