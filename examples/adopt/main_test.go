package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

func runProgram(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var o, e bytes.Buffer
	err = run(ctx, args, &o, &e)
	return o.String(), e.String(), err
}

// TestDefaultRun: on the embedded emulator the program makes an
// organization by hand, prints it as a spec, and its dry run plans nothing.
func TestDefaultRun(t *testing.T) {
	out, msgs, err := runProgram(t)
	require.NoError(t, err, msgs)
	var f adopt.Foundation
	require.NoError(t, yaml.Unmarshal([]byte(out), &f), "stdout is the spec alone")
	require.Len(t, f.CIRoles, 1)
	// The state backend made by hand in shop-dev, through its role,
	// adopted as it is; the registry of trusted services; root access.
	require.Len(t, f.StateBackends, 1, out)
	require.Equal(t, adopt.StateBackend{Account: "aws+shop-dev@example.com", Bucket: f.StateBackends[0].Bucket, Region: "eu-west-1",
		LockTable: "shop-terraform-locks", NoncurrentVersionExpirationDays: 30, Tags: map[string]string{"team": "shop"}, Adopt: true}, f.StateBackends[0])
	for _, a := range f.Accounts {
		switch a.Email {
		case "aws+shop-dev@example.com":
			require.Equal(t, &adopt.Contacts{Security: &adopt.Contact{Name: "Shop Security", Title: "Security lead", Email: "security@example.com", Phone: "+1 555 0100"}}, a.Contacts)
		case "aws+shop-prod@example.com":
			require.Equal(t, []string{"eu-south-2"}, a.Regions)
		}
	}
	require.Equal(t, []adopt.Service{{Principal: "account.amazonaws.com"}, {Principal: "iam.amazonaws.com"},
		{Principal: "member.org.stacksets.cloudformation.amazonaws.com", DelegatedAdministrators: []string{"aws+shop-dev@example.com"}}}, f.Services)
	require.Equal(t, &adopt.RootAccess{Features: []string{"RootCredentialsManagement"}}, f.RootAccess)
	require.Empty(t, f.Skipped, out)
	require.Contains(t, msgs, "A dry run of the spec read plans 0 changes")
	require.NotContains(t, out, "Embedded AWS emulator", "messages go to stderr")
}

// filled starts an emulator and makes an organization in it by hand.
func filled(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{IdentityCenter: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	env, err := examplekit.Connect(ctx, examplekit.Flags{Endpoint: srv.URL}, "us-east-1", &bytes.Buffer{})
	require.NoError(t, err)
	require.NoError(t, byHand(ctx, env))
	return srv
}

// TestReadThenConverge: -o writes the spec of an organization another
// emulator holds; -spec converges on it, dry and real, without one
// mutating call.
func TestReadThenConverge(t *testing.T) {
	srv := filled(t)
	file := filepath.Join(t.TempDir(), "org.yaml")
	_, msgs, err := runProgram(t, "-endpoint", srv.URL, "-o", file, "-once")
	require.NoError(t, err, msgs)
	mark := srv.CallCount()
	out, msgs, err := runProgram(t, "-endpoint", srv.URL, "-spec", file, "-dry-run")
	require.NoError(t, err, msgs)
	require.Contains(t, out, "Would change 0 resources.")
	out, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.NoError(t, err, msgs)
	require.Contains(t, out, "Changed 0 resources.")
	require.Empty(t, srv.MutatingCallsSince(mark))

	// An edit to the file is what converges: a new OU and a tag.
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	edited := strings.Replace(string(data), "ous:\n", "ous:\n  - path: Sandbox\n    tags:\n      cost-center: \"42\"\n", 1)
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o600))
	// -json: the plan as JSON Lines on stdout, one object per change.
	var human bytes.Buffer
	examplekit.Stderr = &human
	t.Cleanup(func() { examplekit.Stderr = os.Stderr })
	out, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file, "-dry-run", "-json")
	require.NoError(t, err, msgs)
	require.Contains(t, human.String(), "Would change 1 resources.", "people's output goes to stderr")
	plan, err := examplekit.ReadJSON(strings.NewReader(out))
	require.NoError(t, err, out)
	require.Len(t, plan, 1, out) // the OU, tagged as it is created
	require.Equal(t, "create", string(plan[0].Action))
	require.Equal(t, "organizations:ou", plan[0].Resource)
	require.Equal(t, "Sandbox", plan[0].ID)
	require.Equal(t, srv.ManagementAccountID(), plan[0].Account)
	out, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.NoError(t, err, msgs)
	require.Contains(t, out, `create organizations:ou "Sandbox"`)
	require.Contains(t, out, "Second run: no changes.")

	// -state-buckets is checked before any connection.
	mark = srv.CallCount()
	_, _, err = runProgram(t, "-endpoint", srv.URL, "-state-buckets", "tfstate-*,[oops")
	require.ErrorContains(t, err, `-state-buckets: adopt: spec.StateBucketPatterns[1]: "[oops": must be a name pattern`)
	_, _, err = runProgram(t, "-endpoint", srv.URL, "-access-role", "arn:aws:iam::123456789012:role/x")
	require.ErrorContains(t, err, `-access-role "arn:aws:iam::123456789012:role/x": must be a role name`)
	require.Empty(t, srv.CallsSince(mark))

	// -json is for a converge's changes, not the spec read.
	_, _, err = runProgram(t, "-endpoint", srv.URL, "-json")
	require.ErrorContains(t, err, "-json prints the changes of a converge")
}

// TestInvalidSpecMakesNoCall: every fault at its line and key, and the
// program never connects.
func TestInvalidSpecMakesNoCall(t *testing.T) {
	srv := filled(t)
	file := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`ous:
  - path: Workloads
accounts:
  - name: dev
    email: dev@example.com
    ou: Nowhere
attachments:
  - ou: Workloads
    policies: [missing]
colour: blue
`), 0o600))
	mark := srv.CallCount()
	_, _, err := runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.Error(t, err)
	require.Contains(t, err.Error(), file+":10:1: colour: unknown key")
	require.Empty(t, srv.CallsSince(mark))

	require.NoError(t, os.WriteFile(file, []byte(`ous:
  - path: Workloads
accounts:
  - name: dev
    email: dev@example.com
    ou: Nowhere
attachments:
  - ou: Workloads
    policies: [missing]
`), 0o600))
	_, _, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.Error(t, err)
	require.Contains(t, err.Error(), file+`:6:9: accounts[0].ou: "Nowhere" is not an OU of ous`)
	require.Contains(t, err.Error(), file+`:9:16: attachments[0].policies[0]: "missing" is not a SERVICE_CONTROL_POLICY listed in policies`)
	require.Empty(t, srv.CallsSince(mark))

	// The registry, root access and state backends: at their keys too.
	require.NoError(t, os.WriteFile(file, []byte(`accounts:
  - name: dev
    email: dev@example.com
    contacts:
      security: {name: Sec, title: Security, email: not-an-email, phone: "+1 555 0100"}
    regions: [mars-1]
identityCenter:
  kmsKeyARN: alias/sso
services:
  - principal: securityhub.amazonaws.com
  - principal: member.org.stacksets.cloudformation.amazonaws.com
    delegatedAdministrators: [nobody@example.com]
rootAccess:
  features: [RootEverything]
stateBackends:
  - account: dev@example.com
    bucket: Bad_Bucket
    region: us-east-9
    locking: lockfile
    lockTable: locks
`), 0o600))
	_, _, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.Error(t, err)
	for _, want := range []string{
		file + `:5:53: accounts[0].contacts.security.email: "not-an-email"`,
		file + `:6:15: accounts[0].regions[0]: "mars-1"`,
		file + `:8:14: identityCenter.kmsKeyARN: "alias/sso": must be a KMS key ARN`,
		file + `:10:16: services[0].principal: "securityhub.amazonaws.com": is administered through the service's own API`,
		file + `:12:31: services[1].delegatedAdministrators[0]: "nobody@example.com" is not an account of accounts`,
		file + `:14:14: rootAccess.features[0]: "RootEverything": must be one of`,
		file + `:17:13: stateBackends[0].bucket: "Bad_Bucket": must contain only lowercase letters`,
		file + `:18:13: stateBackends[0].region: "us-east-9": is not an AWS Region`,
		file + `:20:16: stateBackends[0].lockTable: "locks": must be empty when spec.Locking is LockFile`,
	} {
		require.Contains(t, err.Error(), want)
	}
	require.Empty(t, srv.CallsSince(mark))
}

// TestRefusalsAtTheirKeys: a resource made outside the library that the
// file does not adopt is refused at the file's entry, with its line and
// what to write there, for each kind of entry that adopts (found from
// outside: the refusals named the library's fields, "set
// spec.Accounts[1].Adopt" for the file's accounts[2], "set spec.Adopt" for
// the rest).
func TestRefusalsAtTheirKeys(t *testing.T) {
	srv := filled(t)
	file := filepath.Join(t.TempDir(), "m.yaml")
	_, msgs, err := runProgram(t, "-endpoint", srv.URL, "-o", file, "-once", "-state-buckets", StateBucketPattern)
	require.NoError(t, err, msgs)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	read := strings.Split(string(data), "\n")
	// edit returns the file with the "adopt: true" of the entry whose
	// first line is first removed (or set to false), and where the report
	// is: the entry's first key, or the adopt key's value.
	edit := func(first string, set bool) (text string, line, col int) {
		lines := slices.Clone(read)
		at := slices.Index(lines, first)
		require.GreaterOrEqual(t, at, 0, first)
		for i := at + 1; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "adopt: true" {
				continue
			}
			if set {
				lines[i] = strings.Replace(lines[i], "true", "false", 1)
				return strings.Join(lines, "\n"), i + 1, strings.Index(lines[i], "false") + 1
			}
			lines = slices.Delete(lines, i, i+1)
			return strings.Join(lines, "\n"), at + 1, strings.Index(first, "- ") + 3
		}
		t.Fatalf("no adopt: true after %q", first)
		return "", 0, 0
	}
	const refused = "exists but was not made by this library (no managed-by=foundation tag): "
	for _, c := range []struct {
		first string
		set   bool
		want  string
	}{
		{"  - name: shop-prod", false, `accounts[2] (aws+shop-prod@example.com): organizations:account "aws+shop-prod@example.com" ` + refused + `add "adopt: true" to it`},
		{"  - name: shop-prod", true, `accounts[2].adopt: organizations:account "aws+shop-prod@example.com" ` + refused + `set it to true`},
		{"  - path: Workloads/Production", false, `ous[1] (Workloads/Production): organizations:ou "Workloads/Production" ` + refused + `add "adopt: true" to it`},
		{"  - name: deny-leave-organization", true, `policies[0].adopt: organizations:policy "deny-leave-organization" ` + refused + `set it to true`},
		{"    - name: ShopAdmin", false, `identityCenter.permissionSets[0] (ShopAdmin): sso:permission-set "ShopAdmin" ` + refused + `add "adopt: true" to it`},
		{"  - url: https://token.actions.githubusercontent.com", false, `oidcProviders[0] (https://token.actions.githubusercontent.com): iam:oidc-provider "token.actions.githubusercontent.com" ` + refused},
		{"  - name: shop-github-ci", false, `ciRoles[0] (shop-github-ci): iam:role "shop-github-ci" ` + refused + `add "adopt: true" to it`},
		{"  - account: aws+shop-dev@example.com", false, `stateBackends[0] (shop-terraform-state-`},
	} {
		text, line, col := edit(c.first, c.set)
		require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
		mark := srv.CallCount()
		_, msgs, err := runProgram(t, "-endpoint", srv.URL, "-spec", file, "-dry-run")
		require.ErrorIs(t, err, foundation.ErrNotManaged, msgs)
		require.Contains(t, err.Error(), fmt.Sprintf("%s:%d:%d: %s", file, line, col, c.want))
		require.NotContains(t, err.Error(), "spec.", "the library's field names stay out of it")
		require.Empty(t, srv.MutatingCallsSince(mark))
	}

	// The management account listed as a member, with an ou: never moved,
	// refused at its ou (found from outside: the dry run planned moving
	// it from the root).
	at := slices.Index(read, "    management: true")
	require.Greater(t, at, 0)
	lines := slices.Clone(read)
	lines[at] = "    ou: Workloads"
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600))
	mark := srv.CallCount()
	_, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file, "-dry-run")
	require.Error(t, err, msgs)
	require.Contains(t, err.Error(), fmt.Sprintf(`%s:%d:9: accounts[0].ou: "Workloads": %s@example.com is the organization's management account (%[3]s), in the root: it is never moved`,
		file, at+1, srv.ManagementAccountID()))
	require.Empty(t, srv.MutatingCallsSince(mark))
}
