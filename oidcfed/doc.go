// Package oidcfed sets up keyless CI federation: the IAM OIDC identity
// provider of a CI system and the roles its jobs assume with
// sts:AssumeRoleWithWebIdentity, with trust policies that are strict by
// construction and checked before any call.
//
// An Issuer describes a CI system: its issuer URL, the audiences of its
// tokens, and the format of its subject claim. The presets are GitHub
// (GitHub Actions), GitLab (gitlab.com or a self-managed host), Bitbucket
// (Bitbucket Pipelines, one workspace), CircleCI (one organization),
// HCPTerraform / TerraformEnterprise and Buildkite. Typed builders write
// each issuer's subjects in its documented format (see the presets' docs):
//
//	GitHubBranch("octo-org/app", "main")        repo:octo-org/app:ref:refs/heads/main
//	GitHubEnvironment("octo-org/app", "prod")   repo:octo-org/app:environment:prod
//	GitHubReusableWorkflow("octo-org/ci", "deploy.yml", "refs/heads/main")
//	                                            job_workflow_ref = octo-org/ci/.github/workflows/deploy.yml@refs/heads/main
//	GitLabBranch("group/app", "main")           project_path:group/app:ref_type:branch:ref:main
//	TerraformWorkspace("acme", "Default Project", "prod", RunPhaseApply)
//	                                            organization:acme:project:Default Project:workspace:prod:run_phase:apply
//	CircleCIProject(orgID, projectID)           org/ORG_ID/project/PROJECT_ID/user/*
//	BuildkiteBranch("acme", "deploy", "main")   organization:acme:pipeline:deploy:ref:refs/heads/main:commit:*:step:*
//	BitbucketRepository(repoUUID)               {REPO_UUID}:*
//
// EnsureProvider converges the provider (URL, client IDs, optional
// thumbprints, tags); EnsureCIRole converges a role (trust policy, inline
// and managed policies, permissions boundary, settings, tags), and
// EnsureGitHubRole is EnsureCIRole for GitHub. TrustPolicy renders the
// trust policy a spec produces.
//
// # Trust rules
//
// A generated trust policy allows only sts:AssumeRoleWithWebIdentity, to
// the Federated principal of the issuer's provider, pins the audience with
// StringEquals on ISSUER:aud, and matches subjects with StringEquals unless
// a subject asks for a wildcard (Subject.Wildcard), which is then matched
// with StringLike. Specs are refused before any call when they would trust
// more than they say: no sub subject; a subject that matches every
// repository ("repo:*"); a wildcard in an owner ("repo:*/app",
// "repo:org*"), a GitLab group, a Terraform, Buildkite or CircleCI
// organization, or a Bitbucket repository; a wildcard in a repository
// (project, workspace, pipeline) name unless the subject sets
// AllowNameWildcard; a wildcard without Wildcard; a missing or wildcard
// audience; an empty branch, tag or environment name; a subject not in the
// issuer's format; an unknown provider; extra conditions that use the
// issuer's iss key (meaningless: STS checks it) or ForAllValues on a
// single-valued key.
//
// # GitHub's immutable subjects
//
// Repositories created, renamed or transferred on github.com since GitHub's
// 2026 cutover (and older ones that opt in) get tokens whose sub names the
// owner and the repository with their immutable IDs:
// repo:OWNER@OWNER_ID/REPO@REPOSITORY_ID:ref:refs/heads/main (see
// GitHubRepository for the sources and what could not be confirmed). A
// role trusting only repo:OWNER/REPO:... is not assumable by such a
// repository's CI. RoleSpec.Repository names the repository with the IDs
// the caller resolved (the package never calls GitHub) and
// RoleSpec.SubjectFormat chooses what the role trusts: the immutable form
// (the default when the IDs are known), the mutable one, or both during a
// cutover (SubjectMigration). LintRepositories flags roles that trust only
// the mutable form of a repository whose IDs are known. RoleSpec.Claims
// adds conditions on the provider claims AWS STS checks since 2026-01
// (repository_id, environment, workflow, ...; GitHubClaims).
//
// Lint applies the same rules to any trust policy, such as one read from
// an account, and reports findings with a severity (plus a Federated
// principal that is not an OIDC provider, Principal "*" or NotPrincipal on
// sts:AssumeRoleWithWebIdentity, a missing aud condition, and StringLike
// without a wildcard as information); FindingsError turns them into an
// error.
//
// # Idempotency
//
// Both Ensure functions read, compare and write only the difference: run
// again on converged state they make no mutating call and report no
// changes. Documents are compared by meaning (foundation.PolicyDocument
// Equal on the URL-decoded document IAM returns), so AWS's formatting is
// not drift. Drift is repaired: a trust policy edited by hand (widened to
// "repo:*", say) is put back with UpdateAssumeRolePolicy; an inline policy
// edited is put back; a managed policy attached by hand is detached; a
// client ID added by hand is removed; a changed tag, description, maximum
// session duration or boundary is set back.
//
// What each function owns, and so converges exactly:
//
//   - provider: its client IDs (exactly spec.ClientIDs: others are removed);
//     its thumbprints only when spec.Thumbprints is set (AWS chooses and
//     ignores them for the well-known issuers); the keys of spec.Tags;
//   - role: its trust policy, description, maximum session duration; its
//     managed policies (exactly spec.ManagedPolicyARNs, unless
//     KeepUnlistedManagedPolicies makes it additive); its inline policies
//     by name (additive: others are deleted only with PruneInlinePolicies);
//     its boundary when PermissionsBoundary is set (removed only with
//     RemovePermissionsBoundary); the keys of spec.Tags.
//
// Ownership: a provider or role these functions create carries
// managed-by=foundation (foundation.ManagedByTagKey) from the create call
// itself (CreateOpenIDConnectProvider, CreateRole Tags), so a lost answer,
// a retry or a crash never leaves one untagged. A provider (found by URL)
// or role (found by name) without that tag, or tagged managed-by=<other>,
// was made by someone else: a CI role of the name made by someone else is
// a takeover path, so it is refused (see Errors) before any write, unless
// the spec sets Adopt (ProviderSpec.Adopt, RoleSpec.Adopt). Adopted, it is
// converged as the spec says, but never tagged managed-by=foundation, its
// owner's tags are kept, and nothing the spec does not name is removed
// from it: a provider's unlisted client IDs stay, a role's unlisted
// managed policies are not detached and its unlisted inline policies are
// not deleted (even with PruneInlinePolicies). Those three prunes, and
// removing the role's boundary (only with RemovePermissionsBoundary, which
// names it), act on the library's own resources only. Tags never lose a
// key. spec.Tags may not set managed-by to another value.
//
// Creates that race another run (EntityAlreadyExists) re-read and converge.
// A run that failed midway is finished by running it again. With
// foundation.WithDryRun(true) only read calls are made and the result lists
// every change that would be made (for a role that does not exist, its
// creation and every policy put and attachment). A provider the dry run
// would create gets a predicted ARN: computed
// (arn:aws:iam::ACCOUNT:oidc-provider/HOST) when the account's other
// providers name the account, otherwise a placeholder
// ("(known after apply: oidc provider URL)"). A role spec given that
// placeholder as ProviderARN is planned with it in the same dry run, so
// `ProviderARN: provider.ARN` plans on a fresh account; a real run refuses
// the placeholder as an invalid spec.ProviderARN.
//
// # Errors
//
// An invalid spec returns, before any call, an error matching
// foundation.ErrInvalidSpec that lists every fault, each a
// *foundation.SpecError naming the field and the rule:
//
//	oidcfed: spec.Subjects[0]: "repo:*": matches every repository
//	oidcfed: spec.Subjects[1]: "repo:org*:ref:refs/heads/main": has a wildcard in the repository owner "org*": matches repositories of other owners
//	oidcfed: spec.Audiences[0]: "*": audience must not be a wildcard: the audience is pinned exactly
//
// A provider or role found without managed-by=foundation (or tagged
// managed-by=terraform, say) and not adopted is a
// *foundation.NotManagedError (errors.Is foundation.ErrNotManaged and
// foundation.ErrConflict) naming its kind, its name and the field that
// adopts it, returned before any write, in a dry run too:
//
//	oidcfed: iam:role "eks-prod-github-ci" exists but was not made by this library (no managed-by=foundation tag): set spec.Adopt to converge it as it is without taking it over, or tag it managed-by=foundation to hand it to the library
//
// A role that exists at another path is a *RoleConflictError (the same
// type as organizations.RoleConflictError; it matches
// foundation.ErrConflict). A *LintError (from FindingsError) unwraps to
// ErrDangerousTrust.
//
// A run that fails after some writes returns an error carrying a
// *foundation.IncompleteError (errors.As) that lists the changes made
// before the failure; its message is the failure's.
//
// AWS errors are returned wrapped once with the resource and the step, and
// keep the SDK's error chain (errors.As with the types of
// github.com/aws/aws-sdk-go-v2/service/iam/types or smithy.APIError):
//
//	oidcfed: role "eks-prod-github-ci": put inline policy "github-ci-policy": operation error IAM: PutRolePolicy, ... AccessDenied
//
// Throttling is retried by the SDK. IAM's ConcurrentModification ("multiple
// requests to change this object were submitted simultaneously"), which AWS
// asks callers to retry and the SDK does not, is added to the retryer of
// every IAM call (internal/awsretry), bounded by the client's retryer.
//
// A write AWS applied whose answer was lost: CreateOpenIDConnectProvider
// and CreateRole have no client token, so the SDK does not resend them on
// a 5xx or a broken connection; the provider (by its URL) or the role (by
// its name) the earlier attempt made is looked for (only one carrying
// managed-by=foundation can be it), taken and reported as this run's change, or created again (internal/awsretry Create). A
// provider or role another run created first (EntityAlreadyExists) is read
// back and converged. The other writes set a state and are retried by the
// SDK.
//
// One IAM error is retried here, next to
// the calls that need it: CreateRole and UpdateAssumeRolePolicy failing
// with MalformedPolicyDocumentException, which IAM returns ("Invalid
// principal in policy") while an OIDC provider created moments earlier has
// not propagated. The trust policy was validated before the call, so the
// write is retried with the options' poll backoff
// (foundation.WithPollInterval; 2s doubling by default) for at most
// foundation.WithPropagationTimeout (2 minutes by default) before the
// error is returned.
//
// # Permissions
//
// EnsureProvider:
//
//	iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider,
//	iam:CreateOpenIDConnectProvider, iam:AddClientIDToOpenIDConnectProvider,
//	iam:RemoveClientIDFromOpenIDConnectProvider,
//	iam:UpdateOpenIDConnectProviderThumbprint (only with Thumbprints),
//	iam:ListOpenIDConnectProviderTags, iam:TagOpenIDConnectProvider (only with Tags)
//
// EnsureCIRole, EnsureGitHubRole (on the role's ARN):
//
//	iam:GetRole, iam:CreateRole, iam:UpdateAssumeRolePolicy, iam:UpdateRole,
//	iam:ListRolePolicies, iam:GetRolePolicy, iam:PutRolePolicy,
//	iam:DeleteRolePolicy (only with PruneInlinePolicies),
//	iam:ListAttachedRolePolicies, iam:AttachRolePolicy, iam:DetachRolePolicy,
//	iam:PutRolePermissionsBoundary, iam:DeleteRolePermissionsBoundary,
//	iam:ListRoleTags, iam:TagRole
//
// CreateRole with tags also needs iam:TagRole; a permissions boundary
// needs iam:PutRolePermissionsBoundary at creation too. The CI jobs need
// no AWS permission: STS checks the token against the trust policy.
package oidcfed
