package statebackend_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/statebackend"
)

// A bucket named after an account a dry run would create (its predicted
// ID inside the name) validates, so the dry run plans it; a real run
// refuses it, and the predicted account, before any call.
func TestBucketOfAPredictedAccount(t *testing.T) {
	id := foundation.PredictedID("account", "dev@example.com")
	spec := statebackend.Spec{Bucket: "state-" + id, Region: "us-east-1", AccountID: id}
	if err := spec.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	_, err := statebackend.Bootstrap(context.Background(), statebackend.API{S3: s3.NewFromConfig(cfg)}, spec)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Bucket") || !strings.Contains(err.Error(), "spec.AccountID") {
		t.Fatalf("real run: %v, want an invalid spec naming spec.Bucket and spec.AccountID", err)
	}
	spec.Bucket = "state-(known after apply: account x)-"
	if err := spec.Validate(); err == nil {
		t.Fatal("a name that breaks the rules with the account's ID in place validates")
	}
}
