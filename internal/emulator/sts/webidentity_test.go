package sts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

const ghTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
 "Action":"sts:AssumeRoleWithWebIdentity",
 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",
   "token.actions.githubusercontent.com:sub":"repo:octo-org@1/app@2:ref:refs/heads/main",
   "token.actions.githubusercontent.com:repository_id":"2"}}}]}`

// TestSTSAssumeRoleWithWebIdentity checks the token (signature, expiry),
// the provider (present, audience) and the trust conditions on the token's
// claims, each with AWS's error, and that the request is served unsigned.
func TestSTSAssumeRoleWithWebIdentity(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	srv := emutest.Start(t, emulator.Options{Clock: func() time.Time { return now }})
	ctx := context.Background()
	roleARN, err := srv.CreateRole(emulator.DefaultManagementAccountID, "gha", ghTrust)
	require.NoError(t, err)
	// Unsigned, as the SDK sends it: anonymous credentials.
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	cfg.Credentials = aws.AnonymousCredentials{}
	client := sts.NewFromConfig(cfg)
	claims := func(edit func(map[string]any)) string {
		c := map[string]any{"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
			"sub": "repo:octo-org@1/app@2:ref:refs/heads/main", "repository_id": "2"}
		if edit != nil {
			edit(c)
		}
		tok, err := srv.WebIdentityToken(c)
		require.NoError(t, err)
		return tok
	}
	assume := func(tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return client.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN),
			RoleSessionName: aws.String("gha-run"), WebIdentityToken: aws.String(tok)})
	}

	_, err = assume(claims(nil))
	emutest.RequireCode(t, err, "InvalidIdentityToken") // no provider yet
	require.Contains(t, err.Error(), "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com")
	_, err = emutest.IAMClient(srv, "AKIDEXAMPLE").CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}})
	require.NoError(t, err)

	out, err := assume(claims(nil))
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/gha/gha-run", aws.ToString(out.AssumedRoleUser.Arn))
	require.Equal(t, "repo:octo-org@1/app@2:ref:refs/heads/main", aws.ToString(out.SubjectFromWebIdentityToken))
	require.Equal(t, "sts.amazonaws.com", aws.ToString(out.Audience))
	who, err := sts.NewFromConfig(func() aws.Config {
		c := emutest.Config(srv, aws.ToString(out.Credentials.AccessKeyId))
		return c
	}()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(who.Arn))

	for name, tc := range map[string]struct {
		tok, code string
	}{
		"mutable subject":    {claims(func(c map[string]any) { c["sub"] = "repo:octo-org/app:ref:refs/heads/main" }), "AccessDenied"},
		"other repository":   {claims(func(c map[string]any) { c["repository_id"] = "3" }), "AccessDenied"},
		"no repository_id":   {claims(func(c map[string]any) { delete(c, "repository_id") }), "AccessDenied"},
		"wrong audience":     {claims(func(c map[string]any) { c["aud"] = "other" }), "InvalidIdentityToken"},
		"expired":            {claims(func(c map[string]any) { c["exp"] = now.Add(-time.Second).Unix() }), "ExpiredTokenException"},
		"forged signature":   {claims(nil)[:len(claims(nil))-4] + "AAAA", "InvalidIdentityToken"},
		"not a JWT":          {"not-a-token", "InvalidIdentityToken"},
		"other issuer, none": {claims(func(c map[string]any) { c["iss"] = "https://gitlab.com" }), "InvalidIdentityToken"},
	} {
		_, err := assume(tc.tok)
		require.Errorf(t, err, name)
		emutest.RequireCode(t, err, tc.code)
		if tc.code == "AccessDenied" {
			require.True(t, strings.Contains(err.Error(), "Not authorized to perform sts:AssumeRoleWithWebIdentity"), name)
		}
	}
}
