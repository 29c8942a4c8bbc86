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

func TestRetryPropagationIsBoundedByTimeAndOnlyForMalformedPolicy(t *testing.T) {
	o := call.Resolve(foundation.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	o.PropagationTimeout = 30 * time.Millisecond
	n := 0
	start := time.Now()
	err := RetryPropagation(context.Background(), o, func() error {
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
	err = RetryPropagation(context.Background(), o, func() error { n++; return &types.NoSuchEntityException{} })
	if n != 1 || !IsNoSuchEntity(err) {
		t.Fatalf("other errors are not retried: %d attempts, %v", n, err)
	}
	n = 0
	err = RetryPropagation(context.Background(), o, func() error {
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
	if got := (&PathConflictError{Role: "r", Have: "/a/", Want: "/"}).Error(); !strings.Contains(got, `exists with path "/a/", not "/"`) {
		t.Fatal(got)
	}
}
