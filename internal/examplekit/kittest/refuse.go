package kittest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/awstest"
)

// RefusesSpec runs the program with the spec file text (written as name,
// for the faults' file:line) and args on a fresh emulator, and requires
// that it fails with an error containing each of want, with no panic, and
// that the emulator served no call: bad input is refused before any call.
func RefusesSpec(t *testing.T, run Main, name, text string, want []string, args ...string) {
	t.Helper()
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapServerCallLog)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"-endpoint", b.Endpoint, "-once", "-spec", path}, args...), &out)
	require.Error(t, err)
	for _, w := range want {
		require.ErrorContains(t, err, w)
	}
	require.NotContains(t, err.Error(), "panic")
	require.Zero(t, e.CallCount(), "calls made before the spec was refused")
}
