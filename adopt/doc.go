// Package adopt reads an existing organization into a spec and converges
// an organization on one: the way into this library for the many
// organizations that were built before it, by hand, with the console or
// with other tools.
//
// Read turns what the management account sees (OUs and accounts with their
// tags, customer managed policies of every type enabled (SCPs, RCPs, tag,
// backup and the other management policies) and what each target has
// attached, the services with trusted access and their delegated
// administrators, centralized root access, each account's alternate
// contacts and opt-in Regions (package account), IAM Identity Center's
// key, Regions, users, groups, permission sets and assignments, GitHub's
// OIDC provider and the
// CI roles trusting it) and what it finds inside each account through the
// account's access role (the Terraform state backends: buckets tagged
// managed-by=foundation or named by ReadSpec.StateBucketPatterns, with
// their DynamoDB lock tables) into a Foundation, which encodes as YAML or
// JSON (examples/adopt writes it as a spec file). Converge makes an
// organization match a Foundation with the library's Ensure functions.
// Converge of what Read read, on the same organization, plans no change
// and writes nothing.
//
// # Idempotency
//
// Read only reads. Converge is as idempotent as the Ensure functions it
// calls (organizations.EnsureTree, orgpolicy.EnsurePolicy and
// EnsureAttachments, organizations.EnsureServiceAccess and
// EnsureRootAccess, account.EnsureAlternateContacts, EnsureRegionOptIn
// (a Region being enabled is not waited for) and EnsureAccountName (an
// account whose name differs from the file's: Organizations cannot rename),
// identitycenter.EnsureAccess and EnsureInstanceSettings,
// oidcfed.EnsureProvider and EnsureCIRole, statebackend.Bootstrap): a
// second run makes no
// mutating call. Nothing the Foundation does not list is removed. A
// resource Read found without the library's managed-by=foundation tag (a
// policy, an OIDC provider, a CI role) is written with adopt: true:
// Converge keeps it as the file says but never tags it nor prunes what the
// file leaves out of it (orgpolicy.PolicySpec.Adopt, oidcfed's
// ProviderSpec.Adopt and RoleSpec.Adopt), so adopting an organization
// writes nothing. Attachment lists are exact for the targets a Foundation
// lists: a policy left out of a target's list is detached, whoever made it
// (FullAWSAccess too when an SCP list leaves it out), so that a dry run
// shows every detach the run makes. The services list is the registry
// EnsureServiceAccess converges: a delegated administrator of a listed
// service that the file does not name is reported by Converge as an
// *organizations.UnexpectedDelegatedAdministratorError, never removed.
//
// What a Foundation cannot describe is listed in Foundation.Skipped with
// the reason, never dropped silently: a CI role whose trust policy is not
// one the library builds (oidcfed), an OIDC provider other than GitHub's,
// an account that is not active, an assignment to an account outside the
// organization, a service whose administrator is set with its own API
// (organizations.OwnAPIServices), an account whose access role cannot be
// assumed (the rest is read), a bucket a pattern names whose settings are
// not a state backend's as statebackend converges one (with the changes
// converging it would make: Read checks each backend with a dry run of
// statebackend.Bootstrap), a lock table that cannot be told to belong to
// one bucket, the member accounts' settings when the organization has no
// trusted access for account.amazonaws.com.
//
// Which bucket a lock table locks for is written nowhere. Read pairs them
// in each account and Region among the state backends only: a bucket is
// checked on its own first, and one whose settings are not a state
// backend's (a bucket tagged managed-by=foundation by hand, one a pattern
// names by chance) is skipped and takes no table. A table then goes with
// the one state bucket of its owner (the library's with the library's,
// someone else's with someone else's); with several, with the one whose
// name starts with the table's stem, its name without a last word holding
// "lock" ("shop-terraform-locks" with "shop-terraform-state-<account>"),
// when no other table claims that bucket. Any other table is skipped.
//
// # Errors
//
// Converge validates the whole Foundation first (Foundation.Validate):
// every fault, by the file's key path ("accounts[2].email",
// "attachments[0].policies[1]"), in one error matching
// foundation.ErrInvalidSpec, and no API call. It then reads the
// organization and tells the management account by its email, whatever
// the file's "management" says: an entry marked management that is
// another account, or the management account's entry with an ou other
// than where it is (it is never moved), is refused the same way before
// any write. A failed Converge returns
// an error carrying the changes made before it (a
// *foundation.IncompleteError); a rerun finishes the work. A resource the
// file does not adopt that someone else made is a
// *foundation.NotManagedError (errors.Is foundation.ErrNotManaged) before
// any write to it, whose Field is the file's key that adopts it
// ("accounts[2].adopt", the management account counted;
// "identityCenter.permissionSets[0].adopt"), not the field of the
// library's spec Converge derived; a delegated administrator the file does not name is an
// *organizations.UnexpectedDelegatedAdministratorError, in a dry run too.
// Read validates its ReadSpec first (foundation.ErrInvalidSpec, no call);
// its errors wrap the SDK's and name what was being read. Inside an
// account, AccessDenied (the role cannot be assumed, an SCP, a bucket
// policy) skips the account or the bucket with the reason, not the read.
//
// # Permissions
//
// Read: organizations:DescribeOrganization, ListRoots,
// ListOrganizationalUnitsForParent, ListAccountsForParent,
// ListPolicies, ListTargetsForPolicy, DescribePolicy, ListTagsForResource,
// ListAWSServiceAccessForOrganization, ListDelegatedAdministrators,
// ListDelegatedServicesForAccount;
// sso:ListInstances, ListPermissionSets, DescribePermissionSet,
// ListManagedPoliciesInPermissionSet,
// ListCustomerManagedPolicyReferencesInPermissionSet,
// GetInlinePolicyForPermissionSet, ListTagsForResource,
// ListAccountsForProvisionedPermissionSet, ListAccountAssignments;
// identitystore:ListUsers, ListGroups, ListGroupMemberships;
// iam:ListOpenIDConnectProviders, GetOpenIDConnectProvider, ListRoles,
// GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy,
// ListOrganizationsFeatures; sso:DescribeInstance; account:GetAlternateContact,
// ListRegions; sts:AssumeRole into each member account's
// access role (organizations.DefaultRoleName with NewReadAPI), and there
// (and in the management account) s3:ListAllMyBuckets,
// GetBucketLocation, GetBucketTagging and the reads statebackend
// documents, dynamodb:ListTables, DescribeTable,
// DescribeContinuousBackups, ListTagsOfResource.
// Converge: what the Ensure functions it calls document.
package adopt
