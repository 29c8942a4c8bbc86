package kms_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/kms"
)

// A key someone made by hand and named with the alias: EnsureKey refuses
// it (it is not the library's), and with Spec.Adopt converges it as the
// spec says, keeping the owner's own key policy statement, without tagging
// it managed-by=foundation.
func ExampleSpec_adopt() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := awskms.NewFromConfig(srv.Config())
	ctx := context.Background()
	root := "arn:aws:iam::" + srv.ManagementAccountID() + ":root"

	// Made by hand.
	key, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Auditor","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"kms:DescribeKey","Resource":"*"}]}`)})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/shared"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		log.Fatal(err)
	}

	spec := kms.Spec{Alias: "alias/shared", Description: "shared data key", Policy: kms.KeyPolicy{AccountID: srv.ManagementAccountID()}}
	_, err = kms.EnsureKey(ctx, kms.API{KMS: c}, spec)
	fmt.Println(errors.Is(err, foundation.ErrNotManaged))

	spec.Adopt = true
	k, err := kms.EnsureKey(ctx, kms.API{KMS: c}, spec)
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range k.Changes {
		fmt.Println(ch.Action, ch.Resource, ch.ID)
	}
	for _, st := range k.Policy.Statement {
		fmt.Println(st.Sid)
	}
	// Output:
	// true
	// update kms:key-description alias/shared
	// update kms:key-rotation alias/shared
	// Enable IAM User Permissions
	// Auditor
}
