package organizations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// Account is a member account as converged.
type Account struct {
	// ID is the 12-digit account ID; in a dry run, for an account that
	// would be created, an identifier predicted by plan ("(known after
	// apply: account EMAIL)") that a real run refuses. ARN is empty then.
	ID    string
	ARN   string
	Name  string // the account's name in AWS (the spec's for a new account)
	Email string
	// OU is the path of the OU the account is in ("" for the root) and
	// ParentID that OU's ID (predicted in a dry run when the OU would be
	// created).
	OU       string
	ParentID string
	// State is the account's state (ACTIVE, PENDING_CLOSURE, SUSPENDED...);
	// empty in dry run for an account that would be created.
	State types.AccountState
	// Drift lists what differs from the spec but cannot be changed through
	// Organizations, such as the name of an existing account. The role
	// name and billing access of an existing account cannot be read through
	// Organizations and are not compared.
	Drift []string
	// Changes lists the changes made to this account (in dry run: that
	// would be made).
	Changes foundation.Changes
}

// EnsureAccount converges one member account, found by its email (the
// unique key, case-insensitive) or created: its OU (created if missing,
// with its parents), its place in that OU and its tags. A CreateAccount
// request already in progress for the account (a run that stopped while
// waiting) is waited for, not made again. A new account carries
// managed-by=foundation from CreateAccount; one found without it is
// refused with a *foundation.NotManagedError before any write unless
// spec.Adopt (the management account excepted). The OU is only where the
// account goes: one found there is not checked. See EnsureAccounts.
func EnsureAccount(ctx context.Context, api EnsureAccountAPI, spec AccountSpec, opts ...foundation.Option) (*Account, error) {
	var f faults
	spec.check(&f, "spec")
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	res, err := ensureTree(ctx, api, TreeSpec{OUs: ouSpecsOf([]AccountSpec{spec}), Accounts: []AccountSpec{spec}}, adoptFields{account: specAdopt}, opts)
	if err != nil {
		return nil, err // with the changes made (ensureTree)
	}
	a := res.Accounts[0]
	// The OUs created for the account are part of its changes.
	var changes foundation.Changes
	for _, ou := range res.OUs {
		changes = append(changes, ou.Changes...)
	}
	a.Changes = append(changes, a.Changes...)
	return a, nil
}

// EnsureAccounts converges many accounts, at most
// foundation.WithConcurrency(n) at once (default and maximum
// DefaultAccountCreationConcurrency, 5, AWS's limit of account creations in
// progress: a larger n is capped), after converging the OUs they are in
// (created if missing). The result lists the OUs and the accounts in spec
// order. Each account is converged as by EnsureAccount; errors of several
// accounts are returned joined, after every account was tried, carrying
// the changes made (a *foundation.IncompleteError).
func EnsureAccounts(ctx context.Context, api EnsureAccountsAPI, spec AccountsSpec, opts ...foundation.Option) (*TreeResult, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	return ensureTree(ctx, api, TreeSpec{OUs: ouSpecsOf(spec.Accounts), Accounts: spec.Accounts}, adoptFields{account: treeFields.account}, opts)
}

// ouSpecsOf returns the OUs the accounts are in, without tags.
func ouSpecsOf(accounts []AccountSpec) []OUSpec {
	var out []OUSpec
	seen := map[string]bool{}
	for _, a := range accounts {
		if a.OU != "" && !seen[a.OU] {
			seen[a.OU] = true
			out = append(out, OUSpec{Path: a.OU})
		}
	}
	return out
}

func checkAPI(f *faults, api any) {
	if api == nil {
		f.add("api", "", "must not be nil")
	}
}

// accountSet is a set of accounts by lower-cased email: every account of
// the organization, or those of one parent. The library's writes update it
// in place (an account created, moved).
type accountSet struct {
	mu      sync.Mutex
	byEmail map[string]types.Account
}

func newAccountSet(accounts []types.Account) *accountSet {
	s := &accountSet{byEmail: make(map[string]types.Account, len(accounts))}
	for _, a := range accounts {
		s.byEmail[strings.ToLower(aws.ToString(a.Email))] = a
	}
	return s
}

func (s *accountSet) get(email string) (types.Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byEmail[strings.ToLower(email)]
	return a, ok
}

func (s *accountSet) put(a types.Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byEmail[strings.ToLower(aws.ToString(a.Email))] = a
}

func (s *accountSet) remove(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byEmail, strings.ToLower(email))
}

// allAccounts returns every account of the organization, read once per
// run (ListAccounts). An organization that would be created (dry run) has
// none.
func (r *run) allAccounts(ctx context.Context) (*accountSet, error) {
	if r.root != nil && r.root.fresh {
		return newAccountSet(nil), nil
	}
	return readcache.Get(r.cache, keyAccounts, func() (*accountSet, error) {
		all, err := r.listAccounts(ctx)
		if err != nil {
			return nil, err
		}
		return newAccountSet(all), nil
	})
}

func (r *run) listAccounts(ctx context.Context) ([]types.Account, error) {
	var out []types.Account
	p := organizations.NewListAccountsPaginator(r.api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, fmt.Errorf("organizations: list accounts: %w", err)
		}
		out = append(out, page.Accounts...)
	}
	return out, nil
}

// accountsIn returns the accounts whose parent is parentID, read once per
// run (ListAccountsForParent).
func (r *run) accountsIn(ctx context.Context, parentID string) (*accountSet, error) {
	return readcache.Get(r.cache, keyAccountsIn+parentID, func() (*accountSet, error) {
		var accounts []types.Account
		p := organizations.NewListAccountsForParentPaginator(r.api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryCME)
			if err != nil {
				return nil, fmt.Errorf("organizations: parent %s: list accounts: %w", parentID, err)
			}
			accounts = append(accounts, out.Accounts...)
		}
		return newAccountSet(accounts), nil
	})
}

// findAccount returns the account with email, or nil.
func (r *run) findAccount(ctx context.Context, email string) (*types.Account, error) {
	all, err := r.allAccounts(ctx)
	if err != nil {
		return nil, err
	}
	if a, ok := all.get(email); ok {
		return &a, nil
	}
	return nil, nil
}

// findAccountIn returns the account with email and its parent's ID: looked
// for first among the accounts of target (read once per run for all the
// accounts of that OU, so a converged tree costs one listing per OU, not a
// ListParents per account), then among every account (parentID "" then:
// not known). Nil when there is none.
func (r *run) findAccountIn(ctx context.Context, email string, target *ouNode) (a *types.Account, parentID string, err error) {
	if !target.fresh {
		in, err := r.accountsIn(ctx, target.id)
		if err != nil {
			return nil, "", err
		}
		if a, ok := in.get(email); ok {
			return &a, target.id, nil
		}
	}
	a, err = r.findAccount(ctx, email)
	return a, "", err
}

// reloadAccount reads the accounts again and returns the one with email.
func (r *run) reloadAccount(ctx context.Context, email string) (*types.Account, error) {
	all, err := r.listAccounts(ctx)
	if err != nil {
		return nil, err
	}
	set := newAccountSet(all)
	readcache.Put(r.cache, keyAccounts, set)
	if a, ok := set.get(email); ok {
		return &a, nil
	}
	return nil, nil
}

// created records an account this run created (in the root) in what the
// run has read.
func (r *run) created(a types.Account) {
	if all, ok := readcache.Peek[*accountSet](r.cache, keyAccounts); ok {
		all.put(a)
	}
	if in, ok := readcache.Peek[*accountSet](r.cache, keyAccountsIn+r.root.id); ok {
		in.put(a)
	}
}

// moved records the move of an account from one parent to another in what
// the run has read.
func (r *run) moved(email, from, to string) {
	var a types.Account
	found := false
	if in, ok := readcache.Peek[*accountSet](r.cache, keyAccountsIn+from); ok {
		a, found = in.get(email)
		in.remove(email)
	}
	if in, ok := readcache.Peek[*accountSet](r.cache, keyAccountsIn+to); ok {
		if !found {
			if all, ok := readcache.Peek[*accountSet](r.cache, keyAccounts); ok {
				a, found = all.get(email)
			}
		}
		if found {
			in.put(a)
		} else {
			r.cache.Invalidate(keyAccountsIn + to)
		}
	}
}

// earlierCreation finds what a CreateAccount whose answer was lost made:
// the request IN_PROGRESS for the account's name (read now, not the run's
// cached list), or, when it already SUCCEEDED, the account with the spec's
// email (returned as a status with no request ID). Nil when neither.
func (r *run) earlierCreation(ctx context.Context, spec AccountSpec) (*types.CreateAccountStatus, error) {
	p := organizations.NewListCreateAccountStatusPaginator(r.api, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, fmt.Errorf("list account creations in progress: %w", err)
		}
		for _, st := range out.CreateAccountStatuses {
			if aws.ToString(st.AccountName) == spec.Name && st.State == types.CreateAccountStateInProgress {
				return &st, nil
			}
		}
	}
	a, err := r.reloadAccount(ctx, spec.Email)
	if err != nil || a == nil {
		return nil, err
	}
	return &types.CreateAccountStatus{State: types.CreateAccountStateSucceeded, AccountId: a.Id}, nil
}

// pendingCreation returns the CreateAccount request in progress for an
// account named name (CreateAccountStatus carries the name, not the email),
// or nil. The requests in progress are read once per run.
func (r *run) pendingCreation(ctx context.Context, name string) (*types.CreateAccountStatus, error) {
	r.progOnce.Do(func() {
		if r.root != nil && r.root.fresh {
			return
		}
		p := organizations.NewListCreateAccountStatusPaginator(r.api, &organizations.ListCreateAccountStatusInput{
			States: []types.CreateAccountState{types.CreateAccountStateInProgress},
		})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryCME)
			if err != nil {
				r.progErr = fmt.Errorf("organizations: list account creations in progress: %w", err)
				return
			}
			r.inProgress = append(r.inProgress, out.CreateAccountStatuses...)
		}
	})
	if r.progErr != nil {
		return nil, r.progErr
	}
	for _, s := range r.inProgress {
		if aws.ToString(s.AccountName) == name && s.State == types.CreateAccountStateInProgress {
			return &s, nil
		}
	}
	return nil, nil
}

func accountState(a *types.Account) types.AccountState {
	if a.State != "" {
		return a.State
	}
	return types.AccountState(a.Status)
}

func closedState(s types.AccountState) bool {
	switch s {
	case types.AccountStatePendingClosure, types.AccountStateSuspended, types.AccountStateClosed:
		return true
	}
	return false
}

// ensureAccounts converges accounts, at most conc at once, of which at
// most slots hold an account creation in progress (a creation slot is taken
// for CreateAccount and released the moment its status says SUCCEEDED; the
// move into the OU and the tags come after, outside the slot). The OUs
// they are in are converged already. When work is set, it runs for each
// account as soon as that account is converged (runWork), beside the
// creation of the others.
func (r *run) ensureAccounts(ctx context.Context, specs []AccountSpec, conc, slots int, work *workQueue) ([]*Account, error) {
	r.slots = make(chan struct{}, slots)
	out := make([]*Account, len(specs))
	err := forEach(ctx, len(specs), conc, func(ctx context.Context, i int) error {
		a, err := r.ensureAccount(ctx, specs[i].withDefaults(), i)
		out[i] = a
		if err == nil && work != nil {
			work.start(ctx, a)
		}
		return err
	})
	if work != nil {
		err = errors.Join(err, work.wait())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *run) ensureAccount(ctx context.Context, spec AccountSpec, index int) (*Account, error) {
	target := r.node(spec.OU)
	if target == nil {
		return nil, fmt.Errorf("organizations: account %q: ou %q not converged (internal error)", spec.Email, spec.OU)
	}
	a := &Account{Email: spec.Email, Name: spec.Name, OU: spec.OU}
	rec := r.rec.Child()
	defer func() { a.Changes = rec.Changes() }()
	found, parentID, err := r.findAccountIn(ctx, spec.Email, target)
	if err != nil {
		return nil, err
	}
	created := false
	if found == nil {
		found, created, err = r.createAccount(ctx, spec, index, rec)
		pending := err == errPendingPlanned
		if err != nil && !pending {
			return nil, err
		}
		if found == nil {
			// Planned (dry run): the account would be created, in the
			// root, then moved: its ID is predicted and never sent to AWS.
			a.ID = plan.Predict("account", spec.Email)
			if spec.OU != "" {
				rec.Also(parentChange(spec.Email, "Root", spec.OU))
			}
			// The tags of a request in progress cannot be read: the
			// real run converges the spec's tags on the account it
			// adopts.
			if pending && len(spec.Tags) > 0 {
				var diffs []foundation.Diff
				for _, k := range sortedKeys(spec.Tags) {
					diffs = append(diffs, foundation.Diff{Field: "tag " + k, To: spec.Tags[k]})
				}
				rec.Also(foundation.Change{Action: foundation.ActionUpdate, Resource: ResAccountTags, ID: spec.Email, Diffs: diffs})
			}
			a.ParentID = target.id
			return a, nil
		}
	}
	a.ID, a.ARN, a.Email, a.Name, a.State = aws.ToString(found.Id), aws.ToString(found.Arn), aws.ToString(found.Email), aws.ToString(found.Name), accountState(found)
	if !created {
		// Ownership first: an account someone else made (invited, or
		// created by hand) is not moved nor tagged unless the spec
		// adopts it.
		if err := r.checkAccount(ctx, spec, index, a.ID); err != nil {
			return nil, err
		}
	}
	if closedState(a.State) {
		return nil, &AccountClosedError{AccountID: a.ID, Email: a.Email, State: a.State}
	}
	if a.Name != spec.Name {
		a.Drift = append(a.Drift, fmt.Sprintf("Name: %q, spec %q (Organizations cannot rename an account; use account:PutAccountName)", a.Name, spec.Name))
	}

	// Its parent: a new account is in the root; one found in its OU's
	// accounts is there; another is read.
	switch {
	case created:
		parentID = r.root.id
	case parentID == "":
		if parentID, err = r.parentOf(ctx, a.ID); err != nil {
			return nil, fmt.Errorf("organizations: account %q: %w", spec.Email, err)
		}
	}
	a.ParentID = parentID
	if target.fresh || parentID != target.id {
		r.log.Debug("moving account", slog.String("email", spec.Email), slog.String("from", parentID), slog.String("to", target.id))
		// A target that would be created (dry run) has a predicted ID:
		// the move is planned, never sent.
		if err := r.moveAccount(ctx, rec, spec.Email, a.ID, parentID, target.id, displayPath(spec.OU)); err != nil {
			return nil, err
		}
		a.ParentID = target.id
	}
	if !created {
		if err := r.ensureTags(ctx, a.ID, ResAccountTags, spec.Email, spec.Tags, spec.RemoveTags, rec); err != nil {
			return nil, fmt.Errorf("organizations: account %q: %w", spec.Email, err)
		}
	}
	return a, nil
}

// checkAccount applies the ownership rule to the account of spec found
// with id: nil when it carries managed-by=foundation, the spec adopts it,
// or it is the management account (the organization's own, not made by
// name); else a *foundation.NotManagedError naming the spec's Adopt field.
func (r *run) checkAccount(ctx context.Context, spec AccountSpec, index int, id string) error {
	if spec.Adopt || id == managementAccountOf(r.root.arn) {
		return nil
	}
	tags, err := r.tags(ctx, id)
	if err != nil {
		return fmt.Errorf("organizations: account %q: %w", spec.Email, err)
	}
	return foundation.CheckOwner(ResAccount, spec.Email, tags, false, r.fields.account(index))
}

// managementAccountOf returns the management account's ID from the root's
// ARN (arn:PARTITION:organizations::MGMT:root/ORG/ROOT), or "".
func managementAccountOf(rootARN string) string {
	parts := strings.SplitN(rootARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[5], "root/") {
		return ""
	}
	return parts[4]
}

// moveAccount moves the account of email and accountID from parent from to
// parent to (named toPath in the change).
func (r *run) moveAccount(ctx context.Context, rec *plan.Recorder, email, accountID, from, to, toPath string) error {
	return rec.Write(ctx, parentChange(email, r.pathOf(ctx, from), toPath), func(ctx context.Context) error {
		_, err := r.api.MoveAccount(ctx, &organizations.MoveAccountInput{
			AccountId: aws.String(accountID), SourceParentId: aws.String(from), DestinationParentId: aws.String(to),
		}, retryCME)
		switch {
		case is[*types.DuplicateAccountException](err):
			// It is in the destination already (a retried move whose
			// first attempt succeeded): the move this run asked for was
			// made.
			r.moved(email, from, to)
			return nil
		case err != nil:
			// The move may have been made (an answer lost): what the
			// run read of both parents is read again when needed.
			r.cache.Invalidate(keyAccountsIn+from, keyAccountsIn+to)
			return fmt.Errorf("organizations: account %q: move to %q: %w", email, toPath, err)
		}
		r.moved(email, from, to)
		return nil
	})
}

// errPendingPlanned tells ensureAccount that, in dry run, the account would
// come from a creation already in progress.
var errPendingPlanned = errors.New("creation in progress (dry run)")

// errNotOurs tells createAccount that the creation in progress it waited
// for made another account (or failed): it creates its own.
var errNotOurs = errors.New("the creation in progress is not this account's")

func parentChange(email, from, to string) foundation.Change {
	return foundation.Change{Action: foundation.ActionUpdate, Resource: ResAccountParent, ID: email,
		Diffs: []foundation.Diff{{Field: "Parent", From: from, To: to}}}
}

// parentOf returns the ID of the parent of a child (account or OU).
func (r *run) parentOf(ctx context.Context, childID string) (string, error) {
	p := organizations.NewListParentsPaginator(r.api, &organizations.ListParentsInput{ChildId: aws.String(childID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return "", fmt.Errorf("list parents: %w", err)
		}
		if len(out.Parents) > 0 {
			return aws.ToString(out.Parents[0].Id), nil
		}
	}
	return "", errors.New("list parents: no parent")
}

// createAccount creates the account of spec and waits for it, or waits for
// a creation in progress for it. It returns the account, and whether this
// call created it (its tags are the spec's then). In dry run it records the
// creation and returns nil (errPendingPlanned when a creation in progress
// would be adopted).
func (r *run) createAccount(ctx context.Context, spec AccountSpec, index int, rec *plan.Recorder) (*types.Account, bool, error) {
	createChange := foundation.Change{Action: foundation.ActionCreate, Resource: ResAccount, ID: spec.Email,
		Diffs: []foundation.Diff{{Field: "Name", To: spec.Name}}}
	pending, err := r.pendingCreation(ctx, spec.Name)
	if err != nil {
		return nil, false, err
	}
	if pending != nil {
		r.log.Debug("account creation in progress", slog.String("email", spec.Email), slog.String("request", aws.ToString(pending.Id)))
		// Made by an earlier run: wait for it. Its account is ours if it
		// has the spec's email; otherwise (another account of the same
		// name, or a failure) create ours.
		var acct *types.Account
		applied, err := rec.Do(ctx, createChange, func(ctx context.Context) error {
			id, err := r.waitCreation(ctx, spec, aws.ToString(pending.Id))
			var failed *AccountCreationError
			switch {
			case errors.As(err, &failed):
				r.log.Debug("earlier account creation failed", slog.String("reason", string(failed.Reason)))
				return errNotOurs
			case err != nil:
				return err
			}
			// The status names the account, not its email: read it to
			// know whether it is ours (this path holds no creation
			// slot).
			out, err := r.api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)}, retryCME)
			if err != nil {
				return fmt.Errorf("organizations: account %q: describe %s: %w", spec.Email, id, err)
			}
			if acct = out.Account; !strings.EqualFold(aws.ToString(acct.Email), spec.Email) {
				return errNotOurs
			}
			r.created(*acct)
			return nil
		})
		switch {
		case err == nil && !applied:
			return nil, false, errPendingPlanned
		case err == nil:
			return acct, false, nil
		case !errors.Is(err, errNotOurs):
			return nil, false, err
		}
		if found, err := r.reloadAccount(ctx, spec.Email); err != nil || found != nil {
			return found, false, err
		}
	}

	var acct *types.Account
	created := false
	applied, err := rec.Do(ctx, createChange, func(ctx context.Context) error {
		// The ownership tag goes on in the create itself: a lost answer
		// or a crash never leaves an untagged account.
		in := &organizations.CreateAccountInput{
			AccountName: aws.String(spec.Name), Email: aws.String(spec.Email), RoleName: aws.String(spec.RoleName),
			IamUserAccessToBilling: spec.BillingAccess, Tags: tagList(foundation.WithManagedBy(spec.Tags)),
		}
		// earlier: the request or account found is an earlier attempt's
		// (its answer lost), or someone else's of the same name or email:
		// it is taken as this run's only if it carries the ownership tag.
		earlier := false
		var requestID string
		// One of the run's creation slots, held until the status says
		// SUCCEEDED (or FAILED).
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("organizations: account %q: create: %w", spec.Email, ctx.Err())
		}
		var releaseOnce sync.Once
		release := func() { releaseOnce.Do(func() { <-r.slots }) }
		defer release()
		// AWS refuses a sixth creation in progress
		// (ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED). This run never has more
		// than five, but other callers may: wait for a slot.
		err := r.o.Poll(ctx, fmt.Sprintf("a free account creation slot for %q", spec.Email), func(ctx context.Context) (bool, error) {
			// CreateAccount has no client token: a lost answer is not
			// retried by the SDK; the request it started is looked for
			// (in progress under the account's name, or its account
			// already made) and adopted (awsretry.Create).
			st, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (*types.CreateAccountStatus, bool, error) {
				st, err := r.earlierCreation(ctx, spec)
				earlier = st != nil
				return st, st != nil, err
			}, func(ctx context.Context) (*types.CreateAccountStatus, error) {
				out, err := r.api.CreateAccount(ctx, in, creating)
				if err != nil {
					return nil, err
				}
				return out.CreateAccountStatus, nil
			})
			if constraintReason(err) == types.ConstraintViolationExceptionReasonAccountCreationRateLimitExceeded {
				r.log.Debug("account creations in progress at AWS's limit; waiting", slog.String("email", spec.Email))
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if aws.ToString(st.Id) == "" {
				// The earlier attempt's account exists already.
				acct = &types.Account{Id: st.AccountId}
			}
			requestID = aws.ToString(st.Id)
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("organizations: account %q: create: %w", spec.Email, err)
		}
		if acct != nil {
			found, err := r.reloadAccount(ctx, spec.Email)
			switch {
			case err != nil:
				return err
			case found == nil:
				return fmt.Errorf("organizations: account %q: create: the account %s made is not listed", spec.Email, aws.ToString(acct.Id))
			}
			if err := r.checkAccount(ctx, spec, index, aws.ToString(found.Id)); err != nil {
				return err
			}
			acct, created = found, true
			return nil
		}
		id, err := r.waitCreation(ctx, spec, requestID)
		release()
		if err == nil && earlier {
			err = r.checkAccount(ctx, spec, index, id)
		}
		if err == nil {
			acct, err = r.newAccount(ctx, spec, id)
		}
		var failed *AccountCreationError
		if errors.As(err, &failed) && failed.Reason == types.CreateAccountFailureReasonEmailAlreadyExists {
			// Maybe created concurrently in this organization: converge it.
			found, rerr := r.reloadAccount(ctx, spec.Email)
			if rerr != nil {
				return rerr
			}
			if found != nil {
				r.log.Debug("account created concurrently", slog.String("email", spec.Email))
				acct = found
				return plan.ErrUnchanged
			}
		}
		if err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil || !applied {
		return nil, false, err // !applied: planned (dry run)
	}
	return acct, created, nil
}

// waitCreation polls a CreateAccount request until it SUCCEEDED (and
// returns the account's ID, from the status) or FAILED
// (*AccountCreationError).
//
// AWS takes from tens of seconds to a few minutes to create an account, so
// the status is read every poll interval (foundation.WithPollInterval's
// first value, 2 s by default) without backing off: a doubling backoff
// would learn of a creation that took 60 s up to 30 s late, holding one of
// the five creation slots all that time. Five creations in progress read at
// that cadence make 2.5 DescribeCreateAccountStatus calls a second.
func (r *run) waitCreation(ctx context.Context, spec AccountSpec, requestID string) (string, error) {
	var accountID string
	cadence := r.o
	cadence.MaxPollInterval = cadence.PollInterval
	err := r.rec.Wait(ctx, cadence, fmt.Sprintf("the creation of account %q (%s)", spec.Email, requestID), func(ctx context.Context) (bool, error) {
		out, err := r.api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(requestID)}, retryCME)
		if is[*types.CreateAccountStatusNotFoundException](err) {
			return false, nil // not visible yet
		}
		if err != nil {
			return false, err
		}
		st := out.CreateAccountStatus
		switch st.State {
		case types.CreateAccountStateSucceeded:
			accountID = aws.ToString(st.AccountId)
			return true, nil
		case types.CreateAccountStateFailed:
			return false, &AccountCreationError{Email: spec.Email, Name: spec.Name, Reason: st.FailureReason, RequestID: requestID}
		}
		return false, nil
	})
	if err != nil {
		if is[*AccountCreationError](err) {
			return "", err
		}
		return "", fmt.Errorf("organizations: account %q: wait for creation: %w", spec.Email, err)
	}
	return accountID, nil
}

// newAccount is the account this run created for spec, whose creation
// status named id: ACTIVE, in the root, with the spec's name and email, and
// the ARN AWS gives accounts (that of the root with account/ORG/ID for
// root/ORG/ROOT). Only when the root's ARN does not have that form is the
// account read (DescribeAccount).
func (r *run) newAccount(ctx context.Context, spec AccountSpec, id string) (*types.Account, error) {
	a := &types.Account{Id: aws.String(id), Name: aws.String(spec.Name), Email: aws.String(spec.Email),
		State: types.AccountStateActive, Status: types.AccountStatusActive}
	if arn := accountARN(r.root.arn, id); arn != "" {
		a.Arn = aws.String(arn)
	} else {
		out, err := r.api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)}, retryCME)
		if err != nil {
			return nil, fmt.Errorf("organizations: account %q: describe %s: %w", spec.Email, id, err)
		}
		a = out.Account
	}
	r.created(*a)
	return a, nil
}

// accountARN returns the ARN of account id in the organization whose root
// has rootARN (arn:PARTITION:organizations::MGMT:root/ORG/ROOT gives
// arn:PARTITION:organizations::MGMT:account/ORG/ID), or "" when rootARN does
// not have that form.
func accountARN(rootARN, id string) string {
	prefix, rest, ok := strings.Cut(rootARN, ":root/")
	if !ok || !strings.HasPrefix(prefix, "arn:") {
		return ""
	}
	org, _, ok := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(org, "o-") {
		return ""
	}
	return prefix + ":account/" + org + "/" + id
}
