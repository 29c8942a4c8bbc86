package oidcfed_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/oidcfed"
)

// A GitHub provider and a CI role someone made by hand, without the
// library's managed-by=foundation tag: EnsureGitHubRole refuses the role
// (it could be a takeover), and with RoleSpec.Adopt converges its trust
// policy without taking it over: the role stays untagged.
func ExampleRoleSpec_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := iam.NewFromConfig(srv.Config())
	ctx := context.Background()
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	provider := oidcfed.GitHub().ProviderARN(srv.ManagementAccountID())

	// Made by hand, as a console session would.
	if _, err := api.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}}); err != nil {
		log.Fatal(err)
	}
	if _, err := api.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}}}]}`)}); err != nil {
		log.Fatal(err)
	}

	spec := oidcfed.RoleSpec{Name: "deploy", ProviderARN: provider,
		Subjects: []oidcfed.Subject{oidcfed.GitHubBranch("octo-org/app", "main")}}
	_, err = oidcfed.EnsureGitHubRole(ctx, api, spec, opts...)
	fmt.Println(errors.Is(err, foundation.ErrNotManaged))
	fmt.Println(err)

	spec.Adopt = true
	role, err := oidcfed.EnsureGitHubRole(ctx, api, spec, opts...)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range role.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	tags, err := api.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("deploy")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tags.Tags), "tags")
	// Output:
	// true
	// oidcfed: iam:role "deploy" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
	// update iam:role-trust-policy deploy
	// 0 tags
}
