// Package s3account converges the account-level S3 Block Public Access
// configuration (S3 Control PutPublicAccessBlock), the setting AWS Security
// Hub control S3.1 checks: all four settings on (BlockPublicAcls,
// IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets). S3 applies
// the most restrictive combination of a bucket's settings and its account's,
// so the account-level block covers every bucket the account will ever
// have, including those made outside this library.
//
//	api := s3control.NewFromConfig(cfg)
//	pab, err := s3account.EnsurePublicAccessBlock(ctx, api, s3account.Spec{AccountID: "111122223333"})
//
// The Spec's zero value (but the account) turns all four settings on; each
// Allow field turns one off, explicitly, and Spec.MeetsS3_1 says whether the
// spec still meets S3.1. The configuration is global to the account (not
// per Region). With a BaseEndpoint that cannot take S3 Control's
// "{AccountId}." host prefix (an emulator on 127.0.0.1), build the client
// with LiteralEndpoint.
//
// # Idempotency
//
// EnsurePublicAccessBlock reads the configuration (GetPublicAccessBlock;
// NoSuchPublicAccessBlockConfiguration means none) and writes only when a
// setting differs, with one PutPublicAccessBlock that sets all four (the API
// has no per-setting write). The write is a full replacement, so repeating
// it is harmless: a PutPublicAccessBlock AWS applied but whose answer was
// lost, retried by the SDK or by the next run, makes no second resource and
// no other state; the next run reads the configuration in place and makes
// no mutating call. The change reported is a create (the account had no
// configuration) or an update, with a Diff per setting that differs.
//
// Dry run (foundation.WithDryRun) makes only the read and reports the
// change the real run would make.
//
// The ownership tag (managed-by=foundation, issue 16) does not apply: the
// account's public access block is an account-level setting, one per
// account, not a resource found by name that someone else could have made
// under the same name, and it cannot be tagged; it is converged as the spec
// says.
//
// # Errors
//
// An invalid spec (spec.AccountID missing or not 12 digits, a nil api) is
// refused before any call with an error matching foundation.ErrInvalidSpec.
// AWS errors are wrapped once with the package and the account
// ("s3account: account 111122223333: put public access block: ...") and
// keep the SDK's typed errors for errors.As. S3 OperationAborted is retried
// by the client's retryer (internal/awsretry.S3); throttling is the SDK
// retryer's. On error the result is nil; a write that failed made no change,
// so there is no partial result to report (a *foundation.IncompleteError
// would carry one).
//
// # Permissions
//
// On the account (S3 Control's account-level actions, resource "*"):
//
//	s3:GetAccountPublicAccessBlock   (GetPublicAccessBlock)
//	s3:PutAccountPublicAccessBlock   (PutPublicAccessBlock; not in a dry run)
package s3account
