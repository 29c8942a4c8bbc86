package statebackend_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// A Region no partition has ("us-east-9", a typo) is refused before any
// call, in a real run and a dry run; AllowUnknownRegion accepts one AWS
// opened after this release, but not a malformed name. Every partition's
// Regions are known.
func TestUnknownRegionIsRefusedUnlessAllowed(t *testing.T) {
	b := awstest.New(t)
	spec := statebackend.Spec{Bucket: "acme-tfstate-123", Region: "us-east-9"}
	mark := b.Mark()
	for _, dry := range []bool{false, true} {
		got, err := statebackend.Bootstrap(t.Context(), apiFor(b), spec, foundation.WithDryRun(dry))
		if got != nil || !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), `spec.Region: "us-east-9"`) ||
			!strings.Contains(err.Error(), "AllowUnknownRegion") {
			t.Fatalf("dry=%v: err = %v", dry, err)
		}
	}
	b.RequireNoCalls(t, mark)

	spec.AllowUnknownRegion = true
	if err := spec.Validate(); err != nil {
		t.Errorf("AllowUnknownRegion: %v", err)
	}
	spec.Region = "useast9"
	if err := spec.Validate(); err == nil || !strings.Contains(err.Error(), "spec.Region") {
		t.Errorf("a malformed Region with AllowUnknownRegion: %v", err)
	}
	for _, r := range []string{"us-east-1", "eu-central-2", "ap-southeast-7", "mx-central-1", "cn-northwest-1", "us-gov-west-1", "eusc-de-east-1", "us-isob-east-1"} {
		if err := (statebackend.Spec{Bucket: "acme-tfstate-123", Region: r}).Validate(); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
}
