package oidcfed_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// TestDriftIsRepaired converges the seed (with tags), then changes things
// by hand the way an incident or a console session would, and checks the
// next run puts each back, and only that.
func TestDriftIsRepaired(t *testing.T) {
	e := newAccount(t)
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{"managed-by": "foundation", "owner": "platform"}
	rspec := e.richSpec()
	converge := func() foundation.Changes {
		t.Helper()
		p, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, rspec, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		return append(p.Changes, r.Changes...)
	}
	converge()
	role := aws.String(rspec.Name)
	arn := aws.String(e.github)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	step := func(name string, drift func(), want ...string) {
		t.Helper()
		drift()
		got := changeStrings(converge())
		if !slices.Equal(got, want) {
			t.Fatalf("%s: changes %q, want %q", name, got, want)
		}
		if again := converge(); len(again) != 0 {
			t.Fatalf("%s: not converged: %s", name, again)
		}
	}

	step("trust policy widened to repo:*", func() {
		_, err := e.api.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"` + e.github + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}}]}`)})
		check(err)
	}, "update iam:role-trust-policy eks-prod-github-ci")
	r, err := e.api.GetRole(e.ctx, &iam.GetRoleInput{RoleName: role})
	check(err)
	got, err := foundation.ParsePolicy(aws.ToString(r.Role.AssumeRolePolicyDocument))
	check(err)
	withIssuer := rspec
	withIssuer.Issuer = oidcfed.GitHub()
	want, err := oidcfed.TrustPolicy(withIssuer)
	check(err)
	if !got.Equal(want) || len(oidcfed.Lint(got)) != 0 {
		t.Fatalf("trust policy after repair:\n%s", got.MustJSON())
	}

	// Client IDs: the repair of a removed one adds it back, which the
	// backend may not serve.
	if !e.b.Lacks(awstest.IAMAddClientIDToOIDCProvider) {
		step("extra client ID", func() {
			_, err := e.api.AddClientIDToOpenIDConnectProvider(e.ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("evil-audience")})
			check(err)
		}, "update iam:oidc-provider-client-ids token.actions.githubusercontent.com")
		p, err := e.api.GetOpenIDConnectProvider(e.ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		check(err)
		if !slices.Equal(p.ClientIDList, []string{"sts.amazonaws.com"}) {
			t.Fatalf("client IDs %v", p.ClientIDList)
		}

		step("client ID removed", func() {
			_, err := e.api.RemoveClientIDFromOpenIDConnectProvider(e.ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("sts.amazonaws.com")})
			check(err)
		}, "update iam:oidc-provider-client-ids token.actions.githubusercontent.com")
	}

	step("thumbprint replaced", func() {
		_, err := e.api.UpdateOpenIDConnectProviderThumbprint(e.ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn,
			ThumbprintList: []string{"1c58a3a8518e8759bf075b76b750d4f2df264fcd"}})
		check(err)
	}, "update iam:oidc-provider-thumbprints token.actions.githubusercontent.com")

	step("role tag changed, provider tag changed", func() {
		_, err := e.api.TagRole(e.ctx, &iam.TagRoleInput{RoleName: role, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("someone-else")}}})
		check(err)
		_, err = e.api.TagOpenIDConnectProvider(e.ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn,
			Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("console")}, {Key: aws.String("extra"), Value: aws.String("kept")}}})
		check(err)
	}, "update iam:oidc-provider-tags token.actions.githubusercontent.com", "update iam:role-tags eks-prod-github-ci")
	tags, err := e.api.ListRoleTags(e.ctx, &iam.ListRoleTagsInput{RoleName: role})
	check(err)
	for _, tg := range tags.Tags {
		if aws.ToString(tg.Key) == "team" && aws.ToString(tg.Value) != "platform" {
			t.Fatalf("tag team = %s", aws.ToString(tg.Value))
		}
	}

	step("inline policy widened", func() {
		_, err := e.api.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("github-ci-policy"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"ECRPush","Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`)})
		check(err)
	}, "update iam:role-inline-policy eks-prod-github-ci/github-ci-policy")

	step("inline policy deleted", func() {
		_, err := e.api.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("github-ci-policy")})
		check(err)
	}, "create iam:role-inline-policy eks-prod-github-ci/github-ci-policy")

	step("AdministratorAccess attached, listed policy detached", func() {
		_, err := e.api.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(e.awsManaged("AdministratorAccess"))})
		check(err)
		_, err = e.api.DetachRolePolicy(e.ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(rspec.ManagedPolicyARNs[0])})
		check(err)
	}, "delete iam:role-managed-policy eks-prod-github-ci/"+e.awsManaged("AdministratorAccess"),
		"create iam:role-managed-policy eks-prod-github-ci/"+rspec.ManagedPolicyARNs[0])

	step("session lengthened, description changed", func() {
		_, err := e.api.UpdateRole(e.ctx, &iam.UpdateRoleInput{RoleName: role, MaxSessionDuration: aws.Int32(43200), Description: aws.String("edited")})
		check(err)
	}, "update iam:role-settings eks-prod-github-ci")

	step("boundary removed", func() {
		_, err := e.api.DeleteRolePermissionsBoundary(e.ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: role})
		check(err)
	}, "update iam:role-permissions-boundary eks-prod-github-ci")

	// An inline policy added by hand is kept by default...
	step("inline policy added by hand (kept)", func() {
		_, err := e.api.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("debug"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:GetLogEvents","Resource":"*"}]}`)})
		check(err)
	})
	// ...and deleted when the spec prunes.
	rspec.PruneInlinePolicies = true
	step("inline policy added by hand (pruned)", func() {}, "delete iam:role-inline-policy eks-prod-github-ci/debug")

	// A managed policy attached by hand is kept when the spec is additive.
	rspec.KeepUnlistedManagedPolicies = true
	step("managed policy attached by hand (kept)", func() {
		_, err := e.api.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(e.awsManaged("ReadOnlyAccess"))})
		check(err)
	})

	// Removing the boundary is explicit.
	rspec.PermissionsBoundary, rspec.RemovePermissionsBoundary = "", true
	step("boundary removal asked for", func() {}, "delete iam:role-permissions-boundary eks-prod-github-ci")
}

// A role of the spec's name at another path cannot be moved.
func TestRoleAtAnotherPathIsAConflict(t *testing.T) {
	e := newAccount(t)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := seedRoleSpec(e.github)
	spec.Path = "/ci/"
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if r.ARN != "arn:aws:iam::"+e.account+":role/ci/eks-prod-github-ci" {
		t.Fatalf("ARN %s", r.ARN)
	}
	spec.Path = "/"
	mark := e.b.Mark()
	_, err = oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast()...)
	var rc *oidcfed.RoleConflictError
	if !errors.As(err, &rc) || rc.Role != "eks-prod-github-ci" || rc.Have != "/ci/" || rc.Want != "/" || !errors.Is(err, foundation.ErrConflict) ||
		err.Error() != `oidcfed: role "eks-prod-github-ci": `+rc.Reason() {
		t.Fatalf("err = %v", err)
	}
	e.b.RequireNoMutations(t, mark)
}

// Dry run predicts the ARN of a role that does not exist yet.
func TestDryRunOfANewRolePredictsItsARN(t *testing.T) {
	e := newAccount(t)
	spec := e.richSpec()
	spec.Path = "/ci/"
	mark := e.b.Mark()
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, spec, awstest.Fast(foundation.WithDryRun(true), foundation.WithWaitTimeout(time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	want := []string{
		"create iam:role eks-prod-github-ci",
		"create iam:role-managed-policy eks-prod-github-ci/" + spec.ManagedPolicyARNs[0],
		"create iam:role-inline-policy eks-prod-github-ci/github-ci-policy",
	}
	if r.ARN != "arn:aws:iam::"+e.account+":role/ci/eks-prod-github-ci" || !slices.Equal(changeStrings(r.Changes), want) {
		t.Fatalf("%s\n%s", r.ARN, r.Changes)
	}
}

// A description set by hand on a role whose spec has none is cleared.
func TestDescriptionAddedByHandIsCleared(t *testing.T) {
	e := newAccount(t)
	if _, err := e.setupSeed(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.UpdateRoleDescription(e.ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("eks-prod-github-ci"), Description: aws.String("temporary admin")}); err != nil {
		t.Fatal(err)
	}
	changes, err := e.setupSeed()
	if err != nil {
		t.Fatal(err)
	}
	if got := changeStrings(changes); !slices.Equal(got, []string{"update iam:role-settings eks-prod-github-ci"}) {
		t.Fatalf("changes %q", got)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return e.setupSeed() })
}
