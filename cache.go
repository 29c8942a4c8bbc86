package foundation

import (
	"github.com/awsfoundation/foundation/internal/call/settings"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// ReadCache holds what one run of a program has read of the
// organization-wide facts that several calls of the run need: the
// organization's root, the OUs of each parent, the accounts of each OU
// (organizations), an Identity Center instance's permission sets, the
// accounts each is provisioned to and each principal's assignments
// (identitycenter). Give the same ReadCache to every call of a run with
// WithReadCache and each fact is read once per run, not once per call; the
// goroutines of one call share it too.
//
// The library's own writes keep it right: what a write made is added to
// what was read (an OU created to its parent's list, an account moved to its
// new OU's), and what a write changed without the library knowing the result
// is dropped and read again when next needed. Changes made outside the
// library during the run are not seen: make a new ReadCache for each run
// (NewReadCache) and do not keep one across runs. A ReadCache is safe for
// concurrent use. Without WithReadCache each call reads for itself, with
// the same once-per-call reads.
type ReadCache struct{ c *readcache.Cache }

// NewReadCache returns an empty ReadCache for one run.
func NewReadCache() *ReadCache { return &ReadCache{c: readcache.New()} }

// WithReadCache makes the call read organization-wide facts through c (see
// ReadCache). A nil c means none: the call reads for itself.
func WithReadCache(c *ReadCache) Option {
	return func(s *settings.Settings) {
		if c != nil {
			s.ReadCache = c.c
		} else {
			s.ReadCache = nil
		}
	}
}
