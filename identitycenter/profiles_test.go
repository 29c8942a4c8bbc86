package identitycenter_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/ini.v1"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
)

// seed000Config is seed 000's profiles: AdministratorAccess in prod (two
// regions) and dev, plus ReadOnlyAccess in prod named with the permission
// set.
func seed000Config() identitycenter.ConfigSpec {
	return identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: "admin", StartURL: "https://your-id.awsapps.com/start", Region: "us-east-1"},
		Template: `{{.Project}}-{{.Env}}-{{.RegionShort}}{{if ne .PermissionSet "AdministratorAccess"}}-{{lower .PermissionSet}}{{end}}`,
		Project:  "myapp",
		Profiles: []identitycenter.ProfileSpec{
			{AccountID: "591120834781", AccountName: "myapp-production", Env: "prod", PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"},
				Regions: []string{"us-east-1", "us-west-2"}},
			{AccountID: "557702566877", AccountName: "myapp-dev", Env: "dev", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"us-east-1"}},
		},
	}
}

// handWritten is a user's config file: comments everywhere, a default
// profile, an access-key profile with nested s3 settings, values with "#",
// ";" and quotes, and a trailing comment.
const handWritten = `# My AWS config. Do not lose this line.
[default]
region = eu-west-1
output = text

; legacy account, keys in ~/.aws/credentials
[profile legacy]
# the old account
region = eu-central-1
s3 =
  max_concurrent_requests = 20
  addressing_style = path
credential_process = "/usr/local/bin/helper" --tag #prod;x
cli_pager=

# trailing comment: keep me
`

func parseINI(t *testing.T, b []byte) *ini.File {
	t.Helper()
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, AllowNestedValues: true, PreserveSurroundedQuote: true}, b)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, b)
	}
	return f
}

func sectionKeys(f *ini.File, name string) map[string]string {
	sec, err := f.GetSection(name)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, k := range sec.Keys() {
		out[k.Name()] = strings.Join(append([]string{k.Value()}, k.NestedValues()...), "|")
	}
	return out
}

func TestMergeKeepsHandWrittenProfilesAndComments(t *testing.T) {
	spec := seed000Config()
	out, err := identitycenter.MergeConfig([]byte(handWritten), spec, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"# My AWS config. Do not lose this line.", "; legacy account, keys in ~/.aws/credentials", "# the old account", "# trailing comment: keep me"} {
		if !strings.Contains(string(out), line+"\n") {
			t.Errorf("comment %q lost:\n%s", line, out)
		}
	}
	if !strings.HasSuffix(string(out), "# trailing comment: keep me\n") {
		t.Errorf("trailing comment not at the end:\n%s", out)
	}
	before, after := parseINI(t, []byte(handWritten)), parseINI(t, out)
	for _, name := range []string{"default", "profile legacy"} {
		if b, a := sectionKeys(before, name), sectionKeys(after, name); !mapsEqual(a, b) {
			t.Errorf("[%s] changed:\n before %v\n after  %v", name, b, a)
		}
	}
	want := map[string]string{"sso_session": "admin", "sso_account_id": "591120834781", "sso_role_name": "ReadOnlyAccess",
		"region": "us-west-2", "output": "json", "managed_by": "foundation"}
	if got := sectionKeys(after, "profile myapp-prod-usw2-readonlyaccess"); !mapsEqual(got, want) {
		t.Errorf("generated profile: %v, want %v", got, want)
	}
	if got := sectionKeys(after, "sso-session admin")["sso_registration_scopes"]; got != "sso:account:access" {
		t.Errorf("sso_registration_scopes = %q", got)
	}
	var profiles []string
	for _, s := range after.SectionStrings() {
		if strings.HasPrefix(s, "profile myapp") {
			profiles = append(profiles, strings.TrimPrefix(s, "profile "))
		}
	}
	if w := []string{"myapp-prod-use1", "myapp-prod-usw2", "myapp-prod-use1-readonlyaccess", "myapp-prod-usw2-readonlyaccess", "myapp-dev-use1"}; !slices.Equal(profiles, w) {
		t.Errorf("profiles %v, want %v", profiles, w)
	}
	// Merging again changes nothing, byte for byte.
	again, err := identitycenter.MergeConfig(out, spec, true)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("second merge differs (err %v):\n%s\n---\n%s", err, out, again)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestMergeUpdatesAndPrunesOnlyGeneratedProfiles(t *testing.T) {
	spec := seed000Config()
	first, err := identitycenter.MergeConfig([]byte(handWritten), spec, false)
	if err != nil {
		t.Fatal(err)
	}
	// Another sso-session's generated profiles in the same file.
	other := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: "other", StartURL: "https://other.awsapps.com/start", Region: "eu-west-1"},
		Profiles: []identitycenter.ProfileSpec{{AccountID: "999999999999", AccountName: "other", PermissionSets: []string{"ReadOnlyAccess"}}},
	}
	first, err = identitycenter.MergeConfig(first, other, false)
	if err != nil {
		t.Fatal(err)
	}
	// The dev account moved; ReadOnlyAccess is no longer wanted.
	spec.Profiles = []identitycenter.ProfileSpec{
		{AccountID: "591120834781", Env: "prod", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"us-east-1", "us-west-2"}},
		{AccountID: "557702566878", Env: "dev", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"us-east-1"}},
	}
	kept, err := identitycenter.MergeConfig(first, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if f := parseINI(t, kept); !f.HasSection("profile myapp-prod-use1-readonlyaccess") || sectionKeys(f, "profile myapp-dev-use1")["sso_account_id"] != "557702566878" {
		t.Errorf("without prune: stale profiles must stay and changed ones be updated:\n%s", kept)
	}
	pruned, err := identitycenter.MergeConfig(first, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	f := parseINI(t, pruned)
	for _, gone := range []string{"profile myapp-prod-use1-readonlyaccess", "profile myapp-prod-usw2-readonlyaccess"} {
		if f.HasSection(gone) {
			t.Errorf("[%s] not pruned", gone)
		}
	}
	for _, kept := range []string{"default", "profile legacy", "profile other-ReadOnlyAccess", "sso-session other", "sso-session admin", "profile myapp-prod-use1"} {
		if !f.HasSection(kept) {
			t.Errorf("[%s] lost by prune:\n%s", kept, pruned)
		}
	}
	if !strings.Contains(string(pruned), "# trailing comment: keep me") || !strings.Contains(string(pruned), "# the old account") {
		t.Errorf("comments lost by prune:\n%s", pruned)
	}
}

func TestMergeRefusesToOverwriteHandWrittenProfile(t *testing.T) {
	spec := seed000Config()
	existing := []byte("[profile myapp-prod-use1]\n# mine\nregion = us-east-1\nsso_account_id = 111111111111\n")
	_, err := identitycenter.MergeConfig(existing, spec, true)
	var ce *identitycenter.ProfileConflictError
	if !errors.As(err, &ce) || ce.Section != "profile myapp-prod-use1" {
		t.Fatalf("err = %v, want *ProfileConflictError for [profile myapp-prod-use1]", err)
	}
	if errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("a conflict is not an invalid spec: %v", err)
	}
	spec.ReplaceHandWritten = true
	out, err := identitycenter.MergeConfig(existing, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := sectionKeys(parseINI(t, out), "profile myapp-prod-use1"); got["sso_account_id"] != "591120834781" || got["managed_by"] != "foundation" {
		t.Errorf("replaced section: %v", got)
	}
	// A hand-written section that says exactly what would be generated is
	// not a conflict and is left alone (unmarked).
	spec.ReplaceHandWritten = false
	same := []byte("[sso-session admin]\nsso_start_url = https://your-id.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n")
	out, err = identitycenter.MergeConfig(same, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := sectionKeys(parseINI(t, out), "sso-session admin"); got["managed_by"] != "" {
		t.Errorf("identical hand-written section was taken over: %v", got)
	}
}

func TestMergeRefusesAFileItCannotRead(t *testing.T) {
	_, err := identitycenter.MergeConfig([]byte("[profile x\nregion = us-east-1\n"), seed000Config(), false)
	if err == nil || errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v, want a parse error", err)
	}
}

func TestPruneKeepsTheCommentAboveAPrunedProfile(t *testing.T) {
	spec := seed000Config()
	out, err := identitycenter.MergeConfig(nil, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	// The user comments the end of the dev profile; it sits above the
	// next (generated) section, which is pruned.
	out = bytes.Replace(out, []byte("[profile myapp-prod-use1-readonlyaccess]"), []byte("# note about prod admin\n[profile myapp-prod-use1-readonlyaccess]"), 1)
	spec.Profiles[0].PermissionSets = []string{"AdministratorAccess"}
	pruned, err := identitycenter.MergeConfig(out, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pruned), "# note about prod admin") || strings.Contains(string(pruned), "readonlyaccess]") {
		t.Errorf("prune lost the comment or kept the profile:\n%s", pruned)
	}
}

func TestRenderConfigSeed003Names(t *testing.T) {
	spec := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: "winterwind", StartURL: "https://d-1234567890.awsapps.com/start", Region: "eu-west-1"},
		Template: "{{.Project}}_{{.Env}}_{{.User}}", Project: "autochart", User: "paul",
		Profiles: []identitycenter.ProfileSpec{
			{AccountID: "111122223333", Env: "dev", PermissionSets: []string{"AdministratorAccess"}},
			{AccountID: "444455556666", Env: "prod", PermissionSets: []string{"AdministratorAccess"}},
		},
	}
	out, err := identitycenter.RenderConfig(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := parseINI(t, out)
	if !f.HasSection("profile autochart_dev_paul") || !f.HasSection("profile autochart_prod_paul") {
		t.Errorf("sections %v", f.SectionStrings())
	}
	if _, ok := sectionKeys(f, "profile autochart_dev_paul")["region"]; ok {
		t.Errorf("a profile without regions has a region key:\n%s", out)
	}
}

func TestRegionShort(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "use1", "us-west-2": "usw2", "eu-west-1": "euw1", "eu-central-1": "euc1", "ap-southeast-2": "apse2",
		"ap-northeast-1": "apne1", "sa-east-1": "sae1", "ca-central-1": "cac1", "us-gov-west-1": "usgovw1", "me-south-1": "mes1",
	} {
		if got := identitycenter.RegionShort(region); got != want {
			t.Errorf("RegionShort(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestConfigSpecValidation(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(*identitycenter.ConfigSpec)
		field string
		rule  string
	}{
		{"template does not parse", func(s *identitycenter.ConfigSpec) { s.Template = "{{.Project" }, "spec.Template", "does not parse"},
		{"template unknown field", func(s *identitycenter.ConfigSpec) { s.Template = "{{.Nope}}" }, "spec.Template", "fails for"},
		{"template duplicate names", func(s *identitycenter.ConfigSpec) { s.Template = "{{.Project}}-{{.Env}}" }, "spec.Template", "for both"},
		{"template empty name", func(s *identitycenter.ConfigSpec) { s.Template = "{{.User}}" }, "spec.Template", "empty profile name"},
		{"template name with space", func(s *identitycenter.ConfigSpec) { s.Template = "{{.Env}} {{.RegionShort}} {{.PermissionSet}}" }, "spec.Template", "no spaces"},
		{"start url http", func(s *identitycenter.ConfigSpec) { s.Session.StartURL = "http://x.awsapps.com/start" }, "spec.Session.StartURL", "https URL"},
		{"start url garbage", func(s *identitycenter.ConfigSpec) { s.Session.StartURL = "your-id" }, "spec.Session.StartURL", "https URL"},
		{"sso region", func(s *identitycenter.ConfigSpec) { s.Session.Region = "US East" }, "spec.Session.Region", "region name"},
		{"session name", func(s *identitycenter.ConfigSpec) { s.Session.Name = "my session" }, "spec.Session.Name", "no spaces"},
		{"profile region", func(s *identitycenter.ConfigSpec) { s.Profiles[0].Regions = []string{"useast1"} }, "spec.Profiles[0].Regions[0]", "region name"},
		{"account id", func(s *identitycenter.ConfigSpec) { s.Profiles[1].AccountID = "55770256687" }, "spec.Profiles[1].AccountID", "12-digit"},
		{"output", func(s *identitycenter.ConfigSpec) { s.Output = "xml" }, "spec.Output", "one of"},
		{"no profiles", func(s *identitycenter.ConfigSpec) { s.Profiles = nil }, "spec.Profiles", "at least one"},
		{"scope", func(s *identitycenter.ConfigSpec) { s.Session.RegistrationScopes = []string{"sso account"} }, "spec.Session.RegistrationScopes[0]", "scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := seed000Config()
			tc.mod(&spec)
			_, err := identitycenter.RenderConfig(spec)
			if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
				t.Fatalf("err = %v, want ErrInvalidSpec naming %q and %q", err, tc.field, tc.rule)
			}
			if spec.Validate() == nil {
				t.Error("Validate accepts it")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "config")
			if _, err := identitycenter.WriteConfigFile(path, spec, false); !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Errorf("WriteConfigFile: %v", err)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("WriteConfigFile wrote a file for an invalid spec")
			}
		})
	}
}

func TestWriteConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".aws", "config")
	spec := seed000Config()

	changes, err := identitycenter.WriteConfigFile(path, spec, true, foundation.WithDryRun(true))
	if err != nil || len(changes) != 6 {
		t.Fatalf("dry run: %v\n%s", err, changes)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dry run wrote the file: %v", err)
	}
	changes, err = identitycenter.WriteConfigFile(path, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 6 || changes[0].Resource != identitycenter.ResSSOSession || changes[1].String() != `create aws-config:profile "myapp-prod-use1"` {
		t.Errorf("changes:\n%s", changes)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if d, _ := os.Stat(filepath.Dir(path)); d.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", d.Mode().Perm())
	}
	// A second write with nothing to change leaves the file alone.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	changes, err = identitycenter.WriteConfigFile(path, spec, true)
	if err != nil || len(changes) != 0 {
		t.Fatalf("second write: %v\n%s", err, changes)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(old) {
		t.Errorf("unchanged file was rewritten")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// A symbolic link (a dotfiles repository) is followed, not replaced.
	real := filepath.Join(dir, "dotfiles-aws-config")
	if err := os.WriteFile(real, []byte(handWritten), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link-config")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, err := identitycenter.WriteConfigFile(link, spec, false); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(real); !strings.Contains(string(b), "[profile myapp-prod-use1]") || !strings.Contains(string(b), "[profile legacy]") {
		t.Errorf("link target not merged:\n%s", b)
	}
}

// TestAWSCLIReadsGeneratedProfiles runs the real AWS CLI (v2 at /usr/bin/aws
// and whatever "aws" is first on PATH, such as pip's v1) on a merged file.
func TestAWSCLIReadsGeneratedProfiles(t *testing.T) {
	if os.Getenv("FOUNDATION_TEST_AWSCLI") != "1" {
		t.Skip("runs the AWS CLI (about 5 s): set FOUNDATION_TEST_AWSCLI=1 to run it (.ci/run does)")
	}
	t.Parallel()
	var clis []string
	seen := map[string]bool{}
	for _, c := range []string{"aws", "/usr/bin/aws", "/usr/local/bin/aws"} {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		rp, _ := filepath.EvalSymlinks(p)
		if seen[rp] {
			continue
		}
		seen[rp] = true
		clis = append(clis, p)
	}
	if len(clis) == 0 {
		t.Fatal("FOUNDATION_TEST_AWSCLI=1 but no AWS CLI found (looked for aws on PATH, /usr/bin/aws, /usr/local/bin/aws); install AWS CLI v2")
	}
	home := t.TempDir()
	path := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(handWritten), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := identitycenter.WriteConfigFile(path, seed000Config(), true); err != nil {
		t.Fatal(err)
	}
	for _, cli := range clis {
		run := func(args ...string) (string, error) {
			cmd := exec.Command(cli, args...)
			cmd.Dir = home
			cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + path,
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"), "AWS_PAGER=", "LANG=C.UTF-8"}
			if v := os.Getenv("PYENV_ROOT"); v != "" {
				cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
			}
			out, err := cmd.CombinedOutput()
			return strings.TrimSpace(string(out)), err
		}
		version, err := run("--version")
		if err != nil {
			t.Logf("%s --version: %v: %s (skipped)", cli, err, version)
			continue
		}
		t.Run(strings.Fields(version)[0], func(t *testing.T) {
			t.Logf("%s: %s", cli, version)
			if strings.HasPrefix(version, "aws-cli/1.") {
				t.Logf("AWS CLI v1 has no `configure list-profiles`; checking `configure get` only")
			} else {
				list, err := run("configure", "list-profiles")
				if err != nil {
					t.Fatalf("configure list-profiles: %v: %s", err, list)
				}
				profiles := strings.Fields(list)
				for _, p := range []string{"default", "legacy", "myapp-prod-use1", "myapp-prod-usw2", "myapp-prod-use1-readonlyaccess", "myapp-prod-usw2-readonlyaccess", "myapp-dev-use1"} {
					if !slices.Contains(profiles, p) {
						t.Errorf("list-profiles lacks %q: %v", p, profiles)
					}
				}
			}
			// Each CLI start takes a fraction of a second: ask in parallel.
			var wg sync.WaitGroup
			for _, q := range [][3]string{
				{"myapp-prod-usw2", "sso_account_id", "591120834781"},
				{"myapp-prod-use1-readonlyaccess", "sso_role_name", "ReadOnlyAccess"},
				{"myapp-dev-use1", "region", "us-east-1"},
				{"legacy", "credential_process", `"/usr/local/bin/helper" --tag #prod;x`},
			} {
				wg.Go(func() {
					got, err := run("configure", "get", q[1], "--profile", q[0])
					if err != nil || got != q[2] {
						t.Errorf("configure get %s --profile %s = %q (%v), want %q", q[1], q[0], got, err, q[2])
					}
				})
			}
			// The CLI resolves a generated profile through its sso-session
			// to the token cache (and stops there, with no network call).
			wg.Go(func() {
				out, err := run("sts", "get-caller-identity", "--profile", "myapp-prod-use1")
				if err == nil || !strings.Contains(out, "Token for admin does not exist") {
					t.Errorf("sts get-caller-identity --profile myapp-prod-use1: %v: %s (want the missing SSO token of session admin)", err, out)
				}
			})
			wg.Wait()
		})
	}
}

// TestPruneWithoutProfiles: a program whose last account was retired asks
// for no profile and prunes. Every generated profile of its sso-session
// goes, then the sso-session block; hand-written sections, another
// session's generated ones and comments stay. Without prune, and for
// RenderConfig, no profile is still an invalid spec.
func TestPruneWithoutProfiles(t *testing.T) {
	spec := seed000Config()
	first, err := identitycenter.MergeConfig([]byte(handWritten), spec, false)
	if err != nil {
		t.Fatal(err)
	}
	other := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: "other", StartURL: "https://other.awsapps.com/start", Region: "eu-west-1"},
		Profiles: []identitycenter.ProfileSpec{{AccountID: "999999999999", AccountName: "other", PermissionSets: []string{"ReadOnlyAccess"}}},
	}
	if first, err = identitycenter.MergeConfig(first, other, false); err != nil {
		t.Fatal(err)
	}
	// The user's note above the admin session.
	first = bytes.Replace(first, []byte("[sso-session admin]"), []byte("# sign in with: aws sso login --sso-session admin\n[sso-session admin]"), 1)

	empty := spec
	empty.Profiles = nil
	if _, err := identitycenter.RenderConfig(empty); !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Profiles") {
		t.Errorf("RenderConfig without profiles: err = %v, want ErrInvalidSpec naming spec.Profiles", err)
	}
	if _, err := identitycenter.MergeConfig(first, empty, false); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("MergeConfig without profiles nor prune: err = %v, want ErrInvalidSpec", err)
	}
	if err := empty.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("Validate without profiles: err = %v, want ErrInvalidSpec", err)
	}

	pruned, err := identitycenter.MergeConfig(first, empty, true)
	if err != nil {
		t.Fatal(err)
	}
	f := parseINI(t, pruned)
	for _, s := range f.SectionStrings() {
		if strings.HasPrefix(s, "profile myapp-") || s == "sso-session admin" {
			t.Errorf("[%s] not pruned:\n%s", s, pruned)
		}
	}
	before := parseINI(t, first)
	for _, kept := range []string{"default", "profile legacy", "profile other-ReadOnlyAccess", "sso-session other"} {
		if b, a := sectionKeys(before, kept), sectionKeys(f, kept); a == nil || !mapsEqual(a, b) {
			t.Errorf("[%s] changed by prune: before %v, after %v", kept, b, a)
		}
	}
	for _, line := range []string{"# My AWS config. Do not lose this line.", "; legacy account, keys in ~/.aws/credentials", "# the old account",
		"# trailing comment: keep me", "# sign in with: aws sso login --sso-session admin"} {
		if !strings.Contains(string(pruned), line+"\n") {
			t.Errorf("comment %q lost:\n%s", line, pruned)
		}
	}
	// Pruning again changes nothing.
	if again, err := identitycenter.MergeConfig(pruned, empty, true); err != nil || !bytes.Equal(again, pruned) {
		t.Errorf("second prune differs (err %v):\n%s\n---\n%s", err, pruned, again)
	}

	// A hand-written profile that signs in with the generated session
	// keeps it.
	uses := append(slices.Clone(first), []byte("\n[profile mine]\nsso_session = admin\nsso_account_id = 111111111111\nsso_role_name = ReadOnlyAccess\n")...)
	kept, err := identitycenter.MergeConfig(uses, empty, true)
	if err != nil {
		t.Fatal(err)
	}
	if f := parseINI(t, kept); !f.HasSection("sso-session admin") || !f.HasSection("profile mine") || f.HasSection("profile myapp-dev-use1") {
		t.Errorf("the session a hand-written profile uses was pruned, or a generated profile kept:\n%s", kept)
	}
	// A hand-written session is never deleted.
	hand := []byte("[sso-session admin]\nsso_start_url = https://mine.awsapps.com/start\nsso_region = us-east-1\n")
	if out, err := identitycenter.MergeConfig(hand, empty, true); err != nil || !parseINI(t, out).HasSection("sso-session admin") {
		t.Errorf("hand-written session: err %v\n%s", err, out)
	}
}

func TestWriteConfigFileWithoutProfilesPrunes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	spec := seed000Config()
	if err := os.WriteFile(path, []byte(handWritten), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := identitycenter.WriteConfigFile(path, spec, true); err != nil {
		t.Fatal(err)
	}
	empty := spec
	empty.Profiles = nil
	if _, err := identitycenter.WriteConfigFile(path, empty, false); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("without prune: err = %v, want ErrInvalidSpec", err)
	}
	want := []string{
		`delete aws-config:profile myapp-prod-use1`, `delete aws-config:profile myapp-prod-usw2`,
		`delete aws-config:profile myapp-prod-use1-readonlyaccess`, `delete aws-config:profile myapp-prod-usw2-readonlyaccess`,
		`delete aws-config:profile myapp-dev-use1`, `delete aws-config:sso-session admin`,
	}
	dry, err := identitycenter.WriteConfigFile(path, empty, true, foundation.WithDryRun(true))
	if err != nil || !slices.Equal(sorted(changeLines(dry)), sorted(want)) {
		t.Fatalf("dry run: %v%s\nwant%s", err, joinLines(changeLines(dry)), joinLines(want))
	}
	changes, err := identitycenter.WriteConfigFile(path, empty, true)
	if err != nil || !slices.Equal(changeLines(changes), changeLines(dry)) {
		t.Fatalf("prune: %v%s\ndry run listed%s", err, joinLines(changeLines(changes)), joinLines(changeLines(dry)))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := parseINI(t, b)
	if got := f.SectionStrings(); !slices.Equal(got, []string{ini.DefaultSection, "default", "profile legacy"}) {
		t.Errorf("sections %v after prune:\n%s", got, b)
	}
	if !strings.HasSuffix(string(b), "# trailing comment: keep me\n") {
		t.Errorf("trailing comment lost:\n%s", b)
	}
	if changes, err := identitycenter.WriteConfigFile(path, empty, true); err != nil || len(changes) != 0 {
		t.Errorf("second prune: %v\n%s", err, changes)
	}
	// No file: nothing to prune, nothing written.
	missing := filepath.Join(dir, "none", "config")
	if changes, err := identitycenter.WriteConfigFile(missing, empty, true); err != nil || len(changes) != 0 {
		t.Errorf("missing file: %v\n%s", err, changes)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was created: %v", err)
	}
}
