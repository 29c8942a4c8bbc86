package kittest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/ini.v1"
)

// ReadConfig reads an AWS CLI config file (ini) as the tests check it and
// requires each of sections in it ("sso-session name", "profile name").
func ReadConfig(t testing.TB, file string, sections ...string) *ini.File {
	t.Helper()
	f, err := ini.Load(file)
	require.NoError(t, err)
	for _, s := range sections {
		require.Contains(t, f.SectionStrings(), s)
	}
	return f
}
