package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func client(srv *emulator.Server, ak string) *account.Client {
	return account.NewFromConfig(emutest.Config(srv, ak))
}

func TestAccountAlternateContacts(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := client(srv, "AKIDEXAMPLE")
	_, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	_, err = c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity,
		Name: aws.String("Sec Ops"), Title: aws.String("CISO"), EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("+1 555 0100")})
	require.NoError(t, err)
	got, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity})
	require.NoError(t, err)
	require.Equal(t, "sec@example.com", aws.ToString(got.AlternateContact.EmailAddress))
	require.Equal(t, types.AlternateContactTypeSecurity, got.AlternateContact.AlternateContactType)

	_, err = c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling,
		Name: aws.String("B"), Title: aws.String("T"), EmailAddress: aws.String("not-an-email"), PhoneNumber: aws.String("1")})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	require.Equal(t, types.ValidationExceptionReasonFieldValidationFailed, ve.Reason)

	_, err = c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity})
	require.NoError(t, err)
	_, err = c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity})
	require.ErrorAs(t, err, &nf)
}

func TestAccountRegionOptIn(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := emutest.Start(t, emulator.Options{Clock: func() time.Time { return now }})
	ctx := context.Background()
	c := client(srv, "AKIDEXAMPLE")
	status := func(r string) types.RegionOptStatus {
		out, err := c.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(r)})
		require.NoError(t, err)
		return out.RegionOptStatus
	}
	require.Equal(t, types.RegionOptStatusEnabledByDefault, status("us-east-1"))
	require.Equal(t, types.RegionOptStatusDisabled, status("eu-central-2"))
	_, err := c.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String("us-east-1")})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	require.Equal(t, types.ValidationExceptionReasonInvalidRegionOptTarget, ve.Reason)

	_, err = c.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String("eu-central-2")})
	require.NoError(t, err)
	require.Equal(t, types.RegionOptStatusEnabling, status("eu-central-2"))
	_, err = c.DisableRegion(ctx, &account.DisableRegionInput{RegionName: aws.String("eu-central-2")})
	var ce *types.ConflictException
	require.ErrorAs(t, err, &ce)
	now = now.Add(emulator.DefaultAsyncDuration) // settles with time
	require.Equal(t, types.RegionOptStatusEnabled, status("eu-central-2"))

	_, err = c.DisableRegion(ctx, &account.DisableRegionInput{RegionName: aws.String("eu-central-2")})
	require.NoError(t, err)
	require.Equal(t, types.RegionOptStatusDisabling, status("eu-central-2"))
	require.Equal(t, types.RegionOptStatusDisabling, status("eu-central-2"))
	require.Equal(t, types.RegionOptStatusDisabled, status("eu-central-2")) // and with reads

	// ListRegions pages (the emulator's page size is 2) and filters.
	p := account.NewListRegionsPaginator(c, &account.ListRegionsInput{RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabledByDefault}})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		n += len(out.Regions)
		pages++
	}
	require.Equal(t, 17, n)
	require.Equal(t, 9, pages)
}

func TestAccountNameAndMemberAccess(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	org, _, _ := emutest.OrgSetup(t, srv)
	st := emutest.CreateAccount(t, org, "dev", "dev@example.com")
	member := aws.ToString(emutest.WaitCreateAccount(t, org, aws.ToString(st.Id)).AccountId)
	c := client(srv, "AKIDEXAMPLE")

	_, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("Management")})
	require.NoError(t, err)
	info, err := c.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
	require.NoError(t, err)
	require.Equal(t, "Management", aws.ToString(info.AccountName))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(info.AccountId))

	// A member account needs trusted access first.
	var ad *types.AccessDeniedException
	_, err = c.PutAccountName(ctx, &account.PutAccountNameInput{AccountId: aws.String(member), AccountName: aws.String("Dev")})
	require.ErrorAs(t, err, &ad)
	_, err = org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("account.amazonaws.com")})
	require.NoError(t, err)
	info, err = c.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: aws.String(member)})
	require.NoError(t, err)
	require.Equal(t, "dev", aws.ToString(info.AccountName), "the name the account was created with")
	_, err = c.PutAccountName(ctx, &account.PutAccountNameInput{AccountId: aws.String(member), AccountName: aws.String("Dev")})
	require.NoError(t, err)
	info, err = c.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: aws.String(member)})
	require.NoError(t, err)
	require.Equal(t, "Dev", aws.ToString(info.AccountName))
	desc, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member)})
	require.NoError(t, err)
	require.Equal(t, "Dev", aws.ToString(desc.Account.Name), "Organizations shows the new name")

	email, err := c.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: aws.String(member)})
	require.NoError(t, err)
	require.Equal(t, "dev@example.com", aws.ToString(email.PrimaryEmail))

	// Not a member, or the caller's own ID: AccessDeniedException.
	for _, id := range []string{"999999999999", emulator.DefaultManagementAccountID} {
		_, err = c.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: aws.String(id)})
		require.ErrorAs(t, err, &ad, id)
	}
	var ve *types.ValidationException
	_, err = c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("bad<name>")})
	require.True(t, errors.As(err, &ve), "%v", err)
}

// TestAccountSnapshot checks reads leave the snapshot as it was and writes
// show in it.
func TestAccountSnapshot(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	before, err := srv.Snapshot()
	require.NoError(t, err)
	c := client(srv, "AKIDEXAMPLE")
	_, err = c.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String("eu-south-2")})
	require.NoError(t, err)
	after, err := srv.Snapshot()
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	_, err = c.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String("eu-south-2")})
	require.NoError(t, err)
	after, err = srv.Snapshot()
	require.NoError(t, err)
	require.Contains(t, string(after), `"eu-south-2": "ENABLING"`)
}
