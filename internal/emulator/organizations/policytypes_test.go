package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// validPolicies holds one valid document per policy type.
var validPolicies = map[types.PolicyType]string{
	types.PolicyTypeServiceControlPolicy:          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*Object","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},{"Effect":"Deny","Action":"ec2:*","NotResource":"arn:aws:ec2:*:*:instance/*"}]}`,
	types.PolicyTypeResourceControlPolicy:         `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceTLS","Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`,
	types.PolicyTypeTagPolicy:                     `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]},"enforced_for":{"@@assign":["ec2:instance"]}}}}`,
	types.PolicyTypeBackupPolicy:                  `{"plans":{"daily":{"regions":{"@@assign":["eu-west-1"]},"rules":{"daily":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"target_backup_vault_name":{"@@assign":"Default"}}},"selections":{"tags":{"all":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/Backup"},"tag_key":{"@@assign":"backup"},"tag_value":{"@@assign":["daily"]}}}}}}}`,
	types.PolicyTypeAiservicesOptOutPolicy:        `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`,
	types.PolicyTypeChatbotPolicy:                 `{"chatbot":{"platforms":{"slack":{"client":{"@@assign":"disabled"}}}}}`,
	types.PolicyTypeDeclarativePolicyEc2:          `{"ec2_attributes":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}},"instance_metadata_defaults":{"http_tokens":{"@@assign":"required"}}}}`,
	types.PolicyTypeSecurityhubPolicy:             `{"securityhub":{"enable_in_regions":{"@@append":["ALL_SUPPORTED"],"@@operators_allowed_for_child_policies":["@@all"]},"disable_in_regions":{"@@append":[]}}}`,
	types.PolicyTypeInspectorPolicy:               `{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":["eu-west-1"]}}}}}`,
	types.PolicyTypeUpgradeRolloutPolicy:          `{"upgrade_rollout":{"default":{"patch_order":{"@@assign":"first"}}}}`,
	types.PolicyTypeBedrockPolicy:                 `{"bedrock":{"guardrail_inference":{"eu-west-1":{"guardrail_identifier":{"@@assign":"gr-1"}}}}}`,
	types.PolicyTypeS3Policy:                      `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}`,
	types.PolicyTypeNetworkSecurityDirectorPolicy: `{"network_security_director":{"scan":{"@@assign":"enabled"}}}`,
	types.PolicyTypeGuarddutyPolicy:               `{"guardduty":{"enable_in_regions":{"@@assign":["eu-west-1"]}}}`,
}

// Every policy type the SDK knows can be enabled, created with a valid
// document, attached and detached; a malformed one is refused with
// MalformedPolicyDocumentException.
func TestOrganizationsEveryPolicyType(t *testing.T) {
	require.Len(t, validPolicies, len(types.PolicyTypeServiceControlPolicy.Values()), "one document per PolicyType")
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	acct := aws.ToString(emutest.CreateAccount(t, client, "a", "a@example.com").AccountId)
	for _, typ := range types.PolicyTypeServiceControlPolicy.Values() {
		_, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: typ})
		require.NoError(t, err, typ)
		p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p-" + string(typ)), Description: aws.String(""),
			Type: typ, Content: aws.String(validPolicies[typ])})
		require.NoError(t, err, typ)
		id := p.Policy.PolicySummary.Id
		_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: id, TargetId: aws.String(acct)})
		require.NoError(t, err, typ)
		_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: id, TargetId: aws.String(acct)})
		require.NoError(t, err, typ)
		// Not an object, or an SCP/RCP document for a management type and
		// the reverse.
		other := validPolicies[types.PolicyTypeServiceControlPolicy]
		if typ == types.PolicyTypeServiceControlPolicy {
			other = validPolicies[types.PolicyTypeTagPolicy]
		}
		for _, bad := range []string{`[]`, other} {
			_, err = client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad-" + string(typ)), Description: aws.String(""),
				Type: typ, Content: aws.String(bad)})
			emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
		}
	}
}

func TestOrganizationsPolicyGrammars(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, _ := emutest.OrgSetup(t, srv)
	for i, c := range []struct {
		typ     types.PolicyType
		content string
		ok      bool
	}{
		// SCPs: the full IAM language since 2025-09-19, no principals.
		{types.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]}}}}`, true},
		{types.PolicyTypeServiceControlPolicy, `{"Statement":{"Effect":"Deny","Action":"s3:*Bucket*","Resource":"*"}}`, true},
		{types.PolicyTypeServiceControlPolicy, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, false},
		{types.PolicyTypeServiceControlPolicy, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","NotResource":"*"}}`, false},
		{types.PolicyTypeServiceControlPolicy, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringFoo":{"a":"b"}}}}`, false},
		{types.PolicyTypeServiceControlPolicy, `{"Statement":{"Effect":"Deny","Action":"S3 get","Resource":"*"}}`, false},
		// RCPs: Deny, Principal "*", actions of the services RCPs support.
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, false},
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, false},
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}}`, false},
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}}`, false},
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"ec2:*","Resource":"*"}}`, false},
		{types.PolicyTypeResourceControlPolicy, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["kms:*","sts:AssumeRole","secretsmanager:GetSecretValue","ecr:*","logs:*","aoss:*","cognito-idp:*"],"Resource":"*"}}`, true},
		// Management policies: inheritance operators under the type's key.
		{types.PolicyTypeTagPolicy, `{"tags":{"env":{"tag_key":"env"}}}`, false},
		{types.PolicyTypeTagPolicy, `{"tags":{"env":{"tag_key":{"@@replace":"env"}}}}`, false},
		{types.PolicyTypeTagPolicy, `{"tag":{"env":{"tag_key":{"@@assign":"env"}}}}`, false},
		{types.PolicyTypeTagPolicy, `{"tags":{"env":{"tag_key":{"@@assign":"env","@@operators_allowed_for_child_policies":["@@none"]}}}}`, true},
		{types.PolicyTypeTagPolicy, `{"tags":{"env":{"tag_value":{"@@append":["a"],"@@operators_allowed_for_child_policies":["@@all","@@none"]}}}}`, false},
		{types.PolicyTypeAiservicesOptOutPolicy, `{"services":{"default":{"opt_out_policy":{"@@assign":{"x":1}}}}}`, false},
		{types.PolicyTypeDeclarativePolicyEc2, `{"ec2":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`, false},
		{types.PolicyTypeBackupPolicy, `{}`, false},
	} {
		_, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(fmt.Sprint("g", i)), Description: aws.String(""),
			Type: c.typ, Content: aws.String(c.content)})
		if c.ok {
			require.NoError(t, err, "%d: %s", i, c.content)
		} else {
			emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
		}
	}
}

// Today's quotas: 10 SCPs per target and 10,240 characters per SCP (since
// 2026-05-15); the other types' from the quotas page.
func TestOrganizationsTodaysLimits(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	for _, typ := range []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeAiservicesOptOutPolicy} {
		_, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: typ})
		require.NoError(t, err)
	}
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	require.NoError(t, err)
	create := func(name, content string, typ types.PolicyType) (string, error) {
		p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(""), Type: typ, Content: aws.String(content)})
		if err != nil {
			return "", err
		}
		return aws.ToString(p.Policy.PolicySummary.Id), nil
	}
	attach := func(id string) error {
		_, err := client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: ou.OrganizationalUnit.Id})
		return err
	}
	for i := 2; i <= 11; i++ { // FullAWSAccess is the first
		id, err := create(fmt.Sprint("scp", i), `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, types.PolicyTypeServiceControlPolicy)
		require.NoError(t, err)
		if i <= 10 {
			require.NoError(t, attach(id), i)
		} else {
			requireReason(t, attach(id), types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
		}
	}
	big := func(n int) string {
		base := len(`{"Statement":{"Sid":"","Effect":"Deny","Action":"s3:*","Resource":"*"}}`)
		return `{"Statement":{"Sid":"` + strings.Repeat("a", n-base) + `","Effect":"Deny","Action":"s3:*","Resource":"*"}}`
	}
	_, err = create("exact", big(10240), types.PolicyTypeServiceControlPolicy)
	require.NoError(t, err)
	_, err = create("over", big(10241), types.PolicyTypeServiceControlPolicy)
	requireReason(t, err, types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)

	// AI services opt-out policies: 2,500 characters, 5 per target.
	ai := func(n int) string {
		base := len(`{"services":{"":{"opt_out_policy":{"@@assign":"optOut"}}}}`)
		return `{"services":{"` + strings.Repeat("s", n-base) + `":{"opt_out_policy":{"@@assign":"optOut"}}}}`
	}
	_, err = create("ai-over", ai(2501), types.PolicyTypeAiservicesOptOutPolicy)
	requireReason(t, err, types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
	for i := 1; i <= 6; i++ {
		id, err := create(fmt.Sprint("ai", i), ai(100+i), types.PolicyTypeAiservicesOptOutPolicy)
		require.NoError(t, err)
		if i <= 5 {
			require.NoError(t, attach(id))
		} else {
			requireReason(t, attach(id), types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
		}
	}
}

// An organization holds at most 1,000 policies of a type (RCPs here);
// the 1,001st is refused with POLICY_NUMBER_LIMIT_EXCEEDED.
func TestOrganizationsPolicyNumberLimit(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, _ := emutest.OrgSetup(t, srv)
	content := aws.String(validPolicies[types.PolicyTypeResourceControlPolicy])
	for i := 0; i < 1000; i++ {
		_, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(fmt.Sprint("r", i)), Description: aws.String(""),
			Type: types.PolicyTypeResourceControlPolicy, Content: content})
		require.NoError(t, err, i)
	}
	_, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("one-more"), Description: aws.String(""),
		Type: types.PolicyTypeResourceControlPolicy, Content: content})
	requireReason(t, err, types.ConstraintViolationExceptionReasonPolicyNumberLimitExceeded)
	// Another type is counted apart.
	_, err = client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("one-more"), Description: aws.String(""),
		Type: types.PolicyTypeTagPolicy, Content: aws.String(validPolicies[types.PolicyTypeTagPolicy])})
	require.NoError(t, err)
}

// DescribeEffectivePolicy merges the policies along the account's path
// with the inheritance operators.
func TestOrganizationsDescribeEffectivePolicy(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	require.NoError(t, err)
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	acct := aws.ToString(emutest.CreateAccount(t, client, "a", "a@example.com").AccountId)
	_, err = client.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(rootID), DestinationParentId: aws.String(ouID)})
	require.NoError(t, err)

	describe := func(target string) (string, error) {
		out, err := client.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(target)})
		if err != nil {
			return "", err
		}
		require.Equal(t, target, aws.ToString(out.EffectivePolicy.TargetId))
		require.Equal(t, types.EffectivePolicyTypeTagPolicy, out.EffectivePolicy.PolicyType)
		return aws.ToString(out.EffectivePolicy.PolicyContent), nil
	}
	_, err = describe(acct)
	var notFound *types.EffectivePolicyNotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)

	_, err = client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeTagPolicy})
	require.NoError(t, err)
	attach := func(name, content, target string) {
		p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(""),
			Type: types.PolicyTypeTagPolicy, Content: aws.String(content)})
		require.NoError(t, err)
		_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(target)})
		require.NoError(t, err)
	}
	attach("root", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]},"tag_value":{"@@assign":["100","200"]}},"project":{"tag_key":{"@@assign":"Project"}}}}`, rootID)
	attach("ou", `{"tags":{"costcenter":{"tag_key":{"@@assign":"COSTCENTER"},"tag_value":{"@@append":["300"]}}}}`, ouID)
	attach("acct", `{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}},"owner":{"tag_key":{"@@assign":"Owner"}}}}`, acct)
	got, err := describe(acct)
	require.NoError(t, err)
	// CostCenter's key is locked at the root (@@none); its values are
	// appended to by the OU and trimmed by the account.
	require.JSONEq(t, `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["200","300"]},"owner":{"tag_key":"Owner"},"project":{"tag_key":"Project"}}}`, got)

	// A member account reads its own, not another's.
	member := emutest.OrgClient(srv, acct)
	own, err := member.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	require.NoError(t, err)
	require.Equal(t, got, aws.ToString(own.EffectivePolicy.PolicyContent))
	require.Equal(t, acct, aws.ToString(own.EffectivePolicy.TargetId))
	_, err = member.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy,
		TargetId: aws.String(emulator.DefaultManagementAccountID)})
	emutest.RequireCode(t, err, "AccessDeniedException")

	// Only accounts; SCPs have no effective policy.
	_, err = describe(ouID)
	var invalid *types.InvalidInputException
	require.True(t, errors.As(err, &invalid), "%v", err)
	require.Equal(t, types.InvalidInputExceptionReasonTargetNotSupported, invalid.Reason)
	_, err = client.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: "SERVICE_CONTROL_POLICY", TargetId: aws.String(acct)})
	require.True(t, errors.As(err, &invalid), "%v", err)
}
