package foundation

import (
	"fmt"
	"strings"
)

// Action is what a Change does to a resource.
type Action string

// The actions a Change can carry.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Diff is one field of a resource that differs between what exists and what
// the spec asks for. From is empty when the field is being set for the first
// time; To is empty when it is being removed.
type Diff struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// Change is one mutation an Ensure function made or, in dry run, would make.
//
// Resource names the kind of thing changed in "service:kind" form
// ("s3:bucket", "s3:bucket-versioning", "dynamodb:table"); ID identifies the
// instance (a bucket name, a table name, an ARN). Diffs lists what differs;
// it is empty for plain creates and deletes.
type Change struct {
	Action   Action `json:"action"`
	Resource string `json:"resource"`
	ID       string `json:"id"`
	Diffs    []Diff `json:"diffs,omitempty"`
}

// String renders the change on one line, for reports:
//
//	update s3:bucket-versioning "state-123": Status: Suspended -> Enabled
func (c Change) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q", c.Action, c.Resource, c.ID)
	for i, d := range c.Diffs {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		switch {
		case d.From == "" && d.To == "":
			b.WriteString(d.Field)
		case d.From == "":
			fmt.Fprintf(&b, "%s: %s", d.Field, d.To)
		case d.To == "":
			fmt.Fprintf(&b, "%s: %s -> (none)", d.Field, d.From)
		default:
			fmt.Fprintf(&b, "%s: %s -> %s", d.Field, d.From, d.To)
		}
	}
	return b.String()
}

// Changes is a list of changes with helpers for reports.
type Changes []Change

// Empty reports whether there are no changes.
func (cs Changes) Empty() bool { return len(cs) == 0 }

// String renders one change per line.
func (cs Changes) String() string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}
