package identitycenter_test

import (
	"slices"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// TestAccessUnderEventualConsistency: with the emulator's
// eventual-consistency model on, Identity Center refuses assignments on
// each new account three times (ValidationException, until it has learnt
// of the account); EnsureAccess waits it out, reports the same changes as
// without the model, and a rerun makes no write.
func TestAccessUnderEventualConsistency(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true,
		Consistency: emulator.Consistency{IdentityCenterRefusals: 3}}))
	e := b.RequireEmulator(t, awstest.CapFaults)
	ref := awstest.New(t)
	want, err := identitycenter.EnsureAccess(ctx, apiFor(ref), seed000(newOrg(t, ctx, ref, seed000Accounts...)), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	spec := seed000(newOrg(t, ctx, b, seed000Accounts...))
	mark := e.CallCount()
	got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateAccountAssignment" && c.ErrorCode == "ValidationException" {
			refused++
		}
	}
	if refused != 3*len(seed000Accounts) {
		t.Errorf("%d assignments refused, want 3 for each of the %d new accounts", refused, len(seed000Accounts))
	}
	if g, w := changeLines(got.Changes), changeLines(want.Changes); !slices.Equal(g, w) {
		t.Errorf("changes %q, want %q", g, w)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}
