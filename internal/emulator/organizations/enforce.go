package organizations

// Enforcement of the organization's service control policies and resource
// control policies on the requests the emulator serves, as AWS does:
//
//   - SCPs apply to the principals of member accounts (here: the role
//     sessions the emulator issued through STS AssumeRole into a member
//     account), evaluated along the path from the root through each OU to
//     the account; not to the management account, nor to service-linked
//     roles (orgs_manage_policies_scps.html, "Tasks and entities not
//     restricted by SCPs").
//   - RCPs apply to the resources of member accounts, whoever the caller
//     is, evaluated along the path of the account that owns the resource,
//     for the services RCPs support that the emulator serves: S3, KMS and
//     STS (AssumeRole on a role); not to resources of the management
//     account, nor to service-linked roles (orgs_manage_policies_rcps.html).
//   - Nothing is evaluated when the type is not enabled on the root, or
//     when only the AWS managed full-access policy is attached along the
//     path (it allows everything).
//   - A denied request gets AccessDenied (403, query and REST-XML
//     protocols) or AccessDeniedException (JSON protocols) with AWS's
//     message: "User: ARN is not authorized to perform: ACTION on resource:
//     RESOURCE with an explicit deny in a service control policy: POLICY-ARN"
//     or "... because no service control policy allows the ACTION action"
//     (troubleshoot_access-denied.html; the policy ARN since 2025, same
//     account or organization only: AWS Security Blog, "Enhanced access
//     denied error messages with policy ARNs").
//
// The emulator evaluates with its own code (policy.AuthorizeOrg), not the
// library's scp package.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
	"github.com/awsfoundation/foundation/internal/emulator/s3"
)

func init() { core.OnAuthorize(enforceOrganizationPolicies) }

const (
	enforceSCP = "SERVICE_CONTROL_POLICY"
	enforceRCP = "RESOURCE_CONTROL_POLICY"
)

func enforceOrganizationPolicies(c *core.Ctx) *core.APIError {
	action, ok := IAMAction(c.Service(), c.Op, c.Request())
	if !ok {
		return nil
	}
	caller := c.Caller
	if strings.Contains(caller.RoleARN, ":role/aws-service-role/") {
		return nil // service-linked roles: neither SCPs nor RCPs
	}
	var scps, rcps []policy.OrgLevel
	principalOrg := Of(c.Account)
	if caller.RoleARN != "" && principalOrg != nil && c.Account.ID != principalOrg.mgmt {
		scps = enforcedPath(principalOrg, c.Account.ID, enforceSCP)
	}
	resource, owner := requestResource(c, action)
	var resourceOrg *Organization
	if owner != "" && rcpCovers(action) {
		if a := c.Emu.Account(owner); a != nil {
			if resourceOrg = Of(a); resourceOrg != nil && owner != resourceOrg.mgmt {
				rcps = enforcedPath(resourceOrg, owner, enforceRCP)
			}
		}
	}
	if scps == nil && rcps == nil {
		return nil
	}
	req := policy.OrgRequest{Action: action, Resource: resource, PrincipalARN: policy.PrincipalARN(caller),
		PrincipalAccount: caller.Account, Context: requestContext(c, principalOrg, owner, resourceOrg)}
	d := policy.AuthorizeOrg(scps, rcps, req)
	if d.Allowed {
		return nil
	}
	sameOrg := d.Type == policy.EnforcedSCP || (principalOrg != nil && principalOrg == resourceOrg)
	return c.AccessDenied(deniedMessage(c.Service(), caller.ARN, action, resource, d, sameOrg))
}

// deniedMessage words a denial as AWS does.
func deniedMessage(service, callerARN, action, resource string, d policy.OrgDecision, withARN bool) string {
	kind := "service control policy"
	if d.Type == policy.EnforcedRCP {
		kind = "resource control policy"
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s", callerARN, action)
	if resource != "" {
		if service == "s3" {
			msg += fmt.Sprintf(" on resource: %q", resource)
		} else {
			msg += " on resource: " + resource
		}
	}
	if !d.Explicit {
		return msg + fmt.Sprintf(" because no %s allows the %s action", kind, action)
	}
	msg += " with an explicit deny in a " + kind
	if withARN && d.Policy.ARN != "" {
		msg += ": " + d.Policy.ARN
	}
	return msg
}

// enforcedPath returns the parsed policies of typ along account's path, or
// nil when none restricts anything (type disabled, or only the AWS managed
// full-access policy attached at every level).
func enforcedPath(o *Organization, account, typ string) []policy.OrgLevel {
	path, ok := o.AuthorizationPath(account, typ)
	if !ok {
		return nil
	}
	restricts := false
	for _, l := range path {
		managedOnly := len(l.Policies) > 0
		for _, p := range l.Policies {
			managedOnly = managedOnly && p.Managed
		}
		restricts = restricts || !managedOnly
	}
	if !restricts {
		return nil
	}
	kind := policy.KindIdentity
	if typ == enforceRCP {
		kind = policy.KindResource
	}
	levels := make([]policy.OrgLevel, len(path))
	for i, l := range path {
		levels[i] = policy.OrgLevel{Target: l.Target, Name: l.Name}
		for _, p := range l.Policies {
			levels[i].Policies = append(levels[i].Policies, policy.OrgPolicy{ID: p.ID, Name: p.Name, ARN: p.ARN, Doc: parsedPolicy(p.Content, kind)})
		}
	}
	return levels
}

// parsed caches parsed policy documents by kind and content.
var parsed sync.Map

func parsedPolicy(content string, kind policy.Kind) *policy.Doc {
	key := strconv.Itoa(int(kind)) + content
	if d, ok := parsed.Load(key); ok {
		return d.(*policy.Doc)
	}
	d, err := policy.Parse(content, kind)
	if err != nil {
		d = nil // CreatePolicy checked it; a document that does not parse is skipped
	}
	parsed.Store(key, d)
	return d
}

// rcpCovers reports whether RCPs apply to an action: the services RCPs
// support that the emulator serves.
func rcpCovers(action string) bool {
	svc, _, _ := strings.Cut(action, ":")
	switch svc {
	case "s3", "kms", "sts":
		return true
	}
	return false
}

// requestContext is the request's condition keys, lower-cased.
func requestContext(c *core.Ctx, principalOrg *Organization, owner string, resourceOrg *Organization) map[string][]string {
	caller := c.Caller
	r := c.Request()
	now := c.Emu.Now()
	ctx := map[string][]string{
		"aws:principalarn":           {policy.PrincipalARN(caller)},
		"aws:principalaccount":       {caller.Account},
		"aws:userid":                 {caller.UserID},
		"aws:requestedregion":        {c.Region},
		"aws:currenttime":            {now.Format(time.RFC3339)},
		"aws:epochtime":              {strconv.FormatInt(now.Unix(), 10)},
		"aws:securetransport":        {strconv.FormatBool(r.TLS != nil)},
		"aws:principalisawsservice":  {"false"},
		"aws:viaawsservice":          {"false"},
		"aws:principalservicename":   nil,
		"aws:multifactorauthpresent": nil,
	}
	if caller.RoleARN != "" {
		ctx["aws:principaltype"] = []string{"AssumedRole"}
		// Emulator sessions never carry MFA (as the STS trust check).
		ctx["aws:multifactorauthpresent"] = []string{"false"}
		if role := iam.RoleNamed(c.Account, caller.RoleARN[strings.LastIndex(caller.RoleARN, "/")+1:]); role != nil {
			for k, v := range role.Tags {
				ctx["aws:principaltag/"+strings.ToLower(k)] = []string{v}
			}
		}
	} else {
		ctx["aws:principaltype"] = []string{"Account"}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ctx["aws:sourceip"] = []string{host}
	}
	if principalOrg != nil {
		ctx["aws:principalorgid"] = []string{principalOrg.id}
		if m, ok := principalOrg.members[caller.Account]; ok {
			ctx["aws:principalorgpaths"] = []string{principalOrg.idPath(m.parent)}
		}
	}
	if owner != "" {
		ctx["aws:resourceaccount"] = []string{owner}
		if resourceOrg != nil {
			ctx["aws:resourceorgid"] = []string{resourceOrg.id}
		}
	}
	if c.Service() == "s3" {
		for _, h := range []string{"x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"} {
			if v := r.Header.Get(h); v != "" {
				ctx["s3:"+h] = []string{v}
			}
		}
	}
	for k, v := range ctx {
		if len(v) == 0 {
			delete(ctx, k)
		}
	}
	return ctx
}

var (
	kmsKeyARNRe = regexp.MustCompile(`^arn:aws[\w-]*:kms:[\w-]+:(\d{12}):(key|alias)/.+$`)
	roleARNRe   = regexp.MustCompile(`^arn:aws[\w-]*:iam::(\d{12}):role/.+$`)
)

// requestResource returns the ARN of the resource a request acts on and
// the account that owns it, for the services whose RCPs the emulator
// enforces; ("", "") when unknown.
func requestResource(c *core.Ctx, action string) (arn, owner string) {
	r := c.Request()
	switch c.Service() {
	case "s3":
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if bucket == "" {
			return "", ""
		}
		arn = "arn:aws:s3:::" + bucket
		if key != "" {
			arn += "/" + key
		}
		if action == "s3:CreateBucket" {
			return arn, c.Account.ID
		}
		owner, _ = s3.BucketOwner(c.Emu, bucket)
		return arn, owner
	case "kms":
		var in struct{ KeyId, TargetKeyId string }
		_ = json.Unmarshal(c.Body(), &in)
		id := in.KeyId
		if id == "" {
			id = in.TargetKeyId
		}
		switch {
		case id == "":
			return "", ""
		case kmsKeyARNRe.MatchString(id):
			return id, kmsKeyARNRe.FindStringSubmatch(id)[1]
		case strings.HasPrefix(id, "alias/"):
			return "arn:aws:kms:" + c.Region + ":" + c.Account.ID + ":" + id, c.Account.ID
		}
		return "arn:aws:kms:" + c.Region + ":" + c.Account.ID + ":key/" + id, c.Account.ID
	case "sts":
		if m := roleARNRe.FindStringSubmatch(c.Form("RoleArn")); m != nil {
			return m[0], m[1]
		}
	}
	return "", ""
}

// IAMAction returns the IAM action that authorizes an operation of a
// service the emulator serves ("s3:ListBucket" for S3 HeadBucket), and
// false for operations no policy can deny (sts:GetCallerIdentity).
// For most operations it is the service's IAM prefix and the operation's
// name; s3ActionExceptions lists the S3 operations whose action differs
// (from "Required permissions for Amazon S3 API operations",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html).
func IAMAction(service, op string, r *http.Request) (string, bool) {
	switch service {
	case "sts":
		if op == "GetCallerIdentity" {
			return "", false // "No permissions are required to perform this operation."
		}
	case "s3":
		versioned := r != nil && r.URL.Query().Get("versionId") != ""
		switch {
		case versioned && (op == "GetObject" || op == "HeadObject"):
			return "s3:GetObjectVersion", true
		case versioned && op == "DeleteObject":
			return "s3:DeleteObjectVersion", true
		}
		if a, ok := s3ActionExceptions[op]; ok {
			return "s3:" + a, true
		}
		return "s3:" + op, true
	case "s3control":
		if a, ok := s3ControlActions[op]; ok {
			return "s3:" + a, true
		}
		return "s3:" + op, true
	}
	return iamPrefix(service) + ":" + op, true
}

// iamPrefix is a service's IAM action prefix ("sso" for sso-admin).
func iamPrefix(service string) string {
	switch service {
	case "ssoadmin", "sso-admin":
		return "sso"
	}
	return service
}

// s3ActionExceptions maps the S3 operations whose IAM action is not their
// name.
var s3ActionExceptions = map[string]string{
	"HeadBucket":                         "ListBucket",
	"HeadObject":                         "GetObject",
	"ListObjects":                        "ListBucket",
	"ListObjectsV2":                      "ListBucket",
	"ListObjectVersions":                 "ListBucketVersions",
	"ListBuckets":                        "ListAllMyBuckets",
	"ListMultipartUploads":               "ListBucketMultipartUploads",
	"ListParts":                          "ListMultipartUploadParts",
	"GetBucketEncryption":                "GetEncryptionConfiguration",
	"PutBucketEncryption":                "PutEncryptionConfiguration",
	"DeleteBucketEncryption":             "PutEncryptionConfiguration",
	"GetPublicAccessBlock":               "GetBucketPublicAccessBlock",
	"PutPublicAccessBlock":               "PutBucketPublicAccessBlock",
	"DeletePublicAccessBlock":            "PutBucketPublicAccessBlock",
	"GetBucketLifecycleConfiguration":    "GetLifecycleConfiguration",
	"PutBucketLifecycleConfiguration":    "PutLifecycleConfiguration",
	"DeleteBucketLifecycle":              "PutLifecycleConfiguration",
	"GetBucketReplication":               "GetReplicationConfiguration",
	"PutBucketReplication":               "PutReplicationConfiguration",
	"DeleteBucketReplication":            "PutReplicationConfiguration",
	"GetBucketCors":                      "GetBucketCORS",
	"PutBucketCors":                      "PutBucketCORS",
	"DeleteBucketCors":                   "PutBucketCORS",
	"GetBucketNotificationConfiguration": "GetBucketNotification",
	"PutBucketNotificationConfiguration": "PutBucketNotification",
	"GetObjectLockConfiguration":         "GetBucketObjectLockConfiguration",
	"PutObjectLockConfiguration":         "PutBucketObjectLockConfiguration",
	"DeleteBucketOwnershipControls":      "PutBucketOwnershipControls",
	"DeleteBucketTagging":                "PutBucketTagging",
	"DeleteBucketWebsite":                "DeleteBucketWebsite",
	"CopyObject":                         "PutObject",
	"CreateMultipartUpload":              "PutObject",
	"UploadPart":                         "PutObject",
	"CompleteMultipartUpload":            "PutObject",
	"AbortMultipartUpload":               "AbortMultipartUpload",
	"DeleteObjects":                      "DeleteObject",
	"GetObjectAttributes":                "GetObject",
	"GetBucketAccelerateConfiguration":   "GetAccelerateConfiguration",
	"PutBucketAccelerateConfiguration":   "PutAccelerateConfiguration",
}

// s3ControlActions maps the S3 Control operations the emulator serves to
// their IAM actions (account-level Block Public Access).
var s3ControlActions = map[string]string{
	"GetPublicAccessBlock":    "GetAccountPublicAccessBlock",
	"PutPublicAccessBlock":    "PutAccountPublicAccessBlock",
	"DeletePublicAccessBlock": "PutAccountPublicAccessBlock",
}
