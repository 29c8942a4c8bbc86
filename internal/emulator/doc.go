// Package emulator is an in-process AWS API emulator for tests and
// examples: New or Start give an Emulator (an http.Handler) that SDK
// clients reach through their BaseEndpoint.
//
// This package is the facade. The work is done by internal/emulator/core
// (routing by SigV4 credential scope, the wire protocols, accounts and
// identity, pagination, tag rules, call log, faults, snapshots, the control
// API) and by one package per service, each of which registers itself with
// the core: iam, sts, s3, s3control, dynamodb, kms, ecr, organizations,
// ssoadmin and identitystore (with policy, the IAM policy grammar they
// share). Services depend on the core and "downward" on one another only
// (sts and kms on iam, ecr on kms, s3 on iam and s3control, organizations
// on iam, ssoadmin on organizations, iam and identitystore), never the
// other way round.
//
// S3 Control signs as "s3": the core routes a request signed for "s3" to
// s3control when its path is under /v20180820/ and it names an account. SDK
// clients address S3 Control at "{AccountId}.{endpoint host}", which a
// loopback BaseEndpoint cannot take; build them with
// s3account.LiteralEndpoint.
//
// Options.Consistency turns on a model of AWS's eventual consistency (off
// by default): new roles, service-linked roles and OIDC providers refused
// as principals by policy validation and sts:AssumeRole, a new account's
// access role not assumable and a new account unknown to IAM Identity
// Center, each for a time or a number of refused calls, each refused with
// the error AWS returns (core.Consistency documents the sources).
//
// Options.Model turns on a model of AWS's latency and quotas (off by
// default, so tests stay fast): each call takes its latency, AWS's
// documented request rates per account are answered with each service's
// throttling error (which the SDKs retry), asynchronous requests beyond
// AWS's limits in progress are refused as AWS refuses them, and
// CreateAccount, account assignments and permission set provisioning take
// a duration on the clock instead of a couple of describes. DefaultModel
// has AWS's figures, each with its source (core.DefaultModel), and
// TimeScale runs them faster than real time. LowerBound computes, from a
// Model and a Workload, the least time and calls the work needs, so a
// benchmark can report how far a client is from what AWS allows;
// Emulator.Throttled counts the calls a client made beyond the quotas.
package emulator
