package iamrole

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
)

// Trust policy writes are retried with awsretry.Wait on
// MalformedPolicyDocumentException only, bounded by time.
func TestPropagationRetryIsBoundedByTimeAndOnlyForMalformedPolicy(t *testing.T) {
	retry := func(ctx context.Context, o call.Options, write func() error) error {
		return awsretry.Wait(ctx, o, isMalformedPolicy, func(context.Context) error { return write() })
	}
	o := call.Resolve(foundation.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	o.PropagationTimeout = 30 * time.Millisecond
	n := 0
	start := time.Now()
	err := retry(context.Background(), o, func() error {
		n++
		return &types.MalformedPolicyDocumentException{Message: new("Invalid principal in policy")}
	})
	var mpd *types.MalformedPolicyDocumentException
	var pe *awsretry.PropagationError
	if !errors.As(err, &mpd) || !errors.As(err, &pe) || pe.Attempts != n || n < 2 {
		t.Fatalf("after %d attempts: %v", n, err)
	}
	if d := time.Since(start); d < o.PropagationTimeout || d > time.Second {
		t.Fatalf("stopped after %s, not at the %s bound", d, o.PropagationTimeout)
	}
	n = 0
	err = retry(context.Background(), o, func() error { n++; return &types.NoSuchEntityException{} })
	if n != 1 || !IsNoSuchEntity(err) {
		t.Fatalf("other errors are not retried: %d attempts, %v", n, err)
	}
	n = 0
	err = retry(context.Background(), o, func() error {
		n++
		if n < 3 {
			return &types.MalformedPolicyDocumentException{}
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("a write that succeeds on attempt 3: %d, %v", n, err)
	}
}

func TestFaultsNameTheCallerPackage(t *testing.T) {
	errs := Faults(Spec{Package: "somepkg", Name: "bad name", Path: "/", MaxSessionDuration: time.Hour,
		Tags: map[string]string{"aws:owner": "x"}}.WithDefaults())
	if len(errs) != 2 {
		t.Fatalf("faults: %v", errs)
	}
	for _, err := range errs {
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.HasPrefix(err.Error(), "somepkg: spec.") {
			t.Fatalf("fault %v", err)
		}
	}
	if got := (&RoleConflictError{Package: "somepkg", Role: "r", Have: "/a/", Want: "/"}).Error(); got != `somepkg: role "r": exists with path "/a/", not "/"; IAM cannot move a role: delete it or change spec.Path` {
		t.Fatal(got)
	}
}
