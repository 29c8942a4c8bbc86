package examplekit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

// -json's format: one object per line with action, resource, id, account
// and (when there are) fields; ReadJSON reads it back.
func TestWriteJSONLines(t *testing.T) {
	var b bytes.Buffer
	cs := []AccountChange{
		{Account: "111111111111", Change: foundation.Change{Action: foundation.ActionCreate, Resource: "kms:key", ID: "alias/x"}},
		{Account: "", Change: foundation.Change{Action: foundation.ActionUpdate, Resource: "aws-config:profile", ID: "p",
			Diffs: []foundation.Diff{{Field: "region", From: "a", To: "b<c>"}}}},
	}
	if err := WriteJSON(&b, cs); err != nil {
		t.Fatal(err)
	}
	want := `{"action":"create","resource":"kms:key","id":"alias/x","account":"111111111111"}
{"action":"update","resource":"aws-config:profile","id":"p","account":"","fields":[{"field":"region","from":"a","to":"b<c>"}]}
`
	if b.String() != want {
		t.Fatalf("WriteJSON wrote\n%s\nwant\n%s", b.String(), want)
	}
	got, err := ReadJSON(strings.NewReader(b.String()))
	if err != nil || len(got) != 2 || got[1].Fields[0].To != "b<c>" {
		t.Fatalf("ReadJSON = %v, %v", got, err)
	}
	if _, err := ReadJSON(strings.NewReader("Changed 2 resources.\n")); err == nil {
		t.Fatal("ReadJSON accepts text that is not JSON")
	}
}

// A failed run's -json: the report's changes with their accounts, or
// without a report the changes its error carries.
func TestRunJSONOnFailure(t *testing.T) {
	var out, human bytes.Buffer
	old := Stderr
	Stderr = &human
	defer func() { Stderr = old }()
	failed := errors.New("boom")
	made := foundation.Changes{{Action: foundation.ActionCreate, Resource: "organizations:account", ID: "a@example.com"}}
	err := Run(&out, Flags{JSON: true, Once: true}, failsAfterPlan(&foundation.IncompleteError{Changes: made, Err: failed}))
	if !errors.Is(err, failed) {
		t.Fatalf("Run = %v, want the failure", err)
	}
	if !strings.Contains(out.String(), `"resource":"organizations:account"`) || strings.Contains(out.String(), "==") {
		t.Fatalf("stdout is not only the JSON of what was made:\n%s", out.String())
	}
	if !strings.Contains(human.String(), "== made before the failure") {
		t.Fatalf("stderr lacks the report:\n%s", human.String())
	}
}

// StandIns: a predicted account ID and an unknown portal URL get stand-ins
// of their form, and Restore puts the placeholders back into the changes.
func TestStandIns(t *testing.T) {
	var in StandIns
	pred := foundation.PredictedID("account", "dev@example.com")
	a := in.Account(pred)
	if len(a) != 12 || in.Account(pred) != a || in.Account("123456789012") != "123456789012" {
		t.Fatalf("Account(%q) = %q", pred, a)
	}
	url := in.StartURL("")
	cs := in.Restore(foundation.Changes{{Resource: "aws-config:profile", ID: "dev",
		Diffs: []foundation.Diff{{Field: "sso_account_id", To: a}, {Field: "sso_start_url", To: url}}}})
	if cs[0].Diffs[0].To != pred || !foundation.IsPredicted(cs[0].Diffs[1].To) {
		t.Fatalf("Restore = %+v", cs[0].Diffs)
	}
	if got := Distinct(foundation.Changes{cs[0], cs[0]}); len(got) != 1 {
		t.Fatalf("Distinct kept %d of two equal changes", len(got))
	}
}
