package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
)

// emptyTempDir points TMPDIR at a new empty directory and returns it, so a
// test sees every temporary directory the program makes.
func emptyTempDir(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// Without -out, a run writes to a temporary directory that is removed at
// exit, and says so; -keep keeps it; a dry run makes no directory at all.
// (The program ran with os.MkdirTemp and never removed it, dry runs
// included.)
func TestLandingZoneTemporaryOutput(t *testing.T) {
	ctx := context.Background()
	tmp := emptyTempDir(t)

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-dry-run"}, &out), out.String())
	require.Empty(t, entries(t, tmp), "a dry run writes nothing")
	require.Contains(t, out.String(), `AWS CLI config (sso-session "admin"): `+filepath.Join(tmp, "landingzone-*", "aws-config")+" (a dry run writes nothing)",
		"a dry run names the temporary directory a run would make")

	out.Reset()
	require.NoError(t, run(ctx, []string{"-once"}, &out), out.String())
	require.Empty(t, entries(t, tmp), "the temporary directory is removed at exit")
	require.Regexp(t, `AWS CLI config \(sso-session "admin"\): `+tmp+`/landingzone-\d+/aws-config \(removed at exit: -keep or -out DIR keeps it\)`, out.String())

	out.Reset()
	require.NoError(t, run(ctx, []string{"-once", "-keep"}, &out), out.String())
	kept := entries(t, tmp)
	require.Len(t, kept, 1)
	file := filepath.Join(tmp, kept[0], "aws-config")
	require.FileExists(t, file)
	require.Contains(t, out.String(), `AWS CLI config (sso-session "admin"): `+file+"\n", "kept: no removal note")

	dir := filepath.Join(t.TempDir(), "lz")
	out.Reset()
	require.NoError(t, run(ctx, []string{"-dry-run", "-out", dir}, &out), out.String())
	require.NoDirExists(t, dir, "a dry run makes no -out directory")
}

// After a run on an emulator the sign-in hint says that aws sso login
// cannot work there and what to run on real AWS; on AWS it is the login
// itself, with the file when it is kept and -out when it is not.
func TestLandingZoneSignInHint(t *testing.T) {
	r := &Result{spec: Seed000(), ConfigFile: "/tmp/landingzone-1/aws-config", files: &output{Kept: false}}
	hint := func(realAWS, kept bool) string {
		r.realAWS, r.files.Kept = realAWS, kept
		var out bytes.Buffer
		r.printSignIn(&out)
		return out.String()
	}
	emu := hint(false, true)
	require.Contains(t, emu, `"aws sso login" cannot work on an emulator`)
	require.Contains(t, emu, "After a run on real AWS\n  (-aws -yes -out DIR):\n  AWS_CONFIG_FILE=DIR/aws-config aws sso login --sso-session admin\n")
	require.NotContains(t, emu, "AWS_CONFIG_FILE=/tmp/landingzone-1/aws-config", "no login that cannot work")
	require.Equal(t, "\nAWS CLI config (sso-session \"admin\"): /tmp/landingzone-1/aws-config\n"+
		"  AWS_CONFIG_FILE=/tmp/landingzone-1/aws-config aws sso login --sso-session admin\n", hint(true, true))
	gone := hint(true, false)
	require.Contains(t, gone, "/tmp/landingzone-1/aws-config (removed at exit: -keep or -out DIR keeps it)\n")
	require.Contains(t, gone, "Rerun with -out DIR to keep it")
	require.NotContains(t, gone, "AWS_CONFIG_FILE=/tmp/landingzone-1/aws-config", "no login with a removed file")
}

// The report's order and names: a member account's key before its alias
// (as made; organizations.Summary.Report sorts by resource type), the
// guardrail's attachment by OU path in a real run as in a dry run, and the
// organization a dry run would create without an empty ID.
func TestLandingZoneReportLines(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-once", "-out", t.TempDir()}, &out), out.String())
	s := out.String()
	for _, env := range []string{"dev", "staging", "prod"} {
		key := strings.Index(s, `create kms:key "alias/`+env+`-us-east-1-main"`)
		alias := strings.Index(s, `create kms:alias "alias/`+env+`-us-east-1-main"`)
		require.True(t, key >= 0 && alias > key, "%s: the key before its alias", env)
	}
	require.Contains(t, s, `create organizations:policy-attachment "Workloads/Production <- myapp-production-guardrails"`+"\n")
	require.NotContains(t, s, `policy-attachment "ou-`)

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-dry-run"}, &out), out.String())
	require.Contains(t, out.String(), "  create organizations:organization (ID known after apply): FeatureSet: ALL\n")
	require.NotContains(t, out.String(), `""`)

	require.Equal(t, `create organizations:organization (ID known after apply): FeatureSet: ALL`,
		line(foundation.Change{Action: foundation.ActionCreate, Resource: "organizations:organization",
			ID: foundation.PredictedID("organization", ""), Diffs: []foundation.Diff{{Field: "FeatureSet", To: "ALL"}}}))
	require.Equal(t, `create kms:key "alias/x"`, line(foundation.Change{Action: foundation.ActionCreate, Resource: "kms:key", ID: "alias/x"}))
}
