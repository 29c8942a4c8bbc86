package organizations_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// ownerTags are the tags a stranger's resource is made with: an owner's
// tag, and managed-by=<tag> when tag is not "".
func ownerTags(tag string) []types.Tag {
	tags := []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}
	if tag != "" {
		tags = append(tags, types.Tag{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(tag)})
	}
	return tags
}

func requireNotManaged(t *testing.T, err error, kind, id, field, tag string) {
	t.Helper()
	var nm *foundation.NotManagedError
	if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) || !errors.Is(err, foundation.ErrConflict) {
		t.Fatalf("want a *foundation.NotManagedError, got %v", err)
	}
	if nm.Kind != kind || nm.ID != id || nm.Field != field || nm.Tag != tag {
		t.Fatalf("the error names %+v, want %s %q %s %q", *nm, kind, id, field, tag)
	}
}

// requireOwnerTags checks a stranger's resource still has exactly its
// owner's tags plus want.
func requireOwnerTags(t *testing.T, got map[string]string, tag string, want map[string]string) {
	t.Helper()
	n := 1 + len(want)
	if tag != "" {
		n++
	}
	if len(got) != n || got["owner"] != "alice" || got[foundation.ManagedByTagKey] != tag {
		t.Fatalf("tags %v: the owner's tags must stay, and no managed-by=foundation", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("tags %v, want %s=%s", got, k, v)
		}
	}
}

// OUs the library creates, missing parents included, carry
// managed-by=foundation from the create; a rerun makes no mutating call.
func TestOUsCreatedCarryTheOwnershipTag(t *testing.T) {
	b, api, ctx := withOrg(t)
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Workloads/Prod", Tags: map[string]string{"env": "prod"}}}}
	res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if tags := tagsOf(t, ctx, api, res.OU("Workloads").ID); len(tags) != 1 || !foundation.Managed(tags) {
		t.Errorf("the parent's tags: %v", tags)
	}
	if tags := tagsOf(t, ctx, api, res.OU("Workloads/Prod").ID); len(tags) != 2 || !foundation.Managed(tags) || tags["env"] != "prod" {
		t.Errorf("the OU's tags: %v", tags)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		res, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return res.Changes, nil
	})
}

// An OU the spec declares, found without managed-by=foundation (made by
// hand, or managed-by=terraform), is refused before any write, in a dry run
// too; with Adopt it is converged, left without the ownership tag, and
// the rerun makes no mutating call. An unlisted parent made by hand is
// only where the OU goes: nothing is written to it.
func TestOUOwnership(t *testing.T) {
	b, api, ctx := withOrg(t)
	rootID, _ := readOUPaths(t, ctx, api)
	for _, tc := range []struct{ name, tag string }{{"HandMade", ""}, {"TerraformMade", "terraform"}} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := api.CreateOrganizationalUnit(ctx, &sdk.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String(tc.name), Tags: ownerTags(tc.tag)})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.OrganizationalUnit.Id)
			want := map[string]string{"env": "prod"}
			for _, dry := range []bool{true, false} {
				opts := awstest.Fast(foundation.WithDryRun(dry))
				mark := b.Mark()
				_, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: tc.name, Tags: want}, opts...)
				requireNotManaged(t, err, organizations.ResOU, tc.name, "spec.Adopt", tc.tag)
				tree := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Other"}, {Path: tc.name + "/Child"}, {Path: tc.name}}}
				_, err = organizations.EnsureTree(ctx, api, tree, opts...)
				requireNotManaged(t, err, organizations.ResOU, tc.name, "spec.OUs[2].Adopt", tc.tag)
				// Refused before the child's create, after the OUs of the
				// level before (Other, a new one: created in the real run).
				for _, c := range b.MutatingCalls(mark) {
					if input := c.Operation; input != "CreateOrganizationalUnit" {
						t.Fatalf("a mutating call: %s", input)
					}
				}
			}
			requireOwnerTags(t, tagsOf(t, ctx, api, id), tc.tag, nil)

			spec := organizations.OUSpec{Path: tc.name, Tags: want, Adopt: true}
			mark := b.Mark()
			planned, err := organizations.EnsureOU(ctx, api, spec, dry()...)
			if err != nil {
				t.Fatal(err)
			}
			b.RequireNoMutations(t, mark)
			ou, err := organizations.EnsureOU(ctx, api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if ou.ID != id || len(ou.Changes) != 1 || len(planned.Changes) != 1 || ou.Changes[0].Resource != organizations.ResOUTags {
				t.Fatalf("adopted %s (want %s), changes %v, planned %v", ou.ID, id, ou.Changes, planned.Changes)
			}
			requireOwnerTags(t, tagsOf(t, ctx, api, id), tc.tag, want)
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				ou, err := organizations.EnsureOU(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return ou.Changes, nil
			})

			// Not listed, it is only the parent of a new OU: nothing is
			// written to it, and the new OU is the library's.
			child, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: tc.name + "/New"}, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if tags := tagsOf(t, ctx, api, child.ID); !foundation.Managed(tags) {
				t.Errorf("the new child's tags: %v", tags)
			}
			requireOwnerTags(t, tagsOf(t, ctx, api, id), tc.tag, want)
		})
	}
}

// Adopt with the ownership tag in Tags, or with RemoveTags, and RemoveTags
// naming managed-by, are refused before any call.
func TestOwnershipSpecFaults(t *testing.T) {
	ctx := context.Background()
	for name, spec := range map[string]organizations.OUSpec{
		"adopt with the tag":     {Path: "A", Adopt: true, Tags: map[string]string{foundation.ManagedByTagKey: foundation.ManagedByTagValue}},
		"adopt with removals":    {Path: "A", Adopt: true, RemoveTags: []string{"x"}},
		"removing the owner tag": {Path: "A", RemoveTags: []string{foundation.ManagedByTagKey}},
		"another owner in Tags":  {Path: "A", Tags: map[string]string{foundation.ManagedByTagKey: "terraform"}},
	} {
		if _, err := organizations.EnsureOU(ctx, nil, spec); !errors.Is(err, foundation.ErrInvalidSpec) {
			t.Errorf("%s: %v", name, err)
		}
		if err := spec.Validate(); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
	acct := organizations.AccountSpec{Name: "a", Email: "a@example.com", Adopt: true, RemoveTags: []string{"x"}}
	if err := acct.Validate(); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("account: %v", err)
	}
	if err := (organizations.OUSpec{Path: "A", Tags: map[string]string{foundation.ManagedByTagKey: foundation.ManagedByTagValue}}).Validate(); err != nil {
		t.Errorf("managed-by=foundation without Adopt: %v", err)
	}
}

// Accounts the library creates carry managed-by=foundation from
// CreateAccount; one found by email without it (invited or created by
// another tool) is refused before any move or tag, in a dry run too; with
// Adopt it is moved and tagged as the spec says, never given the ownership
// tag, and the rerun makes no mutating call. The management account is
// exempt.
func TestAccountOwnership(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	own, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: "ours", Email: "ours@example.com", OU: "Workloads"}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if tags := tagsOf(t, ctx, api, own.ID); len(tags) != 1 || !foundation.Managed(tags) {
		t.Errorf("a new account's tags: %v", tags)
	}

	for _, tc := range []struct{ name, tag string }{{"handmade", ""}, {"terraform", "terraform"}} {
		t.Run(tc.name, func(t *testing.T) {
			email := tc.name + "@example.com"
			id := strangerAccount(t, ctx, b, api, tc.name, email, ownerTags(tc.tag))
			spec := organizations.AccountSpec{Name: tc.name, Email: email, OU: "Workloads", Tags: map[string]string{"env": "prod"}}
			for _, dry := range []bool{true, false} {
				mark := b.Mark()
				_, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast(foundation.WithDryRun(dry))...)
				requireNotManaged(t, err, organizations.ResAccount, email, "spec.Adopt", tc.tag)
				tree := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Workloads"}}, Accounts: []organizations.AccountSpec{
					{Name: "ours", Email: "ours@example.com", OU: "Workloads"}, spec}}
				_, err = organizations.EnsureTree(ctx, api, tree, awstest.Fast(foundation.WithDryRun(dry))...)
				requireNotManaged(t, err, organizations.ResAccount, email, "spec.Accounts[1].Adopt", tc.tag)
				b.RequireNoMutations(t, mark)
			}
			if accounts := readAccounts(t, ctx, api); accounts[email] != "" {
				t.Fatalf("the stranger's account was moved: %v", accounts)
			}
			requireOwnerTags(t, tagsOf(t, ctx, api, id), tc.tag, nil)

			spec.Adopt = true
			mark := b.Mark()
			planned, err := organizations.EnsureAccount(ctx, api, spec, dry()...)
			if err != nil {
				t.Fatal(err)
			}
			b.RequireNoMutations(t, mark)
			a, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != id || len(a.Changes) != 2 || len(planned.Changes) != 2 {
				t.Fatalf("adopted %s (want %s): changes %v, planned %v", a.ID, id, a.Changes, planned.Changes)
			}
			if accounts := readAccounts(t, ctx, api); accounts[email] != "Workloads" {
				t.Fatalf("not moved: %v", accounts)
			}
			requireOwnerTags(t, tagsOf(t, ctx, api, id), tc.tag, map[string]string{"env": "prod"})
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				a, err := organizations.EnsureAccount(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return a.Changes, nil
			})
		})
	}

	// The management account (untagged) is the organization's: listed, it
	// is converged without Adopt.
	org, err := api.DescribeOrganization(ctx, &sdk.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	mgmt := aws.ToString(org.Organization.MasterAccountEmail)
	desc, err := api.DescribeAccount(ctx, &sdk.DescribeAccountInput{AccountId: org.Organization.MasterAccountId})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.EnsureAccount(ctx, api, organizations.AccountSpec{Name: aws.ToString(desc.Account.Name), Email: mgmt}, awstest.Fast()...); err != nil {
		t.Errorf("the management account: %v", err)
	}
}

// strangerAccount creates an account with the SDK, as another tool would,
// and returns its ID.
func strangerAccount(t *testing.T, ctx context.Context, b *awstest.Backend, api *sdk.Client, name, email string, tags []types.Tag) string {
	t.Helper()
	out, err := api.CreateAccount(ctx, &sdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email), Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	reqID := out.CreateAccountStatus.Id
	for {
		st, err := api.DescribeCreateAccountStatus(ctx, &sdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: reqID})
		if err != nil {
			t.Fatal(err)
		}
		switch st.CreateAccountStatus.State {
		case types.CreateAccountStateSucceeded:
			return aws.ToString(st.CreateAccountStatus.AccountId)
		case types.CreateAccountStateFailed:
			t.Fatalf("create %s: %s", email, st.CreateAccountStatus.FailureReason)
		}
		if err := ctx.Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// CloseAccount by email refuses an account the library did not make
// unless the spec adopts it; by ID the caller chose it.
func TestCloseAccountOwnership(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	id := strangerAccount(t, ctx, b, api, "legacy", "legacy@example.com", ownerTags(""))
	spec := organizations.CloseAccountSpec{Email: "legacy@example.com", Wait: organizations.CloseWaitNone}
	for _, dry := range []bool{true, false} {
		mark := b.Mark()
		_, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast(foundation.WithDryRun(dry))...)
		requireNotManaged(t, err, organizations.ResAccount, "legacy@example.com", "spec.Adopt", "")
		b.RequireNoMutations(t, mark)
	}
	spec.Adopt = true
	a, err := organizations.CloseAccount(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != id {
		t.Fatalf("closed %s, want %s", a.ID, id)
	}
	requireOwnerTags(t, tagsOf(t, ctx, api, id), "", nil)

	id2 := strangerAccount(t, ctx, b, api, "legacy2", "legacy2@example.com", nil)
	if _, err := organizations.CloseAccount(ctx, api, organizations.CloseAccountSpec{AccountID: id2, Wait: organizations.CloseWaitNone}, awstest.Fast()...); err != nil {
		t.Fatalf("by ID: %v", err)
	}
}

// strangerWins is another tool creating the OU or account while the
// library's own create is lost on the way (a connection error: maybe
// applied).
type strangerWins struct {
	*sdk.Client
	t *testing.T
	b *awstest.Backend
}

func (s *strangerWins) CreateOrganizationalUnit(ctx context.Context, in *sdk.CreateOrganizationalUnitInput, opts ...func(*sdk.Options)) (*sdk.CreateOrganizationalUnitOutput, error) {
	if _, err := s.Client.CreateOrganizationalUnit(ctx, &sdk.CreateOrganizationalUnitInput{ParentId: in.ParentId, Name: in.Name}); err != nil {
		s.t.Fatal(err)
	}
	return nil, &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}
}

func (s *strangerWins) CreateAccount(ctx context.Context, in *sdk.CreateAccountInput, opts ...func(*sdk.Options)) (*sdk.CreateAccountOutput, error) {
	strangerAccount(s.t, ctx, s.b, s.Client, aws.ToString(in.AccountName), aws.ToString(in.Email), nil)
	return nil, &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}
}

// A create whose answer was lost is taken as this run's only if what is
// found carries the ownership tag: an OU or account made meanwhile by
// someone else is refused, left untagged, and not made twice.
func TestLostCreateFindsAStrangersResource(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	wins := &strangerWins{Client: api, t: t, b: b}
	_, err := organizations.EnsureOU(ctx, wins, organizations.OUSpec{Path: "Raced"}, awstest.Fast()...)
	requireNotManaged(t, err, organizations.ResOU, "Raced", "spec.Adopt", "")
	_, paths := readOUPaths(t, ctx, api)
	if tags := tagsOf(t, ctx, api, paths["Raced"]); len(tags) != 0 {
		t.Errorf("the stranger's OU was tagged: %v", tags)
	}
	_, err = organizations.EnsureAccount(ctx, wins, organizations.AccountSpec{Name: "raced", Email: "raced@example.com"}, awstest.Fast()...)
	requireNotManaged(t, err, organizations.ResAccount, "raced@example.com", "spec.Adopt", "")
	accounts := readAccounts(t, ctx, api)
	if _, ok := accounts["raced@example.com"]; !ok || len(accounts) != 2 {
		t.Errorf("accounts: %v", accounts)
	}
}
