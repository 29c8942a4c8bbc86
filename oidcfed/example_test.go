package oidcfed_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// Seed 000 Step 6: the GitHub Actions OIDC provider and the
// eks-prod-github-ci role that only the main branch of MatthewDipo/myapp
// can assume, with its four-statement inline policy. The second run
// changes nothing and makes no mutating call. Runs on the emulator of
// package foundationtest: with credentials for AWS, build the IAM client
// from config.LoadDefaultConfig instead.
func ExampleEnsureGitHubRole() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := iam.NewFromConfig(srv.Config()) // the management account, fake credentials
	ctx := context.Background()
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	accountID := srv.ManagementAccountID()

	ciPolicy := foundation.NewPolicy(
		foundation.Statement{Sid: "ECRAuth", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:GetAuthorizationToken"), Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "ECRPush", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
				"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
				"ecr:DescribeImages", "ecr:ListImages"),
			Resource: foundation.Resources("arn:aws:ecr:*:" + accountID + ":repository/myapp")},
		foundation.Statement{Sid: "KMSCosignSign", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"),
			Resource: foundation.Resources("arn:aws:kms:us-east-1:" + accountID + ":key/1234abcd-12ab-34cd-56ef-1234567890ab")},
		foundation.Statement{Sid: "S3AuditWrite", Effect: foundation.EffectAllow,
			Action: foundation.Actions("s3:PutObject"), Resource: foundation.Resources("arn:aws:s3:::eks-prod-ci-audit/ci-push-audit/*")},
	)

	for run := 1; run <= 2; run++ {
		mark := srv.Mark()
		provider, err := oidcfed.EnsureProvider(ctx, api, oidcfed.GitHub().ProviderSpec(), opts...)
		if err != nil {
			log.Fatal(err)
		}
		role, err := oidcfed.EnsureGitHubRole(ctx, api, oidcfed.RoleSpec{
			Name:           "eks-prod-github-ci",
			ProviderARN:    provider.ARN,
			Subjects:       []oidcfed.Subject{oidcfed.GitHubBranch("MatthewDipo/myapp", "main")},
			InlinePolicies: map[string]*foundation.PolicyDocument{"github-ci-policy": ciPolicy},
		}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %d changes, %d mutating calls\n", run, len(provider.Changes)+len(role.Changes),
			len(srv.MutatingCallsSince(mark)))
		for _, c := range append(provider.Changes, role.Changes...) {
			fmt.Println(" ", c)
		}
		if run == 1 {
			fmt.Println(" ", provider.ARN)
			fmt.Println(" ", role.ARN)
		}
	}
	// Output:
	// run 1: 3 changes, 3 mutating calls
	//   create iam:oidc-provider "token.actions.githubusercontent.com"
	//   create iam:role "eks-prod-github-ci"
	//   create iam:role-inline-policy "eks-prod-github-ci/github-ci-policy"
	//   arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
	//   arn:aws:iam::123456789012:role/eks-prod-github-ci
	// run 2: 0 changes, 0 mutating calls
}

// Print the trust policy of a role that a GitHub environment and the tags
// of a repository may assume; the tag pattern is matched with StringLike,
// in its own statement.
func ExampleTrustPolicy() {
	doc, err := oidcfed.TrustPolicy(oidcfed.RoleSpec{
		Issuer:      oidcfed.GitHub(),
		ProviderARN: oidcfed.GitHub().ProviderARN("123456789012"),
		Subjects: []oidcfed.Subject{
			oidcfed.GitHubEnvironment("octo-org/app", "production"),
			oidcfed.GitHubTag("octo-org/app", "v*").WithWildcard(),
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.MustJSON())

	_, err = oidcfed.TrustPolicy(oidcfed.RoleSpec{
		Issuer:      oidcfed.GitHub(),
		ProviderARN: oidcfed.GitHub().ProviderARN("123456789012"),
		Subjects:    []oidcfed.Subject{{Value: "repo:octo-org*", Wildcard: true}},
	})
	fmt.Println(err)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:octo-org/app:environment:production"}}},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/app:ref:refs/tags/v*"}}}]}
	// oidcfed: spec.Subjects[0]: "repo:octo-org*": has a wildcard in the repository owner "octo-org*": matches repositories of other owners
}

// Check a trust policy found in an account.
func ExampleLint() {
	doc, err := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}}}]}`)
	if err != nil {
		log.Fatal(err)
	}
	findings := oidcfed.Lint(doc)
	for _, f := range findings {
		fmt.Println(f)
	}
	fmt.Println(oidcfed.FindingsError(findings, oidcfed.SeverityCritical) == nil)
	// Output:
	// warning: Statement[0].Condition: has no condition on token.actions.githubusercontent.com:aud: pin the audience with StringEquals
	// warning: Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]: "repo:octo-org/*": has a wildcard in the repository name "*": matches other repositories of "octo-org"; set AllowNameWildcard to allow it
	// true
}

// A role for a repository created after GitHub's immutable subjects: its
// tokens carry repo:OWNER@OWNER_ID/REPO@REPOSITORY_ID:..., so the role
// trusts that form (the IDs come from GitHub's API, read by the caller),
// and pins the repository_id claim STS checks. SubjectMigration would
// trust both forms during a cutover; LintRepositories flags a role that
// trusts only the mutable one.
func ExampleRoleSpec_immutableSubject() {
	repo := oidcfed.GitHubRepository{Owner: "octo-org", Name: "app", OwnerID: 123456, RepositoryID: 456789}
	spec := oidcfed.RoleSpec{
		Name:        "app-deploy",
		Issuer:      oidcfed.GitHub(),
		ProviderARN: oidcfed.GitHub().ProviderARN("123456789012"),
		Repository:  repo,
		Subjects:    []oidcfed.Subject{oidcfed.GitHubBranch(repo.FullName(), "main")},
		Claims:      map[string][]string{"repository_id": {"456789"}},
	}
	doc, err := oidcfed.TrustPolicy(spec)
	if err != nil {
		log.Fatal(err)
	}
	cond := doc.Statement[0].Condition["StringEquals"]
	fmt.Println(cond["token.actions.githubusercontent.com:sub"])
	fmt.Println(cond["token.actions.githubusercontent.com:repository_id"])

	spec.SubjectFormat = oidcfed.SubjectMutable
	old, _ := oidcfed.TrustPolicy(spec)
	for _, f := range oidcfed.LintRepositories(old, repo) {
		fmt.Println(f.Severity, f.Value)
	}
	// Output:
	// [repo:octo-org@123456/app@456789:ref:refs/heads/main]
	// [456789]
	// warning repo:octo-org/app:ref:refs/heads/main
}
