package examplekit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/awsfoundation/foundation"
)

// Adoption says which key of a spec file adopts a resource one library
// call may find made outside the library (a *foundation.NotManagedError):
// Field is (a prefix of) the adopt field of that call's library spec, as
// the error names it ("spec.Accounts[2]" for "spec.Accounts[2].Adopt",
// "spec" for "spec.Adopt"). A program fills a table of them per call
// (AdoptEntry, AdoptFlag, AdoptListed) and hands it to Source.Adopting
// with the call's error.
type Adoption struct {
	Field string
	// Key is the file's key that adopts it: "environments[2].adopt",
	// "adopt.repository", "adopt.ous" (a list).
	Key string
	// At is the file's key that names the resource ("environments[2]",
	// "repository", "ous[0]"): the line reported when Key is not in the
	// file. Name is what the report calls it ("myapp-dev"); for a list,
	// the value to add to Key.
	At, Name string
	list     bool
}

// AdoptEntry is an entry of the file (a list element or a mapping) that
// adopts its resource with "adopt: true": AdoptEntry("spec.Accounts[2]",
// "environments[2]", "myapp-dev").
func AdoptEntry(field, entry, name string) Adoption {
	return Adoption{Field: field, Key: entry + ".adopt", At: entry, Name: name}
}

// AdoptFlag is a boolean key that adopts a resource named at the key at:
// AdoptFlag("spec", "adopt.repository", "repository", "myapp").
func AdoptFlag(field, key, at, name string) Adoption {
	return Adoption{Field: field, Key: key, At: at, Name: name}
}

// AdoptListed is a list key that adopts a resource when it lists value,
// the resource named at the key at: AdoptListed("spec.OUs[0]",
// "adopt.ous", "ous[0]", "Management").
func AdoptListed(field, key, at, value string) Adoption {
	return Adoption{Field: field, Key: key, At: at, Name: value, list: true}
}

// matches reports whether the adopt field of an error is a's.
func (a Adoption) matches(field string) bool {
	return field == a.Field || strings.HasPrefix(field, a.Field+".") || strings.HasPrefix(field, a.Field+"[")
}

// Adopting returns err, the error of one library call, with every
// *foundation.NotManagedError in it reported at the key of the spec file
// that adopts that resource (table, the call's Adoptions): the file, line
// and column, the key, and what to write there, as a *NotManagedError
// that wraps err (errors.Is(err, foundation.ErrNotManaged), the changes a
// *foundation.IncompleteError carries, all kept). err is returned as it is
// when it has no such error, or none table maps.
func (s Source) Adopting(err error, table ...Adoption) error {
	if err == nil {
		return nil
	}
	var found []*foundation.NotManagedError
	collectNotManaged(err, &found)
	name := s.File
	if name == "" {
		name = "spec"
	}
	out := &NotManagedError{File: name, Err: err}
	for _, nm := range found {
		i := -1
		for j, a := range table {
			if a.matches(nm.Field) && (i < 0 || len(a.Field) > len(table[i].Field)) {
				i = j
			}
		}
		if i < 0 { // no key of the file adopts it: the library's words
			out.rest = append(out.rest, nm)
			continue
		}
		out.Faults = append(out.Faults, table[i].fault(nm, s.Keys))
	}
	if len(out.Faults) == 0 {
		return err
	}
	// The failures besides those refusals (another account's, or another
	// resource's of the same call) are listed after them as they are.
	out.rest = append(others(err), out.rest...)
	return out
}

// others returns the failures of err's tree that are not, and do not
// wrap, a *foundation.NotManagedError: the branches of its joins without
// one.
func others(err error) []error {
	var nm *foundation.NotManagedError
	switch u := err.(type) {
	case *foundation.NotManagedError:
		return nil
	case interface{ Unwrap() []error }:
		var out []error
		for _, e := range u.Unwrap() {
			out = append(out, others(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		if errors.As(err, &nm) {
			return others(u.Unwrap())
		}
	}
	return []error{err}
}

// fault is the refusal nm placed at a's key, or where the resource is
// named when the file does not have that key.
func (a Adoption) fault(nm *foundation.NotManagedError, keys Keys) SpecFault {
	found := "no " + foundation.ManagedByTagKey + "=" + foundation.ManagedByTagValue + " tag"
	if nm.Tag != "" {
		found = fmt.Sprintf("tagged %s=%s", foundation.ManagedByTagKey, nm.Tag)
	}
	what := fmt.Sprintf("%s %q exists but was not made by this library (%s)", nm.Kind, nm.ID, found)
	at, do := a.At, ""
	switch _, has := keys[a.Key]; {
	case has && a.list:
		at, do = a.Key, fmt.Sprintf("add %q to it", a.Name)
	case has:
		at, do = a.Key, "set it to true"
	case a.list:
		do = fmt.Sprintf("add %q to %s", a.Name, a.Key)
	case a.Key == a.At+".adopt":
		do = `add "adopt: true" to it`
	default:
		do = fmt.Sprintf("set %s to true", a.Key)
	}
	label := at
	if at == a.At && a.Name != "" {
		label += " (" + a.Name + ")"
	}
	f := SpecFault{Key: at}.at(keys)
	f.Key = label
	f.Rule = fmt.Sprintf("%s: %s to converge it without taking it over, or tag it %s=%s",
		what, do, foundation.ManagedByTagKey, foundation.ManagedByTagValue)
	return f
}

// collectNotManaged appends every *foundation.NotManagedError in err's tree.
func collectNotManaged(err error, out *[]*foundation.NotManagedError) {
	if nm, ok := err.(*foundation.NotManagedError); ok {
		*out = append(*out, nm)
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			collectNotManaged(e, out)
		}
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			collectNotManaged(e, out)
		}
	}
}

// NotManagedError is a library call's refusal of resources made outside
// the library (Source.Adopting), each placed at the key of the spec file
// that adopts it. It wraps the call's error, so it matches
// foundation.ErrNotManaged and carries what the call made.
type NotManagedError struct {
	File   string
	Faults []SpecFault
	Err    error
	rest   []error // the call's other failures
}

// Error lists each refusal as "file:line:col: key (name): ...", then the
// call's other failures.
func (e *NotManagedError) Error() string {
	var b strings.Builder
	b.WriteString((&SpecError{File: e.File, Faults: e.Faults}).Error())
	for _, r := range e.rest {
		b.WriteString("\n" + r.Error())
	}
	return b.String()
}

// Unwrap returns the call's error.
func (e *NotManagedError) Unwrap() error { return e.Err }
