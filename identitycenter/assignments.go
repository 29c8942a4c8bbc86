package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// Assignment is one account assignment: a principal granted a permission
// set in an account.
type Assignment struct {
	Principal Principal
	// PrincipalID and PermissionSetARN are predicted (plan.Predict) in dry
	// run for a principal or permission set that would be created, and
	// AccountID may be an account ID predicted by organizations' dry run.
	PrincipalID      string
	PermissionSet    string
	PermissionSetARN string
	AccountID        string
}

func (a Assignment) String() string {
	name := a.Principal.Name
	if name == "" {
		name = a.PrincipalID
	}
	return fmt.Sprintf("%s:%s/%s/%s", a.Principal.Type, name, a.PermissionSet, a.AccountID)
}

// Assignments is what EnsureAssignments converged.
type Assignments struct {
	// Assignments are the assignments of the spec (the cross products,
	// without duplicates, in spec order). They all exist after a real run.
	Assignments []Assignment
	// Deleted are the assignments pruned (in dry run: that would be).
	Deleted []Assignment
	Changes foundation.Changes
}

// EnsureAssignments converges account assignments. Principals are resolved
// by name (GetGroupId, GetUserId) and permission sets by name
// (ListPermissionSets, DescribePermissionSet); names that do not exist are
// reported together, as an *UnknownPrincipalError and an
// *UnknownPermissionSetError joined, before any write. The existing
// assignments of each (permission set, account) pair in play are listed
// (ListAccountAssignments); missing ones are created (CreateAccountAssignment)
// with at most DefaultAssignmentConcurrency requests outstanding (fewer
// with foundation.WithConcurrency; more is capped, as AWS refuses more),
// each waited for
// (DescribeAccountAssignmentCreationStatus; a FAILED request is an
// *AssignmentError with AWS's reason). Creating an assignment provisions
// the permission set to the account. With spec.Prune, the assignments in
// scope that the spec does not ask for are deleted the same way
// (DeleteAccountAssignment, DescribeAccountAssignmentDeletionStatus); see
// AssignmentsSpec for the scope.
//
// Every request is made even when some fail; the failures are returned
// joined (with a *foundation.IncompleteError listing the assignments made),
// and running again finishes the work. Without an instance it returns an
// error matching ErrNotEnabled, in a dry run too (the names it is given
// cannot exist yet), unless the spec asks for no assignment.
//
// In a dry run, an account ID predicted by organizations' dry run
// (plan.IsPredicted) is accepted: its assignments are planned without
// reading AWS. A real run refuses it as an invalid spec naming the field.
func EnsureAssignments(ctx context.Context, api API, spec AssignmentsSpec, opts ...foundation.Option) (*Assignments, error) {
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	var f faults
	// Validation reads the mode: a dry run accepts predicted account IDs.
	if err := spec.faults(r.rec.Planning()).err(); err != nil {
		f = append(f, err)
	}
	if api.SSOAdmin == nil {
		f.add("api.SSOAdmin", "", "must not be nil")
	}
	if api.IdentityStore == nil {
		f.add("api.IdentityStore", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := r.resolveInstance(ctx, spec.InstanceARN, spec.IdentityStoreID, true, true); err != nil {
		return nil, err
	}
	if r.noInstance != nil && len(spec.Assignments) > 0 {
		// Dry run without an instance: the principals and permission sets
		// the assignments name cannot exist yet.
		return nil, r.noInstance
	}
	// Look every name up before any write.
	var unknownP []Principal
	seen := map[Principal]bool{}
	var unknownPS []string
	if err := r.loadPermissionSets(ctx); err != nil {
		return nil, err
	}
	for _, a := range spec.Assignments {
		for _, p := range a.Principals {
			if seen[p] {
				continue
			}
			seen[p] = true
			if _, found, err := r.principalID(ctx, p); err != nil {
				return nil, err
			} else if !found {
				unknownP = append(unknownP, p)
			}
		}
		for _, n := range a.PermissionSets {
			if r.permissionSet(n) == nil && !slices.Contains(unknownPS, n) {
				unknownPS = append(unknownPS, n)
			}
		}
	}
	var errs []error
	if len(unknownP) > 0 {
		errs = append(errs, &UnknownPrincipalError{Principals: unknownP})
	}
	if len(unknownPS) > 0 {
		errs = append(errs, &UnknownPermissionSetError{Names: unknownPS})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	as, err := r.ensureAssignments(ctx, spec.Assignments, spec.Prune, spec.PruneAccounts, r.rec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	return as, nil
}

// assignmentWidth is how many assignment requests a run keeps outstanding:
// foundation.WithConcurrency, by default and at most
// DefaultAssignmentConcurrency.
func (r *run) assignmentWidth() int {
	return r.o.Width(DefaultAssignmentConcurrency, DefaultAssignmentConcurrency)
}

type pairKey struct{ psName, account string }

type principalKey struct {
	typ PrincipalType
	id  string
}

// ensureAssignments converges the assignments, recording the changes in
// rec; every principal and permission set named is known to the run
// (existing, or predicted in dry run).
func (r *run) ensureAssignments(ctx context.Context, specs []AssignmentSpec, prune bool, pruneAccounts []string, rec *plan.Recorder) (*Assignments, error) {
	res := &Assignments{}
	conc := r.assignmentWidth()
	// The wanted assignments, resolved, without duplicates.
	type wantKey struct {
		p       Principal
		psName  string
		account string
	}
	dup := map[wantKey]bool{}
	var psNames, accounts []string
	for _, a := range specs {
		for _, ps := range a.PermissionSets {
			if !slices.Contains(psNames, ps) {
				psNames = append(psNames, ps)
			}
		}
		for _, acct := range a.Accounts {
			if !slices.Contains(accounts, acct) {
				accounts = append(accounts, acct)
			}
		}
		for _, p := range a.Principals {
			id, _, err := r.principalID(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, ps := range a.PermissionSets {
				psARN := ""
				if set := r.permissionSet(ps); set != nil {
					psARN = aws.ToString(set.PermissionSetArn)
				}
				for _, acct := range a.Accounts {
					k := wantKey{p, ps, acct}
					if dup[k] {
						continue
					}
					dup[k] = true
					res.Assignments = append(res.Assignments, Assignment{Principal: p, PrincipalID: id, PermissionSet: ps, PermissionSetARN: psARN, AccountID: acct})
				}
			}
		}
	}
	for _, acct := range pruneAccounts {
		if !slices.Contains(accounts, acct) {
			accounts = append(accounts, acct)
		}
	}

	// The pairs to read: those of the wanted assignments and, with Prune,
	// every pair of the scope. Pairs of permission sets or accounts that do
	// not exist yet (dry run: predicted) have no assignments.
	var pairs []pairKey
	inPairs := map[pairKey]bool{}
	addPair := func(k pairKey) {
		set := r.permissionSet(k.psName)
		if set == nil || unknownID(aws.ToString(set.PermissionSetArn)) || unknownID(k.account) || inPairs[k] {
			return
		}
		inPairs[k] = true
		pairs = append(pairs, k)
	}
	if prune {
		for _, ps := range psNames {
			for _, acct := range accounts {
				addPair(pairKey{ps, acct})
			}
		}
	} else {
		for _, a := range res.Assignments {
			addPair(pairKey{a.PermissionSet, a.AccountID})
		}
	}
	have, err := r.readAssignments(ctx, pairs, res.Assignments, prune, conc)
	if err != nil {
		return nil, err
	}

	var creates []Assignment
	wanted := map[pairKey]map[principalKey]bool{}
	for _, a := range res.Assignments {
		k := pairKey{a.PermissionSet, a.AccountID}
		pk := principalKey{a.Principal.Type, a.PrincipalID}
		if wanted[k] == nil {
			wanted[k] = map[principalKey]bool{}
		}
		wanted[k][pk] = true
		if unknownID(a.PrincipalID) || unknownID(a.PermissionSetARN) || !have[k][pk] {
			creates = append(creates, a)
		}
	}
	var deletes []Assignment
	if prune {
		for _, k := range pairs {
			var extra []principalKey
			for pk := range have[k] {
				if !wanted[k][pk] {
					extra = append(extra, pk)
				}
			}
			sort.Slice(extra, func(i, j int) bool {
				if extra[i].typ != extra[j].typ {
					return extra[i].typ < extra[j].typ
				}
				return extra[i].id < extra[j].id
			})
			for _, pk := range extra {
				name, err := r.principalName(ctx, pk)
				if err != nil {
					return nil, err
				}
				deletes = append(deletes, Assignment{
					Principal: Principal{Type: pk.typ, Name: name}, PrincipalID: pk.id,
					PermissionSet: k.psName, PermissionSetARN: aws.ToString(r.permissionSet(k.psName).PermissionSetArn), AccountID: k.account,
				})
			}
		}
	}
	res.Deleted = deletes

	// Create, then delete, each with at most conc requests outstanding.
	createErr := r.assignAll(ctx, creates, false, conc, rec)
	deleteErr := r.assignAll(ctx, deletes, true, conc, rec)
	if err := errors.Join(createErr, deleteErr); err != nil {
		return nil, err
	}
	res.Changes = rec.Changes()
	return res, nil
}

// readAssignments returns, for each pair (permission set, account) of
// pairs, the principals assigned there, read the cheaper way: per pair
// (ListAccountAssignments), or, when no pruning needs the other principals
// of a pair and the spec's principals are fewer than the pairs, per
// principal (ListAccountAssignmentsForPrincipal: one listing of every
// assignment a principal has, whatever the accounts), which for a group
// assigned on every account of a large organization is a few pages
// instead of a call per permission set and account.
func (r *run) readAssignments(ctx context.Context, pairs []pairKey, wanted []Assignment, prune bool, conc int) (map[pairKey]map[principalKey]bool, error) {
	have := map[pairKey]map[principalKey]bool{}
	for _, k := range pairs {
		have[k] = map[principalKey]bool{}
	}
	var principals []principalKey
	seen := map[principalKey]bool{}
	for _, a := range wanted {
		pk := principalKey{a.Principal.Type, a.PrincipalID}
		if !unknownID(a.PrincipalID) && !seen[pk] {
			seen[pk] = true
			principals = append(principals, pk)
		}
	}
	var mu sync.Mutex
	shared := r.o.ReadCache != nil
	if !prune && len(principals) > 0 && (shared || len(principals) < len(pairs)) {
		byARN := map[string]string{}
		for _, k := range pairs {
			byARN[aws.ToString(r.permissionSet(k.psName).PermissionSetArn)] = k.psName
		}
		err := forEach(ctx, len(principals), conc, func(ctx context.Context, i int) error {
			pk := principals[i]
			set, err := r.principalAssignments(ctx, pk)
			if err != nil {
				return err
			}
			set.mu.Lock()
			defer set.mu.Unlock()
			mu.Lock()
			defer mu.Unlock()
			for a := range set.m {
				k := pairKey{byARN[a.psARN], a.account}
				if m, ok := have[k]; ok && k.psName != "" {
					m[pk] = true
				}
			}
			return nil
		})
		return have, err
	}
	err := forEach(ctx, len(pairs), conc, func(ctx context.Context, i int) error {
		k := pairs[i]
		arn := aws.ToString(r.permissionSet(k.psName).PermissionSetArn)
		p := ssoadmin.NewListAccountAssignmentsPaginator(r.api.SSOAdmin, &ssoadmin.ListAccountAssignmentsInput{
			InstanceArn: aws.String(r.instanceARN), AccountId: aws.String(k.account), PermissionSetArn: aws.String(arn),
		})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryConflict)
			if err != nil {
				return fmt.Errorf("identitycenter: permission set %q in account %s: list assignments: %w", k.psName, k.account, err)
			}
			mu.Lock()
			for _, a := range out.AccountAssignments {
				have[k][principalKey{PrincipalType(a.PrincipalType), aws.ToString(a.PrincipalId)}] = true
			}
			mu.Unlock()
		}
		return nil
	})
	return have, err
}

// assignedTo is one assignment of a principal: its permission set and
// account.
type assignedTo struct{ psARN, account string }

// principalSet is every assignment of one principal, read once
// (ListAccountAssignmentsForPrincipal); the run's own creates and deletes
// update it.
type principalSet struct {
	mu sync.Mutex
	m  map[assignedTo]bool
}

// principalAssignments returns every assignment of principal pk: read once
// per run when the caller gave a foundation.ReadCache (shared by the calls
// of the run: a program that assigns account by account reads the
// principal's assignments once), else once per call.
func (r *run) principalAssignments(ctx context.Context, pk principalKey) (*principalSet, error) {
	load := func() (*principalSet, error) {
		set := &principalSet{m: map[assignedTo]bool{}}
		p := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(r.api.SSOAdmin, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
			InstanceArn: aws.String(r.instanceARN), PrincipalId: aws.String(pk.id), PrincipalType: types.PrincipalType(pk.typ),
		})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryConflict)
			if err != nil {
				return nil, fmt.Errorf("identitycenter: %s %s: list assignments: %w", pk.typ, pk.id, err)
			}
			for _, a := range out.AccountAssignments {
				if aws.ToString(a.PrincipalId) != pk.id || PrincipalType(a.PrincipalType) != pk.typ {
					continue // only the principal's own assignments
				}
				set.m[assignedTo{aws.ToString(a.PermissionSetArn), aws.ToString(a.AccountId)}] = true
			}
		}
		return set, nil
	}
	if r.o.ReadCache == nil {
		return load()
	}
	return readcache.Get(r.o.ReadCache, principalKeyOf(r.instanceARN, pk), load)
}

func principalKeyOf(instanceARN string, pk principalKey) string {
	return "identitycenter/assignments/" + instanceARN + "/" + string(pk.typ) + "/" + pk.id
}

// assigned records in the run's reads an assignment this run made (or
// deleted).
func (r *run) assigned(a Assignment, del bool) {
	set, ok := readcache.Peek[*principalSet](r.o.ReadCache, principalKeyOf(r.instanceARN, principalKey{a.Principal.Type, a.PrincipalID}))
	if !ok {
		return
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	k := assignedTo{a.PermissionSetARN, a.AccountID}
	if del {
		delete(set.m, k)
	} else {
		set.m[k] = true
	}
}

// assignmentSlots returns the run's slots for assignment requests
// outstanding on the instance: AWS processes at most
// DefaultAssignmentConcurrency at once per instance, so the calls of a run
// that share a foundation.ReadCache (a program assigning account by
// account, several at once) share them. Nil without a ReadCache: the
// call's own bound (assignAll) is the only one.
func (r *run) assignmentSlots() chan struct{} {
	if r.o.ReadCache == nil {
		return nil
	}
	slots, _ := readcache.Get(r.o.ReadCache, "identitycenter/assignment-slots/"+r.instanceARN, func() (chan struct{}, error) {
		return make(chan struct{}, DefaultAssignmentConcurrency), nil
	})
	return slots
}

// unknownID reports an identifier that names nothing AWS has yet: one a dry
// run predicted (or "", which a run never gives a real resource).
func unknownID(id string) bool { return id == "" || plan.IsPredicted(id) }

// assignAll creates (or deletes) the assignments, at most conc at once,
// every one even when some fail. Each write goes through a gate of its own
// (a Recorder with the run's options: in a dry run nothing is written);
// the changes made are then recorded in rec in plan order, whatever order
// the requests finished in, so a report does not depend on AWS's timing.
func (r *run) assignAll(ctx context.Context, as []Assignment, del bool, conc int, rec *plan.Recorder) error {
	action := foundation.ActionCreate
	if del {
		action = foundation.ActionDelete
	}
	change := func(a Assignment) foundation.Change {
		return foundation.Change{Action: action, Resource: ResAssignment, ID: a.String()}
	}
	gate := plan.New(r.o)
	done := make([]bool, len(as))
	slots := r.assignmentSlots()
	err := forEach(ctx, len(as), conc, func(ctx context.Context, i int) error {
		err := gate.Write(ctx, change(as[i]), func(ctx context.Context) error {
			if slots != nil {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return ctx.Err()
				}
				defer func() { <-slots }()
			}
			if err := r.assignment(ctx, as[i], del); err != nil {
				return err
			}
			r.assigned(as[i], del)
			return nil
		})
		done[i] = err == nil
		return err
	})
	for i, a := range as {
		if done[i] {
			// Made (or planned) by gate.Write above.
			rec.Also(change(a))
		}
	}
	return err
}

// assignment creates (or deletes) one assignment and waits for AWS to
// finish the request. It is a write: only gate.Write calls it.
func (r *run) assignment(ctx context.Context, a Assignment, del bool) error {
	op := "create"
	if del {
		op = "delete"
	}
	wrap := func(step string, err error) error {
		return fmt.Errorf("identitycenter: assignment %s: %s: %w", a, step, err)
	}
	var st *types.AccountAssignmentOperationStatus
	if del {
		out, err := r.api.SSOAdmin.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
			InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(a.PermissionSetARN),
			PrincipalId: aws.String(a.PrincipalID), PrincipalType: types.PrincipalType(a.Principal.Type),
			TargetId: aws.String(a.AccountID), TargetType: types.TargetTypeAwsAccount,
		}, retryConflict)
		if is[*types.ResourceNotFoundException](err) {
			return nil // deleted concurrently
		}
		if err != nil {
			return wrap(op, err)
		}
		st = out.AccountAssignmentDeletionStatus
	} else {
		// Identity Center learns of a new member account from
		// Organizations some time after CreateAccount SUCCEEDED; until
		// then CreateAccountAssignment on it is refused with
		// ValidationException, as for an account outside the organization
		// (the IAM Identity Center API Reference lists ValidationException
		// for CreateAccountAssignment without naming this case; the
		// Organizations API Reference, CreateAccount: "You might need to
		// wait a few minutes before you can successfully access the
		// account"). The spec and the account ID were validated before any
		// call, so a ValidationException here is waited out
		// (awsretry.Wait, the options' propagation timeout).
		var out *ssoadmin.CreateAccountAssignmentOutput
		err := awsretry.Wait(ctx, r.o, is[*types.ValidationException], func(ctx context.Context) error {
			var err error
			out, err = r.api.SSOAdmin.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
				InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(a.PermissionSetARN),
				PrincipalId: aws.String(a.PrincipalID), PrincipalType: types.PrincipalType(a.Principal.Type),
				TargetId: aws.String(a.AccountID), TargetType: types.TargetTypeAwsAccount,
			}, retryConflict)
			return err
		})
		var pe *awsretry.PropagationError
		switch {
		case errors.As(err, &pe):
			return wrap(op, fmt.Errorf("still refused after %d attempts in %s (the account is not in the organization, or Identity Center has not seen it yet): %w",
				pe.Attempts, pe.Timeout, pe.Err))
		case err != nil:
			return wrap(op, err)
		}
		st = out.AccountAssignmentCreationStatus
	}
	if st == nil {
		return wrap(op, errors.New("no status in the answer"))
	}
	reqID := aws.ToString(st.RequestId)
	r.log.Debug("assignment "+op, slog.String("assignment", a.String()), slog.String("request", reqID))
	failed := func() error {
		return &AssignmentError{Principal: a.Principal, PermissionSet: a.PermissionSet, AccountID: a.AccountID, Delete: del,
			RequestID: reqID, Reason: aws.ToString(st.FailureReason)}
	}
	err := r.rec.Wait(ctx, r.o, fmt.Sprintf("assignment %s %s (request %s)", a, op, reqID), func(ctx context.Context) (bool, error) {
		switch st.Status {
		case types.StatusValuesSucceeded:
			return true, nil
		case types.StatusValuesFailed:
			return false, failed()
		}
		if del {
			out, err := r.api.SSOAdmin.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
				InstanceArn: aws.String(r.instanceARN), AccountAssignmentDeletionRequestId: aws.String(reqID),
			}, retryConflict)
			if err != nil {
				return false, wrap("describe deletion status", err)
			}
			if out.AccountAssignmentDeletionStatus != nil {
				st = out.AccountAssignmentDeletionStatus
			}
		} else {
			out, err := r.api.SSOAdmin.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
				InstanceArn: aws.String(r.instanceARN), AccountAssignmentCreationRequestId: aws.String(reqID),
			}, retryConflict)
			if err != nil {
				return false, wrap("describe creation status", err)
			}
			if out.AccountAssignmentCreationStatus != nil {
				st = out.AccountAssignmentCreationStatus
			}
		}
		switch st.Status {
		case types.StatusValuesSucceeded:
			return true, nil
		case types.StatusValuesFailed:
			return false, failed()
		}
		return false, nil
	})
	if err != nil && !is[*AssignmentError](err) {
		return wrap("wait", err)
	}
	return err
}

// principalName names an assigned principal found by ID (for a prune
// report): from the run's look-ups, else DescribeGroup or DescribeUser.
// A principal that no longer exists is named by its ID.
func (r *run) principalName(ctx context.Context, pk principalKey) (string, error) {
	r.mu.Lock()
	m := r.groups
	if pk.typ == PrincipalUser {
		m = r.users
	}
	for name, id := range m {
		if id == pk.id && id != "" {
			r.mu.Unlock()
			return name, nil
		}
	}
	r.mu.Unlock()
	var name string
	var err error
	if pk.typ == PrincipalUser {
		var out *identitystore.DescribeUserOutput
		out, err = r.api.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(r.storeID), UserId: aws.String(pk.id)})
		if err == nil {
			name = aws.ToString(out.UserName)
		}
	} else {
		var out *identitystore.DescribeGroupOutput
		out, err = r.api.IdentityStore.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(r.storeID), GroupId: aws.String(pk.id)})
		if err == nil {
			name = aws.ToString(out.DisplayName)
		}
	}
	if err != nil {
		r.log.Debug("cannot name principal", slog.String("id", pk.id), slog.Any("err", err))
		return pk.id, nil
	}
	return name, nil
}
