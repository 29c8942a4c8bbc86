// Package awstest is the conformance harness every package's tests use: one
// suite, every backend, in the manner of go-cloud's drivertest.
//
// The environment picks the backend (see New):
//
//	(nothing)                          the in-process emulator, fresh per test: the default, what `go test ./...` runs
//	FOUNDATION_TEST_MOTO=1             moto_server (an emulator nobody here wrote), started on a free loopback port,
//	                                   reset before each test, stopped when the package's tests end
//	FOUNDATION_TEST_CONTAINER=1        the emulator's image built from cmd/foundation-emulator/Dockerfile and run by
//	                                   testcontainers-go (needs a Docker engine; nothing is pulled), reset per test
//	FOUNDATION_TEST_ENDPOINT=URL       any AWS-compatible endpoint, shared and never reset (loopback only unless
//	                                   FOUNDATION_TEST_ALLOW_REMOTE=1)
//	FOUNDATION_TEST_LOCALSTACK=1       a LocalStack container (LOCALSTACK_AUTH_TOKEN for images after March 2026)
//	FOUNDATION_TEST_AWS=1              a sandbox AWS account with this machine's credentials, only when
//	  FOUNDATION_TEST_AWS_ACCOUNT=ID   ID is the account they act in; never in CI, never by default
//
// A test runs wherever its backend can serve it. What it needs beyond the
// AWS API is a Capability (Require, RequireEmulator, EmulatorFor): faults,
// snapshots, a fresh organization, member accounts. What a backend does
// differently from AWS is an entry of one registry, Gaps, consulted with
// Need and Lacks. Either way a test that cannot run skips and says why, and
// Subtests makes a parent whose subtests all skipped report SKIP.
//
// Names come from Unique (unique per process run on shared backends),
// account IDs from AccountID (sts:GetCallerIdentity), never constants.
//
// Clients use static fake credentials except on the sandbox backend: the
// harness never reads the machine's AWS credentials or profiles unless
// FOUNDATION_TEST_AWS=1. Every client records the calls it makes, so tests
// count mutating calls on any backend (RequireIdempotent, RequireNoCalls),
// and with FOUNDATION_TEST_REPORT=dir every test writes the operations it
// called, from which internal/conformance builds CONFORMANCE.md.
package awstest
