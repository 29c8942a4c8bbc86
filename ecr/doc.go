// Package ecr converges hardened private Amazon ECR repositories: immutable
// tags, scan on push, KMS or AES256 encryption, a lifecycle policy built
// from rules, a repository policy granting pull and push access, and tags.
//
// EnsureRepository converges one repository in the account and region of
// the client:
//
//   - created when missing, with its settings and tags in one call;
//   - tag mutability IMMUTABLE by default (Security Hub ECR.2); MUTABLE,
//     IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION (with their
//     wildcard exclusion filters) are explicit choices;
//   - scan on push on by default (ECR.1); DisableScanOnPush opts out;
//   - encryption AES256, or KMS (KMS_DSSE) with Spec.KMSKey;
//   - the lifecycle policy (ECR.3), built by LifecyclePolicy from
//     LifecycleRules (KeepLastTagged, ExpireUntaggedAfter,
//     ExpireTaggedAfter, KeepLast), rendered to the JSON ECR expects;
//   - the repository policy: RepositoryPolicy's statements (pull for named
//     accounts, pull for the organization through aws:PrincipalOrgID, push
//     for CI roles, statements of your own) merged by Sid into the policy
//     the repository has;
//   - tags.
//
// # Idempotency
//
// Every setting is read and compared first, and written only when it
// differs: a second EnsureRepository on a converged repository makes only
// reads (DescribeRepositories, GetLifecyclePolicy, GetRepositoryPolicy,
// ListTagsForResource, each only when the spec manages that part) and
// reports no changes. Drift is repaired: mutability, scanning, a lifecycle
// policy edited or deleted, our statements of the repository policy edited
// or deleted, tags changed.
//
// Policies are compared by meaning: the repository policy with
// foundation.PolicyDocument.Equal, the lifecycle policy rule by rule
// (LifecycleEqual: formatting, key order, rule order and the order of tag
// prefixes do not matter), so AWS's reformatting is not drift.
//
// Ownership: the lifecycle policy is the spec's (a repository has one;
// rules added by hand are replaced). In the repository policy only the
// Sids RepositoryPolicy writes are the spec's (SidCrossAccountPull,
// SidOrganizationPull, SidPush, and the Sids of RepositoryPolicy.Statements):
// statements with other Sids are kept untouched, and when no statement is
// left the policy is deleted. A nil Spec.Lifecycle or Spec.Policy leaves
// that policy alone. Tags with keys the spec does not name are kept.
//
// The ownership tag: a repository EnsureRepository creates carries
// managed-by=foundation (foundation.ManagedByTagKey) from CreateRepository
// itself. A repository of the name without it (or tagged
// managed-by=<other>) was made by someone else: it is refused before any
// write, in a dry run too (see Errors), unless Spec.Adopt. An adopted
// repository is converged as the spec says (mutability, scanning,
// lifecycle policy, the builder's statements set by Sid, tags), but never
// tagged managed-by=foundation, its owner's tags kept, and no statement is
// removed from its repository policy (not even one under a Sid the builder
// reserves but no longer produces): removing statements, and deleting an
// emptied policy, happen on the library's own repositories only.
// Spec.Tags may not set managed-by to another value.
//
// A create that races another run (RepositoryAlreadyExistsException) reads
// the repository and converges it. CreateRepository has no client token:
// when its answer is lost (a 5xx, a broken connection), the SDK does not
// send it again (awsretry.Creating); the repository is looked up by name
// and, found with the ownership tag, taken and reported as created, else created again
// (awsretry.Create, bounded by the propagation timeout). Every other write
// puts a whole setting (mutability, scanning, lifecycle policy, repository
// policy, tags), so the SDK may retry it: it writes the same value again. With foundation.WithDryRun(true) only
// read calls are made and the result lists the changes that would be made;
// a repository the dry run would create has a placeholder ARN and URI
// ("(known after apply: ecr repository NAME)"). A dry run can be given, as
// Spec.KMSKey, the key ARN a dry run of kms.EnsureKey predicted for a key
// it would create: it plans the repository with KMS encryption under that
// key, as the real run will with the real ARN; likewise Spec.Policy may
// name the accounts, organization and roles other dry runs predicted.
//
// # Errors
//
// An invalid Spec returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	ecr: spec.Lifecycle.Rules[1].Priority: "1": must be unique: Rules[0] has it too
//
// A repository of the name made outside the library that the spec does
// not adopt is a *foundation.NotManagedError (errors.Is
// foundation.ErrNotManaged and foundation.ErrConflict), returned before any
// write and in a dry run too:
//
//	ecr: ecr:repository "myapp" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
//
// A repository whose encryption differs from the spec is an
// *EncryptionMismatchError (errors.As): ECR cannot change encryption after
// creation, so nothing is changed, and the message says how to migrate.
// The KMS key is compared when the spec names it by key ARN or key ID; a
// spec naming an alias, or KMS without a key (the AWS managed key), accepts
// any KMS key, as ECR reports keys by ARN only.
//
// Other AWS errors are returned wrapped once with the repository and the
// step, keeping the SDK's error chain for errors.As:
//
//	ecr: repository "myapp": set repository policy: operation error ECR: SetRepositoryPolicy, ...
//
// An error after some changes were made (the repository created, then its
// repository policy refused) carries them: errors.As finds a
// *foundation.IncompleteError whose Changes lists what was made.
//
// A KMSKey, or an account, organization or role of Spec.Policy, that is a
// dry run's placeholder is an invalid spec in a real run
// (foundation.ErrInvalidSpec, naming the field).
//
// A statement of RepositoryPolicy.Statements that lets anyone push or
// change the repository (Effect Allow, Principal "*" or a NotPrincipal, a
// write action such as ecr:* or ecr:PutImage, and no Condition) is an
// invalid spec unless RepositoryPolicy.AllowPublicPush accepts that risk.
//
// Throttling is retried by the client's retryer (see
// foundation.ConfigureRetries); ECR documents no conflict error to retry.
// A repository policy naming an IAM role or user created moments ago is
// refused until IAM has propagated it (InvalidParameterException, "Invalid
// repository policy provided" or "Principal not found"): SetRepositoryPolicy
// is retried with the options' poll backoff for at most the
// foundation.WithPropagationTimeout option's time (default 2 minutes), and
// then fails wrapping the last refusal. A policy that names no role or user
// is not retried: ECR's refusal then means the policy is invalid.
//
// # Permissions
//
// On the repository's ARN:
//
//	ecr:DescribeRepositories
//	ecr:CreateRepository            ecr:TagResource (creating with tags needs both)
//	ecr:PutImageTagMutability
//	ecr:PutImageScanningConfiguration
//	ecr:GetLifecyclePolicy          ecr:PutLifecyclePolicy       (Spec.Lifecycle)
//	ecr:GetRepositoryPolicy         ecr:SetRepositoryPolicy      ecr:DeleteRepositoryPolicy (Spec.Policy)
//	ecr:ListTagsForResource         ecr:TagResource              (Spec.Tags)
//
// With KMS encryption, creating the repository also needs kms:CreateGrant,
// kms:DescribeKey and kms:RetireGrant on the key (ECR creates a grant).
package ecr
