package main

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// seedFile is seed 003 as a spec file: what runs without -spec, and the
// reference for writing one's own (README.md, "The spec file").
//
//go:embed seed.yaml
var seedFile []byte

// File is the spec file's format: plain data, decoded from YAML or JSON
// into a zero File (ParseSpec). Its Spec method derives the Spec the
// program converges, whose values are the library's types.
type File struct {
	// Product names the OU, prefixes the accounts, aliases and profiles.
	Product string `yaml:"product"`
	// Email's plus-aliases are the accounts' root emails
	// (paul+autochart_dev@example.com); it is also the email of the
	// people who do not give one. -email overrides it.
	Email string `yaml:"email"`
	// Region is the Identity Center instance's home region and the
	// profiles' region.
	Region string `yaml:"region"`
	// OU is the product's OU path.
	OU string `yaml:"ou"`
	// Environments are the product's environments, one account each.
	Environments []FileEnv `yaml:"environments"`
	// People get admin access as Identity Center users.
	People []FilePerson `yaml:"people"`
	// PermissionSet is what each person gets in each of their accounts.
	PermissionSet FilePermissionSet `yaml:"permissionSet"`
	// Session names the [sso-session] the profiles share.
	Session string `yaml:"session"`
	// StartURL is the AWS access portal URL; "" derives it from the
	// identity store ID.
	StartURL string `yaml:"startURL"`
	// ProfileTemplate names the CLI profiles.
	ProfileTemplate string `yaml:"profileTemplate"`
	// AccessRole is the role the management account assumes in a member
	// account to set its alias.
	AccessRole string `yaml:"accessRole"`
	// Adopt names what was made outside this program and has no entry to
	// say adopt: true on: the product's OU (environments and the
	// permission set have one).
	Adopt FileAdopt `yaml:"adopt"`

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// FileEnv is one environment of a spec file.
type FileEnv struct {
	Name    string `yaml:"name"`    // "dev": the profile name's <env>
	Account string `yaml:"account"` // the account's name, "autochart_dev"
	Alias   string `yaml:"alias"`   // its console sign-in alias, "autochart-dev"
	// Adopt converges the account although it was made outside this
	// program (in the console): never tagged managed-by=foundation, its
	// tags kept.
	Adopt bool `yaml:"adopt"`
}

// FileAdopt is what a spec file adopts that has no entry of its own.
type FileAdopt struct {
	// OU is the product's OU.
	OU bool `yaml:"ou"`
}

// FilePerson is one person of a spec file.
type FilePerson struct {
	UserName   string `yaml:"userName"`
	GivenName  string `yaml:"givenName"`
	FamilyName string `yaml:"familyName"`
	// Email defaults to the file's email (or -email).
	Email string `yaml:"email"`
	// Envs are the environments the person gets; empty means all.
	Envs []string `yaml:"envs"`
}

// FilePermissionSet is the permission set of a spec file.
type FilePermissionSet struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// SessionHours is the session length.
	SessionHours int `yaml:"sessionHours"`
	// ManagedPolicies are AWS managed policies by name.
	ManagedPolicies []string `yaml:"managedPolicies"`
	// Adopt converges the permission set although it was made outside
	// this program: never tagged, its other policies kept.
	Adopt bool `yaml:"adopt"`
}

// Defaults are the values of the keys a spec file may leave out. Identity
// (the product, the email, the environments' names and accounts, the
// people's names) has no default; ou defaults to the product, an alias to
// <product>-<name>, a person's email to the file's email.
var Defaults = File{
	PermissionSet: FilePermissionSet{
		Name:            "AdministratorAccess",
		SessionHours:    1,
		ManagedPolicies: []string{"AdministratorAccess"},
	},
	ProfileTemplate: "{{.Project}}_{{.Env}}_{{.User}}",
	AccessRole:      organizations.DefaultRoleName,
}

// Seed003File is seed 003's spec file, seed.yaml, parsed.
func Seed003File() File {
	f, err := ParseSpec("seed.yaml", seedFile)
	if err != nil {
		panic("autochart: the embedded seed.yaml is invalid: " + err.Error()) // a constant of this program, checked by its tests
	}
	return f
}

// Seed003 is seed 003's setup, read from seed.yaml. email, when not "",
// replaces the file's (paul@example.com): its plus-aliases are the
// accounts' root emails, as the seed advises (paul+autochart_dev@example.com),
// and it is paul's email.
func Seed003(email string) Spec {
	f := Seed003File()
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
// into a zero File: nothing comes from seed 003. Unknown keys are
// refused; the keys that have a default get it when left out (Defaults),
// identity never. Every fault is reported with its line, column and key
// path (examplekit.DecodeSpec, CheckSpec).
func ParseSpec(name string, data []byte) (File, error) {
	return examplekit.ParseSpec[File](name, data)
}

func (f *File) ApplyDefaults(keys examplekit.Keys) {
	str := func(key string, v *string, def string) {
		if !keys.Has(key) {
			*v = def
		}
	}
	str("ou", &f.OU, f.Product)
	for i := range f.Environments {
		e := &f.Environments[i]
		if !keys.Has(fmt.Sprintf("environments[%d].alias", i)) && f.Product != "" && e.Name != "" {
			e.Alias = f.Product + "-" + e.Name
		}
	}
	str("permissionSet.name", &f.PermissionSet.Name, Defaults.PermissionSet.Name)
	if !keys.Has("permissionSet.sessionHours") {
		f.PermissionSet.SessionHours = Defaults.PermissionSet.SessionHours
	}
	if !keys.Has("permissionSet.managedPolicies") {
		f.PermissionSet.ManagedPolicies = slices.Clone(Defaults.PermissionSet.ManagedPolicies)
	}
	str("session", &f.Session, f.Product)
	str("profileTemplate", &f.ProfileTemplate, Defaults.ProfileTemplate)
	str("accessRole", &f.AccessRole, Defaults.AccessRole)
}

// faults are the file's own rules, each naming its key; the library's
// rules are checked after, on the specs the program derives
// (Spec.Validate).
func (f File) Faults() []examplekit.SpecFault {
	var out []examplekit.SpecFault
	bad := func(key, rule string) { out = append(out, examplekit.SpecFault{Key: key, Rule: rule}) }
	required := func(key, v string) bool {
		if strings.TrimSpace(v) == "" {
			bad(key, "required (no default: it says whose accounts these are)")
			return false
		}
		return true
	}
	email := func(key, v string) {
		if err := examplekit.CheckEmail("", v); err != nil {
			bad(key, err.Error())
		}
	}
	required("product", f.Product)
	if required("email", f.Email) {
		email("email", f.Email)
	}
	required("region", f.Region)
	if f.Region != "" && !scp.KnownRegion(f.Region) {
		// A typo would otherwise reach AWS after the organization's writes
		// (found from outside: ap-southeast-99 ran with exit 0).
		bad("region", fmt.Sprintf("%q is not a Region AWS has (scp.KnownRegion)", f.Region))
	}
	if len(f.Environments) == 0 {
		bad("environments", "at least one environment")
	}
	envs := map[string]bool{}
	aliases := map[string]int{}
	for i, e := range f.Environments {
		k := fmt.Sprintf("environments[%d]", i)
		required(k+".name", e.Name)
		required(k+".account", e.Account)
		if e.Name != "" && envs[e.Name] {
			bad(k+".name", fmt.Sprintf("%q: duplicate environment name", e.Name))
		}
		envs[e.Name] = true
		// An account alias is unique across AWS: two accounts of one
		// file cannot share one (found from outside: refused by AWS after
		// 14 writes, with a rerun that could never finish).
		if j, dup := aliases[e.Alias]; dup && e.Alias != "" {
			bad(k+".alias", fmt.Sprintf("%q is the alias of environments[%d] too (with its default, product-name): an alias names one account", e.Alias, j))
		} else {
			aliases[e.Alias] = i
		}
	}
	users := map[string]bool{}
	for i, p := range f.People {
		k := fmt.Sprintf("people[%d]", i)
		required(k+".userName", p.UserName)
		required(k+".givenName", p.GivenName)
		required(k+".familyName", p.FamilyName)
		if p.Email != "" {
			email(k+".email", p.Email)
		}
		if p.UserName != "" && users[p.UserName] {
			bad(k+".userName", fmt.Sprintf("%q: duplicate user name", p.UserName))
		}
		users[p.UserName] = true
		for j, e := range p.Envs {
			if !envs[e] {
				bad(fmt.Sprintf("%s.envs[%d]", k, j), fmt.Sprintf("%q is not the name of one of environments", e))
			}
		}
	}
	if f.PermissionSet.SessionHours < 1 {
		bad("permissionSet.sessionHours", fmt.Sprintf("%d: must be at least 1", f.PermissionSet.SessionHours))
	}
	return out
}

// SetSource records the file the spec was read from (examplekit.ParseSpec).
func (f *File) SetSource(src examplekit.Source) { f.src = src }

// Spec derives the Spec the program converges: each account's root email
// is the plus-alias <email>+<product>_<env>, its tags name the product and
// environment, and a person without an email gets the file's.
func (f File) Spec() Spec {
	s := Spec{
		Product: f.Product,
		Region:  f.Region,
		OU:      f.OU,
		PermissionSet: identitycenter.PermissionSetSpec{
			Name:            f.PermissionSet.Name,
			Description:     f.PermissionSet.Description,
			SessionDuration: time.Duration(f.PermissionSet.SessionHours) * time.Hour,
			Tags:            map[string]string{"Product": f.Product},
			Adopt:           f.PermissionSet.Adopt,
		},
		AdoptOU:         f.Adopt.OU,
		Session:         f.Session,
		StartURL:        f.StartURL,
		ProfileTemplate: f.ProfileTemplate,
		AccessRole:      f.AccessRole,
	}
	for _, p := range f.PermissionSet.ManagedPolicies {
		s.PermissionSet.ManagedPolicies = append(s.PermissionSet.ManagedPolicies, identitycenter.AWSManagedPolicy(p))
	}
	for _, e := range f.Environments {
		var email string
		if f.Email != "" {
			email = examplekit.PlusAlias(f.Email, f.Product+"_"+e.Name)
		}
		s.Envs = append(s.Envs, Env{
			Name: e.Name,
			Account: organizations.AccountSpec{
				Name:  e.Account,
				Email: email,
				OU:    f.OU,
				Tags:  map[string]string{"Product": f.Product, "Environment": e.Name},
				Adopt: e.Adopt,
			},
			Alias: e.Alias,
		})
	}
	for _, p := range f.People {
		email := p.Email
		if email == "" {
			email = f.Email
		}
		s.People = append(s.People, Person{
			UserSpec: identitycenter.UserSpec{UserName: p.UserName, GivenName: p.GivenName, FamilyName: p.FamilyName, Email: email},
			Envs:     slices.Clone(p.Envs),
		})
	}
	s.src = f.src
	return s
}
