package examplekit

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

// A library field maps to the file key it comes from, indices carried
// over; a fault is listed once per key and rule; unmapped faults stay as
// the library wrote them.
func TestLibraryFaultsMapFieldsToKeys(t *testing.T) {
	fields := Fields{"spec.Users[i].GivenName": "admins[i].givenName", "spec.Lifecycle": "keepImages"}
	for field, want := range map[string]string{
		"spec.Users[2].GivenName":             "admins[2].givenName",
		"spec.Lifecycle.Rules[0].CountNumber": "keepImages",
	} {
		if got, ok := fields.key(field); !ok || got != want {
			t.Errorf("key(%q) = %q, %v; want %q", field, got, ok, want)
		}
	}
	if _, ok := fields.key("spec.Users[0].Email"); ok {
		t.Error("an unlisted field maps to a key")
	}
	var l LibraryFaults
	err := errors.Join(
		&foundation.SpecError{Package: "identitycenter", Field: "spec.Users[1].GivenName", Value: "", Rule: "is required"},
		&foundation.SpecError{Package: "identitycenter", Field: "spec.Users[1].GivenName", Value: "", Rule: "is required"},
		&foundation.SpecError{Package: "identitycenter", Field: "spec.Users[1].Email", Value: "x", Rule: "must be an email"},
	)
	rest := l.Add("Identity Center", err, fields)
	if len(l.Faults()) != 1 || l.Faults()[0].Key != "admins[1].givenName" ||
		l.Faults()[0].Rule != "is required (Identity Center: identitycenter spec.Users[1].GivenName)" {
		t.Fatalf("faults = %+v", l.Faults())
	}
	if rest == nil || !strings.Contains(rest.Error(), "spec.Users[1].Email") || strings.Contains(rest.Error(), "GivenName") {
		t.Fatalf("rest = %v", rest)
	}
	src := Source{File: "f.yaml", Keys: Keys{"admins[1].givenName": {line: 7, column: 5}}}
	if got := src.Check(l.Faults()).Error(); got != "f.yaml:7:5: admins[1].givenName: is required (Identity Center: identitycenter spec.Users[1].GivenName)" {
		t.Fatalf("Check = %q", got)
	}
}
