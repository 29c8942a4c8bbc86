package organizations

import (
	"context"
	"strings"

	"github.com/awsfoundation/foundation"
)

// OU is an organizational unit as converged.
type OU struct {
	Path string
	// ID is the OU's ID; in a dry run, for an OU that would be created, an
	// identifier predicted by plan ("(known after apply: ou PATH)"), which
	// the next calls of the same dry run (scp.EnsureAttachments) accept and
	// a real run refuses. ARN is empty then.
	ID  string
	ARN string
	// ParentID is the ID of its parent (predicted when the parent would be
	// created too).
	ParentID string
	// Changes lists the changes made to this OU (in dry run: that would
	// be made). For EnsureOU it includes the creation of missing parents.
	Changes foundation.Changes
}

// TreeResult is what EnsureTree and EnsureAccounts converged.
type TreeResult struct {
	// RootID is the organization's root; in a dry run when the
	// organization does not exist, the predicted identifier "(known after
	// apply: root )".
	RootID string
	// OUs are every OU of the tree, ancestors included, parents before
	// children (by depth, then in spec order).
	OUs []*OU
	// Accounts are the accounts, in spec order.
	Accounts []*Account
	// Changes lists every change made (in dry run: that would be made), in
	// the order of OUs then Accounts; empty when the tree was converged.
	Changes foundation.Changes
}

// OU returns the OU of path, or nil.
func (t *TreeResult) OU(path string) *OU {
	for _, ou := range t.OUs {
		if ou.Path == path {
			return ou
		}
	}
	return nil
}

// Account returns the account with email (case-insensitive), or nil.
func (t *TreeResult) Account(email string) *Account {
	for _, a := range t.Accounts {
		if strings.EqualFold(a.Email, email) {
			return a
		}
	}
	return nil
}

// EnsureOU converges the OU at spec.Path, creating it and its missing
// parents (each with managed-by=foundation; parents with no other tag), and
// converges its tags. An OU found at spec.Path without managed-by=foundation
// is refused with a *foundation.NotManagedError before any write unless
// spec.Adopt (a parent found is only where it goes: not checked). The
// organization must exist.
func EnsureOU(ctx context.Context, api EnsureOUAPI, spec OUSpec, opts ...foundation.Option) (*OU, error) {
	var f faults
	spec.check(&f, "spec")
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	res, err := ensureTree(ctx, api, TreeSpec{OUs: []OUSpec{spec}}, adoptFields{ou: specAdopt}, opts)
	if err != nil {
		return nil, err // with the changes made (ensureTree)
	}
	ou := *res.OU(spec.Path)
	ou.Changes = res.Changes
	return &ou, nil
}

// EnsureTree converges a declared tree: first the OUs (parents before
// children, siblings concurrently) with their tags, then the accounts, each
// found by email or created, moved into its OU and tagged. The organization
// must exist (see EnsureOrganization); in dry run a missing organization
// makes everything a create.
//
// foundation.WithConcurrency(n) bounds both the sibling OUs converged at
// once (default DefaultOUConcurrency) and the accounts converged at once
// (default DefaultAccountCreationConcurrency, and never more: AWS allows 5
// account creations in progress, so a larger n is capped at 5).
//
// OUs and accounts that exist but are not in the spec are left alone. An OU
// of spec.OUs or an account of spec.Accounts found without
// managed-by=foundation (someone else's) is refused with a
// *foundation.NotManagedError naming spec.OUs[i].Adopt or
// spec.Accounts[i].Adopt before any write to it, unless that Adopt is set;
// what the library creates carries the tag from its create call.
// Errors of several siblings or accounts are returned joined; the result is
// nil on error, the error carries the changes made before it (a
// *foundation.IncompleteError), and running again resumes the work.
func EnsureTree(ctx context.Context, api EnsureTreeAPI, spec TreeSpec, opts ...foundation.Option) (*TreeResult, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	return ensureTree(ctx, api, spec, treeFields, opts)
}

// ensureTree converges a validated spec.
// Its errors carry the changes made (Recorder.Fail).
func ensureTree(ctx context.Context, api EnsureOUAPI, spec TreeSpec, fields adoptFields, opts []foundation.Option) (*TreeResult, error) {
	return ensureTreeWith(ctx, api, spec, fields, nil, opts)
}

// ensureTreeWith is ensureTree running work (when not nil) for each account
// as soon as it is converged.
func ensureTreeWith(ctx context.Context, api EnsureOUAPI, spec TreeSpec, fields adoptFields, work AccountWork, opts []foundation.Option) (*TreeResult, error) {
	r := newRun(api, opts)
	r.fields = fields
	accountOUs := map[string]bool{}
	for _, a := range spec.Accounts {
		accountOUs[a.OU] = true
	}
	nodes, err := r.ensureOUs(ctx, spec.OUs, r.o.Width(DefaultOUConcurrency, 0), accountOUs)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	res := &TreeResult{RootID: r.root.id}
	// The changes in plan order (OUs then accounts, in spec order), not
	// in the order the concurrent work made them.
	for _, n := range nodes {
		changes := n.rec.Changes()
		res.OUs = append(res.OUs, &OU{Path: n.path, ID: n.id, ARN: n.arn, ParentID: n.parentID, Changes: changes})
		res.Changes = append(res.Changes, changes...)
	}
	if len(spec.Accounts) > 0 {
		accounts, err := r.ensureAccounts(ctx, spec.Accounts, r.o.Width(DefaultAccountConcurrency, 0),
			r.o.Width(DefaultAccountCreationConcurrency, DefaultAccountCreationConcurrency),
			newWorkQueue(r, work, r.o.Width(DefaultFanOutConcurrency, 0)))
		if err != nil {
			return nil, r.rec.Fail(err)
		}
		res.Accounts = accounts
		for _, a := range accounts {
			res.Changes = append(res.Changes, a.Changes...)
		}
	}
	return res, nil
}
