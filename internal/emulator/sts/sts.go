package emulator

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
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
	target := c.e.account(m[1])
	if target == nil {
		return nil, accessDenied
	}
	r := iamRoleNamed(target, m[3])
	// The emulator keeps every account in the aws partition; a role ARN of
	// another partition names the same role.
	if r == nil || r.ARN != "arn:aws:"+roleARN[strings.Index(roleARN, ":iam:")+1:] {
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
	c.e.addSession(s)
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
