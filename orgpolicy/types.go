package orgpolicy

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation/scp"
)

const pkg = "orgpolicy"

// Type is an AWS Organizations policy type, the SDK's PolicyType.
type Type = types.PolicyType

// The 14 policy types AWS Organizations has (the SDK's PolicyType values).
const (
	SCP                     Type = types.PolicyTypeServiceControlPolicy
	RCP                     Type = types.PolicyTypeResourceControlPolicy
	Tag                     Type = types.PolicyTypeTagPolicy
	Backup                  Type = types.PolicyTypeBackupPolicy
	AIServicesOptOut        Type = types.PolicyTypeAiservicesOptOutPolicy
	Chatbot                 Type = types.PolicyTypeChatbotPolicy
	DeclarativeEC2          Type = types.PolicyTypeDeclarativePolicyEc2
	SecurityHub             Type = types.PolicyTypeSecurityhubPolicy
	Inspector               Type = types.PolicyTypeInspectorPolicy
	UpgradeRollout          Type = types.PolicyTypeUpgradeRolloutPolicy
	Bedrock                 Type = types.PolicyTypeBedrockPolicy
	S3                      Type = types.PolicyTypeS3Policy
	NetworkSecurityDirector Type = types.PolicyTypeNetworkSecurityDirectorPolicy
	GuardDuty               Type = types.PolicyTypeGuarddutyPolicy
)

// Limits are the quotas of one policy type checked before any call. A
// zero field means the type's default (TypeInfo.Limits).
type Limits struct {
	// MaxPolicySize is the largest document, in characters of its
	// minified JSON.
	MaxPolicySize int
	// MaxPoliciesPerTarget is how many policies of the type one root, OU
	// or account may have attached directly (the AWS managed full-access
	// policy of SCPs and RCPs included).
	MaxPoliciesPerTarget int
}

// For returns l with its zero fields set to t's defaults.
func (l Limits) For(t Type) Limits {
	def := Info(t).Limits
	if l.MaxPolicySize == 0 {
		l.MaxPolicySize = def.MaxPolicySize
	}
	if l.MaxPoliciesPerTarget == 0 {
		l.MaxPoliciesPerTarget = def.MaxPoliciesPerTarget
	}
	return l
}

// TypeInfo describes one policy type.
type TypeInfo struct {
	Type Type
	// Authorization is true for SCPs and RCPs: IAM policy documents, an
	// AWS managed full-access policy attached to every target while the
	// type is enabled, at least one policy per target. The others are
	// management policies: JSON trees set with inheritance operators
	// (@@assign, @@append, @@remove), whose effective policy per account
	// AWS computes (DescribeEffectivePolicy).
	Authorization bool
	// ManagedPolicyID and ManagedPolicyName are the AWS managed
	// full-access policy of an authorization type ("p-FullAWSAccess",
	// "FullAWSAccess"); RCPFullAWSAccess cannot be detached.
	ManagedPolicyID, ManagedPolicyName string
	// TopKey is the top-level key of a management policy document
	// ("tags" for tag policies), "" when not confirmed from AWS's syntax
	// page for the type.
	TopKey string
	// Limits are AWS's default quotas of the type.
	Limits Limits
	// MaxPerOrganization is how many policies of the type one organization
	// may hold.
	MaxPerOrganization int
	// Confirmed is true when the size limit and MaxPerOrganization are
	// from AWS's Organizations quotas page; the types added in 2025
	// (Inspector, upgrade rollout, Bedrock, S3, network security director,
	// GuardDuty) take the other management types' figures, not confirmed.
	// The per-target count is confirmed for SCP (10 since 2026-05-15),
	// tag, backup (10) and AI services opt-out (5) policies only; RCP (5),
	// chatbot (5), declarative (10) and Security Hub (10) are not.
	Confirmed bool
}

// infos holds every type, in the SDK's order. Sources: the Organizations
// quotas page (orgs_reference_limits) and the syntax page of each type.
var infos = []TypeInfo{
	{Type: SCP, Authorization: true, ManagedPolicyID: scp.FullAWSAccessID, ManagedPolicyName: scp.FullAWSAccessName,
		Limits: Limits{scp.DefaultMaxPolicySize, scp.DefaultMaxPoliciesPerTarget}, MaxPerOrganization: 10000, Confirmed: true},
	{Type: RCP, Authorization: true, ManagedPolicyID: "p-RCPFullAWSAccess", ManagedPolicyName: "RCPFullAWSAccess",
		Limits: Limits{5120, 5}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: Tag, TopKey: "tags", Limits: Limits{10000, 10}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: Backup, TopKey: "plans", Limits: Limits{10000, 10}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: AIServicesOptOut, TopKey: "services", Limits: Limits{2500, 5}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: Chatbot, TopKey: "chatbot", Limits: Limits{10000, 5}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: DeclarativeEC2, TopKey: "ec2_attributes", Limits: Limits{10000, 10}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: SecurityHub, TopKey: "securityhub", Limits: Limits{10000, 10}, MaxPerOrganization: 1000, Confirmed: true},
	{Type: Inspector, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
	{Type: UpgradeRollout, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
	{Type: Bedrock, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
	{Type: S3, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
	{Type: NetworkSecurityDirector, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
	{Type: GuardDuty, Limits: Limits{10000, 10}, MaxPerOrganization: 1000},
}

// Types returns every policy type, in the SDK's order.
func Types() []TypeInfo { return append([]TypeInfo(nil), infos...) }

// Info returns what this package knows of t (the zero TypeInfo for an
// unknown type).
func Info(t Type) TypeInfo {
	for _, i := range infos {
		if i.Type == t {
			return i
		}
	}
	return TypeInfo{}
}

// Known reports whether t is one of the 14 policy types.
func Known(t Type) bool { return Info(t).Type != "" }

// kind is the kind of the identifiers dry runs predict for policies of t
// ("scp" for SCPs, as package scp predicts them).
func kind(t Type) string {
	if t == SCP {
		return "scp"
	}
	return strings.ToLower(string(t))
}

func limitFaults(field string, l Limits) []string {
	var out []string
	if l.MaxPolicySize < 0 {
		out = append(out, fmt.Sprintf("%s.MaxPolicySize: must not be negative (0 means the type's default)", field))
	}
	if l.MaxPoliciesPerTarget < 0 {
		out = append(out, fmt.Sprintf("%s.MaxPoliciesPerTarget: must not be negative (0 means the type's default)", field))
	}
	return out
}
