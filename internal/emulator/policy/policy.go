package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// The emulator's own model of an IAM JSON policy document, written from
// AWS's documentation rather than shared with the library, so that a
// grammar mistake in the library's policy builder is not mirrored here:
//
//   - Grammar of the IAM JSON policy language
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - IAM JSON policy elements reference (Version, Id, Statement, Sid,
//     Effect, Principal, NotPrincipal, Action, NotAction, Resource,
//     NotResource, Condition)
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//
// The grammar, in short:
//
//	policy          = { Version?, Id?, Statement }
//	Version         = "2008-10-17" | "2012-10-17"
//	Statement       = <statement> | [ <statement>, ... ]
//	<statement>     = { Sid?, Principal|NotPrincipal?, Effect, Action|NotAction,
//	                    Resource|NotResource, Condition? }
//	Effect          = "Allow" | "Deny"                  (case sensitive)
//	Principal       = "*" | { ("AWS"|"Federated"|"Service"|"CanonicalUser") : string-or-list }
//	Action          = string-or-list                    (likewise Resource)
//	Condition       = { operator : { key : value-or-list } }, values string, number or boolean
//
// A list holding a single value may be written as that value. Whether a
// statement must, or must not, name a principal depends on the kind of
// policy (identity policies must not; resource and trust policies must),
// which the caller says; so is whether it must name resources, which is
// left to the caller entirely.

// Doc is a parsed policy document.
type Doc struct {
	Version   string // "" when absent
	ID        string
	Statement []Statement
}

// Statement is one statement of a policy document. Absent list
// elements are nil.
type Statement struct {
	Sid                   string
	Effect                string // "Allow" or "Deny"
	Principal             *Principal
	NotPrincipal          *Principal
	Action, NotAction     []string
	Resource, NotResource []string
	// Condition maps operator to key to values, each value kept as the
	// string it is or the JSON text of the number or boolean it is.
	Condition map[string]map[string][]string
}

// Principal is a Principal or NotPrincipal element: "*" (Wildcard)
// or a map of principal types to identifiers.
type Principal struct {
	Wildcard      bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// Kind says which principal rule applies to a document.
type Kind int

const (
	// KindIdentity is an identity-based policy: no statement may name a
	// principal.
	KindIdentity Kind = iota
	// KindResource is a resource-based policy, a role trust policy
	// included: every statement names exactly one of Principal and
	// NotPrincipal.
	KindResource
)

// Problem classifies a policy error so each service can answer with
// its own error message.
type Problem int

const (
	BadJSON             Problem = iota // not JSON, or not a JSON object
	Syntax                             // an unknown element or an element of the wrong type
	BadVersion                         // Version is not one AWS knows
	NoStatement                        // Statement absent, null or empty
	NoEffect                           // a statement without Effect
	BadEffect                          // Effect neither "Allow" nor "Deny"
	NoAction                           // neither Action nor NotAction
	BothActions                        // both Action and NotAction
	NoPrincipal                        // a resource policy statement without a principal
	BothPrincipals                     // both Principal and NotPrincipal
	PrincipalProhibited                // an identity policy statement with a principal
)

// Error is why a document is not a valid policy. Msg is worded as
// IAM words it, where it is known.
type Error struct {
	Problem Problem
	Msg     string
	Value   string // the offending value, where there is one (BadEffect)
}

func (e *Error) Error() string { return e.Msg }

func Errorf(p Problem, format string, args ...any) *Error {
	return &Error{Problem: p, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses text (surrounding white space ignored) as a policy
// document of the given kind and checks its grammar.
func Parse(text string, kind Kind) (*Doc, *Error) {
	t := bytes.TrimSpace([]byte(text))
	if !json.Valid(t) {
		return nil, Errorf(BadJSON, "This policy contains invalid Json")
	}
	top, ok := policyObject(t)
	if !ok {
		return nil, Errorf(BadJSON, "This policy contains invalid Json")
	}
	doc := &Doc{}
	for _, k := range core.SortedKeys(top) {
		v := top[k]
		switch k {
		case "Version":
			if !policyString(v, &doc.Version) {
				return nil, Errorf(Syntax, "Version must be a string")
			}
			if doc.Version != "2012-10-17" && doc.Version != "2008-10-17" {
				return nil, Errorf(BadVersion, "The policy must contain a valid version string")
			}
		case "Id":
			if !policyString(v, &doc.ID) {
				return nil, Errorf(Syntax, "Id must be a string")
			}
		case "Statement":
		default:
			return nil, Errorf(Syntax, "Unknown field %s", k)
		}
	}
	raw, ok := top["Statement"]
	if !ok || isJSONNull(raw) {
		return nil, Errorf(NoStatement, "Missing required field Statement")
	}
	var items []json.RawMessage
	if _, ok := policyObject(raw); ok {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, Errorf(Syntax, "Statement must be an object or a list of objects")
	}
	if len(items) == 0 {
		return nil, Errorf(NoStatement, "Missing required field Statement")
	}
	for _, item := range items {
		st, perr := parseStatement(item, kind)
		if perr != nil {
			return nil, perr
		}
		doc.Statement = append(doc.Statement, *st)
	}
	return doc, nil
}

// parseStatement parses and checks one statement.
func parseStatement(raw json.RawMessage, kind Kind) (*Statement, *Error) {
	m, ok := policyObject(raw)
	if !ok {
		return nil, Errorf(Syntax, "Statement must be an object or a list of objects")
	}
	st := &Statement{}
	for _, k := range core.SortedKeys(m) {
		v := m[k]
		var ok bool
		switch k {
		case "Sid":
			ok = policyString(v, &st.Sid)
		case "Effect":
			ok = policyString(v, &st.Effect)
		case "Principal":
			st.Principal, ok = policyParsePrincipal(v)
		case "NotPrincipal":
			st.NotPrincipal, ok = policyParsePrincipal(v)
		case "Action":
			st.Action, ok = policyStrings(v)
		case "NotAction":
			st.NotAction, ok = policyStrings(v)
		case "Resource":
			st.Resource, ok = policyStrings(v)
		case "NotResource":
			st.NotResource, ok = policyStrings(v)
		case "Condition":
			st.Condition, ok = policyParseCondition(v)
		default:
			return nil, Errorf(Syntax, "Statement has unknown field %s", k)
		}
		if !ok {
			return nil, Errorf(Syntax, "Statement field %s has the wrong type", k)
		}
	}
	switch {
	case st.Effect == "":
		return nil, Errorf(NoEffect, "Missing required field Effect")
	case st.Effect != EffectAllow && st.Effect != EffectDeny:
		e := Errorf(BadEffect, "Invalid Effect: %s", st.Effect)
		e.Value = st.Effect
		return nil, e
	case st.Action != nil && st.NotAction != nil:
		return nil, Errorf(BothActions, "Statement must contain exactly one of Action and NotAction")
	case len(st.Action) == 0 && len(st.NotAction) == 0:
		return nil, Errorf(NoAction, "Missing required field Action")
	case st.Resource != nil && st.NotResource != nil:
		return nil, Errorf(Syntax, "Statement must not contain both Resource and NotResource")
	}
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	switch {
	case kind == KindIdentity && hasPrincipal:
		return nil, Errorf(PrincipalProhibited, "Policy document should not specify a principal.")
	case kind == KindResource && st.Principal != nil && st.NotPrincipal != nil:
		return nil, Errorf(BothPrincipals, "Statement must contain exactly one of Principal and NotPrincipal")
	case kind == KindResource && !hasPrincipal:
		return nil, Errorf(NoPrincipal, "Missing required field Principal")
	}
	return st, nil
}

// policyParsePrincipal parses a Principal or NotPrincipal value.
func policyParsePrincipal(raw json.RawMessage) (*Principal, bool) {
	var s string
	if policyString(raw, &s) {
		return &Principal{Wildcard: true}, s == "*"
	}
	m, ok := policyObject(raw)
	if !ok || len(m) == 0 {
		return nil, false
	}
	p := &Principal{}
	for k, v := range m {
		ids, ok := policyStrings(v)
		if !ok || len(ids) == 0 {
			return nil, false
		}
		switch k {
		case "AWS":
			p.AWS = ids
		case "Service":
			p.Service = ids
		case "Federated":
			p.Federated = ids
		case "CanonicalUser":
			p.CanonicalUser = ids
		default:
			return nil, false
		}
	}
	return p, true
}

// policyParseCondition parses a Condition block: operator -> key -> a
// string, number or boolean, or a list of them.
func policyParseCondition(raw json.RawMessage) (map[string]map[string][]string, bool) {
	ops, ok := policyObject(raw)
	if !ok {
		return nil, false
	}
	out := make(map[string]map[string][]string, len(ops))
	for op, rawKeys := range ops {
		keys, ok := policyObject(rawKeys)
		if !ok || op == "" {
			return nil, false
		}
		kv := make(map[string][]string, len(keys))
		for key, rawVals := range keys {
			list := []json.RawMessage{rawVals}
			if t := bytes.TrimSpace(rawVals); len(t) > 0 && t[0] == '[' {
				if err := json.Unmarshal(t, &list); err != nil {
					return nil, false
				}
			}
			vals := make([]string, 0, len(list))
			for _, v := range list {
				s, ok := policyScalar(v)
				if !ok {
					return nil, false
				}
				vals = append(vals, s)
			}
			kv[key] = vals
		}
		out[op] = kv
	}
	return out, true
}

// policyScalar reads a condition value: a string as itself, a number or
// boolean as its JSON text.
func policyScalar(raw json.RawMessage) (string, bool) {
	var s string
	if policyString(raw, &s) {
		return s, true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// policyStrings reads a string or a list of strings.
func policyStrings(raw json.RawMessage) ([]string, bool) {
	var s string
	if policyString(raw, &s) {
		return []string{s}, true
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !policyString(v, &s) {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// policyString reads a JSON string (not null) into s.
func policyString(raw json.RawMessage, s *string) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '"' && json.Unmarshal(t, s) == nil
}

// policyObject reads a JSON object (not null).
func policyObject(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, false
	}
	return m, true
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// Join is the Action and NotAction (or Resource and NotResource)
// values of a statement together.
func Join(a, b []string) []string { return append(slices.Clone(a), b...) }
