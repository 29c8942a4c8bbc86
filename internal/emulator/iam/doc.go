// Package iam emulates the IAM API (awsQuery, signing name "iam"): roles
// with their inline, attached and boundary policies, OpenID Connect
// providers, customer managed policies, service-linked roles, tags and the
// account alias, centralized root access (the organization's
// RootCredentialsManagement and RootSessions features, and a member
// account's root user credentials as an sts:AssumeRoot session reads and
// deletes them, rootaccess.go), written from the IAM API reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/).
//
// Other services create and read roles through its Go API: NewRole and
// RoleNamed (Organizations' access role, IAM Identity Center's reserved
// roles, STS AssumeRole, KMS key policy principals), CreateRole and
// AddMemberAccount (the emulator's setup API), SeedRootCredentials (a root
// user's credentials, which no API can give). It sees an account's
// organization through OrganizationOf, which package organizations sets.
package iam
