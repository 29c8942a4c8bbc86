package statebackend_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// stepOf is the step each mutating operation is named by in errors.
var stepOf = map[string]string{
	"s3:CreateBucket":                    "create bucket",
	"s3:PutPublicAccessBlock":            "put public access block",
	"s3:PutBucketOwnershipControls":      "put ownership controls",
	"s3:PutBucketEncryption":             "put encryption",
	"s3:PutBucketVersioning":             "put versioning",
	"s3:PutBucketLifecycleConfiguration": "put lifecycle configuration",
	"s3:PutBucketPolicy":                 "put bucket policy",
	"s3:PutBucketTagging":                "put tags",
	"dynamodb:CreateTable":               "create table",
	"dynamodb:UpdateTable":               "update",
	"dynamodb:UpdateContinuousBackups":   "update point-in-time recovery",
	"dynamodb:TagResource":               "tag table",
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

func bootstrap(ctx context.Context, b *awstest.Backend, spec statebackend.Spec) error {
	_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	return err
}

// faultVariants fail each call before the write, after it (the answer
// lost, not retried), and after it with a retryable 500 (the SDK sends
// the applied write again: it must neither fail nor make a second of
// anything).
var faultVariants = []awstest.FaultVariant{{Name: "before"}, {Name: "after", After: true}, awstest.LostAnswer500}

// checkFault: each failure is reported wrapped once, naming the step, and
// keeps the AWS error.
func checkFault(t *testing.T, op string, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("error does not wrap the AWS error: %v", err)
	}
	if !strings.Contains(err.Error(), stepOf[op]) || !strings.HasPrefix(err.Error(), "statebackend: ") {
		t.Errorf("error does not name the step %q: %v", stepOf[op], err)
	}
}

// TestFaultAtEveryMutatingCall fails each mutating call of a fresh bootstrap
// in turn, before the write (AWS refused) and after it (the write happened,
// the answer was lost). Each failure is reported wrapped, naming the step;
// running again without the fault reaches exactly the reference state.
func TestFaultAtEveryMutatingCall(t *testing.T) {
	t.Parallel()
	var s awstest.Subtests
	for name, faultSpec := range faultSpecs {
		s.Run(t, name, func(t *testing.T) {
			awstest.FaultMatrix[statebackend.Spec]{
				Setup:    func(t *testing.T, _ context.Context, b *awstest.Backend) statebackend.Spec { return faultSpec(t, b) },
				Run:      bootstrap,
				Check:    checkFault,
				Variants: faultVariants,

				PerOperation: true, // a sample: each operation and each variant once (FOUNDATION_TEST_MATRIX=1: every call)
			}.Test(t)
		})
	}
	s.Done(t)
}

// TestFaultDuringDriftRepair does the same for the run that repairs a
// drifted backend, which makes the calls a fresh bootstrap never makes
// (PutPublicAccessBlock, PutBucketOwnershipControls, UpdateTable,
// TagResource).
func TestFaultDuringDriftRepair(t *testing.T) {
	t.Parallel()
	var ops []string
	awstest.FaultMatrix[statebackend.Spec]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) statebackend.Spec {
			spec, _, _ := driftedBackend(t, ctx, b)
			return spec
		},
		Run:      bootstrap,
		Variants: faultVariants,
		// A sample: "before" fails the odd calls, "after" and "lost-500" the
		// even ones, so Check sees every call (FOUNDATION_TEST_MATRIX=1: all).
		Every: 2,
		Check: func(t *testing.T, op string, err error) {
			ops = append(ops, op)
			checkFault(t, op, err)
		},
	}.Test(t)
	if t.Failed() {
		return
	}
	for _, op := range []string{"s3:PutPublicAccessBlock", "s3:PutBucketOwnershipControls", "dynamodb:UpdateTable", "dynamodb:TagResource"} {
		if !slices.Contains(ops, op) {
			t.Errorf("repair does not call %s (failed: %v)", op, ops)
		}
	}
}
