package scp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/policyrun"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes this package reports.
const (
	ResourcePolicy           = policyrun.ResourcePolicy
	ResourcePolicyContent    = policyrun.ResourcePolicyContent
	ResourcePolicyTags       = policyrun.ResourcePolicyTags
	ResourcePolicyAttachment = policyrun.ResourcePolicyAttachment
	ResourcePolicyType       = policyrun.ResourcePolicyType
)

// Policy is the SCP EnsurePolicy converged.
type Policy struct {
	// ID ("p-...") and ARN. In a dry run, for a policy that would be
	// created, ID is a predicted identifier ("(known after apply: scp
	// NAME)") that EnsureAttachments accepts in the same dry run, and ARN
	// is empty.
	ID, ARN string
	Name    string
	// Size is the number of characters of the content (minified).
	Size int
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the policy was already converged.
	Changes foundation.Changes
}

// EnsurePolicy converges one service control policy: found by name among
// the organization's SCPs, created when missing, otherwise updated when its
// content differs by meaning (foundation.PolicyDocument.Equal: AWS's
// formatting is not drift) or its description differs; its tags converge on
// Spec.Tags (other tags are kept). A policy it creates carries
// managed-by=foundation from the create call. A policy of that name found
// without that tag (made by hand or by another tool) is refused with a
// *foundation.NotManagedError before any write, in a dry run too, unless
// Spec.Adopt is set: then it is converged and never tagged
// managed-by=foundation. The content is always written minified (Minify).
//
// The spec is validated first, size limit included: an invalid one returns
// an error matching foundation.ErrInvalidSpec and no call is made. It must
// be called with the management account (or a delegated administrator for
// Organizations policies). In a dry run the document may hold account IDs
// the organizations package's dry run predicted (a guardrail exempting an
// account that would be created); a real run refuses them (spec.Document).
// On error the result is nil and the error carries the changes made before
// it (a *foundation.IncompleteError, errors.As).
func EnsurePolicy(ctx context.Context, api PolicyAPI, spec PolicySpec, opts ...foundation.Option) (*Policy, error) {
	o := call.Resolve(opts...)
	o.Logger = o.Logger.With(slog.String("policy", spec.Name))
	rec := plan.New(o)
	// Validation accepts predicted identifiers only when the call plans.
	doc, errs := spec.document(rec.Planning())
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	content, err := Minify(doc)
	if err != nil {
		return nil, specerr.New(pkg, "spec.Document", "", err.Error())
	}
	id, arn, err := policyrun.EnsurePolicy(ctx, api, policyrun.Policy{
		Type: types.PolicyTypeServiceControlPolicy, Name: spec.Name, Description: spec.Description, Content: content,
		Tags: spec.Tags, Adopt: spec.Adopt, AdoptField: "spec.Adopt", Kind: "scp",
		Diff: func(have string) []foundation.Diff {
			d, err := foundation.ParsePolicy(have)
			if err == nil && d.Equal(doc) {
				return nil
			}
			return contentDiffs(d, have, doc, content)
		},
		Errorf: func(step string, err error) error { return fmt.Errorf("scp: policy %q: %s: %w", spec.Name, step, err) },
		AWSManaged: func(id string) error {
			return fmt.Errorf("scp: policy %q (%s): %w", spec.Name, id, ErrAWSManagedPolicy)
		},
	}, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	p := &Policy{ID: id, ARN: arn, Name: spec.Name, Changes: rec.Changes()}
	p.Size, _ = Size(doc)
	return p, nil
}

// listTags returns the tags of an Organizations resource.
var listTags = policyrun.ListTags

// contentDiffs describes how the content changes, statement by statement:
// a Diff per Sid added, changed or removed ("Statement DenyRootUser"), per
// statement without a Sid that is not in the other document, and for the
// Version. When the documents differ in a way no statement shows (or the
// current content does not parse), one Diff gives both contents whole.
func contentDiffs(have *foundation.PolicyDocument, haveRaw string, want *foundation.PolicyDocument, wantRaw string) []foundation.Diff {
	whole := []foundation.Diff{{Field: "Content", From: haveRaw, To: wantRaw}}
	if have == nil {
		return whole
	}
	var diffs []foundation.Diff
	if have.Version != want.Version {
		diffs = append(diffs, foundation.Diff{Field: "Version", From: have.Version, To: want.Version})
	}
	haveBySid := map[string]foundation.Statement{}
	for _, st := range have.Statement {
		if st.Sid != "" {
			if _, dup := haveBySid[st.Sid]; !dup {
				haveBySid[st.Sid] = st
			}
		}
	}
	wantSids := map[string]bool{}
	for _, st := range want.Statement {
		if st.Sid == "" {
			if !containsEqual(have.Statement, st) {
				diffs = append(diffs, foundation.Diff{Field: "Statement (no Sid)", To: statementJSON(st)})
			}
			continue
		}
		wantSids[st.Sid] = true
		old, ok := haveBySid[st.Sid]
		switch {
		case !ok:
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, To: statementJSON(st)})
		case !old.Equal(st):
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, From: statementJSON(old), To: statementJSON(st)})
		}
	}
	for _, st := range have.Statement {
		switch {
		case st.Sid == "":
			if !containsEqual(want.Statement, st) {
				diffs = append(diffs, foundation.Diff{Field: "Statement (no Sid)", From: statementJSON(st)})
			}
		case !wantSids[st.Sid]:
			diffs = append(diffs, foundation.Diff{Field: "Statement " + st.Sid, From: statementJSON(st)})
			wantSids[st.Sid] = true // report a duplicated Sid once
		}
	}
	if len(diffs) == 0 {
		return whole
	}
	return diffs
}

func containsEqual(l []foundation.Statement, st foundation.Statement) bool {
	for _, o := range l {
		if o.Equal(st) {
			return true
		}
	}
	return false
}

// statementJSON is a statement as compact JSON, for diffs.
func statementJSON(st foundation.Statement) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
