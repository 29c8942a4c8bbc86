package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	srv := startTest(t, Options{})
	out, err := sts.NewFromConfig(testConfig(srv, "AKIDEXAMPLE")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, DefaultManagementAccountID, aws.ToString(out.Account))
	require.Equal(t, "arn:aws:iam::"+DefaultManagementAccountID+":root", aws.ToString(out.Arn))
	require.Equal(t, DefaultManagementAccountID, aws.ToString(out.UserId))
}

func TestSTSAssumeRoleActsInTargetAccount(t *testing.T) {
	srv := startTest(t, Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(member))
	arn, err := srv.CreateRole(member, "OrganizationAccountAccessRole", trustAccount(DefaultManagementAccountID, ""))
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole", arn)

	mgmt := sts.NewFromConfig(testConfig(srv, "AKIDEXAMPLE"))
	out, err := mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("foundation")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/foundation", aws.ToString(out.AssumedRoleUser.Arn))
	require.NotNil(t, out.Credentials.Expiration)

	cfg := testConfig(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, member, aws.ToString(who.Account))
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(who.Arn))
	calls := srv.Calls()
	require.Equal(t, member, calls[len(calls)-1].Account)
}

func TestSTSAssumeRoleChecksTrust(t *testing.T) {
	srv := startTest(t, Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(member))
	mgmt := sts.NewFromConfig(testConfig(srv, "AKIDEXAMPLE"))
	assume := func(role, externalID string) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/" + role), RoleSessionName: aws.String("s1")}
		if externalID != "" {
			in.ExternalId = aws.String(externalID)
		}
		_, err := mgmt.AssumeRole(ctx, in)
		return err
	}
	// No such role.
	requireCode(t, assume("Missing", ""), "AccessDenied")
	// Trusts another account only.
	_, err := srv.CreateRole(member, "OtherTrust", trustAccount("999999999999", ""))
	require.NoError(t, err)
	requireCode(t, assume("OtherTrust", ""), "AccessDenied")
	// External ID condition.
	_, err = srv.CreateRole(member, "WithExternalID", trustAccount(DefaultManagementAccountID,
		`,"Condition":{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`))
	require.NoError(t, err)
	requireCode(t, assume("WithExternalID", ""), "AccessDenied")
	requireCode(t, assume("WithExternalID", "wrong-id"), "AccessDenied")
	require.NoError(t, assume("WithExternalID", "s3cr3t-id"))
	// Explicit deny wins.
	_, err = srv.CreateRole(member, "Denied", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"`+DefaultManagementAccountID+`"},"Action":"sts:*"}]}`)
	require.NoError(t, err)
	requireCode(t, assume("Denied", ""), "AccessDenied")
	// A service principal does not let an account in.
	_, err = srv.CreateRole(member, "ServiceOnly", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	require.NoError(t, err)
	requireCode(t, assume("ServiceOnly", ""), "AccessDenied")

	// Validation.
	_, err = mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/WithExternalID"),
		RoleSessionName: aws.String("x")})
	requireCode(t, err, "ValidationError")
	_, err = mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/WithExternalID"),
		RoleSessionName: aws.String("ok-name"), ExternalId: aws.String("s3cr3t-id"), DurationSeconds: aws.Int32(7200)})
	requireCode(t, err, "ValidationError")
	_, err = srv.CreateRole(member, "WithExternalID", trustAccount(DefaultManagementAccountID, ""))
	requireCode(t, err, "EntityAlreadyExists")
}

func TestSTSExpiredSession(t *testing.T) {
	now := aws.Time(timeFixed)
	srv := startTest(t, Options{Clock: func() timeT { return *now }})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(member))
	arn, err := srv.CreateRole(member, "R", trustAccount(DefaultManagementAccountID, ""))
	require.NoError(t, err)
	out, err := sts.NewFromConfig(testConfig(srv, "AKIDEXAMPLE")).AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	require.NoError(t, err)
	*now = now.Add(901e9)
	cfg := testConfig(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	requireCode(t, err, "ExpiredToken")
}

type timeT = time.Time

func TestSTSTrustBoolCondition(t *testing.T) {
	srv := startTest(t, Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(member))
	mgmt := sts.NewFromConfig(testConfig(srv, "AKIDEXAMPLE"))
	_, err := srv.CreateRole(member, "NeedsMFA", trustAccount(DefaultManagementAccountID,
		`,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))
	require.NoError(t, err)
	_, err = srv.CreateRole(member, "DenyWithoutMFA", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+DefaultManagementAccountID+`"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	require.NoError(t, err)
	for _, role := range []string{"NeedsMFA", "DenyWithoutMFA"} {
		_, err := mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/" + role), RoleSessionName: aws.String("s1")})
		requireCode(t, err, "AccessDenied")
	}
}
