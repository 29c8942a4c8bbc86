package scp

import (
	"errors"
	"fmt"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Guardrail is the statements one guardrail function built from its
// options, or the faults found in them. Compose guardrails into a document
// with Build:
//
//	doc, err := scp.Build(
//		scp.DenyRootUser(scp.RootUserOptions{}),
//		scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
//	)
//
// The zero Guardrail has no statements and no error.
type Guardrail struct {
	name       string
	statements []foundation.Statement
	err        error
}

// Name is the name of the function that built the guardrail
// ("RestrictRegions"), or "Custom".
func (g Guardrail) Name() string { return g.name }

// Statements returns a copy of the guardrail's statements, or the error that
// lists every fault of its options (it matches foundation.ErrInvalidSpec).
func (g Guardrail) Statements() ([]foundation.Statement, error) {
	if g.err != nil {
		return nil, g.err
	}
	out := make([]foundation.Statement, len(g.statements))
	for i, st := range g.statements {
		out[i] = st.Clone()
	}
	return out, nil
}

// Err returns the faults of the guardrail's options, or nil.
func (g Guardrail) Err() error { return g.err }

// NewGuardrail names statements as a guardrail, so other packages
// (orgpolicy's resource control policy guardrails) and programs can add
// their own guardrails with a name that Build's and Pack's messages show.
// The statements are validated where they are used (Build).
func NewGuardrail(name string, statements ...foundation.Statement) Guardrail {
	g := Custom(statements...)
	if name != "" {
		g.name = name
	}
	return g
}

// WithErr returns the guardrail carrying err as the faults of its options
// (Statements and Build return it), for guardrail functions written
// outside this package; a nil err returns g unchanged.
func (g Guardrail) WithErr(err error) Guardrail {
	if err != nil {
		g.statements, g.err = nil, err
	}
	return g
}

// Custom wraps statements written by hand as a guardrail, so they can be
// composed with the library's. They are validated by Build like the others.
func Custom(statements ...foundation.Statement) Guardrail {
	g := Guardrail{name: "Custom"}
	for _, st := range statements {
		g.statements = append(g.statements, st.Clone())
	}
	return g
}

// Build composes guardrails into one SCP document (Version 2012-10-17), in
// the order given. It returns an error matching foundation.ErrInvalidSpec
// that lists every fault: those of each guardrail's options, Sids used twice
// across guardrails, and the SCP grammar (ValidateDocument). The size limit
// is not checked here, as it is a quota that can differ per organization:
// use CheckDocument or Size, or let EnsurePolicy check it.
func Build(guardrails ...Guardrail) (*foundation.PolicyDocument, error) {
	var errs []error
	var statements []foundation.Statement
	sids := map[string]string{}
	for i, g := range guardrails {
		if g.err != nil {
			errs = append(errs, g.err)
			continue
		}
		for _, st := range g.statements {
			if st.Sid != "" {
				if prev, dup := sids[st.Sid]; dup {
					errs = append(errs, specerr.New(pkg, fmt.Sprintf("guardrails[%d] (%s)", i, g.name), st.Sid,
						"Sid is already used by "+prev+": give one of them another Sid"))
					continue
				}
				sids[st.Sid] = fmt.Sprintf("guardrails[%d] (%s)", i, g.name)
			}
			statements = append(statements, st)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	doc := foundation.NewPolicy(statements...)
	if err := ValidateDocument(doc); err != nil {
		var pe *foundation.PolicyError
		if errors.As(err, &pe) {
			for _, p := range pe.Problems {
				errs = append(errs, specerr.New(pkg, "document", "", p))
			}
		}
		return nil, errors.Join(errs...)
	}
	return doc, nil
}

// MustBuild is Build for guardrails known to be valid, such as package
// level variables and examples. It panics on error.
func MustBuild(guardrails ...Guardrail) *foundation.PolicyDocument {
	doc, err := Build(guardrails...)
	if err != nil {
		panic("scp: MustBuild: " + err.Error())
	}
	return doc
}

// faults collects the faults of one guardrail's options.
type faults struct {
	name string
	errs []error
}

func (f *faults) add(field, value, rule string) {
	f.errs = append(f.errs, specerr.New(pkg, f.name+"."+field, value, rule))
}

func (f *faults) build(statements ...foundation.Statement) Guardrail {
	if len(f.errs) > 0 {
		return Guardrail{name: f.name, err: errors.Join(f.errs...)}
	}
	return Guardrail{name: f.name, statements: statements}
}

// sid returns s, or def when s is empty, and checks it.
func (f *faults) sid(s, def string) string {
	if s == "" {
		return def
	}
	if !isAlnum(s) {
		f.add("Sid", s, "must contain only letters (A-Z, a-z) and digits")
	}
	return s
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// actions checks a list of actions; def is used when l is empty (required
// when def is nil).
func (f *faults) actions(field string, l, def []string) []string {
	if len(l) == 0 {
		if def == nil {
			f.add(field, "", "must name at least one action")
		}
		return def
	}
	seen := map[string]bool{}
	for i, a := range l {
		switch {
		case !validAction(a):
			f.add(fmt.Sprintf("%s[%d]", field, i), a, `must be "*" or "service:action" with a lowercase service prefix`)
		case seen[a]:
			f.add(fmt.Sprintf("%s[%d]", field, i), a, "is listed twice")
		}
		seen[a] = true
	}
	return append([]string(nil), l...)
}

// principalARNs checks ARN patterns for aws:PrincipalARN exemptions.
func (f *faults) principalARNs(field string, l []string) []string {
	for i, a := range l {
		if !arnPatternRe.MatchString(a) {
			f.add(fmt.Sprintf("%s[%d]", field, i), a, `must be an IAM principal ARN pattern such as "arn:aws:iam::*:role/Admin"`)
		}
	}
	return append([]string(nil), l...)
}

// accounts checks 12-digit account IDs; required says whether the list may
// be empty. An account ID predicted by the organizations package's dry run
// (an account that would be created) is accepted: EnsurePolicy plans with
// the document in a dry run and refuses it in a real run.
func (f *faults) accounts(field string, l []string, required bool) []string {
	if len(l) == 0 && required {
		f.add(field, "", "must name at least one account ID")
	}
	seen := map[string]bool{}
	for i, a := range l {
		switch {
		case !accountRe.MatchString(a) && !isPredictedAccount(a):
			f.add(fmt.Sprintf("%s[%d]", field, i), a, "must be a 12-digit account ID")
		case seen[a]:
			f.add(fmt.Sprintf("%s[%d]", field, i), a, "is listed twice")
		}
		seen[a] = true
	}
	return append([]string(nil), l...)
}
