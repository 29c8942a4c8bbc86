package main

import (
	"errors"
	"fmt"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
)

// The library specs autochart derives from its Spec. Converge builds each
// from these functions, and Validate builds every one of them up front, so
// that invalid input is refused before the program's first call, not after
// the calls that come before the step it breaks.

// organizationSpec is the organization: all features (Identity Center
// needs them), no policy types.
func (s Spec) organizationSpec() organizations.OrganizationSpec {
	return organizations.OrganizationSpec{}
}

// treeSpec is the product's OU and its accounts, each made with the
// access role the alias step assumes.
func (s Spec) treeSpec() organizations.TreeSpec {
	tree := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: s.OU, Tags: map[string]string{"Product": s.Product}, Adopt: s.AdoptOU}}}
	for _, e := range s.Envs {
		a := e.Account
		if a.RoleName == "" {
			a.RoleName = s.AccessRole
		}
		tree.Accounts = append(tree.Accounts, a)
	}
	return tree
}

// treeAdoptions are the keys of the spec file that adopt treeSpec's OU
// (adopt.ou) and accounts (environments[i].adopt): examplekit.Adoption.
func (s Spec) treeAdoptions() []examplekit.Adoption {
	out := []examplekit.Adoption{examplekit.AdoptFlag("spec.OUs[0]", "adopt.ou", "ou", s.OU)}
	for i, e := range s.Envs {
		out = append(out, examplekit.AdoptEntry(fmt.Sprintf("spec.Accounts[%d]", i), fmt.Sprintf("environments[%d]", i), e.Account.Name))
	}
	return out
}

// aliasSpec is an environment's account alias.
func (s Spec) aliasSpec(e Env) organizations.AccountAliasSpec {
	return organizations.AccountAliasSpec{Alias: e.Alias}
}

// accessSpec is Identity Center: the users, the permission set, and each
// person's assignment in each of their environments whose account ID ids
// has (env name -> ID; an account a dry run has not made yet is left
// out). Prune removes the permission set's other assignments in these
// accounts.
func (s Spec) accessSpec(ids map[string]string) identitycenter.AccessSpec {
	as := identitycenter.AccessSpec{
		PermissionSets: []identitycenter.PermissionSetSpec{s.PermissionSet},
		Prune:          true,
	}
	for _, p := range s.People {
		as.Users = append(as.Users, p.UserSpec)
		var accounts []string
		for _, e := range s.envsOf(p) {
			if id, ok := ids[e.Name]; ok {
				accounts = append(accounts, id)
			}
		}
		if len(accounts) > 0 {
			as.Assignments = append(as.Assignments, identitycenter.AssignmentSpec{
				Principals:     []identitycenter.Principal{identitycenter.UserPrincipal(p.UserName)},
				PermissionSets: []string{s.PermissionSet.Name},
				Accounts:       accounts,
			})
		}
	}
	// Every existing account of the product is in the prune scope, so a
	// person removed from every environment loses their access too.
	for _, e := range s.Envs {
		if id, ok := ids[e.Name]; ok {
			as.PruneAccounts = append(as.PruneAccounts, id)
		}
	}
	return as
}

// configSpec is person p's AWS CLI config: the sso-session and a profile
// per environment whose account ID ids has.
func (s Spec) configSpec(p Person, startURL string, ids map[string]string) identitycenter.ConfigSpec {
	cs := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: s.Session, StartURL: startURL, Region: s.Region},
		Template: s.ProfileTemplate,
		Project:  s.Product,
		User:     p.UserName,
		Regions:  []string{s.Region},
	}
	for _, e := range s.envsOf(p) {
		if id, ok := ids[e.Name]; ok {
			cs.Profiles = append(cs.Profiles, identitycenter.ProfileSpec{
				AccountID: id, AccountName: e.Account.Name, Env: e.Name, PermissionSets: []string{s.PermissionSet.Name},
			})
		}
	}
	return cs
}

// Validate checks the whole program before its first call: what only the
// example knows (every person's environments exist, names are unique),
// then every library spec autochart derives, built as Converge builds
// them with stand-in account IDs and start URL, and validated by its
// package (the access role by the account specs, which are made with it).
// Every fault is returned, each prefixed with the step it belongs to; nil
// means no step will refuse its input.
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
	envs := map[string]bool{}
	for i, e := range s.Envs {
		if envs[e.Name] {
			errs = append(errs, fmt.Errorf("spec.Envs[%d].Name %q: listed twice", i, e.Name))
		}
		envs[e.Name] = true
	}
	users := map[string]bool{}
	for i, p := range s.People {
		if users[p.UserName] {
			errs = append(errs, fmt.Errorf("spec.People[%d].UserName %q: listed twice", i, p.UserName))
		}
		users[p.UserName] = true
		for _, e := range p.Envs {
			if !envs[e] {
				errs = append(errs, fmt.Errorf("spec.People[%d].Envs: %q is not an environment of spec.Envs", i, e))
			}
		}
	}
	ids := map[string]string{}
	for i, e := range s.Envs {
		ids[e.Name] = fmt.Sprintf("2%011d", i+1)
	}
	step("organization", s.organizationSpec().Validate())
	step("OU and accounts", s.treeSpec().Validate(), examplekit.Fields{"spec.Accounts[i].Name": "environments[i].account",
		"spec.Accounts[i].Email": "email", "spec.Accounts[i].RoleName": "accessRole", "spec.OUs": "ou"})
	for i, e := range s.Envs {
		step("environment "+e.Name+": account alias", s.aliasSpec(e).Validate(), examplekit.Fields{"spec.Alias": fmt.Sprintf("environments[%d].alias", i)})
	}
	step("Identity Center", s.accessSpec(ids).Validate(), examplekit.Fields{
		"spec.Users[i].UserName": "people[i].userName", "spec.Users[i].GivenName": "people[i].givenName",
		"spec.Users[i].FamilyName": "people[i].familyName", "spec.Users[i].Email": "people[i].email",
		"spec.PermissionSets[i].Name": "permissionSet.name", "spec.PermissionSets[i].Description": "permissionSet.description",
		"spec.PermissionSets[i].SessionDuration": "permissionSet.sessionHours",
		"spec.PermissionSets[i].ManagedPolicies": "permissionSet.managedPolicies",
	})
	startURL := s.StartURL
	if startURL == "" {
		startURL = "https://d-0000000000.awsapps.com/start"
	}
	for _, p := range s.People {
		step("AWS CLI profiles of "+p.UserName, s.configSpec(p, startURL, ids).Validate(), examplekit.Fields{
			"spec.Session.Name": "session", "spec.Template": "profileTemplate", "spec.Session.StartURL": "startURL", "spec.Session.Region": "region"})
	}
	if err := s.src.Check(inFile.Faults()); err != nil {
		errs = append([]error{err}, errs...)
	}
	return errors.Join(errs...)
}
