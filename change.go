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

// maxValueLen is how much of a long Diff value String shows; the Diff keeps
// the whole value for programs.
const maxValueLen = 48

// String renders the change on one line, for reports:
//
//	update s3:bucket-versioning "state-123": Status: Suspended -> Enabled
//
// Values longer than a few dozen characters (a policy statement) are cut
// short with an ellipsis; the Diffs keep them whole.
func (c Change) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q", c.Action, c.Resource, c.ID)
	for i, d := range c.Diffs {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		from, to := shorten(d.From), shorten(d.To)
		switch {
		case from == "" && to == "":
			b.WriteString(d.Field)
		case from == "":
			fmt.Fprintf(&b, "%s: %s", d.Field, to)
		case to == "":
			fmt.Fprintf(&b, "%s: %s -> (none)", d.Field, from)
		default:
			fmt.Fprintf(&b, "%s: %s -> %s", d.Field, from, to)
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

func shorten(v string) string {
	r := []rune(v)
	if len(r) <= maxValueLen {
		return v
	}
	return string(r[:maxValueLen-1]) + "…"
}
