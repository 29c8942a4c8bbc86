package examplekit

import (
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
