package organizations_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// Summary.Report lists each account's changes in the order they were made:
// the key before its alias (it used to sort them by resource type, which
// put kms:alias first).
func TestSummaryReportKeepsTheOrderMade(t *testing.T) {
	sum := &organizations.Summary{Results: []organizations.AccountResult{{
		Target: organizations.Target{ID: "111111111111", Name: "dev"},
		Changes: foundation.Changes{
			{Action: foundation.ActionCreate, Resource: "kms:key", ID: "alias/dev"},
			{Action: foundation.ActionCreate, Resource: "kms:alias", ID: "alias/dev"},
		},
	}}}
	var out bytes.Buffer
	sum.Report(&out)
	key, alias := strings.Index(out.String(), "kms:key"), strings.Index(out.String(), "kms:alias")
	if key < 0 || alias < 0 || key > alias {
		t.Fatalf("Report does not list the key before its alias:\n%s", out.String())
	}
}
