package account

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
)

// PrimaryEmailAPI is the part of the Account Management client PrimaryEmail
// calls. *account.Client satisfies it.
type PrimaryEmailAPI interface {
	GetPrimaryEmail(ctx context.Context, params *acct.GetPrimaryEmailInput, optFns ...func(*acct.Options)) (*acct.GetPrimaryEmailOutput, error)
}

// PrimaryEmail returns the primary email address (the root user's) of a
// member account, read with GetPrimaryEmail from the organization's
// management account or the Account Management delegated administrator,
// with trusted access for ServicePrincipal. AWS serves it for member
// accounts only, so accountID is required. It only reads: changing the
// address (StartPrimaryEmailUpdate, AcceptPrimaryEmailUpdate) needs a code
// sent to the new address, which no program can converge.
func PrimaryEmail(ctx context.Context, api PrimaryEmailAPI, accountID string) (string, error) {
	var errs []error
	switch {
	case accountID == "":
		errs = append(errs, invalid("accountID", "", "is required: AWS reads the primary email of member accounts only"))
	case !accountIDRe.MatchString(accountID):
		errs = append(errs, invalid("accountID", accountID, "must be 12 digits"))
	}
	if api == nil {
		errs = append(errs, invalid("api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	out, err := api.GetPrimaryEmail(ctx, &acct.GetPrimaryEmailInput{AccountId: aws.String(accountID)})
	if err != nil {
		return "", wrap(accountID, "get primary email", err)
	}
	return aws.ToString(out.PrimaryEmail), nil
}
