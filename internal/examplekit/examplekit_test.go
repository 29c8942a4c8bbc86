package examplekit

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	var f Flags
	var out bytes.Buffer
	fs := NewFlagSet("x", &out, &f)
	require.ErrorIs(t, Parse(fs, &f, []string{"-h"}), flag.ErrHelp, "-h is not a failure")
	require.Contains(t, out.String(), "-dry-run")

	fs = NewFlagSet("x", &out, &f)
	require.EqualError(t, Parse(fs, &f, []string{"-aws"}), "-aws changes real AWS accounts: add -yes to confirm (or -dry-run)",
		"the flags are checked after parsing")
	fs = NewFlagSet("x", &out, &f)
	require.EqualError(t, Parse(fs, &f, []string{"extra"}), `unexpected arguments ["extra"]`)
}

func TestEmail(t *testing.T) {
	require.NoError(t, CheckEmail("-email", "you@example.com"))
	require.EqualError(t, CheckEmail("-email", "You <you@example.com>"), `-email "You <you@example.com>": not a plain email address`)
	require.EqualError(t, CheckEmail("", "nobody"), `"nobody": not a plain email address`)
	require.Equal(t, "you+aws-dev@example.com", PlusAlias("you@example.com", "aws-dev"))
}

func TestHeadline(t *testing.T) {
	var out bytes.Buffer
	Headline(&out, 3, true)
	Headline(&out, 0, false)
	require.Equal(t, "\nWould change 3 resources.\n\nChanged 0 resources.\n", out.String())
	require.Equal(t, "management account (123456789012)", Labelled("management account", "123456789012"))
	require.Equal(t, "management account", Labelled("management account", ""))
}
