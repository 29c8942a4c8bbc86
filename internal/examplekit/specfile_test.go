package examplekit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type testSpec struct {
	Name  string     `yaml:"name"`
	Count int        `yaml:"count"`
	Items []testItem `yaml:"items"`
}

type testItem struct {
	ID string `yaml:"id"`
}

func TestDecodeSpec(t *testing.T) {
	var s testSpec
	keys, err := DecodeSpec("f.yaml", []byte("name: a\nitems:\n  - id: x\n  - {}\n"), &s)
	require.NoError(t, err)
	require.True(t, keys.Has("name"))
	require.True(t, keys.Has("items[1]"))
	require.False(t, keys.Has("count"))
	err = CheckSpec("f.yaml", keys, []SpecFault{{Key: "items[1].id", Rule: "required"}, {Key: "count", Rule: "required"}})
	require.EqualError(t, err, "f.yaml:4:5: items[1].id: required\nf.yaml:1:1: count: required")
	require.NoError(t, CheckSpec("f.yaml", keys, nil))
	require.EqualError(t, CheckSpec("spec", nil, []SpecFault{{Key: "count", Rule: "required"}}), "spec: count: required")

	_, err = DecodeSpec("f.yaml", []byte("name: a\nitems:\n  - id: x\n    idd: y\n"), &s)
	require.EqualError(t, err, `f.yaml:4:5: items[0].idd: unknown key "idd" (the keys are listed in README.md, "The spec file")`)
	_, err = DecodeSpec("f.yaml", []byte("count: [1]\n"), &s)
	require.ErrorContains(t, err, "f.yaml:1:")
	require.ErrorContains(t, err, "count: ")
	_, err = DecodeSpec("f.yaml", []byte(""), &s)
	require.NoError(t, err, "an empty file is an empty spec")
}

// Found from outside: a second YAML document was ignored silently, a 28 MB
// file was read whole, and -endpoint ftp://x was refused only after the
// SDK's retries.
func TestSpecFileEdges(t *testing.T) {
	var s testSpec
	_, err := DecodeSpec("f.yaml", []byte("name: a\n---\nname: b\nbogus: 1\n"), &s)
	require.EqualError(t, err, "f.yaml:2:1: a spec file holds one YAML document: remove the second (---) or put its keys in the first")
	_, err = DecodeSpec("f.yaml", []byte("name: a\n---\n"), &s)
	require.Error(t, err, "even an empty second document is a second document")

	big := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), MaxSpecSize/10+1), 0o600))
	_, err = LoadSpec[bigSpec](big)
	require.ErrorContains(t, err, "a spec file is at most 1048576")

	for _, ep := range []string{"ftp://x", "127.0.0.1:4566", "http://", "::"} {
		require.ErrorContains(t, Flags{Endpoint: ep}.Check(), "-endpoint", ep)
	}
	require.NoError(t, Flags{Endpoint: "http://127.0.0.1:4566"}.Check())
}

type bigSpec struct{ Name string }

func (*bigSpec) ApplyDefaults(Keys) {}
func (bigSpec) Faults() []SpecFault { return nil }
