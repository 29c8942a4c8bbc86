package foundation

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// The client retry configuration the library recommends for the clients
// given to its Ensure functions (ConfigureRetries, NewRetryer).
//
// The library does not build its own clients, so the SDK's retryer that the
// caller configures is what retries throttling (and 5xx answers) for every
// call; the library only adds, per call, the conflict codes AWS documents
// as transient that the SDK does not retry (ConcurrentModificationException,
// OperationAborted, ...), bounded by the same retryer. The SDK's default of
// 3 attempts is too few for a foundation run: a landing zone makes a few
// hundred calls, many to the low-rate control planes (Organizations, IAM,
// Identity Center), and one call that is throttled three times fails the
// run. Measured on the emulator with 30% of calls throttled: 3 attempts fail
// every seed; RetryMaxAttempts converges every seed
// (examples/landingzone/chaos_test.go).
const (
	// RetryMode is the SDK's "standard" mode, the one AWS recommends for
	// all workloads ("standard – (Recommended) ... safe for use in
	// multi-tenant applications";
	// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
	// It keeps the SDK's throttling handling: the throttling codes, a
	// throttling-specific backoff (1 s base, doubling) and the retry quota
	// (a token bucket that stops retrying when most calls fail, so an
	// outage is not hammered). "adaptive" would also delay first attempts
	// client-side, which AWS advises only for a client used for one
	// resource; the library's clients reach many.
	RetryMode = aws.RetryModeStandard
	// RetryMaxAttempts is how many times one call is attempted (the first
	// attempt included). The standard mode's default is 3 (same page);
	// the Terraform AWS provider, which converges the same kind of
	// resources, defaults to 25 (its max_retries,
	// https://registry.terraform.io/providers/hashicorp/aws/latest/docs#max_retries;
	// see https://github.com/hashicorp/terraform-provider-aws/issues/36024
	// on why it keeps more attempts than the SDK's default).
	// 10 rides out about a minute of sustained throttling: with the 1 s
	// throttling base doubling up to RetryMaxBackoff, 9 retries wait
	// 1+2+4+8+16+20+20+20+20 = 111 s at most, 55 s on average (full
	// jitter), which fits the library's default wait timeouts and still
	// fails in bounded time when a limit is not transient.
	RetryMaxAttempts = 10
	// RetryMaxBackoff caps one wait between two attempts: the SDK's
	// default (retry.DefaultMaxBackoff), the MAX_BACKOFF of the standard
	// mode's backoff formula in the SDKs reference guide (page above).
	RetryMaxBackoff = retry.DefaultMaxBackoff
)

// NewRetryer returns the recommended retryer: the SDK's standard retryer
// (retry.NewStandard: its retryable and throttling codes, backoff and
// retry quota) with RetryMaxAttempts and RetryMaxBackoff. opts are applied
// after those settings (a test that shortens the backoff, say); without
// them nothing else differs from the SDK's standard retryer.
//
// It adds no error code: the conflict codes AWS asks callers to retry are
// added per call by the packages that make those calls, on top of the
// client's retryer, and so are retried within RetryMaxAttempts too.
func NewRetryer(opts ...func(*retry.StandardOptions)) aws.Retryer {
	return retry.NewStandard(append([]func(*retry.StandardOptions){func(o *retry.StandardOptions) {
		o.MaxAttempts = RetryMaxAttempts
		o.MaxBackoff = RetryMaxBackoff
	}}, opts...)...)
}

// ConfigureRetries sets cfg to give every client built from it the
// recommended retryer (NewRetryer, one per client as the SDK does):
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	...
//	foundation.ConfigureRetries(&cfg)
//	orgs := organizations.NewFromConfig(cfg)
//
// It also sets cfg.RetryMode and cfg.RetryMaxAttempts to RetryMode and
// RetryMaxAttempts, so a max_attempts or retry_mode from the shared config
// file or AWS_MAX_ATTEMPTS / AWS_RETRY_MODE (which config.LoadDefaultConfig
// reads into those fields, and which clients would otherwise apply over
// the retryer) does not silently undo it. To keep your own settings, do not
// call it, or set cfg.Retryer afterwards.
func ConfigureRetries(cfg *aws.Config) {
	cfg.Retryer = func() aws.Retryer { return NewRetryer() }
	cfg.RetryMode = RetryMode
	cfg.RetryMaxAttempts = RetryMaxAttempts
}
