package oidcfed

import (
	"context"
	"errors"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/iamrole"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Role is the role EnsureCIRole converged.
type Role struct {
	// ARN of the role. In dry run, for a role that does not exist yet, it is
	// predicted from the provider ARN's partition and account (a
	// plan.Predict placeholder when the provider ARN is predicted too).
	ARN  string
	Name string
	Path string
	// TrustPolicy is the trust policy the role has after the run.
	TrustPolicy *foundation.PolicyDocument
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the role was already converged.
	Changes foundation.Changes
}

// EnsureGitHubRole is EnsureCIRole for GitHub Actions: spec.Issuer defaults
// to GitHub() and must be GitHub's, spec.Audiences default to
// sts.amazonaws.com, and the subjects are GitHub subjects (GitHubBranch,
// GitHubTag, GitHubEnvironment, GitHubPullRequest, GitHubReusableWorkflow).
func EnsureGitHubRole(ctx context.Context, api RoleAPI, spec RoleSpec, opts ...foundation.Option) (*Role, error) {
	if spec.Issuer.Kind == "" && spec.Issuer.URL == "" {
		spec.Issuer = GitHub()
	}
	switch spec.Issuer.Kind {
	case KindGitLab, KindBitbucket, KindCircleCI, KindTerraform, KindBuildkite:
		return nil, invalid("spec.Issuer", string(spec.Issuer.Kind), "EnsureGitHubRole needs the GitHub issuer; use EnsureCIRole for other CI systems")
	}
	// Other issuers, unknown ones included, are refused by the validation.
	return EnsureCIRole(ctx, api, spec, opts...)
}

// EnsureCIRole converges a role that a CI system's jobs assume with
// AssumeRoleWithWebIdentity: created when missing (with its trust policy,
// description, maximum session duration, permissions boundary and tags),
// otherwise each setting is read and written only when it differs:
//
//   - the trust policy (TrustPolicy(spec)) is compared by meaning with the
//     URL-encoded document GetRole returns, and put back with
//     UpdateAssumeRolePolicy when someone changed it;
//   - the permissions boundary (when spec.PermissionsBoundary is set, or
//     removed with spec.RemovePermissionsBoundary);
//   - managed policies: detached when not listed (unless
//     KeepUnlistedManagedPolicies), attached when missing;
//   - inline policies: deleted when not listed (only with
//     PruneInlinePolicies), put when missing or different in meaning;
//   - description and maximum session duration (UpdateRole);
//   - tags: spec.Tags are put; other tags are kept.
//
// Restrictions are applied before grants: the trust policy first, then the
// boundary, then removals, then additions. (organizations.EnsureCrossAccountRole
// converges its roles with the same engine.)
//
// The spec is validated first, dangerous trust included (see Lint and
// RoleSpec.Validate): an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made.
func EnsureCIRole(ctx context.Context, api RoleAPI, spec RoleSpec, opts ...foundation.Option) (*Role, error) {
	s := spec.withDefaults()
	o := call.Resolve(opts...)
	rec := plan.New(o)
	// Validation reads the mode: a dry run accepts the ProviderARN
	// EnsureProvider predicted for a provider it would create (the role is
	// planned with it), a real run refuses it.
	errs := s.faults(rec.Planning())
	if api == nil {
		errs = append(errs, invalid("api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	doc := s.trustPolicy()
	// Defence in depth: what is written must have no critical finding
	// (warnings, such as an allowed name wildcard, were judged above).
	if err := FindingsError(Lint(doc), SeverityCritical); err != nil {
		return nil, invalid("spec", "", err.Error())
	}
	got, err := iamrole.Ensure(ctx, api, s.role(doc), o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	return &Role{ARN: got.ARN, Name: s.Name, Path: got.Path, TrustPolicy: doc, Changes: got.Changes}, nil
}

// role is the spec (defaults applied) as the role engine takes it.
func (s RoleSpec) role(trust *foundation.PolicyDocument) iamrole.Spec {
	return iamrole.Spec{
		Package:                     pkg,
		PredictedARN:                s.predictedARN(),
		Name:                        s.Name,
		Path:                        s.Path,
		Description:                 s.Description,
		Trust:                       trust,
		MaxSessionDuration:          s.MaxSessionDuration,
		InlinePolicies:              s.InlinePolicies,
		PruneInlinePolicies:         s.PruneInlinePolicies,
		ManagedPolicyARNs:           s.ManagedPolicyARNs,
		KeepUnlistedManagedPolicies: s.KeepUnlistedManagedPolicies,
		PermissionsBoundary:         s.PermissionsBoundary,
		RemovePermissionsBoundary:   s.RemovePermissionsBoundary,
		Tags:                        s.Tags,
		Adopt:                       s.Adopt,
		AdoptField:                  "spec.Adopt",
	}
}

// predictedARN is the role's ARN built from the provider ARN's partition
// and account, for dry runs; a placeholder (plan.Predict) when the provider
// ARN is itself predicted.
func (s RoleSpec) predictedARN() string {
	if plan.IsPredicted(s.ProviderARN) {
		return plan.Predict("iam role", s.Name)
	}
	m := providerARNRe.FindStringSubmatch(s.ProviderARN)
	if m == nil {
		return ""
	}
	return "arn:" + m[1] + ":iam::" + m[2] + ":role" + s.Path + s.Name
}
