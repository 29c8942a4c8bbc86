package kms_test

import (
	"testing"
	"time"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/kms"
)

// TestKeyUnderEventualConsistency: with the emulator's eventual-consistency
// model on, the service-linked role the key policy names is refused as a
// principal twice (MalformedPolicyDocumentException, as KMS does for a new
// principal); EnsureKey waits it out and makes one key, and a rerun makes
// no write.
func TestKeyUnderEventualConsistency(t *testing.T) {
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{Consistency: emulator.Consistency{PrincipalRefusals: 2}}))
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	spec := seedSpec(b.AccountID(t), "prod", "us-east-1")
	mark := e.CallCount()
	if _, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	n, made := 0, 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateKey" {
			n++
		}
	}
	for _, c := range e.MutatingCallsSince(mark) {
		if c.Operation == "CreateKey" && c.Status < 300 {
			made++
		}
	}
	if n != 3 || made != 1 {
		t.Errorf("%d CreateKey calls, %d keys made: want 2 refused and 1 key", n, made)
	}
	mark = e.CallCount()
	if _, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	if w := e.MutatingCallsSince(mark); len(w) != 0 {
		t.Errorf("the rerun made %d writes", len(w))
	}
}
