package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/s3account"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// maxParallelAccounts bounds how many accounts are worked in at once.
const maxParallelAccounts = 4

// Result is what one Converge did (or, in dry run, would do).
type Result struct {
	spec         Spec
	Organization *organizations.Organization
	Tree         *organizations.TreeResult
	// Management lists the management account's changes: guardrails,
	// Identity Center, CLI profiles, CI federation, images and keys.
	Management foundation.Changes
	// Accounts is the per-account work: a key and a state backend each.
	Accounts *organizations.Summary
	// Backends are the state backends by account ID.
	Backends map[string]*statebackend.Backend
	// ConfigFile is the generated AWS CLI config.
	ConfigFile string
	// Repository and CIRole are the image repository and the CI role.
	Repository *ecr.Repository
	CIRole     *oidcfed.Role

	// files is where the run wrote ConfigFile (whether it is kept), and
	// realAWS whether it ran on AWS: the sign-in hint depends on both.
	files   *output
	realAWS bool
	// managementID is the management account's ID (in a dry run before
	// the organization exists, the caller's).
	managementID string
	// failing are the changes the call that failed made before it failed,
	// when it was made from the management account.
	failing foundation.Changes
}

// AccountChanges lists every change with its account, in the order made:
// the organization's and the management account's (the AWS CLI config
// file in no account), then each account's (examplekit.Lister, -json).
func (r *Result) AccountChanges() []examplekit.AccountChange {
	var cs foundation.Changes
	if r.Organization != nil {
		cs = append(cs, r.Organization.Changes...)
	}
	if r.Tree != nil {
		cs = append(cs, r.Tree.Changes...)
	}
	out := examplekit.Local(r.managementID, append(append(cs, r.Management...), r.failing...))
	return append(out, examplekit.FanOut(r.Accounts)...)
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int {
	n := len(r.Organization.Changes) + len(r.Tree.Changes) + len(r.Management)
	if r.Accounts != nil {
		n += r.Accounts.Count()
	}
	return n
}

// Converge converges the landing zone from the management account's
// config: the organization and its tree, the guardrails, Identity Center
// access and CLI profiles, CI federation, the image repository and keys in
// the management account, then a key and a state backend in every account.
//
// A failed Converge returns an error carrying every change made before the
// failure, in every step (a *foundation.IncompleteError), so the program
// prints what exists now, and the Result of the steps done (AccountChanges
// lists the same changes with their accounts); a rerun finishes the work.
func Converge(ctx context.Context, env *examplekit.Env, spec Spec, outDir string, opts ...foundation.Option) (out *Result, err error) {
	base := env.Config
	org := orgsdk.NewFromConfig(base)
	res := &Result{spec: spec, Backends: map[string]*statebackend.Backend{}}
	defer func() {
		if err != nil {
			if res.Accounts == nil { // a failed account's changes are in Accounts
				res.failing = examplekit.Made(err)
			}
			out, err = res, examplekit.Incomplete(err, res.AccountChanges())
		}
	}()

	// 1. The organization, its OUs and accounts.
	var mgmtID string
	tree, adopt := spec.tree()
	res.Organization, res.Tree, mgmtID, err = examplekit.Organization(ctx, base, spec.organizationSpec(), tree, opts...)
	if err != nil {
		return nil, spec.src.Adopting(err, adopt...)
	}
	res.managementID = mgmtID
	accountIDs := map[string]string{} // environment -> account ID (in a dry run before it exists, the predicted one)
	for _, e := range spec.Environments {
		accountIDs[e.Name] = res.Tree.Account(spec.email(e.Name)).ID
	}

	// 2. The production guardrail on the protected environments' OUs.
	if err := res.guardrails(ctx, org, opts); err != nil {
		return nil, err
	}

	// 3. Identity Center: people, permission sets, assignments, profiles.
	if err := res.access(ctx, base, mgmtID, accountIDs, outDir, opts); err != nil {
		return nil, err
	}

	// 4. The management account: a key for images, a signing key for
	// cosign, the image repository, and the CI role GitHub assumes.
	if err := res.images(ctx, base, mgmtID, accountIDs, opts); err != nil {
		return nil, err
	}

	// 5. Every account: an encryption key and a Terraform state backend.
	return res, res.perAccount(ctx, env, mgmtID, accountIDs, opts)
}

func (r *Result) guardrails(ctx context.Context, org *orgsdk.Client, opts []foundation.Option) error {
	spec := r.spec
	policy, err := spec.guardrailPolicy()
	if err != nil {
		return err
	}
	p, err := scp.EnsurePolicy(ctx, org, policy, opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("guardrail", "")...)
	}
	r.Management = append(r.Management, p.Changes...)
	done := map[string]bool{}
	for _, e := range spec.Environments {
		if !e.Protected || done[e.OU] { // protected environments may share an OU
			continue
		}
		done[e.OU] = true
		ou := r.Tree.OU(e.OU) // in a dry run before it exists, its ID is predicted
		a, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{TargetID: ou.ID, Policies: []string{policy.Name}}, opts...)
		if err != nil {
			return fmt.Errorf("guardrail on %s: %w", e.OU, err)
		}
		// Distinct: scp's dry run plans enabling SCPs on a root to be
		// created in every call (examplekit.Distinct).
		r.Management = examplekit.Distinct(append(r.Management, attachmentsByPath(a.Changes, ou.ID, e.OU)...))
	}
	return nil
}

// attachmentsByPath returns the attachment changes of the OU whose ID is
// ouID with the OU's path in place of its ID ("Workloads/Production <-
// myapp-production-guardrails", as a dry run plans them before the OU
// exists), so a report names OUs as the spec does.
func attachmentsByPath(cs foundation.Changes, ouID, path string) foundation.Changes {
	out := make(foundation.Changes, len(cs))
	for i, c := range cs {
		if policy, ok := strings.CutPrefix(c.ID, ouID+"/"); ok && c.Resource == scp.ResourcePolicyAttachment {
			c.ID = path + " <- " + policy
		}
		out[i] = c
	}
	return out
}

func (r *Result) access(ctx context.Context, base aws.Config, mgmtID string, accountIDs map[string]string, outDir string, opts []foundation.Option) error {
	spec := r.spec
	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(base), IdentityStore: identitystore.NewFromConfig(base)}
	accounts := []string{mgmtID}
	for _, e := range spec.Environments {
		accounts = append(accounts, accountIDs[e.Name])
	}
	// In a dry run before Identity Center exists (it comes with the
	// organization, a console step on AWS), EnsureAccess plans what the
	// first run will create; accounts still to be created have predicted
	// IDs, which it plans assignments with.
	a, err := identitycenter.EnsureAccess(ctx, api, spec.accessSpec(accounts, true), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("permission sets", "")...)
	}
	r.Management = append(r.Management, a.Changes...)

	// The ~/.aws/config every engineer gets: one sso-session, a profile per
	// account and region. A dry run plans the file with stand-ins for
	// what does not exist yet (examplekit.StandIns).
	var in examplekit.StandIns
	ids := map[string]string{}
	for name, id := range accountIDs {
		ids[name] = in.Account(id)
	}
	cfg := spec.configSpec(in.StartURL(a.Instance.DefaultStartURL()), in.Account(mgmtID), ids)
	r.ConfigFile = configPath(outDir)
	changes, err := identitycenter.WriteConfigFile(r.ConfigFile, cfg, true, opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, in.Restore(changes)...)
	return nil
}

func (r *Result) images(ctx context.Context, base aws.Config, mgmtID string, accountIDs map[string]string, opts []foundation.Option) error {
	spec := r.spec
	keyAPI := kms.API{KMS: kmssdk.NewFromConfig(base), IAM: iamsdk.NewFromConfig(base)}
	imagesKey, err := kms.EnsureKey(ctx, keyAPI, spec.imagesKeySpec(mgmtID), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("images key", "")...)
	}
	r.Management = append(r.Management, imagesKey.Changes...)
	cosign, err := kms.EnsureKey(ctx, keyAPI, spec.cosignKeySpec(mgmtID), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("cosign key", "")...)
	}
	r.Management = append(r.Management, cosign.Changes...)

	var pull []string
	for _, e := range spec.Environments {
		pull = append(pull, accountIDs[e.Name])
	}
	if r.Repository, err = ecr.EnsureRepository(ctx, ecrsdk.NewFromConfig(base), spec.repositorySpec(imagesKey.ARN, pull), opts...); err != nil {
		return spec.src.Adopting(err, spec.adoptions("repository", "")...)
	}
	r.Management = append(r.Management, r.Repository.Changes...)

	iam := iamsdk.NewFromConfig(base)
	provider, err := oidcfed.EnsureProvider(ctx, iam, spec.providerSpec(), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("GitHub provider", "")...)
	}
	r.Management = append(r.Management, provider.Changes...)
	r.CIRole, err = oidcfed.EnsureGitHubRole(ctx, iam, spec.ciRoleSpec(provider.ARN, mgmtID, cosign.ARN), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.adoptions("CI role", "")...)
	}
	r.Management = append(r.Management, r.CIRole.Changes...)
	return nil
}

// perAccount converges, in every account (the management account with the
// caller's config, members through their access role), the environment's
// key (seed 000's policy: EKS and the AutoScaling service-linked role,
// created first) and its Terraform state backend.
func (r *Result) perAccount(ctx context.Context, env *examplekit.Env, mgmtID string, accountIDs map[string]string, opts []foundation.Option) error {
	spec := r.spec
	envOf := map[string]string{mgmtID: "mgmt"}
	targets := []organizations.Target{{ID: mgmtID, Name: "mgmt"}}
	for _, e := range spec.Environments {
		// In a dry run an account to be created has a predicted ID, and
		// ForEachAccount plans its work as a new account answers.
		id := accountIDs[e.Name]
		targets = append(targets, organizations.Target{ID: id, Name: e.Account})
		envOf[id] = e.Name
	}
	var mu sync.Mutex
	sum, err := organizations.ForEachAccount(ctx, env.Config, organizations.FanOutSpec{
		Accounts:            targets,
		RoleName:            spec.AccessRole,
		ManagementAccountID: mgmtID,
		ConfigOptions:       []organizations.AccountConfigOption{organizations.WithSessionName("foundation-landingzone")},
	}, func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
		name := envOf[t.ID]
		var changes foundation.Changes
		// The account-level S3 Block Public Access, all four settings on
		// (Security Hub S3.1): it covers every bucket of the account, the
		// state bucket below and those made outside this program.
		// On a failure, what this account's earlier steps made is returned
		// with the error (what the failing call made, its error carries:
		// examplekit.FanOut adds it), so the report lists it (found from
		// outside: a failed key left out the public access block made
		// before it).
		pab, err := s3account.EnsurePublicAccessBlock(ctx, s3control.NewFromConfig(cfg, s3ControlOptions(env)...),
			spec.publicAccessBlockSpec(t.ID), opts...)
		if err != nil {
			return nil, err
		}
		changes = append(changes, pab.Changes...)
		if name != "mgmt" { // the management account's key is the images key
			key, err := kms.EnsureKey(ctx, kms.API{KMS: kmssdk.NewFromConfig(cfg), IAM: iamsdk.NewFromConfig(cfg)}, spec.accountKeySpec(name, t.ID), opts...)
			if err != nil {
				return changes, spec.src.Adopting(err, spec.adoptions(name+": key", t.ID)...)
			}
			changes = append(changes, key.Changes...)
		}
		b, err := statebackend.Bootstrap(ctx, statebackend.API{S3: env.S3(cfg), DynamoDB: dynamodb.NewFromConfig(cfg)}, spec.backendSpec(name, t.ID), opts...)
		if err != nil {
			return changes, spec.src.Adopting(err, spec.adoptions(name+": state backend", t.ID)...)
		}
		mu.Lock()
		r.Backends[t.ID] = b
		mu.Unlock()
		return append(changes, b.Changes...), nil
	}, append([]foundation.Option{foundation.WithConcurrency(maxParallelAccounts)}, opts...)...) // the caller's options win
	r.Accounts = sum
	return err
}

// s3ControlOptions are the S3 Control client options for env: on an
// emulator (path-style S3), the endpoint as it is (s3account.LiteralEndpoint),
// since a loopback endpoint cannot take S3 Control's per-account host.
func s3ControlOptions(env *examplekit.Env) []func(*s3control.Options) {
	if env.PathStyle {
		return []func(*s3control.Options){s3account.LiteralEndpoint}
	}
	return nil
}
