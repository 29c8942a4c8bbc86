package emulator

// Evaluation of the parts of policies the emulator enforces: a role's trust
// policy for STS AssumeRole (trustAllows), and principals, wildcards and
// condition operators for the services that check resource policies (KMS,
// ECR). Written from AWS's documentation:
//
//   - IAM JSON policy elements: Principal, Condition operators
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import (
	"strings"

	"github.com/awsfoundation/foundation/internal/awsrules"
)

// principalARN is the ARN IAM compares against Principal elements: the role
// ARN for an assumed-role session, the user or root ARN otherwise.
func principalARN(id identity) string {
	if id.RoleARN != "" {
		return id.RoleARN
	}
	return id.ARN
}

// trustAllows evaluates a role trust policy for sts:AssumeRole by caller:
// an explicit Deny wins, then any Allow. Conditions support the String*
// operators (and their IfExists forms) and Null; an unknown operator or key
// never matches, so the emulator fails closed.
func trustAllows(doc *policyDoc, caller identity, keys map[string]string) bool {
	allowed := false
	for _, st := range doc.Statement {
		if !statementApplies(st, caller, keys) {
			continue
		}
		if st.Effect == policyEffectDeny {
			return false
		}
		if st.Effect == policyEffectAllow {
			allowed = true
		}
	}
	return allowed
}

func statementApplies(st policyStatement, caller identity, keys map[string]string) bool {
	const action = "sts:assumerole"
	switch {
	case len(st.Action) > 0 && !anyGlob(st.Action, action, true):
		return false
	case len(st.NotAction) > 0 && anyGlob(st.NotAction, action, true):
		return false
	}
	switch {
	case st.Principal != nil && !principalMatches(st.Principal, caller):
		return false
	case st.NotPrincipal != nil && principalMatches(st.NotPrincipal, caller):
		return false
	case st.Principal == nil && st.NotPrincipal == nil:
		return false
	}
	return conditionsMatch(st.Condition, keys)
}

func principalMatches(p *policyPrincipal, caller identity) bool {
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		switch a {
		case "*", caller.Account, "arn:aws:iam::" + caller.Account + ":root", principalARN(caller), caller.ARN:
			return true
		}
	}
	return false
}

func anyGlob(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if glob(p, value, fold) {
			return true
		}
	}
	return false
}

// glob matches IAM wildcards (awsrules.Glob).
func glob(pattern, value string, fold bool) bool { return awsrules.Glob(pattern, value, fold) }

func conditionsMatch(conds map[string]map[string][]string, keys map[string]string) bool {
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
				ok = contains(values, v, false)
			case "StringEqualsIgnoreCase":
				ok = contains(values, v, true)
			case "StringNotEquals":
				ok = !contains(values, v, false)
			case "StringNotEqualsIgnoreCase":
				ok = !contains(values, v, true)
			case "StringLike":
				ok = anyGlob(values, v, false)
			case "StringNotLike":
				ok = !anyGlob(values, v, false)
			case "Bool":
				ok = contains(values, v, true)
			case "ArnEquals", "ArnLike":
				ok = anyGlob(values, v, false)
			case "ArnNotEquals", "ArnNotLike":
				ok = !anyGlob(values, v, false)
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

func contains(values []string, v string, fold bool) bool {
	for _, x := range values {
		if x == v || (fold && strings.EqualFold(x, v)) {
			return true
		}
	}
	return false
}
