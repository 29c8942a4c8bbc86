package s3account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/s3account"
)

// An account a dry run would create (its predicted ID) validates, so the
// dry run plans its Block Public Access; a real run refuses it before any
// call.
func TestPredictedAccount(t *testing.T) {
	spec := s3account.Spec{AccountID: foundation.PredictedID("account", "dev@example.com")}
	if err := spec.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	_, err := s3account.EnsurePublicAccessBlock(context.Background(), s3control.NewFromConfig(cfg), spec)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("real run: %v, want an invalid spec", err)
	}
}
