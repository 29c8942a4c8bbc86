package main

import (
	"context"
	"errors"
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
	"github.com/awsfoundation/foundation/internal/call"
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
	// Planned lists what a dry run cannot ask AWS about yet because what
	// it depends on does not exist (an OU, an account, Identity Center).
	Planned foundation.Changes
	// ConfigFile is the generated AWS CLI config.
	ConfigFile string
	// Repository and CIRole are the image repository and the CI role.
	Repository *ecr.Repository
	CIRole     *oidcfed.Role

	// files is where the run wrote ConfigFile (whether it is kept), and
	// realAWS whether it ran on AWS: the sign-in hint depends on both.
	files   *output
	realAWS bool
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int {
	n := len(r.Organization.Changes) + len(r.Tree.Changes) + len(r.Management) + len(r.Planned)
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
// prints what exists now; a rerun finishes the work.
func Converge(ctx context.Context, env *examplekit.Env, spec Spec, outDir string, opts ...foundation.Option) (_ *Result, err error) {
	dryRun := call.Resolve(opts...).DryRun
	base := env.Config
	org := orgsdk.NewFromConfig(base)
	res := &Result{spec: spec, Backends: map[string]*statebackend.Backend{}}
	defer func() {
		if err != nil {
			err = res.incomplete(err)
		}
	}()

	// 1. The organization, its OUs and accounts.
	var mgmtID string
	res.Organization, res.Tree, mgmtID, err = examplekit.Organization(ctx, base, spec.organizationSpec(), spec.treeSpec(), opts...)
	if err != nil {
		return nil, err
	}
	accountIDs := map[string]string{} // environment -> account ID ("" in dry run before it exists)
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
	if err := res.images(ctx, base, mgmtID, accountIDs, dryRun, opts); err != nil {
		return nil, err
	}

	// 5. Every account: an encryption key and a Terraform state backend.
	return res, res.perAccount(ctx, env, mgmtID, accountIDs, opts)
}

// incomplete wraps err, the failure of one step, with the changes the
// steps before it made and those the failing call made before it failed.
func (r *Result) incomplete(err error) error {
	var made foundation.Changes
	if r.Organization != nil {
		made = append(made, r.Organization.Changes...)
	}
	if r.Tree != nil {
		made = append(made, r.Tree.Changes...)
	}
	made = append(made, r.Management...)
	if r.Accounts != nil {
		for _, a := range r.Accounts.Results {
			made = append(made, a.Changes...)
		}
	} else if inc := (*foundation.IncompleteError)(nil); errors.As(err, &inc) {
		made = append(made, inc.Changes...) // the failing call's own (per-account failures are in Accounts)
	}
	if len(made) == 0 {
		return err
	}
	return &foundation.IncompleteError{Changes: made, Err: err}
}

func (r *Result) plan(resource, id string) {
	r.Planned = append(r.Planned, foundation.Change{Action: foundation.ActionCreate, Resource: resource, ID: id})
}

func (r *Result) guardrails(ctx context.Context, org *orgsdk.Client, opts []foundation.Option) error {
	spec := r.spec
	policy, err := spec.guardrailPolicy()
	if err != nil {
		return err
	}
	p, err := scp.EnsurePolicy(ctx, org, policy, opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, p.Changes...)
	for _, e := range spec.Environments {
		if !e.Protected {
			continue
		}
		ou := r.Tree.OU(e.OU)
		if ou == nil || !examplekit.Known(ou.ID) { // dry run: the OU does not exist yet
			r.plan("organizations:policy-attachment", e.OU+" <- "+policy.Name)
			continue
		}
		a, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{TargetID: ou.ID, Policies: []string{policy.Name}}, opts...)
		if err != nil {
			return fmt.Errorf("guardrail on %s: %w", e.OU, err)
		}
		r.Management = append(r.Management, attachmentsByPath(a.Changes, ou.ID, e.OU)...)
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
	complete := examplekit.Known(mgmtID)
	for _, id := range accounts {
		complete = complete && examplekit.Known(id)
	}
	access := spec.accessSpec(accounts, complete)
	// In a dry run before Identity Center exists (it comes with the
	// organization, a console step on AWS), EnsureAccess plans what the
	// first run will create.
	a, err := identitycenter.EnsureAccess(ctx, api, access, opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, a.Changes...)
	if !complete || !examplekit.Known(a.Instance.ARN) {
		if !complete {
			r.plan("sso:account-assignment", fmt.Sprintf("%s x AdministratorAccess, ReadOnlyAccess x %d accounts", spec.AdminGroup, len(accounts)))
		}
		r.plan("aws-config:profile", configPath(outDir))
		return nil
	}

	// The ~/.aws/config every engineer gets: one sso-session, a profile per
	// account and region.
	cfg := spec.configSpec(a.Instance.DefaultStartURL(), mgmtID, accountIDs)
	r.ConfigFile = configPath(outDir)
	changes, err := identitycenter.WriteConfigFile(r.ConfigFile, cfg, true, opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, changes...)
	return nil
}

func (r *Result) images(ctx context.Context, base aws.Config, mgmtID string, accountIDs map[string]string, dryRun bool, opts []foundation.Option) error {
	spec := r.spec
	keyAPI := kms.API{KMS: kmssdk.NewFromConfig(base), IAM: iamsdk.NewFromConfig(base)}
	imagesKey, err := kms.EnsureKey(ctx, keyAPI, spec.imagesKeySpec(mgmtID), opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, imagesKey.Changes...)
	cosign, err := kms.EnsureKey(ctx, keyAPI, spec.cosignKeySpec(mgmtID), opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, cosign.Changes...)

	var pull []string
	for _, e := range spec.Environments {
		if id := accountIDs[e.Name]; examplekit.Known(id) {
			pull = append(pull, id)
		}
	}
	repo := spec.repositorySpec(imagesKey.ARN, pull)
	if !examplekit.Known(imagesKey.ARN) || len(pull) < len(spec.Environments) { // dry run: the key or accounts are still to come
		r.plan("ecr:repository", spec.Repository+" (KMS-encrypted, IMMUTABLE, scan on push, pull from every environment)")
	} else {
		if r.Repository, err = ecr.EnsureRepository(ctx, ecrsdk.NewFromConfig(base), repo, opts...); err != nil {
			return err
		}
		r.Management = append(r.Management, r.Repository.Changes...)
	}

	iam := iamsdk.NewFromConfig(base)
	provider, err := oidcfed.EnsureProvider(ctx, iam, oidcfed.GitHub().ProviderSpec(), opts...)
	if err != nil {
		return err
	}
	r.Management = append(r.Management, provider.Changes...)
	providerARN := provider.ARN
	if !examplekit.Known(providerARN) {
		providerARN = oidcfed.GitHub().ProviderARN(mgmtID)
	}
	cosignARN := cosign.ARN
	if !examplekit.Known(cosignARN) {
		cosignARN = "arn:aws:kms:" + spec.Region + ":" + mgmtID + ":key/<new>"
	}
	if dryRun && (!examplekit.Known(provider.ARN) || !examplekit.Known(cosign.ARN)) {
		r.plan("iam:role", spec.Cluster+"-github-ci (trusts "+spec.GitHubRepository+"@"+spec.GitHubBranch+")")
		return nil
	}
	r.CIRole, err = oidcfed.EnsureGitHubRole(ctx, iam, spec.ciRoleSpec(providerARN, mgmtID, cosignARN), opts...)
	if err != nil {
		return err
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
	envOf := map[string]string{}
	targets := []organizations.Target{}
	if examplekit.Known(mgmtID) {
		targets = append(targets, organizations.Target{ID: mgmtID, Name: "mgmt"})
		envOf[mgmtID] = "mgmt"
	}
	for _, e := range spec.Environments {
		id := accountIDs[e.Name]
		if !examplekit.Known(id) { // dry run: the account does not exist yet
			r.plan(s3account.ResPublicAccessBlock, "<"+e.Account+">")
			r.plan("kms:key", fmt.Sprintf("alias/%s-%s-main in %s", e.Name, spec.Region, e.Account))
			r.plan("s3:bucket", fmt.Sprintf("%s-terraform-state-<%s>", spec.Project, e.Account))
			continue
		}
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
		pab, err := s3account.EnsurePublicAccessBlock(ctx, s3control.NewFromConfig(cfg, s3ControlOptions(env)...),
			spec.publicAccessBlockSpec(t.ID), opts...)
		if err != nil {
			return nil, err
		}
		changes = append(changes, pab.Changes...)
		if name != "mgmt" { // the management account's key is the images key
			key, err := kms.EnsureKey(ctx, kms.API{KMS: kmssdk.NewFromConfig(cfg), IAM: iamsdk.NewFromConfig(cfg)}, spec.accountKeySpec(name, t.ID), opts...)
			if err != nil {
				return nil, err
			}
			changes = append(changes, key.Changes...)
		}
		b, err := statebackend.Bootstrap(ctx, statebackend.API{S3: env.S3(cfg), DynamoDB: dynamodb.NewFromConfig(cfg)}, spec.backendSpec(name, t.ID), opts...)
		if err != nil {
			return changes, err
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
