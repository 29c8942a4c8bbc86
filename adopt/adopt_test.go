package adopt_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestAdoptHandBuiltOrganization reads an organization made without the
// library into a Foundation, and checks that converging it, in a dry run and
// for real, changes nothing: the acceptance of issue 16's adopt.
func TestAdoptHandBuiltOrganization(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 60*time.Second)
	cfg := b.Config()
	h := buildByHand(t, ctx, b, "adopt")

	f, err := adopt.Read(ctx, readAPI(b), adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)

	// What it found, as the file says it.
	// Everything made by hand is adopt: true (no managed-by=foundation).
	require.Equal(t, []adopt.OU{{Path: "Workloads", Tags: map[string]string{"owner": "platform"}, Adopt: true}, {Path: "Workloads/Production", Adopt: true}}, f.OUs)
	var members []adopt.Account
	for _, a := range f.Accounts {
		if !a.Management {
			members = append(members, a)
		}
	}
	require.Equal(t, []adopt.Account{
		{Name: "adopt-dev", Email: h.devEmail, OU: "Workloads", Tags: map[string]string{"env": "adopt-dev"}, Adopt: true},
		{Name: "adopt-prod", Email: h.prodEmail, OU: "Workloads/Production", Tags: map[string]string{"env": "adopt-prod"}, Adopt: true},
	}, members)
	require.Len(t, f.Policies, 2)
	require.Equal(t, h.policyName, f.Policies[0].Name)
	require.Empty(t, f.Policies[0].Type, "an SCP: the file's default type")
	require.True(t, f.Policies[0].Adopt, "a policy made by hand is marked adopt (not the library's own)")
	require.Equal(t, "TAG_POLICY", f.Policies[1].Type)
	require.True(t, f.Policies[1].Adopt)
	require.Equal(t, []adopt.Attachment{
		{Type: "TAG_POLICY", OU: "Workloads", Policies: []string{h.policyName + "-tags"}},
		{OU: "Workloads/Production", Policies: []string{"FullAWSAccess", h.policyName}},
	}, f.Attachments)
	require.NotNil(t, f.IdentityCenter)
	require.Equal(t, []adopt.Group{{Name: h.group, Description: "administrators", Members: []string{h.user}}}, f.IdentityCenter.Groups)
	require.Equal(t, []adopt.Assignment{{Group: h.group, PermissionSet: h.permissionSet, Accounts: []string{h.devEmail, h.prodEmail}}}, f.IdentityCenter.Assignments)
	require.Len(t, f.IdentityCenter.PermissionSets, 1)
	require.Equal(t, "8h", f.IdentityCenter.PermissionSets[0].SessionDuration)
	require.True(t, f.IdentityCenter.PermissionSets[0].Adopt)
	require.Len(t, f.CIRoles, 2)
	require.True(t, f.CIRoles[0].Adopt && f.CIRoles[1].Adopt)
	require.Len(t, f.OIDCProviders, 1)
	require.True(t, f.OIDCProviders[0].Adopt)
	require.Equal(t, h.roleName+"-pinned", f.CIRoles[1].Name)
	require.Equal(t, []string{"acme/workflows/.github/workflows/deploy.yml@refs/heads/main"}, f.CIRoles[1].JobWorkflowRefs)
	require.Equal(t, map[string][]string{"repository_id": {"123456"}}, f.CIRoles[1].Claims)
	require.Equal(t, h.roleName, f.CIRoles[0].Name)
	require.Equal(t, []string{"repo:" + h.repo + ":ref:refs/heads/main"}, f.CIRoles[0].Subjects)
	require.Equal(t, []string{h.deployPolicy}, f.CIRoles[0].ManagedPolicies)
	require.Contains(t, f.CIRoles[0].InlinePolicies, "push")
	require.Equal(t, []adopt.Skipped{
		{Resource: "account:settings", ID: "member accounts", Reason: "their alternate contacts and Regions are read only with trusted access for account.amazonaws.com"},
		{Resource: "iam:role", ID: h.roleName + "-loose", Reason: "its trust policy is not one the library builds (one provider, pinned audiences, sub conditions only)"},
	}, f.Skipped)

	// Through the file and back: what is written is what is read.
	text, err := yaml.Marshal(f)
	require.NoError(t, err)
	var back adopt.Foundation
	require.NoError(t, yaml.Unmarshal(text, &back))
	require.Equal(t, *f, back)

	// A dry run plans nothing; a real run writes nothing.
	api := adopt.NewConvergeAPI(cfg)
	mark := b.Mark()
	plan, err := adopt.Converge(ctx, api, &back, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, plan.Changes, "dry run of the adopted spec")
	b.RequireNoMutations(t, mark)
	res, err := adopt.Converge(ctx, api, &back, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, res.Changes)
	b.RequireNoMutations(t, mark)

	// A stranger's policy the file does not adopt is refused before any
	// write: the library never takes it over silently.
	edited := back
	edited.Policies = append([]adopt.Policy(nil), back.Policies...)
	edited.Policies[0].Adopt = false
	mark = b.Mark()
	_, err = adopt.Converge(ctx, api, &edited, awstest.Fast(foundation.WithDryRun(true))...)
	require.ErrorIs(t, err, foundation.ErrNotManaged, "the dry run says so too")
	_, err = adopt.Converge(ctx, api, &edited, awstest.Fast()...)
	require.ErrorIs(t, err, foundation.ErrNotManaged)
	// The refusal names the file's key that adopts the policy, not the
	// library's spec.Adopt (found from outside).
	var nm *foundation.NotManagedError
	require.ErrorAs(t, err, &nm)
	require.Equal(t, "policies[0].adopt", nm.Field)
	require.ErrorContains(t, err, "set policies[0].adopt to converge it")
	// An account's: its index in the file, the management account counted
	// (EnsureTree's spec.Accounts leaves it out).
	prod := slices.IndexFunc(back.Accounts, func(a adopt.Account) bool { return a.Email == h.prodEmail })
	require.Greater(t, prod, slices.IndexFunc(back.Accounts, func(a adopt.Account) bool { return a.Management }))
	unadopted := back
	unadopted.Accounts = slices.Clone(back.Accounts)
	unadopted.Accounts[prod].Adopt = false
	_, err = adopt.Converge(ctx, api, &unadopted, awstest.Fast(foundation.WithDryRun(true))...)
	require.ErrorAs(t, err, &nm)
	require.Equal(t, fmt.Sprintf("accounts[%d].adopt", prod), nm.Field)
	b.RequireNoMutations(t, mark)

	// The management account is told by its email whatever the file says,
	// and never moved (found from outside: listed without "management:
	// true" and with an ou, the dry run planned moving it there).
	mgmt := slices.IndexFunc(back.Accounts, func(a adopt.Account) bool { return a.Management })
	unmarked := back
	unmarked.Accounts = slices.Clone(back.Accounts)
	unmarked.Accounts[mgmt].Management, unmarked.Accounts[mgmt].Adopt = false, true
	plan, err = adopt.Converge(ctx, api, &unmarked, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	require.Empty(t, plan.Changes, "recognised: nothing to do")
	unmarked.Accounts[mgmt].OU = "Workloads"
	_, err = adopt.Converge(ctx, api, &unmarked, awstest.Fast(foundation.WithDryRun(true))...)
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	require.ErrorContains(t, err, fmt.Sprintf(`adopt: accounts[%d].ou: "Workloads": %s is the organization's management account (%s), in the root: it is never moved`, mgmt, back.Accounts[mgmt].Email, h.managementID))
	_, err = adopt.Converge(ctx, api, &unmarked, awstest.Fast()...)
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	// An entry marked management that is not it.
	unmarked.Accounts[mgmt].OU = ""
	unmarked.Accounts[prod].Management = true
	_, err = adopt.Converge(ctx, api, &unmarked, awstest.Fast()...)
	require.ErrorContains(t, err, fmt.Sprintf(`adopt: accounts[%d].management: %s is not the organization's management account`, prod, h.prodEmail))
	b.RequireNoMutations(t, mark)

	// Taking the hand-made SCP off Production in the file detaches it, and
	// the dry run says so first, though the policy is not the library's
	// (found from outside: with adopt: false, the dry run planned a tag
	// and the run also detached the guardrail).
	edited.Policies[0].Adopt = true
	edited.Attachments = []adopt.Attachment{back.Attachments[0], {OU: "Workloads/Production", Policies: []string{"FullAWSAccess"}}}
	plan, err = adopt.Converge(ctx, api, &edited, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	res, err = adopt.Converge(ctx, api, &edited, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, plan.Changes.String(), res.Changes.String(), "the run makes what its dry run planned")
	require.Contains(t, res.Changes.String(), "delete organizations:policy-attachment")
	again, err := adopt.Read(ctx, readAPI(b), adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	require.NotContains(t, again.Attachments, adopt.Attachment{OU: "Workloads/Production", Policies: []string{"FullAWSAccess", h.policyName}})
}

// TestConvergeFromFile converges a Foundation written by hand on a fresh
// organization, reads it back with Read, and reruns it: zero mutating
// calls.
func TestConvergeFromFile(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 60*time.Second)
	cfg := b.Config()
	bareOrg(t, ctx, b)
	f := &adopt.Foundation{
		OUs:         []adopt.OU{{Path: "Sandbox", Tags: map[string]string{"cost-center": "42"}}},
		Accounts:    []adopt.Account{{Name: "play", Email: "play@example.com", OU: "Sandbox"}},
		Policies:    []adopt.Policy{{Name: "deny-all-regions-but-one", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","s3:ListAllMyBuckets"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`}},
		Attachments: []adopt.Attachment{{OU: "Sandbox", Policies: []string{"FullAWSAccess", "deny-all-regions-but-one"}}},
		// A state backend in the account the run creates: the dry run
		// plans it in an account that does not exist yet.
		StateBackends: []adopt.StateBackend{{Account: "play@example.com", Bucket: "play-state-bucket", Region: "eu-west-1", LockTable: "play-locks"}},
	}
	if b.Lacks(awstest.S3BucketDefaults2023) || b.Lacks(awstest.S3CreateBucketTags) {
		// The dry run predicts a new bucket as AWS makes one (public
		// access blocked, encrypted, tagged at its creation): a backend
		// that makes it otherwise plans other writes than it makes.
		f.StateBackends = nil
	}
	api := adopt.NewConvergeAPI(cfg)
	dry := b.Mark()
	plan, err := adopt.Converge(ctx, api, f, awstest.Fast(foundation.WithDryRun(true))...)
	require.NoError(t, err)
	b.RequireNoMutations(t, dry)
	res, err := adopt.Converge(ctx, api, f, awstest.Fast()...)
	require.NoError(t, err)
	require.NotEmpty(t, res.Changes)
	// The dry run plans what the run makes (the new OU's ID is predicted).
	kinds := func(cs foundation.Changes) (out []string) {
		for _, c := range cs {
			out = append(out, string(c.Action)+" "+c.Resource)
		}
		return out
	}
	require.Equal(t, kinds(plan.Changes), kinds(res.Changes))
	// Each change is reported in the account it is made in: the state
	// backend's in play (predicted by the dry run), the rest in the
	// management account.
	require.Len(t, res.Accounts, len(res.Changes))
	require.Len(t, plan.Accounts, len(plan.Changes))
	mgmt := b.AccountID(t)
	for i, c := range res.Changes {
		if strings.HasPrefix(c.Resource, "s3:") || strings.HasPrefix(c.Resource, "dynamodb:") {
			require.NotEqual(t, mgmt, res.Accounts[i], c.String())
			require.Len(t, res.Accounts[i], 12)
			require.True(t, foundation.IsPredicted(plan.Accounts[i]), plan.Accounts[i])
		} else {
			require.Equal(t, mgmt, res.Accounts[i], c.String())
			require.Equal(t, mgmt, plan.Accounts[i], c.String())
		}
	}

	read, err := adopt.Read(ctx, readAPI(b), adopt.ReadSpec{}, awstest.Fast()...)
	require.NoError(t, err)
	var sandbox []adopt.Policy
	for _, p := range read.Policies {
		if p.Name == "deny-all-regions-but-one" {
			sandbox = append(sandbox, p)
		}
	}
	require.Len(t, sandbox, 1)
	require.False(t, sandbox[0].Adopt, "the library's own policy is tagged managed-by=foundation")
	require.Contains(t, read.OUs, adopt.OU{Path: "Sandbox", Tags: map[string]string{"cost-center": "42"}}, "the library's own OU: not adopt, no managed-by in the file")
	require.Contains(t, read.Attachments, adopt.Attachment{OU: "Sandbox", Policies: []string{"FullAWSAccess", "deny-all-regions-but-one"}})
	// The backend the library made is its own (managed-by=foundation):
	// read without a pattern naming it, and not adopt.
	require.Equal(t, f.StateBackends, read.StateBackends, "%+v", read.Skipped)

	mark := b.Mark()
	again, err := adopt.Converge(ctx, api, f, awstest.Fast()...)
	require.NoError(t, err)
	require.Empty(t, again.Changes)
	b.RequireNoMutations(t, mark)
}

// TestInvalidFoundationMakesNoCall: every fault, by the file's key, and no
// call.
func TestInvalidFoundationMakesNoCall(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	f := &adopt.Foundation{
		OUs:         []adopt.OU{{Path: "Workloads"}},
		Accounts:    []adopt.Account{{Name: "dev", Email: "not-an-email", OU: "Nowhere"}},
		Attachments: []adopt.Attachment{{OU: "Workloads", Account: "dev@example.com", Policies: []string{"missing"}}},
		CIRoles:     []adopt.CIRole{{Name: "ci", Provider: "https://token.actions.githubusercontent.com"}},
	}
	mark := b.Mark()
	_, err := adopt.Converge(ctx, adopt.NewConvergeAPI(b.Config()), f, awstest.Fast()...)
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	var keys []string
	for _, f := range adopt.Faults(err) {
		keys = append(keys, f.Field)
	}
	require.Equal(t, []string{"accounts[0].email", "accounts[0].ou", "attachments[0]", "attachments[0].account", "attachments[0].policies[0]", "ciRoles[0].provider"}, keys, err.Error())
	require.ErrorContains(t, err, `adopt: accounts[0].ou: "Nowhere" is not an OU of ous`)
	require.ErrorContains(t, err, `adopt: accounts[0].email: "not-an-email": must contain exactly one "@" (organizations spec.Email)`)

	// The library's rules, at the file's keys, every one of them (found
	// from outside: the library's field names, and the first fault only).
	f = &adopt.Foundation{
		OIDCProviders: []adopt.OIDCProvider{{URL: "https://token.actions.githubusercontent.com"}},
		IdentityCenter: &adopt.IdentityCenter{
			Users:          []adopt.User{{UserName: "jane", GivenName: "Jane", FamilyName: "Doe", DisplayName: "Jane Doe", Email: "jane@example.com"}},
			PermissionSets: []adopt.PermissionSet{{Name: "Ops", SessionDuration: "13h"}, {Name: "Dev", SessionDuration: "soon"}},
			Assignments:    []adopt.Assignment{{User: "jane", PermissionSet: "Ops", Accounts: []string{"nobody@example.com"}}},
		},
	}
	_, err = adopt.Converge(ctx, adopt.NewConvergeAPI(b.Config()), f, awstest.Fast()...)
	keys = nil
	for _, f := range adopt.Faults(err) {
		keys = append(keys, f.Field)
	}
	require.ElementsMatch(t, []string{"oidcProviders[0].clientIDs", "identityCenter.permissionSets[0].sessionDuration",
		"identityCenter.permissionSets[1].sessionDuration", "identityCenter.assignments[0].accounts[0]"}, keys, err.Error())

	// The registry's rules, at the file's keys: an administrator listed
	// twice, a service listed twice.
	f = &adopt.Foundation{
		Accounts: []adopt.Account{{Name: "ops", Email: "ops@example.com"}},
		Services: []adopt.Service{
			{Principal: "config.amazonaws.com", DelegatedAdministrators: []string{"ops@example.com", "OPS@example.com"}},
			{Principal: "config.amazonaws.com"},
		},
	}
	_, err = adopt.Converge(ctx, adopt.NewConvergeAPI(b.Config()), f, awstest.Fast()...)
	keys = nil
	for _, f := range adopt.Faults(err) {
		keys = append(keys, f.Field)
	}
	require.ElementsMatch(t, []string{"services[0].delegatedAdministrators[1]", "services[1].principal"}, keys, err.Error())

	// Read's patterns too, before any call.
	_, err = adopt.Read(ctx, adopt.NewReadAPI(b.Config()), adopt.ReadSpec{StateBucketPatterns: []string{"tfstate-*", "[oops"}})
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	require.ErrorContains(t, err, `adopt: spec.StateBucketPatterns[1]: "[oops": must be a name pattern`)
	b.RequireNoCalls(t, mark)
}

// readAPI is adopt.NewReadAPI of the backend's configuration, without the
// accounts' Regions where the backend does not serve the Account
// Management API's Regions (moto: ListRegions is not implemented), and
// without Identity Center where it does not describe the instance (moto).
func readAPI(b *awstest.Backend) adopt.ReadAPI {
	api := adopt.NewReadAPI(b.Config())
	if b.Lacks(awstest.AccountRegionOptIn) {
		api.Account = nil
	}
	if b.Lacks(awstest.SSOInstanceEncryption) { // DescribeInstance
		api.SSOAdmin, api.IdentityStore = nil, nil
	}
	return api
}
