package s3

import "github.com/awsfoundation/foundation/internal/emulator/core"

// BucketOwner returns the ID of the account that owns the bucket named
// name, and false when there is no such bucket. The organization's resource
// control policies are enforced along the owner's path. Called with the
// emulator locked.
func BucketOwner(e *core.Emulator, name string) (string, bool) {
	b, ok := s3Buckets(e)[name]
	if !ok {
		return "", false
	}
	return b.Owner, true
}
