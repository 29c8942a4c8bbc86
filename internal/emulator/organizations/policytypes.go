package organizations

// Policy types: their quotas, their grammars (package policy) and
// DescribeEffectivePolicy for the management policy types.

import (
	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

// The SCP quotas since 2026-05-15 (5120 characters and 5 per target
// before); Settings.SCPMaxSize and SCPMaxAttachments override them.
const (
	orgSCPMaxSize   = 10240
	orgSCPMaxAttach = 10
)

// orgPolicyTypes lists the 14 policy types AWS Organizations knows (the
// SDK's PolicyType enumeration), with the largest document (characters,
// whitespace outside strings removed), the most policies of the type one
// target can have attached (0 = the SCP settings for both) and the most
// policies of the type one organization can have (POLICY_NUMBER_LIMIT_EXCEEDED
// beyond), from the Organizations quotas page
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
// Sizes and per-organization counts of SCP, RCP, tag, backup, AI services
// opt-out, chatbot, declarative and Security Hub policies are documented
// there, per-target counts for SCP, tag, backup and AI services opt-out
// policies (RCP 5, chatbot 5, declarative and Security Hub 10 are not
// confirmed); the types added in 2025 (Inspector, upgrade rollout,
// Bedrock, S3, network security director, GuardDuty) are not confirmed:
// they take the other management types' 10,000 characters, 10 per target
// and 1,000 per organization.
var orgPolicyTypes = map[string]struct{ maxSize, maxAttach, maxPolicies int }{
	orgSCP:                             {0, 0, 10000},
	orgRCP:                             {5120, 5, 1000},
	"TAG_POLICY":                       {10000, 10, 1000},
	"BACKUP_POLICY":                    {10000, 10, 1000},
	"AISERVICES_OPT_OUT_POLICY":        {2500, 5, 1000},
	"CHATBOT_POLICY":                   {10000, 5, 1000},
	"DECLARATIVE_POLICY_EC2":           {10000, 10, 1000},
	"SECURITYHUB_POLICY":               {10000, 10, 1000},
	"INSPECTOR_POLICY":                 {10000, 10, 1000},
	"UPGRADE_ROLLOUT_POLICY":           {10000, 10, 1000},
	"BEDROCK_POLICY":                   {10000, 10, 1000},
	"S3_POLICY":                        {10000, 10, 1000},
	"NETWORK_SECURITY_DIRECTOR_POLICY": {10000, 10, 1000},
	"GUARDDUTY_POLICY":                 {10000, 10, 1000},
}

// orgCheckGrammar checks a policy document against its type's grammar.
func orgCheckGrammar(typ, content string) *core.APIError {
	if why := policy.CheckOrganizationPolicy(typ, content); why != "" {
		return orgErr("MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: %s.", why)
	}
	return nil
}

// checkPolicyCount refuses one more customer policy of a type than the
// organization may have.
func (o *Organization) checkPolicyCount(typ string) *core.APIError {
	n := 0
	for _, p := range o.policies {
		if p.typ == typ {
			n++
		}
	}
	if n >= orgPolicyTypes[typ].maxPolicies {
		return orgConstraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
	}
	return nil
}

type orgEffectivePolicyOut struct {
	LastUpdatedTimestamp float64
	PolicyContent        string
	PolicyType           string
	TargetId             string
}

// orgDescribeEffectivePolicy returns the effective management policy of
// a type for an account: the policies of the type attached to the root,
// each OU down to the account, and the account, merged with the
// inheritance operators. The management account may ask for any account
// (a root or an OU is refused: AWS supports only accounts); a member
// account, for itself only. SCPs and RCPs have no effective policy
// (INVALID_ENUM_POLICY_TYPE: the EffectivePolicyType enumeration has none).
func orgDescribeEffectivePolicy(c *core.Ctx) (any, error) {
	o, err := orgOf(c)
	if err != nil {
		return nil, err
	}
	var in struct{ PolicyType, TargetId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if _, ok := orgPolicyTypes[in.PolicyType]; !ok || orgAuthorizationType(in.PolicyType) {
		return nil, orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %s.", in.PolicyType)
	}
	target := in.TargetId
	if target == "" {
		target = c.Account.ID
	}
	if c.Account.ID != o.mgmt && target != c.Account.ID {
		return nil, orgAccessDenied()
	}
	typ, _, _, ok := o.target(target)
	switch {
	case !ok:
		return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, or account with the TargetId that you specified.")
	case typ != orgTargetAccount:
		return nil, orgInvalid("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity: effective policies are available for accounts only.")
	}
	var levels [][]string
	for _, id := range o.pathTo(target) {
		var docs []string
		for _, pid := range o.attachedOfType(id, in.PolicyType) {
			if p, ok := o.policy(pid); ok {
				docs = append(docs, p.content)
			}
		}
		levels = append(levels, docs)
	}
	content, found := policy.EffectiveManagementPolicy(levels)
	if !o.policyTypes[in.PolicyType] || !found {
		return nil, orgErr("EffectivePolicyNotFoundException", "We can't find an effective policy of the specified type for the specified target.")
	}
	return map[string]any{"EffectivePolicy": orgEffectivePolicyOut{LastUpdatedTimestamp: core.EpochSeconds(c.Emu.Now()),
		PolicyContent: content, PolicyType: in.PolicyType, TargetId: target}}, nil
}

// pathTo lists the targets from the root down to an account: the root,
// each OU, the account.
func (o *Organization) pathTo(account string) []string {
	var rev []string
	for id := account; id != ""; {
		rev = append(rev, id)
		switch {
		case id == o.rootID:
			id = ""
		case o.members[id] != nil:
			id = o.members[id].parent
		case o.ous[id] != nil:
			id = o.ous[id].parent
		default:
			id = ""
		}
	}
	out := make([]string, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	return out
}
