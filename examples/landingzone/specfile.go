package main

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// seedFile is seed 000 as a spec file: what runs without -spec, and the
// reference for writing one's own (README.md, "The spec file").
//
//go:embed seed.yaml
var seedFile []byte

// Seed000 is seed 000's landing zone, read from seed.yaml.
func Seed000() Spec {
	s, err := ParseSpec("seed.yaml", seedFile)
	if err != nil {
		panic("landingzone: the embedded seed.yaml is invalid: " + err.Error()) // a constant of this program, checked by its tests
	}
	return s
}

// LoadSpec reads a spec from a YAML or JSON file (ParseSpec).
func LoadSpec(path string) (Spec, error) {
	return examplekit.LoadSpec[Spec](path)
}

// ParseSpec decodes a spec file (YAML, or JSON, which is YAML) named name.
// It decodes into a zero Spec: nothing comes from seed 000. Keys the
// format does not have are refused; defaults are then applied to the keys
// that have one (see Defaults) and never to identity: the project, the
// email, the environments' accounts and OUs, the GitHub repository and the
// people are what the file says. Every fault is reported, each with its
// line, column and key path (examplekit.DecodeSpec, CheckSpec).
func ParseSpec(name string, data []byte) (Spec, error) {
	return examplekit.ParseSpec[Spec](name, data)
}

// Defaults are the values of the keys a spec file may leave out. Identity
// (project, email, environments with their account names and OUs, the
// GitHub repository, the people) has no default.
var Defaults = Spec{
	AccessRole:      "OrganizationAccountAccessRole",
	Locking:         "lockfile",
	AdminGroup:      "PlatformAdmins",
	SessionHours:    8,
	SSOSessionName:  "admin",
	ProfileTemplate: "{{.Project}}-{{.Env}}-{{.RegionShort}}",
	GitHubBranch:    "main",
	KeepImages:      30,
	ImagePrefix:     "sha-",
	UntaggedDays:    1,
}

// ApplyDefaults fills the keys the file left out. region defaults to the
// first of regions (and regions to region); repository and cluster are
// derived from the project.
func (s *Spec) ApplyDefaults(keys examplekit.Keys) {
	set := keys.Has
	str := func(key string, v *string, def string) {
		if !set(key) {
			*v = def
		}
	}
	num := func(key string, v *int, def int) {
		if !set(key) {
			*v = def
		}
	}
	str("accessRole", &s.AccessRole, Defaults.AccessRole)
	str("locking", &s.Locking, Defaults.Locking)
	str("adminGroup", &s.AdminGroup, Defaults.AdminGroup)
	num("sessionHours", &s.SessionHours, Defaults.SessionHours)
	str("ssoSessionName", &s.SSOSessionName, Defaults.SSOSessionName)
	str("profileTemplate", &s.ProfileTemplate, Defaults.ProfileTemplate)
	str("githubBranch", &s.GitHubBranch, Defaults.GitHubBranch)
	num("keepImages", &s.KeepImages, Defaults.KeepImages)
	str("imagePrefix", &s.ImagePrefix, Defaults.ImagePrefix)
	num("untaggedDays", &s.UntaggedDays, Defaults.UntaggedDays)
	if !set("region") && len(s.Regions) > 0 {
		s.Region = s.Regions[0]
	}
	if !set("regions") && s.Region != "" {
		s.Regions = []string{s.Region}
	}
	if !set("repository") && s.Project != "" {
		s.Repository = s.Project
	}
	if !set("cluster") && s.Project != "" {
		s.Cluster = s.Project + "-prod"
	}
}

// faults are the file's own rules, each naming its key; the library's
// rules are checked after, on the specs the program derives (Check).
func (s Spec) Faults() []examplekit.SpecFault {
	var out []examplekit.SpecFault
	bad := func(key, rule string) { out = append(out, examplekit.SpecFault{Key: key, Rule: rule}) }
	required := func(key, v string) {
		if strings.TrimSpace(v) == "" {
			bad(key, "required (no default: it says whose foundation this is)")
		}
	}
	required("project", s.Project)
	required("email", s.Email)
	if s.Email != "" && !strings.Contains(s.Email, "@") {
		bad("email", fmt.Sprintf("%q is not an email address", s.Email))
	}
	required("region", s.Region)
	if s.Region != "" && !scp.KnownRegion(s.Region) {
		// A typo would otherwise reach AWS after the organization's writes
		// (found from outside: ap-southeast-99 ran with exit 0).
		bad("region", fmt.Sprintf("%q is not a Region AWS has (scp.KnownRegion)", s.Region))
	}
	required("githubRepository", s.GitHubRepository)
	if s.GitHubRepository != "" {
		if owner, repo, ok := strings.Cut(s.GitHubRepository, "/"); !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			bad("githubRepository", fmt.Sprintf("%q: must be owner/repository", s.GitHubRepository))
		}
	}
	if len(s.Environments) == 0 {
		bad("environments", "at least one environment")
	}
	seen := map[string]bool{}
	for i, e := range s.Environments {
		k := fmt.Sprintf("environments[%d]", i)
		required(k+".name", e.Name)
		required(k+".account", e.Account)
		required(k+".ou", e.OU)
		if e.Name != "" && seen[e.Name] {
			bad(k+".name", fmt.Sprintf("%q: duplicate environment name", e.Name))
		}
		seen[e.Name] = true
		// Environments may share an OU, but the guardrail goes on the OU:
		// all of them protected, or none.
		for j, o := range s.Environments[:i] {
			if o.OU == e.OU && o.Protected != e.Protected {
				bad(k+".protected", fmt.Sprintf("%v: environments[%d] (%s) is in the same OU %q with protected: %v, and the guardrail SCP is attached to the OU: make both protected or neither", e.Protected, j, o.Name, e.OU, o.Protected))
				break
			}
		}
	}
	for i, p := range s.Admins {
		k := fmt.Sprintf("admins[%d]", i)
		required(k+".userName", p.UserName)
		required(k+".email", p.Email)
		required(k+".givenName", p.GivenName) // the Identity Center directory requires both names
		required(k+".familyName", p.FamilyName)
	}
	tree := s.treeSpec()
	for i, path := range s.Adopt.OUs {
		if !slices.ContainsFunc(tree.OUs, func(o organizations.OUSpec) bool { return o.Path == path }) {
			bad(fmt.Sprintf("adopt.ous[%d]", i), fmt.Sprintf("%q is not one of ous or environments[].ou (an OU's parents are never written to: they need no adopting)", path))
		}
	}
	if s.Region != "" && len(s.Regions) > 0 && !slices.Contains(s.Regions, s.Region) {
		bad("regions", fmt.Sprintf("must include region %q", s.Region))
	}
	switch s.Locking {
	case "lockfile", "dynamodb", "both":
	default:
		bad("locking", fmt.Sprintf("%q: must be lockfile, dynamodb or both", s.Locking))
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"sessionHours", s.SessionHours}, {"keepImages", s.KeepImages}, {"untaggedDays", s.UntaggedDays}} {
		if k.v < 1 {
			bad(k.key, fmt.Sprintf("%d: must be at least 1", k.v))
		}
	}
	return out
}
