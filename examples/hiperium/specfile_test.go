package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// seed.yaml is seed 001, exactly as the program's Go value was before the
// spec file existed (a copy of the Seed001 that built it).
func TestSeedFileIsSeed001(t *testing.T) {
	seed := func(email string) Spec {
		alias := func(s string) string { return examplekit.PlusAlias(email, s) }
		sandbox, idp := alias("sandbox"), alias("idp-pre")
		return Spec{
			Project: "hiperium",
			Region:  "us-east-1",
			Tree: organizations.TreeSpec{
				OUs: []organizations.OUSpec{
					{Path: "Security"},
					{Path: "Sandbox"},
					{Path: "Workloads/SDLC"},
					{Path: "Workloads/Prod"},
					{Path: "Deployments/SDLC"},
					{Path: "Deployments/Prod"},
					{Path: "Suspended"},
				},
				Accounts: []organizations.AccountSpec{
					// Section 1: "Create the suggested Sandbox account on the
					// SandBox OU"; the Tasks Service is deployed there.
					{Name: "Sandbox", Email: sandbox, OU: "Sandbox", Tags: map[string]string{"project": "hiperium"}},
					// Section 4: the IdP (Cognito) "is deployed on the Security
					// IdP-Pre account".
					{Name: "IdP-Pre", Email: idp, OU: "Security", Tags: map[string]string{"project": "hiperium"}},
				},
			},
			Guardrails: []Guardrail{
				{
					Policy: scp.PolicySpec{Name: DenyListPolicy, Description: "Deny list of services for the Hiperium organization.",
						Document: scp.MustBuild(denyList()...)},
					// Every OU but Suspended; Workloads and Deployments carry it
					// to their SDLC and Prod OUs.
					OUs: []string{"Security", "Sandbox", "Workloads", "Deployments"},
				},
				{
					Policy: scp.PolicySpec{Name: DenyAllPolicy, Description: "Closed accounts waiting to leave the organization: deny everything.",
						Document: scp.MustBuild(scp.DenyAll(scp.DenyAllOptions{}))},
					OUs: []string{"Suspended"},
				},
			},
			SuspendedOU: "Suspended",
			Access: Access{
				Users: []identitycenter.UserSpec{{UserName: "andres", GivenName: "Andres", FamilyName: "Solorzano",
					DisplayName: "Andres Solorzano", Email: email}},
				Groups: []identitycenter.GroupSpec{{DisplayName: ProvisionersGroup,
					Description: "Provision the Hiperium services", Members: []string{"andres"}}},
				PermissionSets: []identitycenter.PermissionSetSpec{{
					Name: ProvisionersSet, Description: "Provision the Tasks Service",
					InlinePolicy: provisionersPolicy(),
					Tags:         map[string]string{"project": "hiperium"},
				}},
				Assignments: []Assignment{{
					Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal(ProvisionersGroup)},
					PermissionSets: []string{ProvisionersSet},
					// Section 3.2 assigns the Sandbox account; section 4 adds
					// the IdP-Pre account ("assign them the Provisioners
					// Permission-Set").
					Accounts: []string{sandbox, idp},
				}},
			},
			Profiles: []Profile{
				{Name: "sandbox", Account: sandbox, PermissionSet: ProvisionersSet},
				{Name: "idp-pre", Account: idp, PermissionSet: ProvisionersSet},
			},
		}
	}
	require.Equal(t, seed("you@example.com"), withoutSource(Seed001("")))
	require.Equal(t, seed("me@example.com"), withoutSource(Seed001("me@example.com")))
	require.NoError(t, Seed001("").Validate())
}

// Every document a spec file can name builds (the program builds them with
// scp.MustBuild, as constants).
func TestDocumentsBuild(t *testing.T) {
	for name, d := range Documents {
		_, err := scp.Build(d()...)
		require.NoError(t, err, name)
	}
}

// A file with only some keys gets nothing of seed 001: identity is
// required, defaults are the documented ones.
func TestSpecFileDecodesIntoZero(t *testing.T) {
	f, err := ParseSpec("h.yaml", []byte(`
project: zeta
email: ops@zeta.example
region: eu-west-1
ous: [Apps/Dev]
accounts: [{key: dev, name: zeta-dev, ou: Apps/Dev}]
users: [{userName: ana, givenName: Ana, familyName: Ops}]
permissionSets: [{name: ReadOnly, managedPolicies: [ReadOnlyAccess]}]
assignments: [{users: [ana], permissionSets: [ReadOnly], accounts: [dev]}]
profiles: [{name: dev, account: dev, permissionSet: ReadOnly}]
`))
	require.NoError(t, err)
	s := f.Spec()
	require.Equal(t, "Suspended", s.SuspendedOU)
	require.Empty(t, s.Guardrails, "no SCP of seed 001")
	require.Empty(t, s.Access.Groups)
	require.Equal(t, "ops+dev@zeta.example", s.Tree.Accounts[0].Email)
	require.Equal(t, "ops@zeta.example", s.Access.Users[0].Email)
	require.Equal(t, []string{"ops+dev@zeta.example"}, s.Access.Assignments[0].Accounts)
	require.Equal(t, []identitycenter.Principal{identitycenter.UserPrincipal("ana")}, s.Access.Assignments[0].Principals)
	require.NoError(t, s.Validate())
}

func TestSpecFileFaultsNameKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"only project", "project: zeta\n", []string{
			"h.yaml:1:1: email: required",
			"h.yaml:1:1: region: required",
			"h.yaml:1:1: accounts: at least one account",
		}},
		{"references", "project: p\nemail: a@b.example\nregion: us-east-1\nous: [X]\naccounts: [{key: a, name: A, ou: Y}]\nguardrails: [{name: g, document: deny-some, ous: [Z]}]\nprofiles: [{name: a, account: b, permissionSet: PS}]\n", []string{
			`h.yaml:5:34: accounts[0].ou: "Y" is not one of ous`,
			`h.yaml:6:34: guardrails[0].document: "deny-some": must be one of deny-all, deny-list`,
			`h.yaml:6:51: guardrails[0].ous[0]: "Z" is not one of ous`,
			`h.yaml:7:31: profiles[0].account: "b" is not the key of one of accounts`,
			`h.yaml:7:49: profiles[0].permissionSet: "PS" is not the name of one of permissionSets`,
			`h.yaml:1:1: suspendedOU: "Suspended" is not one of ous`,
		}},
		{"two guardrails of one name", "project: p\nous: [A, B]\nguardrails:\n  - {name: g, document: deny-list, ous: [A]}\n  - {name: g, document: deny-all, ous: [B]}\n", []string{
			`h.yaml:5:12: guardrails[1].name: "g" is the name of guardrails[0] too`,
		}},
		{"group member", "project: p\ngroups:\n  - name: G\n    members: [bob]\n", []string{
			`h.yaml:4:15: groups[0].members[0]: "bob" is not the userName of one of users`,
		}},
		{"retire not an email", "project: p\nretire: [sandbox]\n", []string{
			`h.yaml:2:10: retire[0]: "sandbox": not a plain email address`,
		}},
		{"unknown key", "project: p\naccounts: [{key: a, name: n, email: x@y.z}]\n", []string{
			`h.yaml:2:30: accounts[0].email: unknown key "email"`,
		}},
		{"wrong type", "project: p\nous: Security\n", []string{
			`h.yaml:2:1: ous: "Security" is not a list`,
		}},
		{"not yaml", "project: [p\n", []string{"h.yaml:", "not valid YAML or JSON"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec("h.yaml", []byte(c.file))
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
		args           []string
	}{
		{"SCP named as AWS's", "name: hiperium-access-policy", "name: FullAWSAccess", []string{"guardrail FullAWSAccess", "spec.Name"}, nil},
		{"bad OU path", "Workloads/Prod,", "Workloads//Prod,", []string{"OUs and accounts", "Path"}, nil},
		{"session too long", "inlinePolicy: provisioners}", "inlinePolicy: provisioners, sessionHours: 13}", []string{"Identity Center", "SessionDuration"}, nil},
		{"bad profile name", "{name: idp-pre, account: idp-pre,", "{name: \"idp pre\", account: idp-pre,", []string{"AWS CLI profiles"}, nil},
		{"bad start URL", "project: hiperium", "project: hiperium", []string{"AWS CLI profiles", "StartURL"}, []string{"-start-url", "ftp://portal"}},
		{"two faults", "{userName: andres,", "{userName: \"\",", []string{"users[0].userName: required", "groups[0].members[0]"}, nil},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			kittest.RefusesSpec(t, run, "h.yaml", strings.Replace(base, c.from, c.to, 1), c.want, append([]string{"-out", t.TempDir()}, c.args...)...)
		})
	}
}

// -email overrides the file's email: the accounts' and the user's.
func TestEmailFlagOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.yaml")
	require.NoError(t, os.WriteFile(path, seedFile, 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-dry-run", "-spec", path, "-email", "me@example.com"}, &out))
	require.Contains(t, out.String(), `create organizations:account "me+sandbox@example.com"`)
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
	data := strings.Replace(string(seedFile), "inlinePolicy: provisioners}", "inlinePolicy: provisioners, sessionHours: 13}", 1)
	f, err := ParseSpec("h.yaml", []byte(data))
	require.NoError(t, err)
	err = f.Spec().Validate()
	require.ErrorContains(t, err, `h.yaml:31:`)
	require.ErrorContains(t, err, `: permissionSets[0].sessionHours: "13h0m0s": must be between 1 and 12 hours (Identity Center: identitycenter spec.PermissionSets[0].SessionDuration)`)
}
