package kms

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Sids of the statements of AWS's default key policy, which KeyPolicy
// writes. They contain spaces, as AWS's own do: KMS accepts them, IAM
// identity policies would not.
const (
	SidEnableIAMUserPermissions  = "Enable IAM User Permissions"
	SidKeyAdministrators         = "Allow access for Key Administrators"
	SidKeyUsers                  = "Allow use of the key"
	SidAttachPersistentResources = "Allow attachment of persistent resources"
)

// MaxKeyPolicySize is the largest key policy KMS accepts, in bytes.
const MaxKeyPolicySize = 32768

const (
	defaultPartition               = "aws"
	conditionGrantIsForAWSResource = "kms:GrantIsForAWSResource"
	conditionViaService            = "kms:ViaService"
	conditionSourceAccount         = "aws:SourceAccount"
	resourceAll                    = "*"
)

// principalKind is what a Principal names.
type principalKind string

const (
	principalKindAWS               principalKind = "AWS"
	principalKindService           principalKind = "Service"
	principalKindServiceLinkedRole principalKind = "ServiceLinkedRole"
)

// The actions of AWS's default key policy statements.
var (
	// AdministratorActions are granted to KeyPolicy.Administrators: manage
	// the key, not use it.
	AdministratorActions = []string{
		"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
		"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
		"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
	}
	// UseActions are granted to KeyPolicy.Users: cryptographic use of a
	// symmetric encryption key.
	UseActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
	// PersistentResourceActions are granted to KeyPolicy.Users when the
	// grant is for an AWS resource (kms:GrantIsForAWSResource): what EBS,
	// RDS or EKS need to attach the key to a volume or a cluster.
	PersistentResourceActions = []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
)

// Principal is a principal of a key policy: an IAM ARN or account (AWS), an
// AWS service (Service) or the service-linked role of a service
// (ServiceLinkedRole), which EnsureKey creates before it puts the policy.
// The zero value is invalid.
type Principal struct {
	kind   principalKind
	value  string
	suffix string
}

// AWS returns a principal naming an account (12-digit ID or root ARN), an
// IAM role or user, an assumed-role session or a federated user, by ARN.
func AWS(arnOrAccountID string) Principal {
	return Principal{kind: principalKindAWS, value: arnOrAccountID}
}

// Service returns a service principal ("eks.amazonaws.com").
func Service(name string) Principal { return Principal{kind: principalKindService, value: name} }

// ServiceLinkedRole returns the service-linked role of a service
// ("autoscaling.amazonaws.com") as a principal: in the key's account it is
// arn:aws:iam::ACCOUNT:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling.
// A key policy naming a role that does not exist is refused by KMS, so
// EnsureKey creates the role first (see EnsureServiceLinkedRole).
func ServiceLinkedRole(service string) Principal {
	return Principal{kind: principalKindServiceLinkedRole, value: service}
}

// WithSuffix returns the service-linked role with a custom suffix
// (AWSServiceRoleForAutoScaling_suffix). It is only meaningful for
// ServiceLinkedRole principals.
func (p Principal) WithSuffix(suffix string) Principal { p.suffix = suffix; return p }

// String describes the principal.
func (p Principal) String() string {
	switch {
	case p.kind == "":
		return "(zero Principal)"
	case p.suffix != "":
		return string(p.kind) + ":" + p.value + " (suffix " + p.suffix + ")"
	default:
		return string(p.kind) + ":" + p.value
	}
}

// IsServiceLinkedRole reports whether p is a ServiceLinkedRole principal.
func (p Principal) IsServiceLinkedRole() bool { return p.kind == principalKindServiceLinkedRole }

func (p Principal) linkedRoleSpec() ServiceLinkedRoleSpec {
	return ServiceLinkedRoleSpec{AWSServiceName: p.value, CustomSuffix: p.suffix}
}

// Grant is one more statement of a key policy: Principals may call Actions
// on the key, under the given conditions.
type Grant struct {
	// Sid names the statement (required, unique in the policy; spaces
	// allowed: "Allow EKS").
	Sid string
	// Principals, at least one.
	Principals []Principal
	// Actions, at least one, each "kms:..." (wildcards allowed).
	Actions []string
	// ViaServices limits the grant to requests made through those services
	// on the principals' behalf (StringEquals kms:ViaService, e.g.
	// "ec2.us-east-1.amazonaws.com").
	ViaServices []string
	// SourceAccount limits the grant to requests a service makes for the
	// key's account (StringEquals aws:SourceAccount), AWS's protection
	// against the confused deputy for service principals.
	SourceAccount bool
	// Condition is added to the statement as it is.
	Condition foundation.Conditions
}

// KeyPolicy builds a key policy in the shape of AWS's default key policy:
//
//   - "Enable IAM User Permissions": the account's root gets kms:*, so that
//     IAM policies of the account can grant access to the key (always
//     present: without it the key can become unmanageable);
//   - "Allow access for Key Administrators": Administrators get
//     AdministratorActions (when there are any);
//   - "Allow use of the key" and "Allow attachment of persistent
//     resources": Users get UseActions, and PersistentResourceActions when
//     kms:GrantIsForAWSResource is true (when there are any);
//   - one statement per Grant, then Statements as they are.
//
// Every statement has Resource "*" (the key itself).
type KeyPolicy struct {
	// AccountID is the account that owns the key (required).
	AccountID string
	// Partition is the key's partition; default "aws".
	Partition string
	// Administrators may manage the key (AWS or ServiceLinkedRole
	// principals).
	Administrators []Principal
	// Users may use the key (AWS or ServiceLinkedRole principals).
	Users []Principal
	// UsersViaServices limits both user statements to requests made
	// through those services (kms:ViaService).
	UsersViaServices []string
	// Grants are further statements, for service principals and grants of
	// other actions.
	Grants []Grant
	// Statements are added as they are, after the others.
	Statements []foundation.Statement
}

func (p KeyPolicy) partition() string {
	if p.Partition == "" {
		return defaultPartition
	}
	return p.Partition
}

// principals returns every principal the policy names.
func (p KeyPolicy) principals() []Principal {
	all := slices.Concat(p.Administrators, p.Users)
	for _, g := range p.Grants {
		all = append(all, g.Principals...)
	}
	return all
}

// ServiceLinkedRoles returns the specs of the service-linked roles the
// policy names, without duplicates, in the order first named.
func (p KeyPolicy) ServiceLinkedRoles() []ServiceLinkedRoleSpec {
	var out []ServiceLinkedRoleSpec
	for _, pr := range p.principals() {
		if pr.IsServiceLinkedRole() && !slices.Contains(out, pr.linkedRoleSpec()) {
			out = append(out, pr.linkedRoleSpec())
		}
	}
	return out
}

// namesIAMPrincipals reports whether the policy names a role, user or
// service-linked role (which may be new and still propagating), not only
// accounts and services.
func (p KeyPolicy) namesIAMPrincipals() bool {
	for _, pr := range p.principals() {
		if pr.IsServiceLinkedRole() || pr.kind == principalKindAWS && !accountIDRe.MatchString(pr.value) && !strings.HasSuffix(pr.value, ":root") {
			return true
		}
	}
	for _, st := range p.Statements {
		if st.Principal != nil {
			for _, a := range st.Principal.AWS {
				if !accountIDRe.MatchString(a) && !strings.HasSuffix(a, ":root") && a != "*" {
					return true
				}
			}
		}
	}
	return false
}

// arn returns the principal's value in the policy.
func (p KeyPolicy) principalValue(pr Principal) string {
	switch pr.kind {
	case principalKindServiceLinkedRole:
		spec := pr.linkedRoleSpec()
		return fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", p.partition(), p.AccountID, spec.AWSServiceName, spec.roleName())
	default:
		return pr.value
	}
}

func (p KeyPolicy) principal(prs []Principal) *foundation.Principal {
	out := &foundation.Principal{}
	for _, pr := range prs {
		if pr.kind == principalKindService {
			out.Service = append(out.Service, pr.value)
		} else {
			out.AWS = append(out.AWS, p.principalValue(pr))
		}
	}
	return out
}

// RootARN returns the ARN of the account's root ("arn:aws:iam::ACCOUNT:root").
func (p KeyPolicy) RootARN() string {
	return "arn:" + p.partition() + ":iam::" + p.AccountID + ":root"
}

// Document validates the builder and returns the key policy document. An
// invalid builder returns an error matching foundation.ErrInvalidSpec.
func (p KeyPolicy) Document() (*foundation.PolicyDocument, error) {
	doc, errs := p.document("policy")
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return doc, nil
}

// document builds the document and lists every fault; path prefixes the
// fields in the faults ("spec.Policy").
func (p KeyPolicy) document(path string) (*foundation.PolicyDocument, []error) {
	errs := p.faults(path)
	if len(errs) > 0 {
		return nil, errs
	}
	doc := foundation.NewPolicy(foundation.Statement{
		Sid: SidEnableIAMUserPermissions, Effect: foundation.EffectAllow,
		Principal: foundation.AWSPrincipal(p.RootARN()),
		Action:    foundation.Actions("kms:*"), Resource: foundation.Resources(resourceAll),
	})
	if len(p.Administrators) > 0 {
		doc.Statement = append(doc.Statement, foundation.Statement{
			Sid: SidKeyAdministrators, Effect: foundation.EffectAllow, Principal: p.principal(p.Administrators),
			Action: slices.Clone(AdministratorActions), Resource: foundation.Resources(resourceAll),
		})
	}
	if len(p.Users) > 0 {
		var via foundation.Conditions
		if len(p.UsersViaServices) > 0 {
			via = foundation.Conditions{"StringEquals": {conditionViaService: slices.Clone(p.UsersViaServices)}}
		}
		doc.Statement = append(doc.Statement, foundation.Statement{
			Sid: SidKeyUsers, Effect: foundation.EffectAllow, Principal: p.principal(p.Users),
			Action: slices.Clone(UseActions), Resource: foundation.Resources(resourceAll), Condition: cloneConditions(via),
		})
		attach := foundation.Conditions{"Bool": {conditionGrantIsForAWSResource: {"true"}}}
		for op, kv := range via {
			attach[op] = kv
		}
		doc.Statement = append(doc.Statement, foundation.Statement{
			Sid: SidAttachPersistentResources, Effect: foundation.EffectAllow, Principal: p.principal(p.Users),
			Action: slices.Clone(PersistentResourceActions), Resource: foundation.Resources(resourceAll), Condition: attach,
		})
	}
	for _, g := range p.Grants {
		st := foundation.Statement{
			Sid: g.Sid, Effect: foundation.EffectAllow, Principal: p.principal(g.Principals),
			Action: slices.Clone(g.Actions), Resource: foundation.Resources(resourceAll),
		}
		cond := cloneConditions(g.Condition)
		add := func(op, key string, values ...string) {
			if cond == nil {
				cond = foundation.Conditions{}
			}
			if cond[op] == nil {
				cond[op] = map[string]foundation.StringList{}
			}
			cond[op][key] = append(cond[op][key], values...)
		}
		if len(g.ViaServices) > 0 {
			add("StringEquals", conditionViaService, g.ViaServices...)
		}
		if g.SourceAccount {
			add("StringEquals", conditionSourceAccount, p.AccountID)
		}
		st.Condition = cond
		doc.Statement = append(doc.Statement, st)
	}
	for _, st := range p.Statements {
		doc.Statement = append(doc.Statement, st.Clone())
	}
	if errs := checkKeyPolicy(doc, path); len(errs) > 0 {
		return nil, errs
	}
	return doc, nil
}

func cloneConditions(c foundation.Conditions) foundation.Conditions {
	if c == nil {
		return nil
	}
	return foundation.NewPolicy(foundation.Statement{Condition: c}).Statement[0].Condition
}

var (
	accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	partitionRe = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	// iamARNRe matches the IAM principals a key policy accepts: an
	// account's root, a role, a user, an assumed-role session, a federated
	// user.
	iamARNRe  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:(iam::[0-9]{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)|sts::[0-9]{12}:(assumed-role/[\w+=,.@-]+/[\w+=,.@-]+|federated-user/[\w+=,.@-]+))$`)
	kmsActRe  = regexp.MustCompile(`^kms:[A-Za-z*?]+$`)
	viaSvcRe  = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)
	sidAnyRe  = regexp.MustCompile(`^[\x20-\x7e]+$`)
	condKeyRe = regexp.MustCompile(`^[A-Za-z0-9:/_.-]+$`)
)

func (p KeyPolicy) faults(path string) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, path+field, value, rule)) }
	switch {
	case p.AccountID == "":
		bad(".AccountID", "", "is required (the account that owns the key)")
	case !accountIDRe.MatchString(p.AccountID) && !plan.IsPredicted(p.AccountID): // predicted: EnsureKey plans with it in a dry run only
		bad(".AccountID", p.AccountID, "must be 12 digits")
	}
	if p.Partition != "" && !partitionRe.MatchString(p.Partition) {
		bad(".Partition", p.Partition, `must be an AWS partition such as "aws", "aws-cn" or "aws-us-gov"`)
	}
	checkPrincipals := func(field string, prs []Principal, services bool) {
		for i, pr := range prs {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch pr.kind {
			case principalKindAWS:
				if !accountIDRe.MatchString(pr.value) && !iamARNRe.MatchString(pr.value) {
					bad(f, pr.value, "must be a 12-digit account ID or the ARN of an account root, IAM role or user, assumed-role session or federated user")
				} else if part := strings.Split(pr.value, ":"); len(part) > 1 && part[1] != p.partition() {
					bad(f, pr.value, fmt.Sprintf("must be in the key's partition %q", p.partition()))
				}
			case principalKindService:
				if !services {
					bad(f, pr.value, "must not be a service principal: give services a Grant (with SourceAccount or the conditions AWS documents for the service)")
				} else if !servicePrincipalRe.MatchString(pr.value) {
					bad(f, pr.value, `must be a service principal such as "eks.amazonaws.com"`)
				}
			case principalKindServiceLinkedRole:
				errs = append(errs, pr.linkedRoleSpec().faults(path+f)...)
			default:
				bad(f, "", "must be built with AWS, Service or ServiceLinkedRole")
			}
		}
	}
	checkPrincipals(".Administrators", p.Administrators, false)
	checkPrincipals(".Users", p.Users, false)
	checkVia := func(field string, via []string) {
		for i, v := range via {
			if !viaSvcRe.MatchString(v) {
				bad(fmt.Sprintf("%s[%d]", field, i), v, `must be a service endpoint such as "ec2.us-east-1.amazonaws.com"`)
			}
		}
	}
	checkVia(".UsersViaServices", p.UsersViaServices)
	if len(p.UsersViaServices) > 0 && len(p.Users) == 0 {
		bad(".UsersViaServices", "", "needs Users")
	}
	reserved := []string{SidEnableIAMUserPermissions, SidKeyAdministrators, SidKeyUsers, SidAttachPersistentResources}
	sids := map[string]string{}
	for i, g := range p.Grants {
		f := fmt.Sprintf(".Grants[%d]", i)
		switch {
		case g.Sid == "":
			bad(f+".Sid", "", "is required")
		case slices.Contains(reserved, g.Sid):
			bad(f+".Sid", g.Sid, "is the Sid of one of the standard statements")
		case sids[g.Sid] != "":
			bad(f+".Sid", g.Sid, "duplicates "+sids[g.Sid])
		default:
			sids[g.Sid] = f + ".Sid"
		}
		if len(g.Principals) == 0 {
			bad(f+".Principals", "", "must name at least one principal")
		}
		checkPrincipals(f+".Principals", g.Principals, true)
		if len(g.Actions) == 0 {
			bad(f+".Actions", "", "must have at least one action")
		}
		for j, a := range g.Actions {
			if !kmsActRe.MatchString(a) {
				bad(fmt.Sprintf("%s.Actions[%d]", f, j), a, `must be a KMS action such as "kms:Decrypt" (wildcards allowed)`)
			}
		}
		checkVia(f+".ViaServices", g.ViaServices)
	}
	for i, st := range p.Statements {
		if st.Sid == "" {
			continue
		}
		f := fmt.Sprintf(".Statements[%d].Sid", i)
		if slices.Contains(reserved, st.Sid) {
			bad(f, st.Sid, "is the Sid of one of the standard statements")
		} else if sids[st.Sid] != "" {
			bad(f, st.Sid, "duplicates "+sids[st.Sid])
		} else {
			sids[st.Sid] = path + f
		}
	}
	return errs
}

// checkKeyPolicy performs the checks KMS makes on a key policy.
// foundation.PolicyDocument.Validate is not used: it applies IAM's rule
// that a Sid is letters and digits only, and AWS's own default key policy
// has Sids with spaces ("Enable IAM User Permissions"), which KMS accepts.
func checkKeyPolicy(d *foundation.PolicyDocument, path string) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, path+field, value, rule)) }
	if d.Version != foundation.PolicyVersion {
		bad(".Version", d.Version, fmt.Sprintf("must be %q", foundation.PolicyVersion))
	}
	if len(d.Statement) == 0 {
		bad(".Statement", "", "must have at least one statement")
	}
	sids := map[string]int{}
	for i, st := range d.Statement {
		f := fmt.Sprintf(".Statement[%d]", i)
		if st.Sid != "" {
			if !sidAnyRe.MatchString(st.Sid) {
				bad(f+".Sid", st.Sid, "must be printable ASCII")
			}
			if j, dup := sids[st.Sid]; dup {
				bad(f+".Sid", st.Sid, fmt.Sprintf("duplicates Statement[%d].Sid", j))
			}
			sids[st.Sid] = i
		}
		if st.Effect != foundation.EffectAllow && st.Effect != foundation.EffectDeny {
			bad(f+".Effect", string(st.Effect), `must be "Allow" or "Deny"`)
		}
		if (len(st.Action) > 0) == (len(st.NotAction) > 0) {
			bad(f, "", "must have exactly one of Action and NotAction")
		}
		for _, a := range slices.Concat(st.Action, st.NotAction) {
			if a != "*" && !kmsActRe.MatchString(a) {
				bad(f+".Action", a, `must be "*" or a KMS action ("kms:...")`)
			}
		}
		if (st.Principal == nil) == (st.NotPrincipal == nil) {
			bad(f, "", "must have exactly one of Principal and NotPrincipal (key policies name their principals)")
		}
		for _, pr := range []*foundation.Principal{st.Principal, st.NotPrincipal} {
			if pr == nil {
				continue
			}
			if !pr.Wildcard && len(pr.AWS)+len(pr.Service)+len(pr.Federated)+len(pr.CanonicalUser) == 0 {
				bad(f+".Principal", "", "must name at least one principal")
			}
			for _, a := range pr.AWS {
				// An account a dry run would create is checked with a
				// stand-in for its predicted ID (EnsureKey refuses it in a
				// real run).
				std := plan.ReplacePredicted(a, func(string) string { return "000000000000" })
				if a != "*" && !accountIDRe.MatchString(std) && !iamARNRe.MatchString(std) {
					bad(f+".Principal.AWS", a, "must be an account ID, an IAM ARN or \"*\"")
				}
			}
			for _, s := range pr.Service {
				if !servicePrincipalRe.MatchString(s) {
					bad(f+".Principal.Service", s, "must be a service principal (\"x.amazonaws.com\")")
				}
			}
		}
		if len(st.Resource) == 0 && len(st.NotResource) == 0 {
			bad(f+".Resource", "", `is required ("*": the key itself)`)
		}
		if len(st.Resource) > 0 && len(st.NotResource) > 0 {
			bad(f, "", "must not have both Resource and NotResource")
		}
		for op, kv := range st.Condition {
			if op == "" || len(kv) == 0 {
				bad(f+".Condition", op, "every operator needs at least one condition key")
			}
			for k, v := range kv {
				if !condKeyRe.MatchString(k) || len(v) == 0 {
					bad(f+".Condition."+op, k, "must be a condition key with at least one value")
				}
			}
		}
	}
	if js, err := d.JSON(); err != nil {
		bad("", "", err.Error())
	} else if len(js) > MaxKeyPolicySize {
		bad("", "", fmt.Sprintf("is %d bytes, more than the %d bytes KMS allows for a key policy", len(js), MaxKeyPolicySize))
	}
	return errs
}
