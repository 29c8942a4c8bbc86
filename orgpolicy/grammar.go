package orgpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

// RCPServices are the service prefixes a resource control policy may name
// in its actions: S3, STS, KMS, SQS and Secrets Manager (2024-11), then
// ECR, OpenSearch Serverless (aoss), Amazon Cognito user pools
// (cognito-idp) and CloudWatch Logs.
var RCPServices = []string{"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs"}

// Minify returns content as AWS counts it against the size quota: compact
// JSON, no white space outside strings.
func Minify(content string) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(content)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Check validates content as a policy of type t: its type's grammar and
// the size limit (zero Limits mean the type's defaults). It returns an
// error matching foundation.ErrInvalidSpec that lists every fault, or nil.
func Check(t Type, content string, limits Limits) error {
	return errors.Join(contentFaults("content", t, content, limits)...)
}

// contentFaults returns one SpecError per fault of content, fields named
// under field.
func contentFaults(field string, t Type, content string, limits Limits) []error {
	if !Known(t) {
		return []error{specerr.New(pkg, "type", string(t), "is not a policy type AWS Organizations knows")}
	}
	var errs []error
	for _, p := range grammarFaults(t, content) {
		errs = append(errs, specerr.New(pkg, field, "", p))
	}
	if len(errs) > 0 {
		return errs
	}
	min, _ := Minify(content)
	if n, max := utf8.RuneCountInString(min), limits.For(t).MaxPolicySize; n > max {
		errs = append(errs, &specSizeError{field: field, SizeError: scp.SizeError{Size: n, Limit: max}})
	}
	return errs
}

// specSizeError is an scp.SizeError that is also a spec fault.
type specSizeError struct {
	field string
	scp.SizeError
}

func (e *specSizeError) Error() string {
	return (&foundation.SpecError{Package: pkg, Field: e.field, Rule: e.SizeError.Error()}).Error()
}

func (e *specSizeError) Unwrap() []error { return []error{foundation.ErrInvalidSpec, &e.SizeError} }

// grammarFaults lists the grammar faults of content as a policy of t.
func grammarFaults(t Type, content string) []string {
	switch t {
	case SCP:
		doc, err := foundation.ParsePolicy(content)
		if err != nil {
			return []string{"is not a valid policy document: " + err.Error()}
		}
		return policyProblems(scp.ValidateDocument(doc))
	case RCP:
		doc, err := foundation.ParsePolicy(content)
		if err != nil {
			return []string{"is not a valid policy document: " + err.Error()}
		}
		return policyProblems(ValidateRCP(doc))
	}
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return []string{"is not one JSON object"}
	}
	obj, ok := doc.(map[string]any)
	if !ok || len(obj) == 0 {
		return []string{"must be a JSON object with the policy's settings"}
	}
	var probs []string
	if top := Info(t).TopKey; top != "" {
		for _, k := range sortedKeys(obj) {
			if k != top {
				probs = append(probs, fmt.Sprintf("%q: a %s has one top-level key, %q", k, t, top))
			}
		}
	}
	return append(probs, operatorFaults("", obj)...)
}

func policyProblems(err error) []string {
	var pe *foundation.PolicyError
	if errors.As(err, &pe) {
		return pe.Problems
	}
	if err != nil {
		return []string{err.Error()}
	}
	return nil
}

// The inheritance operators of management policies.
const (
	OpAssign = "@@assign"
	OpAppend = "@@append"
	OpRemove = "@@remove"
	// OpChildPolicies lists the operators child policies may use on the
	// setting: "@@all" (the default), "@@none", or some of @@assign,
	// @@append and @@remove.
	OpChildPolicies = "@@operators_allowed_for_child_policies"
)

// operatorFaults checks one object of a management policy: each key is an
// inheritance operator with its value, or a setting holding an object.
func operatorFaults(path string, node map[string]any) []string {
	var probs []string
	for _, k := range sortedKeys(node) {
		at := strings.TrimPrefix(path+"."+k, ".")
		v := node[k]
		switch k {
		case OpAssign:
			if !scalarOrList(v, true) {
				probs = append(probs, at+": takes a value or a list of values")
			}
		case OpAppend, OpRemove:
			if !scalarOrList(v, false) {
				probs = append(probs, at+": takes a list of strings")
			}
		case OpChildPolicies:
			l, ok := v.([]any)
			if !ok || len(l) == 0 {
				probs = append(probs, at+": takes a list of operators")
				break
			}
			for _, e := range l {
				if !slices.Contains([]any{"@@all", "@@none", OpAssign, OpAppend, OpRemove}, e) {
					probs = append(probs, fmt.Sprintf("%s: %v is not an inheritance operator", at, e))
				}
			}
			if len(l) > 1 && (slices.Contains(l, any("@@all")) || slices.Contains(l, any("@@none"))) {
				probs = append(probs, at+": @@all and @@none stand alone")
			}
		default:
			if strings.HasPrefix(k, "@@") {
				probs = append(probs, at+": is not an inheritance operator (@@assign, @@append, @@remove, "+OpChildPolicies+")")
				continue
			}
			child, ok := v.(map[string]any)
			if !ok {
				probs = append(probs, at+": must be set with an inheritance operator, such as {\"@@assign\": ...}")
				continue
			}
			probs = append(probs, operatorFaults(at, child)...)
		}
	}
	return probs
}

func scalarOrList(v any, anyScalar bool) bool {
	ok := func(e any) bool {
		switch e.(type) {
		case string:
			return true
		case bool, json.Number:
			return anyScalar
		}
		return false
	}
	if l, isList := v.([]any); isList {
		for _, e := range l {
			if !ok(e) {
				return false
			}
		}
		return true
	}
	return ok(v)
}

// ValidateRCP reports the faults of doc as a resource control policy, as
// a *foundation.PolicyError (nil when there are none), after the
// structural checks of PolicyDocument.Validate (Organizations User Guide,
// "RCP syntax"):
//
//   - Effect is Deny: Allow is only supported in the AWS managed
//     RCPFullAWSAccess;
//   - Principal is "*" (narrow it with conditions such as
//     aws:PrincipalOrgID); NotPrincipal and NotAction are not supported;
//   - each action is of a service RCPs support (RCPServices), wildcards
//     allowed in the action name;
//   - condition operators are IAM's.
func ValidateRCP(doc *foundation.PolicyDocument) error {
	var probs []string
	if err := doc.Validate(); err != nil {
		probs = append(probs, policyProblems(err)...)
	}
	if doc != nil {
		for i, st := range doc.Statement {
			at := fmt.Sprintf("Statement[%d]", i)
			if st.Effect != foundation.EffectDeny {
				probs = append(probs, at+".Effect: must be Deny in a resource control policy (Allow is only supported in RCPFullAWSAccess)")
			}
			if st.Principal == nil || !st.Principal.Wildcard {
				probs = append(probs, at+`.Principal: must be "*" in a resource control policy (narrow it with conditions such as aws:PrincipalOrgID)`)
			}
			if st.NotPrincipal != nil {
				probs = append(probs, at+".NotPrincipal: is not supported in resource control policies")
			}
			if len(st.NotAction) > 0 {
				probs = append(probs, at+".NotAction: is not supported in resource control policies")
			}
			for j, a := range st.Action {
				svc, _, ok := strings.Cut(a, ":")
				if a != "*" && (!ok || !slices.Contains(RCPServices, svc)) {
					probs = append(probs, fmt.Sprintf("%s.Action[%d]: %q: resource control policies apply to %s only", at, j, a, strings.Join(RCPServices, ", ")))
				}
			}
			// The SCP grammar's operator and action checks apply as well.
			for _, p := range policyProblems(scp.ValidateDocument(foundation.NewPolicy(foundation.Statement{Effect: st.Effect,
				Action: st.Action, Resource: st.Resource, NotResource: st.NotResource, Condition: st.Condition}))) {
				if !strings.Contains(p, "Statement[0]") || !strings.Contains(p, "operator") && !strings.Contains(p, "service:action") {
					continue // the structural faults are reported above
				}
				probs = append(probs, strings.Replace(p, "Statement[0]", at, 1))
			}
		}
	}
	if len(probs) > 0 {
		return &foundation.PolicyError{Problems: probs}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sameContent reports whether two documents of type t mean the same: IAM
// documents compared as policies (foundation.PolicyDocument.Equal),
// management policies as JSON values.
func sameContent(t Type, a, b string) bool {
	if Info(t).Authorization {
		da, err1 := foundation.ParsePolicy(a)
		db, err2 := foundation.ParsePolicy(b)
		return err1 == nil && err2 == nil && da.Equal(db)
	}
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}
