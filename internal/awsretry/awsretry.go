// Package awsretry is the one place where the library lists the AWS error
// codes that AWS asks callers to retry but the SDK's standard retryer does
// not. Packages add them to a client's retryer for each call:
//
//	out, err := api.CreateOrganizationalUnit(ctx, in, func(o *organizations.Options) {
//		o.Retryer = awsretry.Add(o.Retryer, awsretry.Organizations...)
//	})
//
// The retries stay bounded by the client's retryer (its MaxAttempts and
// backoff), which the caller configures; throttling is already retried by
// the SDK and is not listed here.
package awsretry

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Codes AWS documents as transient, per service.
var (
	// Organizations: "The target of the operation is currently being
	// modified by a different request. Try again later."
	Organizations = []string{"ConcurrentModificationException"}
	// SSOAdmin (IAM Identity Center): a conflicting operation on the same
	// permission set or instance is in progress.
	SSOAdmin = []string{"ConflictException"}
)

// Add returns r extended to also retry the given error codes. A nil r gets
// the SDK's standard retryer.
func Add(r aws.Retryer, codes ...string) aws.Retryer {
	if r == nil {
		r = retry.NewStandard()
	}
	if len(codes) == 0 {
		return r
	}
	return retry.AddWithErrorCodes(r, codes...)
}
