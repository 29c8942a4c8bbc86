package identitycenter

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation/internal/awsretry"
)

// SSOAdminAPI is the part of the IAM Identity Center (sso-admin) client this
// package calls, with the SDK's exact signatures. *ssoadmin.Client (of
// github.com/aws/aws-sdk-go-v2/service/ssoadmin) satisfies it; so does a
// test fake. It must act in the account that owns the instance (the
// organization's management account or its delegated administrator) and in
// the instance's home region.
type SSOAdminAPI interface {
	ListInstancesAPIClient

	ListPermissionSetsAPIClient
	DescribePermissionSetAPIClient
	CreatePermissionSetAPIClient
	UpdatePermissionSetAPIClient

	ListManagedPoliciesInPermissionSetAPIClient
	AttachManagedPolicyToPermissionSetAPIClient
	DetachManagedPolicyFromPermissionSetAPIClient
	ListCustomerManagedPolicyReferencesInPermissionSetAPIClient
	AttachCustomerManagedPolicyReferenceToPermissionSetAPIClient
	DetachCustomerManagedPolicyReferenceFromPermissionSetAPIClient
	GetInlinePolicyForPermissionSetAPIClient
	PutInlinePolicyToPermissionSetAPIClient
	DeleteInlinePolicyFromPermissionSetAPIClient
	GetPermissionsBoundaryForPermissionSetAPIClient
	PutPermissionsBoundaryToPermissionSetAPIClient
	DeletePermissionsBoundaryFromPermissionSetAPIClient
	ListTagsForResourceAPIClient
	TagResourceAPIClient

	ListAccountsForProvisionedPermissionSetAPIClient
	ProvisionPermissionSetAPIClient
	DescribePermissionSetProvisioningStatusAPIClient
	ListPermissionSetProvisioningStatusAPIClient

	ListAccountAssignmentsAPIClient
	ListAccountAssignmentsForPrincipalAPIClient
	CreateAccountAssignmentAPIClient
	DescribeAccountAssignmentCreationStatusAPIClient
	DeleteAccountAssignmentAPIClient
	DescribeAccountAssignmentDeletionStatusAPIClient
}

// IdentityStoreAPI is the part of the Identity Store client this package
// calls, with the SDK's exact signatures. *identitystore.Client (of
// github.com/aws/aws-sdk-go-v2/service/identitystore) satisfies it.
type IdentityStoreAPI interface {
	GetUserIdAPIClient
	DescribeUserAPIClient
	CreateUserAPIClient
	UpdateUserAPIClient

	GetGroupIdAPIClient
	DescribeGroupAPIClient
	CreateGroupAPIClient
	UpdateGroupAPIClient

	GetGroupMembershipIdAPIClient
	CreateGroupMembershipAPIClient
}

var (
	_ SSOAdminAPI      = (*ssoadmin.Client)(nil)
	_ IdentityStoreAPI = (*identitystore.Client)(nil)
	_ FindInstanceAPI  = (*ssoadmin.Client)(nil)
)

// FindInstanceAPI is the part of the sso-admin client FindInstance calls.
type FindInstanceAPI interface {
	ListInstancesAPIClient
}

// API holds the two clients the package calls. Both must be built for the
// instance's home region and act in the account that owns the instance.
// Functions that need only one of them say so; the other may be nil.
type API struct {
	SSOAdmin      SSOAdminAPI
	IdentityStore IdentityStoreAPI
}

// retryConflict makes the client's retryer also retry ConflictException,
// which sso-admin returns while a conflicting operation on the same
// permission set or instance is in progress, and which AWS asks callers to
// retry. It is passed on every sso-admin call; the retries stay bounded by
// the client's retryer. See internal/awsretry.
func retryConflict(o *ssoadmin.Options) {
	o.Retryer = awsretry.Add(o.Retryer, awsretry.SSOAdmin...)
	o.APIOptions = append(o.APIOptions, rateLimited)
}

// creating is the option of the sso-admin writes that AWS may apply while
// the answer is lost and that are not idempotent (CreatePermissionSet,
// ProvisionPermissionSet): the SDK retries only throttling and
// ConflictException, which prove the call was not applied; a lost answer
// is left to awsretry.Create, which finds the earlier attempt first.
func creating(o *ssoadmin.Options) {
	o.Retryer = awsretry.Creating(o.Retryer, awsretry.SSOAdmin...)
	o.APIOptions = append(o.APIOptions, rateLimited)
}

// The per-operation interfaces the interfaces above are composed of, one
// method each, in the manner of aws-sdk-go-v2's per-operation client
// interfaces (ssoadmin.ListInstancesAPIClient): a test fake implements the
// ones its function calls.

// sso-admin.

// ListInstancesAPIClient is the client method ListInstances.
type ListInstancesAPIClient interface {
	ListInstances(ctx context.Context, params *ssoadmin.ListInstancesInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error)
}

// ListPermissionSetsAPIClient is the client method ListPermissionSets.
type ListPermissionSetsAPIClient interface {
	ListPermissionSets(ctx context.Context, params *ssoadmin.ListPermissionSetsInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsOutput, error)
}

// DescribePermissionSetAPIClient is the client method DescribePermissionSet.
type DescribePermissionSetAPIClient interface {
	DescribePermissionSet(ctx context.Context, params *ssoadmin.DescribePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
}

// CreatePermissionSetAPIClient is the client method CreatePermissionSet.
type CreatePermissionSetAPIClient interface {
	CreatePermissionSet(ctx context.Context, params *ssoadmin.CreatePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.CreatePermissionSetOutput, error)
}

// UpdatePermissionSetAPIClient is the client method UpdatePermissionSet.
type UpdatePermissionSetAPIClient interface {
	UpdatePermissionSet(ctx context.Context, params *ssoadmin.UpdatePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.UpdatePermissionSetOutput, error)
}

// ListManagedPoliciesInPermissionSetAPIClient is the client method ListManagedPoliciesInPermissionSet.
type ListManagedPoliciesInPermissionSetAPIClient interface {
	ListManagedPoliciesInPermissionSet(ctx context.Context, params *ssoadmin.ListManagedPoliciesInPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
}

// AttachManagedPolicyToPermissionSetAPIClient is the client method AttachManagedPolicyToPermissionSet.
type AttachManagedPolicyToPermissionSetAPIClient interface {
	AttachManagedPolicyToPermissionSet(ctx context.Context, params *ssoadmin.AttachManagedPolicyToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error)
}

// DetachManagedPolicyFromPermissionSetAPIClient is the client method DetachManagedPolicyFromPermissionSet.
type DetachManagedPolicyFromPermissionSetAPIClient interface {
	DetachManagedPolicyFromPermissionSet(ctx context.Context, params *ssoadmin.DetachManagedPolicyFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
}

// ListCustomerManagedPolicyReferencesInPermissionSetAPIClient is the client method ListCustomerManagedPolicyReferencesInPermissionSet.
type ListCustomerManagedPolicyReferencesInPermissionSetAPIClient interface {
	ListCustomerManagedPolicyReferencesInPermissionSet(ctx context.Context, params *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error)
}

// AttachCustomerManagedPolicyReferenceToPermissionSetAPIClient is the client method AttachCustomerManagedPolicyReferenceToPermissionSet.
type AttachCustomerManagedPolicyReferenceToPermissionSetAPIClient interface {
	AttachCustomerManagedPolicyReferenceToPermissionSet(ctx context.Context, params *ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetOutput, error)
}

// DetachCustomerManagedPolicyReferenceFromPermissionSetAPIClient is the client method DetachCustomerManagedPolicyReferenceFromPermissionSet.
type DetachCustomerManagedPolicyReferenceFromPermissionSetAPIClient interface {
	DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx context.Context, params *ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetOutput, error)
}

// GetInlinePolicyForPermissionSetAPIClient is the client method GetInlinePolicyForPermissionSet.
type GetInlinePolicyForPermissionSetAPIClient interface {
	GetInlinePolicyForPermissionSet(ctx context.Context, params *ssoadmin.GetInlinePolicyForPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
}

// PutInlinePolicyToPermissionSetAPIClient is the client method PutInlinePolicyToPermissionSet.
type PutInlinePolicyToPermissionSetAPIClient interface {
	PutInlinePolicyToPermissionSet(ctx context.Context, params *ssoadmin.PutInlinePolicyToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
}

// DeleteInlinePolicyFromPermissionSetAPIClient is the client method DeleteInlinePolicyFromPermissionSet.
type DeleteInlinePolicyFromPermissionSetAPIClient interface {
	DeleteInlinePolicyFromPermissionSet(ctx context.Context, params *ssoadmin.DeleteInlinePolicyFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
}

// GetPermissionsBoundaryForPermissionSetAPIClient is the client method GetPermissionsBoundaryForPermissionSet.
type GetPermissionsBoundaryForPermissionSetAPIClient interface {
	GetPermissionsBoundaryForPermissionSet(ctx context.Context, params *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error)
}

// PutPermissionsBoundaryToPermissionSetAPIClient is the client method PutPermissionsBoundaryToPermissionSet.
type PutPermissionsBoundaryToPermissionSetAPIClient interface {
	PutPermissionsBoundaryToPermissionSet(ctx context.Context, params *ssoadmin.PutPermissionsBoundaryToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.PutPermissionsBoundaryToPermissionSetOutput, error)
}

// DeletePermissionsBoundaryFromPermissionSetAPIClient is the client method DeletePermissionsBoundaryFromPermissionSet.
type DeletePermissionsBoundaryFromPermissionSetAPIClient interface {
	DeletePermissionsBoundaryFromPermissionSet(ctx context.Context, params *ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionsBoundaryFromPermissionSetOutput, error)
}

// ListTagsForResourceAPIClient is the client method ListTagsForResource.
type ListTagsForResourceAPIClient interface {
	ListTagsForResource(ctx context.Context, params *ssoadmin.ListTagsForResourceInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error)
}

// TagResourceAPIClient is the client method TagResource.
type TagResourceAPIClient interface {
	TagResource(ctx context.Context, params *ssoadmin.TagResourceInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.TagResourceOutput, error)
}

// ListAccountsForProvisionedPermissionSetAPIClient is the client method ListAccountsForProvisionedPermissionSet.
type ListAccountsForProvisionedPermissionSetAPIClient interface {
	ListAccountsForProvisionedPermissionSet(ctx context.Context, params *ssoadmin.ListAccountsForProvisionedPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
}

// ProvisionPermissionSetAPIClient is the client method ProvisionPermissionSet.
type ProvisionPermissionSetAPIClient interface {
	ProvisionPermissionSet(ctx context.Context, params *ssoadmin.ProvisionPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ProvisionPermissionSetOutput, error)
}

// DescribePermissionSetProvisioningStatusAPIClient is the client method DescribePermissionSetProvisioningStatus.
type DescribePermissionSetProvisioningStatusAPIClient interface {
	DescribePermissionSetProvisioningStatus(ctx context.Context, params *ssoadmin.DescribePermissionSetProvisioningStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetProvisioningStatusOutput, error)
}

// ListPermissionSetProvisioningStatusAPIClient is the client method ListPermissionSetProvisioningStatus.
type ListPermissionSetProvisioningStatusAPIClient interface {
	ListPermissionSetProvisioningStatus(ctx context.Context, params *ssoadmin.ListPermissionSetProvisioningStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetProvisioningStatusOutput, error)
}

// ListAccountAssignmentsForPrincipalAPIClient is the client method
// ListAccountAssignmentsForPrincipal.
type ListAccountAssignmentsForPrincipalAPIClient interface {
	ListAccountAssignmentsForPrincipal(ctx context.Context, params *ssoadmin.ListAccountAssignmentsForPrincipalInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsForPrincipalOutput, error)
}

// ListAccountAssignmentsAPIClient is the client method ListAccountAssignments.
type ListAccountAssignmentsAPIClient interface {
	ListAccountAssignments(ctx context.Context, params *ssoadmin.ListAccountAssignmentsInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error)
}

// CreateAccountAssignmentAPIClient is the client method CreateAccountAssignment.
type CreateAccountAssignmentAPIClient interface {
	CreateAccountAssignment(ctx context.Context, params *ssoadmin.CreateAccountAssignmentInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.CreateAccountAssignmentOutput, error)
}

// DescribeAccountAssignmentCreationStatusAPIClient is the client method DescribeAccountAssignmentCreationStatus.
type DescribeAccountAssignmentCreationStatusAPIClient interface {
	DescribeAccountAssignmentCreationStatus(ctx context.Context, params *ssoadmin.DescribeAccountAssignmentCreationStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentCreationStatusOutput, error)
}

// DeleteAccountAssignmentAPIClient is the client method DeleteAccountAssignment.
type DeleteAccountAssignmentAPIClient interface {
	DeleteAccountAssignment(ctx context.Context, params *ssoadmin.DeleteAccountAssignmentInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeleteAccountAssignmentOutput, error)
}

// DescribeAccountAssignmentDeletionStatusAPIClient is the client method DescribeAccountAssignmentDeletionStatus.
type DescribeAccountAssignmentDeletionStatusAPIClient interface {
	DescribeAccountAssignmentDeletionStatus(ctx context.Context, params *ssoadmin.DescribeAccountAssignmentDeletionStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentDeletionStatusOutput, error)
}

var (
	_ ListInstancesAPIClient                                         = (*ssoadmin.Client)(nil)
	_ ListPermissionSetsAPIClient                                    = (*ssoadmin.Client)(nil)
	_ DescribePermissionSetAPIClient                                 = (*ssoadmin.Client)(nil)
	_ CreatePermissionSetAPIClient                                   = (*ssoadmin.Client)(nil)
	_ UpdatePermissionSetAPIClient                                   = (*ssoadmin.Client)(nil)
	_ ListManagedPoliciesInPermissionSetAPIClient                    = (*ssoadmin.Client)(nil)
	_ AttachManagedPolicyToPermissionSetAPIClient                    = (*ssoadmin.Client)(nil)
	_ DetachManagedPolicyFromPermissionSetAPIClient                  = (*ssoadmin.Client)(nil)
	_ ListCustomerManagedPolicyReferencesInPermissionSetAPIClient    = (*ssoadmin.Client)(nil)
	_ AttachCustomerManagedPolicyReferenceToPermissionSetAPIClient   = (*ssoadmin.Client)(nil)
	_ DetachCustomerManagedPolicyReferenceFromPermissionSetAPIClient = (*ssoadmin.Client)(nil)
	_ GetInlinePolicyForPermissionSetAPIClient                       = (*ssoadmin.Client)(nil)
	_ PutInlinePolicyToPermissionSetAPIClient                        = (*ssoadmin.Client)(nil)
	_ DeleteInlinePolicyFromPermissionSetAPIClient                   = (*ssoadmin.Client)(nil)
	_ GetPermissionsBoundaryForPermissionSetAPIClient                = (*ssoadmin.Client)(nil)
	_ PutPermissionsBoundaryToPermissionSetAPIClient                 = (*ssoadmin.Client)(nil)
	_ DeletePermissionsBoundaryFromPermissionSetAPIClient            = (*ssoadmin.Client)(nil)
	_ ListTagsForResourceAPIClient                                   = (*ssoadmin.Client)(nil)
	_ TagResourceAPIClient                                           = (*ssoadmin.Client)(nil)
	_ ListAccountsForProvisionedPermissionSetAPIClient               = (*ssoadmin.Client)(nil)
	_ ProvisionPermissionSetAPIClient                                = (*ssoadmin.Client)(nil)
	_ DescribePermissionSetProvisioningStatusAPIClient               = (*ssoadmin.Client)(nil)
	_ ListAccountAssignmentsAPIClient                                = (*ssoadmin.Client)(nil)
	_ ListAccountAssignmentsForPrincipalAPIClient                    = (*ssoadmin.Client)(nil)
	_ CreateAccountAssignmentAPIClient                               = (*ssoadmin.Client)(nil)
	_ DescribeAccountAssignmentCreationStatusAPIClient               = (*ssoadmin.Client)(nil)
	_ DeleteAccountAssignmentAPIClient                               = (*ssoadmin.Client)(nil)
	_ DescribeAccountAssignmentDeletionStatusAPIClient               = (*ssoadmin.Client)(nil)
)

// Identity Store.

// GetUserIdAPIClient is the client method GetUserId.
type GetUserIdAPIClient interface {
	GetUserId(ctx context.Context, params *identitystore.GetUserIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetUserIdOutput, error)
}

// DescribeUserAPIClient is the client method DescribeUser.
type DescribeUserAPIClient interface {
	DescribeUser(ctx context.Context, params *identitystore.DescribeUserInput, optFns ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
}

// CreateUserAPIClient is the client method CreateUser.
type CreateUserAPIClient interface {
	CreateUser(ctx context.Context, params *identitystore.CreateUserInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateUserOutput, error)
}

// UpdateUserAPIClient is the client method UpdateUser.
type UpdateUserAPIClient interface {
	UpdateUser(ctx context.Context, params *identitystore.UpdateUserInput, optFns ...func(*identitystore.Options)) (*identitystore.UpdateUserOutput, error)
}

// GetGroupIdAPIClient is the client method GetGroupId.
type GetGroupIdAPIClient interface {
	GetGroupId(ctx context.Context, params *identitystore.GetGroupIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetGroupIdOutput, error)
}

// DescribeGroupAPIClient is the client method DescribeGroup.
type DescribeGroupAPIClient interface {
	DescribeGroup(ctx context.Context, params *identitystore.DescribeGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.DescribeGroupOutput, error)
}

// CreateGroupAPIClient is the client method CreateGroup.
type CreateGroupAPIClient interface {
	CreateGroup(ctx context.Context, params *identitystore.CreateGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateGroupOutput, error)
}

// UpdateGroupAPIClient is the client method UpdateGroup.
type UpdateGroupAPIClient interface {
	UpdateGroup(ctx context.Context, params *identitystore.UpdateGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.UpdateGroupOutput, error)
}

// GetGroupMembershipIdAPIClient is the client method GetGroupMembershipId.
type GetGroupMembershipIdAPIClient interface {
	GetGroupMembershipId(ctx context.Context, params *identitystore.GetGroupMembershipIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
}

// CreateGroupMembershipAPIClient is the client method CreateGroupMembership.
type CreateGroupMembershipAPIClient interface {
	CreateGroupMembership(ctx context.Context, params *identitystore.CreateGroupMembershipInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateGroupMembershipOutput, error)
}

var (
	_ GetUserIdAPIClient             = (*identitystore.Client)(nil)
	_ DescribeUserAPIClient          = (*identitystore.Client)(nil)
	_ CreateUserAPIClient            = (*identitystore.Client)(nil)
	_ UpdateUserAPIClient            = (*identitystore.Client)(nil)
	_ GetGroupIdAPIClient            = (*identitystore.Client)(nil)
	_ DescribeGroupAPIClient         = (*identitystore.Client)(nil)
	_ CreateGroupAPIClient           = (*identitystore.Client)(nil)
	_ UpdateGroupAPIClient           = (*identitystore.Client)(nil)
	_ GetGroupMembershipIdAPIClient  = (*identitystore.Client)(nil)
	_ CreateGroupMembershipAPIClient = (*identitystore.Client)(nil)
)
