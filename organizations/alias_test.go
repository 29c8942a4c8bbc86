package organizations_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// aliasesOf reads the account's aliases with the SDK.
func aliasesOf(t *testing.T, ctx context.Context, c *iam.Client) []string {
	t.Helper()
	var out []string
	p := iam.NewListAccountAliasesPaginator(c, &iam.ListAccountAliasesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		out = append(out, page.AccountAliases...)
	}
	return out
}

func TestEnsureAccountAlias(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	api := iam.NewFromConfig(b.Config())
	alias := b.Unique("autochart-dev")

	// Fresh: created, and read back.
	res, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: alias}, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, alias, res.Alias)
	require.Empty(t, res.Previous)
	require.Equal(t, []string{`create iam:account-alias "` + alias + `"`}, keys(res.Changes))
	require.Equal(t, []string{alias}, aliasesOf(t, ctx, api))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: alias}, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	// Another alias replaces it (an account has one); dry run first.
	other := b.Unique("autochart-development")
	mark := b.Mark()
	dry, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: other}, dry()...)
	require.NoError(t, err)
	b.RequireNoMutations(t, mark)
	want := []string{`update iam:account-alias "` + other + `": Alias: ` + alias + ` -> ` + other}
	require.Equal(t, want, keys(dry.Changes))
	require.Equal(t, alias, dry.Previous)
	require.Equal(t, []string{alias}, aliasesOf(t, ctx, api), "a dry run changes nothing")

	res, err = organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: other}, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, want, keys(res.Changes))
	require.Equal(t, alias, res.Previous)
	require.Equal(t, other, res.Alias)
	require.Equal(t, []string{other}, aliasesOf(t, ctx, api))
	ops := opsOf(b.Calls(mark))
	require.NotContains(t, ops, "DeleteAccountAlias", "replaced by CreateAccountAlias alone")
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: other}, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

func TestEnsureAccountAliasDryRunOnFreshAccount(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	api := iam.NewFromConfig(b.Config())
	alias := b.Unique("autochart-prod")
	mark := b.Mark()
	res, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: alias}, dry()...)
	require.NoError(t, err)
	require.Equal(t, []string{`create iam:account-alias "` + alias + `"`}, keys(res.Changes))
	require.Equal(t, alias, res.Alias)
	require.Equal(t, []string{"ListAccountAliases"}, opsOf(b.Calls(mark)))
	require.Empty(t, aliasesOf(t, ctx, api))
}

func TestEnsureAccountAliasTakenByAnotherAccount(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.IAMAliasUnique)
	b.Require(t, awstest.CapMemberAccounts)
	// Another account: a member of the test's organization.
	_, orgs, ctx := withOrg(t, b)
	other, err := organizations.EnsureAccount(ctx, orgs, organizations.AccountSpec{Name: "other", Email: "other@example.com"}, awstest.Fast()...)
	require.NoError(t, err)
	mine, theirs := iam.NewFromConfig(b.Config()), iam.NewFromConfig(b.ConfigFor(other.ID))
	winterwind, autochart := b.Unique("winterwind"), b.Unique("autochart")

	_, err = organizations.EnsureAccountAlias(ctx, theirs, organizations.AccountAliasSpec{Alias: winterwind}, awstest.Fast()...)
	require.NoError(t, err)

	// Without an alias of its own.
	_, err = organizations.EnsureAccountAlias(ctx, mine, organizations.AccountAliasSpec{Alias: winterwind}, awstest.Fast()...)
	var taken *organizations.AliasTakenError
	require.ErrorAs(t, err, &taken)
	require.Equal(t, winterwind, taken.Alias)
	require.Empty(t, taken.Current)
	var exists *iamtypes.EntityAlreadyExistsException
	require.ErrorAs(t, err, &exists, "the SDK's error stays in the chain")
	require.Empty(t, aliasesOf(t, ctx, mine))

	// With one: it keeps it.
	_, err = organizations.EnsureAccountAlias(ctx, mine, organizations.AccountAliasSpec{Alias: autochart}, awstest.Fast()...)
	require.NoError(t, err)
	_, err = organizations.EnsureAccountAlias(ctx, mine, organizations.AccountAliasSpec{Alias: winterwind}, awstest.Fast()...)
	require.ErrorAs(t, err, &taken)
	require.Equal(t, autochart, taken.Current)
	require.ErrorContains(t, err, `its alias stays "`+autochart+`"`)
	require.Equal(t, []string{autochart}, aliasesOf(t, ctx, mine))
	require.Equal(t, []string{winterwind}, aliasesOf(t, ctx, theirs))
}

func TestEnsureAccountAliasInvalidSpecMakesNoCall(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	api := iam.NewFromConfig(b.Config())
	for alias, rule := range map[string]string{
		"":                      "is required",
		"ab":                    "must be 3 to 63 characters long",
		strings.Repeat("a", 64): "must be 3 to 63 characters long",
		"AutoChart":             "must contain only lowercase letters, digits and hyphens",
		"auto_chart":            "must contain only lowercase letters, digits and hyphens",
		"auto chart":            "must contain only lowercase letters, digits and hyphens",
		"autochärt":             "must contain only lowercase letters, digits and hyphens",
		"-autochart":            "must not start or end with a hyphen",
		"autochart-":            "must not start or end with a hyphen",
		"auto--chart":           "must not contain two hyphens in a row",
	} {
		mark := b.Mark()
		_, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: alias}, awstest.Fast()...)
		require.ErrorIs(t, err, foundation.ErrInvalidSpec, alias)
		require.ErrorContains(t, err, "spec.Alias", alias)
		require.ErrorContains(t, err, rule, alias)
		b.RequireNoCalls(t, mark)
		require.ErrorIs(t, organizations.AccountAliasSpec{Alias: alias}.Validate(), foundation.ErrInvalidSpec)
	}
	for _, ok := range []string{"abc", "a-b", "123456789012", "autochart-dev", strings.Repeat("a", 63)} {
		require.NoError(t, organizations.AccountAliasSpec{Alias: ok}.Validate(), ok)
	}
	_, err := organizations.EnsureAccountAlias(ctx, nil, organizations.AccountAliasSpec{Alias: "ab"})
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	require.ErrorContains(t, err, "api: must not be nil")
	require.ErrorContains(t, err, "spec.Alias")
}

// aliasFake is an AccountAliasAPI built from function fields.
type aliasFake struct {
	list   func() ([]string, error)
	create func(alias string) error
}

func (f *aliasFake) ListAccountAliases(ctx context.Context, _ *iam.ListAccountAliasesInput, _ ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	a, err := f.list()
	if err != nil {
		return nil, err
	}
	return &iam.ListAccountAliasesOutput{AccountAliases: a}, nil
}

func (f *aliasFake) CreateAccountAlias(ctx context.Context, in *iam.CreateAccountAliasInput, _ ...func(*iam.Options)) (*iam.CreateAccountAliasOutput, error) {
	return &iam.CreateAccountAliasOutput{}, f.create(aws.ToString(in.AccountAlias))
}

func TestEnsureAccountAliasRaceConverges(t *testing.T) {
	// Another run sets the same alias between the read and the create.
	lists := 0
	fake := &aliasFake{
		list: func() ([]string, error) {
			lists++
			if lists == 1 {
				return nil, nil
			}
			return []string{"autochart"}, nil
		},
		create: func(string) error {
			return &iamtypes.EntityAlreadyExistsException{Message: aws.String("The account alias autochart already exists.")}
		},
	}
	res, err := organizations.EnsureAccountAlias(context.Background(), fake, organizations.AccountAliasSpec{Alias: "autochart"})
	require.NoError(t, err)
	require.Equal(t, "autochart", res.Alias)
	require.Empty(t, res.Changes, "this run changed nothing")
	require.Equal(t, 2, lists)

	// Other AWS errors are wrapped once, with the alias and the step.
	denied := errors.New("AccessDenied")
	fake = &aliasFake{list: func() ([]string, error) { return nil, nil }, create: func(string) error { return denied }}
	_, err = organizations.EnsureAccountAlias(context.Background(), fake, organizations.AccountAliasSpec{Alias: "autochart"})
	require.ErrorIs(t, err, denied)
	require.EqualError(t, err, `organizations: account alias "autochart": create: AccessDenied`)
	fake = &aliasFake{list: func() ([]string, error) { return nil, denied }}
	_, err = organizations.EnsureAccountAlias(context.Background(), fake, organizations.AccountAliasSpec{Alias: "autochart"})
	require.EqualError(t, err, `organizations: account alias "autochart": list: AccessDenied`)
}

// TestAccountAliasFaults: IAM's ConcurrentModification on CreateAccountAlias
// is retried, and a lost answer (applied, then a retryable 500) converges
// (the retry's EntityAlreadyExists finds the account has the alias).
func TestAccountAliasFaults(t *testing.T) {
	awstest.FaultMatrix[*iam.Client]{
		Setup: func(t *testing.T, _ context.Context, b *awstest.Backend) *iam.Client {
			b.Require(t, awstest.CapFreshState)
			return iam.NewFromConfig(b.Config())
		},
		Run: func(ctx context.Context, _ *awstest.Backend, api *iam.Client) error {
			_, err := organizations.EnsureAccountAlias(ctx, api, organizations.AccountAliasSpec{Alias: "autochart-faults"}, awstest.Fast()...)
			return err
		},
		Match: emulator.Match{Service: "iam"},
		Calls: 1,
		Err: &emulator.APIError{Status: 409, Code: "ConcurrentModification",
			Message: "injected: multiple requests to change this object were submitted simultaneously"},
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, awstest.LostAnswer500, notApplied500},
	}.Test(t)
}
