// Package adopt reads an existing organization into a spec and converges
// an organization on one: the way into this library for the many
// organizations that were built before it, by hand, with the console or
// with other tools.
//
// Read turns what the management account sees (OUs and accounts with their
// tags, customer managed policies of every type enabled (SCPs, RCPs, tag,
// backup and the other management policies) and what each target has
// attached, IAM
// Identity Center users, groups, permission sets and assignments, GitHub's
// OIDC provider and the CI roles trusting it) into a Foundation, which
// encodes as YAML or JSON (examples/adopt writes it as a spec file).
// Converge makes an organization match a Foundation with the library's
// Ensure functions. Converge of what Read read, on the same organization,
// plans no change and writes nothing.
//
// # Idempotency
//
// Read only reads. Converge is as idempotent as the Ensure functions it
// calls (organizations.EnsureTree, scp.EnsurePolicy and EnsureAttachments,
// identitycenter.EnsureAccess, oidcfed.EnsureProvider and EnsureCIRole): a
// second run makes no mutating call. Nothing the Foundation does not list
// is removed. A policy Read found without the library's managed-by=foundation
// tag is written with Adopt set: Converge keeps its content as the file
// says but does not tag it (orgpolicy.PolicySpec.Adopt), so adopting an
// organization writes nothing. Attachment lists are exact for the
// targets a Foundation lists: a policy left out of a target's list is
// detached, whoever made it (FullAWSAccess too when an SCP list leaves it
// out), so that a dry run shows every detach the run makes.
//
// What a Foundation cannot describe is listed in Foundation.Skipped with
// the reason, never dropped silently: a CI role whose trust policy is not
// one the library builds (oidcfed), an OIDC provider other than GitHub's,
// an account that is not active, an assignment to an account outside the
// organization. Delegated administrators, state backends and the
// resources inside member accounts are not read yet.
//
// # Errors
//
// Converge validates the whole Foundation first (Foundation.Validate):
// every fault, by the file's key path ("accounts[2].email",
// "attachments[0].policies[1]"), in one error matching
// foundation.ErrInvalidSpec, and no API call. A failed Converge returns
// an error carrying the changes made before it (a
// *foundation.IncompleteError); a rerun finishes the work. Read's errors
// wrap the SDK's and name what was being read.
//
// # Permissions
//
// Read: organizations:DescribeOrganization, ListRoots,
// ListOrganizationalUnitsForParent, ListAccountsForParent,
// ListPolicies, ListTargetsForPolicy, DescribePolicy, ListTagsForResource;
// sso:ListInstances, ListPermissionSets, DescribePermissionSet,
// ListManagedPoliciesInPermissionSet,
// ListCustomerManagedPolicyReferencesInPermissionSet,
// GetInlinePolicyForPermissionSet, ListTagsForResource,
// ListAccountsForProvisionedPermissionSet, ListAccountAssignments;
// identitystore:ListUsers, ListGroups, ListGroupMemberships;
// iam:ListOpenIDConnectProviders, GetOpenIDConnectProvider, ListRoles,
// GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy.
// Converge: what the Ensure functions it calls document.
package adopt
