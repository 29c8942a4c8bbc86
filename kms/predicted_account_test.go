package kms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/kms"
)

// A key policy for an account a dry run would create (its predicted ID)
// validates, so the dry run plans the key; a real run refuses it before
// any call (the clients' endpoint is a closed port).
func TestKeyPolicyOfAPredictedAccount(t *testing.T) {
	id := foundation.PredictedID("account", "dev@example.com")
	spec := kms.Spec{Alias: "alias/dev", Policy: kms.KeyPolicy{AccountID: id, Grants: []kms.Grant{{Sid: "AutoScaling",
		Principals: []kms.Principal{kms.ServiceLinkedRole("autoscaling.amazonaws.com")}, Actions: []string{"kms:Decrypt"}}}}}
	if err := spec.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	_, err := kms.EnsureKey(context.Background(), kms.API{KMS: kmssdk.NewFromConfig(cfg), IAM: iamsdk.NewFromConfig(cfg)}, spec)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Policy") {
		t.Fatalf("real run: %v, want an invalid spec naming spec.Policy", err)
	}
}
