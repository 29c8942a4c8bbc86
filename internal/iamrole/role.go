package iamrole

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Role is what Ensure converged.
type Role struct {
	// ARN of the role; Spec.PredictedARN in dry run for a role that does
	// not exist yet.
	ARN string
	// Path is the role's path.
	Path string
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the role was already converged.
	Changes foundation.Changes
}

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. It is the
// one role conflict error of the library: oidcfed.RoleConflictError and
// organizations.RoleConflictError are aliases of it, so errors.As with
// either name matches it. It matches foundation.ErrConflict.
type RoleConflictError struct {
	// Package is the package whose function found the conflict
	// ("oidcfed", "organizations"); it starts the message.
	Package string
	// Role is the role's name.
	Role string
	// Have is the existing role's path, Want the spec's.
	Have string
	Want string
}

// Is reports that the error is a foundation.ErrConflict.
func (e *RoleConflictError) Is(target error) bool { return target == foundation.ErrConflict }

// Reason explains the conflict and what to do.
func (e *RoleConflictError) Reason() string {
	return fmt.Sprintf("exists with path %q, not %q; IAM cannot move a role: delete it or change spec.Path", e.Have, e.Want)
}

func (e *RoleConflictError) Error() string {
	return fmt.Sprintf("%s: role %q: %s", e.Package, e.Role, e.Reason())
}

// Ensure converges the role of a spec whose defaults are applied and that
// the caller validated (Faults, and its own trust rules): created when
// missing (trust policy, description, maximum session duration, boundary,
// tags, then policies), otherwise each setting is read and written only
// when it differs:
//
//   - the trust policy, compared by meaning with the URL-encoded document
//     GetRole returns, put back with UpdateAssumeRolePolicy;
//   - the permissions boundary (when s.PermissionsBoundary is set, or
//     removed with s.RemovePermissionsBoundary);
//   - managed policies: detached when not listed (unless
//     KeepUnlistedManagedPolicies), attached when missing;
//   - inline policies: deleted when not listed (only with
//     PruneInlinePolicies), put when missing or different in meaning;
//   - description and maximum session duration (UpdateRole);
//   - tags: s.Tags are put; other tags are kept.
//
// Restrictions are applied before grants: the trust policy first, then the
// boundary, then removals, then additions, a boundary removal last.
//
// CreateRole and UpdateAssumeRolePolicy are retried on
// MalformedPolicyDocumentException (awsretry.Wait, bounded by the options'
// PropagationTimeout): the trust policy was validated, so IAM refusing it
// means a principal it names was created moments ago and has not
// propagated.
//
// Ownership: CreateRole tags the role managed-by=foundation
// (foundation.ManagedByTagKey) in the call itself. An existing role is
// read with its tags first: without that tag it is someone else's, and
// Ensure returns a *foundation.NotManagedError before any write (in dry
// run too) unless s.Adopt; an adopted role is converged as the spec says
// but never given the ownership tag, and nothing unlisted is removed from
// it (managed policies, inline policies).
//
// Every write goes through a Child of rec, the caller's Recorder: the
// role's changes are the result's Changes and are also recorded in rec,
// so a caller's partial result (rec.Fail) includes them. A role of the
// name at another path is a *RoleConflictError. Other errors are returned
// as is; the caller wraps them with rec.Fail.
func Ensure(ctx context.Context, api API, s Spec, o call.Options, rec *plan.Recorder) (*Role, error) {
	r := &run{api: retrying{api}, spec: s, o: o, rec: rec.Child(), log: o.Logger.With(slog.String("role", s.Name))}
	role, err := r.ensure(ctx)
	if err != nil {
		return nil, err
	}
	role.Changes = r.rec.Changes()
	return role, nil
}

type run struct {
	api  API
	spec Spec
	o    call.Options
	rec  *plan.Recorder
	log  *slog.Logger
	// adopted is true for an existing role without the ownership tag that
	// the spec adopts: nothing unlisted is removed from it.
	adopted bool
}

func (r *run) adoptField() string {
	if r.spec.AdoptField != "" {
		return r.spec.AdoptField
	}
	return "spec.Adopt"
}

func (r *run) errorf(step string, err error) error {
	return fmt.Errorf("%s: role %q: %s: %w", r.spec.Package, r.spec.Name, step, err)
}

// propagating writes a trust policy, retried while IAM refuses a principal
// it names that has not propagated yet.
func (r *run) propagating(ctx context.Context, write func(context.Context) error) error {
	return awsretry.Wait(ctx, r.o, isMalformedPolicy, write)
}

func (r *run) ensure(ctx context.Context) (*Role, error) {
	out, err := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.spec.Name)})
	switch {
	case IsNoSuchEntity(err):
		return r.create(ctx)
	case err != nil:
		return nil, r.errorf("get", err)
	}
	return r.converge(ctx, out)
}

func (r *run) create(ctx context.Context) (*Role, error) {
	role := &Role{ARN: r.spec.PredictedARN, Path: r.spec.Path}
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRole, ID: r.spec.Name}
	var raced bool
	err := r.rec.Write(ctx, c, func(ctx context.Context) error {
		in := &iam.CreateRoleInput{
			RoleName:                 aws.String(r.spec.Name),
			Path:                     aws.String(r.spec.Path),
			AssumeRolePolicyDocument: aws.String(r.spec.Trust.MustJSON()),
			MaxSessionDuration:       aws.Int32(int32(r.spec.MaxSessionDuration / time.Second)),
			// The ownership tag goes on with the create itself: a lost
			// answer, a retry or a crash never leaves an untagged role.
			Tags: Tags(foundation.WithManagedBy(r.spec.Tags)),
		}
		if r.spec.Description != "" {
			in.Description = aws.String(r.spec.Description)
		}
		if r.spec.PermissionsBoundary != "" {
			in.PermissionsBoundary = aws.String(r.spec.PermissionsBoundary)
		}
		var out *iam.CreateRoleOutput
		err := r.propagating(ctx, func(ctx context.Context) (err error) {
			// A lost answer is not resent by the SDK: the role the earlier
			// attempt made is found by its name (awsretry.Create), and the
			// change is this run's.
			out, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*iam.CreateRoleOutput, bool, error) {
				got, err := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.spec.Name)})
				switch {
				case IsNoSuchEntity(err):
					return nil, false, nil
				case err != nil:
					return nil, false, err
				}
				// Only a role with the ownership tag can be the earlier
				// attempt's; another is someone else's, which the create
				// then finds (EntityAlreadyExists) and the owner check
				// refuses.
				if tags, err := r.tags(ctx); err != nil || !foundation.Managed(tags) {
					return nil, false, err
				}
				return &iam.CreateRoleOutput{Role: got.Role}, true, nil
			}, func(ctx context.Context) (*iam.CreateRoleOutput, error) {
				return r.api.CreateRole(ctx, in, creating)
			})
			return err
		})
		if IsAlreadyExists(err) {
			// Created by another run between our read and our create:
			// not this run's change; converge the existing role below.
			raced = true
			return plan.ErrUnchanged
		}
		if err != nil {
			return r.errorf("create", err)
		}
		if out.Role != nil {
			role.ARN = aws.ToString(out.Role.Arn)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if raced {
		r.log.Debug("create raced; converging the existing role")
		got, gerr := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.spec.Name)})
		if gerr != nil {
			return nil, r.errorf("get", gerr)
		}
		return r.converge(ctx, got)
	}
	// A new role has no policies: attach and put everything.
	if err := r.managed(ctx, nil); err != nil {
		return nil, err
	}
	if err := r.inline(ctx, nil, true); err != nil {
		return nil, err
	}
	return role, nil
}

func (r *run) converge(ctx context.Context, out *iam.GetRoleOutput) (*Role, error) {
	cur := out.Role
	if cur == nil {
		return nil, r.errorf("get", errors.New("GetRole returned no role"))
	}
	role := &Role{ARN: aws.ToString(cur.Arn), Path: aws.ToString(cur.Path)}
	// 0. Ownership, before any write: a role without managed-by=foundation
	// is someone else's, converged only when the spec adopts it.
	haveTags, err := r.tags(ctx)
	if err != nil {
		return nil, r.errorf("list tags", err)
	}
	if err := foundation.CheckOwner(ResourceRole, r.spec.Name, haveTags, r.spec.Adopt, r.adoptField()); err != nil {
		return nil, fmt.Errorf("%s: %w", r.spec.Package, err)
	}
	r.adopted = !foundation.Managed(haveTags)
	if role.Path != r.spec.Path {
		return nil, &RoleConflictError{Package: r.spec.Package, Role: r.spec.Name, Have: role.Path, Want: r.spec.Path}
	}

	// 1. Trust policy.
	raw := aws.ToString(cur.AssumeRolePolicyDocument)
	have, perr := foundation.ParsePolicy(raw)
	if perr != nil || !have.Equal(r.spec.Trust) {
		from := raw
		if perr == nil {
			from = have.MustJSON()
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleTrustPolicy, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "AssumeRolePolicyDocument", From: from, To: r.spec.Trust.MustJSON()}}}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			err := r.propagating(ctx, func(ctx context.Context) error {
				_, err := r.api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
					RoleName: aws.String(r.spec.Name), PolicyDocument: aws.String(r.spec.Trust.MustJSON())})
				return err
			})
			if err != nil {
				return r.errorf("update trust policy", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}

	// 2. Permissions boundary set or changed (a restriction).
	curBoundary := ""
	if cur.PermissionsBoundary != nil {
		curBoundary = aws.ToString(cur.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if want := r.spec.PermissionsBoundary; want != "" && want != curBoundary {
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRolePermissionsBoundary, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: curBoundary, To: want}}}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
				RoleName: aws.String(r.spec.Name), PermissionsBoundary: aws.String(want)}); err != nil {
				return r.errorf("put permissions boundary", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
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
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleSettings, ID: r.spec.Name, Diffs: diffs}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(r.spec.Name),
				Description:        aws.String(r.spec.Description),
				MaxSessionDuration: aws.Int32(int32(r.spec.MaxSessionDuration / time.Second))}); err != nil {
				return r.errorf("update settings", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}

	// 5. Tags: the spec's are put, others kept. An adopted role is never
	// given the ownership tag.
	want := awsrules.WantedTags(r.spec.Tags, r.adopted)
	if len(want) > 0 {
		if put, diffs := TagDiff(haveTags, want); len(put) > 0 {
			c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceRoleTags, ID: r.spec.Name, Diffs: diffs}
			if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
				if _, err := r.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(r.spec.Name), Tags: put}); err != nil {
					return r.errorf("tag", err)
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
	}

	// 6. Permissions boundary removed (a grant: last).
	if r.spec.RemovePermissionsBoundary && curBoundary != "" {
		c := foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRolePermissionsBoundary, ID: r.spec.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: curBoundary}}}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(r.spec.Name)}); err != nil && !IsNoSuchEntity(err) {
				return r.errorf("delete permissions boundary", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return role, nil
}

func (r *run) policyID(name string) string { return r.spec.Name + "/" + name }

// detachUnlisted detaches managed policies the spec does not list, unless
// the spec keeps them or the role is adopted (someone else's: what the spec
// does not name is left as it is).
func (r *run) detachUnlisted(ctx context.Context, attached []string) error {
	if r.spec.KeepUnlistedManagedPolicies || r.adopted {
		return nil
	}
	for _, arn := range attached {
		if slices.Contains(r.spec.ManagedPolicyARNs, arn) {
			continue
		}
		c := foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRoleManagedPolicy, ID: r.policyID(arn)}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := r.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyArn: aws.String(arn)})
			if err != nil && !IsNoSuchEntity(err) {
				return r.errorf(fmt.Sprintf("detach %q", arn), err)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// managed attaches the listed managed policies that are not attached.
func (r *run) managed(ctx context.Context, attached []string) error {
	for _, arn := range r.spec.ManagedPolicyARNs {
		if slices.Contains(attached, arn) {
			continue
		}
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRoleManagedPolicy, ID: r.policyID(arn)}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyArn: aws.String(arn)}); err != nil {
				return r.errorf(fmt.Sprintf("attach %q", arn), err)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// deleteUnlisted deletes inline policies the spec does not list, when the
// spec prunes them and the role is the library's (never an adopted one's).
func (r *run) deleteUnlisted(ctx context.Context, names []string) error {
	if !r.spec.PruneInlinePolicies || r.adopted {
		return nil
	}
	for _, name := range names {
		if _, ok := r.spec.InlinePolicies[name]; ok {
			continue
		}
		c := foundation.Change{Action: foundation.ActionDelete, Resource: ResourceRoleInlinePolicy, ID: r.policyID(name)}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := r.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyName: aws.String(name)})
			if err != nil && !IsNoSuchEntity(err) {
				return r.errorf(fmt.Sprintf("delete inline policy %q", name), err)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// inline puts the listed inline policies that are missing or differ. names
// are the role's current inline policies; fresh says the role was just
// created (nothing to read).
func (r *run) inline(ctx context.Context, names []string, fresh bool) error {
	for _, name := range SortedKeys(r.spec.InlinePolicies) {
		want := r.spec.InlinePolicies[name]
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceRoleInlinePolicy, ID: r.policyID(name)}
		if !fresh && slices.Contains(names, name) {
			out, err := r.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(r.spec.Name), PolicyName: aws.String(name)})
			if err != nil && !IsNoSuchEntity(err) {
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
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.spec.Name),
				PolicyName: aws.String(name), PolicyDocument: aws.String(want.MustJSON())}); err != nil {
				return r.errorf(fmt.Sprintf("put inline policy %q", name), err)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) attached(ctx context.Context) ([]string, error) {
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

func (r *run) inlineNames(ctx context.Context) ([]string, error) {
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

func (r *run) tags(ctx context.Context) (map[string]string, error) {
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

// isMalformedPolicy reports IAM's refusal of a policy document. The trust
// policies written here were validated before any call, so IAM refusing
// one is its eventual consistency: a principal (an OIDC provider, a role in
// another account) that was just created is "invalid" until it has
// propagated; awsretry.Wait retries it.
func isMalformedPolicy(err error) bool {
	var mpd *types.MalformedPolicyDocumentException
	return errors.As(err, &mpd)
}
