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
