package organizations

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// ResAccountAlias is the Resource of the changes EnsureAccountAlias makes;
// their ID is the alias.
const ResAccountAlias = "iam:account-alias"

// Limits of an account alias (IAM's CreateAccountAlias).
const (
	MinAccountAliasLen = 3
	MaxAccountAliasLen = 63
)

// AccountAliasAPI is the part of the IAM client EnsureAccountAlias calls,
// with the SDK's exact signatures. *iam.Client (of
// github.com/aws/aws-sdk-go-v2/service/iam) satisfies it. It must act in
// the account whose alias is converged: for a member account, build it
// from AccountConfig (or in a ForEachAccount task).
//
// DeleteAccountAlias is not needed: CreateAccountAlias replaces the
// account's alias (an account has at most one), and replacing by creating
// keeps the old alias when the new one cannot be had, where deleting first
// would leave the account without one.
type AccountAliasAPI interface {
	ListAccountAliases(ctx context.Context, params *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
	CreateAccountAlias(ctx context.Context, params *iam.CreateAccountAliasInput, optFns ...func(*iam.Options)) (*iam.CreateAccountAliasOutput, error)
}

var _ AccountAliasAPI = (*iam.Client)(nil)

// AccountAliasSpec is the alias wanted for the account the client acts in:
// the name in its console sign-in URL,
// https://<alias>.signin.aws.amazon.com/console.
type AccountAliasSpec struct {
	// Alias is 3 to 63 lowercase letters, digits and hyphens; it must not
	// start or end with a hyphen nor contain two hyphens in a row (IAM's
	// rule). Aliases are unique across all AWS accounts of a partition, and
	// they are public (they are in the sign-in URL): put nothing secret in
	// one.
	Alias string
}

// AccountAlias is what EnsureAccountAlias converged.
type AccountAlias struct {
	// Alias is the account's alias after the run (in dry run: the spec's).
	Alias string
	// Previous is the alias the account had before when it was replaced,
	// "" otherwise.
	Previous string
	// Changes lists the change made (in dry run: that would be made): a
	// create when the account had no alias, an update (Diff "Alias") when
	// another alias was replaced.
	Changes foundation.Changes
}

// AliasTakenError is returned when the alias of a spec belongs to another
// AWS account (aliases are unique across all accounts of a partition, in
// or outside the organization). The account's alias, if any, is left as it
// was. Match it with errors.As.
type AliasTakenError struct {
	Alias string
	// Current is the account's own alias, unchanged ("" when it has none).
	Current string
	// Err is IAM's EntityAlreadyExists error.
	Err error
}

// Is reports that the error is a foundation.ErrConflict.
func (e *AliasTakenError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *AliasTakenError) Error() string {
	cur := "it has no alias"
	if e.Current != "" {
		cur = fmt.Sprintf("its alias stays %q", e.Current)
	}
	return fmt.Sprintf("organizations: account alias %q: is taken by another AWS account (aliases are unique across all accounts); %s; choose another alias: %v", e.Alias, cur, e.Err)
}

func (e *AliasTakenError) Unwrap() error { return e.Err }

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s AccountAliasSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s AccountAliasSpec) check(f *faults) {
	a := s.Alias
	switch {
	case a == "":
		f.add("spec.Alias", "", "is required")
	case len(a) < MinAccountAliasLen || len(a) > MaxAccountAliasLen:
		f.add("spec.Alias", a, fmt.Sprintf("must be %d to %d characters long", MinAccountAliasLen, MaxAccountAliasLen))
	case strings.IndexFunc(a, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }) >= 0:
		f.add("spec.Alias", a, "must contain only lowercase letters, digits and hyphens")
	case strings.HasPrefix(a, "-") || strings.HasSuffix(a, "-"):
		f.add("spec.Alias", a, "must not start or end with a hyphen")
	case strings.Contains(a, "--"):
		f.add("spec.Alias", a, `must not contain two hyphens in a row ("--")`)
	}
}

// EnsureAccountAlias converges the alias of the account api acts in: the
// name of its console sign-in URL, https://<alias>.signin.aws.amazon.com/console
// (the seed's "Create account alias for console login").
//
// It reads the account's alias (ListAccountAliases) and, when it is not the
// spec's, sets it (CreateAccountAlias). An account has at most one alias:
// a different existing alias is replaced, and the sign-in URL with the old
// alias stops working (the result's Previous names it, the change is an
// update). An alias taken by another AWS account is an *AliasTakenError,
// and the account keeps the alias it had. A create that races another run
// setting the same alias (EntityAlreadyExists, then the alias is found on
// the account) converges.
//
// To set the alias of every member account, call it in a ForEachAccount
// task with an IAM client of the task's config.
//
// The spec is validated first (foundation.ErrInvalidSpec, no call). With
// foundation.WithDryRun(true) only ListAccountAliases is called.
func EnsureAccountAlias(ctx context.Context, api AccountAliasAPI, spec AccountAliasSpec, opts ...foundation.Option) (*AccountAlias, error) {
	var f faults
	spec.check(&f)
	if api == nil {
		f.add("api", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	rec := plan.New(call.Resolve(opts...))
	current, err := accountAlias(ctx, api)
	if err != nil {
		return nil, fmt.Errorf("organizations: account alias %q: list: %w", spec.Alias, err)
	}
	res := &AccountAlias{Alias: current}
	if current == spec.Alias {
		return res, nil
	}
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResAccountAlias, ID: spec.Alias}
	if current != "" {
		c.Action = foundation.ActionUpdate
		c.Diffs = []foundation.Diff{{Field: "Alias", From: current, To: spec.Alias}}
		res.Previous = current
	}
	err = rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := api.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: &spec.Alias}, retryIAM)
		if is[*iamtypes.EntityAlreadyExistsException](err) {
			// Taken, or set on this account by a concurrent run: re-read.
			now, rerr := accountAlias(ctx, api)
			switch {
			case rerr != nil:
				return fmt.Errorf("organizations: account alias %q: create: %w (then list: %v)", spec.Alias, err, rerr)
			case now == spec.Alias:
				res.Previous = ""
				return plan.ErrUnchanged
			default:
				return &AliasTakenError{Alias: spec.Alias, Current: now, Err: err}
			}
		}
		if err != nil {
			return fmt.Errorf("organizations: account alias %q: create: %w", spec.Alias, err)
		}
		return nil
	})
	if err != nil {
		return nil, rec.Fail(err)
	}
	res.Alias = spec.Alias
	res.Changes = rec.Changes()
	return res, nil
}

// accountAlias returns the account's alias, "" when it has none.
func accountAlias(ctx context.Context, api AccountAliasAPI) (string, error) {
	p := iam.NewListAccountAliasesPaginator(api, &iam.ListAccountAliasesInput{})
	var aliases []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryIAM)
		if err != nil {
			return "", err
		}
		aliases = append(aliases, out.AccountAliases...)
	}
	if len(aliases) == 0 {
		return "", nil
	}
	return aliases[0], nil
}
