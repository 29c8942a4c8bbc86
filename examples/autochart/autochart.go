package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
)

// Spec is seed 003's setup as one Go value, in the library's types: the
// seed's is Seed003, a spec file's is its File.Spec. Converge derives the
// library's specs from it (specs.go); Validate checks them all.
type Spec struct {
	// Product names the OU, prefixes the accounts, aliases and profiles.
	Product string
	// Region is the IAM Identity Center instance's home region and the
	// profiles' region.
	Region string
	// OU is the product's OU path.
	OU string
	// Envs are the product's environments, one account each.
	Envs []Env
	// People get admin access (the seed's IAM user in the sysadmins group)
	// as Identity Center users.
	People []Person
	// PermissionSet is what each person gets in each of their accounts.
	PermissionSet identitycenter.PermissionSetSpec
	// Session names the [sso-session] the profiles share.
	Session string
	// StartURL is the AWS access portal URL; "" derives it from the
	// identity store ID (https://d-xxxxxxxxxx.awsapps.com/start).
	StartURL string
	// ProfileTemplate names the CLI profiles (identitycenter.ConfigSpec).
	ProfileTemplate string
	// AccessRole is the role the management account assumes in a member
	// account to set its alias.
	AccessRole string
	// AdoptOU converges the OU although it was made outside this program
	// (an account adopts with its AccountSpec.Adopt, the permission set
	// with its Adopt).
	AdoptOU bool

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// Env is one environment: its account and that account's alias.
type Env struct {
	Name    string // "dev": the profile name's <env>
	Account organizations.AccountSpec
	// Alias is the account's console sign-in alias
	// (https://<alias>.signin.aws.amazon.com/console).
	Alias string
}

// Person is one person with admin access.
type Person struct {
	identitycenter.UserSpec
	// Envs are the environments the person gets access to; empty means all
	// (the seed: "you may want to restrict access to the production account
	// for some team members").
	Envs []string
}

// envsOf returns the environments person p has access to.
func (s Spec) envsOf(p Person) []Env {
	var out []Env
	for _, e := range s.Envs {
		if len(p.Envs) == 0 || slices.Contains(p.Envs, e.Name) {
			out = append(out, e)
		}
	}
	return out
}

// maxParallelAccounts bounds how many accounts are worked in at once.
const maxParallelAccounts = 4

// Result is what one Converge did (or, in dry run, would do).
type Result struct {
	Organization *organizations.Organization
	Tree         *organizations.TreeResult
	Aliases      []Alias
	// Instance is the Identity Center instance; nil in a dry run before the
	// organization (and so the instance) exists.
	Instance *identitycenter.Instance
	Access   *identitycenter.Access
	// StartURL is the AWS access portal URL people sign in at.
	StartURL string
	Profiles []ProfileFile
	// Notes are things to tell the reader (a console step to do).
	Notes []string
	// managementID is the management account's ID (in a dry run before
	// the organization exists, the caller's).
	managementID string
	// aliasRun is the alias step's fan-out, failed accounts included, and
	// aliasFailed whether it failed.
	aliasRun    *organizations.Summary
	aliasFailed bool
	// failing are the changes the call that failed made before it failed,
	// when it was made from the management account.
	failing foundation.Changes
}

// AccountChanges lists every change with its account, in the order made:
// the organization's, each alias in its account, Identity Center's in the
// management account, then the profiles, in no account
// (examplekit.Lister, -json).
func (r *Result) AccountChanges() []examplekit.AccountChange {
	var cs foundation.Changes
	if r.Organization != nil {
		cs = append(cs, r.Organization.Changes...)
	}
	if r.Tree != nil {
		cs = append(cs, r.Tree.Changes...)
	}
	out := examplekit.In(r.managementID, cs)
	if r.aliasRun != nil {
		out = append(out, examplekit.FanOut(r.aliasRun)...)
	} else {
		for _, a := range r.Aliases {
			out = append(out, examplekit.In(a.Account.ID, a.Changes)...)
		}
	}
	if r.Access != nil {
		out = append(out, examplekit.In(r.managementID, r.Access.Changes)...)
	}
	for _, p := range r.Profiles {
		out = append(out, examplekit.In("", p.Changes)...)
	}
	return append(out, examplekit.Local(r.managementID, r.failing)...)
}

// Alias is the console sign-in alias of one environment's account.
type Alias struct {
	Env     string
	Account *organizations.Account
	*organizations.AccountAlias
}

// ProfileFile is the AWS CLI config file generated for one person.
type ProfileFile struct {
	User    string
	Path    string
	Names   []string // the profiles, in the order of their environments
	Changes foundation.Changes
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int { return len(r.changes()) }

func (r *Result) changes() foundation.Changes {
	cs := slices.Clone(r.Organization.Changes)
	cs = append(cs, r.Tree.Changes...)
	for _, a := range r.Aliases {
		cs = append(cs, a.Changes...)
	}
	if r.Access != nil {
		cs = append(cs, r.Access.Changes...)
	}
	for _, p := range r.Profiles {
		cs = append(cs, p.Changes...)
	}
	return cs
}

// Converge converges seed 003 from the management account's configuration
// base: the organization, the product OU and its accounts, each account's
// alias (in the account, through its access role), then Identity Center
// access (users, the permission set, the assignments) and each person's
// CLI profiles, written under outDir.
//
// A failed Converge returns an error carrying every change made before the
// failure, in every step (a *foundation.IncompleteError), so the program
// prints what exists now, and the Result of the steps done (AccountChanges
// lists the same changes with their accounts); a rerun finishes the work.
func Converge(ctx context.Context, base aws.Config, spec Spec, outDir string, opts ...foundation.Option) (out *Result, err error) {
	org := orgsdk.NewFromConfig(base)
	res := &Result{}
	defer func() {
		if err != nil {
			if !res.aliasFailed { // a failed account's changes are in aliasRun
				res.failing = examplekit.Made(err)
			}
			out, err = res, examplekit.Incomplete(err, res.AccountChanges())
		}
	}()
	// Identity Center needs an organization with all features; the seed
	// uses no policy types yet.
	if res.Organization, err = organizations.EnsureOrganization(ctx, org, spec.organizationSpec(), opts...); err != nil {
		return nil, err
	}
	if res.Tree, err = organizations.EnsureTree(ctx, org, spec.treeSpec(), opts...); err != nil {
		return nil, spec.src.Adopting(err, spec.treeAdoptions()...)
	}
	if res.managementID, err = examplekit.CallerAccount(ctx, base, res.Organization.ManagementAccountID); err != nil {
		return nil, err
	}
	accounts := map[string]*organizations.Account{} // env name -> account
	for _, e := range spec.Envs {
		accounts[e.Name] = res.Tree.Account(e.Account.Email)
	}
	if res.Aliases, err = aliases(ctx, base, spec, accounts, res, opts); err != nil {
		return nil, err
	}
	if err := access(ctx, base, spec, accounts, res, opts); err != nil {
		return nil, err
	}
	if err := profiles(spec, accounts, outDir, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// aliases sets each account's alias, acting in the account through its
// access role (organizations.ForEachAccount).
func aliases(ctx context.Context, base aws.Config, spec Spec, accounts map[string]*organizations.Account, res *Result, opts []foundation.Option) ([]Alias, error) {
	var targets []organizations.Target
	aliasOf := map[string]Env{} // account ID -> env
	for _, e := range spec.Envs {
		// In a dry run an account to be created has a predicted ID, and
		// ForEachAccount plans its alias as a new account answers.
		a := accounts[e.Name]
		aliasOf[a.ID] = e
		targets = append(targets, organizations.Target{ID: a.ID, Name: a.Name})
	}
	var mu sync.Mutex
	made := map[string]*organizations.AccountAlias{}
	sum, err := organizations.ForEachAccount(ctx, base, organizations.FanOutSpec{
		Accounts:      targets,
		RoleName:      spec.AccessRole,
		ConfigOptions: []organizations.AccountConfigOption{organizations.WithSessionName("foundation-autochart")},
	}, func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
		a, err := organizations.EnsureAccountAlias(ctx, iam.NewFromConfig(cfg), spec.aliasSpec(aliasOf[t.ID]), opts...)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		made[t.ID] = a
		mu.Unlock()
		return a.Changes, nil
	}, append([]foundation.Option{foundation.WithConcurrency(maxParallelAccounts)}, opts...)...) // the caller's options win
	res.aliasRun, res.aliasFailed = sum, err != nil
	if err != nil {
		return nil, err
	}
	var out []Alias
	for _, r := range sum.Results { // in the spec's order
		e := aliasOf[r.Target.ID]
		out = append(out, Alias{Env: e.Name, Account: accounts[e.Name], AccountAlias: made[r.Target.ID]})
	}
	return out, nil
}

// accountIDs maps each environment to its account's ID (in a dry run,
// predicted for an account to be created).
func accountIDs(spec Spec, accounts map[string]*organizations.Account) map[string]string {
	ids := map[string]string{}
	for _, e := range spec.Envs {
		if a := accounts[e.Name]; a != nil {
			ids[e.Name] = a.ID
		}
	}
	return ids
}

// access converges the Identity Center users, the permission set and each
// person's assignments in their accounts, in one EnsureAccess. Prune
// removes the permission set's assignments in these accounts that the spec
// no longer asks for: taking a person out of the spec (or an environment
// out of a person's Envs) is their offboarding. In a dry run before the
// instance exists, EnsureAccess plans what the first run will create.
func access(ctx context.Context, base aws.Config, spec Spec, accounts map[string]*organizations.Account, res *Result, opts []foundation.Option) error {
	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(base), IdentityStore: identitystore.NewFromConfig(base)}
	acc, err := identitycenter.EnsureAccess(ctx, api, spec.accessSpec(accountIDs(spec, accounts)), opts...)
	if errors.Is(err, identitycenter.ErrNotEnabled) {
		return fmt.Errorf("%w: enable IAM Identity Center in the console of the management account, in %s, then run again", err, spec.Region)
	}
	if err != nil {
		return spec.src.Adopting(err, examplekit.AdoptEntry("spec.PermissionSets[0]", "permissionSet", spec.PermissionSet.Name))
	}
	res.Access = acc
	if !examplekit.Known(acc.Instance.ARN) {
		// Dry run without an instance: on the emulator, because the
		// organization does not exist yet; on AWS, because nobody enabled
		// it in the console.
		if examplekit.Known(res.Organization.ID) {
			res.Notes = append(res.Notes, "IAM Identity Center is not enabled: enable it in the console of the management account, in "+spec.Region+", before a real run")
		}
		return nil
	}
	res.Instance = &acc.Instance
	return nil
}

// profiles writes each person's AWS CLI config file: an [sso-session] and
// one profile per environment, named by the spec's template
// (autochart_dev_paul). Generated profiles of the session that the spec no
// longer produces are removed from the file.
func profiles(spec Spec, accounts map[string]*organizations.Account, outDir string, res *Result, opts []foundation.Option) error {
	startURL := spec.StartURL
	if startURL == "" && res.Instance != nil {
		startURL = res.Instance.DefaultStartURL()
	}
	res.StartURL = startURL
	// A dry run plans the files with stand-ins for what does not exist yet
	// (the accounts' IDs, the instance's portal URL): examplekit.StandIns.
	var in examplekit.StandIns
	ids := map[string]string{}
	for env, id := range accountIDs(spec, accounts) {
		ids[env] = in.Account(id)
	}
	for _, p := range spec.People {
		cs := spec.configSpec(p, in.StartURL(startURL), ids)
		var names []string
		for _, e := range spec.envsOf(p) {
			names = append(names, profileName(spec, p, e))
		}
		path := filepath.Join(outDir, p.UserName, "config")
		changes, err := identitycenter.WriteConfigFile(path, cs, true, opts...)
		if err != nil {
			return err
		}
		res.Profiles = append(res.Profiles, ProfileFile{User: p.UserName, Path: path, Names: names, Changes: in.Restore(changes)})
	}
	return nil
}

// profileName is the name the template gives a person's profile in an
// environment, for reports on profiles whose account does not exist yet
// (identitycenter checks the names of the profiles it writes).
func profileName(spec Spec, p Person, e Env) string {
	t, err := template.New("profile").Option("missingkey=error").Funcs(template.FuncMap{
		"lower": strings.ToLower, "upper": strings.ToUpper, "replace": strings.ReplaceAll,
	}).Parse(spec.ProfileTemplate)
	if err != nil {
		return spec.ProfileTemplate
	}
	var b strings.Builder
	fields := identitycenter.ProfileFields{Project: spec.Product, User: p.UserName, AccountName: e.Account.Name, Env: e.Name,
		PermissionSet: spec.PermissionSet.Name, Region: spec.Region, RegionShort: identitycenter.RegionShort(spec.Region)}
	if err := t.Execute(&b, fields); err != nil {
		return spec.ProfileTemplate
	}
	return strings.TrimSpace(b.String())
}

// Print writes the changes grouped by where they are made, then how to
// sign in.
func (r *Result) Print(out io.Writer, dryRun bool) {
	verb := "Changed"
	if dryRun {
		verb = "Would change"
	}
	fmt.Fprintf(out, "\n%s %d resources.\n", verb, r.Count())
	mgmt := "management account"
	if id := r.Organization.ManagementAccountID; examplekit.Known(id) {
		mgmt += " (" + id + ")"
	}
	org := append(slices.Clone(r.Organization.Changes), r.Tree.Changes...)
	examplekit.Section(out, "organization, "+mgmt, org)
	for _, a := range r.Aliases {
		examplekit.Section(out, fmt.Sprintf("%s: %s (%s), alias %s", a.Env, a.Account.Name, examplekit.AccountID(a.Account.ID), a.Alias), a.Changes)
	}
	switch {
	case r.Access != nil && !examplekit.Known(r.Access.Instance.ARN):
		examplekit.Section(out, "IAM Identity Center (once enabled)", r.Access.Changes)
	case r.Access != nil:
		examplekit.Section(out, "IAM Identity Center "+r.Access.Instance.ARN+" (identity store "+r.Access.Instance.IdentityStoreID+")", r.Access.Changes)
	}
	for _, p := range r.Profiles {
		examplekit.Section(out, "AWS CLI profiles of "+p.User+" ("+p.Path+")", p.Changes)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(out, "\nNote: %s\n", n)
	}
	if dryRun || len(r.Aliases) == 0 {
		return
	}
	fmt.Fprintln(out, "\nConsole sign-in:")
	if r.StartURL != "" {
		fmt.Fprintf(out, "  people (Identity Center): the AWS access portal, %s\n", r.StartURL)
	}
	for _, a := range r.Aliases {
		fmt.Fprintf(out, "  %s account's IAM sign-in: https://%s.signin.aws.amazon.com/console\n", a.Env, a.Alias)
	}
}
