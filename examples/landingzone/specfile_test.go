package main

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/stretchr/testify/require"
)

// seed.yaml is seed 000, exactly as the program's Go value was before the
// spec file existed.
func TestSeedFileIsSeed000(t *testing.T) {
	require.Equal(t, Spec{
		Project: "myapp",
		Region:  "us-east-1",
		Regions: []string{"us-east-1", "us-west-2"},
		Email:   "you@example.com",
		OUs:     []string{"Management"},
		Environments: []Environment{
			{Name: "dev", Account: "myapp-dev", OU: "Workloads/Dev"},
			{Name: "staging", Account: "myapp-staging", OU: "Workloads/Staging"},
			{Name: "prod", Account: "myapp-production", OU: "Workloads/Production", Protected: true},
		},
		AccessRole:       "OrganizationAccountAccessRole",
		Locking:          "both",
		AdminGroup:       "PlatformAdmins",
		Admins:           []Person{{UserName: "you", GivenName: "Platform", FamilyName: "Engineer", Email: "you@example.com"}},
		SessionHours:     8,
		SSOSessionName:   "admin",
		ProfileTemplate:  "{{.Project}}-{{.Env}}-{{.RegionShort}}",
		GitHubRepository: "MatthewDipo/myapp",
		GitHubBranch:     "main",
		Cluster:          "myapp-prod",
		Repository:       "myapp",
		KeepImages:       30,
		ImagePrefix:      "sha-",
		UntaggedDays:     1,
	}, withoutSource(Seed000()))
	require.NoError(t, Seed000().Check())
}

// A file with only some keys gets nothing of seed 000: identity is
// required, defaults are the documented ones.
func TestSpecFileDecodesIntoZero(t *testing.T) {
	s, err := ParseSpec("lz.yaml", []byte(`
project: zeta
email: ops@zeta.example
region: eu-west-1
githubRepository: zeta-org/infra
environments:
  - {name: test, account: zeta-test, ou: Workloads/Test}
  - {name: live, account: zeta-live, ou: Workloads/Live}
  - {name: extra, account: zeta-extra, ou: Workloads/Extra}
`))
	require.NoError(t, err)
	require.Equal(t, []string{"eu-west-1"}, s.Regions)
	require.Empty(t, s.Admins, "no person from seed 000")
	require.Equal(t, "zeta", s.Repository)
	require.Equal(t, "zeta-org/infra", s.GitHubRepository)
	require.Equal(t, "lockfile", s.Locking)
	for _, e := range s.Environments {
		require.False(t, e.Protected, "%s: not protected unless the file says so", e.Name)
	}
	require.Empty(t, s.OUs)
}

func TestSpecFileFaultsNameKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"only project and email", "project: zeta\nemail: ops@zeta.example\n", []string{
			"lz.yaml:1:1: region: required",
			"lz.yaml:1:1: githubRepository: required",
			"lz.yaml:1:1: environments: at least one environment",
		}},
		{"environment without ou", "project: p\nemail: a@b.c\nregion: us-east-1\ngithubRepository: o/r\nenvironments:\n  - name: dev\n    account: p-dev\n", []string{
			"lz.yaml:6:5: environments[0].ou: required",
		}},
		{"person without names", "project: p\nemail: a@b.c\nregion: us-east-1\ngithubRepository: o/r\nenvironments: [{name: d, account: a, ou: O}]\nadmins:\n  - {userName: ana, email: ana@b.c}\n", []string{
			"lz.yaml:7:5: admins[0].givenName: required",
			"lz.yaml:7:5: admins[0].familyName: required",
		}},
		{"one OU, protected and not", "project: p\nemail: a@b.c\nregion: us-east-1\ngithubRepository: o/r\nenvironments:\n  - {name: d, account: a, ou: O, protected: true}\n  - {name: e, account: b, ou: O}\n", []string{
			`lz.yaml:7:5: environments[1].protected: false: environments[0] (d) is in the same OU "O" with protected: true`,
		}},
		{"bad locking", "project: p\nemail: a@b.c\nregion: us-east-1\ngithubRepository: o/r\nlocking: bogus\nenvironments: [{name: d, account: a, ou: O}]\n", []string{
			`lz.yaml:5:10: locking: "bogus": must be lockfile, dynamodb or both`,
		}},
		{"unknown key", "project: p\nenviroments: []\n", []string{
			`lz.yaml:2:1: enviroments: unknown key "enviroments"`,
		}},
		{"wrong type", "project: p\nsessionHours: eight\n", []string{
			`lz.yaml:2:1: sessionHours: "eight" is not a whole number`,
		}},
		{"not yaml", "project: [p\n", []string{"lz.yaml:", "not valid YAML or JSON"}},
		{"json", `{"project": "p", "enviroments": []}`, []string{`enviroments: unknown key "enviroments"`}},
		{"region outside regions", "project: p\nemail: a@b.c\nregion: us-east-1\nregions: [eu-west-1]\ngithubRepository: o/r\nenvironments: [{name: d, account: a, ou: O}]\n", []string{
			`lz.yaml:4:10: regions: must include region "us-east-1"`,
		}},
		{"repository without owner", "project: p\nemail: a@b.c\nregion: us-east-1\ngithubRepository: myapp\nenvironments: [{name: d, account: a, ou: O}]\n", []string{
			`lz.yaml:4:19: githubRepository: "myapp": must be owner/repository`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec("lz.yaml", []byte(c.file))
			var se *examplekit.SpecError
			require.True(t, errors.As(err, &se), "%v", err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "unmarshal", "no decoder jargon")
			require.NotContains(t, err.Error(), "main.Spec")
			require.False(t, strings.Contains(err.Error(), "\n\n"))
		})
	}
}

// A spec file the file's own rules accept but a step of the program would
// refuse is refused before the first call, with every fault, and never
// panics (regions once reached scp.MustBuild after the accounts were made).
func TestInvalidSpecMakesNoCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, from, to string
		want           []string
	}{
		{"unknown region", "regions: [us-east-1, us-west-2]", "regions: [us-east-1, us-east-9]", []string{"production guardrail: regions:", "us-east-9"}},
		{"project not a bucket name", "project: myapp", "project: My_App", []string{"state backend", "spec.Bucket"}},
		{"session too long", "sessionHours: 8", "sessionHours: 13", []string{"Identity Center", "SessionDuration"}},
		{"bad repository name", "repository: myapp", "repository: My Repo", []string{"image repository", "spec.Name"}},
		{"two faults", "sessionHours: 8\nssoSessionName: admin", "sessionHours: 13\nssoSessionName: \"has space\"", []string{"Identity Center", "AWS CLI config"}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			kittest.RefusesSpec(t, run, "lz.yaml", strings.Replace(base, c.from, c.to, 1), c.want, "-out", t.TempDir())
		})
	}
}

// withoutSource is s without where it was read from (Spec.SetSource).
func withoutSource(s Spec) Spec {
	s.src = examplekit.Source{}
	return s
}

// A fault the library finds in a spec derived from the file names the
// file's key and line, not only the library's field (it used to read
// "Identity Center: identitycenter: spec.PermissionSets[0].SessionDuration"
// twice, with no line).
func TestLibraryFaultsNameTheFileKey(t *testing.T) {
	data := strings.Replace(string(seedFile), "sessionHours: 8", "sessionHours: 13", 1)
	data = strings.Replace(data, "repository: myapp", "repository: My_Repo", 1)
	spec, err := ParseSpec("lz.yaml", []byte(data))
	require.NoError(t, err)
	err = spec.Validate()
	require.ErrorContains(t, err, `lz.yaml:`+lineOf(t, data, "sessionHours: 13")+`:15: sessionHours: "13h0m0s": must be between 1 and 12 hours (Identity Center: identitycenter spec.PermissionSets[0].SessionDuration)`)
	require.ErrorContains(t, err, `lz.yaml:`+lineOf(t, data, "repository: My_Repo")+`:13: repository: "My_Repo": must be lowercase`)
	require.Equal(t, 1, strings.Count(err.Error(), "sessionHours"), "the two permission sets' one fault is listed once:\n%v", err)
}

func lineOf(t *testing.T, data, s string) string {
	for i, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, s) {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("no line %q", s)
	return ""
}

// The CI role writes audit records only to a bucket of its own account:
// the bucket is made outside the program and bucket names are global, so a
// bucket of that name in another account must never receive them.
func TestCIRoleAuditWriteStaysInTheAccount(t *testing.T) {
	s := Seed000()
	role := s.ciRoleSpec("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "123456789012",
		"arn:aws:kms:us-east-1:123456789012:key/k")
	st, ok := role.InlinePolicies["github-ci-policy"].StatementBySid("S3AuditWrite")
	require.True(t, ok)
	require.Equal(t, foundation.StringList{"123456789012"}, st.Condition["StringEquals"]["s3:ResourceAccount"])
}
