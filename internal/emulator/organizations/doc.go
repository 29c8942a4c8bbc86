// Package organizations emulates AWS Organizations (awsJson1_1, signing
// name "organizations"): one organization per management account with its
// root, organizational units, member accounts (created and closed
// asynchronously, each with its OrganizationAccountAccessRole made through
// package iam), policies and their attachments, tags, and trusted access
// for services with their delegated administrators (services.go). Written
// from the
// Organizations API reference
// (https://docs.aws.amazon.com/organizations/latest/APIReference/).
//
// Other services see an account's organization through Of and react to a
// new one through OnCreateOrganization.
package organizations
