package organizations

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/awsfoundation/foundation"
)

// AccountWork is work done for one account of a tree as soon as that
// account is converged: created (or found), moved into its OU and tagged.
// It returns the changes it made (in a dry run: would make); they are
// recorded with the account's own. The Account it is given is the one the
// result will list; it must not be changed.
//
// In a dry run it is called for every account, with a predicted ID
// (foundation.IsPredicted) for one that would be created: plan the work, or
// leave it out, as for ForEachAccount.
type AccountWork func(ctx context.Context, a *Account) (foundation.Changes, error)

// EnsureTreeEach is EnsureTree that also runs work for each account of the
// spec as soon as that account is converged, while the other accounts are
// still being created: the follow-on work of a landing zone (a member
// account's config through AccountConfig, its key, its state backend)
// starts minutes earlier for the first accounts than after the whole tree.
// Work runs at most foundation.WithConcurrency(n) accounts at once (default
// DefaultFanOutConcurrency), apart from the account creations, which keep
// their own limit of DefaultAccountCreationConcurrency.
//
// Organization-wide work that needs no account (permission sets, groups,
// policies) can run beside EnsureTreeEach in another goroutine: the
// functions are safe for concurrent use.
//
// An account whose convergence or work fails does not stop the others:
// every account is converged and worked on, then the errors are returned
// joined, each naming its account, carrying every change made, the work's
// included (a *foundation.IncompleteError). On success the work's changes
// are in each Account's Changes, after the account's own, and in the
// result's Changes.
func EnsureTreeEach(ctx context.Context, api EnsureTreeAPI, spec TreeSpec, work AccountWork, opts ...foundation.Option) (*TreeResult, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if work == nil {
		f.add("work", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return ensureTreeWith(ctx, api, spec, treeFields, work, opts)
}

// workQueue runs AccountWork for accounts as they are converged, at most
// limit at once, recording each one's changes with the account's.
type workQueue struct {
	work AccountWork
	run  *run
	sem  chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
}

func newWorkQueue(r *run, work AccountWork, limit int) *workQueue {
	if work == nil {
		return nil
	}
	return &workQueue{work: work, run: r, sem: make(chan struct{}, limit)}
}

// start runs the work for a (converged) in its own goroutine once a slot
// is free; the caller goes on converging the next account.
func (q *workQueue) start(ctx context.Context, a *Account) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		select {
		case q.sem <- struct{}{}:
		case <-ctx.Done():
			q.fail(fmt.Errorf("organizations: account %q: work: %w", a.Email, ctx.Err()))
			return
		}
		defer func() { <-q.sem }()
		changes, err := q.work(ctx, a)
		// The work's changes join the account's, and the run's (so a
		// failure elsewhere still reports them), also when it failed.
		rec := q.run.rec.Child()
		for _, c := range changes {
			rec.Also(c)
		}
		a.Changes = append(a.Changes, changes...)
		if err != nil {
			q.fail(fmt.Errorf("organizations: account %q: work: %w", a.Email, err))
		}
	}()
}

func (q *workQueue) fail(err error) {
	q.mu.Lock()
	q.errs = append(q.errs, err)
	q.mu.Unlock()
}

// wait waits for every work started and returns their errors joined.
func (q *workQueue) wait() error {
	q.wg.Wait()
	return errors.Join(q.errs...)
}
