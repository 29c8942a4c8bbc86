// Package statebackend bootstraps the Terraform / OpenTofu state backend of
// one AWS account and region: a hardened S3 bucket and, when wanted, a
// DynamoDB lock table, and renders the backend configuration to use them.
//
// Bootstrap converges:
//
//   - the bucket: created in Spec.Region if missing (BucketOwnerEnforced);
//     all four public access block flags; object ownership
//     BucketOwnerEnforced (ACLs disabled); default encryption SSE-S3, or
//     SSE-KMS with Spec.KMSKeyID and S3 Bucket Keys; versioning enabled; a
//     lifecycle rule (ID "foundation-state-retention") that expires
//     noncurrent state versions after NoncurrentVersionExpirationDays while
//     keeping the newest NoncurrentVersionsToKeep, and aborts incomplete
//     multipart uploads; a bucket policy with two Deny statements
//     ("DenyInsecureTransport": aws:SecureTransport false; "DenyOutdatedTLS":
//     s3:TlsVersion below 1.2); and Spec.Tags;
//   - the lock, per Spec.Locking: Terraform's S3 lock file (LockFile, the
//     default, Terraform and OpenTofu >= 1.10: nothing to create), a
//     DynamoDB table (LockDynamoDB: string hash key "LockID", on-demand,
//     KMS encryption, point-in-time recovery, deletion protection, tags), or
//     both while migrating from the table to the lock file (LockBoth);
//
// and returns a Backend with the identifiers, the changes and a
// BackendConfig whose Terraform and Terragrunt methods render the
// `backend "s3"` and `remote_state` blocks (written with hclwrite).
//
// The bucket policy, the lifecycle configuration and the tag sets are shared
// with their owner: Bootstrap owns only its two statements (found by Sid),
// its lifecycle rule (found by ID) and the keys of Spec.Tags. Statements,
// rules and tags with other Sids, IDs and keys are kept as they are.
//
// # Idempotency
//
// Every setting is read, compared and written only when it differs: a
// second Bootstrap on a converged backend makes no mutating call and reports
// no changes. Policies are compared by meaning (foundation.PolicyDocument
// Equal), so AWS's reformatting is not drift. Drift made behind the
// library's back (versioning suspended, public access block deleted, a TLS
// statement removed, the retention rule edited, encryption switched,
// deletion protection or point-in-time recovery turned off, a tag changed)
// is repaired by the next run. Creates that race another run
// (BucketAlreadyOwnedByYou, ResourceInUseException) read the resource and
// converge it (in us-east-1, where CreateBucket answers 200 for a bucket the
// caller already owns, concurrent runs may each report the bucket's
// creation). CreateBucket and CreateTable have no client token: when the
// answer of one is lost (a 5xx, a broken connection), the SDK does not send
// it again (awsretry.Creating); the bucket (HeadBucket) or table
// (DescribeTable) is looked up by name and, found with the ownership tag,
// taken and reported as created, else created again (awsretry.Create,
// bounded by the propagation timeout), never made twice. Every other write puts a whole setting, so
// the SDK may retry it: it writes the same value again. A run that failed
// midway is finished by running it again.
//
// Ownership: the bucket and the lock table Bootstrap creates carry
// managed-by=foundation (foundation.ManagedByTagKey) from the create call
// itself: CreateBucket's CreateBucketConfiguration.Tags (AWS takes a
// general purpose bucket's tags at create since 2025-11) and CreateTable's
// Tags. Should a backend drop the create's tags (moto 5.2.1 does for S3),
// the run that created the resource puts the tag right after (one more
// change), on a bucket that has no tags at all: in us-east-1 CreateBucket
// answers 200 for a bucket the account already owns, so a bucket another
// caller of the account made in between, with its tags, is refused, not
// taken. If the run stops between the create and the tag, the next run finds an untagged bucket
// and refuses it: tag it managed-by=foundation by hand, or set Adopt. A
// bucket or table of the spec's names found without the tag (or tagged
// managed-by=<other>) was made by someone else: it is refused before any
// write to it, in a dry run too (see Errors), unless Spec.Adopt. An adopted
// bucket or table is converged as the spec says but never tagged
// managed-by=foundation; its owner's tags are kept (PutBucketTagging
// replaces the whole set, so the set written is the bucket's with the
// spec's keys set), and nothing the spec does not name is removed: the
// bucket policy and lifecycle keep their other statements and rules (only
// the library's Sids and rule ID are set). Adopt covers both the bucket and
// the table. A bucket of the name another account owns is a
// *BucketConflictError whatever Adopt says (bucket names are global).
// Spec.Tags may not set managed-by to another value.
//
// With foundation.WithDryRun(true) only read calls are made and the result
// lists the changes that would be made. For a bucket that does not exist
// yet, its settings are predicted from those AWS gives every new bucket
// (public access block on, BucketOwnerEnforced, SSE-S3), so the listed
// changes are those the real run makes. A dry run can be given, as
// Spec.KMSKeyID or Spec.LockTableKMSKeyID, the key ARN a dry run of
// kms.EnsureKey predicted for a key it would create ("(known after apply:
// kms key alias/NAME)"): it plans SSE-KMS with that key, as the real run
// will with the real ARN, and the rendered BackendConfig shows the
// placeholder as kms_key_id. A lock table the dry run would create has a
// predicted LockTableARN unless Spec.AccountID is set.
//
// Reads are made side by side, at most DefaultReadConcurrency at once
// (foundation.WithConcurrency changes it): HeadBucket with DescribeTable,
// then the bucket's seven settings with the table's point-in-time recovery
// and tags, so a run on a converged backend takes two round trips of
// reads, not eleven. Writes are made one by one after them, in the order
// listed above (bucket, then table), and a read's error is returned at
// its setting's place in that order, after the writes before it.
//
// A new lock table is waited for (ACTIVE) with the options' poll interval
// and wait timeout (foundation.WithPollInterval, foundation.WithWaitTimeout),
// as is the table after each UpdateTable.
//
// Limits of the comparison: DescribeTable reports the lock table's KMS key
// by ARN only, so a LockTableKMSKeyID given as an alias matches any KMS key,
// and with no LockTableKMSKeyID any KMS key (AWS managed or customer) is
// accepted. Give a key ARN or key ID to have the key itself converged.
//
// # Errors
//
// An invalid Spec (or a nil client that is needed) returns, before any
// call, an error matching foundation.ErrInvalidSpec that lists every fault,
// each a *foundation.SpecError naming the field and the rule:
//
//	statebackend: spec.Bucket: "My_Bucket": must contain only lowercase letters, numbers, dots and hyphens
//
// Spec.Region must be a Region of a known AWS partition ("us-east-9" is
// refused, not created wherever an endpoint resolves it); set
// Spec.AllowUnknownRegion for a Region newer than this package.
//
// A bucket or lock table of the spec's names made outside the library that
// the spec does not adopt is a *foundation.NotManagedError (errors.Is
// foundation.ErrNotManaged and foundation.ErrConflict) naming s3:bucket or
// dynamodb:table, the name and spec.Adopt, returned before any write to
// it, in a dry run too:
//
//	statebackend: s3:bucket "acme-tfstate" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
//
// A bucket that exists but cannot be used is a *BucketConflictError (match
// with errors.As; Reason is BucketInOtherRegion, BucketNotAccessible or
// BucketNameTaken). A lock table whose key schema is not a single string
// hash key LockID, or that is being deleted or archived, is a
// *TableConflictError: neither can be fixed in place. A wait that times out
// wraps *foundation.WaitTimeoutError.
//
// Other AWS errors are returned wrapped once with the resource and the step,
// and keep the SDK's error chain, so errors.As with smithy.APIError or the
// SDK's typed exceptions works:
//
//	statebackend: bucket "state-123": put versioning: operation error S3: PutBucketVersioning, ... AccessDenied
//
// An error after some changes were made carries them: errors.As finds a
// *foundation.IncompleteError whose Changes lists what was made before the
// failure (its message is the wrapped error's).
//
// Throttling is retried by the SDK. S3 OperationAborted, which AWS asks
// callers to retry and the SDK does not, is added to the client's retryer
// for every S3 call (internal/awsretry), so it is retried up to the
// client's MaxAttempts. DynamoDB ContinuousBackupsUnavailableException
// (point-in-time recovery on a table created moments ago) is retried with
// the options' poll backoff for at most the foundation.WithPropagationTimeout
// option's time (default 2 minutes), and UpdateTable refused
// while another change settles (ResourceInUseException) waits for ACTIVE
// and is retried within the options' WaitTimeout, as is TagResource on the
// table refused the same way. Retries never nest. Throttling is retried by
// the client's retryer: see foundation.ConfigureRetries for the
// recommended attempts.
//
// # Permissions
//
// Bucket (every action on the bucket's ARN):
//
//	s3:ListBucket                    (HeadBucket)
//	s3:CreateBucket                  s3:TagResource        (tags with the create)
//	s3:GetBucketPublicAccessBlock    s3:PutBucketPublicAccessBlock
//	s3:GetBucketOwnershipControls    s3:PutBucketOwnershipControls
//	s3:GetEncryptionConfiguration    s3:PutEncryptionConfiguration
//	s3:GetBucketVersioning           s3:PutBucketVersioning
//	s3:GetLifecycleConfiguration     s3:PutLifecycleConfiguration
//	s3:GetBucketPolicy               s3:PutBucketPolicy
//	s3:GetBucketTagging                                    (the ownership check)
//	s3:PutBucketTagging                                    (only with Spec.Tags)
//
// With SSE-KMS, the caller needs no KMS permission to set the default
// encryption, but Terraform's principals need kms:GenerateDataKey and
// kms:Decrypt on the key.
//
// Lock table (LockDynamoDB and LockBoth, on the table's ARN):
//
//	dynamodb:DescribeTable
//	dynamodb:CreateTable
//	dynamodb:UpdateTable
//	dynamodb:DescribeContinuousBackups
//	dynamodb:UpdateContinuousBackups
//	dynamodb:ListTagsOfResource                            (the ownership check)
//	dynamodb:TagResource                                   (CreateTable's tags; TagResource only with Spec.Tags)
//
// With a customer managed LockTableKMSKeyID, creating or re-keying the
// table also needs kms:DescribeKey, kms:CreateGrant and kms:Decrypt on the
// key.
//
// AWS Security Hub (Foundational Security Best Practices) controls the
// defaults meet: S3.8 (bucket-level block public access; S3.2 and S3.3
// follow), S3.5 (SSL-only requests), S3.12 (no ACLs: BucketOwnerEnforced),
// S3.10 and S3.13 (lifecycle configuration), S3.14 (versioning), S3.17
// (SSE-KMS, only when Spec.KMSKeyID is set), DynamoDB.1 (on-demand
// capacity), DynamoDB.2 (point-in-time recovery) and DynamoDB.6 (deletion
// protection). Not covered: S3.1 (account-level block public access: an
// account setting, not the bucket's), S3.9 (server access logging: it
// needs a separate log bucket), S3.7 (cross-region replication), S3.15
// (Object Lock), S3.20 (MFA delete, which only the root user can enable),
// S3.17 with the default SSE-S3, and DynamoDB.4 (AWS Backup plan).
package statebackend
