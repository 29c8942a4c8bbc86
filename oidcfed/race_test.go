package oidcfed_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// TestConcurrentRunsConverge runs the seed's setup from several goroutines
// at once on a fresh account: creates race (EntityAlreadyExists), every run
// succeeds, and the account ends in the state of a single run.
func TestConcurrentRunsConverge(t *testing.T) {
	e := newAccount(t)
	// Where the backend has snapshots, the state is compared with a run
	// alone's.
	var want []byte
	if e.b.Has(awstest.CapSnapshot) {
		ref := newAccount(t)
		if err := ref.faultSetup(); err != nil {
			t.Fatal(err)
		}
		var err error
		if want, err = ref.b.RequireEmulator(t, awstest.CapSnapshot).Snapshot(); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.faultSetup()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if want != nil {
		got, err := e.b.RequireEmulator(t, awstest.CapSnapshot).Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("state after concurrent runs:\n%s\nwant\n%s", got, want)
		}
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return nil, e.faultSetup() })
}

// TestLostCreateResponsesConverge: IAM creates the provider and the role
// but the answers are lost (500); the SDK retries, IAM answers
// EntityAlreadyExists, and the run converges what exists.
func TestLostCreateResponsesConverge(t *testing.T) {
	e := newAccount(t)
	em := e.b.RequireEmulator(t, awstest.CapFaults)
	ref := newAccount(t)
	if _, err := ref.setupSeed(); err != nil {
		t.Fatal(err)
	}
	want, _ := ref.b.RequireEmulator(t, awstest.CapSnapshot).Snapshot()

	lost := &emulator.APIError{Status: 500, Code: "ServiceFailure", Message: "injected after the work was done"}
	for _, op := range []string{"CreateOpenIDConnectProvider", "CreateRole"} {
		em.AddFault(&emulator.Fault{Match: emulator.Match{Service: "iam", Operation: op}, Nth: 1, AfterHandler: true, Err: lost})
	}
	if _, err := e.setupSeed(); err != nil {
		t.Fatal(err)
	}
	got, _ := em.Snapshot()
	if !bytes.Equal(got, want) {
		t.Fatalf("state:\n%s\nwant\n%s", got, want)
	}
	e.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return e.setupSeed() })
}
