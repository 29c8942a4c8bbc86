package organizations

// Trusted access (EnableAWSServiceAccess and its siblings) and delegated
// administrators (RegisterDelegatedAdministrator and its siblings), from the
// Organizations API reference. What the reference leaves open is the
// emulator's choice, named where it is made:
//
//   - the service principals it recognises (orgServices: the services of
//     "AWS services that you can use with AWS Organizations"); any other is
//     InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL;
//   - how many delegated administrators a service can have (orgServices'
//     max; 0: the service has no delegated administrator). A service of one
//     refuses a second with ConstraintViolationException
//     DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE, a service of several
//     refuses one too many with MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED;
//   - DisableAWSServiceAccess leaves the service's delegated administrators
//     registered (the reference does not say it deregisters them);
//   - DeregisterDelegatedAdministrator of the management account is
//     AccountNotRegisteredException (it can never be registered).
//
// The state lives beside the Organization (orgServiceState, in the
// emulator's globals keyed by organization) and is in the snapshot under
// "trustedAccess" and "delegatedAdministrators" when not empty.

import (
	"sort"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
)

// orgServices are the service principals Organizations recognises, with the
// most delegated administrators each can have (0: none; trusted access
// only). Sources: the Organizations user guide's list of integrated
// services; the counts above 1 are from each service's guide
// (CloudFormation StackSets: up to five; AWS Config: up to three) and are
// not confirmed against AWS.
var orgServices = map[string]int{
	"access-analyzer.amazonaws.com":                     1,
	"account.amazonaws.com":                             1,
	"auditmanager.amazonaws.com":                        1,
	"aws-artifact-account-sync.amazonaws.com":           0,
	"backup.amazonaws.com":                              1,
	"cloudtrail.amazonaws.com":                          1,
	"compute-optimizer.amazonaws.com":                   1,
	"config.amazonaws.com":                              1,
	"config-multiaccountsetup.amazonaws.com":            3,
	"controltower.amazonaws.com":                        0,
	"detective.amazonaws.com":                           1,
	"devops-guru.amazonaws.com":                         1,
	"ds.amazonaws.com":                                  0,
	"fms.amazonaws.com":                                 1,
	"guardduty.amazonaws.com":                           1,
	"health.amazonaws.com":                              1,
	"iam.amazonaws.com":                                 1,
	"inspector2.amazonaws.com":                          1,
	"ipam.amazonaws.com":                                1,
	"license-manager.amazonaws.com":                     1,
	"macie.amazonaws.com":                               1,
	"member.org.stacksets.cloudformation.amazonaws.com": 5,
	"ram.amazonaws.com":                                 0,
	"securityhub.amazonaws.com":                         1,
	"securitylake.amazonaws.com":                        1,
	"servicecatalog.amazonaws.com":                      1,
	"servicequotas.amazonaws.com":                       0,
	"ssm.amazonaws.com":                                 1,
	"sso.amazonaws.com":                                 1,
	"storage-lens.s3.amazonaws.com":                     1,
	"tagpolicies.tag.amazonaws.com":                     0,
	"wellarchitected.amazonaws.com":                     1,
}

// orgServiceState is an organization's trusted access and delegated
// administrators.
type orgServiceState struct {
	// enabled maps a service principal to when trusted access was enabled.
	enabled map[string]time.Time
	// admins maps a service principal to its delegated administrators
	// (account ID -> when registered).
	admins map[string]map[string]time.Time
}

// services returns the organization's service state, made on first use.
// Called with the emulator locked.
func (o *Organization) services(e *core.Emulator) *orgServiceState {
	all := core.Global(e, "organizations/services", func() map[*Organization]*orgServiceState {
		return map[*Organization]*orgServiceState{}
	})
	s := all[o]
	if s == nil {
		s = &orgServiceState{enabled: map[string]time.Time{}, admins: map[string]map[string]time.Time{}}
		all[o] = s
	}
	return s
}

// TrustedAccess reports whether the organization has trusted access enabled
// for the service principal. Called with the emulator locked.
func (o *Organization) TrustedAccess(e *core.Emulator, principal string) bool {
	_, ok := o.services(e).enabled[principal]
	return ok
}

// DelegatedAdministrator reports whether account is a delegated
// administrator of the organization for the service principal. Called with
// the emulator locked.
func (o *Organization) DelegatedAdministrator(e *core.Emulator, account, principal string) bool {
	_, ok := o.services(e).admins[principal][account]
	return ok
}

func init() {
	// IAM and STS (root access management) see the organization through
	// this view: they cannot import this package, which imports iam.
	iam.OrganizationOf = func(e *core.Emulator, a *core.Account) (iam.OrgView, bool) {
		o := Of(a)
		if o == nil {
			return iam.OrgView{}, false
		}
		return iam.OrgView{
			Key: o, ID: o.id, Management: o.mgmt, AllFeatures: o.featureSet == orgFeatureAll,
			TrustedAccess:  func(p string) bool { return o.TrustedAccess(e, p) },
			DelegatedAdmin: func(acct, p string) bool { return o.DelegatedAdministrator(e, acct, p) },
			ActiveMember:   o.ActiveMember,
		}, true
	}
}

// withServiceOps adds the trusted access and delegated administrator
// operations to Organizations' operations.
func withServiceOps(ops map[string]*core.Operation) map[string]*core.Operation {
	ops["EnableAWSServiceAccess"] = core.Write(orgEnableAWSServiceAccess)
	ops["DisableAWSServiceAccess"] = core.Write(orgDisableAWSServiceAccess)
	ops["ListAWSServiceAccessForOrganization"] = core.Read(orgListAWSServiceAccessForOrganization)
	ops["RegisterDelegatedAdministrator"] = core.Write(orgRegisterDelegatedAdministrator)
	ops["DeregisterDelegatedAdministrator"] = core.Write(orgDeregisterDelegatedAdministrator)
	ops["ListDelegatedAdministrators"] = core.Read(orgListDelegatedAdministrators)
	ops["ListDelegatedServicesForAccount"] = core.Read(orgListDelegatedServicesForAccount)
	return ops
}

func orgUnrecognizedPrincipal() *core.APIError {
	return orgInvalid("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
}

// orgServicePrincipal decodes a request naming a service principal (and
// maybe an account) from the management account and checks the principal.
func orgServicePrincipal(c *core.Ctx) (*Organization, string, string, *core.APIError) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, "", "", err
	}
	var in struct{ ServicePrincipal, AccountId string }
	if err := orgDecode(c, &in); err != nil {
		return nil, "", "", err
	}
	if in.ServicePrincipal == "" {
		return nil, "", "", orgInvalid("INPUT_REQUIRED", "You must specify a value for ServicePrincipal.")
	}
	if _, ok := orgServices[in.ServicePrincipal]; !ok {
		return nil, "", "", orgUnrecognizedPrincipal()
	}
	return o, in.ServicePrincipal, in.AccountId, nil
}

func orgEnableAWSServiceAccess(c *core.Ctx) (any, error) {
	o, principal, _, err := orgServicePrincipal(c)
	if err != nil {
		return nil, err
	}
	if o.featureSet != orgFeatureAll {
		return nil, orgConstraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
			"You can enable trusted access only in an organization with all features enabled.")
	}
	s := o.services(c.Emu)
	if _, ok := s.enabled[principal]; !ok {
		s.enabled[principal] = c.Emu.Now()
	}
	return nil, nil
}

func orgDisableAWSServiceAccess(c *core.Ctx) (any, error) {
	o, principal, _, err := orgServicePrincipal(c)
	if err != nil {
		return nil, err
	}
	delete(o.services(c.Emu).enabled, principal)
	return nil, nil
}

type orgEnabledServiceOut struct {
	ServicePrincipal string
	DateEnabled      float64
}

func orgListAWSServiceAccessForOrganization(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in orgListInput
	if err := orgDecode(c, &in); err != nil {
		return nil, err
	}
	s := o.services(c.Emu)
	var all []orgEnabledServiceOut
	for _, p := range core.SortedKeys(s.enabled) {
		all = append(all, orgEnabledServiceOut{ServicePrincipal: p, DateEnabled: core.EpochSeconds(s.enabled[p])})
	}
	page, next, apiErr := core.Paginate(c, all, func(v orgEnabledServiceOut) string { return v.ServicePrincipal }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	if page == nil {
		page = []orgEnabledServiceOut{}
	}
	return core.PageOut("EnabledServicePrincipals", page, next), nil
}

// orgMemberOf returns the organization's account id, or AccountNotFoundException.
func (o *Organization) memberOf(id string) (*orgMember, *core.APIError) {
	m, ok := o.members[id]
	if !ok {
		return nil, orgErr("AccountNotFoundException",
			"We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
	}
	return m, nil
}

func orgRegisterDelegatedAdministrator(c *core.Ctx) (any, error) {
	o, principal, account, err := orgServicePrincipal(c)
	if err != nil {
		return nil, err
	}
	m, err := o.memberOf(account)
	if err != nil {
		return nil, err
	}
	max := orgServices[principal]
	s := o.services(c.Emu)
	switch {
	case m.id == o.mgmt:
		return nil, orgConstraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
			"You attempted to register the management account of the organization as a delegated administrator. You can designate only a member account as a delegated administrator.")
	case m.status != orgStatusActive:
		return nil, orgConstraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
			"You cannot register a suspended account as a delegated administrator.")
	case max == 0:
		return nil, orgUnrecognizedPrincipal()
	}
	if _, ok := s.enabled[principal]; !ok {
		return nil, orgConstraint("SERVICE_ACCESS_NOT_ENABLED",
			"You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.")
	}
	if _, ok := s.admins[principal][account]; ok {
		return nil, orgErr("AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization.")
	}
	switch n := len(s.admins[principal]); {
	case n >= max && max == 1:
		return nil, orgConstraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
			"You attempted to register an AWS account as a delegated administrator for an AWS service that already has a delegated administrator. To complete this operation, you must first deregister any existing delegated administrators for this service.")
	case n >= max:
		return nil, orgConstraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
			"You attempted to register more delegated administrators than allowed for the service principal.")
	}
	if s.admins[principal] == nil {
		s.admins[principal] = map[string]time.Time{}
	}
	s.admins[principal][account] = c.Emu.Now()
	return nil, nil
}

func orgNotRegistered() *core.APIError {
	return orgErr("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for your organization.")
}

func orgDeregisterDelegatedAdministrator(c *core.Ctx) (any, error) {
	o, principal, account, err := orgServicePrincipal(c)
	if err != nil {
		return nil, err
	}
	if _, err := o.memberOf(account); err != nil {
		return nil, err
	}
	s := o.services(c.Emu)
	if _, ok := s.admins[principal][account]; !ok {
		return nil, orgNotRegistered()
	}
	delete(s.admins[principal], account)
	if len(s.admins[principal]) == 0 {
		delete(s.admins, principal)
	}
	return nil, nil
}

type orgDelegatedAdminOut struct {
	orgAccountOut
	DelegationEnabledDate float64
}

func orgListDelegatedAdministrators(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		ServicePrincipal string
		orgListInput
	}
	if err := orgDecode(c, &in); err != nil {
		return nil, err
	}
	if _, ok := orgServices[in.ServicePrincipal]; in.ServicePrincipal != "" && !ok {
		return nil, orgUnrecognizedPrincipal()
	}
	s := o.services(c.Emu)
	// since is each administrator's earliest delegation among the services asked.
	since := map[string]time.Time{}
	for p, accounts := range s.admins {
		if in.ServicePrincipal != "" && p != in.ServicePrincipal {
			continue
		}
		for id, t := range accounts {
			if cur, ok := since[id]; !ok || t.Before(cur) {
				since[id] = t
			}
		}
	}
	var all []orgDelegatedAdminOut
	for _, id := range core.SortedKeys(since) {
		if m, ok := o.members[id]; ok {
			all = append(all, orgDelegatedAdminOut{orgAccountOut: o.accountOut(m), DelegationEnabledDate: core.EpochSeconds(since[id])})
		}
	}
	page, next, apiErr := core.Paginate(c, all, func(v orgDelegatedAdminOut) string { return v.Id }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	if page == nil {
		page = []orgDelegatedAdminOut{}
	}
	return core.PageOut("DelegatedAdministrators", page, next), nil
}

type orgDelegatedServiceOut struct {
	ServicePrincipal      string
	DelegationEnabledDate float64
}

func orgListDelegatedServicesForAccount(c *core.Ctx) (any, error) {
	o, err := orgManagement(c)
	if err != nil {
		return nil, err
	}
	var in struct {
		AccountId string
		orgListInput
	}
	if err := orgDecode(c, &in); err != nil {
		return nil, err
	}
	if _, err := o.memberOf(in.AccountId); err != nil {
		return nil, err
	}
	s := o.services(c.Emu)
	var all []orgDelegatedServiceOut
	for _, p := range core.SortedKeys(s.admins) {
		if t, ok := s.admins[p][in.AccountId]; ok {
			all = append(all, orgDelegatedServiceOut{ServicePrincipal: p, DelegationEnabledDate: core.EpochSeconds(t)})
		}
	}
	if len(all) == 0 {
		return nil, orgNotRegistered()
	}
	page, next, apiErr := core.Paginate(c, all, func(v orgDelegatedServiceOut) string { return v.ServicePrincipal }, in.NextToken, orgLimit(in.MaxResults), orgPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("DelegatedServices", page, next), nil
}

// servicesSnapshot adds the organization's trusted access and delegated
// administrators to its snapshot entry, when it has any.
func (o *Organization) servicesSnapshot(e *core.Emulator, entry map[string]any) {
	s := o.services(e)
	if len(s.enabled) > 0 {
		entry["trustedAccess"] = core.SortedKeys(s.enabled)
	}
	if len(s.admins) > 0 {
		admins := map[string][]string{}
		for p, accounts := range s.admins {
			ids := core.SortedKeys(accounts)
			sort.Strings(ids)
			admins[p] = ids
		}
		entry["delegatedAdministrators"] = admins
	}
}
