package awsrules

import (
	"fmt"
	"maps"
	"slices"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// OwnedTagFaults checks the tags of a resource the library creates with
// the ownership tag (foundation.ManagedByTagKey) added: at most maxTags-1
// tags besides it (the marker takes one of AWS's maxTags), the marker, when
// the caller sets it, only with its own value (foundation.ManagedByTagValue),
// and AWS's rules for each tag (TagFaults). Each fault is a
// *foundation.SpecError of pkg naming field or field["key"].
func OwnedTagFaults(pkg, field string, tags map[string]string, maxTags int) []error {
	var errs []error
	n := len(tags)
	if _, ok := tags[foundation.ManagedByTagKey]; ok {
		n--
	}
	if maxTags > 0 && n > maxTags-1 {
		errs = append(errs, specerr.New(pkg, field, "", fmt.Sprintf("must have at most %d tags (AWS allows %d, and %s takes one), has %d", maxTags-1, maxTags, foundation.ManagedByTagKey, n)))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		if k == foundation.ManagedByTagKey && v != foundation.ManagedByTagValue {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("%s[%q]", field, k), v, fmt.Sprintf("is the library's ownership tag: leave it out (it is always %s=%s)", foundation.ManagedByTagKey, foundation.ManagedByTagValue)))
		}
		errs = append(errs, TagFaults(pkg, field, map[string]string{k: v}, 0)...)
	}
	return errs
}

// WantedTags returns the tags an Ensure puts on a resource it converges:
// tags, without the ownership tag (foundation.ManagedByTagKey) when the
// resource is adopted, which stays its owner's. tags is not changed.
func WantedTags(tags map[string]string, adopted bool) map[string]string {
	if !adopted {
		return tags
	}
	want := maps.Clone(tags)
	delete(want, foundation.ManagedByTagKey)
	return want
}
