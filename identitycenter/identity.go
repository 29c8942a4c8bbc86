package identitycenter

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/plan"
)

// User is what EnsureUser converged.
type User struct {
	// ID is the user's identity store ID; in dry run, for a user that
	// would be created, a placeholder (plan.Predict) that the same dry run's
	// groups and assignments plan with.
	ID       string
	UserName string
	Changes  foundation.Changes
}

// Group is what EnsureGroup converged.
type Group struct {
	// ID is the group's identity store ID; a placeholder (plan.Predict) in
	// dry run for a group that would be created.
	ID          string
	DisplayName string
	Changes     foundation.Changes
}

// Membership is what EnsureMembership converged.
type Membership struct {
	GroupID string
	UserID  string
	Changes foundation.Changes
}

// checkIdentityAPI reports the clients missing for an identity store call.
func checkIdentityAPI(f *faults, api API, storeID string) {
	if api.IdentityStore == nil {
		f.add("api.IdentityStore", "", "must not be nil")
	}
	if storeID == "" && api.SSOAdmin == nil {
		f.add("api.SSOAdmin", "", "must not be nil when the spec has no IdentityStoreID (it is found with ListInstances)")
	}
}

// EnsureUser converges a user of the Identity Center directory, found by
// user name: created if missing; display name, given and family name and
// primary email updated when they differ (UpdateUser). Other attributes are
// left alone. An invalid spec returns an error matching
// foundation.ErrInvalidSpec before any call. A dry run without an instance
// plans the user's creation (predicted ID) instead of returning
// ErrNotEnabled. On a failure after a write, the error carries a
// *foundation.IncompleteError listing the changes made.
func EnsureUser(ctx context.Context, api API, spec UserSpec, opts ...foundation.Option) (*User, error) {
	spec = spec.withDefaults()
	var f faults
	spec.check(&f, "spec", true)
	checkIdentityAPI(&f, api, spec.IdentityStoreID)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	if err := r.resolveInstance(ctx, "", spec.IdentityStoreID, false, true); err != nil {
		return nil, err
	}
	u := &User{UserName: spec.UserName}
	id, err := r.ensureUser(ctx, spec, r.rec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	u.ID, u.Changes = id, r.rec.Changes()
	return u, nil
}

func (r *run) ensureUser(ctx context.Context, s UserSpec, rec *plan.Recorder) (string, error) {
	id, found, err := r.userID(ctx, s.UserName)
	if err != nil {
		return "", err
	}
	if !found {
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResUser, ID: s.UserName}
		var raced error
		applied, err := rec.Do(ctx, c, func(ctx context.Context) error {
			in := &identitystore.CreateUserInput{
				IdentityStoreId: aws.String(r.storeID), UserName: aws.String(s.UserName), DisplayName: aws.String(s.DisplayName),
				Name: &istypes.Name{GivenName: aws.String(s.GivenName), FamilyName: aws.String(s.FamilyName)},
			}
			if s.Email != "" {
				in.Emails = []istypes.Email{{Value: aws.String(s.Email), Type: aws.String("work"), Primary: true}}
			}
			// A lost answer: the user the earlier attempt made is found
			// by its name (awsretry.Create), so the change is this run's.
			made, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (string, bool, error) {
				return r.userID(ctx, s.UserName)
			}, func(ctx context.Context) (string, error) {
				out, err := r.api.IdentityStore.CreateUser(ctx, in, creatingIdentity)
				if err != nil {
					return "", err
				}
				return aws.ToString(out.UserId), nil
			})
			switch {
			case err == nil:
				id = made
				return nil
			case duplicate(err):
				// Created concurrently (another run, or a create whose
				// answer was lost and retried): not this run's change;
				// converge the existing user below. A conflicting
				// modification (retried by the retryer until its attempts
				// ran out) is an error.
				raced = err
				return plan.ErrUnchanged
			default:
				return fmt.Errorf("identitycenter: user %q: create: %w", s.UserName, err)
			}
		})
		switch {
		case err != nil:
			return "", err
		case !applied:
			// Planned: the run's groups and assignments plan with the
			// predicted ID.
			id = plan.Predict("identity store user", s.UserName)
			r.setUser(s.UserName, id)
			return id, nil
		case raced == nil:
			r.setUser(s.UserName, id)
			return id, nil
		}
		if id, found, err = r.userID(ctx, s.UserName); err != nil {
			return "", err
		} else if !found {
			return "", fmt.Errorf("identitycenter: user %q: create: %w", s.UserName, raced)
		}
	}
	out, err := r.api.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(r.storeID), UserId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("identitycenter: user %q: describe: %w", s.UserName, err)
	}
	var diffs []foundation.Diff
	var ops []istypes.AttributeOperation
	set := func(field, path, have, want string, value any) {
		if have == want {
			return
		}
		diffs = append(diffs, foundation.Diff{Field: field, From: have, To: want})
		ops = append(ops, istypes.AttributeOperation{AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(value)})
	}
	set("DisplayName", "displayName", aws.ToString(out.DisplayName), s.DisplayName, s.DisplayName)
	var given, family string
	if out.Name != nil {
		given, family = aws.ToString(out.Name.GivenName), aws.ToString(out.Name.FamilyName)
	}
	set("GivenName", "name.givenName", given, s.GivenName, s.GivenName)
	set("FamilyName", "name.familyName", family, s.FamilyName, s.FamilyName)
	if s.Email != "" {
		primary, emails := primaryEmail(out.Emails), []map[string]any{{"value": s.Email, "type": "work", "primary": true}}
		for _, e := range out.Emails {
			if v := aws.ToString(e.Value); v != s.Email && v != primary {
				m := map[string]any{"value": v, "primary": false}
				if e.Type != nil {
					m["type"] = aws.ToString(e.Type)
				}
				emails = append(emails, m)
			}
		}
		set("Email", "emails", primary, s.Email, emails)
	}
	if len(ops) == 0 {
		return id, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResUser, ID: s.UserName, Diffs: diffs}
	if err := rec.Write(ctx, c, func(ctx context.Context) error {
		if _, err := r.api.IdentityStore.UpdateUser(ctx, &identitystore.UpdateUserInput{
			IdentityStoreId: aws.String(r.storeID), UserId: aws.String(id), Operations: ops,
		}, retryIdentityStore); err != nil {
			return fmt.Errorf("identitycenter: user %q: update: %w", s.UserName, err)
		}
		return nil
	}); err != nil {
		return "", err
	}
	return id, nil
}

// setUser and setGroup remember the ID of a user or group the run made
// (or, in dry run, the predicted ID of one it would make).
func (r *run) setUser(name, id string) {
	r.mu.Lock()
	r.users[name] = id
	r.mu.Unlock()
}

func (r *run) setGroup(name, id string) {
	r.mu.Lock()
	r.groups[name] = id
	r.mu.Unlock()
}

// primaryEmail returns the primary email, else the first, else "".
func primaryEmail(es []istypes.Email) string {
	for _, e := range es {
		if e.Primary {
			return aws.ToString(e.Value)
		}
	}
	if len(es) > 0 {
		return aws.ToString(es[0].Value)
	}
	return ""
}

// EnsureGroup converges a group of the Identity Center directory, found by
// display name: created if missing, its description updated when the spec
// sets one that differs, and every user of spec.Members made a member.
// Members are looked up first: a user that does not exist is an
// *UnknownPrincipalError, returned before any write. A dry run without an
// instance plans the group's creation (predicted ID) when it has no
// Members; with Members it returns the ErrNotEnabled error, as they cannot
// exist. On a failure after a write, the error carries a
// *foundation.IncompleteError listing the changes made.
func EnsureGroup(ctx context.Context, api API, spec GroupSpec, opts ...foundation.Option) (*Group, error) {
	var f faults
	spec.check(&f, "spec", true)
	checkIdentityAPI(&f, api, spec.IdentityStoreID)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	if err := r.resolveInstance(ctx, "", spec.IdentityStoreID, false, true); err != nil {
		return nil, err
	}
	if r.noInstance != nil && len(spec.Members) > 0 {
		// Dry run without an instance: the members cannot exist yet.
		return nil, r.noInstance
	}
	var unknown []Principal
	for _, m := range spec.Members {
		if _, found, err := r.userID(ctx, m); err != nil {
			return nil, err
		} else if !found {
			unknown = append(unknown, UserPrincipal(m))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("identitycenter: group %q: members: %w", spec.DisplayName, &UnknownPrincipalError{Principals: unknown})
	}
	g := &Group{DisplayName: spec.DisplayName}
	id, err := r.ensureGroup(ctx, spec, r.rec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	g.ID, g.Changes = id, r.rec.Changes()
	return g, nil
}

// ensureGroup converges the group and its members (which exist, or are
// predicted in dry run).
func (r *run) ensureGroup(ctx context.Context, s GroupSpec, rec *plan.Recorder) (string, error) {
	id, found, err := r.groupID(ctx, s.DisplayName)
	if err != nil {
		return "", err
	}
	created := false
	if !found {
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResGroup, ID: s.DisplayName}
		var raced error
		applied, err := rec.Do(ctx, c, func(ctx context.Context) error {
			in := &identitystore.CreateGroupInput{IdentityStoreId: aws.String(r.storeID), DisplayName: aws.String(s.DisplayName)}
			if s.Description != "" {
				in.Description = aws.String(s.Description)
			}
			made, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (string, bool, error) {
				return r.groupID(ctx, s.DisplayName)
			}, func(ctx context.Context) (string, error) {
				out, err := r.api.IdentityStore.CreateGroup(ctx, in, creatingIdentity)
				if err != nil {
					return "", err
				}
				return aws.ToString(out.GroupId), nil
			})
			switch {
			case err == nil:
				id = made
				return nil
			case duplicate(err):
				// Created concurrently (or by a create whose answer was
				// lost and retried): converge the existing group below.
				raced = err
				return plan.ErrUnchanged
			default:
				return fmt.Errorf("identitycenter: group %q: create: %w", s.DisplayName, err)
			}
		})
		switch {
		case err != nil:
			return "", err
		case !applied:
			id, created = plan.Predict("identity store group", s.DisplayName), true
			r.setGroup(s.DisplayName, id)
		case raced == nil:
			created = true
			r.setGroup(s.DisplayName, id)
		default:
			if id, found, err = r.groupID(ctx, s.DisplayName); err != nil {
				return "", err
			} else if !found {
				return "", fmt.Errorf("identitycenter: group %q: create: %w", s.DisplayName, raced)
			}
		}
	}
	if !created && s.Description != "" {
		out, err := r.api.IdentityStore.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(id)})
		if err != nil {
			return "", fmt.Errorf("identitycenter: group %q: describe: %w", s.DisplayName, err)
		}
		if have := aws.ToString(out.Description); have != s.Description {
			c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResGroup, ID: s.DisplayName,
				Diffs: []foundation.Diff{{Field: "Description", From: have, To: s.Description}}}
			if err := rec.Write(ctx, c, func(ctx context.Context) error {
				if _, err := r.api.IdentityStore.UpdateGroup(ctx, &identitystore.UpdateGroupInput{
					IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(id),
					Operations: []istypes.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument(s.Description)}},
				}, retryIdentityStore); err != nil {
					return fmt.Errorf("identitycenter: group %q: update: %w", s.DisplayName, err)
				}
				return nil
			}); err != nil {
				return "", err
			}
		}
	}
	for _, m := range s.Members {
		uid, _, err := r.userID(ctx, m)
		if err != nil {
			return "", err
		}
		if _, err := r.ensureMembership(ctx, s.DisplayName, id, m, uid, rec); err != nil {
			return "", err
		}
	}
	return id, nil
}

// EnsureMembership makes a user a member of a group, both found by name
// (GetGroupId, GetUserId, GetGroupMembershipId; CreateGroupMembership when
// missing). A group or user that does not exist is an
// *UnknownPrincipalError naming it. Without an instance it returns an
// error matching ErrNotEnabled, in a dry run too.
func EnsureMembership(ctx context.Context, api API, spec MembershipSpec, opts ...foundation.Option) (*Membership, error) {
	var f faults
	if err := spec.Validate(); err != nil {
		f = append(f, err)
	}
	checkIdentityAPI(&f, api, spec.IdentityStoreID)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	if err := r.resolveInstance(ctx, "", spec.IdentityStoreID, false, true); err != nil {
		return nil, err
	}
	if r.noInstance != nil {
		// Dry run without an instance: the group and user cannot exist yet.
		return nil, r.noInstance
	}
	gid, gfound, err := r.groupID(ctx, spec.GroupName)
	if err != nil {
		return nil, err
	}
	uid, ufound, err := r.userID(ctx, spec.UserName)
	if err != nil {
		return nil, err
	}
	var unknown []Principal
	if !gfound {
		unknown = append(unknown, GroupPrincipal(spec.GroupName))
	}
	if !ufound {
		unknown = append(unknown, UserPrincipal(spec.UserName))
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("identitycenter: membership %s/%s: %w", spec.GroupName, spec.UserName, &UnknownPrincipalError{Principals: unknown})
	}
	m := &Membership{GroupID: gid, UserID: uid}
	if _, err := r.ensureMembership(ctx, spec.GroupName, gid, spec.UserName, uid, r.rec); err != nil {
		return nil, r.rec.Fail(err)
	}
	m.Changes = r.rec.Changes()
	return m, nil
}

// ensureMembership converges one membership. groupID or userID is
// predicted only in dry run, for a group or user that would be created:
// the membership is then planned without reading AWS.
func (r *run) ensureMembership(ctx context.Context, group, groupID, user, userID string, rec *plan.Recorder) (string, error) {
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResMembership, ID: group + "/" + user}
	if plan.IsPredicted(groupID) || plan.IsPredicted(userID) || groupID == "" || userID == "" {
		// A real run never gets here: what it creates has an ID.
		return "", rec.Write(ctx, c, func(context.Context) error {
			return fmt.Errorf("identitycenter: membership %s: group or user has no ID (internal error)", c.ID)
		})
	}
	member := &istypes.MemberIdMemberUserId{Value: userID}
	out, err := r.api.IdentityStore.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
		IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(groupID), MemberId: member,
	})
	switch {
	case err == nil:
		return aws.ToString(out.MembershipId), nil
	case !is[*istypes.ResourceNotFoundException](err):
		return "", fmt.Errorf("identitycenter: membership %s: get membership id: %w", c.ID, err)
	}
	var id string
	err = rec.Write(ctx, c, func(ctx context.Context) error {
		made, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (string, bool, error) {
			out, err := r.api.IdentityStore.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
				IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(groupID), MemberId: member,
			})
			if is[*istypes.ResourceNotFoundException](err) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			return aws.ToString(out.MembershipId), true, nil
		}, func(ctx context.Context) (string, error) {
			out, err := r.api.IdentityStore.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
				IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(groupID), MemberId: member,
			}, creatingIdentity)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.MembershipId), nil
		})
		switch {
		case duplicate(err):
			// Already a member (added concurrently, or by a create whose
			// answer was lost and retried): read it to be sure. A
			// conflicting modification (CONCURRENT_MODIFICATION) was
			// retried by the retryer and, when it persists, is an error.
			gout, gerr := r.api.IdentityStore.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
				IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(groupID), MemberId: member,
			})
			if gerr != nil {
				return fmt.Errorf("identitycenter: membership %s: create: %w (and reading it: %w)", c.ID, err, gerr)
			}
			r.log.Debug("membership created concurrently", "membership", c.ID)
			id = aws.ToString(gout.MembershipId)
			return plan.ErrUnchanged
		case err != nil:
			return fmt.Errorf("identitycenter: membership %s: create: %w", c.ID, err)
		}
		id = made
		return nil
	})
	return id, err
}

// retryIdentityStore is the option of every identitystore write: the
// retryer also retries ConflictException with the reason
// CONCURRENT_MODIFICATION, bounded by the client's retryer (see
// internal/awsretry).
func retryIdentityStore(o *identitystore.Options) {
	o.Retryer = awsretry.IdentityStoreRetryer(o.Retryer)
}

// creatingIdentity is the option of identitystore's creates (CreateUser,
// CreateGroup, CreateGroupMembership): the SDK retries throttling and
// CONCURRENT_MODIFICATION, not a lost answer, which awsretry.Create
// resolves by reading (awsretry.IdentityStoreCreating).
func creatingIdentity(o *identitystore.Options) {
	o.Retryer = awsretry.IdentityStoreCreating(o.Retryer)
}

// duplicate reports identitystore's ConflictException for a resource that
// exists (reason UNIQUENESS_CONSTRAINT_VIOLATION): the caller reads it. A
// conflict with another reason is not a duplicate.
func duplicate(err error) bool {
	var ce *istypes.ConflictException
	return errors.As(err, &ce) && ce.Reason == istypes.ConflictExceptionReasonUniquenessConstraintViolation
}
