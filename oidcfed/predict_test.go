package oidcfed_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/oidcfed"
)

// A dry run on a fresh account predicts the ARN of the provider it would
// create, and the role spec that consumes it (the README's
// `ProviderARN: provider.ARN`) is planned with it, without a write.
func TestDryRunChainsThePredictedProviderARN(t *testing.T) {
	e := newAccount(t)
	mark := e.b.Mark()
	dry := awstest.Fast(foundation.WithDryRun(true))
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), dry...)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.IsPredicted(p.ARN) || !strings.Contains(p.ARN, oidcfed.GitHub().URL) {
		t.Fatalf("provider ARN %q, want a prediction naming the issuer", p.ARN)
	}
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(p.ARN), dry...)
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	want := []string{
		"create iam:role eks-prod-github-ci",
		"create iam:role-inline-policy eks-prod-github-ci/github-ci-policy",
	}
	if got := changeStrings(r.Changes); !slices.Equal(got, want) {
		t.Fatalf("planned %q, want %q", got, want)
	}
	if !plan.IsPredicted(r.ARN) {
		t.Fatalf("role ARN %q, want a prediction", r.ARN)
	}

	// A real run refuses the prediction as an invalid spec naming the
	// field, before any call.
	mark = e.b.Mark()
	_, err = oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(p.ARN), awstest.Fast()...)
	var se *foundation.SpecError
	if !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Field != "spec.ProviderARN" {
		t.Fatalf("real run with a predicted ARN: err = %v", err)
	}
	e.b.RequireNoCalls(t, mark)
	spec := seedRoleSpec(p.ARN)
	spec.Issuer = oidcfed.GitHub()
	if err := spec.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.ProviderARN") {
		t.Fatalf("Validate (a real run's rules): %v", err)
	}
}

// When the account has another provider, its ARN names the account, so the
// dry run computes the ARN the provider will get.
func TestDryRunComputesTheProviderARNWhenTheAccountIsKnown(t *testing.T) {
	e := newAccount(t)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, oidcfed.GitLab("").ProviderSpec(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	mark := e.b.Mark()
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	if p.ARN != e.github {
		t.Fatalf("predicted %q, want %q", p.ARN, e.github)
	}
	real, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if real.ARN != p.ARN {
		t.Fatalf("the real run made %q, the dry run predicted %q", real.ARN, p.ARN)
	}
}
