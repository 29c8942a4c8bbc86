// Package sts emulates AWS STS (awsQuery, signing name "sts"):
// GetCallerIdentity and AssumeRole, which checks the role's trust policy
// (package policy) against the caller and issues temporary credentials the
// core then accepts as the assumed role. Written from the STS API reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/).
package sts
