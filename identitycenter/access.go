package identitycenter

import (
	"context"
	"fmt"

	"github.com/awsfoundation/foundation"
)

// Access is what EnsureAccess converged.
type Access struct {
	// Instance is the instance used; only ARN and IdentityStoreID are set
	// when the spec gave both (no ListInstances call). Empty in a dry run
	// without an instance.
	Instance       Instance
	Users          []*User
	Groups         []*Group
	PermissionSets []*PermissionSet
	Assignments    *Assignments
	// Changes lists every change in the order made: users, groups and
	// memberships, permission sets (and their provisioning), assignments.
	Changes foundation.Changes
}

// User returns the converged user named name, or nil.
func (a *Access) User(name string) *User {
	for _, u := range a.Users {
		if u.UserName == name {
			return u
		}
	}
	return nil
}

// Group returns the converged group named name, or nil.
func (a *Access) Group(name string) *Group {
	for _, g := range a.Groups {
		if g.DisplayName == name {
			return g
		}
	}
	return nil
}

// PermissionSet returns the converged permission set named name, or nil.
func (a *Access) PermissionSet(name string) *PermissionSet {
	for _, p := range a.PermissionSets {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// EnsureAccess converges a whole Identity Center setup: the users
// (EnsureUser), the groups and their members (EnsureGroup), the permission
// sets with their provisioning (EnsurePermissionSet), then the account
// assignments (EnsureAssignments), in that order. The spec is validated as a
// whole before any call: an assignment or a group member naming a
// principal or permission set the spec does not declare is an invalid spec.
// It stops at the first error; running again resumes the work.
//
// A dry run without an instance (the spec names none and ListInstances
// lists none) makes no further call and returns what a real run would do
// on the instance once it is enabled: every user, group, membership,
// permission set (with its policies and boundary) and assignment created,
// with predicted IDs and ARNs (plan.Predict). A real run returns an error
// matching ErrNotEnabled.
//
// In a dry run, an account ID predicted by organizations' dry run is
// accepted in Assignments and PruneAccounts: its assignments are planned
// without reading AWS. A real run refuses it as an invalid spec.
//
// Assignment requests are made at most DefaultAssignmentConcurrency at once
// (fewer with foundation.WithConcurrency). On a failure after some writes,
// the error carries a *foundation.IncompleteError listing the changes made.
func EnsureAccess(ctx context.Context, api API, spec AccessSpec, opts ...foundation.Option) (*Access, error) {
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	// Validation reads the mode: a dry run accepts predicted account IDs.
	f := spec.faults(r.rec.Planning())
	if api.SSOAdmin == nil {
		f.add("api.SSOAdmin", "", "must not be nil")
	}
	if api.IdentityStore == nil && (len(spec.Users) > 0 || len(spec.Groups) > 0 || len(spec.Assignments) > 0) {
		f.add("api.IdentityStore", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	acc, err := r.ensureAccess(ctx, spec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	return acc, nil
}

func (r *run) ensureAccess(ctx context.Context, spec AccessSpec) (*Access, error) {
	if err := r.resolveInstance(ctx, spec.InstanceARN, spec.IdentityStoreID, true, true); err != nil {
		return nil, err
	}
	acc := &Access{Instance: Instance{ARN: r.instanceARN, IdentityStoreID: r.storeID}}
	if r.instance != nil {
		acc.Instance = *r.instance
	}
	// The permission sets' reads start now, beside the people's; their
	// writes follow in the spec's order.
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	prefetched := make(chan struct{})
	go func() {
		defer close(prefetched)
		r.prefetchPermissionSets(pctx, spec.PermissionSets)
	}()
	defer func() { stop(); <-prefetched }()
	for _, u := range spec.Users {
		u = u.withDefaults()
		u.IdentityStoreID = r.storeID
		rec := r.rec.Child()
		id, err := r.ensureUser(ctx, u, rec)
		if err != nil {
			return nil, err
		}
		acc.Users = append(acc.Users, &User{UserName: u.UserName, ID: id, Changes: rec.Changes()})
	}
	for _, g := range spec.Groups {
		g.IdentityStoreID = r.storeID
		rec := r.rec.Child()
		id, err := r.ensureGroup(ctx, g, rec)
		if err != nil {
			return nil, err
		}
		acc.Groups = append(acc.Groups, &Group{DisplayName: g.DisplayName, ID: id, Changes: rec.Changes()})
	}
	for i, p := range spec.PermissionSets {
		p = p.withDefaults()
		p.InstanceARN = r.instanceARN
		res, err := r.ensurePermissionSet(ctx, p, fmt.Sprintf("spec.PermissionSets[%d].Adopt", i), r.rec.Child())
		if err != nil {
			return nil, err
		}
		acc.PermissionSets = append(acc.PermissionSets, res)
	}
	as, err := r.ensureAssignments(ctx, spec.Assignments, spec.Prune, spec.PruneAccounts, r.rec.Child())
	if err != nil {
		return nil, err
	}
	acc.Assignments = as
	acc.Changes = r.rec.Changes()
	return acc, nil
}
