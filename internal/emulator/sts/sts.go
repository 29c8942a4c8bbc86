package sts

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:     "sts",
			Protocol: core.AWSQuery,
			XMLNS:    "https://sts.amazonaws.com/doc/2011-06-15/",
			Throttle: core.APIError{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"},
			Ops: withAssumeRoot(map[string]*core.Operation{
				"GetCallerIdentity": core.Read(stsGetCallerIdentity),
				"AssumeRole":        core.Read(stsAssumeRole),
				// Unsigned, as in AWS (the core routes it by its Action).
				"AssumeRoleWithWebIdentity": core.Read(stsAssumeRoleWithWebIdentity),
			}),
		}
	})
}

func stsGetCallerIdentity(c *core.Ctx) (any, error) {
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

func stsAssumeRole(c *core.Ctx) (any, error) {
	roleARN, sessionName, externalID := c.Form("RoleArn"), c.Form("RoleSessionName"), c.Form("ExternalId")
	if !sessionNameRe.MatchString(sessionName) {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2-64", sessionName)
	}
	if externalID != "" && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDRe.MatchString(externalID)) {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint")
	}
	m := roleARNRe.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleARN)
	}
	accessDenied := core.Errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Caller.ARN, roleARN)
	target := c.Emu.Account(m[1])
	if target == nil {
		return nil, accessDenied
	}
	r := iam.RoleNamed(target, m[3])
	// The emulator keeps every account in the aws partition; a role ARN of
	// another partition names the same role.
	if r == nil || r.ARN != "arn:aws:"+roleARN[strings.Index(roleARN, ":iam:")+1:] {
		return nil, accessDenied
	}
	// A role not yet propagated (the Consistency model) cannot be assumed.
	if c.Emu.NotYetVisible(core.PropagatePrincipal, r.ARN) || c.Emu.NotYetVisible(core.PropagateAccountAccess, r.ARN) {
		return nil, accessDenied
	}
	duration := 3600
	if d := c.Form("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", d)
		}
		if n > r.MaxSessionDuration {
			return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
				"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		duration = n
	}
	doc, perr := policy.Parse(string(r.AssumeRolePolicy), policy.KindResource)
	if perr != nil || !policy.TrustAllows(doc, c.Caller, map[string]string{
		"sts:externalid":       externalID,
		"sts:rolesessionname":  sessionName,
		"aws:principalarn":     policy.PrincipalARN(c.Caller),
		"aws:principalaccount": c.Caller.Account,
		// Emulator sessions never carry MFA; a trust that requires it denies.
		"aws:multifactorauthpresent": "false",
	}) {
		return nil, accessDenied
	}
	ak := "ASIA" + core.RandomUpper(16)
	s := &core.Session{
		Identity: core.Identity{
			Account:   target.ID,
			ARN:       "arn:aws:sts::" + target.ID + ":assumed-role/" + r.Name + "/" + sessionName,
			UserID:    r.ID + ":" + sessionName,
			AccessKey: ak,
			RoleARN:   r.ARN,
		},
		Secret:  core.RandomHex(40),
		Token:   "FwoGZXIvYXdzE" + core.RandomHex(100),
		Expires: c.Emu.Now().Add(time.Duration(duration) * time.Second),
	}
	c.Emu.AddSession(s)
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
		Credentials: credentials{AccessKeyID: ak, SecretAccessKey: s.Secret, SessionToken: s.Token,
			Expiration: s.Expires.Format(time.RFC3339)},
		AssumedRoleUser: assumedRoleUser{Arn: s.ARN, AssumedRoleID: s.UserID},
	}, nil
}
