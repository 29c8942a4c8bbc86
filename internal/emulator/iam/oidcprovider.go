package iam

import "github.com/awsfoundation/foundation/internal/emulator/core"

// OIDCProviderClientIDs returns the client IDs (audiences) of a's IAM OIDC
// provider with the given ARN; ok is false when there is none or it is not
// yet visible as a principal (the Consistency model). STS
// AssumeRoleWithWebIdentity reads it. Called with the emulator's lock held.
func OIDCProviderClientIDs(e *core.Emulator, a *core.Account, arn string) (clientIDs []string, ok bool) {
	p := iamAcct(a).oidc[arn]
	if p == nil || e.NotYetVisible(core.PropagatePrincipal, arn) {
		return nil, false
	}
	return append([]string(nil), p.ClientIDs...), true
}
