package emulator_test

import (
	"strings"
	"testing"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// TestAWSCLICreateWithTags checks with the AWS CLI that the creates the
// library tags managed-by=foundation in the call itself keep the tags, and
// that each service's own tag read returns them: S3 CreateBucket
// (CreateBucketConfiguration.Tags, a CLI new enough to know it), DynamoDB
// CreateTable, KMS CreateKey, ECR CreateRepository, IAM CreateRole and
// CreateOpenIDConnectProvider; and that S3 refuses a reserved tag key at
// create as PutBucketTagging does.
func TestAWSCLICreateWithTags(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		if _, stderr, err := r.run("s3api", "create-bucket", "--bucket", "owned-state", "--create-bucket-configuration",
			`{"Tags":[{"Key":"managed-by","Value":"foundation"}]}`); err != nil && strings.Contains(stderr, "Unknown parameter") {
			t.Logf("%s predates CreateBucketConfiguration.Tags; checked with the other CLI and the SDK", cli.version)
		} else {
			require.NoError(t, err, stderr)
			require.Equal(t, "foundation", emutest.Dig(r.ok("s3api", "get-bucket-tagging", "--bucket", "owned-state"), "TagSet", 0, "Value"))
			r.failsWithStatus("InvalidTag", 400, "s3api", "create-bucket", "--bucket", "reserved-tag", "--create-bucket-configuration",
				`{"Tags":[{"Key":"aws:owner","Value":"x"}]}`)
		}

		table := r.ok("dynamodb", "create-table", "--table-name", "locks", "--attribute-definitions", "AttributeName=LockID,AttributeType=S",
			"--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST", "--tags", "Key=managed-by,Value=foundation")
		arn, _ := emutest.Dig(table, "TableDescription", "TableArn").(string)
		require.Equal(t, "managed-by", emutest.Dig(r.ok("dynamodb", "list-tags-of-resource", "--resource-arn", arn), "Tags", 0, "Key"))

		key, _ := emutest.Dig(r.ok("kms", "create-key", "--tags", "TagKey=managed-by,TagValue=foundation"), "KeyMetadata", "KeyId").(string)
		require.Equal(t, "foundation", emutest.Dig(r.ok("kms", "list-resource-tags", "--key-id", key), "Tags", 0, "TagValue"))

		repo, _ := emutest.Dig(r.ok("ecr", "create-repository", "--repository-name", "app", "--tags", "Key=managed-by,Value=foundation"), "repository", "repositoryArn").(string)
		require.Equal(t, "foundation", emutest.Dig(r.ok("ecr", "list-tags-for-resource", "--resource-arn", repo), "tags", 0, "Value"))

		r.ok("iam", "create-role", "--role-name", "ci", "--tags", "Key=managed-by,Value=foundation", "--assume-role-policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		require.Equal(t, "foundation", emutest.Dig(r.ok("iam", "list-role-tags", "--role-name", "ci"), "Tags", 0, "Value"))
		prov, _ := r.ok("iam", "create-open-id-connect-provider", "--url", "https://token.actions.githubusercontent.com",
			"--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1", "--tags", "Key=managed-by,Value=foundation")["OpenIDConnectProviderArn"].(string)
		require.Equal(t, "foundation", emutest.Dig(r.ok("iam", "list-open-id-connect-provider-tags", "--open-id-connect-provider-arn", prov), "Tags", 0, "Value"))
	})
}
