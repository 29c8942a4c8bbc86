package sts

// AssumeRoot (2024-11): a short session as a member account's root user,
// scoped by one of the AWS managed task policies, for the organization's
// management account or IAM's delegated administrator, once the
// organization has centralized root access with root sessions
// (iam:EnableOrganizationsRootSessions). Written from the STS API
// reference; the errors it leaves open are the emulator's choice:
// AccessDenied for a caller or target the feature does not allow, and
// ValidationError for a task policy that is not one of the five.

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
)

// rootTargetRe is AssumeRoot's TargetPrincipal: an account ID or its root ARN.
var rootTargetRe = regexp.MustCompile(`^(?:arn:aws(?:-cn|-us-gov)?:iam::)?(\d{12})(?::root)?$`)

// withAssumeRoot adds AssumeRoot to STS's operations.
func withAssumeRoot(ops map[string]*core.Operation) map[string]*core.Operation {
	ops["AssumeRoot"] = core.Read(stsAssumeRoot)
	return ops
}

func stsAssumeRoot(c *core.Ctx) (any, error) {
	target, task := c.Form("TargetPrincipal"), c.Form("TaskPolicyArn.arn")
	switch {
	case target == "":
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value null at 'targetPrincipal' failed to satisfy constraint: Member must not be null")
	case task == "":
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null")
	case !iam.IsRootTaskPolicy(task):
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "The task policy ARN %s is not a valid root task policy.", task)
	}
	duration := 900
	if d := c.Form("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 900 {
			return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900", d)
		}
		if n > 0 {
			duration = n
		}
	}
	m := rootTargetRe.FindStringSubmatch(target)
	if m == nil {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "%s is not a valid target principal", target)
	}
	denied := func(why string) *core.APIError {
		return core.Errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::%s:root (%s)",
			c.Caller.ARN, m[1], why)
	}
	if c.Caller.ARN == "arn:aws:iam::"+c.Caller.Account+":root" {
		return nil, denied("root user credentials cannot call AssumeRoot")
	}
	var o iam.OrgView
	ok := false
	if iam.OrganizationOf != nil {
		o, ok = iam.OrganizationOf(c.Emu, c.Account)
	}
	switch {
	case !ok:
		return nil, denied("the caller's account is in no organization")
	case c.Account.ID != o.Management && !o.DelegatedAdmin(c.Account.ID, "iam.amazonaws.com"):
		return nil, denied("only the management account or IAM's delegated administrator can call AssumeRoot")
	case !o.TrustedAccess("iam.amazonaws.com") || !iam.RootFeatureEnabled(c.Emu, o, iam.RootSessions):
		return nil, denied("centralized root access (root sessions) is not enabled for the organization")
	case m[1] == o.Management || !o.ActiveMember(m[1]) || c.Emu.Account(m[1]) == nil:
		return nil, denied("the target is not an active member account of the organization")
	}
	s, creds := issueSession(c, core.Identity{Account: m[1], ARN: "arn:aws:iam::" + m[1] + ":root", UserID: m[1]}, duration)
	iam.AddRootSession(c.Emu, s.AccessKey, task)
	return struct {
		XMLName     xml.Name `xml:"AssumeRootResult"`
		Credentials credentials
	}{Credentials: creds}, nil
}
