package ssoadmin

// IAM Identity Center administration (sso-admin, awsJson1_1, SigV4 signing
// name "sso"): the organization instance of the management account's
// organization, permission sets (managed, customer managed, inline and
// boundary policies, tags), their provisioning to member accounts as
// AWSReservedSSO_* IAM roles, and account assignments of identity store
// users and groups. Provisioning and assignment requests are asynchronous:
// they stay IN_PROGRESS for Options.SSOStatusDescribes describes of their
// status and take effect when they settle.
//
// IDs and ARNs follow AWS's formats but are derived from hashes of the
// instance and a per-instance counter, never from randomness, so two
// emulators that served the same calls hold byte-identical state.
//
// Error statuses: see ssoErrors. Errors carry their text in "Message", as
// the service's exceptions do.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/identitystore"
	"github.com/awsfoundation/foundation/internal/emulator/organizations"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

func init() {
	// With Options.IdentityCenter, the management account's organization
	// (with all features) gets its instance as soon as it is created.
	organizations.OnCreateOrganization(func(e *core.Emulator, mgmt *core.Account, allFeatures bool) {
		if allFeatures && core.ServiceSettings[Settings](e, "sso").IdentityCenter && mgmt.ID == e.Settings().ManagementAccountID {
			ssoEnable(e, mgmt)
		}
	})
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "sso",
			Protocol:     core.AWSJSON11,
			TargetPrefix: "SWBExternalService",
			ErrorPrefix:  "com.amazonaws.ssoadmin",
			Statuses:     ssoErrors,
			Throttle: core.APIError{Status: ssoErrors.Status("ThrottlingException"), Code: "ThrottlingException", Message: "Rate exceeded",
				Extra: map[string]string{"Message": "Rate exceeded"}},
			Ops: map[string]*core.Operation{
				"ListInstances":    core.Read(ssoListInstances),
				"DescribeInstance": core.Read(ssoDescribeInstanceSettings),
				"UpdateInstance":   core.Write(ssoUpdateInstance),
				"AddRegion":        core.Write(ssoAddRegion),
				"RemoveRegion":     core.Write(ssoRemoveRegion),
				"ListRegions":      core.Read(ssoListRegions),
				"DescribeRegion":   core.Read(ssoDescribeRegion),

				"CreatePermissionSet":   core.Write(ssoCreatePermissionSet),
				"DescribePermissionSet": core.Read(ssoDescribePermissionSet),
				"UpdatePermissionSet":   core.Write(ssoUpdatePermissionSet),
				"DeletePermissionSet":   core.Write(ssoDeletePermissionSet),
				"ListPermissionSets":    core.Read(ssoListPermissionSets),

				"AttachManagedPolicyToPermissionSet":                    core.Write(ssoAttachManagedPolicy),
				"DetachManagedPolicyFromPermissionSet":                  core.Write(ssoDetachManagedPolicy),
				"ListManagedPoliciesInPermissionSet":                    core.Read(ssoListManagedPolicies),
				"PutInlinePolicyToPermissionSet":                        core.Write(ssoPutInlinePolicy),
				"GetInlinePolicyForPermissionSet":                       core.Read(ssoGetInlinePolicy),
				"DeleteInlinePolicyFromPermissionSet":                   core.Write(ssoDeleteInlinePolicy),
				"AttachCustomerManagedPolicyReferenceToPermissionSet":   core.Write(ssoAttachCustomerPolicy),
				"DetachCustomerManagedPolicyReferenceFromPermissionSet": core.Write(ssoDetachCustomerPolicy),
				"ListCustomerManagedPolicyReferencesInPermissionSet":    core.Read(ssoListCustomerPolicies),
				"PutPermissionsBoundaryToPermissionSet":                 core.Write(ssoPutBoundary),
				"GetPermissionsBoundaryForPermissionSet":                core.Read(ssoGetBoundary),
				"DeletePermissionsBoundaryFromPermissionSet":            core.Write(ssoDeleteBoundary),

				"ProvisionPermissionSet":                  core.Write(ssoProvisionPermissionSet),
				"DescribePermissionSetProvisioningStatus": core.Read(ssoDescribeProvisioningStatus),
				"ListPermissionSetProvisioningStatus":     core.Read(ssoListProvisioningStatus),

				"CreateAccountAssignment":                 core.Write(ssoCreateAccountAssignment),
				"DeleteAccountAssignment":                 core.Write(ssoDeleteAccountAssignment),
				"DescribeAccountAssignmentCreationStatus": core.Read(ssoDescribeAssignmentStatus(ssoKindCreate)),
				"DescribeAccountAssignmentDeletionStatus": core.Read(ssoDescribeAssignmentStatus(ssoKindDelete)),
				"ListAccountAssignmentCreationStatus":     core.Read(ssoListAssignmentStatus(ssoKindCreate)),
				"ListAccountAssignmentDeletionStatus":     core.Read(ssoListAssignmentStatus(ssoKindDelete)),
				"ListAccountAssignments":                  core.Read(ssoListAccountAssignments),
				"ListAccountAssignmentsForPrincipal":      core.Read(ssoListAccountAssignmentsForPrincipal),

				"ListAccountsForProvisionedPermissionSet": core.Read(ssoListAccountsForProvisionedPermissionSet),
				"ListPermissionSetsProvisionedToAccount":  core.Read(ssoListPermissionSetsProvisionedToAccount),

				"TagResource":         core.Write(ssoTagResource),
				"UntagResource":       core.Write(ssoUntagResource),
				"ListTagsForResource": core.Read(ssoListTagsForResource),
			},
			Settle:   ssoSettle,
			Snapshot: ssoSnapshot,
		}
	})
}

// Enum values and limits.
const (
	ssoStatusInProgress = "IN_PROGRESS"
	ssoStatusSucceeded  = "SUCCEEDED"
	ssoStatusFailed     = "FAILED"

	ssoKindProvision = "provision"
	ssoKindCreate    = "create"
	ssoKindDelete    = "delete"

	ssoTargetAccount        = "AWS_ACCOUNT"
	ssoTargetAllProvisioned = "ALL_PROVISIONED_ACCOUNTS"

	ssoLatestProvisioned    = "LATEST_PERMISSION_SET_PROVISIONED"
	ssoLatestNotProvisioned = "LATEST_PERMISSION_SET_NOT_PROVISIONED"

	ssoRolePath = "/aws-reserved/sso.amazonaws.com/"

	// ssoMaxOutstandingCreations is how many CreateAccountAssignment requests
	// one instance can have IN_PROGRESS. The IAM Identity Center quotas page
	// lists it under throttle limits ("CreateAccountAssignment has a maximum
	// limit of 10 asynchronous calls in progress at any time"), and the API
	// reference names no dedicated error, so a request beyond it gets
	// ThrottlingException (HTTP 400), which SDKs retry with backoff. A
	// ConflictException would not be retried and is what AWS uses for
	// concurrent modification of one resource, not for a rate quota.
	ssoMaxOutstandingCreations = 10
	// ssoMaxPolicies is how many AWS managed and customer managed policies
	// (together) one permission set can have (IAM Identity Center quotas).
	ssoMaxPolicies = 20
	// ssoMaxInlineChars is the largest inline policy, in non-whitespace
	// characters; ssoMaxInlineBytes the largest document overall.
	ssoMaxInlineChars = 10240
	ssoMaxInlineBytes = 32768
	ssoMaxTags        = 50
	ssoMaxResults     = 100
)

// ssoInstance is an IAM Identity Center organization instance. It hangs off
// the management account (account.sso) and owns the identity store.
type ssoInstance struct {
	id, arn string
	owner   string // management account ID
	org     *organizations.Organization
	created time.Time
	// seq numbers permission sets and requests for their IDs.
	seq            int
	permissionSets map[string]*ssoPermissionSet // by ARN
	assignments    map[string]*ssoAssignment    // by ssoAssignmentKey
	requests       map[string]*ssoRequest       // by request ID
	// maxOutstanding is the most CreateAccountAssignment requests ever
	// IN_PROGRESS at once.
	maxOutstanding int
	store          *identitystore.Store
}

// ssoPermissionSet is a permission set.
type ssoPermissionSet struct {
	seq                                      int
	id, arn, name                            string
	description, relayState, sessionDuration string
	created                                  time.Time
	managed                                  []string // AWS managed policy ARNs, in attach order
	customer                                 []ssoPolicyRef
	inline                                   string
	boundary                                 *ssoBoundary
	tags                                     map[string]string
	// version counts changes to what the set grants; provisioned maps each
	// account the set is provisioned to to the version provisioned there.
	version     int
	provisioned map[string]int
}

// ssoPolicyRef is a customer managed policy reference.
type ssoPolicyRef struct {
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

// ssoBoundary is a permissions boundary: one of the two members is set.
type ssoBoundary struct {
	CustomerManagedPolicyReference *ssoPolicyRef `json:"CustomerManagedPolicyReference,omitempty"`
	ManagedPolicyArn               string        `json:"ManagedPolicyArn,omitempty"`
}

// ssoAssignment is an account assignment.
type ssoAssignment struct {
	account, psARN, principalType, principalID string
}

func ssoAssignmentKey(account, psARN, principalType, principalID string) string {
	return account + "|" + psARN + "|" + principalType + "|" + principalID
}

// ssoRequest is an asynchronous request: a permission set provisioning, an
// account assignment creation or deletion.
type ssoRequest struct {
	seq                         int
	id, kind                    string
	status, failure             string
	describesLeft               int
	created                     time.Time
	psARN, targetType, targetID string
	principalType, principalID  string
}

// --- errors -----------------------------------------------------------------

// ssoErrors is the table of IAM Identity Center error codes (sso-admin and
// identitystore, whose idsErrors is the same table, share them) and the
// HTTP status of each, from the
// @httpError traits of the services' Smithy models (com.amazonaws.ssoadmin
// and com.amazonaws.identitystore, as the Go SDK's schemas carry them).
var ssoErrors = core.ErrorStatuses{
	"ValidationException":           http.StatusBadRequest,
	"ServiceQuotaExceededException": http.StatusPaymentRequired,
	"AccessDeniedException":         http.StatusForbidden,
	"ResourceNotFoundException":     http.StatusNotFound,
	"ConflictException":             http.StatusConflict,
	"ThrottlingException":           http.StatusTooManyRequests,
	"InternalServerException":       http.StatusInternalServerError,
}

// ssoErr builds an sso-admin client error; the service's exceptions carry
// their text in "Message".
func ssoErr(code, format string, args ...any) *core.APIError {
	e := ssoErrors.Err(code, format, args...)
	e.Extra = map[string]string{"Message": e.Message}
	return e
}

func ssoValidation(format string, args ...any) *core.APIError {
	return ssoErr("ValidationException", format, args...)
}

// ssoConstraint is AWS's wording for a member that fails its model constraint.
func ssoConstraint(member, value, constraint string) *core.APIError {
	return ssoValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func ssoRequired(member string) *core.APIError {
	return ssoValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func ssoNotFound(format string, args ...any) *core.APIError {
	return ssoErr("ResourceNotFoundException", format, args...)
}

func ssoConflict(format string, args ...any) *core.APIError {
	return ssoErr("ConflictException", format, args...)
}

func ssoAccessDenied(c *core.Ctx, resource string) *core.APIError {
	return ssoErr("AccessDeniedException", "User: %s is not authorized to perform: sso:%s on resource: %s", c.Caller.ARN, c.Op, resource)
}

// --- deterministic IDs --------------------------------------------------------

// ssoHashID draws n characters of alphabet from a hash of parts.
func ssoHashID(alphabet string, n int, parts ...string) string {
	return core.HashID("sso", alphabet, n, parts...)
}

// Settings are IAM Identity Center's options (the facade's Options fields
// of the same names), passed in core.Options.Services under "sso".
type Settings struct {
	// SSOStatusDescribes is how many Describe*Status calls see an
	// asynchronous request (permission set provisioning, account
	// assignment creation or deletion) IN_PROGRESS before it settles.
	// Default 2.
	SSOStatusDescribes int
	// IdentityCenter enables the organization instance as soon as the
	// management account creates its organization (with all features).
	IdentityCenter bool
	// ExternalIdentityProvider makes the instance's identity source an
	// external IdP (a console step), which multi-Region replication
	// (AddRegion) requires. Default: the Identity Center directory.
	ExternalIdentityProvider bool
}

// ssoDescribes is Settings.SSOStatusDescribes with its default.
func ssoDescribes(e *core.Emulator) int {
	if n := core.ServiceSettings[Settings](e, "sso").SSOStatusDescribes; n > 0 {
		return n
	}
	return 2
}

// --- pagination -----------------------------------------------------------------

// ssoPaging is how sso-admin's list operations reject a MaxResults or
// NextToken.
var ssoPaging = core.Paging{
	Max: ssoMaxResults,
	BadLimit: func(n int) *core.APIError {
		return ssoValidation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", n, ssoMaxResults)
	},
	BadToken: func() *core.APIError {
		return ssoValidation("The NextToken provided is invalid. Use the NextToken from a previous response.")
	},
}

// --- lookups ------------------------------------------------------------------

var (
	ssoInstanceARNRe = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	ssoPSARNRe       = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	ssoPSNameRe      = regexp.MustCompile(`^[\w+=,.@-]+$`)
	ssoAccountRe     = regexp.MustCompile(`^\d{12}$`)
	ssoPrincipalRe   = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	ssoRequestIDRe   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	ssoManagedARNRe  = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
	ssoPolicyNameRe  = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	ssoPolicyPathRe  = regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	ssoDurationRe    = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)
)

// ssoInstanceOf resolves an InstanceArn for the caller: only the management
// account that owns the instance may use it; anyone else is denied.
func ssoInstanceOf(c *core.Ctx, arn string) (*ssoInstance, *core.APIError) {
	if arn == "" {
		return nil, ssoRequired("instanceArn")
	}
	if !ssoInstanceARNRe.MatchString(arn) {
		return nil, ssoConstraint("instanceArn", arn, "Member must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}")
	}
	if inst := ssoAcct(c.Account); inst != nil && inst.arn == arn {
		return inst, nil
	}
	return nil, ssoAccessDenied(c, arn)
}

// permissionSet resolves a PermissionSetArn of the instance.
func (inst *ssoInstance) permissionSet(arn string) (*ssoPermissionSet, *core.APIError) {
	if arn == "" {
		return nil, ssoRequired("permissionSetArn")
	}
	if !ssoPSARNRe.MatchString(arn) {
		return nil, ssoConstraint("permissionSetArn", arn, "Member must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}")
	}
	ps, ok := inst.permissionSets[arn]
	if !ok {
		return nil, ssoNotFound("Could not find PermissionSet with PermissionSetArn %s.", arn)
	}
	return ps, nil
}

// ssoDecode decodes the request body and resolves its InstanceArn.
func ssoDecode[T any](c *core.Ctx, in *T, instanceARN func(*T) string) (*ssoInstance, *core.APIError) {
	if err := c.JSON(in); err != nil {
		if apiErr, ok := err.(*core.APIError); ok {
			return nil, apiErr
		}
		return nil, ssoValidation("%v", err)
	}
	return ssoInstanceOf(c, instanceARN(in))
}

// checkAccount validates an account ID and requires it to be an active
// member of the instance's organization.
func (inst *ssoInstance) checkAccount(member, id string) *core.APIError {
	if id == "" {
		return ssoRequired(member)
	}
	if !ssoAccountRe.MatchString(id) {
		return ssoConstraint(member, id, "Member must satisfy regular expression pattern: \\d{12}")
	}
	if !inst.org.ActiveMember(id) {
		return ssoValidation("The account %s is not a member of the organization %s.", id, inst.org.ID())
	}
	return nil
}

// checkPrincipal validates a principal and requires it to exist in the
// instance's identity store.
func (inst *ssoInstance) checkPrincipal(typ, id string) *core.APIError {
	switch {
	case typ == "":
		return ssoRequired("principalType")
	case typ != "USER" && typ != "GROUP":
		return ssoConstraint("principalType", typ, "Member must satisfy enum value set: [USER, GROUP]")
	case id == "":
		return ssoRequired("principalId")
	case len(id) > 47 || !ssoPrincipalRe.MatchString(id):
		return ssoConstraint("principalId", id, "Member must satisfy regular expression pattern: ^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$")
	}
	if !inst.principalExists(typ, id) {
		return ssoNotFound("The principal %s of type %s does not exist in identity store %s.", id, typ, inst.store.ID())
	}
	return nil
}

func (inst *ssoInstance) principalExists(typ, id string) bool {
	_, ok := inst.store.Principal(typ, id)
	return ok
}

// principalName names a principal for the snapshot.
func (inst *ssoInstance) principalName(typ, id string) string {
	if name, ok := inst.store.Principal(typ, id); ok {
		return name
	}
	return "deleted:" + id
}

// --- output shapes ------------------------------------------------------------

type ssoPermissionSetOut struct {
	Name             string  `json:"Name"`
	PermissionSetArn string  `json:"PermissionSetArn"`
	Description      string  `json:"Description,omitempty"`
	CreatedDate      float64 `json:"CreatedDate"`
	SessionDuration  string  `json:"SessionDuration,omitempty"`
	RelayState       string  `json:"RelayState,omitempty"`
}

func (ps *ssoPermissionSet) out() ssoPermissionSetOut {
	return ssoPermissionSetOut{Name: ps.name, PermissionSetArn: ps.arn, Description: ps.description,
		CreatedDate: core.EpochSeconds(ps.created), SessionDuration: ps.sessionDuration, RelayState: ps.relayState}
}

type ssoProvisioningStatusOut struct {
	AccountId        string  `json:"AccountId,omitempty"`
	CreatedDate      float64 `json:"CreatedDate"`
	FailureReason    string  `json:"FailureReason,omitempty"`
	PermissionSetArn string  `json:"PermissionSetArn"`
	RequestId        string  `json:"RequestId"`
	Status           string  `json:"Status"`
}

type ssoAssignmentStatusOut struct {
	CreatedDate      float64 `json:"CreatedDate"`
	FailureReason    string  `json:"FailureReason,omitempty"`
	PermissionSetArn string  `json:"PermissionSetArn"`
	PrincipalId      string  `json:"PrincipalId"`
	PrincipalType    string  `json:"PrincipalType"`
	RequestId        string  `json:"RequestId"`
	Status           string  `json:"Status"`
	TargetId         string  `json:"TargetId"`
	TargetType       string  `json:"TargetType"`
}

type ssoStatusMetadataOut struct {
	CreatedDate float64 `json:"CreatedDate"`
	RequestId   string  `json:"RequestId"`
	Status      string  `json:"Status"`
}

func (r *ssoRequest) provisioningOut() ssoProvisioningStatusOut {
	out := ssoProvisioningStatusOut{CreatedDate: core.EpochSeconds(r.created), FailureReason: r.failure,
		PermissionSetArn: r.psARN, RequestId: r.id, Status: r.status}
	if r.targetType == ssoTargetAccount {
		out.AccountId = r.targetID
	}
	return out
}

func (r *ssoRequest) assignmentOut() ssoAssignmentStatusOut {
	return ssoAssignmentStatusOut{CreatedDate: core.EpochSeconds(r.created), FailureReason: r.failure, PermissionSetArn: r.psARN,
		PrincipalId: r.principalID, PrincipalType: r.principalType, RequestId: r.id, Status: r.status,
		TargetId: r.targetID, TargetType: r.targetType}
}

type ssoTag = core.Tag

// --- instance -----------------------------------------------------------------

// ssoAcct returns the IAM Identity Center organization instance of the
// organization a manages, nil when not enabled.
func ssoAcct(a *core.Account) *ssoInstance { return core.Slot[*ssoInstance](a, "sso") }

// EnableIdentityCenter enables IAM Identity Center for the organization of
// the management account, as the console's Enable button does (there is no
// API for an organization instance), and returns the instance ARN and its
// identity store ID. It fails when the management account manages no
// organization, and returns the existing instance when already enabled.
func EnableIdentityCenter(e *core.Emulator) (instanceARN, identityStoreID string, err error) {
	defer e.Lock()()
	a := e.Account(e.Settings().ManagementAccountID)
	if a == nil || organizations.Of(a) == nil || organizations.Of(a).Management() != a.ID {
		return "", "", fmt.Errorf("emulator: account %s manages no organization: create one before enabling IAM Identity Center", e.Settings().ManagementAccountID)
	}
	inst := ssoEnable(e, a)
	return inst.arn, inst.store.ID(), nil
}

// ssoEnable creates (once) the organization instance of a, the
// management account of its organization. Called with the emulator locked.
func ssoEnable(e *core.Emulator, a *core.Account) *ssoInstance {
	if ssoAcct(a) == nil {
		id := "ssoins-" + ssoHashID(core.HexDigits, 16, "instance", organizations.Of(a).ID())
		core.SetSlot(a, "sso", &ssoInstance{
			id: id, arn: "arn:aws:sso:::instance/" + id, owner: a.ID, org: organizations.Of(a), created: e.Now(),
			permissionSets: map[string]*ssoPermissionSet{}, assignments: map[string]*ssoAssignment{},
			requests: map[string]*ssoRequest{},
			store:    identitystore.CreateStore(a, "d-"+ssoHashID(core.HexDigits, 10, "identitystore", organizations.Of(a).ID())),
		})
	}
	return ssoAcct(a)
}

// MaxOutstandingAssignmentCreations returns the most CreateAccountAssignment
// requests the management account's instance ever had IN_PROGRESS at once
// (0 without an instance).
func MaxOutstandingAssignmentCreations(e *core.Emulator) int {
	defer e.Lock()()
	if a := e.Account(e.Settings().ManagementAccountID); a != nil && ssoAcct(a) != nil {
		return ssoAcct(a).maxOutstanding
	}
	return 0
}

func (inst *ssoInstance) storeARN() string {
	return "arn:aws:identitystore::" + inst.owner + ":identitystore/" + inst.store.ID()
}

func (inst *ssoInstance) metadata() map[string]any {
	return map[string]any{"InstanceArn": inst.arn, "IdentityStoreId": inst.store.ID(), "IdentityStoreArn": inst.storeARN(),
		"OwnerAccountId": inst.owner, "CreatedDate": core.EpochSeconds(inst.created), "Status": "ACTIVE"}
}

func ssoListInstances(c *core.Ctx) (any, error) {
	var in struct {
		MaxResults *int
		NextToken  string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	var all []*ssoInstance
	if ssoAcct(c.Account) != nil {
		all = append(all, ssoAcct(c.Account))
	}
	page, next, apiErr := core.Paginate(c, all, func(i *ssoInstance) string { return i.arn }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]any{}
	for _, inst := range page {
		out = append(out, inst.metadata())
	}
	return core.PageOut("Instances", out, next), nil
}

// --- permission sets ------------------------------------------------------------

// ssoSessionSeconds parses an ISO-8601 duration.
func ssoSessionSeconds(d string) (int, bool) {
	m := ssoDurationRe.FindStringSubmatch(d)
	if m == nil || d == "P" || d == "PT" {
		return 0, false
	}
	total := 0
	for i, mult := range []int{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 1_000_000 {
			return 0, false
		}
		total += n * mult
	}
	return total, true
}

// checkSettings validates the optional members of Create/UpdatePermissionSet.
func ssoCheckSettings(description, relayState, sessionDuration *string) *core.APIError {
	if description != nil {
		d := *description
		if n := utf8.RuneCountInString(d); n < 1 || n > 700 {
			return ssoConstraint("description", d, "Member must have length less than or equal to 700, Member must have length greater than or equal to 1")
		}
		for _, r := range d {
			if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r <= 0xff)) {
				return ssoConstraint("description", d, "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*")
			}
		}
	}
	if relayState != nil {
		if n := utf8.RuneCountInString(*relayState); n < 1 || n > 240 {
			return ssoConstraint("relayState", *relayState, "Member must have length less than or equal to 240, Member must have length greater than or equal to 1")
		}
	}
	if sessionDuration != nil {
		d := *sessionDuration
		if n := len(d); n < 1 || n > 100 {
			return ssoConstraint("sessionDuration", d, "Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
		}
		secs, ok := ssoSessionSeconds(d)
		if !ok {
			return ssoConstraint("sessionDuration", d, "Member must satisfy regular expression pattern: ^(-?)P(?=\\d|T\\d)(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)([DW]))?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$")
		}
		if secs < 3600 || secs > 43200 {
			return ssoValidation("The session duration %s is not valid: it must be between 1 hour (PT1H) and 12 hours (PT12H).", d)
		}
	}
	return nil
}

// ssoTagRules are sso-admin's tag rules (CreatePermissionSet,
// TagResource).
var ssoTagRules = core.TagRules{
	Checks: []core.TagCheck{core.TagKeyLength, core.TagValueLength, core.TagReserved, core.TagTooMany},
	Max:    ssoMaxTags,
	Err: func(check core.TagCheck, _ int, t core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength:
			return ssoConstraint("tags.member.key", t.Key, "Member must have length less than or equal to 128, Member must have length greater than or equal to 1")
		case core.TagValueLength:
			return ssoConstraint("tags.member.value", t.Value, "Member must have length less than or equal to 256")
		case core.TagReserved:
			return ssoValidation("Tag keys beginning with aws: are reserved for AWS use.")
		}
		return ssoErr("ServiceQuotaExceededException", "A resource can have at most %d tags.", ssoMaxTags)
	},
}

func ssoTagList(m map[string]string) []ssoTag {
	out := []ssoTag{}
	for _, k := range core.SortedKeys(m) {
		out = append(out, ssoTag{Key: k, Value: m[k]})
	}
	return out
}

func ssoCreatePermissionSet(c *core.Ctx) (any, error) {
	type input struct {
		InstanceArn, Name                        string
		Description, RelayState, SessionDuration *string
		Tags                                     []ssoTag
	}
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	switch {
	case in.Name == "":
		return nil, ssoRequired("name")
	case utf8.RuneCountInString(in.Name) > 32:
		return nil, ssoConstraint("name", in.Name, "Member must have length less than or equal to 32")
	case !ssoPSNameRe.MatchString(in.Name):
		return nil, ssoConstraint("name", in.Name, "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	if apiErr := ssoCheckSettings(in.Description, in.RelayState, in.SessionDuration); apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := ssoTagRules.Merge(nil, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	for _, ps := range inst.permissionSets {
		if ps.name == in.Name {
			return nil, ssoConflict("PermissionSet with name %s already exists.", in.Name)
		}
	}
	ps := &ssoPermissionSet{name: in.Name, sessionDuration: "PT1H", created: c.Emu.Now(), tags: tags,
		version: 1, provisioned: map[string]int{}}
	if in.Description != nil {
		ps.description = *in.Description
	}
	if in.RelayState != nil {
		ps.relayState = *in.RelayState
	}
	if in.SessionDuration != nil {
		ps.sessionDuration = *in.SessionDuration
	}
	for {
		inst.seq++
		ps.id = "ps-" + ssoHashID(core.HexDigits, 16, "permissionSet", inst.id, in.Name, strconv.Itoa(inst.seq))
		ps.arn = "arn:aws:sso:::permissionSet/" + inst.id + "/" + ps.id
		if inst.permissionSets[ps.arn] == nil {
			break
		}
	}
	ps.seq = inst.seq
	inst.permissionSets[ps.arn] = ps
	return map[string]any{"PermissionSet": ps.out()}, nil
}

// ssoPSInput is the input of the operations on one permission set.
type ssoPSInput struct {
	InstanceArn, PermissionSetArn string
}

// ssoPS decodes an input that embeds ssoPSInput and resolves the permission set.
func ssoPS[T any](c *core.Ctx, in *T, ids func(*T) *ssoPSInput) (*ssoInstance, *ssoPermissionSet, *core.APIError) {
	inst, apiErr := ssoDecode(c, in, func(in *T) string { return ids(in).InstanceArn })
	if apiErr != nil {
		return nil, nil, apiErr
	}
	ps, apiErr := inst.permissionSet(ids(in).PermissionSetArn)
	if apiErr != nil {
		return nil, nil, apiErr
	}
	return inst, ps, nil
}

func ssoDescribePermissionSet(c *core.Ctx) (any, error) {
	var in ssoPSInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	return map[string]any{"PermissionSet": ps.out()}, nil
}

func ssoUpdatePermissionSet(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSInput
		Description, RelayState, SessionDuration *string
	}
	var in input
	_, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := ssoCheckSettings(in.Description, in.RelayState, in.SessionDuration); apiErr != nil {
		return nil, apiErr
	}
	if in.Description != nil {
		ps.description = *in.Description
	}
	if in.RelayState != nil {
		ps.relayState = *in.RelayState
	}
	if in.SessionDuration != nil {
		ps.sessionDuration = *in.SessionDuration
	}
	ps.version++
	return struct{}{}, nil
}

func ssoDeletePermissionSet(c *core.Ctx) (any, error) {
	var in ssoPSInput
	inst, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	if len(ps.provisioned) > 0 {
		return nil, ssoConflict("The permission set %s is provisioned to %d account(s). Remove its account assignments before deleting it.", ps.arn, len(ps.provisioned))
	}
	for _, asg := range inst.assignments {
		if asg.psARN == ps.arn {
			return nil, ssoConflict("The permission set %s has account assignments. Remove them before deleting it.", ps.arn)
		}
	}
	delete(inst.permissionSets, ps.arn)
	return struct{}{}, nil
}

// sortedSets returns the instance's permission sets in creation order.
func (inst *ssoInstance) sortedSets(keep func(*ssoPermissionSet) bool) []*ssoPermissionSet {
	var out []*ssoPermissionSet
	for _, ps := range inst.permissionSets {
		if keep == nil || keep(ps) {
			out = append(out, ps)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func ssoPSKey(ps *ssoPermissionSet) string { return core.SeqKey(ps.seq) }

func ssoListPermissionSets(c *core.Ctx) (any, error) {
	type input struct {
		InstanceArn string
		MaxResults  *int
		NextToken   string
	}
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, inst.sortedSets(nil), ssoPSKey, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	arns := []string{}
	for _, ps := range page {
		arns = append(arns, ps.arn)
	}
	return core.PageOut("PermissionSets", arns, next), nil
}

// --- policies -------------------------------------------------------------------

func (ps *ssoPermissionSet) policyCount() int { return len(ps.managed) + len(ps.customer) }

func ssoCheckManagedARN(arn string) *core.APIError {
	if arn == "" {
		return ssoRequired("managedPolicyArn")
	}
	if len(arn) > 2048 || !ssoManagedARNRe.MatchString(arn) {
		return ssoValidation("The managed policy ARN %s is not valid: it must be an AWS managed policy (arn:aws:iam::aws:policy/...).", arn)
	}
	return nil
}

// ssoManagedName is the policy name of an AWS managed policy ARN.
func ssoManagedName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

type ssoManagedInput struct {
	ssoPSInput
	ManagedPolicyArn string
}

func ssoAttachManagedPolicy(c *core.Ctx) (any, error) {
	var in ssoManagedInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoManagedInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := ssoCheckManagedARN(in.ManagedPolicyArn); apiErr != nil {
		return nil, apiErr
	}
	if policy.Contains(ps.managed, in.ManagedPolicyArn, false) {
		return nil, ssoConflict("The managed policy %s is already attached to the permission set %s.", in.ManagedPolicyArn, ps.arn)
	}
	if ps.policyCount() >= ssoMaxPolicies {
		return nil, ssoErr("ServiceQuotaExceededException", "A permission set can have at most %d AWS managed and customer managed policies attached.", ssoMaxPolicies)
	}
	ps.managed = append(ps.managed, in.ManagedPolicyArn)
	ps.version++
	return struct{}{}, nil
}

func ssoDetachManagedPolicy(c *core.Ctx) (any, error) {
	var in ssoManagedInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoManagedInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := ssoCheckManagedARN(in.ManagedPolicyArn); apiErr != nil {
		return nil, apiErr
	}
	for i, arn := range ps.managed {
		if arn == in.ManagedPolicyArn {
			ps.managed = append(ps.managed[:i:i], ps.managed[i+1:]...)
			ps.version++
			return struct{}{}, nil
		}
	}
	return nil, ssoNotFound("The managed policy %s is not attached to the permission set %s.", in.ManagedPolicyArn, ps.arn)
}

type ssoPSListInput struct {
	ssoPSInput
	MaxResults *int
	NextToken  string
}

func ssoListManagedPolicies(c *core.Ctx) (any, error) {
	var in ssoPSListInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSListInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	type item struct {
		key, arn string
	}
	items := make([]item, len(ps.managed))
	for i, arn := range ps.managed {
		items[i] = item{core.SeqKey(i), arn}
	}
	page, next, apiErr := core.Paginate(c, items, func(it item) string { return it.key }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]string{}
	for _, it := range page {
		out = append(out, map[string]string{"Arn": it.arn, "Name": ssoManagedName(it.arn)})
	}
	return core.PageOut("AttachedManagedPolicies", out, next), nil
}

// ssoNonWhitespace counts the characters of s that are not whitespace.
func ssoNonWhitespace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func ssoPutInlinePolicy(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSInput
		InlinePolicy string
	}
	var in input
	_, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	switch {
	case in.InlinePolicy == "":
		return nil, ssoRequired("inlinePolicy")
	case len(in.InlinePolicy) > ssoMaxInlineBytes:
		return nil, ssoConstraint("inlinePolicy", "***", fmt.Sprintf("Member must have length less than or equal to %d", ssoMaxInlineBytes))
	case ssoNonWhitespace(in.InlinePolicy) > ssoMaxInlineChars:
		return nil, ssoValidation("The inline policy exceeds the maximum of %d non-whitespace characters.", ssoMaxInlineChars)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(in.InlinePolicy), &doc); err != nil || doc == nil {
		return nil, ssoValidation("The inline policy is not a valid JSON policy document.")
	}
	if _, ok := doc["Statement"]; !ok {
		return nil, ssoValidation("The inline policy is not a valid policy document: it has no Statement.")
	}
	ps.inline = in.InlinePolicy
	ps.version++
	return struct{}{}, nil
}

func ssoGetInlinePolicy(c *core.Ctx) (any, error) {
	var in ssoPSInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	return map[string]any{"InlinePolicy": ps.inline}, nil
}

func ssoDeleteInlinePolicy(c *core.Ctx) (any, error) {
	var in ssoPSInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	if ps.inline != "" {
		ps.inline = ""
		ps.version++
	}
	return struct{}{}, nil
}

// ssoCheckRef validates a customer managed policy reference, defaulting
// its path to "/".
func ssoCheckRef(member string, ref *ssoPolicyRef) *core.APIError {
	if ref == nil {
		return ssoRequired(member)
	}
	if ref.Name == "" {
		return ssoRequired(member + ".name")
	}
	if !ssoPolicyNameRe.MatchString(ref.Name) {
		return ssoConstraint(member+".name", ref.Name, "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	if ref.Path == "" {
		ref.Path = "/"
	}
	if len(ref.Path) > 512 || !ssoPolicyPathRe.MatchString(ref.Path) {
		return ssoConstraint(member+".path", ref.Path, "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/")
	}
	return nil
}

type ssoCustomerInput struct {
	ssoPSInput
	CustomerManagedPolicyReference *ssoPolicyRef
}

func ssoAttachCustomerPolicy(c *core.Ctx) (any, error) {
	var in ssoCustomerInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoCustomerInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	ref := in.CustomerManagedPolicyReference
	if apiErr := ssoCheckRef("customerManagedPolicyReference", ref); apiErr != nil {
		return nil, apiErr
	}
	for _, r := range ps.customer {
		if r == *ref {
			return nil, ssoConflict("The customer managed policy reference %s%s is already attached to the permission set %s.", ref.Path, ref.Name, ps.arn)
		}
	}
	if ps.policyCount() >= ssoMaxPolicies {
		return nil, ssoErr("ServiceQuotaExceededException", "A permission set can have at most %d AWS managed and customer managed policies attached.", ssoMaxPolicies)
	}
	ps.customer = append(ps.customer, *ref)
	ps.version++
	return struct{}{}, nil
}

func ssoDetachCustomerPolicy(c *core.Ctx) (any, error) {
	var in ssoCustomerInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoCustomerInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	ref := in.CustomerManagedPolicyReference
	if apiErr := ssoCheckRef("customerManagedPolicyReference", ref); apiErr != nil {
		return nil, apiErr
	}
	for i, r := range ps.customer {
		if r == *ref {
			ps.customer = append(ps.customer[:i:i], ps.customer[i+1:]...)
			ps.version++
			return struct{}{}, nil
		}
	}
	return nil, ssoNotFound("The customer managed policy reference %s%s is not attached to the permission set %s.", ref.Path, ref.Name, ps.arn)
}

func ssoListCustomerPolicies(c *core.Ctx) (any, error) {
	var in ssoPSListInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSListInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	type item struct {
		key string
		ref ssoPolicyRef
	}
	items := make([]item, len(ps.customer))
	for i, r := range ps.customer {
		items[i] = item{core.SeqKey(i), r}
	}
	page, next, apiErr := core.Paginate(c, items, func(it item) string { return it.key }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []ssoPolicyRef{}
	for _, it := range page {
		out = append(out, it.ref)
	}
	return core.PageOut("CustomerManagedPolicyReferences", out, next), nil
}

func ssoPutBoundary(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSInput
		PermissionsBoundary *ssoBoundary
	}
	var in input
	_, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	b := in.PermissionsBoundary
	switch {
	case b == nil:
		return nil, ssoRequired("permissionsBoundary")
	case (b.ManagedPolicyArn == "") == (b.CustomerManagedPolicyReference == nil):
		return nil, ssoValidation("A permissions boundary must specify exactly one of ManagedPolicyArn and CustomerManagedPolicyReference.")
	case b.ManagedPolicyArn != "":
		if apiErr := ssoCheckManagedARN(b.ManagedPolicyArn); apiErr != nil {
			return nil, apiErr
		}
	default:
		if apiErr := ssoCheckRef("permissionsBoundary.customerManagedPolicyReference", b.CustomerManagedPolicyReference); apiErr != nil {
			return nil, apiErr
		}
	}
	ps.boundary = b
	ps.version++
	return struct{}{}, nil
}

func ssoGetBoundary(c *core.Ctx) (any, error) {
	var in ssoPSInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	if ps.boundary == nil {
		return nil, ssoNotFound("The permission set %s has no permissions boundary.", ps.arn)
	}
	return map[string]any{"PermissionsBoundary": ps.boundary}, nil
}

func ssoDeleteBoundary(c *core.Ctx) (any, error) {
	var in ssoPSInput
	_, ps, apiErr := ssoPS(c, &in, func(in *ssoPSInput) *ssoPSInput { return in })
	if apiErr != nil {
		return nil, apiErr
	}
	if ps.boundary == nil {
		return nil, ssoNotFound("The permission set %s has no permissions boundary.", ps.arn)
	}
	ps.boundary = nil
	ps.version++
	return struct{}{}, nil
}

// --- asynchronous requests ----------------------------------------------------

// newRequest records an IN_PROGRESS request with a deterministic ID.
func (inst *ssoInstance) newRequest(c *core.Ctx, r *ssoRequest) *ssoRequest {
	r.status, r.created, r.describesLeft = ssoStatusInProgress, c.Emu.Now(), ssoDescribes(c.Emu)
	for {
		inst.seq++
		r.id = core.HashUUID("sso", "request", inst.id, r.kind, r.psARN, r.targetID, r.principalID, strconv.Itoa(inst.seq))
		if inst.requests[r.id] == nil {
			break
		}
	}
	r.seq = inst.seq
	inst.requests[r.id] = r
	return r
}

// describe counts a describe of an IN_PROGRESS request and settles it when
// its describes are used up.
func (inst *ssoInstance) describe(e *core.Emulator, r *ssoRequest) {
	if r.status != ssoStatusInProgress || e.AsyncTimed(r.modelKind()) {
		return // settled, or settled by time only (ssoSettle) under the latency and quota model
	}
	if r.describesLeft > 0 {
		r.describesLeft--
		return
	}
	inst.settle(e, r)
}

func (inst *ssoInstance) settle(e *core.Emulator, r *ssoRequest) {
	fail := func(reason string) { r.status, r.failure = ssoStatusFailed, reason }
	ps := inst.permissionSets[r.psARN]
	if ps == nil {
		fail("The permission set " + r.psARN + " no longer exists.")
		return
	}
	switch r.kind {
	case ssoKindProvision:
		targets := []string{r.targetID}
		if r.targetType == ssoTargetAllProvisioned {
			targets = core.SortedKeys(ps.provisioned)
		}
		for _, acct := range targets {
			if problem := inst.provisionProblem(e, ps, acct); problem != "" {
				fail(problem)
				return
			}
		}
		for _, acct := range targets {
			inst.provision(e, ps, acct)
		}
	case ssoKindCreate:
		if !inst.principalExists(r.principalType, r.principalID) {
			fail("The principal " + r.principalID + " no longer exists in the identity store.")
			return
		}
		_, provisioned := ps.provisioned[r.targetID]
		if problem := inst.provisionProblem(e, ps, r.targetID); problem != "" && !provisioned {
			fail(problem)
			return
		}
		key := ssoAssignmentKey(r.targetID, r.psARN, r.principalType, r.principalID)
		if inst.assignments[key] == nil {
			inst.assignments[key] = &ssoAssignment{account: r.targetID, psARN: r.psARN, principalType: r.principalType, principalID: r.principalID}
		}
		if !provisioned {
			inst.provision(e, ps, r.targetID)
		}
	case ssoKindDelete:
		key := ssoAssignmentKey(r.targetID, r.psARN, r.principalType, r.principalID)
		if inst.assignments[key] == nil {
			fail("No account assignment exists for the principal, permission set and account specified.")
			return
		}
		delete(inst.assignments, key)
		for _, asg := range inst.assignments {
			if asg.account == r.targetID && asg.psARN == r.psARN {
				r.status = ssoStatusSucceeded
				return
			}
		}
		inst.deprovision(e, ps, r.targetID)
	}
	r.status = ssoStatusSucceeded
}

// roleName is the IAM role a permission set is provisioned as in an account.
func (inst *ssoInstance) roleName(ps *ssoPermissionSet, acct string) string {
	return "AWSReservedSSO_" + ps.name + "_" + ssoHashID(core.HexDigits, 16, "role", inst.id, ps.id, acct)
}

// provisionProblem is why the permission set cannot be provisioned to the
// account ("" when it can): IAM Identity Center attaches customer managed
// policies (and a customer managed boundary) by name and path, so they must
// exist in every account the set is provisioned to.
func (inst *ssoInstance) provisionProblem(e *core.Emulator, ps *ssoPermissionSet, acct string) string {
	a := e.Account(acct)
	if a == nil {
		return "The account " + acct + " no longer exists."
	}
	refs := append([]ssoPolicyRef{}, ps.customer...)
	if ps.boundary != nil && ps.boundary.CustomerManagedPolicyReference != nil {
		refs = append(refs, *ps.boundary.CustomerManagedPolicyReference)
	}
	for _, ref := range refs {
		if path, ok := iam.PolicyPath(a, ref.Name); !ok || path != ref.Path {
			return "Received a 404 status error: the customer managed policy " + ref.Path + ref.Name +
				" does not exist in account " + acct + "."
		}
	}
	return ""
}

// provision creates (or updates) the permission set's reserved role in the
// account, trusting the account's IAM Identity Center SAML provider, with
// the set's policies attached (the inline policy as AwsSSOInlinePolicy),
// and records the version provisioned. Check provisionProblem first.
func (inst *ssoInstance) provision(e *core.Emulator, ps *ssoPermissionSet, acct string) {
	a := e.Account(acct)
	name := inst.roleName(ps, acct)
	secs, _ := ssoSessionSeconds(ps.sessionDuration)
	r := iam.RoleNamed(a, name)
	if r == nil {
		provider := "arn:aws:iam::" + acct + ":saml-provider/AWSSSO_" + ssoHashID(core.HexDigits, 16, "saml", inst.id, acct) + "_DO_NOT_DELETE"
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
			`"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
		var apiErr *core.APIError
		if r, apiErr = iam.NewRole(e, a, name, ssoRolePath, trust); apiErr != nil {
			return // unreachable: the name is valid and was checked free
		}
	}
	r.MaxSessionDuration = secs
	r.Attached = append([]string{}, ps.managed...)
	for _, ref := range ps.customer {
		r.Attached = append(r.Attached, "arn:aws:iam::"+acct+":policy"+ref.Path+ref.Name)
	}
	r.Inline = nil
	if ps.inline != "" {
		r.Inline = map[string]string{"AwsSSOInlinePolicy": ps.inline}
	}
	r.Boundary = ""
	if b := ps.boundary; b != nil {
		r.Boundary = b.ManagedPolicyArn
		if ref := b.CustomerManagedPolicyReference; ref != nil {
			r.Boundary = "arn:aws:iam::" + acct + ":policy" + ref.Path + ref.Name
		}
	}
	ps.provisioned[acct] = ps.version
}

// deprovision removes the permission set's reserved role from the account,
// as IAM Identity Center does when the account's last assignment of the
// set is deleted.
func (inst *ssoInstance) deprovision(e *core.Emulator, ps *ssoPermissionSet, acct string) {
	if a := e.Account(acct); a != nil {
		iam.RemoveRole(a, inst.roleName(ps, acct))
	}
	delete(ps.provisioned, acct)
}

// modelKind names the request's kind of work for the latency and quota
// model (core.Model.Async).
func (r *ssoRequest) modelKind() string {
	switch r.kind {
	case ssoKindProvision:
		return core.AsyncProvisionPermissionSet
	case ssoKindCreate:
		return core.AsyncCreateAccountAssignment
	}
	return core.AsyncDeleteAccountAssignment
}

func (inst *ssoInstance) outstandingCreations() int {
	n := 0
	for _, r := range inst.requests {
		if r.kind == ssoKindCreate && r.status == ssoStatusInProgress {
			n++
		}
	}
	return n
}

// findRequest resolves a request ID of the given kind.
func (inst *ssoInstance) findRequest(member, id, kind string) (*ssoRequest, *core.APIError) {
	if id == "" {
		return nil, ssoRequired(member)
	}
	if !ssoRequestIDRe.MatchString(id) {
		return nil, ssoConstraint(member, id, "Member must satisfy regular expression pattern: \\b[0-9a-f]{8}\\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\\b[0-9a-f]{12}\\b")
	}
	r, ok := inst.requests[id]
	if !ok || r.kind != kind {
		return nil, ssoNotFound("Could not find a request with RequestId %s.", id)
	}
	return r, nil
}

func ssoProvisionPermissionSet(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSInput
		TargetType, TargetId string
	}
	var in input
	inst, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	switch in.TargetType {
	case "":
		return nil, ssoRequired("targetType")
	case ssoTargetAccount:
		if apiErr := inst.checkAccount("targetId", in.TargetId); apiErr != nil {
			return nil, apiErr
		}
	case ssoTargetAllProvisioned:
		if in.TargetId != "" {
			return nil, ssoValidation("TargetId must not be specified when TargetType is ALL_PROVISIONED_ACCOUNTS.")
		}
	default:
		return nil, ssoConstraint("targetType", in.TargetType, "Member must satisfy enum value set: [AWS_ACCOUNT, ALL_PROVISIONED_ACCOUNTS]")
	}
	for _, r := range inst.requests {
		if r.kind == ssoKindProvision && r.status == ssoStatusInProgress && r.psARN == ps.arn &&
			(r.targetType == ssoTargetAllProvisioned || in.TargetType == ssoTargetAllProvisioned || r.targetID == in.TargetId) {
			return nil, ssoConflict("The permission set %s is already being provisioned (request %s). Wait for it to complete and try again.", ps.arn, r.id)
		}
	}
	r := inst.newRequest(c, &ssoRequest{kind: ssoKindProvision, psARN: ps.arn, targetType: in.TargetType, targetID: in.TargetId})
	return map[string]any{"PermissionSetProvisioningStatus": r.provisioningOut()}, nil
}

func ssoDescribeProvisioningStatus(c *core.Ctx) (any, error) {
	type input struct{ InstanceArn, ProvisionPermissionSetRequestId string }
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	r, apiErr := inst.findRequest("provisionPermissionSetRequestId", in.ProvisionPermissionSetRequestId, ssoKindProvision)
	if apiErr != nil {
		return nil, apiErr
	}
	inst.describe(c.Emu, r)
	return map[string]any{"PermissionSetProvisioningStatus": r.provisioningOut()}, nil
}

// statusList pages an instance's requests of a kind, filtered by status.
func ssoStatusList(c *core.Ctx, listName, kind string) (any, error) {
	type input struct {
		InstanceArn string
		Filter      *struct{ Status string }
		MaxResults  *int
		NextToken   string
	}
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	want := ""
	if in.Filter != nil && in.Filter.Status != "" {
		switch in.Filter.Status {
		case ssoStatusInProgress, ssoStatusSucceeded, ssoStatusFailed:
			want = in.Filter.Status
		default:
			return nil, ssoConstraint("filter.status", in.Filter.Status, "Member must satisfy enum value set: [IN_PROGRESS, FAILED, SUCCEEDED]")
		}
	}
	var reqs []*ssoRequest
	for _, r := range inst.requests {
		if r.kind == kind && (want == "" || r.status == want) {
			reqs = append(reqs, r)
		}
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
	page, next, apiErr := core.Paginate(c, reqs, func(r *ssoRequest) string { return core.SeqKey(r.seq) }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []ssoStatusMetadataOut{}
	for _, r := range page {
		out = append(out, ssoStatusMetadataOut{CreatedDate: core.EpochSeconds(r.created), RequestId: r.id, Status: r.status})
	}
	return core.PageOut(listName, out, next), nil
}

func ssoListProvisioningStatus(c *core.Ctx) (any, error) {
	return ssoStatusList(c, "PermissionSetsProvisioningStatus", ssoKindProvision)
}

// --- account assignments --------------------------------------------------------

type ssoAssignmentInput struct {
	ssoPSInput
	PrincipalId, PrincipalType, TargetId, TargetType string
}

// ssoAssignmentRequest validates a Create/DeleteAccountAssignment input.
func ssoAssignmentRequest(c *core.Ctx) (*ssoInstance, *ssoPermissionSet, *ssoAssignmentInput, *core.APIError) {
	var in ssoAssignmentInput
	inst, ps, apiErr := ssoPS(c, &in, func(in *ssoAssignmentInput) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, nil, nil, apiErr
	}
	switch in.TargetType {
	case "":
		return nil, nil, nil, ssoRequired("targetType")
	case ssoTargetAccount:
	default:
		return nil, nil, nil, ssoConstraint("targetType", in.TargetType, "Member must satisfy enum value set: [AWS_ACCOUNT]")
	}
	if apiErr := inst.checkAccount("targetId", in.TargetId); apiErr != nil {
		return nil, nil, nil, apiErr
	}
	if apiErr := inst.checkPrincipal(in.PrincipalType, in.PrincipalId); apiErr != nil {
		return nil, nil, nil, apiErr
	}
	return inst, ps, &in, nil
}

func ssoCreateAccountAssignment(c *core.Ctx) (any, error) {
	inst, ps, in, apiErr := ssoAssignmentRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	// The Consistency model: a new account IAM Identity Center has not
	// learned of yet reads as one outside the organization.
	if c.Emu.NotYetVisible(core.PropagateIdentityCenter, in.TargetId) {
		return nil, ssoValidation("The account %s is not a member of the organization %s.", in.TargetId, inst.org.ID())
	}
	if limit := c.Emu.ConcurrencyLimit(core.AsyncCreateAccountAssignment, ssoMaxOutstandingCreations); inst.outstandingCreations() >= limit {
		return nil, ssoErr("ThrottlingException",
			"The maximum number of %d account assignment creation requests in progress has been reached. Wait for some to complete and try again.", limit)
	}
	r := inst.newRequest(c, &ssoRequest{kind: ssoKindCreate, psARN: ps.arn, targetType: in.TargetType, targetID: in.TargetId,
		principalType: in.PrincipalType, principalID: in.PrincipalId})
	inst.maxOutstanding = max(inst.maxOutstanding, inst.outstandingCreations())
	return map[string]any{"AccountAssignmentCreationStatus": r.assignmentOut()}, nil
}

func ssoDeleteAccountAssignment(c *core.Ctx) (any, error) {
	inst, ps, in, apiErr := ssoAssignmentRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	r := inst.newRequest(c, &ssoRequest{kind: ssoKindDelete, psARN: ps.arn, targetType: in.TargetType, targetID: in.TargetId,
		principalType: in.PrincipalType, principalID: in.PrincipalId})
	return map[string]any{"AccountAssignmentDeletionStatus": r.assignmentOut()}, nil
}

// ssoDescribeAssignmentStatus serves DescribeAccountAssignmentCreationStatus
// (kind create) and DescribeAccountAssignmentDeletionStatus (kind delete).
func ssoDescribeAssignmentStatus(kind string) func(c *core.Ctx) (any, error) {
	member, field, outName := "accountAssignmentCreationRequestId", "AccountAssignmentCreationRequestId", "AccountAssignmentCreationStatus"
	if kind == ssoKindDelete {
		member, field, outName = "accountAssignmentDeletionRequestId", "AccountAssignmentDeletionRequestId", "AccountAssignmentDeletionStatus"
	}
	return func(c *core.Ctx) (any, error) {
		var in map[string]any
		if err := c.JSON(&in); err != nil {
			return nil, err
		}
		str := func(k string) string { s, _ := in[k].(string); return s }
		inst, apiErr := ssoInstanceOf(c, str("InstanceArn"))
		if apiErr != nil {
			return nil, apiErr
		}
		r, apiErr := inst.findRequest(member, str(field), kind)
		if apiErr != nil {
			return nil, apiErr
		}
		inst.describe(c.Emu, r)
		return map[string]any{outName: r.assignmentOut()}, nil
	}
}

// ssoListAssignmentStatus serves ListAccountAssignmentCreationStatus and
// ListAccountAssignmentDeletionStatus.
func ssoListAssignmentStatus(kind string) func(c *core.Ctx) (any, error) {
	listName := "AccountAssignmentsCreationStatus"
	if kind == ssoKindDelete {
		listName = "AccountAssignmentsDeletionStatus"
	}
	return func(c *core.Ctx) (any, error) { return ssoStatusList(c, listName, kind) }
}

func ssoListAccountAssignments(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSListInput
		AccountId string
	}
	var in input
	inst, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	if in.AccountId == "" {
		return nil, ssoRequired("accountId")
	}
	if !ssoAccountRe.MatchString(in.AccountId) {
		return nil, ssoConstraint("accountId", in.AccountId, "Member must satisfy regular expression pattern: \\d{12}")
	}
	return ssoAssignmentsPage(c, inst, func(a *ssoAssignment) bool { return a.account == in.AccountId && a.psARN == ps.arn },
		func(a *ssoAssignment) string { return a.principalType + "|" + a.principalID }, in.NextToken, in.MaxResults)
}

// ssoAssignmentsPage answers a list of the instance's assignments: those
// match keeps, in the order of key, one page of them.
func ssoAssignmentsPage(c *core.Ctx, inst *ssoInstance, match func(*ssoAssignment) bool, key func(*ssoAssignment) string, token string, max *int) (any, error) {
	var list []*ssoAssignment
	for _, asg := range inst.assignments {
		if match(asg) {
			list = append(list, asg)
		}
	}
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
	page, next, apiErr := core.Paginate(c, list, key, token, max, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]string{}
	for _, a := range page {
		out = append(out, map[string]string{"AccountId": a.account, "PermissionSetArn": a.psARN,
			"PrincipalId": a.principalID, "PrincipalType": a.principalType})
	}
	return core.PageOut("AccountAssignments", out, next), nil
}

// ssoListAccountAssignmentsForPrincipal lists the assignments of one
// principal across the instance's accounts and permission sets, optionally
// of one account (Filter.AccountId). A well-formed principal with no
// assignment (or none in the store) lists none.
func ssoListAccountAssignmentsForPrincipal(c *core.Ctx) (any, error) {
	type input struct {
		InstanceArn, PrincipalId, PrincipalType string
		Filter                                  *struct{ AccountId string }
		MaxResults                              *int
		NextToken                               string
	}
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	switch {
	case in.PrincipalType == "":
		return nil, ssoRequired("principalType")
	case in.PrincipalType != "USER" && in.PrincipalType != "GROUP":
		return nil, ssoConstraint("principalType", in.PrincipalType, "Member must satisfy enum value set: [USER, GROUP]")
	case in.PrincipalId == "":
		return nil, ssoRequired("principalId")
	case len(in.PrincipalId) > 47 || !ssoPrincipalRe.MatchString(in.PrincipalId):
		return nil, ssoConstraint("principalId", in.PrincipalId, "Member must satisfy regular expression pattern: ^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$")
	}
	account := ""
	if in.Filter != nil {
		account = in.Filter.AccountId
		if account != "" && !ssoAccountRe.MatchString(account) {
			return nil, ssoConstraint("filter.accountId", account, "Member must satisfy regular expression pattern: \\d{12}")
		}
	}
	return ssoAssignmentsPage(c, inst, func(a *ssoAssignment) bool {
		return a.principalType == in.PrincipalType && a.principalID == in.PrincipalId && (account == "" || a.account == account)
	}, func(a *ssoAssignment) string { return a.account + "|" + a.psARN }, in.NextToken, in.MaxResults)
}

// ssoProvisioningFilter validates a ProvisioningStatus filter and returns
// whether a set provisioned at a version passes it.
func ssoProvisioningFilter(status string) (func(ps *ssoPermissionSet, provisioned int) bool, *core.APIError) {
	switch status {
	case "":
		return func(*ssoPermissionSet, int) bool { return true }, nil
	case ssoLatestProvisioned:
		return func(ps *ssoPermissionSet, v int) bool { return v == ps.version }, nil
	case ssoLatestNotProvisioned:
		return func(ps *ssoPermissionSet, v int) bool { return v != ps.version }, nil
	}
	return nil, ssoConstraint("provisioningStatus", status,
		"Member must satisfy enum value set: [LATEST_PERMISSION_SET_PROVISIONED, LATEST_PERMISSION_SET_NOT_PROVISIONED]")
}

func ssoListAccountsForProvisionedPermissionSet(c *core.Ctx) (any, error) {
	type input struct {
		ssoPSListInput
		ProvisioningStatus string
	}
	var in input
	_, ps, apiErr := ssoPS(c, &in, func(in *input) *ssoPSInput { return &in.ssoPSInput })
	if apiErr != nil {
		return nil, apiErr
	}
	keep, apiErr := ssoProvisioningFilter(in.ProvisioningStatus)
	if apiErr != nil {
		return nil, apiErr
	}
	var accounts []string
	for _, acct := range core.SortedKeys(ps.provisioned) {
		if keep(ps, ps.provisioned[acct]) {
			accounts = append(accounts, acct)
		}
	}
	page, next, apiErr := core.Paginate(c, accounts, func(s string) string { return s }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("AccountIds", page, next), nil
}

func ssoListPermissionSetsProvisionedToAccount(c *core.Ctx) (any, error) {
	type input struct {
		InstanceArn, AccountId string
		ProvisioningStatus     string
		MaxResults             *int
		NextToken              string
	}
	var in input
	inst, apiErr := ssoDecode(c, &in, func(in *input) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	if in.AccountId == "" {
		return nil, ssoRequired("accountId")
	}
	if !ssoAccountRe.MatchString(in.AccountId) {
		return nil, ssoConstraint("accountId", in.AccountId, "Member must satisfy regular expression pattern: \\d{12}")
	}
	keep, apiErr := ssoProvisioningFilter(in.ProvisioningStatus)
	if apiErr != nil {
		return nil, apiErr
	}
	sets := inst.sortedSets(func(ps *ssoPermissionSet) bool {
		v, ok := ps.provisioned[in.AccountId]
		return ok && keep(ps, v)
	})
	page, next, apiErr := core.Paginate(c, sets, ssoPSKey, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	arns := []string{}
	for _, ps := range page {
		arns = append(arns, ps.arn)
	}
	return core.PageOut("PermissionSets", arns, next), nil
}

// --- tags -----------------------------------------------------------------------

// ssoTagsOf resolves a taggable resource (a permission set) of the caller's
// instance; InstanceArn is optional in current API versions.
func ssoTagsOf(c *core.Ctx, instanceARN, resourceARN string) (*ssoPermissionSet, *core.APIError) {
	inst := ssoAcct(c.Account)
	if instanceARN != "" {
		var apiErr *core.APIError
		if inst, apiErr = ssoInstanceOf(c, instanceARN); apiErr != nil {
			return nil, apiErr
		}
	}
	if resourceARN == "" {
		return nil, ssoRequired("resourceArn")
	}
	if inst == nil {
		return nil, ssoAccessDenied(c, resourceARN)
	}
	if !ssoPSARNRe.MatchString(resourceARN) {
		return nil, ssoValidation("The resource %s is not a taggable IAM Identity Center resource.", resourceARN)
	}
	ps, ok := inst.permissionSets[resourceARN]
	if !ok {
		return nil, ssoNotFound("Could not find resource %s.", resourceARN)
	}
	return ps, nil
}

func ssoTagResource(c *core.Ctx) (any, error) {
	var in struct {
		InstanceArn, ResourceArn string
		Tags                     []ssoTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ps, apiErr := ssoTagsOf(c, in.InstanceArn, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.Tags) == 0 {
		return nil, ssoRequired("tags")
	}
	merged, apiErr := ssoTagRules.Merge(ps.tags, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	ps.tags = merged
	return struct{}{}, nil
}

func ssoUntagResource(c *core.Ctx) (any, error) {
	var in struct {
		InstanceArn, ResourceArn string
		TagKeys                  []string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ps, apiErr := ssoTagsOf(c, in.InstanceArn, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.TagKeys) == 0 {
		return nil, ssoRequired("tagKeys")
	}
	for _, k := range in.TagKeys {
		delete(ps.tags, k)
	}
	return struct{}{}, nil
}

func ssoListTagsForResource(c *core.Ctx) (any, error) {
	var in struct {
		InstanceArn, ResourceArn, NextToken string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ps, apiErr := ssoTagsOf(c, in.InstanceArn, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, ssoTagList(ps.tags), func(t ssoTag) string { return t.Key }, in.NextToken, nil, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Tags", page, next), nil
}

// --- snapshot -------------------------------------------------------------------

// ssoSnapshot renders each instance under its management account: the
// instance, permission sets by name (settings, policies, tags and the
// accounts they are provisioned to, with whether the latest version is
// provisioned there) and settled account assignments by account, naming
// permission sets and principals rather than their counter-derived IDs.
// Requests in progress are not part of the state until they settle.
func ssoSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		inst := ssoAcct(a)
		if inst == nil {
			continue
		}
		sets := map[string]any{}
		for _, ps := range inst.permissionSets {
			managed := append([]string{}, ps.managed...)
			sort.Strings(managed)
			var customer []string
			for _, r := range ps.customer {
				customer = append(customer, r.Path+r.Name)
			}
			sort.Strings(customer)
			provisioned := map[string]string{}
			for acct, v := range ps.provisioned {
				provisioned[acct] = ssoLatestNotProvisioned
				if v == ps.version {
					provisioned[acct] = ssoLatestProvisioned
				}
			}
			entry := map[string]any{"description": ps.description, "relayState": ps.relayState,
				"sessionDuration": ps.sessionDuration, "managedPolicies": managed, "customerManagedPolicies": customer,
				"provisionedAccounts": provisioned}
			if ps.inline != "" {
				entry["inlinePolicy"] = core.CompactJSON(ps.inline)
			}
			if ps.boundary != nil {
				entry["permissionsBoundary"] = ps.boundary
			}
			if len(ps.tags) > 0 {
				entry["tags"] = ps.tags
			}
			sets[ps.name] = entry
		}
		assignments := map[string][]string{}
		for _, asg := range inst.assignments {
			name := asg.psARN
			if ps := inst.permissionSets[asg.psARN]; ps != nil {
				name = ps.name
			}
			assignments[asg.account] = append(assignments[asg.account],
				name+" "+asg.principalType+":"+inst.principalName(asg.principalType, asg.principalID))
		}
		for _, l := range assignments {
			sort.Strings(l)
		}
		out[id] = map[string]any{
			"instance":       map[string]any{"arn": inst.arn, "identityStoreId": inst.store.ID(), "status": "ACTIVE"},
			"permissionSets": sets,
			"assignments":    assignments,
		}
	}
	return out
}

// ssoSettle settles the provisioning and account assignment requests that
// have been in progress for Options.AsyncDuration.
func ssoSettle(e *core.Emulator, due func(time.Time) bool) {
	for _, a := range e.AllAccounts() {
		if inst := ssoAcct(a); inst != nil {
			var reqs []*ssoRequest
			for _, r := range inst.requests {
				if r.status == ssoStatusInProgress && e.AsyncDue(r.modelKind(), r.created) {
					reqs = append(reqs, r)
				}
			}
			sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
			for _, r := range reqs {
				inst.settle(e, r)
			}
		}
	}
}
