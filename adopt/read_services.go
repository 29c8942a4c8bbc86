package adopt

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/organizations"
)

// services reads the services with trusted access and their delegated
// administrators (the registry organizations.EnsureServiceAccess
// converges), then the centralized root access when IAM has trusted
// access.
func (r *reader) services(ctx context.Context, f *Foundation) error {
	enabled := map[string]bool{}
	r.enabled = enabled
	sp := orgsdk.NewListAWSServiceAccessForOrganizationPaginator(r.api.Organizations, &orgsdk.ListAWSServiceAccessForOrganizationInput{})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list services with trusted access: %w", err)
		}
		for _, s := range page.EnabledServicePrincipals {
			enabled[aws.ToString(s.ServicePrincipal)] = true
		}
	}
	admins := map[string][]string{} // service principal -> account IDs
	ap := orgsdk.NewListDelegatedAdministratorsPaginator(r.api.Organizations, &orgsdk.ListDelegatedAdministratorsInput{})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list delegated administrators: %w", err)
		}
		for _, d := range page.DelegatedAdministrators {
			id := aws.ToString(d.Id)
			dp := orgsdk.NewListDelegatedServicesForAccountPaginator(r.api.Organizations, &orgsdk.ListDelegatedServicesForAccountInput{AccountId: d.Id})
			for dp.HasMorePages() {
				dpage, err := dp.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("adopt: services delegated to %s: %w", id, err)
				}
				for _, s := range dpage.DelegatedServices {
					p := aws.ToString(s.ServicePrincipal)
					admins[p] = appendNew(admins[p], id)
				}
			}
		}
	}
	active := map[string]bool{}
	for _, a := range f.Accounts {
		active[a.Email] = true
	}
	principals := make([]string, 0, len(enabled)+len(admins))
	for p := range enabled {
		principals = append(principals, p)
	}
	for p := range admins {
		if !enabled[p] {
			principals = append(principals, p)
		}
	}
	sort.Strings(principals)
next:
	for _, p := range principals {
		skip := func(reason string) {
			f.Skipped = append(f.Skipped, Skipped{Resource: organizations.ResServiceAccess, ID: p, Reason: reason})
		}
		if call := organizations.OwnAPIServices[p]; call != "" {
			skip("its administrator is set with the service's own API (" + call + "), which the library does not converge")
			continue
		}
		if !enabled[p] {
			skip("it has delegated administrators but no trusted access: converging would enable it")
			continue
		}
		svc := Service{Principal: p}
		ids := admins[p]
		sort.Strings(ids)
		for _, id := range ids {
			email := r.emails[id]
			if !active[email] {
				skip("its delegated administrator " + id + " is not an active account of the organization")
				continue next
			}
			svc.DelegatedAdministrators = append(svc.DelegatedAdministrators, email)
		}
		f.Services = append(f.Services, svc)
	}
	if r.api.IAM == nil || !enabled[organizations.ServiceIAM] {
		return nil
	}
	out, err := r.api.IAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	if err != nil {
		return fmt.Errorf("adopt: list the organization's root access features: %w", err)
	}
	if len(out.EnabledFeatures) > 0 {
		ra := &RootAccess{}
		for _, ft := range out.EnabledFeatures {
			ra.Features = append(ra.Features, string(ft))
		}
		slices.Sort(ra.Features)
		f.RootAccess = ra
	}
	return nil
}
