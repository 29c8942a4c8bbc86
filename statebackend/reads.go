package statebackend

import (
	"context"

	"github.com/awsfoundation/foundation/internal/bounded"
)

// DefaultReadConcurrency is how many reads Bootstrap makes at once
// (foundation.WithConcurrency changes it): the bucket's seven settings and
// the lock table's point-in-time recovery and tags are read side by side,
// after HeadBucket and DescribeTable, which are read side by side too.
const DefaultReadConcurrency = 9

// read is one read of a run, made side by side with the others of its
// stage (readAll). Its error is kept for the point where the run uses
// what it read, so a run fails with the same error, after the same
// writes, as when every read was made there.
type read struct {
	fn   func(context.Context) error
	done bool
	err  error
}

func newRead(fn func(context.Context) error) *read { return &read{fn: fn} }

// result returns the read's error, making the read now when readAll did
// not make it (its context ended first, or it was never part of a stage).
func (rd *read) result(ctx context.Context) error {
	if !rd.done {
		rd.err, rd.done = rd.fn(ctx), true
	}
	return rd.err
}

// readAll makes the reads (nil ones skipped) side by side, at most the
// options' Width(DefaultReadConcurrency) at once, with bounded.ForEach.
// It returns when every started read has returned.
func (r *run) readAll(ctx context.Context, reads ...*read) {
	var todo []*read
	for _, rd := range reads {
		if rd != nil && !rd.done {
			todo = append(todo, rd)
		}
	}
	if len(todo) == 0 {
		return
	}
	_ = bounded.ForEach(ctx, len(todo), r.o.Width(DefaultReadConcurrency, 0), func(ctx context.Context, i int) error {
		rd := todo[i]
		rd.err, rd.done = rd.fn(ctx), true
		return rd.err
	})
}
