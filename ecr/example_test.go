package ecr_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/foundationtest"
)

// Seed 000's application repository in the management account: immutable
// tags, scan on push, KMS encryption, the two lifecycle rules and pull
// access for the dev, staging and prod accounts. A second run changes
// nothing and makes no mutating call. Runs on the emulator of package
// foundationtest: with credentials for AWS, build cfg with
// config.LoadDefaultConfig instead.
func ExampleEnsureRepository() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	ctx := context.Background()
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("prod-us-east-1-main")})
	if err != nil {
		log.Fatal(err)
	}

	spec := ecr.Spec{
		Name:   "myapp",
		KMSKey: aws.ToString(key.KeyMetadata.Arn),
		Lifecycle: &ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{
			ecr.KeepLastTagged(1, 30, "sha-"),
			ecr.ExpireUntaggedAfter(2, 1),
		}},
		Policy: &ecr.RepositoryPolicy{PullAccounts: []string{"111111111111", "222222222222", "333333333333"}},
	}
	client := awsecr.NewFromConfig(cfg)
	repo, err := ecr.EnsureRepository(ctx, client, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range repo.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	fmt.Println(repo.URI)

	mark := srv.Mark()
	again, err := ecr.EnsureRepository(ctx, client, spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	// Output:
	// create ecr:repository myapp
	// create ecr:lifecycle-policy myapp
	// create ecr:repository-policy myapp
	// 123456789012.dkr.ecr.us-east-1.amazonaws.com/myapp
	// second run changes: 0 mutating calls: 0
}

// The lifecycle policy JSON ECR expects, as seed 000 writes it.
func ExampleLifecyclePolicy_JSON() {
	p := ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{
		ecr.KeepLastTagged(1, 30, "sha-"),
		ecr.ExpireUntaggedAfter(2, 1),
	}}
	js, err := p.JSON()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(js)
	// A rule selecting any image must come last.
	_, err = ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{ecr.KeepLast(1, 100), ecr.ExpireUntaggedAfter(2, 1)}}.JSON()
	fmt.Println(err)
	// Output:
	// {"rules":[{"rulePriority":1,"description":"Keep last 30 tagged images","selection":{"tagStatus":"tagged","tagPrefixList":["sha-"],"countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}},{"rulePriority":2,"description":"Delete untagged images after 1 day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}
	// ecr: policy.Rules[0].Priority: "1": a rule with TagStatus "any" must have the highest priority number (2 is higher)
}

// Pull for the whole organization and push for the CI role.
func ExampleRepositoryPolicy() {
	p := ecr.RepositoryPolicy{
		PullOrganizationID: "o-a1b2c3d4e5",
		PushRoleARNs:       []string{"arn:aws:iam::123456789012:role/myapp-github-ci"},
	}
	doc, err := p.Document()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.MustJSON())
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"OrganizationPull","Effect":"Allow","Principal":"*","Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","ecr:BatchCheckLayerAvailability"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}},{"Sid":"CIPush","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/myapp-github-ci"},"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","ecr:BatchCheckLayerAvailability","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage"]}]}
}
