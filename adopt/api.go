package adopt

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	acctsdk "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/statebackend"
)

// OrganizationsReadAPI is the Organizations calls Read makes.
type OrganizationsReadAPI interface {
	organizations.ReadTreeAPI
	ListTagsForResource(context.Context, *orgsdk.ListTagsForResourceInput, ...func(*orgsdk.Options)) (*orgsdk.ListTagsForResourceOutput, error)
	organizations.ListAWSServiceAccessForOrganizationAPIClient
	organizations.ListDelegatedAdministratorsAPIClient
	ListDelegatedServicesForAccount(context.Context, *orgsdk.ListDelegatedServicesForAccountInput, ...func(*orgsdk.Options)) (*orgsdk.ListDelegatedServicesForAccountOutput, error)
	ListPolicies(context.Context, *orgsdk.ListPoliciesInput, ...func(*orgsdk.Options)) (*orgsdk.ListPoliciesOutput, error)
	DescribePolicy(context.Context, *orgsdk.DescribePolicyInput, ...func(*orgsdk.Options)) (*orgsdk.DescribePolicyOutput, error)
}

// IAMReadAPI is the IAM calls Read makes.
type IAMReadAPI interface {
	ListOpenIDConnectProviders(context.Context, *iam.ListOpenIDConnectProvidersInput, ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
	GetOpenIDConnectProvider(context.Context, *iam.GetOpenIDConnectProviderInput, ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	iam.ListRolesAPIClient
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	iam.ListAttachedRolePoliciesAPIClient
	iam.ListRolePoliciesAPIClient
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	ListOrganizationsFeatures(context.Context, *iam.ListOrganizationsFeaturesInput, ...func(*iam.Options)) (*iam.ListOrganizationsFeaturesOutput, error)
}

// S3ReadAPI is the S3 calls Read makes inside an account: the buckets, and
// the reads of statebackend.Bootstrap's dry run that checks each one.
type S3ReadAPI interface {
	statebackend.S3API
	s3.ListBucketsAPIClient
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
}

// DynamoDBReadAPI is the DynamoDB calls Read makes inside an account.
type DynamoDBReadAPI interface {
	statebackend.DynamoDBAPI
	dynamodb.ListTablesAPIClient
}

// AccountReadAPI holds the clients Read calls inside one account, for its
// state backends. The clients' Region does not matter: every call names
// its own.
type AccountReadAPI struct {
	S3       S3ReadAPI
	DynamoDB DynamoDBReadAPI
}

// SSOAdminReadAPI is the sso-admin calls Read makes.
type SSOAdminReadAPI interface {
	identitycenter.FindInstanceAPI
	ssoadmin.ListPermissionSetsAPIClient
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	ssoadmin.ListManagedPoliciesInPermissionSetAPIClient
	ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetAPIClient
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	ssoadmin.ListTagsForResourceAPIClient
	ssoadmin.ListAccountsForProvisionedPermissionSetAPIClient
	ssoadmin.ListAccountAssignmentsAPIClient
	DescribeInstance(context.Context, *ssoadmin.DescribeInstanceInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeInstanceOutput, error)
}

// AccountSettingsReadAPI is the Account Management calls Read makes, from
// the management account, for every account's settings.
type AccountSettingsReadAPI interface {
	GetAlternateContact(context.Context, *acctsdk.GetAlternateContactInput, ...func(*acctsdk.Options)) (*acctsdk.GetAlternateContactOutput, error)
	acctsdk.ListRegionsAPIClient
}

// IdentityStoreReadAPI is the identitystore calls Read makes.
type IdentityStoreReadAPI interface {
	identitystore.ListUsersAPIClient
	identitystore.ListGroupsAPIClient
	identitystore.ListGroupMembershipsAPIClient
}

// ReadAPI holds the clients Read calls, all acting in the management
// account (Identity Center's in its home region). A nil SSOAdmin or
// IdentityStore skips Identity Center; a nil IAM skips CI federation.
type ReadAPI struct {
	Organizations OrganizationsReadAPI
	SSOAdmin      SSOAdminReadAPI
	IdentityStore IdentityStoreReadAPI
	IAM           IAMReadAPI
	// Account reads the accounts' alternate contacts and opt-in Regions;
	// nil skips them. Member accounts' are read only when the
	// organization has trusted access for account.amazonaws.com.
	Account AccountSettingsReadAPI
	// InAccount returns the clients that act in an account of the
	// organization (management is true for the management account). Nil
	// skips state backends. An error skips the account (listed in
	// Foundation.Skipped with the error), never the whole read.
	InAccount func(ctx context.Context, accountID string, management bool) (AccountReadAPI, error)
}

// ConvergeAPI holds the clients Converge calls, all acting in the
// management account.
type ConvergeAPI struct {
	Organizations interface {
		organizations.EnsureTreeAPI
		organizations.ReadTreeAPI
		orgpolicy.API
		organizations.ServiceAccessAPI
		organizations.RootAccessOrganizationsAPI
	}
	IdentityCenter identitycenter.API
	// InstanceSettings converges Identity Center's key and Regions; nil
	// refuses a Foundation that sets them.
	InstanceSettings identitycenter.InstanceSettingsAPI
	// Account converges the accounts' contacts, opt-in Regions and names;
	// nil refuses a Foundation that sets contacts or Regions, and leaves
	// names as they are.
	Account interface {
		account.ContactsAPI
		account.RegionsAPI
		account.NameAPI
	}
	IAM interface {
		oidcfed.ProviderAPI
		oidcfed.RoleAPI
		organizations.RootAccessIAMAPI
	}
	// InAccount returns the clients that act in an account (management is
	// true for the management account), for its state backends. Nil
	// refuses a Foundation with state backends.
	InAccount func(ctx context.Context, accountID string, management bool) (statebackend.API, error)
}

// APIOption changes how NewReadAPI and NewConvergeAPI act inside member
// accounts.
type APIOption func(*apiOptions)

type apiOptions struct{ role string }

// WithAccessRole names the role assumed in each member account (default
// organizations.DefaultRoleName, the role Organizations creates in the
// accounts it creates; "AWSControlTowerExecution" in a Control Tower
// landing zone). It must trust the management account.
func WithAccessRole(name string) APIOption { return func(o *apiOptions) { o.role = name } }

func resolveAPI(opts []APIOption) apiOptions {
	o := apiOptions{role: organizations.DefaultRoleName}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// NewReadAPI returns the ReadAPI of SDK clients made from cfg, the
// management account's configuration. Inside a member account they act
// through its access role (organizations.DefaultRoleName unless
// WithAccessRole, assumed with organizations.AccountConfig).
func NewReadAPI(cfg aws.Config, opts ...APIOption) ReadAPI {
	o := resolveAPI(opts)
	return ReadAPI{
		Organizations: orgsdk.NewFromConfig(cfg),
		SSOAdmin:      ssoadmin.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
		Account:       acctsdk.NewFromConfig(cfg),
		InAccount: func(ctx context.Context, accountID string, management bool) (AccountReadAPI, error) {
			c, err := inAccount(ctx, cfg, o.role, accountID, management)
			if err != nil {
				return AccountReadAPI{}, err
			}
			return AccountReadAPI{S3: s3.NewFromConfig(c), DynamoDB: dynamodb.NewFromConfig(c)}, nil
		},
	}
}

// NewConvergeAPI returns the ConvergeAPI of SDK clients made from cfg, the
// management account's configuration (member accounts: as NewReadAPI).
func NewConvergeAPI(cfg aws.Config, opts ...APIOption) ConvergeAPI {
	o := resolveAPI(opts)
	return ConvergeAPI{
		Organizations:    orgsdk.NewFromConfig(cfg),
		IdentityCenter:   identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg)},
		IAM:              iam.NewFromConfig(cfg),
		InstanceSettings: ssoadmin.NewFromConfig(cfg),
		Account:          acctsdk.NewFromConfig(cfg),
		InAccount: func(ctx context.Context, accountID string, management bool) (statebackend.API, error) {
			c, err := inAccount(ctx, cfg, o.role, accountID, management)
			if err != nil {
				return statebackend.API{}, err
			}
			return statebackend.API{S3: s3.NewFromConfig(c), DynamoDB: dynamodb.NewFromConfig(c)}, nil
		},
	}
}

// inAccount is cfg for the management account, else cfg assuming the
// member account's access role.
func inAccount(ctx context.Context, cfg aws.Config, role, accountID string, management bool) (aws.Config, error) {
	if management {
		return cfg, nil
	}
	return organizations.AccountConfig(ctx, cfg, accountID, role)
}

var (
	_ OrganizationsReadAPI   = (*orgsdk.Client)(nil)
	_ IAMReadAPI             = (*iam.Client)(nil)
	_ SSOAdminReadAPI        = (*ssoadmin.Client)(nil)
	_ IdentityStoreReadAPI   = (*identitystore.Client)(nil)
	_ S3ReadAPI              = (*s3.Client)(nil)
	_ DynamoDBReadAPI        = (*dynamodb.Client)(nil)
	_ AccountSettingsReadAPI = (*acctsdk.Client)(nil)
)
