package orgpolicy

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

// The Sids of the RCP guardrails' statements.
const (
	SidEnforceOrgIdentities     = "EnforceOrgIdentities"
	SidEnforceSecureTransport   = "EnforceSecureTransport"
	SidConfusedDeputyProtection = "EnforceConfusedDeputyProtection"
)

var orgIDRe = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// DefaultRCPActions are the actions the RCP guardrails cover by default:
// every action of S3, SQS, KMS and Secrets Manager, and the STS actions
// that act on a role (AWS's data perimeter examples leave out the STS
// actions a principal calls on itself).
var DefaultRCPActions = []string{"s3:*", "sqs:*", "kms:*", "secretsmanager:*",
	"sts:AssumeRole", "sts:DecodeAuthorizationMessage", "sts:GetAccessKeyInfo", "sts:GetFederationToken",
	"sts:GetServiceBearerToken", "sts:GetSessionToken", "sts:SetContext"}

// OrgIdentitiesOptions configure DenyExternalAccess.
type OrgIdentitiesOptions struct {
	// OrganizationID is the organization ("o-...") whose principals may
	// reach the resources (required).
	OrganizationID string
	// Actions default to DefaultRCPActions.
	Actions []string
	// ExemptAccounts are accounts outside the organization that may reach
	// them too (a partner, a vendor), by 12-digit ID.
	ExemptAccounts []string
	Sid            string
}

// DenyExternalAccess denies access to the organization's resources to
// principals outside it (AWS's RCP example "Enforce organization
// identities"): a Deny on requests whose aws:PrincipalOrgID is not the
// organization (StringNotEqualsIfExists) unless made by an AWS service
// (BoolIfExists aws:PrincipalIsAWSService false), for S3, SQS, KMS,
// Secrets Manager and STS by default.
func DenyExternalAccess(o OrgIdentitiesOptions) scp.Guardrail {
	f := newFaults("DenyExternalAccess")
	sid := f.sid(o.Sid, SidEnforceOrgIdentities)
	f.orgID(o.OrganizationID)
	actions := f.actions(o.Actions)
	cond := foundation.Conditions{
		"StringNotEqualsIfExists": {"aws:PrincipalOrgID": {o.OrganizationID}},
		"BoolIfExists":            {"aws:PrincipalIsAWSService": {"false"}},
	}
	if len(o.ExemptAccounts) > 0 {
		for i, a := range o.ExemptAccounts {
			if !accountRe.MatchString(a) {
				f.add(fmt.Sprintf("ExemptAccounts[%d]", i), a, "must be a 12-digit account ID")
			}
		}
		cond["StringNotEqualsIfExists"]["aws:PrincipalAccount"] = slices.Clone(o.ExemptAccounts)
	}
	return f.build(foundation.Statement{Sid: sid, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: actions, Resource: foundation.Resources("*"), Condition: cond})
}

var accountRe = regexp.MustCompile(`^\d{12}$`)

// SecureTransportOptions configure EnforceSecureTransport.
type SecureTransportOptions struct {
	// Actions default to every action of S3, SQS, KMS, Secrets Manager and
	// STS.
	Actions []string
	Sid     string
}

// EnforceSecureTransport denies requests to the organization's resources
// made without TLS (BoolIfExists aws:SecureTransport false), AWS's RCP
// example "Enforce secure transport".
func EnforceSecureTransport(o SecureTransportOptions) scp.Guardrail {
	f := newFaults("EnforceSecureTransport")
	sid := f.sid(o.Sid, SidEnforceSecureTransport)
	actions := o.Actions
	if len(actions) == 0 {
		actions = []string{"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"}
	}
	actions = f.actions(actions)
	return f.build(foundation.Statement{Sid: sid, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: actions, Resource: foundation.Resources("*"),
		Condition: foundation.Conditions{"BoolIfExists": {"aws:SecureTransport": {"false"}}}})
}

// ConfusedDeputyOptions configure ConfusedDeputyProtection.
type ConfusedDeputyOptions struct {
	// OrganizationID is the organization whose accounts' requests AWS
	// services may act for (required).
	OrganizationID string
	// Actions default to every action of S3, SQS, KMS, Secrets Manager and
	// STS.
	Actions []string
	Sid     string
}

// ConfusedDeputyProtection denies AWS services access to the
// organization's resources on behalf of accounts outside it (AWS's RCP
// example "Enforce confused deputy protection"): a Deny when the principal
// is an AWS service (Bool aws:PrincipalIsAWSService true), the request has
// a source account (Null aws:SourceAccount false) and its organization is
// not this one (StringNotEqualsIfExists aws:SourceOrgID).
func ConfusedDeputyProtection(o ConfusedDeputyOptions) scp.Guardrail {
	f := newFaults("ConfusedDeputyProtection")
	sid := f.sid(o.Sid, SidConfusedDeputyProtection)
	f.orgID(o.OrganizationID)
	actions := o.Actions
	if len(actions) == 0 {
		actions = []string{"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"}
	}
	actions = f.actions(actions)
	return f.build(foundation.Statement{Sid: sid, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: actions, Resource: foundation.Resources("*"),
		Condition: foundation.Conditions{
			"StringNotEqualsIfExists": {"aws:SourceOrgID": {o.OrganizationID}},
			"Null":                    {"aws:SourceAccount": {"false"}},
			"Bool":                    {"aws:PrincipalIsAWSService": {"true"}},
		}})
}

// BuildRCP composes guardrails into one resource control policy document,
// in the order given, and returns an error matching
// foundation.ErrInvalidSpec that lists every fault: the guardrails'
// options, Sids used twice, and the RCP grammar (ValidateRCP). The size
// is checked by Check and EnsurePolicy.
func BuildRCP(guardrails ...scp.Guardrail) (*foundation.PolicyDocument, error) {
	var errs []error
	var statements []foundation.Statement
	sids := map[string]string{}
	for i, g := range guardrails {
		sts, err := g.Statements()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, st := range sts {
			if prev, dup := sids[st.Sid]; dup && st.Sid != "" {
				errs = append(errs, specerr.New(pkg, fmt.Sprintf("guardrails[%d] (%s)", i, g.Name()), st.Sid, "Sid is already used by "+prev))
				continue
			}
			sids[st.Sid] = fmt.Sprintf("guardrails[%d] (%s)", i, g.Name())
			statements = append(statements, st)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	doc := foundation.NewPolicy(statements...)
	for _, p := range policyProblems(ValidateRCP(doc)) {
		errs = append(errs, specerr.New(pkg, "document", "", p))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return doc, nil
}

// MustBuildRCP is BuildRCP for guardrails known to be valid. It panics on
// error.
func MustBuildRCP(guardrails ...scp.Guardrail) *foundation.PolicyDocument {
	doc, err := BuildRCP(guardrails...)
	if err != nil {
		panic("orgpolicy: MustBuildRCP: " + err.Error())
	}
	return doc
}

// faults collects the faults of one guardrail's options.
type faults struct {
	name string
	errs []error
}

func newFaults(name string) *faults { return &faults{name: name} }

func (f *faults) add(field, value, rule string) {
	f.errs = append(f.errs, specerr.New(pkg, f.name+"."+field, value, rule))
}

func (f *faults) sid(s, def string) string {
	if s == "" {
		return def
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			f.add("Sid", s, "must contain only letters (A-Z, a-z) and digits")
			break
		}
	}
	return s
}

func (f *faults) orgID(id string) {
	if !orgIDRe.MatchString(id) {
		f.add("OrganizationID", id, `must be an organization ID ("o-" and 10 to 32 lowercase letters or digits)`)
	}
}

func (f *faults) actions(l []string) []string {
	if len(l) == 0 {
		l = DefaultRCPActions
	}
	for i, a := range l {
		svc, _, ok := splitAction(a)
		if !ok || !slices.Contains(RCPServices, svc) {
			f.add(fmt.Sprintf("Actions[%d]", i), a, "must be an action of a service resource control policies support ("+fmt.Sprint(RCPServices)+")")
		}
	}
	return slices.Clone(l)
}

func splitAction(a string) (svc, name string, ok bool) {
	for i := 0; i < len(a); i++ {
		if a[i] == ':' {
			return a[:i], a[i+1:], i > 0 && i < len(a)-1
		}
	}
	return "", "", false
}

func (f *faults) build(st foundation.Statement) scp.Guardrail {
	if len(f.errs) > 0 {
		return scp.NewGuardrail(f.name).WithErr(errors.Join(f.errs...))
	}
	return scp.NewGuardrail(f.name, st)
}
