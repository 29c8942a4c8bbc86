package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// TestRefusedByThePlan: a file that adds an OU and no longer adopts the
// CI role made by hand is refused at the role's key and line by the plan
// the run makes before it writes: no mutating call, not even the OU's,
// which -no-plan makes before the role is refused. Adopted again, the
// file converges (the OU made) and a rerun makes no mutating call.
func TestRefusedByThePlan(t *testing.T) {
	srv := filled(t)
	file := filepath.Join(t.TempDir(), "org.yaml")
	_, msgs, err := runProgram(t, "-endpoint", srv.URL, "-o", file, "-once")
	require.NoError(t, err, msgs)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	adopted := strings.Replace(string(data), "ous:\n", "ous:\n  - path: Sandbox\n", 1)
	refused := strings.Replace(adopted, "    adopt: true\nservices:", "services:", 1)
	require.NotEqual(t, adopted, refused, "the CI role's adopt key")
	require.NoError(t, os.WriteFile(file, []byte(refused), 0o600))

	mark := srv.CallCount()
	out, msgs, err := runProgram(t, "-endpoint", srv.URL, "-spec", file, "-once")
	require.ErrorIs(t, err, foundation.ErrNotManaged, out+msgs)
	var planned *examplekit.PlanError
	require.ErrorAs(t, err, &planned, "refused by the plan")
	require.Regexp(t, `org\.yaml:\d+:\d+: ciRoles\[0\] \(shop-github-ci\): iam:role "shop-github-ci" exists but was not made by this library`, err.Error(),
		"at the key and line that adopt it")
	require.Contains(t, out, "Plan failed: nothing was changed.")
	require.Empty(t, srv.MutatingCallsSince(mark), "the refused run's writes")

	// -no-plan writes until the refusal: the OU first.
	mark = srv.CallCount()
	_, _, noPlanErr := runProgram(t, "-endpoint", srv.URL, "-spec", file, "-once", "-no-plan")
	require.ErrorIs(t, noPlanErr, foundation.ErrNotManaged)
	require.False(t, errors.As(noPlanErr, &planned), "-no-plan makes no plan")
	require.Equal(t, err.Error(), noPlanErr.Error(), "the plan's error is the run's")
	var ops []string
	for _, c := range srv.MutatingCallsSince(mark) {
		ops = append(ops, c.Operation)
	}
	require.Contains(t, ops, "CreateOrganizationalUnit")
	t.Logf("-no-plan: %d mutating calls before the refusal %v; planned: 0", len(ops), ops)

	require.NoError(t, os.WriteFile(file, []byte(adopted), 0o600))
	out, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.NoError(t, err, msgs)
	require.Contains(t, out, "Plan: 0 changes", "-no-plan made the OU")
	require.Contains(t, out, "Second run: no changes.")
}
