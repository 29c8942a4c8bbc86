package core

import (
	"strings"
	"time"
)

// Consistency is the emulator's model of AWS's eventual consistency: for a
// while after it is created, a thing exists (its service reads it back) but
// the services that depend on it do not see it yet. The zero value turns the
// model off: everything is visible at once, as the emulator always was.
//
// Each kind of propagation has a Delay (by Options.Clock) and a number of
// Refusals; a new thing is invisible until its Delay has passed or its
// Refusals have been served, whichever comes first (a zero Delay or zero
// Refusals leaves only the other; both zero turn that kind off). Refusals
// make the model deterministic for tests (the first N uses fail, the next
// one succeeds) and Delay makes it behave like AWS for a client that waits.
//
// What AWS documents:
//
//   - IAM: changes are eventually consistent; a new entity may not be
//     usable at once, and AWS recommends verifying that a change has
//     propagated before a workflow depends on it (IAM User Guide,
//     Troubleshooting IAM, "Changes that I make are not always immediately
//     visible",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
//     KMS says so of key policies: "The principals in the key policy must
//     exist and be visible to KMS. When you create a new Amazon Web Services
//     principal, you might need to enforce a delay before including the new
//     principal in a key policy because the new principal might not be
//     immediately visible to KMS." (KMS API Reference, CreateKey and
//     PutKeyPolicy, Policy,
//     https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html).
//     A role, service-linked role or OIDC provider used as a principal
//     before it has propagated makes the policy invalid: IAM
//     MalformedPolicyDocument "Invalid principal in policy", KMS
//     MalformedPolicyDocumentException, ECR InvalidParameterException, S3
//     MalformedPolicy "Invalid principal in policy"; and sts:AssumeRole of
//     it is AccessDenied.
//   - Organizations: CreateAccount "can return a successful completion
//     message even though account initialization might still be in
//     progress. You might need to wait a few minutes before you can
//     successfully access the account." (Organizations API Reference,
//     CreateAccount,
//     https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
//     The new account's access role cannot be assumed (AccessDenied) yet.
//   - IAM Identity Center learns of a new member account from
//     Organizations, later; until then CreateAccountAssignment on it fails
//     as for an account outside the organization (ValidationException; the
//     IAM Identity Center API Reference lists ValidationException for
//     CreateAccountAssignment, without naming this case, so the message is
//     the emulator's own for a non-member account).
type Consistency struct {
	// PrincipalDelay and PrincipalRefusals: a role or service-linked role
	// created with the IAM API (CreateRole, CreateServiceLinkedRole), or an
	// OIDC provider (CreateOpenIDConnectProvider), is refused as a principal
	// by policy validation (IAM trust policies, KMS key policies, ECR
	// repository policies, S3 bucket policies) and sts:AssumeRole of the
	// role is AccessDenied.
	PrincipalDelay    time.Duration
	PrincipalRefusals int
	// AccountAccessDelay and AccountAccessRefusals: the access role
	// Organizations' CreateAccount makes in a new account cannot be assumed
	// (sts:AssumeRole is AccessDenied), counted from the moment the request
	// SUCCEEDED.
	AccountAccessDelay    time.Duration
	AccountAccessRefusals int
	// IdentityCenterDelay and IdentityCenterRefusals: IAM Identity Center
	// does not know a new account yet: sso-admin CreateAccountAssignment on
	// it fails with ValidationException, counted from the moment the
	// CreateAccount request SUCCEEDED.
	IdentityCenterDelay    time.Duration
	IdentityCenterRefusals int
}

// Propagation names one kind of eventual consistency the Consistency model
// knows.
type Propagation int

const (
	// PropagatePrincipal: a new IAM role, service-linked role or OIDC
	// provider, keyed by its ARN.
	PropagatePrincipal Propagation = iota + 1
	// PropagateAccountAccess: a new account's access role, keyed by its ARN.
	PropagateAccountAccess
	// PropagateIdentityCenter: a new account as IAM Identity Center sees it,
	// keyed by its ID.
	PropagateIdentityCenter
)

// limits returns the delay and refusals configured for p.
func (c Consistency) limits(p Propagation) (time.Duration, int) {
	switch p {
	case PropagatePrincipal:
		return c.PrincipalDelay, c.PrincipalRefusals
	case PropagateAccountAccess:
		return c.AccountAccessDelay, c.AccountAccessRefusals
	case PropagateIdentityCenter:
		return c.IdentityCenterDelay, c.IdentityCenterRefusals
	}
	return 0, 0
}

// propagating is one thing not yet visible.
type propagating struct {
	since   time.Time
	refused int
}

func propagationKey(p Propagation, id string) string {
	return string(rune('0'+p)) + "\x00" + strings.ToLower(id)
}

// propagations is the emulator-wide set of things not yet visible (a Global,
// so Reset starts without any).
func (e *Emulator) propagations() map[string]*propagating {
	return Global(e, "core/consistency", func() map[string]*propagating { return map[string]*propagating{} })
}

// StartPropagation records that id (an ARN or an account ID) of kind p was
// just created: it stays invisible for the configured delay or refusals. A
// no-op when the model is off for p. Called with e.mu held.
func (e *Emulator) StartPropagation(p Propagation, id string) {
	if d, n := e.opts.Consistency.limits(p); d <= 0 && n <= 0 {
		return
	}
	e.propagations()[propagationKey(p, id)] = &propagating{since: e.Now()}
}

// NotYetVisible reports whether id of kind p is still propagating, and if so
// counts one refusal: the caller must then refuse the request that used it.
// Once the delay has passed or the refusals have been served it reports
// false, for good. Called with e.mu held.
func (e *Emulator) NotYetVisible(p Propagation, id string) bool {
	ps := e.propagations()
	k := propagationKey(p, id)
	st := ps[k]
	if st == nil {
		return false
	}
	d, n := e.opts.Consistency.limits(p)
	if (d > 0 && !e.Now().Before(st.since.Add(d))) || (n > 0 && st.refused >= n) {
		delete(ps, k)
		return false
	}
	st.refused++
	return true
}
