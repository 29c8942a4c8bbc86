package organizations

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Resources of the changes EnsureServiceAccess makes. ResServiceAccess's ID
// is the service principal, ResDelegatedAdministrator's
// "PRINCIPAL/ACCOUNT-ID".
const (
	ResServiceAccess          = "organizations:service-access"
	ResDelegatedAdministrator = "organizations:delegated-administrator"
)

// Service principals of services administered through Organizations alone:
// trusted access is EnableAWSServiceAccess and the delegated administrator
// is RegisterDelegatedAdministrator (each service's guide says so).
const (
	ServiceIdentityCenter     = "sso.amazonaws.com"
	ServiceIAM                = "iam.amazonaws.com" // centralized root access (EnsureRootAccess)
	ServiceAccessAnalyzer     = "access-analyzer.amazonaws.com"
	ServiceConfig             = "config.amazonaws.com"
	ServiceConfigMultiAccount = "config-multiaccountsetup.amazonaws.com"
	ServiceStackSets          = "member.org.stacksets.cloudformation.amazonaws.com"
	ServiceAccountManagement  = "account.amazonaws.com"
	ServiceBackup             = "backup.amazonaws.com"
)

// OwnAPIServices are services whose organization administrator is set with
// the service's own API, which also sets the service up (and calls
// Organizations itself): registering them through Organizations alone
// leaves the service unaware of its administrator. EnsureServiceAccess
// refuses them (foundation.ErrInvalidSpec naming the call to use).
var OwnAPIServices = map[string]string{
	"securityhub.amazonaws.com":  "securityhub:EnableOrganizationAdminAccount",
	"guardduty.amazonaws.com":    "guardduty:EnableOrganizationAdminAccount",
	"macie.amazonaws.com":        "macie2:EnableOrganizationAdminAccount",
	"detective.amazonaws.com":    "detective:EnableOrganizationAdminAccount",
	"inspector2.amazonaws.com":   "inspector2:EnableDelegatedAdminAccount",
	"fms.amazonaws.com":          "fms:PutAdminAccount",
	"cloudtrail.amazonaws.com":   "cloudtrail:RegisterOrganizationDelegatedAdmin",
	"securitylake.amazonaws.com": "securitylake:RegisterDataLakeDelegatedAdministrator",
}

// servicePrincipalRe is the ServicePrincipal pattern of the Organizations
// API reference, 1 to 128 characters.
var servicePrincipalRe = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// ServiceAccessSpec is the organization's registry of trusted services:
// each service given trusted access (EnableAWSServiceAccess) and the member
// accounts that administer it (RegisterDelegatedAdministrator). Services
// with trusted access that the spec does not list are left as they are
// (reported in ServiceAccess.Undeclared): disabling trusted access through
// Organizations skips the service's own clean-up, which AWS advises against.
type ServiceAccessSpec struct {
	Services []TrustedServiceSpec
	// Prune deregisters the delegated administrators of the listed services
	// that the spec does not name. Without it they are reported in
	// ServiceAccess.Unexpected and the call returns an
	// *UnexpectedDelegatedAdministratorError.
	Prune bool
}

// TrustedServiceSpec is one service with trusted access and its delegated
// administrators.
type TrustedServiceSpec struct {
	// Principal is the service principal, such as ServiceIdentityCenter
	// ("sso.amazonaws.com"). Services of OwnAPIServices are refused.
	Principal string
	// DelegatedAdministrators are the member account IDs that administer
	// the service (most services allow one). None: only the management
	// account administers it, and any delegated administrator is unexpected.
	DelegatedAdministrators []string
}

// ServiceAccess is what EnsureServiceAccess converged.
type ServiceAccess struct {
	// Services are the spec's services, in spec order, with their
	// delegated administrators after the run (in dry run: as they would
	// be); a service with unexpected administrators left in place lists
	// the administrators it has, sorted.
	Services []TrustedService
	// Unexpected are delegated administrators of the spec's services that
	// the spec does not name: deregistered when Pruned, else left in place.
	Unexpected []DelegatedAdministratorFinding
	// Undeclared are service principals with trusted access that the spec
	// does not list, sorted; they are left as they are.
	Undeclared []string
	// Changes lists the changes made (in dry run: that would be made):
	// trusted access enabled first, then per service in spec order the
	// administrators deregistered (with Prune) and registered.
	Changes foundation.Changes
}

// TrustedService is one service of the registry after the run.
type TrustedService struct {
	Principal               string
	DelegatedAdministrators []string
}

// DelegatedAdministratorFinding is a delegated administrator the spec does
// not name for one of its services: whoever controls that account
// administers the service for the whole organization.
type DelegatedAdministratorFinding struct {
	Principal string
	AccountID string
	Name      string
	Email     string
	// Pruned is true when the run deregistered it (ServiceAccessSpec.Prune).
	Pruned bool
}

// UnexpectedDelegatedAdministratorError reports delegated administrators
// of the spec's services that the spec does not name and did not prune.
// EnsureServiceAccess returns it with its result (the rest converged).
// Match it with errors.As.
type UnexpectedDelegatedAdministratorError struct {
	Findings []DelegatedAdministratorFinding
}

func (e *UnexpectedDelegatedAdministratorError) Error() string {
	parts := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		parts = append(parts, fmt.Sprintf("%s is administered by %s (%s <%s>)", f.Principal, f.AccountID, f.Name, f.Email))
	}
	return "organizations: unexpected delegated administrators: " + strings.Join(parts, "; ") +
		"; add them to the spec, or deregister them (Prune)"
}

// ServiceAccessAPI is the part of the Organizations client
// EnsureServiceAccess calls.
type ServiceAccessAPI interface {
	DescribeOrganizationAPIClient
	ListAWSServiceAccessForOrganizationAPIClient
	EnableAWSServiceAccessAPIClient
	ListDelegatedAdministratorsAPIClient
	RegisterDelegatedAdministratorAPIClient
	DeregisterDelegatedAdministratorAPIClient
}

// ListAWSServiceAccessForOrganizationAPIClient is the client method ListAWSServiceAccessForOrganization.
type ListAWSServiceAccessForOrganizationAPIClient interface {
	ListAWSServiceAccessForOrganization(ctx context.Context, params *organizations.ListAWSServiceAccessForOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error)
}

// EnableAWSServiceAccessAPIClient is the client method EnableAWSServiceAccess.
type EnableAWSServiceAccessAPIClient interface {
	EnableAWSServiceAccess(ctx context.Context, params *organizations.EnableAWSServiceAccessInput, optFns ...func(*organizations.Options)) (*organizations.EnableAWSServiceAccessOutput, error)
}

// ListDelegatedAdministratorsAPIClient is the client method ListDelegatedAdministrators.
type ListDelegatedAdministratorsAPIClient interface {
	ListDelegatedAdministrators(ctx context.Context, params *organizations.ListDelegatedAdministratorsInput, optFns ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error)
}

// RegisterDelegatedAdministratorAPIClient is the client method RegisterDelegatedAdministrator.
type RegisterDelegatedAdministratorAPIClient interface {
	RegisterDelegatedAdministrator(ctx context.Context, params *organizations.RegisterDelegatedAdministratorInput, optFns ...func(*organizations.Options)) (*organizations.RegisterDelegatedAdministratorOutput, error)
}

// DeregisterDelegatedAdministratorAPIClient is the client method DeregisterDelegatedAdministrator.
type DeregisterDelegatedAdministratorAPIClient interface {
	DeregisterDelegatedAdministrator(ctx context.Context, params *organizations.DeregisterDelegatedAdministratorInput, optFns ...func(*organizations.Options)) (*organizations.DeregisterDelegatedAdministratorOutput, error)
}

var _ ServiceAccessAPI = (*organizations.Client)(nil)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s ServiceAccessSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s ServiceAccessSpec) check(f *faults) {
	seen := map[string]bool{}
	for i, svc := range s.Services {
		field := fmt.Sprintf("spec.Services[%d]", i)
		switch p := svc.Principal; {
		case p == "":
			f.add(field+".Principal", "", "is required")
		case !servicePrincipalRe.MatchString(p):
			f.add(field+".Principal", p, "must be 1 to 128 letters, digits and _+=,.@- (a service principal such as sso.amazonaws.com)")
		case OwnAPIServices[p] != "":
			f.add(field+".Principal", p, "is administered through the service's own API ("+OwnAPIServices[p]+
				"), which sets the service up as well; this package registers only services administered through Organizations")
		case seen[p]:
			f.add(field+".Principal", p, "is listed twice")
		}
		seen[svc.Principal] = true
		accounts := map[string]bool{}
		for j, a := range svc.DelegatedAdministrators {
			af := fmt.Sprintf("%s.DelegatedAdministrators[%d]", field, j)
			switch {
			case plan.IsPredicted(a):
				f.add(af, a, "is an account ID predicted by a dry run; a delegated administrator must be an existing account")
			case !accountIDRe.MatchString(a):
				f.add(af, a, "must be a 12-digit account ID")
			case accounts[a]:
				f.add(af, a, "is listed twice")
			}
			accounts[a] = true
		}
	}
}

// EnsureServiceAccess converges the organization's registry of trusted
// services: trusted access for each service of the spec, then each
// service's delegated administrators, in that order (AWS refuses an
// administrator for a service without trusted access:
// ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED).
//
// It reads the services with trusted access
// (ListAWSServiceAccessForOrganization) and each service's delegated
// administrators (ListDelegatedAdministrators), enables what is missing
// (EnableAWSServiceAccess) and registers what is missing
// (RegisterDelegatedAdministrator). A registration that races another run
// (AccountAlreadyRegisteredException) converges.
//
// A delegated administrator of a listed service that the spec does not
// name is a finding (ServiceAccess.Unexpected): an account nobody declared
// administers a service for the whole organization, a known takeover path.
// With Prune it is deregistered (DeregisterDelegatedAdministrator) before
// the service's missing administrators are registered, since a service
// that takes one administrator refuses a second
// (DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE). Without Prune it is
// left in place, the service gets no registration, and the call returns
// its result with an *UnexpectedDelegatedAdministratorError. It is never
// removed silently. Naming the management account as a delegated
// administrator is an invalid spec (foundation.ErrInvalidSpec), found after
// DescribeOrganization and before any write.
//
// Services of OwnAPIServices (Security Hub, GuardDuty, Macie, Detective,
// Inspector, Firewall Manager, CloudTrail, Security Lake) are refused:
// their administrator is set with their own API. Services with trusted
// access the spec does not list are reported in Undeclared, never
// disabled: declare ServiceIAM when EnsureRootAccess enables it, and
// ServiceIdentityCenter when Identity Center is in use, so the registry
// also watches who administers them.
//
// The spec is validated first (foundation.ErrInvalidSpec, no call). With
// foundation.WithDryRun(true) only reads are made and the result lists the
// changes that would be made.
func EnsureServiceAccess(ctx context.Context, api ServiceAccessAPI, spec ServiceAccessSpec, opts ...foundation.Option) (*ServiceAccess, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	rec := plan.New(call.Resolve(opts...))

	org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	if err != nil {
		return nil, fmt.Errorf("organizations: service access: describe organization: %w", err)
	}
	mgmt := aws.ToString(org.Organization.MasterAccountId)
	for i, svc := range spec.Services {
		for j, a := range svc.DelegatedAdministrators {
			if a == mgmt {
				f.add(fmt.Sprintf("spec.Services[%d].DelegatedAdministrators[%d]", i, j), a,
					"is the organization's management account, which cannot be a delegated administrator (AWS: CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR)")
			}
		}
	}
	if err := f.err(); err != nil {
		return nil, err
	}

	enabled, err := enabledServices(ctx, api)
	if err != nil {
		return nil, fmt.Errorf("organizations: service access: list: %w", err)
	}
	res := &ServiceAccess{}
	declared := map[string]bool{}
	admins := make([][]types.DelegatedAdministrator, len(spec.Services))
	for i, svc := range spec.Services {
		declared[svc.Principal] = true
		if admins[i], err = delegatedAdministrators(ctx, api, svc.Principal); err != nil {
			return nil, fmt.Errorf("organizations: service %q: list delegated administrators: %w", svc.Principal, err)
		}
	}
	for _, p := range enabled {
		if !declared[p] {
			res.Undeclared = append(res.Undeclared, p)
		}
	}
	sort.Strings(res.Undeclared)

	// 1. Trusted access, for every service, before any administrator.
	for _, svc := range spec.Services {
		if slices.Contains(enabled, svc.Principal) {
			continue
		}
		p := svc.Principal
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResServiceAccess, ID: p}
		if err := rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := api.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: &p}, retryCME)
			if err != nil {
				return fmt.Errorf("organizations: service %q: enable trusted access: %w", p, err)
			}
			return nil
		}); err != nil {
			return nil, rec.Fail(err)
		}
	}

	// 2. Per service: unexpected administrators found, deregistered first
	// with Prune (a service of one administrator takes another only then),
	// then the missing ones registered. Without Prune, a service with an
	// unexpected administrator gets no registration: the drift is resolved
	// first.
	var pending []DelegatedAdministratorFinding
	for i, svc := range spec.Services {
		have := map[string]types.DelegatedAdministrator{}
		for _, d := range admins[i] {
			have[aws.ToString(d.Id)] = d
		}
		var unexpected []DelegatedAdministratorFinding
		for _, id := range sortedKeys(have) {
			if slices.Contains(svc.DelegatedAdministrators, id) {
				continue
			}
			d := have[id]
			unexpected = append(unexpected, DelegatedAdministratorFinding{Principal: svc.Principal, AccountID: id,
				Name: aws.ToString(d.Name), Email: aws.ToString(d.Email)})
		}
		ts := TrustedService{Principal: svc.Principal, DelegatedAdministrators: sortedKeys(have)}
		if len(unexpected) > 0 && !spec.Prune {
			pending = append(pending, unexpected...)
			res.Services = append(res.Services, ts)
			continue
		}
		for j := range unexpected {
			p, acct := svc.Principal, unexpected[j].AccountID
			c := foundation.Change{Action: foundation.ActionDelete, Resource: ResDelegatedAdministrator, ID: p + "/" + acct}
			if err := rec.Write(ctx, c, func(ctx context.Context) error {
				_, err := api.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
					AccountId: &acct, ServicePrincipal: &p}, retryCME)
				switch {
				case is[*types.AccountNotRegisteredException](err):
					// Read as registered just before: this run's attempt
					// whose answer was lost (the SDK resent it), or a
					// concurrent run. Either way the change happened in
					// this run, as awsretry.Create counts a lost create.
					return nil
				case err != nil:
					return fmt.Errorf("organizations: service %q: deregister delegated administrator %s: %w", p, acct, err)
				}
				return nil
			}); err != nil {
				return nil, rec.Fail(err)
			}
			unexpected[j].Pruned = true
		}
		pending = append(pending, unexpected...)
		for _, a := range svc.DelegatedAdministrators {
			if _, ok := have[a]; ok {
				continue
			}
			p, acct := svc.Principal, a
			c := foundation.Change{Action: foundation.ActionCreate, Resource: ResDelegatedAdministrator, ID: p + "/" + acct}
			if err := rec.Write(ctx, c, func(ctx context.Context) error {
				_, err := api.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
					AccountId: &acct, ServicePrincipal: &p}, retryCME)
				switch {
				case is[*types.AccountAlreadyRegisteredException](err):
					// Read as missing just before: this run's attempt whose
					// answer was lost (the SDK resent it), or a concurrent
					// run. The change happened in this run: it is reported,
					// so the run's changes match its dry run's.
					return nil
				case err != nil:
					return fmt.Errorf("organizations: service %q: register delegated administrator %s: %w", p, acct, err)
				}
				return nil
			}); err != nil {
				return nil, rec.Fail(err)
			}
		}
		res.Services = append(res.Services, TrustedService{Principal: svc.Principal,
			DelegatedAdministrators: append([]string{}, svc.DelegatedAdministrators...)})
	}
	res.Unexpected = pending
	res.Changes = rec.Changes()
	if !spec.Prune && len(pending) > 0 {
		return res, &UnexpectedDelegatedAdministratorError{Findings: pending}
	}
	return res, nil
}

// enabledServices lists the service principals with trusted access.
func enabledServices(ctx context.Context, api ListAWSServiceAccessForOrganizationAPIClient) ([]string, error) {
	var out []string
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(api, &organizations.ListAWSServiceAccessForOrganizationInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, err
		}
		for _, s := range page.EnabledServicePrincipals {
			out = append(out, aws.ToString(s.ServicePrincipal))
		}
	}
	return out, nil
}

// delegatedAdministrators lists a service's delegated administrators.
func delegatedAdministrators(ctx context.Context, api ListDelegatedAdministratorsAPIClient, principal string) ([]types.DelegatedAdministrator, error) {
	var out []types.DelegatedAdministrator
	p := organizations.NewListDelegatedAdministratorsPaginator(api, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: &principal})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, err
		}
		out = append(out, page.DelegatedAdministrators...)
	}
	return out, nil
}
