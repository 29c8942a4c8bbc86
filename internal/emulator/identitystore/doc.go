// Package identitystore emulates the IAM Identity Center identity store
// (awsJson1_1, signing name "identitystore"): the users, groups and group
// memberships of the store that package ssoadmin creates with an
// organization instance (CreateStore). Written from the Identity Store API
// reference
// (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/).
package identitystore
