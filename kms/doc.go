// Package kms converges customer managed AWS KMS keys, found by their
// alias, with a key policy built in the shape of AWS's default key policy,
// automatic rotation, and the service-linked roles the policy names.
//
// EnsureKey converges one key:
//
//   - found by its alias (DescribeKey "alias/..."), or created (CreateKey
//     with the policy, description and tags, then CreateAlias);
//   - its key policy, built by KeyPolicy: the account root (so IAM
//     policies can grant access), key administrators, key users (with the
//     grant statement for AWS resources, kms:GrantIsForAWSResource), and
//     Grants for service principals (with kms:ViaService or
//     aws:SourceAccount conditions) and service-linked roles;
//   - automatic rotation on, every RotationPeriodInDays (default 365),
//     unless DisableRotation (Security Hub KMS.4);
//   - its description and tags.
//
// A key policy that names a principal that does not exist is refused by
// KMS (MalformedPolicyDocumentException). Seed 000's lesson: in a fresh
// account AWSServiceRoleForAutoScaling does not exist until something
// creates it, so a policy naming it fails. Name such roles with
// ServiceLinkedRole("autoscaling.amazonaws.com"): EnsureKey creates them
// (EnsureServiceLinkedRole, which is also usable alone) before it writes
// the policy, and retries the policy while the new role propagates.
//
// KeyPolicy writes AWS's own Sids ("Enable IAM User Permissions", "Allow
// use of the key", ...), which contain spaces. KMS accepts them, but
// foundation.PolicyDocument.Validate applies IAM's identity-policy rule
// (letters and digits only) and refuses them, so key policies are checked
// by this package's own rules instead (structure, principals, KMS actions,
// the 32 KB limit).
//
// # Idempotency
//
// Every setting is read and compared first, and written only when it
// differs: a second EnsureKey on a converged key makes at most four reads
// (DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags) and
// no write. The policy is compared by meaning (foundation.PolicyDocument
// Equal): AWS's formatting is not drift. Drift is repaired: a policy
// edited by hand is replaced (the key policy is authoritative: add your
// statements through KeyPolicy.Statements or Grants), rotation turned off
// or its period changed is turned back, a description or tag edited is
// rewritten. Tags with keys the spec does not name are kept.
//
// Ownership: every key EnsureKey creates carries managed-by=foundation
// (foundation.ManagedByTagKey) from CreateKey itself. A key the alias
// names without that tag (or tagged managed-by=<other>) was made by
// someone else: it is refused before any write, in a dry run too (see
// Errors), unless Spec.Adopt. An adopted key is converged as the spec says
// (its policy's statements by Sid, description, rotation, state with
// Reenable/CancelDeletion, tags), but never tagged managed-by=foundation,
// its owner's tags kept, and the statements of its key policy that the
// spec does not have (by Sid; unnamed ones unlike each of the spec's) are
// kept: on the library's own keys the policy is exact. Spec.Tags may not
// set managed-by to another value. Service-linked roles
// (EnsureServiceLinkedRole) are exempt: AWS makes them for its service,
// one per service and account, CreateServiceLinkedRole takes no tags, and
// this package only creates them when missing (never changes or deletes
// one).
//
// Every key EnsureKey creates also carries the tag AliasTagKey
// ("foundation:alias") with the alias. If a run stops after CreateKey and
// before CreateAlias, the next run finds that key (among the keys no alias
// names, only one carrying both tags) and takes it, instead of creating a
// second key. If another run
// creates the alias first, the key just created is scheduled for deletion
// (7 days, the shortest window) and the alias's key is converged.
//
// CreateKey has no client token, so a CreateKey AWS applied whose answer
// was lost (a 5xx, a broken connection) must not be sent again: the SDK
// retries it only on errors that prove no key was made (throttling), and
// otherwise the run looks for the key that attempt made (tagged
// AliasTagKey with the alias, no alias naming it yet) and adopts it,
// creating again only when there is none (internal/awsretry Create,
// bounded by the foundation.WithPropagationTimeout option's time). The
// lost key is reported as this run's creation. CreateServiceLinkedRole is
// guarded the same way (the role is looked for by its name). The other
// writes are retried by the SDK: CreateAlias of an alias that exists is
// found to name our key; the rest set a state.
//
// A Disabled key is enabled only with Spec.Reenable, a key pending
// deletion has its deletion cancelled (and is enabled) only with
// Spec.CancelDeletion: otherwise each is a *KeyStateError, because someone
// did it on purpose.
//
// With foundation.WithDryRun(true) only read calls are made (GetRole for
// the service-linked roles included) and the result lists the changes that
// would be made. When the key would be created, Key.KeyID, Key.ARN and
// Key.AliasARN are a placeholder, "(known after apply: kms key
// alias/NAME)", that the packages taking a key ARN (statebackend, ecr)
// accept in the same dry run and plan with, and refuse in a real run.
//
// # Errors
//
// An invalid Spec returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	kms: spec.Alias: "alias/aws/ebs": must not start with "alias/aws/" (reserved for AWS managed keys)
//
// A key the alias names that was not made by this library and that the
// spec does not adopt is a *foundation.NotManagedError (errors.Is
// foundation.ErrNotManaged and foundation.ErrConflict), returned before any
// write and in a dry run too:
//
//	kms: kms:key "alias/prod-us-east-1-main" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
//
// A key in a state EnsureKey does not change is a *KeyStateError; a key
// whose KeySpec or KeyUsage differs from the spec (KMS cannot change them)
// is a *KeyMismatchError. Match both with errors.As.
//
// Other AWS errors are returned wrapped once with the key's alias and the
// step, keeping the SDK's error chain for errors.As:
//
//	kms: key "alias/prod-us-east-1-main": put key policy: operation error KMS: PutKeyPolicy, ...
//
// An error after some changes were made (a service-linked role created,
// then CreateKey refused) carries them: errors.As finds a
// *foundation.IncompleteError whose Changes lists what was made.
//
// Retries: the SDK retries throttling and KMS's internal errors (on every
// call but CreateKey, see Idempotency); IAM's ConcurrentModification on
// the service-linked role calls is added to the IAM client's retryer. The one
// error AWS asks callers to retry that the SDK does not is
// MalformedPolicyDocumentException right after a principal the policy
// names was created (IAM is eventually consistent). CreateKey and
// PutKeyPolicy retry it, polling with the options' poll interval, for at
// most the foundation.WithPropagationTimeout option's time (default 2
// minutes); after that the error
// says the principal does not exist or has not propagated. Only policies
// that name IAM roles or users are retried: one that names only accounts
// and services cannot be waiting for propagation and fails at once.
//
// # Permissions
//
// On the key (the key policy's root statement grants them through IAM):
//
//	kms:DescribeKey          kms:CreateKey (on "*")
//	kms:ListAliases          kms:ListKeys       kms:CreateAlias (on the key and the alias)
//	kms:GetKeyPolicy         kms:PutKeyPolicy
//	kms:GetKeyRotationStatus kms:EnableKeyRotation   kms:DisableKeyRotation (DisableRotation only)
//	kms:ListResourceTags     kms:TagResource
//	kms:UpdateKeyDescription
//	kms:EnableKey, kms:CancelKeyDeletion   (Reenable, CancelDeletion only)
//	kms:ScheduleKeyDeletion  (only after losing a CreateAlias race)
//
// For the service-linked roles the policy names:
//
//	iam:GetRole
//	iam:CreateServiceLinkedRole  (condition iam:AWSServiceName as you wish)
//
// ListKeys and ListResourceTags of the keys no alias names are only read
// when the alias does not exist (to adopt a key a stopped run created).
package kms
