package plan

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
)

var create = foundation.Change{Action: foundation.ActionCreate, Resource: "s3:bucket", ID: "b"}

func TestDryRunNeverWrites(t *testing.T) {
	rec := New(call.Resolve(foundation.WithDryRun(true)))
	require.True(t, rec.Planning())
	applied, err := rec.Do(context.Background(), create, func(context.Context) error {
		t.Fatal("a dry run called a write")
		return nil
	})
	require.NoError(t, err)
	require.False(t, applied)
	require.Equal(t, foundation.Changes{create}, rec.Changes())
	require.True(t, rec.Planned("s3:bucket", "b"))
	require.False(t, rec.Planned("s3:bucket", "other"))
	// A wait in a dry run checks once and does not wait.
	n := 0
	require.NoError(t, rec.Wait(context.Background(), call.Resolve(), "x", func(context.Context) (bool, error) { n++; return false, nil }))
	require.Equal(t, 1, n)
}

func TestRealRunRecordsOnlySuccessfulWrites(t *testing.T) {
	rec := New(call.Resolve())
	require.False(t, rec.Planning())
	child := rec.Child()
	boom := errors.New("boom")
	applied, err := child.Do(context.Background(), create, func(context.Context) error { return boom })
	require.ErrorIs(t, err, boom)
	require.False(t, applied)
	require.Empty(t, rec.Changes())

	applied, err = child.Do(context.Background(), create, func(context.Context) error { return ErrUnchanged })
	require.NoError(t, err)
	require.True(t, applied)
	require.Empty(t, rec.Changes(), "a change found already made is not recorded")

	require.NoError(t, child.Write(context.Background(), create, func(context.Context) error { return nil }))
	other := foundation.Change{Action: foundation.ActionUpdate, Resource: "s3:bucket-versioning", ID: "b"}
	child.Also(other)
	require.Equal(t, foundation.Changes{create, other}, child.Changes())
	require.Equal(t, foundation.Changes{create, other}, rec.Changes(), "a child records into its parent")
	require.False(t, rec.Planned("s3:bucket", "b"), "a made change is not a planned one")
}

func TestFailCarriesTheChangesMade(t *testing.T) {
	rec := New(call.Resolve())
	boom := errors.New("boom")
	require.Same(t, boom, rec.Fail(boom), "no change made: the error as is")
	require.NoError(t, rec.Fail(nil))
	require.NoError(t, rec.Write(context.Background(), create, func(context.Context) error { return nil }))
	err := rec.Fail(boom)
	var inc *foundation.IncompleteError
	require.ErrorAs(t, err, &inc)
	require.ErrorIs(t, err, boom)
	require.Equal(t, "boom", err.Error())
	require.Equal(t, foundation.Changes{create}, inc.Changes)
	require.Same(t, err, rec.Fail(err), "not wrapped twice")
}

func TestPredicted(t *testing.T) {
	id := Predict("kms key", "alias/state")
	require.Equal(t, "(known after apply: kms key alias/state)", id)
	require.True(t, IsPredicted(id))
	require.False(t, IsPredicted("arn:aws:kms:us-east-1:123456789012:key/1234"))
	require.False(t, IsPredicted(""))
}

func TestWidth(t *testing.T) {
	require.Equal(t, 4, call.Resolve().Width(4, 10))
	require.Equal(t, 7, call.Resolve(foundation.WithConcurrency(7)).Width(4, 10))
	require.Equal(t, 10, call.Resolve(foundation.WithConcurrency(70)).Width(4, 10))
	require.Equal(t, 70, call.Resolve(foundation.WithConcurrency(70)).Width(4, 0))
}

func TestReplacePredicted(t *testing.T) {
	acct := Predict("account", "dev@example.com")
	s := "state-" + acct + "-" + Predict("kms key", "alias/x") + "-end"
	if !ContainsPredicted(s) || ContainsPredicted("state-123456789012") {
		t.Fatalf("ContainsPredicted wrong for %q", s)
	}
	got := ReplacePredicted(s, func(id string) string {
		if id == acct {
			return "123456789012"
		}
		return "K"
	})
	if want := "state-123456789012-K-end"; got != want {
		t.Fatalf("ReplacePredicted = %q, want %q", got, want)
	}
	if got := ReplacePredicted("plain", func(string) string { return "x" }); got != "plain" {
		t.Fatalf("ReplacePredicted(plain) = %q", got)
	}
}
