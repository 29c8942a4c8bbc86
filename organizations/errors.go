package organizations

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// ErrAccountNotFound is returned (wrapped) by CloseAccount when no account
// of the organization has the spec's email.
var ErrAccountNotFound = errors.New("no account of the organization has this email")

// OrganizationErrorReason says why an existing organization cannot be used.
type OrganizationErrorReason string

// The reasons of an OrganizationError.
const (
	// ConsolidatedBillingOnly: the organization has only the consolidated
	// billing feature set. Enabling all features needs every member
	// account's approval (EnableAllFeatures and handshakes), which this
	// package does not do.
	ConsolidatedBillingOnly OrganizationErrorReason = "has only consolidated billing features; enable all features first (EnableAllFeatures, approved by every member account)"
	// NotManagementAccount: the caller's account is a member of the
	// organization, not its management account (AWS refused ListRoots).
	NotManagementAccount OrganizationErrorReason = "the caller is not the organization's management account (or may not call organizations:ListRoots)"
)

// OrganizationError is returned when the caller's organization exists but
// cannot be converged in place. Match it with errors.As.
type OrganizationError struct {
	OrganizationID      string
	ManagementAccountID string
	Reason              OrganizationErrorReason
	// Err is the AWS error that revealed the reason, if any.
	Err error
}

func (e *OrganizationError) Error() string {
	msg := fmt.Sprintf("organizations: organization %q (management account %s): %s", e.OrganizationID, e.ManagementAccountID, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *OrganizationError) Unwrap() error { return e.Err }

// AccountCreationError is returned when AWS failed a CreateAccount request.
// Reason is AWS's FailureReason, such as
// types.CreateAccountFailureReasonEmailAlreadyExists or
// types.CreateAccountFailureReasonAccountLimitExceeded. Match it with
// errors.As.
type AccountCreationError struct {
	Email     string
	Name      string
	Reason    types.CreateAccountFailureReason
	RequestID string // the CreateAccount request ("car-...")
}

func (e *AccountCreationError) Error() string {
	msg := fmt.Sprintf("organizations: account %q: create (request %s): AWS failed it: %s", e.Email, e.RequestID, e.Reason)
	switch e.Reason {
	case types.CreateAccountFailureReasonEmailAlreadyExists:
		msg += " (the email belongs to an AWS account outside this organization; invite it or use another email)"
	case types.CreateAccountFailureReasonAccountLimitExceeded:
		msg += " (the organization has reached its account quota; ask AWS Support to raise it)"
	}
	return msg
}

// AccountClosedError is returned when the account of a spec exists but is
// closed or closing (PENDING_CLOSURE, SUSPENDED, CLOSED): its email cannot
// be used for another account, and the account cannot be reopened through
// the API.
type AccountClosedError struct {
	AccountID string
	Email     string
	State     types.AccountState
}

func (e *AccountClosedError) Error() string {
	return fmt.Sprintf("organizations: account %q (%s): is %s; reopen it through AWS Support or remove it from the spec", e.Email, e.AccountID, e.State)
}

// ManagementAccountError is returned by CloseAccount for the
// organization's management account, which cannot be closed through
// Organizations (nor moved to the suspended OU by it).
type ManagementAccountError struct {
	AccountID string
	Err       error // the AWS error, when AWS refused it
}

func (e *ManagementAccountError) Error() string {
	msg := fmt.Sprintf("organizations: account %s: is the organization's management account, which cannot be closed through Organizations", e.AccountID)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ManagementAccountError) Unwrap() error { return e.Err }

// CloseQuotaError is returned when AWS refused to close an account because
// of its closure quotas. It is not retried. Reason is
// CLOSE_ACCOUNT_QUOTA_EXCEEDED (within any rolling 30 days an organization
// can close the higher of 250 or 20% of its member accounts, at most 1,000:
// try again when earlier closures leave the window) or
// CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED (too many closures in progress at
// once: try again when pending closures complete).
type CloseQuotaError struct {
	AccountID string
	Email     string
	Reason    types.ConstraintViolationExceptionReason
	Err       error // the *types.ConstraintViolationException
}

func (e *CloseQuotaError) Error() string {
	when := "try again once earlier closures are more than 30 days old (within any rolling 30 days AWS closes at most the higher of 250 or 20% of the member accounts, up to 1,000)"
	if e.Reason == types.ConstraintViolationExceptionReasonCloseAccountRequestsLimitExceeded {
		when = "too many accounts are being closed at once; try again when pending closures complete"
	}
	return fmt.Sprintf("organizations: account %q (%s): close: AWS closure quota reached (%s): %s: %v", e.Email, e.AccountID, e.Reason, when, e.Err)
}

func (e *CloseQuotaError) Unwrap() error { return e.Err }

// constraintReason returns the Reason of a ConstraintViolationException, or "".
func constraintReason(err error) types.ConstraintViolationExceptionReason {
	var cv *types.ConstraintViolationException
	if errors.As(err, &cv) {
		return cv.Reason
	}
	return ""
}

func is[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}
