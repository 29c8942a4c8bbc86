package kittest

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// FailureReportsEverythingMade runs a program (run, with args) on a fresh
// backend on which every call match makes is refused, and requires that
// the run fail and report every change made before the failure, in every
// step, not only the failing call's: the human report (stderr with -json)
// lists them under "made before the failure" (the *foundation.IncompleteError
// Converge returned), and stdout (-json) lists the same changes with their
// accounts. Each of want is a resource type that must be among them.
func FailureReportsEverythingMade(t *testing.T, region string, run Main, match emulator.Match, args []string, want ...string) {
	t.Helper()
	b, ctx := NewBackend(t, region, awstest.CapFreshState, awstest.CapIdentityCenter)
	b.RequireEmulator(t, awstest.CapFaults).AddFault(&emulator.Fault{Match: match,
		Err: &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"}})
	var stdout, stderr bytes.Buffer
	old := examplekit.Stderr
	examplekit.Stderr = &stderr
	defer func() { examplekit.Stderr = old }()
	err := run(context.WithoutCancel(ctx), append([]string{"-endpoint", b.Endpoint, "-once", "-json"}, args...), &stdout)
	require.Error(t, err, "the run fails")
	require.Contains(t, stderr.String(), "== made before the failure")
	cs, jerr := examplekit.ReadJSON(&stdout)
	require.NoError(t, jerr, "stdout is only JSON Lines")
	printed := map[string]bool{}
	for _, c := range cs {
		printed[c.Resource] = true
		require.NotEmpty(t, c.Account+c.Resource, "a change names its account")
		require.Contains(t, stderr.String(), c.Resource+` "`+c.ID+`"`, "the human report lists what -json lists")
	}
	for _, r := range want {
		require.True(t, printed[r], "%s made before the failure is reported\n%s", r, stderr.String())
	}
}
