package oidcfed_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/oidcfed"
)

const githubHost = "token.actions.githubusercontent.com"

// providerTags and roleTags read the tags back with IAM's own tag reads.
func (e *env) providerTags(arn string) map[string]string {
	e.t.Helper()
	m := map[string]string{}
	pg := iam.NewListOpenIDConnectProviderTagsPaginator(e.api, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		maps.Copy(m, tagMap(out.Tags))
	}
	return m
}

func (e *env) roleTags(name string) map[string]string {
	e.t.Helper()
	m := map[string]string{}
	pg := iam.NewListRoleTagsPaginator(e.api, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		maps.Copy(m, tagMap(out.Tags))
	}
	return m
}

func tagMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// stranger makes the seed's provider and role with the SDK directly, as
// someone else (a console session, Terraform) would: tags are theirs
// (managedBy "" leaves the ownership tag off). The role trusts the provider
// with a loose subject, has an extra client ID on the provider, an extra
// managed policy and an extra inline policy.
func (e *env) stranger(managedBy string) (providerARN, extraPolicy string) {
	e.t.Helper()
	tags := []types.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}}
	if managedBy != "" {
		tags = append(tags, types.Tag{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(managedBy)})
	}
	p, err := e.api.CreateOpenIDConnectProvider(e.ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + githubHost),
		ClientIDList: []string{"sts.amazonaws.com", "their-audience"}, ThumbprintList: []string{githubThumbprint}, Tags: tags})
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = e.api.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String(cluster + "-github-ci"), AssumeRolePolicyDocument: aws.String(seedTrustLiteral), Tags: tags})
	if err != nil {
		e.t.Fatal(err)
	}
	extraPolicy = e.awsManaged("ReadOnlyAccess")
	if _, err := e.api.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(cluster + "-github-ci"), PolicyArn: aws.String(extraPolicy)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.api.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(cluster + "-github-ci"), PolicyName: aws.String("theirs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)}); err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(p.OpenIDConnectProviderArn), extraPolicy
}

// A provider and a role EnsureProvider and EnsureGitHubRole create carry
// managed-by=foundation from the create call (read back with
// ListOpenIDConnectProviderTags and ListRoleTags), and a rerun makes no
// mutating call.
func TestNewProviderAndRoleCarryTheOwnershipTag(t *testing.T) {
	e := newAccount(t)
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{"owner": "platform"}
	rspec := e.richSpec()
	mark := e.b.Mark()
	run := func() ([]foundation.Change, error) {
		p, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, rspec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return append(p.Changes, r.Changes...), nil
	}
	if _, err := run(); err != nil {
		t.Fatal(err)
	}
	for _, c := range e.b.MutatingCalls(mark) {
		if c.Operation == "TagRole" || c.Operation == "TagOpenIDConnectProvider" {
			t.Errorf("tagged after the create (%s): the ownership tag goes on in the create call", c.Operation)
		}
	}
	if got := e.providerTags(e.github); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || got["owner"] != "platform" {
		t.Errorf("provider tags %v", got)
	}
	if got := e.roleTags(rspec.Name); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || got["team"] != "platform" {
		t.Errorf("role tags %v", got)
	}
	e.b.RequireIdempotent(t, run)
}

// A provider and a role made outside the library (untagged, or tagged
// managed-by=terraform) are refused with a *foundation.NotManagedError
// naming the kind, the name and spec.Adopt, before any write: in a real
// run and in a dry run alike.
func TestStrangersProviderAndRoleAreRefused(t *testing.T) {
	for _, owner := range []string{"", "terraform"} {
		t.Run("managed-by="+owner, func(t *testing.T) {
			e := newAccount(t)
			e.stranger(owner)
			rspec := seedRoleSpec(e.github)
			for _, dry := range []bool{true, false} {
				mark := e.b.Mark()
				_, perr := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast(foundation.WithDryRun(dry))...)
				_, rerr := oidcfed.EnsureGitHubRole(e.ctx, e.api, rspec, awstest.Fast(foundation.WithDryRun(dry))...)
				for _, tc := range []struct {
					err      error
					kind, id string
				}{{perr, oidcfed.ResourceProvider, githubHost}, {rerr, oidcfed.ResourceRole, rspec.Name}} {
					var nm *foundation.NotManagedError
					if !errors.As(tc.err, &nm) || !errors.Is(tc.err, foundation.ErrNotManaged) || !errors.Is(tc.err, foundation.ErrConflict) {
						t.Fatalf("dry run %v: %s: err = %v, want a NotManagedError", dry, tc.kind, tc.err)
					}
					if nm.Kind != tc.kind || nm.ID != tc.id || nm.Field != "spec.Adopt" || nm.Tag != owner {
						t.Errorf("dry run %v: %+v", dry, *nm)
					}
				}
				e.b.RequireNoMutations(t, mark)
			}
			if got := e.roleTags(rspec.Name); got[foundation.ManagedByTagKey] != owner || got["owner"] != "team-a" {
				t.Errorf("role tags changed: %v", got)
			}
		})
	}
}

// With Adopt, a stranger's provider and role are converged as the spec
// says (the role's trust policy, the spec's inline policy and tags, the
// provider's thumbprint) but stay theirs: never tagged managed-by=foundation,
// their own tags kept, and nothing the spec does not name removed (the
// provider's other client ID, the role's unlisted managed and inline
// policies, even with PruneInlinePolicies). The rerun makes no mutating
// call.
func TestAdoptConvergesAStrangersProviderAndRoleWithoutTakingThemOver(t *testing.T) {
	e := newAccount(t)
	_, extra := e.stranger("")
	pspec := seedProviderSpec()
	pspec.Adopt = true
	pspec.Tags = map[string]string{"cost-center": "ci"}
	rspec := seedRoleSpec(e.github)
	rspec.Adopt = true
	rspec.PruneInlinePolicies = true
	rspec.Tags = map[string]string{"cost-center": "ci"}
	run := func(opts ...foundation.Option) ([]foundation.Change, error) {
		p, err := oidcfed.EnsureProvider(e.ctx, e.api, pspec, awstest.Fast(opts...)...)
		if err != nil {
			return nil, err
		}
		r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, rspec, awstest.Fast(opts...)...)
		if err != nil {
			return nil, err
		}
		return append(p.Changes, r.Changes...), nil
	}
	mark := e.b.Mark()
	planned, err := run(foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	e.b.RequireNoMutations(t, mark)
	changes, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if p, c := changeStrings(planned), changeStrings(changes); !slices.Equal(p, c) {
		t.Errorf("the dry run planned %q, the run made %q", p, c)
	}
	want := []string{
		"update iam:oidc-provider-tags " + githubHost,
		"update iam:role-trust-policy " + rspec.Name,
		"create iam:role-inline-policy " + rspec.Name + "/github-ci-policy",
		"update iam:role-tags " + rspec.Name,
	}
	if got := changeStrings(changes); !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q", got, want)
	}
	for name, got := range map[string]map[string]string{"provider": e.providerTags(e.github), "role": e.roleTags(rspec.Name)} {
		if _, ok := got[foundation.ManagedByTagKey]; ok || got["owner"] != "team-a" || got["cost-center"] != "ci" {
			t.Errorf("%s tags %v: adopted, it stays the owner's", name, got)
		}
	}
	p, err := e.api.GetOpenIDConnectProvider(e.ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(e.github)})
	if err != nil || !slices.Contains(p.ClientIDList, "their-audience") {
		t.Errorf("the owner's client ID was removed: %v, %v", p, err)
	}
	att, err := e.api.ListAttachedRolePolicies(e.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(rspec.Name)})
	if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != extra {
		t.Errorf("the owner's managed policy was detached: %v, %v", att, err)
	}
	inl, err := e.api.ListRolePolicies(e.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(rspec.Name)})
	if err != nil || !slices.Contains(inl.PolicyNames, "theirs") {
		t.Errorf("the owner's inline policy was deleted: %v, %v", inl, err)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return run() })
}

// The caller's tags may not set managed-by to another value: refused
// before any call.
func TestTagsMayNotClaimAnotherOwner(t *testing.T) {
	e := newEnv(t)
	pspec := seedProviderSpec()
	pspec.Tags = map[string]string{foundation.ManagedByTagKey: "terraform"}
	rspec := seedRoleSpec(githubARN)
	rspec.Tags = map[string]string{foundation.ManagedByTagKey: "terraform"}
	mark := e.b.Mark()
	_, perr := oidcfed.EnsureProvider(e.ctx, e.api, pspec)
	_, rerr := oidcfed.EnsureGitHubRole(e.ctx, e.api, rspec)
	for _, err := range []error{perr, rerr} {
		var se *foundation.SpecError
		if !errors.As(err, &se) || se.Field != `spec.Tags["managed-by"]` {
			t.Errorf("err = %v", err)
		}
	}
	e.b.RequireNoCalls(t, mark)
}

// A CreateRole or CreateOpenIDConnectProvider AWS applied whose answer was
// lost leaves exactly one resource, tagged managed-by=foundation, and the
// run converges it.
func TestLostCreateLeavesOneTaggedResource(t *testing.T) {
	for _, op := range []string{"CreateOpenIDConnectProvider", "CreateRole"} {
		t.Run(op, func(t *testing.T) {
			e := newAccount(t)
			em := e.b.RequireEmulator(t, awstest.CapFaults)
			f := em.AddFault(&emulator.Fault{Match: emulator.Match{Service: "iam", Operation: op}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
			if _, err := e.setupSeed(); err != nil || f.Fired() != 1 {
				t.Fatalf("err %v, fired %d", err, f.Fired())
			}
			ps, err := e.api.ListOpenIDConnectProviders(e.ctx, &iam.ListOpenIDConnectProvidersInput{})
			if err != nil || len(ps.OpenIDConnectProviderList) != 1 {
				t.Fatalf("providers %v, %v", ps, err)
			}
			if got := e.providerTags(e.github); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
				t.Errorf("provider tags %v", got)
			}
			if got := e.roleTags(cluster + "-github-ci"); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
				t.Errorf("role tags %v", got)
			}
			e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return e.setupSeed() })
		})
	}
}

// strangerFirst is an IAM client whose first CreateRole is beaten by
// someone else: the role of that name is made untagged by another caller,
// and the call's answer is lost on the way (a send error, which may or may
// not have been applied).
type strangerFirst struct {
	*iam.Client
	done bool
}

func (s *strangerFirst) CreateRole(ctx context.Context, in *iam.CreateRoleInput, opts ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	if !s.done {
		s.done = true
		if _, err := s.Client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: in.RoleName, AssumeRolePolicyDocument: in.AssumeRolePolicyDocument}); err != nil {
			return nil, err
		}
		return nil, &smithy.OperationError{ServiceID: "IAM", OperationName: "CreateRole", Err: &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}}
	}
	return s.Client.CreateRole(ctx, in, opts...)
}

// A CreateRole whose answer was lost while someone else made a role of the
// name: the role found is not taken for this run's (it lacks the ownership
// tag), so the run is refused with a *foundation.NotManagedError and puts
// nothing on it. Without the tag check the stranger's role was reported as
// created and given the spec's inline policy.
func TestLostCreateRoleFindsAStrangersRole(t *testing.T) {
	e := newAccount(t)
	if _, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec := seedRoleSpec(e.github)
	_, err := oidcfed.EnsureGitHubRole(e.ctx, &strangerFirst{Client: e.api}, spec, awstest.Fast()...)
	var nm *foundation.NotManagedError
	if !errors.As(err, &nm) || nm.Kind != oidcfed.ResourceRole || nm.ID != spec.Name {
		t.Fatalf("err = %v, want a NotManagedError", err)
	}
	inl, err := e.api.ListRolePolicies(e.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(spec.Name)})
	if err != nil || len(inl.PolicyNames) != 0 {
		t.Errorf("the stranger's role was written to: %v, %v", inl, err)
	}
	if got := e.roleTags(spec.Name); len(got) != 0 {
		t.Errorf("the stranger's role was tagged: %v", got)
	}
}
