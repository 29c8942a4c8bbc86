package adopt

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/statebackend"
)

// Result is what Converge did (in a dry run: would do).
type Result struct {
	// Changes are every change, in the order made.
	Changes foundation.Changes
	// Accounts are, for each change, the ID of the account it is made in:
	// the management account's for the organization's resources, a
	// member account's for its state backends and settings (predicted in
	// a dry run for an account the run would create).
	Accounts []string
}

// add records cs as made in account.
func (r *Result) add(account string, cs foundation.Changes) {
	r.Changes = append(r.Changes, cs...)
	for range cs {
		r.Accounts = append(r.Accounts, account)
	}
}

// Converge makes the organization match f: the OUs and accounts (created
// when missing, tags put), the SCPs and exactly the attachments listed for
// each target listed, Identity Center's users, groups, permission sets and
// assignments, the OIDC providers and CI roles. Nothing f does not list is
// removed. f is validated whole first (Validate): an invalid one makes no
// call. Run on the organization Read read f from, it makes no change.
//
// On error the result is nil and the error carries the changes made before
// it (a *foundation.IncompleteError, errors.As); a rerun finishes the work.
func Converge(ctx context.Context, api ConvergeAPI, f *Foundation, opts ...foundation.Option) (*Result, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	res := &Result{}
	// failAt returns err with the changes made before it; its refusals
	// (*foundation.NotManagedError) name the file's key that adopts the
	// resource (key of the library's field: atKeys).
	failAt := func(err error, key func(field string) string) (*Result, error) {
		var inc *foundation.IncompleteError
		made := res.Changes
		if errors.As(err, &inc) {
			made = append(made, inc.Changes...)
		}
		if key != nil {
			err = atKeys(err, key)
		}
		if len(made) == 0 {
			return nil, err
		}
		return nil, &foundation.IncompleteError{Changes: made, Err: err}
	}
	fail := func(err error) (*Result, error) { return failAt(err, nil) }
	// refused is fail of the call for the file's entry at path: the
	// library's field under it (fileKey: "spec.Adopt" of policies[2] is
	// "policies[2].adopt").
	refused := func(err error, path string) (*Result, error) {
		return failAt(err, func(field string) string { return fileKey(path, field) })
	}

	// 1. The tree, read first: the management account is told by its
	// email, whatever the file says, and never moved (managementAccount).
	read, err := organizations.ReadTree(ctx, api.Organizations, opts...)
	if err != nil {
		return fail(err)
	}
	if f, err = f.managementAccount(read); err != nil {
		return fail(err)
	}
	tree, err := organizations.EnsureTree(ctx, api.Organizations, f.treeSpec(), opts...)
	if err != nil {
		return failAt(err, f.treeKey)
	}
	mgmt := read.ManagementAccountID
	res.add(mgmt, tree.Changes)
	ids := map[string]string{} // email (lower case) -> account ID
	for _, a := range f.Accounts {
		if acct := tree.Account(a.Email); acct != nil {
			ids[strings.ToLower(a.Email)] = acct.ID
		}
	}
	if len(tree.Changes) > 0 && !call.Resolve(opts...).DryRun {
		// The accounts and OUs made: read again for their IDs.
		if read, err = organizations.ReadTree(ctx, api.Organizations, opts...); err != nil {
			return fail(err)
		}
	}
	for _, a := range read.Accounts {
		if _, ok := ids[strings.ToLower(a.Email)]; !ok {
			ids[strings.ToLower(a.Email)] = a.ID
		}
	}

	// 2. The policies, then what each target has attached (each type
	// enabled on the root first, by EnsureAttachments).
	for i, p := range f.Policies {
		out, err := orgpolicy.EnsurePolicy(ctx, api.Organizations, p.spec(), opts...)
		if err != nil {
			return refused(err, fmt.Sprintf("policies[%d]", i))
		}
		res.add(mgmt, out.Changes)
	}
	for _, a := range f.Attachments {
		target, err := a.targetID(read, tree, ids)
		if err != nil {
			return fail(err)
		}
		out, err := orgpolicy.EnsureAttachments(ctx, api.Organizations, a.spec(target), opts...)
		if err != nil {
			return fail(err)
		}
		res.add(mgmt, out.Changes)
	}

	// Trusted access and delegated administrators, then root access
	// (which needs IAM's trusted access, enabled here when missing).
	if len(f.Services) > 0 {
		spec, err := f.serviceAccessSpec(ids)
		if err != nil {
			return fail(err)
		}
		out, err := organizations.EnsureServiceAccess(ctx, api.Organizations, spec, opts...)
		if out != nil {
			res.add(mgmt, out.Changes)
		}
		if err != nil {
			return fail(err)
		}
	}
	if ra := f.RootAccess; ra != nil {
		spec := organizations.RootAccessSpec{}
		for _, ft := range ra.Features {
			spec.Features = append(spec.Features, iamtypes.FeatureType(ft))
		}
		out, err := organizations.EnsureRootAccess(ctx, organizations.RootAccessAPI{Organizations: api.Organizations, IAM: api.IAM}, spec, opts...)
		if err != nil {
			return fail(err)
		}
		res.add(mgmt, out.Changes)
	}

	// The accounts' settings (after the services: members' need trusted
	// access for account.amazonaws.com). A Region being enabled is not
	// waited for (AWS takes minutes to hours).
	names := map[string]string{} // email (lower case) -> the account's name now
	for _, a := range read.Accounts {
		names[strings.ToLower(a.Email)] = a.Name
	}
	for i, a := range f.Accounts {
		// A name that differs is converged with the Account Management
		// API (Organizations cannot rename an account). An account the
		// run creates, not read yet, has the file's.
		if have, ok := names[strings.ToLower(a.Email)]; ok && have != a.Name && api.Account != nil {
			id, in := "", mgmt
			if !a.Management {
				id, in = ids[strings.ToLower(a.Email)], ids[strings.ToLower(a.Email)]
			}
			out, err := account.EnsureAccountName(ctx, api.Account, account.NameSpec{AccountID: id, Name: a.Name}, opts...)
			if err != nil {
				return fail(err)
			}
			res.add(in, out.Changes)
		}
		if a.Contacts == nil && len(a.Regions) == 0 {
			continue
		}
		if api.Account == nil {
			return fail(fmt.Errorf("adopt: api.Account: must not be nil with accounts' contacts or Regions: %w", foundation.ErrInvalidSpec))
		}
		id, in := "", mgmt
		if !a.Management {
			if id = ids[strings.ToLower(a.Email)]; id == "" {
				return fail(fmt.Errorf("adopt: accounts[%d]: account %q not found", i, a.Email))
			}
			in = id
		}
		if a.Contacts != nil {
			out, err := account.EnsureAlternateContacts(ctx, api.Account, a.contactsSpec(id), opts...)
			if err != nil {
				return fail(err)
			}
			res.add(in, out.Changes)
		}
		if len(a.Regions) > 0 {
			out, err := account.EnsureRegionOptIn(ctx, api.Account, account.RegionsSpec{AccountID: id, Enabled: a.Regions, NoWait: true}, opts...)
			if err != nil {
				return fail(err)
			}
			res.add(in, out.Changes)
		}
	}

	// 3. Identity Center.
	if ic := f.IdentityCenter; ic != nil {
		access, err := ic.accessSpec(ids)
		if err != nil {
			return fail(err)
		}
		out, err := identitycenter.EnsureAccess(ctx, api.IdentityCenter, access, opts...)
		if err != nil {
			return refused(err, "identityCenter")
		}
		res.add(mgmt, out.Changes)
		if ic.KMSKeyARN != "" || len(ic.Regions) > 0 {
			if api.InstanceSettings == nil {
				return fail(fmt.Errorf("adopt: api.InstanceSettings: must not be nil with identityCenter.kmsKeyARN or regions: %w", foundation.ErrInvalidSpec))
			}
			out, err := identitycenter.EnsureInstanceSettings(ctx, api.InstanceSettings, identitycenter.InstanceSettingsSpec{KMSKeyARN: ic.KMSKeyARN, Regions: ic.Regions}, opts...)
			if err != nil {
				return fail(err)
			}
			res.add(mgmt, out.Changes)
		}
	}

	// 4. CI federation.
	providers := map[string]string{} // URL -> ARN
	for i, p := range f.OIDCProviders {
		out, err := oidcfed.EnsureProvider(ctx, api.IAM, oidcfed.ProviderSpec{URL: p.URL, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints, Tags: p.Tags, Adopt: p.Adopt}, opts...)
		if err != nil {
			return refused(err, fmt.Sprintf("oidcProviders[%d]", i))
		}
		res.add(mgmt, out.Changes)
		providers[p.URL] = out.ARN
	}
	for i, r := range f.CIRoles {
		spec, err := r.spec(providers[r.Provider], fmt.Sprintf("ciRoles[%d]", i))
		if err != nil {
			return fail(err)
		}
		out, err := oidcfed.EnsureCIRole(ctx, api.IAM, spec, opts...)
		if err != nil {
			return refused(err, fmt.Sprintf("ciRoles[%d]", i))
		}
		res.add(mgmt, out.Changes)
	}

	// 5. State backends, in their accounts.
	for i, sb := range f.StateBackends {
		id := ids[strings.ToLower(sb.Account)]
		if id == "" {
			return fail(fmt.Errorf("adopt: stateBackends[%d]: account %q not found", i, sb.Account))
		}
		var sapi statebackend.API
		if plan.IsPredicted(id) {
			// A dry run of an account it would create: nothing there yet.
			sapi = absentAccount()
		} else {
			if api.InAccount == nil {
				return fail(fmt.Errorf("adopt: api.InAccount: must not be nil with state backends: %w", foundation.ErrInvalidSpec))
			}
			if sapi, err = api.InAccount(ctx, id, id == read.ManagementAccountID); err != nil {
				return fail(fmt.Errorf("adopt: stateBackends[%d]: account %s: %w", i, sb.Account, err))
			}
		}
		out, err := statebackend.Bootstrap(ctx, sapi, sb.spec(id), opts...)
		if err != nil {
			return refused(err, fmt.Sprintf("stateBackends[%d]", i))
		}
		res.add(id, out.Changes)
	}
	return res, nil
}

// accountIDs returns the account IDs of emails (ids: lower-case email ->
// ID), and a fault naming field[j] for each that is not an account of the
// organization.
func accountIDs(ids map[string]string, field string, emails []string) ([]string, []error) {
	var out []string
	var faults []error
	for j, email := range emails {
		id := ids[strings.ToLower(email)]
		if id == "" {
			faults = append(faults, specerr.New(pkg, fmt.Sprintf("%s[%d]", field, j), email, "is not an account of the organization"))
			continue
		}
		out = append(out, id)
	}
	return out, faults
}

// serviceAccessSpec is the registry with account IDs for emails.
func (f *Foundation) serviceAccessSpec(ids map[string]string) (organizations.ServiceAccessSpec, error) {
	var s organizations.ServiceAccessSpec
	var errs []error
	for i, svc := range f.Services {
		ts := organizations.TrustedServiceSpec{Principal: svc.Principal}
		var faults []error
		ts.DelegatedAdministrators, faults = accountIDs(ids, fmt.Sprintf("services[%d].delegatedAdministrators", i), svc.DelegatedAdministrators)
		errs = append(errs, faults...)
		s.Services = append(s.Services, ts)
	}
	return s, errors.Join(errs...)
}

// managementAccount returns f with the organization's management account
// (read) marked as such whatever the file says, so that Converge never
// creates, moves or tags it (an entry for it without "management: true"
// planned a move from the root to its ou: found from outside). An entry
// marked management that is not it, or the management account's entry
// with an ou other than where it is, is refused
// (foundation.ErrInvalidSpec, by the file's key): Converge does not move
// the management account.
func (f *Foundation) managementAccount(read *organizations.Tree) (*Foundation, error) {
	var have *organizations.TreeAccount
	for i := range read.Accounts {
		if read.Accounts[i].ID == read.ManagementAccountID {
			have = &read.Accounts[i]
		}
	}
	if have == nil {
		return f, nil
	}
	var errs []error
	out := f
	for i, a := range f.Accounts {
		path := fmt.Sprintf("accounts[%d]", i)
		is := strings.EqualFold(a.Email, have.Email)
		switch {
		case a.Management && !is:
			errs = append(errs, specerr.New(pkg, path+".management", "", fmt.Sprintf("%s is not the organization's management account (%s, %s)", a.Email, have.ID, have.Email)))
		case is && a.OU != have.OU:
			where := "the root"
			if have.OU != "" {
				where = fmt.Sprintf("%q", have.OU)
			}
			errs = append(errs, specerr.New(pkg, path+".ou", a.OU, fmt.Sprintf("%s is the organization's management account (%s), in %s: it is never moved, so ou must say where it is", a.Email, have.ID, where)))
		case is && !a.Management:
			if out == f {
				c := *f
				c.Accounts = slices.Clone(f.Accounts)
				out = &c
			}
			out.Accounts[i].Management = true
		}
	}
	return out, errors.Join(errs...)
}

// treeKey is the file's key of the adopt field organizations.EnsureTree
// names for f.treeSpec() ("spec.Accounts[1].Adopt", the management account
// left out of the spec, is "accounts[2].adopt"); "" for another field.
func (f *Foundation) treeKey(field string) string {
	m := treeFieldRe.FindStringSubmatch(field)
	if m == nil {
		return ""
	}
	i, _ := strconv.Atoi(m[2])
	if m[1] == "OUs" {
		return fmt.Sprintf("ous[%d].adopt", i)
	}
	for j, a := range f.Accounts {
		if a.Management {
			continue
		}
		if i == 0 {
			return fmt.Sprintf("accounts[%d].adopt", j)
		}
		i--
	}
	return ""
}

var treeFieldRe = regexp.MustCompile(`^spec\.(OUs|Accounts)\[(\d+)\]\.Adopt$`)

// atKeys returns err with each *foundation.NotManagedError in it naming,
// as its Field, the file's key that adopts the resource (key of the
// library's field; a field key maps to "" keeps its name): a join of
// those refusals and of err's other failures. The wrappers of a refusal
// (the package's prefix, an IncompleteError whose changes fail took) are
// left out, as their text names the library's field. err is returned as
// it is when it holds no refusal.
func atKeys(err error, key func(field string) string) error {
	var refusals []*foundation.NotManagedError
	var rest []error
	splitRefusals(err, &refusals, &rest)
	if len(refusals) == 0 {
		return err
	}
	out := make([]error, 0, len(refusals)+len(rest))
	for _, nm := range refusals {
		c := *nm
		if k := key(nm.Field); k != "" {
			c.Field = k
		}
		out = append(out, &c)
	}
	if out = append(out, rest...); len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// splitRefusals sorts err's tree into its refusals and the failures that
// hold none.
func splitRefusals(err error, refusals *[]*foundation.NotManagedError, rest *[]error) {
	var nm *foundation.NotManagedError
	switch u := err.(type) {
	case *foundation.NotManagedError:
		*refusals = append(*refusals, u)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			splitRefusals(e, refusals, rest)
		}
	case interface{ Unwrap() error }:
		if errors.As(err, &nm) {
			splitRefusals(u.Unwrap(), refusals, rest)
			return
		}
		*rest = append(*rest, err)
	default:
		if err != nil {
			*rest = append(*rest, err)
		}
	}
}

func (f *Foundation) treeSpec() organizations.TreeSpec {
	var t organizations.TreeSpec
	for _, ou := range f.OUs {
		t.OUs = append(t.OUs, organizations.OUSpec{Path: ou.Path, Tags: ou.Tags, Adopt: ou.Adopt})
	}
	for _, a := range f.Accounts {
		if a.Management {
			continue
		}
		t.Accounts = append(t.Accounts, organizations.AccountSpec{Name: a.Name, Email: a.Email, OU: a.OU, Tags: a.Tags, Adopt: a.Adopt})
	}
	return t
}

func (p Policy) spec() orgpolicy.PolicySpec {
	return orgpolicy.PolicySpec{Type: policyType(p.Type), Name: p.Name, Description: p.Description, Content: p.Content, Tags: p.Tags, Adopt: p.Adopt}
}

// spec is the attachment as orgpolicy converges it: exactly the policies
// the file lists, whoever made them. A policy the file leaves out is
// detached, the library's or not (the file is the truth for the targets
// it lists, and a dry run plans the detach whether or not the policy
// carries the library's tag yet), and so is FullAWSAccess when an SCP list
// leaves it out; RCPFullAWSAccess cannot be detached and always stays.
func (a Attachment) spec(target string) orgpolicy.AttachmentSpec {
	t := policyType(a.Type)
	s := orgpolicy.AttachmentSpec{Type: t, TargetID: target, Policies: a.Policies, DetachUnmanaged: true}
	if full := orgpolicy.Info(t).ManagedPolicyName; t == orgtypes.PolicyTypeServiceControlPolicy && !slices.Contains(a.Policies, full) {
		s.DetachFullAWSAccess = true
	}
	return s
}

// targetID returns the ID of the attachment's target.
func (a Attachment) targetID(read *organizations.Tree, tree *organizations.TreeResult, ids map[string]string) (string, error) {
	switch {
	case a.Root:
		return read.RootID, nil
	case a.OU != "":
		if ou := tree.OU(a.OU); ou != nil {
			return ou.ID, nil
		}
		if ou := read.OU(a.OU); ou != nil {
			return ou.ID, nil
		}
		return "", fmt.Errorf("adopt: attachments: OU %q not found", a.OU)
	default:
		if id := ids[strings.ToLower(a.Account)]; id != "" {
			return id, nil
		}
		return "", fmt.Errorf("adopt: attachments: account %q not found", a.Account)
	}
}

func (ic *IdentityCenter) accessSpec(ids map[string]string) (identitycenter.AccessSpec, error) {
	var s identitycenter.AccessSpec
	var errs []error
	for _, u := range ic.Users {
		s.Users = append(s.Users, identitycenter.UserSpec{UserName: u.UserName, GivenName: u.GivenName, FamilyName: u.FamilyName, DisplayName: u.DisplayName, Email: u.Email})
	}
	for _, g := range ic.Groups {
		s.Groups = append(s.Groups, identitycenter.GroupSpec{DisplayName: g.Name, Description: g.Description, Members: g.Members})
	}
	for i, p := range ic.PermissionSets {
		ps, err := p.spec(fmt.Sprintf("identityCenter.permissionSets[%d]", i))
		errs = append(errs, err)
		s.PermissionSets = append(s.PermissionSets, ps)
	}
	for i, a := range ic.Assignments {
		as := identitycenter.AssignmentSpec{PermissionSets: []string{a.PermissionSet}}
		if a.Group != "" {
			as.Principals = []identitycenter.Principal{identitycenter.GroupPrincipal(a.Group)}
		} else {
			as.Principals = []identitycenter.Principal{identitycenter.UserPrincipal(a.User)}
		}
		var faults []error
		as.Accounts, faults = accountIDs(ids, fmt.Sprintf("identityCenter.assignments[%d].accounts", i), a.Accounts)
		errs = append(errs, faults...)
		s.Assignments = append(s.Assignments, as)
	}
	return s, errors.Join(errs...)
}

func (p PermissionSet) spec(path string) (identitycenter.PermissionSetSpec, error) {
	s := identitycenter.PermissionSetSpec{Name: p.Name, Description: p.Description, RelayState: p.RelayState, ManagedPolicies: p.ManagedPolicies, Tags: p.Tags, Adopt: p.Adopt}
	if p.SessionDuration != "" {
		d, err := time.ParseDuration(p.SessionDuration)
		if err != nil {
			return s, specerr.New(pkg, path+".sessionDuration", p.SessionDuration, "must be a duration such as 8h: "+err.Error())
		}
		s.SessionDuration = d
	}
	for _, ref := range p.CustomerManagedPolicies {
		i := strings.LastIndex(ref, "/")
		s.CustomerManagedPolicies = append(s.CustomerManagedPolicies, identitycenter.CustomerManagedPolicy{Path: ref[:i+1], Name: ref[i+1:]})
	}
	if p.InlinePolicy != "" {
		doc, err := foundation.ParsePolicy(p.InlinePolicy)
		if err != nil {
			return s, specerr.New(pkg, path+".inlinePolicy", "", err.Error())
		}
		s.InlinePolicy = doc
	}
	return s, nil
}

// roleSpec is the trust part of the role's spec.
func (r CIRole) roleSpec(providerARN string) oidcfed.RoleSpec {
	issuer := oidcfed.GitHub()
	if len(r.Audiences) > 0 {
		issuer.Audiences = r.Audiences
	}
	spec := oidcfed.RoleSpec{Name: r.Name, Issuer: issuer, ProviderARN: providerARN, Audiences: r.Audiences}
	for _, s := range r.Subjects {
		spec.Subjects = append(spec.Subjects, oidcfed.Subject{Value: s})
	}
	for _, s := range r.SubjectPatterns {
		spec.Subjects = append(spec.Subjects, oidcfed.Subject{Value: s, Wildcard: true})
	}
	for _, s := range r.JobWorkflowRefs {
		spec.Subjects = append(spec.Subjects, oidcfed.Subject{Claim: oidcfed.ClaimJobWorkflowRef, Value: s})
	}
	for _, s := range r.JobWorkflowRefPatterns {
		spec.Subjects = append(spec.Subjects, oidcfed.Subject{Claim: oidcfed.ClaimJobWorkflowRef, Value: s, Wildcard: true})
	}
	spec.Claims = r.Claims
	return spec
}

// spec is the role's whole spec.
func (r CIRole) spec(providerARN, path string) (oidcfed.RoleSpec, error) {
	s := r.roleSpec(providerARN)
	s.Path, s.Description, s.Tags, s.Adopt = r.Path, r.Description, r.Tags, r.Adopt
	s.ManagedPolicyARNs, s.PermissionsBoundary = r.ManagedPolicies, r.PermissionsBoundary
	if r.MaxSessionDuration != "" {
		d, err := time.ParseDuration(r.MaxSessionDuration)
		if err != nil {
			return s, specerr.New(pkg, path+".maxSessionDuration", r.MaxSessionDuration, "must be a duration such as 1h: "+err.Error())
		}
		s.MaxSessionDuration = d
	}
	for name, text := range r.InlinePolicies {
		doc, err := foundation.ParsePolicy(text)
		if err != nil {
			return s, specerr.New(pkg, path+".inlinePolicies."+name, "", err.Error())
		}
		if s.InlinePolicies == nil {
			s.InlinePolicies = map[string]*foundation.PolicyDocument{}
		}
		s.InlinePolicies[name] = doc
	}
	return s, nil
}

func secondsDuration(s int32) time.Duration { return time.Duration(s) * time.Second }

// contactsSpec is the account's contacts as package account converges
// them (accountID empty for the management account's own).
func (a Account) contactsSpec(accountID string) account.ContactsSpec {
	s := account.ContactsSpec{AccountID: accountID}
	if c := a.Contacts; c != nil {
		s.Billing, s.Operations, s.Security = c.Billing.spec(), c.Operations.spec(), c.Security.spec()
	}
	return s
}

func (c *Contact) spec() *account.Contact {
	if c == nil {
		return nil
	}
	return &account.Contact{Name: c.Name, Title: c.Title, Email: c.Email, Phone: c.Phone}
}
