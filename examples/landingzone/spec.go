package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Spec is the landing zone: plain data, a Go value (Seed000) that can also
// be loaded from a YAML or JSON file (-spec). Converge turns it into the
// library's specs.
type Spec struct {
	// Project prefixes every name ("myapp").
	Project string `json:"project"`
	// Region is where regional resources live; Regions are the regions the
	// guardrail allows and the CLI profiles cover.
	Region  string   `json:"region"`
	Regions []string `json:"regions"`
	// Email's plus-aliases name the accounts (you+aws-dev@example.com).
	Email string `json:"email"`
	// OUs are extra OUs (the environments' OUs are added).
	OUs []string `json:"ous,omitempty"`
	// Environments are the workload accounts.
	Environments []Environment `json:"environments"`
	// AccessRole is the role the management account assumes in members.
	AccessRole string `json:"accessRole"`
	// Locking is the Terraform lock: lockfile, dynamodb or both.
	Locking string `json:"locking"`

	// Identity Center: the admin group and its people, the permission
	// sets' session length, and the CLI profiles' sso-session name.
	AdminGroup      string   `json:"adminGroup"`
	Admins          []Person `json:"admins"`
	SessionHours    int      `json:"sessionHours"`
	SSOSessionName  string   `json:"ssoSessionName"`
	ProfileTemplate string   `json:"profileTemplate"`

	// CI: the GitHub repository ("owner/repo") and branch that may deploy,
	// and the cluster the role is named after.
	GitHubRepository string `json:"githubRepository"`
	GitHubBranch     string `json:"githubBranch"`
	Cluster          string `json:"cluster"`

	// Images: the ECR repository, the tagged images kept and their
	// prefix, and the days untagged images live.
	Repository   string `json:"repository"`
	KeepImages   int    `json:"keepImages"`
	ImagePrefix  string `json:"imagePrefix"`
	UntaggedDays int    `json:"untaggedDays"`
}

// Environment is one workload account.
type Environment struct {
	Name    string `json:"name"`    // "prod": used in names, tags and profiles
	Account string `json:"account"` // the account's name, "myapp-production"
	OU      string `json:"ou"`      // its OU path
	// Protected environments get the production guardrail SCP.
	Protected bool `json:"protected,omitempty"`
}

// Person is someone who gets access through Identity Center.
type Person struct {
	UserName   string `json:"userName"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
	Email      string `json:"email"`
}

// Seed000 is seed 000's landing zone.
func Seed000() Spec {
	return Spec{
		Project: "myapp",
		Region:  "us-east-1",
		Regions: []string{"us-east-1", "us-west-2"},
		Email:   "you@example.com",
		OUs:     []string{"Management"},
		Environments: []Environment{
			{Name: "dev", Account: "myapp-dev", OU: "Workloads/Dev"},
			{Name: "staging", Account: "myapp-staging", OU: "Workloads/Staging"},
			{Name: "prod", Account: "myapp-production", OU: "Workloads/Production", Protected: true},
		},
		AccessRole:       "OrganizationAccountAccessRole",
		Locking:          "both",
		AdminGroup:       "PlatformAdmins",
		Admins:           []Person{{UserName: "you", GivenName: "Platform", FamilyName: "Engineer", Email: "you@example.com"}},
		SessionHours:     8,
		SSOSessionName:   "admin",
		ProfileTemplate:  "{{.Project}}-{{.Env}}-{{.RegionShort}}",
		GitHubRepository: "MatthewDipo/myapp",
		GitHubBranch:     "main",
		Cluster:          "myapp-prod",
		Repository:       "myapp",
		KeepImages:       30,
		ImagePrefix:      "sha-",
		UntaggedDays:     1,
	}
}

// LoadSpec reads a spec from a YAML or JSON file (YAML is a superset of
// JSON). Fields the file leaves out keep seed 000's values; unknown fields
// are an error, so a typo does not silently fall back to a default.
func LoadSpec(path string) (Spec, error) {
	spec := Seed000()
	b, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	if err := yaml.UnmarshalStrict(b, &spec); err != nil {
		return spec, fmt.Errorf("%s: %w", path, err)
	}
	return spec, spec.Check()
}

// Check reports what the library cannot catch because it is this
// program's own structure; the library validates everything else before
// any call.
func (s Spec) Check() error {
	var errs []string
	if s.Project == "" {
		errs = append(errs, "project: required")
	}
	if _, _, ok := strings.Cut(s.Email, "@"); !ok {
		errs = append(errs, fmt.Sprintf("email: %q is not an email address", s.Email))
	}
	if len(s.Environments) == 0 {
		errs = append(errs, "environments: at least one")
	}
	seen := map[string]bool{}
	for i, e := range s.Environments {
		if e.Name == "" || e.Account == "" || e.OU == "" {
			errs = append(errs, fmt.Sprintf("environments[%d]: name, account and ou are required", i))
		}
		if seen[e.Name] {
			errs = append(errs, fmt.Sprintf("environments[%d]: duplicate name %q", i, e.Name))
		}
		seen[e.Name] = true
	}
	if len(s.Regions) == 0 {
		errs = append(errs, "regions: at least one")
	}
	if len(errs) > 0 {
		return fmt.Errorf("spec: %s", strings.Join(errs, "; "))
	}
	return nil
}

// email returns the plus-alias of the spec's address for env.
func (s Spec) email(env string) string {
	local, domain, _ := strings.Cut(s.Email, "@")
	return local + "+aws-" + env + "@" + domain
}

// configPath is where the generated ~/.aws/config goes in dir.
func configPath(dir string) string { return filepath.Join(dir, "aws-config") }
