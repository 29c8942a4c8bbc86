package sts_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	out, err := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(out.Account))
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":root", aws.ToString(out.Arn))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(out.UserId))
}

func TestSTSAssumeRoleActsInTargetAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	arn, err := srv.CreateRole(emutest.Member, "OrganizationAccountAccessRole", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+emutest.Member+":role/OrganizationAccountAccessRole", arn)

	mgmt := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	out, err := mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("foundation")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::"+emutest.Member+":assumed-role/OrganizationAccountAccessRole/foundation", aws.ToString(out.AssumedRoleUser.Arn))
	require.NotNil(t, out.Credentials.Expiration)

	cfg := emutest.Config(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, emutest.Member, aws.ToString(who.Account))
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(who.Arn))
	calls := srv.Calls()
	require.Equal(t, emutest.Member, calls[len(calls)-1].Account)
}

func TestSTSAssumeRoleChecksTrust(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	mgmt := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	assume := func(role, externalID string) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + emutest.Member + ":role/" + role), RoleSessionName: aws.String("s1")}
		if externalID != "" {
			in.ExternalId = aws.String(externalID)
		}
		_, err := mgmt.AssumeRole(ctx, in)
		return err
	}
	// No such role.
	emutest.RequireCode(t, assume("Missing", ""), "AccessDenied")
	// Trusts another account only.
	_, err := srv.CreateRole(emutest.Member, "OtherTrust", emutest.TrustAccount("999999999999", ""))
	require.NoError(t, err)
	emutest.RequireCode(t, assume("OtherTrust", ""), "AccessDenied")
	// External ID condition.
	_, err = srv.CreateRole(emutest.Member, "WithExternalID", emutest.TrustAccount(emulator.DefaultManagementAccountID,
		`,"Condition":{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`))
	require.NoError(t, err)
	emutest.RequireCode(t, assume("WithExternalID", ""), "AccessDenied")
	emutest.RequireCode(t, assume("WithExternalID", "wrong-id"), "AccessDenied")
	require.NoError(t, assume("WithExternalID", "s3cr3t-id"))
	// Explicit deny wins.
	_, err = srv.CreateRole(emutest.Member, "Denied", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"`+emulator.DefaultManagementAccountID+`"},"Action":"sts:*"}]}`)
	require.NoError(t, err)
	emutest.RequireCode(t, assume("Denied", ""), "AccessDenied")
	// A service principal does not let an account in.
	_, err = srv.CreateRole(emutest.Member, "ServiceOnly", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	require.NoError(t, err)
	emutest.RequireCode(t, assume("ServiceOnly", ""), "AccessDenied")

	// Validation.
	_, err = mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + emutest.Member + ":role/WithExternalID"),
		RoleSessionName: aws.String("x")})
	emutest.RequireCode(t, err, "ValidationError")
	_, err = mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + emutest.Member + ":role/WithExternalID"),
		RoleSessionName: aws.String("ok-name"), ExternalId: aws.String("s3cr3t-id"), DurationSeconds: aws.Int32(7200)})
	emutest.RequireCode(t, err, "ValidationError")
	_, err = srv.CreateRole(emutest.Member, "WithExternalID", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	emutest.RequireCode(t, err, "EntityAlreadyExists")
}

func TestSTSExpiredSession(t *testing.T) {
	now := aws.Time(emutest.TimeFixed)
	srv := emutest.Start(t, emulator.Options{Clock: func() timeT { return *now }})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	arn, err := srv.CreateRole(emutest.Member, "R", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	require.NoError(t, err)
	out, err := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	require.NoError(t, err)
	*now = now.Add(901e9)
	cfg := emutest.Config(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	emutest.RequireCode(t, err, "ExpiredToken")
}

type timeT = time.Time

func TestSTSTrustBoolCondition(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	mgmt := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	_, err := srv.CreateRole(emutest.Member, "NeedsMFA", emutest.TrustAccount(emulator.DefaultManagementAccountID,
		`,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))
	require.NoError(t, err)
	_, err = srv.CreateRole(emutest.Member, "DenyWithoutMFA", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+emulator.DefaultManagementAccountID+`"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	require.NoError(t, err)
	for _, role := range []string{"NeedsMFA", "DenyWithoutMFA"} {
		_, err := mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + emutest.Member + ":role/" + role), RoleSessionName: aws.String("s1")})
		emutest.RequireCode(t, err, "AccessDenied")
	}
}
