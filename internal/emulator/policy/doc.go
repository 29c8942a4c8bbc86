// Package policy is the emulator's model of IAM JSON policy documents: the
// grammar (Parse: Version, Statement, Effect, Principal/NotPrincipal,
// Action/NotAction, Resource/NotResource, Condition) and the evaluation the
// emulator enforces (role trust policies for STS AssumeRole, principals,
// wildcards and condition operators for resource policies). It is written
// from AWS's documentation, not shared with the library, so that a grammar
// mistake in the library's policy builder is not mirrored here:
//
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//
// IAM, STS, S3, KMS and ECR use it.
package policy
