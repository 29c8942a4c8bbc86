package foundationtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/foundationtest"
)

func TestConfigActsInTheAccountAsked(t *testing.T) {
	srv := foundationtest.NewServer(t, foundationtest.WithManagementAccount("111122223333"))
	ctx := context.Background()
	who, err := sts.NewFromConfig(srv.Config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != "111122223333" || srv.ManagementAccountID() != "111122223333" {
		t.Fatalf("management: %v %v", who, err)
	}
	if err := srv.AddAccount("444455556666", ""); err != nil {
		t.Fatal(err)
	}
	who, err = sts.NewFromConfig(srv.Config("444455556666")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != "444455556666" {
		t.Fatalf("member: %v %v", who, err)
	}
	// The management account can assume the member's access role.
	_, err = sts.NewFromConfig(srv.Config()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCallLogAndAssertions(t *testing.T) {
	srv := foundationtest.NewServer(t)
	ctx := context.Background()
	c := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	ensure := func() error {
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("kit-bucket")}); err == nil {
			return nil
		}
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kit-bucket")})
		return err
	}
	srv.RequireIdempotent(t, ensure)
	calls := srv.Calls()
	if len(calls) != 3 || calls[1].Operation != "CreateBucket" || !calls[1].Mutating || calls[0].Status != http.StatusNotFound {
		t.Fatalf("calls = %v", calls)
	}
	srv.RequireNoCalls(t, func() {})

	// The assertions fail when they should.
	ft := &fakeT{TB: t}
	run(func() {
		srv.RequireNoMutations(ft, func() error {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("kit-bucket"),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
			return err
		})
	})
	if !strings.Contains(ft.msg, "PutBucketVersioning") {
		t.Fatalf("RequireNoMutations did not fail naming the call: %q", ft.msg)
	}
	ft = &fakeT{TB: t}
	run(func() { srv.RequireNoCalls(ft, func() { _ = ensure() }) })
	if !strings.Contains(ft.msg, "HeadBucket") {
		t.Fatalf("RequireNoCalls did not fail naming the call: %q", ft.msg)
	}
}

func TestFaultsBeforeAndAfterTheWrite(t *testing.T) {
	srv := foundationtest.NewServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(srv.Config(), func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	f := srv.FailNth(foundationtest.Match{Service: "iam", Operation: "CreateRole"}, 1, foundationtest.Error{Code: "AccessDenied"})
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || f.Fired() != 1 {
		t.Fatalf("err = %v, fired %d", err, f.Fired())
	}
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); err == nil {
		t.Fatal("a call failed before the write made the role")
	}

	srv.FailNthAfter(foundationtest.Match{Service: "iam", Operation: "CreateRole"}, 1, foundationtest.Error{Code: "ServiceFailure", Status: 500})
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust}); err == nil {
		t.Fatal("no error")
	}
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatalf("a call failed after the write did not make the role: %v", err)
	}

	before, err := srv.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	srv.ClearFaults()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	after, _ := srv.Snapshot()
	if string(before) == string(after) || len(srv.Calls()) != 0 {
		t.Fatal("reset kept the state or the call log")
	}
}

// fakeT records a fatal failure instead of ending the real test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func run(f func()) {
	defer func() { _ = recover() }()
	f()
}
