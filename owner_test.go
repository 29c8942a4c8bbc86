package foundation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

func TestCheckOwner(t *testing.T) {
	if err := foundation.CheckOwner("iam:role", "ci", map[string]string{"managed-by": "foundation"}, false, "spec.Adopt"); err != nil {
		t.Fatalf("a tagged resource: %v", err)
	}
	if err := foundation.CheckOwner("iam:role", "ci", nil, true, "spec.Adopt"); err != nil {
		t.Fatalf("an adopted resource: %v", err)
	}
	err := foundation.CheckOwner("iam:role", "ci", map[string]string{"managed-by": "terraform"}, false, "spec.Adopt")
	var nm *foundation.NotManagedError
	if !errors.As(err, &nm) || nm.Tag != "terraform" || !errors.Is(err, foundation.ErrNotManaged) || !errors.Is(err, foundation.ErrConflict) {
		t.Fatalf("a resource tagged by another tool: %#v", err)
	}
	for _, want := range []string{`iam:role "ci"`, "managed-by=terraform", "spec.Adopt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	in := map[string]string{"team": "platform"}
	out := foundation.WithManagedBy(in)
	if len(in) != 1 || out["managed-by"] != "foundation" || out["team"] != "platform" {
		t.Fatalf("WithManagedBy: %v from %v", out, in)
	}
}
