package main

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// seedFile is seed 001 as a spec file: what runs without -spec, and the
// reference for writing one's own (README.md, "The spec file").
//
//go:embed seed.yaml
var seedFile []byte

// File is the spec file's format: plain data, decoded from YAML or JSON
// into a zero File (ParseSpec). Its Spec method derives the Spec the
// program converges, whose values are the library's types. The SCP
// documents and the inline policies stay program code (Documents,
// Policies): the file names one by its key.
type File struct {
	Project        string              `yaml:"project"`
	Email          string              `yaml:"email"`
	Region         string              `yaml:"region"`
	OUs            []string            `yaml:"ous"`
	Accounts       []FileAccount       `yaml:"accounts"`
	Guardrails     []FileGuardrail     `yaml:"guardrails"`
	SuspendedOU    string              `yaml:"suspendedOU"`
	Retire         []string            `yaml:"retire"`
	Users          []FileUser          `yaml:"users"`
	Groups         []FileGroup         `yaml:"groups"`
	PermissionSets []FilePermissionSet `yaml:"permissionSets"`
	Assignments    []FileAssignment    `yaml:"assignments"`
	Profiles       []FileProfile       `yaml:"profiles"`
	StartURL       string              `yaml:"startURL"`
	// Adopt names what was made outside this program and has no entry to
	// say adopt: true on (accounts, guardrails and permission sets have
	// one).
	Adopt FileAdopt `yaml:"adopt"`

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// FileAccount is one member account: its email is the plus-alias
// <email>+<key>.
type FileAccount struct {
	Key  string `yaml:"key"`
	Name string `yaml:"name"`
	OU   string `yaml:"ou"`
	// Adopt converges the account although it was made outside this
	// program, and closes it when it is retired: never tagged
	// managed-by=foundation, its tags kept.
	Adopt bool `yaml:"adopt"`
}

// FileAdopt is what a spec file adopts that has no entry of its own: OUs
// of ous, and the accounts of retire (and -close) that are not in
// accounts, which retire closes.
type FileAdopt struct {
	OUs    []string `yaml:"ous"`
	Retire bool     `yaml:"retire"`
}

// FileGuardrail is one SCP, its document named by its key in Documents,
// and the OUs it is attached to.
type FileGuardrail struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Document    string   `yaml:"document"`
	OUs         []string `yaml:"ous"`
	// Adopt converges the SCP although it was made outside this program.
	Adopt bool `yaml:"adopt"`
}

// FileUser is one Identity Center user.
type FileUser struct {
	UserName    string `yaml:"userName"`
	GivenName   string `yaml:"givenName"`
	FamilyName  string `yaml:"familyName"`
	DisplayName string `yaml:"displayName"`
	Email       string `yaml:"email"` // default the file's email (or -email)
}

// FileGroup is one Identity Center group.
type FileGroup struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Members     []string `yaml:"members"` // user names
}

// FilePermissionSet is one permission set, its inline policy named by its
// key in Policies.
type FilePermissionSet struct {
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	SessionHours    int      `yaml:"sessionHours"`    // 0: AWS's default, 1 hour
	ManagedPolicies []string `yaml:"managedPolicies"` // AWS managed policies by name
	InlinePolicy    string   `yaml:"inlinePolicy"`
	// Adopt converges the permission set although it was made outside
	// this program: never tagged, its other policies kept.
	Adopt bool `yaml:"adopt"`
}

// FileAssignment grants every user and group every permission set in
// every account (by key).
type FileAssignment struct {
	Users          []string `yaml:"users"`
	Groups         []string `yaml:"groups"`
	PermissionSets []string `yaml:"permissionSets"`
	Accounts       []string `yaml:"accounts"`
}

// FileProfile is one AWS CLI profile.
type FileProfile struct {
	Name          string `yaml:"name"`
	Account       string `yaml:"account"` // an account's key
	PermissionSet string `yaml:"permissionSet"`
}

// Documents are the SCP documents a spec file can name: program code (the
// library's guardrails), built with scp.MustBuild as the constants they are.
var Documents = map[string]func() []scp.Guardrail{
	"deny-list": denyList,
	"deny-all":  func() []scp.Guardrail { return []scp.Guardrail{scp.DenyAll(scp.DenyAllOptions{})} },
}

// Policies are the inline policies a spec file can name.
var Policies = map[string]func() *foundation.PolicyDocument{
	"provisioners": provisionersPolicy,
}

// DefaultSuspendedOU is suspendedOU when a spec file leaves it out.
const DefaultSuspendedOU = "Suspended"

// Seed001File is seed 001's spec file, seed.yaml, parsed.
func Seed001File() File {
	f, err := ParseSpec("seed.yaml", seedFile)
	if err != nil {
		panic("hiperium: the embedded seed.yaml is invalid: " + err.Error()) // a constant of this program, checked by its tests
	}
	return f
}

// Seed001 is seed 001's organization, read from seed.yaml. email, when not
// "", replaces the file's you@example.com: its plus-aliases name the two
// accounts the seed creates (you+sandbox@example.com,
// you+idp-pre@example.com), as AWS needs one address per account, and it
// is the user's email.
func Seed001(email string) Spec {
	f := Seed001File()
	if email != "" {
		f.Email = email
	}
	return f.Spec()
}

// LoadSpec reads a spec file (ParseSpec).
func LoadSpec(path string) (File, error) {
	return examplekit.LoadSpec[File](path)
}

// ParseSpec decodes a spec file (YAML, or JSON, which is YAML) named name
// into a zero File: nothing comes from seed 001. Unknown keys are refused;
// suspendedOU defaults to Suspended and a user's email to the file's,
// identity never. Every fault is reported with its line, column and key
// path (examplekit.DecodeSpec, CheckSpec).
func ParseSpec(name string, data []byte) (File, error) {
	return examplekit.ParseSpec[File](name, data)
}

// ApplyDefaults gives the keys a file left out their defaults: the
// Suspended OU's path (examplekit.SpecFile).
func (f *File) ApplyDefaults(keys examplekit.Keys) {
	if !keys.Has("suspendedOU") {
		f.SuspendedOU = DefaultSuspendedOU
	}
}

// faults are the file's own rules, each naming its key; the library's
// rules are checked after, on the specs the program derives
// (Spec.Validate).
func (f File) Faults() []examplekit.SpecFault {
	var out []examplekit.SpecFault
	bad := func(key, rule string) { out = append(out, examplekit.SpecFault{Key: key, Rule: rule}) }
	required := func(key, v string) bool {
		if strings.TrimSpace(v) == "" {
			bad(key, "required (no default: it says whose organization this is)")
			return false
		}
		return true
	}
	email := func(key, v string) {
		if err := examplekit.CheckEmail("", v); err != nil {
			bad(key, err.Error())
		}
	}
	required("project", f.Project)
	if required("email", f.Email) {
		email("email", f.Email)
	}
	required("region", f.Region)
	if f.Region != "" && !scp.KnownRegion(f.Region) {
		// A typo would otherwise reach AWS after the organization's writes
		// (found from outside: ap-southeast-99 ran with exit 0).
		bad("region", fmt.Sprintf("%q is not a Region AWS has (scp.KnownRegion)", f.Region))
	}
	ous := map[string]bool{}
	for _, p := range f.OUs {
		for p != "" { // an OU's parents are in the tree too
			ous[p] = true
			p = p[:max(strings.LastIndex(p, "/"), 0)]
		}
	}
	ou := func(key, v string) {
		if v != "" && !ous[v] {
			bad(key, fmt.Sprintf("%q is not one of ous (or a parent of one)", v))
		}
	}
	for i, p := range f.Adopt.OUs {
		if !slices.Contains(f.OUs, p) {
			bad(fmt.Sprintf("adopt.ous[%d]", i), fmt.Sprintf("%q is not one of ous (an OU's parents are never written to: they need no adopting)", p))
		}
	}
	if len(f.Accounts) == 0 {
		bad("accounts", "at least one account")
	}
	accounts := map[string]bool{}
	for i, a := range f.Accounts {
		k := fmt.Sprintf("accounts[%d]", i)
		required(k+".key", a.Key)
		required(k+".name", a.Name)
		ou(k+".ou", a.OU)
		if a.Key != "" && accounts[a.Key] {
			bad(k+".key", fmt.Sprintf("%q: duplicate key", a.Key))
		}
		accounts[a.Key] = true
	}
	account := func(key, v string) {
		if required(key, v) && !accounts[v] {
			bad(key, fmt.Sprintf("%q is not the key of one of accounts", v))
		}
	}
	guardrailNames := map[string]int{}
	for i, g := range f.Guardrails {
		k := fmt.Sprintf("guardrails[%d]", i)
		required(k+".name", g.Name)
		// An SCP is found by its name: two guardrails of one name would be
		// one policy whose content flips on every run, attached to both
		// (found from outside: a deny-all reached the other OU).
		if j, dup := guardrailNames[g.Name]; dup && g.Name != "" {
			bad(k+".name", fmt.Sprintf("%q is the name of guardrails[%d] too: each guardrail is its own SCP, found by name", g.Name, j))
		} else {
			guardrailNames[g.Name] = i
		}
		if required(k+".document", g.Document) && Documents[g.Document] == nil {
			bad(k+".document", fmt.Sprintf("%q: must be one of %s (Documents in specfile.go)", g.Document, keysOf(Documents)))
		}
		for j, o := range g.OUs {
			ou(fmt.Sprintf("%s.ous[%d]", k, j), o)
		}
	}
	if len(f.Guardrails) > 0 || len(f.Retire) > 0 {
		ou("suspendedOU", f.SuspendedOU)
	}
	for i, r := range f.Retire {
		email(fmt.Sprintf("retire[%d]", i), r)
	}
	users := map[string]bool{}
	for i, u := range f.Users {
		k := fmt.Sprintf("users[%d]", i)
		required(k+".userName", u.UserName)
		required(k+".givenName", u.GivenName)
		required(k+".familyName", u.FamilyName)
		if u.Email != "" {
			email(k+".email", u.Email)
		}
		users[u.UserName] = true
	}
	groups := map[string]bool{}
	for i, g := range f.Groups {
		k := fmt.Sprintf("groups[%d]", i)
		required(k+".name", g.Name)
		groups[g.Name] = true
		for j, m := range g.Members {
			if !users[m] {
				bad(fmt.Sprintf("%s.members[%d]", k, j), fmt.Sprintf("%q is not the userName of one of users", m))
			}
		}
	}
	sets := map[string]bool{}
	for i, p := range f.PermissionSets {
		k := fmt.Sprintf("permissionSets[%d]", i)
		required(k+".name", p.Name)
		sets[p.Name] = true
		if p.SessionHours < 0 {
			bad(k+".sessionHours", fmt.Sprintf("%d: must be at least 1 (or left out)", p.SessionHours))
		}
		if p.InlinePolicy != "" && Policies[p.InlinePolicy] == nil {
			bad(k+".inlinePolicy", fmt.Sprintf("%q: must be one of %s (Policies in specfile.go)", p.InlinePolicy, keysOf(Policies)))
		}
	}
	set := func(key, v string) {
		if required(key, v) && !sets[v] {
			bad(key, fmt.Sprintf("%q is not the name of one of permissionSets", v))
		}
	}
	for i, a := range f.Assignments {
		k := fmt.Sprintf("assignments[%d]", i)
		if len(a.Users)+len(a.Groups) == 0 {
			bad(k, "at least one of users and groups")
		}
		for j, u := range a.Users {
			if !users[u] {
				bad(fmt.Sprintf("%s.users[%d]", k, j), fmt.Sprintf("%q is not the userName of one of users", u))
			}
		}
		for j, g := range a.Groups {
			if !groups[g] {
				bad(fmt.Sprintf("%s.groups[%d]", k, j), fmt.Sprintf("%q is not the name of one of groups", g))
			}
		}
		if len(a.PermissionSets) == 0 {
			bad(k+".permissionSets", "at least one permission set")
		}
		for j, p := range a.PermissionSets {
			set(fmt.Sprintf("%s.permissionSets[%d]", k, j), p)
		}
		if len(a.Accounts) == 0 {
			bad(k+".accounts", "at least one account key")
		}
		for j, acc := range a.Accounts {
			account(fmt.Sprintf("%s.accounts[%d]", k, j), acc)
		}
	}
	for i, p := range f.Profiles {
		k := fmt.Sprintf("profiles[%d]", i)
		required(k+".name", p.Name)
		account(k+".account", p.Account)
		set(k+".permissionSet", p.PermissionSet)
	}
	return out
}

func keysOf[V any](m map[string]V) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// accountEmail is the email of the account with key: the plus-alias
// <email>+<key>.
func (f File) accountEmail(key string) string {
	if f.Email == "" {
		return ""
	}
	return examplekit.PlusAlias(f.Email, key)
}

// SetSource records the file the spec was read from (examplekit.ParseSpec).
func (f *File) SetSource(src examplekit.Source) { f.src = src }

// Spec derives the Spec the program converges: the accounts and the
// permission sets are tagged project: <project>.
func (f File) Spec() Spec {
	tags := func() map[string]string { return map[string]string{"project": f.Project} }
	s := Spec{
		Project:     f.Project,
		Region:      f.Region,
		SuspendedOU: f.SuspendedOU,
		Retire:      slices.Clone(f.Retire),
		StartURL:    f.StartURL,
		AdoptRetire: f.Adopt.Retire,
	}
	for _, p := range f.OUs {
		s.Tree.OUs = append(s.Tree.OUs, organizations.OUSpec{Path: p, Adopt: slices.Contains(f.Adopt.OUs, p)})
	}
	for _, a := range f.Accounts {
		s.Tree.Accounts = append(s.Tree.Accounts, organizations.AccountSpec{Name: a.Name, Email: f.accountEmail(a.Key), OU: a.OU, Tags: tags(), Adopt: a.Adopt})
	}
	for _, g := range f.Guardrails {
		var doc *foundation.PolicyDocument
		if d := Documents[g.Document]; d != nil {
			doc = scp.MustBuild(d()...) // a constant of this program (TestDocumentsBuild)
		}
		s.Guardrails = append(s.Guardrails, Guardrail{
			Policy: scp.PolicySpec{Name: g.Name, Description: g.Description, Document: doc, Adopt: g.Adopt},
			OUs:    slices.Clone(g.OUs),
		})
	}
	for _, u := range f.Users {
		email := u.Email
		if email == "" {
			email = f.Email
		}
		s.Access.Users = append(s.Access.Users, identitycenter.UserSpec{UserName: u.UserName, GivenName: u.GivenName,
			FamilyName: u.FamilyName, DisplayName: u.DisplayName, Email: email})
	}
	for _, g := range f.Groups {
		s.Access.Groups = append(s.Access.Groups, identitycenter.GroupSpec{DisplayName: g.Name, Description: g.Description, Members: slices.Clone(g.Members)})
	}
	for _, p := range f.PermissionSets {
		ps := identitycenter.PermissionSetSpec{Name: p.Name, Description: p.Description,
			SessionDuration: time.Duration(p.SessionHours) * time.Hour, Tags: tags(), Adopt: p.Adopt}
		for _, m := range p.ManagedPolicies {
			ps.ManagedPolicies = append(ps.ManagedPolicies, identitycenter.AWSManagedPolicy(m))
		}
		if pol := Policies[p.InlinePolicy]; pol != nil {
			ps.InlinePolicy = pol()
		}
		s.Access.PermissionSets = append(s.Access.PermissionSets, ps)
	}
	for _, a := range f.Assignments {
		as := Assignment{PermissionSets: slices.Clone(a.PermissionSets)}
		for _, u := range a.Users {
			as.Principals = append(as.Principals, identitycenter.UserPrincipal(u))
		}
		for _, g := range a.Groups {
			as.Principals = append(as.Principals, identitycenter.GroupPrincipal(g))
		}
		for _, key := range a.Accounts {
			as.Accounts = append(as.Accounts, f.accountEmail(key))
		}
		s.Access.Assignments = append(s.Access.Assignments, as)
	}
	for _, p := range f.Profiles {
		s.Profiles = append(s.Profiles, Profile{Name: p.Name, Account: f.accountEmail(p.Account), PermissionSet: p.PermissionSet})
	}
	s.src = f.src
	return s
}
