// Package kms emulates AWS Key Management Service (awsJson1_1, signing name
// "kms"): customer managed keys per account and region, aliases, key
// policies (validated: grammar, principals that must exist, the lockout
// safety check), rotation, tags, enable/disable and scheduled deletion; no
// cryptography. Written from the KMS API reference
// (https://docs.aws.amazon.com/kms/latest/APIReference/). ECR checks its
// repositories' KMS keys and policies through KeyUsable, ParsePolicy and
// PrincipalsExist.
package kms
