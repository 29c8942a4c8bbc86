package foundation

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidSpec is returned, wrapped, when a spec fails validation. Such an
// error is returned before any AWS API call is made; its message names the
// field and the rule it breaks:
//
//	statebackend: spec.Bucket: "My_Bucket": must contain only lowercase letters, numbers, dots and hyphens
//
// Test for it with errors.Is(err, foundation.ErrInvalidSpec).
var ErrInvalidSpec = errors.New("invalid spec")

// ErrConflict is what every conflict and mismatch error of the library
// matches with errors.Is: something that exists in AWS is not what the
// spec asks for and cannot be changed in place, or belongs to someone else
// (a role at another path, a bucket another account owns, a key whose
// alias points elsewhere, repository encryption that differs, an alias
// another account took, a profile written by hand). The run stops without
// touching it; the typed error (errors.As) says what and where.
var ErrConflict = errors.New("conflict with what exists")

// SpecError describes one validation failure. It unwraps to ErrInvalidSpec.
type SpecError struct {
	Package string // "statebackend"
	Field   string // "spec.Bucket"
	Value   string // the offending value, quoted in the message when not empty
	Rule    string // "must be 3 to 63 characters long"
}

func (e *SpecError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s: %s: %q: %s", e.Package, e.Field, e.Value, e.Rule)
	}
	return fmt.Sprintf("%s: %s: %s", e.Package, e.Field, e.Rule)
}

// Unwrap makes errors.Is(err, ErrInvalidSpec) true.
func (e *SpecError) Unwrap() error { return ErrInvalidSpec }

// WaitTimeoutError is returned when asynchronous work did not finish within
// the wait timeout, or the context ended first.
type WaitTimeoutError struct {
	What    string        // what was waited for: "table \"locks\" to become ACTIVE"
	Timeout time.Duration // the wait timeout in force
	Cause   error         // context.DeadlineExceeded or context.Canceled
}

func (e *WaitTimeoutError) Error() string {
	return "timed out after " + e.Timeout.String() + " waiting for " + e.What + ": " + e.Cause.Error()
}

// Unwrap returns context.DeadlineExceeded or context.Canceled.
func (e *WaitTimeoutError) Unwrap() error { return e.Cause }

// IncompleteError is returned when a call failed after it had already made
// changes (or, in a dry run, planned them): Changes lists them, in the
// order made, so a caller can report what exists now. A rerun finishes the
// work. Its message is Err's; errors.Is and errors.As see through it to Err.
//
//	var inc *foundation.IncompleteError
//	if errors.As(err, &inc) {
//		fmt.Print(inc.Changes)
//	}
type IncompleteError struct {
	Changes Changes
	Err     error
}

func (e *IncompleteError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *IncompleteError) Unwrap() error { return e.Err }
