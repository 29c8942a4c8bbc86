package fresh_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/plan/fresh"
)

// config acts in a predicted account and sends nothing: its endpoint is a
// closed loopback port, so a request that left the process would fail with
// a connection error, not the answers checked below.
func config() (aws.Config, string) {
	id := foundation.PredictedID("account", "dev@example.com")
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFRESH", "secret", "")}
	return fresh.Config(cfg, id), id
}

// Every read the library makes in a new account gets the answer of a new
// account: the typed not-found exception or an empty list.
func TestReadsAnsweredAsANewAccount(t *testing.T) {
	cfg, id := config()
	ctx := context.Background()
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != id {
		t.Fatalf("GetCallerIdentity = %v, %v; want the predicted account", who, err)
	}
	var kmsNF *kmstypes.NotFoundException
	if _, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/x")}); !errors.As(err, &kmsNF) {
		t.Fatalf("DescribeKey: %v, want NotFoundException", err)
	}
	if out, err := kms.NewFromConfig(cfg).ListAliases(ctx, &kms.ListAliasesInput{}); err != nil || len(out.Aliases) != 0 {
		t.Fatalf("ListAliases = %v, %v", out, err)
	}
	var iamNF *iamtypes.NoSuchEntityException
	if _, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); !errors.As(err, &iamNF) {
		t.Fatalf("GetRole: %v, want NoSuchEntityException", err)
	}
	if out, err := iam.NewFromConfig(cfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err != nil || len(out.AccountAliases) != 0 {
		t.Fatalf("ListAccountAliases = %v, %v", out, err)
	}
	var s3NF *s3types.NotFound
	if _, err := s3.NewFromConfig(cfg).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("state-" + id)}); !errors.As(err, &s3NF) {
		t.Fatalf("HeadBucket: %v, want NotFound", err)
	}
	var pabNF *s3ctypes.NoSuchPublicAccessBlockConfiguration
	if _, err := s3control.NewFromConfig(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(id)}); !errors.As(err, &pabNF) {
		t.Fatalf("GetPublicAccessBlock: %v, want NoSuchPublicAccessBlockConfiguration", err)
	}
	var ddbNF *ddbtypes.ResourceNotFoundException
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("locks")}); !errors.As(err, &ddbNF) {
		t.Fatalf("DescribeTable: %v, want ResourceNotFoundException", err)
	}
}

// A write, or a read the table lacks, fails loudly with the operation's
// name: a gap shows up as a failed dry run, never as a wrong plan.
func TestUnansweredFailsLoudly(t *testing.T) {
	cfg, _ := config()
	ctx := context.Background()
	_, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	var un *fresh.UnansweredError
	if !errors.As(err, &un) || un.Operation != (fresh.Operation{Service: "kms", Name: "CreateKey"}) {
		t.Fatalf("CreateKey: %v, want an UnansweredError naming kms CreateKey", err)
	}
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); !errors.As(err, &un) {
		t.Fatalf("ListUsers: %v, want an UnansweredError", err)
	}
	if len(fresh.Operations()) != len(fresh.Answers) {
		t.Fatal("Operations lists every answered operation")
	}
}
