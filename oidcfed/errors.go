package oidcfed

import (
	"fmt"

	"github.com/awsfoundation/foundation/internal/iamrole"
)

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. Match it
// with errors.As.
type RoleConflictError struct {
	Role   string
	Reason string
}

func (e *RoleConflictError) Error() string {
	return fmt.Sprintf("oidcfed: role %q: %s", e.Role, e.Reason)
}

func isAlreadyExists(err error) bool { return iamrole.IsAlreadyExists(err) }
