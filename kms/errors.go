package kms

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
)

// KeyStateError is returned when the key the alias names is in a state
// EnsureKey does not change on its own: Disabled (unless Spec.Reenable),
// PendingDeletion (unless Spec.CancelDeletion), or a state no call can fix
// (PendingImport, Unavailable, PendingReplicaDeletion, Creating,
// Updating). Match it with errors.As.
type KeyStateError struct {
	Alias string
	KeyID string
	State types.KeyState
	// DeletionDate is when a PendingDeletion key will be deleted.
	DeletionDate time.Time
}

func (e *KeyStateError) Error() string {
	msg := fmt.Sprintf("kms: key %q (%s) is %s", e.Alias, e.KeyID, e.State)
	switch e.State {
	case types.KeyStateDisabled:
		msg += ": set Spec.Reenable to enable it"
	case types.KeyStatePendingDeletion:
		if !e.DeletionDate.IsZero() {
			msg += " (deletion on " + e.DeletionDate.UTC().Format(time.RFC3339) + ")"
		}
		msg += ": set Spec.CancelDeletion to cancel the deletion and enable it"
	default:
		msg += ": it cannot be converged in this state"
	}
	return msg
}

// KeyMismatchError is returned when the key the alias names differs from the
// spec in a property KMS cannot change after creation (KeySpec, KeyUsage),
// or is not a customer managed key. Point the alias at a new key
// (kms:UpdateAlias) to replace it. Match it with errors.As.
type KeyMismatchError struct {
	Alias string
	KeyID string
	// Field is "KeySpec", "KeyUsage" or "KeyManager".
	Field      string
	Have, Want string
}

// Is reports that the error is a foundation.ErrConflict.
func (e *KeyMismatchError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("kms: key %q (%s): %s is %s, the spec wants %s; KMS cannot change it: create a new key and point the alias at it",
		e.Alias, e.KeyID, e.Field, e.Have, e.Want)
}
