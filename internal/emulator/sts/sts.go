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
	if err := checkSessionName(sessionName); err != nil {
		return nil, err
	}
	if externalID != "" && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDRe.MatchString(externalID)) {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint")
	}
	m, err := parseRoleARN(roleARN)
	if err != nil {
		return nil, err
	}
	accessDenied := core.Errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Caller.ARN, roleARN)
	target := c.Emu.Account(m[1])
	if target == nil {
		return nil, accessDenied
	}
	r := roleOf(target, roleARN, m[3])
	// A role not yet propagated (the Consistency model) cannot be assumed.
	if r == nil || c.Emu.NotYetVisible(core.PropagatePrincipal, r.ARN) || c.Emu.NotYetVisible(core.PropagateAccountAccess, r.ARN) {
		return nil, accessDenied
	}
	duration, err := sessionDuration(c, r)
	if err != nil {
		return nil, err
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
	creds, user := assumeRole(c, target, r, sessionName, duration)
	return struct {
		XMLName          xml.Name `xml:"AssumeRoleResult"`
		Credentials      credentials
		AssumedRoleUser  assumedRoleUser
		PackedPolicySize int
	}{Credentials: creds, AssumedRoleUser: user}, nil
}

// checkSessionName checks RoleSessionName as AssumeRole and
// AssumeRoleWithWebIdentity do.
func checkSessionName(name string) error {
	if !sessionNameRe.MatchString(name) {
		return core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2-64", name)
	}
	return nil
}

// parseRoleARN returns roleARNRe's submatches: [1] the account, [3] the
// role name.
func parseRoleARN(roleARN string) ([]string, error) {
	m := roleARNRe.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleARN)
	}
	return m, nil
}

// roleOf returns the role of target named name that roleARN names, or nil.
// The emulator keeps every account in the aws partition; a role ARN of
// another partition names the same role, but a path that differs does not.
func roleOf(target *core.Account, roleARN, name string) *iam.Role {
	r := iam.RoleNamed(target, name)
	if r == nil || r.ARN != "arn:aws:"+roleARN[strings.Index(roleARN, ":iam:")+1:] {
		return nil
	}
	return r
}

// sessionDuration is DurationSeconds (default one hour), checked against
// the role's MaxSessionDuration.
func sessionDuration(c *core.Ctx, r *iam.Role) (int, error) {
	d := c.Form("DurationSeconds")
	if d == "" {
		return 3600, nil
	}
	n, err := strconv.Atoi(d)
	if err != nil || n < 900 || n > 43200 {
		return 0, core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", d)
	}
	if n > r.MaxSessionDuration {
		return 0, core.Errorf(http.StatusBadRequest, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return n, nil
}

// credentials and assumedRoleUser are the elements of STS's answers.
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

// issueSession adds a session of identity id (its access key made here)
// lasting duration seconds, and returns its credentials.
func issueSession(c *core.Ctx, id core.Identity, duration int) (*core.Session, credentials) {
	id.AccessKey = "ASIA" + core.RandomUpper(16)
	s := &core.Session{
		Identity: id,
		Secret:   core.RandomHex(40),
		Token:    "FwoGZXIvYXdzE" + core.RandomHex(100),
		Expires:  c.Emu.Now().Add(time.Duration(duration) * time.Second),
	}
	c.Emu.AddSession(s)
	return s, credentials{AccessKeyID: id.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token, Expiration: s.Expires.Format(time.RFC3339)}
}

// assumeRole issues a session of role r of target named sessionName.
func assumeRole(c *core.Ctx, target *core.Account, r *iam.Role, sessionName string, duration int) (credentials, assumedRoleUser) {
	s, creds := issueSession(c, core.Identity{
		Account: target.ID,
		ARN:     "arn:aws:sts::" + target.ID + ":assumed-role/" + r.Name + "/" + sessionName,
		UserID:  r.ID + ":" + sessionName,
		RoleARN: r.ARN,
	}, duration)
	return creds, assumedRoleUser{Arn: s.ARN, AssumedRoleID: s.UserID}
}
