package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// Spec is seed 001's organization, declared in one Go value in the
// library's types (the seed's is Seed001, a spec file's is its File.Spec):
// the OU tree and its accounts, the SCPs and the OUs they are attached to,
// the accounts to retire, Identity Center access, and the AWS CLI profiles.
// Accounts are named by email everywhere, as organizations finds them.
// Converge derives the library's specs from it (specs.go); Validate checks
// them all.
type Spec struct {
	Project string // "hiperium": tags and the sso-session's name
	Region  string // Identity Center's home region and the profiles' region
	// Tree is the OU tree and the member accounts.
	Tree organizations.TreeSpec
	// Guardrails are SCPs attached to OUs, by OU path.
	Guardrails []Guardrail
	// SuspendedOU is where retired accounts go (it is also in Tree).
	SuspendedOU string
	// Retire are the emails of accounts to close: each is left out of the
	// tree, the assignments and the profiles, tagged, moved to SuspendedOU
	// and closed (organizations.CloseAccount). A closed account cannot come
	// back: once closed, it stays listed here (or leaves Tree).
	Retire []string
	// Access is the Identity Center setup.
	Access Access
	// Profiles are the AWS CLI profiles written to the config file.
	Profiles []Profile
	// StartURL is the AWS access portal URL of the profiles' sso-session;
	// empty means the instance's default, https://<identity store ID>.awsapps.com/start.
	StartURL string
	// AdoptRetire closes the accounts of Retire that this library did not
	// make (organizations.CloseAccountSpec.Adopt); an account of Tree is
	// closed when its AccountSpec.Adopt says so.
	AdoptRetire bool

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// Guardrail is one SCP and the OUs it is attached to.
type Guardrail struct {
	Policy scp.PolicySpec
	OUs    []string
}

// Access is identitycenter.AccessSpec with the assignments' accounts named
// by email: their IDs are known once the tree is converged.
type Access struct {
	Users          []identitycenter.UserSpec
	Groups         []identitycenter.GroupSpec
	PermissionSets []identitycenter.PermissionSetSpec
	Assignments    []Assignment
}

// Assignment grants every principal every permission set in every account.
type Assignment struct {
	Principals     []identitycenter.Principal
	PermissionSets []string
	Accounts       []string // emails of accounts of Spec.Tree
}

// Profile is one AWS CLI profile: a permission set in an account.
type Profile struct {
	Name          string // "sandbox"
	Account       string // the account's email
	PermissionSet string
}

// Seed001's names.
const (
	ProvisionersGroup = "Provisioners"
	ProvisionersSet   = "provisioners-permission-set"
	DenyListPolicy    = "hiperium-access-policy"
	DenyAllPolicy     = "hiperium-suspended-deny-all"
)

// denyList is seed 001's "hiperium-scp-policy.json" (section 2): an Allow
// of everything, then denials of leaving the organization, of CloudWatch
// alarm and dashboard changes, of disabling Config, of any GuardDuty
// change, of RAM sharing outside the organization and with whole
// organizations or OUs, of deleting flow logs and log streams, and of VPC
// peering and Global Accelerator. It is the composition of
// scp/seeds_test.go's seed001DenyList.
func denyList() []scp.Guardrail {
	return []scp.Guardrail{
		scp.AllowAll(scp.AllowAllOptions{Sid: "AllowsAllActions"}),
		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectCloudWatch", Actions: []string{
			"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:DisableAlarmActions",
			"cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState",
		}}),
		scp.ProtectSecurityServices(scp.SecurityServicesOptions{Services: []scp.SecurityService{scp.Config}}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectGuardDutyConfiguration", Actions: []string{
			"guardduty:AcceptInvitation", "guardduty:ArchiveFindings", "guardduty:CreateDetector", "guardduty:CreateFilter",
			"guardduty:CreateIPSet", "guardduty:CreateMembers", "guardduty:CreatePublishingDestination",
			"guardduty:CreateSampleFindings", "guardduty:CreateThreatIntelSet", "guardduty:DeclineInvitations",
			"guardduty:DeleteDetector", "guardduty:DeleteFilter", "guardduty:DeleteInvitations", "guardduty:DeleteIPSet",
			"guardduty:DeleteMembers", "guardduty:DeletePublishingDestination", "guardduty:DeleteThreatIntelSet",
			"guardduty:DisassociateFromMasterAccount", "guardduty:DisassociateMembers", "guardduty:InviteMembers",
			"guardduty:StartMonitoringMembers", "guardduty:StopMonitoringMembers", "guardduty:TagResource",
			"guardduty:UnarchiveFindings", "guardduty:UntagResource", "guardduty:UpdateDetector", "guardduty:UpdateFilter",
			"guardduty:UpdateFindingsFeedback", "guardduty:UpdateIPSet", "guardduty:UpdatePublishingDestination",
			"guardduty:UpdateThreatIntelSet",
		}}),
		scp.DenyExternalResourceSharing(scp.ExternalSharingOptions{}),
		scp.Custom(foundation.Statement{
			Sid:      "DenySharingWithOrganizationsAndOUs",
			Effect:   foundation.EffectDeny,
			Action:   foundation.Actions("ram:CreateResourceShare", "ram:AssociateResourceShare"),
			Resource: foundation.Resources("*"),
			Condition: foundation.Conditions{"ForAnyValue:StringLike": {"ram:Principal": {
				"arn:aws:organizations::*:organization/*", "arn:aws:organizations::*:ou/*"}}},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectFlowLogs", Actions: []string{"ec2:DeleteFlowLogs", "logs:DeleteLogStream"}}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "DenyPeeringAndGlobalAccelerator", Actions: []string{
			"ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection", "globalaccelerator:Create*", "globalaccelerator:Update*",
		}}),
	}
}

// provisionersPolicy is the inline policy of seed 001 section 3.1. The seed
// shows it only as a screenshot ("the IAM permissions to provision the
// Tasks Service"); this is what those steps need (the one
// identitycenter's seed-001 tests use): the Copilot (CloudFormation, ECS,
// ECR, ELB, Aurora) and Amplify deployment of the Tasks Service.
func provisionersPolicy() *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "ProvisionTasksService", Effect: foundation.EffectAllow, Resource: foundation.Resources("*"),
			Action: foundation.Actions(
				"cloudformation:*", "ecs:*", "ecr:*", "elasticloadbalancing:*", "rds:*", "secretsmanager:*", "ssm:*",
				"apigateway:*", "amplify:*", "cognito-idp:*", "logs:*", "s3:*", "ec2:Describe*", "servicediscovery:*",
			)},
		foundation.Statement{Sid: "PassRolesToServices", Effect: foundation.EffectAllow, Action: foundation.Actions("iam:PassRole", "iam:GetRole"),
			Resource:  foundation.Resources("arn:aws:iam::*:role/*"),
			Condition: foundation.Conditions{"StringEquals": {"iam:PassedToService": {"ecs-tasks.amazonaws.com", "cloudformation.amazonaws.com"}}}},
	)
}

// retired reports whether the account with email is to be closed.
func (s Spec) retired(email string) bool {
	return slices.ContainsFunc(s.Retire, func(r string) bool { return strings.EqualFold(r, email) })
}

// activeTree is the tree without the retired accounts.
func (s Spec) activeTree() organizations.TreeSpec {
	t, _ := s.activeTreeAdoptions()
	return t
}

// activeTreeAdoptions is activeTree and the keys of the spec file that
// adopt its OUs (adopt.ous) and accounts (accounts[i].adopt):
// examplekit.Adoption.
func (s Spec) activeTreeAdoptions() (organizations.TreeSpec, []examplekit.Adoption) {
	t := s.Tree
	t.Accounts = nil
	var adopt []examplekit.Adoption
	for i, o := range s.Tree.OUs {
		adopt = append(adopt, examplekit.AdoptListed(fmt.Sprintf("spec.OUs[%d]", i), "adopt.ous", fmt.Sprintf("ous[%d]", i), o.Path))
	}
	for i, a := range s.Tree.Accounts {
		if !s.retired(a.Email) {
			adopt = append(adopt, examplekit.AdoptEntry(fmt.Sprintf("spec.Accounts[%d]", len(t.Accounts)), fmt.Sprintf("accounts[%d]", i), a.Name))
			t.Accounts = append(t.Accounts, a)
		}
	}
	return t, adopt
}

// retireAdoption is the key of the spec file that adopts the account of
// Retire[i], email: its entry in accounts, or else adopt.retire (the
// account named at retire[i], or by -close).
func (s Spec) retireAdoption(i int, email string) examplekit.Adoption {
	if j := slices.IndexFunc(s.Tree.Accounts, func(a organizations.AccountSpec) bool { return strings.EqualFold(a.Email, email) }); j >= 0 {
		return examplekit.AdoptEntry("spec", fmt.Sprintf("accounts[%d]", j), s.Tree.Accounts[j].Name)
	}
	at := fmt.Sprintf("retire[%d]", i)
	if !s.src.Keys.Has(at) { // -close
		at = "retire"
	}
	return examplekit.AdoptFlag("spec", "adopt.retire", at, email)
}

// Result is what one Converge did (or, in dry run, would do).
type Result struct {
	Organization *organizations.Organization
	Tree         *organizations.TreeResult
	Policies     []*scp.Policy
	Attachments  []*scp.Attachments
	Closed       []*organizations.Account
	// Access is what identitycenter.EnsureAccess did; in a dry run before
	// the instance exists, what it would create (Instance is empty).
	Access *identitycenter.Access
	// Profiles are the changes to the AWS CLI config file at ConfigFile.
	Profiles   foundation.Changes
	ConfigFile string
	// ProfileAccounts maps each profile written to its account ID.
	ProfileAccounts map[string]string
	// Notes are things worth saying that are not changes.
	Notes []string
	// managementID is the management account's ID (in a dry run before
	// the organization exists, the caller's).
	managementID string
	// failing are the changes the call that failed made before it failed.
	failing foundation.Changes
}

// AccountChanges lists every change with its account: all are made from
// the management account, but the profiles, which are in no account
// (examplekit.Lister, -json).
func (r *Result) AccountChanges() []examplekit.AccountChange {
	out := examplekit.In(r.managementID, append(r.orgChanges(), r.accessChanges()...))
	return append(out, examplekit.Local(r.managementID, append(slices.Clone(r.Profiles), r.failing...))...)
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int { return len(r.orgChanges()) + len(r.accessChanges()) + len(r.Profiles) }

func (r *Result) orgChanges() foundation.Changes {
	var cs foundation.Changes
	if r.Organization != nil {
		cs = append(cs, r.Organization.Changes...)
	}
	if r.Tree != nil {
		cs = append(cs, r.Tree.Changes...)
	}
	for _, p := range r.Policies {
		cs = append(cs, p.Changes...)
	}
	for _, a := range r.Attachments {
		cs = append(cs, a.Changes...)
	}
	for _, a := range r.Closed {
		cs = append(cs, a.Changes...)
	}
	return examplekit.Distinct(cs)
}

func (r *Result) accessChanges() foundation.Changes {
	if r.Access == nil {
		return nil
	}
	return r.Access.Changes
}

// Print writes the changes grouped by where they are made.
func (r *Result) Print(out io.Writer, dryRun bool) {
	examplekit.Headline(out, r.Count(), dryRun)
	mgmt := "management account"
	if id := r.Organization.ManagementAccountID; examplekit.Known(id) {
		mgmt += " " + id
	}
	examplekit.Section(out, "organization, OUs, accounts and SCPs ("+mgmt+")", r.orgChanges())
	inst := ""
	if r.Access != nil && examplekit.Known(r.Access.Instance.ARN) {
		inst = " (" + r.Access.Instance.ARN + ")"
	}
	examplekit.Section(out, "IAM Identity Center"+inst, r.accessChanges())
	examplekit.Section(out, "AWS CLI profiles in "+r.ConfigFile, r.Profiles)
	for _, n := range r.Notes {
		fmt.Fprintf(out, "\nNote: %s\n", n)
	}
}

// Converge converges seed 001 from the management account's configuration
// base: the organization, its tree, the SCPs, the retired accounts' closure,
// Identity Center access, then the profiles in the AWS CLI config file at
// configFile (never ~/.aws/config unless asked).
//
// A failed Converge returns an error carrying every change made before the
// failure, in every step (a *foundation.IncompleteError), so the program
// prints what exists now, and the Result of the steps done (AccountChanges
// lists the same changes with their accounts); a rerun finishes the work.
func Converge(ctx context.Context, base aws.Config, spec Spec, configFile string, opts ...foundation.Option) (out *Result, err error) {
	org := orgsdk.NewFromConfig(base)
	res := &Result{ConfigFile: configFile, ProfileAccounts: map[string]string{}}
	defer func() {
		if err != nil {
			res.failing = examplekit.Made(err)
			out, err = res, examplekit.Incomplete(err, res.AccountChanges())
		}
	}()

	// Section 1: the organization, its OUs and accounts.
	res.Organization, err = organizations.EnsureOrganization(ctx, org, spec.organizationSpec(), opts...)
	if err != nil {
		return nil, err
	}
	tree, adopt := spec.activeTreeAdoptions()
	if res.Tree, err = organizations.EnsureTree(ctx, org, tree, opts...); err != nil {
		var closed *organizations.AccountClosedError
		if errors.As(err, &closed) {
			return nil, fmt.Errorf("%w (it was retired: keep it in Spec.Retire, or run with -close %s)", err, closed.Email)
		}
		return nil, spec.src.Adopting(err, adopt...)
	}

	if res.managementID, err = examplekit.CallerAccount(ctx, base, res.Organization.ManagementAccountID); err != nil {
		return nil, err
	}

	// Section 2: the deny-list SCP on the OUs, deny-all on Suspended.
	for i, g := range spec.Guardrails {
		p, err := scp.EnsurePolicy(ctx, org, g.Policy, opts...)
		if err != nil {
			return nil, spec.src.Adopting(err, examplekit.AdoptEntry("spec", fmt.Sprintf("guardrails[%d]", i), g.Policy.Name))
		}
		res.Policies = append(res.Policies, p)
		for _, path := range g.OUs {
			ou := res.Tree.OU(path) // in a dry run before it exists, its ID is predicted
			if ou == nil {
				return nil, fmt.Errorf("guardrail %s: OU %q is not in the tree", g.Policy.Name, path)
			}
			a, err := scp.EnsureAttachments(ctx, org, g.attachmentSpec(ou.ID), opts...)
			if err != nil {
				return nil, fmt.Errorf("guardrail %s on %s: %w", g.Policy.Name, path, err)
			}
			res.Attachments = append(res.Attachments, a)
		}
	}

	// Retired accounts: tagged, moved to Suspended, closed.
	if err := closeRetired(ctx, org, spec, res, opts); err != nil {
		return nil, err
	}

	// Section 3: Identity Center, then section 3.3's profiles.
	ids := map[string]string{} // email -> account ID of the active accounts
	for _, a := range res.Tree.Accounts {
		ids[strings.ToLower(a.Email)] = a.ID
	}
	inst, err := access(ctx, base, spec, ids, res, opts)
	if err != nil {
		return nil, err
	}
	if err := profiles(spec, inst, ids, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// closeRetired closes the accounts of spec.Retire with
// organizations.CloseAccount.
func closeRetired(ctx context.Context, org *orgsdk.Client, spec Spec, res *Result, opts []foundation.Option) error {
	for i, email := range spec.Retire {
		if !examplekit.Known(res.Organization.ID) { // dry run: no organization, no account to close
			res.Notes = append(res.Notes, fmt.Sprintf("%s: not in an organization, nothing to close", email))
			continue
		}
		a, err := organizations.CloseAccount(ctx, org, spec.closeSpec(email), opts...)
		if errors.Is(err, organizations.ErrAccountNotFound) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: no such account in the organization, nothing to close", email))
			continue
		}
		if err != nil {
			return spec.src.Adopting(err, spec.retireAdoption(i, email))
		}
		res.Closed = append(res.Closed, a)
	}
	return nil
}

func displayOU(path string) string {
	if path == "" {
		return "Root"
	}
	return path
}

// access converges Identity Center (identitycenter.EnsureAccess) with the
// accounts' IDs and returns the instance (nil in a dry run before it
// exists). In a dry run before the organization (and so the instance)
// exists, EnsureAccess plans what the first run will create, with the
// predicted IDs of the accounts to be created.
func access(ctx context.Context, base aws.Config, spec Spec, ids map[string]string, res *Result, opts []foundation.Option) (*identitycenter.Instance, error) {
	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(base), IdentityStore: identitystore.NewFromConfig(base)}
	acc, err := identitycenter.EnsureAccess(ctx, api, spec.accessSpec(ids), opts...)
	if err != nil {
		var adopt []examplekit.Adoption
		for i, p := range spec.Access.PermissionSets {
			adopt = append(adopt, examplekit.AdoptEntry(fmt.Sprintf("spec.PermissionSets[%d]", i), fmt.Sprintf("permissionSets[%d]", i), p.Name))
		}
		return nil, spec.src.Adopting(err, adopt...)
	}
	res.Access = acc
	if !examplekit.Known(acc.Instance.ARN) { // dry run: the instance comes with the organization
		res.Notes = append(res.Notes, "IAM Identity Center is not enabled yet: enable it in the console once the organization exists (the embedded emulator does it with the organization)")
		return nil, nil
	}
	return &acc.Instance, nil
}

func accountName(spec Spec, email string) string {
	for _, a := range spec.Tree.Accounts {
		if strings.EqualFold(a.Email, email) {
			return a.Name
		}
	}
	return email
}

// profiles writes the seed's profiles (section 3.3: "sandbox", section 4:
// "idp-pre") with identitycenter.WriteConfigFile; generated profiles of the
// sso-session that the spec no longer produces (a retired account's) are
// removed.
func profiles(spec Spec, inst *identitycenter.Instance, ids map[string]string, res *Result, opts []foundation.Option) error {
	if len(spec.Profiles) == 0 {
		// None declared (profiles is optional): no config file. Found
		// from outside: a spec without profiles was refused.
		return nil
	}
	startURL := spec.StartURL
	if inst != nil && startURL == "" {
		startURL = inst.DefaultStartURL()
	}
	// A dry run plans the file with stand-ins for what does not exist yet
	// (the accounts' IDs, the instance's portal URL): examplekit.StandIns.
	var in examplekit.StandIns
	known := map[string]string{}
	for email, id := range ids {
		known[email] = in.Account(id)
	}
	for _, p := range spec.Profiles {
		if id := ids[strings.ToLower(p.Account)]; id != "" && !spec.retired(p.Account) {
			res.ProfileAccounts[p.Name] = id
		}
	}
	// Without a profile left (every account retired), pruning removes the
	// generated ones and the sso-session.
	cs, err := identitycenter.WriteConfigFile(res.ConfigFile, spec.configSpec(in.StartURL(startURL), known), true, opts...)
	if err != nil {
		return err
	}
	res.Profiles = in.Restore(cs)
	return nil
}
