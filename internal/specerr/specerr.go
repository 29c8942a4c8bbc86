// Package specerr builds the validation errors every package returns before
// its first API call: a *foundation.SpecError, which unwraps to
// foundation.ErrInvalidSpec and names the package, the field and the rule.
package specerr

import "github.com/awsfoundation/foundation"

// New returns a *foundation.SpecError for pkg, field, the offending value
// (quoted in the message when not empty) and the rule it breaks.
func New(pkg, field, value, rule string) error {
	return &foundation.SpecError{Package: pkg, Field: field, Value: value, Rule: rule}
}

// Leaves returns the errors err joins (errors.Join, at any depth), or err
// itself; nil for nil. Validation joins one error per fault: a program
// that places each fault (at a file's key and line) walks them with it.
func Leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Leaves(e)...)
		}
		return out
	}
	return []error{err}
}
