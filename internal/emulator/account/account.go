package account

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	"github.com/awsfoundation/foundation/internal/emulator/organizations"
)

// ServicePrincipal is the Account Management service's principal, whose
// trusted access the organization must enable for calls naming AccountId.
const ServicePrincipal = "account.amazonaws.com"

// RegionSettleDescribes is how many GetRegionOptStatus (or ListRegions)
// calls see a Region ENABLING or DISABLING before it settles, when the
// emulator's clock has not yet moved past AsyncDuration.
const RegionSettleDescribes = 2

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:     "account",
			Protocol: core.RestJSON,
			Route:    route,
			Throttle: core.APIError{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Rate exceeded"},
			Statuses: core.ErrorStatuses{
				"AccessDeniedException":        http.StatusForbidden,
				"ResourceNotFoundException":    http.StatusNotFound,
				"ValidationException":          http.StatusBadRequest,
				"ConflictException":            http.StatusConflict,
				"TooManyRequestsException":     http.StatusTooManyRequests,
				"ResourceUnavailableException": http.StatusNotFound,
				"InternalServerException":      http.StatusInternalServerError,
			},
			Ops: map[string]*core.Operation{
				"PutAlternateContact":    core.Write(putAlternateContact),
				"GetAlternateContact":    core.Read(getAlternateContact),
				"DeleteAlternateContact": core.Write(deleteAlternateContact),
				"EnableRegion":           core.Write(enableRegion),
				"DisableRegion":          core.Write(disableRegion),
				"GetRegionOptStatus":     core.Read(getRegionOptStatus),
				"ListRegions":            core.Read(listRegions),
				"PutAccountName":         core.Write(putAccountName),
				"GetAccountInformation":  core.Read(getAccountInformation),
				"GetPrimaryEmail":        core.Read(getPrimaryEmail),
			},
			Settle:   settle,
			Snapshot: snapshot,
		}
	})
}

// route names the operation of a request: every operation is a POST to
// "/" and its name in lower camel case.
func route(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return ""
	}
	op := strings.ToUpper(name[:1]) + name[1:]
	switch op {
	case "PutAlternateContact", "GetAlternateContact", "DeleteAlternateContact", "EnableRegion", "DisableRegion",
		"GetRegionOptStatus", "ListRegions", "PutAccountName", "GetAccountInformation", "GetPrimaryEmail":
		return op
	}
	return ""
}

// Contact is an alternate contact.
type Contact struct {
	Name         string `json:"Name"`
	Title        string `json:"Title"`
	EmailAddress string `json:"EmailAddress"`
	PhoneNumber  string `json:"PhoneNumber"`
}

// regionOpt is an opt-in Region's status and when it entered it.
type regionOpt struct {
	Status    string
	since     time.Time
	describes int
}

// state is one account's Account Management settings.
type state struct {
	contacts map[string]*Contact
	regions  map[string]*regionOpt
	name     string // "" until PutAccountName: the account ID stands in
	created  time.Time
}

func stateOf(e *core.Emulator, a *core.Account) *state {
	return core.State(a, "account", func() *state {
		return &state{contacts: map[string]*Contact{}, regions: map[string]*regionOpt{}, created: e.Now()}
	})
}

// Region opt-in statuses.
const (
	enabled          = "ENABLED"
	enabling         = "ENABLING"
	disabling        = "DISABLING"
	disabled         = "DISABLED"
	enabledByDefault = "ENABLED_BY_DEFAULT"
)

// defaultRegions are the commercial Regions enabled in every account;
// optInRegions those an account must enable (AWS's "Regions and zones"
// list, 2026).
var (
	defaultRegions = []string{"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
		"ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
		"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}
	optInRegions = []string{"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
		"il-central-1", "me-central-1", "me-south-1", "mx-central-1"}
)

var (
	accountIDRe = regexp.MustCompile(`^\d{12}$`)
	emailRe     = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`)
	phoneRe     = regexp.MustCompile(`^[\s0-9()+-]+$`)
	nameRe      = regexp.MustCompile(`^[ -;=?-~]+$`)
)

func validation(reason, format string, args ...any) *core.APIError {
	e := core.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
	e.Extra = map[string]string{"reason": reason}
	return e
}

func fieldInvalid(field, rule string) *core.APIError {
	return validation("fieldValidationFailed", "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", field, rule)
}

// target is the account a request acts on: the caller's, or the member
// account AccountId names. Naming one requires the caller to be the
// organization's management account or the Account Management delegated
// administrator, trusted access for account.amazonaws.com, all features,
// and a member account other than the caller's own (the management account
// calls without AccountId for itself); anything else is
// AccessDeniedException.
func target(c *core.Ctx, accountID *string) (*core.Account, *core.APIError) {
	if accountID == nil {
		return c.Account, nil
	}
	id := *accountID
	if !accountIDRe.MatchString(id) {
		return nil, fieldInvalid("accountId", "Member must satisfy regular expression pattern: ^\\d{12}$")
	}
	denied := core.Errorf(http.StatusForbidden, "AccessDeniedException",
		"User: %s is not authorized to perform: account:%s", c.Caller.ARN, c.Op)
	if iam.OrganizationOf == nil || id == c.Account.ID {
		return nil, denied
	}
	o, ok := iam.OrganizationOf(c.Emu, c.Account)
	switch {
	case !ok, !o.AllFeatures, !o.TrustedAccess(ServicePrincipal):
		return nil, denied
	case c.Account.ID != o.Management && !o.DelegatedAdmin(c.Account.ID, ServicePrincipal):
		return nil, denied
	case id == o.Management || !o.ActiveMember(id):
		return nil, denied
	}
	a := c.Emu.Account(id)
	if a == nil {
		return nil, denied
	}
	return a, nil
}

var contactTypes = []string{"BILLING", "OPERATIONS", "SECURITY"}

func contactType(t string) *core.APIError {
	if !slices.Contains(contactTypes, t) {
		return fieldInvalid("alternateContactType", "Member must satisfy enum value set: [SECURITY, OPERATIONS, BILLING]")
	}
	return nil
}

func between(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

func putAlternateContact(c *core.Ctx) (any, error) {
	var in struct {
		AccountID            *string `json:"AccountId"`
		AlternateContactType string
		Contact
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := contactType(in.AlternateContactType); err != nil {
		return nil, err
	}
	switch {
	case !between(in.Name, 1, 64):
		return nil, fieldInvalid("name", "Member must have length between 1 and 64")
	case !between(in.Title, 1, 50):
		return nil, fieldInvalid("title", "Member must have length between 1 and 50")
	case !between(in.EmailAddress, 1, 254) || !emailRe.MatchString(in.EmailAddress):
		return nil, fieldInvalid("emailAddress", "Member must satisfy regular expression pattern: ^[\\s]*[\\w+=.#|!&-]+@[\\w.-]+\\.[\\w]+[\\s]*$")
	case !between(in.PhoneNumber, 1, 25) || !phoneRe.MatchString(in.PhoneNumber):
		return nil, fieldInvalid("phoneNumber", "Member must satisfy regular expression pattern: ^[\\s0-9()+-]+$")
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	ct := in.Contact
	stateOf(c.Emu, a).contacts[in.AlternateContactType] = &ct
	return nil, nil
}

func contactRequest(c *core.Ctx) (*state, string, *core.APIError) {
	var in struct {
		AccountID            *string `json:"AccountId"`
		AlternateContactType string
	}
	if err := c.JSON(&in); err != nil {
		return nil, "", err.(*core.APIError)
	}
	if err := contactType(in.AlternateContactType); err != nil {
		return nil, "", err
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, "", apiErr
	}
	return stateOf(c.Emu, a), in.AlternateContactType, nil
}

var noContact = core.Errorf(http.StatusNotFound, "ResourceNotFoundException", "No contact of the inputted alternate contact type found.")

func getAlternateContact(c *core.Ctx) (any, error) {
	s, typ, apiErr := contactRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	ct := s.contacts[typ]
	if ct == nil {
		return nil, noContact
	}
	return map[string]any{"AlternateContact": map[string]string{"AlternateContactType": typ, "Name": ct.Name,
		"Title": ct.Title, "EmailAddress": ct.EmailAddress, "PhoneNumber": ct.PhoneNumber}}, nil
}

func deleteAlternateContact(c *core.Ctx) (any, error) {
	s, typ, apiErr := contactRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if s.contacts[typ] == nil {
		return nil, noContact
	}
	delete(s.contacts, typ)
	return nil, nil
}

// regionStatus returns a Region's status in s, "" for an unknown Region.
func regionStatus(s *state, region string) string {
	switch {
	case slices.Contains(defaultRegions, region):
		return enabledByDefault
	case !slices.Contains(optInRegions, region):
		return ""
	case s.regions[region] == nil:
		return disabled
	}
	return s.regions[region].Status
}

func regionRequest(c *core.Ctx) (*state, string, *core.APIError) {
	var in struct {
		AccountID  *string `json:"AccountId"`
		RegionName string
	}
	if err := c.JSON(&in); err != nil {
		return nil, "", err.(*core.APIError)
	}
	if !between(in.RegionName, 1, 50) {
		return nil, "", fieldInvalid("regionName", "Member must have length between 1 and 50")
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, "", apiErr
	}
	return stateOf(c.Emu, a), in.RegionName, nil
}

func invalidTarget(region string) *core.APIError {
	return validation("invalidRegionOptTarget", "Region %s cannot be enabled or disabled: it is not an opt-in Region", region)
}

func enableRegion(c *core.Ctx) (any, error) {
	return optRegion(c, enabling, enabled, disabling, disabled)
}
func disableRegion(c *core.Ctx) (any, error) {
	return optRegion(c, disabling, disabled, enabling, enabled)
}

// optRegion starts a Region on its way to done (passing status passing);
// nothing to do when it is there or on its way, a conflict while it is
// still settling the other way (opposing, to opposed).
func optRegion(c *core.Ctx, passing, done, opposing, opposed string) (any, error) {
	s, region, apiErr := regionRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	switch regionStatus(s, region) {
	case "", enabledByDefault:
		return nil, invalidTarget(region)
	case opposing:
		return nil, core.Errorf(http.StatusConflict, "ConflictException", "Region %s is being %s (%s): wait until it is %s",
			region, strings.ToLower(opposed), opposing, opposed)
	case done, passing:
		return nil, nil
	}
	s.regions[region] = &regionOpt{Status: passing, since: c.Emu.Now()}
	return nil, nil
}

// observe counts a read of a Region in transition, settling it after
// RegionSettleDescribes reads.
func observe(s *state, region string) {
	r := s.regions[region]
	if r == nil || (r.Status != enabling && r.Status != disabling) {
		return
	}
	r.describes++
	if r.describes > RegionSettleDescribes {
		r.settle()
	}
}

func (r *regionOpt) settle() {
	switch r.Status {
	case enabling:
		r.Status = enabled
	case disabling:
		r.Status = disabled
	}
	r.describes, r.since = 0, time.Time{}
}

func getRegionOptStatus(c *core.Ctx) (any, error) {
	s, region, apiErr := regionRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	observe(s, region)
	st := regionStatus(s, region)
	if st == "" {
		return nil, invalidTarget(region)
	}
	return map[string]string{"RegionName": region, "RegionOptStatus": st}, nil
}

func listRegions(c *core.Ctx) (any, error) {
	var in struct {
		AccountID               *string `json:"AccountId"`
		MaxResults              *int
		NextToken               string
		RegionOptStatusContains []string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	s := stateOf(c.Emu, a)
	type region struct {
		RegionName      string
		RegionOptStatus string
	}
	var items []region
	for _, r := range append(slices.Clone(defaultRegions), optInRegions...) {
		observe(s, r)
		st := regionStatus(s, r)
		if len(in.RegionOptStatusContains) == 0 || slices.Contains(in.RegionOptStatusContains, st) {
			items = append(items, region{r, st})
		}
	}
	page, next, apiErr := core.Paginate(c, items, func(r region) string { return r.RegionName }, in.NextToken, in.MaxResults, core.Paging{
		Max:      50,
		BadLimit: func(int) *core.APIError { return fieldInvalid("maxResults", "Member must have value between 1 and 50") },
		BadToken: func() *core.APIError { return validation("fieldValidationFailed", "The NextToken is not valid.") },
	})
	if apiErr != nil {
		return nil, apiErr
	}
	return core.PageOut("Regions", page, next), nil
}

func putAccountName(c *core.Ctx) (any, error) {
	var in struct {
		AccountID   *string `json:"AccountId"`
		AccountName string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if !between(in.AccountName, 1, 50) || !nameRe.MatchString(in.AccountName) {
		return nil, fieldInvalid("accountName", "Member must satisfy regular expression pattern: ^[ -;=?-~]+$ and length between 1 and 50")
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	stateOf(c.Emu, a).name = in.AccountName
	if o := orgOf(c.Emu, a); o != nil {
		o.SetAccountName(a.ID, in.AccountName)
	}
	return nil, nil
}

// orgOf returns the organization account a is in (its management
// account's), nil when none.
func orgOf(e *core.Emulator, a *core.Account) *organizations.Organization {
	if iam.OrganizationOf == nil {
		return nil
	}
	v, ok := iam.OrganizationOf(e, a)
	if !ok {
		return nil
	}
	mgmt := e.Account(v.Management)
	if mgmt == nil {
		return nil
	}
	return organizations.Of(mgmt)
}

// getPrimaryEmail serves GetPrimaryEmail: AccountId is required (a member
// account, as for every AccountId).
func getPrimaryEmail(c *core.Ctx) (any, error) {
	var in struct {
		AccountID *string `json:"AccountId"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if in.AccountID == nil {
		return nil, fieldInvalid("accountId", "Member must not be null")
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	email := ""
	if o := orgOf(c.Emu, c.Account); o != nil {
		email, _ = o.AccountEmail(a.ID)
	}
	return map[string]string{"PrimaryEmail": email}, nil
}

func getAccountInformation(c *core.Ctx) (any, error) {
	var in struct {
		AccountID *string `json:"AccountId"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	a, apiErr := target(c, in.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	s := stateOf(c.Emu, a)
	return map[string]any{"AccountId": a.ID, "AccountName": Name(c.Emu, a),
		"AccountCreatedDate": s.created.Format(time.RFC3339), "AccountState": "ACTIVE"}, nil
}

// Name returns a's account name: the one PutAccountName set, else its
// name in its organization, else the account ID. Called with the emulator
// locked.
func Name(e *core.Emulator, a *core.Account) string {
	if n := stateOf(e, a).name; n != "" {
		return n
	}
	if o := orgOf(e, a); o != nil {
		if n, ok := o.AccountName(a.ID); ok && n != "" {
			return n
		}
	}
	return a.ID
}

// settle settles the Regions whose change has been in progress for
// AsyncDuration.
func settle(e *core.Emulator, due func(time.Time) bool) {
	for _, a := range e.AllAccounts() {
		s := core.Slot[*state](a, "account")
		if s == nil {
			continue
		}
		for _, r := range s.regions {
			if (r.Status == enabling || r.Status == disabling) && due(r.since) {
				r.settle()
			}
		}
	}
}

func snapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		s := core.Slot[*state](a, "account")
		if s == nil || (len(s.contacts) == 0 && len(s.regions) == 0 && s.name == "") {
			continue // read only: reads leave no state
		}
		regions := map[string]string{}
		for name, r := range s.regions {
			regions[name] = r.Status
		}
		out[a.ID] = map[string]any{"alternateContacts": s.contacts, "regions": regions, "accountName": s.name}
	}
	return out
}
