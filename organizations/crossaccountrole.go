package organizations

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/iamrole"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes EnsureCrossAccountRole reports; their
// ID is the role's name (ROLE/POLICY for a policy of the role).
const (
	ResRole                    = iamrole.ResourceRole
	ResRoleTrustPolicy         = iamrole.ResourceRoleTrustPolicy
	ResRoleInlinePolicy        = iamrole.ResourceRoleInlinePolicy
	ResRoleManagedPolicy       = iamrole.ResourceRoleManagedPolicy
	ResRolePermissionsBoundary = iamrole.ResourceRolePermissionsBoundary
	ResRoleTags                = iamrole.ResourceRoleTags
	ResRoleSettings            = iamrole.ResourceRoleSettings
)

// Limits of a cross-account role.
const (
	// DefaultCrossAccountRoleMaxSession is the longest session of a role
	// whose spec leaves MaxSessionDuration zero, and AWS's default.
	DefaultCrossAccountRoleMaxSession = iamrole.DefaultMaxSessionDuration
	// MaxTrustPolicySize is the largest role trust policy IAM accepts, in
	// characters without whitespace, once its quota is raised to the
	// maximum; the default quota is 2,048.
	MaxTrustPolicySize = 4096
)

// AssumeRoleAction is the one action a cross-account trust policy allows.
const AssumeRoleAction = "sts:AssumeRole"

// CrossAccountRoleAPI is the part of the IAM client EnsureCrossAccountRole
// calls, with the SDK's exact signatures. *iam.Client (of
// github.com/aws/aws-sdk-go-v2/service/iam) satisfies it. It must act in
// the account the role is in: for a member account, build it from
// AccountConfig (or in a ForEachAccount task).
type CrossAccountRoleAPI interface {
	GetRole(ctx context.Context, params *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, params *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, params *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	UpdateRole(ctx context.Context, params *iam.UpdateRoleInput, optFns ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	PutRolePermissionsBoundary(ctx context.Context, params *iam.PutRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error)
	DeleteRolePermissionsBoundary(ctx context.Context, params *iam.DeleteRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error)

	ListRolePolicies(ctx context.Context, params *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(ctx context.Context, params *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, params *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, params *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)

	ListAttachedRolePolicies(ctx context.Context, params *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	AttachRolePolicy(ctx context.Context, params *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, params *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)

	ListRoleTags(ctx context.Context, params *iam.ListRoleTagsInput, optFns ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error)
	TagRole(ctx context.Context, params *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
}

var _ CrossAccountRoleAPI = (*iam.Client)(nil)

// CrossAccountRoleSpec is an IAM role that principals of other accounts
// assume with sts:AssumeRole: the role seed 002's "cross-account role
// assumption for accessing shared services" needs. Its trust names the
// trusted accounts or principals exactly; wildcards are refused.
type CrossAccountRoleSpec struct {
	// Name is the role's name (required, 1-64 of letters, digits and
	// + = , . @ _ -).
	Name string
	// Path is the role's path, "/" by default. IAM cannot change the path
	// of an existing role: a role of this name at another path is a
	// *RoleConflictError.
	Path string
	// Description of the role (at most 1000 characters); converged.
	Description string

	// TrustedAccountIDs are the 12-digit IDs of the accounts whose
	// principals may assume the role. The trust names each account's root
	// (arn:PARTITION:iam::ID:root), which delegates to that account: any
	// of its principals whose own IAM policies allow sts:AssumeRole on
	// this role may assume it.
	TrustedAccountIDs []string
	// TrustedPrincipalARNs are the exact ARNs of roles or users (or an
	// account root) that may assume the role:
	// "arn:aws:iam::111122223333:role/ci/Deployer". No wildcards. A role
	// named here must exist: IAM refuses a trust naming one that does not,
	// and if it is deleted later IAM replaces it in the trust with its
	// unique ID (drift that EnsureCrossAccountRole reports and cannot put
	// back until the role exists again).
	//
	// At least one of TrustedAccountIDs and TrustedPrincipalARNs is
	// required.
	TrustedPrincipalARNs []string
	// Partition of the trusted principals: "aws" (default), "aws-cn",
	// "aws-us-gov", ... The trusted account roots are built in it and
	// TrustedPrincipalARNs must be in it (trust does not cross partitions).
	Partition string
	// ExternalID, when set, must be passed by the caller (sts:ExternalId,
	// StringEquals): the confused-deputy guard for roles a third party
	// assumes. 2 to 1224 letters, digits or + = , . @ : / _ -.
	ExternalID string
	// RequireMFA allows only sessions authenticated with MFA
	// (Bool aws:MultiFactorAuthPresent "true"): for roles humans assume.
	// CI and other programs cannot use such a role.
	RequireMFA bool

	// MaxSessionDuration is the longest session, 1 to 12 hours; default
	// one hour. Converged.
	MaxSessionDuration time.Duration

	// InlinePolicies are the role's inline policies, by name; each is put
	// when missing or different in meaning (foundation.PolicyDocument.Equal).
	InlinePolicies map[string]*foundation.PolicyDocument
	// PruneInlinePolicies deletes the role's inline policies that are not
	// in InlinePolicies. Default: they are kept (and not reported).
	PruneInlinePolicies bool
	// ManagedPolicyARNs are the managed policies attached to the role. By
	// default the attachments converge to exactly this set: policies
	// attached by hand are detached.
	ManagedPolicyARNs []string
	// KeepUnlistedManagedPolicies turns the exact set into an additive one.
	KeepUnlistedManagedPolicies bool
	// PermissionsBoundary is the ARN of the managed policy set as the
	// role's permissions boundary; converged when set. Empty leaves the
	// boundary as it is.
	PermissionsBoundary string
	// RemovePermissionsBoundary removes the role's permissions boundary.
	// It excludes PermissionsBoundary.
	RemovePermissionsBoundary bool
	// Tags are put on the role; tags with other keys are kept. A role this
	// creates also carries managed-by=foundation.
	Tags map[string]string
	// Adopt converges a role made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (unlisted policies stay).
	// Without it such a role is a *foundation.NotManagedError before any
	// write.
	Adopt bool
}

// CrossAccountRole is the role EnsureCrossAccountRole converged.
type CrossAccountRole struct {
	// ARN of the role; empty in dry run when the role does not exist yet
	// (the IAM client does not say which account it acts in).
	ARN  string
	Name string
	Path string
	// TrustPolicy is the trust policy the role has after the run.
	TrustPolicy *foundation.PolicyDocument
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the role was already converged.
	Changes foundation.Changes
}

// RoleConflictError is returned when a role of the spec's name exists but
// cannot be converged in place: IAM cannot change a role's path. Match it
// with errors.As. It is the library's one role conflict error (also
// oidcfed.RoleConflictError): Package names the package, Role the role,
// Have its path and Want the spec's; Reason() explains it. It matches
// foundation.ErrConflict.
type RoleConflictError = iamrole.RoleConflictError

// EnsureCrossAccountRole converges, in the account api acts in, a role that
// the spec's other accounts (or exact principals of them) assume with
// sts:AssumeRole. Its trust policy (CrossAccountTrustPolicy) allows only
// sts:AssumeRole, to exactly the trusted account roots and principal ARNs,
// with StringEquals on sts:ExternalId when ExternalID is set and
// Bool aws:MultiFactorAuthPresent when RequireMFA is.
//
// The role is created when missing (trust policy, description, maximum
// session duration, boundary, tags, then its policies); otherwise each
// setting is read and written only when it differs, restrictions before
// grants: the trust policy (compared by meaning, put back with
// UpdateAssumeRolePolicy when someone widened it), the boundary, managed
// policies (exactly ManagedPolicyARNs unless KeepUnlistedManagedPolicies),
// inline policies (put when missing or different; others deleted only with
// PruneInlinePolicies), description and maximum session duration, tags
// (spec.Tags put, others kept). It is the engine oidcfed.EnsureCIRole uses.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made. Refused trust: no trusted
// principal, "*", a wildcard anywhere in an account ID or principal ARN, an
// ARN that is not an exact account root, role or user, a principal of
// another partition, a malformed external ID.
func EnsureCrossAccountRole(ctx context.Context, api CrossAccountRoleAPI, spec CrossAccountRoleSpec, opts ...foundation.Option) (*CrossAccountRole, error) {
	s := spec.withDefaults()
	errs := s.faults()
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := call.Resolve(opts...)
	for i, id := range s.TrustedAccountIDs {
		if plan.IsPredicted(id) && !o.DryRun {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("spec.TrustedAccountIDs[%d]", i), id, predictedAccountRule))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	doc := s.trustPolicy()
	rec := plan.New(o)
	got, err := iamrole.Ensure(ctx, api, s.role(doc), o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	return &CrossAccountRole{ARN: got.ARN, Name: s.Name, Path: got.Path, TrustPolicy: doc, Changes: got.Changes}, nil
}

// CrossAccountTrustPolicy returns the trust policy EnsureCrossAccountRole
// gives a role of this spec, after checking the fields it is made of
// (TrustedAccountIDs, TrustedPrincipalARNs, Partition, ExternalID); an
// invalid spec returns an error matching foundation.ErrInvalidSpec.
//
//	{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
//	  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}
func CrossAccountTrustPolicy(spec CrossAccountRoleSpec) (*foundation.PolicyDocument, error) {
	s := spec.withDefaults()
	if errs := s.trustFaults(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s.trustPolicy(), nil
}

// Validate reports every fault of the spec (defaults applied) in one error
// matching foundation.ErrInvalidSpec; EnsureCrossAccountRole calls it
// before any call.
func (s CrossAccountRoleSpec) Validate() error { return errors.Join(s.withDefaults().faults()...) }

func (s CrossAccountRoleSpec) withDefaults() CrossAccountRoleSpec {
	if s.Path == "" {
		s.Path = "/"
	}
	if s.Partition == "" {
		s.Partition = "aws"
	}
	if s.MaxSessionDuration == 0 {
		s.MaxSessionDuration = DefaultCrossAccountRoleMaxSession
	}
	return s
}

// role is the spec (defaults applied) as the role engine takes it.
func (s CrossAccountRoleSpec) role(trust *foundation.PolicyDocument) iamrole.Spec {
	return iamrole.Spec{
		Package:                     pkg,
		Name:                        s.Name,
		Path:                        s.Path,
		Description:                 s.Description,
		Trust:                       trust,
		MaxSessionDuration:          s.MaxSessionDuration,
		InlinePolicies:              s.InlinePolicies,
		PruneInlinePolicies:         s.PruneInlinePolicies,
		ManagedPolicyARNs:           s.ManagedPolicyARNs,
		KeepUnlistedManagedPolicies: s.KeepUnlistedManagedPolicies,
		PermissionsBoundary:         s.PermissionsBoundary,
		RemovePermissionsBoundary:   s.RemovePermissionsBoundary,
		Tags:                        s.Tags,
		Adopt:                       s.Adopt,
		AdoptField:                  "spec.Adopt",
	}
}

func (s CrossAccountRoleSpec) faults() []error {
	errs := s.trustFaults()
	if len(errs) == 0 {
		if n := len(strings.Join(strings.Fields(s.trustPolicy().MustJSON()), "")); n > MaxTrustPolicySize {
			errs = append(errs, specerr.New(pkg, "spec.TrustedPrincipalARNs", "",
				fmt.Sprintf("the trust policy would be %d characters, more than IAM's largest (%d; the default quota is 2048)", n, MaxTrustPolicySize)))
		}
	}
	return append(errs, iamrole.Faults(s.role(nil))...)
}

var (
	partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
	// trustedARNRe is an exact IAM principal ARN: an account root, or a
	// role or user with an optional path.
	trustedARNRe = regexp.MustCompile(`^arn:([a-z-]+):iam::([0-9]{12}):(root|(role|user)/([\x21-\x7E]*/)?[\w+=,.@-]{1,64})$`)
)

// trustFaults checks the fields that make the trust policy.
func (s CrossAccountRoleSpec) trustFaults() []error {
	var f faults
	partitionOK := slices.Contains(partitions, s.Partition)
	if !partitionOK {
		f.add("spec.Partition", s.Partition, "must be an AWS partition: "+strings.Join(partitions, ", "))
	}
	if len(s.TrustedAccountIDs) == 0 && len(s.TrustedPrincipalARNs) == 0 {
		f.add("spec.TrustedAccountIDs", "", "no trusted principal: name the accounts (TrustedAccountIDs) or the exact principals (TrustedPrincipalARNs) that may assume the role")
	}
	seen := map[string]string{} // principal ARN -> field that named it
	dup := func(field, v, arn string) {
		if prev, ok := seen[arn]; ok {
			f.add(field, v, "duplicates "+prev)
			return
		}
		seen[arn] = field
	}
	for i, id := range s.TrustedAccountIDs {
		field := fmt.Sprintf("spec.TrustedAccountIDs[%d]", i)
		switch {
		case id == "*":
			f.add(field, id, "would trust every AWS account: name each trusted account")
		case strings.ContainsAny(id, "*?"):
			f.add(field, id, "has a wildcard: would trust other AWS accounts; name each trusted account exactly")
		case !accountIDRe.MatchString(id) && !plan.IsPredicted(id): // predicted: a dry run plans with it (EnsureCrossAccountRole)
			f.add(field, id, "must be a 12-digit account ID")
		default:
			dup(field, id, rootARN(s.Partition, id))
		}
	}
	for i, principal := range s.TrustedPrincipalARNs {
		field := fmt.Sprintf("spec.TrustedPrincipalARNs[%d]", i)
		parsed, perr := arn.Parse(principal)
		switch {
		case principal == "":
			f.add(field, "", "must not be empty")
		case principal == "*":
			f.add(field, principal, `is "*": would trust every AWS principal, in every account`)
		case perr == nil && strings.ContainsAny(parsed.AccountID, "*?"):
			f.add(field, principal, "has a wildcard in the account ID: would trust principals of other AWS accounts; name each account exactly")
		case strings.ContainsAny(principal, "*?"):
			f.add(field, principal, "has a wildcard: a trusted principal must be an exact ARN (IAM does not match wildcards in a trust policy's Principal)")
		case accountIDRe.MatchString(principal):
			f.add(field, principal, "is an account ID: list it in spec.TrustedAccountIDs")
		default:
			m := trustedARNRe.FindStringSubmatch(principal)
			switch {
			case m == nil:
				f.add(field, principal, "must be the exact ARN of an account root, a role or a user (arn:aws:iam::111122223333:role/NAME)")
			case partitionOK && m[1] != s.Partition:
				f.add(field, principal, fmt.Sprintf("is in partition %q, not spec.Partition %q: trust does not cross partitions", m[1], s.Partition))
			default:
				dup(field, principal, principal)
			}
		}
	}
	if id := s.ExternalID; id != "" && (len(id) < 2 || len(id) > 1224 || !externalIDRe.MatchString(id)) {
		f.add("spec.ExternalID", id, "must be 2 to 1224 letters, digits or + = , . @ : / _ -")
	}
	return f
}

// rootARN is the ARN of an account's root principal:
// "arn:aws:iam::111122223333:root".
func rootARN(partition, accountID string) string {
	return arn.ARN{Partition: partition, Service: "iam", AccountID: accountID, Resource: "root"}.String()
}

// trustPolicy builds the document of a valid spec: one statement allowing
// sts:AssumeRole to the trusted account roots, then the trusted principal
// ARNs, in spec order.
func (s CrossAccountRoleSpec) trustPolicy() *foundation.PolicyDocument {
	var principals []string
	for _, id := range s.TrustedAccountIDs {
		principals = append(principals, rootARN(s.Partition, id))
	}
	principals = append(principals, s.TrustedPrincipalARNs...)
	st := foundation.Statement{
		Effect:    foundation.EffectAllow,
		Principal: foundation.AWSPrincipal(principals...),
		Action:    foundation.Actions(AssumeRoleAction),
	}
	if s.ExternalID != "" || s.RequireMFA {
		st.Condition = foundation.Conditions{}
		if s.ExternalID != "" {
			st.Condition["StringEquals"] = map[string]foundation.StringList{"sts:ExternalId": {s.ExternalID}}
		}
		if s.RequireMFA {
			st.Condition["Bool"] = map[string]foundation.StringList{"aws:MultiFactorAuthPresent": {"true"}}
		}
	}
	return foundation.NewPolicy(st)
}
