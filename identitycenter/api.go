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
	ListInstances(ctx context.Context, params *ssoadmin.ListInstancesInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error)

	ListPermissionSets(ctx context.Context, params *ssoadmin.ListPermissionSetsInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsOutput, error)
	DescribePermissionSet(ctx context.Context, params *ssoadmin.DescribePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	CreatePermissionSet(ctx context.Context, params *ssoadmin.CreatePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.CreatePermissionSetOutput, error)
	UpdatePermissionSet(ctx context.Context, params *ssoadmin.UpdatePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.UpdatePermissionSetOutput, error)

	ListManagedPoliciesInPermissionSet(ctx context.Context, params *ssoadmin.ListManagedPoliciesInPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
	AttachManagedPolicyToPermissionSet(ctx context.Context, params *ssoadmin.AttachManagedPolicyToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error)
	DetachManagedPolicyFromPermissionSet(ctx context.Context, params *ssoadmin.DetachManagedPolicyFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
	ListCustomerManagedPolicyReferencesInPermissionSet(ctx context.Context, params *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error)
	AttachCustomerManagedPolicyReferenceToPermissionSet(ctx context.Context, params *ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetOutput, error)
	DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx context.Context, params *ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(ctx context.Context, params *ssoadmin.GetInlinePolicyForPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	PutInlinePolicyToPermissionSet(ctx context.Context, params *ssoadmin.PutInlinePolicyToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
	DeleteInlinePolicyFromPermissionSet(ctx context.Context, params *ssoadmin.DeleteInlinePolicyFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
	GetPermissionsBoundaryForPermissionSet(ctx context.Context, params *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error)
	PutPermissionsBoundaryToPermissionSet(ctx context.Context, params *ssoadmin.PutPermissionsBoundaryToPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.PutPermissionsBoundaryToPermissionSetOutput, error)
	DeletePermissionsBoundaryFromPermissionSet(ctx context.Context, params *ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionsBoundaryFromPermissionSetOutput, error)
	ListTagsForResource(ctx context.Context, params *ssoadmin.ListTagsForResourceInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, params *ssoadmin.TagResourceInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.TagResourceOutput, error)

	ListAccountsForProvisionedPermissionSet(ctx context.Context, params *ssoadmin.ListAccountsForProvisionedPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
	ProvisionPermissionSet(ctx context.Context, params *ssoadmin.ProvisionPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ProvisionPermissionSetOutput, error)
	DescribePermissionSetProvisioningStatus(ctx context.Context, params *ssoadmin.DescribePermissionSetProvisioningStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetProvisioningStatusOutput, error)

	ListAccountAssignments(ctx context.Context, params *ssoadmin.ListAccountAssignmentsInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error)
	CreateAccountAssignment(ctx context.Context, params *ssoadmin.CreateAccountAssignmentInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.CreateAccountAssignmentOutput, error)
	DescribeAccountAssignmentCreationStatus(ctx context.Context, params *ssoadmin.DescribeAccountAssignmentCreationStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentCreationStatusOutput, error)
	DeleteAccountAssignment(ctx context.Context, params *ssoadmin.DeleteAccountAssignmentInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DeleteAccountAssignmentOutput, error)
	DescribeAccountAssignmentDeletionStatus(ctx context.Context, params *ssoadmin.DescribeAccountAssignmentDeletionStatusInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentDeletionStatusOutput, error)
}

// IdentityStoreAPI is the part of the Identity Store client this package
// calls, with the SDK's exact signatures. *identitystore.Client (of
// github.com/aws/aws-sdk-go-v2/service/identitystore) satisfies it.
type IdentityStoreAPI interface {
	GetUserId(ctx context.Context, params *identitystore.GetUserIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetUserIdOutput, error)
	DescribeUser(ctx context.Context, params *identitystore.DescribeUserInput, optFns ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
	CreateUser(ctx context.Context, params *identitystore.CreateUserInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateUserOutput, error)
	UpdateUser(ctx context.Context, params *identitystore.UpdateUserInput, optFns ...func(*identitystore.Options)) (*identitystore.UpdateUserOutput, error)

	GetGroupId(ctx context.Context, params *identitystore.GetGroupIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetGroupIdOutput, error)
	DescribeGroup(ctx context.Context, params *identitystore.DescribeGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.DescribeGroupOutput, error)
	CreateGroup(ctx context.Context, params *identitystore.CreateGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateGroupOutput, error)
	UpdateGroup(ctx context.Context, params *identitystore.UpdateGroupInput, optFns ...func(*identitystore.Options)) (*identitystore.UpdateGroupOutput, error)

	GetGroupMembershipId(ctx context.Context, params *identitystore.GetGroupMembershipIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
	CreateGroupMembership(ctx context.Context, params *identitystore.CreateGroupMembershipInput, optFns ...func(*identitystore.Options)) (*identitystore.CreateGroupMembershipOutput, error)
}

var (
	_ SSOAdminAPI      = (*ssoadmin.Client)(nil)
	_ IdentityStoreAPI = (*identitystore.Client)(nil)
)

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
}
