// Package identitycenter converges human access to the accounts of an AWS
// organization through IAM Identity Center (formerly AWS SSO): the users and
// groups of its directory (Identity Store), permission sets and their
// provisioning, account assignments, and the AWS CLI profiles that use them.
//
//   - FindInstance finds the instance (ListInstances). Enabling the
//     organization instance is a console step done once in the management
//     account; without it every function returns an error matching
//     ErrNotEnabled, except that a dry run plans the changes it would make
//     once the instance exists (see below).
//   - EnsureUser, EnsureGroup and EnsureMembership converge users (by user
//     name), groups (by display name) and memberships.
//   - EnsurePermissionSet converges a permission set (by name): description,
//     session duration (a time.Duration, sent as ISO 8601: 8h is "PT8H"),
//     relay state, AWS managed and customer managed policies, inline policy
//     (a foundation.PolicyDocument), permissions boundary and tags, and
//     re-provisions it to the accounts it is provisioned to when it changed.
//   - EnsureAssignments converges account assignments (principals x
//     permission sets x accounts), with bounded concurrency, optionally
//     pruning the assignments in scope that the spec does not ask for.
//   - EnsureAccess does all of the above from one AccessSpec.
//   - RenderConfig, MergeConfig and WriteConfigFile generate the
//     [sso-session] block and [profile] sections of ~/.aws/config.
//
// The clients must be built for the instance's home region and act in the
// account that owns the instance (the management account or the delegated
// administrator).
//
// # Idempotency
//
// Ownership: every permission set the library makes carries
// managed-by=foundation from its create (so a lost answer or a crash never
// leaves an untagged one). One found by name without it is refused
// (see Errors) unless its spec sets Adopt: an adopted permission set is
// converged as the spec says but never tagged and never pruned (policies,
// an inline policy or a boundary its spec does not list stay). Users,
// groups and assignments cannot carry tags (the identity store has none):
// they are found by name and converged, and assignments are pruned only
// when the spec asks (Prune), only for its own permission sets and in its
// scope of accounts.
//
// Every Ensure function reads, compares and writes only the difference: a
// second run on converged state makes no mutating call and reports no
// changes. Inline policies are compared by meaning
// (foundation.PolicyDocument.Equal), so AWS's reformatting is not drift;
// session durations are compared as durations ("PT60M" equals 1h).
//
// A permission set is owned by its spec: policies the spec does not list are
// detached, an inline policy or permissions boundary the spec does not set
// is deleted. Description and relay state cannot be cleared through the API:
// empty ones in the spec are left as they are, as are tags with keys the
// spec does not list. A user's other attributes, a group's members not in
// the spec and assignments outside the prune scope are never touched.
//
// Provisioning. AWS provisions a permission set to an account when an
// assignment is created, but does not re-provision it when the permission
// set changes. EnsurePermissionSet does: when a run changed anything but
// tags, it calls ProvisionPermissionSet with ALL_PROVISIONED_ACCOUNTS and
// waits for it. A run that stopped between the change and the provisioning
// leaves the accounts listed as LATEST_PERMISSION_SET_NOT_PROVISIONED; every
// run re-provisions such accounts (one ProvisionPermissionSet per account),
// so the next run finishes the work.
//
// Lost answers. No create this package makes has a client token. Which
// mechanism guards each one when AWS applied it but the answer was lost
// (each found attempt is reported as this run's change):
//
//   - CreatePermissionSet, AttachManagedPolicyToPermissionSet,
//     AttachCustomerManagedPolicyReferenceToPermissionSet: the SDK does not
//     retry a 5xx or a broken connection on them; the run looks for the
//     earlier attempt (the permission set by its name, the policy in the
//     permission set's list) and adopts it, or calls again
//     (internal/awsretry Create, bounded by the options' propagation
//     timeout).
//   - ProvisionPermissionSet: the same; the earlier attempt is the
//     provisioning of the permission set IN_PROGRESS
//     (ListPermissionSetProvisioningStatus), which is waited for. A
//     ConflictException "already being provisioned" that outlasts the
//     retryer is waited out the same way (a provisioning an earlier run
//     lost), then provisioning is made again.
//   - CreateUser, CreateGroup, CreateGroupMembership: the same; the
//     earlier attempt is found by the user's name (GetUserId), the group's
//     display name (GetGroupId) or the membership (GetGroupMembershipId).
//     A ConflictException UNIQUENESS_CONSTRAINT_VIOLATION (another run made
//     it) is read back the same way (see Errors).
//   - CreateAccountAssignment: a second create of an assignment that
//     exists is accepted as a new request that succeeds (the emulator
//     models it so), so the SDK's retry of a lost answer is harmless; the other
//     writes (Put..., Update..., Tag..., Detach..., Delete...) set a state
//     and are idempotent.
//
// Assignments. AWS processes at most 10 outstanding assignment creations
// per instance. EnsureAssignments and EnsureAccess keep at most
// DefaultAssignmentConcurrency = 10 CreateAccountAssignment or
// DeleteAccountAssignment requests outstanding at once (fewer with
// foundation.WithConcurrency; more is capped at 10), each waited for
// until SUCCEEDED or FAILED. With Prune, the scope is every (permission
// set, account) pair where the permission set is named by the spec and the
// account is named by the spec or listed in PruneAccounts; in scope,
// assignments the spec does not ask for are deleted, whoever their
// principal. Without Prune nothing is deleted.
//
// Reads. Without Prune, when the spec's principals are fewer than its
// (permission set, account) pairs, the existing assignments are read per
// principal (ListAccountAssignmentsForPrincipal: a group on every account
// is a few pages), else per pair (ListAccountAssignments); with Prune per
// pair, since the other principals of a pair count. The reads of
// every existing permission set of an EnsureAccess call (its settings,
// policies, boundary, tags and the accounts with an outdated version: six
// reads each) start at once, beside the users' and groups'; the writes
// follow in the spec's order. A call that changes a permission set lists
// every account it is provisioned to; one that changes nothing does not. With
// foundation.WithReadCache the calls of a run find the instance, list and
// describe the permission sets and look each user and group up once
// between them. On AWS's endpoints the run's sso-admin requests keep under
// IAM Identity Center's 20 a second (SSORequestRate, 15 at once from
// idle) by default; foundation.WithRequestRate("sso", r) sets another rate,
// or one for an emulator, and r <= 0 none.
//
// Creates that race another run (a user, group or permission set of the
// same name appearing between the read and the create: ConflictException)
// re-read and converge the existing resource. Async work (provisioning,
// assignment requests, an instance being created) is polled with the
// options' interval and bounded by their wait timeout
// (foundation.WithPollInterval, foundation.WithWaitTimeout).
//
// With foundation.WithDryRun(true) only read calls are made and the result
// lists the changes that would be made, including the creates and
// assignments that depend on resources that do not exist yet. A user,
// group or permission set the dry run would create gets a predicted ID or
// ARN ("(known after apply: permission set Deploy)", see
// internal/plan.Predict), which the run's memberships and assignments plan
// with. Account IDs predicted by organizations' dry run (accounts it would
// create) are accepted by EnsureAssignments and EnsureAccess in a dry run:
// their assignments are planned without reading AWS; a real run refuses
// them as an invalid spec.
//
// A dry run before IAM Identity Center has an instance (the first plan of
// a landing zone whose organization does not exist yet) does not fail:
// when the spec names no instance (InstanceARN) and ListInstances lists
// none, EnsureAccess, EnsureUser, EnsureGroup and EnsurePermissionSet make
// no further call and return the changes a real run would make on the
// newly enabled, empty instance (the same Changes, in the same order), with
// predicted IDs and ARNs and an empty Instance. EnsureGroup with Members, EnsureMembership
// and EnsureAssignments with assignments name principals or permission sets
// that must already exist, which they cannot without an instance: they
// still return the ErrNotEnabled error. A real run always does.
//
// Profiles. MergeConfig and WriteConfigFile mark each generated section
// with the key managed_by = foundation (which the AWS CLI ignores); later
// runs update those sections in place and, asked to prune, delete the
// generated profiles of the same sso-session that the spec no longer
// produces. Asked to prune, a spec may list no profile at all (the last
// account was retired): every generated profile of its sso-session goes,
// and so does the generated [sso-session] block unless a hand-written
// profile still uses it. Without prune, and for RenderConfig, a spec
// without profiles is invalid. Hand-written sections are never changed: one with the same name
// as a generated one is a *ProfileConflictError unless it already says
// exactly what would be generated or ConfigSpec.ReplaceHandWritten is set.
// The file is parsed with gopkg.in/ini.v1 as the AWS CLI reads it ("#" and
// ";" start comments only at the start of a line, nested s3 settings);
// comments are kept, keys are aligned. WriteConfigFile replaces the file
// atomically with mode 0600 and does not write a file that would not
// change.
//
// # Errors
//
// An invalid spec returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	identitycenter: spec.SessionDuration: "30m0s": must be between 1 and 12 hours
//
// The rules are AWS's: names and lengths, 1 to 12 hour sessions, https
// relay states, managed policy ARNs, at most 20 attached policies, inline
// policies of at most 10,240 characters minified without principals, tags,
// 12-digit account IDs, user names and emails; for profiles, the template,
// the names it yields (not empty, unique), the start URL and regions. In an
// AccessSpec, an assignment naming a group, user or permission set the spec
// does not declare is also an invalid spec.
//
// Without an Identity Center instance, errors match ErrNotEnabled (a dry
// run plans instead where it can; see Idempotency). Names
// that do not exist when EnsureAssignments, EnsureGroup (members) or
// EnsureMembership look them up are an *UnknownPrincipalError and/or
// *UnknownPermissionSetError (both match ErrNotFound), returned before any
// write. A FAILED assignment request is an *AssignmentError and a FAILED
// provisioning a *ProvisioningError, each with AWS's failure reason; the
// failures of one EnsureAssignments run are joined (errors.Join). A wait
// that times out wraps *foundation.WaitTimeoutError.
//
// A permission set found by name without the ownership tag
// (managed-by=foundation), made by hand or by another tool, is a
// *foundation.NotManagedError (matching foundation.ErrNotManaged and
// foundation.ErrConflict) naming it and the spec's Adopt field, returned
// before any write to it, in a dry run too.
//
// A run that fails after some writes returns an error carrying a
// *foundation.IncompleteError (errors.As) that lists the changes made
// before the failure; its message is the failure's.
//
// Other AWS errors are returned wrapped once with the resource and the
// step, keeping the SDK's error chain for errors.As:
//
//	identitycenter: permission set "ReadOnlyAccess": attach managed policy arn:aws:iam::aws:policy/ReadOnlyAccess: operation error SSO Admin: ...
//
// Throttling is retried by the SDK. ConflictException, which sso-admin
// returns while another operation on the same permission set or instance
// is in progress and asks callers to retry, is added to the client's
// retryer on every sso-admin call (internal/awsretry), bounded by the
// retryer's attempts. identitystore's ConflictException is retried the
// same way when its reason is CONCURRENT_MODIFICATION; when it persists it
// is an error, never "already there". Propagation: Identity Center learns
// of a new member account from Organizations some time after CreateAccount
// succeeded, and refuses CreateAccountAssignment on it until then with
// ValidationException; the spec having been validated first, that refusal
// is retried for the options' foundation.WithPropagationTimeout (default 2
// minutes), after which the error says the assignment was still refused.
// With the reason
// UNIQUENESS_CONSTRAINT_VIOLATION the user, group or membership exists: it
// is read back (GetUserId, GetGroupId, GetGroupMembershipId) and
// converged, and an error if the read does not find it.
//
// # Permissions
//
// sso-admin (resource: the instance, its permission sets and the accounts):
//
//	sso:ListInstances
//	sso:ListPermissionSets  sso:DescribePermissionSet  sso:CreatePermissionSet  sso:UpdatePermissionSet
//	sso:ListManagedPoliciesInPermissionSet  sso:AttachManagedPolicyToPermissionSet  sso:DetachManagedPolicyFromPermissionSet
//	sso:ListCustomerManagedPolicyReferencesInPermissionSet
//	sso:AttachCustomerManagedPolicyReferenceToPermissionSet  sso:DetachCustomerManagedPolicyReferenceFromPermissionSet
//	sso:GetInlinePolicyForPermissionSet  sso:PutInlinePolicyToPermissionSet  sso:DeleteInlinePolicyFromPermissionSet
//	sso:GetPermissionsBoundaryForPermissionSet  sso:PutPermissionsBoundaryToPermissionSet  sso:DeletePermissionsBoundaryFromPermissionSet
//	sso:ListTagsForResource  sso:TagResource
//	sso:ListAccountsForProvisionedPermissionSet  sso:ProvisionPermissionSet  sso:DescribePermissionSetProvisioningStatus
//	sso:ListPermissionSetProvisioningStatus
//	sso:ListAccountAssignments  sso:ListAccountAssignmentsForPrincipal
//	sso:CreateAccountAssignment  sso:DescribeAccountAssignmentCreationStatus
//	sso:DeleteAccountAssignment  sso:DescribeAccountAssignmentDeletionStatus   (only with Prune)
//
// Identity Store:
//
//	identitystore:GetUserId  identitystore:DescribeUser  identitystore:CreateUser  identitystore:UpdateUser
//	identitystore:GetGroupId  identitystore:DescribeGroup  identitystore:CreateGroup  identitystore:UpdateGroup
//	identitystore:GetGroupMembershipId  identitystore:CreateGroupMembership
//
// Provisioning a permission set (ProvisionPermissionSet, and
// CreateAccountAssignment or DeleteAccountAssignment, which provision and
// de-provision) makes Identity Center act in the target accounts on the
// caller's behalf, so the caller also needs, as AWS's managed policy
// AWSSSOMasterAccountAdministrator grants:
//
//	organizations:DescribeOrganization  organizations:DescribeAccount  organizations:ListAccounts
//	iam:GetRole  iam:CreateRole  iam:DeleteRole  iam:UpdateRole  iam:UpdateRoleDescription  iam:UpdateAssumeRolePolicy
//	iam:PutRolePolicy  iam:DeleteRolePolicy  iam:ListRolePolicies
//	iam:AttachRolePolicy  iam:DetachRolePolicy  iam:ListAttachedRolePolicies
//	iam:PutRolePermissionsBoundary  iam:DeleteRolePermissionsBoundary
//	    on arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*
//	iam:GetSAMLProvider  iam:CreateSAMLProvider  iam:UpdateSAMLProvider  iam:DeleteSAMLProvider
//	    on arn:aws:iam::*:saml-provider/AWSSSO_*
//
// The roles Identity Center creates are named AWSReservedSSO_<permission
// set>_<hex>, under the path /aws-reserved/sso.amazonaws.com/. Customer
// managed policies (and a customer managed permissions boundary) must exist
// in every account the permission set is provisioned to, or provisioning
// fails (a *ProvisioningError or *AssignmentError).
//
// WriteConfigFile needs no AWS permission.
package identitycenter
