// Package sts emulates AWS STS (awsQuery, signing name "sts"):
// GetCallerIdentity and AssumeRole, which checks the role's trust policy
// (package policy) against the caller and issues temporary credentials the
// core then accepts as the assumed role; AssumeRoleWithWebIdentity (served
// unsigned, as in AWS), which checks a token signed by the emulator's own
// issuer (SignWebIdentityToken), the IAM OIDC provider of its iss and aud,
// and the role's trust conditions on its claims (sub, aud and GitHub's
// provider claims such as repository_id); AssumeRoot (root.go), a session
// as a member account's root user scoped by an AWS managed task policy, for
// the management account or IAM's delegated administrator once the
// organization has root sessions enabled. Written from the STS API reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/).
package sts
