// Package foundation is a library of typed, idempotent building blocks that
// stand up an AWS multi-account foundation: the organization with its OUs
// and accounts, service control policies, IAM Identity Center access, keyless
// CI federation (OIDC), hardened ECR repositories, KMS keys, and Terraform
// state backends in every account.
//
// Each building block lives in its own package (organizations, scp,
// identitycenter, oidcfed, ecr, kms, statebackend) and follows one contract:
//
//	result, err := pkg.EnsureX(ctx, api, spec, opts...)
//
// where api is the smallest interface of AWS SDK for Go v2 client methods the
// function calls (a *s3.Client satisfies it, and so does a test fake), spec
// is a plain struct describing what the caller wants, and the result carries
// the identifiers of what exists and the Changes made. Every Ensure function
// reads before it writes and writes only the difference, so running it again
// on converged state makes no mutating call and reports no change. With
// WithDryRun it makes only read calls and reports what it would change.
//
// This root package holds only the vocabulary the packages share:
//
//   - Change, Action, Diff and Changes: what a call changed, or would change;
//   - Option and the With... functions (WithDryRun, WithLogger,
//     WithWaitTimeout, WithPollInterval, WithConcurrency,
//     WithPropagationTimeout), honoured by every package: specs say what to
//     converge, options say how;
//   - ErrInvalidSpec and SpecError: every spec is validated before the first
//     API call, and invalid input names the field and the rule; match them
//     with errors.Is(err, foundation.ErrInvalidSpec) and errors.As;
//   - ErrConflict: what every conflict and mismatch error matches with
//     errors.Is (a role at another path, a bucket another account owns,
//     encryption that cannot change in place); errors.As on the package's
//     typed error says what and where;
//   - IncompleteError: a call that failed after it had made changes says
//     which (errors.As), so a program can report what exists now; a rerun
//     finishes the work;
//   - WaitTimeoutError: asynchronous work (an account being created, a table
//     becoming ACTIVE) that did not finish within the wait timeout;
//   - PolicyDocument, Statement, Principal and Conditions, with NewPolicy,
//     ParsePolicy and the Actions, Resources and ...Principal helpers: the
//     IAM policy document model used for bucket, trust, key, service control
//     and permission-set policies, which accepts every JSON form IAM accepts
//     (string or list, URL-encoded as IAM returns it) and compares documents
//     by meaning, not by bytes;
//   - ConfigureRetries and NewRetryer: the client retry configuration the
//     library recommends (the SDK's standard mode with RetryMaxAttempts
//     attempts): clients retry throttling with their own retryer, and a
//     foundation run makes enough calls that the SDK's default of 3
//     attempts fails it under throttling.
//
// No function in this module builds its own aws.Config, reads environment
// variables or logs by default: callers pass clients, and changes are
// reported through results.
package foundation
