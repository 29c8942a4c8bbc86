// Package foundationtest runs, inside your test, the AWS emulator this
// library is tested with, so you can test your own tools built on it the
// way the library tests itself: no Docker, no network, no AWS account.
//
//	func TestMyBootstrap(t *testing.T) {
//		srv := foundationtest.NewServer(t)                 // closed when t ends
//		cfg := srv.Config()                                // the management account, fake credentials
//		srv.RequireIdempotent(t, func() error { return myBootstrap(ctx, cfg) })
//	}
//
// The server speaks the real wire protocols of S3, DynamoDB, STS, IAM, AWS
// Organizations, IAM Identity Center (sso-admin and identitystore), KMS and
// ECR, with AWS's error codes and HTTP statuses, small pages (2 items) so a
// client that reads one page fails, and asynchronous work (accounts, tables,
// assignments) that is in progress before it is done. Each account has its
// own state: Config(id) acts in account id, and STS AssumeRole checks the
// role's trust policy.
//
// What a test can see and do:
//
//   - the call log (Calls, CallsSince, MutatingCallsSince): every request any
//     client made, with its service, operation, account and outcome;
//   - faults (FailNth, FailNthAfter, FailAlways, Throttle, Latency): fail the
//     Nth matching call before the write or after it (the response lost, as
//     when a retry would make a second resource), throttle a fraction, add
//     latency;
//   - the canonical snapshot of the whole state (Snapshot), to compare a run
//     under faults with a clean one;
//   - assertions (RequireIdempotent, RequireNoMutations, RequireNoCalls).
//
// The same emulator runs as a server for tests in any language:
// `go run github.com/awsfoundation/foundation/cmd/foundation-emulator`, or
// its container image (cmd/foundation-emulator/Dockerfile). Its control API
// under /_foundation/ offers the same things over HTTP: GET calls, POST and
// DELETE faults, GET snapshot, POST reset (see `foundation-emulator -h`).
//
// What it does not model: SigV4 signatures (any credentials are accepted),
// IAM policy evaluation beyond trust policies, eventual consistency
// (propagation delays), and AWS services outside the list above. Its
// package surface is small and stable; the emulator behind it is free to
// change.
package foundationtest
