// Package kittest is the harness the example programs' tests share: the
// backend they run on (awstest's, with Identity Center enabled along with
// the organization on the in-process emulator), the config of any account
// in it, readers of the state a run leaves in AWS (accounts, the OU tree,
// attached SCPs, Identity Center's permission sets and assignments, the
// AWS CLI config files written), and the sequences every example checks:
// a dry run plans changes and makes no mutating call, and after a real run
// plans nothing; a second run changes nothing; bad flags are refused
// before any call to AWS.
//
// It is for tests only: every helper takes a testing.TB and fails the test
// on an error.
package kittest
