package statebackend_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// stepOf is the step each mutating operation is named by in errors.
var stepOf = map[string]string{
	"CreateBucket":                    "create bucket",
	"PutPublicAccessBlock":            "put public access block",
	"PutBucketOwnershipControls":      "put ownership controls",
	"PutBucketEncryption":             "put encryption",
	"PutBucketVersioning":             "put versioning",
	"PutBucketLifecycleConfiguration": "put lifecycle configuration",
	"PutBucketPolicy":                 "put bucket policy",
	"PutBucketTagging":                "put tags",
	"CreateTable":                     "create table",
	"UpdateTable":                     "update",
	"UpdateContinuousBackups":         "update point-in-time recovery",
	"TagResource":                     "tag table",
}

// faultSpecs are the bootstraps whose every mutating call is failed: the
// bucket alone, and the bucket with every optional write plus the table.
var faultSpecs = map[string]func(t *testing.T, b *awstest.Backend) statebackend.Spec{
	"lockfile": func(t *testing.T, b *awstest.Backend) statebackend.Spec {
		return statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}
	},
	"both-kms-tags": func(t *testing.T, b *awstest.Backend) statebackend.Spec {
		return statebackend.Spec{
			Bucket: b.Unique("tfstate"), Region: b.Region, KMSKeyID: keyARN(t, b, testKeyID),
			Locking: statebackend.LockBoth, LockTable: b.Unique("tf-locks"), LockTableKMSKeyID: keyARN(t, b, testTableID),
			Tags: map[string]string{"team": "platform"},
		}
	},
}

// TestFaultAtEveryMutatingCall fails each mutating call of a fresh bootstrap
// in turn, before the write (AWS refused) and after it (the write happened,
// the answer was lost). Each failure is reported wrapped, naming the step;
// running again without the fault reaches exactly the reference state.
func TestFaultAtEveryMutatingCall(t *testing.T) {
	var s awstest.Subtests
	for name, faultSpec := range faultSpecs {
		s.Run(t, name, func(t *testing.T) { testFaultAtEveryMutatingCall(t, faultSpec) })
	}
	s.Done(t)
}

func testFaultAtEveryMutatingCall(t *testing.T, faultSpec func(*testing.T, *awstest.Backend) statebackend.Spec) {
	ref := awstest.New(t)
	ref.Require(t, awstest.CapFaults, awstest.CapSnapshot)
	e := ref.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 60*time.Second)
	if _, err := statebackend.Bootstrap(ctx, apiFor(ref), faultSpec(t, ref), fast()...); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range e.MutatingCallsSince(0) {
		ops = append(ops, c.Operation)
	}
	want, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reference bootstrap: %d mutating calls: %v", len(ops), ops)
	if len(ops) < 4 {
		t.Fatalf("too few mutating calls: %v", ops)
	}

	for _, after := range []bool{false, true} {
		for i, op := range ops {
			t.Run(fmt.Sprintf("after=%v/%d-%s", after, i+1, op), func(t *testing.T) {
				b := awstest.New(t)
				e := b.RequireEmulator(t, awstest.CapFaults)
				spec := faultSpec(t, b)
				f := e.AddFault(&emulator.Fault{
					Match: emulator.Match{MutatingOnly: true}, Nth: i + 1, AfterHandler: after,
					Err: &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"},
				})
				_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, fast()...)
				if err == nil {
					t.Fatalf("no error with a fault at %s", op)
				}
				if f.Fired() != 1 {
					t.Fatalf("fault fired %d times", f.Fired())
				}
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
					t.Errorf("error does not wrap the AWS error: %v", err)
				}
				if !strings.Contains(err.Error(), stepOf[op]) || !strings.HasPrefix(err.Error(), "statebackend: ") {
					t.Errorf("error does not name the step %q: %v", stepOf[op], err)
				}
				e.RemoveFault(f)
				if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, fast()...); err != nil {
					t.Fatalf("re-run: %v", err)
				}
				got, err := e.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("state after recovery differs from the reference:\n%s", firstDiff(got, want))
				}
			})
		}
	}
}

// TestFaultDuringDriftRepair does the same for the run that repairs a
// drifted backend, which makes the calls a fresh bootstrap never makes
// (PutPublicAccessBlock, PutBucketOwnershipControls, UpdateTable,
// TagResource).
func TestFaultDuringDriftRepair(t *testing.T) {
	ref := awstest.New(t)
	ref.Require(t, awstest.CapFaults, awstest.CapSnapshot)
	e := ref.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 60*time.Second)
	spec, _, _ := driftedBackend(t, ctx, ref)
	mark := e.CallCount()
	if _, err := statebackend.Bootstrap(ctx, apiFor(ref), spec, fast()...); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range e.MutatingCallsSince(mark) {
		ops = append(ops, c.Operation)
	}
	want, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("drift repair: %d mutating calls: %v", len(ops), ops)
	for _, op := range []string{"PutPublicAccessBlock", "PutBucketOwnershipControls", "UpdateTable", "TagResource"} {
		if !slices.Contains(ops, op) {
			t.Errorf("repair does not call %s", op)
		}
	}
	for _, after := range []bool{false, true} {
		for i, op := range ops {
			t.Run(fmt.Sprintf("after=%v/%d-%s", after, i+1, op), func(t *testing.T) {
				b := awstest.New(t)
				e := b.RequireEmulator(t, awstest.CapFaults)
				spec, _, _ := driftedBackend(t, ctx, b)
				f := e.AddFault(&emulator.Fault{
					Match: emulator.Match{MutatingOnly: true}, Nth: i + 1, AfterHandler: after,
					Err: &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"},
				})
				_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, fast()...)
				var ae smithy.APIError
				if err == nil || f.Fired() != 1 || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
					!strings.Contains(err.Error(), stepOf[op]) {
					t.Fatalf("fault at %s (fired %d): err = %v", op, f.Fired(), err)
				}
				e.RemoveFault(f)
				if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, fast()...); err != nil {
					t.Fatalf("re-run: %v", err)
				}
				got, err := e.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("state after recovery differs from the reference:\n%s", firstDiff(got, want))
				}
			})
		}
	}
}

// firstDiff shows the first differing line of two snapshots, with context.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s\ncontext (want):\n%s", i+1, gl, wl, strings.Join(w[lo:min(len(w), i+3)], "\n"))
		}
	}
	return "(identical)"
}
