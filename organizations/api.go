package organizations

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/internal/awsretry"
)

// Each exported function takes the interface of exactly the Organizations
// calls it makes (and those of the functions it calls), composed from the
// one-method interfaces below, in the manner of aws-sdk-go-v2's
// per-operation client interfaces (organizations.ListRootsAPIClient). All
// are declared with the SDK's exact signatures, so *organizations.Client (of
// github.com/aws/aws-sdk-go-v2/service/organizations) satisfies every one of
// them, and a test fake for one function needs only that function's calls.
// The client must act as the organization's management account.

// EnsureOrganizationAPI is the part of the Organizations client
// EnsureOrganization calls.
type EnsureOrganizationAPI interface {
	DescribeOrganizationAPIClient
	CreateOrganizationAPIClient
	ListRootsAPIClient
	EnablePolicyTypeAPIClient
}

// EnsureOUAPI is the part of the Organizations client EnsureOU calls: the
// root, the OUs of each parent on the path, their creation and their tags.
type EnsureOUAPI interface {
	ListRootsAPIClient
	ListOrganizationalUnitsForParentAPIClient
	CreateOrganizationalUnitAPIClient
	ListTagsForResourceAPIClient
	TagResourceAPIClient
	UntagResourceAPIClient
}

// EnsureTreeAPI is the part of the Organizations client EnsureTree calls:
// EnsureOU's calls, and for the accounts their listing, creation (and its
// status), placement and tags.
type EnsureTreeAPI interface {
	EnsureOUAPI
	ListAccountsAPIClient
	ListAccountsForParentAPIClient
	ListCreateAccountStatusAPIClient
	CreateAccountAPIClient
	DescribeCreateAccountStatusAPIClient
	DescribeAccountAPIClient
	ListParentsAPIClient
	DescribeOrganizationalUnitAPIClient
	MoveAccountAPIClient
}

// EnsureAccountAPI is the part of the Organizations client EnsureAccount
// calls: EnsureTree's, which it calls.
type EnsureAccountAPI = EnsureTreeAPI

// EnsureAccountsAPI is the part of the Organizations client EnsureAccounts
// calls: EnsureTree's, which it calls.
type EnsureAccountsAPI = EnsureTreeAPI

// CloseAccountAPI is the part of the Organizations client CloseAccount
// calls: the account's lookup, EnsureOU's calls for the suspended OU, the
// move into it, its tags and the closure.
type CloseAccountAPI interface {
	EnsureOUAPI
	DescribeOrganizationAPIClient
	DescribeAccountAPIClient
	ListAccountsAPIClient
	ListParentsAPIClient
	DescribeOrganizationalUnitAPIClient
	MoveAccountAPIClient
	CloseAccountAPIClient
}

// ReadTreeAPI is the part of the Organizations client ReadTree calls: the
// organization, its root, the OUs and accounts of each parent, and the
// policies of each enabled type with their targets.
type ReadTreeAPI interface {
	DescribeOrganizationAPIClient
	ListRootsAPIClient
	ListOrganizationalUnitsForParentAPIClient
	ListAccountsForParentAPIClient
	ListPoliciesAPIClient
	ListTargetsForPolicyAPIClient
}

// API is every Organizations call this package makes: what a program that
// uses all of its functions passes. It is the union of the per-function
// interfaces above.
type API interface {
	EnsureOrganizationAPI
	EnsureTreeAPI
	CloseAccountAPI
	ReadTreeAPI
}

var (
	_ API                   = (*organizations.Client)(nil)
	_ EnsureOrganizationAPI = (*organizations.Client)(nil)
	_ EnsureOUAPI           = (*organizations.Client)(nil)
	_ EnsureTreeAPI         = (*organizations.Client)(nil)
	_ CloseAccountAPI       = (*organizations.Client)(nil)
	_ ReadTreeAPI           = (*organizations.Client)(nil)
)

// The per-operation interfaces, one method each.

// DescribeOrganizationAPIClient is the client method DescribeOrganization.
type DescribeOrganizationAPIClient interface {
	DescribeOrganization(ctx context.Context, params *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
}

// CreateOrganizationAPIClient is the client method CreateOrganization.
type CreateOrganizationAPIClient interface {
	CreateOrganization(ctx context.Context, params *organizations.CreateOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.CreateOrganizationOutput, error)
}

// ListRootsAPIClient is the client method ListRoots.
type ListRootsAPIClient interface {
	ListRoots(ctx context.Context, params *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
}

// EnablePolicyTypeAPIClient is the client method EnablePolicyType.
type EnablePolicyTypeAPIClient interface {
	EnablePolicyType(ctx context.Context, params *organizations.EnablePolicyTypeInput, optFns ...func(*organizations.Options)) (*organizations.EnablePolicyTypeOutput, error)
}

// ListOrganizationalUnitsForParentAPIClient is the client method ListOrganizationalUnitsForParent.
type ListOrganizationalUnitsForParentAPIClient interface {
	ListOrganizationalUnitsForParent(ctx context.Context, params *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
}

// DescribeOrganizationalUnitAPIClient is the client method DescribeOrganizationalUnit.
type DescribeOrganizationalUnitAPIClient interface {
	DescribeOrganizationalUnit(ctx context.Context, params *organizations.DescribeOrganizationalUnitInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
}

// CreateOrganizationalUnitAPIClient is the client method CreateOrganizationalUnit.
type CreateOrganizationalUnitAPIClient interface {
	CreateOrganizationalUnit(ctx context.Context, params *organizations.CreateOrganizationalUnitInput, optFns ...func(*organizations.Options)) (*organizations.CreateOrganizationalUnitOutput, error)
}

// ListTagsForResourceAPIClient is the client method ListTagsForResource.
type ListTagsForResourceAPIClient interface {
	ListTagsForResource(ctx context.Context, params *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
}

// TagResourceAPIClient is the client method TagResource.
type TagResourceAPIClient interface {
	TagResource(ctx context.Context, params *organizations.TagResourceInput, optFns ...func(*organizations.Options)) (*organizations.TagResourceOutput, error)
}

// UntagResourceAPIClient is the client method UntagResource.
type UntagResourceAPIClient interface {
	UntagResource(ctx context.Context, params *organizations.UntagResourceInput, optFns ...func(*organizations.Options)) (*organizations.UntagResourceOutput, error)
}

// ListAccountsAPIClient is the client method ListAccounts.
type ListAccountsAPIClient interface {
	ListAccounts(ctx context.Context, params *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

// ListAccountsForParentAPIClient is the client method ListAccountsForParent.
type ListAccountsForParentAPIClient interface {
	ListAccountsForParent(ctx context.Context, params *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
}

// ListParentsAPIClient is the client method ListParents.
type ListParentsAPIClient interface {
	ListParents(ctx context.Context, params *organizations.ListParentsInput, optFns ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
}

// DescribeAccountAPIClient is the client method DescribeAccount.
type DescribeAccountAPIClient interface {
	DescribeAccount(ctx context.Context, params *organizations.DescribeAccountInput, optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
}

// CreateAccountAPIClient is the client method CreateAccount.
type CreateAccountAPIClient interface {
	CreateAccount(ctx context.Context, params *organizations.CreateAccountInput, optFns ...func(*organizations.Options)) (*organizations.CreateAccountOutput, error)
}

// DescribeCreateAccountStatusAPIClient is the client method DescribeCreateAccountStatus.
type DescribeCreateAccountStatusAPIClient interface {
	DescribeCreateAccountStatus(ctx context.Context, params *organizations.DescribeCreateAccountStatusInput, optFns ...func(*organizations.Options)) (*organizations.DescribeCreateAccountStatusOutput, error)
}

// ListCreateAccountStatusAPIClient is the client method ListCreateAccountStatus.
type ListCreateAccountStatusAPIClient interface {
	ListCreateAccountStatus(ctx context.Context, params *organizations.ListCreateAccountStatusInput, optFns ...func(*organizations.Options)) (*organizations.ListCreateAccountStatusOutput, error)
}

// MoveAccountAPIClient is the client method MoveAccount.
type MoveAccountAPIClient interface {
	MoveAccount(ctx context.Context, params *organizations.MoveAccountInput, optFns ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error)
}

// CloseAccountAPIClient is the client method CloseAccount.
type CloseAccountAPIClient interface {
	CloseAccount(ctx context.Context, params *organizations.CloseAccountInput, optFns ...func(*organizations.Options)) (*organizations.CloseAccountOutput, error)
}

// ListPoliciesAPIClient is the client method ListPolicies.
type ListPoliciesAPIClient interface {
	ListPolicies(ctx context.Context, params *organizations.ListPoliciesInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
}

// ListTargetsForPolicyAPIClient is the client method ListTargetsForPolicy.
type ListTargetsForPolicyAPIClient interface {
	ListTargetsForPolicy(ctx context.Context, params *organizations.ListTargetsForPolicyInput, optFns ...func(*organizations.Options)) (*organizations.ListTargetsForPolicyOutput, error)
}

// ListPoliciesForTargetAPIClient is the client method ListPoliciesForTarget.
type ListPoliciesForTargetAPIClient interface {
	ListPoliciesForTarget(ctx context.Context, params *organizations.ListPoliciesForTargetInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
}

var (
	_ DescribeOrganizationAPIClient             = (*organizations.Client)(nil)
	_ CreateOrganizationAPIClient               = (*organizations.Client)(nil)
	_ ListRootsAPIClient                        = (*organizations.Client)(nil)
	_ EnablePolicyTypeAPIClient                 = (*organizations.Client)(nil)
	_ ListOrganizationalUnitsForParentAPIClient = (*organizations.Client)(nil)
	_ DescribeOrganizationalUnitAPIClient       = (*organizations.Client)(nil)
	_ CreateOrganizationalUnitAPIClient         = (*organizations.Client)(nil)
	_ ListTagsForResourceAPIClient              = (*organizations.Client)(nil)
	_ TagResourceAPIClient                      = (*organizations.Client)(nil)
	_ UntagResourceAPIClient                    = (*organizations.Client)(nil)
	_ ListAccountsAPIClient                     = (*organizations.Client)(nil)
	_ ListAccountsForParentAPIClient            = (*organizations.Client)(nil)
	_ ListParentsAPIClient                      = (*organizations.Client)(nil)
	_ DescribeAccountAPIClient                  = (*organizations.Client)(nil)
	_ CreateAccountAPIClient                    = (*organizations.Client)(nil)
	_ DescribeCreateAccountStatusAPIClient      = (*organizations.Client)(nil)
	_ ListCreateAccountStatusAPIClient          = (*organizations.Client)(nil)
	_ MoveAccountAPIClient                      = (*organizations.Client)(nil)
	_ CloseAccountAPIClient                     = (*organizations.Client)(nil)
	_ ListPoliciesForTargetAPIClient            = (*organizations.Client)(nil)
	_ ListPoliciesAPIClient                     = (*organizations.Client)(nil)
	_ ListTargetsForPolicyAPIClient             = (*organizations.Client)(nil)
)

// client is an API made of the per-operation interfaces its caller's
// value implements. The exported functions take the interface of exactly
// the calls they make; the run they share holds this wider view, whose
// other methods (nil) the function never reaches.
type client struct {
	DescribeOrganizationAPIClient
	CreateOrganizationAPIClient
	ListRootsAPIClient
	EnablePolicyTypeAPIClient
	ListOrganizationalUnitsForParentAPIClient
	DescribeOrganizationalUnitAPIClient
	CreateOrganizationalUnitAPIClient
	ListTagsForResourceAPIClient
	TagResourceAPIClient
	UntagResourceAPIClient
	ListAccountsAPIClient
	ListAccountsForParentAPIClient
	ListParentsAPIClient
	DescribeAccountAPIClient
	CreateAccountAPIClient
	DescribeCreateAccountStatusAPIClient
	ListCreateAccountStatusAPIClient
	MoveAccountAPIClient
	CloseAccountAPIClient
	ListPoliciesForTargetAPIClient
	ListPoliciesAPIClient
	ListTargetsForPolicyAPIClient
}

// widen returns api as an API: itself when it has every method (an
// *organizations.Client), else a client of the methods it has.
func widen(api any) API {
	if full, ok := api.(API); ok {
		return full
	}
	var c client
	c.DescribeOrganizationAPIClient, _ = api.(DescribeOrganizationAPIClient)
	c.CreateOrganizationAPIClient, _ = api.(CreateOrganizationAPIClient)
	c.ListRootsAPIClient, _ = api.(ListRootsAPIClient)
	c.EnablePolicyTypeAPIClient, _ = api.(EnablePolicyTypeAPIClient)
	c.ListOrganizationalUnitsForParentAPIClient, _ = api.(ListOrganizationalUnitsForParentAPIClient)
	c.DescribeOrganizationalUnitAPIClient, _ = api.(DescribeOrganizationalUnitAPIClient)
	c.CreateOrganizationalUnitAPIClient, _ = api.(CreateOrganizationalUnitAPIClient)
	c.ListTagsForResourceAPIClient, _ = api.(ListTagsForResourceAPIClient)
	c.TagResourceAPIClient, _ = api.(TagResourceAPIClient)
	c.UntagResourceAPIClient, _ = api.(UntagResourceAPIClient)
	c.ListAccountsAPIClient, _ = api.(ListAccountsAPIClient)
	c.ListAccountsForParentAPIClient, _ = api.(ListAccountsForParentAPIClient)
	c.ListParentsAPIClient, _ = api.(ListParentsAPIClient)
	c.DescribeAccountAPIClient, _ = api.(DescribeAccountAPIClient)
	c.CreateAccountAPIClient, _ = api.(CreateAccountAPIClient)
	c.DescribeCreateAccountStatusAPIClient, _ = api.(DescribeCreateAccountStatusAPIClient)
	c.ListCreateAccountStatusAPIClient, _ = api.(ListCreateAccountStatusAPIClient)
	c.MoveAccountAPIClient, _ = api.(MoveAccountAPIClient)
	c.CloseAccountAPIClient, _ = api.(CloseAccountAPIClient)
	c.ListPoliciesForTargetAPIClient, _ = api.(ListPoliciesForTargetAPIClient)
	c.ListPoliciesAPIClient, _ = api.(ListPoliciesAPIClient)
	c.ListTargetsForPolicyAPIClient, _ = api.(ListTargetsForPolicyAPIClient)
	return c
}

// retryCME makes the client's retryer also retry
// ConcurrentModificationException, which AWS asks Organizations callers to
// retry and the SDK does not. It is passed on every call, reads and writes;
// the retries stay bounded by the client's retryer.
func retryCME(o *organizations.Options) {
	o.Retryer = awsretry.Add(o.Retryer, awsretry.Organizations...)
}

// creating is the option of CreateAccount and CreateOrganizationalUnit,
// which have no client token: the SDK retries only throttling and
// ConcurrentModificationException, which prove the request was not
// applied; a lost answer is resolved by awsretry.Create, which looks for
// what the earlier attempt made first.
func creating(o *organizations.Options) {
	o.Retryer = awsretry.Creating(o.Retryer, awsretry.Organizations...)
}

// retryIAM adds the codes AWS asks IAM callers to retry
// (ConcurrentModification, internal/awsretry) to an IAM call's retryer:
// EnsureAccountAlias passes it on every call (EnsureCrossAccountRole's
// calls get it from internal/iamrole).
func retryIAM(o *iam.Options) { o.Retryer = awsretry.Add(o.Retryer, awsretry.IAM...) }
