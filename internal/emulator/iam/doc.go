// Package iam emulates the IAM API (awsQuery, signing name "iam"): roles
// with their inline, attached and boundary policies, OpenID Connect
// providers, customer managed policies, service-linked roles, tags and the
// account alias, written from the IAM API reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/).
//
// Other services create and read roles through its Go API: NewRole and
// RoleNamed (Organizations' access role, IAM Identity Center's reserved
// roles, STS AssumeRole, KMS key policy principals), CreateRole and
// AddMemberAccount (the emulator's setup API).
package iam
