// Package account emulates the AWS Account Management API (restJson1,
// signing name "account", every operation a POST to /operationName):
// alternate contacts (PutAlternateContact, GetAlternateContact,
// DeleteAlternateContact), Region opt-in (EnableRegion, DisableRegion,
// GetRegionOptStatus, ListRegions) and the account name (PutAccountName,
// GetAccountInformation). Written from the Account Management API
// reference (https://docs.aws.amazon.com/accounts/latest/reference/API_Operations.html).
//
// A request acts on the caller's account, or with AccountId on a member
// account of the caller's organization: the caller must be the management
// account or the delegated administrator for account.amazonaws.com, with
// all features and trusted access for account.amazonaws.com enabled, and
// the ID must be an active member other than the caller's own and the
// management account (the management account calls without AccountId for
// itself); otherwise 403 AccessDeniedException. A missing contact is 404
// ResourceNotFoundException; bad input, or a Region that is not opt-in, is
// 400 ValidationException (reason fieldValidationFailed or
// invalidRegionOptTarget); enabling a Region that is DISABLING (or
// disabling one ENABLING) is 409 ConflictException. Enabling an ENABLED or
// ENABLING Region, or disabling a DISABLED or DISABLING one, succeeds and
// changes nothing.
//
// A Region enabled or disabled stays ENABLING or DISABLING for
// Options.AsyncDuration by the emulator's clock or RegionSettleDescribes
// reads (GetRegionOptStatus, ListRegions), whichever comes first; AWS takes
// minutes to hours. The account name is the account ID until
// PutAccountName sets one (the emulator does not carry the name an
// account was created with over from Organizations).
package account
