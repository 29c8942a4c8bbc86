package foundation

import (
	"errors"
	"fmt"
)

// ManagedByTagKey and ManagedByTagValue are the ownership tag: every
// resource this library makes carries managed-by=foundation from the call
// that creates it (so a retried or half-answered create never leaves an
// untagged one). A resource found without it was made by someone else: an
// Ensure converges it only when its spec says to adopt it, and the library
// never prunes, detaches or deletes it.
const (
	ManagedByTagKey   = "managed-by"
	ManagedByTagValue = "foundation"
)

// ErrNotManaged is what NotManagedError matches with errors.Is.
var ErrNotManaged = errors.New("exists but was not made by this library")

// NotManagedError is returned when an Ensure finds the resource its spec
// names already there without the ownership tag (managed-by=foundation)
// and the spec does not say to adopt it. Nothing was changed on it. To
// converge it as it is, set the spec's adopt field (Field): it stays the
// owner's (never tagged, never pruned). To hand it to the library, tag it
// managed-by=foundation. It matches ErrNotManaged and ErrConflict.
type NotManagedError struct {
	Kind  string // "iam:role", the kind of Change.Resource
	ID    string // its name or ID
	Tag   string // the managed-by value found on it, if any ("terraform")
	Field string // the spec field that adopts it: "spec.Adopt"
}

func (e *NotManagedError) Error() string {
	found := "no " + ManagedByTagKey + "=" + ManagedByTagValue + " tag"
	if e.Tag != "" {
		found = fmt.Sprintf("tagged %s=%s", ManagedByTagKey, e.Tag)
	}
	field := e.Field
	if field == "" {
		field = "the spec's adopt field"
	}
	return fmt.Sprintf("%s %q exists but was not made by this library (%s): set %s to converge it as it is without taking it over, or tag it %s=%s to hand it to the library",
		e.Kind, e.ID, found, field, ManagedByTagKey, ManagedByTagValue)
}

// Unwrap makes errors.Is true for ErrNotManaged and ErrConflict.
func (e *NotManagedError) Unwrap() []error { return []error{ErrNotManaged, ErrConflict} }

// Managed reports whether tags carry the ownership tag.
func Managed(tags map[string]string) bool { return tags[ManagedByTagKey] == ManagedByTagValue }

// CheckOwner is the one ownership rule every Ensure applies to a resource
// it found by name: nil when the resource is the library's (tags has
// managed-by=foundation) or the spec adopts it (adopt); else a
// *NotManagedError naming kind, id and the adopting field.
func CheckOwner(kind, id string, tags map[string]string, adopt bool, field string) error {
	if adopt || Managed(tags) {
		return nil
	}
	return &NotManagedError{Kind: kind, ID: id, Tag: tags[ManagedByTagKey], Field: field}
}

// WithManagedBy returns tags plus the ownership tag (a new map; tags is not
// changed): what a create call tags a new resource with.
func WithManagedBy(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags)+1)
	for k, v := range tags {
		out[k] = v
	}
	out[ManagedByTagKey] = ManagedByTagValue
	return out
}
