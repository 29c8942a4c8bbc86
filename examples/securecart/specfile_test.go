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

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
	"github.com/awsfoundation/foundation/organizations"
)

// seed.yaml is seed 002, exactly as the program's Go value was before the
// spec file existed (a copy of the Seed002 that built it).
func TestSeedFileIsSeed002(t *testing.T) {
	seed := func(email string) Spec {
		workloads := []string{"dev", "staging", "production"}
		all := []string{ManagementKey, "security", "dev", "staging", "production", "shared-services", "network"}
		return Spec{
			Project:    "securecart",
			Region:     "eu-west-1",
			Email:      email,
			AccessRole: organizations.DefaultRoleName,
			Accounts: []Account{
				{Key: "security", Name: "securecart-security", OU: "SecurityOU", Purpose: "security and logging"},
				{Key: "dev", Name: "securecart-dev", OU: "WorkloadsOU", Purpose: "dev workloads"},
				{Key: "staging", Name: "securecart-staging", OU: "WorkloadsOU", Purpose: "staging workloads"},
				{Key: "production", Name: "securecart-production", OU: "WorkloadsOU", Purpose: "production workloads"},
				{Key: "shared-services", Name: "securecart-shared-services", OU: "SharedServicesOU", Purpose: "CI/CD"},
				{Key: "network", Name: "securecart-network", OU: "SharedServicesOU", Purpose: "networking"},
			},
			NetworkAccount: "network",
			Guardrails:     "securecart-guardrails",
			GuardrailOUs:   []string{"SecurityOU", "WorkloadsOU", "SharedServicesOU"},
			AllowedRegions: []string{"eu-west-1", "eu-central-1"},
			// The roles Identity Center creates for SecurityAudit, under
			// /aws-reserved/sso.amazonaws.com/ (and the home Region).
			RegionExemptPrincipals: []string{"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAudit_*"},
			Access: []Access{
				{Group: "Developers", GroupDescription: "Deploy and troubleshoot services in dev and staging",
					PermissionSet: identitycenter.PermissionSetSpec{Name: "Developer",
						Description:     "Deploy and troubleshoot SecureCart services",
						SessionDuration: 4 * time.Hour,
						ManagedPolicies: []string{identitycenter.AWSManagedPolicy("job-function/ViewOnlyAccess")},
						InlinePolicy:    developerPolicy()},
					Accounts: []string{"dev", "staging"}},
				{Group: "SecurityAuditors", GroupDescription: "Security team: read security configuration everywhere",
					PermissionSet: identitycenter.PermissionSetSpec{Name: "SecurityAudit",
						Description:     "Full visibility of security configuration, no write",
						SessionDuration: 4 * time.Hour,
						ManagedPolicies: []string{identitycenter.AWSManagedPolicy("SecurityAudit")}},
					Accounts: all},
				{Group: "Deployers", GroupDescription: "Run and repair CI/CD deployments",
					PermissionSet: identitycenter.PermissionSetSpec{Name: "Deployment",
						Description:     "Minimal permissions to deploy SecureCart (what CI/CD uses)",
						SessionDuration: time.Hour,
						InlinePolicy:    deploymentPolicy()},
					Accounts: workloads},
			},
			DeploymentRole: organizations.CrossAccountRoleSpec{
				Name:               "DeploymentRole",
				Description:        "Assumed by the CI/CD pipelines of the shared-services account to deploy SecureCart",
				MaxSessionDuration: time.Hour,
				InlinePolicies:     map[string]*foundation.PolicyDocument{"deploy": deploymentPolicy()},
				Tags:               map[string]string{"Project": "securecart", "ManagedBy": "foundation"},
			},
			TrustedAccounts:   []string{"shared-services"},
			DeploymentTargets: workloads,
		}
	}
	require.Equal(t, seed("you@example.com"), withoutSource(Seed002("")))
	require.Equal(t, seed("me@example.com"), withoutSource(Seed002("me@example.com")))
	require.NoError(t, Seed002("").Validate())
}

// A file with only some keys gets nothing of seed 002: identity is
// required, defaults are the documented ones.
func TestSpecFileDecodesIntoZero(t *testing.T) {
	f, err := ParseSpec("sc.yaml", []byte(`
project: zeta
email: ops@zeta.example
region: eu-central-1
accounts:
  - {key: ci, name: zeta-ci, ou: Shared}
  - {key: app, name: zeta-app, ou: Workloads}
networkAccount: app
trustedAccounts: [ci]
deploymentTargets: [app]
`))
	require.NoError(t, err)
	s := f.Spec()
	require.Equal(t, "zeta-guardrails", s.Guardrails)
	require.Equal(t, []string{"Shared", "Workloads"}, s.GuardrailOUs)
	require.Equal(t, []string{"eu-central-1"}, s.AllowedRegions)
	require.Empty(t, s.Access, "no group of seed 002")
	require.Empty(t, s.RegionExemptPrincipals)
	require.Equal(t, "DeploymentRole", s.DeploymentRole.Name)
	require.Equal(t, time.Hour, s.DeploymentRole.MaxSessionDuration)
	require.Empty(t, s.DeploymentRole.InlinePolicies)
	require.Equal(t, "ops+zeta-app@zeta.example", s.email("app"))
	require.NoError(t, s.Validate())
}

func TestSpecFileFaultsNameKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"only project", "project: zeta\n", []string{
			"sc.yaml:1:1: email: required",
			"sc.yaml:1:1: region: required",
			"sc.yaml:1:1: accounts: at least one account",
			"sc.yaml:1:1: networkAccount: required",
			"sc.yaml:1:1: trustedAccounts: at least one account key",
		}},
		{"references", "project: p\nemail: a@b.example\nregion: eu-west-1\naccounts: [{key: dev, name: p-dev, ou: W}]\nnetworkAccount: net\ntrustedAccounts: [management]\ndeploymentTargets: [dev, qa]\n", []string{
			`sc.yaml:5:17: networkAccount: "net" is not the key of one of accounts`,
			`sc.yaml:6:19: trustedAccounts[0]: "management": must be a member account's key`,
			`sc.yaml:7:26: deploymentTargets[1]: "qa" is not the key of one of accounts`,
		}},
		{"region not allowed", "project: p\nregion: us-east-1\nallowedRegions: [eu-west-1]\n", []string{
			`sc.yaml:3:17: allowedRegions: must include region "us-east-1"`,
		}},
		{"unknown policy", "project: p\naccess:\n  - group: G\n    permissionSet: {name: PS, inlinePolicy: admin}\n    accounts: [management]\n", []string{
			`sc.yaml:4:45: access[0].permissionSet.inlinePolicy: "admin": must be one of deployment, developer`,
		}},
		{"unknown key", "project: p\naccounts: [{key: a, name: n, ou: O, email: x@y.z}]\n", []string{
			`sc.yaml:2:37: accounts[0].email: unknown key "email"`,
		}},
		{"wrong type", "project: p\ndeploymentRole:\n  maxSessionHours: [1]\n", []string{
			`sc.yaml:3:3: deploymentRole.maxSessionHours: a list is not a whole number`,
		}},
		{"not yaml", "project: [p\n", []string{"sc.yaml:", "not valid YAML or JSON"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec("sc.yaml", []byte(c.file))
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
		{"unknown region", "allowedRegions: [eu-west-1, eu-central-1]", "allowedRegions: [eu-west-1, eu-central-9]", []string{"guardrails:", "eu-central-9"}},
		{"bad OU path", "ou: SecurityOU,", "ou: Security//OU,", []string{"OUs and accounts", "OU"}},
		{"session too long", "sessionHours: 4", "sessionHours: 13", []string{"Identity Center", "SessionDuration"}},
		{"bad role name", "name: DeploymentRole", "name: Deployment Role", []string{"deployment role", "spec.Name"}},
		{"bad access role", "accessRole: OrganizationAccountAccessRole", "accessRole: has space", []string{"OUs and accounts", "RoleName"}},
		{"guardrail on an OU no account is in", "guardrailOUs: [SecurityOU, WorkloadsOU, SharedServicesOU]", "guardrailOUs: [SecurityOU, Nope, \"\"]",
			[]string{"sc.yaml:17:", `guardrailOUs[1]: "Nope" is not the ou of one of accounts`, `guardrailOUs[2]: "" is not the ou of one of accounts`}},
		{"two faults", "maxSessionHours: 1", "maxSessionHours: 24", []string{"deployment role", "MaxSessionDuration", "guardrails:", "eu-central-9"}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			file := strings.Replace(base, c.from, c.to, 1)
			if c.name == "two faults" {
				file = strings.Replace(file, "eu-central-1]", "eu-central-9]", 1)
			}
			if c.name == "bad OU path" { // the guardrail follows the OU
				file = strings.Replace(file, "guardrailOUs: [SecurityOU", "guardrailOUs: [Security//OU", 1)
			}
			kittest.RefusesSpec(t, run, "sc.yaml", file, c.want)
		})
	}
}

// -email overrides the file's email.
func TestEmailFlagOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sc.yaml")
	require.NoError(t, os.WriteFile(path, seedFile, 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-dry-run", "-spec", path, "-email", "me@example.com"}, &out))
	require.Contains(t, out.String(), `create organizations:account "me+securecart-dev@example.com"`)
}

// withoutSource is s without the file it was read from (File.SetSource).
func withoutSource(s Spec) Spec {
	s.src = examplekit.Source{}
	return s
}

// A fault the library finds in a spec derived from the file names the
// file's key and line (it used to name spec.PermissionSets[2].SessionDuration
// of the Identity Center step, with no line).
func TestLibraryFaultsNameTheFileKey(t *testing.T) {
	data := strings.Replace(string(seedFile), "sessionHours: 1\n", "sessionHours: 13\n", 1)
	f, err := ParseSpec("sc.yaml", []byte(data))
	require.NoError(t, err)
	err = f.Spec().Validate()
	require.ErrorContains(t, err, `sc.yaml:45:21: access[2].permissionSet.sessionHours: "13h0m0s": must be between 1 and 12 hours (Identity Center: identitycenter spec.PermissionSets[2].SessionDuration)`)
}
