package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// Seed 003's product OU and admin permission set made in the console,
// without the ownership tag: each run is refused at the key of the spec
// file that adopts what it found (adopt.ou, as the OU is a plain value of
// the file; the permission set's entry), with nothing written to it;
// adopted, they converge untagged and a rerun makes no mutating call.
func TestAutochartAdoptsWhatWasMadeInTheConsole(t *testing.T) {
	t.Parallel() // on an emulator of its own
	b, ctx := kittest.NewBackend(t, Seed003("").Region, awstest.CapFreshState, awstest.CapIdentityCenter)
	b.RequireEmulator(t, awstest.CapServerCallLog) // before making anything: the reruns' calls are counted by the server
	org := orgsdk.NewFromConfig(b.Config())
	_, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	require.NoError(t, err)
	ou, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: aws.String(kittest.RootID(t, org)), Name: aws.String("autochart")})
	require.NoError(t, err)
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	sso := ssoadmin.NewFromConfig(b.Config())
	instanceARN, _ := kittest.Instance(t, sso)
	_, err = sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: instanceARN, Name: aws.String("AdministratorAccess")})
	require.NoError(t, err)
	psARN := kittest.PermissionSetARN(t, sso, instanceARN, "AdministratorAccess")

	kittest.RefusedUntilAdopted(t, b, run, "ac.yaml", string(seedFile), []string{"-out", filepath.Join(t.TempDir(), "files")},
		kittest.Refusal{
			Want: []string{`ac.yaml:7:5: ou (autochart): organizations:ou "autochart" exists but was not made by this library (no managed-by=foundation tag): set adopt.ou to true to converge it without taking it over, or tag it managed-by=foundation`},
			Check: func(string) {
				require.Empty(t, kittest.ChildOUs(t, org, ouID), "the refused OU got children")
			},
			Adopt: func(text string) string { return text + "adopt: {ou: true}\n" },
		},
		kittest.Refusal{
			Want: []string{`ac.yaml:14:3: permissionSet (AdministratorAccess): sso:permission-set "AdministratorAccess" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it`},
			Check: func(string) {
				require.Empty(t, kittest.ManagedPolicies(t, sso, instanceARN, psARN), "the refused permission set was changed")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "  managedPolicies: [AdministratorAccess]\n", "  managedPolicies: [AdministratorAccess]\n  adopt: true\n", 1)
			},
		},
	)

	tags, err := org.ListTagsForResource(ctx, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(ouID)})
	require.NoError(t, err)
	for _, tag := range tags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), "the adopted OU")
	}
	psTags, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: instanceARN, ResourceArn: aws.String(psARN)})
	require.NoError(t, err)
	for _, tag := range psTags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), "the adopted permission set")
	}
	require.Equal(t, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, kittest.ManagedPolicies(t, sso, instanceARN, psARN), "the adopted permission set is converged")
	require.Len(t, kittest.AccountsByName(t, org), 3, "management, dev and prod")
}

// The adopt keys take true or false only and known keys only, each fault
// at its line before any call.
func TestAdoptKeysRefusedBeforeAnyCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"environment yes", strings.Replace(base, "alias: autochart-dev}", `alias: autochart-dev, adopt: "yes"}`, 1),
			[]string{`ac.yaml:9:63: environments[0].adopt: "yes" is not true or false`}},
		{"permission set on", strings.Replace(base, "  sessionHours: 1\n", "  sessionHours: 1\n  adopt: on\n", 1),
			[]string{`ac.yaml:17:3: permissionSet.adopt: "on" is not true or false`}},
		{"ou not a bool", base + "adopt: {ou: autochart}\n", []string{`ac.yaml:21:9: adopt.ou: "autochart" is not true or false`}},
		{"unknown key", base + "adopt: {ous: [autochart]}\n", []string{`ac.yaml:21:9: adopt.ous: unknown key "ous"`}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			kittest.RefusesSpec(t, run, "ac.yaml", c.text, c.want)
		})
	}
}
