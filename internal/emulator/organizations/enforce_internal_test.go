package organizations

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// TestEnforcementExemptsServiceLinkedRoles checks, with sessions made
// directly (no STS: a service-linked role cannot be assumed), that SCPs
// bind a member account's role and not its service-linked roles.
func TestEnforcementExemptsServiceLinkedRoles(t *testing.T) {
	e := core.New(core.Options{})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	cfg := func(key string) aws.Config {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")}
	}
	ctx := context.Background()
	orgs := organizations.NewFromConfig(cfg("AKIDEXAMPLE"))
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	roots, err := orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := roots.Roots[0].Id
	out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("m"), Email: aws.String("m@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var account string
	for range 10 {
		st, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		if st.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
			account = aws.ToString(st.CreateAccountStatus.AccountId)
			break
		}
	}
	if account == "" {
		t.Fatal("account never created")
	}
	if _, err := orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	p, err := orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-s3"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: root}); err != nil {
		t.Fatal(err)
	}
	session := func(key, roleARN string) {
		unlock := e.Lock()
		defer unlock()
		e.AddSession(&core.Session{Identity: core.Identity{Account: account, AccessKey: key, RoleARN: roleARN,
			ARN: "arn:aws:sts::" + account + ":assumed-role/" + roleARN[len(roleARN)-8:] + "/s", UserID: "AROAEXAMPLE:s"},
			Expires: time.Now().Add(time.Hour)})
	}
	session("ASIAROLE", "arn:aws:iam::"+account+":role/Deployer")
	session("ASIASLR", "arn:aws:iam::"+account+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
	list := func(key string) error {
		_, err := s3.NewFromConfig(cfg(key), func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	}
	var apiErr smithy.APIError
	if err := list("ASIAROLE"); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("role: %v", err)
	}
	if err := list("ASIASLR"); err != nil {
		t.Fatalf("service-linked role: %v", err)
	}
	// The member's root user key (the emulator's 12-digit shortcut, not
	// an AWS credential) is not a session the emulator issued: not bound.
	if err := list(account); err != nil {
		t.Fatalf("root key: %v", err)
	}
}

func TestIAMAction(t *testing.T) {
	cases := []struct{ service, op, want string }{
		{"s3", "CreateBucket", "s3:CreateBucket"},
		{"s3", "HeadBucket", "s3:ListBucket"},
		{"s3", "ListBuckets", "s3:ListAllMyBuckets"},
		{"s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration"},
		{"s3", "DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
		{"s3", "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"},
		{"s3control", "PutPublicAccessBlock", "s3:PutAccountPublicAccessBlock"},
		{"sso", "CreatePermissionSet", "sso:CreatePermissionSet"},
		{"kms", "CreateKey", "kms:CreateKey"},
		{"organizations", "ListAccounts", "organizations:ListAccounts"},
	}
	for _, c := range cases {
		if got, ok := IAMAction(c.service, c.op, nil); !ok || got != c.want {
			t.Errorf("%s %s: %s, want %s", c.service, c.op, got, c.want)
		}
	}
	if _, ok := IAMAction("sts", "GetCallerIdentity", nil); ok {
		t.Error("sts:GetCallerIdentity needs no permission")
	}
}
