package oidcfed_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// The account of the pure tests (which call no backend; the others take
// the backend's, env.account) and the seed's names.
const (
	account  = "123456789012"
	cluster  = "eks-prod"
	seedRepo = "MatthewDipo/myapp"
	// githubThumbprint is the thumbprint the seed's tls_certificate data
	// source reads for token.actions.githubusercontent.com.
	githubThumbprint = "6938fd4d98bab03faadb97b34396831e3780aea1"
	githubARN        = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
)

// auditBucketARN is the bucket the seed's CI writes audit records to, in
// accountID.
func auditBucketARN(accountID string) string { return "arn:aws:s3:::eks-prod-ci-audit-" + accountID }

// seedProviderSpec is seed 000 Step 6's aws_iam_openid_connect_provider.
func seedProviderSpec() oidcfed.ProviderSpec {
	p := oidcfed.GitHub().ProviderSpec()
	p.Thumbprints = []string{githubThumbprint}
	return p
}

// seedCIPolicy is seed 000 Step 6's aws_iam_role_policy "github-ci-policy",
// in accountID.
func seedCIPolicy(accountID string) *foundation.PolicyDocument {
	cosignKeyARN := "arn:aws:kms:us-east-1:" + accountID + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
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
			Resource: foundation.Resources("arn:aws:ecr:*:" + accountID + ":repository/myapp")},
		foundation.Statement{Sid: "KMSCosignSign", Effect: foundation.EffectAllow,
			Action: foundation.Actions("kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"), Resource: foundation.Resources(cosignKeyARN)},
		foundation.Statement{Sid: "S3AuditWrite", Effect: foundation.EffectAllow,
			Action: foundation.Actions("s3:PutObject"), Resource: foundation.Resources(auditBucketARN(accountID) + "/ci-push-audit/*")},
	)
}

// seedRoleSpec is seed 000 Step 6's aws_iam_role "github_ci" with its
// inline policy: the main branch of one repository. Its resources are in
// the provider's account.
func seedRoleSpec(providerARN string) oidcfed.RoleSpec {
	accountID := account
	if f := strings.Split(providerARN, ":"); len(f) > 4 {
		accountID = f[4]
	}
	return oidcfed.RoleSpec{
		Name:           cluster + "-github-ci",
		ProviderARN:    providerARN,
		Subjects:       []oidcfed.Subject{oidcfed.GitHubBranch(seedRepo, "main")},
		InlinePolicies: map[string]*foundation.PolicyDocument{"github-ci-policy": seedCIPolicy(accountID)},
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
	t   *testing.T
	b   *awstest.Backend
	api *iam.Client
	ctx context.Context
	// account is the backend's account and github the ARN of its GitHub
	// provider (set by newAccount).
	account, github string
	mu              sync.Mutex // managed, for runs in parallel
	managed         map[string]string
}

// newEnv is a backend for a test that makes no call.
func newEnv(t *testing.T) *env {
	t.Helper()
	b := awstest.New(t)
	return &env{t: t, b: b, api: iam.NewFromConfig(b.Config()), ctx: awstest.Context(t, time.Minute), managed: map[string]string{}}
}

// newAccount is a backend whose account the test owns: an account has one
// OIDC provider per issuer, which these tests create, change and expect to
// find as they left it, and the seed's role by its name.
func newAccount(t *testing.T) *env {
	t.Helper()
	return accountOn(t, awstest.New(t))
}

// accountOn is newAccount on the backend b.
func accountOn(t *testing.T, b *awstest.Backend) *env {
	t.Helper()
	e := &env{t: t, b: b, api: iam.NewFromConfig(b.Config()), ctx: awstest.Context(t, time.Minute), managed: map[string]string{}}
	e.b.Require(t, awstest.CapFreshState)
	e.account = e.b.AccountID(t)
	e.github = oidcfed.GitHub().ProviderARN(e.account)
	return e
}

// awsManaged returns the ARN of the AWS managed policy name or, where the
// backend has none (awstest.IAMManagedPolicies), of a customer managed
// policy of that name the test creates in its place: what the tests check
// is how roles attach and detach managed policies, not AWS's copies.
func (e *env) awsManaged(name string) string {
	e.t.Helper()
	if !e.b.Lacks(awstest.IAMManagedPolicies) {
		return "arn:aws:iam::aws:policy/" + name
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if arn, ok := e.managed[name]; ok {
		return arn
	}
	out, err := e.api.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.managed[name] = aws.ToString(out.Policy.Arn)
	return e.managed[name]
}

// richSpec is the seed's role with every setting EnsureCIRole manages.
func (e *env) richSpec() oidcfed.RoleSpec {
	s := seedRoleSpec(e.github)
	s.Description = "GitHub Actions CI of " + seedRepo
	s.MaxSessionDuration = 2 * time.Hour
	s.ManagedPolicyARNs = []string{e.awsManaged("AmazonEC2ContainerRegistryReadOnly")}
	s.PermissionsBoundary = e.awsManaged("PowerUserAccess")
	s.Tags = map[string]string{"team": "platform", "cluster": cluster, "repository": seedRepo}
	s.Subjects = append(s.Subjects, oidcfed.GitHubEnvironment(seedRepo, "production"))
	return s
}

// setupSeed converges the seed's provider and role, returning every change.
func (e *env) setupSeed(opts ...foundation.Option) ([]foundation.Change, error) {
	p, err := oidcfed.EnsureProvider(e.ctx, e.api, seedProviderSpec(), awstest.Fast(opts...)...)
	if err != nil {
		return nil, err
	}
	// In a dry run before the provider exists, p.ARN is predicted: the
	// role is planned with it.
	r, err := oidcfed.EnsureGitHubRole(e.ctx, e.api, seedRoleSpec(p.ARN), awstest.Fast(opts...)...)
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
