// Package account converges an AWS account's settings through the Account
// Management API (service "account"): its alternate contacts (billing,
// operations, security), its opt-in Regions, and its name; and reads a
// member account's primary email.
//
//	EnsureAlternateContacts  GetAlternateContact, PutAlternateContact
//	EnsureRegionOptIn        GetRegionOptStatus, EnableRegion, DisableRegion
//	EnsureAccountName        GetAccountInformation, PutAccountName
//	PrimaryEmail             GetPrimaryEmail (a read: changing it needs a code sent to the new address)
//
// Each spec's AccountID is empty for the account the client's credentials
// act in, or names a member account of the organization: the call is then
// made from the organization's management account (or the Account
// Management delegated administrator) with AccountId, which AWS allows only
// once the organization has all features and trusted access for
// account.amazonaws.com (ServicePrincipal), and only for a member account:
// the management account converges its own settings with AccountID empty.
// A dry run may name an account ID that organizations predicted for an
// account it would create: nothing is read, every setting is planned.
//
// # Idempotency
//
// Every function reads, compares and writes only the difference: run again
// on converged state it makes no mutating call and reports no changes.
// Contacts are compared field by field and put whole (the API has no
// partial write); a contact the spec leaves nil is neither read nor changed,
// and contacts are never deleted. A Region is enabled or disabled only
// when it is not already there or on its way; enabling a Region AWS is
// still disabling (or the reverse) waits until it has settled, since AWS
// refuses the change meanwhile with ConflictException, which is waited out
// and never taken for success. Unless RegionsSpec.NoWait, each Region
// change is waited for until ENABLED or DISABLED, with the options' poll
// interval and wait timeout (AWS takes minutes to hours to enable one).
// Every function honours foundation.WithDryRun: reads only, and the result
// lists the changes that would be made.
//
// # Errors
//
// Invalid specs return an error matching foundation.ErrInvalidSpec that
// names the field and AWS's rule (contact fields' lengths and patterns,
// Region names, the account name's characters), before any call. API
// errors are wrapped once with the package and the account
// ("account: account 210987654321: put SECURITY contact: ..."); match them
// with errors.As on the SDK's typed exceptions (types.AccessDeniedException
// when AccountID is not a member account or trusted access is off, with
// what AWS requires in the message). Disabling a Region enabled by default,
// or naming one AWS does not take as an opt-in target, is a *RegionError
// matching foundation.ErrConflict. On error the *foundation.IncompleteError
// lists the changes made before it.
//
// # Permissions
//
//	account:GetAlternateContact, account:PutAlternateContact   EnsureAlternateContacts
//	account:GetRegionOptStatus, account:EnableRegion,
//	account:DisableRegion                                       EnsureRegionOptIn
//	account:GetAccountInformation, account:PutAccountName      EnsureAccountName
//	account:GetPrimaryEmail                                     PrimaryEmail
//
// For member accounts, the caller is the management account or the
// delegated administrator for account.amazonaws.com, and the organization
// has trusted access for it (organizations:EnableAWSServiceAccess, once).
// Service control policies may restrict the account:* actions; the
// management account is not subject to them.
package account
