package examplekit

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Source is where a spec came from: the spec file's name and where each of
// its keys is. ParseSpec gives it to a spec type that has a
// SetSource(Source) method; a spec built in Go has the zero Source (no
// file, no lines).
type Source struct {
	File string
	Keys Keys
}

// Check returns a *SpecError of faults, each placed at its key in the file
// (CheckSpec); nil when there are none.
func (s Source) Check(faults []SpecFault) error {
	name := s.File
	if name == "" {
		name = "spec"
	}
	return CheckSpec(name, s.Keys, faults)
}

// Fields maps a library spec's fields to the spec file's keys they come
// from, for the faults a library's validation finds in a spec a program
// derived from the file: "spec.PermissionSets[i].SessionDuration" ->
// "sessionHours", "spec.Users[i].GivenName" -> "admins[i].givenName".
// An index written [i] stands for any index; the indices of the field
// fill the key's [i] in order. A field maps by its longest listed prefix
// ("spec.Lifecycle" maps "spec.Lifecycle.Rules[0].CountNumber").
type Fields map[string]string

var indexRe = regexp.MustCompile(`\[\d+\]`)

// key returns the file key field maps to.
func (m Fields) key(field string) (string, bool) {
	indices := indexRe.FindAllString(field, -1)
	generic := indexRe.ReplaceAllString(field, "[i]")
	for p := generic; p != ""; {
		if k, ok := m[p]; ok {
			for _, ix := range indices {
				if !strings.Contains(k, "[i]") {
					break
				}
				k = strings.Replace(k, "[i]", ix, 1)
			}
			return k, true
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return "", false
}

// LibraryFaults collects what a library's validation finds in the specs a
// program derived from its spec file, for the faults whose field comes
// from a key of the file (Fields): each names that key, with the
// library's step, package and field after the rule. A fault that reads
// the same at the same key is listed once, whatever its value and step
// (every environment's state bucket is named after the one project).
// The zero value is ready to use.
type LibraryFaults struct {
	faults []SpecFault
	seen   map[string]bool
}

// Add takes err, what the library's validation found in the spec of step,
// and returns the faults whose field fields does not map to a key of the
// file (nil when none): they name only the library's fields.
func (l *LibraryFaults) Add(step string, err error, fields Fields) error {
	var rest []error
	for _, leaf := range specerr.Leaves(err) {
		var se *foundation.SpecError
		key, ok := "", false
		if errors.As(leaf, &se) {
			key, ok = fields.key(se.Field)
		}
		if !ok {
			rest = append(rest, leaf)
			continue
		}
		if l.seen == nil {
			l.seen = map[string]bool{}
		}
		if k := key + "\x00" + se.Rule; l.seen[k] {
			continue
		} else {
			l.seen[k] = true
		}
		rule := se.Rule
		if se.Value != "" {
			rule = fmt.Sprintf("%q: %s", se.Value, se.Rule)
		}
		l.faults = append(l.faults, SpecFault{Key: key, Rule: rule + fmt.Sprintf(" (%s: %s %s)", step, se.Package, se.Field)})
	}
	return errors.Join(rest...)
}

// Faults returns the faults collected, in the order found.
func (l *LibraryFaults) Faults() []SpecFault { return l.faults }
