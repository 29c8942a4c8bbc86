package scp

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
)

// Level is one target on an organization path (the root, an OU or the
// account) with the policies of one type attached to it.
type Level struct {
	// Target is the root, OU or account ID ("r-ab12",
	// "ou-ab12-cdef3456", "111122223333"); Name its name ("Root",
	// "Workloads", the account's name). Either may be empty.
	Target, Name string
	Policies     []LevelPolicy
}

// LevelPolicy is one policy attached to a Level.
type LevelPolicy struct {
	ID, Name, ARN string
	Document      *foundation.PolicyDocument
}

// EvaluateLevels decides a request against the policies of one type
// attached along an organization path, from the root (levels[0]) through
// each OU to the account, as EvaluatePath does, and names the level, policy
// and statement that decided, with the conditions evaluated and the
// smallest exemptions that would allow the request (Decision.Exemptions).
func EvaluateLevels(levels []Level, req Request) Decision {
	d := evaluateNamed(levels, req)
	if !d.Allowed() {
		d.Exemptions = exemptions(levels, nil, req)
		for i := range d.Exemptions {
			d.Exemptions[i].Type = ""
		}
	}
	return d
}

// Authorize decides a request as AWS Organizations' authorization policies
// do: the SCPs along the path of the principal's account (scps, root
// first) and the RCPs along the path of the account that owns the resource
// (rcps). A nil path means that type does not apply to the request (the
// type is not enabled, the account is the management account, the caller
// is a service-linked role, or the principal or resource is outside the
// organization). An explicit Deny in either wins, then a level of either
// with no Allow; Decision.Type names the type that decided.
func Authorize(scps, rcps []Level, req Request) Decision {
	d := authorize(scps, rcps, req)
	if !d.Allowed() {
		d.Exemptions = exemptions(scps, rcps, req)
	}
	return d
}

const (
	typeSCP = string(types.PolicyTypeServiceControlPolicy)
	typeRCP = string(types.PolicyTypeResourceControlPolicy)
)

func authorize(scps, rcps []Level, req Request) Decision {
	var s, r *Decision
	if scps != nil {
		d := evaluateNamed(scps, req)
		d.Type = typeSCP
		if d.Outcome == ExplicitDeny {
			return d
		}
		s = &d
	}
	if rcps != nil {
		d := evaluateNamed(rcps, req)
		d.Type = typeRCP
		if d.Outcome == ExplicitDeny {
			return d
		}
		r = &d
	}
	switch {
	case s != nil && !s.Allowed():
		return *s
	case r != nil && !r.Allowed():
		return *r
	case s != nil:
		return *s
	case r != nil:
		return *r
	}
	return Decision{Outcome: Allow, Level: -1}
}

// evaluateNamed runs EvaluatePath and fills in the names of what decided.
func evaluateNamed(levels []Level, req Request) Decision {
	docs := make([][]*foundation.PolicyDocument, len(levels))
	for i, l := range levels {
		for _, p := range l.Policies {
			docs[i] = append(docs[i], p.Document)
		}
	}
	d := EvaluatePath(docs, req)
	if d.By != nil && d.By.Level < len(levels) {
		l := levels[d.By.Level]
		d.By.Target, d.By.TargetName = l.Target, l.Name
		if d.By.Policy < len(l.Policies) {
			p := l.Policies[d.By.Policy]
			d.By.PolicyID, d.By.PolicyName, d.By.PolicyARN = p.ID, p.Name, p.ARN
		}
	}
	if d.Outcome == ImplicitDeny && d.Level >= 0 && d.Level < len(levels) {
		d.LevelTarget, d.LevelName = levels[d.Level].Target, levels[d.Level].Name
	}
	return d
}

// ExemptionKind is the kind of change an Exemption proposes.
type ExemptionKind string

// The kinds of Exemption.
const (
	// AddCondition adds a condition (Operator, Key, Values) to the Deny
	// statement At, so that it no longer applies to the request's
	// principal.
	AddCondition ExemptionKind = "AddCondition"
	// ExtendCondition adds Values to the existing condition Operator/Key
	// of the Deny statement At.
	ExtendCondition ExemptionKind = "ExtendCondition"
	// AddNotAction adds Action to the NotAction of the Deny statement At.
	AddNotAction ExemptionKind = "AddNotAction"
	// RemoveStatement removes the Deny statement At: nothing narrower
	// exempts a request without a principal.
	RemoveStatement ExemptionKind = "RemoveStatement"
	// AttachAllow attaches a policy that allows Action at the level At
	// (At.Level, At.Target), where no Allow matched.
	AttachAllow ExemptionKind = "AttachAllow"
)

// Exemption is one change to the policies that removes one reason a
// request is denied: the smallest that does, among a principal-scoped
// condition on the denying statement, an action excluded from it, or an
// Allow where none matched. Decision.Exemptions lists them in order;
// applying all of them allows the request.
type Exemption struct {
	Kind ExemptionKind
	// Type is the policy type changed (SERVICE_CONTROL_POLICY or
	// RESOURCE_CONTROL_POLICY), set by Authorize.
	Type string
	// At is the statement to change (Policy -1 for AttachAllow).
	At              StatementRef
	Operator, Key   string
	Values          []string
	Action          string
	ConditionBefore []string // ExtendCondition: the values before
}

func (e Exemption) String() string {
	at := e.At.String()
	switch e.Kind {
	case AddCondition:
		return fmt.Sprintf("add condition %s %s %q to %s", e.Operator, e.Key, e.Values, at)
	case ExtendCondition:
		return fmt.Sprintf("add %q to condition %s %s of %s", e.Values, e.Operator, e.Key, at)
	case AddNotAction:
		return fmt.Sprintf("add %q to NotAction of %s", e.Action, at)
	case RemoveStatement:
		return fmt.Sprintf("remove %s", at)
	case AttachAllow:
		return fmt.Sprintf("attach %s with an Allow for %q (or FullAWSAccess) at %s", typeArticle(e.Type), e.Action, e.At.levelLabel())
	}
	return string(e.Kind)
}

func typeArticle(typ string) string {
	switch typ {
	case typeRCP:
		return "an RCP"
	case typeSCP:
		return "an SCP"
	}
	return "a policy"
}

func typeName(typ string) string {
	switch typ {
	case typeRCP:
		return "resource control policy"
	case typeSCP:
		return "service control policy"
	}
	return "policy"
}

// exemptions computes the changes that, applied in order, allow the
// request: each step fixes what decided the previous evaluation.
func exemptions(scps, rcps []Level, req Request) []Exemption {
	scps, rcps = cloneLevels(scps), cloneLevels(rcps)
	var out []Exemption
	for range 32 {
		d := authorize(scps, rcps, req)
		if d.Allowed() {
			return out
		}
		levels := scps
		if d.Type == typeRCP {
			levels = rcps
		}
		e, ok := exemptionFor(d, levels, req)
		if !ok {
			return out
		}
		e.Type = d.Type
		apply(levels, e)
		out = append(out, e)
	}
	return out
}

func exemptionFor(d Decision, levels []Level, req Request) (Exemption, bool) {
	if d.Outcome == ImplicitDeny {
		lvl := d.Level
		if lvl < 0 || lvl >= len(levels) {
			return Exemption{}, false
		}
		return Exemption{Kind: AttachAllow, Action: req.Action,
			At: StatementRef{Level: lvl, Policy: -1, Target: levels[lvl].Target, TargetName: levels[lvl].Name}}, true
	}
	if d.By == nil {
		return Exemption{}, false
	}
	st := levels[d.By.Level].Policies[d.By.Policy].Document.Statement[d.By.Statement]
	e := Exemption{At: *d.By}
	switch {
	case req.PrincipalARN != "":
		e.Key, e.Values = "aws:PrincipalArn", []string{req.PrincipalARN}
		for _, op := range sortedKeys(st.Condition) {
			set, base, _ := splitOp(op)
			if set != "" || !negatedOperators[base] || !(strings.HasPrefix(base, "Arn") || strings.HasPrefix(base, "String")) {
				continue
			}
			for _, key := range sortedKeys(st.Condition[op]) {
				if strings.EqualFold(key, "aws:PrincipalArn") {
					e.Kind, e.Operator, e.Key = ExtendCondition, op, key
					e.ConditionBefore = append([]string(nil), st.Condition[op][key]...)
					return e, true
				}
			}
		}
		e.Kind, e.Operator = AddCondition, "ArnNotLike"
	case req.PrincipalAccount != "":
		e.Kind, e.Operator, e.Key, e.Values = AddCondition, "StringNotEquals", "aws:PrincipalAccount", []string{req.PrincipalAccount}
	case len(st.NotAction) > 0:
		e.Kind, e.Action = AddNotAction, req.Action
	default:
		e.Kind = RemoveStatement
	}
	return e, true
}

// Apply returns a copy of levels (the path of e.Type) with the exemption
// applied; levels is not modified.
func (e Exemption) Apply(levels []Level) []Level {
	out := cloneLevels(levels)
	if e.At.Level >= 0 && e.At.Level < len(out) {
		apply(out, e)
	}
	return out
}

func apply(levels []Level, e Exemption) {
	l := &levels[e.At.Level]
	if e.Kind == AttachAllow {
		l.Policies = append(l.Policies, LevelPolicy{Name: "exemption", Document: foundation.NewPolicy(
			foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions(e.Action), Resource: foundation.Resources("*")})})
		return
	}
	doc := l.Policies[e.At.Policy].Document
	st := &doc.Statement[e.At.Statement]
	switch e.Kind {
	case AddCondition:
		if st.Condition == nil {
			st.Condition = foundation.Conditions{}
		}
		if st.Condition[e.Operator] == nil {
			st.Condition[e.Operator] = map[string]foundation.StringList{}
		}
		st.Condition[e.Operator][e.Key] = append(st.Condition[e.Operator][e.Key], e.Values...)
	case ExtendCondition:
		st.Condition[e.Operator][e.Key] = append(st.Condition[e.Operator][e.Key], e.Values...)
	case AddNotAction:
		st.NotAction = append(st.NotAction, e.Action)
	case RemoveStatement:
		doc.Statement = append(doc.Statement[:e.At.Statement:e.At.Statement], doc.Statement[e.At.Statement+1:]...)
	}
}

func cloneLevels(levels []Level) []Level {
	if levels == nil {
		return nil
	}
	out := make([]Level, len(levels))
	for i, l := range levels {
		out[i] = l
		out[i].Policies = make([]LevelPolicy, len(l.Policies))
		for j, p := range l.Policies {
			out[i].Policies[j] = p
			if p.Document != nil {
				out[i].Policies[j].Document = p.Document.Clone()
			}
		}
	}
	return out
}

// Explain is the decision in words: what decided (the level, policy,
// statement and each condition with the request's values) and the
// exemptions that would allow the request.
func (d Decision) Explain() string {
	var b strings.Builder
	switch d.Outcome {
	case Allow:
		fmt.Fprintf(&b, "allowed")
		if d.By != nil {
			fmt.Fprintf(&b, ": every level allows it (first Allow: %s)", d.By)
		}
	case ExplicitDeny:
		fmt.Fprintf(&b, "denied: explicit deny in a %s: %s", typeName(d.Type), d.By)
	case ImplicitDeny:
		fmt.Fprintf(&b, "denied: no %s at %s allows it", typeName(d.Type), label(d.LevelName, d.LevelTarget, fmt.Sprintf("level %d", d.Level)))
	}
	b.WriteString("\n")
	for _, c := range d.Conditions {
		fmt.Fprintf(&b, "  condition %s\n", c)
	}
	for _, u := range d.Unsupported {
		fmt.Fprintf(&b, "  unsupported operator %s (fails closed)\n", u)
	}
	for i, e := range d.Exemptions {
		fmt.Fprintf(&b, "  exemption %d: %s\n", i+1, e)
	}
	return b.String()
}
