package main

import (
	"context"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// TestSecureCartFaultMatrix fails each mutating call of the whole of seed
// 002 in turn, in kittest.FaultVariants; a rerun must reach the state of
// an undisturbed run and a further run make no write.
func TestSecureCartFaultMatrix(t *testing.T) {
	t.Parallel()
	kittest.FaultMatrix(t, Seed002("").Region, func(ctx context.Context, b *awstest.Backend, _ string) error {
		_, err := Converge(ctx, b.Config(), Seed002(""), awstest.Fast(foundation.WithConcurrency(1))...)
		return err
	})
}
