package statebackend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// Tagging the lock table refused while another change to it settles
// (DynamoDB ResourceInUseException, a conflict) is retried once the table
// is ACTIVE, not returned: the run converges and a rerun changes nothing.
func TestTagTableBusyIsRetried(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB,
		LockTable: b.Unique("tf-locks"), Tags: map[string]string{"team": "platform"}}
	if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec.Tags["team"] = "infra"
	f := e.FailNth(emulator.Match{Service: "dynamodb", Operation: "TagResource"}, 1,
		emulator.APIError{Status: 400, Code: "ResourceInUseException", Message: "injected: Attempt to change a resource which is still in use"})
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fired() != 1 || !strings.Contains(got.Changes.String(), statebackend.ResTableTags) {
		t.Errorf("fired %d, changes %v", f.Fired(), got.Changes)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}
