package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// Seed 001 partly done in the console: the Sandbox OU, the deny-list SCP,
// and an old account to retire, none tagged managed-by=foundation. Each
// run is refused at the key of the spec file that adopts what it found
// (adopt.ous, as the OU has no entry of its own; the guardrail's entry;
// adopt.retire, as the retired account is not one of accounts), with
// nothing written to it; adopted, they converge untagged (the old account
// closed) and a rerun makes no mutating call.
func TestHiperiumAdoptsWhatWasMadeInTheConsole(t *testing.T) {
	t.Parallel() // on an emulator of its own
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState, awstest.CapIdentityCenter)
	b.RequireEmulator(t, awstest.CapServerCallLog) // before making anything: the reruns' calls are counted by the server
	org := orgsdk.NewFromConfig(b.Config())
	oldID := kittest.HandMadeAccount(t, ctx, org, "Old", "you+old@example.com")
	root := kittest.RootID(t, org)
	ou, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Sandbox")})
	require.NoError(t, err)
	sandboxID := aws.ToString(ou.OrganizationalUnit.Id)
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	p, err := org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("hiperium-access-policy"), Description: aws.String("by hand"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(allowAll)})
	require.NoError(t, err)
	policyID := p.Policy.PolicySummary.Id
	requireUntagged := func(id string) {
		t.Helper()
		tags, err := org.ListTagsForResource(ctx, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(id)})
		require.NoError(t, err)
		for _, tag := range tags.Tags {
			require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), id)
		}
	}

	kittest.RefusedUntilAdopted(t, b, run, "hi.yaml", string(seedFile)+"retire: [you+old@example.com]\n", []string{"-out", filepath.Join(t.TempDir(), "files")},
		kittest.Refusal{
			Want:  []string{`hi.yaml:7:17: ous[1] (Sandbox): organizations:ou "Sandbox" exists but was not made by this library (no managed-by=foundation tag): add "Sandbox" to adopt.ous to converge it without taking it over, or tag it managed-by=foundation`},
			Adopt: func(text string) string { return text + "adopt: {ous: [Sandbox]}\n" },
		},
		kittest.Refusal{
			Want: []string{`hi.yaml:15:5: guardrails[0] (hiperium-access-policy): organizations:policy "hiperium-access-policy" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it`},
			Check: func(string) {
				d, err := org.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: policyID})
				require.NoError(t, err)
				require.Equal(t, allowAll, aws.ToString(d.Policy.Content), "the refused policy was changed")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "    document: deny-list\n", "    document: deny-list\n    adopt: true\n", 1)
			},
		},
		kittest.Refusal{
			Want: []string{`hi.yaml:40:10: retire[0] (you+old@example.com): organizations:account "you+old@example.com" exists but was not made by this library (no managed-by=foundation tag): set adopt.retire to true`},
			Check: func(string) {
				d, err := org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: aws.String(oldID)})
				require.NoError(t, err)
				require.Equal(t, orgtypes.AccountStateActive, d.Account.State, "the refused account was closed")
				require.Equal(t, root, kittest.ParentOf(t, org, oldID), "the refused account was moved")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "adopt: {ous: [Sandbox]}", "adopt: {ous: [Sandbox], retire: true}", 1)
			},
		},
	)

	requireUntagged(sandboxID)
	requireUntagged(aws.ToString(policyID))
	requireUntagged(oldID)
	require.Contains(t, kittest.Attached(t, org, sandboxID), "hiperium-access-policy", "the adopted OU and policy are converged")
	d, err := org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: aws.String(oldID)})
	require.NoError(t, err)
	require.NotEqual(t, orgtypes.AccountStateActive, d.Account.State, "the adopted retired account is closed")
}

// The adopt keys take true or false only, known keys only, and OUs of ous,
// each fault at its line before any call.
func TestAdoptKeysRefusedBeforeAnyCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"account yes", strings.Replace(base, "ou: Sandbox}", `ou: Sandbox, adopt: "yes"}`, 1),
			[]string{`hi.yaml:11:48: accounts[0].adopt: "yes" is not true or false`}},
		{"guardrail on", strings.Replace(base, "    document: deny-all\n", "    document: deny-all\n    adopt: on\n", 1),
			[]string{`hi.yaml:24:5: guardrails[1].adopt: "on" is not true or false`}},
		{"permission set not a bool", strings.Replace(base, "inlinePolicy: provisioners}", "inlinePolicy: provisioners, adopt: 1}", 1),
			[]string{`permissionSets[0].adopt: "1" is not true or false`}},
		{"unknown key", base + "adopt: {retired: true}\n", []string{`hi.yaml:39:9: adopt.retired: unknown key "retired"`}},
		{"undeclared OU", base + "adopt: {ous: [Workloads]}\n", []string{`hi.yaml:39:15: adopt.ous[0]: "Workloads" is not one of ous`}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			kittest.RefusesSpec(t, run, "hi.yaml", c.text, c.want)
		})
	}
}
