// Package awstest is the test harness every package's tests use: one suite,
// three backends.
//
//   - The in-process emulator (internal/emulator), the default: always on,
//     what CI runs, with its call log, faults and snapshots.
//   - Any AWS-compatible endpoint named by FOUNDATION_TEST_ENDPOINT (an
//     emulator someone runs, a LocalStack they started). A non-loopback
//     endpoint is refused unless FOUNDATION_TEST_ALLOW_REMOTE=1.
//   - LocalStack, started by testcontainers-go when FOUNDATION_TEST_LOCALSTACK=1
//     (image from FOUNDATION_TEST_LOCALSTACK_IMAGE; LOCALSTACK_AUTH_TOKEN is
//     passed through). Tests skip with a message naming what is missing when
//     there is no Docker.
//
// Clients always use static fake credentials: the harness never reads the
// machine's AWS credentials or profiles. Every client records the calls it
// makes, so tests can count mutating calls on any backend, not only the
// emulator, and assert that a second run changes nothing.
package awstest
