package kms_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/kms"
)

// account is the account of the pure tests, which call no backend; tests
// that do take theirs from the backend (b.AccountID).
const account = "123456789012"

func apiFor(b *awstest.Backend) kms.API {
	return kms.API{KMS: awskms.NewFromConfig(b.Config()), IAM: iam.NewFromConfig(b.Config())}
}

// seedPolicyJSON is seed 000 Step 8's key policy, as Terraform renders it
// for env "prod" in us-east-1.
const seedPolicyJSON = `{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},` +
	`{"Sid":"Allow EKS","Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},` +
	`{"Sid":"Allow AutoScaling","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"},` +
	`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:CreateGrant"],"Resource":"*"}]}`

// seedSpec is seed 000 Step 8's aws_kms_key.main and aws_kms_alias.main,
// in accountID.
func seedSpec(accountID, env, region string) kms.Spec {
	name := fmt.Sprintf("%s-%s-main", env, region)
	return kms.Spec{
		Alias:       "alias/" + name,
		Description: name,
		Policy: kms.KeyPolicy{
			AccountID: accountID,
			Grants: []kms.Grant{
				{
					Sid:        "Allow EKS",
					Principals: []kms.Principal{kms.Service("eks.amazonaws.com")},
					Actions:    []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"},
				},
				{
					Sid:        "Allow AutoScaling",
					Principals: []kms.Principal{kms.ServiceLinkedRole("autoscaling.amazonaws.com")},
					Actions:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"},
				},
			},
		},
		Tags: map[string]string{"env": env, "managed-by": "foundation"},
	}
}

// specFor is seedSpec for a test on b: in the backend's account, under an
// alias of the test's own. Where the backend does not report a key's
// rotation period (awstest.KMSRotationPeriod), the key does not rotate:
// EnsureKey, which cannot read back the period it set, would set it again
// on every run, and every other setting is still converged and checked.
func specFor(t *testing.T, b *awstest.Backend, env, region string) kms.Spec {
	t.Helper()
	spec := seedSpec(b.AccountID(t), env, region)
	spec.Alias = "alias/" + b.Unique(spec.Description)
	spec.DisableRotation = !rotationReported(b)
	return spec
}

// rotationReported reports whether the backend returns the rotation period
// EnsureKey sets (see specFor).
func rotationReported(b *awstest.Backend) bool { return !b.Lacks(awstest.KMSRotationPeriod) }

// rotationChange is the change a fresh key's rotation makes for spec: none
// when the spec does not rotate.
func rotationChange(spec kms.Spec) []string {
	if spec.DisableRotation {
		return nil
	}
	return []string{"update kms:key-rotation " + spec.Alias}
}

func ops(calls []awstest.Call) []string {
	var out []string
	for _, c := range calls {
		s := c.Operation
		if c.Err != nil {
			s += "!"
		}
		out = append(out, s)
	}
	return out
}

func changeList(cs []foundation.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
	}
	return out
}

func mustParse(t *testing.T, s string) *foundation.PolicyDocument {
	t.Helper()
	d, err := foundation.ParsePolicy(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// keyPolicy reads a key's policy back.
func keyPolicy(t *testing.T, ctx context.Context, c *awskms.Client, keyID string) *foundation.PolicyDocument {
	t.Helper()
	out, err := c.GetKeyPolicy(ctx, &awskms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, aws.ToString(out.Policy))
}
