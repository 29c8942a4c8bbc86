package organizations_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// A role trusting an account a dry run would create (its predicted ID)
// validates, so the dry run plans it; a real run refuses it before any
// call.
func TestCrossAccountRoleTrustingAPredictedAccount(t *testing.T) {
	spec := organizations.CrossAccountRoleSpec{Name: "Deploy", TrustedAccountIDs: []string{foundation.PredictedID("account", "ci@example.com")}}
	if err := spec.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	_, err := organizations.EnsureCrossAccountRole(context.Background(), iam.NewFromConfig(cfg), spec)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.TrustedAccountIDs[0]") {
		t.Fatalf("real run: %v, want an invalid spec naming spec.TrustedAccountIDs[0]", err)
	}
}
