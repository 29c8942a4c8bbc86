package organizations

// AWS Organizations (awsJson1_1): one organization per management account,
// with its root, organizational units, member accounts (created
// asynchronously, closed asynchronously), policies of every type AWS lists
// and their attachments, and tags.
//
// IDs follow AWS's formats but are derived from hashes of the request (and a
// per-organization counter), never from randomness, so two emulators that
// served the same calls hold byte-identical state.
//
// Error statuses: see orgErrors.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "organizations",
			Protocol:     core.AWSJSON11,
			TargetPrefix: "AWSOrganizationsV20161128",
			ErrorPrefix:  "com.amazonaws.organizations.v20161128",
			Statuses:     orgErrors,
			Throttle: core.APIError{Status: orgErrors.Status("TooManyRequestsException"), Code: "TooManyRequestsException",
				Message: "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
				Extra:   map[string]string{"Message": "AWS Organizations can't complete your request because another request is already in progress. Try again later."}},
			Ops: withServiceOps(map[string]*core.Operation{
				"CreateOrganization":               core.Write(orgCreateOrganization),
				"DescribeOrganization":             core.Read(orgDescribeOrganization),
				"DeleteOrganization":               core.Write(orgDeleteOrganization),
				"ListRoots":                        core.Read(orgListRoots),
				"EnablePolicyType":                 core.Write(orgEnablePolicyType),
				"DisablePolicyType":                core.Write(orgDisablePolicyType),
				"CreateOrganizationalUnit":         core.Write(orgCreateOrganizationalUnit),
				"DescribeOrganizationalUnit":       core.Read(orgDescribeOrganizationalUnit),
				"UpdateOrganizationalUnit":         core.Write(orgUpdateOrganizationalUnit),
				"DeleteOrganizationalUnit":         core.Write(orgDeleteOrganizationalUnit),
				"ListOrganizationalUnitsForParent": core.Read(orgListOrganizationalUnitsForParent),
				"ListChildren":                     core.Read(orgListChildren),
				"ListParents":                      core.Read(orgListParents),
				"CreateAccount":                    core.Write(orgCreateAccount),
				"DescribeCreateAccountStatus":      core.Read(orgDescribeCreateAccountStatus),
				"ListCreateAccountStatus":          core.Read(orgListCreateAccountStatus),
				"DescribeAccount":                  core.Read(orgDescribeAccount),
				"ListAccounts":                     core.Read(orgListAccounts),
				"ListAccountsForParent":            core.Read(orgListAccountsForParent),
				"MoveAccount":                      core.Write(orgMoveAccount),
				"CloseAccount":                     core.Write(orgCloseAccount),
				"TagResource":                      core.Write(orgTagResource),
				"UntagResource":                    core.Write(orgUntagResource),
				"ListTagsForResource":              core.Read(orgListTagsForResource),
				"CreatePolicy":                     core.Write(orgCreatePolicy),
				"UpdatePolicy":                     core.Write(orgUpdatePolicy),
				"DescribePolicy":                   core.Read(orgDescribePolicy),
				"DeletePolicy":                     core.Write(orgDeletePolicy),
				"ListPolicies":                     core.Read(orgListPolicies),
				"AttachPolicy":                     core.Write(orgAttachPolicy),
				"DetachPolicy":                     core.Write(orgDetachPolicy),
				"ListPoliciesForTarget":            core.Read(orgListPoliciesForTarget),
				"ListTargetsForPolicy":             core.Read(orgListTargetsForPolicy),
				"DescribeEffectivePolicy":          core.Read(orgDescribeEffectivePolicy),
			}),
			Settle:   orgSettle,
			Snapshot: orgSnapshot,
		}
	})
}

// Enum values and limits.
const (
	orgFeatureAll     = "ALL"
	orgFeatureBilling = "CONSOLIDATED_BILLING"

	orgSCP = "SERVICE_CONTROL_POLICY"
	orgRCP = "RESOURCE_CONTROL_POLICY"

	orgTargetRoot    = "ROOT"
	orgTargetOU      = "ORGANIZATIONAL_UNIT"
	orgTargetAccount = "ACCOUNT"

	orgStatusActive         = "ACTIVE"
	orgStatusPendingClosure = "PENDING_CLOSURE"
	orgStatusSuspended      = "SUSPENDED"

	orgJoinedCreated = "CREATED"
	orgJoinedInvited = "INVITED"

	orgCreateInProgress = "IN_PROGRESS"
	orgCreateSucceeded  = "SUCCEEDED"
	orgCreateFailed     = "FAILED"

	orgDefaultAccessRole = "OrganizationAccountAccessRole"

	// orgMaxOUDepth is how many levels of OUs AWS allows under the root.
	orgMaxOUDepth = 5
	// orgMaxCreatesInProgress is how many CreateAccount requests an
	// organization can have IN_PROGRESS at once. AWS's CreateAccount reference
	// names no dedicated error for this; what the service sends for a request
	// beyond it is TooManyRequestsException ("AWS Organizations can't complete
	// your request because another request is already in progress. Try again
	// later.", HTTP 400), which SDKs treat as a throttle and retry. Users
	// report that answer, with status 400, for accounts created several at
	// once (pulumi/pulumi-aws-native#1687); the figure 5 is not documented
	// (unconfirmed). The latency and quota model can change it
	// (core.Model.Concurrency).
	orgMaxCreatesInProgress = 5
	// orgMaxPendingClosures is how many CloseAccount requests can be pending
	// at once before CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED. AWS does not
	// document the number; this is the emulator's choice.
	orgMaxPendingClosures = 5
	// orgClosureWindow is the rolling window of the close-account quota: 10%
	// of member accounts, at least 10 and at most 1000 (CloseAccount API reference).
	orgClosureWindow = 30 * 24 * time.Hour
	orgMaxTags       = 50
	orgMaxResults    = 20
)

// orgPolicyTypes: see policytypes.go.

// orgAuthorizationType reports whether a policy type is an authorization
// policy (SCP, RCP): enabling it attaches the AWS managed full-access
// policy everywhere, and every target keeps at least one attached.
func orgAuthorizationType(t string) bool { return t == orgSCP || t == orgRCP }

// orgManaged is an AWS managed policy, shared by every organization.
type orgManaged struct {
	id, name, description, content string
}

// orgManagedPolicies are the AWS managed policies by policy type.
var orgManagedPolicies = map[string]orgManaged{
	orgSCP: {id: "p-FullAWSAccess", name: "FullAWSAccess", description: "Allows access to every operation",
		content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	orgRCP: {id: "p-RCPFullAWSAccess", name: "RCPFullAWSAccess", description: "Allows access to every operation",
		content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// orgFailureReasons are the CreateAccountStatus FailureReason values AWS lists.
var orgFailureReasons = map[string]bool{
	"ACCOUNT_LIMIT_EXCEEDED": true, "EMAIL_ALREADY_EXISTS": true, "INVALID_ADDRESS": true, "INVALID_EMAIL": true,
	"CONCURRENT_ACCOUNT_MODIFICATION": true, "INTERNAL_FAILURE": true, "GOVCLOUD_ACCOUNT_ALREADY_EXISTS": true,
	"MISSING_BUSINESS_VALIDATION": true, "FAILED_BUSINESS_VALIDATION": true, "PENDING_BUSINESS_VALIDATION": true,
	"INVALID_IDENTITY_FOR_BUSINESS_VALIDATION": true, "UNKNOWN_BUSINESS_VALIDATION": true,
	"MISSING_PAYMENT_INSTRUMENT": true, "INVALID_PAYMENT_INSTRUMENT": true,
	"UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED": true,
}

// Organization is one AWS organization. Every account in it (management and
// members) points at it through account.org.
type Organization struct {
	id, rootID string
	mgmt       string // management account ID
	featureSet string
	// policyTypes holds the policy types enabled on the root.
	policyTypes map[string]bool
	rootTags    map[string]string
	ous         map[string]*orgUnit
	members     map[string]*orgMember
	policies    map[string]*orgPolicy // customer managed, by ID
	// attached maps a policy ID (AWS managed ones included) to its targets.
	attached map[string]map[string]bool
	requests map[string]*orgCreateRequest
	// seq numbers OUs, policies and create-account requests for their IDs.
	seq int
	// closures are the times of CloseAccount requests, for the 30-day quota.
	closures []time.Time
	// failNext holds FailureReasons forced by FailNextAccountCreation.
	failNext []string
}

// orgUnit is an organizational unit.
type orgUnit struct {
	id, name, parent string
	tags             map[string]string
}

// orgMember is an account's membership of an organization.
type orgMember struct {
	id, name, email, parent string
	status, joinedMethod    string
	joined                  time.Time
	// closeIn counts the DescribeAccount calls left before a PENDING_CLOSURE
	// account is SUSPENDED.
	closeIn int
	// closing is when CloseAccount was called; the closure also settles
	// once Options.AsyncDuration has passed (Emulator.settleDue).
	closing time.Time
	tags    map[string]string
}

// orgPolicy is a customer managed policy.
type orgPolicy struct {
	id, name, typ, description, content string
	tags                                map[string]string
}

// orgCreateRequest is one CreateAccount request.
type orgCreateRequest struct {
	seq                       int
	id, name, email, roleName string
	tags                      map[string]string
	state, failure, accountID string
	requested, completed      time.Time
	describesLeft             int
	forcedFailure             string
}

// --- errors -----------------------------------------------------------------

// orgErrors is Organizations' table of error codes and HTTP statuses.
//
// AWS Organizations answers every client error with HTTP 400 and
// ServiceException with 500. The current Smithy model (aws/api-models-aws,
// and the Go SDK generated from it) carries httpError traits of 404, 409 and
// 429 (AWSOrganizationsNotInUseException 404, DuplicateOrganizationalUnit-
// Exception 409, TooManyRequestsException 429, ...), but those are not what
// the service sends: botocore's model has no status for any of them (so
// 400), the SDKs' error messages from the real service read "status code:
// 400" for AWSOrganizationsNotInUseException, and botocore had to retry
// TooManyRequestsException by code because the service sends it with 400,
// not 429 (aws/aws-sdk-js#2135, botocore 1.10.53). The SDKs key on the
// code, so either status decodes to the same typed exception.
var orgErrors = core.ErrorStatuses{
	"AWSOrganizationsNotInUseException":              http.StatusBadRequest,
	"AccessDeniedException":                          http.StatusBadRequest,
	"AccountAlreadyClosedException":                  http.StatusBadRequest,
	"AccountNotFoundException":                       http.StatusBadRequest,
	"AlreadyInOrganizationException":                 http.StatusBadRequest,
	"ChildNotFoundException":                         http.StatusBadRequest,
	"ConcurrentModificationException":                http.StatusBadRequest,
	"ConstraintViolationException":                   http.StatusBadRequest,
	"CreateAccountStatusNotFoundException":           http.StatusBadRequest,
	"DestinationParentNotFoundException":             http.StatusBadRequest,
	"DuplicateAccountException":                      http.StatusBadRequest,
	"DuplicateOrganizationalUnitException":           http.StatusBadRequest,
	"DuplicatePolicyAttachmentException":             http.StatusBadRequest,
	"DuplicatePolicyException":                       http.StatusBadRequest,
	"InvalidInputException":                          http.StatusBadRequest,
	"MalformedPolicyDocumentException":               http.StatusBadRequest,
	"EffectivePolicyNotFoundException":               http.StatusBadRequest,
	"OrganizationNotEmptyException":                  http.StatusBadRequest,
	"OrganizationalUnitNotEmptyException":            http.StatusBadRequest,
	"OrganizationalUnitNotFoundException":            http.StatusBadRequest,
	"ParentNotFoundException":                        http.StatusBadRequest,
	"PolicyInUseException":                           http.StatusBadRequest,
	"PolicyNotAttachedException":                     http.StatusBadRequest,
	"PolicyNotFoundException":                        http.StatusBadRequest,
	"PolicyTypeAlreadyEnabledException":              http.StatusBadRequest,
	"PolicyTypeNotAvailableForOrganizationException": http.StatusBadRequest,
	"PolicyTypeNotEnabledException":                  http.StatusBadRequest,
	"RootNotFoundException":                          http.StatusBadRequest,
	"SourceParentNotFoundException":                  http.StatusBadRequest,
	"TargetNotFoundException":                        http.StatusBadRequest,
	"TooManyRequestsException":                       http.StatusBadRequest,
	"ServiceException":                               http.StatusInternalServerError,
}

// orgErr builds an Organizations client error. The service's exceptions
// carry their text in "Message".
func orgErr(code, format string, args ...any) *core.APIError {
	e := orgErrors.Err(code, format, args...)
	e.Extra = map[string]string{"Message": e.Message}
	return e
}

// orgReasonErr builds an error that carries a Reason member
// (ConstraintViolationException, InvalidInputException).
func orgReasonErr(code, reason, format string, args ...any) *core.APIError {
	e := orgErr(code, format, args...)
	e.Extra["Reason"] = reason
	return e
}

func orgConstraint(reason, format string, args ...any) *core.APIError {
	return orgReasonErr("ConstraintViolationException", reason, format, args...)
}

func orgInvalid(reason, format string, args ...any) *core.APIError {
	return orgReasonErr("InvalidInputException", reason, format, args...)
}

func orgNotInUse() *core.APIError {
	return orgErr("AWSOrganizationsNotInUseException",
		"Your account is not a member of an organization.")
}

func orgAccessDenied() *core.APIError {
	return orgErr("AccessDeniedException", "You don't have permissions to access this resource.")
}

// --- deterministic IDs --------------------------------------------------------

const (
	orgAlnum  = "abcdefghijklmnopqrstuvwxyz0123456789"
	orgDigits = "0123456789"
	orgHex    = "0123456789abcdef"
)

// orgHashID draws n characters of alphabet from a hash of parts.
func orgHashID(alphabet string, n int, parts ...string) string {
	return core.HashID("", alphabet, n, parts...)
}

// nextID returns an ID built by mk from the resource's own inputs (mk
// hashes them with an attempt number), skipping IDs taken, so an ID does
// not depend on the order of concurrent requests. It also advances the
// organization's sequence, which orders create-account requests.
func (o *Organization) nextID(mk func(attempt string) string, taken func(string) bool) string {
	o.seq++
	for attempt := 0; ; attempt++ {
		id := mk(fmt.Sprint(attempt))
		if !taken(id) {
			return id
		}
	}
}

// orgDecode decodes the request body into v.
func orgDecode(c *core.Ctx, v any) *core.APIError {
	if err := c.JSON(v); err != nil {
		if apiErr, ok := err.(*core.APIError); ok {
			return apiErr
		}
		return orgErr("SerializationException", "%v", err)
	}
	return nil
}

// --- lookups ------------------------------------------------------------------

// Settings are Organizations' options (the facade's Options fields of the
// same names), passed in core.Options.Services under "organizations".
type Settings struct {
	// AccountCreationDescribes is how many DescribeCreateAccountStatus
	// calls see a CreateAccount request IN_PROGRESS before it settles
	// (SUCCEEDED or FAILED). Default 2.
	AccountCreationDescribes int
	// AccountClosureDescribes is how many DescribeAccount calls see a
	// closed account PENDING_CLOSURE before it is SUSPENDED. Default 2.
	AccountClosureDescribes int
	// SCPMaxSize is the largest service control policy, in characters
	// after removing whitespace outside strings. Default 10240, as in AWS
	// since 2026-05-15 (5120 before).
	SCPMaxSize int
	// SCPMaxAttachments is how many service control policies
	// (FullAWSAccess included) one root, OU or account can have attached.
	// Default 10, as in AWS since 2026-05-15 (5 before).
	SCPMaxAttachments int
}

// orgSettings returns the emulator's Organizations settings, defaults
// filled in.
func orgSettings(e *core.Emulator) Settings {
	s := core.ServiceSettings[Settings](e, "organizations")
	if s.AccountCreationDescribes <= 0 {
		s.AccountCreationDescribes = 2
	}
	if s.AccountClosureDescribes <= 0 {
		s.AccountClosureDescribes = 2
	}
	if s.SCPMaxSize <= 0 {
		s.SCPMaxSize = orgSCPMaxSize
	}
	if s.SCPMaxAttachments <= 0 {
		s.SCPMaxAttachments = orgSCPMaxAttach
	}
	return s
}

// orgCreatedHooks run when an account creates an organization, with the
// emulator locked; services that react to it (IAM Identity Center, with
// Options.IdentityCenter) add theirs with OnCreateOrganization.
var orgCreatedHooks []func(e *core.Emulator, mgmt *core.Account, allFeatures bool)

// OnCreateOrganization adds f to the functions run when an account
// creates an organization. Call it from an init function.
func OnCreateOrganization(f func(e *core.Emulator, mgmt *core.Account, allFeatures bool)) {
	orgCreatedHooks = append(orgCreatedHooks, f)
}

// Of returns the organization a belongs to (shared by its management
// and member accounts), nil when in none.
func Of(a *core.Account) *Organization { return core.Slot[*Organization](a, "organizations") }

// ID is the organization's ID (o-...).
func (o *Organization) ID() string { return o.id }

// Management is the ID of the organization's management account.
func (o *Organization) Management() string { return o.mgmt }

// ActiveMember reports whether account id is an ACTIVE member of the
// organization.
func (o *Organization) ActiveMember(id string) bool {
	m, ok := o.members[id]
	return ok && m.status == orgStatusActive
}

// orgOf returns the caller's organization.
func orgOf(c *core.Ctx) (*Organization, *core.APIError) {
	if Of(c.Account) == nil {
		return nil, orgNotInUse()
	}
	return Of(c.Account), nil
}

// orgManagement returns the caller's organization when the caller is its
// management account: most Organizations operations can be called only there.
func orgManagement(c *core.Ctx) (*Organization, *core.APIError) {
	o, err := orgOf(c)
	if err != nil {
		return nil, err
	}
	if o.mgmt != c.Account.ID {
		return nil, orgAccessDenied()
	}
	return o, nil
}

func (o *Organization) arnPrefix() string { return "arn:aws:organizations::" + o.mgmt + ":" }
func (o *Organization) arn() string       { return o.arnPrefix() + "organization/" + o.id }
func (o *Organization) rootARN() string   { return o.arnPrefix() + "root/" + o.id + "/" + o.rootID }
func (o *Organization) ouARN(id string) string {
	return o.arnPrefix() + "ou/" + o.id + "/" + id
}
func (o *Organization) accountARN(id string) string {
	return o.arnPrefix() + "account/" + o.id + "/" + id
}

// policyARN returns a policy's ARN; AWS managed policies live in the "aws" account.
func (o *Organization) policyARN(id, typ string) string {
	kind := strings.ToLower(typ)
	for _, m := range orgManagedPolicies {
		if m.id == id {
			return "arn:aws:organizations::aws:policy/" + kind + "/" + id
		}
	}
	return o.arnPrefix() + "policy/" + o.id + "/" + kind + "/" + id
}

// isParent reports whether id is the root or an OU.
func (o *Organization) isParent(id string) bool {
	_, ok := o.ous[id]
	return id == o.rootID || ok
}

// target describes a policy target (root, OU or account): its type and name.
func (o *Organization) target(id string) (typ, name, arn string, ok bool) {
	if id == o.rootID {
		return orgTargetRoot, "Root", o.rootARN(), true
	}
	if ou, found := o.ous[id]; found {
		return orgTargetOU, ou.name, o.ouARN(id), true
	}
	if m, found := o.members[id]; found {
		return orgTargetAccount, m.name, o.accountARN(id), true
	}
	return "", "", "", false
}

// targets lists every root, OU and account ID.
func (o *Organization) targets() []string {
	ids := []string{o.rootID}
	ids = append(ids, core.SortedKeys(o.ous)...)
	return append(ids, core.SortedKeys(o.members)...)
}

// depth is how many OUs lie between the root and id, id included.
func (o *Organization) depth(id string) int {
	d := 0
	for id != o.rootID {
		ou, ok := o.ous[id]
		if !ok {
			break
		}
		d++
		id = ou.parent
	}
	return d
}

// idPath is the entity path AWS reports: o-x/r-x/ou-x/.../.
func (o *Organization) idPath(parent string) string {
	var ids []string
	for parent != o.rootID {
		ou, ok := o.ous[parent]
		if !ok {
			break
		}
		ids = append([]string{parent}, ids...)
		parent = ou.parent
	}
	return o.id + "/" + o.rootID + "/" + strings.Join(append(ids, ""), "/")
}

// namePath is a parent's path of OU names ("/" for the root, "/Prod/Apps"),
// used in snapshots because IDs are less readable.
func (o *Organization) namePath(parent string) string {
	var names []string
	for parent != o.rootID {
		ou, ok := o.ous[parent]
		if !ok {
			break
		}
		names = append([]string{ou.name}, names...)
		parent = ou.parent
	}
	return "/" + strings.Join(names, "/")
}

// policy returns the policy (customer or AWS managed) with the given ID as
// a view, or false.
func (o *Organization) policy(id string) (*orgPolicy, bool) {
	if p, ok := o.policies[id]; ok {
		return p, true
	}
	for typ, m := range orgManagedPolicies {
		if m.id == id && o.policyTypes[typ] {
			return &orgPolicy{id: m.id, name: m.name, typ: typ, description: m.description, content: m.content}, true
		}
	}
	return nil, false
}

func orgIsManaged(id string) bool {
	for _, m := range orgManagedPolicies {
		if m.id == id {
			return true
		}
	}
	return false
}

// attachedOfType lists the policies of a type attached to a target.
func (o *Organization) attachedOfType(target, typ string) []string {
	var out []string
	for _, pid := range core.SortedKeys(o.attached) {
		if !o.attached[pid][target] {
			continue
		}
		if p, ok := o.policy(pid); ok && p.typ == typ {
			out = append(out, pid)
		}
	}
	return out
}

func (o *Organization) attach(policyID, target string) {
	if o.attached[policyID] == nil {
		o.attached[policyID] = map[string]bool{}
	}
	o.attached[policyID][target] = true
}

// attachManaged attaches the AWS managed full-access policy of every enabled
// authorization policy type to a new target, as AWS does.
func (o *Organization) attachManaged(target string) {
	for typ, m := range orgManagedPolicies {
		if o.policyTypes[typ] {
			o.attach(m.id, target)
		}
	}
}

// detachAll removes every attachment to a target (it is being deleted).
func (o *Organization) detachAll(target string) {
	for pid, targets := range o.attached {
		delete(targets, target)
		if len(targets) == 0 {
			delete(o.attached, pid)
		}
	}
}

// emailTaken reports whether any account in any organization has the email.
func orgEmailTaken(e *core.Emulator, email string) bool {
	for _, a := range e.AllAccounts() {
		if Of(a) == nil {
			continue
		}
		if m, ok := Of(a).members[a.ID]; ok && strings.EqualFold(m.email, email) {
			return true
		}
	}
	return false
}

// --- output shapes ------------------------------------------------------------

type orgPolicyTypeSummary struct {
	Type   string
	Status string
}

type orgOrganizationOut struct {
	Arn                  string
	AvailablePolicyTypes []orgPolicyTypeSummary
	FeatureSet           string
	Id                   string
	MasterAccountArn     string
	MasterAccountEmail   string
	MasterAccountId      string
}

type orgRootOut struct {
	Arn         string
	Id          string
	Name        string
	PolicyTypes []orgPolicyTypeSummary
}

type orgOUOut struct {
	Arn  string
	Id   string
	Name string
	Path string
}

type orgAccountOut struct {
	Arn             string
	Email           string
	Id              string
	JoinedMethod    string
	JoinedTimestamp float64
	Name            string
	Paths           []string
	State           string
	// Status was retired on 2026-09-09 in favour of State (Organizations
	// API reference, Account); the emulator no longer sends it.
	Status string `json:",omitempty"`
}

type orgCreateStatusOut struct {
	AccountId          string  `json:",omitempty"`
	AccountName        string  `json:",omitempty"`
	CompletedTimestamp float64 `json:",omitempty"`
	FailureReason      string  `json:",omitempty"`
	Id                 string
	RequestedTimestamp float64
	State              string
}

type orgPolicySummaryOut struct {
	Arn         string
	AwsManaged  bool
	Description string
	Id          string
	Name        string
	Type        string
}

type orgPolicyOut struct {
	Content       string
	PolicySummary orgPolicySummaryOut
}

type orgTag = core.Tag

func (o *Organization) enabledTypes() []orgPolicyTypeSummary {
	out := []orgPolicyTypeSummary{}
	for _, t := range core.SortedKeys(o.policyTypes) {
		out = append(out, orgPolicyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return out
}

// availablePolicyTypes is DescribeOrganization's deprecated
// AvailablePolicyTypes. The API reference says it "doesn't include any
// policy type supported by Organizations other than SCPs" and that a type
// shown as available can still be disabled at the root (ListRoots has the
// real status), so it is not a copy of the root's enabled types: an
// organization with all features lists SERVICE_CONTROL_POLICY as ENABLED
// (available), whether or not SCPs are enabled on the root, and nothing
// else; a consolidated-billing organization, which cannot use SCPs, lists
// none. (moto answers the same SCP entry.) The China (Ningxia) Region's
// empty list is not modeled.
func (o *Organization) availablePolicyTypes() []orgPolicyTypeSummary {
	if o.featureSet != orgFeatureAll {
		return []orgPolicyTypeSummary{}
	}
	return []orgPolicyTypeSummary{{Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED"}}
}

func (o *Organization) out() orgOrganizationOut {
	return orgOrganizationOut{Arn: o.arn(), AvailablePolicyTypes: o.availablePolicyTypes(), FeatureSet: o.featureSet, Id: o.id,
		MasterAccountArn: o.accountARN(o.mgmt), MasterAccountEmail: o.members[o.mgmt].email, MasterAccountId: o.mgmt}
}

func (o *Organization) rootOut() orgRootOut {
	return orgRootOut{Arn: o.rootARN(), Id: o.rootID, Name: "Root", PolicyTypes: o.enabledTypes()}
}

func (o *Organization) ouOut(ou *orgUnit) orgOUOut {
	return orgOUOut{Arn: o.ouARN(ou.id), Id: ou.id, Name: ou.name, Path: o.idPath(ou.id)}
}

func (o *Organization) accountOut(m *orgMember) orgAccountOut {
	return orgAccountOut{Arn: o.accountARN(m.id), Email: m.email, Id: m.id, JoinedMethod: m.joinedMethod,
		JoinedTimestamp: core.EpochSeconds(m.joined), Name: m.name, Paths: []string{o.idPath(m.parent) + m.id + "/"},
		State: m.status}
}

func orgRequestOut(r *orgCreateRequest) orgCreateStatusOut {
	out := orgCreateStatusOut{AccountName: r.name, Id: r.id, RequestedTimestamp: core.EpochSeconds(r.requested), State: r.state,
		FailureReason: r.failure, AccountId: r.accountID}
	if !r.completed.IsZero() {
		out.CompletedTimestamp = core.EpochSeconds(r.completed)
	}
	return out
}

func (o *Organization) policySummary(p *orgPolicy) orgPolicySummaryOut {
	return orgPolicySummaryOut{Arn: o.policyARN(p.id, p.typ), AwsManaged: orgIsManaged(p.id), Description: p.description,
		Id: p.id, Name: p.name, Type: p.typ}
}

func (o *Organization) policyOut(p *orgPolicy) map[string]any {
	return map[string]any{"Policy": orgPolicyOut{Content: p.content, PolicySummary: o.policySummary(p)}}
}

// --- pagination ---------------------------------------------------------------

// orgPaging is how Organizations' list operations reject a MaxResults or
// NextToken (MaxResults 0 means none: the field is not a pointer).
var orgPaging = core.Paging{
	Max: orgMaxResults,
	BadLimit: func(n int) *core.APIError {
		if n < 1 {
			return orgInvalid("MIN_VALUE_EXCEEDED", "You provided a value that is less than the allowed minimum for MaxResults.")
		}
		return orgInvalid("MAX_VALUE_EXCEEDED", "You provided a value that exceeds the allowed maximum of %d for MaxResults.", orgMaxResults)
	},
	BadToken: func() *core.APIError {
		return orgInvalid("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
	},
}

// orgLimit is a MaxResults as core.Paginate takes it: 0 (not given) is none.
func orgLimit(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

type orgListInput struct {
	NextToken  string
	MaxResults int
}

// --- tags ---------------------------------------------------------------------

// orgTagRules are Organizations' tag rules (create operations and
// TagResource).
var orgTagRules = core.TagRules{
	Checks: []core.TagCheck{core.TagKeyLength, core.TagValueLength, core.TagReserved, core.TagDuplicate, core.TagTooMany},
	Max:    orgMaxTags,
	Err: func(check core.TagCheck, _ int, t core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength, core.TagValueLength:
			return orgInvalid("INVALID_INPUT", "You provided an invalid tag: keys are 1-128 characters, values 0-256.")
		case core.TagReserved:
			return orgInvalid("INVALID_SYSTEM_TAGS_PARAMETER", "Tag keys beginning with aws: are reserved.")
		case core.TagDuplicate:
			return orgInvalid("DUPLICATE_TAG_KEY", "You provided the tag key %s more than once.", t.Key)
		}
		return orgConstraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	},
}

func orgTagList(m map[string]string) []orgTag {
	out := []orgTag{}
	for _, k := range core.SortedKeys(m) {
		out = append(out, orgTag{Key: k, Value: m[k]})
	}
	return out
}

// tagsOf returns a pointer to the tag map of a taggable resource.
func (o *Organization) tagsOf(id string) (*map[string]string, *core.APIError) {
	switch {
	case id == o.rootID:
		return &o.rootTags, nil
	case o.ous[id] != nil:
		return &o.ous[id].tags, nil
	case o.members[id] != nil:
		return &o.members[id].tags, nil
	case o.policies[id] != nil:
		return &o.policies[id].tags, nil
	case orgIsManaged(id):
		return nil, orgInvalid("IMMUTABLE_POLICY", "You can't tag an AWS managed policy.")
	}
	return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the ResourceId that you specified.")
}

// --- organization -------------------------------------------------------------

func orgCreateOrganization(c *core.Ctx) (any, error) {
	var in struct{ FeatureSet string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if in.FeatureSet == "" {
		in.FeatureSet = orgFeatureAll
	}
	if in.FeatureSet != orgFeatureAll && in.FeatureSet != orgFeatureBilling {
		return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for FeatureSet.")
	}
	if Of(c.Account) != nil {
		return nil, orgErr("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")
	}
	mgmt := c.Account.ID
	id := "o-" + orgHashID(orgAlnum, 10, "organization", mgmt)
	o := &Organization{
		id: id, rootID: "r-" + orgHashID(orgAlnum, 4, "root", id), mgmt: mgmt, featureSet: in.FeatureSet,
		policyTypes: map[string]bool{}, ous: map[string]*orgUnit{}, members: map[string]*orgMember{},
		policies: map[string]*orgPolicy{}, attached: map[string]map[string]bool{}, requests: map[string]*orgCreateRequest{},
	}
	o.members[mgmt] = &orgMember{id: mgmt, name: "Management account", email: mgmt + "@example.com", parent: o.rootID,
		status: orgStatusActive, joinedMethod: orgJoinedInvited, joined: c.Emu.Now()}
	core.SetSlot(c.Account, "organizations", o)
	for _, f := range orgCreatedHooks {
		f(c.Emu, c.Account, in.FeatureSet == orgFeatureAll)
	}
	return map[string]any{"Organization": o.out()}, nil
}

func orgDescribeOrganization(c *core.Ctx) (any, error) {
	o, err := orgOf(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Organization": o.out()}, nil
}

func orgDeleteOrganization(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	if len(o.members) > 1 {
		return nil, orgErr("OrganizationNotEmptyException",
			"The organization isn't empty. To delete an organization, you must first remove all accounts except the management account.")
	}
	core.SetSlot(c.Account, "organizations", nil)
	return nil, nil
}

func orgListRoots(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in orgListInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	page, next, apiErr := core.Paginate(c, []orgRootOut{o.rootOut()}, func(r orgRootOut) string { return r.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Roots", page, next), nil
}

// orgRootAndType checks EnablePolicyType/DisablePolicyType input.
func orgRootAndType(c *core.Ctx) (*Organization, string, *core.APIError) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, "", err
	}
	var in struct{ RootId, PolicyType string }
	if err := orgDecode(c, &in); err != nil {
		return nil, "", err
	}
	if _, ok := orgPolicyTypes[in.PolicyType]; !ok {
		return nil, "", orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %s.", in.PolicyType)
	}
	if in.RootId != o.rootID {
		return nil, "", orgErr("RootNotFoundException", "We can't find a root with the RootId that you specified.")
	}
	if o.featureSet != orgFeatureAll {
		return nil, "", orgErr("PolicyTypeNotAvailableForOrganizationException",
			"You can't use the specified policy type with the feature set currently enabled for this organization.")
	}
	return o, in.PolicyType, nil
}

func orgEnablePolicyType(c *core.Ctx) (any, error) {
	o, typ, err := orgRootAndType(c)
	if err != nil {
		return nil, err
	}
	if o.policyTypes[typ] {
		return nil, orgErr("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
	}
	o.policyTypes[typ] = true
	if m, ok := orgManagedPolicies[typ]; ok {
		for _, t := range o.targets() {
			o.attach(m.id, t)
		}
	}
	return map[string]any{"Root": o.rootOut()}, nil
}

func orgDisablePolicyType(c *core.Ctx) (any, error) {
	o, typ, err := orgRootAndType(c)
	if err != nil {
		return nil, err
	}
	if !o.policyTypes[typ] {
		return nil, orgErr("PolicyTypeNotEnabledException", "This policy type is not enabled for the specified root.")
	}
	for pid := range o.attached {
		if p, ok := o.policy(pid); ok && p.typ == typ {
			delete(o.attached, pid)
		}
	}
	delete(o.policyTypes, typ)
	return map[string]any{"Root": o.rootOut()}, nil
}

// --- organizational units -------------------------------------------------------

// orgCheckOUName validates an OU name (1-128 characters).
func orgCheckOUName(name string) *core.APIError {
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return orgInvalid("MIN_LENGTH_EXCEEDED", "You provided a value that is shorter than the allowed minimum length for Name.")
	}
	if n > 128 {
		return orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a value that exceeds the allowed maximum length of 128 for Name.")
	}
	return nil
}

// siblingNamed returns the OU under parent with the name, if any.
func (o *Organization) siblingNamed(parent, name string) *orgUnit {
	for _, ou := range o.ous {
		if ou.parent == parent && ou.name == name {
			return ou
		}
	}
	return nil
}

func orgDuplicateOU() *core.APIError {
	return orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
}

func orgCreateOrganizationalUnit(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ParentId, Name string
		Tags           []orgTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := orgCheckOUName(in.Name); err != nil {
		return nil, err
	}
	tags, apiErr := orgTagRules.Merge(nil, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	if !o.isParent(in.ParentId) {
		return nil, orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	if o.depth(in.ParentId) >= orgMaxOUDepth {
		return nil, orgConstraint("OU_DEPTH_LIMIT_EXCEEDED",
			"You attempted to create an OU tree that is too many levels deep.")
	}
	if o.siblingNamed(in.ParentId, in.Name) != nil {
		return nil, orgDuplicateOU()
	}
	id := o.nextID(func(seq string) string {
		return "ou-" + o.rootID[2:] + "-" + orgHashID(orgAlnum, 8, "ou", in.ParentId, in.Name, seq)
	}, func(id string) bool { return o.ous[id] != nil })
	ou := &orgUnit{id: id, name: in.Name, parent: in.ParentId, tags: tags}
	o.ous[id] = ou
	o.attachManaged(id)
	return map[string]any{"OrganizationalUnit": o.ouOut(ou)}, nil
}

// orgOU finds the OU named by the request's OrganizationalUnitId.
func orgOU(o *Organization, id string) (*orgUnit, *core.APIError) {
	ou, ok := o.ous[id]
	if !ok {
		return nil, orgErr("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return ou, nil
}

func orgDescribeOrganizationalUnit(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ OrganizationalUnitId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ou, apiErr := orgOU(o, in.OrganizationalUnitId)
	if apiErr != nil {
		return nil, apiErr
	}
	return map[string]any{"OrganizationalUnit": o.ouOut(ou)}, nil
}

func orgUpdateOrganizationalUnit(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		OrganizationalUnitId string
		Name                 *string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ou, apiErr := orgOU(o, in.OrganizationalUnitId)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.Name != nil {
		if err := orgCheckOUName(*in.Name); err != nil {
			return nil, err
		}
		if s := o.siblingNamed(ou.parent, *in.Name); s != nil && s != ou {
			return nil, orgDuplicateOU()
		}
		ou.name = *in.Name
	}
	return map[string]any{"OrganizationalUnit": o.ouOut(ou)}, nil
}

func orgDeleteOrganizationalUnit(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ OrganizationalUnitId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	ou, apiErr := orgOU(o, in.OrganizationalUnitId)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(o.childOUs(ou.id)) > 0 || len(o.childAccounts(ou.id)) > 0 {
		return nil, orgErr("OrganizationalUnitNotEmptyException",
			"The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
	}
	o.detachAll(ou.id)
	delete(o.ous, ou.id)
	return nil, nil
}

// childOUs lists a parent's OUs, sorted by ID.
func (o *Organization) childOUs(parent string) []*orgUnit {
	var out []*orgUnit
	for _, id := range core.SortedKeys(o.ous) {
		if o.ous[id].parent == parent {
			out = append(out, o.ous[id])
		}
	}
	return out
}

// childAccounts lists a parent's accounts, sorted by ID.
func (o *Organization) childAccounts(parent string) []*orgMember {
	var out []*orgMember
	for _, id := range core.SortedKeys(o.members) {
		if o.members[id].parent == parent {
			out = append(out, o.members[id])
		}
	}
	return out
}

func orgParentNotFound() *core.APIError {
	return orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func orgListOrganizationalUnitsForParent(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ParentId string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if !o.isParent(in.ParentId) {
		return nil, orgParentNotFound()
	}
	page, next, apiErr := core.Paginate(c, o.childOUs(in.ParentId), func(ou *orgUnit) string { return ou.id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []orgOUOut{}
	for _, ou := range page {
		out = append(out, o.ouOut(ou))
	}
	return core.PageOut("OrganizationalUnits", out, next), nil
}

type orgIDType struct {
	Id   string
	Type string
}

func orgListChildren(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ParentId, ChildType string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if in.ChildType != orgTargetAccount && in.ChildType != orgTargetOU {
		return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for ChildType.")
	}
	if !o.isParent(in.ParentId) {
		return nil, orgParentNotFound()
	}
	var children []orgIDType
	if in.ChildType == orgTargetOU {
		for _, ou := range o.childOUs(in.ParentId) {
			children = append(children, orgIDType{Id: ou.id, Type: orgTargetOU})
		}
	} else {
		for _, m := range o.childAccounts(in.ParentId) {
			children = append(children, orgIDType{Id: m.id, Type: orgTargetAccount})
		}
	}
	page, next, apiErr := core.Paginate(c, children, func(ch orgIDType) string { return ch.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Children", page, next), nil
}

func orgListParents(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ChildId string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	parent := ""
	if ou, ok := o.ous[in.ChildId]; ok {
		parent = ou.parent
	} else if m, ok := o.members[in.ChildId]; ok {
		parent = m.parent
	} else {
		return nil, orgErr("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := orgTargetOU
	if parent == o.rootID {
		typ = orgTargetRoot
	}
	page, next, apiErr := core.Paginate(c, []orgIDType{{Id: parent, Type: typ}}, func(p orgIDType) string { return p.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Parents", page, next), nil
}

// --- accounts -----------------------------------------------------------------

var (
	orgEmailRe       = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	orgAccountNameRe = regexp.MustCompile(`^[\x{0020}-\x{007E}]+$`)
)

func orgCreateAccount(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Email, AccountName, RoleName, IamUserAccessToBilling string
		Tags                                                 []orgTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if n := len(in.Email); n < 6 || n > 64 || !orgEmailRe.MatchString(in.Email) {
		return nil, orgInvalid("INVALID_EMAIL_ADDRESS_TARGET", "You provided an invalid email address: %s.", in.Email)
	}
	if n := utf8.RuneCountInString(in.AccountName); n < 1 || n > 50 || !orgAccountNameRe.MatchString(in.AccountName) {
		return nil, orgInvalid("INVALID_INPUT", "You provided an invalid AccountName: 1-50 printable ASCII characters.")
	}
	if in.RoleName == "" {
		in.RoleName = orgDefaultAccessRole
	}
	if !iam.RoleNameRe.MatchString(in.RoleName) {
		return nil, orgInvalid("INVALID_ROLE_NAME", "You provided a role name that isn't valid: %s.", in.RoleName)
	}
	if in.IamUserAccessToBilling != "" && in.IamUserAccessToBilling != "ALLOW" && in.IamUserAccessToBilling != "DENY" {
		return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for IamUserAccessToBilling.")
	}
	tags, apiErr := orgTagRules.Merge(nil, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	inProgress := 0
	for _, r := range o.requests {
		if r.state == orgCreateInProgress {
			inProgress++
		}
	}
	if inProgress >= c.Emu.ConcurrencyLimit(core.AsyncCreateAccount, orgMaxCreatesInProgress) {
		return nil, orgErr("TooManyRequestsException",
			"AWS Organizations can't complete your request because another request is already in progress. Try again later.")
	}
	r := &orgCreateRequest{name: in.AccountName, email: in.Email, roleName: in.RoleName, tags: tags,
		state: orgCreateInProgress, requested: c.Emu.Now(), describesLeft: orgSettings(c.Emu).AccountCreationDescribes}
	if len(o.failNext) > 0 {
		r.forcedFailure, o.failNext = o.failNext[0], o.failNext[1:]
	}
	r.id = o.nextID(func(seq string) string {
		return "car-" + orgHashID(orgHex, 32, "car", o.id, in.Email, seq)
	}, func(id string) bool { return o.requests[id] != nil })
	r.seq = o.seq
	o.requests[r.id] = r
	return map[string]any{"CreateAccountStatus": orgRequestOut(r)}, nil
}

// complete settles a create-account request: the forced failure, if any,
// then EMAIL_ALREADY_EXISTS, else the account is created in the root with
// its access role (trusting the management account) and the managed
// policies of the enabled policy types.
func (o *Organization) complete(e *core.Emulator, r *orgCreateRequest) {
	r.completed = e.Now()
	switch {
	case r.forcedFailure != "":
		r.state, r.failure = orgCreateFailed, r.forcedFailure
		return
	case orgEmailTaken(e, r.email):
		r.state, r.failure = orgCreateFailed, "EMAIL_ALREADY_EXISTS"
		return
	}
	id := orgHashID(orgDigits, 12, "account", strings.ToLower(r.email))
	for i := 1; e.Account(id) != nil; i++ {
		id = orgHashID(orgDigits, 12, "account", strings.ToLower(r.email), fmt.Sprint(i))
	}
	a := e.EnsureAccount(id)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + o.mgmt +
		`:root"},"Action":"sts:AssumeRole"}]}`
	role, apiErr := iam.NewRole(e, a, r.roleName, "/", trust)
	if apiErr != nil {
		e.RemoveAccount(id) // unreachable: the role name was checked at request time
		r.state, r.failure = orgCreateFailed, "INTERNAL_FAILURE"
		return
	}
	// The Consistency model: the new account's access role cannot be
	// assumed, and IAM Identity Center does not know the account, for a
	// while after the request SUCCEEDED.
	e.StartPropagation(core.PropagateAccountAccess, role.ARN)
	e.StartPropagation(core.PropagateIdentityCenter, id)
	core.SetSlot(a, "organizations", o)
	o.members[id] = &orgMember{id: id, name: r.name, email: r.email, parent: o.rootID, status: orgStatusActive,
		joinedMethod: orgJoinedCreated, joined: r.completed, tags: r.tags}
	o.attachManaged(id)
	r.state, r.accountID = orgCreateSucceeded, id
}

func orgDescribeCreateAccountStatus(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ CreateAccountRequestId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	r, ok := o.requests[in.CreateAccountRequestId]
	if !ok {
		return nil, orgErr("CreateAccountStatusNotFoundException",
			"We can't find a create account request with the CreateAccountRequestId that you specified.")
	}
	// Under the latency and quota model the request settles by time only
	// (orgSettle), not by describes.
	if r.state == orgCreateInProgress && !c.Emu.AsyncTimed(core.AsyncCreateAccount) {
		if r.describesLeft > 0 {
			r.describesLeft--
		} else {
			o.complete(c.Emu, r)
		}
	}
	return map[string]any{"CreateAccountStatus": orgRequestOut(r)}, nil
}

func orgListCreateAccountStatus(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		States []string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, s := range in.States {
		if s != orgCreateInProgress && s != orgCreateSucceeded && s != orgCreateFailed {
			return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for States: %s.", s)
		}
		want[s] = true
	}
	var reqs []*orgCreateRequest
	for _, r := range o.requests {
		if len(want) == 0 || want[r.state] {
			reqs = append(reqs, r)
		}
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
	page, next, apiErr := core.Paginate(c, reqs, func(r *orgCreateRequest) string { return core.SeqKey(r.seq) },
		in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []orgCreateStatusOut{}
	for _, r := range page {
		out = append(out, orgRequestOut(r))
	}
	return core.PageOut("CreateAccountStatuses", out, next), nil
}

func orgAccountNotFound() *core.APIError {
	return orgErr("AccountNotFoundException", "You specified an account that doesn't exist.")
}

func orgDescribeAccount(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ AccountId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	m, ok := o.members[in.AccountId]
	if !ok {
		return nil, orgAccountNotFound()
	}
	if m.status == orgStatusPendingClosure {
		if m.closeIn > 0 {
			m.closeIn--
		} else {
			m.status = orgStatusSuspended
		}
	}
	return map[string]any{"Account": o.accountOut(m)}, nil
}

func (o *Organization) accountsPage(c *core.Ctx, members []*orgMember, in orgListInput) (any, error) {
	page, next, apiErr := core.Paginate(c, members, func(m *orgMember) string { return m.id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []orgAccountOut{}
	for _, m := range page {
		out = append(out, o.accountOut(m))
	}
	return core.PageOut("Accounts", out, next), nil
}

func orgListAccounts(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in orgListInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	var members []*orgMember
	for _, id := range core.SortedKeys(o.members) {
		members = append(members, o.members[id])
	}
	return o.accountsPage(c, members, in)
}

func orgListAccountsForParent(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ParentId string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if !o.isParent(in.ParentId) {
		return nil, orgParentNotFound()
	}
	return o.accountsPage(c, o.childAccounts(in.ParentId), in.orgListInput)
}

func orgMoveAccount(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ AccountId, SourceParentId, DestinationParentId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	m, ok := o.members[in.AccountId]
	switch {
	case !ok:
		return nil, orgAccountNotFound()
	case !o.isParent(in.SourceParentId):
		return nil, orgErr("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	case !o.isParent(in.DestinationParentId):
		return nil, orgErr("DestinationParentNotFoundException", "We can't find a destination root or OU with the ParentId that you specified.")
	case m.parent == in.DestinationParentId:
		return nil, orgErr("DuplicateAccountException", "That account is already present in the specified destination.")
	case m.parent != in.SourceParentId:
		return nil, orgErr("AccountNotFoundException", "You specified an account that doesn't exist in the source parent.")
	}
	m.parent = in.DestinationParentId
	return nil, nil
}

// orgCloseQuota is how many accounts an organization can close in 30 days:
// 10% of its member accounts, at least 10 and at most 1000.
func (o *Organization) closeQuota() int {
	return min(max((len(o.members)-1)/10, 10), 1000)
}

func orgCloseAccount(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ AccountId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	m, ok := o.members[in.AccountId]
	if !ok {
		return nil, orgAccountNotFound()
	}
	if m.id == o.mgmt {
		return nil, orgConstraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. You can't close the management account.")
	}
	if m.status != orgStatusActive {
		return nil, orgErr("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
	}
	if o.featureSet != orgFeatureAll {
		return nil, orgConstraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You can close an account only when all features are enabled.")
	}
	pending := 0
	for _, other := range o.members {
		if other.status == orgStatusPendingClosure {
			pending++
		}
	}
	if pending >= orgMaxPendingClosures {
		return nil, orgConstraint("CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED", "You attempted to exceed the number of accounts that you can close at a time.")
	}
	now := c.Emu.Now()
	recent := o.closures[:0]
	for _, t := range o.closures {
		if now.Sub(t) < orgClosureWindow {
			recent = append(recent, t)
		}
	}
	o.closures = recent
	if len(recent) >= o.closeQuota() {
		return nil, orgConstraint("CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You have exceeded close account quota for the past 30 days.")
	}
	o.closures = append(o.closures, now)
	m.status, m.closeIn, m.closing = orgStatusPendingClosure, orgSettings(c.Emu).AccountClosureDescribes, now
	return nil, nil
}

// --- tagging ------------------------------------------------------------------

func orgTagResource(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ResourceId string
		Tags       []orgTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	tags, apiErr := o.tagsOf(in.ResourceId)
	if apiErr != nil {
		return nil, apiErr
	}
	merged, apiErr := orgTagRules.Merge(*tags, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	*tags = merged
	return nil, nil
}

func orgUntagResource(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ResourceId string
		TagKeys    []string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	tags, apiErr := o.tagsOf(in.ResourceId)
	if apiErr != nil {
		return nil, apiErr
	}
	for _, k := range in.TagKeys {
		delete(*tags, k)
	}
	return nil, nil
}

func orgListTagsForResource(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ResourceId string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	tags, apiErr := o.tagsOf(in.ResourceId)
	if apiErr != nil {
		return nil, apiErr
	}
	page, next, apiErr := core.Paginate(c, orgTagList(*tags), func(t orgTag) string { return t.Key }, in.NextToken, nil, orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Tags", page, next), nil
}

// --- policies -----------------------------------------------------------------

// orgCheckContent validates a policy document of a type and returns its
// size as AWS counts it: characters once whitespace outside strings is removed.
func orgCheckContent(typ, content string) (int, *core.APIError) {
	var doc any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return 0, orgErr("MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: invalid JSON.")
	}
	if apiErr := orgCheckGrammar(typ, content); apiErr != nil { // policytypes.go
		return 0, apiErr
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(content)); err != nil {
		return 0, orgErr("MalformedPolicyDocumentException", "The provided policy document isn't valid JSON.")
	}
	return utf8.RuneCountInString(b.String()), nil
}

// orgMaxSize is the largest policy of a type, in characters.
func orgMaxSize(e *core.Emulator, typ string) int {
	if typ == orgSCP {
		return orgSettings(e).SCPMaxSize
	}
	return orgPolicyTypes[typ].maxSize
}

// orgMaxAttach is how many policies of a type one target can have.
func orgMaxAttach(e *core.Emulator, typ string) int {
	if typ == orgSCP {
		return orgSettings(e).SCPMaxAttachments
	}
	return orgPolicyTypes[typ].maxAttach
}

func orgCheckPolicyName(name string) *core.APIError {
	if n := utf8.RuneCountInString(name); n < 1 || n > 128 {
		return orgInvalid("INVALID_INPUT", "A policy name must be 1-128 characters.")
	}
	return nil
}

func orgDuplicatePolicy() *core.APIError {
	return orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
}

// namedPolicy returns the customer policy of a type with the name, if any.
func (o *Organization) namedPolicy(typ, name string) *orgPolicy {
	for _, p := range o.policies {
		if p.typ == typ && p.name == name {
			return p
		}
	}
	if m, ok := orgManagedPolicies[typ]; ok && m.name == name {
		return &orgPolicy{id: m.id}
	}
	return nil
}

func orgCreatePolicy(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Content, Description, Name, Type string
		Tags                             []orgTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if _, ok := orgPolicyTypes[in.Type]; !ok {
		return nil, orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %s.", in.Type)
	}
	if apiErr := orgCheckPolicyName(in.Name); apiErr != nil {
		return nil, apiErr
	}
	if utf8.RuneCountInString(in.Description) > 512 {
		return nil, orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a value that exceeds the allowed maximum length of 512 for Description.")
	}
	tags, apiErr := orgTagRules.Merge(nil, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	size, apiErr := orgCheckContent(in.Type, in.Content)
	if apiErr != nil {
		return nil, apiErr
	}
	if size > orgMaxSize(c.Emu, in.Type) {
		return nil, orgConstraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy larger than the maximum size.")
	}
	if o.namedPolicy(in.Type, in.Name) != nil {
		return nil, orgDuplicatePolicy()
	}
	if apiErr := o.checkPolicyCount(in.Type); apiErr != nil {
		return nil, apiErr
	}
	id := o.nextID(func(seq string) string {
		return "p-" + orgHashID(orgAlnum, 8, "policy", o.id, in.Name, seq)
	}, func(id string) bool { return o.policies[id] != nil })
	p := &orgPolicy{id: id, name: in.Name, typ: in.Type, description: in.Description, content: in.Content, tags: tags}
	o.policies[id] = p
	return o.policyOut(p), nil
}

// orgFindPolicy looks up the request's policy.
func orgFindPolicy(o *Organization, id string) (*orgPolicy, *core.APIError) {
	p, ok := o.policy(id)
	if !ok {
		return nil, orgErr("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
	}
	return p, nil
}

func orgUpdatePolicy(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		PolicyId                   string
		Name, Description, Content *string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	p, apiErr := orgFindPolicy(o, in.PolicyId)
	if apiErr != nil {
		return nil, apiErr
	}
	if orgIsManaged(p.id) {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	}
	if in.Name != nil {
		if apiErr := orgCheckPolicyName(*in.Name); apiErr != nil {
			return nil, apiErr
		}
		if other := o.namedPolicy(p.typ, *in.Name); other != nil && other.id != p.id {
			return nil, orgDuplicatePolicy()
		}
	}
	if in.Content != nil {
		size, apiErr := orgCheckContent(p.typ, *in.Content)
		if apiErr != nil {
			return nil, apiErr
		}
		if size > orgMaxSize(c.Emu, p.typ) {
			return nil, orgConstraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy larger than the maximum size.")
		}
		p.content = *in.Content
	}
	if in.Name != nil {
		p.name = *in.Name
	}
	if in.Description != nil {
		p.description = *in.Description
	}
	return o.policyOut(p), nil
}

func orgDescribePolicy(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ PolicyId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	p, apiErr := orgFindPolicy(o, in.PolicyId)
	if apiErr != nil {
		return nil, apiErr
	}
	return o.policyOut(p), nil
}

func orgDeletePolicy(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct{ PolicyId string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	p, apiErr := orgFindPolicy(o, in.PolicyId)
	if apiErr != nil {
		return nil, apiErr
	}
	if orgIsManaged(p.id) {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	}
	if len(o.attached[p.id]) > 0 {
		return nil, orgErr("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
	}
	delete(o.policies, p.id)
	return nil, nil
}

// summaries renders policies sorted by ID.
func (o *Organization) summaries(ps []*orgPolicy) []orgPolicySummaryOut {
	sort.Slice(ps, func(i, j int) bool { return ps[i].id < ps[j].id })
	out := []orgPolicySummaryOut{}
	for _, p := range ps {
		out = append(out, o.policySummary(p))
	}
	return out
}

func orgListPolicies(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Filter string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if _, ok := orgPolicyTypes[in.Filter]; !ok {
		return nil, orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %s.", in.Filter)
	}
	var ps []*orgPolicy
	for _, p := range o.policies {
		if p.typ == in.Filter {
			ps = append(ps, p)
		}
	}
	if m, ok := orgManagedPolicies[in.Filter]; ok {
		if p, found := o.policy(m.id); found {
			ps = append(ps, p)
		}
	}
	page, next, apiErr := core.Paginate(c, o.summaries(ps), func(s orgPolicySummaryOut) string { return s.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Policies", page, next), nil
}

// orgPolicyAndTarget resolves AttachPolicy/DetachPolicy input.
func orgPolicyAndTarget(c *core.Ctx) (*Organization, *orgPolicy, string, *core.APIError) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, nil, "", err
	}
	var in struct{ PolicyId, TargetId string }
	if err := orgDecode(c, &in); err != nil {
		return nil, nil, "", err
	}
	p, apiErr := orgFindPolicy(o, in.PolicyId)
	if apiErr != nil {
		return nil, nil, "", apiErr
	}
	if _, _, _, ok := o.target(in.TargetId); !ok {
		return nil, nil, "", orgErr("TargetNotFoundException", "We can't find a root, OU, or account with the TargetId that you specified.")
	}
	return o, p, in.TargetId, nil
}

func orgAttachPolicy(c *core.Ctx) (any, error) {
	o, p, target, apiErr := orgPolicyAndTarget(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if !o.policyTypes[p.typ] {
		return nil, orgErr("PolicyTypeNotEnabledException", "This policy type is not enabled for the specified root.")
	}
	if o.attached[p.id][target] {
		return nil, orgErr("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
	}
	if len(o.attachedOfType(target, p.typ)) >= orgMaxAttach(c.Emu, p.typ) {
		return nil, orgConstraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
			"You attempted to exceed the number of policies of a certain type that can be attached to an entity.")
	}
	o.attach(p.id, target)
	return nil, nil
}

func orgDetachPolicy(c *core.Ctx) (any, error) {
	o, p, target, apiErr := orgPolicyAndTarget(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if p.id == orgManagedPolicies[orgRCP].id {
		return nil, orgInvalid("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.")
	}
	if !o.attached[p.id][target] {
		return nil, orgErr("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
	}
	if orgAuthorizationType(p.typ) && len(o.attachedOfType(target, p.typ)) <= 1 {
		return nil, orgConstraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
			"You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
	}
	delete(o.attached[p.id], target)
	if len(o.attached[p.id]) == 0 {
		delete(o.attached, p.id)
	}
	return nil, nil
}

func orgListPoliciesForTarget(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		TargetId, Filter string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if _, ok := orgPolicyTypes[in.Filter]; !ok {
		return nil, orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %s.", in.Filter)
	}
	if _, _, _, ok := o.target(in.TargetId); !ok {
		return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, or account with the TargetId that you specified.")
	}
	var ps []*orgPolicy
	for _, id := range o.attachedOfType(in.TargetId, in.Filter) {
		p, _ := o.policy(id)
		ps = append(ps, p)
	}
	page, next, apiErr := core.Paginate(c, o.summaries(ps), func(s orgPolicySummaryOut) string { return s.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Policies", page, next), nil
}

type orgTargetOut struct {
	Arn      string
	Name     string
	TargetId string
	Type     string
}

func orgListTargetsForPolicy(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		PolicyId string
		orgListInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	p, apiErr := orgFindPolicy(o, in.PolicyId)
	if apiErr != nil {
		return nil, apiErr
	}
	targets := []orgTargetOut{}
	for _, id := range core.SortedKeys(o.attached[p.id]) {
		typ, name, arn, _ := o.target(id)
		targets = append(targets, orgTargetOut{Arn: arn, Name: name, TargetId: id, Type: typ})
	}
	page, next, apiErr := core.Paginate(c, targets, func(t orgTargetOut) string { return t.TargetId }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Targets", page, next), nil
}

// --- snapshot and Go API ------------------------------------------------------

// orgSnapshot renders each organization under its management account: the
// organization, its tree (OUs by name path, accounts by parent path) and its
// policies (by type/name) with their attachments. It reflects the current
// state: an account being created appears once its request has SUCCEEDED,
// a closed account is PENDING_CLOSURE until described into SUSPENDED.
func orgSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		o := Of(a)
		if o == nil || o.mgmt != id {
			continue
		}
		types := core.SortedKeys(o.policyTypes)
		ous := map[string]any{}
		for _, ou := range o.ous {
			ous[o.namePath(ou.id)] = orgWithTags(map[string]any{"id": ou.id}, ou.tags)
		}
		accounts := map[string]map[string]any{}
		for _, m := range o.members {
			path := o.namePath(m.parent)
			if accounts[path] == nil {
				accounts[path] = map[string]any{}
			}
			accounts[path][m.id] = orgWithTags(map[string]any{"name": m.name, "email": m.email, "status": m.status,
				"joinedMethod": m.joinedMethod}, m.tags)
		}
		policies := map[string]any{}
		var all []*orgPolicy
		for _, p := range o.policies {
			all = append(all, p)
		}
		for _, typ := range types {
			if m, ok := orgManagedPolicies[typ]; ok {
				p, _ := o.policy(m.id)
				all = append(all, p)
			}
		}
		for _, p := range all {
			policies[p.typ+"/"+p.name] = orgWithTags(map[string]any{"id": p.id, "content": core.CompactJSON(p.content),
				"description": p.description, "targets": core.SortedKeys(o.attached[p.id])}, p.tags)
		}
		out[id] = map[string]any{
			"organization": map[string]any{"id": o.id, "featureSet": o.featureSet, "policyTypes": types},
			"root":         orgWithTags(map[string]any{"id": o.rootID}, o.rootTags),
			"ous":          ous,
			"accounts":     accounts,
			"policies":     policies,
		}
		o.servicesSnapshot(e, out[id].(map[string]any))
	}
	return out
}

// orgWithTags adds tags to a snapshot entry unless there are none, so an
// entry does not depend on whether it was ever tagged.
func orgWithTags(entry map[string]any, tags map[string]string) map[string]any {
	if len(tags) > 0 {
		entry["tags"] = tags
	}
	return entry
}

// FailNextAccountCreation makes the next CreateAccount request of the
// organization managed by the emulator's management account FAILED with the
// given FailureReason (ACCOUNT_LIMIT_EXCEEDED, INVALID_EMAIL,
// INTERNAL_FAILURE, ...) once it settles. Calls queue up, one per request.
func FailNextAccountCreation(e *core.Emulator, reason string) error {
	if !orgFailureReasons[reason] {
		return fmt.Errorf("emulator: unknown CreateAccount failure reason %q", reason)
	}
	defer e.Lock()()
	a := e.Account(e.Settings().ManagementAccountID)
	if a == nil || Of(a) == nil || Of(a).mgmt != a.ID {
		return fmt.Errorf("emulator: account %s manages no organization", e.Settings().ManagementAccountID)
	}
	Of(a).failNext = append(Of(a).failNext, reason)
	return nil
}

// orgSettle settles the CreateAccount requests and account closures that
// have been in progress for Options.AsyncDuration.
func orgSettle(e *core.Emulator, due func(time.Time) bool) {
	for _, a := range e.AllAccounts() {
		id := a.ID
		if o := Of(a); o != nil && o.mgmt == id {
			var reqs []*orgCreateRequest
			for _, r := range o.requests {
				if r.state == orgCreateInProgress && e.AsyncDue(core.AsyncCreateAccount, r.requested) {
					reqs = append(reqs, r)
				}
			}
			sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
			for _, r := range reqs {
				o.complete(e, r)
			}
			for _, m := range o.members {
				if m.status == orgStatusPendingClosure && due(m.closing) {
					m.status, m.closeIn = orgStatusSuspended, 0
				}
			}
		}
	}
}
