// Package emulator is an in-process AWS API emulator for tests and
// examples: New or Start give an Emulator (an http.Handler) that SDK
// clients reach through their BaseEndpoint.
//
// This package is the facade. The work is done by internal/emulator/core
// (routing by SigV4 credential scope, the wire protocols, accounts and
// identity, pagination, tag rules, call log, faults, snapshots, the control
// API) and by one package per service, each of which registers itself with
// the core: iam, sts, s3, dynamodb, kms, ecr, organizations, ssoadmin and
// identitystore (with policy, the IAM policy grammar they share). Services
// depend on the core and "downward" on one another only (sts and kms on
// iam, ecr on kms, organizations on iam, ssoadmin on organizations, iam and
// identitystore), never the other way round.
package emulator
