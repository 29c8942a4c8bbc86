package adopt

import orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

// Foundation is an organization described the way the library converges it:
// what Read finds in an existing organization, and what Converge makes true.
// It encodes as the spec file of examples/adopt (YAML keys below); every
// reference between its parts is by a name the file can hold (an OU path, an
// account email, a group or user name, a permission set name), never by an
// identifier AWS assigned, so the file also describes an organization that
// does not exist yet.
//
// Converge manages only what the file lists: a resource it finds that the
// file does not list is kept, never removed.
type Foundation struct {
	// OUs are the organizational units by path ("Workloads/Production").
	OUs []OU `yaml:"ous,omitempty" json:"ous,omitempty"`
	// Accounts are the member accounts (and the management account, which
	// Converge only reads), identified by email.
	Accounts []Account `yaml:"accounts,omitempty" json:"accounts,omitempty"`
	// Policies are the organization's customer managed policies of every
	// type enabled (service control, resource control, tag, backup, ...).
	Policies []Policy `yaml:"policies,omitempty" json:"policies,omitempty"`
	// Attachments are, for each target and policy type, the policies
	// attached to it (the AWS managed FullAWSAccess or RCPFullAWSAccess
	// included where attached).
	Attachments []Attachment `yaml:"attachments,omitempty" json:"attachments,omitempty"`
	// IdentityCenter is the Identity Center instance's users, groups,
	// permission sets and assignments; nil when the organization has none.
	IdentityCenter *IdentityCenter `yaml:"identityCenter,omitempty" json:"identityCenter,omitempty"`
	// OIDCProviders are the management account's IAM OIDC identity
	// providers (CI federation).
	OIDCProviders []OIDCProvider `yaml:"oidcProviders,omitempty" json:"oidcProviders,omitempty"`
	// CIRoles are the management account's roles trusting one of those
	// providers with the strict trust the library builds.
	CIRoles []CIRole `yaml:"ciRoles,omitempty" json:"ciRoles,omitempty"`
	// Services are the services with trusted access in the organization
	// and the accounts that administer each (organizations
	// EnsureServiceAccess): a delegated administrator of a listed service
	// that the file does not name is reported by Converge as an
	// *organizations.UnexpectedDelegatedAdministratorError.
	Services []Service `yaml:"services,omitempty" json:"services,omitempty"`
	// RootAccess is the organization's centralized root access
	// (organizations.EnsureRootAccess); nil when no feature is enabled.
	RootAccess *RootAccess `yaml:"rootAccess,omitempty" json:"rootAccess,omitempty"`
	// StateBackends are the Terraform state backends (a bucket and its
	// lock table) in the organization's accounts (statebackend.Bootstrap).
	StateBackends []StateBackend `yaml:"stateBackends,omitempty" json:"stateBackends,omitempty"`
	// Skipped lists what Read found but could not describe in this file,
	// and why (a role whose trust policy the library does not build, a
	// policy type the file has no key for). Converge ignores it; it is
	// there so nothing is left out silently.
	Skipped []Skipped `yaml:"skipped,omitempty" json:"skipped,omitempty"`
}

// OU is an organizational unit.
type OU struct {
	// Path is the OU's path from the root, names separated by "/".
	Path string `yaml:"path" json:"path"`
	// Tags are the OU's tags other than managed-by (tags with other keys
	// are kept).
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the OU was made outside the library (no
	// managed-by=foundation tag): Converge keeps it as the file says and
	// never tags it (organizations.OUSpec.Adopt).
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Account is an account of the organization.
type Account struct {
	// Name is the account's name: set when Converge creates the account,
	// and converged with the Account Management API when it differs.
	Name string `yaml:"name" json:"name"`
	// Email is the account's root user email: the key that identifies it.
	Email string `yaml:"email" json:"email"`
	// OU is the path of the account's OU; "" for the root.
	OU string `yaml:"ou,omitempty" json:"ou,omitempty"`
	// Tags are the account's tags other than managed-by (tags with other
	// keys are kept).
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Management marks the management account: Converge reads it, never
	// moves, tags or creates it. Converge tells the management account by
	// its email whether or not this is set, and refuses
	// (foundation.ErrInvalidSpec) an entry marked so that is another
	// account, and an OU for it other than where it is.
	Management bool `yaml:"management,omitempty" json:"management,omitempty"`
	// Contacts are the account's alternate contacts (package account);
	// nil: none read or none to converge.
	Contacts *Contacts `yaml:"contacts,omitempty" json:"contacts,omitempty"`
	// Regions are the opt-in Regions the account has enabled (package
	// account); Regions it does not name are left as they are.
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	// Adopt says the account was made outside the library (no
	// managed-by=foundation tag): Converge keeps it as the file says and
	// never tags it (organizations.AccountSpec.Adopt).
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Contacts are an account's alternate contacts; a nil one is left as it
// is.
type Contacts struct {
	Billing    *Contact `yaml:"billing,omitempty" json:"billing,omitempty"`
	Operations *Contact `yaml:"operations,omitempty" json:"operations,omitempty"`
	Security   *Contact `yaml:"security,omitempty" json:"security,omitempty"`
}

// Contact is an alternate contact (account.Contact): all four fields are
// required.
type Contact struct {
	Name  string `yaml:"name" json:"name"`
	Title string `yaml:"title" json:"title"`
	Email string `yaml:"email" json:"email"`
	Phone string `yaml:"phone" json:"phone"`
}

// Policy is a customer managed organization policy.
type Policy struct {
	// Type is the policy type as Organizations names it
	// (RESOURCE_CONTROL_POLICY, TAG_POLICY, ...); empty is
	// SERVICE_CONTROL_POLICY.
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	// Name finds the policy among those of its type.
	Name string `yaml:"name" json:"name"`
	// Description is the policy's description.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Content is the policy document, JSON.
	Content string `yaml:"content" json:"content"`
	// Tags are the policy's tags, other than the library's managed-by
	// marker (tags with other keys are kept).
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the policy was made outside the library (it has no
	// managed-by=foundation tag): Converge keeps its content as the file
	// says but does not tag it, so the library never counts it as its own
	// (an attachment list detaches only the policies the library manages).
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Attachment is the set of policies of one type attached to one target:
// exactly one of Root, OU and Account.
type Attachment struct {
	// Type is the policies' type; empty is SERVICE_CONTROL_POLICY.
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	// Root is the organization's root.
	Root bool `yaml:"root,omitempty" json:"root,omitempty"`
	// OU is an OU's path.
	OU string `yaml:"ou,omitempty" json:"ou,omitempty"`
	// Account is an account's email.
	Account string `yaml:"account,omitempty" json:"account,omitempty"`
	// Policies are the names of the policies attached ("FullAWSAccess"
	// and "RCPFullAWSAccess" for the AWS managed ones).
	Policies []string `yaml:"policies" json:"policies"`
}

// IdentityCenter is what an Identity Center instance holds.
type IdentityCenter struct {
	// KMSKeyARN is the customer managed key that encrypts the instance's
	// data; empty: an AWS owned key (identitycenter.EnsureInstanceSettings).
	KMSKeyARN string `yaml:"kmsKeyARN,omitempty" json:"kmsKeyARN,omitempty"`
	// Regions are the Regions the instance is replicated to besides its
	// primary one.
	Regions        []string        `yaml:"regions,omitempty" json:"regions,omitempty"`
	Users          []User          `yaml:"users,omitempty" json:"users,omitempty"`
	Groups         []Group         `yaml:"groups,omitempty" json:"groups,omitempty"`
	PermissionSets []PermissionSet `yaml:"permissionSets,omitempty" json:"permissionSets,omitempty"`
	Assignments    []Assignment    `yaml:"assignments,omitempty" json:"assignments,omitempty"`
}

// User is a user of the identity store.
type User struct {
	UserName    string `yaml:"userName" json:"userName"`
	GivenName   string `yaml:"givenName,omitempty" json:"givenName,omitempty"`
	FamilyName  string `yaml:"familyName,omitempty" json:"familyName,omitempty"`
	DisplayName string `yaml:"displayName,omitempty" json:"displayName,omitempty"`
	Email       string `yaml:"email,omitempty" json:"email,omitempty"`
}

// Group is a group of the identity store, with its members' user names.
type Group struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Members     []string `yaml:"members,omitempty" json:"members,omitempty"`
}

// PermissionSet is a permission set.
type PermissionSet struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// SessionDuration is a Go duration ("1h", "8h").
	SessionDuration string `yaml:"sessionDuration,omitempty" json:"sessionDuration,omitempty"`
	RelayState      string `yaml:"relayState,omitempty" json:"relayState,omitempty"`
	// ManagedPolicies are AWS managed policy ARNs.
	ManagedPolicies []string `yaml:"managedPolicies,omitempty" json:"managedPolicies,omitempty"`
	// CustomerManagedPolicies are references as "path/name" ("/Ops").
	CustomerManagedPolicies []string `yaml:"customerManagedPolicies,omitempty" json:"customerManagedPolicies,omitempty"`
	// InlinePolicy is the inline policy, JSON.
	InlinePolicy string            `yaml:"inlinePolicy,omitempty" json:"inlinePolicy,omitempty"`
	Tags         map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the permission set was made outside the library (no
	// managed-by=foundation tag): Converge keeps it as the file says and
	// never tags it (identitycenter.PermissionSetSpec.Adopt).
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Assignment gives a group or a user a permission set in accounts.
type Assignment struct {
	// Group or User names the principal (exactly one).
	Group string `yaml:"group,omitempty" json:"group,omitempty"`
	User  string `yaml:"user,omitempty" json:"user,omitempty"`
	// PermissionSet is the permission set's name.
	PermissionSet string `yaml:"permissionSet" json:"permissionSet"`
	// Accounts are account emails.
	Accounts []string `yaml:"accounts" json:"accounts"`
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	// URL is the issuer URL ("https://token.actions.githubusercontent.com").
	URL         string            `yaml:"url" json:"url"`
	ClientIDs   []string          `yaml:"clientIDs,omitempty" json:"clientIDs,omitempty"`
	Thumbprints []string          `yaml:"thumbprints,omitempty" json:"thumbprints,omitempty"`
	Tags        map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the provider was made outside the library (no
	// managed-by=foundation tag): Converge keeps it as the file says,
	// never tags it and never removes a client ID the file leaves out.
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// CIRole is a role a CI system assumes through an OIDC provider.
type CIRole struct {
	Name        string `yaml:"name" json:"name"`
	Path        string `yaml:"path,omitempty" json:"path,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Provider is the URL of the provider the role trusts.
	Provider  string   `yaml:"provider" json:"provider"`
	Audiences []string `yaml:"audiences,omitempty" json:"audiences,omitempty"`
	// Subjects are the sub claims trusted exactly.
	Subjects []string `yaml:"subjects,omitempty" json:"subjects,omitempty"`
	// SubjectPatterns are the sub claims trusted as patterns (StringLike).
	SubjectPatterns []string `yaml:"subjectPatterns,omitempty" json:"subjectPatterns,omitempty"`
	// JobWorkflowRefs and JobWorkflowRefPatterns are the reusable
	// workflows (job_workflow_ref claims) trusted exactly or as patterns.
	JobWorkflowRefs        []string `yaml:"jobWorkflowRefs,omitempty" json:"jobWorkflowRefs,omitempty"`
	JobWorkflowRefPatterns []string `yaml:"jobWorkflowRefPatterns,omitempty" json:"jobWorkflowRefPatterns,omitempty"`
	// Claims are other provider claims the trust requires, by name
	// (repository_id, environment, ...: oidcfed.GitHubClaims).
	Claims map[string][]string `yaml:"claims,omitempty" json:"claims,omitempty"`
	// MaxSessionDuration is a Go duration ("1h").
	MaxSessionDuration string   `yaml:"maxSessionDuration,omitempty" json:"maxSessionDuration,omitempty"`
	ManagedPolicies    []string `yaml:"managedPolicies,omitempty" json:"managedPolicies,omitempty"`
	// InlinePolicies are the role's inline policies by name, JSON.
	InlinePolicies      map[string]string `yaml:"inlinePolicies,omitempty" json:"inlinePolicies,omitempty"`
	PermissionsBoundary string            `yaml:"permissionsBoundary,omitempty" json:"permissionsBoundary,omitempty"`
	Tags                map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the role was made outside the library (no
	// managed-by=foundation tag): Converge keeps it as the file says,
	// never tags it and never removes a policy the file leaves out.
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Service is a service with trusted access in the organization.
type Service struct {
	// Principal is the service principal ("sso.amazonaws.com").
	Principal string `yaml:"principal" json:"principal"`
	// DelegatedAdministrators are the emails of the member accounts that
	// administer the service; none: only the management account does.
	DelegatedAdministrators []string `yaml:"delegatedAdministrators,omitempty" json:"delegatedAdministrators,omitempty"`
}

// RootAccess is the centralized root access of the organization's member
// accounts.
type RootAccess struct {
	// Features are the features enabled (RootCredentialsManagement,
	// RootSessions); at least one. Features enabled but not listed are
	// left enabled.
	Features []string `yaml:"features" json:"features"`
}

// StateBackend is a Terraform state backend of one account: its bucket
// and, when it has one, its DynamoDB lock table. Converge passes it to
// statebackend.Bootstrap; unset numbers are Bootstrap's defaults.
type StateBackend struct {
	// Account is the email of the account that owns the bucket.
	Account string `yaml:"account" json:"account"`
	// Bucket is the bucket's name.
	Bucket string `yaml:"bucket" json:"bucket"`
	// Region is the Region of the bucket and the lock table.
	Region string `yaml:"region" json:"region"`
	// KMSKeyID is the bucket's default encryption key; empty: SSE-S3.
	KMSKeyID string `yaml:"kmsKeyID,omitempty" json:"kmsKeyID,omitempty"`
	// LockTable is the DynamoDB lock table; empty: S3 lock files only.
	LockTable string `yaml:"lockTable,omitempty" json:"lockTable,omitempty"`
	// Locking is "dynamodb" or "both" with a lock table ("both" when
	// empty), "lockfile" (the default) without.
	Locking string `yaml:"locking,omitempty" json:"locking,omitempty"`
	// LockTableKMSKeyID is the lock table's customer managed key; empty:
	// the AWS managed key.
	LockTableKMSKeyID          string `yaml:"lockTableKMSKeyID,omitempty" json:"lockTableKMSKeyID,omitempty"`
	DisableDeletionProtection  bool   `yaml:"disableDeletionProtection,omitempty" json:"disableDeletionProtection,omitempty"`
	DisablePointInTimeRecovery bool   `yaml:"disablePointInTimeRecovery,omitempty" json:"disablePointInTimeRecovery,omitempty"`
	// The state versions' retention (statebackend.Spec's fields of the
	// same names).
	NoncurrentVersionExpirationDays    int `yaml:"noncurrentVersionExpirationDays,omitempty" json:"noncurrentVersionExpirationDays,omitempty"`
	NoncurrentVersionsToKeep           int `yaml:"noncurrentVersionsToKeep,omitempty" json:"noncurrentVersionsToKeep,omitempty"`
	AbortIncompleteMultipartUploadDays int `yaml:"abortIncompleteMultipartUploadDays,omitempty" json:"abortIncompleteMultipartUploadDays,omitempty"`
	// Tags are the tags the bucket and the lock table both have, other
	// than managed-by (tags with other keys are kept).
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Adopt says the bucket or the lock table was made outside the
	// library (no managed-by=foundation tag): Converge keeps them as the
	// file says and never tags them (statebackend.Spec.Adopt).
	Adopt bool `yaml:"adopt,omitempty" json:"adopt,omitempty"`
}

// Skipped is something Read found and left out of the file.
type Skipped struct {
	// Resource is a resource type ("iam:role") and ID names it.
	Resource string `yaml:"resource" json:"resource"`
	ID       string `yaml:"id" json:"id"`
	// Reason says why.
	Reason string `yaml:"reason" json:"reason"`
}

// policyType is t, or SERVICE_CONTROL_POLICY when empty.
func policyType(t string) orgtypes.PolicyType {
	if t == "" {
		return orgtypes.PolicyTypeServiceControlPolicy
	}
	return orgtypes.PolicyType(t)
}

// fileType is how the file writes t: empty for SERVICE_CONTROL_POLICY.
func fileType(t orgtypes.PolicyType) string {
	if t == orgtypes.PolicyTypeServiceControlPolicy {
		return ""
	}
	return string(t)
}
