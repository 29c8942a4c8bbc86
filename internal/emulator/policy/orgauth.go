package policy

// Evaluation of AWS Organizations authorization policies (service control
// policies and resource control policies) for the emulator's enforcement,
// written from AWS's documentation and not shared with the library's
// scp.Evaluate, so that a mistake in one is not mirrored in the other:
//
//   - SCP evaluation (an Allow needed at every level from the root to the
//     account, any Deny wins):
//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
//   - RCP evaluation (the same along the resource owner's path):
//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
//   - Condition operators, missing keys, IfExists, ForAllValues/ForAnyValue:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//   - Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The Organizations policy types the emulator enforces (OrgDecision.Type).
const (
	EnforcedSCP = "SERVICE_CONTROL_POLICY"
	EnforcedRCP = "RESOURCE_CONTROL_POLICY"
)

// OrgLevel is one target on an organization path (root, OU, account)
// with the policies of one type attached to it.
type OrgLevel struct {
	Target, Name string
	Policies     []OrgPolicy
}

// OrgPolicy is one attached policy, parsed.
type OrgPolicy struct {
	ID, Name, ARN string
	Doc           *Doc
}

// OrgRequest is a request as organization policies see it.
type OrgRequest struct {
	Action   string // "s3:CreateBucket"
	Resource string // the resource ARN, "" when unknown (matches only "*")
	// PrincipalARN and PrincipalAccount match Principal elements (RCPs).
	PrincipalARN, PrincipalAccount string
	// Context holds the request's condition keys, lower-cased, each with
	// its values (several for a multivalued key).
	Context map[string][]string
}

// OrgDecision is the outcome of evaluating organization policies.
type OrgDecision struct {
	Allowed bool
	// Explicit: a Deny statement decided; otherwise a level had no Allow.
	Explicit bool
	Type     string // EnforcedSCP or EnforcedRCP
	// Level is the deciding level, Policy and Statement the deciding
	// statement (Policy is zero for an implicit deny).
	Level     OrgLevel
	Policy    OrgPolicy
	Statement int
	Sid       string
}

// AuthorizeOrg evaluates a request against the SCPs along the principal's
// path and the RCPs along the resource owner's path (nil: not in force).
// An explicit Deny of either wins (SCP first), then a missing Allow.
func AuthorizeOrg(scps, rcps []OrgLevel, req OrgRequest) OrgDecision {
	var results []OrgDecision
	for _, p := range []struct {
		typ    string
		levels []OrgLevel
	}{{EnforcedSCP, scps}, {EnforcedRCP, rcps}} {
		if p.levels == nil {
			continue
		}
		d := evaluateOrgPath(p.levels, req)
		d.Type = p.typ
		if d.Explicit {
			return d
		}
		results = append(results, d)
	}
	for _, d := range results {
		if !d.Allowed {
			return d
		}
	}
	return OrgDecision{Allowed: true}
}

// evaluateOrgPath: a Deny anywhere wins; otherwise every level needs an
// Allow, and the first that has none decides.
func evaluateOrgPath(levels []OrgLevel, req OrgRequest) OrgDecision {
	var missing *OrgLevel
	for i := range levels {
		l := &levels[i]
		allowed := false
		for _, p := range l.Policies {
			if p.Doc == nil {
				continue
			}
			for j, st := range p.Doc.Statement {
				if !orgStatementMatches(st, req) {
					continue
				}
				verdict := orgConditions(st.Condition, req)
				switch st.Effect {
				case EffectDeny:
					if verdict != condFalse { // unknown operators fail closed
						return OrgDecision{Explicit: true, Level: *l, Policy: p, Statement: j, Sid: st.Sid}
					}
				case EffectAllow:
					if verdict == condTrue {
						allowed = true
					}
				}
			}
		}
		if !allowed && missing == nil {
			missing = l
		}
	}
	if missing != nil || len(levels) == 0 {
		d := OrgDecision{}
		if missing != nil {
			d.Level = *missing
		}
		return d
	}
	return OrgDecision{Allowed: true}
}

func orgStatementMatches(st Statement, req OrgRequest) bool {
	if st.Principal != nil && !orgPrincipal(st.Principal, req) {
		return false
	}
	if st.NotPrincipal != nil && orgPrincipal(st.NotPrincipal, req) {
		return false
	}
	if st.Action != nil {
		if !AnyGlob(st.Action, req.Action, true) {
			return false
		}
	} else if st.NotAction == nil || AnyGlob(st.NotAction, req.Action, true) {
		return false
	}
	if st.Resource != nil {
		return orgResource(st.Resource, req)
	}
	if st.NotResource != nil {
		return !orgResource(st.NotResource, req)
	}
	return true
}

func orgPrincipal(p *Principal, req OrgRequest) bool {
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		if a == "*" || (req.PrincipalAccount != "" && (a == req.PrincipalAccount || a == "arn:aws:iam::"+req.PrincipalAccount+":root")) ||
			(req.PrincipalARN != "" && a == req.PrincipalARN) {
			return true
		}
	}
	return false
}

func orgResource(patterns []string, req OrgRequest) bool {
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		if req.Resource == "" {
			continue
		}
		if v, ok := expandVariables(p, req.Context); ok && Glob(v, req.Resource, false) {
			return true
		}
	}
	return false
}

// expandVariables substitutes ${key}, ${key, 'default'}, ${*}, ${?} and
// ${$}; false when a key is absent or multivalued and has no default.
func expandVariables(s string, ctx map[string][]string) (string, bool) {
	out := ""
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			return out + s, true
		}
		end := strings.Index(s[start:], "}")
		if end < 0 {
			return out + s, true
		}
		out += s[:start]
		expr := strings.TrimSpace(s[start+2 : start+end])
		s = s[start+end+1:]
		if expr == "*" || expr == "?" || expr == "$" {
			out += expr
			continue
		}
		key, fallback, hasFallback := expr, "", false
		if comma := strings.Index(expr, ","); comma >= 0 {
			def := strings.TrimSpace(expr[comma+1:])
			if len(def) >= 2 && strings.HasPrefix(def, "'") && strings.HasSuffix(def, "'") {
				key, fallback, hasFallback = strings.TrimSpace(expr[:comma]), def[1:len(def)-1], true
			}
		}
		if vals := ctx[strings.ToLower(key)]; len(vals) == 1 {
			out += vals[0]
		} else if hasFallback {
			out += fallback
		} else {
			return "", false
		}
	}
}

type condVerdict int

const (
	condTrue condVerdict = iota
	condFalse
	condUnknown // an operator the emulator does not know
)

// orgConditions ANDs every operator and key of a Condition element.
func orgConditions(conds map[string]map[string][]string, req OrgRequest) condVerdict {
	verdict := condTrue
	for op, keys := range conds {
		for key, vals := range keys {
			switch orgCondition(op, key, vals, req.Context) {
			case condFalse:
				return condFalse
			case condUnknown:
				verdict = condUnknown
			}
		}
	}
	return verdict
}

// orgCondition evaluates one operator on one key.
func orgCondition(op, key string, policyVals []string, ctx map[string][]string) condVerdict {
	qualifier := ""
	if i := strings.Index(op, ":"); i >= 0 {
		qualifier, op = op[:i], op[i+1:]
		if qualifier != "ForAllValues" && qualifier != "ForAnyValue" {
			return condUnknown
		}
	}
	reqVals, present := ctx[strings.ToLower(key)]
	present = present && len(reqVals) > 0
	if op == "Null" {
		for _, v := range policyVals {
			if strings.EqualFold(v, "true") != present {
				return condTrue
			}
		}
		return condFalse
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	cmp, negated, variables := orgOperator(op)
	if cmp == nil {
		return condUnknown
	}
	if !present {
		if ifExists || qualifier == "ForAllValues" || (qualifier == "" && negated) {
			return condTrue
		}
		return condFalse
	}
	if variables {
		var expanded []string
		for _, v := range policyVals {
			if x, ok := expandVariables(v, ctx); ok {
				expanded = append(expanded, x)
			}
		}
		policyVals = expanded
	}
	// holds reports whether one request value satisfies the operator.
	holds := func(rv string) bool {
		for _, pv := range policyVals {
			if cmp(pv, rv) {
				return !negated
			}
		}
		return negated
	}
	count := 0
	for _, rv := range reqVals {
		if holds(rv) {
			count++
		}
	}
	var ok bool
	switch {
	case qualifier == "ForAllValues" || (qualifier == "" && negated):
		ok = count == len(reqVals)
	default:
		ok = count > 0
	}
	if ok {
		return condTrue
	}
	return condFalse
}

// orgOperator returns the comparison of a base operator (in its positive
// form), whether it is negated, and whether its values take variables.
func orgOperator(op string) (cmp func(policy, request string) bool, negated, variables bool) {
	switch op {
	case "StringEquals", "StringNotEquals":
		return func(p, r string) bool { return p == r }, op != "StringEquals", true
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold, op != "StringEqualsIgnoreCase", true
	case "StringLike", "StringNotLike":
		return func(p, r string) bool { return Glob(p, r, false) }, op != "StringLike", true
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnLike, strings.HasPrefix(op, "ArnNot"), true
	case "Bool":
		return strings.EqualFold, false, false
	case "BinaryEquals":
		return func(p, r string) bool {
			pb, e1 := base64.StdEncoding.DecodeString(p)
			rb, e2 := base64.StdEncoding.DecodeString(r)
			if e1 != nil || e2 != nil {
				return p == r
			}
			return string(pb) == string(rb)
		}, false, false
	case "IpAddress", "NotIpAddress":
		return ipIn, op == "NotIpAddress", false
	case "NumericEquals", "NumericNotEquals":
		return numCmp(func(p, r float64) bool { return r == p }), op == "NumericNotEquals", false
	case "NumericLessThan":
		return numCmp(func(p, r float64) bool { return r < p }), false, false
	case "NumericLessThanEquals":
		return numCmp(func(p, r float64) bool { return r <= p }), false, false
	case "NumericGreaterThan":
		return numCmp(func(p, r float64) bool { return r > p }), false, false
	case "NumericGreaterThanEquals":
		return numCmp(func(p, r float64) bool { return r >= p }), false, false
	case "DateEquals", "DateNotEquals":
		return dateCmp(func(p, r time.Time) bool { return r.Equal(p) }), op == "DateNotEquals", false
	case "DateLessThan":
		return dateCmp(func(p, r time.Time) bool { return r.Before(p) }), false, false
	case "DateLessThanEquals":
		return dateCmp(func(p, r time.Time) bool { return !r.After(p) }), false, false
	case "DateGreaterThan":
		return dateCmp(func(p, r time.Time) bool { return r.After(p) }), false, false
	case "DateGreaterThanEquals":
		return dateCmp(func(p, r time.Time) bool { return !r.Before(p) }), false, false
	}
	return nil, false, false
}

// arnLike compares ARNs part by part: a wildcard stays within its part
// for the first five parts.
func arnLike(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp, ap := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return false
	}
	for i := range pp {
		if !Glob(pp[i], ap[i], false) {
			return false
		}
	}
	return true
}

func ipIn(block, addr string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return false
	}
	a = a.Unmap()
	block = strings.TrimSpace(block)
	if p, err := netip.ParsePrefix(block); err == nil {
		return p.Masked().Contains(a)
	}
	b, err := netip.ParseAddr(block)
	return err == nil && b.Unmap() == a
}

func numCmp(f func(p, r float64) bool) func(string, string) bool {
	return func(p, r string) bool {
		pf, e1 := strconv.ParseFloat(strings.TrimSpace(p), 64)
		rf, e2 := strconv.ParseFloat(strings.TrimSpace(r), 64)
		return e1 == nil && e2 == nil && f(pf, rf)
	}
}

func dateCmp(f func(p, r time.Time) bool) func(string, string) bool {
	return func(p, r string) bool {
		pt, ok1 := isoOrEpoch(p)
		rt, ok2 := isoOrEpoch(r)
		return ok1 && ok2 && f(pt, rt)
	}
}

func isoOrEpoch(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
