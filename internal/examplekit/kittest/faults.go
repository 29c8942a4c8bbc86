package kittest

import (
	"context"
	"os"
	"testing"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// FaultVariants are the three ways a whole program's writes are failed
// (issue 12): refused before the write; applied and then refused (not
// retried); applied with the answer lost as a retryable 500 (the SDK
// retries the call, so a create that is not idempotent makes a second
// resource).
var FaultVariants = []awstest.FaultVariant{
	{Name: "before", Err: denied},
	{Name: "after", Err: denied, After: true},
	awstest.LostAnswer500,
}

var denied = &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"}

// Samples is how many calls per variant the default test run fails,
// spread over the program's writes and shifted from one variant to the
// next (awstest.FaultMatrix.Every): the first write before it is made, one
// a third of the way in after it is made, one two thirds in with its answer
// lost. FOUNDATION_TEST_MATRIX=1 fails every call in every variant (the
// whole matrix takes minutes: CI runs it).
const Samples = 1

// FaultMatrix fails each mutating call of a whole example program (run,
// given a fresh backend with Identity Center and a fresh directory) in
// turn, in the three FaultVariants, and requires that a rerun reach the
// state of an undisturbed run byte for byte and that a further run make no
// mutating call (awstest.FaultMatrix). run must make the program converge
// one account at a time (foundation.WithConcurrency(1)) so that the
// emulator draws its IDs in the same order in every run. The default test
// run fails Samples calls per variant; FOUNDATION_TEST_MATRIX=1 runs
// every call.
func FaultMatrix(t *testing.T, region string, run func(ctx context.Context, b *awstest.Backend, dir string) error) {
	t.Helper()
	samples := Samples
	if os.Getenv("FOUNDATION_TEST_MATRIX") == "1" {
		samples = 0
	}
	opts := []awstest.Option{awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true})}
	if region != "" {
		opts = append(opts, awstest.WithRegion(region))
	}
	awstest.FaultMatrix[string]{
		Backend:  func(t *testing.T) *awstest.Backend { return awstest.New(t, opts...) },
		Setup:    func(t *testing.T, _ context.Context, _ *awstest.Backend) string { return t.TempDir() },
		Run:      run,
		Samples:  samples,
		Variants: FaultVariants,
		Parallel: true, // a fresh backend and directory each
	}.Test(t)
}
