package emulator

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The emulator is only worth what it matches AWS, so these tests drive it
// with the AWS CLI: a client none of us wrote. Every distinct `aws` found is
// used (Debian's CLI v2 at /usr/bin/aws, and a pip-installed v1 on PATH, as
// the CI image has). FOUNDATION_TEST_AWS_CLI names one explicitly.

// awsCLI is one AWS CLI installation.
type awsCLI struct {
	path, version string
}

func findAWSCLIs(t *testing.T) []awsCLI {
	t.Helper()
	var candidates []string
	if p := os.Getenv("FOUNDATION_TEST_AWS_CLI"); p != "" {
		candidates = append(candidates, p)
	} else {
		candidates = append(candidates, "/usr/bin/aws")
		if p, err := exec.LookPath("aws"); err == nil {
			candidates = append(candidates, p)
		}
	}
	seen := map[string]bool{}
	var out []awsCLI
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		v, err := exec.Command(p, "--version").CombinedOutput()
		if err != nil {
			t.Logf("skipping %s: --version: %v", p, err)
			continue
		}
		version := strings.Fields(string(v))[0]
		if seen[version] {
			continue
		}
		seen[version] = true
		out = append(out, awsCLI{path: p, version: version})
	}
	if len(out) == 0 {
		t.Skip("no AWS CLI found (apt-get install awscli, or set FOUNDATION_TEST_AWS_CLI); .ci/run installs it")
	}
	return out
}

// cliRunner runs one CLI against one emulator with fake credentials and an
// isolated home, so the machine's AWS configuration is never read.
type cliRunner struct {
	t   *testing.T
	cli awsCLI
	srv *Server
	env []string
}

func newCLIRunner(t *testing.T, cli awsCLI, srv *Server, accessKey string) *cliRunner {
	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	require.NoError(t, os.WriteFile(cfg, []byte("[default]\nregion = us-east-1\noutput = json\ns3 =\n    addressing_style = path\n"), 0o600))
	creds := filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(creds, nil, 0o600))
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=not-a-real-secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
	return &cliRunner{t: t, cli: cli, srv: srv, env: env}
}

// run runs `aws ARGS --endpoint-url URL`, returning stdout, stderr and
// whether it succeeded.
func (r *cliRunner) run(args ...string) (string, string, error) {
	r.t.Helper()
	args = append(args, "--endpoint-url", r.srv.URL)
	cmd := exec.Command(r.cli.path, args...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// ok runs the command, requires success and decodes JSON output into a map
// (nil for commands that print nothing).
func (r *cliRunner) ok(args ...string) map[string]any {
	r.t.Helper()
	out, stderr, err := r.run(args...)
	require.NoErrorf(r.t, err, "%s %v: %s", r.cli.version, args, stderr)
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var m map[string]any
	require.NoErrorf(r.t, json.Unmarshal([]byte(out), &m), "%s %v: output %q", r.cli.version, args, out)
	return m
}

// fails runs the command and requires it to fail with the AWS error code.
func (r *cliRunner) fails(code string, args ...string) {
	r.t.Helper()
	_, stderr, err := r.run(args...)
	require.Errorf(r.t, err, "%s %v: expected %s", r.cli.version, args, code)
	require.Containsf(r.t, stderr, code, "%s %v", r.cli.version, args)
}

// dig walks a decoded JSON value by keys and list indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestAWSCLISTS(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			srv := startTest(t, Options{})
			require.NoError(t, srv.AddAccount(member))
			_, err := srv.CreateRole(member, "OrganizationAccountAccessRole", trustAccount(DefaultManagementAccountID, ""))
			require.NoError(t, err)
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")

			who := r.ok("sts", "get-caller-identity")
			require.Equal(t, DefaultManagementAccountID, who["Account"])
			require.Equal(t, "arn:aws:iam::"+DefaultManagementAccountID+":root", who["Arn"])

			out := r.ok("sts", "assume-role", "--role-arn", "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole",
				"--role-session-name", "cli-check", "--duration-seconds", "900")
			require.Equal(t, "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/cli-check", dig(out, "AssumedRoleUser", "Arn"))
			ak, _ := dig(out, "Credentials", "AccessKeyId").(string)
			require.True(t, strings.HasPrefix(ak, "ASIA"), ak)

			// The returned credentials act in the member account.
			member := newCLIRunner(t, cli, srv, ak)
			member.env = append(member.env,
				"AWS_SECRET_ACCESS_KEY="+dig(out, "Credentials", "SecretAccessKey").(string),
				"AWS_SESSION_TOKEN="+dig(out, "Credentials", "SessionToken").(string))
			require.Equal(t, "210987654321", member.ok("sts", "get-caller-identity")["Account"])

			r.fails("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+"210987654321"+":role/Nope", "--role-session-name", "x1")
		})
	}
}
