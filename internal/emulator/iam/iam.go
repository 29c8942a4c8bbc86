package iam

// The IAM API (awsQuery): roles with their inline, attached and boundary
// policies, OpenID Connect providers, customer managed policies,
// service-linked roles and the account alias. Roles live in the account's
// iamState (the account's "iam" slot), shared with STS AssumeRole and the
// services that create roles themselves (Organizations, IAM Identity
// Center) through RoleNamed and NewRole.

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

// IAM quotas the emulator enforces, at AWS's defaults.
const (
	iamMaxRoles           = 1000  // RolesPerAccount
	iamMaxAttached        = 10    // PoliciesPerRole (managed policies attached to a role)
	iamMaxInlineSize      = 10240 // aggregate size of a role's inline policies
	iamMaxTrustSize       = 2048  // ACLSizePerRole (trust policy size)
	iamMaxManagedSize     = 6144  // PolicySize (customer managed policy size)
	iamMaxTags            = 50    // tags per IAM resource
	iamMaxOIDCProviders   = 100   // OpenIdConnectProvidersPerAccount
	iamMaxClientIDs       = 100   // client IDs per OIDC provider
	iamMaxThumbprints     = 5     // thumbprints per OIDC provider
	iamMaxManagedPolicies = 1500  // customer managed policies per account
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:     "iam",
			Protocol: core.AWSQuery,
			XMLNS:    "https://iam.amazonaws.com/doc/2010-05-08/",
			Throttle: core.APIError{Status: iamErrors.Status("Throttling"), Code: "Throttling", Message: "Rate exceeded"},
			Statuses: iamErrors,
			Ops: withRootAccessOps(map[string]*core.Operation{
				"CreateOpenIDConnectProvider":             core.Write(iamCreateOpenIDConnectProvider),
				"GetOpenIDConnectProvider":                core.Read(iamGetOpenIDConnectProvider),
				"ListOpenIDConnectProviders":              core.Read(iamListOpenIDConnectProviders),
				"DeleteOpenIDConnectProvider":             core.Write(iamDeleteOpenIDConnectProvider),
				"UpdateOpenIDConnectProviderThumbprint":   core.Write(iamUpdateOpenIDConnectProviderThumbprint),
				"AddClientIDToOpenIDConnectProvider":      core.Write(iamAddClientIDToOpenIDConnectProvider),
				"RemoveClientIDFromOpenIDConnectProvider": core.Write(iamRemoveClientIDFromOpenIDConnectProvider),
				"TagOpenIDConnectProvider":                core.Write(iamTagOpenIDConnectProvider),
				"UntagOpenIDConnectProvider":              core.Write(iamUntagOpenIDConnectProvider),
				"ListOpenIDConnectProviderTags":           core.Read(iamListOpenIDConnectProviderTags),

				"CreateRole":                    core.Write(iamCreateRole),
				"GetRole":                       core.Read(iamGetRole),
				"UpdateRole":                    core.Write(iamUpdateRole),
				"UpdateRoleDescription":         core.Write(iamUpdateRoleDescription),
				"DeleteRole":                    core.Write(iamDeleteRole),
				"ListRoles":                     core.Read(iamListRoles),
				"UpdateAssumeRolePolicy":        core.Write(iamUpdateAssumeRolePolicy),
				"PutRolePolicy":                 core.Write(iamPutRolePolicy),
				"GetRolePolicy":                 core.Read(iamGetRolePolicy),
				"DeleteRolePolicy":              core.Write(iamDeleteRolePolicy),
				"ListRolePolicies":              core.Read(iamListRolePolicies),
				"AttachRolePolicy":              core.Write(iamAttachRolePolicy),
				"DetachRolePolicy":              core.Write(iamDetachRolePolicy),
				"ListAttachedRolePolicies":      core.Read(iamListAttachedRolePolicies),
				"PutRolePermissionsBoundary":    core.Write(iamPutRolePermissionsBoundary),
				"DeleteRolePermissionsBoundary": core.Write(iamDeleteRolePermissionsBoundary),
				"TagRole":                       core.Write(iamTagRole),
				"UntagRole":                     core.Write(iamUntagRole),
				"ListRoleTags":                  core.Read(iamListRoleTags),

				"CreateServiceLinkedRole":            core.Write(iamCreateServiceLinkedRole),
				"DeleteServiceLinkedRole":            core.Write(iamDeleteServiceLinkedRole),
				"GetServiceLinkedRoleDeletionStatus": core.Read(iamGetServiceLinkedRoleDeletionStatus),

				"CreateAccountAlias": core.Write(iamCreateAccountAlias),
				"DeleteAccountAlias": core.Write(iamDeleteAccountAlias),
				"ListAccountAliases": core.Read(iamListAccountAliases),

				"CreatePolicy":     core.Write(iamCreatePolicy),
				"GetPolicy":        core.Read(iamGetPolicy),
				"GetPolicyVersion": core.Read(iamGetPolicyVersion),
				"ListPolicies":     core.Read(iamListPolicies),
				"DeletePolicy":     core.Write(iamDeletePolicy),
			}),
			Snapshot: withRootSnapshot(iamSnapshot),
		}
	})
}

// iamOIDCProvider is an IAM OpenID Connect identity provider.
type iamOIDCProvider struct {
	URL         string // the issuer URL without "https://", as IAM returns it
	ARN         string
	ClientIDs   []string
	Thumbprints []string
	Tags        map[string]string
	Created     time.Time
}

// iamManagedPolicy is a customer managed policy. The emulator keeps one
// version, v1 (there is no CreatePolicyVersion).
type iamManagedPolicy struct {
	Name, Path, ID, ARN, Description string
	Document                         string // JSON as submitted (URL-decoded)
	Tags                             map[string]string
	Created                          time.Time
}

// ---------------------------------------------------------------------------
// Helpers: errors, input, IDs, tags, pagination.

// iamErrors is IAM's table of error codes and the HTTP status of each, from
// the awsQueryError traits of the IAM API model (httpResponseCode), as the
// SDKs' models list them. ValidationError, AccessDenied and Throttling are
// the common awsQuery errors (400, 403, 400).
var iamErrors = core.ErrorStatuses{
	"ValidationError":               http.StatusBadRequest,
	"AccessDenied":                  http.StatusForbidden,
	"Throttling":                    http.StatusBadRequest,
	"InvalidInput":                  http.StatusBadRequest,
	"MalformedPolicyDocument":       http.StatusBadRequest,
	"UnmodifiableEntity":            http.StatusBadRequest,
	"PolicyNotAttachable":           http.StatusBadRequest,
	"NoSuchEntity":                  http.StatusNotFound,
	"NotSupportedService":           http.StatusNotFound,
	"EntityAlreadyExists":           http.StatusConflict,
	"LimitExceeded":                 http.StatusConflict,
	"DeleteConflict":                http.StatusConflict,
	"ConcurrentModification":        http.StatusConflict,
	"EntityTemporarilyUnmodifiable": http.StatusConflict,
	"ServiceFailure":                http.StatusInternalServerError,
}

func iamErr(code, format string, args ...any) *core.APIError {
	return iamErrors.Err(code, format, args...)
}

func iamValidation(format string, args ...any) *core.APIError {
	return iamErr("ValidationError", format, args...)
}

func iamInvalidInput(format string, args ...any) *core.APIError {
	return iamErr("InvalidInput", format, args...)
}

func iamNoSuchEntity(format string, args ...any) *core.APIError {
	return iamErr("NoSuchEntity", format, args...)
}

func iamMalformed(format string, args ...any) *core.APIError {
	return iamErr("MalformedPolicyDocument", format, args...)
}

func iamLimit(format string, args ...any) *core.APIError {
	return iamErr("LimitExceeded", format, args...)
}

// iamRequired returns the form value param, or a ValidationError naming
// member (the camel-case member name AWS puts in its messages) when absent.
func iamRequired(c *core.Ctx, param, member string) (string, *core.APIError) {
	v := c.Form(param)
	if v == "" {
		return "", iamValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return v, nil
}

// iamAcct returns a's IAM state.
func iamAcct(a *core.Account) *iamState {
	return core.State(a, "iam", func() *iamState { return &iamState{roles: map[string]*Role{}} })
}

// RoleNamed returns a's role named name (IAM role names are unique
// case-insensitively), nil when there is none.
func RoleNamed(a *core.Account, name string) *Role { return iamAcct(a).roles[strings.ToLower(name)] }

// RemoveRole deletes a's role named name, if there is one.
func RemoveRole(a *core.Account, name string) { delete(iamAcct(a).roles, strings.ToLower(name)) }

// PolicyPath returns the path of a's customer managed policy named
// name; ok is false when there is none.
func PolicyPath(a *core.Account, name string) (path string, ok bool) {
	p := iamAcct(a).policies[strings.ToLower(name)]
	if p == nil {
		return "", false
	}
	return p.Path, true
}

// iamOf returns the acting account's IAM state with every map allocated.
func iamOf(c *core.Ctx) *iamState {
	s := iamAcct(c.Account)
	if s.oidc == nil {
		s.oidc = map[string]*iamOIDCProvider{}
	}
	if s.policies == nil {
		s.policies = map[string]*iamManagedPolicy{}
	}
	if s.tasks == nil {
		s.tasks = map[string]string{}
	}
	return s
}

// iamHashID is a deterministic IAM unique ID: prefix (AROA for roles, ANPA
// for policies) and 17 characters derived from the parts, so two emulators
// doing the same work hand out the same IDs.
func iamHashID(prefix string, parts ...string) string {
	return prefix + core.HashID("iam", core.AlnumUpper, 17, parts...)
}

func iamTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

var (
	iamPathRe       = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	iamPolicyNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamDescRe       = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`)
	iamPolicyARNRe  = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::(aws|\d{12}):policy((?:/[\x21-\x7E]+?)?/)([\w+=,.@-]{1,128})$`)
	iamOIDCARNRe    = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::(\d{12}):oidc-provider/(.+)$`)
	iamThumbprintRe = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
	iamAliasRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
)

// iamPath validates an optional Path parameter; "" means "/".
func iamPath(c *core.Ctx, param string) (string, *core.APIError) {
	p := c.Form(param)
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !iamPathRe.MatchString(p) {
		return "", iamValidation("1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", p)
	}
	return p, nil
}

func iamPathPrefix(c *core.Ctx) (string, *core.APIError) {
	p := c.Form("PathPrefix")
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !strings.HasPrefix(p, "/") {
		return "", iamValidation("1 validation error detected: Value '%s' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*", p)
	}
	return p, nil
}

func iamDescription(c *core.Ctx) (string, *core.APIError) {
	d := c.Form("Description")
	if utf8.RuneCountInString(d) > 1000 || !iamDescRe.MatchString(d) {
		return "", iamValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000 and satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*")
	}
	return d, nil
}

// iamTag is one tag as IAM's XML carries it.
type iamTag = core.Tag

// iamTagRules are IAM's tag rules: keys and values of AWS's common tag
// characters, keys case-insensitive (two keys differing only in case are
// duplicates), no reserved prefix checked.
var iamTagRules = core.TagRules{
	Checks:   []core.TagCheck{core.TagKeyLength, core.TagKeyChars, core.TagValueLength, core.TagValueChars, core.TagDuplicate, core.TagTooMany},
	Max:      iamMaxTags,
	FoldKeys: true,
	Err: func(check core.TagCheck, i int, t core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength, core.TagKeyChars:
			return iamValidation("1 validation error detected: Value '%s' at 'tags.%d.member.key' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", t.Key, i+1)
		case core.TagValueLength, core.TagValueChars:
			return iamValidation("1 validation error detected: Value '%s' at 'tags.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to 256 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", t.Value, i+1)
		case core.TagDuplicate:
			return iamInvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		return iamLimit("The number of tags has reached the maximum limit of %d.", iamMaxTags)
	},
}

// iamTagsIn reads and validates the Tags parameter (Tags.member.N.Key/Value).
func iamTagsIn(c *core.Ctx) ([]iamTag, *core.APIError) {
	var out []iamTag
	for _, m := range c.FormStructs("Tags") {
		out = append(out, iamTag{Key: m["Key"], Value: m["Value"]})
	}
	if err := iamTagRules.Check(out); err != nil {
		return nil, err
	}
	return out, nil
}

// iamApplyTags merges tags (from iamTagsIn) into *dst (allocating it),
// replacing keys equal case-insensitively, and enforces the per-resource
// tag quota.
func iamApplyTags(dst *map[string]string, tags []iamTag) *core.APIError {
	merged, err := iamTagRules.Merge(*dst, tags)
	if err != nil {
		return err
	}
	if len(merged) > 0 {
		*dst = merged
	}
	return nil
}

// iamUntag removes the TagKeys parameter's keys (case-insensitively).
func iamUntag(c *core.Ctx, tags map[string]string) *core.APIError {
	keys := c.FormList("TagKeys")
	if len(keys) > iamMaxTags {
		return iamValidation("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", iamMaxTags)
	}
	for _, key := range keys {
		for k := range tags {
			if strings.EqualFold(k, key) {
				delete(tags, k)
			}
		}
	}
	return nil
}

func iamTagList(m map[string]string) []iamTag {
	out := make([]iamTag, 0, len(m))
	for _, k := range core.SortedKeys(m) {
		out = append(out, iamTag{Key: k, Value: m[k]})
	}
	return out
}

// iamPaging is how IAM list operations reject a Marker (MaxItems is
// checked by iamMaxItems, whose message quotes the parameter as sent).
var iamPaging = core.Paging{
	Max:      1000,
	BadLimit: func(n int) *core.APIError { return iamMaxItemsErr(strconv.Itoa(n)) },
	BadToken: func() *core.APIError { return iamValidation("Invalid Marker.") },
}

// iamMaxItems is the request's MaxItems (nil when absent), 1 to 1000.
func iamMaxItems(c *core.Ctx) (*int, *core.APIError) {
	s := c.Form("MaxItems")
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return nil, iamMaxItemsErr(s)
	}
	return &n, nil
}

func iamMaxItemsErr(s string) *core.APIError {
	return iamValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", s)
}

// ---------------------------------------------------------------------------
// Policy documents.

// iamDocKind is what a policy document is for; IAM checks each differently.
type iamDocKind int

const (
	iamTrustPolicy    iamDocKind = iota // a role's AssumeRolePolicyDocument
	iamIdentityPolicy                   // an inline or managed permissions policy
)

// iamPolicyText returns a policy parameter's JSON: clients send documents
// raw, some URL-encoded.
func iamPolicyText(s string) string {
	t := strings.TrimSpace(s)
	if t != "" && !strings.HasPrefix(t, "{") {
		if u, err := url.QueryUnescape(t); err == nil {
			return u
		}
	}
	return s
}

// iamURLEncode percent-encodes a document as IAM returns it (RFC 3986:
// spaces as %20).
func iamURLEncode(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// iamPolicySize is a document's size as IAM counts it against quotas:
// characters, not counting whitespace outside strings.
func iamPolicySize(doc string) int {
	n, inString, escaped := 0, false, false
	for _, r := range doc {
		switch {
		case inString:
			n++
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
		default:
			if r == '"' {
				inString = true
			}
			n++
		}
	}
	return n
}

// iamCheckPolicy reads and validates the policy document parameter param,
// returning its JSON text. Trust policies must name principals (which must
// exist where the emulator can tell) and only STS actions; identity policies
// must name resources and no principal.
func iamCheckPolicy(c *core.Ctx, param, member string, kind iamDocKind) (string, *core.APIError) {
	raw, apiErr := iamRequired(c, param, member)
	if apiErr != nil {
		return "", apiErr
	}
	if len(raw) > 131072 {
		return "", iamValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 131072", member)
	}
	text := iamPolicyText(raw)
	pk := policy.KindIdentity
	if kind == iamTrustPolicy {
		pk = policy.KindResource
	}
	doc, perr := policy.Parse(text, pk)
	if perr != nil {
		switch perr.Problem {
		case policy.BadJSON, policy.BadVersion, policy.NoPrincipal, policy.PrincipalProhibited:
			return "", iamMalformed("%s", perr.Msg)
		}
		return "", iamMalformed("Syntax errors in policy. (%s)", perr.Msg)
	}
	for _, st := range doc.Statement {
		switch kind {
		case iamTrustPolicy:
			switch {
			case st.Resource != nil:
				return "", iamMalformed("Has prohibited field Resource")
			case st.NotResource != nil:
				return "", iamMalformed("Has prohibited field NotResource")
			}
			for _, a := range policy.Join(st.Action, st.NotAction) {
				if a != "*" && !strings.HasPrefix(strings.ToLower(a), "sts:") {
					return "", iamMalformed("AssumeRole policy may only specify STS AssumeRole actions.")
				}
			}
			for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
				if apiErr := iamCheckPrincipal(c, p); apiErr != nil {
					return "", apiErr
				}
			}
		case iamIdentityPolicy:
			if len(st.Resource) == 0 && len(st.NotResource) == 0 {
				return "", iamMalformed("Policy statement must contain resources.")
			}
		}
	}
	return text, nil
}

var (
	iamPrincipalARNRe = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:(iam|sts)::(\d{12}):(.+)$`)
	iamServiceRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$`)
	iamSSOProviderRe  = regexp.MustCompile(`^AWSSSO_[0-9a-f]+_DO_NOT_DELETE$`)
)

// iamWebIdentityProviders are the identity providers built into AWS, valid
// Federated principals without an IAM provider entity.
var iamWebIdentityProviders = map[string]bool{
	"cognito-identity.amazonaws.com": true, "www.amazon.com": true, "graph.facebook.com": true,
	"accounts.google.com": true, "appleid.apple.com": true,
}

// iamCheckPrincipal rejects what IAM calls an invalid principal: a
// malformed or wildcarded ARN, a role or user ARN in an account the
// emulator has where no such role (the emulator has no users) exists, a
// Federated principal that is not an identity provider of this account (or
// a built-in web identity provider), a CanonicalUser. Root ARNs and account
// IDs are fine, as are accounts the emulator does not have.
func iamCheckPrincipal(c *core.Ctx, p *policy.Principal) *core.APIError {
	if p == nil {
		return nil
	}
	bad := func(kind, v string) *core.APIError {
		return iamMalformed("Invalid principal in policy: \"%s\":\"%s\"", kind, v)
	}
	for _, v := range p.AWS {
		if v == "*" || core.AccountIDRe.MatchString(v) {
			continue
		}
		m := iamPrincipalARNRe.FindStringSubmatch(v)
		if m == nil || strings.ContainsAny(v, "*?") {
			return bad("AWS", v)
		}
		svc, acct, res := m[1], m[2], m[3]
		a := c.Emu.Account(acct)
		known := a != nil
		switch {
		case svc == "iam" && res == "root":
		case svc == "iam" && strings.HasPrefix(res, "role/"):
			if !known {
				continue
			}
			name := res[strings.LastIndex(res, "/")+1:]
			r, ok := iamAcct(a).roles[strings.ToLower(name)]
			if !ok || !strings.EqualFold(r.ARN, "arn:aws:iam::"+acct+":"+res) ||
				c.Emu.NotYetVisible(core.PropagatePrincipal, r.ARN) {
				return bad("AWS", v)
			}
		case svc == "iam" && strings.HasPrefix(res, "user/"):
			if known {
				return bad("AWS", v) // the emulator has no IAM users
			}
		case svc == "sts" && (strings.HasPrefix(res, "assumed-role/") || strings.HasPrefix(res, "federated-user/")):
		default:
			return bad("AWS", v)
		}
	}
	for _, v := range p.Service {
		if !iamServiceRe.MatchString(v) {
			return bad("SERVICE", v)
		}
	}
	for _, v := range p.Federated {
		if iamWebIdentityProviders[v] {
			continue
		}
		if m := iamOIDCARNRe.FindStringSubmatch(v); m != nil {
			arn := "arn:aws:iam::" + m[1] + ":oidc-provider/" + m[2]
			if m[1] == c.Account.ID && iamAcct(c.Account).oidc[arn] != nil && !c.Emu.NotYetVisible(core.PropagatePrincipal, arn) {
				continue
			}
			return bad("FEDERATED", v)
		}
		// SAML providers: the emulator has no SAML provider API; the only ones
		// it knows are those IAM Identity Center creates in each account.
		prefix := "arn:aws:iam::" + c.Account.ID + ":saml-provider/"
		if strings.HasPrefix(v, prefix) && iamSSOProviderRe.MatchString(strings.TrimPrefix(v, prefix)) {
			continue
		}
		return bad("FEDERATED", v)
	}
	for _, v := range p.CanonicalUser {
		return bad("CANONICAL_USER", v)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Managed policies (customer managed and AWS managed) by ARN.

// iamPolicyRef is a managed policy an ARN names.
type iamPolicyRef struct {
	ARN, Name, Path string
	aws             bool              // an AWS managed policy (any well-formed ARN is accepted)
	customer        *iamManagedPolicy // the customer managed policy, when not aws
}

// iamLookupPolicy resolves a managed policy ARN: any well-formed AWS managed
// ARN, or a customer managed policy of the acting account. notFound builds
// the NoSuchEntity error the calling operation returns.
func iamLookupPolicy(c *core.Ctx, arn string, notFound func(arn string) *core.APIError) (iamPolicyRef, *core.APIError) {
	m := iamPolicyARNRe.FindStringSubmatch(arn)
	if m == nil {
		return iamPolicyRef{}, iamInvalidInput("ARN %s is not valid.", arn)
	}
	ref := iamPolicyRef{ARN: arn, Name: m[3], Path: m[2]}
	if m[1] == "aws" {
		ref.aws = true
		return ref, nil
	}
	p := iamOf(c).policies[strings.ToLower(m[3])]
	if m[1] != c.Account.ID || p == nil || p.ARN != "arn:aws:iam::"+m[1]+":policy"+m[2]+m[3] {
		return iamPolicyRef{}, notFound(arn)
	}
	ref.customer = p
	return ref, nil
}

func iamNotAttachable(arn string) *core.APIError {
	return iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func iamBoundaryNotFound(arn string) *core.APIError {
	return iamNoSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
}

// iamUsage counts the roles of the account a policy is attached to and the
// roles that use it as permissions boundary.
func iamUsage(a *core.Account, arn string) (attached, boundary int) {
	for _, r := range iamAcct(a).roles {
		for _, x := range r.Attached {
			if x == arn {
				attached++
			}
		}
		if r.Boundary == arn {
			boundary++
		}
	}
	return attached, boundary
}

// ---------------------------------------------------------------------------
// Roles.

// iamRoleOut is the Role structure of IAM's XML.
type iamRoleOut struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string              `xml:",omitempty"`
	Description              string              `xml:",omitempty"`
	MaxSessionDuration       int                 `xml:",omitempty"`
	PermissionsBoundary      *iamBoundaryOut     `xml:",omitempty"`
	Tags                     []iamTag            `xml:"Tags>member,omitempty"`
	RoleLastUsed             *iamRoleLastUsedOut `xml:",omitempty"`
}

type iamBoundaryOut struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

// iamRoleLastUsedOut is empty: the emulator does not track role use (AWS
// returns an empty element for a role never used).
type iamRoleLastUsedOut struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

// iamRoleView renders a role; full adds what GetRole returns and ListRoles
// does not (tags, permissions boundary, last use).
func iamRoleView(r *Role, full bool) iamRoleOut {
	out := iamRoleOut{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: iamTime(r.Created),
		AssumeRolePolicyDocument: iamURLEncode(string(r.AssumeRolePolicy)), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration}
	if full {
		if r.Boundary != "" {
			out.PermissionsBoundary = &iamBoundaryOut{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.Boundary}
		}
		out.Tags = iamTagList(r.Tags)
		out.RoleLastUsed = &iamRoleLastUsedOut{}
	}
	return out
}

// iamRole finds the RoleName parameter's role.
func iamRole(c *core.Ctx) (*Role, *core.APIError) {
	name, apiErr := iamRequired(c, "RoleName", "roleName")
	if apiErr != nil {
		return nil, apiErr
	}
	r, ok := iamAcct(c.Account).roles[strings.ToLower(name)]
	if !ok {
		return nil, iamNoSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

// iamModifiableRole is iamRole for operations AWS refuses on the roles it
// manages: service-linked roles and IAM Identity Center's reserved roles.
func iamModifiableRole(c *core.Ctx) (*Role, *core.APIError) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if strings.HasPrefix(r.Path, "/aws-service-role/") || strings.HasPrefix(r.Path, "/aws-reserved/") {
		return nil, iamErr("UnmodifiableEntity",
			"Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return r, nil
}

func iamMaxSession(c *core.Ctx) (int, *core.APIError) {
	s := c.Form("MaxSessionDuration")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, iamValidation("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must be a number", s)
	case n < 3600:
		return 0, iamValidation("1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", n)
	case n > 43200:
		return 0, iamValidation("1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", n)
	}
	return n, nil
}

func iamCreateRole(c *core.Ctx) (any, error) {
	name, apiErr := iamRequired(c, "RoleName", "roleName")
	if apiErr != nil {
		return nil, apiErr
	}
	path, apiErr := iamPath(c, "Path")
	if apiErr != nil {
		return nil, apiErr
	}
	desc, apiErr := iamDescription(c)
	if apiErr != nil {
		return nil, apiErr
	}
	maxSession, apiErr := iamMaxSession(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := iamTagsIn(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if !RoleNameRe.MatchString(name) {
		return nil, iamValidation("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	s := iamOf(c)
	if _, ok := s.roles[strings.ToLower(name)]; ok {
		return nil, iamErr("EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	trust, apiErr := iamCheckPolicy(c, "AssumeRolePolicyDocument", "assumeRolePolicyDocument", iamTrustPolicy)
	if apiErr != nil {
		return nil, apiErr
	}
	if iamPolicySize(trust) > iamMaxTrustSize {
		return nil, iamLimit("Cannot exceed quota for ACLSizePerRole: %d", iamMaxTrustSize)
	}
	boundary := c.Form("PermissionsBoundary")
	if boundary != "" {
		if _, apiErr := iamLookupPolicy(c, boundary, iamBoundaryNotFound); apiErr != nil {
			return nil, apiErr
		}
	}
	if len(s.roles) >= iamMaxRoles {
		return nil, iamLimit("Cannot exceed quota for RolesPerAccount: %d", iamMaxRoles)
	}
	r, apiErr := NewRole(c.Emu, c.Account, name, path, trust)
	if apiErr != nil {
		return nil, apiErr
	}
	r.ID = iamHashID("AROA", c.Account.ID, "role", strings.ToLower(name))
	r.Description, r.Boundary = desc, boundary
	c.Emu.StartPropagation(core.PropagatePrincipal, r.ARN)
	if maxSession > 0 {
		r.MaxSessionDuration = maxSession
	}
	_ = iamApplyTags(&r.Tags, tags)
	return struct {
		XMLName xml.Name `xml:"CreateRoleResult"`
		Role    iamRoleOut
	}{Role: iamRoleView(r, true)}, nil
}

func iamGetRole(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName xml.Name `xml:"GetRoleResult"`
		Role    iamRoleOut
	}{Role: iamRoleView(r, true)}, nil
}

func iamUpdateRole(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	maxSession, apiErr := iamMaxSession(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if c.HasForm("Description") {
		desc, apiErr := iamDescription(c)
		if apiErr != nil {
			return nil, apiErr
		}
		r.Description = desc
	}
	if maxSession > 0 {
		r.MaxSessionDuration = maxSession
	}
	return struct {
		XMLName xml.Name `xml:"UpdateRoleResult"`
	}{}, nil
}

func iamUpdateRoleDescription(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	desc, apiErr := iamDescription(c)
	if apiErr != nil {
		return nil, apiErr
	}
	r.Description = desc
	return struct {
		XMLName xml.Name `xml:"UpdateRoleDescriptionResult"`
		Role    iamRoleOut
	}{Role: iamRoleView(r, true)}, nil
}

func iamDeleteRole(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(r.Inline) > 0 {
		return nil, iamErr("DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	if len(r.Attached) > 0 {
		return nil, iamErr("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	delete(iamAcct(c.Account).roles, strings.ToLower(r.Name))
	return nil, nil
}

func iamListRoles(c *core.Ctx) (any, error) {
	prefix, apiErr := iamPathPrefix(c)
	if apiErr != nil {
		return nil, apiErr
	}
	var roles []*Role
	for _, r := range iamAcct(c.Account).roles {
		if strings.HasPrefix(r.Path, prefix) {
			roles = append(roles, r)
		}
	}
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, roles, func(r *Role) string { return strings.ToLower(r.Name) }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := make([]iamRoleOut, 0, len(page))
	for _, r := range page {
		out = append(out, iamRoleView(r, false))
	}
	return struct {
		XMLName     xml.Name     `xml:"ListRolesResult"`
		Roles       []iamRoleOut `xml:"Roles>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{Roles: out, IsTruncated: next != "", Marker: next}, nil
}

func iamUpdateAssumeRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	trust, apiErr := iamCheckPolicy(c, "PolicyDocument", "policyDocument", iamTrustPolicy)
	if apiErr != nil {
		return nil, apiErr
	}
	if iamPolicySize(trust) > iamMaxTrustSize {
		return nil, iamLimit("Cannot exceed quota for ACLSizePerRole: %d", iamMaxTrustSize)
	}
	// IAM keeps and returns the document as submitted (whitespace, key
	// order), not a re-encoding of it.
	r.AssumeRolePolicy = json.RawMessage(trust)
	return nil, nil
}

func iamPolicyName(c *core.Ctx) (string, *core.APIError) {
	name, apiErr := iamRequired(c, "PolicyName", "policyName")
	if apiErr != nil {
		return "", apiErr
	}
	if !iamPolicyNameRe.MatchString(name) {
		return "", iamValidation("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	return name, nil
}

func iamPutRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	name, apiErr := iamPolicyName(c)
	if apiErr != nil {
		return nil, apiErr
	}
	doc, apiErr := iamCheckPolicy(c, "PolicyDocument", "policyDocument", iamIdentityPolicy)
	if apiErr != nil {
		return nil, apiErr
	}
	total := iamPolicySize(doc)
	for n, d := range r.Inline {
		if n != name {
			total += iamPolicySize(d)
		}
	}
	if total > iamMaxInlineSize {
		return nil, iamLimit("Maximum policy size of %d bytes exceeded for role %s", iamMaxInlineSize, r.Name)
	}
	if r.Inline == nil {
		r.Inline = map[string]string{}
	}
	r.Inline[name] = doc
	return nil, nil
}

// iamInline finds the PolicyName parameter's inline policy of r.
func iamInline(c *core.Ctx, r *Role) (string, *core.APIError) {
	name, apiErr := iamRequired(c, "PolicyName", "policyName")
	if apiErr != nil {
		return "", apiErr
	}
	if _, ok := r.Inline[name]; !ok {
		return "", iamNoSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return name, nil
}

func iamGetRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	name, apiErr := iamInline(c, r)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName        xml.Name `xml:"GetRolePolicyResult"`
		RoleName       string
		PolicyName     string
		PolicyDocument string
	}{RoleName: r.Name, PolicyName: name, PolicyDocument: iamURLEncode(r.Inline[name])}, nil
}

func iamDeleteRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	name, apiErr := iamInline(c, r)
	if apiErr != nil {
		return nil, apiErr
	}
	delete(r.Inline, name)
	return nil, nil
}

func iamListRolePolicies(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, core.SortedKeys(r.Inline), func(s string) string { return s }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName     xml.Name `xml:"ListRolePoliciesResult"`
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{PolicyNames: page, IsTruncated: next != "", Marker: next}, nil
}

func iamAttachRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	arn, apiErr := iamRequired(c, "PolicyArn", "policyArn")
	if apiErr != nil {
		return nil, apiErr
	}
	if _, apiErr := iamLookupPolicy(c, arn, iamNotAttachable); apiErr != nil {
		return nil, apiErr
	}
	for _, x := range r.Attached {
		if x == arn {
			return nil, nil
		}
	}
	if len(r.Attached) >= iamMaxAttached {
		return nil, iamLimit("Cannot exceed quota for PoliciesPerRole: %d", iamMaxAttached)
	}
	r.Attached = append(r.Attached, arn)
	return nil, nil
}

func iamDetachRolePolicy(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	arn, apiErr := iamRequired(c, "PolicyArn", "policyArn")
	if apiErr != nil {
		return nil, apiErr
	}
	if !iamPolicyARNRe.MatchString(arn) {
		return nil, iamInvalidInput("ARN %s is not valid.", arn)
	}
	for i, x := range r.Attached {
		if x == arn {
			r.Attached = append(r.Attached[:i:i], r.Attached[i+1:]...)
			return nil, nil
		}
	}
	return nil, iamNoSuchEntity("Policy %s was not found.", arn)
}

func iamListAttachedRolePolicies(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	prefix, apiErr := iamPathPrefix(c)
	if apiErr != nil {
		return nil, apiErr
	}
	type attached struct {
		PolicyName string
		PolicyArn  string
	}
	var all []attached
	for _, arn := range r.Attached {
		m := iamPolicyARNRe.FindStringSubmatch(arn)
		if m != nil && strings.HasPrefix(m[2], prefix) {
			all = append(all, attached{PolicyName: m[3], PolicyArn: arn})
		}
	}
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, all, func(a attached) string { return a.PolicyArn }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName          xml.Name   `xml:"ListAttachedRolePoliciesResult"`
		AttachedPolicies []attached `xml:"AttachedPolicies>member"`
		IsTruncated      bool
		Marker           string `xml:",omitempty"`
	}{AttachedPolicies: page, IsTruncated: next != "", Marker: next}, nil
}

func iamPutRolePermissionsBoundary(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	arn, apiErr := iamRequired(c, "PermissionsBoundary", "permissionsBoundary")
	if apiErr != nil {
		return nil, apiErr
	}
	if _, apiErr := iamLookupPolicy(c, arn, iamBoundaryNotFound); apiErr != nil {
		return nil, apiErr
	}
	r.Boundary = arn
	return nil, nil
}

func iamDeleteRolePermissionsBoundary(c *core.Ctx) (any, error) {
	r, apiErr := iamModifiableRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	r.Boundary = ""
	return nil, nil
}

func iamTagRole(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := iamTagsIn(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(tags) == 0 {
		return nil, iamValidation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	return nil, iamApplyTags(&r.Tags, tags)
}

func iamUntagRole(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return nil, iamUntag(c, r.Tags)
}

// iamTagsPage answers a List*Tags operation.
func iamTagsPage(c *core.Ctx, result string, tags map[string]string) (any, error) {
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, iamTagList(tags), func(t iamTag) string { return t.Key }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName     xml.Name
		Tags        []iamTag `xml:"Tags>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{XMLName: xml.Name{Local: result}, Tags: page, IsTruncated: next != "", Marker: next}, nil
}

func iamListRoleTags(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return iamTagsPage(c, "ListRoleTagsResult", r.Tags)
}

// ---------------------------------------------------------------------------
// Service-linked roles.

// iamLinkedRole is how IAM names a service's service-linked role.
type iamLinkedRole struct {
	name   string // after AWSServiceRoleFor
	suffix bool   // whether CustomSuffix is allowed
}

// iamLinkedRoles are the service-linked role names of common services, as
// each service's "Using service-linked roles" page names them (Lake
// Formation's, for instance, is AWSServiceRoleForLakeFormationDataAccess,
// not the generated AWSServiceRoleForLakeformation). Other services named <prefix>.amazonaws.com get AWSServiceRoleFor plus
// the prefix's dot- and hyphen-separated words capitalised
// (foo-bar.amazonaws.com: AWSServiceRoleForFooBar) and accept a suffix.
var iamLinkedRoles = map[string]iamLinkedRole{
	"autoscaling.amazonaws.com":                         {"AutoScaling", true},
	"elasticbeanstalk.amazonaws.com":                    {"ElasticBeanstalk", true},
	"elasticloadbalancing.amazonaws.com":                {"ElasticLoadBalancing", false},
	"eks.amazonaws.com":                                 {"AmazonEKS", false},
	"eks-nodegroup.amazonaws.com":                       {"AmazonEKSNodegroup", false},
	"eks-fargate.amazonaws.com":                         {"AmazonEKSForFargate", false},
	"ecs.amazonaws.com":                                 {"ECS", false},
	"rds.amazonaws.com":                                 {"RDS", false},
	"spot.amazonaws.com":                                {"EC2Spot", false},
	"spotfleet.amazonaws.com":                           {"EC2SpotFleet", false},
	"organizations.amazonaws.com":                       {"Organizations", false},
	"sso.amazonaws.com":                                 {"SSO", false},
	"es.amazonaws.com":                                  {"AmazonElasticsearchService", false},
	"opensearchservice.amazonaws.com":                   {"AmazonOpenSearchService", false},
	"config.amazonaws.com":                              {"Config", false},
	"cloudtrail.amazonaws.com":                          {"CloudTrail", false},
	"guardduty.amazonaws.com":                           {"AmazonGuardDuty", false},
	"securityhub.amazonaws.com":                         {"SecurityHub", false},
	"ssm.amazonaws.com":                                 {"AmazonSSM", false},
	"access-analyzer.amazonaws.com":                     {"AccessAnalyzer", false},
	"elasticache.amazonaws.com":                         {"ElastiCache", false},
	"replication.ecr.amazonaws.com":                     {"ECRReplication", false},
	"ecs.application-autoscaling.amazonaws.com":         {"ApplicationAutoScaling_ECSService", false},
	"dynamodb.application-autoscaling.amazonaws.com":    {"ApplicationAutoScaling_DynamoDBTable", false},
	"support.amazonaws.com":                             {"Support", false},
	"trustedadvisor.amazonaws.com":                      {"TrustedAdvisor", false},
	"ops.apigateway.amazonaws.com":                      {"APIGateway", false},
	"transitgateway.amazonaws.com":                      {"VPCTransitGateway", false},
	"kafka.amazonaws.com":                               {"Kafka", false},
	"compute-optimizer.amazonaws.com":                   {"ComputeOptimizer", false},
	"lakeformation.amazonaws.com":                       {"LakeFormationDataAccess", false},
	"controltower.amazonaws.com":                        {"AWSControlTower", false},
	"config-multiaccountsetup.amazonaws.com":            {"ConfigMultiAccountSetup", false},
	"inspector2.amazonaws.com":                          {"AmazonInspector2", false},
	"macie.amazonaws.com":                               {"AmazonMacie", false},
	"elasticfilesystem.amazonaws.com":                   {"AmazonElasticFileSystem", false},
	"stacksets.cloudformation.amazonaws.com":            {"CloudFormationStackSetsOrgAdmin", false},
	"member.org.stacksets.cloudformation.amazonaws.com": {"CloudFormationStackSetsOrgMember", false},
}

var iamServiceNameRe = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*)\.amazonaws\.com$`)

// iamLinkedRoleFor returns the service-linked role naming of a service.
func iamLinkedRoleFor(service string) (iamLinkedRole, bool) {
	if l, ok := iamLinkedRoles[service]; ok {
		return l, true
	}
	m := iamServiceNameRe.FindStringSubmatch(service)
	if m == nil {
		return iamLinkedRole{}, false
	}
	var b strings.Builder
	for _, w := range strings.FieldsFunc(m[1], func(r rune) bool { return r == '.' || r == '-' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return iamLinkedRole{name: b.String(), suffix: true}, true
}

func iamCreateServiceLinkedRole(c *core.Ctx) (any, error) {
	service, apiErr := iamRequired(c, "AWSServiceName", "aWSServiceName")
	if apiErr != nil {
		return nil, apiErr
	}
	desc, apiErr := iamDescription(c)
	if apiErr != nil {
		return nil, apiErr
	}
	l, ok := iamLinkedRoleFor(service)
	if !ok {
		return nil, iamInvalidInput("Invalid ServiceName %s", service)
	}
	name := "AWSServiceRoleFor" + l.name
	if suffix := c.Form("CustomSuffix"); suffix != "" {
		if !l.suffix {
			return nil, iamInvalidInput("Custom suffix is not allowed for %s", service)
		}
		name += "_" + suffix
		if !RoleNameRe.MatchString(name) {
			return nil, iamValidation("1 validation error detected: Value '%s' at 'customSuffix' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and the role name must have length less than or equal to 64", suffix)
		}
	}
	s := iamOf(c)
	if _, taken := s.roles[strings.ToLower(name)]; taken {
		return nil, iamInvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	if len(s.roles) >= iamMaxRoles {
		return nil, iamLimit("Cannot exceed quota for RolesPerAccount: %d", iamMaxRoles)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + service +
		`"]},"Action":["sts:AssumeRole"]}]}`
	r, apiErr := NewRole(c.Emu, c.Account, name, "/aws-service-role/"+service+"/", trust)
	if apiErr != nil {
		return nil, apiErr
	}
	r.ID = iamHashID("AROA", c.Account.ID, "role", strings.ToLower(name))
	r.Description, r.ServiceLinked = desc, service
	c.Emu.StartPropagation(core.PropagatePrincipal, r.ARN)
	return struct {
		XMLName xml.Name `xml:"CreateServiceLinkedRoleResult"`
		Role    iamRoleOut
	}{Role: iamRoleView(r, true)}, nil
}

func iamDeleteServiceLinkedRole(c *core.Ctx) (any, error) {
	r, apiErr := iamRole(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if r.ServiceLinked == "" && !strings.HasPrefix(r.Path, "/aws-service-role/") {
		return nil, iamInvalidInput("Role %s is not a service-linked role.", r.Name)
	}
	service := r.ServiceLinked
	if service == "" {
		service = strings.Trim(strings.TrimPrefix(r.Path, "/aws-service-role/"), "/")
	}
	s := iamOf(c)
	uuid := core.HashUUID("iam", "deletion task", c.Account.ID, r.Name, strconv.Itoa(len(s.tasks)))
	task := "task/aws-service-role/" + service + "/" + r.Name + "/" + uuid
	delete(s.roles, strings.ToLower(r.Name))
	s.tasks[task] = "SUCCEEDED"
	return struct {
		XMLName        xml.Name `xml:"DeleteServiceLinkedRoleResult"`
		DeletionTaskID string   `xml:"DeletionTaskId"`
	}{DeletionTaskID: task}, nil
}

func iamGetServiceLinkedRoleDeletionStatus(c *core.Ctx) (any, error) {
	task, apiErr := iamRequired(c, "DeletionTaskId", "deletionTaskId")
	if apiErr != nil {
		return nil, apiErr
	}
	if !strings.HasPrefix(task, "task/aws-service-role/") {
		return nil, iamInvalidInput("Invalid deletion task id %s.", task)
	}
	status, ok := iamOf(c).tasks[task]
	if !ok {
		return nil, iamNoSuchEntity("Deletion task %s cannot be found.", task)
	}
	return struct {
		XMLName xml.Name `xml:"GetServiceLinkedRoleDeletionStatusResult"`
		Status  string
	}{Status: status}, nil
}

// ---------------------------------------------------------------------------
// OpenID Connect providers.

func iamOIDCProviderByARN(c *core.Ctx) (*iamOIDCProvider, *core.APIError) {
	arn, apiErr := iamRequired(c, "OpenIDConnectProviderArn", "openIDConnectProviderArn")
	if apiErr != nil {
		return nil, apiErr
	}
	if !iamOIDCARNRe.MatchString(arn) {
		return nil, iamInvalidInput("ARN %s is not valid.", arn)
	}
	p := iamOf(c).oidc[arn]
	if p == nil {
		return nil, iamNoSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	return p, nil
}

func iamThumbprints(c *core.Ctx) ([]string, *core.APIError) {
	list := c.FormList("ThumbprintList")
	if len(list) > iamMaxThumbprints {
		return nil, iamValidation("1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must have length less than or equal to %d", iamMaxThumbprints)
	}
	for i, t := range list {
		if len(t) != 40 {
			return nil, iamValidation("1 validation error detected: Value '%s' at 'thumbprintList.%d.member' failed to satisfy constraint: Member must have length greater than or equal to 40 and less than or equal to 40", t, i+1)
		}
		if !iamThumbprintRe.MatchString(t) {
			return nil, iamInvalidInput("Thumbprint %s is not a valid SHA-1 hex string.", t)
		}
	}
	return iamDedupe(list), nil
}

func iamClientID(id string, i int) *core.APIError {
	if id == "" || len(id) > 255 {
		return iamValidation("1 validation error detected: Value '%s' at 'clientIDList.%d.member' failed to satisfy constraint: Member must have length between 1 and 255", id, i)
	}
	return nil
}

func iamDedupe(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func iamCreateOpenIDConnectProvider(c *core.Ctx) (any, error) {
	raw, apiErr := iamRequired(c, "Url", "url")
	if apiErr != nil {
		return nil, apiErr
	}
	u, err := url.Parse(raw)
	switch {
	case len(raw) > 255:
		return nil, iamValidation("1 validation error detected: Value '%s' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255", raw)
	case err != nil || !strings.HasPrefix(raw, "https://") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, iamInvalidInput("Invalid URL %s: it must begin with https:// and name a host, without query or fragment.", raw)
	}
	ids := c.FormList("ClientIDList")
	if len(ids) > iamMaxClientIDs {
		return nil, iamLimit("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", iamMaxClientIDs)
	}
	for i, id := range ids {
		if apiErr := iamClientID(id, i+1); apiErr != nil {
			return nil, apiErr
		}
	}
	thumbs, apiErr := iamThumbprints(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := iamTagsIn(c)
	if apiErr != nil {
		return nil, apiErr
	}
	s := iamOf(c)
	host := strings.TrimPrefix(raw, "https://")
	arn := "arn:aws:iam::" + c.Account.ID + ":oidc-provider/" + host
	if s.oidc[arn] != nil {
		return nil, iamErr("EntityAlreadyExists", "Provider with url %s already exists.", raw)
	}
	if len(s.oidc) >= iamMaxOIDCProviders {
		return nil, iamLimit("Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", iamMaxOIDCProviders)
	}
	if len(thumbs) == 0 {
		// IAM fetches the issuer's top intermediate CA thumbprint itself
		// when none is given; the emulator has no network, so it stands
		// in a stable fake one derived from the host.
		sum := sha1.Sum([]byte(host))
		thumbs = []string{hex.EncodeToString(sum[:])}
	}
	p := &iamOIDCProvider{URL: host, ARN: arn, ClientIDs: iamDedupe(ids), Thumbprints: thumbs, Created: c.Emu.Now()}
	_ = iamApplyTags(&p.Tags, tags)
	s.oidc[arn] = p
	c.Emu.StartPropagation(core.PropagatePrincipal, arn)
	return struct {
		XMLName                  xml.Name `xml:"CreateOpenIDConnectProviderResult"`
		OpenIDConnectProviderArn string
		Tags                     []iamTag `xml:"Tags>member,omitempty"`
	}{OpenIDConnectProviderArn: arn, Tags: iamTagList(p.Tags)}, nil
}

func iamGetOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName        xml.Name `xml:"GetOpenIDConnectProviderResult"`
		URL            string   `xml:"Url"`
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
		CreateDate     string
		Tags           []iamTag `xml:"Tags>member,omitempty"`
	}{URL: p.URL, ClientIDList: p.ClientIDs, ThumbprintList: p.Thumbprints, CreateDate: iamTime(p.Created), Tags: iamTagList(p.Tags)}, nil
}

func iamListOpenIDConnectProviders(c *core.Ctx) (any, error) {
	type entry struct{ Arn string }
	var list []entry
	for _, arn := range core.SortedKeys(iamAcct(c.Account).oidc) {
		list = append(list, entry{Arn: arn})
	}
	return struct {
		XMLName                   xml.Name `xml:"ListOpenIDConnectProvidersResult"`
		OpenIDConnectProviderList []entry  `xml:"OpenIDConnectProviderList>member"`
	}{OpenIDConnectProviderList: list}, nil
}

func iamDeleteOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	delete(iamAcct(c.Account).oidc, p.ARN)
	return nil, nil
}

func iamUpdateOpenIDConnectProviderThumbprint(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if !c.HasForm("ThumbprintList") && len(c.FormList("ThumbprintList")) == 0 {
		return nil, iamValidation("1 validation error detected: Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null")
	}
	thumbs, apiErr := iamThumbprints(c)
	if apiErr != nil {
		return nil, apiErr
	}
	p.Thumbprints = thumbs
	return nil, nil
}

func iamAddClientIDToOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	id, apiErr := iamRequired(c, "ClientID", "clientID")
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := iamClientID(id, 1); apiErr != nil {
		return nil, apiErr
	}
	for _, x := range p.ClientIDs {
		if x == id {
			return nil, nil
		}
	}
	if len(p.ClientIDs) >= iamMaxClientIDs {
		return nil, iamLimit("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", iamMaxClientIDs)
	}
	p.ClientIDs = append(p.ClientIDs, id)
	return nil, nil
}

func iamRemoveClientIDFromOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	id, apiErr := iamRequired(c, "ClientID", "clientID")
	if apiErr != nil {
		return nil, apiErr
	}
	for i, x := range p.ClientIDs {
		if x == id {
			p.ClientIDs = append(p.ClientIDs[:i:i], p.ClientIDs[i+1:]...)
			break
		}
	}
	return nil, nil
}

func iamTagOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := iamTagsIn(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return nil, iamApplyTags(&p.Tags, tags)
}

func iamUntagOpenIDConnectProvider(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return nil, iamUntag(c, p.Tags)
}

func iamListOpenIDConnectProviderTags(c *core.Ctx) (any, error) {
	p, apiErr := iamOIDCProviderByARN(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return iamTagsPage(c, "ListOpenIDConnectProviderTagsResult", p.Tags)
}

// ---------------------------------------------------------------------------
// Account alias.

func iamAlias(c *core.Ctx) (string, *core.APIError) {
	alias, apiErr := iamRequired(c, "AccountAlias", "accountAlias")
	if apiErr != nil {
		return "", apiErr
	}
	if !iamAliasRe.MatchString(alias) || strings.Contains(alias, "--") {
		return "", iamValidation("1 validation error detected: Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", alias)
	}
	return alias, nil
}

// iamCreateAccountAlias sets the account's alias, replacing any it had (an
// account has one). Aliases are unique across all accounts, the acting one
// included.
func iamCreateAccountAlias(c *core.Ctx) (any, error) {
	alias, apiErr := iamAlias(c)
	if apiErr != nil {
		return nil, apiErr
	}
	for _, a := range c.Emu.AllAccounts() {
		if iamAcct(a).alias == alias {
			return nil, iamErr("EntityAlreadyExists", "The account alias %s already exists.", alias)
		}
	}
	iamAcct(c.Account).alias = alias
	return nil, nil
}

func iamDeleteAccountAlias(c *core.Ctx) (any, error) {
	alias, apiErr := iamAlias(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if iamAcct(c.Account).alias != alias {
		return nil, iamNoSuchEntity("The account alias %s cannot be found.", alias)
	}
	iamAcct(c.Account).alias = ""
	return nil, nil
}

func iamListAccountAliases(c *core.Ctx) (any, error) {
	var aliases []string
	if a := iamAcct(c.Account).alias; a != "" {
		aliases = []string{a}
	}
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, aliases, func(s string) string { return s }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName        xml.Name `xml:"ListAccountAliasesResult"`
		AccountAliases []string `xml:"AccountAliases>member"`
		IsTruncated    bool
		Marker         string `xml:",omitempty"`
	}{AccountAliases: page, IsTruncated: next != "", Marker: next}, nil
}

// ---------------------------------------------------------------------------
// Customer managed policies.

// iamPolicyOut is the Policy structure of IAM's XML.
type iamPolicyOut struct {
	PolicyName                    string
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string
	Path                          string
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          []iamTag `xml:"Tags>member,omitempty"`
}

// iamPolicyView renders a policy reference: a customer managed policy, or
// an AWS managed one, which the emulator knows only by ARN (its dates are
// the Unix epoch).
func iamPolicyView(a *core.Account, ref iamPolicyRef, description bool) iamPolicyOut {
	attached, boundary := iamUsage(a, ref.ARN)
	out := iamPolicyOut{PolicyName: ref.Name, Arn: ref.ARN, Path: ref.Path, DefaultVersionID: "v1",
		AttachmentCount: attached, PermissionsBoundaryUsageCount: boundary, IsAttachable: true}
	if p := ref.customer; p != nil {
		out.PolicyID, out.CreateDate, out.UpdateDate = p.ID, iamTime(p.Created), iamTime(p.Created)
		out.Tags = iamTagList(p.Tags)
		if description {
			out.Description = p.Description
		}
	} else {
		out.PolicyID = iamHashID("ANPA", "aws", ref.ARN)
		out.CreateDate, out.UpdateDate = iamTime(time.Unix(0, 0)), iamTime(time.Unix(0, 0))
	}
	return out
}

func iamCustomerRef(p *iamManagedPolicy) iamPolicyRef {
	return iamPolicyRef{ARN: p.ARN, Name: p.Name, Path: p.Path, customer: p}
}

func iamCreatePolicy(c *core.Ctx) (any, error) {
	name, apiErr := iamPolicyName(c)
	if apiErr != nil {
		return nil, apiErr
	}
	path, apiErr := iamPath(c, "Path")
	if apiErr != nil {
		return nil, apiErr
	}
	desc, apiErr := iamDescription(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := iamTagsIn(c)
	if apiErr != nil {
		return nil, apiErr
	}
	s := iamOf(c)
	if s.policies[strings.ToLower(name)] != nil {
		return nil, iamErr("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	doc, apiErr := iamCheckPolicy(c, "PolicyDocument", "policyDocument", iamIdentityPolicy)
	if apiErr != nil {
		return nil, apiErr
	}
	if iamPolicySize(doc) > iamMaxManagedSize {
		return nil, iamLimit("Cannot exceed quota for PolicySize: %d", iamMaxManagedSize)
	}
	if len(s.policies) >= iamMaxManagedPolicies {
		return nil, iamLimit("Cannot exceed quota for PoliciesPerAccount: %d", iamMaxManagedPolicies)
	}
	p := &iamManagedPolicy{Name: name, Path: path, ID: iamHashID("ANPA", c.Account.ID, "policy", strings.ToLower(name)),
		ARN: "arn:aws:iam::" + c.Account.ID + ":policy" + path + name, Description: desc, Document: doc, Created: c.Emu.Now()}
	_ = iamApplyTags(&p.Tags, tags)
	s.policies[strings.ToLower(name)] = p
	return struct {
		XMLName xml.Name `xml:"CreatePolicyResult"`
		Policy  iamPolicyOut
	}{Policy: iamPolicyView(c.Account, iamCustomerRef(p), false)}, nil
}

func iamPolicyNotFound(arn string) *core.APIError {
	return iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func iamGetPolicy(c *core.Ctx) (any, error) {
	arn, apiErr := iamRequired(c, "PolicyArn", "policyArn")
	if apiErr != nil {
		return nil, apiErr
	}
	ref, apiErr := iamLookupPolicy(c, arn, iamPolicyNotFound)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName xml.Name `xml:"GetPolicyResult"`
		Policy  iamPolicyOut
	}{Policy: iamPolicyView(c.Account, ref, true)}, nil
}

func iamGetPolicyVersion(c *core.Ctx) (any, error) {
	arn, apiErr := iamRequired(c, "PolicyArn", "policyArn")
	if apiErr != nil {
		return nil, apiErr
	}
	version, apiErr := iamRequired(c, "VersionId", "versionId")
	if apiErr != nil {
		return nil, apiErr
	}
	ref, apiErr := iamLookupPolicy(c, arn, iamPolicyNotFound)
	if apiErr != nil {
		return nil, apiErr
	}
	if ref.customer == nil {
		return nil, iamNoSuchEntity("Policy %s version %s does not exist or is not attachable. (the emulator does not hold AWS managed policy documents)", arn, version)
	}
	if version != "v1" {
		return nil, iamNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, version)
	}
	type policyVersion struct {
		Document         string
		VersionID        string `xml:"VersionId"`
		IsDefaultVersion bool
		CreateDate       string
	}
	return struct {
		XMLName       xml.Name `xml:"GetPolicyVersionResult"`
		PolicyVersion policyVersion
	}{PolicyVersion: policyVersion{Document: iamURLEncode(ref.customer.Document), VersionID: "v1", IsDefaultVersion: true,
		CreateDate: iamTime(ref.customer.Created)}}, nil
}

// iamListPolicies lists the account's customer managed policies (Scope
// Local or All; the emulator does not enumerate AWS managed policies, so
// Scope AWS lists none).
func iamListPolicies(c *core.Ctx) (any, error) {
	scope := c.Form("Scope")
	switch scope {
	case "", "All", "AWS", "Local":
	default:
		return nil, iamValidation("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	prefix, apiErr := iamPathPrefix(c)
	if apiErr != nil {
		return nil, apiErr
	}
	onlyAttached := strings.EqualFold(c.Form("OnlyAttached"), "true")
	var list []iamPolicyOut
	if scope != "AWS" {
		for _, p := range iamAcct(c.Account).policies {
			if !strings.HasPrefix(p.Path, prefix) {
				continue
			}
			v := iamPolicyView(c.Account, iamCustomerRef(p), false)
			if onlyAttached && v.AttachmentCount == 0 {
				continue
			}
			v.Tags = nil // ListPolicies does not return tags
			list = append(list, v)
		}
	}
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, list, func(p iamPolicyOut) string { return strings.ToLower(p.PolicyName) }, c.Form("Marker"), limit, iamPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		XMLName     xml.Name       `xml:"ListPoliciesResult"`
		Policies    []iamPolicyOut `xml:"Policies>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{Policies: page, IsTruncated: next != "", Marker: next}, nil
}

func iamDeletePolicy(c *core.Ctx) (any, error) {
	arn, apiErr := iamRequired(c, "PolicyArn", "policyArn")
	if apiErr != nil {
		return nil, apiErr
	}
	ref, apiErr := iamLookupPolicy(c, arn, iamPolicyNotFound)
	if apiErr != nil {
		return nil, apiErr
	}
	if ref.aws {
		return nil, iamErr("AccessDenied", "User: %s is not authorized to perform: iam:DeletePolicy on resource: policy %s", c.Caller.ARN, arn)
	}
	if attached, boundary := iamUsage(c.Account, arn); attached > 0 || boundary > 0 {
		return nil, iamErr("DeleteConflict", "Cannot delete a policy attached to entities.")
	}
	delete(iamAcct(c.Account).policies, strings.ToLower(ref.Name))
	return nil, nil
}

// ---------------------------------------------------------------------------
// Snapshot.

// iamSnapshot is the IAM state of each account with any: roles (trust and
// inline policies as canonical JSON), OIDC providers by URL, customer
// managed policies by ARN, the alias and the service-linked roles (role
// name -> AWS service). No IDs or dates.
func iamSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		s := iamAcct(a)
		st := map[string]any{}
		if len(s.roles) > 0 {
			roles := map[string]any{}
			linked := map[string]string{}
			for _, r := range s.roles {
				inline := map[string]json.RawMessage{}
				for n, d := range r.Inline {
					inline[n] = core.CompactJSON(d)
				}
				attached := append([]string{}, r.Attached...)
				sort.Strings(attached)
				roles[r.Name] = map[string]any{
					"path": r.Path, "arn": r.ARN, "trustPolicy": core.CompactJSON(string(r.AssumeRolePolicy)),
					"description": r.Description, "maxSessionDuration": r.MaxSessionDuration,
					"inlinePolicies": inline, "attachedPolicies": attached, "permissionsBoundary": r.Boundary,
					"tags": r.Tags,
				}
				if r.ServiceLinked != "" {
					linked[r.Name] = r.ServiceLinked
				}
			}
			st["roles"] = roles
			if len(linked) > 0 {
				st["serviceLinkedRoles"] = linked
			}
		}
		if len(s.oidc) > 0 {
			providers := map[string]any{}
			for _, p := range s.oidc {
				providers[p.URL] = map[string]any{"arn": p.ARN, "clientIds": p.ClientIDs, "thumbprints": p.Thumbprints, "tags": p.Tags}
			}
			st["oidcProviders"] = providers
		}
		if len(s.policies) > 0 {
			policies := map[string]any{}
			for _, p := range s.policies {
				policies[p.ARN] = map[string]any{"name": p.Name, "path": p.Path, "description": p.Description,
					"document": core.CompactJSON(p.Document), "tags": p.Tags}
			}
			st["policies"] = policies
		}
		if s.alias != "" {
			st["alias"] = s.alias
		}
		if len(st) > 0 {
			out[id] = st
		}
	}
	return out
}

// iamState is an account's IAM entities. The STS AssumeRole check reads the
// roles; the IAM API serves them.
type iamState struct {
	roles map[string]*Role // lower-cased name -> role (IAM names are unique case-insensitively)
	// The IAM API's other entities; nil until first written.
	oidc     map[string]*iamOIDCProvider  // provider ARN -> provider
	policies map[string]*iamManagedPolicy // lower-cased name -> customer managed policy
	alias    string                       // the account alias, "" when none
	tasks    map[string]string            // service-linked role deletion task ID -> status
}

// Role is an IAM role.
type Role struct {
	Name               string            `json:"name"`
	Path               string            `json:"path"`
	ID                 string            `json:"-"`
	ARN                string            `json:"arn"`
	AssumeRolePolicy   json.RawMessage   `json:"assumeRolePolicy"` // the document exactly as submitted, as IAM returns it
	Description        string            `json:"description,omitempty"`
	MaxSessionDuration int               `json:"maxSessionDuration"`
	Tags               map[string]string `json:"tags,omitempty"`
	Created            time.Time         `json:"-"`
	// Set through the IAM API (and IAM Identity Center provisioning).
	Inline        map[string]string `json:"-"` // inline policy name -> document JSON
	Attached      []string          `json:"-"` // attached managed policy ARNs, in attachment order
	Boundary      string            `json:"-"` // permissions boundary policy ARN
	ServiceLinked string            `json:"-"` // AWS service name of a service-linked role
}

var RoleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// CreateRole creates an IAM role in an account with the given trust policy,
// as the Organizations service does for a new account's access role. It
// returns the role's ARN.
func CreateRole(e *core.Emulator, accountID, name, trustPolicy string) (string, error) {
	defer e.Lock()()
	a := e.Account(accountID)
	ok := a != nil
	if !ok {
		return "", fmt.Errorf("emulator: account %s does not exist", accountID)
	}
	r, apiErr := NewRole(e, a, name, "/", trustPolicy)
	if apiErr != nil {
		return "", apiErr
	}
	return r.ARN, nil
}

// NewRole creates a role in a. Called with the emulator locked.
func NewRole(e *core.Emulator, a *core.Account, name, path, trustPolicy string) (*Role, *core.APIError) {
	if !RoleNameRe.MatchString(name) {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint", name)
	}
	if _, ok := iamAcct(a).roles[strings.ToLower(name)]; ok {
		return nil, core.Errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	if !json.Valid([]byte(trustPolicy)) {
		return nil, core.Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "This policy contains invalid Json")
	}
	if path == "" {
		path = "/"
	}
	r := &Role{Name: name, Path: path, ID: "AROA" + core.RandomUpper(17), ARN: "arn:aws:iam::" + a.ID + ":role" + path + name,
		AssumeRolePolicy: json.RawMessage(trustPolicy), MaxSessionDuration: 3600, Created: e.Now()}
	iamAcct(a).roles[strings.ToLower(name)] = r
	return r, nil
}

// AddMemberAccount creates an account (if missing) with an access role
// named roleName that trusts the management account, as AWS Organizations'
// CreateAccount does with OrganizationAccountAccessRole. It is a no-op for
// the role when it already exists.
func AddMemberAccount(e *core.Emulator, id, roleName string) error {
	if err := e.AddAccount(id); err != nil {
		return err
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		e.Settings().ManagementAccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	defer e.Lock()()
	a := e.Account(id)
	if _, ok := iamAcct(a).roles[strings.ToLower(roleName)]; ok {
		return nil
	}
	if _, apiErr := NewRole(e, a, roleName, "/", trust); apiErr != nil {
		return apiErr
	}
	return nil
}
