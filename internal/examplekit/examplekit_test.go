package examplekit

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
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

// A failed converge whose error carries the changes made prints them.
func TestRunPrintsWhatAFailedRunMade(t *testing.T) {
	var out bytes.Buffer
	boom := errors.New("boom")
	made := foundation.Change{Action: foundation.ActionCreate, Resource: "s3:bucket", ID: "b"}
	err := Run(&out, Flags{}, func() (Report, error) {
		return nil, fmt.Errorf("converge: %w", &foundation.IncompleteError{Changes: foundation.Changes{made}, Err: boom})
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, "\n== made before the failure (a rerun finishes the work)\n  create s3:bucket \"b\"\n", out.String())

	out.Reset()
	require.ErrorIs(t, Run(&out, Flags{}, func() (Report, error) { return nil, boom }), boom)
	require.Empty(t, out.String())
}
