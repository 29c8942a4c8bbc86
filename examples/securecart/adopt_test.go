package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// SecureCart's dev account, its DeploymentRole and the Developer
// permission set made in the console, without the ownership tag: each run
// is refused at the key of the spec file that adopts what it found (the
// account's entry, the permission set's, the role's), with nothing
// written to it; adopted, they converge untagged and a rerun makes no
// mutating call.
func TestSecureCartAdoptsWhatWasMadeInTheConsole(t *testing.T) {
	t.Parallel() // on an emulator of its own
	b, ctx := kittest.NewBackend(t, Seed002("").Region, awstest.CapFreshState, awstest.CapIdentityCenter)
	b.RequireEmulator(t, awstest.CapServerCallLog) // before making anything: the reruns' calls are counted by the server
	org := orgsdk.NewFromConfig(b.Config())
	devID := kittest.HandMadeAccount(t, ctx, org, "securecart-dev", "you+securecart-dev@example.com")
	devIAM := iam.NewFromConfig(b.ConfigFor(devID))
	_, err := devIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("DeploymentRole"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b.AccountID(t) + `:root"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)
	sso := ssoadmin.NewFromConfig(b.Config())
	instanceARN, _ := kittest.Instance(t, sso)
	_, err = sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: instanceARN, Name: aws.String("Developer")})
	require.NoError(t, err)
	developerARN := kittest.PermissionSetARN(t, sso, instanceARN, "Developer")
	root := kittest.RootID(t, org)

	kittest.RefusedUntilAdopted(t, b, run, "sc.yaml", string(seedFile), nil,
		kittest.Refusal{
			Want: []string{`sc.yaml:10:5: accounts[1] (securecart-dev): organizations:account "you+securecart-dev@example.com" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it to converge it without taking it over, or tag it managed-by=foundation`},
			Check: func(string) {
				require.Equal(t, root, kittest.ParentOf(t, org, devID), "the refused account was moved")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "purpose: dev workloads}", "purpose: dev workloads, adopt: true}", 1)
			},
		},
		kittest.Refusal{
			Want: []string{`sc.yaml:26:7: access[0].permissionSet (Developer): sso:permission-set "Developer" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it`},
			Check: func(string) {
				require.Empty(t, kittest.ManagedPolicies(t, sso, instanceARN, developerARN), "the refused permission set was changed")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "      inlinePolicy: developer\n", "      inlinePolicy: developer\n      adopt: true\n", 1)
			},
		},
		kittest.Refusal{
			Want: []string{"account securecart-dev (" + devID + "): ",
				`sc.yaml:50:3: deploymentRole (DeploymentRole): iam:role "DeploymentRole" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it`},
			Adopt: func(text string) string {
				return strings.Replace(text, "  name: DeploymentRole\n", "  name: DeploymentRole\n  adopt: true\n", 1)
			},
		},
	)

	tags, err := org.ListTagsForResource(ctx, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(devID)})
	require.NoError(t, err)
	for _, tag := range tags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), "the adopted account")
	}
	require.Equal(t, "WorkloadsOU", kittest.OUPath(t, org, devID))
	roleTags, err := devIAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("DeploymentRole")})
	require.NoError(t, err)
	for _, tag := range roleTags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), "the adopted role")
	}
	psTags, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: instanceARN, ResourceArn: aws.String(developerARN)})
	require.NoError(t, err)
	for _, tag := range psTags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), "the adopted permission set")
	}
	require.Equal(t, []string{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}, kittest.ManagedPolicies(t, sso, instanceARN, developerARN), "the adopted permission set is converged")
}

// The adopt keys take true or false only, known keys only, and OUs of the
// accounts, each fault at its line before any call.
func TestAdoptKeysRefusedBeforeAnyCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"account yes", strings.Replace(base, "purpose: dev workloads}", `purpose: dev workloads, adopt: "yes"}`, 1),
			[]string{`sc.yaml:10:79: accounts[1].adopt: "yes" is not true or false`}},
		{"permission set on", strings.Replace(base, "      inlinePolicy: developer\n", "      inlinePolicy: developer\n      adopt: on\n", 1),
			[]string{`sc.yaml:31:7: access[0].permissionSet.adopt: "on" is not true or false`}},
		{"role not a bool", strings.Replace(base, "  name: DeploymentRole\n", "  name: DeploymentRole\n  adopt: [yes]\n", 1),
			[]string{`sc.yaml:50:3: deploymentRole.adopt: a list is not true or false`}},
		{"unknown key", base + "adopt: {guardrail: true}\n", []string{`sc.yaml:56:9: adopt.guardrail: unknown key "guardrail"`}},
		{"undeclared OU", base + "adopt: {ous: [Workloads]}\n", []string{
			`sc.yaml:56:15: adopt.ous[0]: "Workloads" is not the ou of one of accounts`}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			kittest.RefusesSpec(t, run, "sc.yaml", c.text, c.want)
		})
	}
}
