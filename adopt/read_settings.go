package adopt

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	acctsdk "github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/internal/bounded"
)

// accountSettings reads each active account's alternate contacts and
// enabled opt-in Regions (the management account's own, the members'
// with AccountId, which needs trusted access for account.amazonaws.com).
func (r *reader) accountSettings(ctx context.Context, f *Foundation) error {
	if r.api.Account == nil {
		return nil
	}
	ids := map[string]string{} // email -> account ID
	for id, email := range r.emails {
		ids[email] = id
	}
	var todo []int
	members := r.enabled[account.ServicePrincipal]
	for i, a := range f.Accounts {
		if a.Management || members {
			todo = append(todo, i)
		}
	}
	if !members && len(todo) < len(f.Accounts) {
		f.Skipped = append(f.Skipped, Skipped{Resource: "account:settings", ID: "member accounts",
			Reason: "their alternate contacts and Regions are read only with trusted access for " + account.ServicePrincipal})
	}
	return bounded.ForEach(ctx, len(todo), r.o.Width(DefaultAccountReadConcurrency, 0), func(ctx context.Context, n int) error {
		a := &f.Accounts[todo[n]]
		var id *string
		if !a.Management {
			id = aws.String(ids[a.Email])
		}
		var contacts Contacts
		for _, c := range []struct {
			t  accttypes.AlternateContactType
			to **Contact
		}{{accttypes.AlternateContactTypeBilling, &contacts.Billing}, {accttypes.AlternateContactTypeOperations, &contacts.Operations}, {accttypes.AlternateContactTypeSecurity, &contacts.Security}} {
			out, err := r.api.Account.GetAlternateContact(ctx, &acctsdk.GetAlternateContactInput{AccountId: id, AlternateContactType: c.t})
			var nf *accttypes.ResourceNotFoundException
			switch {
			case errors.As(err, &nf):
				continue
			case err != nil:
				return fmt.Errorf("adopt: account %s: %s contact: %w", a.Email, c.t, err)
			}
			ac := out.AlternateContact
			*c.to = &Contact{Name: aws.ToString(ac.Name), Title: aws.ToString(ac.Title), Email: aws.ToString(ac.EmailAddress), Phone: aws.ToString(ac.PhoneNumber)}
		}
		if contacts != (Contacts{}) {
			a.Contacts = &contacts
		}
		rp := acctsdk.NewListRegionsPaginator(r.api.Account, &acctsdk.ListRegionsInput{AccountId: id,
			RegionOptStatusContains: []accttypes.RegionOptStatus{accttypes.RegionOptStatusEnabled, accttypes.RegionOptStatusEnabling}})
		for rp.HasMorePages() {
			page, err := rp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("adopt: account %s: Regions: %w", a.Email, err)
			}
			for _, reg := range page.Regions {
				a.Regions = append(a.Regions, aws.ToString(reg.RegionName))
			}
		}
		sort.Strings(a.Regions)
		return nil
	})
}
