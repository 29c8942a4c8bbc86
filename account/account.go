package account

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "account"

// The Resource of the changes the package reports. Their ID is the
// account ID and the setting ("210987654321/SECURITY",
// "210987654321/eu-central-2"), or the setting alone for the caller's own
// account ("SECURITY").
const (
	ResAlternateContact = "account:alternate-contact"
	ResRegion           = "account:region"
	ResAccountName      = "account:name"
)

// ServicePrincipal is the service principal whose trusted access an
// organization enables (organizations:EnableAWSServiceAccess) before its
// management account or delegated administrator can manage member accounts
// with AccountID.
const ServicePrincipal = "account.amazonaws.com"

func invalid(field, value, rule string) error { return specerr.New(pkg, field, value, rule) }

var accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)

// accountFaults checks an AccountID field ("" is the caller's account; a
// dry run's predicted ID is accepted when planning).
func accountFaults(id string, planning bool) []error {
	switch {
	case id == "":
	case plan.IsPredicted(id):
		if !planning {
			return []error{invalid("spec.AccountID", id, "is an account ID a dry run predicted for an account it would create: a real run needs the account's ID")}
		}
	case !accountIDRe.MatchString(id):
		return []error{invalid("spec.AccountID", id, "must be 12 digits (or empty for the caller's own account)")}
	}
	return nil
}

// accountParam is AccountId for the API: nil for the caller's account.
func accountParam(id string) *string {
	if id == "" {
		return nil
	}
	return aws.String(id)
}

// changeID is the ID of a change of setting in account id.
func changeID(id, setting string) string {
	if id == "" {
		return setting
	}
	return id + "/" + setting
}

// where names the account in errors.
func where(id string) string {
	if id == "" {
		return "the caller's account"
	}
	return "account " + id
}

// wrap wraps an API error once with the package, the account and what was
// being done; AccessDeniedException with an AccountID says what AWS
// requires of a call naming a member account.
func wrap(id, what string, err error) error {
	var ad *types.AccessDeniedException
	if id != "" && errors.As(err, &ad) {
		return fmt.Errorf("%s: %s: %s (naming a member account needs the organization's management account or the Account Management delegated administrator, trusted access for %s, and an active member account other than the caller's): %w",
			pkg, where(id), what, ServicePrincipal, err)
	}
	return fmt.Errorf("%s: %s: %s: %w", pkg, where(id), what, err)
}

// begin resolves a call's options and checks its input before any call:
// the spec's faults (a dry run's predicted account ID accepted when the
// call plans) and a nil api, in one error matching foundation.ErrInvalidSpec.
func begin(opts []foundation.Option, api any, faults func(planning bool) []error) (call.Options, *plan.Recorder, error) {
	o := call.Resolve(opts...)
	rec := plan.New(o)
	errs := faults(rec.Planning())
	if api == nil {
		errs = append(errs, invalid("api", "", "must not be nil"))
	}
	return o, rec, errors.Join(errs...)
}

// isPlanned reports whether the account is one a dry run predicted: it
// does not exist, so nothing can be read from it.
func isPlanned(id string) bool { return plan.IsPredicted(id) }
