package scp

import (
	"fmt"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
)

// Request is one API request as SCP evaluation sees it. Fields left empty
// are absent from the request context.
type Request struct {
	// Action is the action authorized, "service:Operation"
	// ("ec2:RunInstances").
	Action string
	// Resource is the ARN of the resource acted on. Empty means unknown:
	// only statements whose Resource is "*" (or that have none) match it.
	Resource string
	// Region is aws:RequestedRegion.
	Region string
	// PrincipalARN is aws:PrincipalArn: for a role session, the role's ARN
	// ("arn:aws:iam::111122223333:role/Admin"); for the root user,
	// "arn:aws:iam::111122223333:root".
	PrincipalARN string
	// PrincipalAccount is aws:PrincipalAccount.
	PrincipalAccount string
	// PrincipalTags are the principal's tags, aws:PrincipalTag/KEY.
	PrincipalTags map[string]string
	// Conditions are any other context keys and their values
	// ("s3:x-amz-server-side-encryption": {"AES256"},
	// "ec2:Encrypted": {"false"}). A key given here overrides the fields
	// above. Keys are matched case-insensitively, as IAM does.
	Conditions map[string][]string
}

// Outcome is the result of evaluating SCPs for a request.
type Outcome string

// The outcomes of Evaluate.
const (
	// Allow: some Allow statement matched and no Deny did.
	Allow Outcome = "Allow"
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny Outcome = "ExplicitDeny"
	// ImplicitDeny: nothing denied the request, but no Allow matched it.
	ImplicitDeny Outcome = "ImplicitDeny"
)

// StatementRef points at one statement of the documents evaluated.
type StatementRef struct {
	// Level is the index of the level in EvaluatePath (0 for Evaluate).
	Level int
	// Policy is the index of the document, Statement the index of the
	// statement in it.
	Policy, Statement int
	Sid               string
}

func (r StatementRef) String() string {
	s := fmt.Sprintf("policy %d statement %d", r.Policy, r.Statement)
	if r.Sid != "" {
		s += fmt.Sprintf(" (%s)", r.Sid)
	}
	return s
}

// Decision is what Evaluate concluded.
type Decision struct {
	Outcome Outcome
	// By is the statement that decided: the first Deny that matched, or
	// the first Allow that matched; nil for ImplicitDeny.
	By *StatementRef
	// Unsupported lists the condition operators Evaluate met but cannot
	// evaluate (numeric, date, IP address and binary operators). It fails
	// closed: a Deny statement with one applies, an Allow with one
	// does not.
	Unsupported []string
}

// Allowed reports whether the outcome is Allow.
func (d Decision) Allowed() bool { return d.Outcome == Allow }

func (d Decision) String() string {
	if d.By == nil {
		return string(d.Outcome)
	}
	return fmt.Sprintf("%s by %s", d.Outcome, d.By)
}

// Evaluate decides a request against the SCPs attached to one target (one
// level of the organization), offline, with SCP semantics: an explicit Deny
// in any document wins; otherwise the request is allowed only if some Allow
// statement matches it (the AWS managed FullAWSAccess policy is such an
// Allow of "*"). Nil documents are skipped; no documents allow nothing.
//
// It supports Action and NotAction (wildcards "*" and "?", case-insensitive),
// Resource and NotResource (wildcards, case-sensitive), and the condition
// operators StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike,
// ArnNotEquals, ArnNotLike, Bool and Null, each with the IfExists suffix and
// the ForAnyValue:/ForAllValues: prefixes, with IAM's rules for missing
// keys: a negated operator (StringNotEquals, ArnNotLike...) is true when the
// key is absent, others are false, IfExists makes them true.
//
// Evaluate is a helper for tests and reviews, not IAM's authorizer: it
// ignores that SCPs do not apply to the management account and to
// service-linked roles, and evaluates SCPs only (identity and resource
// policies grant the permissions SCPs merely bound).
func Evaluate(docs []*foundation.PolicyDocument, req Request) Decision {
	return evaluateLevel(0, docs, req)
}

// EvaluatePath decides a request for an account against the SCPs of every
// level above it, from the root to the account: levels[0] are the SCPs
// attached to the root, then those of each OU on the path, then the
// account's. A request is allowed only if every level allows it; the first
// explicit Deny, or the first level that does not allow it, decides.
func EvaluatePath(levels [][]*foundation.PolicyDocument, req Request) Decision {
	var last Decision
	var unsupported []string
	for i, docs := range levels {
		d := evaluateLevel(i, docs, req)
		unsupported = append(unsupported, d.Unsupported...)
		if d.Outcome != Allow {
			d.Unsupported = unsupported
			return d
		}
		last = d
	}
	if len(levels) == 0 {
		return Decision{Outcome: ImplicitDeny}
	}
	last.Unsupported = unsupported
	return last
}

func evaluateLevel(level int, docs []*foundation.PolicyDocument, req Request) Decision {
	var d Decision
	var allow *StatementRef
	for i, doc := range docs {
		if doc == nil {
			continue
		}
		for j, st := range doc.Statement {
			m := matchStatement(st, req)
			d.Unsupported = append(d.Unsupported, m.unsupported...)
			ref := &StatementRef{Level: level, Policy: i, Statement: j, Sid: st.Sid}
			switch st.Effect {
			case foundation.EffectDeny:
				// Fail closed: an unsupported condition counts as met.
				if m.applies && m.metIfUnsupportedMet {
					d.Outcome, d.By = ExplicitDeny, ref
					return d
				}
			case foundation.EffectAllow:
				// ... and as not met for an Allow.
				if m.applies && m.met && allow == nil {
					allow = ref
				}
			}
		}
	}
	if allow != nil {
		d.Outcome, d.By = Allow, allow
		return d
	}
	d.Outcome = ImplicitDeny
	return d
}

// match is how one statement relates to a request.
type match struct {
	applies bool // Action/NotAction and Resource/NotResource match
	// met: every condition is met, unsupported ones counting as not met;
	// metIfUnsupportedMet: the same, unsupported ones counting as met.
	met, metIfUnsupportedMet bool
	unsupported              []string
}

func matchStatement(st foundation.Statement, req Request) match {
	m := match{applies: statementMatchesIgnoringConditions(st, req), met: true, metIfUnsupportedMet: true}
	if !m.applies {
		return m
	}
	for op, kv := range st.Condition {
		for key, values := range kv {
			ok, supported := evalCondition(op, key, values, req)
			switch {
			case !supported:
				m.unsupported = append(m.unsupported, op)
				m.met = false
			case !ok:
				m.met, m.metIfUnsupportedMet = false, false
			}
		}
	}
	return m
}

func statementMatchesIgnoringConditions(st foundation.Statement, req Request) bool {
	switch {
	case len(st.Action) > 0:
		if !anyGlob(st.Action, req.Action, true) {
			return false
		}
	case len(st.NotAction) > 0:
		if anyGlob(st.NotAction, req.Action, true) {
			return false
		}
	default:
		return false
	}
	switch {
	case len(st.Resource) > 0:
		return resourceMatches(st.Resource, req.Resource)
	case len(st.NotResource) > 0:
		return !resourceMatches(st.NotResource, req.Resource)
	}
	return true
}

// resourceMatches reports whether a resource ARN matches one of the
// patterns; an unknown (empty) resource matches only "*".
func resourceMatches(patterns []string, resource string) bool {
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		if resource != "" && glob(p, resource, false) {
			return true
		}
	}
	return false
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if glob(p, s, fold) {
			return true
		}
	}
	return false
}

// contextValues returns the values of a condition key in the request, and
// whether the key is present.
func (r Request) contextValues(key string) ([]string, bool) {
	for k, v := range r.Conditions {
		if strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	lk := strings.ToLower(key)
	one := func(v string) ([]string, bool) {
		if v == "" {
			return nil, false
		}
		return []string{v}, true
	}
	switch lk {
	case "aws:requestedregion":
		return one(r.Region)
	case "aws:principalarn":
		return one(r.PrincipalARN)
	case "aws:principalaccount":
		return one(r.PrincipalAccount)
	}
	if tag, ok := strings.CutPrefix(lk, "aws:principaltag/"); ok {
		for k, v := range r.PrincipalTags {
			if strings.ToLower(k) == tag {
				return []string{v}, true
			}
		}
	}
	return nil, false
}

// negated operators are true when the key is absent.
var negatedOperators = map[string]bool{
	"StringNotEquals": true, "StringNotEqualsIgnoreCase": true, "StringNotLike": true,
	"ArnNotEquals": true, "ArnNotLike": true,
}

// evalCondition evaluates one operator on one key. supported is false for
// operators Evaluate does not implement.
func evalCondition(op, key string, policyValues []string, req Request) (ok, supported bool) {
	set, base, ifExists := splitOperator(op)
	if set != "" && set != "ForAnyValue" && set != "ForAllValues" {
		return false, false
	}
	values, present := req.contextValues(key)
	if base == "Null" {
		for _, p := range policyValues {
			if strings.EqualFold(p, "true") == !present {
				return true, true
			}
		}
		return false, true
	}
	match, supported := valueMatcher(base)
	if !supported {
		return false, false
	}
	if !present {
		switch {
		case ifExists:
			return true, true
		case set == "ForAllValues":
			return true, true
		case set == "ForAnyValue":
			return false, true
		default:
			return negatedOperators[base], true
		}
	}
	one := func(v string) bool {
		hit := false
		for _, p := range policyValues {
			if match(p, v) {
				hit = true
				break
			}
		}
		if negatedOperators[base] {
			return !hit
		}
		return hit
	}
	all := func() bool {
		for _, v := range values {
			if !one(v) {
				return false
			}
		}
		return true
	}
	some := func() bool {
		for _, v := range values {
			if one(v) {
				return true
			}
		}
		return false
	}
	switch {
	case set == "ForAllValues":
		return all(), true
	case set == "ForAnyValue":
		return some(), true
	case negatedOperators[base]:
		return all(), true // a negated operator is met when no value matches
	default:
		return some(), true
	}
}

// valueMatcher returns how a policy value matches a request value for a
// base operator (the positive form for negated operators).
func valueMatcher(base string) (func(policy, value string) bool, bool) {
	switch base {
	case "StringEquals", "StringNotEquals":
		return func(p, v string) bool { return p == v }, true
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold, true
	case "StringLike", "StringNotLike":
		return func(p, v string) bool { return glob(p, v, false) }, true
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnMatch, true
	case "Bool":
		return strings.EqualFold, true
	}
	return nil, false
}

// arnMatch matches an ARN against an ARN pattern segment by segment (the
// six colon-separated parts; wildcards do not cross the first five colons),
// as ArnLike and ArnEquals do.
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	ps := strings.SplitN(pattern, ":", 6)
	as := strings.SplitN(arn, ":", 6)
	if len(ps) != 6 || len(as) != 6 {
		return false
	}
	for i := range ps {
		if !glob(ps[i], as[i], false) {
			return false
		}
	}
	return true
}

// glob matches s against an IAM wildcard pattern (awsrules.Glob).
func glob(pattern, s string, fold bool) bool { return awsrules.Glob(pattern, s, fold) }
