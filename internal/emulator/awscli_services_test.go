package emulator_test

import (
	"strings"
	"testing"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// TestAWSCLITrustedAccess drives trusted access and delegated
// administrators with the AWS CLI, errors included.
func TestAWSCLITrustedAccess(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		r.ok("organizations", "create-organization", "--feature-set", "ALL")
		member := r.createAccount("--account-name", "sec", "--email", "sec@example.com")

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

// TestAWSCLIRootAccess drives centralized root access with the AWS CLI:
// the Organizations and IAM steps, sts assume-root as a role of the
// management account, and a root session that lists and deletes a member
// account's seeded root credentials. CLIs older than the feature
// (November 2024) skip.
func TestAWSCLIRootAccess(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		if _, stderr, err := r.run("iam", "list-organizations-features"); err != nil && strings.Contains(stderr, "Invalid choice") {
			t.Skipf("%s predates centralized root access (no iam list-organizations-features)", cli.version)
		}
		r.ok("organizations", "create-organization", "--feature-set", "ALL")
		member := r.createAccount("--account-name", "legacy", "--email", "legacy@example.com")
		require.NoError(t, srv.SeedRootCredentials(member, emulator.RootCredentials{Password: true, AccessKeys: 1}))

		r.failsWithStatus("ServiceAccessNotEnabledException", 400, "iam", "enable-organizations-root-sessions")
		r.ok("organizations", "enable-aws-service-access", "--service-principal", "iam.amazonaws.com")
		r.ok("iam", "enable-organizations-root-credentials-management")
		out := r.ok("iam", "enable-organizations-root-sessions")
		require.Len(t, out["EnabledFeatures"], 2)
		features := r.ok("iam", "list-organizations-features")
		require.ElementsMatch(t, []any{"RootCredentialsManagement", "RootSessions"}, features["EnabledFeatures"])

		task := "arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
		r.fails("AccessDenied", "sts", "assume-root", "--target-principal", member, "--task-policy-arn", task)
		_, err := srv.CreateRole(emulator.DefaultManagementAccountID, "Admin", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
		require.NoError(t, err)
		role := r.ok("sts", "assume-role", "--role-arn", "arn:aws:iam::"+emulator.DefaultManagementAccountID+":role/Admin", "--role-session-name", "ops")
		roleKey, _ := emutest.Dig(role, "Credentials", "AccessKeyId").(string)
		admin := newCLIRunner(t, cli, srv, roleKey)
		session := admin.ok("sts", "assume-root", "--target-principal", member, "--task-policy-arn", task, "--duration-seconds", "900")
		rootKey, _ := emutest.Dig(session, "Credentials", "AccessKeyId").(string)
		require.True(t, strings.HasPrefix(rootKey, "ASIA"), rootKey)

		root := newCLIRunner(t, cli, srv, rootKey)
		require.Equal(t, "arn:aws:iam::"+member+":root", root.ok("sts", "get-caller-identity")["Arn"])
		root.ok("iam", "get-login-profile")
		root.ok("iam", "delete-login-profile")
		root.failsWithStatus("NoSuchEntity", 404, "iam", "get-login-profile")
		keys := root.ok("iam", "list-access-keys")
		keyID, _ := emutest.Dig(keys, "AccessKeyMetadata", 0, "AccessKeyId").(string)
		require.NotEmpty(t, keyID)
		root.ok("iam", "delete-access-key", "--access-key-id", keyID)
		require.Empty(t, root.ok("iam", "list-access-keys")["AccessKeyMetadata"])
	})
}
