package organizations

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
)

// Organization is the organization as converged.
type Organization struct {
	// ID, ARN, ManagementAccountID, RootID and RootARN are empty in dry run
	// when the organization does not exist yet.
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
// converged in place: that is an *OrganizationError.
func EnsureOrganization(ctx context.Context, api EnsureOrganizationAPI, spec OrganizationSpec, opts ...foundation.Option) (*Organization, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	org := &Organization{}

	desc, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	switch {
	case err == nil:
	case is[*types.AWSOrganizationsNotInUseException](err):
		if r.o.DryRun {
			r.record(&org.Changes, foundation.Change{Action: foundation.ActionCreate, Resource: ResOrganization,
				Diffs: []foundation.Diff{{Field: "FeatureSet", To: string(types.OrganizationFeatureSetAll)}}})
			for _, t := range spec.PolicyTypes {
				r.record(&org.Changes, policyTypeChange(t))
				org.PolicyTypes = append(org.PolicyTypes, t)
			}
			slices.Sort(org.PolicyTypes)
			return org, nil
		}
		out, cerr := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}, retryCME)
		switch {
		case cerr == nil:
			desc = &organizations.DescribeOrganizationOutput{Organization: out.Organization}
			r.record(&org.Changes, foundation.Change{Action: foundation.ActionCreate, Resource: ResOrganization, ID: aws.ToString(out.Organization.Id),
				Diffs: []foundation.Diff{{Field: "FeatureSet", To: string(types.OrganizationFeatureSetAll)}}})
		case is[*types.AlreadyInOrganizationException](cerr):
			// Created concurrently: converge it.
			if desc, err = api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME); err != nil {
				return nil, fmt.Errorf("organizations: organization: describe: %w", err)
			}
		default:
			return nil, fmt.Errorf("organizations: organization: create: %w", cerr)
		}
	default:
		return nil, fmt.Errorf("organizations: organization: describe: %w", err)
	}
	o := desc.Organization
	org.ID, org.ARN = aws.ToString(o.Id), aws.ToString(o.Arn)
	org.ManagementAccountID, org.ManagementAccountEmail = aws.ToString(o.MasterAccountId), aws.ToString(o.MasterAccountEmail)
	// Changes IDs name the organization once it is known.
	for i := range org.Changes {
		if org.Changes[i].Resource == ResOrganization {
			org.Changes[i].ID = org.ID
		}
	}
	if o.FeatureSet == types.OrganizationFeatureSetConsolidatedBilling {
		return nil, &OrganizationError{OrganizationID: org.ID, ManagementAccountID: org.ManagementAccountID, Reason: ConsolidatedBillingOnly}
	}

	root, err := r.readRoot(ctx)
	if err != nil {
		if is[*types.AccessDeniedException](err) {
			return nil, &OrganizationError{OrganizationID: org.ID, ManagementAccountID: org.ManagementAccountID, Reason: NotManagementAccount, Err: err}
		}
		return nil, fmt.Errorf("organizations: organization %q: list roots: %w", org.ID, err)
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
			if !r.o.DryRun {
				_, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: t}, retryCME)
				if err != nil && !is[*types.PolicyTypeAlreadyEnabledException](err) {
					return nil, fmt.Errorf("organizations: policy type %s: enable: %w", t, err)
				}
			}
			r.record(&org.Changes, policyTypeChange(t))
		}
		if r.o.DryRun {
			status[t] = types.PolicyTypeStatusEnabled
			continue
		}
		if err := r.o.Poll(ctx, "policy type "+string(t)+" to be enabled", func(ctx context.Context) (bool, error) {
			root, err := r.readRoot(ctx)
			if err != nil {
				return false, err
			}
			status = policyTypeStatus(root)
			return status[t] == types.PolicyTypeStatusEnabled, nil
		}); err != nil {
			return nil, fmt.Errorf("organizations: policy type %s: %w", t, err)
		}
	}
	for t, s := range status {
		if s == types.PolicyTypeStatusEnabled {
			org.PolicyTypes = append(org.PolicyTypes, t)
		}
	}
	slices.Sort(org.PolicyTypes)
	r.log.Debug("organization", slog.String("id", org.ID), slog.Any("policyTypes", org.PolicyTypes))
	return org, nil
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

// readRoot reads the organization's root (uncached).
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
