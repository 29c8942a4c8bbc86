package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
)

// maxParallelAccounts bounds how many accounts are worked in at once.
const maxParallelAccounts = 4

// Result is what one Converge did (or, in dry run, would do).
type Result struct {
	spec         Spec
	Organization *organizations.Organization
	Tree         *organizations.TreeResult
	// AccountIDs maps account keys (and ManagementKey) to IDs; in a dry
	// run, predicted for an account that does not exist yet.
	AccountIDs map[string]string
	// Management lists the changes made from the management account:
	// guardrails and Identity Center access.
	Management foundation.Changes
	// Roles is the deployment role's work in each target account.
	Roles *organizations.Summary
	// RoleARNs are the deployment roles by account key.
	RoleARNs map[string]string
	// failing are the changes the call that failed made before it failed,
	// when it was made from the management account.
	failing foundation.Changes
}

// AccountChanges lists every change with its account, in the order made:
// the organization's and the management account's, then each deployment
// role's (examplekit.Lister, -json).
func (r *Result) AccountChanges() []examplekit.AccountChange {
	var cs foundation.Changes
	if r.Organization != nil {
		cs = append(cs, r.Organization.Changes...)
	}
	if r.Tree != nil {
		cs = append(cs, r.Tree.Changes...)
	}
	out := examplekit.In(r.AccountIDs[ManagementKey], append(append(cs, r.Management...), r.failing...))
	return append(out, examplekit.FanOut(r.Roles)...)
}

// Count returns the number of changes made (or planned).
func (r *Result) Count() int {
	n := len(r.Organization.Changes) + len(r.Tree.Changes) + len(r.Management)
	if r.Roles != nil {
		n += r.Roles.Count()
	}
	return n
}

// Converge converges SecureCart's foundation from the management account's
// config base: the organization and its tree, the guardrails on every OU,
// Identity Center access, then the deployment role in every workload
// account, each reached through its access role.
//
// A failed Converge returns an error carrying every change made before the
// failure, in every step (a *foundation.IncompleteError), so the program
// prints what exists now, and the Result of the steps done (AccountChanges
// lists the same changes with their accounts); a rerun finishes the work.
func Converge(ctx context.Context, base aws.Config, spec Spec, opts ...foundation.Option) (out *Result, err error) {
	org := orgsdk.NewFromConfig(base)
	res := &Result{spec: spec, AccountIDs: map[string]string{}, RoleARNs: map[string]string{}}
	defer func() {
		if err != nil {
			if res.Roles == nil { // a failed account's changes are in Roles
				res.failing = examplekit.Made(err)
			}
			out, err = res, examplekit.Incomplete(err, res.AccountChanges())
		}
	}()

	// 1. The organization, its three OUs and six accounts.
	var mgmtID string
	tree, adopt := spec.tree()
	res.Organization, res.Tree, mgmtID, err = examplekit.Organization(ctx, base, spec.organizationSpec(), tree, opts...)
	if err != nil {
		return nil, spec.src.Adopting(err, adopt...)
	}
	res.AccountIDs[ManagementKey] = mgmtID
	for _, a := range spec.Accounts {
		res.AccountIDs[a.Key] = res.Tree.Account(spec.email(a.Key)).ID
	}

	// 2. The guardrails, on every OU.
	if err := res.guardrails(ctx, org, opts); err != nil {
		return nil, err
	}
	// 3. Identity Center: groups, permission sets, assignments.
	if err := res.access(ctx, base, opts); err != nil {
		return nil, err
	}
	// 4. The deployment role in every workload account.
	return res, res.deploymentRoles(ctx, base, opts)
}

// Guardrails builds seed 002's SCP (the composition of scp/seeds_test.go's
// seed002): no root user, the allowed Regions only, S3, EBS and RDS
// encryption, no internet gateways but in the networking account.
func Guardrails(spec Spec, networkAccountID string) (*foundation.PolicyDocument, error) {
	return scp.Build(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{
			Allowed:             spec.AllowedRegions,
			ExemptPrincipalARNs: spec.RegionExemptPrincipals,
		}),
		scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
		scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
		scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
		scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{networkAccountID}}),
	)
}

func (r *Result) guardrails(ctx context.Context, org *orgsdk.Client, opts []foundation.Option) error {
	spec := r.spec
	ps, err := spec.guardrailPolicy(r.AccountIDs[spec.NetworkAccount])
	if err != nil {
		return err
	}
	p, err := scp.EnsurePolicy(ctx, org, ps, opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.guardrailAdoption())
	}
	r.Management = append(r.Management, p.Changes...)
	for _, path := range spec.GuardrailOUs {
		ou := r.Tree.OU(path) // in a dry run before it exists, its ID is predicted
		if ou == nil {        // the file's rules refuse this before any call
			return fmt.Errorf("guardrails on %s: not an OU of the tree", path)
		}
		a, err := scp.EnsureAttachments(ctx, org, spec.attachmentSpec(ou.ID), opts...)
		if err != nil {
			return fmt.Errorf("guardrails on %s: %w", path, err)
		}
		// Distinct: scp's dry run plans enabling SCPs on a root to be
		// created in every call (examplekit.Distinct).
		r.Management = examplekit.Distinct(append(r.Management, a.Changes...))
	}
	return nil
}

func (r *Result) access(ctx context.Context, base aws.Config, opts []foundation.Option) error {
	spec := r.spec
	api := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(base), IdentityStore: identitystore.NewFromConfig(base)}
	// In a dry run before Identity Center exists (it comes with the
	// organization, a console step on AWS), EnsureAccess plans what the
	// first run will create, with the accounts' predicted IDs.
	a, err := identitycenter.EnsureAccess(ctx, api, spec.accessSpec(r.AccountIDs), opts...)
	if err != nil {
		return spec.src.Adopting(err, spec.accessAdoptions()...)
	}
	r.Management = append(r.Management, a.Changes...)
	return nil
}

// deploymentRoles converges the deployment role in every target account,
// trusting only the TrustedAccounts, through organizations.ForEachAccount.
func (r *Result) deploymentRoles(ctx context.Context, base aws.Config, opts []foundation.Option) error {
	spec := r.spec
	role := spec.deploymentRoleSpec(r.AccountIDs)
	var targets []organizations.Target
	keyOf := map[string]string{}
	for _, key := range spec.DeploymentTargets {
		// In a dry run an account to be created has a predicted ID, and
		// ForEachAccount plans its role as a new account answers.
		id := r.AccountIDs[key]
		targets = append(targets, organizations.Target{ID: id, Name: spec.account(key).Name})
		keyOf[id] = key
	}
	var mu sync.Mutex
	sum, err := organizations.ForEachAccount(ctx, base, organizations.FanOutSpec{
		Accounts:      targets,
		RoleName:      spec.AccessRole,
		ConfigOptions: []organizations.AccountConfigOption{organizations.WithSessionName("foundation-securecart")},
	}, func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
		got, err := organizations.EnsureCrossAccountRole(ctx, iamsdk.NewFromConfig(cfg), role, opts...)
		if err != nil {
			return nil, spec.src.Adopting(err, spec.roleAdoption())
		}
		arn := got.ARN
		if !examplekit.Known(arn) { // dry run of a role to create: the account is known
			arn = "arn:aws:iam::" + t.ID + ":role" + got.Path + got.Name
		}
		mu.Lock()
		r.RoleARNs[keyOf[t.ID]] = arn
		mu.Unlock()
		return got.Changes, nil
	}, append([]foundation.Option{foundation.WithConcurrency(maxParallelAccounts)}, opts...)...) // the caller's options win
	r.Roles = sum
	return err
}
