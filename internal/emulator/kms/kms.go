package kms

// AWS Key Management Service (awsJson1_1, target prefix TrentService): the
// key-management API of customer managed KMS keys, per account and region.
// Keys, aliases, key policies (validated: JSON, principals that must exist,
// the policy lockout safety check), automatic rotation, tags, enable and
// disable, and scheduled deletion. There is no cryptography: Encrypt and
// friends are not implemented.
//
// Key IDs follow AWS's formats (a UUID, "mrk-" + 32 hex digits for
// multi-Region keys) but are derived from a hash of the request, never from
// randomness, so two emulators that served the same calls hold identical
// state.
//
// Error statuses: KMS answers every client error with HTTP 400.

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	iampolicy "github.com/awsfoundation/foundation/internal/emulator/policy"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "kms",
			Protocol:     core.AWSJSON11,
			TargetPrefix: "TrentService",
			ErrorPrefix:  "com.amazonaws.kms",
			Throttle: core.APIError{Status: http.StatusBadRequest, Code: "ThrottlingException",
				Message: "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."},
			Ops: map[string]*core.Operation{
				"CreateKey":            core.Write(kmsCreateKey),
				"DescribeKey":          core.Read(kmsDescribeKey),
				"UpdateKeyDescription": core.Write(kmsUpdateKeyDescription),
				"ListKeys":             core.Read(kmsListKeys),
				"EnableKey":            core.Write(kmsEnableKey),
				"DisableKey":           core.Write(kmsDisableKey),
				"ScheduleKeyDeletion":  core.Write(kmsScheduleKeyDeletion),
				"CancelKeyDeletion":    core.Write(kmsCancelKeyDeletion),
				"CreateAlias":          core.Write(kmsCreateAlias),
				"UpdateAlias":          core.Write(kmsUpdateAlias),
				"DeleteAlias":          core.Write(kmsDeleteAlias),
				"ListAliases":          core.Read(kmsListAliases),
				"EnableKeyRotation":    core.Write(kmsEnableKeyRotation),
				"DisableKeyRotation":   core.Write(kmsDisableKeyRotation),
				"GetKeyRotationStatus": core.Read(kmsGetKeyRotationStatus),
				"PutKeyPolicy":         core.Write(kmsPutKeyPolicy),
				"GetKeyPolicy":         core.Read(kmsGetKeyPolicy),
				"ListKeyPolicies":      core.Read(kmsListKeyPolicies),
				"TagResource":          core.Write(kmsTagResource),
				"UntagResource":        core.Write(kmsUntagResource),
				"ListResourceTags":     core.Read(kmsListResourceTags),
				"ReplicateKey":         core.Write(kmsReplicateKey),
			},
			Snapshot: kmsSnapshot,
		}
	})
}

// Key states, limits and defaults.
const (
	kmsEnabled         = "Enabled"
	kmsDisabled        = "Disabled"
	kmsPendingDeletion = "PendingDeletion"

	kmsSymmetricDefault = "SYMMETRIC_DEFAULT"
	kmsEncryptDecrypt   = "ENCRYPT_DECRYPT"

	kmsMaxDescription     = 8192
	kmsMaxPolicyBytes     = 32768  // the key policy size quota
	kmsMaxPolicyLength    = 131072 // the PolicyType length constraint
	kmsMaxTags            = 50
	kmsDefaultRotation    = 365
	kmsMinRotation        = 90
	kmsMaxRotation        = 2560
	kmsDefaultDeletionWin = 30
	kmsPolicyName         = "default"
)

// kmsKeySpecs maps each key spec AWS offers to the key usages it supports and
// the algorithms DescribeKey lists for each usage.
var kmsKeySpecs = map[string]map[string]kmsAlgorithms{
	kmsSymmetricDefault:     {kmsEncryptDecrypt: {enc: []string{"SYMMETRIC_DEFAULT"}}},
	"RSA_2048":              kmsRSAUsages,
	"RSA_3072":              kmsRSAUsages,
	"RSA_4096":              kmsRSAUsages,
	"ECC_NIST_P256":         kmsECCUsages("ECDSA_SHA_256"),
	"ECC_NIST_P384":         kmsECCUsages("ECDSA_SHA_384"),
	"ECC_NIST_P521":         kmsECCUsages("ECDSA_SHA_512"),
	"ECC_SECG_P256K1":       {"SIGN_VERIFY": {sign: []string{"ECDSA_SHA_256"}}}, // no key agreement on secp256k1
	"ECC_NIST_EDWARDS25519": {"SIGN_VERIFY": {sign: []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}}},
	"HMAC_224":              {"GENERATE_VERIFY_MAC": {mac: []string{"HMAC_SHA_224"}}},
	"HMAC_256":              {"GENERATE_VERIFY_MAC": {mac: []string{"HMAC_SHA_256"}}},
	"HMAC_384":              {"GENERATE_VERIFY_MAC": {mac: []string{"HMAC_SHA_384"}}},
	"HMAC_512":              {"GENERATE_VERIFY_MAC": {mac: []string{"HMAC_SHA_512"}}},
	"ML_DSA_44":             {"SIGN_VERIFY": {sign: []string{"ML_DSA_SHAKE_256"}}},
	"ML_DSA_65":             {"SIGN_VERIFY": {sign: []string{"ML_DSA_SHAKE_256"}}},
	"ML_DSA_87":             {"SIGN_VERIFY": {sign: []string{"ML_DSA_SHAKE_256"}}},
	"ML_KEM_512":            {"ENCAPSULATE_DECAPSULATE": {encap: []string{"ML_KEM"}}},
	"ML_KEM_768":            {"ENCAPSULATE_DECAPSULATE": {encap: []string{"ML_KEM"}}},
	"ML_KEM_1024":           {"ENCAPSULATE_DECAPSULATE": {encap: []string{"ML_KEM"}}},
	"SM2": {kmsEncryptDecrypt: {enc: []string{"SM2PKE"}}, "SIGN_VERIFY": {sign: []string{"SM2DSA"}},
		"KEY_AGREEMENT": {agree: []string{"ECDH"}}},
}

// kmsAlgorithms are the algorithms of one key spec and usage.
type kmsAlgorithms struct {
	enc, sign, mac, agree, encap []string
}

var kmsRSAUsages = map[string]kmsAlgorithms{
	kmsEncryptDecrypt: {enc: []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}},
	"SIGN_VERIFY": {sign: []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}},
}

func kmsECCUsages(sign string) map[string]kmsAlgorithms {
	return map[string]kmsAlgorithms{"SIGN_VERIFY": {sign: []string{sign}}, "KEY_AGREEMENT": {agree: []string{"ECDH"}}}
}

// kmsRegion is one account's KMS state in one region.
type kmsRegion struct {
	keys    map[string]*kmsKey   // key ID -> key
	aliases map[string]*kmsAlias // alias name ("alias/x") -> alias
	// used holds every key ID ever issued here, so a deleted key's ID is
	// never reused.
	used map[string]bool
}

// kmsKey is a customer managed KMS key.
type kmsKey struct {
	id, arn, account, region string
	description              string
	usage, spec              string
	multiRegion              bool
	// primaryRegion is the region of a replica's primary key ("" for a
	// primary or single-Region key).
	primaryRegion  string
	policy         string // as the client sent it
	state          string
	created        time.Time
	deletionDate   time.Time
	pendingWindow  int
	rotation       bool
	rotationPeriod int
	rotationStart  time.Time
	tags           map[string]string
}

// kmsAlias is an alias of a customer managed key.
type kmsAlias struct {
	name, target     string // target: key ID
	created, updated time.Time
}

// --- errors ---------------------------------------------------------------

func kmsErr(code, format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, code, format, args...)
}

func kmsValidation(format string, args ...any) *core.APIError {
	return kmsErr("ValidationException", "1 validation error detected: "+format, args...)
}

func kmsNotFound(k string) *core.APIError {
	return kmsErr("NotFoundException", "Key '%s' does not exist", k)
}

func kmsPendingDeletionErr(k *kmsKey) *core.APIError {
	return kmsErr("KMSInvalidStateException", "%s is pending deletion.", k.arn)
}

func kmsMalformed(format string, args ...any) *core.APIError {
	return kmsErr("MalformedPolicyDocumentException", format, args...)
}

// --- state ------------------------------------------------------------------

// kmsRegionOf returns an account's KMS state in a region, creating it, and
// deletes the keys whose waiting period has ended (AWS deletes them then).
func kmsRegionOf(e *core.Emulator, a *core.Account, region string) *kmsRegion {
	regions := core.State(a, "kms", func() map[string]*kmsRegion { return map[string]*kmsRegion{} })
	r := regions[region]
	if r == nil {
		r = &kmsRegion{keys: map[string]*kmsKey{}, aliases: map[string]*kmsAlias{}, used: map[string]bool{}}
		regions[region] = r
	}
	now := e.Now()
	for id, k := range r.keys {
		if k.state == kmsPendingDeletion && !now.Before(k.deletionDate) {
			delete(r.keys, id)
			for name, al := range r.aliases {
				if al.target == id {
					delete(r.aliases, name)
				}
			}
		}
	}
	return r
}

func kmsState(c *core.Ctx) *kmsRegion { return kmsRegionOf(c.Emu, c.Account, c.Region) }

// kmsHash returns n hex digits of a hash of parts. It is not core.HashID:
// key IDs are visible in outputs that tests and examples outside the
// emulator pin (kms.ExampleEnsureKey, the landing zone example's fault
// matrix), so they keep the derivation they were made with.
func kmsHash(n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

// newKeyID derives a key ID from the request (and an attempt number that
// skips IDs already issued), so IDs do not depend on randomness.
func (r *kmsRegion) newKeyID(multiRegion bool, parts ...string) string {
	for attempt := 0; ; attempt++ {
		h := kmsHash(32, append(parts, strconv.Itoa(attempt))...)
		var id string
		if multiRegion {
			id = "mrk-" + h
		} else {
			// A version-4 UUID, as AWS issues.
			id = h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[h[16]%4]) + h[17:20] + "-" + h[20:32]
		}
		if !r.used[id] {
			r.used[id] = true
			return id
		}
	}
}

var (
	kmsKeyIDRe     = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	kmsARNRe       = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)$`)
	kmsAliasNameRe = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
	// kmsAliasPatternRe is the AliasName pattern of the KMS API model.
	kmsAliasPatternRe = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)
	kmsPolicyNameRe   = regexp.MustCompile(`^\w+$`)
)

// kmsLookup names how a key may be identified in an operation.
type kmsLookup struct {
	// alias allows alias names and alias ARNs (DescribeKey).
	alias bool
	// crossAccount is the action a caller from another account needs the
	// key policy to allow ("" = the operation is not cross-account).
	crossAccount string
}

// kmsKeyFor resolves a KeyId parameter: a key ID, a key ARN and, when allowed, an
// alias name or alias ARN. Keys in another account are found by ARN only
// for cross-account operations whose key policy allows the caller.
func kmsKeyFor(c *core.Ctx, keyID string, how kmsLookup) (*kmsKey, *core.APIError) {
	if keyID == "" {
		return nil, kmsValidation("Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	if len(keyID) > 2048 {
		return nil, kmsValidation("Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	r, acct, region, kind, name := kmsState(c), c.Account.ID, c.Region, "key", keyID
	if strings.HasPrefix(keyID, "arn:") {
		m := kmsARNRe.FindStringSubmatch(keyID)
		if m == nil {
			return nil, kmsErr("InvalidArnException", "Invalid arn %s", keyID)
		}
		region, acct, kind, name = m[2], m[3], m[4], m[5]
		if region != c.Region {
			// KMS keys are regional: a region's endpoint knows only its keys.
			return nil, kmsErr("NotFoundException", "Invalid arn %s: the key is not in region %s", keyID, c.Region)
		}
		if acct != c.Account.ID {
			a := c.Emu.Account(acct)
			ok := a != nil
			if !ok || how.crossAccount == "" {
				return nil, kmsErr("AccessDeniedException", "User: %s is not authorized to perform: kms:%s on resource: %s", c.Caller.ARN, c.Op, keyID)
			}
			r = kmsRegionOf(c.Emu, a, region)
		}
	} else if strings.HasPrefix(keyID, "alias/") {
		kind = "alias"
	}
	var k *kmsKey
	if kind == "alias" {
		if !how.alias {
			return nil, kmsErr("NotFoundException", "Invalid keyId '%s'", keyID)
		}
		aliasName := name
		if !strings.HasPrefix(aliasName, "alias/") {
			aliasName = "alias/" + aliasName
		}
		al, ok := r.aliases[aliasName]
		if !ok {
			return nil, kmsErr("NotFoundException", "Alias %s is not found.", kmsARN(region, acct, aliasName))
		}
		k = r.keys[al.target]
	} else {
		if !kmsKeyIDRe.MatchString(name) {
			return nil, kmsErr("NotFoundException", "Invalid keyId '%s'", keyID)
		}
		k = r.keys[name]
		if k == nil {
			return nil, kmsNotFound(kmsARN(region, acct, "key/"+name))
		}
	}
	if k == nil {
		return nil, kmsNotFound(keyID)
	}
	if acct != c.Account.ID && !kmsPolicyAllows(k.policy, c.Caller, how.crossAccount) {
		return nil, kmsErr("AccessDeniedException",
			"User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
			c.Caller.ARN, how.crossAccount, k.arn, how.crossAccount)
	}
	return k, nil
}

// kmsOwnKey resolves a key of the caller's account by key ID or key ARN.
func kmsOwnKey(c *core.Ctx, keyID string) (*kmsKey, *core.APIError) {
	return kmsKeyFor(c, keyID, kmsLookup{})
}

// kmsLiveKey is kmsOwnKey for operations a key pending deletion refuses.
func kmsLiveKey(c *core.Ctx, keyID string) (*kmsKey, *core.APIError) {
	k, err := kmsOwnKey(c, keyID)
	if err != nil {
		return nil, err
	}
	if k.state == kmsPendingDeletion {
		return nil, kmsPendingDeletionErr(k)
	}
	return k, nil
}

func kmsARN(region, account, resource string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + resource
}

// --- policies ---------------------------------------------------------------

// kmsDefaultPolicy is the key policy AWS gives a key created without one:
// the account (through IAM policies) may do everything with the key. It is
// formatted the way KMS returns it.
func kmsDefaultPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// ParsePolicy parses a resource policy document and checks its grammar:
// a JSON object with statements that each have an Effect, exactly one of
// Action and NotAction, and a Principal or NotPrincipal. Unlike IAM identity
// policies, key policies allow any characters in Sid.
func ParsePolicy(policy string) (*iampolicy.Doc, string) {
	doc, perr := iampolicy.Parse(policy, iampolicy.KindResource)
	if perr == nil {
		return doc, ""
	}
	switch perr.Problem {
	case iampolicy.BadJSON:
		return nil, "The policy is not a valid JSON document."
	case iampolicy.BadVersion:
		return nil, "The policy contains an invalid Version."
	case iampolicy.NoStatement:
		return nil, "The policy contains no statement."
	case iampolicy.NoEffect, iampolicy.BadEffect:
		return nil, "The policy contains a statement with an invalid Effect."
	case iampolicy.NoAction, iampolicy.BothActions:
		return nil, "The policy contains a statement that must have exactly one of Action and NotAction."
	case iampolicy.NoPrincipal:
		return nil, "Policy contains a statement with no principal."
	case iampolicy.BothPrincipals:
		return nil, "The policy contains a statement with both Principal and NotPrincipal."
	}
	return nil, "The policy contains an unknown element or an element of the wrong type: " + perr.Msg
}

var (
	kmsPrincipalARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$`)
	kmsAccountIDRe    = regexp.MustCompile(`^\d{12}$`)
)

// PrincipalsExist reports whether every AWS principal the document names
// can be resolved. AWS resolves a resource policy's principals when it is
// set, so a policy naming a role that does not exist yet - typically a
// service-linked role - is refused. As the emulator's IAM does: "*",
// account IDs and root ARNs always resolve; so does anything in an account
// the emulator does not have (it cannot know); in an account it has, a role
// must exist with that path and a user never does (no IAM users are
// modeled). Assumed-role session ARNs are accepted.
func PrincipalsExist(e *core.Emulator, doc *iampolicy.Doc) bool {
	for _, st := range doc.Statement {
		for _, p := range []*iampolicy.Principal{st.Principal, st.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, s := range p.AWS {
				if !kmsPrincipalExists(e, s) {
					return false
				}
			}
		}
	}
	return true
}

// kmsPrincipalExists resolves one AWS principal of a resource policy.
func kmsPrincipalExists(e *core.Emulator, s string) bool {
	if s == "*" || kmsAccountIDRe.MatchString(s) {
		return true
	}
	m := kmsPrincipalARNRe.FindStringSubmatch(s)
	if m == nil || strings.ContainsAny(s, "*?") {
		return false
	}
	service, acct, resource := m[1], m[2], m[3]
	a := e.Account(acct)
	known := a != nil
	switch {
	case service == "iam" && resource == "root":
		return true
	case service == "iam" && strings.HasPrefix(resource, "role/"):
		if !known {
			return true
		}
		r := iam.RoleNamed(a, resource[strings.LastIndex(resource, "/")+1:])
		return r != nil && strings.EqualFold(r.ARN, "arn:aws:iam::"+acct+":"+resource) &&
			!e.NotYetVisible(core.PropagatePrincipal, r.ARN)
	case service == "iam" && strings.HasPrefix(resource, "user/"):
		return !known
	case service == "sts" && strings.HasPrefix(resource, "assumed-role/"):
		return true
	}
	return false
}

// kmsPolicyAllows reports whether a policy lets caller perform action: an
// Allow statement applies and no Deny statement does. Conditions are not
// evaluated: an Allow with conditions counts as allowing, a Deny with
// conditions as not denying (the emulator cannot know the request context
// of the later call), so the check errs on the side of accepting a policy.
func kmsPolicyAllows(policy string, caller core.Identity, action string) bool {
	doc, msg := ParsePolicy(policy)
	if msg != "" {
		return false
	}
	return kmsPolicyAllowsDoc(doc, caller, action)
}

// kmsPolicyAllowsDoc evaluates a parsed resource policy as kmsPolicyAllows does.
func kmsPolicyAllowsDoc(doc *iampolicy.Doc, caller core.Identity, action string) bool {
	allowed := false
	for _, st := range doc.Statement {
		if len(st.Action) > 0 && !iampolicy.AnyGlob(st.Action, action, true) {
			continue
		}
		if len(st.NotAction) > 0 && iampolicy.AnyGlob(st.NotAction, action, true) {
			continue
		}
		if st.Principal != nil && !iampolicy.PrincipalMatches(st.Principal, caller) {
			continue
		}
		if st.NotPrincipal != nil && iampolicy.PrincipalMatches(st.NotPrincipal, caller) {
			continue
		}
		if st.Effect == iampolicy.EffectDeny && len(st.Condition) == 0 {
			return false
		}
		if st.Effect == iampolicy.EffectAllow {
			allowed = true
		}
	}
	return allowed
}

// kmsCheckPolicy validates a key policy as CreateKey and PutKeyPolicy do.
func kmsCheckPolicy(c *core.Ctx, policy string, bypassLockout bool) *core.APIError {
	if policy == "" {
		return kmsValidation("Value at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(policy) > kmsMaxPolicyLength {
		return kmsValidation("Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d", kmsMaxPolicyLength)
	}
	if len(policy) > kmsMaxPolicyBytes {
		return kmsErr("LimitExceededException", "The key policy exceeds the maximum size of %d bytes.", kmsMaxPolicyBytes)
	}
	doc, msg := ParsePolicy(policy)
	if msg != "" {
		return kmsMalformed("%s", msg)
	}
	if !PrincipalsExist(c.Emu, doc) {
		return kmsMalformed("Policy contains a statement with one or more invalid principals.")
	}
	if !bypassLockout && !kmsPolicyAllowsDoc(doc, c.Caller, "kms:PutKeyPolicy") {
		return kmsMalformed("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// --- tags -------------------------------------------------------------------

// kmsTag is a KMS tag, with KMS's member names.
type kmsTag struct {
	TagKey   string
	TagValue string
}

// kmsTagRules are KMS's tag rules (CreateKey, TagResource).
var kmsTagRules = core.TagRules{
	Checks: []core.TagCheck{core.TagKeyLength, core.TagValueLength, core.TagReserved, core.TagDuplicate, core.TagTooMany},
	Max:    kmsMaxTags,
	Err: func(check core.TagCheck, _ int, t core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength:
			return kmsErr("TagException", "Tag keys must be 1 to 128 characters long.")
		case core.TagValueLength:
			return kmsErr("TagException", "Tag values must be 0 to 256 characters long.")
		case core.TagReserved:
			return kmsErr("TagException", "Tags beginning with aws: are reserved.")
		case core.TagDuplicate:
			return kmsErr("TagException", "Duplicate tag keys: %s", t.Key)
		}
		return kmsErr("LimitExceededException", "A KMS key can have at most %d tags.", kmsMaxTags)
	},
}

// kmsTags converts KMS's TagKey/TagValue list.
func kmsTags(tags []kmsTag) []core.Tag {
	return core.TagsOf(tags, func(t kmsTag) (string, string) { return t.TagKey, t.TagValue })
}

// --- pagination -------------------------------------------------------------

// kmsPaging is how KMS list operations reject a Limit (at most max,
// which differs by operation) or a Marker.
func kmsPaging(max int) core.Paging {
	return core.Paging{
		Max: max,
		BadLimit: func(n int) *core.APIError {
			return kmsValidation("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", n, max)
		},
		BadToken: func() *core.APIError {
			return kmsErr("InvalidMarkerException", "The request was rejected because the marker that specifies where pagination should next begin is not valid.")
		},
	}
}

// kmsMarkerOut starts a KMS list response: Truncated, and NextMarker when
// there is a next page.
func kmsMarkerOut(next string) map[string]any {
	out := map[string]any{"Truncated": next != ""}
	if next != "" {
		out["NextMarker"] = next
	}
	return out
}

// --- output -----------------------------------------------------------------

func (k *kmsKey) metadata() map[string]any {
	algs := kmsKeySpecs[k.spec][k.usage]
	m := map[string]any{
		"AWSAccountId":          k.account,
		"KeyId":                 k.id,
		"Arn":                   k.arn,
		"CreationDate":          core.EpochSeconds(k.created),
		"Enabled":               k.state == kmsEnabled,
		"Description":           k.description,
		"KeyUsage":              k.usage,
		"KeyState":              k.state,
		"Origin":                "AWS_KMS",
		"KeyManager":            "CUSTOMER",
		"CustomerMasterKeySpec": k.spec,
		"KeySpec":               k.spec,
		"MultiRegion":           k.multiRegion,
	}
	for name, l := range map[string][]string{"EncryptionAlgorithms": algs.enc, "SigningAlgorithms": algs.sign,
		"MacAlgorithms": algs.mac, "KeyAgreementAlgorithms": algs.agree, "EncapsulationAlgorithms": algs.encap} {
		if len(l) > 0 {
			m[name] = l
		}
	}
	if k.spec == kmsSymmetricDefault {
		m["CurrentKeyMaterialId"] = kmsHash(64, k.arn, "material")
	}
	if k.multiRegion {
		kind, primary := "PRIMARY", map[string]any{"Arn": k.arn, "Region": k.region}
		if k.primaryRegion != "" {
			kind, primary = "REPLICA", map[string]any{"Arn": kmsARN(k.primaryRegion, k.account, "key/"+k.id), "Region": k.primaryRegion}
		}
		m["MultiRegionConfiguration"] = map[string]any{"MultiRegionKeyType": kind, "PrimaryKey": primary, "ReplicaKeys": []any{}}
	}
	if k.state == kmsPendingDeletion {
		m["DeletionDate"] = core.EpochSeconds(k.deletionDate)
		m["PendingDeletionWindowInDays"] = k.pendingWindow
	}
	return m
}

// --- keys -------------------------------------------------------------------

func kmsCreateKey(c *core.Ctx) (any, error) {
	var in struct {
		Policy                         *string
		Description                    string
		KeyUsage                       string
		CustomerMasterKeySpec          string
		KeySpec                        string
		Origin                         string
		CustomKeyStoreId               string
		BypassPolicyLockoutSafetyCheck bool
		Tags                           []kmsTag
		MultiRegion                    bool
		XksKeyId                       string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Description) > kmsMaxDescription {
		return nil, kmsValidation("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", kmsMaxDescription)
	}
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	} else if in.CustomerMasterKeySpec != "" {
		return nil, kmsValidation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.")
	}
	if spec == "" {
		spec = kmsSymmetricDefault
	}
	usages, ok := kmsKeySpecs[spec]
	if !ok {
		return nil, kmsValidation("Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set", spec)
	}
	if spec == "SM2" && !strings.HasPrefix(c.Region, "cn-") {
		return nil, kmsErr("UnsupportedOperationException", "KeySpec SM2 is supported only in the China Regions.")
	}
	usage := in.KeyUsage
	if usage == "" {
		usage = kmsEncryptDecrypt
	}
	switch usage {
	case kmsEncryptDecrypt, "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE":
	default:
		return nil, kmsValidation("Value '%s' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]", usage)
	}
	if _, ok := usages[usage]; !ok {
		return nil, kmsValidation("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	switch in.Origin {
	case "", "AWS_KMS":
	case "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE":
		return nil, kmsErr("UnsupportedOperationException", "emulator: only keys with Origin AWS_KMS are supported, not %s", in.Origin)
	default:
		return nil, kmsValidation("Value '%s' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [EXTERNAL_KEY_STORE, AWS_CLOUDHSM, AWS_KMS, EXTERNAL]", in.Origin)
	}
	if in.CustomKeyStoreId != "" || in.XksKeyId != "" {
		return nil, kmsErr("CustomKeyStoreNotFoundException", "Custom key store %s does not exist.", in.CustomKeyStoreId)
	}
	if in.MultiRegion && spec != kmsSymmetricDefault && !strings.HasPrefix(spec, "RSA_") && !strings.HasPrefix(spec, "ECC_") && !strings.HasPrefix(spec, "HMAC_") {
		return nil, kmsErr("UnsupportedOperationException", "KeySpec %s does not support multi-Region keys.", spec)
	}
	policy := kmsDefaultPolicy(c.Account.ID)
	if in.Policy != nil {
		if err := kmsCheckPolicy(c, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		policy = *in.Policy
	}
	tags, apiErr := kmsTagRules.Merge(nil, kmsTags(in.Tags))
	if apiErr != nil {
		return nil, apiErr
	}
	r := kmsState(c)
	tagParts := make([]string, 0, 2*len(tags))
	for _, k := range core.SortedKeys(tags) {
		tagParts = append(tagParts, k, tags[k])
	}
	id := r.newKeyID(in.MultiRegion, append([]string{c.Account.ID, c.Region, in.Description, usage, spec, policy,
		strconv.FormatBool(in.MultiRegion)}, tagParts...)...)
	k := &kmsKey{id: id, arn: kmsARN(c.Region, c.Account.ID, "key/"+id), account: c.Account.ID, region: c.Region,
		description: in.Description, usage: usage, spec: spec, multiRegion: in.MultiRegion, policy: policy,
		state: kmsEnabled, created: c.Emu.Now(), tags: tags}
	r.keys[id] = k
	return map[string]any{"KeyMetadata": k.metadata()}, nil
}

func kmsKeyIDInput(c *core.Ctx) (string, *core.APIError) {
	var in struct{ KeyId string }
	if err := c.JSON(&in); err != nil {
		return "", err.(*core.APIError)
	}
	return in.KeyId, nil
}

func kmsDescribeKey(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsKeyFor(c, id, kmsLookup{alias: true, crossAccount: "kms:DescribeKey"})
	if err != nil {
		return nil, err
	}
	return map[string]any{"KeyMetadata": kmsWithReplicas(c.Emu, k)}, nil
}

func kmsListKeys(c *core.Ctx) (any, error) {
	var in struct {
		Limit  *int
		Marker string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	r := kmsState(c)
	ids := core.SortedKeys(r.keys)
	page, next, err := core.Paginate(c, ids, func(s string) string { return s }, in.Marker, in.Limit, kmsPaging(1000))
	if err != nil {
		return nil, err
	}
	out := kmsMarkerOut(next)
	keys := []map[string]string{}
	for _, id := range page {
		keys = append(keys, map[string]string{"KeyId": id, "KeyArn": r.keys[id].arn})
	}
	out["Keys"] = keys
	return out, nil
}

func kmsEnableKey(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsLiveKey(c, id)
	if err != nil {
		return nil, err
	}
	k.state = kmsEnabled
	return nil, nil
}

func kmsUpdateKeyDescription(c *core.Ctx) (any, error) {
	var in struct{ KeyId, Description string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if len(in.Description) > kmsMaxDescription {
		return nil, kmsValidation("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", kmsMaxDescription)
	}
	k, err := kmsLiveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k.description = in.Description
	return nil, nil
}

func kmsDisableKey(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsLiveKey(c, id)
	if err != nil {
		return nil, err
	}
	k.state = kmsDisabled
	return nil, nil
}

func kmsScheduleKeyDeletion(c *core.Ctx) (any, error) {
	var in struct {
		KeyId               string
		PendingWindowInDays *int
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	days := kmsDefaultDeletionWin
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		if days < 7 || days > 30 {
			return nil, kmsValidation("Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
		}
	}
	k, err := kmsLiveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k.state = kmsPendingDeletion
	k.pendingWindow = days
	k.deletionDate = c.Emu.Now().Add(time.Duration(days) * 24 * time.Hour)
	return map[string]any{"KeyId": k.arn, "DeletionDate": core.EpochSeconds(k.deletionDate), "KeyState": k.state,
		"PendingWindowInDays": days}, nil
}

func kmsCancelKeyDeletion(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsOwnKey(c, id)
	if err != nil {
		return nil, err
	}
	if k.state != kmsPendingDeletion {
		return nil, kmsErr("KMSInvalidStateException", "%s is not pending deletion.", k.arn)
	}
	// A key whose deletion is canceled comes back disabled.
	k.state, k.pendingWindow, k.deletionDate = kmsDisabled, 0, time.Time{}
	return map[string]any{"KeyId": k.arn}, nil
}

// --- aliases ----------------------------------------------------------------

// kmsCheckAliasName validates an alias name to create, with the errors AWS
// KMS sends (the same as moto, LocalStack and local-kms reproduce): the
// model's constraints (length 1..256, pattern ^[a-zA-Z0-9:/_-]+$) and a name
// without the "alias/" prefix are ValidationException; the reserved
// "alias/aws/" prefix (CreateAlias reference: "The alias name cannot begin
// with alias/aws/") is NotAuthorizedException, an error code the KMS model
// does not list; a name the pattern admits but alias rules do not (a colon,
// nothing after "alias/") is InvalidAliasNameException.
func kmsCheckAliasName(name string) *core.APIError {
	switch {
	case name == "":
		return kmsValidation("Value null at 'aliasName' failed to satisfy constraint: Member must not be null")
	case len(name) > 256:
		return kmsValidation("Value '%s' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256", name)
	case !kmsAliasPatternRe.MatchString(name):
		return kmsValidation("Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	case !strings.HasPrefix(name, "alias/"):
		return kmsErr("ValidationException", "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
	case strings.HasPrefix(name, "alias/aws/"):
		return kmsErr("NotAuthorizedException", "Cannot create alias with prefix 'alias/aws/'")
	case !kmsAliasNameRe.MatchString(name):
		return kmsErr("InvalidAliasNameException", "Alias %s must contain only alphanumeric characters, forward slashes (/), underscores (_) and dashes (-).", name)
	}
	return nil
}

type kmsAliasInput struct {
	AliasName   string
	TargetKeyId string
}

// kmsAliasTarget resolves the key an alias is to point at.
func kmsAliasTarget(c *core.Ctx, target string) (*kmsKey, *core.APIError) {
	if target == "" {
		return nil, kmsValidation("Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null")
	}
	k, err := kmsLiveKey(c, target)
	if err != nil {
		return nil, err
	}
	if k.account != c.Account.ID || k.region != c.Region {
		return nil, kmsNotFound(target)
	}
	return k, nil
}

func kmsCreateAlias(c *core.Ctx) (any, error) {
	var in kmsAliasInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := kmsCheckAliasName(in.AliasName); err != nil {
		return nil, err
	}
	r := kmsState(c)
	if _, ok := r.aliases[in.AliasName]; ok {
		return nil, kmsErr("AlreadyExistsException", "An alias with the name %s already exists",
			kmsARN(c.Region, c.Account.ID, in.AliasName))
	}
	k, err := kmsAliasTarget(c, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	now := c.Emu.Now()
	r.aliases[in.AliasName] = &kmsAlias{name: in.AliasName, target: k.id, created: now, updated: now}
	return nil, nil
}

// kmsKeyKind is the kind of key an alias may move between: the target of
// UpdateAlias must be of the same kind and usage as the current one.
func kmsKeyKind(k *kmsKey) string {
	switch {
	case k.spec == kmsSymmetricDefault:
		return "symmetric"
	case strings.HasPrefix(k.spec, "HMAC_"):
		return "hmac"
	}
	return "asymmetric"
}

func kmsUpdateAlias(c *core.Ctx) (any, error) {
	var in kmsAliasInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	r := kmsState(c)
	al, ok := r.aliases[in.AliasName]
	if !ok {
		return nil, kmsErr("NotFoundException", "Alias %s is not found.", kmsARN(c.Region, c.Account.ID, in.AliasName))
	}
	k, err := kmsAliasTarget(c, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	if cur := r.keys[al.target]; cur != nil && (kmsKeyKind(cur) != kmsKeyKind(k) || cur.usage != k.usage) {
		return nil, kmsValidation("The current KMS key and the new KMS key of alias %s must be of the same type and key usage.", in.AliasName)
	}
	al.target, al.updated = k.id, c.Emu.Now()
	return nil, nil
}

func kmsDeleteAlias(c *core.Ctx) (any, error) {
	var in kmsAliasInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if in.AliasName == "" {
		return nil, kmsValidation("Value null at 'aliasName' failed to satisfy constraint: Member must not be null")
	}
	r := kmsState(c)
	if _, ok := r.aliases[in.AliasName]; !ok {
		return nil, kmsErr("NotFoundException", "Alias %s is not found.", kmsARN(c.Region, c.Account.ID, in.AliasName))
	}
	delete(r.aliases, in.AliasName)
	return nil, nil
}

func kmsListAliases(c *core.Ctx) (any, error) {
	var in struct {
		KeyId  string
		Limit  *int
		Marker string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	r := kmsState(c)
	target := ""
	if in.KeyId != "" {
		k, err := kmsOwnKey(c, in.KeyId)
		if err != nil {
			return nil, err
		}
		target = k.id
	}
	var names []string
	for _, name := range core.SortedKeys(r.aliases) {
		if target == "" || r.aliases[name].target == target {
			names = append(names, name)
		}
	}
	page, next, err := core.Paginate(c, names, func(s string) string { return s }, in.Marker, in.Limit, kmsPaging(100))
	if err != nil {
		return nil, err
	}
	out := kmsMarkerOut(next)
	aliases := []map[string]any{}
	for _, name := range page {
		al := r.aliases[name]
		aliases = append(aliases, map[string]any{"AliasName": name, "AliasArn": kmsARN(c.Region, c.Account.ID, name),
			"TargetKeyId": al.target, "CreationDate": core.EpochSeconds(al.created), "LastUpdatedDate": core.EpochSeconds(al.updated)})
	}
	out["Aliases"] = aliases
	return out, nil
}

// --- rotation ---------------------------------------------------------------

// kmsRotatable refuses rotation settings on keys without automatic rotation.
func kmsRotatable(k *kmsKey) *core.APIError {
	if k.spec != kmsSymmetricDefault {
		return kmsErr("UnsupportedOperationException", "%s key spec %s does not support automatic key rotation.", k.arn, k.spec)
	}
	return nil
}

func kmsEnableKeyRotation(c *core.Ctx) (any, error) {
	var in struct {
		KeyId                string
		RotationPeriodInDays *int
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	period := kmsDefaultRotation
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
		if period < kmsMinRotation || period > kmsMaxRotation {
			return nil, kmsValidation("Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between %d and %d",
				period, kmsMinRotation, kmsMaxRotation)
		}
	}
	k, err := kmsLiveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	if k.state == kmsDisabled {
		return nil, kmsErr("DisabledException", "%s is disabled.", k.arn)
	}
	if err := kmsRotatable(k); err != nil {
		return nil, err
	}
	if !k.rotation || k.rotationPeriod != period {
		k.rotationStart = c.Emu.Now()
	}
	k.rotation, k.rotationPeriod = true, period
	return nil, nil
}

func kmsDisableKeyRotation(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsLiveKey(c, id)
	if err != nil {
		return nil, err
	}
	if k.state == kmsDisabled {
		return nil, kmsErr("DisabledException", "%s is disabled.", k.arn)
	}
	if err := kmsRotatable(k); err != nil {
		return nil, err
	}
	k.rotation, k.rotationPeriod, k.rotationStart = false, 0, time.Time{}
	return nil, nil
}

func kmsGetKeyRotationStatus(c *core.Ctx) (any, error) {
	id, err := kmsKeyIDInput(c)
	if err != nil {
		return nil, err
	}
	k, err := kmsKeyFor(c, id, kmsLookup{crossAccount: "kms:GetKeyRotationStatus"})
	if err != nil {
		return nil, err
	}
	// A key pending deletion reports rotation off; canceling the deletion
	// restores its setting.
	if !k.rotation || k.state == kmsPendingDeletion {
		return map[string]any{"KeyId": k.id, "KeyRotationEnabled": false}, nil
	}
	return map[string]any{"KeyId": k.id, "KeyRotationEnabled": true, "RotationPeriodInDays": k.rotationPeriod,
		"NextRotationDate": core.EpochSeconds(k.rotationStart.Add(time.Duration(k.rotationPeriod) * 24 * time.Hour))}, nil
}

// --- key policies -----------------------------------------------------------

func kmsCheckPolicyName(name string) *core.APIError {
	if name != "" && name != kmsPolicyName {
		if !kmsPolicyNameRe.MatchString(name) || len(name) > 128 {
			return kmsValidation("Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", name)
		}
		return kmsErr("NotFoundException", "No such policy exists: %s. The only valid value is default.", name)
	}
	return nil
}

func kmsPutKeyPolicy(c *core.Ctx) (any, error) {
	var in struct {
		KeyId                          string
		PolicyName                     string
		Policy                         *string
		BypassPolicyLockoutSafetyCheck bool
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := kmsCheckPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	k, err := kmsOwnKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	if in.Policy == nil {
		return nil, kmsValidation("Value null at 'policy' failed to satisfy constraint: Member must not be null")
	}
	if err := kmsCheckPolicy(c, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	k.policy = *in.Policy
	return nil, nil
}

func kmsGetKeyPolicy(c *core.Ctx) (any, error) {
	var in struct {
		KeyId      string
		PolicyName string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := kmsCheckPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	k, err := kmsOwnKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Policy": k.policy, "PolicyName": kmsPolicyName}, nil
}

func kmsListKeyPolicies(c *core.Ctx) (any, error) {
	var in struct {
		KeyId  string
		Limit  *int
		Marker string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if _, err := kmsOwnKey(c, in.KeyId); err != nil {
		return nil, err
	}
	page, next, err := core.Paginate(c, []string{kmsPolicyName}, func(s string) string { return s }, in.Marker, in.Limit, kmsPaging(1000))
	if err != nil {
		return nil, err
	}
	out := kmsMarkerOut(next)
	out["PolicyNames"] = page
	return out, nil
}

// --- tags -------------------------------------------------------------------

func kmsTagResource(c *core.Ctx) (any, error) {
	var in struct {
		KeyId string
		Tags  []kmsTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	k, err := kmsLiveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, kmsValidation("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	tags, err := kmsTagRules.Merge(k.tags, kmsTags(in.Tags))
	if err != nil {
		return nil, err
	}
	k.tags = tags
	return nil, nil
}

func kmsUntagResource(c *core.Ctx) (any, error) {
	var in struct {
		KeyId   string
		TagKeys []string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	k, err := kmsLiveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, kmsValidation("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	for _, key := range in.TagKeys {
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return nil, kmsErr("TagException", "Tags beginning with aws: are reserved.")
		}
	}
	for _, key := range in.TagKeys {
		delete(k.tags, key)
	}
	return nil, nil
}

func kmsListResourceTags(c *core.Ctx) (any, error) {
	var in struct {
		KeyId  string
		Limit  *int
		Marker string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	k, err := kmsOwnKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	page, next, err := core.Paginate(c, core.SortedKeys(k.tags), func(s string) string { return s }, in.Marker, in.Limit, kmsPaging(50))
	if err != nil {
		return nil, err
	}
	out := kmsMarkerOut(next)
	tags := []kmsTag{}
	for _, key := range page {
		tags = append(tags, kmsTag{TagKey: key, TagValue: k.tags[key]})
	}
	out["Tags"] = tags
	return out, nil
}

// --- snapshot ---------------------------------------------------------------

// kmsSnapshot lists each account's keys per region, keyed by their first
// alias name (sorted) when they have one, else by key ID. Key IDs are
// deterministic, so they are included; dates are not.
func kmsSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		regions := map[string]any{}
		for region := range core.Slot[map[string]*kmsRegion](a, "kms") {
			r := kmsRegionOf(e, a, region)
			if len(r.keys) == 0 {
				continue
			}
			aliases := map[string][]string{}
			for _, name := range core.SortedKeys(r.aliases) {
				t := r.aliases[name].target
				aliases[t] = append(aliases[t], name)
			}
			keys := map[string]any{}
			for _, k := range r.keys {
				entry := map[string]any{
					"id": k.id, "description": k.description, "keyUsage": k.usage, "keySpec": k.spec,
					"keyState": k.state, "multiRegion": k.multiRegion, "policy": core.CompactJSON(k.policy),
					"rotation": map[string]any{"enabled": k.rotation, "periodInDays": k.rotationPeriod},
				}
				if k.state == kmsPendingDeletion {
					entry["pendingWindowInDays"] = k.pendingWindow
				}
				if len(k.tags) > 0 {
					entry["tags"] = k.tags
				}
				name := k.id
				if al := aliases[k.id]; len(al) > 0 {
					entry["aliases"] = al
					name = al[0]
				}
				keys[name] = entry
			}
			regions[region] = map[string]any{"keys": keys}
		}
		if len(regions) > 0 {
			out[id] = regions
		}
	}
	return out
}

// KeyUsable reports whether a key identifier (key ID, key ARN, alias
// name or alias ARN) names an enabled key that the account can use in the
// region, for services that encrypt with KMS keys (ECR). It returns the KMS
// error code when it cannot.
func KeyUsable(e *core.Emulator, a *core.Account, region, keyID string) (string, string) {
	acct, kind, name := a.ID, "key", keyID
	if strings.HasPrefix(keyID, "arn:") {
		m := kmsARNRe.FindStringSubmatch(keyID)
		if m == nil {
			return "", "InvalidArnException"
		}
		if m[2] != region {
			return "", "NotFoundException"
		}
		acct, kind, name = m[3], m[4], m[5]
	} else if strings.HasPrefix(keyID, "alias/") {
		kind = "alias"
	}
	owner := e.Account(acct)
	if owner == nil {
		return "", "NotFoundException"
	}
	r := kmsRegionOf(e, owner, region)
	var k *kmsKey
	if kind == "alias" {
		if !strings.HasPrefix(name, "alias/") {
			name = "alias/" + name
		}
		if al := r.aliases[name]; al != nil {
			k = r.keys[al.target]
		}
	} else {
		k = r.keys[name]
	}
	switch {
	case k == nil:
		return "", "NotFoundException"
	case k.state == kmsDisabled:
		return k.arn, "DisabledException"
	case k.state == kmsPendingDeletion:
		return k.arn, "KMSInvalidStateException"
	case k.usage != kmsEncryptDecrypt || k.spec != kmsSymmetricDefault:
		return k.arn, "InvalidKeyUsageException"
	case acct != a.ID && !kmsPolicyAllowsAccount(k.policy, a.ID):
		return k.arn, "AccessDeniedException"
	}
	return k.arn, ""
}

// kmsPolicyAllowsAccount reports whether a key policy lets principals of an
// account use the key (kms:CreateGrant, which services encrypting on the
// account's behalf need).
func kmsPolicyAllowsAccount(policy, account string) bool {
	return kmsPolicyAllows(policy, core.RootIdentity(account, ""), "kms:CreateGrant")
}
