package examplekit

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// -aws -yes on a machine without credentials fails with the one line that
// says how to provide them, before any call: the test empties the AWS
// configuration files and variables, turns the EC2 metadata lookup off and
// sends any HTTP request to a closed loopback port, so nothing leaves the
// machine (the SDK's default client honours the proxy variables).
func TestConnectWithoutCredentials(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "http://127.0.0.1:1")
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	// The SDK's logger writes to the process's stderr: catch it.
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	saved := os.Stderr
	os.Stderr = stderr
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	env, err := Connect(ctx, Flags{RealAWS: true, Yes: true}, "us-east-1", &out)
	os.Stderr = saved
	logged, rerr := os.ReadFile(stderr.Name())
	require.NoError(t, rerr)
	require.NoError(t, stderr.Close())
	require.Empty(t, string(logged), "the SDK logs nothing")
	require.Nil(t, env)
	var ce *CredentialsError
	require.ErrorAs(t, err, &ce)
	require.NotNil(t, ce.Unwrap(), "the SDK's error stays reachable")
	msg := err.Error()
	require.NotContains(t, msg, "\n", "one line")
	require.True(t, strings.HasPrefix(msg, "-aws: no AWS credentials"), msg)
	require.Contains(t, msg, "aws sso login --profile NAME")
	require.Contains(t, msg, "AWS_ACCESS_KEY_ID")
	require.NotContains(t, msg, "EC2 IMDS", "not the SDK's provider chain")
	require.Empty(t, out.String(), "nothing printed (no SDK WARN line)")
}
