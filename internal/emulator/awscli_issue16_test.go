package emulator_test

import (
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
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			t.Parallel()
			srv := emutest.Start(t, emulator.Options{})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")
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
}
