package policy

// The grammars of AWS Organizations policy types, as CreatePolicy and
// UpdatePolicy check them, written from the Organizations User Guide:
//
//   - SCP syntax (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html):
//     since 2025-09-19 SCPs accept the full IAM language (Allow with
//     conditions and resources, NotResource, wildcards anywhere in an
//     action), but never Principal or NotPrincipal;
//   - RCP syntax (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html):
//     Effect Deny (Allow only in the AWS managed RCPFullAWSAccess),
//     Principal "*", no NotPrincipal or NotAction, actions of the services
//     RCPs support;
//   - management policies (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html):
//     JSON objects whose values are set with the inheritance operators
//     (@@assign, @@append, @@remove, @@operators_allowed_for_child_policies),
//     under the type's top-level key.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The authorization policy types (the PolicyType enumeration).
const (
	gramSCP = "SERVICE_CONTROL_POLICY"
	gramRCP = "RESOURCE_CONTROL_POLICY"
)

// gramTopKeys is the top-level key each management policy type requires,
// where AWS's syntax page for the type names it. Types not listed
// (Inspector, upgrade rollout, Bedrock, S3, network security director,
// GuardDuty) are checked for the operator grammar only.
var gramTopKeys = map[string]string{
	"TAG_POLICY":                "tags",
	"BACKUP_POLICY":             "plans",
	"AISERVICES_OPT_OUT_POLICY": "services",
	"CHATBOT_POLICY":            "chatbot",
	"DECLARATIVE_POLICY_EC2":    "ec2_attributes",
	"SECURITYHUB_POLICY":        "securityhub",
}

// gramRCPServices are the service prefixes a resource control policy may name
// in its actions: S3, STS, KMS, SQS and Secrets Manager (2024-11), then
// ECR, OpenSearch Serverless, Cognito user pools and CloudWatch Logs.
var gramRCPServices = []string{"aoss", "cognito-idp", "ecr", "kms", "logs", "s3", "secretsmanager", "sqs", "sts"}

// CheckOrganizationPolicy checks content against the grammar of the
// Organizations policy type typ and returns the first problem found, or
// "" when the document is valid. It does not check the size.
func CheckOrganizationPolicy(typ, content string) string {
	var doc any
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "invalid JSON"
	}
	if dec.More() {
		return "more than one JSON value"
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return "it must be a JSON object"
	}
	switch typ {
	case gramSCP, gramRCP:
		return gramCheckAuthorization(typ, obj)
	}
	return gramCheckManagement(typ, obj)
}

var (
	gramActionRe   = regexp.MustCompile(`^[a-z0-9*?][a-z0-9*?-]*:[A-Za-z0-9*?_.-]+$`)
	gramOperatorRe = regexp.MustCompile(`^(ForAnyValue:|ForAllValues:)?([A-Za-z]+)$`)
	gramBaseOps    = map[string]bool{
		"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
		"StringLike": true, "StringNotLike": true, "NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true,
		"NumericLessThanEquals": true, "NumericGreaterThan": true, "NumericGreaterThanEquals": true, "DateEquals": true,
		"DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true, "DateGreaterThan": true,
		"DateGreaterThanEquals": true, "Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
		"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true, "Null": true,
	}
)

// gramStrings returns a string or a list of strings as a list.
func gramStrings(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func gramCheckAuthorization(typ string, doc map[string]any) string {
	for _, k := range gramKeys(doc) {
		if k != "Version" && k != "Id" && k != "Statement" {
			return "unknown element " + k
		}
	}
	if v, ok := doc["Version"]; ok && v != "2012-10-17" {
		return `Version must be "2012-10-17"`
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case map[string]any:
		stmts = []any{s}
	case []any:
		stmts = s
	default:
		return "missing Statement"
	}
	if len(stmts) == 0 {
		return "empty Statement"
	}
	sids := map[string]bool{}
	for i, raw := range stmts {
		st, ok := raw.(map[string]any)
		if !ok {
			return "a statement must be an object"
		}
		if why := gramCheckStatement(typ, st); why != "" {
			return fmt.Sprintf("Statement[%d]: %s", i, why)
		}
		if sid, ok := st["Sid"].(string); ok && sid != "" {
			if sids[sid] {
				return fmt.Sprintf("Statement[%d]: duplicate Sid %q", i, sid)
			}
			sids[sid] = true
		}
	}
	return ""
}

func gramCheckStatement(typ string, st map[string]any) string {
	for _, k := range gramKeys(st) {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal":
		case "NotPrincipal":
			if typ == gramSCP {
				return "a service control policy cannot name a NotPrincipal"
			}
			return "a resource control policy cannot name a NotPrincipal"
		default:
			return "unknown element " + k + " in a statement"
		}
	}
	if sid, ok := st["Sid"]; ok {
		s, isString := sid.(string)
		if !isString || !gramSidRe.MatchString(s) {
			return "Sid must contain only letters and digits"
		}
	}
	effect := st["Effect"]
	if effect != "Allow" && effect != "Deny" {
		return "Effect must be Allow or Deny"
	}
	_, action := st["Action"]
	_, notAction := st["NotAction"]
	if action == notAction {
		return "a statement needs exactly one of Action and NotAction"
	}
	if _, r := st["Resource"]; r {
		if _, nr := st["NotResource"]; nr {
			return "a statement cannot have both Resource and NotResource"
		}
	}
	switch typ {
	case gramSCP:
		if _, ok := st["Principal"]; ok {
			return "a service control policy cannot name a Principal"
		}
	case gramRCP:
		if effect != "Deny" {
			return "the effect of a resource control policy must be Deny (Allow is only supported for RCPFullAWSAccess)"
		}
		if notAction {
			return "a resource control policy cannot use NotAction"
		}
		switch p := st["Principal"].(type) {
		case string:
			if p != "*" {
				return `the Principal of a resource control policy must be "*"`
			}
		case map[string]any:
			if len(p) != 1 || p["AWS"] != "*" {
				return `the Principal of a resource control policy must be "*"`
			}
		default:
			return `a resource control policy statement needs Principal "*"`
		}
	}
	for _, k := range []string{"Action", "NotAction"} {
		v, ok := st[k]
		if !ok {
			continue
		}
		l, ok := gramStrings(v)
		if !ok {
			return k + " must be a string or a list of strings"
		}
		for _, a := range l {
			if a != "*" && !gramActionRe.MatchString(a) {
				return fmt.Sprintf("%s %q: must be \"*\" or \"service:action\"", k, a)
			}
			if typ == gramRCP && a != "*" {
				svc, _, _ := strings.Cut(a, ":")
				if !gramRCPService(svc) {
					return fmt.Sprintf("Action %q: resource control policies support only the actions of %s", a, strings.Join(gramRCPServices, ", "))
				}
			}
		}
	}
	for _, k := range []string{"Resource", "NotResource"} {
		v, ok := st[k]
		if !ok {
			continue
		}
		l, ok := gramStrings(v)
		if !ok {
			return k + " must be a string or a list of strings"
		}
		for _, r := range l {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				return fmt.Sprintf("%s %q: must be \"*\" or an ARN", k, r)
			}
		}
	}
	if c, ok := st["Condition"]; ok {
		cond, ok := c.(map[string]any)
		if !ok {
			return "Condition must be an object"
		}
		for _, op := range gramKeys(cond) {
			m := gramOperatorRe.FindStringSubmatch(op)
			base := ""
			if m != nil {
				base = m[2]
				if base != "Null" {
					base = strings.TrimSuffix(base, "IfExists")
				}
			}
			if !gramBaseOps[base] {
				return fmt.Sprintf("Condition: unknown operator %q", op)
			}
			keys, ok := cond[op].(map[string]any)
			if !ok || len(keys) == 0 {
				return fmt.Sprintf("Condition %q: must map condition keys to values", op)
			}
			for key, v := range keys {
				switch x := v.(type) {
				case string, bool, json.Number:
				case []any:
					for _, e := range x {
						switch e.(type) {
						case string, bool, json.Number:
						default:
							return fmt.Sprintf("Condition %q %q: values must be strings, numbers or booleans", op, key)
						}
					}
				default:
					return fmt.Sprintf("Condition %q %q: values must be strings, numbers or booleans", op, key)
				}
			}
		}
	}
	return ""
}

var gramSidRe = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// gramRCPService reports whether a service prefix (which may hold
// wildcards) names only services RCPs support.
func gramRCPService(svc string) bool {
	if !strings.ContainsAny(svc, "*?") {
		return slices.Contains(gramRCPServices, svc)
	}
	return false // a wildcard service prefix could name any service
}

// The inheritance operators of management policies.
const (
	opAssign       = "@@assign"
	opAppend       = "@@append"
	opRemove       = "@@remove"
	opChildAllowed = "@@operators_allowed_for_child_policies"
	opAll          = "@@all"
	opNone         = "@@none"
)

func gramCheckManagement(typ string, doc map[string]any) string {
	if len(doc) == 0 {
		return "empty policy"
	}
	if key, ok := gramTopKeys[typ]; ok {
		for _, k := range gramKeys(doc) {
			if k != key {
				return fmt.Sprintf("unknown top-level key %q (a %s has %q)", k, typ, key)
			}
		}
	}
	return gramCheckNode("", doc)
}

// gramCheckNode checks one object of a management policy: its keys are
// operators (with their values) or names of nested objects.
func gramCheckNode(path string, node map[string]any) string {
	for _, k := range gramKeys(node) {
		v := node[k]
		at := strings.TrimPrefix(path+"."+k, ".")
		if strings.HasPrefix(k, "@@") {
			if why := gramCheckOperator(k, v); why != "" {
				return at + ": " + why
			}
			continue
		}
		child, ok := v.(map[string]any)
		if !ok {
			return at + ": a value must be set with an inheritance operator (@@assign, @@append or @@remove)"
		}
		if why := gramCheckNode(at, child); why != "" {
			return why
		}
	}
	return ""
}

func gramCheckOperator(op string, v any) string {
	switch op {
	case opAssign:
		switch x := v.(type) {
		case string, bool, json.Number:
			return ""
		case []any:
			for _, e := range x {
				switch e.(type) {
				case string, bool, json.Number:
				default:
					return "@@assign takes a value or a list of values"
				}
			}
			return ""
		}
		return "@@assign takes a value or a list of values"
	case opAppend, opRemove:
		switch x := v.(type) {
		case string:
			return ""
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return op + " takes a list of strings"
				}
			}
			return ""
		}
		return op + " takes a list of strings"
	case opChildAllowed:
		l, ok := v.([]any)
		if !ok || len(l) == 0 {
			return op + " takes a list of operators"
		}
		for _, e := range l {
			switch e {
			case opAll, opNone, opAssign, opAppend, opRemove:
			default:
				return fmt.Sprintf("%s: unknown operator %v", op, e)
			}
		}
		if len(l) > 1 && (slices.Contains(l, any(opAll)) || slices.Contains(l, any(opNone))) {
			return op + ": @@all and @@none stand alone"
		}
		return ""
	}
	return "unknown inheritance operator " + op
}

func gramKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
