package foundation_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/iamrole"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/statebackend"
)

// Every conflict and mismatch error matches foundation.ErrConflict, also
// when a caller wraps it, and nothing else does.
func TestConflictErrorsMatchErrConflict(t *testing.T) {
	for _, err := range []error{
		&ecr.EncryptionMismatchError{},
		&oidcfed.RoleConflictError{},
		&kms.KeyMismatchError{},
		&identitycenter.ProfileConflictError{},
		&organizations.AliasTakenError{},
		&organizations.RoleConflictError{},
		&statebackend.BucketConflictError{},
		&statebackend.TableConflictError{},
		&iamrole.RoleConflictError{},
	} {
		wrapped := fmt.Errorf("my tool: %w", err)
		if !errors.Is(err, foundation.ErrConflict) || !errors.Is(wrapped, foundation.ErrConflict) {
			t.Errorf("%T does not match ErrConflict", err)
		}
		if errors.Is(err, foundation.ErrInvalidSpec) {
			t.Errorf("%T matches ErrInvalidSpec", err)
		}
	}
	for _, err := range []error{&foundation.SpecError{}, &foundation.WaitTimeoutError{Cause: errors.New("x")}, &identitycenter.UnknownPrincipalError{}} {
		if errors.Is(err, foundation.ErrConflict) {
			t.Errorf("%T matches ErrConflict", err)
		}
	}
}
