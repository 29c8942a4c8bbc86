package statebackend_test

import (
	"slices"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// A CreateBucket or CreateTable that AWS applied but whose answer was lost
// (a 500) is not sent again: the bucket or table is found, adopted and
// reported as created, and the run converges it in one go; a rerun
// changes nothing. In eu-west-1, where a second CreateBucket of an owned
// bucket answers BucketAlreadyOwnedByYou, the creation would otherwise go
// unreported.
func TestLostCreateAnswerIsAdoptedAndReported(t *testing.T) {
	var s awstest.Subtests
	defer s.Done(t)
	for _, tc := range []struct{ service, op, res string }{
		{"s3", "CreateBucket", statebackend.ResBucket},
		{"dynamodb", "CreateTable", statebackend.ResTable},
	} {
		s.Run(t, tc.op, func(t *testing.T) {
			b := awstest.New(t, awstest.WithRegion("eu-west-1"))
			e := b.RequireEmulator(t, awstest.CapFaults)
			ctx := awstest.Context(t, 20*time.Second)
			spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
			f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: tc.service, Operation: tc.op}, Nth: 1, AfterHandler: true,
				Err: &emulator.APIError{Status: 500, Code: "InternalError", Message: "injected: applied, answer lost"}})
			mark := b.Mark()
			r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil || f.Fired() != 1 {
				t.Fatalf("fired %d, err %v", f.Fired(), err)
			}
			creates := 0
			for _, c := range b.Calls(mark) {
				if c.Operation == tc.op {
					creates++
				}
			}
			reported := slices.ContainsFunc(r.Changes, func(c foundation.Change) bool {
				return c.Action == foundation.ActionCreate && c.Resource == tc.res
			})
			if creates != 1 || !reported {
				t.Errorf("%d %s calls, changes %v", creates, tc.op, r.Changes)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return r.Changes, nil
			})
		})
	}
}
