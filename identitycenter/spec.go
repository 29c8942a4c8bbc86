package identitycenter

import (
	"fmt"
	"time"

	"github.com/awsfoundation/foundation"
)

const pkg = "identitycenter"

// Resource names used in Changes.
const (
	ResUser                  = "identitystore:user"
	ResGroup                 = "identitystore:group"
	ResMembership            = "identitystore:group-membership"
	ResPermissionSet         = "sso:permission-set"
	ResPermissionSetTags     = "sso:permission-set-tags"
	ResInlinePolicy          = "sso:permission-set-inline-policy"
	ResManagedPolicy         = "sso:managed-policy-attachment"
	ResCustomerManagedPolicy = "sso:customer-managed-policy-attachment"
	ResPermissionsBoundary   = "sso:permissions-boundary"
	ResProvisioning          = "sso:provisioning"
	ResAssignment            = "sso:account-assignment"
	ResProfile               = "aws-config:profile"
	ResSSOSession            = "aws-config:sso-session"
)

// Limits AWS enforces, checked before any call.
const (
	// MaxPermissionSetNameLen is the longest permission set name.
	MaxPermissionSetNameLen = 32
	// MaxDescriptionLen is the longest permission set description.
	MaxDescriptionLen = 700
	// MaxRelayStateLen is the longest relay state URL.
	MaxRelayStateLen = 240
	// MaxInlinePolicySize is the largest inline policy, in characters of its
	// minified JSON.
	MaxInlinePolicySize = 10240
	// MaxPolicyAttachments is the most AWS managed plus customer managed
	// policies one permission set can have (the quota, once raised from
	// its default of 10).
	MaxPolicyAttachments = 20
	// MaxTags is the most tags a permission set can have.
	MaxTags = 50
)

// DefaultAssignmentConcurrency is how many CreateAccountAssignment (or
// DeleteAccountAssignment) requests EnsureAssignments and EnsureAccess keep
// outstanding at once by default: AWS processes at most 10 outstanding
// assignment creations per instance and refuses more. It is also the
// maximum: foundation.WithConcurrency sets fewer, and more is capped.
const DefaultAssignmentConcurrency = 10

// UserSpec is a user of the Identity Center directory, found by UserName.
// Empty optional fields are left as they are on an existing user.
type UserSpec struct {
	// IdentityStoreID is the instance's identity store ("d-1234567890");
	// empty finds it with ListInstances (which needs API.SSOAdmin).
	IdentityStoreID string
	// UserName is the sign-in name (required; letters, digits and + = , . @ - _,
	// at most 128 characters). It cannot be changed through this package:
	// another name is another user.
	UserName string
	// GivenName and FamilyName are required, as the Identity Center
	// directory requires them.
	GivenName  string
	FamilyName string
	// DisplayName defaults to "GivenName FamilyName".
	DisplayName string
	// Email is the user's primary work email. Optional.
	Email string
}

func (s UserSpec) withDefaults() UserSpec {
	if s.DisplayName == "" && (s.GivenName != "" || s.FamilyName != "") {
		s.DisplayName = joinNonEmpty(" ", s.GivenName, s.FamilyName)
	}
	return s
}

// GroupSpec is a group of the Identity Center directory, found by
// DisplayName.
type GroupSpec struct {
	// IdentityStoreID as in UserSpec.
	IdentityStoreID string
	// DisplayName names the group (required, at most 1024 characters).
	DisplayName string
	// Description is converged when not empty; an empty Description leaves
	// the group's as it is.
	Description string
	// Members are user names made members of the group. Members not listed
	// are kept (this package never removes a membership). With EnsureGroup
	// the users must exist; with EnsureAccess they must be declared in the
	// AccessSpec.
	Members []string
}

// MembershipSpec makes a user a member of a group, both found by name.
type MembershipSpec struct {
	IdentityStoreID string
	GroupName       string // the group's display name
	UserName        string
}

// CustomerManagedPolicy references an IAM policy by name and path; it must
// exist in every account the permission set is provisioned to.
type CustomerManagedPolicy struct {
	Name string
	// Path defaults to "/".
	Path string
}

func (c CustomerManagedPolicy) withDefaults() CustomerManagedPolicy {
	if c.Path == "" {
		c.Path = "/"
	}
	return c
}

func (c CustomerManagedPolicy) String() string { return c.withDefaults().Path + c.Name }

// PermissionsBoundary is a permission set's permissions boundary: exactly
// one of ManagedPolicyARN (an AWS managed policy) and CustomerManagedPolicy.
type PermissionsBoundary struct {
	ManagedPolicyARN      string
	CustomerManagedPolicy *CustomerManagedPolicy
}

func (b *PermissionsBoundary) String() string {
	switch {
	case b == nil:
		return ""
	case b.CustomerManagedPolicy != nil:
		return "customer managed " + b.CustomerManagedPolicy.String()
	default:
		return b.ManagedPolicyARN
	}
}

// PermissionSetSpec is a permission set, found by Name. A permission set
// the library made (tagged managed-by=foundation from its create) is owned
// by the spec: policies attached to it that the spec does not list are
// detached, an inline policy or permissions boundary the spec does not set
// is deleted. Tags with keys the spec does not list are kept. One found
// without the tag is refused (*foundation.NotManagedError) unless Adopt.
type PermissionSetSpec struct {
	// InstanceARN is the Identity Center instance; empty finds it with
	// ListInstances.
	InstanceARN string
	// Name is the permission set's name (required, at most 32 characters of
	// letters, digits and + = , . @ - _). It is also the name of the role
	// (AWSReservedSSO_<Name>_<hex>) and the sso_role_name of profiles.
	Name string
	// Description is converged when not empty (AWS cannot clear it).
	Description string
	// SessionDuration is how long a portal session lasts, 1 to 12 hours.
	// Zero means DefaultSessionDuration (1 hour). It is sent to AWS in ISO
	// 8601 form (FormatDuration: 8h is "PT8H").
	SessionDuration time.Duration
	// RelayState is the https URL users land on in the console; converged
	// when not empty (AWS cannot clear it).
	RelayState string
	// ManagedPolicies are the ARNs of AWS managed policies to attach
	// ("arn:aws:iam::aws:policy/ReadOnlyAccess"; see AWSManagedPolicy).
	ManagedPolicies []string
	// CustomerManagedPolicies are references to customer managed policies.
	CustomerManagedPolicies []CustomerManagedPolicy
	// InlinePolicy is the permission set's inline policy, compared by
	// meaning (foundation.PolicyDocument.Equal). At most 10,240 characters
	// minified; statements must not have a Principal.
	InlinePolicy *foundation.PolicyDocument
	// PermissionsBoundary, when set, is the boundary of the role.
	PermissionsBoundary *PermissionsBoundary
	// Tags are put on the permission set, next to managed-by=foundation
	// on one the library makes; at most MaxTags-1, and managed-by only
	// with its own value.
	Tags map[string]string
	// Adopt converges a permission set made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it
	// over: it is never tagged, and never pruned (policies, an inline
	// policy or a boundary the spec does not list are left on it).
	Adopt bool
}

func (s PermissionSetSpec) withDefaults() PermissionSetSpec {
	if s.SessionDuration == 0 {
		s.SessionDuration = DefaultSessionDuration
	}
	if len(s.CustomerManagedPolicies) > 0 {
		c := make([]CustomerManagedPolicy, len(s.CustomerManagedPolicies))
		for i, p := range s.CustomerManagedPolicies {
			c[i] = p.withDefaults()
		}
		s.CustomerManagedPolicies = c
	}
	if b := s.PermissionsBoundary; b != nil && b.CustomerManagedPolicy != nil {
		cm := b.CustomerManagedPolicy.withDefaults()
		s.PermissionsBoundary = &PermissionsBoundary{ManagedPolicyARN: b.ManagedPolicyARN, CustomerManagedPolicy: &cm}
	}
	return s
}

// AWSManagedPolicy returns the ARN of the AWS managed policy name in the
// aws partition: AWSManagedPolicy("ReadOnlyAccess") is
// "arn:aws:iam::aws:policy/ReadOnlyAccess". Names with a path
// ("job-function/ViewOnlyAccess") work too.
func AWSManagedPolicy(name string) string { return "arn:aws:iam::aws:policy/" + name }

// PrincipalType says whether a principal is a group or a user.
type PrincipalType string

// The principal types, as sso-admin names them.
const (
	PrincipalGroup PrincipalType = "GROUP"
	PrincipalUser  PrincipalType = "USER"
)

// Principal is a group (by display name) or a user (by user name) of the
// instance's identity store.
type Principal struct {
	Type PrincipalType
	Name string
}

// GroupPrincipal returns the group with the display name name.
func GroupPrincipal(name string) Principal { return Principal{Type: PrincipalGroup, Name: name} }

// UserPrincipal returns the user with the user name name.
func UserPrincipal(name string) Principal { return Principal{Type: PrincipalUser, Name: name} }

func (p Principal) String() string {
	switch p.Type {
	case PrincipalGroup:
		return "group " + fmt.Sprintf("%q", p.Name)
	case PrincipalUser:
		return "user " + fmt.Sprintf("%q", p.Name)
	}
	return fmt.Sprintf("%s %q", p.Type, p.Name)
}

// AssignmentSpec grants every principal every permission set in every
// account: the cross product of its three lists.
type AssignmentSpec struct {
	Principals     []Principal
	PermissionSets []string // permission set names
	// Accounts are 12-digit account IDs. In a dry run an account ID
	// predicted by organizations' dry run (plan.IsPredicted) is accepted.
	Accounts []string
}

// AssignmentsSpec is the account assignments wanted.
//
// Scope of Prune: an existing assignment is in scope when its permission set
// is named by some AssignmentSpec and its account is named by some
// AssignmentSpec (or listed in PruneAccounts). With Prune, every in-scope
// assignment that the spec does not ask for is deleted, whoever its
// principal is. Assignments of other permission sets, or in other accounts,
// are never read nor touched. Without Prune nothing is deleted.
type AssignmentsSpec struct {
	// InstanceARN and IdentityStoreID identify the instance; empty finds
	// them with ListInstances.
	InstanceARN     string
	IdentityStoreID string

	Assignments []AssignmentSpec

	// Prune deletes the in-scope assignments not in the spec (see above).
	Prune bool
	// PruneAccounts adds accounts to the prune scope, so that an account
	// no AssignmentSpec names any longer can have its assignments of the
	// spec's permission sets removed. Only with Prune.
	PruneAccounts []string
}

// AccessSpec is a whole Identity Center setup: users, groups with their
// members, permission sets and account assignments, converged in that
// order by EnsureAccess. Every principal an assignment or a group's
// Members names must be declared in Users or Groups, and every permission
// set an assignment names must be declared in PermissionSets: a reference
// to anything else is an invalid spec, found before any call. (To assign
// groups or permission sets managed elsewhere, such as groups synchronised
// from an external identity provider, use EnsureAssignments.)
type AccessSpec struct {
	InstanceARN     string
	IdentityStoreID string

	Users          []UserSpec
	Groups         []GroupSpec
	PermissionSets []PermissionSetSpec
	Assignments    []AssignmentSpec

	// Prune and PruneAccounts are as in AssignmentsSpec.
	Prune         bool
	PruneAccounts []string
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}
