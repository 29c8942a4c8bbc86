package oidcfed

import (
	"fmt"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/iamrole"
)

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. Match it
// with errors.As.
type RoleConflictError struct {
	Role   string
	Reason string
}

// Is reports that the error is a foundation.ErrConflict.
func (e *RoleConflictError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *RoleConflictError) Error() string {
	return fmt.Sprintf("oidcfed: role %q: %s", e.Role, e.Reason)
}

func isAlreadyExists(err error) bool { return iamrole.IsAlreadyExists(err) }
