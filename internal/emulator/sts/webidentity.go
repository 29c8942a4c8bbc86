package sts

// AssumeRoleWithWebIdentity, written from the STS API reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)
// and IAM's "Available keys for AWS web identity federation" and the
// 2026-01 "AWS STS supports validation of identity provider specific
// claims" (GitHub's claims as condition keys).
//
// The emulator cannot fetch an issuer's keys, so it trusts one issuer of
// its own: tokens signed (ES256) with the emulator's key, made by
// SignWebIdentityToken, whatever their iss claim. The role's account must
// have the IAM OIDC provider of the token's iss, with the token's aud among
// its client IDs, and the role's trust policy must allow
// sts:AssumeRoleWithWebIdentity to that provider with conditions the
// token's claims meet.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

// webIdentityKey is the emulator's token signing key.
type webIdentityKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func signingKey(e *core.Emulator) *webIdentityKey {
	return core.Global(e, "sts.webidentity", func() *webIdentityKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err) // crypto/rand does not fail
		}
		return &webIdentityKey{priv: k, kid: "emulator-" + core.RandomHex(16)}
	})
}

// GitHubIssuerHost is the host of GitHub Actions' token issuer, whose
// provider-specific claims STS exposes as condition keys.
const GitHubIssuerHost = "token.actions.githubusercontent.com"

// gitHubClaimKeys are the GitHub claims AWS STS exposes as condition keys
// (HOST:CLAIM) besides sub and aud.
var gitHubClaimKeys = []string{"actor", "actor_id", "enterprise_id", "environment", "job_workflow_ref", "ref", "repository", "repository_id", "workflow"}

// SignWebIdentityToken returns a JWT with the given claims signed with the
// emulator's key, which AssumeRoleWithWebIdentity accepts. Claims should
// hold iss ("https://token.actions.githubusercontent.com"), aud and sub;
// iat and exp default to now and now plus five minutes by the emulator's
// clock. Numbers are written as JSON numbers, strings as strings.
func SignWebIdentityToken(e *core.Emulator, claims map[string]any) (string, error) {
	defer e.Lock()()
	c := make(map[string]any, len(claims)+2)
	for k, v := range claims {
		c[k] = v
	}
	now := e.Now()
	if _, ok := c["iat"]; !ok {
		c["iat"] = now.Unix()
	}
	if _, ok := c["exp"]; !ok {
		c["exp"] = now.Add(5 * time.Minute).Unix()
	}
	k := signingKey(e)
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": k.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("emulator: web identity token claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + enc.EncodeToString(sig), nil
}

func invalidToken(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, "InvalidIdentityToken", format, args...)
}

// verifyToken checks the token's signature against the emulator's key and
// returns its claims.
func verifyToken(e *core.Emulator, token string) (map[string]any, *core.APIError) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	var header struct{ Alg, Kid string }
	claims := map[string]any{}
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || decodeClaims(pb, claims) != nil {
		return nil, invalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	k := signingKey(e)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "ES256" || header.Kid != k.kid || len(sig) != 64 ||
		!ecdsa.Verify(&k.priv.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return nil, invalidToken("Couldn't verify the signature of the web identity token with the keys of its issuer (emulator: tokens must come from SignWebIdentityToken)")
	}
	return claims, nil
}

func decodeClaims(b []byte, into map[string]any) error {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	return d.Decode(&into)
}

// claimString renders a claim as a condition key value: strings as they
// are, numbers in decimal, booleans as "true"/"false".
func claimString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func claimTime(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

func stsAssumeRoleWithWebIdentity(c *core.Ctx) (any, error) {
	roleARN, sessionName, token := c.Form("RoleArn"), c.Form("RoleSessionName"), c.Form("WebIdentityToken")
	if err := checkSessionName(sessionName); err != nil {
		return nil, err
	}
	if len(token) < 4 || len(token) > 20000 {
		return nil, core.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000")
	}
	m, err := parseRoleARN(roleARN)
	if err != nil {
		return nil, err
	}
	claims, apiErr := verifyToken(c.Emu, token)
	if apiErr != nil {
		return nil, apiErr
	}
	iss, _ := claims["iss"].(string)
	hostPath, isHTTPS := strings.CutPrefix(iss, "https://")
	if !isHTTPS || hostPath == "" {
		return nil, invalidToken("The web identity token's iss claim %q is not an https URL", iss)
	}
	hostPath = strings.TrimSuffix(hostPath, "/")
	exp, ok := claimTime(claims["exp"])
	if !ok {
		return nil, invalidToken("The web identity token has no exp claim")
	}
	if now := c.Emu.Now(); !now.Before(exp) {
		return nil, core.Errorf(http.StatusBadRequest, "ExpiredTokenException",
			"Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	}
	accessDenied := core.Errorf(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	target := c.Emu.Account(m[1])
	if target == nil {
		return nil, accessDenied
	}
	providerARN := "arn:aws:iam::" + target.ID + ":oidc-provider/" + hostPath
	clientIDs, ok := iam.OIDCProviderClientIDs(c.Emu, target, providerARN)
	if !ok {
		return nil, invalidToken("No OpenIDConnect provider found in your account for %s", iss)
	}
	// The audience STS checks: azp when present, else aud (a string or
	// a list, one of whose values must be a client ID).
	var auds []string
	switch a := claims["aud"].(type) {
	case string:
		auds = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				auds = append(auds, s)
			}
		}
	}
	if azp, ok := claims["azp"].(string); ok && azp != "" {
		auds = []string{azp}
	}
	aud := ""
	for _, a := range auds {
		if policy.Contains(clientIDs, a, false) {
			aud = a
			break
		}
	}
	if aud == "" {
		return nil, invalidToken("Incorrect token audience")
	}
	r := roleOf(target, roleARN, m[3])
	if r == nil || c.Emu.NotYetVisible(core.PropagatePrincipal, r.ARN) {
		return nil, accessDenied
	}
	duration, err := sessionDuration(c, r)
	if err != nil {
		return nil, err
	}
	sub, _ := claimString(claims["sub"])
	keys := map[string]string{
		strings.ToLower(hostPath + ":sub"): sub,
		strings.ToLower(hostPath + ":aud"): aud,
		"sts:rolesessionname":              sessionName,
	}
	if strings.EqualFold(hostPath, GitHubIssuerHost) {
		for _, k := range gitHubClaimKeys {
			if v, ok := claimString(claims[k]); ok {
				keys[strings.ToLower(hostPath+":"+k)] = v
			}
		}
	}
	doc, perr := policy.Parse(string(r.AssumeRolePolicy), policy.KindResource)
	if perr != nil || !webIdentityTrustAllows(doc, providerARN, keys) {
		return nil, accessDenied
	}
	creds, user := assumeRole(c, target, r, sessionName, duration)
	return struct {
		XMLName                     xml.Name `xml:"AssumeRoleWithWebIdentityResult"`
		Credentials                 credentials
		SubjectFromWebIdentityToken string
		AssumedRoleUser             assumedRoleUser
		PackedPolicySize            int
		Provider                    string
		Audience                    string
	}{
		Credentials:                 creds,
		SubjectFromWebIdentityToken: sub,
		AssumedRoleUser:             user,
		Provider:                    iss,
		Audience:                    aud,
	}, nil
}

// webIdentityTrustAllows evaluates a trust policy for
// sts:AssumeRoleWithWebIdentity by the provider: an explicit Deny wins,
// then any Allow whose Federated principal is the provider and whose
// conditions the token's keys meet (package policy's operators; an unknown
// operator or key never matches).
func webIdentityTrustAllows(doc *policy.Doc, providerARN string, keys map[string]string) bool {
	const action = "sts:assumerolewithwebidentity"
	allowed := false
	for _, st := range doc.Statement {
		switch {
		case len(st.Action) > 0 && !policy.AnyGlob(st.Action, action, true):
			continue
		case len(st.NotAction) > 0 && policy.AnyGlob(st.NotAction, action, true):
			continue
		case st.Principal == nil:
			continue
		case !st.Principal.Wildcard && !policy.Contains(st.Principal.Federated, providerARN, false):
			continue
		case !policy.ConditionsMatch(st.Condition, keys):
			continue
		}
		if st.Effect == policy.EffectDeny {
			return false
		}
		if st.Effect == policy.EffectAllow {
			allowed = true
		}
	}
	return allowed
}
