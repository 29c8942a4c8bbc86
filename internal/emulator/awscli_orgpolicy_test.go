package emulator_test

import (
	"testing"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// Organization policy types beyond SCPs, with the AWS CLI (issue 15): a
// declarative policy and a tag policy created and attached, a malformed
// RCP refused, today's SCP attachment limit, and an account's effective tag
// policy (describe-effective-policy).
func TestAWSCLIOrganizationPolicyTypes(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{AccountCreationDescribes: 1}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		r.ok("organizations", "create-organization", "--feature-set", "ALL")
		rootID, _ := emutest.Dig(r.ok("organizations", "list-roots"), "Roots", 0, "Id").(string)
		for _, typ := range []string{"DECLARATIVE_POLICY_EC2", "TAG_POLICY", "RESOURCE_CONTROL_POLICY"} {
			r.ok("organizations", "enable-policy-type", "--root-id", rootID, "--policy-type", typ)
		}
		decl := r.ok("organizations", "create-policy", "--name", "ec2", "--type", "DECLARATIVE_POLICY_EC2", "--description", "",
			"--content", `{"ec2_attributes":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`)
		declID, _ := emutest.Dig(decl, "Policy", "PolicySummary", "Id").(string)
		r.ok("organizations", "attach-policy", "--policy-id", declID, "--target-id", rootID)
		r.fails("MalformedPolicyDocumentException", "organizations", "create-policy", "--name", "rcp", "--type", "RESOURCE_CONTROL_POLICY",
			"--description", "", "--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)

		tag := r.ok("organizations", "create-policy", "--name", "tags", "--type", "TAG_POLICY", "--description", "",
			"--content", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100"]}}}}`)
		tagID, _ := emutest.Dig(tag, "Policy", "PolicySummary", "Id").(string)
		r.ok("organizations", "attach-policy", "--policy-id", tagID, "--target-id", rootID)
		accountID := r.createAccount("--email", "w@example.com", "--account-name", "W")
		eff := r.ok("organizations", "describe-effective-policy", "--policy-type", "TAG_POLICY", "--target-id", accountID)
		require.JSONEq(t, `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100"]}}}`, emutest.Dig(eff, "EffectivePolicy", "PolicyContent").(string))
		require.Equal(t, accountID, emutest.Dig(eff, "EffectivePolicy", "TargetId"))
		r.fails("EffectivePolicyNotFoundException", "organizations", "describe-effective-policy", "--policy-type", "BACKUP_POLICY", "--target-id", accountID)
		r.fails("InvalidInputException", "organizations", "describe-effective-policy", "--policy-type", "TAG_POLICY", "--target-id", rootID)
	})
}
