package ecr

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/awsfoundation/foundation"
)

// EncryptionMismatchError is returned when the repository exists with
// another encryption than the spec asks for. ECR cannot change a
// repository's encryption after it is created, so EnsureRepository changes
// nothing. Match it with errors.As.
//
// To migrate: create a repository with the wanted encryption under a new
// name, copy the images into it (docker pull/tag/push, crane copy, or an
// ECR replication rule), point its users at it, then delete the old one
// (and, to keep the name, recreate it with the wanted encryption and copy
// back).
type EncryptionMismatchError struct {
	Repository string
	// Have and Want are the encryption types; HaveKey and WantKey the KMS
	// keys (empty for AES256 and for the AWS managed key).
	Have, Want       types.EncryptionType
	HaveKey, WantKey string
}

// Is reports that the error is a foundation.ErrConflict.
func (e *EncryptionMismatchError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *EncryptionMismatchError) Error() string {
	desc := func(t types.EncryptionType, key string) string {
		if key != "" {
			return fmt.Sprintf("%s (key %s)", t, key)
		}
		return string(t)
	}
	return fmt.Sprintf("ecr: repository %q: encryption is %s, the spec asks for %s; ECR cannot change a repository's encryption after creation: "+
		"create a repository with the wanted encryption, copy the images to it (docker pull/push, crane copy or ECR replication), "+
		"move its users over and delete this one", e.Repository, desc(e.Have, e.HaveKey), desc(e.Want, e.WantKey))
}
