package kms_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/kms"
)

// Seed 000's per-environment key: EKS may use it, and so may the Auto
// Scaling service-linked role, which EnsureKey creates first (in a fresh
// account KMS would refuse a policy naming it). Runs on the test backend
// (the embedded emulator unless told otherwise).
func ExampleEnsureKey() {
	b, done := awstest.Example("ExampleEnsureKey")
	defer done()
	cfg := b.Config()
	api := kms.API{KMS: awskms.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg)}
	ctx := context.Background()
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}

	spec := kms.Spec{
		Alias:       "alias/prod-us-east-1-main",
		Description: "prod-us-east-1-main",
		Policy: kms.KeyPolicy{
			AccountID: aws.ToString(who.Account),
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
	}
	poll := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	key, err := kms.EnsureKey(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range key.Changes {
		fmt.Println(c.Action, c.Resource, c.ID)
	}
	fmt.Println(key.AliasARN)

	again, err := kms.EnsureKey(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run, same key:", again.KeyID == key.KeyID)
	// Output:
	// create iam:service-linked-role AWSServiceRoleForAutoScaling
	// create kms:key alias/prod-us-east-1-main
	// create kms:alias alias/prod-us-east-1-main
	// update kms:key-rotation alias/prod-us-east-1-main
	// arn:aws:kms:us-east-1:123456789012:alias/prod-us-east-1-main
	// second run, same key: true
}

// AWS's default key policy, with administrators and users.
func ExampleKeyPolicy() {
	p := kms.KeyPolicy{
		AccountID:      "111122223333",
		Administrators: []kms.Principal{kms.AWS("arn:aws:iam::111122223333:role/KeyAdmin")},
		Users:          []kms.Principal{kms.AWS("arn:aws:iam::111122223333:role/app"), kms.ServiceLinkedRole("eks.amazonaws.com")},
	}
	doc, err := p.Document()
	if err != nil {
		log.Fatal(err)
	}
	for _, st := range doc.Statement {
		fmt.Printf("%s: %v %v\n", st.Sid, st.Principal.AWS, st.Action)
	}
	fmt.Println(p.ServiceLinkedRoles()[0].AWSServiceName)
	// Output:
	// Enable IAM User Permissions: [arn:aws:iam::111122223333:root] [kms:*]
	// Allow access for Key Administrators: [arn:aws:iam::111122223333:role/KeyAdmin] [kms:Create* kms:Describe* kms:Enable* kms:List* kms:Put* kms:Update* kms:Revoke* kms:Disable* kms:Get* kms:Delete* kms:TagResource kms:UntagResource kms:ScheduleKeyDeletion kms:CancelKeyDeletion kms:RotateKeyOnDemand]
	// Allow use of the key: [arn:aws:iam::111122223333:role/app arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS] [kms:Encrypt kms:Decrypt kms:ReEncrypt* kms:GenerateDataKey* kms:DescribeKey]
	// Allow attachment of persistent resources: [arn:aws:iam::111122223333:role/app arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS] [kms:CreateGrant kms:ListGrants kms:RevokeGrant]
	// eks.amazonaws.com
}

// Create the Auto Scaling service-linked role on its own, on the test
// backend.
func ExampleEnsureServiceLinkedRole() {
	b, done := awstest.Example("ExampleEnsureServiceLinkedRole")
	defer done()
	client := iam.NewFromConfig(b.Config())
	spec := kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com"}
	for range 2 {
		role, err := kms.EnsureServiceLinkedRole(context.Background(), client, spec)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(role.ARN, len(role.Changes))
	}
	// Output:
	// arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling 1
	// arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling 0
}
