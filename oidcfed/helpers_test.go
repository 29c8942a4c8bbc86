package oidcfed_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// The seed's account (the emulator's management account) and the
// resources its CI policy names.
const (
	account        = "123456789012"
	cluster        = "eks-prod"
	seedRepo       = "MatthewDipo/myapp"
	cosignKeyARN   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	auditBucketARN = "arn:aws:s3:::eks-prod-ci-audit-123456789012"
	// githubThumbprint is the thumbprint the seed's tls_certificate data
	// source reads for token.actions.githubusercontent.com.
	githubThumbprint = "6938fd4d98bab03faadb97b34396831e3780aea1"
	githubARN        = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
)

// seedProviderSpec is seed 000 Step 6's aws_iam_openid_connect_provider.
func seedProviderSpec() oidcfed.ProviderSpec {
	p := oidcfed.GitHub().ProviderSpec()
	p.Thumbprints = []string{githubThumbprint}
	return p
}

// seedCIPolicy is seed 000 Step 6's aws_iam_role_policy "github-ci-policy".
func seedCIPolicy() *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "ECRAuth", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:GetAuthorizationToken"), Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "ECRPush", Effect: foundation.EffectAllow,
			Action: foundation.Actions(
				"ecr:BatchCheckLayerAvailability",
				"ecr:GetDownloadUrlForLayer",
				"ecr:BatchGetImage",
				"ecr:InitiateLayerUpload",
				"ecr:UploadLayerPart",
				"ecr:CompleteLayerUpload",
				"ecr:PutImage",
				"ecr:DescribeImages",
				"ecr:ListImages",
			),
			Resource: foundation.Resources("arn:aws:ecr:*:" + account + ":repository/myapp")},
		foundation.Statement{Sid: "KMSCosignSign", Effect: foundation.EffectAllow,
			Action: foundation.Actions("kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"), Resource: foundation.Resources(cosignKeyARN)},
		foundation.Statement{Sid: "S3AuditWrite", Effect: foundation.EffectAllow,
			Action: foundation.Actions("s3:PutObject"), Resource: foundation.Resources(auditBucketARN + "/ci-push-audit/*")},
	)
}

// seedRoleSpec is seed 000 Step 6's aws_iam_role "github_ci" with its
// inline policy: the main branch of one repository.
func seedRoleSpec(providerARN string) oidcfed.RoleSpec {
	return oidcfed.RoleSpec{
		Name:           cluster + "-github-ci",
		ProviderARN:    providerARN,
		Subjects:       []oidcfed.Subject{oidcfed.GitHubBranch(seedRepo, "main")},
		InlinePolicies: map[string]*foundation.PolicyDocument{"github-ci-policy": seedCIPolicy()},
	}
}

// seedTrustLiteral is the seed's trust policy exactly as its Terraform
// writes it (StringLike on an exact subject).
const seedTrustLiteral = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "` + githubARN + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:MatthewDipo/myapp:ref:refs/heads/main"}
    }
  }]
}`

type env struct {
	b   *awstest.Backend
	api *iam.Client
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	b := awstest.New(t)
	return &env{b: b, api: iam.NewFromConfig(b.Config()), ctx: awstest.Context(t, time.Minute)}
}

func fast(extra ...foundation.Option) []foundation.Option {
	return append(awstest.FastOptions(), extra...)
}

// setupSeed converges the seed's provider and role, returning every change.
func (e *env) setupSeed(opts ...foundation.Option) ([]foundation.Change, error) {
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), fast(opts...)...)
	if err != nil {
		return nil, err
	}
	arn := p.ARN
	if arn == "" { // dry run before the provider exists
		arn = githubARN
	}
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(arn), fast(opts...)...)
	if err != nil {
		return nil, err
	}
	return append(slices.Clone(p.Changes), r.Changes...), nil
}

func changeStrings(cs foundation.Changes) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Action) + " " + c.Resource + " " + c.ID
	}
	return out
}
