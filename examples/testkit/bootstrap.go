package testkit

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/statebackend"
)

// App is what a platform team's tool sets up for one application: its
// GitHub repository may deploy from main, and its Terraform state lives in
// a hardened bucket.
type App struct {
	Name       string // "myapp"
	Repository string // "octo-org/myapp"
	AccountID  string
	Region     string
}

// Result is what Bootstrap made or found.
type Result struct {
	RoleARN string
	Bucket  string
	Changes foundation.Changes
}

// Bootstrap converges the application's CI role and state backend in the
// account cfg acts in.
func Bootstrap(ctx context.Context, cfg aws.Config, app App, opts ...foundation.Option) (*Result, error) {
	iamClient := iam.NewFromConfig(cfg)
	provider, err := oidcfed.EnsureProvider(ctx, iamClient, oidcfed.GitHub().ProviderSpec(), opts...)
	if err != nil {
		return nil, err
	}
	role, err := oidcfed.EnsureGitHubRole(ctx, iamClient, oidcfed.RoleSpec{
		Name:        app.Name + "-github-ci",
		ProviderARN: provider.ARN, // predicted in a dry run on an account without the provider yet
		Subjects:    []oidcfed.Subject{oidcfed.GitHubBranch(app.Repository, "main")},
	}, opts...)
	if err != nil {
		return nil, err
	}
	backend, err := statebackend.Bootstrap(ctx, statebackend.API{
		S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }),
		DynamoDB: dynamodb.NewFromConfig(cfg),
	}, statebackend.Spec{
		Bucket:    fmt.Sprintf("%s-tfstate-%s", app.Name, app.AccountID),
		Region:    app.Region,
		AccountID: app.AccountID,
	}, opts...)
	if err != nil {
		return nil, err
	}
	changes := append(append(append(foundation.Changes{}, provider.Changes...), role.Changes...), backend.Changes...)
	return &Result{RoleARN: role.ARN, Bucket: backend.Config.Bucket, Changes: changes}, nil
}
