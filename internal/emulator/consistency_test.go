package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
)

const mgmt = emulator.DefaultManagementAccountID

// noRetries is a config whose clients make one attempt per call, so a
// test counts the emulator's refusals one by one.
func noRetries(srv *emulator.Server, ak string) aws.Config {
	cfg := emutest.Config(srv, ak)
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return cfg
}

// requireRefusal requires an AWS error with the code, HTTP status and
// message AWS sends.
func requireRefusal(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAsf(t, err, &apiErr, "want %s, got %v", code, err)
	require.Equal(t, code, apiErr.ErrorCode())
	require.Contains(t, apiErr.ErrorMessage(), msg)
	var re *smithyhttp.ResponseError
	require.ErrorAs(t, err, &re)
	require.Equal(t, status, re.HTTPStatusCode())
}

func trustRole(arn string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}]}`
}

func createRole(t *testing.T, client *iamsdk.Client, name string) string {
	t.Helper()
	out, err := client.CreateRole(context.Background(), &iamsdk.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(emutest.TrustAccount(mgmt, ""))})
	require.NoError(t, err)
	return aws.ToString(out.Role.Arn)
}

// The model is off by default: a role is a valid principal the moment it
// exists.
func TestConsistencyOffByDefault(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := iamsdk.NewFromConfig(noRetries(srv, "AKIDEXAMPLE"))
	arn := createRole(t, client, "new")
	_, err := client.CreateRole(context.Background(), &iamsdk.CreateRoleInput{RoleName: aws.String("trusts-new"),
		AssumeRolePolicyDocument: aws.String(trustRole(arn))})
	require.NoError(t, err)
	_, err = sts.NewFromConfig(noRetries(srv, "AKIDEXAMPLE")).AssumeRole(context.Background(),
		&sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
	require.NoError(t, err)
}

// A new role is refused as a principal, with each service's own error, for
// PrincipalRefusals uses; the next use succeeds.
func TestConsistencyNewPrincipalRefusals(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Consistency: emulator.Consistency{PrincipalRefusals: 2}})
	ctx := context.Background()
	cfg := noRetries(srv, "AKIDEXAMPLE")
	iamc := iamsdk.NewFromConfig(cfg)
	n := 0

	uses := []struct {
		name string
		use  func(arn string) error
		// status, code and message of the refusal
		status    int
		code, msg string
	}{
		{"IAM trust policy", func(arn string) error {
			n++
			_, err := iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("trusts-%d", n)),
				AssumeRolePolicyDocument: aws.String(trustRole(arn))})
			return err
		}, http.StatusBadRequest, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"` + "arn:aws:iam::" + mgmt + ":role/"},
		{"KMS key policy", func(arn string) error {
			_, err := kmssdk.NewFromConfig(cfg).CreateKey(ctx, &kmssdk.CreateKeyInput{
				Policy: aws.String(emutest.KeyPolicy([2]string{"arn:aws:iam::" + mgmt + ":root", "kms:*"}, [2]string{arn, "kms:Decrypt"}))})
			return err
		}, http.StatusBadRequest, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals."},
		{"ECR repository policy", func(arn string) error {
			repo := "repo-" + arn[len(arn)-4:]
			_, _ = ecrsdk.NewFromConfig(cfg).CreateRepository(ctx, &ecrsdk.CreateRepositoryInput{RepositoryName: aws.String(repo)})
			_, err := ecrsdk.NewFromConfig(cfg).SetRepositoryPolicy(ctx, &ecrsdk.SetRepositoryPolicyInput{RepositoryName: aws.String(repo),
				PolicyText: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"ecr:BatchGetImage"}]}`)})
			return err
		}, http.StatusBadRequest, "InvalidParameterException", "Invalid repository policy provided"},
		{"S3 bucket policy", func(arn string) error {
			s3c := s3sdk.NewFromConfig(cfg, func(o *s3sdk.Options) { o.UsePathStyle = true })
			bucket := "bucket-" + arn[len(arn)-4:]
			_, _ = s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String(bucket)})
			_, err := s3c.PutBucketPolicy(ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String(bucket),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`)})
			return err
		}, http.StatusBadRequest, "MalformedPolicy", "Invalid principal in policy"},
		{"sts:AssumeRole", func(arn string) error {
			_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
			return err
		}, http.StatusForbidden, "AccessDenied", "is not authorized to perform: sts:AssumeRole on resource: "},
	}
	for i, u := range uses {
		t.Run(u.name, func(t *testing.T) {
			arn := createRole(t, iamc, "role-"+string(rune('a'+i))+"000")
			for range 2 {
				requireRefusal(t, u.use(arn), u.status, u.code, u.msg)
			}
			require.NoError(t, u.use(arn), "visible after 2 refusals")
			require.NoError(t, u.use(arn), "and stays visible")
		})
	}

	t.Run("service-linked role", func(t *testing.T) {
		out, err := iamc.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
		require.NoError(t, err)
		policy := emutest.KeyPolicy([2]string{"arn:aws:iam::" + mgmt + ":root", "kms:*"}, [2]string{aws.ToString(out.Role.Arn), "kms:Decrypt"})
		kmsc := kmssdk.NewFromConfig(cfg)
		for range 2 {
			_, err = kmsc.CreateKey(ctx, &kmssdk.CreateKeyInput{Policy: aws.String(policy)})
			requireRefusal(t, err, http.StatusBadRequest, "MalformedPolicyDocumentException", "invalid principals")
		}
		_, err = kmsc.CreateKey(ctx, &kmssdk.CreateKeyInput{Policy: aws.String(policy)})
		require.NoError(t, err)
	})

	t.Run("OIDC provider", func(t *testing.T) {
		out, err := iamc.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}})
		require.NoError(t, err)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(out.OpenIDConnectProviderArn) +
			`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}}]}`
		for i := range 3 {
			_, err = iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("ci-" + string(rune('a'+i))), AssumeRolePolicyDocument: aws.String(trust)})
			if i < 2 {
				requireRefusal(t, err, http.StatusBadRequest, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"`)
			}
		}
		require.NoError(t, err)
	})
}

// clock is a test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// With a delay, a new principal is refused however often it is used until
// the delay has passed by the emulator's clock.
func TestConsistencyNewPrincipalDelay(t *testing.T) {
	clk := &clock{now: emutest.TimeFixed}
	srv := emutest.Start(t, emulator.Options{Clock: clk.Now, Consistency: emulator.Consistency{PrincipalDelay: 10 * time.Second}})
	ctx := context.Background()
	cfg := noRetries(srv, "AKIDEXAMPLE")
	arn := createRole(t, iamsdk.NewFromConfig(cfg), "new")
	stsc := sts.NewFromConfig(cfg)
	for range 5 {
		_, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
		requireRefusal(t, err, http.StatusForbidden, "AccessDenied", "sts:AssumeRole")
	}
	clk.Add(9 * time.Second)
	_, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
	requireRefusal(t, err, http.StatusForbidden, "AccessDenied", "sts:AssumeRole")
	clk.Add(time.Second)
	_, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
	require.NoError(t, err)
}

// A new account's access role cannot be assumed for AccountAccessRefusals
// attempts after CreateAccount SUCCEEDED; the SDK's standard retryer does
// not retry AccessDenied, so a caller must wait it out itself.
func TestConsistencyNewAccountAccessRole(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Consistency: emulator.Consistency{AccountAccessRefusals: 3}})
	ctx := context.Background()
	orgs, _, _ := emutest.OrgSetup(t, srv)
	st := emutest.CreateAccount(t, orgs, "dev", "dev@example.com")
	require.Equal(t, "SUCCEEDED", string(st.State))
	role := "arn:aws:iam::" + aws.ToString(st.AccountId) + ":role/OrganizationAccountAccessRole"

	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	cfg.Retryer = func() aws.Retryer { return retry.NewStandard() }
	stsc := sts.NewFromConfig(cfg)
	for range 3 {
		_, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("session")})
		requireRefusal(t, err, http.StatusForbidden, "AccessDenied",
			"User: arn:aws:iam::"+mgmt+":root is not authorized to perform: sts:AssumeRole on resource: "+role)
	}
	out, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("session")})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(st.AccountId))
	// The role is an ordinary principal for policies meanwhile: only
	// AssumeRole waits for it.
}

// IAM Identity Center does not know a new account for IdentityCenterRefusals
// CreateAccountAssignment requests: each is ValidationException, as for an
// account outside the organization.
func TestConsistencyNewAccountUnknownToIdentityCenter(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Consistency: emulator.Consistency{IdentityCenterRefusals: 2}})
	ctx := context.Background()
	inst, store, accounts := emutest.SSOSetup(t, srv, "dev")
	user := emutest.CreateUser(t, emutest.IdentityStoreClient(srv, "AKIDEXAMPLE"), store, "alice")
	sso := ssoadmin.NewFromConfig(noRetries(srv, "AKIDEXAMPLE"))
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Admin")})
	require.NoError(t, err)
	in := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: ps.PermissionSet.PermissionSetArn,
		PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: aws.String(user),
		TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(accounts[0])}
	for range 2 {
		_, err = sso.CreateAccountAssignment(ctx, in)
		requireRefusal(t, err, http.StatusBadRequest, "ValidationException", "The account "+accounts[0]+" is not a member of the organization")
	}
	out, err := sso.CreateAccountAssignment(ctx, in)
	require.NoError(t, err)
	require.Equal(t, ssotypes.StatusValuesInProgress, out.AccountAssignmentCreationStatus.Status)
}

// Reset forgets what was propagating.
func TestConsistencyReset(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Consistency: emulator.Consistency{PrincipalRefusals: 100}})
	cfg := noRetries(srv, "AKIDEXAMPLE")
	arn := createRole(t, iamsdk.NewFromConfig(cfg), "new")
	require.NoError(t, srv.Reset())
	require.NoError(t, srv.AddMemberAccount(mgmt, "new")) // the same role, made by setup: visible at once
	_, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
	require.NoError(t, err)
}
