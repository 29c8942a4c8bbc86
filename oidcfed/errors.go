package oidcfed

import (
	"github.com/awsfoundation/foundation/internal/iamrole"
)

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. Match it
// with errors.As. It is the library's one role conflict error (also
// organizations.RoleConflictError): Package names the package, Role the
// role, Have its path and Want the spec's; Reason() explains it. It
// matches foundation.ErrConflict.
type RoleConflictError = iamrole.RoleConflictError

func isAlreadyExists(err error) bool { return iamrole.IsAlreadyExists(err) }
