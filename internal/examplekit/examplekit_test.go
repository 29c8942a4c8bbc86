package examplekit

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	err := Run(&out, Flags{}, failsAfterPlan(fmt.Errorf("converge: %w", &foundation.IncompleteError{Changes: foundation.Changes{made}, Err: boom})))
	require.ErrorIs(t, err, boom)
	var pe *PlanError
	require.False(t, errors.As(err, &pe), "the plan succeeded")
	plan, rest, _ := strings.Cut(out.String(), "\n")
	require.True(t, strings.HasPrefix(plan, "Plan: 0 changes (in "), plan)
	require.Equal(t, "\n== made before the failure (a rerun finishes the work)\n  create s3:bucket \"b\"\n", rest)

	out.Reset()
	require.ErrorIs(t, Run(&out, Flags{NoPlan: true}, func(bool) (Report, error) { return nil, boom }), boom)
	require.Empty(t, out.String())
}

// failsAfterPlan is a converge whose plan succeeds (no change) and whose
// run fails with err.
func failsAfterPlan(err error) func(bool) (Report, error) {
	return func(dryRun bool) (Report, error) {
		if dryRun {
			return changes(nil), nil
		}
		return nil, err
	}
}

// changes is a Report of its changes, in no account.
type changes foundation.Changes

func (c changes) Count() int { return len(c) }

func (c changes) Print(w io.Writer, dryRun bool) {
	Headline(w, len(c), dryRun)
	for _, ch := range c {
		fmt.Fprintf(w, "  %s\n", Line(ch))
	}
}

func (c changes) AccountChanges() []AccountChange { return In("", foundation.Changes(c)) }

// A real run plans first (a dry run of the whole program, printed as one
// line) and writes only when its plan succeeds; -dry-run is one plan,
// printed; -no-plan writes at once.
func TestRunPlansBeforeItWrites(t *testing.T) {
	bucket := foundation.Change{Action: foundation.ActionCreate, Resource: "s3:bucket", ID: "b"}
	refused := &foundation.NotManagedError{Kind: "s3:bucket", ID: "b"}
	var calls []bool
	converge := func(fail bool) func(bool) (Report, error) {
		return func(dryRun bool) (Report, error) {
			calls = append(calls, dryRun)
			if fail {
				// As a program's converge fails: with what it did before.
				return nil, &foundation.IncompleteError{Changes: foundation.Changes{bucket}, Err: fmt.Errorf("spec.yaml:3:5: bucket: %w", refused)}
			}
			if !dryRun && slices.Contains(calls[:len(calls)-1], false) {
				return changes(nil), nil // the second run: converged
			}
			return changes{bucket}, nil
		}
	}
	for _, c := range []struct {
		name      string
		f         Flags
		fail      bool
		wantCalls []bool
	}{
		{"run", Flags{Once: true}, false, []bool{true, false}},
		{"run twice", Flags{}, false, []bool{true, false, false}},
		{"refused by its plan", Flags{}, true, []bool{true}},
		{"dry run", Flags{DryRun: true}, false, []bool{true}},
		{"no plan", Flags{NoPlan: true, Once: true}, false, []bool{false}},
		{"no plan, refused by the run", Flags{NoPlan: true}, true, []bool{false}},
	} {
		for _, jsonMode := range []bool{false, true} {
			calls = nil
			var out, human bytes.Buffer
			old := Stderr
			Stderr = &human
			f := c.f
			f.JSON = jsonMode
			err := Run(&out, f, converge(c.fail))
			Stderr = old
			require.Equal(t, c.wantCalls, calls, "%s, json %t", c.name, jsonMode)
			text := out.String()
			if jsonMode {
				text = human.String()
			}
			planned := !c.f.DryRun && !c.f.NoPlan
			require.Equal(t, planned && !c.fail, strings.Contains(text, "Plan: 1 changes (in "), "%s:\n%s", c.name, text)
			if !c.fail {
				require.NoError(t, err)
				continue
			}
			require.ErrorIs(t, err, foundation.ErrNotManaged)
			require.EqualError(t, err, "spec.yaml:3:5: bucket: "+refused.Error(), "the run's message")
			var pe *PlanError
			require.Equal(t, planned, errors.As(err, &pe), c.name)
			if !planned {
				continue
			}
			var inc *foundation.IncompleteError
			require.False(t, errors.As(err, &inc), "the plan's changes were not made")
			require.Equal(t, "\nPlan failed: nothing was changed.\n", text, "no change listed as made")
			if jsonMode {
				require.Empty(t, out.String(), "stdout: no change made")
			}
		}
	}
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
