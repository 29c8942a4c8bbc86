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

// seedFile is seed 002 as a spec file: what runs without -spec, and the
// reference for writing one's own (README.md, "The spec file").
//
//go:embed seed.yaml
var seedFile []byte

// File is the spec file's format: plain data, decoded from YAML or JSON
// into a zero File (ParseSpec). Its Spec method derives the Spec the
// program converges, whose values are the library's types. The guardrail
// SCP's composition and the IAM policies stay program code (Guardrails,
// Policies): the file names a policy by its key in Policies.
type File struct {
	Project                string        `yaml:"project"`
	Email                  string        `yaml:"email"`
	Region                 string        `yaml:"region"`
	AccessRole             string        `yaml:"accessRole"`
	Accounts               []FileAccount `yaml:"accounts"`
	NetworkAccount         string        `yaml:"networkAccount"`
	Guardrails             string        `yaml:"guardrails"`
	GuardrailOUs           []string      `yaml:"guardrailOUs"`
	AllowedRegions         []string      `yaml:"allowedRegions"`
	RegionExemptPrincipals []string      `yaml:"regionExemptPrincipals"`
	Access                 []FileAccess  `yaml:"access"`
	DeploymentRole         FileRole      `yaml:"deploymentRole"`
	TrustedAccounts        []string      `yaml:"trustedAccounts"`
	DeploymentTargets      []string      `yaml:"deploymentTargets"`
	// Adopt names what was made outside this program and has no entry of
	// its own to say adopt: true on (FileAccount, FilePermissionSet and
	// FileRole have one).
	Adopt FileAdopt `yaml:"adopt"`

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// FileAccount is one member account of a spec file.
type FileAccount struct {
	Key     string `yaml:"key"`
	Name    string `yaml:"name"`
	OU      string `yaml:"ou"`
	Purpose string `yaml:"purpose"`
	// Adopt converges the account although it was made outside this
	// program (in the console, by another tool): never tagged
	// managed-by=foundation, its tags kept.
	Adopt bool `yaml:"adopt"`
}

// FileAdopt is what a spec file adopts that has no entry of its own: the
// OUs (made in the order accounts name them) and the guardrail SCP.
type FileAdopt struct {
	OUs        []string `yaml:"ous"`
	Guardrails bool     `yaml:"guardrails"`
}

// FileAccess is one group with one permission set in some accounts.
type FileAccess struct {
	Group            string            `yaml:"group"`
	GroupDescription string            `yaml:"groupDescription"`
	PermissionSet    FilePermissionSet `yaml:"permissionSet"`
	Accounts         []string          `yaml:"accounts"`
}

// FilePermissionSet is a permission set of a spec file.
type FilePermissionSet struct {
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	SessionHours    int      `yaml:"sessionHours"`
	ManagedPolicies []string `yaml:"managedPolicies"` // AWS managed policies by name
	InlinePolicy    string   `yaml:"inlinePolicy"`    // a key of Policies
	// Adopt converges the permission set although it was made outside
	// this program: never tagged, its other policies kept.
	Adopt bool `yaml:"adopt"`
}

// FileRole is the deployment role of a spec file.
type FileRole struct {
	Name            string            `yaml:"name"`
	Description     string            `yaml:"description"`
	MaxSessionHours int               `yaml:"maxSessionHours"`
	InlinePolicies  map[string]string `yaml:"inlinePolicies"` // policy name -> a key of Policies
	Tags            map[string]string `yaml:"tags"`
	// Adopt converges the role, in every account of deploymentTargets,
	// although it was made outside this program: never tagged, its other
	// policies kept.
	Adopt bool `yaml:"adopt"`
}

// Policies are the IAM policies a spec file can name: program code, as
// their statements are the library's Go values.
var Policies = map[string]func() *foundation.PolicyDocument{
	"deployment": deploymentPolicy,
	"developer":  developerPolicy,
}

// Defaults are the values of the keys a spec file may leave out. Identity
// (project, email, the accounts, the network account, the trusted
// accounts) has no default; guardrails defaults to <project>-guardrails,
// guardrailOUs to every OU of accounts, allowedRegions to [region].
var Defaults = File{
	AccessRole:     organizations.DefaultRoleName,
	DeploymentRole: FileRole{Name: "DeploymentRole", MaxSessionHours: 1},
}

// defaultSessionHours is a permission set's session length when its file
// leaves it out.
const defaultSessionHours = 1

// Seed002File is seed 002's spec file, seed.yaml, parsed.
func Seed002File() File {
	f, err := ParseSpec("seed.yaml", seedFile)
	if err != nil {
		panic("securecart: the embedded seed.yaml is invalid: " + err.Error()) // a constant of this program, checked by its tests
	}
	return f
}

// Seed002 is seed 002's SecureCart foundation, read from seed.yaml.
// email, when not "", replaces the file's you@example.com: its
// plus-aliases name the accounts.
func Seed002(email string) Spec {
	f := Seed002File()
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
// into a zero File: nothing comes from seed 002. Unknown keys are refused;
// the keys that have a default get it when left out (Defaults), identity
// never. Every fault is reported with its line, column and key path
// (examplekit.DecodeSpec, CheckSpec).
func ParseSpec(name string, data []byte) (File, error) {
	return examplekit.ParseSpec[File](name, data)
}

func (f *File) ApplyDefaults(keys examplekit.Keys) {
	if !keys.Has("accessRole") {
		f.AccessRole = Defaults.AccessRole
	}
	if !keys.Has("guardrails") && f.Project != "" {
		f.Guardrails = f.Project + "-guardrails"
	}
	if !keys.Has("guardrailOUs") {
		for _, a := range f.Accounts {
			if a.OU != "" && !slices.Contains(f.GuardrailOUs, a.OU) {
				f.GuardrailOUs = append(f.GuardrailOUs, a.OU)
			}
		}
	}
	if !keys.Has("allowedRegions") && f.Region != "" {
		f.AllowedRegions = []string{f.Region}
	}
	for i := range f.Access {
		if !keys.Has(fmt.Sprintf("access[%d].permissionSet.sessionHours", i)) {
			f.Access[i].PermissionSet.SessionHours = defaultSessionHours
		}
	}
	if !keys.Has("deploymentRole.name") {
		f.DeploymentRole.Name = Defaults.DeploymentRole.Name
	}
	if !keys.Has("deploymentRole.maxSessionHours") {
		f.DeploymentRole.MaxSessionHours = Defaults.DeploymentRole.MaxSessionHours
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
			bad(key, "required (no default: it says whose foundation this is)")
			return false
		}
		return true
	}
	required("project", f.Project)
	if required("email", f.Email) {
		if err := examplekit.CheckEmail("", f.Email); err != nil {
			bad("email", err.Error())
		}
	}
	required("region", f.Region)
	if f.Region != "" && !scp.KnownRegion(f.Region) {
		// A typo would otherwise reach AWS after the organization's writes
		// (found from outside: ap-southeast-99 ran with exit 0).
		bad("region", fmt.Sprintf("%q is not a Region AWS has (scp.KnownRegion)", f.Region))
	}
	if f.Region != "" && len(f.AllowedRegions) > 0 && !slices.Contains(f.AllowedRegions, f.Region) {
		bad("allowedRegions", fmt.Sprintf("must include region %q (the guardrails would deny this program)", f.Region))
	}
	if len(f.Accounts) == 0 {
		bad("accounts", "at least one account")
	}
	keys := map[string]bool{ManagementKey: true}
	for i, a := range f.Accounts {
		k := fmt.Sprintf("accounts[%d]", i)
		required(k+".key", a.Key)
		required(k+".name", a.Name)
		required(k+".ou", a.OU)
		if a.Key != "" && keys[a.Key] {
			bad(k+".key", fmt.Sprintf("%q: duplicate key (%q names the management account)", a.Key, ManagementKey))
		}
		keys[a.Key] = true
	}
	for i, ou := range f.Adopt.OUs {
		if !slices.ContainsFunc(f.Accounts, func(a FileAccount) bool { return a.OU == ou }) {
			bad(fmt.Sprintf("adopt.ous[%d]", i), fmt.Sprintf("%q is not the ou of one of accounts (an OU's parents are never written to: they need no adopting)", ou))
		}
	}
	// The guardrail goes on OUs the program creates: those of accounts
	// (found from outside: an OU no account is in made the program panic
	// after 11 writes).
	for i, ou := range f.GuardrailOUs {
		if !slices.ContainsFunc(f.Accounts, func(a FileAccount) bool { return a.OU == ou }) {
			bad(fmt.Sprintf("guardrailOUs[%d]", i), fmt.Sprintf("%q is not the ou of one of accounts (the program creates only those OUs)", ou))
		}
	}
	ref := func(key, v string, management bool) {
		switch {
		case v == "":
		case v == ManagementKey && !management:
			bad(key, fmt.Sprintf("%q: must be a member account's key", v))
		case !keys[v]:
			bad(key, fmt.Sprintf("%q is not the key of one of accounts", v))
		}
	}
	if required("networkAccount", f.NetworkAccount) {
		ref("networkAccount", f.NetworkAccount, false)
	}
	policy := func(key, v string) {
		if _, ok := Policies[v]; v != "" && !ok {
			bad(key, fmt.Sprintf("%q: must be one of %s (Policies in specfile.go)", v, strings.Join(policyNames(), ", ")))
		}
	}
	for i, a := range f.Access {
		k := fmt.Sprintf("access[%d]", i)
		required(k+".group", a.Group)
		required(k+".permissionSet.name", a.PermissionSet.Name)
		if a.PermissionSet.SessionHours < 1 {
			bad(k+".permissionSet.sessionHours", fmt.Sprintf("%d: must be at least 1", a.PermissionSet.SessionHours))
		}
		policy(k+".permissionSet.inlinePolicy", a.PermissionSet.InlinePolicy)
		if len(a.Accounts) == 0 {
			bad(k+".accounts", "at least one account key")
		}
		for j, key := range a.Accounts {
			ref(fmt.Sprintf("%s.accounts[%d]", k, j), key, true)
		}
	}
	if f.DeploymentRole.MaxSessionHours < 1 {
		bad("deploymentRole.maxSessionHours", fmt.Sprintf("%d: must be at least 1", f.DeploymentRole.MaxSessionHours))
	}
	names := make([]string, 0, len(f.DeploymentRole.InlinePolicies))
	for name := range f.DeploymentRole.InlinePolicies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		policy("deploymentRole.inlinePolicies."+name, f.DeploymentRole.InlinePolicies[name])
	}
	if len(f.TrustedAccounts) == 0 {
		bad("trustedAccounts", "at least one account key: the deployment role needs the account its pipelines run in")
	}
	for i, key := range f.TrustedAccounts {
		ref(fmt.Sprintf("trustedAccounts[%d]", i), key, false)
	}
	for i, key := range f.DeploymentTargets {
		k := fmt.Sprintf("deploymentTargets[%d]", i)
		ref(k, key, false)
		if slices.Contains(f.TrustedAccounts, key) {
			bad(k, fmt.Sprintf("%q is also trusted: the role is for other accounts", key))
		}
	}
	return out
}

func policyNames() []string {
	var out []string
	for n := range Policies {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SetSource records the file the spec was read from (examplekit.ParseSpec).
func (f *File) SetSource(src examplekit.Source) { f.src = src }

// Spec derives the Spec the program converges.
func (f File) Spec() Spec {
	s := Spec{
		Project:                f.Project,
		Region:                 f.Region,
		Email:                  f.Email,
		AccessRole:             f.AccessRole,
		NetworkAccount:         f.NetworkAccount,
		Guardrails:             f.Guardrails,
		GuardrailOUs:           slices.Clone(f.GuardrailOUs),
		AllowedRegions:         slices.Clone(f.AllowedRegions),
		RegionExemptPrincipals: slices.Clone(f.RegionExemptPrincipals),
		TrustedAccounts:        slices.Clone(f.TrustedAccounts),
		DeploymentTargets:      slices.Clone(f.DeploymentTargets),
		DeploymentRole: organizations.CrossAccountRoleSpec{
			Name:               f.DeploymentRole.Name,
			Description:        f.DeploymentRole.Description,
			MaxSessionDuration: time.Duration(f.DeploymentRole.MaxSessionHours) * time.Hour,
			Adopt:              f.DeploymentRole.Adopt,
		},
		AdoptOUs:        slices.Clone(f.Adopt.OUs),
		AdoptGuardrails: f.Adopt.Guardrails,
	}
	for _, a := range f.Accounts {
		s.Accounts = append(s.Accounts, Account(a))
	}
	for _, a := range f.Access {
		ps := identitycenter.PermissionSetSpec{
			Name:            a.PermissionSet.Name,
			Description:     a.PermissionSet.Description,
			SessionDuration: time.Duration(a.PermissionSet.SessionHours) * time.Hour,
			Adopt:           a.PermissionSet.Adopt,
		}
		for _, p := range a.PermissionSet.ManagedPolicies {
			ps.ManagedPolicies = append(ps.ManagedPolicies, identitycenter.AWSManagedPolicy(p))
		}
		if p := Policies[a.PermissionSet.InlinePolicy]; p != nil {
			ps.InlinePolicy = p()
		}
		s.Access = append(s.Access, Access{Group: a.Group, GroupDescription: a.GroupDescription, PermissionSet: ps, Accounts: slices.Clone(a.Accounts)})
	}
	for name, key := range f.DeploymentRole.InlinePolicies {
		if p := Policies[key]; p != nil {
			if s.DeploymentRole.InlinePolicies == nil {
				s.DeploymentRole.InlinePolicies = map[string]*foundation.PolicyDocument{}
			}
			s.DeploymentRole.InlinePolicies[name] = p()
		}
	}
	if len(f.DeploymentRole.Tags) > 0 {
		s.DeploymentRole.Tags = map[string]string{}
		for k, v := range f.DeploymentRole.Tags {
			s.DeploymentRole.Tags[k] = v
		}
	}
	s.src = f.src
	return s
}
