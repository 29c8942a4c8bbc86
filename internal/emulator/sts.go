package emulator

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/awsrules"
)

func init() {
	register(func() *service {
		return &service{
			name:     "sts",
			protocol: awsQuery,
			xmlns:    "https://sts.amazonaws.com/doc/2011-06-15/",
			throttle: APIError{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"},
			ops: map[string]*operation{
				"GetCallerIdentity": read(stsGetCallerIdentity),
				"AssumeRole":        read(stsAssumeRole),
			},
		}
	})
}

func stsGetCallerIdentity(c *Ctx) (any, error) {
	return struct {
		XMLName xml.Name `xml:"GetCallerIdentityResult"`
		Arn     string
		UserID  string `xml:"UserId"`
		Account string
	}{Arn: c.Caller.ARN, UserID: c.Caller.UserID, Account: c.Caller.Account}, nil
}

var (
	roleARNRe     = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::(\d{12}):role(/.*)?/([\w+=,.@-]{1,64})$`)
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

func stsAssumeRole(c *Ctx) (any, error) {
	roleARN, sessionName, externalID := c.Form("RoleArn"), c.Form("RoleSessionName"), c.Form("ExternalId")
	if !sessionNameRe.MatchString(sessionName) {
		return nil, errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2-64", sessionName)
	}
	if externalID != "" && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDRe.MatchString(externalID)) {
		return nil, errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint")
	}
	m := roleARNRe.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleARN)
	}
	accessDenied := errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Caller.ARN, roleARN)
	target, ok := c.e.accounts[m[1]]
	if !ok {
		return nil, accessDenied
	}
	r, ok := iamAcct(target).roles[strings.ToLower(m[3])]
	// The emulator keeps every account in the aws partition; a role ARN of
	// another partition names the same role.
	if !ok || r.ARN != "arn:aws:"+roleARN[strings.Index(roleARN, ":iam:")+1:] {
		return nil, accessDenied
	}
	duration := 3600
	if d := c.Form("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, errorf(http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", d)
		}
		if n > r.MaxSessionDuration {
			return nil, errorf(http.StatusBadRequest, "ValidationError",
				"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		duration = n
	}
	doc, perr := parsePolicy(string(r.AssumeRolePolicy), policyResource)
	if perr != nil || !trustAllows(doc, c.Caller, map[string]string{
		"sts:externalid":       externalID,
		"sts:rolesessionname":  sessionName,
		"aws:principalarn":     principalARN(c.Caller),
		"aws:principalaccount": c.Caller.Account,
		// Emulator sessions never carry MFA; a trust that requires it denies.
		"aws:multifactorauthpresent": "false",
	}) {
		return nil, accessDenied
	}
	ak := "ASIA" + randomUpper(16)
	s := &session{
		identity: identity{
			Account:   target.ID,
			ARN:       "arn:aws:sts::" + target.ID + ":assumed-role/" + r.Name + "/" + sessionName,
			UserID:    r.ID + ":" + sessionName,
			AccessKey: ak,
			RoleARN:   r.ARN,
		},
		secret:  randomHex(40),
		token:   "FwoGZXIvYXdzE" + randomHex(100),
		expires: c.e.now().Add(time.Duration(duration) * time.Second),
	}
	c.e.sessions[ak] = s
	type credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	type assumedRoleUser struct {
		Arn           string
		AssumedRoleID string `xml:"AssumedRoleId"`
	}
	return struct {
		XMLName          xml.Name `xml:"AssumeRoleResult"`
		Credentials      credentials
		AssumedRoleUser  assumedRoleUser
		PackedPolicySize int
	}{
		Credentials: credentials{AccessKeyID: ak, SecretAccessKey: s.secret, SessionToken: s.token,
			Expiration: s.expires.Format(time.RFC3339)},
		AssumedRoleUser: assumedRoleUser{Arn: s.ARN, AssumedRoleID: s.UserID},
	}, nil
}

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
