package account

import (
	"context"
	"errors"
	"regexp"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"

	"github.com/awsfoundation/foundation"
)

// NameSpec is an account's name.
type NameSpec struct {
	// AccountID is the member account to rename; empty for the account
	// the API's credentials act in (see ContactsSpec.AccountID).
	AccountID string
	// Name is the account's name: 1-50 printable ASCII characters but
	// < and >.
	Name string
}

var nameRe = regexp.MustCompile(`^[ -;=?-~]+$`)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s NameSpec) Validate() error { return errors.Join(s.faults(false)...) }

func (s NameSpec) faults(planning bool) []error {
	errs := accountFaults(s.AccountID, planning)
	if n := utf8.RuneCountInString(s.Name); n < 1 || n > 50 || !nameRe.MatchString(s.Name) {
		errs = append(errs, invalid("spec.Name", s.Name, "must be 1-50 printable ASCII characters, without < or >"))
	}
	return errs
}

// AccountName is the account's name after EnsureAccountName (in a dry run,
// what it would be).
type AccountName struct {
	AccountID string
	Name      string
	// Changes lists the rename, if any, with a Diff of the name.
	Changes foundation.Changes
}

// EnsureAccountName converges the account's name: GetAccountInformation,
// then PutAccountName (the Account Management API's, 2024) only when the
// name differs. A second run makes no mutating call. Organizations'
// ListAccounts shows the new name too.
func EnsureAccountName(ctx context.Context, api NameAPI, spec NameSpec, opts ...foundation.Option) (*AccountName, error) {
	_, rec, err := begin(opts, api, spec.faults)
	if err != nil {
		return nil, err
	}
	res := &AccountName{AccountID: spec.AccountID, Name: spec.Name}
	have := ""
	if !isPlanned(spec.AccountID) {
		out, err := api.GetAccountInformation(ctx, &acct.GetAccountInformationInput{AccountId: accountParam(spec.AccountID)})
		if err != nil {
			return nil, rec.Fail(wrap(spec.AccountID, "get account information", err))
		}
		have = aws.ToString(out.AccountName)
		if res.AccountID == "" {
			res.AccountID = aws.ToString(out.AccountId)
		}
	}
	if have == spec.Name {
		return res, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResAccountName, ID: changeID(spec.AccountID, "name"),
		Diffs: []foundation.Diff{{Field: "AccountName", From: have, To: spec.Name}}}
	err = rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := api.PutAccountName(ctx, &acct.PutAccountNameInput{AccountId: accountParam(spec.AccountID), AccountName: aws.String(spec.Name)})
		if err != nil {
			return wrap(spec.AccountID, "put account name", err)
		}
		return nil
	})
	if err != nil {
		return nil, rec.Fail(err)
	}
	res.Changes = rec.Changes()
	return res, nil
}
