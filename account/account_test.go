package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
)

var (
	billing  = &account.Contact{Name: "Ada Billing", Title: "Finance", Email: "billing@example.com", Phone: "+1 555 0100"}
	ops      = &account.Contact{Name: "Ops Rota", Title: "SRE", Email: "ops@example.com", Phone: "+1 (555) 0101"}
	security = &account.Contact{Name: "Sec Team", Title: "CISO", Email: "security@example.com", Phone: "+44 20 7946 0000"}
)

func changes(cs foundation.Changes) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Action) + " " + c.Resource + " " + c.ID
	}
	return out
}

func readContact(t *testing.T, api *acct.Client, accountID string, typ types.AlternateContactType) *types.AlternateContact {
	t.Helper()
	in := &acct.GetAlternateContactInput{AlternateContactType: typ}
	if accountID != "" {
		in.AccountId = aws.String(accountID)
	}
	out, err := api.GetAlternateContact(awstest.Context(t, 30*time.Second), in)
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	require.NoError(t, err)
	return out.AlternateContact
}

// Converges the three contacts of the caller's account, reads them back,
// reruns as a no-op, repairs drift (someone changed the security email),
// and plans the repair in a dry run without writing.
func TestEnsureAlternateContacts(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the contacts are the account's
	ctx := awstest.Context(t, time.Minute)
	api := acct.NewFromConfig(b.Config())
	spec := account.ContactsSpec{Billing: billing, Operations: ops, Security: security}
	run := func(opts ...foundation.Option) (*account.Contacts, error) {
		return account.EnsureAlternateContacts(ctx, api, spec, awstest.Fast(opts...)...)
	}

	// A dry run plans the three and writes nothing.
	mark := b.Mark()
	got, err := run(foundation.WithDryRun(true))
	require.NoError(t, err)
	require.Equal(t, []string{"create account:alternate-contact BILLING", "create account:alternate-contact OPERATIONS",
		"create account:alternate-contact SECURITY"}, changes(got.Changes))
	b.RequireNoMutations(t, mark)
	require.Nil(t, readContact(t, api, "", types.AlternateContactTypeSecurity))

	got, err = run()
	require.NoError(t, err)
	require.Len(t, got.Changes, 3)
	sec := readContact(t, api, "", types.AlternateContactTypeSecurity)
	require.Equal(t, "security@example.com", aws.ToString(sec.EmailAddress))
	require.Equal(t, "+44 20 7946 0000", aws.ToString(sec.PhoneNumber))
	require.Equal(t, "SRE", aws.ToString(readContact(t, api, "", types.AlternateContactTypeOperations).Title))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := run()
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	// Drift: the security contact's email changed by hand.
	_, err = api.PutAlternateContact(ctx, &acct.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity,
		Name: aws.String(security.Name), Title: aws.String(security.Title), EmailAddress: aws.String("someone@example.com"), PhoneNumber: aws.String(security.Phone)})
	require.NoError(t, err)
	mark = b.Mark()
	got, err = run(foundation.WithDryRun(true))
	require.NoError(t, err)
	b.RequireNoMutations(t, mark)
	require.Equal(t, []string{"update account:alternate-contact SECURITY"}, changes(got.Changes))
	require.Equal(t, []foundation.Diff{{Field: "EmailAddress", From: "someone@example.com", To: "security@example.com"}}, got.Changes[0].Diffs)
	got, err = run()
	require.NoError(t, err)
	require.Len(t, got.Changes, 1)
	require.Equal(t, "security@example.com", aws.ToString(readContact(t, api, "", types.AlternateContactTypeSecurity).EmailAddress))
}

// Member accounts: the management account converges a member's contacts
// and name with AccountID once trusted access for account.amazonaws.com is
// on; an account outside the organization is refused with AWS's
// AccessDeniedException, wrapped with what AWS requires.
func TestMemberAccountSettings(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, time.Minute)
	member := b.MemberAccount(ctx, t, "acct")
	_, err := b.Organizations().EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(account.ServicePrincipal)})
	require.NoError(t, err)
	api := acct.NewFromConfig(b.Config())
	spec := account.ContactsSpec{AccountID: member, Security: security}
	got, err := account.EnsureAlternateContacts(ctx, api, spec, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, []string{"create account:alternate-contact " + member + "/SECURITY"}, changes(got.Changes))
	require.Equal(t, "security@example.com", aws.ToString(readContact(t, api, member, types.AlternateContactTypeSecurity).EmailAddress))
	require.Nil(t, readContact(t, api, "", types.AlternateContactTypeSecurity), "the management account's own contact is untouched")
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := account.EnsureAlternateContacts(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	if !b.Lacks(awstest.AccountName) {
		n, err := account.EnsureAccountName(ctx, api, account.NameSpec{AccountID: member, Name: "Workload Dev"}, awstest.Fast()...)
		require.NoError(t, err)
		require.Len(t, n.Changes, 1)
		info, err := api.GetAccountInformation(ctx, &acct.GetAccountInformationInput{AccountId: aws.String(member)})
		require.NoError(t, err)
		require.Equal(t, "Workload Dev", aws.ToString(info.AccountName))
	}

	if !b.Lacks(awstest.AccountPrimaryEmail) {
		email, err := account.PrimaryEmail(ctx, api, member)
		require.NoError(t, err)
		desc, err := b.Organizations().DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member)})
		require.NoError(t, err)
		require.Equal(t, aws.ToString(desc.Account.Email), email)
		_, err = account.PrimaryEmail(ctx, api, "")
		require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	}

	if !b.Lacks(awstest.AccountMemberAccess) {
		_, err = account.EnsureAlternateContacts(ctx, api, account.ContactsSpec{AccountID: "999999999999", Security: security}, awstest.Fast()...)
		var ad *types.AccessDeniedException
		require.ErrorAs(t, err, &ad)
		require.ErrorContains(t, err, "trusted access for account.amazonaws.com")
	}
}

// Enables an opt-in Region and waits until it is ENABLED, reruns as a
// no-op, disables it; a Region still DISABLING is waited out before it is
// enabled again; disabling a Region enabled by default is a RegionError.
func TestEnsureRegionOptIn(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	b.Need(t, awstest.AccountRegionOptIn)
	ctx := awstest.Context(t, time.Minute)
	api := acct.NewFromConfig(b.Config())
	status := func(r string) types.RegionOptStatus {
		out, err := api.GetRegionOptStatus(ctx, &acct.GetRegionOptStatusInput{RegionName: aws.String(r)})
		require.NoError(t, err)
		return out.RegionOptStatus
	}
	ensure := func(spec account.RegionsSpec, opts ...foundation.Option) (*account.Regions, error) {
		return account.EnsureRegionOptIn(ctx, api, spec, awstest.Fast(opts...)...)
	}
	on := account.RegionsSpec{Enabled: []string{"eu-central-2", "us-east-1"}}

	mark := b.Mark()
	got, err := ensure(on, foundation.WithDryRun(true))
	require.NoError(t, err)
	b.RequireNoMutations(t, mark)
	require.Equal(t, []string{"update account:region eu-central-2"}, changes(got.Changes))

	got, err = ensure(on)
	require.NoError(t, err)
	require.Equal(t, []string{"update account:region eu-central-2"}, changes(got.Changes))
	require.Equal(t, types.RegionOptStatusEnabled, got.Status["eu-central-2"])
	require.Equal(t, types.RegionOptStatusEnabledByDefault, got.Status["us-east-1"])
	require.Equal(t, types.RegionOptStatusEnabled, status("eu-central-2"))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ensure(on)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	// DISABLING when asked to enable: waited out, then enabled (AWS
	// refuses EnableRegion with ConflictException meanwhile).
	_, err = api.DisableRegion(ctx, &acct.DisableRegionInput{RegionName: aws.String("eu-central-2")})
	require.NoError(t, err)
	got, err = ensure(account.RegionsSpec{Enabled: []string{"eu-central-2"}})
	require.NoError(t, err)
	require.Equal(t, []foundation.Diff{{Field: "RegionOptStatus", From: "DISABLED", To: "ENABLED"}}, got.Changes[0].Diffs)
	require.Equal(t, types.RegionOptStatusEnabled, status("eu-central-2"))

	got, err = ensure(account.RegionsSpec{Disabled: []string{"eu-central-2"}, NoWait: true})
	require.NoError(t, err)
	require.Equal(t, types.RegionOptStatusDisabling, got.Status["eu-central-2"])

	_, err = ensure(account.RegionsSpec{Disabled: []string{"us-east-1"}})
	var re *account.RegionError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, foundation.ErrConflict)
	require.Equal(t, "ENABLED_BY_DEFAULT", re.Status)
}

// Sets the account's name, reads it back, reruns as a no-op.
func TestEnsureAccountName(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	b.Need(t, awstest.AccountName)
	ctx := awstest.Context(t, time.Minute)
	api := acct.NewFromConfig(b.Config())
	spec := account.NameSpec{Name: "Management"}
	got, err := account.EnsureAccountName(ctx, api, spec, awstest.Fast()...)
	require.NoError(t, err)
	require.Equal(t, b.AccountID(t), got.AccountID)
	require.Equal(t, "AccountName", got.Changes[0].Diffs[0].Field)
	info, err := api.GetAccountInformation(ctx, &acct.GetAccountInformationInput{})
	require.NoError(t, err)
	require.Equal(t, "Management", aws.ToString(info.AccountName))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := account.EnsureAccountName(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// Bad input is refused before any call, naming the field and the rule; an
// account a dry run predicted is planned without calls and refused in a
// real run.
func TestValidation(t *testing.T) {
	bad := []struct {
		name string
		err  error
		want string
	}{
		{"no contact", account.ContactsSpec{}.Validate(), "names no contact"},
		{"email", account.ContactsSpec{Security: &account.Contact{Name: "a", Title: "b", Email: "nope", Phone: "1"}}.Validate(), "spec.Security.Email"},
		{"phone", account.ContactsSpec{Billing: &account.Contact{Name: "a", Title: "b", Email: "a@b.co", Phone: "call me"}}.Validate(), "spec.Billing.Phone"},
		{"long name", account.ContactsSpec{Operations: &account.Contact{Name: string(make([]byte, 65)), Title: "b", Email: "a@b.co", Phone: "1"}}.Validate(), "spec.Operations.Name"},
		{"account", account.ContactsSpec{AccountID: "12", Security: security}.Validate(), "spec.AccountID"},
		{"region", account.RegionsSpec{Enabled: []string{"EU-1"}}.Validate(), "spec.Enabled[0]"},
		{"both", account.RegionsSpec{Enabled: []string{"eu-south-2"}, Disabled: []string{"eu-south-2"}}.Validate(), "is also spec.Enabled[0]"},
		{"no region", account.RegionsSpec{}.Validate(), "names no Region"},
		{"name", account.NameSpec{Name: "<dev>"}.Validate(), "spec.Name"},
		{"predicted", account.NameSpec{AccountID: plan.Predict("account", "dev"), Name: "dev"}.Validate(), "a dry run predicted"},
	}
	for _, tc := range bad {
		if !errors.Is(tc.err, foundation.ErrInvalidSpec) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrInvalidSpec naming %q", tc.name, tc.err, tc.want)
		}
	}
	var none account.API // nil: any call would panic
	if _, err := account.EnsureAccountName(t.Context(), none, account.NameSpec{Name: "x"}); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("nil api: %v", err)
	}
	// A dry run on an account that does not exist yet plans without calls.
	predicted := plan.Predict("account", "dev")
	got, err := account.EnsureAlternateContacts(t.Context(), none, account.ContactsSpec{AccountID: predicted, Security: security}, foundation.WithDryRun(true))
	if err == nil {
		t.Fatalf("nil api accepted: %v", got)
	}
	r, err := account.EnsureRegionOptIn(t.Context(), panicAPI{}, account.RegionsSpec{AccountID: predicted, Enabled: []string{"eu-south-2"}}, foundation.WithDryRun(true))
	require.NoError(t, err)
	require.Equal(t, []string{"update account:region " + predicted + "/eu-south-2"}, changes(r.Changes))
}

type panicAPI struct{ account.API }

// TestFaultMatrix fails each write of a run that sets the three contacts,
// the account name and an opt-in Region, before and after the write: a
// rerun reaches the state of the undisturbed run, then changes nothing.
func TestFaultMatrix(t *testing.T) {
	awstest.FaultMatrix[struct{}]{
		Run: func(ctx context.Context, b *awstest.Backend, _ struct{}) error {
			api := acct.NewFromConfig(b.Config())
			if _, err := account.EnsureAlternateContacts(ctx, api, account.ContactsSpec{Billing: billing, Operations: ops, Security: security}, awstest.Fast()...); err != nil {
				return err
			}
			if _, err := account.EnsureAccountName(ctx, api, account.NameSpec{Name: "Management"}, awstest.Fast()...); err != nil {
				return err
			}
			_, err := account.EnsureRegionOptIn(ctx, api, account.RegionsSpec{Enabled: []string{"eu-central-2"}}, awstest.Fast()...)
			return err
		},
		Calls: 5,
		Check: func(t *testing.T, op string, err error) {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.HasPrefix(err.Error(), "account: the caller's account: ") {
				t.Fatalf("%s: %v: want the injected AccessDenied, wrapped with the package and the account", op, err)
			}
		},
	}.Test(t)
}
