package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func TestCoreRejectsUnsignedAndUnknownService(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20261123/us-east-1/nosuchservice/aws4_request, SignedHeaders=host, Signature=x")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestCoreUnknownQueryActionIsNotASuccess(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("Action=GetSessionToken&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20261123/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	calls := srv.Calls()
	require.Len(t, calls, 1)
	require.Equal(t, "InvalidAction", calls[0].ErrorCode)
}

func TestCoreCallLogAndFailNth(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	ctx := context.Background()

	f := srv.FailNth(emulator.Match{Service: "sts", Operation: "GetCallerIdentity"}, 2,
		emulator.APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: "injected"})
	_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	require.Equal(t, "AccessDenied", apiErr.ErrorCode())
	var re *smithyhttp.ResponseError
	require.True(t, errors.As(err, &re))
	require.Equal(t, http.StatusForbidden, re.HTTPStatusCode())
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, 1, f.Fired())

	calls := srv.Calls()
	require.Len(t, calls, 3)
	for i, c := range calls {
		require.Equal(t, i+1, c.Seq)
		require.Equal(t, "sts", c.Service)
		require.Equal(t, "GetCallerIdentity", c.Operation)
		require.Equal(t, emulator.DefaultManagementAccountID, c.Account)
		require.False(t, c.Mutating)
	}
	require.Equal(t, "AccessDenied", calls[1].ErrorCode)
	require.False(t, calls[1].OK())
	require.Equal(t, []string{"sts:GetCallerIdentity"}, srv.OperationsSince(2))
}

func TestCoreThrottleIsRetriedBySDK(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Seed: 7})
	client := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *sts.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 20
			o.MaxBackoff = time.Millisecond
			o.RateLimiter = emutest.NoRateLimit{}
		})
	})
	f := srv.Throttle(emulator.Match{Service: "sts"}, 0.5)
	for i := 0; i < 20; i++ {
		_, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		require.NoError(t, err)
	}
	require.Greater(t, f.Fired(), 0)
	throttled := 0
	for _, c := range srv.Calls() {
		if c.ErrorCode == "Throttling" {
			throttled++
		}
	}
	require.Equal(t, f.Fired(), throttled)
	require.Equal(t, 20+throttled, len(srv.Calls()))
}

func TestCoreDelay(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	f := srv.Delay(emulator.Match{Service: "sts"}, 50*time.Millisecond)
	start := time.Now()
	_, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	srv.RemoveFault(f)
	require.Equal(t, 0, f.Fired())
}

func TestCoreTwelveDigitAccessKeyActsInThatAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	_, err := sts.NewFromConfig(emutest.Config(srv, "210987654321")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	require.Equal(t, "InvalidClientTokenId", apiErr.ErrorCode())

	require.NoError(t, srv.AddAccount("210987654321"))
	out, err := sts.NewFromConfig(emutest.Config(srv, "210987654321")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "210987654321", aws.ToString(out.Account))
	require.Equal(t, "arn:aws:iam::210987654321:root", aws.ToString(out.Arn))
	require.Equal(t, []string{emulator.DefaultManagementAccountID, "210987654321"}, srv.Accounts())
}
