package emulator_test

import (
	"strings"
	"testing"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// TestAWSCLIWebIdentity drives AssumeRoleWithWebIdentity with the AWS CLI,
// which sends it unsigned: a role trusting GitHub's immutable subject is
// assumed with a token carrying it, and refused one carrying the mutable
// subject.
func TestAWSCLIWebIdentity(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		r.ok("iam", "create-open-id-connect-provider", "--url", "https://token.actions.githubusercontent.com",
			"--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1")
		r.ok("iam", "create-role", "--role-name", "gha", "--assume-role-policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
 "Action":"sts:AssumeRoleWithWebIdentity",
 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",
   "token.actions.githubusercontent.com:sub":"repo:octo-org@1/app@2:ref:refs/heads/main"}}}]}`)
		token := func(sub string) string {
			tok, err := srv.WebIdentityToken(map[string]any{"iss": "https://token.actions.githubusercontent.com",
				"aud": "sts.amazonaws.com", "sub": sub})
			require.NoError(t, err)
			return tok
		}
		args := func(tok string) []string {
			return []string{"sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::123456789012:role/gha",
				"--role-session-name", "gha-run", "--web-identity-token", tok}
		}
		out := r.ok(args(token("repo:octo-org@1/app@2:ref:refs/heads/main"))...)
		require.Equal(t, "arn:aws:sts::123456789012:assumed-role/gha/gha-run", emutest.Dig(out, "AssumedRoleUser", "Arn"))
		require.Equal(t, "repo:octo-org@1/app@2:ref:refs/heads/main", out["SubjectFromWebIdentityToken"])
		r.failsWithStatus("AccessDenied", 403, args(token("repo:octo-org/app:ref:refs/heads/main"))...)
		r.failsWithStatus("InvalidIdentityToken", 400, args("a.b.c")...)
	})
}

// TestAWSCLIAccount drives the Account Management API (restJson1) with the
// AWS CLI: alternate contacts, Region opt-in with its async states and
// conflicts, the account name, and the errors with their HTTP statuses.
func TestAWSCLIAccount(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		r.failsWithStatus("ResourceNotFoundException", 404, "account", "get-alternate-contact", "--alternate-contact-type", "SECURITY")
		r.ok("account", "put-alternate-contact", "--alternate-contact-type", "SECURITY", "--name", "Sec Team",
			"--title", "CISO", "--email-address", "security@example.com", "--phone-number", "+1 555 0100")
		got := r.ok("account", "get-alternate-contact", "--alternate-contact-type", "SECURITY")
		require.Equal(t, "security@example.com", emutest.Dig(got, "AlternateContact", "EmailAddress"))
		require.Equal(t, "SECURITY", emutest.Dig(got, "AlternateContact", "AlternateContactType"))
		r.failsWithStatus("ValidationException", 400, "account", "put-alternate-contact", "--alternate-contact-type", "BILLING",
			"--name", "B", "--title", "T", "--email-address", "not-an-email", "--phone-number", "1")
		r.ok("account", "delete-alternate-contact", "--alternate-contact-type", "SECURITY")

		// Region opt-in and the account name came after some CLIs
		// (aws-cli 2.9 knows only the contact operations).
		if _, stderr, _ := r.run("account", "get-region-opt-status", "--region-name", "eu-central-2"); strings.Contains(stderr, "Invalid choice") {
			t.Logf("%s has no Region opt-in or account name commands: those checked with the SDK only", cli.version)
			return
		}
		require.Equal(t, "DISABLED", r.ok("account", "get-region-opt-status", "--region-name", "eu-central-2")["RegionOptStatus"])
		r.ok("account", "enable-region", "--region-name", "eu-central-2")
		require.Equal(t, "ENABLING", r.ok("account", "get-region-opt-status", "--region-name", "eu-central-2")["RegionOptStatus"])
		r.failsWithStatus("ConflictException", 409, "account", "disable-region", "--region-name", "eu-central-2")
		r.failsWithStatus("ValidationException", 400, "account", "enable-region", "--region-name", "us-east-1")
		regions := r.ok("account", "list-regions", "--region-opt-status-contains", "ENABLED_BY_DEFAULT")
		require.Len(t, regions["Regions"], 17) // the CLI follows NextToken itself

		r.ok("account", "put-account-name", "--account-name", "Management")
		require.Equal(t, "Management", r.ok("account", "get-account-information")["AccountName"])
		r.failsWithStatus("AccessDeniedException", 403, "account", "get-account-information", "--account-id", "999999999999")
		r.failsWithStatus("AccessDeniedException", 403, "account", "get-primary-email", "--account-id", "999999999999")
	})
}
