package kms_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/kms"
)

// stepOf is how errors name each mutating call.
var stepOf = map[string]string{
	"iam:CreateServiceLinkedRole": `kms: service-linked role "AWSServiceRoleForAutoScaling": create service-linked role: `,
	"kms:CreateKey":               `kms: key "alias/prod-us-east-1-main": create key: `,
	"kms:CreateAlias":             `kms: key "alias/prod-us-east-1-main": create alias: `,
	"kms:EnableKeyRotation":       `kms: key "alias/prod-us-east-1-main": enable key rotation: `,
}

// TestFaultAtEveryMutatingCall fails each mutating call of a fresh run of
// seed 000's key in turn, before the write (AWS refused) and after it (the
// write happened, the answer was lost). The error is wrapped once, naming
// the step, and keeps the AWS error; running again without the fault
// reaches exactly the state of an undisturbed run. A retryable 500 after
// the write converges without a rerun and without a second resource.
func TestFaultAtEveryMutatingCall(t *testing.T) {
	awstest.FaultMatrix[string]{
		Setup: func(t *testing.T, _ context.Context, b *awstest.Backend) string { return b.AccountID(t) },
		Run: func(ctx context.Context, b *awstest.Backend, account string) error {
			k, err := kms.EnsureKey(ctx, apiFor(b), seedSpec(account, "prod", "us-east-1"), awstest.Fast()...)
			if err != nil && k != nil {
				return errors.New("a result with the error: " + err.Error())
			}
			return err
		},
		Calls: len(stepOf),
		// lost-500: each write applied and its answer lost as a retryable
		// 500; the SDK retries the idempotent ones, and CreateKey adopts
		// the key the lost attempt made instead of making a second one.
		// kms-internal: KMS's own retryable error (KMSInternalException,
		// 500) before the write: retried (by the SDK, or for CreateKey by
		// looking for the key first and then creating it again).
		Variants: []awstest.FaultVariant{{Name: "before"}, {Name: "after", After: true}, awstest.LostAnswer500, notApplied500,
			{Name: "kms-internal", Retried: true, Err: &emulator.APIError{Status: 500, Code: "KMSInternalException", Message: "injected"}}},
		Check: func(t *testing.T, op string, err error) {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
				!strings.HasPrefix(err.Error(), stepOf[op]) || strings.Count(err.Error(), "kms: ") != 1 {
				t.Fatalf("fault at %s: err = %v", op, err)
			}
		},
	}.Test(t)
}

// TestFailedRunReportsWhatItMade: a run that fails after some writes
// returns, with the error, the changes it made (the service-linked role and
// the key, not the alias CreateAlias was refused).
func TestFailedRunReportsWhatItMade(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the account's Auto Scaling service-linked role is created here
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	e.FailNth(emulator.Match{Service: "kms", Operation: "CreateAlias"}, 1, emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"})
	mark := b.Mark()
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	var inc *foundation.IncompleteError
	var ae smithy.APIError
	if k != nil || !errors.As(err, &inc) || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("k = %+v, err = %v", k, err)
	}
	want := []string{"create iam:service-linked-role " + slrName, "create kms:key " + spec.Alias}
	if got := changeList(inc.Changes); !slices.Equal(got, want) {
		t.Errorf("changes of the failed run\n got %q\nwant %q", got, want)
	}
	if n := len(b.MutatingCalls(mark)); n != 3 { // the two made and the refused CreateAlias
		t.Errorf("%d mutating calls: %v", n, ops(b.MutatingCalls(mark)))
	}
	if !strings.HasPrefix(err.Error(), `kms: key "`+spec.Alias+`": create alias: `) {
		t.Errorf("the error's message is not the wrapped error's: %v", err)
	}
}

// TestConcurrentModificationOnTheServiceLinkedRoleIsRetried: IAM's
// ConcurrentModification on CreateServiceLinkedRole is retried; the run
// converges to the undisturbed run's state.
func TestConcurrentModificationOnTheServiceLinkedRoleIsRetried(t *testing.T) {
	awstest.FaultMatrix[string]{
		Setup: func(t *testing.T, _ context.Context, b *awstest.Backend) string { return b.AccountID(t) },
		Run: func(ctx context.Context, b *awstest.Backend, account string) error {
			_, err := kms.EnsureKey(ctx, apiFor(b), seedSpec(account, "prod", "us-east-1"), awstest.Fast()...)
			return err
		},
		Match: emulator.Match{Service: "iam"},
		Calls: 1,
		Err: &emulator.APIError{Status: 409, Code: "ConcurrentModification",
			Message: "injected: multiple requests to change this object were submitted simultaneously"},
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}},
	}.Test(t)
}

// notApplied500 is a retryable 500 before the write: AWS did not apply it.
// A create guarded by a read (awsretry.Create) finds nothing and creates
// again; the others are retried by the SDK.
var notApplied500 = awstest.FaultVariant{Name: "500-before", Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: not applied"}}

// TestLostAnswersAreReportedAsMade: CreateServiceLinkedRole and CreateKey
// applied with their answer lost (a retryable 500 after the write) are not
// sent again: what they made is found and reported as this run's change,
// exactly the undisturbed run's changes.
func TestLostAnswersAreReportedAsMade(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	ref := awstest.New(t)
	ref.RequireEmulator(t, awstest.CapFaults)
	undisturbed, err := kms.EnsureKey(ctx, apiFor(ref), seedSpec(ref.AccountID(t), "prod", "us-east-1"), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []emulator.Match{{Service: "iam", Operation: "CreateServiceLinkedRole"}, {Service: "kms", Operation: "CreateKey"}} {
		t.Run(m.Operation, func(t *testing.T) {
			b := awstest.New(t)
			e := b.RequireEmulator(t, awstest.CapFaults)
			f := e.AddFault(&emulator.Fault{Match: m, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
			mark := e.CallCount()
			k, err := kms.EnsureKey(ctx, apiFor(b), seedSpec(b.AccountID(t), "prod", "us-east-1"), awstest.Fast()...)
			if err != nil || f.Fired() != 1 {
				t.Fatalf("err = %v, fault fired %d times", err, f.Fired())
			}
			n := 0
			for _, c := range e.CallsSince(mark) {
				if c.Operation == m.Operation {
					n++
				}
			}
			if got, want := changeList(k.Changes), changeList(undisturbed.Changes); n != 1 || !slices.Equal(got, want) {
				t.Errorf("%d %s calls; changes\n got %q\nwant %q", n, m.Operation, got, want)
			}
		})
	}
}
