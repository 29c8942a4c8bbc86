package account

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/awsfoundation/foundation"
)

// Contact is an alternate contact: whom AWS writes to about billing,
// operations or security. All four fields are required, as AWS requires.
type Contact struct {
	// Name is the contact's name, 1-64 characters.
	Name string
	// Title is the contact's title ("Security team"), 1-50 characters.
	Title string
	// Email is the contact's email address, at most 254 characters.
	Email string
	// Phone is the contact's phone number: digits, spaces, + - ( ), at
	// most 25 characters.
	Phone string
}

// ContactsSpec is the alternate contacts of one account. A nil contact is
// left as it is (never deleted by omission).
type ContactsSpec struct {
	// AccountID is the member account to converge; empty for the account
	// the API's credentials act in. Naming an account needs the
	// organization's management account or the Account Management delegated
	// administrator, with trusted access for ServicePrincipal. The
	// management account converges its own contacts with AccountID empty.
	AccountID  string
	Billing    *Contact
	Operations *Contact
	Security   *Contact
}

var (
	emailRe = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`)
	phoneRe = regexp.MustCompile(`^[\s0-9()+-]+$`)
)

// contacts returns the spec's contacts by AWS's type, in a stable order.
func (s ContactsSpec) contacts() []typedContact {
	var out []typedContact
	for _, c := range []typedContact{{types.AlternateContactTypeBilling, s.Billing}, {types.AlternateContactTypeOperations, s.Operations}, {types.AlternateContactTypeSecurity, s.Security}} {
		if c.c != nil {
			out = append(out, c)
		}
	}
	return out
}

type typedContact struct {
	typ types.AlternateContactType
	c   *Contact
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec, each naming the field and AWS's rule.
func (s ContactsSpec) Validate() error { return errors.Join(s.faults(false)...) }

func (s ContactsSpec) faults(planning bool) []error {
	errs := accountFaults(s.AccountID, planning)
	if len(s.contacts()) == 0 {
		errs = append(errs, invalid("spec", "", "names no contact: set Billing, Operations or Security"))
	}
	for _, tc := range s.contacts() {
		f := "spec." + fieldName(tc.typ)
		n := func(v string) int { return utf8.RuneCountInString(v) }
		c := tc.c
		if n(c.Name) < 1 || n(c.Name) > 64 {
			errs = append(errs, invalid(f+".Name", c.Name, "must be 1-64 characters"))
		}
		if n(c.Title) < 1 || n(c.Title) > 50 {
			errs = append(errs, invalid(f+".Title", c.Title, "must be 1-50 characters"))
		}
		if n(c.Email) > 254 || !emailRe.MatchString(c.Email) {
			errs = append(errs, invalid(f+".Email", c.Email, "must be an email address (NAME@DOMAIN.TLD), at most 254 characters"))
		}
		if n(c.Phone) > 25 || !phoneRe.MatchString(c.Phone) {
			errs = append(errs, invalid(f+".Phone", c.Phone, "must be a phone number of digits, spaces and + - ( ), at most 25 characters"))
		}
	}
	return errs
}

func fieldName(t types.AlternateContactType) string {
	switch t {
	case types.AlternateContactTypeBilling:
		return "Billing"
	case types.AlternateContactTypeOperations:
		return "Operations"
	}
	return "Security"
}

// Contacts is the account's alternate contacts after EnsureAlternateContacts
// (in a dry run, what they would be): those the spec named.
type Contacts struct {
	AccountID  string
	Billing    *Contact
	Operations *Contact
	Security   *Contact
	// Changes lists what was changed (in a dry run, what would be): a
	// create for a contact the account lacked, an update with a Diff per
	// field otherwise.
	Changes foundation.Changes
}

// EnsureAlternateContacts converges the alternate contacts the spec names:
// each is read (GetAlternateContact; ResourceNotFoundException is no
// contact) and put (PutAlternateContact, which replaces the contact whole)
// only when a field differs. Contacts the spec leaves nil are neither read
// nor changed. A second run makes no mutating call.
func EnsureAlternateContacts(ctx context.Context, api ContactsAPI, spec ContactsSpec, opts ...foundation.Option) (*Contacts, error) {
	_, rec, err := begin(opts, api, spec.faults)
	if err != nil {
		return nil, err
	}
	res := &Contacts{AccountID: spec.AccountID, Billing: spec.Billing, Operations: spec.Operations, Security: spec.Security}
	for _, tc := range spec.contacts() {
		var have *types.AlternateContact
		if !isPlanned(spec.AccountID) {
			out, err := api.GetAlternateContact(ctx, &acct.GetAlternateContactInput{AccountId: accountParam(spec.AccountID), AlternateContactType: tc.typ})
			var nf *types.ResourceNotFoundException
			switch {
			case errors.As(err, &nf):
			case err != nil:
				return nil, rec.Fail(wrap(spec.AccountID, fmt.Sprintf("get %s contact", tc.typ), err))
			default:
				have = out.AlternateContact
			}
		}
		diffs := contactDiffs(have, tc.c)
		if len(diffs) == 0 {
			continue
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResAlternateContact, ID: changeID(spec.AccountID, string(tc.typ)), Diffs: diffs}
		if have == nil {
			c.Action = foundation.ActionCreate
		}
		want := tc
		err := rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := api.PutAlternateContact(ctx, &acct.PutAlternateContactInput{AccountId: accountParam(spec.AccountID),
				AlternateContactType: want.typ, Name: aws.String(want.c.Name), Title: aws.String(want.c.Title),
				EmailAddress: aws.String(want.c.Email), PhoneNumber: aws.String(want.c.Phone)})
			if err != nil {
				return wrap(spec.AccountID, fmt.Sprintf("put %s contact", want.typ), err)
			}
			return nil
		})
		if err != nil {
			return nil, rec.Fail(err)
		}
	}
	res.Changes = rec.Changes()
	return res, nil
}

// contactDiffs lists the fields of have (nil: no contact) that differ from
// want.
func contactDiffs(have *types.AlternateContact, want *Contact) []foundation.Diff {
	if have == nil {
		have = &types.AlternateContact{}
	}
	var diffs []foundation.Diff
	for _, f := range []struct{ name, have, want string }{
		{"Name", aws.ToString(have.Name), want.Name},
		{"Title", aws.ToString(have.Title), want.Title},
		{"EmailAddress", aws.ToString(have.EmailAddress), want.Email},
		{"PhoneNumber", aws.ToString(have.PhoneNumber), want.Phone},
	} {
		if f.have != f.want {
			diffs = append(diffs, foundation.Diff{Field: f.name, From: f.have, To: f.want})
		}
	}
	return diffs
}
