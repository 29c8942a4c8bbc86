package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/awstest"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// seed000Guardrail is examples/landingzone's production guardrail SCP
// (Spec.guardrailPolicy in examples/landingzone/specs.go, with seed.yaml's
// regions), built with the library as the program builds it. A package
// main cannot be imported, so it is restated here: keep the two in step.
func seed000Guardrail(t *testing.T) scp.PolicySpec {
	t.Helper()
	doc, err := scp.Build(
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:                "DenyDangerousEKSOperations",
			Actions:            []string{"eks:DeleteCluster", "eks:DeleteNodegroup"},
			UnlessPrincipalTag: map[string]string{"AllowDestructive": "true"},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:     "DenyRDSDelete",
			Actions: []string{"rds:DeleteDBInstance", "rds:DeleteDBCluster"},
		}),
		scp.RestrictRegions(scp.RegionOptions{
			Sid:           "RequireRegions",
			Allowed:       []string{"us-east-1", "us-west-2"},
			ExemptActions: []string{"iam:*", "sts:*", "route53:*", "cloudfront:*", "waf:*", "acm:*", "support:*", "health:*"},
		}),
	)
	require.NoError(t, err)
	return scp.PolicySpec{Name: "lz-production-guardrails", Description: "Deny destroying EKS and RDS, and regions outside the allowed ones", Document: doc}
}

// TestLandingZoneGuardrailDoesNotLockThePipelineOut attaches the landing
// zone's production SCP to the Production OU with the library, then does
// in the protected account what the pipeline does there through the
// account's access role (the state backend, its state object, a key) and
// checks the guardrail still denies what it says (another region).
func TestLandingZoneGuardrailDoesNotLockThePipelineOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, emulator.Options{})
	base := emutest.Config(srv, "AKIDEXAMPLE")
	opts := awstest.FastOptions()
	orgs, _, rootID := emutest.OrgSetup(t, srv)
	ou, err := orgs.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Production")})
	require.NoError(t, err)
	account := aws.ToString(emutest.CreateAccount(t, orgs, "prod", "prod@example.com").AccountId)
	_, err = orgs.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: aws.String(account), SourceParentId: aws.String(rootID), DestinationParentId: ou.OrganizationalUnit.Id})
	require.NoError(t, err)

	guardrail := seed000Guardrail(t)
	p, err := scp.EnsurePolicy(ctx, orgs, guardrail, opts...)
	require.NoError(t, err)
	_, err = scp.EnsureAttachments(ctx, orgs, scp.AttachmentSpec{TargetID: aws.ToString(ou.OrganizationalUnit.Id), Policies: []string{guardrail.Name}}, opts...)
	require.NoError(t, err)

	member, err := organizations.AccountConfig(ctx, base, account, "OrganizationAccountAccessRole")
	require.NoError(t, err)
	s3c := s3.NewFromConfig(member, func(o *s3.Options) { o.UsePathStyle = true })
	spec := statebackend.Spec{Bucket: "lz-terraform-state-" + account, Region: "us-east-1", AccountID: account,
		Locking: statebackend.LockBoth, LockTable: "lz-terraform-locks"}
	for run := range 2 { // converges, and converges again
		_, err = statebackend.Bootstrap(ctx, statebackend.API{S3: s3c, DynamoDB: dynamodb.NewFromConfig(member)}, spec, opts...)
		require.NoErrorf(t, err, "run %d", run+1)
	}
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(spec.Bucket), Key: aws.String("prod/terraform.tfstate"),
		Body: strings.NewReader(`{"version":4}`)})
	require.NoError(t, err)
	_, err = kmssdk.NewFromConfig(member).CreateKey(ctx, &kmssdk.CreateKeyInput{Description: aws.String("prod")})
	require.NoError(t, err)

	// The guardrail is real: the same principal in another region is
	// denied, by that policy; IAM, exempted, is not.
	elsewhere := member.Copy()
	elsewhere.Region = "eu-west-3"
	_, err = kmssdk.NewFromConfig(elsewhere).CreateKey(ctx, &kmssdk.CreateKeyInput{})
	requireDenied(t, err, "AccessDeniedException", "kms:CreateKey", "with an explicit deny in a service control policy: "+p.ARN)
	_, err = iamsdk.NewFromConfig(elsewhere).ListRoles(ctx, &iamsdk.ListRolesInput{})
	require.NoError(t, err)
}
