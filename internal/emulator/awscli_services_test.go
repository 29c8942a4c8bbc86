package emulator_test

import (
	"testing"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// TestAWSCLITrustedAccess drives trusted access and delegated
// administrators with the AWS CLI, errors included.
func TestAWSCLITrustedAccess(t *testing.T) {
	t.Parallel()
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			t.Parallel()
			srv := emutest.Start(t, emulator.Options{})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")
			r.ok("organizations", "create-organization", "--feature-set", "ALL")
			created := r.ok("organizations", "create-account", "--account-name", "sec", "--email", "sec@example.com")
			reqID, _ := emutest.Dig(created, "CreateAccountStatus", "Id").(string)
			var member string
			for i := 0; i < 10 && member == ""; i++ {
				st := r.ok("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
				member, _ = emutest.Dig(st, "CreateAccountStatus", "AccountId").(string)
			}
			require.NotEmpty(t, member)

			r.failsWithStatus("ConstraintViolationException", 400, "organizations", "register-delegated-administrator",
				"--account-id", member, "--service-principal", "sso.amazonaws.com")
			r.ok("organizations", "enable-aws-service-access", "--service-principal", "sso.amazonaws.com")
			r.ok("organizations", "enable-aws-service-access", "--service-principal", "sso.amazonaws.com")
			r.fails("InvalidInputException", "organizations", "enable-aws-service-access", "--service-principal", "nope.amazonaws.com")
			list := r.ok("organizations", "list-aws-service-access-for-organization")
			require.Equal(t, "sso.amazonaws.com", emutest.Dig(list, "EnabledServicePrincipals", 0, "ServicePrincipal"))

			r.fails("ConstraintViolationException", "organizations", "register-delegated-administrator",
				"--account-id", emulator.DefaultManagementAccountID, "--service-principal", "sso.amazonaws.com")
			r.ok("organizations", "register-delegated-administrator", "--account-id", member, "--service-principal", "sso.amazonaws.com")
			r.failsWithStatus("AccountAlreadyRegisteredException", 400, "organizations", "register-delegated-administrator",
				"--account-id", member, "--service-principal", "sso.amazonaws.com")
			admins := r.ok("organizations", "list-delegated-administrators", "--service-principal", "sso.amazonaws.com")
			require.Equal(t, member, emutest.Dig(admins, "DelegatedAdministrators", 0, "Id"))
			services := r.ok("organizations", "list-delegated-services-for-account", "--account-id", member)
			require.Equal(t, "sso.amazonaws.com", emutest.Dig(services, "DelegatedServices", 0, "ServicePrincipal"))

			r.ok("organizations", "deregister-delegated-administrator", "--account-id", member, "--service-principal", "sso.amazonaws.com")
			r.failsWithStatus("AccountNotRegisteredException", 400, "organizations", "deregister-delegated-administrator",
				"--account-id", member, "--service-principal", "sso.amazonaws.com")
			r.fails("AccountNotRegisteredException", "organizations", "list-delegated-services-for-account", "--account-id", member)
			r.ok("organizations", "disable-aws-service-access", "--service-principal", "sso.amazonaws.com")
			list = r.ok("organizations", "list-aws-service-access-for-organization")
			require.Empty(t, list["EnabledServicePrincipals"])
		})
	}
}
