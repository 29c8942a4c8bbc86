package kms_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/kms"
)

// Seed 000's per-environment key: EKS may use it, and so may the Auto
// Scaling service-linked role, which EnsureKey creates first (in a fresh
// account KMS would refuse a policy naming it). A second run changes
// nothing and makes no mutating call. Runs on the emulator of package
// foundationtest: with credentials for AWS, build cfg with
// config.LoadDefaultConfig instead.
func ExampleEnsureKey() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.Config() // the management account, fake credentials
	api := kms.API{KMS: awskms.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg)}
	ctx := context.Background()

	spec := kms.Spec{
		Alias:       "alias/prod-us-east-1-main",
		Description: "prod-us-east-1-main",
		Policy: kms.KeyPolicy{
			AccountID: srv.ManagementAccountID(),
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
	fmt.Println(key.ARN)
	fmt.Println(key.AliasARN)

	mark := srv.Mark()
	again, err := kms.EnsureKey(ctx, api, spec, poll)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run changes:", len(again.Changes), "mutating calls:", len(srv.MutatingCallsSince(mark)))
	fmt.Println("same key:", again.KeyID == key.KeyID)
	// Output:
	// create iam:service-linked-role AWSServiceRoleForAutoScaling
	// create kms:key alias/prod-us-east-1-main
	// create kms:alias alias/prod-us-east-1-main
	// update kms:key-rotation alias/prod-us-east-1-main
	// arn:aws:kms:us-east-1:123456789012:key/b8655dcc-6c9d-420b-939a-537e8ad77255
	// arn:aws:kms:us-east-1:123456789012:alias/prod-us-east-1-main
	// second run changes: 0 mutating calls: 0
	// same key: true
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

// Create the Auto Scaling service-linked role on its own; the second run
// finds it. Runs on the emulator of package foundationtest.
func ExampleEnsureServiceLinkedRole() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := iam.NewFromConfig(srv.Config())
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
