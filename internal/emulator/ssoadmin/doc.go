// Package ssoadmin emulates IAM Identity Center administration (sso-admin,
// awsJson1_1, signing name "sso"): the organization instance of a
// management account's organization (package organizations), permission
// sets, their asynchronous provisioning to member accounts as
// AWSReservedSSO_* roles (package iam), and account assignments of the
// users and groups of the instance's identity store (package
// identitystore). Written from the IAM Identity Center API reference
// (https://docs.aws.amazon.com/singlesignon/latest/APIReference/).
package ssoadmin
