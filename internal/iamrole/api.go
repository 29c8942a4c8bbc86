// Package iamrole converges one IAM role from a resolved spec: its trust
// policy, description, maximum session duration, permissions boundary,
// inline and managed policies and tags. It is the engine behind
// oidcfed.EnsureCIRole (roles CI jobs assume with web identity) and
// organizations.EnsureCrossAccountRole (roles other accounts assume): each
// of those validates its own spec, builds the trust policy, and hands the
// role here.
//
// Ensure reads, compares and writes only the difference, restrictions
// before grants (the trust policy first, then the boundary, then removals,
// then additions, a boundary removal last). Documents are compared by
// meaning (foundation.PolicyDocument.Equal). With dry run it only reads.
// Every IAM call it makes retries ConcurrentModification (internal/awsretry).
// A CreateRole AWS applied whose answer was lost is not resent by the SDK:
// the role is looked for by its name (GetRole) and adopted as this run's
// (internal/awsretry Create); role names are unique, so no second role is
// possible either way. A role another run created first
// (EntityAlreadyExists) is read and converged, not reported as made.
// Ownership (issue 16): CreateRole tags the role managed-by=foundation in
// the call; an existing role without that tag is a
// *foundation.NotManagedError before any write unless Spec.Adopt, and an
// adopted role is never tagged nor pruned (unlisted managed policies stay
// attached, unlisted inline policies stay).
// Errors are wrapped once as "<package>: role <name>: <step>: <AWS error>",
// the package being the caller's, so messages read as if the caller made
// the calls.
package iamrole

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation/internal/awsretry"
)

// API is the part of the IAM client Ensure calls, with the SDK's exact
// signatures. *iam.Client satisfies it, and so do oidcfed.RoleAPI and
// organizations.CrossAccountRoleAPI, which declare the same methods.
type API interface {
	GetRole(ctx context.Context, params *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, params *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, params *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	UpdateRole(ctx context.Context, params *iam.UpdateRoleInput, optFns ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	PutRolePermissionsBoundary(ctx context.Context, params *iam.PutRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error)
	DeleteRolePermissionsBoundary(ctx context.Context, params *iam.DeleteRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error)

	ListRolePolicies(ctx context.Context, params *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(ctx context.Context, params *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, params *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, params *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)

	ListAttachedRolePolicies(ctx context.Context, params *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	AttachRolePolicy(ctx context.Context, params *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, params *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)

	ListRoleTags(ctx context.Context, params *iam.ListRoleTagsInput, optFns ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error)
	TagRole(ctx context.Context, params *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
}

var (
	_ API = (*iam.Client)(nil)
	_ API = retrying{}
)

// retryIAM adds the codes AWS asks IAM callers to retry
// (ConcurrentModification, internal/awsretry) to the call's retryer.
func retryIAM(o *iam.Options) { o.Retryer = awsretry.Add(o.Retryer, awsretry.IAM...) }

// creating is the option of CreateRole: the SDK does not resend a create
// whose answer may have been lost (awsretry.Creating); Ensure looks for
// the role first.
func creating(o *iam.Options) { o.Retryer = awsretry.Creating(o.Retryer) }

// retrying is api with retryIAM on every call, so that no call of Ensure
// (reads, writes, the paginators' pages) can forget it.
type retrying struct{ api API }

func with(opts []func(*iam.Options)) []func(*iam.Options) {
	return append(append([]func(*iam.Options){}, opts...), retryIAM)
}

func (r retrying) GetRole(ctx context.Context, in *iam.GetRoleInput, opts ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	return r.api.GetRole(ctx, in, with(opts)...)
}

func (r retrying) CreateRole(ctx context.Context, in *iam.CreateRoleInput, opts ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return r.api.CreateRole(ctx, in, with(opts)...)
}

func (r retrying) UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, opts ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	return r.api.UpdateAssumeRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, opts ...func(*iam.Options)) (*iam.UpdateRoleOutput, error) {
	return r.api.UpdateRole(ctx, in, with(opts)...)
}

func (r retrying) PutRolePermissionsBoundary(ctx context.Context, in *iam.PutRolePermissionsBoundaryInput, opts ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error) {
	return r.api.PutRolePermissionsBoundary(ctx, in, with(opts)...)
}

func (r retrying) DeleteRolePermissionsBoundary(ctx context.Context, in *iam.DeleteRolePermissionsBoundaryInput, opts ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error) {
	return r.api.DeleteRolePermissionsBoundary(ctx, in, with(opts)...)
}

func (r retrying) ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	return r.api.ListRolePolicies(ctx, in, with(opts)...)
}

func (r retrying) GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, opts ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	return r.api.GetRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, opts ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return r.api.PutRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, opts ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	return r.api.DeleteRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error) {
	return r.api.ListAttachedRolePolicies(ctx, in, with(opts)...)
}

func (r retrying) AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, opts ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	return r.api.AttachRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, opts ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error) {
	return r.api.DetachRolePolicy(ctx, in, with(opts)...)
}

func (r retrying) ListRoleTags(ctx context.Context, in *iam.ListRoleTagsInput, opts ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error) {
	return r.api.ListRoleTags(ctx, in, with(opts)...)
}

func (r retrying) TagRole(ctx context.Context, in *iam.TagRoleInput, opts ...func(*iam.Options)) (*iam.TagRoleOutput, error) {
	return r.api.TagRole(ctx, in, with(opts)...)
}
