// Package organizations converges an AWS Organizations tree from a declared
// spec: the organization itself (all features, policy types enabled on the
// root), organizational units named by path ("Workloads/Production"),
// member accounts (found by email or created, waited for, moved into their
// OU, tagged), account closure through a suspended OU, a read-only snapshot
// of the tree for reports, an aws.Config that acts in a member account,
// work fanned out across accounts (ForEachAccount), and each account's
// console sign-in alias (EnsureAccountAlias).
//
//	org, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{
//		PolicyTypes: []types.PolicyType{types.PolicyTypeServiceControlPolicy},
//	})
//	tree, err := organizations.EnsureTree(ctx, api, organizations.TreeSpec{
//		OUs: []organizations.OUSpec{{Path: "Workloads/Production"}, {Path: "Workloads/Dev"}},
//		Accounts: []organizations.AccountSpec{
//			{Name: "myapp-production", Email: "aws+prod@example.com", OU: "Workloads/Production"},
//		},
//	})
//	member, err := organizations.AccountConfig(ctx, cfg, tree.Accounts[0].ID, organizations.DefaultRoleName)
//
// api is an *organizations.Client of the AWS SDK acting as the
// organization's management account, or anything with the methods of the
// function's own interface (EnsureTreeAPI for EnsureTree, ReadTreeAPI for
// ReadTree, ...): each function's interface holds exactly the calls it
// makes, so a test fake for one function needs only those.
//
// OUs are identified by their path of names from the root, accounts by their
// email address (compared case-insensitively): the keys a second run finds
// them by. EnsureTree converges the OUs level by level, parents before
// children and siblings concurrently (default DefaultOUConcurrency at once),
// then the accounts, DefaultAccountConcurrency at once, of which at most
// DefaultAccountCreationConcurrency (5) hold a creation: AWS allows five
// CreateAccount requests in progress per organization, so no more are ever
// in flight. foundation.WithConcurrency(n) sets these bounds (the
// creations' is capped at 5 whatever n). EnsureAccounts does the same for
// a list of accounts, EnsureOU and EnsureAccount for one. EnsureTreeEach
// also runs the caller's work for each account as soon as that account is
// converged, beside the creation of the others. ForEachAccount works in
// DefaultFanOutConcurrency accounts at once, or foundation.WithConcurrency's
// n.
//
// Accounts are created with CreateAccount (name, email, access role name,
// IAM users' billing access, tags) and waited for with
// DescribeCreateAccountStatus, read every poll interval (the first value of
// foundation.WithPollInterval, 2 s by default; no backoff, since AWS takes
// tens of seconds to minutes) until foundation.WithWaitTimeout. The
// creation's slot is freed the moment the status says SUCCEEDED; the
// account's ID is the status's and its ARN follows from the root's. A new
// account starts in the root and is then moved into its OU. An existing
// account elsewhere is moved (MoveAccount), never created again.
//
// # Reads
//
// A run reads each organization-wide fact once: the root, the OUs of each
// parent on the spec's paths, the accounts of each OU the spec puts
// accounts in (ListAccountsForParent: an account found there needs no read
// of its own), the accounts of the organization only when one is not in
// its OU, and the tags of each OU and account of the spec (their owner is
// checked, see Idempotency). A no-op rerun of a tree of N accounts in K
// OUs makes 1 ListRoots, a listing per parent and per OU (one call per
// page) and one ListTagsForResource per OU and account of the spec
// (Organizations lists no tags with the accounts). foundation.WithReadCache shares
// those reads between the calls of one run (EnsureOrganization, EnsureTree,
// ReadTree); without it each call reads for itself. ReadTree reads the
// policies policy-first (ListPolicies per enabled type, ListTargetsForPolicy
// per policy), not per target.
//
// The name, access role and billing access of an account are set when it is
// created; Organizations cannot change them afterwards. A found account
// whose name differs from the spec is reported in Account.Drift, not
// failed; its role and billing access cannot be read through Organizations
// and are not compared.
//
// EnsureAccountAlias converges the alias of the account its IAM client acts
// in (run it in a ForEachAccount task for member accounts). An account has
// at most one alias: a different alias it has is replaced (CreateAccountAlias
// overwrites it, and the sign-in URL with the old alias stops working; the
// result names it in Previous).
//
// EnsureCrossAccountRole converges, in the account its IAM client acts in,
// a role that other accounts assume with sts:AssumeRole (seed 002's
// "cross-account role assumption for accessing shared services"): a trust
// policy naming exactly the trusted accounts (their root) or principal ARNs,
// optionally requiring an external ID or MFA, with the role's policies,
// boundary, maximum session and tags. Wildcard trust ("*", an account
// pattern, a role pattern) is refused before any call. Run it in a
// ForEachAccount task to give every workload account the role. It shares
// its role engine with oidcfed.EnsureCIRole: drift (a trust widened by
// hand, a policy attached by hand) is put back; it reports ResRole,
// ResRoleTrustPolicy, ResRoleInlinePolicy, ResRoleManagedPolicy,
// ResRolePermissionsBoundary, ResRoleTags and ResRoleSettings with the role
// name as ID (ROLE/POLICY for a policy).
//
// EnsureServiceAccess converges the organization's registry of trusted
// services: trusted access (EnableAWSServiceAccess) for each declared
// service, then its delegated administrators
// (RegisterDelegatedAdministrator). An administrator of a declared service
// that the spec does not name is a finding and an
// *UnexpectedDelegatedAdministratorError (deregistered only with Prune).
// Covered through Organizations alone: IAM Identity Center, IAM, IAM
// Access Analyzer, AWS Config, CloudFormation StackSets, Account
// Management, Backup and the other services administered by
// RegisterDelegatedAdministrator. Left out (OwnAPIServices, an invalid
// spec): Security Hub, GuardDuty, Macie, Detective, Inspector, Firewall
// Manager, CloudTrail and Security Lake, whose administrator is set with
// the service's own API.
//
// EnsureRootAccess enables centralized root access for member accounts
// (trusted access for IAM, then iam:EnableOrganizationsRootCredentialsManagement
// and iam:EnableOrganizationsRootSessions); AuditRootCredentials reports
// the member accounts whose root user still has a password, access keys,
// MFA devices or signing certificates, and EnsureNoRootCredentials removes
// them, each through an sts:AssumeRoot session (RootSessionConfig) scoped
// by an AWS managed task policy.
//
// Account states are read from Account.State, falling back to
// Account.Status (retired on 2026-09-09) for endpoints that still send
// only Status.
//
// Tags on OUs and accounts are shared with their other owners: only the
// keys of the spec's Tags are set and only the keys of RemoveTags removed.
//
// # Idempotency
//
// Ownership (the ownership tag of package foundation): every OU and account
// the library creates carries managed-by=foundation from its
// CreateOrganizationalUnit or CreateAccount call, so a lost answer, a retry
// or a crash never leaves one untagged (a missing parent OU is created with
// that tag alone). An OU the spec declares (OUSpec) found at its path
// without the tag, or an account found by its email without it (invited,
// created by hand, by Control Tower or Terraform: no managed-by=foundation,
// or managed-by=<other>), is someone else's: EnsureOU, EnsureTree,
// EnsureTreeEach, EnsureAccount and EnsureAccounts return a
// *foundation.NotManagedError before any write to it, in a dry run too,
// unless its spec sets Adopt. Adopted, it is converged as the spec says (an
// account moved into its OU, tags put on), but never given the ownership
// tag and never stripped of its owner's tags (RemoveTags must be empty
// with Adopt); an account is never renamed either way (a name that
// differs is Drift). A creation already in progress, or an account or OU
// found after a lost answer, is taken as this run's only when it carries
// the tag (or is adopted). Exempt, being unique and not made by name: the
// organization and its settings (policy types, trusted access, delegated
// administrators, root access features), its root, the management account
// (listed in a spec, it is converged without Adopt), an account's alias
// (EnsureAccountAlias: the account's one alias, an account-level
// setting), and an OU that is only where something goes
// (a parent on a path the spec does not list, the OU of an account in
// EnsureAccount or EnsureAccounts, CloseAccount's suspended OU): nothing is
// written to it. CloseAccount closes an account found by Email only when
// it carries the tag or CloseAccountSpec.Adopt is set; one given by
// AccountID is the caller's choice.
//
// Nothing is pruned: no function deletes an OU, and OUs and accounts not
// in the spec are left alone; tags are removed only when RemoveTags names
// them (never managed-by, never from an adopted resource); an account is
// moved only into the OU its own spec names, or by CloseAccount into the
// suspended OU. Two opt-in paths act on what the spec does not list, on
// things that cannot carry a tag: EnsureServiceAccess with Prune
// deregisters unexpected delegated administrators of the services it
// declares, and EnsureNoRootCredentials without Accounts removes the root
// credentials of every member account (an account-level setting).
//
// Every function reads before it writes and writes only the difference: a
// second run on a converged organization makes no mutating call and
// reports no changes. Results list the changes made, each a
// foundation.Change with Resource one of ResOrganization, ResPolicyType,
// ResOU, ResOUTags, ResAccount, ResAccountParent, ResAccountTags and
// ResAccountStatus, and ID the OU's path or the account's email (the policy
// type for ResPolicyType, the organization ID for ResOrganization);
// EnsureAccountAlias reports ResAccountAlias with the alias as ID;
// EnsureServiceAccess ResServiceAccess (ID the service principal) and
// ResDelegatedAdministrator ("PRINCIPAL/ACCOUNT-ID"); EnsureRootAccess
// ResServiceAccess and ResRootAccessFeature; EnsureNoRootCredentials
// deletes of ResRootPassword, ResRootAccessKey, ResRootMFADevice and
// ResRootSigningCertificate. A registration that races
// (AccountAlreadyRegisteredException), a deregistration or a root
// credential delete already done (AccountNotRegisteredException,
// NoSuchEntity) converge. The changes of EnsureTree are listed OUs first (parents before children, spec
// order within a level), then accounts in spec order, whatever the order
// the concurrent work happened in.
//
// Runs that stop midway are finished by running again. In particular a
// CreateAccount request still in progress for an account (found by
// ListCreateAccountStatus, by the account's name, since AWS does not report
// the email of a request) is waited for rather than made again, and its
// account is taken when its email is the spec's and it carries the
// ownership tag (or the spec adopts it). Creates that race
// (DuplicateOrganizationalUnitException, AlreadyInOrganizationException,
// EMAIL_ALREADY_EXISTS for an account that turns out to be in the
// organization, DuplicateAccountException on a move,
// PolicyTypeAlreadyEnabledException, AccountAlreadyClosedException, IAM's
// EntityAlreadyExists for an alias the account turns out to have) re-read
// and converge.
//
// Lost answers (AWS applied a create, its answer was lost): CreateAccount
// has no client token and a second request would start a second creation,
// so the SDK does not retry a 5xx or a broken connection on it; the run
// looks for the request it started (IN_PROGRESS under the account's name,
// or the account with the spec's email) and adopts it, or creates again
// (internal/awsretry Create, bounded by the propagation timeout).
// CreateOrganizationalUnit is guarded the same way: the OU is looked for by
// its name under its parent. Both are then reported as this run's
// creation. The other creates are retried by the SDK and converge through
// the races above (CreateOrganization: AlreadyInOrganizationException;
// EnablePolicyType: PolicyTypeAlreadyEnabledException; IAM's
// CreateAccountAlias: EntityAlreadyExists and a read; EnsureCrossAccountRole's
// CreateRole: internal/iamrole looks for the role by name); tag and move
// writes set a state.
//
// With foundation.WithDryRun(true) only read calls are made and the result
// lists the changes that would be made. OUs and accounts that would be
// created are reported with everything under them (their children, the
// moves into them) without calling AWS with IDs that do not exist yet; when
// the organization itself does not exist, every OU and account of the spec
// is reported as a create.
//
// A dry run predicts the identifiers AWS assigns at creation: the ID of an
// account that would be created is plan's placeholder "(known after apply:
// account EMAIL)", of an OU "(known after apply: ou PATH)", and of the root
// of an organization that would be created "(known after apply: root )"
// (OU.ID, OU.ParentID, Account.ID, Account.ParentID, TreeResult.RootID,
// Organization.RootID). The next calls of the same dry run plan with them
// (scp.EnsureAttachments accepts them as targets); within a call they are
// never sent to AWS (a move into an OU that would be created is planned, not
// read). Where a real account is needed (AccountConfig, ForEachAccount's
// targets) a predicted ID is an invalid spec naming the field.
//
// # Errors
//
// Invalid input returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	organizations: spec.OUs[1].Path: "Workloads//Prod": must not contain an empty OU name ("//")
//
// Checked: OU paths (no empty name, no leading or trailing "/", names of 1
// to 128 printable ASCII characters, at most MaxOUDepth deep), duplicate
// OU paths and duplicate emails in a tree, account emails (AWS's rules: 6
// to 64 characters, one "@", allowed characters, a dotted domain), account
// names (1 to 50 printable ASCII characters), role names, tags (key 1 to
// 128 characters, value up to 256, no "aws:" prefix, at most 49: the
// ownership tag takes the 50th; managed-by only as managed-by=foundation
// and not with Adopt; RemoveTags never managed-by, and empty with Adopt), accounts
// of a tree in an OU the tree does not have, policy types, account IDs
// predicted by a dry run where a real account is needed, AccountConfig's
// arguments, and account aliases (IAM's rule: 3 to
// 63 lowercase letters, digits and hyphens, not starting or ending with a
// hyphen, no "--").
//
// Conditions that cannot be fixed in place are typed errors, matched with
// errors.As:
//
//   - *OrganizationError: the organization has only consolidated billing
//     features, or the caller is a member account, not the management
//     account (Reason says which);
//   - *AccountCreationError: AWS failed a CreateAccount request; Reason is
//     AWS's FailureReason (EMAIL_ALREADY_EXISTS, ACCOUNT_LIMIT_EXCEEDED, ...);
//   - *AccountClosedError: the account of a spec is closed or closing;
//   - *ManagementAccountError: CloseAccount was asked to close the
//     management account;
//   - *CloseQuotaError: AWS's account closure quota
//     (CLOSE_ACCOUNT_QUOTA_EXCEEDED, CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED);
//     not retried, the message says when to try again;
//   - *AliasTakenError: EnsureAccountAlias was asked for an alias another
//     AWS account has (aliases are unique across a partition); the
//     account keeps its alias (a dry run cannot tell: it reads only the
//     account's own alias);
//   - *RoleConflictError: EnsureCrossAccountRole found its role at another
//     path (IAM cannot move a role).
//   - *UnexpectedDelegatedAdministratorError: EnsureServiceAccess found
//     delegated administrators of declared services that the spec does not
//     name (returned with the result; Prune deregisters them);
//   - *foundation.NotManagedError (errors.Is foundation.ErrNotManaged and
//     foundation.ErrConflict): an OU the spec declares or an account
//     found by email exists without the ownership tag
//     (managed-by=foundation) and its spec does not adopt it; it names
//     the kind (ResOU, ResAccount), the path or email, the tag's other
//     value if any, and the field that adopts it ("spec.OUs[2].Adopt",
//     "spec.Accounts[0].Adopt", "spec.Adopt"). Nothing was written to it.
//
// An error after some writes carries the changes made so far: errors.As
// with *foundation.IncompleteError gives them (its message is the wrapped
// error's, and errors.As and errors.Is see through it to the typed errors
// above and AWS's); the result is nil.
//
// A wait that times out wraps *foundation.WaitTimeoutError. Other AWS
// errors are returned wrapped once with the resource and the step, keeping
// the SDK's error chain (errors.As with smithy.APIError or the SDK's typed
// exceptions works):
//
//	organizations: ou "Workloads/Prod": create: operation error Organizations: CreateOrganizationalUnit, ...
//
// ConcurrentModificationException, which AWS asks Organizations callers to
// retry and the SDK does not, is retried by the client's retryer on every
// call (internal/awsretry); throttling (TooManyRequestsException) is
// retried by the SDK. EnsureCrossAccountRole adds IAM's
// ConcurrentModification to every IAM call's retryer the same way.
//
// Propagation: a new account's access role cannot be assumed for a while
// after CreateAccount SUCCEEDED (sts:AssumeRole answers AccessDenied;
// "You might need to wait a few minutes before you can successfully access
// the account", Organizations API Reference, CreateAccount). ForEachAccount
// retries AccessDenied from AssumeRole for its options'
// foundation.WithPropagationTimeout (default 2 minutes), and AccountConfig
// does with WithAccessWait; past the timeout the error names the account
// and the role and says it was still refused.
//
// # Permissions
//
// In the management account:
//
//	organizations:DescribeOrganization   organizations:CreateOrganization (EnsureOrganization, when none exists)
//	organizations:ListRoots              organizations:EnablePolicyType
//	organizations:DescribeOrganizationalUnit (to name the OU an account is moved from)
//	organizations:ListOrganizationalUnitsForParent
//	organizations:CreateOrganizationalUnit
//	organizations:ListTagsForResource    organizations:TagResource   organizations:UntagResource
//	organizations:ListAccounts           organizations:ListParents   organizations:DescribeAccount
//	organizations:CreateAccount          organizations:DescribeCreateAccountStatus
//	organizations:ListCreateAccountStatus
//	organizations:MoveAccount            organizations:CloseAccount
//	organizations:ListAccountsForParent  organizations:ListPolicies  organizations:ListTargetsForPolicy (ReadTree)
//	iam:CreateServiceLinkedRole           (CreateOrganization and CreateAccount create service-linked roles)
//
// EnsureServiceAccess, in the management account:
//
//	organizations:DescribeOrganization
//	organizations:ListAWSServiceAccessForOrganization  organizations:EnableAWSServiceAccess
//	organizations:ListDelegatedAdministrators  organizations:RegisterDelegatedAdministrator
//	organizations:DeregisterDelegatedAdministrator (only with Prune)
//	iam:CreateServiceLinkedRole (EnableAWSServiceAccess lets the service create its roles)
//
// EnsureRootAccess, in the management account:
//
//	organizations:DescribeOrganization
//	organizations:ListAWSServiceAccessForOrganization  organizations:EnableAWSServiceAccess
//	iam:ListOrganizationsFeatures
//	iam:EnableOrganizationsRootCredentialsManagement  iam:EnableOrganizationsRootSessions
//
// AuditRootCredentials and EnsureNoRootCredentials, as an IAM role or user
// (not the root user) of the management account or of IAM's delegated
// administrator:
//
//	sts:AssumeRoot (with the task policies arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials
//	               and, to remove, .../IAMDeleteRootUserCredentials)
//	organizations:DescribeOrganization  organizations:ListAccounts (when no accounts are named)
//
// and, in the root sessions (granted by the task policies):
//
//	iam:GetLoginProfile  iam:ListAccessKeys  iam:ListMFADevices  iam:ListSigningCertificates
//	iam:DeleteLoginProfile  iam:DeleteAccessKey  iam:DeactivateMFADevice  iam:DeleteSigningCertificate
//
// EnsureAccountAlias, in the account whose alias it converges:
//
//	iam:ListAccountAliases  iam:CreateAccountAlias
//
// EnsureCrossAccountRole, in the account of the role (on the role's ARN):
//
//	iam:GetRole  iam:CreateRole  iam:UpdateAssumeRolePolicy  iam:UpdateRole
//	iam:ListRolePolicies  iam:GetRolePolicy  iam:PutRolePolicy
//	iam:DeleteRolePolicy (only with PruneInlinePolicies)
//	iam:ListAttachedRolePolicies  iam:AttachRolePolicy  iam:DetachRolePolicy
//	iam:PutRolePermissionsBoundary  iam:DeleteRolePermissionsBoundary
//	iam:ListRoleTags  iam:TagRole
//
// CreateRole with tags also needs iam:TagRole, and with a boundary
// iam:PutRolePermissionsBoundary. The trusted principals need
// sts:AssumeRole on the role in their own account's policies (a trust
// naming an account root delegates the decision to that account).
//
// AccountConfig needs sts:AssumeRole on the member account's role, whose
// trust policy must allow the caller (the role Organizations creates trusts
// the management account).
package organizations
