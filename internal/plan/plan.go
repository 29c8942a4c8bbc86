// Package plan is the one gate between the library and AWS writes. Every
// mutating call of every package goes through a Recorder:
//
//	rec := plan.New(o)                     // once per exported call
//	err := rec.Write(ctx, change, func(ctx context.Context) error {
//		_, err := api.CreateThing(ctx, in)  // runs only in a real run
//		return err
//	})
//
// It owns the concerns that every write site used to repeat:
//
//   - Dry run: in a dry run the write function is never called; the
//     change is recorded as planned. No package tests the dry-run option
//     itself: a write outside Do or Write is a bug, whatever the mode.
//   - Change recording: a change is recorded once its write succeeded
//     (or, in a dry run, at once), logged at debug level, and appended to
//     the Recorder and every Recorder it was made from (Child), so a
//     per-account result and the whole call's result agree.
//   - Changes found already made: a write that discovers its change was
//     made meanwhile (a retry whose first answer was lost, another run)
//     returns ErrUnchanged; nothing is recorded and Do reports success.
//   - Partial results: Fail wraps an error with the changes made so far in
//     a *foundation.IncompleteError, so a failed call still says what it
//     did.
//   - Predicted identifiers: a dry run cannot learn the ID AWS will give a
//     resource it only plans. Predict returns a placeholder that reads as
//     such in reports and that IsPredicted recognises, so a later call of
//     the same dry run (a key ARN given to a state backend, a policy ID to
//     an attachment) plans with it instead of failing validation or
//     reading AWS for it.
//   - Waits: asynchronous work is waited for with Wait, which in a dry run
//     (where nothing was started) does not wait.
//
// Planning reports whether writes are only planned. Reads use it to plan
// on the state that planned writes would have made (an organization that
// would be created has no root to read yet); it never gates a write.
package plan

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
)

// ErrUnchanged is what a write function returns when it found its change
// already made (AWS answered "already exists" for the very thing the spec
// asks for). Do then records nothing and returns no error.
var ErrUnchanged = errors.New("plan: change already made")

// Recorder records the changes of one exported call and gates its writes.
// It is safe for concurrent use; the goroutines of a call share it or
// children of it.
type Recorder struct {
	g       *gate
	parent  *Recorder
	changes foundation.Changes // guarded by g.mu
}

// gate is what a Recorder and its children share.
type gate struct {
	dryRun bool
	log    *slog.Logger

	mu      sync.Mutex
	planned map[string]bool // Resource + "\x00" + ID of changes planned in a dry run
}

// New returns the Recorder of one exported call run with options o.
func New(o call.Options) *Recorder {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{g: &gate{dryRun: o.DryRun, log: log, planned: map[string]bool{}}}
}

// Child returns a Recorder whose changes are also recorded in r (and in
// r's ancestors): the changes of one account, OU or role within a call.
func (r *Recorder) Child() *Recorder { return &Recorder{g: r.g, parent: r} }

// Planning reports whether this call only plans its writes (a dry run).
// Reads use it to plan on the state planned writes would have made; writes
// never need it: Do does not call them when planning.
func (r *Recorder) Planning() bool { return r.g.dryRun }

// Do makes one write and records its change c. In a dry run write is not
// called, c is recorded as planned and applied is false. Otherwise write is
// called: when it fails, nothing is recorded and its error is returned;
// when it returns ErrUnchanged, nothing is recorded and Do returns (true,
// nil); when it succeeds, c is recorded and applied is true.
func (r *Recorder) Do(ctx context.Context, c foundation.Change, write func(context.Context) error) (applied bool, err error) {
	if r.g.dryRun {
		r.record(c)
		r.g.mu.Lock()
		r.g.planned[key(c.Resource, c.ID)] = true
		r.g.mu.Unlock()
		return false, nil
	}
	if err := write(ctx); err != nil {
		if errors.Is(err, ErrUnchanged) {
			r.g.log.Debug("already made", slog.String("change", c.String()))
			return true, nil
		}
		return false, err
	}
	r.record(c)
	return true, nil
}

// Write is Do for callers that need not know whether the write was made.
func (r *Recorder) Write(ctx context.Context, c foundation.Change, write func(context.Context) error) error {
	_, err := r.Do(ctx, c, write)
	return err
}

// Also records a change that a write already recorded by Do made as well:
// one AWS call that makes several changes (CreateKey sets the policy, the
// description and the tags; a dry run of a create plans the settings that
// follow it). It is only ever called right after that Do, with its applied
// result, so it records in a dry run as Do did.
func (r *Recorder) Also(c foundation.Change) {
	r.record(c)
	if r.g.dryRun {
		r.g.mu.Lock()
		r.g.planned[key(c.Resource, c.ID)] = true
		r.g.mu.Unlock()
	}
}

// Planned reports whether a change to resource id was planned (not made) in
// this call: a later step reads that the resource would exist.
func (r *Recorder) Planned(resource, id string) bool {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	return r.g.planned[key(resource, id)]
}

// Wait waits for asynchronous work with the options' poll loop (see
// call.Options.Poll). In a dry run nothing was started, so it checks once
// and returns nil whatever the answer: the plan goes on with the state as
// read.
func (r *Recorder) Wait(ctx context.Context, o call.Options, what string, check func(context.Context) (done bool, err error)) error {
	if r.g.dryRun {
		_, err := check(ctx)
		return err
	}
	return o.Poll(ctx, what, check)
}

// Changes returns the changes recorded in r and its children, in order.
func (r *Recorder) Changes() foundation.Changes {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	if len(r.changes) == 0 {
		return nil
	}
	return append(foundation.Changes(nil), r.changes...)
}

// Fail returns err, wrapped in a *foundation.IncompleteError with the
// changes r recorded when there are any, so the caller learns what was made
// (or planned) before the failure. A nil err stays nil; an err that already
// carries an IncompleteError is returned as is.
func (r *Recorder) Fail(err error) error {
	if err == nil {
		return nil
	}
	var inc *foundation.IncompleteError
	if errors.As(err, &inc) {
		return err
	}
	cs := r.Changes()
	if len(cs) == 0 {
		return err
	}
	return &foundation.IncompleteError{Changes: cs, Err: err}
}

func (r *Recorder) record(c foundation.Change) {
	r.g.mu.Lock()
	for n := r; n != nil; n = n.parent {
		n.changes = append(n.changes, c)
	}
	r.g.mu.Unlock()
	r.g.log.Debug("change", slog.String("change", c.String()), slog.Bool("dryRun", r.g.dryRun))
}

func key(resource, id string) string { return resource + "\x00" + id }

// Predict returns the placeholder a dry run reports for an identifier AWS
// assigns when it creates a resource: foundation.PredictedID. Ensure
// functions return it from a dry run where a real run returns the new
// identifier, so the next call of the same dry run plans with it.
func Predict(kind, name string) string { return foundation.PredictedID(kind, name) }

// IsPredicted reports whether id is a placeholder made by Predict
// (foundation.IsPredicted). A function given one plans in a dry run as if
// the resource existed with nothing attached; in a real run it is an
// invalid spec (a dry run's result was passed to a real run).
func IsPredicted(id string) bool { return foundation.IsPredicted(id) }
