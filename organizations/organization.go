package organizations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// Organization is the organization as converged.
type Organization struct {
	// ID, ARN, ManagementAccountID and RootARN are empty in dry run when
	// the organization does not exist yet; RootID is then the predicted
	// identifier "(known after apply: root )", which the next calls of
	// the same dry run (scp.EnsureAttachments) accept and a real run
	// refuses.
	ID                     string
	ARN                    string
	ManagementAccountID    string
	ManagementAccountEmail string
	RootID                 string
	RootARN                string
	// PolicyTypes are the policy types enabled on the root (in dry run: that
	// would be), sorted; types enabled outside the spec are included.
	PolicyTypes []types.PolicyType
	// Changes lists the changes made (in dry run: that would be made).
	Changes foundation.Changes
}

// EnsureOrganization converges the caller's organization: created with all
// features if the caller's account is in none, and the policy types of spec
// enabled on the root (waited for until ENABLED). Policy types enabled but
// not in the spec are left enabled.
//
// An organization with only consolidated billing features, or a caller
// that is a member account rather than the management account, cannot be
// converged in place: that is an *OrganizationError. On error the result
// is nil and the error carries the changes made before it (a
// *foundation.IncompleteError).
func EnsureOrganization(ctx context.Context, api EnsureOrganizationAPI, spec OrganizationSpec, opts ...foundation.Option) (*Organization, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	org := &Organization{}
	err := r.ensureOrganization(ctx, api, spec, org)
	// The change that created the organization is recorded before AWS
	// names it: its ID is the organization's once known.
	nameOrg := func(cs foundation.Changes) foundation.Changes {
		for i := range cs {
			if cs[i].Resource == ResOrganization {
				cs[i].ID = org.ID
			}
		}
		return cs
	}
	if err != nil {
		err = r.rec.Fail(err)
		var inc *foundation.IncompleteError
		if errors.As(err, &inc) {
			inc.Changes = nameOrg(inc.Changes)
		}
		return nil, err
	}
	org.Changes = nameOrg(r.rec.Changes())
	return org, nil
}

func (r *run) ensureOrganization(ctx context.Context, api EnsureOrganizationAPI, spec OrganizationSpec, org *Organization) error {
	desc, err := r.describeOrganization(ctx)
	switch {
	case err == nil:
	case is[*types.AWSOrganizationsNotInUseException](err):
		applied, err := r.rec.Do(ctx, foundation.Change{Action: foundation.ActionCreate, Resource: ResOrganization,
			Diffs: []foundation.Diff{{Field: "FeatureSet", To: string(types.OrganizationFeatureSetAll)}}}, func(ctx context.Context) error {
			out, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}, retryCME)
			// A new organization: nothing read of an earlier state
			// holds.
			r.cache.Invalidate(keyAllOrganization)
			switch {
			case err == nil:
				desc = &organizations.DescribeOrganizationOutput{Organization: out.Organization}
				readcache.Put(r.cache, keyOrganization, desc)
				return nil
			case is[*types.AlreadyInOrganizationException](err):
				// Created concurrently: converge it.
				if desc, err = api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME); err != nil {
					return fmt.Errorf("organizations: organization: describe: %w", err)
				}
				return plan.ErrUnchanged
			}
			return fmt.Errorf("organizations: organization: create: %w", err)
		})
		if err != nil {
			return err
		}
		if !applied {
			// Planned: the new organization's root has the policy types
			// enabled; its ID and the organization's are predicted.
			org.ID = plan.Predict("organization", "")
			org.RootID = plan.Predict("root", "")
			for _, t := range spec.PolicyTypes {
				r.rec.Also(policyTypeChange(t))
				org.PolicyTypes = append(org.PolicyTypes, t)
			}
			slices.Sort(org.PolicyTypes)
			return nil
		}
	default:
		return fmt.Errorf("organizations: organization: describe: %w", err)
	}
	o := desc.Organization
	org.ID, org.ARN = aws.ToString(o.Id), aws.ToString(o.Arn)
	org.ManagementAccountID, org.ManagementAccountEmail = aws.ToString(o.MasterAccountId), aws.ToString(o.MasterAccountEmail)
	if o.FeatureSet == types.OrganizationFeatureSetConsolidatedBilling {
		return &OrganizationError{OrganizationID: org.ID, ManagementAccountID: org.ManagementAccountID, Reason: ConsolidatedBillingOnly}
	}

	root, err := r.cachedRoot(ctx)
	if err != nil {
		if is[*types.AccessDeniedException](err) {
			return &OrganizationError{OrganizationID: org.ID, ManagementAccountID: org.ManagementAccountID, Reason: NotManagementAccount, Err: err}
		}
		return fmt.Errorf("organizations: organization %q: list roots: %w", org.ID, err)
	}
	org.RootID, org.RootARN = aws.ToString(root.Id), aws.ToString(root.Arn)

	status := policyTypeStatus(root)
	for _, t := range spec.PolicyTypes {
		switch status[t] {
		case types.PolicyTypeStatusEnabled:
			continue
		case types.PolicyTypeStatusPendingEnable:
			// Enabled by someone else, not done yet: wait below.
		default:
			applied, err := r.rec.Do(ctx, policyTypeChange(t), func(ctx context.Context) error {
				_, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: t}, retryCME)
				r.cache.Invalidate(keyRoot) // its policy types changed
				// PolicyTypeAlreadyEnabledException: a retried enable
				// whose first attempt succeeded; the change was made.
				if err != nil && !is[*types.PolicyTypeAlreadyEnabledException](err) {
					return fmt.Errorf("organizations: policy type %s: enable: %w", t, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if !applied { // planned: nothing to wait for
				status[t] = types.PolicyTypeStatusEnabled
				continue
			}
		}
		if err := r.rec.Wait(ctx, r.o, "policy type "+string(t)+" to be enabled", func(ctx context.Context) (bool, error) {
			r.cache.Invalidate(keyRoot) // read it anew each poll
			root, err := r.cachedRoot(ctx)
			if err != nil {
				return false, err
			}
			// What was read, keeping the types this call enabled (or
			// planned to).
			for k, v := range policyTypeStatus(root) {
				if status[k] != types.PolicyTypeStatusEnabled {
					status[k] = v
				}
			}
			return status[t] == types.PolicyTypeStatusEnabled, nil
		}); err != nil {
			return fmt.Errorf("organizations: policy type %s: %w", t, err)
		}
		// Enabled, or (dry run, someone else's enable in progress) about
		// to be.
		status[t] = types.PolicyTypeStatusEnabled
	}
	for t, s := range status {
		if s == types.PolicyTypeStatusEnabled {
			org.PolicyTypes = append(org.PolicyTypes, t)
		}
	}
	slices.Sort(org.PolicyTypes)
	r.log.Debug("organization", slog.String("id", org.ID), slog.Any("policyTypes", org.PolicyTypes))
	return nil
}

func policyTypeChange(t types.PolicyType) foundation.Change {
	return foundation.Change{Action: foundation.ActionUpdate, Resource: ResPolicyType, ID: string(t),
		Diffs: []foundation.Diff{{Field: "Status", To: string(types.PolicyTypeStatusEnabled)}}}
}

func policyTypeStatus(root *types.Root) map[types.PolicyType]types.PolicyTypeStatus {
	m := map[types.PolicyType]types.PolicyTypeStatus{}
	for _, p := range root.PolicyTypes {
		m[p.Type] = p.Status
	}
	return m
}

// describeOrganization describes the organization once per run.
func (r *run) describeOrganization(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
	return readcache.Get(r.cache, keyOrganization, func() (*organizations.DescribeOrganizationOutput, error) {
		return r.api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	})
}

// readRoot reads the organization's root (uncached: see cachedRoot).
func (r *run) readRoot(ctx context.Context) (*types.Root, error) {
	p := organizations.NewListRootsPaginator(r.api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, err
		}
		if len(out.Roots) > 0 {
			return &out.Roots[0], nil
		}
	}
	return nil, fmt.Errorf("the organization has no root")
}
