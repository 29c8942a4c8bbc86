package kms_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/kms"
)

// stepOf is how errors name each mutating call.
var stepOf = map[string]string{
	"CreateServiceLinkedRole": `kms: service-linked role "AWSServiceRoleForAutoScaling": create service-linked role: `,
	"CreateKey":               `kms: key "alias/prod-us-east-1-main": create key: `,
	"CreateAlias":             `kms: key "alias/prod-us-east-1-main": create alias: `,
	"EnableKeyRotation":       `kms: key "alias/prod-us-east-1-main": enable key rotation: `,
}

// TestFaultAtEveryMutatingCall fails each mutating call of a fresh run of
// seed 000's key in turn, before the write (AWS refused) and after it (the
// write happened, the answer was lost). The error is wrapped once, naming
// the step, and keeps the AWS error; running again without the fault
// reaches exactly the state of an undisturbed run.
func TestFaultAtEveryMutatingCall(t *testing.T) {
	ref := awstest.New(t)
	e := ref.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 60*time.Second)
	if _, err := kms.EnsureKey(ctx, apiFor(ref), seedSpec(ref.AccountID(t), "prod", "us-east-1"), fast()...); err != nil {
		t.Fatal(err)
	}
	var opsMade []string
	for _, c := range e.MutatingCallsSince(0) {
		opsMade = append(opsMade, c.Operation)
	}
	want, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(opsMade) != len(stepOf) {
		t.Fatalf("fresh run made %v", opsMade)
	}
	for _, after := range []bool{false, true} {
		for i, op := range opsMade {
			t.Run(fmt.Sprintf("after=%v/%d-%s", after, i+1, op), func(t *testing.T) {
				b := awstest.New(t)
				e := b.RequireEmulator(t, awstest.CapFaults)
				f := e.AddFault(&emulator.Fault{
					Match: emulator.Match{MutatingOnly: true}, Nth: i + 1, AfterHandler: after,
					Err: &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"},
				})
				spec := seedSpec(b.AccountID(t), "prod", "us-east-1")
				k, err := kms.EnsureKey(ctx, apiFor(b), spec, fast()...)
				var ae smithy.APIError
				if err == nil || k != nil || f.Fired() != 1 || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
					!strings.HasPrefix(err.Error(), stepOf[op]) || strings.Count(err.Error(), "kms: ") != 1 {
					t.Fatalf("fault at %s (fired %d): err = %v", op, f.Fired(), err)
				}
				e.RemoveFault(f)
				if _, err := kms.EnsureKey(ctx, apiFor(b), spec, fast()...); err != nil {
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
