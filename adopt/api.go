package adopt

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/orgpolicy"
)

// OrganizationsReadAPI is the Organizations calls Read makes.
type OrganizationsReadAPI interface {
	organizations.ReadTreeAPI
	ListTagsForResource(context.Context, *orgsdk.ListTagsForResourceInput, ...func(*orgsdk.Options)) (*orgsdk.ListTagsForResourceOutput, error)
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
}

// ConvergeAPI holds the clients Converge calls, all acting in the
// management account.
type ConvergeAPI struct {
	Organizations interface {
		organizations.EnsureTreeAPI
		organizations.ReadTreeAPI
		orgpolicy.API
	}
	IdentityCenter identitycenter.API
	IAM            interface {
		oidcfed.ProviderAPI
		oidcfed.RoleAPI
	}
}

// NewReadAPI returns the ReadAPI of SDK clients made from cfg.
func NewReadAPI(cfg aws.Config) ReadAPI {
	return ReadAPI{
		Organizations: orgsdk.NewFromConfig(cfg),
		SSOAdmin:      ssoadmin.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
	}
}

// NewConvergeAPI returns the ConvergeAPI of SDK clients made from cfg.
func NewConvergeAPI(cfg aws.Config) ConvergeAPI {
	return ConvergeAPI{
		Organizations:  orgsdk.NewFromConfig(cfg),
		IdentityCenter: identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg)},
		IAM:            iam.NewFromConfig(cfg),
	}
}

var (
	_ OrganizationsReadAPI = (*orgsdk.Client)(nil)
	_ IAMReadAPI           = (*iam.Client)(nil)
	_ SSOAdminReadAPI      = (*ssoadmin.Client)(nil)
	_ IdentityStoreReadAPI = (*identitystore.Client)(nil)
)
