package s3control_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/awsfoundation/foundation/s3account"
)

const mgmt = emulator.DefaultManagementAccountID

func client(srv *emulator.Server, ak string) *s3control.Client {
	return s3control.NewFromConfig(emutest.Config(srv, ak), s3account.LiteralEndpoint)
}

func config(block, ignore, policy, restrict bool) *types.PublicAccessBlockConfiguration {
	return &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(block), IgnorePublicAcls: aws.Bool(ignore),
		BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(restrict)}
}

func status(t *testing.T, err error) int {
	t.Helper()
	var re *smithyhttp.ResponseError
	require.ErrorAs(t, err, &re)
	return re.HTTPStatusCode()
}

// Put, get and delete the account's configuration through the SDK: a
// missing configuration is the typed 404 NoSuchPublicAccessBlockConfiguration
// (S3 Control's wrapped error document), calls are logged as s3control, and
// the snapshot shows the configuration.
func TestPublicAccessBlockRoundTrip(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	api := client(srv, "AKIDEXAMPLE")
	account := aws.String(mgmt)

	_, err := api.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: account})
	var none *types.NoSuchPublicAccessBlockConfiguration
	require.ErrorAs(t, err, &none)
	require.Equal(t, "The public access block configuration was not found", none.ErrorMessage())
	require.Equal(t, http.StatusNotFound, status(t, err))
	snap, err := srv.Snapshot()
	require.NoError(t, err)
	require.NotContains(t, string(snap), "s3control", "an account without a configuration snapshots as before")

	_, err = api.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: account,
		PublicAccessBlockConfiguration: config(true, false, true, false)})
	require.NoError(t, err)
	out, err := api.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: account})
	require.NoError(t, err)
	require.Equal(t, config(true, false, true, false), out.PublicAccessBlockConfiguration)

	snap, err = srv.Snapshot()
	require.NoError(t, err)
	var s struct {
		Accounts map[string]map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal(snap, &s))
	require.JSONEq(t, `{"publicAccessBlock":{"blockPublicAcls":true,"ignorePublicAcls":false,"blockPublicPolicy":true,"restrictPublicBuckets":false}}`,
		string(s.Accounts[mgmt]["s3control"]))

	_, err = api.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: account})
	require.NoError(t, err)
	_, err = api.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: account})
	require.ErrorAs(t, err, &none)

	var ops []string
	for _, c := range srv.Calls() {
		ops = append(ops, c.Service+":"+c.Operation)
	}
	require.Equal(t, []string{"s3control:GetPublicAccessBlock", "s3control:PutPublicAccessBlock", "s3control:GetPublicAccessBlock",
		"s3control:DeletePublicAccessBlock", "s3control:GetPublicAccessBlock"}, ops)
	require.True(t, srv.Calls()[1].Mutating)
	require.False(t, srv.Calls()[0].Mutating)
}

// The configuration is each account's own: naming another account is
// AccessDenied, and each account has its own.
func TestPublicAccessBlockIsPerAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	_, err := client(srv, "AKIDEXAMPLE").PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(emutest.Member),
		PublicAccessBlockConfiguration: config(true, true, true, true)})
	emutest.RequireCode(t, err, "AccessDenied")
	require.Equal(t, http.StatusForbidden, status(t, err))

	member := client(srv, emutest.Member) // a 12-digit access key acts as that account
	_, err = member.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(emutest.Member),
		PublicAccessBlockConfiguration: config(true, true, true, true)})
	require.NoError(t, err)
	_, err = client(srv, "AKIDEXAMPLE").GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
	emutest.RequireCode(t, err, "NoSuchPublicAccessBlockConfiguration")
}

// The account's BlockPublicPolicy applies to its buckets: a public bucket
// policy is refused even where the bucket's own setting allows it.
func TestAccountBlockPublicPolicyAppliesToBuckets(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	s3c := s3sdk.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *s3sdk.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("site")})
	require.NoError(t, err)
	_, err = s3c.DeletePublicAccessBlock(ctx, &s3sdk.DeletePublicAccessBlockInput{Bucket: aws.String("site")})
	require.NoError(t, err)
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}`
	_, err = s3c.PutBucketPolicy(ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(public)})
	require.NoError(t, err, "neither the bucket nor the account blocks it")
	_, err = s3c.DeleteBucketPolicy(ctx, &s3sdk.DeleteBucketPolicyInput{Bucket: aws.String("site")})
	require.NoError(t, err)

	_, err = client(srv, "AKIDEXAMPLE").PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(mgmt),
		PublicAccessBlockConfiguration: config(false, false, true, false)})
	require.NoError(t, err)
	_, err = s3c.PutBucketPolicy(ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(public)})
	emutest.RequireCode(t, err, "AccessDenied")
	require.Contains(t, err.Error(), "because public policies are blocked by the BlockPublicPolicy block public access setting")
}

// Only requests under /v20180820/ that name an account are S3 Control: a
// path-style S3 request for a bucket named "v20180820" stays S3's.
func TestS3ControlRouting(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	s3c := s3sdk.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *s3sdk.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("v20180820")})
	require.NoError(t, err)
	_, err = s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("v20180820"), Key: aws.String("configuration/publicAccessBlock"),
		Body: strings.NewReader("x")})
	require.NoError(t, err)
	calls := srv.Calls()
	require.Equal(t, "s3", calls[len(calls)-1].Service)
	require.Equal(t, "PutObject", calls[len(calls)-1].Operation)

	// An S3 Control operation the emulator does not model is 501
	// NotImplemented, in S3 Control's error document.
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v20180820/storagelens", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
	req.Header.Set("X-Amz-Account-Id", mgmt)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	var body strings.Builder
	_, _ = io.Copy(&body, resp.Body)
	require.True(t, strings.HasPrefix(body.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ErrorResponse><Error><Code>NotImplemented</Code>`), body.String())
}
