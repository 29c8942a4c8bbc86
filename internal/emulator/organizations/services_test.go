package organizations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

const ssoPrincipal = "sso.amazonaws.com"

func requireInvalidReason(t *testing.T, err error, reason types.InvalidInputExceptionReason) {
	t.Helper()
	var ie *types.InvalidInputException
	require.Truef(t, errors.As(err, &ie), "want InvalidInputException %s, got %v", reason, err)
	require.Equal(t, reason, ie.Reason)
}

// TestTrustedAccessAndDelegatedAdministrators walks the operations in the
// order AWS requires (service access, then the administrator) and checks
// each documented refusal.
func TestTrustedAccessAndDelegatedAdministrators(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{PageSize: 1})
	client, _, _ := emutest.OrgSetup(t, srv)
	ctx := context.Background()
	a := aws.ToString(emutest.CreateAccount(t, client, "a", "a@example.com").AccountId)
	b := aws.ToString(emutest.CreateAccount(t, client, "b", "b@example.com").AccountId)

	register := func(acct, p string) error {
		_, err := client.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: &p})
		return err
	}
	// Before trusted access: SERVICE_ACCESS_NOT_ENABLED.
	requireReason(t, register(a, ssoPrincipal), types.ConstraintViolationExceptionReasonServiceAccessNotEnabled)

	for _, p := range []string{ssoPrincipal, "member.org.stacksets.cloudformation.amazonaws.com", ssoPrincipal} {
		_, err := client.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)})
		require.NoError(t, err, "enabling twice is no error")
	}
	_, err := client.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("nope.amazonaws.com")})
	requireInvalidReason(t, err, types.InvalidInputExceptionReasonUnrecognizedServicePrincipal)

	var enabled []string
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(client, &organizations.ListAWSServiceAccessForOrganizationInput{})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, s := range out.EnabledServicePrincipals {
			require.NotNil(t, s.DateEnabled)
			enabled = append(enabled, aws.ToString(s.ServicePrincipal))
		}
	}
	require.Equal(t, []string{"member.org.stacksets.cloudformation.amazonaws.com", ssoPrincipal}, enabled)
	require.GreaterOrEqual(t, pages, 2, "small pages")

	requireReason(t, register(srv.ManagementAccountID(), ssoPrincipal), types.ConstraintViolationExceptionReasonCannotRegisterMasterAsDelegatedAdministrator)
	var nf *types.AccountNotFoundException
	require.ErrorAs(t, register("999999999999", ssoPrincipal), &nf)
	require.NoError(t, register(a, ssoPrincipal))
	var already *types.AccountAlreadyRegisteredException
	require.ErrorAs(t, register(a, ssoPrincipal), &already)
	requireReason(t, register(b, ssoPrincipal), types.ConstraintViolationExceptionReasonDelegatedAdministratorExistsForThisService)
	// StackSets takes several administrators.
	require.NoError(t, register(a, "member.org.stacksets.cloudformation.amazonaws.com"))
	require.NoError(t, register(b, "member.org.stacksets.cloudformation.amazonaws.com"))

	admins := func(p string) []string {
		var ids []string
		in := &organizations.ListDelegatedAdministratorsInput{}
		if p != "" {
			in.ServicePrincipal = &p
		}
		pg := organizations.NewListDelegatedAdministratorsPaginator(client, in)
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			require.NoError(t, err)
			for _, d := range out.DelegatedAdministrators {
				require.Equal(t, types.AccountStateActive, d.State)
				require.NotNil(t, d.DelegationEnabledDate)
				ids = append(ids, aws.ToString(d.Id))
			}
		}
		return ids
	}
	require.Equal(t, []string{a}, admins(ssoPrincipal))
	require.ElementsMatch(t, []string{a, b}, admins(""))

	var services []string
	sp := organizations.NewListDelegatedServicesForAccountPaginator(client, &organizations.ListDelegatedServicesForAccountInput{AccountId: &a})
	for sp.HasMorePages() {
		out, err := sp.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range out.DelegatedServices {
			services = append(services, aws.ToString(s.ServicePrincipal))
		}
	}
	require.Equal(t, []string{"member.org.stacksets.cloudformation.amazonaws.com", ssoPrincipal}, services)

	deregister := func(acct, p string) error {
		_, err := client.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: &p})
		return err
	}
	require.NoError(t, deregister(a, ssoPrincipal))
	var notReg *types.AccountNotRegisteredException
	require.ErrorAs(t, deregister(a, ssoPrincipal), &notReg)
	require.NoError(t, deregister(a, "member.org.stacksets.cloudformation.amazonaws.com"))
	_, err = client.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: &a})
	require.ErrorAs(t, err, &notReg)

	// Member accounts are refused.
	member := emutest.OrgClient(srv, a)
	_, err = member.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	var denied *types.AccessDeniedException
	require.ErrorAs(t, err, &denied)

	snap, err := srv.Snapshot()
	require.NoError(t, err)
	require.Contains(t, string(snap), `"trustedAccess"`)
	require.Contains(t, string(snap), `"delegatedAdministrators"`)
}
