package ecr_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
)

const (
	devAccount     = "111111111111"
	stagingAccount = "222222222222"
	prodAccount    = "333333333333"
)

// seedLifecycleJSON is seed 000 Step 7's aws_ecr_lifecycle_policy.app, as
// written in the seed.
const seedLifecycleJSON = `{"rules":[` +
	`{"rulePriority":1,"description":"Keep last 30 tagged images","selection":{"tagStatus":"tagged","tagPrefixList":["sha-"],"countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}},` +
	`{"rulePriority":2,"description":"Delete untagged images after 1 day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`

// seedPolicyJSON is seed 000 Step 7's aws_ecr_repository_policy.cross_account.
const seedPolicyJSON = `{"Version":"2012-10-17","Statement":[{"Sid":"CrossAccountPull","Effect":"Allow",` +
	`"Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},` +
	`"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","ecr:BatchCheckLayerAvailability"]}]}`

// seedSpec is seed 000 Step 7's aws_ecr_repository.app with its lifecycle
// and cross-account pull policies, encrypted with kmsKeyARN.
func seedSpec(kmsKeyARN string) ecr.Spec {
	return ecr.Spec{
		Name:          "myapp",
		TagMutability: "IMMUTABLE",
		Encryption:    "KMS",
		KMSKey:        kmsKeyARN,
		Lifecycle: &ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{
			ecr.KeepLastTagged(1, 30, "sha-"),
			ecr.ExpireUntaggedAfter(2, 1),
		}},
		Policy: &ecr.RepositoryPolicy{PullAccounts: []string{devAccount, stagingAccount, prodAccount}},
		Tags:   map[string]string{"app": "myapp", "managed-by": "foundation"},
	}
}

// newKey creates a KMS key in the backend's account and returns its ARN.
func newKey(t *testing.T, ctx context.Context, b *awstest.Backend, desc string) string {
	t.Helper()
	out, err := kms.NewFromConfig(b.Config()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// specFor is seedSpec for a test on b, under a repository name of the
// test's own.
func specFor(b *awstest.Backend, kmsKeyARN string) ecr.Spec {
	spec := seedSpec(kmsKeyARN)
	spec.Name = b.Unique("myapp")
	return spec
}

// scanOffServed reports whether the backend turns scan on push off (see
// awstest.ECRScanOnPushOff); where it does not, tests make no scanning
// drift and ask for no scanning change.
func scanOffServed(b *awstest.Backend) bool { return !b.Lacks(awstest.ECRScanOnPushOff) }

func client(b *awstest.Backend) *awsecr.Client { return awsecr.NewFromConfig(b.Config()) }

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
