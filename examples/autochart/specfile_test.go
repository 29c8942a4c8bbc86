package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/organizations"
)

// seed.yaml is seed 003, exactly as the program's Go value was before the
// spec file existed; -email replaces the accounts' and paul's address.
func TestSeedFileIsSeed003(t *testing.T) {
	seed := func(email string) Spec {
		env := func(name string) Env {
			return Env{Name: name, Alias: "autochart-" + name, Account: organizations.AccountSpec{
				Name: "autochart_" + name, Email: strings.Replace(email, "@", "+autochart_"+name+"@", 1), OU: "autochart",
				Tags: map[string]string{"Product": "autochart", "Environment": name},
			}}
		}
		return Spec{
			Product: "autochart",
			Region:  "eu-west-1",
			OU:      "autochart",
			Envs:    []Env{env("dev"), env("prod")},
			People: []Person{{UserSpec: identitycenter.UserSpec{
				UserName: "paul", GivenName: "Paul", FamilyName: "Autochart", Email: email,
			}}},
			PermissionSet: identitycenter.PermissionSetSpec{
				Name:            "AdministratorAccess",
				Description:     "Full admin, as the seed's sysadmins group; short sessions",
				SessionDuration: time.Hour,
				ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
				Tags:            map[string]string{"Product": "autochart"},
			},
			Session:         "autochart",
			ProfileTemplate: "{{.Project}}_{{.Env}}_{{.User}}",
			AccessRole:      "OrganizationAccountAccessRole",
		}
	}
	require.Equal(t, seed("paul@example.com"), withoutSource(Seed003("")))
	require.Equal(t, seed("me@example.com"), withoutSource(Seed003("me@example.com")))
	require.NoError(t, Seed003("").Validate())
}

// A file with only some keys gets nothing of seed 003: identity is
// required, defaults are the documented ones.
func TestSpecFileDecodesIntoZero(t *testing.T) {
	f, err := ParseSpec("ac.yaml", []byte(`
product: zeta
email: ops@zeta.example
region: us-east-2
environments: [{name: test, account: zeta_test}]
people:
  - {userName: ana, givenName: Ana, familyName: Ops, envs: [test]}
`))
	require.NoError(t, err)
	s := f.Spec()
	require.Equal(t, "zeta", s.OU)
	require.Equal(t, "zeta-test", s.Envs[0].Alias)
	require.Equal(t, "ops+zeta_test@zeta.example", s.Envs[0].Account.Email)
	require.Equal(t, "ops@zeta.example", s.People[0].Email)
	require.Equal(t, "zeta", s.Session)
	require.Equal(t, "AdministratorAccess", s.PermissionSet.Name)
	require.Equal(t, time.Hour, s.PermissionSet.SessionDuration)
	require.Empty(t, s.PermissionSet.Description, "nothing of seed 003")
	require.NoError(t, s.Validate())

	f, err = ParseSpec("ac.yaml", []byte("product: p\nemail: a@b.example\nregion: eu-west-1\nenvironments: [{name: d, account: p_d}]\n"))
	require.NoError(t, err)
	require.Empty(t, f.People, "no person from seed 003")
}

func TestSpecFileFaultsNameKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"only product", "product: zeta\n", []string{
			"ac.yaml:1:1: email: required",
			"ac.yaml:1:1: region: required",
			"ac.yaml:1:1: environments: at least one environment",
		}},
		{"unknown region", "product: p\nemail: a@b.example\nregion: ap-southeast-99\nenvironments: [{name: dev, account: p-dev}]\n", []string{
			`ac.yaml:3:9: region: "ap-southeast-99" is not a Region AWS has`,
		}},
		{"two accounts, one alias", "product: p\nemail: a@b.example\nregion: eu-west-1\nenvironments:\n  - {name: dev, account: p-dev}\n  - {name: qa, account: p-qa, alias: p-dev}\n", []string{
			`ac.yaml:6:38: environments[1].alias: "p-dev" is the alias of environments[0] too`,
		}},
		{"environment without account", "product: p\nemail: a@b.example\nregion: eu-west-1\nenvironments:\n  - name: dev\n", []string{
			"ac.yaml:5:5: environments[0].account: required",
		}},
		{"person without names, unknown env", "product: p\nemail: a@b.example\nregion: eu-west-1\nenvironments: [{name: dev, account: p_dev}]\npeople:\n  - userName: ana\n    envs: [prod]\n", []string{
			"ac.yaml:6:5: people[0].givenName: required",
			"ac.yaml:6:5: people[0].familyName: required",
			`ac.yaml:7:12: people[0].envs[0]: "prod" is not the name of one of environments`,
		}},
		{"email with a name", "product: p\nemail: Paul <a@b.example>\n", []string{
			`ac.yaml:2:8: email: "Paul <a@b.example>": not a plain email address`,
		}},
		{"unknown key", "product: p\nenviroments: []\n", []string{
			`ac.yaml:2:1: enviroments: unknown key "enviroments"`,
		}},
		{"wrong type", "product: p\npermissionSet:\n  sessionHours: one\n", []string{
			`ac.yaml:3:3: permissionSet.sessionHours: "one" is not a whole number`,
		}},
		{"zero hours", "product: p\npermissionSet: {sessionHours: 0}\n", []string{
			`permissionSet.sessionHours: 0: must be at least 1`,
		}},
		{"not yaml", "product: [p\n", []string{"ac.yaml:", "not valid YAML or JSON"}},
		{"json", `{"product": "p", "enviroments": []}`, []string{`enviroments: unknown key "enviroments"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec("ac.yaml", []byte(c.file))
			var se *examplekit.SpecError
			require.True(t, errors.As(err, &se), "%v", err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "unmarshal", "no decoder jargon")
			require.NotContains(t, err.Error(), "main.File")
		})
	}
}

// A spec file the file's own rules accept but a step of the program would
// refuse is refused before the first call, with every fault and the step
// it belongs to.
func TestInvalidSpecMakesNoCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, from, to string
		want           []string
	}{
		{"alias with underscore", "alias: autochart-prod", "alias: autochart_prod", []string{"environment prod: account alias", "spec.Alias"}},
		{"account name too long", "account: autochart_dev,", "account: " + strings.Repeat("a", 51) + ",", []string{"OU and accounts", "Name"}},
		{"session too long", "sessionHours: 1", "sessionHours: 13", []string{"Identity Center", "SessionDuration"}},
		{"bad access role", "accessRole: OrganizationAccountAccessRole", "accessRole: has space", []string{"OU and accounts", "RoleName"}},
		{"bad profile template", "profileTemplate: \"{{.Project}}_{{.Env}}_{{.User}}\"\n", "profileTemplate: \"{{.Nope}}\"\n", []string{"AWS CLI profiles of paul"}},
		{"two faults", "alias: autochart-dev}", "alias: -dev}", []string{"environment dev: account alias", "environment prod"}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			file := strings.Replace(base, c.from, c.to, 1)
			if c.name == "two faults" {
				file = strings.Replace(file, "alias: autochart-prod", "alias: AUTOCHART", 1)
			}
			kittest.RefusesSpec(t, run, "ac.yaml", file, c.want, "-out", t.TempDir())
		})
	}
}

// -email overrides the file's email: the accounts' and the people's
// without one of their own.
func TestEmailFlagOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ac.yaml")
	require.NoError(t, os.WriteFile(path, seedFile, 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-dry-run", "-spec", path, "-email", "me@example.com"}, &out))
	require.Contains(t, out.String(), `create organizations:account "me+autochart_dev@example.com"`)
}

// withoutSource is s without the file it was read from (File.SetSource).
func withoutSource(s Spec) Spec {
	s.src = examplekit.Source{}
	return s
}

// A fault the library finds in a spec derived from the file names the
// file's key and line (it used to name spec.PermissionSets[0].SessionDuration
// of the Identity Center step, with no line).
func TestLibraryFaultsNameTheFileKey(t *testing.T) {
	data := strings.Replace(string(seedFile), "sessionHours: 1\n", "sessionHours: 13\n", 1)
	f, err := ParseSpec("ac.yaml", []byte(data))
	require.NoError(t, err)
	err = f.Spec().Validate()
	require.ErrorContains(t, err, `ac.yaml:16:17: permissionSet.sessionHours: "13h0m0s": must be between 1 and 12 hours (Identity Center: identitycenter spec.PermissionSets[0].SessionDuration)`)
}
