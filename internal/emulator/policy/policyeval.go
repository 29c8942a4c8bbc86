package policy

// Evaluation of the parts of policies the emulator enforces: a role's trust
// policy for STS AssumeRole (TrustAllows), and principals, wildcards and
// condition operators for the services that check resource policies (KMS,
// ECR). Written from AWS's documentation:
//
//   - IAM JSON policy elements: Principal, Condition operators
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import (
	"strings"

	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// PrincipalARN is the ARN IAM compares against Principal elements: the role
// ARN for an assumed-role session, the user or root ARN otherwise.
func PrincipalARN(id core.Identity) string {
	if id.RoleARN != "" {
		return id.RoleARN
	}
	return id.ARN
}

// TrustAllows evaluates a role trust policy for sts:AssumeRole by caller:
// an explicit Deny wins, then any Allow. Conditions support the String*
// operators (and their IfExists forms) and Null; an unknown operator or key
// never matches, so the emulator fails closed.
func TrustAllows(doc *Doc, caller core.Identity, keys map[string]string) bool {
	allowed := false
	for _, st := range doc.Statement {
		if !statementApplies(st, caller, keys) {
			continue
		}
		if st.Effect == EffectDeny {
			return false
		}
		if st.Effect == EffectAllow {
			allowed = true
		}
	}
	return allowed
}

func statementApplies(st Statement, caller core.Identity, keys map[string]string) bool {
	const action = "sts:assumerole"
	switch {
	case len(st.Action) > 0 && !AnyGlob(st.Action, action, true):
		return false
	case len(st.NotAction) > 0 && AnyGlob(st.NotAction, action, true):
		return false
	}
	switch {
	case st.Principal != nil && !PrincipalMatches(st.Principal, caller):
		return false
	case st.NotPrincipal != nil && PrincipalMatches(st.NotPrincipal, caller):
		return false
	case st.Principal == nil && st.NotPrincipal == nil:
		return false
	}
	return ConditionsMatch(st.Condition, keys)
}

func PrincipalMatches(p *Principal, caller core.Identity) bool {
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		switch a {
		case "*", caller.Account, "arn:aws:iam::" + caller.Account + ":root", PrincipalARN(caller), caller.ARN:
			return true
		}
	}
	return false
}

func AnyGlob(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if Glob(p, value, fold) {
			return true
		}
	}
	return false
}

// Glob matches IAM wildcards (awsrules.Glob).
func Glob(pattern, value string, fold bool) bool { return awsrules.Glob(pattern, value, fold) }

func ConditionsMatch(conds map[string]map[string][]string, keys map[string]string) bool {
	for op, kv := range conds {
		base, ifExists := strings.CutSuffix(op, "IfExists")
		for key, values := range kv {
			v, present := keys[strings.ToLower(key)]
			present = present && v != ""
			if base == "Null" {
				want := len(values) > 0 && strings.EqualFold(values[0], "true")
				if want == present {
					return false
				}
				continue
			}
			if !present {
				if ifExists {
					continue
				}
				if strings.HasPrefix(base, "StringNot") {
					continue
				}
				return false
			}
			var ok bool
			switch base {
			case "StringEquals":
				ok = Contains(values, v, false)
			case "StringEqualsIgnoreCase":
				ok = Contains(values, v, true)
			case "StringNotEquals":
				ok = !Contains(values, v, false)
			case "StringNotEqualsIgnoreCase":
				ok = !Contains(values, v, true)
			case "StringLike":
				ok = AnyGlob(values, v, false)
			case "StringNotLike":
				ok = !AnyGlob(values, v, false)
			case "Bool":
				ok = Contains(values, v, true)
			case "ArnEquals", "ArnLike":
				ok = AnyGlob(values, v, false)
			case "ArnNotEquals", "ArnNotLike":
				ok = !AnyGlob(values, v, false)
			default:
				return false
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

func Contains(values []string, v string, fold bool) bool {
	for _, x := range values {
		if x == v || (fold && strings.EqualFold(x, v)) {
			return true
		}
	}
	return false
}
