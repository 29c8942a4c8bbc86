package iam

// Centralized root access for member accounts (IAM, 2024-11): the
// organization's features (EnableOrganizationsRootCredentialsManagement,
// EnableOrganizationsRootSessions, their Disable twins and
// ListOrganizationsFeatures) and a member account's root user credentials
// (password, access keys, MFA devices, signing certificates) as a session
// from sts:AssumeRoot reads and removes them (GetLoginProfile,
// DeleteLoginProfile, ListAccessKeys, DeleteAccessKey, ListMFADevices,
// DeactivateMFADevice, ListSigningCertificates, DeleteSigningCertificate,
// each without UserName).
//
// Written from the IAM API reference and the IAM user guide ("Centrally
// manage root access for member accounts", "Perform a privileged task on
// an AWS Organizations member account"). The emulator's choices where they
// are silent:
//
//   - enabling a feature that is enabled (and disabling one that is not)
//     succeeds and changes nothing;
//   - the actions each task policy allows (rootTaskActions) are the
//     emulator's reading of the AWS managed policies' names, not their
//     documents; only the operations of this file check them;
//   - an IAM user name (UserName) is NoSuchEntity: the emulator has no IAM
//     users.
//
// A member account's root credentials can only be given by the console or
// at sign-up, so tests seed them with SeedRootCredentials.

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// OrgView is what IAM and STS see of an account's organization.
type OrgView struct {
	// Key identifies the organization itself: an organization deleted and
	// made again has the same ID in the emulator (IDs are hashes of the
	// management account) but not the same Key.
	Key            any
	ID, Management string
	AllFeatures    bool
	// TrustedAccess reports whether trusted access is enabled for a service principal.
	TrustedAccess func(principal string) bool
	// DelegatedAdmin reports whether an account is a delegated administrator for a service principal.
	DelegatedAdmin func(account, principal string) bool
	// ActiveMember reports whether an account is an ACTIVE member.
	ActiveMember func(account string) bool
}

// OrganizationOf returns the organization an account belongs to. Package
// organizations sets it (it imports this package, so this one cannot
// import it); nil means no account is in an organization.
var OrganizationOf func(e *core.Emulator, a *core.Account) (OrgView, bool)

// The features of centralized root access.
const (
	RootCredentialsManagement = "RootCredentialsManagement"
	RootSessions              = "RootSessions"
)

// The AWS managed task policies of sts:AssumeRoot.
const (
	TaskAuditRootUserCredentials  = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	TaskCreateRootUserPassword    = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
	TaskDeleteRootUserCredentials = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
	TaskS3UnlockBucketPolicy      = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
	TaskSQSUnlockQueuePolicy      = "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
)

var rootAudit = []string{"GetLoginProfile", "ListAccessKeys", "ListMFADevices", "ListSigningCertificates", "GetAccessKeyLastUsed", "GetUser"}

// rootTaskActions are the IAM operations each task policy allows a root
// session (the emulator's reading; see the comment at the top).
var rootTaskActions = map[string][]string{
	TaskAuditRootUserCredentials:  rootAudit,
	TaskDeleteRootUserCredentials: append([]string{"DeleteLoginProfile", "DeleteAccessKey", "DeactivateMFADevice", "DeleteSigningCertificate"}, rootAudit...),
	TaskCreateRootUserPassword:    {"CreateLoginProfile", "GetLoginProfile"},
	TaskS3UnlockBucketPolicy:      nil,
	TaskSQSUnlockQueuePolicy:      nil,
}

// IsRootTaskPolicy reports whether arn is one of AssumeRoot's task policies.
func IsRootTaskPolicy(arn string) bool {
	_, ok := rootTaskActions[arn]
	return ok
}

// rootGlobals is the emulator's root access state.
type rootGlobals struct {
	features map[any]map[string]bool     // organization (OrgView.Key) -> enabled features
	sessions map[string]string           // AssumeRoot access key -> task policy ARN
	creds    map[string]*rootCredentials // account ID -> its root user's credentials
}

func rootState(e *core.Emulator) *rootGlobals {
	return core.Global(e, "iam/root-access", func() *rootGlobals {
		return &rootGlobals{features: map[any]map[string]bool{}, sessions: map[string]string{}, creds: map[string]*rootCredentials{}}
	})
}

// AddRootSession records that accessKey is a session from sts:AssumeRoot
// scoped by taskPolicy. Called with the emulator locked.
func AddRootSession(e *core.Emulator, accessKey, taskPolicy string) {
	rootState(e).sessions[accessKey] = taskPolicy
}

// RootFeatureEnabled reports whether the organization has the centralized
// root access feature enabled. Called with the emulator locked.
func RootFeatureEnabled(e *core.Emulator, o OrgView, feature string) bool {
	return rootState(e).features[o.Key][feature]
}

type rootCredentials struct {
	password     time.Time // zero: none
	accessKeys   map[string]time.Time
	mfa          map[string]time.Time
	certificates map[string]time.Time
}

// RootCredentialsSeed is the root user credentials SeedRootCredentials
// gives an account.
type RootCredentialsSeed struct {
	Password            bool
	AccessKeys          int
	MFADevices          int
	SigningCertificates int
}

// SeedRootCredentials gives the root user of an existing account the
// credentials of seed (added to those it has), as its owner would by
// signing in as the root user. IDs are derived from the account and a
// counter.
func SeedRootCredentials(e *core.Emulator, accountID string, seed RootCredentialsSeed) error {
	defer e.Lock()()
	if e.Account(accountID) == nil {
		return fmt.Errorf("emulator: account %s does not exist", accountID)
	}
	c := rootCredsOf(e, accountID)
	now := e.Now()
	if seed.Password && c.password.IsZero() {
		c.password = now
	}
	for i := 0; i < seed.AccessKeys; i++ {
		c.accessKeys["AKIA"+core.HashID("", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, accountID, "root-key", fmt.Sprint(len(c.accessKeys)))] = now
	}
	for i := 0; i < seed.MFADevices; i++ {
		c.mfa[fmt.Sprintf("arn:aws:iam::%s:mfa/root-account-mfa-device-%d", accountID, len(c.mfa)+1)] = now
	}
	for i := 0; i < seed.SigningCertificates; i++ {
		c.certificates[strings.ToUpper(core.HashID("", "abcdefghijklmnopqrstuvwxyz0123456789", 32, accountID, "root-cert", fmt.Sprint(len(c.certificates))))] = now
	}
	return nil
}

func rootCredsOf(e *core.Emulator, account string) *rootCredentials {
	s := rootState(e)
	c := s.creds[account]
	if c == nil {
		c = &rootCredentials{accessKeys: map[string]time.Time{}, mfa: map[string]time.Time{}, certificates: map[string]time.Time{}}
		s.creds[account] = c
	}
	return c
}

// withRootAccessOps adds this file's operations to IAM's.
func withRootAccessOps(ops map[string]*core.Operation) map[string]*core.Operation {
	ops["EnableOrganizationsRootCredentialsManagement"] = core.Write(rootFeature(RootCredentialsManagement, true))
	ops["DisableOrganizationsRootCredentialsManagement"] = core.Write(rootFeature(RootCredentialsManagement, false))
	ops["EnableOrganizationsRootSessions"] = core.Write(rootFeature(RootSessions, true))
	ops["DisableOrganizationsRootSessions"] = core.Write(rootFeature(RootSessions, false))
	ops["ListOrganizationsFeatures"] = core.Read(iamListOrganizationsFeatures)
	ops["GetLoginProfile"] = core.Read(iamGetLoginProfile)
	ops["DeleteLoginProfile"] = core.Write(iamDeleteLoginProfile)
	ops["ListAccessKeys"] = core.Read(iamListAccessKeys)
	ops["DeleteAccessKey"] = core.Write(iamDeleteAccessKey)
	ops["ListMFADevices"] = core.Read(iamListMFADevices)
	ops["DeactivateMFADevice"] = core.Write(iamDeactivateMFADevice)
	ops["ListSigningCertificates"] = core.Read(iamListSigningCertificates)
	ops["DeleteSigningCertificate"] = core.Write(iamDeleteSigningCertificate)
	return ops
}

// rootOrg checks the caller may use centralized root access: an
// organization with all features and trusted access for IAM; the
// management account (delegated administrators for iam.amazonaws.com too
// when delegated is true).
func rootOrg(c *core.Ctx, delegated bool) (OrgView, *core.APIError) {
	var o OrgView
	ok := false
	if OrganizationOf != nil {
		o, ok = OrganizationOf(c.Emu, c.Account)
	}
	switch {
	case !ok:
		return o, iamErr("OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
	case !o.AllFeatures:
		return o, iamErr("OrganizationNotInAllFeaturesModeException", "The request was rejected because your organization does not have All features enabled.")
	case c.Account.ID != o.Management && !delegated:
		return o, iamErr("CallerIsNotManagementAccountException", "The request was rejected because the account making the request is not the management account for the organization.")
	case c.Account.ID != o.Management && !o.DelegatedAdmin(c.Account.ID, "iam.amazonaws.com"):
		return o, iamErr("AccountNotManagementOrDelegatedAdministratorException",
			"The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	case !o.TrustedAccess("iam.amazonaws.com"):
		return o, iamErr("ServiceAccessNotEnabledException", "The request was rejected because trusted access is not enabled for IAM in Organizations.")
	}
	return o, nil
}

type rootFeaturesOut struct {
	OrganizationID  string   `xml:"OrganizationId"`
	EnabledFeatures []string `xml:"EnabledFeatures>member"`
}

func rootFeaturesOf(e *core.Emulator, o OrgView) rootFeaturesOut {
	return rootFeaturesOut{OrganizationID: o.ID, EnabledFeatures: append([]string{}, core.SortedKeys(rootState(e).features[o.Key])...)}
}

func rootFeature(feature string, enable bool) func(c *core.Ctx) (any, error) {
	op := "EnableOrganizations" + feature
	if !enable {
		op = "DisableOrganizations" + feature
	}
	return func(c *core.Ctx) (any, error) {
		o, err := rootOrg(c, false)
		if err != nil {
			return nil, err
		}
		s := rootState(c.Emu)
		if s.features[o.Key] == nil {
			s.features[o.Key] = map[string]bool{}
		}
		if enable {
			s.features[o.Key][feature] = true
		} else {
			delete(s.features[o.Key], feature)
		}
		return struct {
			XMLName xml.Name
			rootFeaturesOut
		}{XMLName: xml.Name{Local: op + "Result"}, rootFeaturesOut: rootFeaturesOf(c.Emu, o)}, nil
	}
}

func iamListOrganizationsFeatures(c *core.Ctx) (any, error) {
	o, err := rootOrg(c, true)
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName xml.Name `xml:"ListOrganizationsFeaturesResult"`
		rootFeaturesOut
	}{rootFeaturesOut: rootFeaturesOf(c.Emu, o)}, nil
}

// rootCaller checks a root credential operation: it acts on the caller's
// root user, so the caller must be a root user (an AssumeRoot session,
// whose task policy must allow the operation, or the account's own root),
// and UserName must be absent. It returns the account's root credentials.
func rootCaller(c *core.Ctx) (*rootCredentials, *core.APIError) {
	if u := c.Form("UserName"); u != "" {
		return nil, iamNoSuchEntity("The user with name %s cannot be found.", u)
	}
	if c.Caller.ARN != "arn:aws:iam::"+c.Account.ID+":root" {
		return nil, iamValidation("Must specify userName when calling with non-User credentials")
	}
	if task, ok := rootState(c.Emu).sessions[c.Caller.AccessKey]; ok {
		allowed := false
		for _, a := range rootTaskActions[task] {
			allowed = allowed || a == c.Op
		}
		if !allowed {
			return nil, iamErr("AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: %s because no session policy allows the iam:%s action",
				c.Caller.ARN, c.Op, c.Caller.ARN, c.Op)
		}
	}
	return rootCredsOf(c.Emu, c.Account.ID), nil
}

func iamGetLoginProfile(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	if rc.password.IsZero() {
		return nil, iamNoSuchEntity("Login Profile for User root cannot be found.")
	}
	type profile struct {
		CreateDate            string
		PasswordResetRequired bool
	}
	return struct {
		XMLName      xml.Name `xml:"GetLoginProfileResult"`
		LoginProfile profile
	}{LoginProfile: profile{CreateDate: iamTime(rc.password)}}, nil
}

func iamDeleteLoginProfile(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	if rc.password.IsZero() {
		return nil, iamNoSuchEntity("Login Profile for User root cannot be found.")
	}
	rc.password = time.Time{}
	return nil, nil
}

// rootPage pages a set of credential IDs, sorted.
func rootPage(c *core.Ctx, set map[string]time.Time) ([]string, string, *core.APIError) {
	limit, apiErr := iamMaxItems(c)
	if apiErr != nil {
		return nil, "", apiErr
	}
	ids := core.SortedKeys(set)
	sort.Strings(ids)
	return core.Paginate(c, ids, func(s string) string { return s }, c.Form("Marker"), limit, iamPaging)
}

func iamListAccessKeys(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	page, next, apiErr := rootPage(c, rc.accessKeys)
	if apiErr != nil {
		return nil, apiErr
	}
	type key struct {
		AccessKeyID string `xml:"AccessKeyId"`
		Status      string
		CreateDate  string
	}
	keys := []key{}
	for _, id := range page {
		keys = append(keys, key{AccessKeyID: id, Status: "Active", CreateDate: iamTime(rc.accessKeys[id])})
	}
	return struct {
		XMLName           xml.Name `xml:"ListAccessKeysResult"`
		AccessKeyMetadata []key    `xml:"AccessKeyMetadata>member"`
		IsTruncated       bool
		Marker            string `xml:",omitempty"`
	}{AccessKeyMetadata: keys, IsTruncated: next != "", Marker: next}, nil
}

func iamDeleteAccessKey(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	id, apiErr := iamRequired(c, "AccessKeyId", "accessKeyId")
	if apiErr != nil {
		return nil, apiErr
	}
	if _, ok := rc.accessKeys[id]; !ok {
		return nil, iamNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	delete(rc.accessKeys, id)
	return nil, nil
}

func iamListMFADevices(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	page, next, apiErr := rootPage(c, rc.mfa)
	if apiErr != nil {
		return nil, apiErr
	}
	type device struct {
		SerialNumber string
		EnableDate   string
	}
	devices := []device{}
	for _, sn := range page {
		devices = append(devices, device{SerialNumber: sn, EnableDate: iamTime(rc.mfa[sn])})
	}
	return struct {
		XMLName     xml.Name `xml:"ListMFADevicesResult"`
		MFADevices  []device `xml:"MFADevices>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{MFADevices: devices, IsTruncated: next != "", Marker: next}, nil
}

func iamDeactivateMFADevice(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	sn, apiErr := iamRequired(c, "SerialNumber", "serialNumber")
	if apiErr != nil {
		return nil, apiErr
	}
	if _, ok := rc.mfa[sn]; !ok {
		return nil, iamNoSuchEntity("MFA Device with serial number %s does not exist.", sn)
	}
	delete(rc.mfa, sn)
	return nil, nil
}

func iamListSigningCertificates(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	page, next, apiErr := rootPage(c, rc.certificates)
	if apiErr != nil {
		return nil, apiErr
	}
	type cert struct {
		CertificateID   string `xml:"CertificateId"`
		CertificateBody string
		Status          string
		UploadDate      string
	}
	certs := []cert{}
	for _, id := range page {
		certs = append(certs, cert{CertificateID: id, Status: "Active", UploadDate: iamTime(rc.certificates[id]),
			CertificateBody: "-----BEGIN CERTIFICATE-----\nMIIB" + id + "\n-----END CERTIFICATE-----"})
	}
	return struct {
		XMLName      xml.Name `xml:"ListSigningCertificatesResult"`
		Certificates []cert   `xml:"Certificates>member"`
		IsTruncated  bool
		Marker       string `xml:",omitempty"`
	}{Certificates: certs, IsTruncated: next != "", Marker: next}, nil
}

func iamDeleteSigningCertificate(c *core.Ctx) (any, error) {
	rc, err := rootCaller(c)
	if err != nil {
		return nil, err
	}
	id, apiErr := iamRequired(c, "CertificateId", "certificateId")
	if apiErr != nil {
		return nil, apiErr
	}
	if _, ok := rc.certificates[id]; !ok {
		return nil, iamNoSuchEntity("The Certificate with id %s cannot be found.", id)
	}
	delete(rc.certificates, id)
	return nil, nil
}

// withRootSnapshot adds the root access state to IAM's snapshot: the
// organization's enabled features under its management account
// ("organizationsFeatures") and each account's root user credentials
// (counts, "rootUser"), when there are any.
func withRootSnapshot(snap func(e *core.Emulator) map[string]any) func(e *core.Emulator) map[string]any {
	return func(e *core.Emulator) map[string]any {
		out := snap(e)
		s := rootState(e)
		entry := func(id string) map[string]any {
			st, _ := out[id].(map[string]any)
			if st == nil {
				st = map[string]any{}
				out[id] = st
			}
			return st
		}
		for _, a := range e.AllAccounts() {
			if OrganizationOf == nil {
				break
			}
			if o, ok := OrganizationOf(e, a); ok && o.Management == a.ID && len(s.features[o.Key]) > 0 {
				entry(a.ID)["organizationsFeatures"] = core.SortedKeys(s.features[o.Key])
			}
		}
		for id, c := range s.creds {
			if c.password.IsZero() && len(c.accessKeys)+len(c.mfa)+len(c.certificates) == 0 {
				continue
			}
			entry(id)["rootUser"] = map[string]any{"password": !c.password.IsZero(), "accessKeys": len(c.accessKeys),
				"mfaDevices": len(c.mfa), "signingCertificates": len(c.certificates)}
		}
		return out
	}
}
