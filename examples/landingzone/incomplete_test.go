package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// A run that fails late reports every change made before the failure, in
// every step (the organization, the accounts, Identity Center, the keys),
// not only those of the failing call; the program prints them.
func TestLandingZoneFailureReportsEverythingMade(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState)
	e := b.RequireEmulator(t, awstest.CapFaults)
	e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "ecr", Operation: "CreateRepository"},
		Err: &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"}})
	spec, specArgs := seed(t, b)
	_, err := converge(ctx, b, spec, t.TempDir())
	var inc *foundation.IncompleteError
	require.True(t, errors.As(err, &inc), "%v", err)
	made := map[string]bool{}
	for _, c := range inc.Changes {
		made[c.Resource] = true
	}
	for _, r := range []string{"organizations:organization", "organizations:account", "sso:permission-set", "kms:key", "kms:alias"} {
		require.True(t, made[r], "%s made before the failure is reported", r)
	}

	// The program, on a fresh backend: the changes are printed.
	b2, ctx2 := kittest.NewBackend(t, "", awstest.CapFreshState)
	b2.RequireEmulator(t, awstest.CapFaults).AddFault(&emulator.Fault{Match: emulator.Match{Service: "ecr", Operation: "CreateRepository"},
		Err: &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"}})
	var out bytes.Buffer
	err = run(ctx2, append([]string{"-endpoint", b2.Endpoint, "-once", "-out", t.TempDir()}, specArgs...), &out)
	require.Error(t, err)
	require.Contains(t, out.String(), "== made before the failure")
	require.Contains(t, out.String(), "create organizations:account")
}

// A failure inside a member account reports what that account's earlier
// steps made (found from outside: a refused CreateKey left out the account's
// public access block, made just before).
func TestLandingZoneAccountFailureKeepsItsEarlierChanges(t *testing.T) {
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState)
	e := b.RequireEmulator(t, awstest.CapFaults)
	spec, _ := seed(t, b)
	// The management account makes its two keys first; every member's key
	// comes after its public access block.
	e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "kms", Operation: "CreateKey"}, Nth: 3,
		Err: &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"}})
	_, err := converge(ctx, b, spec, t.TempDir())
	var inc *foundation.IncompleteError
	require.True(t, errors.As(err, &inc), "%v", err)
	blocks, roles := 0, 0
	for _, c := range inc.Changes {
		switch c.Resource {
		case "s3:account-public-access-block":
			blocks++
		case "iam:service-linked-role":
			roles++
		}
	}
	// The failing account's service-linked role, made by the failing call
	// before it failed, is listed once, not also as an earlier step's.
	require.Equal(t, 3, roles, "one per member account: %s", inc.Changes)
	// Every account got its block before any failure could stop it: the
	// management account and the three members.
	require.Equal(t, 4, blocks, "%s", inc.Changes)
}
