package scp

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
)

// Offline evaluation of organization authorization policies (SCPs and
// RCPs), written from AWS's documentation:
//
//   - SCP evaluation: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
//   - RCP evaluation: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
//   - Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Single- and multivalued keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//   - Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

// Request is one API request as SCP and RCP evaluation sees it. Fields left
// empty are absent from the request context.
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
	// PrincipalOrgID is aws:PrincipalOrgID ("o-..."), empty for a
	// principal outside any organization.
	PrincipalOrgID string
	// PrincipalTags are the principal's tags, aws:PrincipalTag/KEY.
	PrincipalTags map[string]string
	// ResourceAccount and ResourceOrgID are aws:ResourceAccount and
	// aws:ResourceOrgID: the account that owns the resource and its
	// organization.
	ResourceAccount, ResourceOrgID string
	// SourceIP is aws:SourceIp.
	SourceIP string
	// Time is aws:CurrentTime and aws:EpochTime; zero means absent.
	Time time.Time
	// Conditions are any other context keys and their values
	// ("s3:x-amz-server-side-encryption": {"AES256"},
	// "aws:SecureTransport": {"true"}). A key given here overrides the
	// fields above. Keys are matched case-insensitively, as IAM does; a
	// key with several values is multivalued (aws:TagKeys).
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
	// Target and TargetName name the level (root, OU or account ID and
	// its name), PolicyID, PolicyName and PolicyARN the policy; they are
	// set by EvaluateLevels and Authorize, empty for Evaluate and
	// EvaluatePath.
	Target, TargetName              string
	PolicyID, PolicyName, PolicyARN string
}

func (r StatementRef) String() string {
	if r.PolicyName == "" && r.PolicyID == "" && r.Target == "" {
		s := fmt.Sprintf("policy %d statement %d", r.Policy, r.Statement)
		if r.Sid != "" {
			s += fmt.Sprintf(" (%s)", r.Sid)
		}
		return s
	}
	s := fmt.Sprintf("statement %d", r.Statement)
	if r.Sid != "" {
		s = fmt.Sprintf("statement %q", r.Sid)
	}
	return s + " of policy " + r.policyLabel() + " at " + r.levelLabel()
}

func (r StatementRef) policyLabel() string {
	return label(r.PolicyName, r.PolicyID, fmt.Sprintf("#%d", r.Policy))
}

func (r StatementRef) levelLabel() string {
	return label(r.TargetName, r.Target, fmt.Sprintf("level %d", r.Level))
}

// label is "name (id)", or whichever of the two is set, or fallback.
func label(name, id, fallback string) string {
	switch {
	case name != "" && id != "" && name != id:
		return fmt.Sprintf("%s (%s)", name, id)
	case name != "":
		return name
	case id != "":
		return id
	}
	return fallback
}

// Decision is what Evaluate concluded.
type Decision struct {
	Outcome Outcome
	// By is the statement that decided: the first Deny that matched, or
	// the first Allow that matched; nil for ImplicitDeny.
	By *StatementRef
	// Type is the policy type that decided: SCPType or RCPType, set by
	// Authorize; empty otherwise.
	Type string
	// Level is the index of the level that decided an ImplicitDeny (no
	// Allow there), -1 otherwise. LevelTarget and LevelName name it.
	Level                  int
	LevelTarget, LevelName string
	// Conditions are the deciding statement's conditions (for an
	// ImplicitDeny, those of the Allow statements at the level that
	// matched the action and resource but whose conditions failed), each
	// with the request's values and whether it was met.
	Conditions []ConditionResult
	// Unsupported lists the condition operators met but not known to
	// the evaluator. It fails closed: a Deny statement with one applies,
	// an Allow with one does not.
	Unsupported []string
	// Exemptions are the smallest changes to the policies that would let
	// the request through, in order (set by EvaluateLevels and Authorize
	// for a denied request; see Exemption).
	Exemptions []Exemption
}

// Allowed reports whether the outcome is Allow.
func (d Decision) Allowed() bool { return d.Outcome == Allow }

func (d Decision) String() string {
	if d.By == nil {
		if d.Outcome == ImplicitDeny && (d.LevelTarget != "" || d.LevelName != "") {
			return fmt.Sprintf("%s: no %s at %s allows it", d.Outcome, typeName(d.Type),
				label(d.LevelName, d.LevelTarget, ""))
		}
		return string(d.Outcome)
	}
	return fmt.Sprintf("%s by %s", d.Outcome, d.By)
}

// ConditionResult is one condition (operator, key, values) of a statement
// evaluated against a request.
type ConditionResult struct {
	Operator, Key string
	Values        []string // the policy's values, variables substituted
	Request       []string // the request's values for Key; nil when absent
	Met           bool
	Supported     bool
}

func (c ConditionResult) String() string {
	req := "absent"
	if c.Request != nil {
		req = fmt.Sprintf("%q", c.Request)
	}
	state := "met"
	switch {
	case !c.Supported:
		state = "unsupported operator"
	case !c.Met:
		state = "not met"
	}
	return fmt.Sprintf("%s %s %q (request: %s): %s", c.Operator, c.Key, c.Values, req, state)
}

// Evaluate decides a request against the SCPs attached to one target (one
// level of the organization), offline, with SCP semantics: an explicit Deny
// in any document wins; otherwise the request is allowed only if some Allow
// statement matches it (the AWS managed FullAWSAccess policy is such an
// Allow of "*"). Nil documents are skipped; no documents allow nothing.
//
// It supports Principal/NotPrincipal (for RCPs), Action and NotAction
// (wildcards "*" and "?", case-insensitive), Resource and NotResource
// (wildcards, case-sensitive, policy variables), and every IAM condition
// operator: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress,
// NotIpAddress, Arn* and Null, each with the IfExists suffix (Null
// excepted) and the ForAnyValue:/ForAllValues: prefixes, with IAM's rules
// for missing keys: a negated operator (StringNotEquals, ArnNotLike,
// NotIpAddress...) is true when the key is absent, others are false,
// IfExists makes them true, ForAllValues is true and ForAnyValue false.
// A negated operator on a multivalued key is met only when no value
// matches. Policy variables ("${aws:PrincipalAccount}",
// "${aws:PrincipalTag/team, 'none'}", "${*}") are substituted in
// resources and in String and Arn condition values; a value whose variable
// is absent (and has no default) matches nothing.
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
// EvaluateLevels does the same with names and exemptions.
func EvaluatePath(levels [][]*foundation.PolicyDocument, req Request) Decision {
	var last Decision
	var unsupported []string
	// A Deny at any level wins over a missing Allow at an earlier one
	// (AWS evaluates every policy; an explicit deny overrides).
	var implicit *Decision
	for i, docs := range levels {
		d := evaluateLevel(i, docs, req)
		unsupported = append(unsupported, d.Unsupported...)
		switch {
		case d.Outcome == ExplicitDeny:
			d.Unsupported = unsupported
			return d
		case d.Outcome == ImplicitDeny && implicit == nil:
			dd := d
			implicit = &dd
		case d.Outcome == Allow && implicit == nil:
			last = d
		}
	}
	if implicit != nil {
		implicit.Unsupported = unsupported
		return *implicit
	}
	if len(levels) == 0 {
		return Decision{Outcome: ImplicitDeny, Level: 0}
	}
	last.Unsupported = unsupported
	return last
}

func evaluateLevel(level int, docs []*foundation.PolicyDocument, req Request) Decision {
	d := Decision{Level: -1}
	var allow *StatementRef
	var near []ConditionResult
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
					d.Outcome, d.By, d.Conditions = ExplicitDeny, ref, m.conditions
					return d
				}
			case foundation.EffectAllow:
				// ... and as not met for an Allow.
				switch {
				case m.applies && m.met && allow == nil:
					allow = ref
					d.Conditions = m.conditions
				case m.applies && !m.met:
					near = append(near, m.conditions...)
				}
			}
		}
	}
	if allow != nil {
		d.Outcome, d.By = Allow, allow
		return d
	}
	d.Outcome, d.Level, d.Conditions = ImplicitDeny, level, near
	return d
}

// match is how one statement relates to a request.
type match struct {
	applies bool // Principal, Action and Resource elements match
	// met: every condition is met, unsupported ones counting as not met;
	// metIfUnsupportedMet: the same, unsupported ones counting as met.
	met, metIfUnsupportedMet bool
	unsupported              []string
	conditions               []ConditionResult
}

func matchStatement(st foundation.Statement, req Request) match {
	m := match{applies: statementMatchesIgnoringConditions(st, req), met: true, metIfUnsupportedMet: true}
	if !m.applies {
		return m
	}
	for _, op := range sortedKeys(st.Condition) {
		kv := st.Condition[op]
		for _, key := range sortedKeys(kv) {
			c := evalCondition(op, key, kv[key], req)
			m.conditions = append(m.conditions, c)
			switch {
			case !c.Supported:
				m.unsupported = append(m.unsupported, op)
				m.met = false
			case !c.Met:
				m.met, m.metIfUnsupportedMet = false, false
			}
		}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func statementMatchesIgnoringConditions(st foundation.Statement, req Request) bool {
	switch {
	case st.Principal != nil && !principalMatches(st.Principal, req):
		return false
	case st.NotPrincipal != nil && principalMatches(st.NotPrincipal, req):
		return false
	}
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
		return resourceMatches(st.Resource, req)
	case len(st.NotResource) > 0:
		return !resourceMatches(st.NotResource, req)
	}
	return true
}

// principalMatches matches the AWS principals of a Principal element
// (RCPs allow only "*"; account IDs and ARNs are matched too).
func principalMatches(p *foundation.Principal, req Request) bool {
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		switch {
		case a == "*":
			return true
		case req.PrincipalAccount != "" && (a == req.PrincipalAccount || a == "arn:aws:iam::"+req.PrincipalAccount+":root"):
			return true
		case req.PrincipalARN != "" && a == req.PrincipalARN:
			return true
		}
	}
	return false
}

// resourceMatches reports whether the request's resource matches one of
// the patterns; an unknown (empty) resource matches only "*".
func resourceMatches(patterns []string, req Request) bool {
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		if req.Resource == "" {
			continue
		}
		p, ok := substitute(p, req)
		if ok && glob(p, req.Resource, false) {
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
	case "aws:principalorgid":
		return one(r.PrincipalOrgID)
	case "aws:resourceaccount":
		return one(r.ResourceAccount)
	case "aws:resourceorgid":
		return one(r.ResourceOrgID)
	case "aws:sourceip":
		return one(r.SourceIP)
	case "aws:currenttime":
		if !r.Time.IsZero() {
			return one(r.Time.UTC().Format(time.RFC3339))
		}
	case "aws:epochtime":
		if !r.Time.IsZero() {
			return one(strconv.FormatInt(r.Time.Unix(), 10))
		}
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

// substitute replaces the policy variables in s ("${aws:username}",
// "${aws:PrincipalTag/team, 'default'}", "${*}", "${?}", "${$}") with
// the request's values. ok is false when a variable names a key absent
// from the request (or multivalued) and has no default: the value then
// matches nothing.
func substitute(s string, req Request) (string, bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		inner := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch inner {
		case "*", "?", "$":
			b.WriteString(inner)
			continue
		}
		key, def, hasDef := inner, "", false
		if k, d, ok := strings.Cut(inner, ","); ok {
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				key, def, hasDef = strings.TrimSpace(k), d[1:len(d)-1], true
			}
		}
		vals, present := req.contextValues(key)
		switch {
		case present && len(vals) == 1:
			b.WriteString(vals[0])
		case hasDef:
			b.WriteString(def)
		default:
			return "", false
		}
	}
}

// negatedOperators are the operators that are true when the key is absent,
// and that, on a multivalued key, hold only when no value matches.
var negatedOperators = map[string]bool{
	"StringNotEquals": true, "StringNotEqualsIgnoreCase": true, "StringNotLike": true,
	"ArnNotEquals": true, "ArnNotLike": true, "NumericNotEquals": true, "DateNotEquals": true,
	"NotIpAddress": true,
}

// splitOp splits "ForAnyValue:StringLikeIfExists" into its set prefix,
// base operator and IfExists suffix.
func splitOp(op string) (set, base string, ifExists bool) {
	base = op
	if i := strings.IndexByte(op, ':'); i >= 0 {
		set, base = op[:i], op[i+1:]
	}
	if base != "Null" && strings.HasSuffix(base, "IfExists") {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	return set, base, ifExists
}

// evalCondition evaluates one operator on one key.
func evalCondition(op, key string, policyValues []string, req Request) ConditionResult {
	res := ConditionResult{Operator: op, Key: key, Values: policyValues, Supported: true}
	set, base, ifExists := splitOp(op)
	if set != "" && set != "ForAnyValue" && set != "ForAllValues" {
		res.Supported = false
		return res
	}
	values, present := req.contextValues(key)
	if present {
		res.Request = values
	}
	if base == "Null" {
		for _, p := range policyValues {
			if strings.EqualFold(p, "true") == !present {
				res.Met = true
			}
		}
		return res
	}
	match, substitutes, supported := valueMatcher(base)
	if !supported {
		res.Supported = false
		return res
	}
	if substitutes {
		var subst []string
		for _, p := range policyValues {
			if v, ok := substitute(p, req); ok {
				subst = append(subst, v)
			}
		}
		res.Values = subst
		policyValues = subst
	}
	negated := negatedOperators[base]
	if !present {
		switch {
		case ifExists, set == "ForAllValues":
			res.Met = true
		case set == "ForAnyValue":
			res.Met = false
		default:
			res.Met = negated
		}
		return res
	}
	one := func(v string) bool {
		hit := false
		for _, p := range policyValues {
			if match(p, v) {
				hit = true
				break
			}
		}
		if negated {
			return !hit
		}
		return hit
	}
	all, some := true, false
	for _, v := range values {
		if one(v) {
			some = true
		} else {
			all = false
		}
	}
	switch {
	case set == "ForAllValues":
		res.Met = all
	case set == "ForAnyValue":
		res.Met = some
	case negated:
		res.Met = all // a negated operator is met when no value matches
	default:
		res.Met = some
	}
	return res
}

// valueMatcher returns how a policy value matches a request value for a
// base operator (the positive form for negated operators), and whether
// policy variables are substituted in its values.
func valueMatcher(base string) (match func(policy, value string) bool, substitutes, supported bool) {
	switch base {
	case "StringEquals", "StringNotEquals":
		return func(p, v string) bool { return p == v }, true, true
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold, true, true
	case "StringLike", "StringNotLike":
		return func(p, v string) bool { return glob(p, v, false) }, true, true
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnMatch, true, true
	case "Bool":
		return strings.EqualFold, false, true
	case "BinaryEquals":
		return binaryEquals, false, true
	case "IpAddress", "NotIpAddress":
		return ipMatch, false, true
	case "NumericEquals", "NumericNotEquals":
		return numeric(func(p, v float64) bool { return v == p }), false, true
	case "NumericLessThan":
		return numeric(func(p, v float64) bool { return v < p }), false, true
	case "NumericLessThanEquals":
		return numeric(func(p, v float64) bool { return v <= p }), false, true
	case "NumericGreaterThan":
		return numeric(func(p, v float64) bool { return v > p }), false, true
	case "NumericGreaterThanEquals":
		return numeric(func(p, v float64) bool { return v >= p }), false, true
	case "DateEquals", "DateNotEquals":
		return date(func(p, v time.Time) bool { return v.Equal(p) }), false, true
	case "DateLessThan":
		return date(func(p, v time.Time) bool { return v.Before(p) }), false, true
	case "DateLessThanEquals":
		return date(func(p, v time.Time) bool { return !v.After(p) }), false, true
	case "DateGreaterThan":
		return date(func(p, v time.Time) bool { return v.After(p) }), false, true
	case "DateGreaterThanEquals":
		return date(func(p, v time.Time) bool { return !v.Before(p) }), false, true
	}
	return nil, false, false
}

// numeric compares numbers; a value that is not a number matches nothing.
func numeric(cmp func(p, v float64) bool) func(string, string) bool {
	return func(ps, vs string) bool {
		p, err1 := strconv.ParseFloat(strings.TrimSpace(ps), 64)
		v, err2 := strconv.ParseFloat(strings.TrimSpace(vs), 64)
		return err1 == nil && err2 == nil && cmp(p, v)
	}
}

// date compares dates given in ISO 8601 (W3C profile) or as epoch seconds;
// a value that is neither matches nothing.
func date(cmp func(p, v time.Time) bool) func(string, string) bool {
	return func(ps, vs string) bool {
		p, ok1 := parseDate(ps)
		v, ok2 := parseDate(vs)
		return ok1 && ok2 && cmp(p, v)
	}
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ipMatch matches an IP address against an address or CIDR block.
func ipMatch(p, v string) bool {
	ip, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	p = strings.TrimSpace(p)
	if !strings.Contains(p, "/") {
		a, err := netip.ParseAddr(p)
		return err == nil && a.Unmap() == ip.Unmap()
	}
	pfx, err := netip.ParsePrefix(p)
	return err == nil && pfx.Masked().Contains(ip.Unmap())
}

// binaryEquals compares base64-encoded values byte for byte.
func binaryEquals(p, v string) bool {
	pb, err1 := base64.StdEncoding.DecodeString(p)
	vb, err2 := base64.StdEncoding.DecodeString(v)
	if err1 != nil || err2 != nil {
		return p == v
	}
	return string(pb) == string(vb)
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
