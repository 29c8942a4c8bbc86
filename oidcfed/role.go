package oidcfed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
)

// Role is the role EnsureCIRole converged.
type Role struct {
	// ARN of the role. In dry run, for a role that does not exist yet, it is
	// predicted from the provider ARN's partition and account.
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
// boundary, then removals, then additions.
//
// The spec is validated first, dangerous trust included (see Lint and
// RoleSpec.Validate): an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made.
func EnsureCIRole(ctx context.Context, api RoleAPI, spec RoleSpec, opts ...foundation.Option) (*Role, error) {
	s := spec.withDefaults()
	errs := s.faults()
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
	o := foundation.ApplyOptions(opts...)
	r := &roleRun{api: api, spec: s, trust: doc, o: o, log: o.Logger.With(slog.String("role", s.Name))}
	role, err := r.ensure(ctx)
	if err != nil {
		return nil, err
	}
	role.Changes = r.changes
	return role, nil
}

type roleRun struct {
	api     RoleAPI
	spec    RoleSpec
	trust   *foundation.PolicyDocument
	o       foundation.Options
	log     *slog.Logger
	changes foundation.Changes
}

func (r *roleRun) errorf(step string, err error) error {
	return fmt.Errorf("oidcfed: role %q: %s: %w", r.spec.Name, step, err)
}

func (r *roleRun) record(c foundation.Change) {
	r.changes = append(r.changes, c)
	r.log.Debug("change", slog.String("change", c.String()), slog.Bool("dryRun", r.o.DryRun))
}

func (r *roleRun) ensure(ctx context.Context) (*Role, error) {
	out, err := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.spec.Name)})
	switch {
	case isNoSuchEntity(err):
		return r.create(ctx)
	case err != nil:
		return nil, r.errorf("get", err)
	}
	return r.converge(ctx, out)
}

// predictedARN is the role's ARN built from the provider ARN's partition
// and account, for dry runs.
func (r *roleRun) predictedARN() string {
	m := providerARNRe.FindStringSubmatch(r.spec.ProviderARN)
	return "arn:" + m[1] + ":iam::" + m[2] + ":role" + r.spec.Path + r.spec.Name
}

func (r *roleRun) create(ctx context.Context) (*Role, error) {
	role := &Role{ARN: r.predictedARN(), Name: r.spec.Name, Path: r.spec.Path, TrustPolicy: r.trust}
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRole, ID: r.spec.Name}
	if !r.o.DryRun {
		in := &iam.CreateRoleInput{
			RoleName:                 aws.String(r.spec.Name),
			Path:                     aws.String(r.spec.Path),
			AssumeRolePolicyDocument: aws.String(r.trust.MustJSON()),
			MaxSessionDuration:       aws.Int32(int32(r.spec.MaxSessionDuration / time.Second)),
			Tags:                     iamTags(r.spec.Tags),
		}
		if r.spec.Description != "" {
			in.Description = aws.String(r.spec.Description)
		}
		if r.spec.PermissionsBoundary != "" {
			in.PermissionsBoundary = aws.String(r.spec.PermissionsBoundary)
		}
		var out *iam.CreateRoleOutput
		err := retryPropagation(ctx, r.o, func() (err error) {
			out, err = r.api.CreateRole(ctx, in)
			return err
		})
		if isAlreadyExists(err) {
			// Created by another run between our read and our create.
			r.log.Debug("create raced; converging the existing role")
			got, gerr := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.spec.Name)})
			if gerr != nil {
				return nil, r.errorf("get", gerr)
			}
			return r.converge(ctx, got)
		}
		if err != nil {
			return nil, r.errorf("create", err)
		}
		if out.Role != nil {
			role.ARN = aws.ToString(out.Role.Arn)
		}
	}
	r.record(c)
	// A new role has no policies: attach and put everything.
	if err := r.managed(ctx, nil); err != nil {
		return nil, err
	}
	if err := r.inline(ctx, nil, true); err != nil {
		return nil, err
	}
	return role, nil
}

func (r *roleRun) converge(ctx context.Context, out *iam.GetRoleOutput) (*Role, error) {
	cur := out.Role
	if cur == nil {
		return nil, r.errorf("get", errors.New("GetRole returned no role"))
	}
	role := &Role{ARN: aws.ToString(cur.Arn), Name: r.spec.Name, Path: aws.ToString(cur.Path), TrustPolicy: r.trust}
	if role.Path != r.spec.Path {
		return nil, &RoleConflictError{Role: r.spec.Name,
			Reason: fmt.Sprintf("exists with path %q, not %q; IAM cannot move a role: delete it or change spec.Path", role.Path, r.spec.Path)}
	}

	// 1. Trust policy.
	raw := aws.ToString(cur.AssumeRolePolicyDocument)
	have, perr := foundation.ParsePolicy(raw)
	if perr != nil || !have.Equal(r.trust) {
		from := raw
		if perr == nil {
			from = have.MustJSON()
		}
		if !r.o.DryRun {
			err := retryPropagation(ctx, r.o, func() error {
				_, err := r.api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
					RoleName: aws.String(r.spec.Name), PolicyDocument: aws.String(r.trust.MustJSON())})
				return err
			})
			if err != nil {
				return nil, r.errorf("update trust policy", err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleTrustPolicy, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "AssumeRolePolicyDocument", From: from, To: r.trust.MustJSON()}}})
	}

	// 2. Permissions boundary set or changed (a restriction).
	curBoundary := ""
	if cur.PermissionsBoundary != nil {
		curBoundary = aws.ToString(cur.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if want := r.spec.PermissionsBoundary; want != "" && want != curBoundary {
		if !r.o.DryRun {
			if _, err := r.api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
				RoleName: aws.String(r.spec.Name), PermissionsBoundary: aws.String(want)}); err != nil {
				return nil, r.errorf("put permissions boundary", err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRolePermissionsBoundary, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: curBoundary, To: want}}})
	}

	// 3. Policies: removals, then additions.
	attached, err := r.attached(ctx)
	if err != nil {
		return nil, r.errorf("list attached policies", err)
	}
	inlineNames, err := r.inlineNames(ctx)
	if err != nil {
		return nil, r.errorf("list inline policies", err)
	}
	if err := r.detachUnlisted(ctx, attached); err != nil {
		return nil, err
	}
	if err := r.deleteUnlisted(ctx, inlineNames); err != nil {
		return nil, err
	}
	if err := r.inline(ctx, inlineNames, false); err != nil {
		return nil, err
	}
	if err := r.managed(ctx, attached); err != nil {
		return nil, err
	}

	// 4. Settings.
	curDesc := aws.ToString(cur.Description)
	curMax := time.Duration(aws.ToInt32(cur.MaxSessionDuration)) * time.Second
	if curMax == 0 {
		curMax = DefaultMaxSessionDuration
	}
	if curDesc != r.spec.Description || curMax != r.spec.MaxSessionDuration {
		var diffs []foundation.Diff
		if curDesc != r.spec.Description {
			diffs = append(diffs, foundation.Diff{Field: "Description", From: curDesc, To: r.spec.Description})
		}
		if curMax != r.spec.MaxSessionDuration {
			diffs = append(diffs, foundation.Diff{Field: "MaxSessionDuration", From: curMax.String(), To: r.spec.MaxSessionDuration.String()})
		}
		if !r.o.DryRun {
			if _, err := r.api.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(r.spec.Name),
				Description:        aws.String(r.spec.Description),
				MaxSessionDuration: aws.Int32(int32(r.spec.MaxSessionDuration / time.Second))}); err != nil {
				return nil, r.errorf("update settings", err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleSettings, ID: r.spec.Name, Diffs: diffs})
	}

	// 5. Tags.
	if len(r.spec.Tags) > 0 {
		have, err := r.tags(ctx)
		if err != nil {
			return nil, r.errorf("list tags", err)
		}
		if put, diffs := tagDiff(have, r.spec.Tags); len(put) > 0 {
			if !r.o.DryRun {
				if _, err := r.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(r.spec.Name), Tags: put}); err != nil {
					return nil, r.errorf("tag", err)
				}
			}
			r.record(foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleTags, ID: r.spec.Name, Diffs: diffs})
		}
	}

	// 6. Permissions boundary removed (a grant: last).
	if r.spec.RemovePermissionsBoundary && curBoundary != "" {
		if !r.o.DryRun {
			if _, err := r.api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(r.spec.Name)}); err != nil && !isNoSuchEntity(err) {
				return nil, r.errorf("delete permissions boundary", err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRolePermissionsBoundary, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: curBoundary}}})
	}
	return role, nil
}

func (r *roleRun) policyID(name string) string { return r.spec.Name + "/" + name }

// detachUnlisted detaches managed policies the spec does not list, unless
// the spec keeps them.
func (r *roleRun) detachUnlisted(ctx context.Context, attached []string) error {
	if r.spec.KeepUnlistedManagedPolicies {
		return nil
	}
	for _, arn := range attached {
		if slices.Contains(r.spec.ManagedPolicyARNs, arn) {
			continue
		}
		if !r.o.DryRun {
			_, err := r.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyArn: aws.String(arn)})
			if err != nil && !isNoSuchEntity(err) {
				return r.errorf(fmt.Sprintf("detach %q", arn), err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRoleManagedPolicy, ID: r.policyID(arn)})
	}
	return nil
}

// managed attaches the listed managed policies that are not attached.
func (r *roleRun) managed(ctx context.Context, attached []string) error {
	for _, arn := range r.spec.ManagedPolicyARNs {
		if slices.Contains(attached, arn) {
			continue
		}
		if !r.o.DryRun {
			if _, err := r.api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyArn: aws.String(arn)}); err != nil {
				return r.errorf(fmt.Sprintf("attach %q", arn), err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRoleManagedPolicy, ID: r.policyID(arn)})
	}
	return nil
}

// deleteUnlisted deletes inline policies the spec does not list, when the
// spec prunes them.
func (r *roleRun) deleteUnlisted(ctx context.Context, names []string) error {
	if !r.spec.PruneInlinePolicies {
		return nil
	}
	for _, name := range names {
		if _, ok := r.spec.InlinePolicies[name]; ok {
			continue
		}
		if !r.o.DryRun {
			_, err := r.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyName: aws.String(name)})
			if err != nil && !isNoSuchEntity(err) {
				return r.errorf(fmt.Sprintf("delete inline policy %q", name), err)
			}
		}
		r.record(foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRoleInlinePolicy, ID: r.policyID(name)})
	}
	return nil
}

// inline puts the listed inline policies that are missing or differ. names
// are the role's current inline policies; fresh says the role was just
// created (nothing to read).
func (r *roleRun) inline(ctx context.Context, names []string, fresh bool) error {
	for _, name := range sortedKeys(r.spec.InlinePolicies) {
		want := r.spec.InlinePolicies[name]
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRoleInlinePolicy, ID: r.policyID(name)}
		if !fresh && slices.Contains(names, name) {
			out, err := r.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyName: aws.String(name)})
			if err != nil && !isNoSuchEntity(err) {
				return r.errorf(fmt.Sprintf("get inline policy %q", name), err)
			}
			if err == nil {
				raw := aws.ToString(out.PolicyDocument)
				have, perr := foundation.ParsePolicy(raw)
				if perr == nil && have.Equal(want) {
					continue
				}
				from := raw
				if perr == nil {
					from = have.MustJSON()
				}
				c = foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleInlinePolicy, ID: r.policyID(name),
					Diffs: []foundation.Diff{{Field: "PolicyDocument", From: from, To: want.MustJSON()}}}
			}
		}
		if !r.o.DryRun {
			if _, err := r.api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.spec.Name),
				PolicyName: aws.String(name), PolicyDocument: aws.String(want.MustJSON())}); err != nil {
				return r.errorf(fmt.Sprintf("put inline policy %q", name), err)
			}
		}
		r.record(c)
	}
	return nil
}

func (r *roleRun) attached(ctx context.Context) ([]string, error) {
	var out []string
	pg := iam.NewListAttachedRolePoliciesPaginator(r.api, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(r.spec.Name)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range page.AttachedPolicies {
			out = append(out, aws.ToString(p.PolicyArn))
		}
	}
	return out, nil
}

func (r *roleRun) inlineNames(ctx context.Context) ([]string, error) {
	var out []string
	pg := iam.NewListRolePoliciesPaginator(r.api, &iam.ListRolePoliciesInput{RoleName: aws.String(r.spec.Name)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

func (r *roleRun) tags(ctx context.Context) (map[string]string, error) {
	tags := map[string]string{}
	pg := iam.NewListRoleTagsPaginator(r.api, &iam.ListRoleTagsInput{RoleName: aws.String(r.spec.Name)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}
