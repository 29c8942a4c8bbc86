package foundation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// PolicyVersion is the current version of the IAM policy language. NewPolicy
// sets it; every document this library writes carries it.
const PolicyVersion = "2012-10-17"

// policyVersion2008 is the legacy policy language version IAM still accepts.
const policyVersion2008 = "2008-10-17"

// Effect is whether a statement allows or denies what it matches.
type Effect string

// The two effects IAM accepts.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// PolicyDocument is an IAM policy document: an identity policy, a role trust
// policy, a resource policy (bucket, key, repository), a service control
// policy or a permission set's inline policy.
//
// Parse documents with ParsePolicy, which accepts both JSON and the
// URL-encoded form IAM returns; write them with JSON. Compare a document read
// from AWS with the one wanted with Equal, never with string comparison: AWS
// reorders, reformats and re-encodes documents it stores.
//
// Decoding (ParsePolicy or json.Unmarshal) is strict: keys are case-sensitive
// and unknown keys are an error, as they are in IAM.
type PolicyDocument struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy document. Exactly one of Action and
// NotAction must be set, at most one of Resource and NotResource, and at most
// one of Principal and NotPrincipal (see PolicyDocument.Validate).
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       Effect     `json:"Effect"`
	Principal    *Principal `json:"Principal,omitempty"`
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	Action       StringList `json:"Action,omitempty"`
	NotAction    StringList `json:"NotAction,omitempty"`
	Resource     StringList `json:"Resource,omitempty"`
	NotResource  StringList `json:"NotResource,omitempty"`
	Condition    Conditions `json:"Condition,omitempty"`
}

// StringList is a policy element that holds one or more strings. In JSON it
// accepts both a bare string ("s3:GetObject") and a list of strings; it is
// written as a bare string when it has exactly one element and as a list
// otherwise, as IAM does.
type StringList []string

// Principal is the Principal or NotPrincipal element of a statement. In JSON
// it is either "*" (Wildcard) or an object with any of the keys "AWS",
// "Service", "Federated" and "CanonicalUser", each a string or a list.
//
// "Principal": "*" and "Principal": {"AWS": "*"} mean the same thing and are
// Equal. A Principal with Wildcard and other fields set is invalid (Validate
// reports it); it is written as {"AWS": ["*", ...], ...}.
type Principal struct {
	Wildcard      bool
	AWS           StringList
	Service       StringList
	Federated     StringList
	CanonicalUser StringList
}

// Conditions is the Condition element of a statement: condition operator
// ("StringEquals", "Bool") to condition key ("aws:SecureTransport") to the
// values the key is compared with.
//
// IAM accepts JSON strings, booleans and numbers as condition values; they
// are decoded into their string form ("aws:SecureTransport": false becomes
// "false", 3600 becomes "3600", the number's literal text kept as written)
// and always written back as JSON strings, which IAM treats the same.
type Conditions map[string]map[string]StringList

// PolicyError is returned by PolicyDocument.Validate. It lists every problem
// found, each prefixed with the path of the offending field
// ("Statement[1].Effect: must be \"Allow\" or \"Deny\""). It does not wrap
// ErrInvalidSpec: callers that validate a spec wrap it themselves.
type PolicyError struct {
	Problems []string
}

// Error lists the problems on one line, separated by semicolons.
func (e *PolicyError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid policy document"
	}
	return "invalid policy document: " + strings.Join(e.Problems, "; ")
}

// NewPolicy returns a document with Version set to PolicyVersion and a copy
// of the given statements.
func NewPolicy(statements ...Statement) *PolicyDocument {
	d := &PolicyDocument{Version: PolicyVersion}
	for _, st := range statements {
		d.Statement = append(d.Statement, st.Clone())
	}
	return d
}

// Actions returns its arguments as a StringList, for the Action and NotAction
// fields of statement literals.
func Actions(a ...string) StringList { return StringList(a) }

// Resources returns its arguments as a StringList, for the Resource and
// NotResource fields of statement literals.
func Resources(r ...string) StringList { return StringList(r) }

// AWSPrincipal returns a principal naming AWS accounts, users or roles by ARN
// or account ID.
func AWSPrincipal(arns ...string) *Principal { return &Principal{AWS: StringList(arns)} }

// ServicePrincipal returns a principal naming AWS services
// ("ec2.amazonaws.com").
func ServicePrincipal(s ...string) *Principal { return &Principal{Service: StringList(s)} }

// FederatedPrincipal returns a principal naming identity providers, such as
// an OIDC provider's ARN or "cognito-identity.amazonaws.com".
func FederatedPrincipal(s ...string) *Principal { return &Principal{Federated: StringList(s)} }

// AnyPrincipal returns the "*" principal: everyone, including anonymous
// callers. Constrain it with conditions.
func AnyPrincipal() *Principal { return &Principal{Wildcard: true} }

// ParsePolicy parses a policy document. It accepts JSON and the URL-encoded
// form IAM returns from GetRole, GetRolePolicy, GetPolicyVersion and the like
// (input that, once trimmed, does not start with "{" is URL-decoded first;
// both "+" and "%20" decode to a space). "Statement" may be a single object
// instead of a list. Unknown keys, keys in the wrong case and values of the
// wrong JSON type are errors.
func ParsePolicy(s string) (*PolicyDocument, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, errors.New("parse policy: empty document")
	}
	if !strings.HasPrefix(t, "{") {
		u, err := url.QueryUnescape(t)
		if err != nil {
			return nil, fmt.Errorf("parse policy: neither JSON nor URL-encoded JSON: %w", err)
		}
		t = strings.TrimSpace(u)
		if !strings.HasPrefix(t, "{") {
			return nil, errors.New("parse policy: document must be a JSON object")
		}
	}
	var d PolicyDocument
	if err := json.Unmarshal([]byte(t), &d); err != nil {
		return nil, fmt.Errorf("parse policy: %w", err)
	}
	return &d, nil
}

// JSON returns the document as compact JSON with a stable key order (Version,
// Id, Statement; within a statement Sid, Effect, Principal, NotPrincipal,
// Action, NotAction, Resource, NotResource, Condition; condition operators and
// keys sorted). HTML characters are not escaped.
func (d *PolicyDocument) JSON() (string, error) {
	if d == nil {
		return "", errors.New("policy document is nil")
	}
	b, err := marshalNoEscape(d)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// MustJSON is JSON for documents known to be well formed, such as literals in
// tests and examples. It panics on error.
func (d *PolicyDocument) MustJSON() string {
	s, err := d.JSON()
	if err != nil {
		panic("foundation: PolicyDocument.MustJSON: " + err.Error())
	}
	return s
}

// URLEncoded returns the document in the form IAM returns it: the JSON,
// percent-encoded as RFC 3986 asks (spaces as %20, every character but
// letters, digits and "-._~" escaped). ParsePolicy reads it back.
func (d *PolicyDocument) URLEncoded() (string, error) {
	s, err := d.JSON()
	if err != nil {
		return "", err
	}
	// QueryEscape escapes a literal "+" as %2B, so every "+" left is a space.
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), nil
}

// MarshalJSON writes the document; a nil Statement is written as [].
func (d PolicyDocument) MarshalJSON() ([]byte, error) {
	type plain PolicyDocument // no methods: avoids recursion
	p := plain(d)
	if p.Statement == nil {
		p.Statement = []Statement{}
	}
	return marshalNoEscape(p)
}

// UnmarshalJSON decodes a document strictly: only the keys Version, Id and
// Statement are accepted, and Statement may be one object or a list.
func (d *PolicyDocument) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		return nil
	}
	m, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("policy document %w", err)
	}
	var out PolicyDocument
	for _, k := range sortedKeys(m) {
		raw := m[k]
		switch k {
		case "Version":
			err = decodeString(raw, &out.Version)
		case "Id":
			err = decodeString(raw, &out.ID)
		case "Statement":
			out.Statement, err = decodeStatements(raw)
			if err != nil {
				return err // already prefixed with Statement or Statement[i]
			}
		default:
			return fmt.Errorf("policy document: unknown key %q", k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	*d = out
	return nil
}

func decodeStatements(raw json.RawMessage) ([]Statement, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case isNull(raw):
		return nil, nil
	case len(raw) > 0 && raw[0] == '{':
		var st Statement
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
		return []Statement{st}, nil
	case len(raw) > 0 && raw[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
		out := make([]Statement, 0, len(items))
		for i, item := range items {
			item = bytes.TrimSpace(item)
			if len(item) == 0 || item[0] != '{' {
				//lint:ignore ST1005 the message starts with the field name, as every validation error does
				return nil, fmt.Errorf("Statement[%d]: must be an object", i)
			}
			var st Statement
			if err := json.Unmarshal(item, &st); err != nil {
				//lint:ignore ST1005 the message starts with the field name, as every validation error does
				return nil, fmt.Errorf("Statement[%d]: %w", i, err)
			}
			out = append(out, st)
		}
		return out, nil
	default:
		return nil, errors.New("Statement: must be an object or a list of objects")
	}
}

// UnmarshalJSON decodes a statement strictly: unknown keys are an error.
func (s *Statement) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		return nil
	}
	m, err := decodeObject(b)
	if err != nil {
		return fmt.Errorf("statement %w", err)
	}
	var out Statement
	for _, k := range sortedKeys(m) {
		raw := m[k]
		switch k {
		case "Sid":
			err = decodeString(raw, &out.Sid)
		case "Effect":
			var e string
			err = decodeString(raw, &e)
			out.Effect = Effect(e)
		case "Principal":
			out.Principal, err = decodePrincipal(raw)
		case "NotPrincipal":
			out.NotPrincipal, err = decodePrincipal(raw)
		case "Action":
			err = json.Unmarshal(raw, &out.Action)
		case "NotAction":
			err = json.Unmarshal(raw, &out.NotAction)
		case "Resource":
			err = json.Unmarshal(raw, &out.Resource)
		case "NotResource":
			err = json.Unmarshal(raw, &out.NotResource)
		case "Condition":
			err = json.Unmarshal(raw, &out.Condition)
		default:
			return fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	*s = out
	return nil
}

func decodePrincipal(raw json.RawMessage) (*Principal, error) {
	if isNull(bytes.TrimSpace(raw)) {
		return nil, nil
	}
	p := new(Principal)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, err
	}
	return p, nil
}

// MarshalJSON writes a lone element as a bare string and anything else,
// including an empty list, as a list.
func (l StringList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return marshalNoEscape(l[0])
	}
	if l == nil {
		return []byte("[]"), nil
	}
	return marshalNoEscape([]string(l))
}

// UnmarshalJSON accepts a string, a list of strings or null.
func (l *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case isNull(b):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	case len(b) > 0 && b[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make(StringList, 0, len(items))
		for i, item := range items {
			var s string
			if err := decodeStrictString(item, &s); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
			out = append(out, s)
		}
		*l = out
		return nil
	default:
		return errors.New("must be a string or a list of strings")
	}
}

// principalJSON is the object form of a Principal, in the order IAM uses.
type principalJSON struct {
	AWS           StringList `json:"AWS,omitempty"`
	Service       StringList `json:"Service,omitempty"`
	Federated     StringList `json:"Federated,omitempty"`
	CanonicalUser StringList `json:"CanonicalUser,omitempty"`
}

// MarshalJSON writes "*" for a wildcard principal and an object otherwise.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Wildcard && p.onlyWildcard() {
		return []byte(`"*"`), nil
	}
	o := principalJSON{AWS: p.AWS, Service: p.Service, Federated: p.Federated, CanonicalUser: p.CanonicalUser}
	if p.Wildcard {
		o.AWS = append(StringList{"*"}, p.AWS...)
	}
	return marshalNoEscape(o)
}

// UnmarshalJSON accepts "*" or an object with the keys AWS, Service,
// Federated and CanonicalUser.
func (p *Principal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s != "*" {
			return fmt.Errorf("%q: a principal given as a string must be \"*\"", s)
		}
		*p = Principal{Wildcard: true}
		return nil
	}
	m, err := decodeObject(b)
	if err != nil {
		return errors.New(`must be "*" or an object`)
	}
	var out Principal
	for _, k := range sortedKeys(m) {
		var dst *StringList
		switch k {
		case "AWS":
			dst = &out.AWS
		case "Service":
			dst = &out.Service
		case "Federated":
			dst = &out.Federated
		case "CanonicalUser":
			dst = &out.CanonicalUser
		default:
			return fmt.Errorf("unknown principal type %q", k)
		}
		if err := json.Unmarshal(m[k], dst); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	*p = out
	return nil
}

func (p Principal) onlyWildcard() bool {
	return len(p.AWS) == 0 && len(p.Service) == 0 && len(p.Federated) == 0 && len(p.CanonicalUser) == 0
}

// UnmarshalJSON decodes operator -> key -> values, where values may be a
// string, boolean or number or a list of them; they are kept in string form.
func (c *Conditions) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		*c = nil
		return nil
	}
	ops, err := decodeObject(b)
	if err != nil {
		return err
	}
	out := make(Conditions, len(ops))
	for _, op := range sortedKeys(ops) {
		raw := bytes.TrimSpace(ops[op])
		if isNull(raw) {
			out[op] = map[string]StringList{}
			continue
		}
		keys, err := decodeObject(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		kv := make(map[string]StringList, len(keys))
		for _, k := range sortedKeys(keys) {
			v, err := decodeConditionValues(keys[k])
			if err != nil {
				return fmt.Errorf("%s: %s: %w", op, k, err)
			}
			kv[k] = v
		}
		out[op] = kv
	}
	*c = out
	return nil
}

func decodeConditionValues(raw json.RawMessage) (StringList, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		out := make(StringList, 0, len(items))
		for i, item := range items {
			s, err := conditionScalar(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := conditionScalar(raw)
	if err != nil {
		return nil, err
	}
	return StringList{s}, nil
}

// conditionScalar returns the string form of a JSON string, boolean or
// number: the string itself, or the literal as written.
func conditionScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("missing value")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 't', 'f':
		return string(raw), nil // json.RawMessage is already validated: true or false
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), nil
	default:
		return "", errors.New("a condition value must be a string, boolean or number, or a list of them")
	}
}

// Clone returns a deep copy of the document; nil for nil.
func (d *PolicyDocument) Clone() *PolicyDocument {
	if d == nil {
		return nil
	}
	c := &PolicyDocument{Version: d.Version, ID: d.ID}
	if d.Statement != nil {
		c.Statement = make([]Statement, len(d.Statement))
		for i, st := range d.Statement {
			c.Statement[i] = st.Clone()
		}
	}
	return c
}

// Clone returns a deep copy of the statement.
func (s Statement) Clone() Statement {
	return Statement{
		Sid:          s.Sid,
		Effect:       s.Effect,
		Principal:    s.Principal.clone(),
		NotPrincipal: s.NotPrincipal.clone(),
		Action:       slices.Clone(s.Action),
		NotAction:    slices.Clone(s.NotAction),
		Resource:     slices.Clone(s.Resource),
		NotResource:  slices.Clone(s.NotResource),
		Condition:    s.Condition.clone(),
	}
}

func (p *Principal) clone() *Principal {
	if p == nil {
		return nil
	}
	return &Principal{
		Wildcard:      p.Wildcard,
		AWS:           slices.Clone(p.AWS),
		Service:       slices.Clone(p.Service),
		Federated:     slices.Clone(p.Federated),
		CanonicalUser: slices.Clone(p.CanonicalUser),
	}
}

func (c Conditions) clone() Conditions {
	if c == nil {
		return nil
	}
	out := make(Conditions, len(c))
	for op, kv := range c {
		if kv == nil {
			out[op] = nil
			continue
		}
		m := make(map[string]StringList, len(kv))
		for k, v := range kv {
			m[k] = slices.Clone(v)
		}
		out[op] = m
	}
	return out
}

// Canonical returns a normalised deep copy of the document, the form Equal
// compares: every list sorted and deduplicated (empty lists become nil),
// actions and condition keys lowercased (condition keys that collide are
// merged), a wildcard principal written as {"AWS": "*"}, an account's root
// ARN ("arn:aws:iam::111122223333:root") written as the bare account ID as
// IAM treats them the same, and statements sorted by their canonical JSON.
// Version, Id, Sid, Effect, condition operators and values, resources and
// principals are kept as they are, case included. It returns nil for nil.
func (d *PolicyDocument) Canonical() *PolicyDocument {
	if d == nil {
		return nil
	}
	type keyed struct {
		key string
		st  Statement
	}
	ks := make([]keyed, len(d.Statement))
	for i, st := range d.Statement {
		cs := st.canonical()
		ks[i] = keyed{key: mustMarshal(cs), st: cs}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	c := &PolicyDocument{Version: d.Version, ID: d.ID}
	if len(ks) > 0 {
		c.Statement = make([]Statement, len(ks))
		for i, k := range ks {
			c.Statement[i] = k.st
		}
	}
	return c
}

// Equal reports whether two documents mean the same to IAM: statement order,
// the order of and duplicates in every list, a one-element list versus a bare
// string, JSON whitespace and the case of action names and condition keys
// do not matter; "Principal": "*" equals {"AWS": "*"}, and a condition value
// false equals "false". A missing Version is not equal to "2012-10-17" (IAM
// evaluates them differently). Two nil documents are equal.
func (d *PolicyDocument) Equal(o *PolicyDocument) bool {
	if d == nil || o == nil {
		return d == nil && o == nil
	}
	return mustMarshal(d.Canonical()) == mustMarshal(o.Canonical())
}

// Equal reports whether two statements mean the same, with the rules of
// PolicyDocument.Equal. The Sid is compared too.
func (s Statement) Equal(o Statement) bool {
	return mustMarshal(s.canonical()) == mustMarshal(o.canonical())
}

func (s Statement) canonical() Statement {
	return Statement{
		Sid:          s.Sid,
		Effect:       s.Effect,
		Principal:    s.Principal.canonical(),
		NotPrincipal: s.NotPrincipal.canonical(),
		Action:       canonicalList(s.Action, true),
		NotAction:    canonicalList(s.NotAction, true),
		Resource:     canonicalList(s.Resource, false),
		NotResource:  canonicalList(s.NotResource, false),
		Condition:    s.Condition.canonical(),
	}
}

func (p *Principal) canonical() *Principal {
	if p == nil {
		return nil
	}
	aws := make(StringList, 0, len(p.AWS)+1)
	if p.Wildcard {
		aws = append(aws, "*")
	}
	for _, a := range p.AWS {
		if id, ok := accountRootARN(a); ok {
			a = id
		}
		aws = append(aws, a)
	}
	return &Principal{
		AWS:           canonicalList(aws, false),
		Service:       canonicalList(p.Service, false),
		Federated:     canonicalList(p.Federated, false),
		CanonicalUser: canonicalList(p.CanonicalUser, false),
	}
}

// accountRootARN returns the account ID of an account root ARN
// ("arn:aws:iam::111122223333:root" in any partition).
func accountRootARN(s string) (string, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") ||
		parts[2] != "iam" || parts[3] != "" || parts[5] != "root" || len(parts[4]) != 12 {
		return "", false
	}
	for _, r := range parts[4] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return parts[4], true
}

func (c Conditions) canonical() Conditions {
	if len(c) == 0 {
		return nil
	}
	out := make(Conditions, len(c))
	for op, kv := range c {
		m := make(map[string]StringList, len(kv))
		for k, v := range kv {
			lk := strings.ToLower(k)
			m[lk] = append(m[lk], v...)
		}
		for k, v := range m {
			m[k] = canonicalList(v, false)
		}
		out[op] = m
	}
	return out
}

func canonicalList(l StringList, lower bool) StringList {
	if len(l) == 0 {
		return nil
	}
	out := make(StringList, len(l))
	for i, s := range l {
		if lower {
			s = strings.ToLower(s)
		}
		out[i] = s
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// StatementBySid returns a copy of the first statement with the given Sid.
// An empty sid matches nothing.
func (d *PolicyDocument) StatementBySid(sid string) (Statement, bool) {
	if d == nil || sid == "" {
		return Statement{}, false
	}
	for _, st := range d.Statement {
		if st.Sid == sid {
			return st.Clone(), true
		}
	}
	return Statement{}, false
}

// SetStatement puts a copy of st into the document: it replaces the statement
// with the same Sid in place (and drops any later duplicates of that Sid), or
// is appended when there is none. Other statements keep their content and
// order. This is how the library merges its own statements into a policy a
// user also edits. st.Sid is required.
func (d *PolicyDocument) SetStatement(st Statement) error {
	if d == nil {
		return errors.New("set statement: policy document is nil")
	}
	if st.Sid == "" {
		return errors.New("set statement: Sid is required")
	}
	st = st.Clone()
	out := make([]Statement, 0, len(d.Statement)+1)
	replaced := false
	for _, s := range d.Statement {
		if s.Sid == st.Sid {
			if !replaced {
				out = append(out, st)
				replaced = true
			}
			continue
		}
		out = append(out, s)
	}
	if !replaced {
		out = append(out, st)
	}
	d.Statement = out
	return nil
}

// RemoveStatement removes every statement with the given Sid and reports
// whether there was one. An empty sid removes nothing.
func (d *PolicyDocument) RemoveStatement(sid string) bool {
	if d == nil || sid == "" {
		return false
	}
	out := make([]Statement, 0, len(d.Statement))
	for _, s := range d.Statement {
		if s.Sid != sid {
			out = append(out, s)
		}
	}
	if len(out) == len(d.Statement) {
		return false
	}
	d.Statement = out
	return true
}

// Validate performs the structural checks IAM performs and returns a
// *PolicyError listing every problem found, or nil:
//
//   - Version is "2012-10-17", "2008-10-17" or empty;
//   - there is at least one statement;
//   - each Effect is "Allow" or "Deny";
//   - each statement has exactly one of Action and NotAction, at most one of
//     Resource and NotResource, and at most one of Principal and NotPrincipal;
//   - Sids, when set, are unique and contain only ASCII letters and digits
//     (IAM's rule; S3 and KMS resource policies also accept spaces);
//   - no action, resource or principal is an empty string;
//   - a principal names at least one principal, and "*" is not combined with
//     other principals;
//   - condition operators and keys are not empty and every key has a value.
//
// Resource is not required: trust policies have none. Validate does not check
// the size limits, which depend on the kind of policy.
func (d *PolicyDocument) Validate() error {
	if d == nil {
		return &PolicyError{Problems: []string{"policy document is nil"}}
	}
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	switch d.Version {
	case "", PolicyVersion, policyVersion2008:
	default:
		add("Version: %q: must be %q, %q or empty", d.Version, PolicyVersion, policyVersion2008)
	}
	if len(d.Statement) == 0 {
		add("Statement: must contain at least one statement")
	}
	sids := map[string]int{}
	for i, st := range d.Statement {
		path := fmt.Sprintf("Statement[%d]", i)
		if st.Sid != "" {
			if !isAlnum(st.Sid) {
				add("%s.Sid: %q: must contain only letters (A-Z, a-z) and digits", path, st.Sid)
			}
			if j, dup := sids[st.Sid]; dup {
				add("%s.Sid: %q: duplicates Statement[%d].Sid", path, st.Sid, j)
			} else {
				sids[st.Sid] = i
			}
		}
		if st.Effect != EffectAllow && st.Effect != EffectDeny {
			if st.Effect == "" {
				add("%s.Effect: must be %q or %q", path, EffectAllow, EffectDeny)
			} else {
				add("%s.Effect: must be %q or %q, got %q", path, EffectAllow, EffectDeny, st.Effect)
			}
		}
		if (len(st.Action) > 0) == (len(st.NotAction) > 0) {
			add("%s: must have exactly one of Action and NotAction", path)
		}
		if len(st.Resource) > 0 && len(st.NotResource) > 0 {
			add("%s: must not have both Resource and NotResource", path)
		}
		if st.Principal != nil && st.NotPrincipal != nil {
			add("%s: must not have both Principal and NotPrincipal", path)
		}
		for _, f := range []struct {
			name string
			l    StringList
		}{{"Action", st.Action}, {"NotAction", st.NotAction}, {"Resource", st.Resource}, {"NotResource", st.NotResource}} {
			for j, s := range f.l {
				if s == "" {
					add("%s.%s[%d]: must not be empty", path, f.name, j)
				}
			}
		}
		validatePrincipal(st.Principal, path+".Principal", add)
		validatePrincipal(st.NotPrincipal, path+".NotPrincipal", add)
		for _, op := range sortedKeys(st.Condition) {
			if op == "" {
				add("%s.Condition: operator must not be empty", path)
			}
			kv := st.Condition[op]
			if len(kv) == 0 {
				add("%s.Condition[%q]: must have at least one condition key", path, op)
			}
			for _, k := range sortedKeys(kv) {
				if k == "" {
					add("%s.Condition[%q]: condition key must not be empty", path, op)
				}
				if len(kv[k]) == 0 {
					add("%s.Condition[%q][%q]: must have at least one value", path, op, k)
				}
			}
		}
	}
	if len(probs) > 0 {
		return &PolicyError{Problems: probs}
	}
	return nil
}

func validatePrincipal(p *Principal, path string, add func(string, ...any)) {
	if p == nil {
		return
	}
	if p.Wildcard && !p.onlyWildcard() {
		add("%s: \"*\" must not be combined with other principals", path)
	}
	if !p.Wildcard && p.onlyWildcard() {
		add("%s: must name at least one principal", path)
	}
	for _, f := range []struct {
		name string
		l    StringList
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		for j, s := range f.l {
			if s == "" {
				add("%s.%s[%d]: must not be empty", path, f.name, j)
			}
		}
	}
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// marshalNoEscape is json.Marshal without HTML escaping, so that "&", "<"
// and ">" in conditions and ARNs are written as themselves.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// mustMarshal marshals values of this file's types, which cannot fail to
// marshal; an impossible error yields a string that equals nothing else.
func mustMarshal(v any) string {
	b, err := marshalNoEscape(v)
	if err != nil {
		return "\x00error: " + err.Error()
	}
	return string(b)
}

func isNull(b []byte) bool { return string(b) == "null" }

// decodeObject decodes a JSON object into its raw members.
func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("must be a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeString decodes a JSON string; null leaves dst empty.
func decodeString(raw json.RawMessage, dst *string) error {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		*dst = ""
		return nil
	}
	return decodeStrictString(raw, dst)
}

// decodeStrictString decodes a JSON string and nothing else.
func decodeStrictString(raw json.RawMessage, dst *string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return errors.New("must be a string")
	}
	return json.Unmarshal(raw, dst)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
