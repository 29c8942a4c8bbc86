package awsrules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

// OwnedTagFaults leaves one of AWS's tags to the ownership tag: 49 of the
// caller's pass, 50 do not, 49 plus managed-by=foundation pass; the
// caller's managed-by may only be foundation's.
func TestOwnedTagFaults(t *testing.T) {
	n := func(k int) map[string]string {
		m := map[string]string{}
		for i := range k {
			m[fmt.Sprintf("k%02d", i)] = "v"
		}
		return m
	}
	if errs := OwnedTagFaults("p", "spec.Tags", n(49), MaxTags); len(errs) != 0 {
		t.Errorf("49 tags: %v", errs)
	}
	errs := OwnedTagFaults("p", "spec.Tags", n(50), MaxTags)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "at most 49 tags") || !errors.Is(errs[0], foundation.ErrInvalidSpec) {
		t.Errorf("50 tags: %v", errs)
	}
	with := n(49)
	with[foundation.ManagedByTagKey] = foundation.ManagedByTagValue
	if errs := OwnedTagFaults("p", "spec.Tags", with, MaxTags); len(errs) != 0 {
		t.Errorf("49 tags and the marker: %v", errs)
	}
	errs = OwnedTagFaults("p", "spec.Tags", map[string]string{foundation.ManagedByTagKey: "terraform", "aws:x": "y"}, MaxTags)
	var se *foundation.SpecError
	if len(errs) != 2 || !errors.As(errs[1], &se) || se.Field != `spec.Tags["managed-by"]` {
		t.Errorf("faults %v", errs)
	}
}
