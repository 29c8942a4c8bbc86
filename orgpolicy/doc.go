// Package orgpolicy manages AWS Organizations policies of every type
// through one typed path: build a document, check it against its type's
// grammar and size, create or update it (EnsurePolicy), attach exactly the
// wanted set to a root, OU or account after enabling the type on the root
// (EnsureAttachments), and read an account's effective management policy
// (ReadEffective).
//
// The 14 types are the SDK's PolicyType values (Types, Info): the
// authorization policies, service control policies (SCP, handled by
// package scp, which these functions call) and resource control policies
// (RCP), and the management policies: Tag, Backup, AIServicesOptOut,
// Chatbot, DeclarativeEC2, SecurityHub, Inspector, UpgradeRollout,
// Bedrock, S3, NetworkSecurityDirector and GuardDuty.
//
// # Documents
//
// SCPs and RCPs are IAM policy documents: build SCPs with scp.Build and
// RCPs with BuildRCP from the data perimeter guardrails
// (DenyExternalAccess: only the organization's principals reach its S3,
// SQS, KMS, Secrets Manager and STS resources; EnforceSecureTransport;
// ConfusedDeputyProtection: AWS services act only for the organization's
// accounts), and pass them with IAM. RCPs deny only, name Principal "*"
// and act on the services RCPs support (RCPServices); ValidateRCP checks
// that.
//
// Management policies are JSON trees whose values are set with the
// inheritance operators @@assign, @@append and @@remove, and
// @@operators_allowed_for_child_policies to limit what the policies below
// may change. TagPolicy (keys, values, enforcement, a locked key),
// BackupPolicy (plans selecting resources by tag), AIOptOutPolicy and
// DeclarativeEC2Policy (no public AMIs or snapshots, IMDSv2, no serial
// console) build the common ones; Settings takes any tree for the others.
// AWS merges the policies attached from the root down to an account into
// its effective policy; ReadEffective reads it.
//
// # Packing
//
// PackRCP packs RCP guardrails per OU path into the fewest resource
// control policies, as scp.Pack does for SCPs: guardrails every child
// shares hoisted to the parent, the rest packed within the size limit, the
// slots RCPFullAWSAccess and others' RCPs (ReadOccupied) hold counted,
// what does not fit reported with the numbers. PackedPolicySpecs and
// PackedAttachmentSpecs turn a packing into EnsurePolicy and
// EnsureAttachments specs; the output is deterministic, so a rerun
// changes nothing.
//
// # Limits
//
// Each type has AWS's size and per-target quotas as defaults (TypeInfo,
// Limits.For): SCPs 10,240 characters and 10 per target since 2026-05-15
// (scp.LegacyLimits has the earlier 5,120 and 5), RCPs 5,120 and 5, AI
// services opt-out 2,500 and 5, chatbot 10,000 and 5, tag, backup,
// declarative and Security Hub 10,000 and 10 (the per-target counts of
// RCP, chatbot, declarative and Security Hub policies are not confirmed).
// The figures of the types added in 2025 are not confirmed
// (TypeInfo.Confirmed): they take 10,000 and 10. Set Limits when your
// organization's differ.
//
// # Idempotency
//
// EnsurePolicy finds a policy by type and name and writes only the
// difference: content compared by meaning (IAM documents as policies,
// management policies as JSON values, so AWS's formatting is not drift),
// description, the spec's tags (other tags are kept, none is removed). A
// policy it creates carries the ownership tag managed-by=foundation from
// the CreatePolicy call itself. A policy of the name found without it
// (made by hand or by another tool) is converged only when
// PolicySpec.Adopt says so, and is then never tagged managed-by=foundation:
// it stays its owner's, and EnsureAttachments never detaches it unless
// AttachmentSpec.DetachUnmanaged (an explicit opt-in) says so. No function
// of this package deletes a policy.
// EnsureAttachments enables the type only when the root does not have it,
// attaches what is missing and detaches only the policies this library
// manages that are not wanted. A second run on converged state makes no
// mutating call. A CreatePolicy whose answer was lost is found by name,
// never made twice. Every function honours foundation.WithDryRun: reads
// only, and the result lists the changes a real run would make, with
// predicted identifiers for policies to be created that EnsureAttachments
// accepts in the same dry run.
//
// # Errors
//
// An invalid spec (an unknown type, a document that breaks its type's
// grammar or is over its size, a name or tag AWS refuses, more policies
// than the per-target limit) returns before any call an error matching
// foundation.ErrInvalidSpec that lists every fault with its field:
//
//	orgpolicy: spec.Content: Statement[0].Effect: must be Deny in a resource control policy (Allow is only supported in RCPFullAWSAccess)
//	orgpolicy: spec.Content: tags.env.tag_key: must be set with an inheritance operator, such as {"@@assign": ...}
//	orgpolicy: spec.Content: is 2568 characters once minified, more than the limit of 2500
//
// A size fault also unwraps to *scp.SizeError. A listed policy that does
// not exist wraps scp.ErrPolicyNotFound; a target that would exceed the
// limit once its current attachments are read is an
// *scp.AttachmentLimitError, returned before any write. AWS errors are
// wrapped with the type, the policy or target and the step; on error the
// result is nil and the error carries the changes made before it
// (*foundation.IncompleteError). A policy of the spec's name made outside
// this library (no managed-by=foundation tag) and not adopted is a
// *foundation.NotManagedError (errors.Is foundation.ErrNotManaged and
// foundation.ErrConflict) naming the kind (organizations:policy), the
// name and the field that adopts it (spec.Adopt), returned before any
// write, in a dry run too.
//
// # Permissions
//
// From the management account (or a delegated administrator for
// Organizations policies): organizations:ListRoots, EnablePolicyType,
// ListPolicies, DescribePolicy, CreatePolicy, UpdatePolicy,
// ListTagsForResource, TagResource, ListPoliciesForTarget, AttachPolicy,
// DetachPolicy, DescribeEffectivePolicy for ReadEffective (a member
// account may read its own), ListPoliciesForTarget and ListTagsForResource
// for ReadOccupied. PackRCP makes no call.
package orgpolicy
