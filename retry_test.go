package foundation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// The recommended retryer is the SDK's standard one with more attempts:
// it retries what the SDK retries (throttling, 5xx) and nothing more (the
// conflict codes are the packages' to add, per call).
func TestNewRetryerIsStandardWithMoreAttempts(t *testing.T) {
	r := foundation.NewRetryer()
	if got := r.MaxAttempts(); got != 10 {
		t.Errorf("MaxAttempts = %d, want %d", got, foundation.RetryMaxAttempts)
	}
	if foundation.RetryMaxBackoff != 20*time.Second || foundation.RetryMode != aws.RetryModeStandard {
		t.Errorf("RetryMaxBackoff = %s, RetryMode = %s", foundation.RetryMaxBackoff, foundation.RetryMode)
	}
	std := retry.NewStandard()
	for _, code := range []string{"ThrottlingException", "Throttling", "SlowDown", "TooManyRequestsException", "RequestTimeout",
		"ConcurrentModificationException", "ConcurrentModification", "ConflictException", "OperationAborted", "AccessDenied"} {
		err := &smithy.GenericAPIError{Code: code, Message: "m"}
		if got, want := r.IsErrorRetryable(err), std.IsErrorRetryable(err); got != want {
			t.Errorf("%s: retryable = %v, the SDK's standard retryer says %v", code, got, want)
		}
	}
	if got := foundation.NewRetryer(func(o *retry.StandardOptions) { o.MaxAttempts = 2 }).MaxAttempts(); got != 2 {
		t.Errorf("an option does not override the recommendation: MaxAttempts = %d", got)
	}
}

func TestConfigureRetries(t *testing.T) {
	// What config.LoadDefaultConfig makes of AWS_MAX_ATTEMPTS=3 and
	// AWS_RETRY_MODE=adaptive: ConfigureRetries overrides both.
	cfg := aws.Config{RetryMaxAttempts: 3, RetryMode: aws.RetryModeAdaptive}
	foundation.ConfigureRetries(&cfg)
	if cfg.RetryMaxAttempts != foundation.RetryMaxAttempts || cfg.RetryMode != aws.RetryModeStandard || cfg.Retryer == nil {
		t.Fatalf("cfg = %+v", cfg)
	}
	if a, b := cfg.Retryer(), cfg.Retryer(); a == b || a.MaxAttempts() != foundation.RetryMaxAttempts {
		t.Errorf("Retryer() must return a new recommended retryer per client: %p %p, MaxAttempts %d", a, b, a.MaxAttempts())
	}
	// A client built from it: its options' retryer makes RetryMaxAttempts attempts.
	c := sts.NewFromConfig(cfg)
	if got := c.Options().Retryer.MaxAttempts(); got != foundation.RetryMaxAttempts {
		t.Errorf("client MaxAttempts = %d", got)
	}
}

// A call throttled RetryMaxAttempts-1 times in a row succeeds with the
// recommended retryer (with the SDK's default of 3 attempts it fails); one
// throttled RetryMaxAttempts times fails, naming the attempts. The backoff
// is shortened to keep the test fast; everything else is the recommendation.
func TestRecommendedRetryerOutlastsThrottling(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	noWait := func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
	}
	client := func(r func() aws.Retryer) *sts.Client {
		return sts.NewFromConfig(aws.Config{
			Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Retryer: r,
			Credentials: credentials.NewStaticCredentialsProvider("AKIAFOUNDATIONEXAMPL", "secret", ""),
		})
	}
	throttle := func(n int) {
		srv.ClearFaults()
		for i := 1; i <= n; i++ {
			srv.AddFault(&emulator.Fault{Match: emulator.Match{Service: "sts"}, Nth: i,
				Err: &emulator.APIError{Status: 400, Code: "Throttling", Message: "Rate exceeded"}})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	throttle(foundation.RetryMaxAttempts - 1)
	if _, err := client(func() aws.Retryer { return foundation.NewRetryer(noWait) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("recommended retryer, %d throttles: %v", foundation.RetryMaxAttempts-1, err)
	}
	throttle(foundation.RetryMaxAttempts - 1)
	if _, err := client(func() aws.Retryer { return retry.NewStandard(noWait) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("the SDK's default retryer outlasted 9 throttles: the recommendation would not be needed")
	}
	throttle(foundation.RetryMaxAttempts)
	_, err = client(func() aws.Retryer { return foundation.NewRetryer(noWait) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var maxErr *retry.MaxAttemptsError
	if !errors.As(err, &maxErr) || maxErr.Attempt != foundation.RetryMaxAttempts {
		t.Errorf("%d throttles: err = %v, want a MaxAttemptsError after %d attempts", foundation.RetryMaxAttempts, err, foundation.RetryMaxAttempts)
	}
}
