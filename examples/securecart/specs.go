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

// The library specs SecureCart derives from its Spec. Converge builds each
// from these functions, and Validate builds every one of them up front, so
// that invalid input is refused before the program's first call, not after
// the calls that come before the step it breaks.

// organizationSpec is the organization, with SCPs enabled.
func (s Spec) organizationSpec() organizations.OrganizationSpec {
	// SCPs are enabled on the root by scp.EnsureAttachments, the first
	// step that needs them, which plans that in a dry run as it makes it.
	return organizations.OrganizationSpec{}
}

// treeSpec is the OUs (in the order the accounts name them) and the
// accounts, each made with the access role.
func (s Spec) treeSpec() organizations.TreeSpec {
	tree, _ := s.tree()
	return tree
}

// tree is treeSpec and the keys of the spec file that adopt each OU
// (adopt.ous) and account (accounts[i].adopt): examplekit.Adoption.
func (s Spec) tree() (organizations.TreeSpec, []examplekit.Adoption) {
	tree := organizations.TreeSpec{}
	var adopt []examplekit.Adoption
	for i, a := range s.Accounts {
		if !slices.ContainsFunc(tree.OUs, func(o organizations.OUSpec) bool { return o.Path == a.OU }) {
			adopt = append(adopt, examplekit.AdoptListed(fmt.Sprintf("spec.OUs[%d]", len(tree.OUs)), "adopt.ous", fmt.Sprintf("accounts[%d].ou", i), a.OU))
			tree.OUs = append(tree.OUs, organizations.OUSpec{Path: a.OU, Tags: map[string]string{"Project": s.Project}, Adopt: slices.Contains(s.AdoptOUs, a.OU)})
		}
		adopt = append(adopt, examplekit.AdoptEntry(fmt.Sprintf("spec.Accounts[%d]", i), fmt.Sprintf("accounts[%d]", i), a.Name))
		tree.Accounts = append(tree.Accounts, organizations.AccountSpec{
			Name: a.Name, Email: s.email(a.Key), OU: a.OU, RoleName: s.AccessRole,
			Tags:  map[string]string{"Project": s.Project, "Purpose": a.Purpose},
			Adopt: a.Adopt,
		})
	}
	return tree, adopt
}

// guardrailAdoption, accessAdoptions and roleAdoption are the keys of the
// spec file that adopt the guardrail SCP (adopt.guardrails, the SCP named
// at guardrails), the permission sets (access[i].permissionSet.adopt)
// and the deployment role (deploymentRole.adopt).
func (s Spec) guardrailAdoption() examplekit.Adoption {
	return examplekit.AdoptFlag("spec", "adopt.guardrails", "guardrails", s.Guardrails)
}

func (s Spec) accessAdoptions() []examplekit.Adoption {
	var out []examplekit.Adoption
	for i, a := range s.Access {
		out = append(out, examplekit.AdoptEntry(fmt.Sprintf("spec.PermissionSets[%d]", i), fmt.Sprintf("access[%d].permissionSet", i), a.PermissionSet.Name))
	}
	return out
}

func (s Spec) roleAdoption() examplekit.Adoption {
	return examplekit.AdoptEntry("spec", "deploymentRole", s.DeploymentRole.Name)
}

// guardrailPolicy is the guardrail SCP (Guardrails), which lets the
// networking account networkID create internet gateways.
func (s Spec) guardrailPolicy(networkID string) (scp.PolicySpec, error) {
	doc, err := Guardrails(s, networkID)
	if err != nil {
		return scp.PolicySpec{}, err
	}
	return scp.PolicySpec{
		Name:        s.Guardrails,
		Description: "SecureCart: no root user, " + strings.Join(s.AllowedRegions, " and ") + " only, encrypted S3/EBS/RDS, internet gateways only in the networking account",
		Document:    doc,
		Tags:        map[string]string{"Project": s.Project},
		Adopt:       s.AdoptGuardrails,
	}, nil
}

// attachmentSpec attaches the guardrails to the OU ouID.
func (s Spec) attachmentSpec(ouID string) scp.AttachmentSpec {
	return scp.AttachmentSpec{TargetID: ouID, Policies: []string{s.Guardrails}}
}

// accessSpec is Identity Center: a group and a permission set per Access,
// assigned in each of its accounts, whose IDs ids has (account key -> ID;
// in a dry run an account to be created has its predicted ID).
func (s Spec) accessSpec(ids map[string]string) identitycenter.AccessSpec {
	var access identitycenter.AccessSpec
	for _, a := range s.Access {
		access.Groups = append(access.Groups, identitycenter.GroupSpec{DisplayName: a.Group, Description: a.GroupDescription})
		access.PermissionSets = append(access.PermissionSets, a.PermissionSet)
		as := identitycenter.AssignmentSpec{
			Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal(a.Group)},
			PermissionSets: []string{a.PermissionSet.Name},
		}
		for _, key := range a.Accounts {
			as.Accounts = append(as.Accounts, ids[key])
		}
		if len(as.Accounts) > 0 {
			access.Assignments = append(access.Assignments, as)
		}
	}
	return access
}

// deploymentRoleSpec is the deployment role, trusting the IDs (from ids)
// of TrustedAccounts (predicted, in a dry run, for one to be created).
func (s Spec) deploymentRoleSpec(ids map[string]string) organizations.CrossAccountRoleSpec {
	role := s.DeploymentRole
	role.TrustedAccountIDs = nil
	for _, key := range s.TrustedAccounts {
		role.TrustedAccountIDs = append(role.TrustedAccountIDs, ids[key])
	}
	return role
}

// Validate checks the whole program before its first call: the spec's own
// rules (Check), then every library spec SecureCart derives, built as
// Converge builds them with stand-in account and OU IDs, and validated by
// its package. Every fault is returned, each prefixed with the step it
// belongs to; nil means no step will refuse its input.
func (s Spec) Validate() error {
	if err := s.Check(); err != nil {
		return err
	}
	ids := map[string]string{ManagementKey: "111111111111"}
	for i, a := range s.Accounts {
		ids[a.Key] = fmt.Sprintf("2%011d", i+1)
	}
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
	step("organization", s.organizationSpec().Validate())
	step("OUs and accounts", s.treeSpec().Validate(), examplekit.Fields{"spec.Accounts[i].Name": "accounts[i].name",
		"spec.Accounts[i].OU": "accounts[i].ou", "spec.Accounts[i].RoleName": "accessRole", "spec.Accounts[i].Email": "email"})
	policy, err := s.guardrailPolicy(ids[s.NetworkAccount])
	step("guardrails", err)
	if err == nil {
		step("guardrails", policy.Validate(), examplekit.Fields{"spec.Name": "guardrails"})
	}
	step("guardrails: attachment", s.attachmentSpec("ou-0000-00000000").Validate())
	step("Identity Center", s.accessSpec(ids).Validate(), examplekit.Fields{
		"spec.Groups[i].DisplayName": "access[i].group", "spec.Groups[i].Description": "access[i].groupDescription",
		"spec.PermissionSets[i].Name": "access[i].permissionSet.name", "spec.PermissionSets[i].Description": "access[i].permissionSet.description",
		"spec.PermissionSets[i].SessionDuration": "access[i].permissionSet.sessionHours",
		"spec.PermissionSets[i].ManagedPolicies": "access[i].permissionSet.managedPolicies",
	})
	step("deployment role", s.deploymentRoleSpec(ids).Validate(), examplekit.Fields{"spec.Name": "deploymentRole.name",
		"spec.Description": "deploymentRole.description", "spec.MaxSessionDuration": "deploymentRole.maxSessionHours",
		"spec.Tags": "deploymentRole.tags", "spec.InlinePolicies": "deploymentRole.inlinePolicies"})
	if err := s.src.Check(inFile.Faults()); err != nil {
		errs = append([]error{err}, errs...)
	}
	return errors.Join(errs...)
}
