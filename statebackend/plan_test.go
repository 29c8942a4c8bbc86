package statebackend_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/statebackend"
)

// TestDryRunWithAPredictedKey chains two dry runs as a program does: the
// key ARN a dry run of kms.EnsureKey predicts for the key it would create
// is the state backend's KMSKeyID. The plan is SSE-KMS with that key (not
// SSE-S3, as an empty ARN would plan), the rendered configuration names
// it, and the dry run lists what the real run, given the real key, makes.
func TestDryRunWithAPredictedKey(t *testing.T) {
	for _, locking := range []statebackend.Locking{statebackend.LockFile, statebackend.LockBoth} {
		t.Run(string(locking), func(t *testing.T) {
			b := awstest.New(t)
			// Where CreateBucket drops its tags, the real run tags after.
			b.Need(t, awstest.S3CreateBucketTags)
			ctx := awstest.Context(t, 20*time.Second)
			keyAPI := kms.API{KMS: awskms.NewFromConfig(b.Config())}
			keySpec := kms.Spec{Alias: "alias/" + b.Unique("state"), Policy: kms.KeyPolicy{AccountID: b.AccountID(t)},
				DisableRotation: b.Lacks(awstest.KMSRotationPeriod)}
			spec := func(keyARN string) statebackend.Spec {
				s := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, KMSKeyID: keyARN,
					Tags: map[string]string{"team": "platform"}}
				if locking == statebackend.LockBoth {
					s.Locking, s.LockTable, s.LockTableKMSKeyID = locking, b.Unique("tf-locks"), keyARN
				}
				return s
			}

			mark := b.Mark()
			dryKey, err := kms.EnsureKey(ctx, keyAPI, keySpec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil {
				t.Fatal(err)
			}
			if !plan.IsPredicted(dryKey.ARN) {
				t.Fatalf("the dry run's key ARN %q is not predicted", dryKey.ARN)
			}
			drySpec := spec(dryKey.ARN)
			dry, err := statebackend.Bootstrap(ctx, apiFor(b), drySpec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil {
				t.Fatal(err)
			}
			b.RequireNoMutations(t, mark)
			i := slices.IndexFunc(dry.Changes, func(c foundation.Change) bool { return c.Resource == statebackend.ResBucketEncryption })
			if i < 0 || !slices.Contains(dry.Changes[i].Diffs, foundation.Diff{Field: "SSEAlgorithm", From: "AES256", To: "aws:kms"}) ||
				!slices.Contains(dry.Changes[i].Diffs, foundation.Diff{Field: "KMSMasterKeyID", To: dryKey.ARN}) {
				t.Errorf("the dry run does not plan SSE-KMS with the predicted key:\n%s", dry.Changes)
			}
			if dry.Config.KMSKeyID != dryKey.ARN || !strings.Contains(dry.Config.Terraform(), `"`+dryKey.ARN+`"`) ||
				!strings.Contains(dry.Config.Terragrunt(), dryKey.ARN) {
				t.Errorf("the rendered configuration does not show the predicted key:\n%s", dry.Config.Terraform())
			}
			if locking == statebackend.LockBoth && !plan.IsPredicted(dry.LockTableARN) {
				t.Errorf("the planned table's ARN %q is not predicted", dry.LockTableARN)
			}

			// The real runs, in a fresh state backend of the same names.
			key, err := kms.EnsureKey(ctx, keyAPI, keySpec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			realSpec := drySpec
			realSpec.KMSKeyID = key.ARN
			if realSpec.LockTableKMSKeyID != "" {
				realSpec.LockTableKMSKeyID = key.ARN
			}
			real, err := statebackend.Bootstrap(ctx, apiFor(b), realSpec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			made := real.Changes
			if b.Lacks(awstest.S3BucketDefaults2023) {
				// As in TestDryRunListsWhatTheRealRunDoes.
				made = slices.DeleteFunc(slices.Clone(made), func(c foundation.Change) bool {
					return slices.Contains(defaults2023, c.Resource) && !slices.ContainsFunc(dry.Changes, func(d foundation.Change) bool { return d.Resource == c.Resource })
				})
			}
			if d, r := resources(dry.Changes), resources(made); !slices.Equal(d, r) {
				t.Errorf("the dry run planned %d changes\n  %s\nthe real run made %d\n  %s", len(d), strings.Join(d, "\n  "), len(r), strings.Join(r, "\n  "))
			}
			verifyBucket(t, ctx, b, b.S3(), realSpec)
		})
	}
}

// TestPredictedKeyIsRefusedInARealRun: a dry run's placeholder given to a
// real run is an invalid spec naming the field, before any call. Validate,
// which does not know the mode, accepts it.
func TestPredictedKeyIsRefusedInARealRun(t *testing.T) {
	b := awstest.New(t)
	predicted := plan.Predict("kms key", "alias/state")
	for _, tc := range []struct {
		field string
		spec  statebackend.Spec
	}{
		{"spec.KMSKeyID", statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, KMSKeyID: predicted}},
		{"spec.LockTableKMSKeyID", statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region,
			Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks"), LockTableKMSKeyID: predicted}},
	} {
		mark := b.Mark()
		got, err := statebackend.Bootstrap(t.Context(), apiFor(b), tc.spec, awstest.Fast()...)
		var se *foundation.SpecError
		if got != nil || !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Field != tc.field ||
			!strings.Contains(err.Error(), "dry run") {
			t.Errorf("%s: got %+v, err = %v", tc.field, got, err)
		}
		b.RequireNoCalls(t, mark)
		if err := tc.spec.Validate(); err != nil {
			t.Errorf("%s: Validate = %v", tc.field, err)
		}
	}
}

// TestFailedRunReportsWhatItMade: a bootstrap that fails after some writes
// returns, with the error, exactly the changes it made.
func TestFailedRunReportsWhatItMade(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}
	e.FailNth(emulator.Match{Service: "s3", Operation: "PutBucketPolicy"}, 1, emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
	mark := b.Mark()
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	var inc *foundation.IncompleteError
	var ae smithy.APIError
	if got != nil || !errors.As(err, &inc) || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
		!strings.HasPrefix(err.Error(), `statebackend: bucket "`+spec.Bucket+`": put bucket policy: `) {
		t.Fatalf("got %+v, err = %v", got, err)
	}
	want := []string{"create s3:bucket " + spec.Bucket, "update s3:bucket-versioning " + spec.Bucket, "update s3:bucket-lifecycle " + spec.Bucket}
	if r := resources(inc.Changes); !slices.Equal(r, want) {
		t.Errorf("changes of the failed run\n got %q\nwant %q", r, want)
	}
	if n := len(b.MutatingCalls(mark)); n != len(want)+1 { // and the refused PutBucketPolicy
		t.Errorf("%d mutating calls: %v", n, b.MutatingCalls(mark))
	}
}
