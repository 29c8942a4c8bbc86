package oidcfed_test

import (
	"testing"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// TestRoleUnderEventualConsistency: with the emulator's eventual-consistency
// model on, the OIDC provider just created is refused as the role's
// principal twice (MalformedPolicyDocument, as IAM does for a new
// principal); the run waits it out, makes one role, and a rerun makes no
// write.
func TestRoleUnderEventualConsistency(t *testing.T) {
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{Consistency: emulator.Consistency{PrincipalRefusals: 2}}))
	em := b.RequireEmulator(t, awstest.CapFaults)
	e := accountOn(t, b)
	mark := em.CallCount()
	if err := e.faultSetup(); err != nil {
		t.Fatal(err)
	}
	refused, made := 0, 0
	for _, c := range em.CallsSince(mark) {
		switch {
		case c.Operation != "CreateRole":
		case c.ErrorCode == "MalformedPolicyDocument":
			refused++
		case c.OK():
			made++
		}
	}
	if refused != 2 || made != 1 {
		t.Errorf("CreateRole: %d refused, %d made; want 2 and 1", refused, made)
	}
	mark = em.CallCount()
	if err := e.faultSetup(); err != nil {
		t.Fatal(err)
	}
	if w := em.MutatingCallsSince(mark); len(w) != 0 {
		t.Errorf("the rerun made %d writes, first %s", len(w), w[0].Operation)
	}
}
