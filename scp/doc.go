// Package scp builds, checks, evaluates and applies AWS Organizations
// service control policies (SCPs).
//
// Documents are foundation.PolicyDocument values. The guardrail library
// builds their statements, each with a stable Sid, from typed options that
// are validated (foundation.ErrInvalidSpec for an unknown Region, an empty
// account list...), and Build composes them into one document:
//
//	doc, err := scp.Build(
//		scp.DenyRootUser(scp.RootUserOptions{}),
//		scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"},
//			ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/PlatformAdmin"}}),
//		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
//		scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
//		scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
//		scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
//		scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
//		scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"111122223333"}}),
//		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "DenyRDSDelete", Actions: []string{"rds:DeleteDBCluster"}}),
//	)
//
// DenyAll is the SCP of a Suspended OU; AllowAll is the Allow an allow-list
// SCP carries when FullAWSAccess is detached; Custom adds hand-written
// statements.
//
// Limits are checked before any call: the size of the document (10,240
// characters by default, counted on the minified JSON, which is what
// EnsurePolicy sends: see Minify and Size) and the number of SCPs per
// target (10 by default, FullAWSAccess included while it stays attached).
// These are AWS's quotas since 2026-05-15 (5,120 and 5 before:
// LegacyLimits). Both are options (Limits).
//
// Evaluate decides a request (action, resource, Region, principal ARN,
// account and tags, other context keys) against the SCPs of a target
// offline, with SCP semantics; EvaluatePath does so for every level from
// the root to an account. Use it to test guardrails: "is the root user
// denied", "is ec2 denied in eu-west-3 while iam is not".
//
// EnsurePolicy converges one SCP (found by name; created or updated; tags),
// and EnsureAttachments the set of SCPs attached to one root, OU or
// account, enabling SCPs on the root when needed.
//
// # The full IAM language
//
// Since 2025-09-19 SCPs accept the full IAM policy language: Allow
// statements with conditions and specific resources, NotResource,
// NotAction in an Allow, wildcards anywhere in an action name. Build,
// ValidateDocument and EnsurePolicy accept all of it; Principal and
// NotPrincipal remain refused (SCPs apply to the principals of the
// accounts they are attached to). Package orgpolicy handles the other
// policy types (resource control policies, tag, backup, declarative, ...)
// through the same kind of calls, and calls this package for SCPs.
//
// # Packing
//
// Pack computes the fewest SCPs for guardrails wanted per OU path: a
// Deny-only guardrail every child of a target has is hoisted to the
// target (and one an ancestor has is dropped), each target's guardrails
// are packed into the fewest policies within MaxPolicySize (first fit by
// decreasing size, then a bounded exact search; a too-large guardrail
// split by statements), and the slots that
// FullAWSAccess and others' SCPs (ReadOccupied: Control Tower's, by hand)
// hold are counted; what does not fit is reported in Packing.Unfit with
// the numbers. The output is deterministic (names PREFIX-PATH-N), so
// converging it (Packing.PolicySpecs, Packing.AttachmentSpecs) twice makes
// no change.
//
// # Managed policies
//
// Every policy EnsurePolicy creates carries the ownership tag
// managed-by=foundation (ManagedByTagKey, ManagedByTagValue, package
// foundation's), put on in the CreatePolicy call itself, so a lost answer
// or a crash never leaves an untagged policy. A policy of the same name
// found without it (made by hand, or tagged managed-by=terraform) is
// someone else's: EnsurePolicy returns a *foundation.NotManagedError
// before any write to it (in a dry run too) unless PolicySpec.Adopt is
// set; with Adopt its content, description and the spec's tags are
// converged, and it is never tagged managed-by=foundation nor stripped of
// its owner's tags. EnsureAttachments detaches only policies carrying the
// tag; the AWS managed FullAWSAccess and policies without the tag (adopted
// ones included) are never detached unless AttachmentSpec.DetachFullAWSAccess
// or AttachmentSpec.DetachUnmanaged (an explicit opt-in, naming what the
// caller wants detached) say so. No function of this package deletes a
// policy or removes a tag. Exempt from the ownership tag: the AWS managed
// policies (AWS's own: refused by name, FullAWSAccess kept attached unless
// DetachFullAWSAccess) and the root's policy types (the root is unique).
//
// # Idempotency
//
// Both Ensure functions read, compare and write only the difference: run
// again on converged state they make no mutating call and report no
// changes. Policy content is compared by meaning
// (foundation.PolicyDocument.Equal): AWS reformatting it, or a statement
// order that differs, is not drift; a statement edited by hand is, and is
// repaired. Tags with keys of the spec are converged; other tags are kept
// (a tag is never removed). Only the library's own policies (tagged
// managed-by=foundation) and those the spec adopts (PolicySpec.Adopt) are
// written to.
// A CreatePolicy that races another run (DuplicatePolicyException) re-reads
// the policy and converges it; an attachment made or removed meanwhile
// (DuplicatePolicyAttachmentException, PolicyNotAttachedException) counts
// as done (no change is reported for it). With foundation.WithDryRun(true)
// only read calls are made and the result lists every change that would be
// made (for an organization without SCPs, the attachments are predicted
// from FullAWSAccess, which enabling SCPs attaches everywhere).
//
// Lost answers: no Organizations write of this package has a client token.
// A CreatePolicy AWS applied whose answer was lost (a 5xx, a broken
// connection) is not resent by the SDK: the policy is looked for by its
// name (the create carried the ownership tag) and reported as this run's
// creation, or created again
// (internal/awsretry Create, bounded by the propagation timeout). The other
// writes are retried by the SDK and converge through the races above:
// AttachPolicy gets
// DuplicatePolicyAttachmentException, DetachPolicy
// PolicyNotAttachedException, EnablePolicyType
// PolicyTypeAlreadyEnabledException; UpdatePolicy and TagResource set a
// state. The fault sweep checks each with a retryable 500 after the write.
//
// Dry runs chain: the ID of a policy EnsurePolicy's dry run would create is
// a predicted identifier ("(known after apply: scp NAME)"), and
// EnsureAttachments, in a dry run, accepts it in AttachmentSpec.Policies
// (as it does the name of a policy not found) and accepts as TargetID an
// identifier the organizations package's dry run predicted for a root, OU
// or account that would be created. It plans with them without reading AWS
// for them (a new target starts with FullAWSAccess attached); no call ever
// carries a predicted identifier. A dry run before the organization exists
// plans EnsurePolicy's create and, for EnsureAttachments, SCPs enabled on
// the root that would be created. Guardrails accept an account ID the
// organizations package's dry run predicted (DenyInternetGateways'
// ExceptAccounts naming an account that would be created): EnsurePolicy
// plans with such a document in a dry run and refuses it in a real run.
//
// Enabling SCPs on the root is asynchronous: EnsureAttachments waits for
// the root to report them ENABLED with the options' poll interval and wait
// timeout (foundation.WithPollInterval, foundation.WithWaitTimeout).
//
// # Errors
//
// An invalid spec returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	scp: spec.Name: is required
//	scp: spec.Document: Statement[0].Principal: is not supported in service control policies
//	scp: spec.Document: is 10330 characters once minified, more than the limit of 10240
//	scp: RestrictRegions.Allowed[1]: "eu-westt-1": is not an AWS Region (such as "eu-west-1"); ...
//	scp: spec.Policies: 10 policies plus FullAWSAccess, which is kept, exceed the limit of 10 SCPs per target
//
// A predicted identifier (see Idempotency) given to a real run is an
// invalid spec naming its field:
//
//	scp: spec.TargetID: "(known after apply: ou Workloads/New)": is an identifier predicted by a dry run ...
//
// A size fault also matches *SizeError with errors.As. Guardrail option
// faults are returned by Build (or Guardrail.Err) the same way.
//
// Once the current attachments are read, a target that would have more
// SCPs than the limit (or none) is a *AttachmentLimitError naming the
// target, the count and the policies, returned before any write. A listed
// policy that does not exist wraps ErrPolicyNotFound; a name that is an AWS
// managed policy wraps ErrAWSManagedPolicy. A policy of the spec's name
// made outside this library (no managed-by=foundation tag) and not adopted
// is a *foundation.NotManagedError (errors.Is foundation.ErrNotManaged and
// foundation.ErrConflict) naming organizations:policy, the name and
// spec.Adopt, returned before any write, in a dry run too:
//
//	organizations:policy "deny-root" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to ...
//
// AWS errors are returned wrapped once with the resource and the step and
// keep the SDK's error chain (errors.As with the types of
// github.com/aws/aws-sdk-go-v2/service/organizations/types, such as
// *types.ConstraintViolationException, or smithy.APIError):
//
//	scp: policy "deny-root": create: operation error Organizations: CreatePolicy, ...
//	scp: target "ou-ab12-cd34ef56": attach "deny-root": operation error ...
//
// An error after some writes carries the changes made so far: errors.As
// with *foundation.IncompleteError gives them (its message is the wrapped
// error's, and errors.As and errors.Is see through it), and the result is
// nil.
//
// Throttling is retried by the SDK; ConcurrentModificationException, which
// AWS asks callers to retry and the SDK does not, is added to every call's
// retryer through internal/awsretry, within the client's MaxAttempts.
//
// # Permissions
//
// Call with the management account (or a delegated administrator for
// policy management):
//
//	EnsurePolicy:       organizations:ListPolicies, organizations:DescribePolicy,
//	                    organizations:CreatePolicy, organizations:UpdatePolicy,
//	                    organizations:ListTagsForResource, organizations:TagResource
//	EnsureAttachments:  organizations:ListRoots, organizations:EnablePolicyType (only
//	                    when SCPs are not enabled), organizations:ListPolicies,
//	                    organizations:ListPoliciesForTarget,
//	                    organizations:ListTagsForResource,
//	                    organizations:AttachPolicy, organizations:DetachPolicy
//	ReadOccupied:       organizations:ListPoliciesForTarget, organizations:ListTagsForResource
//
// Pack makes no call. SCPs never restrict the management account itself.
package scp
