package main

import (
	"path/filepath"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

// Spec is the landing zone: plain data, read from a YAML or JSON spec file
// (ParseSpec; seed.yaml is seed 000's and the default) or built in Go.
// Converge turns it into the library's specs.
type Spec struct {
	// Project prefixes every name ("myapp").
	Project string `json:"project" yaml:"project"`
	// Region is where regional resources live; Regions are the regions the
	// guardrail allows and the CLI profiles cover.
	Region  string   `json:"region" yaml:"region"`
	Regions []string `json:"regions" yaml:"regions"`
	// Email's plus-aliases name the accounts (you+aws-dev@example.com).
	Email string `json:"email" yaml:"email"`
	// OUs are extra OUs (the environments' OUs are added).
	OUs []string `json:"ous,omitempty" yaml:"ous,omitempty"`
	// Environments are the workload accounts.
	Environments []Environment `json:"environments" yaml:"environments"`
	// AccessRole is the role the management account assumes in members.
	AccessRole string `json:"accessRole" yaml:"accessRole"`
	// Locking is the Terraform lock: lockfile, dynamodb or both.
	Locking string `json:"locking" yaml:"locking"`

	// Identity Center: the admin group and its people, the permission
	// sets' session length, and the CLI profiles' sso-session name.
	AdminGroup      string   `json:"adminGroup" yaml:"adminGroup"`
	Admins          []Person `json:"admins" yaml:"admins"`
	SessionHours    int      `json:"sessionHours" yaml:"sessionHours"`
	SSOSessionName  string   `json:"ssoSessionName" yaml:"ssoSessionName"`
	ProfileTemplate string   `json:"profileTemplate" yaml:"profileTemplate"`

	// CI: the GitHub repository ("owner/repo") and branch that may deploy,
	// and the cluster the role is named after.
	GitHubRepository string `json:"githubRepository" yaml:"githubRepository"`
	GitHubBranch     string `json:"githubBranch" yaml:"githubBranch"`
	Cluster          string `json:"cluster" yaml:"cluster"`

	// Images: the ECR repository, the tagged images kept and their
	// prefix, and the days untagged images live.
	Repository   string `json:"repository" yaml:"repository"`
	KeepImages   int    `json:"keepImages" yaml:"keepImages"`
	ImagePrefix  string `json:"imagePrefix" yaml:"imagePrefix"`
	UntaggedDays int    `json:"untaggedDays" yaml:"untaggedDays"`

	// Adopt names the resources of the management account and the OUs
	// that were made outside this program and that a run converges
	// without taking them over (an environment's own: Environment.Adopt).
	Adopt Adopt `json:"adopt,omitempty" yaml:"adopt,omitempty"`

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// SetSource records the file the spec was read from (examplekit.ParseSpec).
func (s *Spec) SetSource(src examplekit.Source) { s.src = src }

// Environment is one workload account.
type Environment struct {
	Name    string `json:"name" yaml:"name"`       // "prod": used in names, tags and profiles
	Account string `json:"account" yaml:"account"` // the account's name, "myapp-production"
	OU      string `json:"ou" yaml:"ou"`           // its OU path
	// Protected environments get the production guardrail SCP.
	Protected bool `json:"protected,omitempty" yaml:"protected,omitempty"`
	// Adopt converges what the environment has that was made outside this
	// program (by hand, by seed 000's scripts): its account, its KMS key
	// and its state backend (bucket and lock table). They are converged
	// as the spec says but never tagged managed-by=foundation and never
	// pruned. Without it such a resource is refused before any write.
	Adopt bool `json:"adopt,omitempty" yaml:"adopt,omitempty"`
}

// Adopt is what a run converges although this library did not make it
// (it lacks the managed-by=foundation tag): converged as the spec says,
// never tagged as the library's, never pruned (statements, rules, tags
// and policies the spec does not list stay). A resource that does not
// exist is created, and tagged, whatever Adopt says. Without it, a
// resource of the spec's name made outside the library is refused
// (*foundation.NotManagedError) before any write to it, and the program
// names the key to set.
type Adopt struct {
	// OUs are OU paths of ous or environments[].ou (their parents are
	// never written to, so they need no adopting).
	OUs []string `json:"ous,omitempty" yaml:"ous,omitempty"`
	// Guardrail is the production guardrail SCP.
	Guardrail bool `json:"guardrail,omitempty" yaml:"guardrail,omitempty"`
	// PermissionSets are AdministratorAccess and ReadOnlyAccess.
	PermissionSets bool `json:"permissionSets,omitempty" yaml:"permissionSets,omitempty"`
	// GitHubProvider is the GitHub OIDC provider, CIRole the CI role.
	GitHubProvider bool `json:"githubProvider,omitempty" yaml:"githubProvider,omitempty"`
	CIRole         bool `json:"ciRole,omitempty" yaml:"ciRole,omitempty"`
	// Repository is the ECR repository.
	Repository bool `json:"repository,omitempty" yaml:"repository,omitempty"`
	// ImagesKey and CosignKey are the management account's KMS keys.
	ImagesKey bool `json:"imagesKey,omitempty" yaml:"imagesKey,omitempty"`
	CosignKey bool `json:"cosignKey,omitempty" yaml:"cosignKey,omitempty"`
	// ManagementStateBackend is the management account's state bucket and
	// lock table.
	ManagementStateBackend bool `json:"managementStateBackend,omitempty" yaml:"managementStateBackend,omitempty"`
}

// Person is someone who gets access through Identity Center.
type Person struct {
	UserName   string `json:"userName" yaml:"userName"`
	GivenName  string `json:"givenName" yaml:"givenName"`
	FamilyName string `json:"familyName" yaml:"familyName"`
	Email      string `json:"email" yaml:"email"`
}

// Check applies the spec file's rules to a spec built in Go (Seed000 with
// -email, a test's): the same faults ParseSpec reports, without lines.
func (s Spec) Check() error {
	return examplekit.CheckSpec("spec", nil, s.Faults())
}

// email returns the plus-alias of the spec's address for env.
func (s Spec) email(env string) string {
	return examplekit.PlusAlias(s.Email, "aws-"+env)
}

// configPath is where the generated ~/.aws/config goes in dir.
func configPath(dir string) string { return filepath.Join(dir, "aws-config") }
