package account

import (
	"context"

	acct "github.com/aws/aws-sdk-go-v2/service/account"
)

// ContactsAPI is the part of the Account Management client
// EnsureAlternateContacts calls. *account.Client satisfies it.
type ContactsAPI interface {
	GetAlternateContact(ctx context.Context, params *acct.GetAlternateContactInput, optFns ...func(*acct.Options)) (*acct.GetAlternateContactOutput, error)
	PutAlternateContact(ctx context.Context, params *acct.PutAlternateContactInput, optFns ...func(*acct.Options)) (*acct.PutAlternateContactOutput, error)
}

// RegionsAPI is the part of the Account Management client
// EnsureRegionOptIn calls. *account.Client satisfies it.
type RegionsAPI interface {
	GetRegionOptStatus(ctx context.Context, params *acct.GetRegionOptStatusInput, optFns ...func(*acct.Options)) (*acct.GetRegionOptStatusOutput, error)
	EnableRegion(ctx context.Context, params *acct.EnableRegionInput, optFns ...func(*acct.Options)) (*acct.EnableRegionOutput, error)
	DisableRegion(ctx context.Context, params *acct.DisableRegionInput, optFns ...func(*acct.Options)) (*acct.DisableRegionOutput, error)
}

// NameAPI is the part of the Account Management client EnsureAccountName
// calls. *account.Client satisfies it.
type NameAPI interface {
	GetAccountInformation(ctx context.Context, params *acct.GetAccountInformationInput, optFns ...func(*acct.Options)) (*acct.GetAccountInformationOutput, error)
	PutAccountName(ctx context.Context, params *acct.PutAccountNameInput, optFns ...func(*acct.Options)) (*acct.PutAccountNameOutput, error)
}

// API is every call of the package: what a program that converges all of
// an account's settings passes.
type API interface {
	ContactsAPI
	RegionsAPI
	NameAPI
	PrimaryEmailAPI
}

var _ API = (*acct.Client)(nil)
