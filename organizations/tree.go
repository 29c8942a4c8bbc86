package organizations

import (
	"context"
	"strings"

	"github.com/awsfoundation/foundation"
)

// OU is an organizational unit as converged.
type OU struct {
	Path string
	// ID and ARN are empty in dry run for an OU that would be created.
	ID       string
	ARN      string
	ParentID string
	// Changes lists the changes made to this OU (in dry run: that would
	// be made). For EnsureOU it includes the creation of missing parents.
	Changes foundation.Changes
}

// TreeResult is what EnsureTree and EnsureAccounts converged.
type TreeResult struct {
	// RootID is the organization's root (empty in dry run when the
	// organization does not exist).
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
// parents (parents get no tags), and converges its tags. The organization
// must exist.
func EnsureOU(ctx context.Context, api EnsureOUAPI, spec OUSpec, opts ...foundation.Option) (*OU, error) {
	var f faults
	spec.check(&f, "spec")
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	res, err := ensureTree(ctx, api, TreeSpec{OUs: []OUSpec{spec}}, opts)
	if err != nil {
		return nil, err
	}
	ou := *res.OU(spec.Path)
	ou.Changes = res.Changes
	return &ou, nil
}

// EnsureTree converges a declared tree: first the OUs (parents before
// children, siblings concurrently, at most spec.OUConcurrency at once) with
// their tags, then the accounts (at most spec.AccountConcurrency at once,
// never more than 5 creations in progress), each found by email or created,
// moved into its OU and tagged. The organization must exist (see
// EnsureOrganization); in dry run a missing organization makes everything a
// create.
//
// OUs and accounts that exist but are not in the spec are left alone.
// Errors of several siblings or accounts are returned joined; the result is
// nil on error and running again resumes the work.
func EnsureTree(ctx context.Context, api EnsureTreeAPI, spec TreeSpec, opts ...foundation.Option) (*TreeResult, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	return ensureTree(ctx, api, spec, opts)
}

// ensureTree converges a validated spec.
func ensureTree(ctx context.Context, api EnsureOUAPI, spec TreeSpec, opts []foundation.Option) (*TreeResult, error) {
	r := newRun(api, opts)
	ouConc := spec.OUConcurrency
	if ouConc == 0 {
		ouConc = DefaultOUConcurrency
	}
	acctConc := spec.AccountConcurrency
	if acctConc == 0 {
		acctConc = DefaultAccountCreationConcurrency
	}
	nodes, err := r.ensureOUs(ctx, spec.OUs, ouConc)
	if err != nil {
		return nil, err
	}
	res := &TreeResult{RootID: r.root.id}
	for _, n := range nodes {
		res.OUs = append(res.OUs, &OU{Path: n.path, ID: n.id, ARN: n.arn, ParentID: n.parentID, Changes: n.changes})
		res.Changes = append(res.Changes, n.changes...)
	}
	if len(spec.Accounts) > 0 {
		accounts, err := r.ensureAccounts(ctx, spec.Accounts, acctConc)
		if err != nil {
			return nil, err
		}
		res.Accounts = accounts
		for _, a := range accounts {
			res.Changes = append(res.Changes, a.Changes...)
		}
	}
	return res, nil
}
