package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// The library specs hiperium derives from its Spec. Converge builds each
// from these functions (and activeTree), and Validate builds every one of
// them up front, so that invalid input is refused before the program's
// first call, not after the calls that come before the step it breaks.

// organizationSpec is the organization, with SCPs enabled.
func (s Spec) organizationSpec() organizations.OrganizationSpec {
	// SCPs are enabled on the root by scp.EnsureAttachments, the first
	// step that needs them, which plans that in a dry run as it makes it.
	return organizations.OrganizationSpec{}
}

// attachmentSpec attaches the guardrail to the OU ouID.
func (g Guardrail) attachmentSpec(ouID string) scp.AttachmentSpec {
	return scp.AttachmentSpec{TargetID: ouID, Policies: []string{g.Policy.Name}}
}

// closeSpec retires the account with email: tagged with the project, who
// retired it and the OU it came from, moved to SuspendedOU and closed.
func (s Spec) closeSpec(email string) organizations.CloseAccountSpec {
	tags := map[string]string{"project": s.Project, "retired-by": "foundation"}
	if i := slices.IndexFunc(s.Tree.Accounts, func(a organizations.AccountSpec) bool { return strings.EqualFold(a.Email, email) }); i >= 0 {
		tags["retired-from"] = displayOU(s.Tree.Accounts[i].OU)
	}
	adopt := s.AdoptRetire
	if i := slices.IndexFunc(s.Tree.Accounts, func(a organizations.AccountSpec) bool { return strings.EqualFold(a.Email, email) }); i >= 0 {
		adopt = s.Tree.Accounts[i].Adopt
	}
	return organizations.CloseAccountSpec{Email: email, SuspendedOU: s.SuspendedOU, Tags: tags, Adopt: adopt}
}

// accessSpec is Identity Center, the assignments on the accounts whose ID
// ids has (lower-case email -> ID; in a dry run, predicted for an account
// to be created); a retired account's are left out.
func (s Spec) accessSpec(ids map[string]string) identitycenter.AccessSpec {
	as := identitycenter.AccessSpec{
		Users: s.Access.Users, Groups: s.Access.Groups, PermissionSets: s.Access.PermissionSets,
	}
	for _, a := range s.Access.Assignments {
		var accounts []string
		for _, email := range a.Accounts {
			if id := ids[strings.ToLower(email)]; id != "" && !s.retired(email) {
				accounts = append(accounts, id)
			}
		}
		if len(accounts) > 0 {
			as.Assignments = append(as.Assignments, identitycenter.AssignmentSpec{Principals: a.Principals, PermissionSets: a.PermissionSets, Accounts: accounts})
		}
	}
	return as
}

// configSpec is the AWS CLI config: an sso-session named after the
// project and a profile for each of Profiles whose account ID ids has,
// retired accounts' left out.
func (s Spec) configSpec(startURL string, ids map[string]string) identitycenter.ConfigSpec {
	cfg := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: s.Project, StartURL: startURL, Region: s.Region},
		Template: "{{.Env}}",
	}
	for _, p := range s.Profiles {
		if s.retired(p.Account) {
			continue
		}
		if id := ids[strings.ToLower(p.Account)]; id != "" {
			cfg.Profiles = append(cfg.Profiles, identitycenter.ProfileSpec{
				AccountID: id, AccountName: accountName(s, p.Account), Env: p.Name,
				PermissionSets: []string{p.PermissionSet}, Regions: []string{s.Region},
			})
		}
	}
	return cfg
}

// Validate checks the whole program before its first call: what only the
// example knows (a guardrail's OUs, the assignments' and profiles'
// accounts are in the tree), then every library spec hiperium derives,
// built as Converge builds them with stand-in account and OU IDs, and
// validated by its package. Every fault is returned, each prefixed with
// the step it belongs to; nil means no step will refuse its input.
func (s Spec) Validate() error {
	var errs []error
	var inFile examplekit.LibraryFaults // faults whose library field comes from a key of the file
	step := func(what string, err error, fields ...examplekit.Fields) {
		var m examplekit.Fields
		if len(fields) > 0 {
			m = fields[0]
		}
		if rest := inFile.Add(what, err, m); rest != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, rest))
		}
	}
	ous := map[string]bool{}
	for _, o := range s.Tree.OUs {
		for p := o.Path; p != ""; p = p[:max(strings.LastIndex(p, "/"), 0)] {
			ous[p] = true
		}
	}
	emails := map[string]bool{}
	ids := map[string]string{}
	for i, a := range s.Tree.Accounts {
		emails[strings.ToLower(a.Email)] = true
		ids[strings.ToLower(a.Email)] = fmt.Sprintf("2%011d", i+1)
	}
	for _, g := range s.Guardrails {
		for _, o := range g.OUs {
			if !ous[o] {
				errs = append(errs, fmt.Errorf("guardrail %s: OU %q is not in the tree", g.Policy.Name, o))
			}
		}
	}
	if len(s.Retire) > 0 && !ous[s.SuspendedOU] {
		errs = append(errs, fmt.Errorf("retired accounts: suspended OU %q is not in the tree", s.SuspendedOU))
	}
	for i, a := range s.Access.Assignments {
		for _, e := range a.Accounts {
			if !emails[strings.ToLower(e)] {
				errs = append(errs, fmt.Errorf("spec.Access.Assignments[%d].Accounts: %q is not an account of spec.Tree", i, e))
			}
		}
	}
	for i, p := range s.Profiles {
		if !emails[strings.ToLower(p.Account)] {
			errs = append(errs, fmt.Errorf("spec.Profiles[%d].Account: %q is not an account of spec.Tree", i, p.Account))
		}
	}
	step("organization", s.organizationSpec().Validate())
	step("OUs and accounts", s.activeTree().Validate())
	for i, g := range s.Guardrails {
		step("guardrail "+g.Policy.Name, g.Policy.Validate(), examplekit.Fields{
			"spec.Name": fmt.Sprintf("guardrails[%d].name", i), "spec.Description": fmt.Sprintf("guardrails[%d].description", i)})
		step("guardrail "+g.Policy.Name+": attachment", g.attachmentSpec("ou-0000-00000000").Validate())
	}
	for _, email := range s.Retire {
		step("retire "+email, s.closeSpec(email).Validate())
	}
	step("Identity Center", s.accessSpec(ids).Validate(), examplekit.Fields{
		"spec.Users[i].UserName": "users[i].userName", "spec.Users[i].GivenName": "users[i].givenName",
		"spec.Users[i].FamilyName": "users[i].familyName", "spec.Users[i].Email": "users[i].email",
		"spec.Users[i].DisplayName":  "users[i].displayName",
		"spec.Groups[i].DisplayName": "groups[i].name", "spec.Groups[i].Description": "groups[i].description",
		"spec.Groups[i].Members":      "groups[i].members",
		"spec.PermissionSets[i].Name": "permissionSets[i].name", "spec.PermissionSets[i].Description": "permissionSets[i].description",
		"spec.PermissionSets[i].SessionDuration": "permissionSets[i].sessionHours",
		"spec.PermissionSets[i].ManagedPolicies": "permissionSets[i].managedPolicies",
	})
	startURL := s.StartURL
	if startURL == "" {
		startURL = "https://d-0000000000.awsapps.com/start"
	}
	if len(s.Profiles) > 0 { // none declared: no config file is written
		step("AWS CLI profiles", s.configSpec(startURL, ids).Validate(), examplekit.Fields{
			"spec.Session.StartURL": "startURL", "spec.Session.Region": "region", "spec.Session.Name": "project"})
	}
	if err := s.src.Check(inFile.Faults()); err != nil {
		errs = append([]error{err}, errs...)
	}
	return errors.Join(errs...)
}
