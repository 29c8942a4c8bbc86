package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// Spec is the landing zone to converge: a Go value (the seed's is
// Seed000), the whole foundation in one place.
type Spec struct {
	Project string // prefixes names: "myapp"
	Region  string
	// Tree is the OU tree and the member accounts, found by email.
	Tree organizations.TreeSpec
	// Workloads maps each workload account's email to its environment
	// name ("dev"), used in names and tags.
	Workloads map[string]string
	// Guardrails are SCPs attached to OUs, by OU path.
	Guardrails []Guardrail
	// AccessRole is the role the management account assumes in a member
	// account (Organizations creates it with the account).
	AccessRole string
	// Locking is the Terraform lock mechanism of every state backend. The
	// seed uses a DynamoDB table; Terraform >= 1.10 locks with an S3
	// lockfile. LockBoth keeps both while state moves over.
	Locking statebackend.Locking
}

// Guardrail is one SCP and the OUs it is attached to.
type Guardrail struct {
	Policy scp.PolicySpec
	OUs    []string
}

// Seed000 is seed 000's landing zone. email's plus-aliases name the
// accounts, as the seed advises; "" uses you@example.com (the emulator).
func Seed000(email string) Spec {
	if email == "" {
		email = "you@example.com"
	}
	local, domain, _ := strings.Cut(email, "@")
	alias := func(env string) string { return local + "+aws-" + env + "@" + domain }
	production := scp.MustBuild(
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:                "DenyDangerousEKSOperations",
			Actions:            []string{"eks:DeleteCluster", "eks:DeleteNodegroup"},
			UnlessPrincipalTag: map[string]string{"AllowDestructive": "true"},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:     "DenyRDSDelete",
			Actions: []string{"rds:DeleteDBInstance", "rds:DeleteDBCluster"},
		}),
		scp.RestrictRegions(scp.RegionOptions{
			Sid:           "RequireRegions",
			Allowed:       []string{"us-east-1", "us-west-2"},
			ExemptActions: []string{"iam:*", "sts:*", "route53:*", "cloudfront:*", "waf:*", "acm:*", "support:*", "health:*"},
		}),
	)
	return Spec{
		Project: "myapp",
		Region:  "us-east-1",
		Tree: organizations.TreeSpec{
			OUs: []organizations.OUSpec{
				{Path: "Management"},
				{Path: "Workloads/Dev"},
				{Path: "Workloads/Staging"},
				{Path: "Workloads/Production"},
			},
			Accounts: []organizations.AccountSpec{
				{Name: "myapp-dev", Email: alias("dev"), OU: "Workloads/Dev", Tags: map[string]string{"Environment": "dev"}},
				{Name: "myapp-staging", Email: alias("staging"), OU: "Workloads/Staging", Tags: map[string]string{"Environment": "staging"}},
				{Name: "myapp-production", Email: alias("production"), OU: "Workloads/Production", Tags: map[string]string{"Environment": "prod"}},
			},
		},
		Workloads: map[string]string{alias("dev"): "dev", alias("staging"): "staging", alias("production"): "prod"},
		Guardrails: []Guardrail{{
			Policy: scp.PolicySpec{
				Name:        "myapp-production-guardrails",
				Description: "Deny destroying EKS and RDS in production, and regions other than us-east-1 and us-west-2",
				Document:    production,
			},
			OUs: []string{"Workloads/Production"},
		}},
		AccessRole: organizations.DefaultRoleName,
		Locking:    statebackend.LockBoth,
	}
}

// maxParallelAccounts bounds how many accounts are worked in at once.
const maxParallelAccounts = 3

// Result is what one Converge did (or, in dry run, would do).
type Result struct {
	Organization *organizations.Organization
	Tree         *organizations.TreeResult
	Policies     []*scp.Policy
	Attachments  []*scp.Attachments
	// Planned lists what a dry run cannot ask AWS about yet because what
	// it depends on does not exist (an SCP attachment to a new OU, the
	// state backend of a new account).
	Planned  foundation.Changes
	Backends []Backend
}

// Backend is the state backend of one workload account.
type Backend struct {
	Env     string
	Account *organizations.Account
	*statebackend.Backend
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int {
	n := len(r.Organization.Changes) + len(r.Tree.Changes) + len(r.Planned)
	for _, p := range r.Policies {
		n += len(p.Changes)
	}
	for _, a := range r.Attachments {
		n += len(a.Changes)
	}
	for _, b := range r.Backends {
		n += len(b.Changes)
	}
	return n
}

// Converge converges the whole landing zone from the management account's
// configuration base: the organization, the tree, the guardrails, then the
// state backend in every workload account through its access role.
func Converge(ctx context.Context, base aws.Config, pathStyle bool, spec Spec, opts ...foundation.Option) (*Result, error) {
	dryRun := foundation.ApplyOptions(opts...).DryRun
	org := orgsdk.NewFromConfig(base)
	res := &Result{}
	var err error
	res.Organization, err = organizations.EnsureOrganization(ctx, org, organizations.OrganizationSpec{
		PolicyTypes: []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy},
	}, opts...)
	if err != nil {
		return nil, err
	}
	if res.Tree, err = organizations.EnsureTree(ctx, org, spec.Tree, opts...); err != nil {
		return nil, err
	}
	for _, g := range spec.Guardrails {
		p, err := scp.EnsurePolicy(ctx, org, g.Policy, opts...)
		if err != nil {
			return nil, err
		}
		res.Policies = append(res.Policies, p)
		for _, path := range g.OUs {
			ou := res.Tree.OU(path)
			if ou == nil || ou.ID == "" {
				if !dryRun {
					return nil, fmt.Errorf("guardrail %s: OU %q is not in the tree", g.Policy.Name, path)
				}
				res.Planned = append(res.Planned, foundation.Change{Action: foundation.ActionCreate,
					Resource: "organizations:policy-attachment", ID: path + " <- " + g.Policy.Name})
				continue
			}
			a, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{TargetID: ou.ID, Policies: []string{g.Policy.Name}}, opts...)
			if err != nil {
				return nil, fmt.Errorf("guardrail %s on %s: %w", g.Policy.Name, path, err)
			}
			res.Attachments = append(res.Attachments, a)
		}
	}
	res.Backends, err = backends(ctx, base, pathStyle, spec, res, opts)
	return res, err
}

// backends bootstraps the state backend of every workload account, a few
// accounts at a time, acting in each through its access role
// (organizations.ForEachAccount).
func backends(ctx context.Context, base aws.Config, pathStyle bool, spec Spec, res *Result, opts []foundation.Option) ([]Backend, error) {
	bucket := func(id string) string { return fmt.Sprintf("%s-terraform-state-%s", spec.Project, id) }
	accounts := map[string]*organizations.Account{}
	var targets []organizations.Target
	for _, acct := range res.Tree.Accounts {
		if _, ok := spec.Workloads[acct.Email]; !ok {
			continue
		}
		if acct.ID == "" { // dry run: the account does not exist yet
			res.Planned = append(res.Planned,
				foundation.Change{Action: foundation.ActionCreate, Resource: "s3:bucket", ID: bucket("<" + acct.Name + ">")},
				foundation.Change{Action: foundation.ActionCreate, Resource: "dynamodb:table", ID: spec.Project + "-terraform-locks in " + acct.Name})
			continue
		}
		accounts[acct.ID] = acct
		targets = append(targets, organizations.Target{ID: acct.ID, Name: acct.Name})
	}
	var mu sync.Mutex
	made := map[string]*statebackend.Backend{}
	sum, err := organizations.ForEachAccount(ctx, base, organizations.FanOutSpec{
		Accounts:      targets,
		RoleName:      spec.AccessRole,
		Concurrency:   maxParallelAccounts,
		ConfigOptions: []organizations.AccountConfigOption{organizations.WithSessionName("foundation-landingzone")},
	}, func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
		b, err := statebackend.Bootstrap(ctx, statebackend.API{
			S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
			DynamoDB: dynamodb.NewFromConfig(cfg),
		}, statebackend.Spec{
			Bucket:    bucket(t.ID),
			Region:    spec.Region,
			AccountID: t.ID,
			Locking:   spec.Locking,
			LockTable: spec.Project + "-terraform-locks",
			Tags:      map[string]string{"Project": spec.Project, "Environment": spec.Workloads[accounts[t.ID].Email], "ManagedBy": "foundation"},
		}, opts...)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		made[t.ID] = b
		mu.Unlock()
		return b.Changes, nil
	})
	if err != nil {
		return nil, err
	}
	var out []Backend
	for _, r := range sum.Results { // in the tree's order
		a := accounts[r.Target.ID]
		out = append(out, Backend{Env: spec.Workloads[a.Email], Account: a, Backend: made[r.Target.ID]})
	}
	return out, nil
}

// Report prints the changes grouped by account, then the backend blocks.
func (r *Result) Report(out io.Writer, dryRun bool) {
	verb := "Changed"
	if dryRun {
		verb = "Would change"
	}
	fmt.Fprintf(out, "\n%s %d resources.\n", verb, r.Count())
	mgmt := "management account"
	if id := r.Organization.ManagementAccountID; id != "" {
		mgmt += " (" + id + ")"
	}
	section(out, "organization, "+mgmt, changesOf(r))
	for _, b := range r.Backends {
		section(out, fmt.Sprintf("%s: %s (%s), state bucket %s, lock table %s", b.Env, b.Account.Name, b.Account.ID, b.Bucket, b.LockTable), b.Changes)
	}
	if dryRun || len(r.Backends) == 0 {
		return
	}
	for _, b := range r.Backends {
		fmt.Fprintf(out, "\n# Terraform backend for %s (%s)\n%s", b.Env, b.Account.ID, b.Config.Terraform())
	}
	fmt.Fprintf(out, "\n# Terragrunt root.hcl remote_state (%s shown; one per account)\n%s", r.Backends[0].Env, r.Backends[0].Config.Terragrunt())
}

func changesOf(r *Result) foundation.Changes {
	cs := append(foundation.Changes{}, r.Organization.Changes...)
	cs = append(cs, r.Tree.Changes...)
	for _, p := range r.Policies {
		cs = append(cs, p.Changes...)
	}
	for _, a := range r.Attachments {
		cs = append(cs, a.Changes...)
	}
	return append(cs, r.Planned...)
}

func section(out io.Writer, title string, cs foundation.Changes) {
	fmt.Fprintf(out, "\n== %s\n", title)
	if len(cs) == 0 {
		fmt.Fprintln(out, "  (no changes)")
	}
	for _, c := range cs {
		fmt.Fprintf(out, "  %s\n", c)
	}
}
