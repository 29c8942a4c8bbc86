package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	emus3 "github.com/awsfoundation/foundation/internal/emulator/s3"
	"github.com/stretchr/testify/require"
)

// otherAccount is a second account; its 12-digit access key acts as its root.
const otherAccount = "210987654321"

func startS3(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	require.NoError(t, srv.AddAccount(otherAccount))
	return srv
}

// s3ClientFor returns an SDK client for the emulator at url, signing for
// region with the given access key. Checksums are computed and validated
// "when supported", the default config.LoadDefaultConfig gives.
func s3ClientFor(url, region, accessKey string, optFns ...func(*s3.Options)) *s3.Client {
	cfg := aws.Config{
		Region:                     region,
		Credentials:                credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		BaseEndpoint:               aws.String(url),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	optFns = append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, optFns...)
	return s3.NewFromConfig(cfg, optFns...)
}

func s3Management(srv *emulator.Server, region string) *s3.Client {
	return s3ClientFor(srv.URL, region, "AKIDEXAMPLE")
}

// requireS3Error asserts an SDK error's HTTP status and, when code is not
// empty, its AWS error code.
func requireS3Error(t *testing.T, err error, code string, status int) {
	t.Helper()
	require.Error(t, err)
	var re *smithyhttp.ResponseError
	require.True(t, errors.As(err, &re), "not an HTTP response error: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "status of %v", err)
	if code != "" {
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae), "not an API error: %v", err)
		require.Equal(t, code, ae.ErrorCode(), "code of %v", err)
	}
}

func responseHeader(t *testing.T, err error, name string) string {
	t.Helper()
	var re *smithyhttp.ResponseError
	require.True(t, errors.As(err, &re), "not an HTTP response error: %v", err)
	return re.Response.Header.Get(name)
}

// s3Raw sends a request the SDK would not send (malformed bodies, wrong
// digests), with a SigV4-shaped Authorization header the emulator routes on.
func s3Raw(t *testing.T, srv *emulator.Server, method, path string, body []byte, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func createBucket(t *testing.T, c *s3.Client, name string, cfg *types.CreateBucketConfiguration) {
	t.Helper()
	_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name), CreateBucketConfiguration: cfg})
	require.NoError(t, err)
}

func putObject(t *testing.T, c *s3.Client, bucketName, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucketName), Key: aws.String(key), Body: strings.NewReader(body)})
	require.NoError(t, err)
	return out
}

func getBody(t *testing.T, out *s3.GetObjectOutput) string {
	t.Helper()
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(b)
}

func lastCall(srv *emulator.Server) emulator.Call {
	calls := srv.Calls()
	return calls[len(calls)-1]
}

// httpStatus is the HTTP status of the response an SDK output came from.
func httpStatus(t *testing.T, md middleware.Metadata) int {
	t.Helper()
	resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	require.True(t, ok, "no raw response in the output metadata")
	return resp.StatusCode
}

func TestS3CreateBucketDefaults(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("defaults-bucket")

	before := srv.CallCount()
	out, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "/defaults-bucket", aws.ToString(out.Location))

	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "us-east-1", aws.ToString(head.BucketRegion))

	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.BucketLocationConstraint(""), loc.LocationConstraint)

	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, enc.ServerSideEncryptionConfiguration.Rules, 1)
	rule := enc.ServerSideEncryptionConfiguration.Rules[0]
	require.Equal(t, types.ServerSideEncryptionAes256, rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	require.Nil(t, rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
	require.False(t, aws.ToBool(rule.BucketKeyEnabled))
	require.NotNil(t, rule.BucketKeyEnabled)

	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	p := pab.PublicAccessBlockConfiguration
	require.True(t, aws.ToBool(p.BlockPublicAcls) && aws.ToBool(p.IgnorePublicAcls) && aws.ToBool(p.BlockPublicPolicy) && aws.ToBool(p.RestrictPublicBuckets))

	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.ObjectOwnershipBucketOwnerEnforced, own.OwnershipControls.Rules[0].ObjectOwnership)

	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	require.Empty(t, ver.Status)
	require.Empty(t, ver.MFADelete)

	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	requireS3Error(t, err, "NoSuchBucketPolicy", 404)
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	requireS3Error(t, err, "NoSuchTagSet", 404)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	requireS3Error(t, err, "NoSuchLifecycleConfiguration", 404)

	calls := srv.CallsSince(before)
	require.Equal(t, "CreateBucket", calls[0].Operation)
	require.True(t, calls[0].Mutating)
	for _, call := range calls[1:] {
		require.False(t, call.Mutating, call.Operation)
		require.Equal(t, "s3", call.Service)
	}
	require.Equal(t, []string{"s3:CreateBucket", "s3:HeadBucket", "s3:GetBucketLocation", "s3:GetBucketEncryption",
		"s3:GetPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:GetBucketVersioning", "s3:GetBucketPolicy",
		"s3:GetBucketTagging", "s3:GetBucketLifecycleConfiguration"}, srv.OperationsSince(before))

	// x-amz-object-ownership is honoured.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("writer-owned"), ObjectOwnership: types.ObjectOwnershipObjectWriter})
	require.NoError(t, err)
	own, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("writer-owned")})
	require.NoError(t, err)
	require.Equal(t, types.ObjectOwnershipObjectWriter, own.OwnershipControls.Rules[0].ObjectOwnership)

	// ACLs are refused on a bucket that enforces bucket-owner ownership.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPublicRead})
	requireS3Error(t, err, "InvalidBucketAclWithObjectOwnership", 400)
}

func TestS3LocationConstraintMatrix(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	cases := []struct {
		region, constraint string
		code               string // "" = created
		location           string // GetBucketLocation after success
	}{
		{region: "us-east-1", constraint: "", location: ""},
		{region: "us-east-1", constraint: "us-east-1", code: "InvalidLocationConstraint"},
		{region: "us-east-1", constraint: "eu-west-1", code: "IllegalLocationConstraintException"},
		{region: "eu-west-1", constraint: "", code: "IllegalLocationConstraintException"},
		{region: "eu-west-1", constraint: "eu-west-1", location: "eu-west-1"},
		{region: "eu-west-1", constraint: "EU", location: "EU"},
		{region: "eu-west-1", constraint: "us-west-2", code: "IllegalLocationConstraintException"},
		{region: "eu-west-1", constraint: "mars-north-9x", code: "InvalidLocationConstraint"},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/%q", tc.region, tc.constraint), func(t *testing.T) {
			c := s3Management(srv, tc.region)
			name := fmt.Sprintf("matrix-%d", i)
			in := &s3.CreateBucketInput{Bucket: aws.String(name)}
			if tc.constraint != "" {
				in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(tc.constraint)}
			}
			_, err := c.CreateBucket(ctx, in)
			if tc.code != "" {
				requireS3Error(t, err, tc.code, 400)
				if tc.code == "IllegalLocationConstraintException" && tc.constraint == "" {
					require.Contains(t, err.Error(), "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
				}
				_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
				requireS3Error(t, err, "", 404)
				return
			}
			require.NoError(t, err)
			loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
			require.NoError(t, err)
			require.Equal(t, tc.location, string(loc.LocationConstraint))
			head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
			require.NoError(t, err)
			require.Equal(t, tc.region, aws.ToString(head.BucketRegion))
		})
	}
}

func TestS3CreateExistingBucket(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	east, west := s3Management(srv, "us-east-1"), s3Management(srv, "eu-west-1")
	other := s3ClientFor(srv.URL, "us-east-1", otherAccount)
	euCfg := &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}

	createBucket(t, east, "legacy-east", nil)
	_, err := east.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("legacy-east"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
	require.NoError(t, err)

	// us-east-1: 200 OK and nothing changes (AWS's legacy behaviour).
	before := srv.CallCount()
	out, err := east.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy-east")})
	require.NoError(t, err)
	require.Equal(t, "/legacy-east", aws.ToString(out.Location))
	require.True(t, srv.CallsSince(before)[0].Mutating)
	tags, err := east.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("legacy-east")})
	require.NoError(t, err)
	require.Len(t, tags.TagSet, 1)

	// Every other region: BucketAlreadyOwnedByYou.
	createBucket(t, west, "owned-west", euCfg)
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("owned-west"), CreateBucketConfiguration: euCfg})
	requireS3Error(t, err, "BucketAlreadyOwnedByYou", 409)
	var owned *types.BucketAlreadyOwnedByYou
	require.ErrorAs(t, err, &owned)
	_, err = east.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("owned-west")})
	requireS3Error(t, err, "BucketAlreadyOwnedByYou", 409)

	// Another account: BucketAlreadyExists, in any region.
	for _, name := range []string{"legacy-east", "owned-west"} {
		_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		requireS3Error(t, err, "BucketAlreadyExists", 409)
		var exists *types.BucketAlreadyExists
		require.ErrorAs(t, err, &exists)
	}
}

func TestS3InvalidBucketName(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	for _, name := range []string{
		"ab", strings.Repeat("a", 64), "Upper-Case", "under_score", "-leading", "trailing-", ".dot-first",
		"two..dots", "192.168.5.4", "xn--punycode", "sthree-bucket", "amzn-s3-demo-bucket",
		"bucket-s3alias", "bucket--ol-s3", "bucket.mrap", "bucket--table-s3",
	} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		requireS3Error(t, err, "InvalidBucketName", 400)
	}
	for _, name := range []string{"abc", strings.Repeat("a", 63), "my.bucket-1", "1-numbers-first"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		require.NoError(t, err, name)
	}
}

func TestS3CrossAccountAccessDenied(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	mgmt := s3Management(srv, "us-east-1")
	other := s3ClientFor(srv.URL, "us-east-1", otherAccount)
	b := aws.String("owned-by-management")
	createBucket(t, mgmt, *b, nil)
	putObject(t, mgmt, *b, "k", "v")

	denied := []func() error{
		func() error {
			_, err := other.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
			return err
		},
		func() error {
			_, err := other.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		},
		func() error {
			_, err := other.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
			return err
		},
		func() error {
			_, err := other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
			return err
		},
		func() error { _, err := other.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}); return err },
		func() error {
			_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k")})
			return err
		},
		func() error {
			_, err := other.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		},
		func() error { _, err := other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); return err },
	}
	for i, call := range denied {
		err := call()
		requireS3Error(t, err, "AccessDenied", 403)
		require.NotNil(t, err, i)
	}
	_, err := other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	requireS3Error(t, err, "", 403)
	require.Equal(t, "us-east-1", responseHeader(t, err, "x-amz-bucket-region"))
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	requireS3Error(t, err, "BucketAlreadyExists", 409)

	// The other account lists none of the management account's buckets.
	list, err := other.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Empty(t, list.Buckets)

	// x-amz-expected-bucket-owner is checked for the owner too.
	_, err = mgmt.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b, ExpectedBucketOwner: aws.String(otherAccount)})
	requireS3Error(t, err, "AccessDenied", 403)
	_, err = mgmt.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b, ExpectedBucketOwner: aws.String(emulator.DefaultManagementAccountID)})
	require.NoError(t, err)
}

func TestS3WrongRegionRedirect(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	west, east := s3Management(srv, "eu-west-1"), s3Management(srv, "us-east-1")
	b := aws.String("lives-in-ireland")
	createBucket(t, west, *b, &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1})

	_, err := east.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	requireS3Error(t, err, "PermanentRedirect", 301)
	require.Equal(t, "eu-west-1", responseHeader(t, err, "x-amz-bucket-region"))

	_, err = east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	requireS3Error(t, err, "", 301)
	require.Equal(t, "eu-west-1", responseHeader(t, err, "x-amz-bucket-region"))

	// GetBucketLocation is how clients find the region: it answers from anywhere.
	loc, err := east.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.BucketLocationConstraintEuWest1, loc.LocationConstraint)

	head, err := west.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "eu-west-1", aws.ToString(head.BucketRegion))
}

func TestS3NoSuchBucket(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("does-not-exist")

	_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	requireS3Error(t, err, "NoSuchBucket", 404)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	var nsb *types.NoSuchBucket
	require.ErrorAs(t, err, &nsb)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")})
	requireS3Error(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	requireS3Error(t, err, "NoSuchBucket", 404)

	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	requireS3Error(t, err, "", 404)
	var nf *types.NotFound
	require.ErrorAs(t, err, &nf)

	status, _, body := s3Raw(t, srv, http.MethodGet, "/does-not-exist?versioning", nil, nil)
	require.Equal(t, 404, status)
	require.Contains(t, body, "<Code>NoSuchBucket</Code>")
	require.Contains(t, body, "<BucketName>does-not-exist</BucketName>")
	status, _, body = s3Raw(t, srv, http.MethodHead, "/does-not-exist", nil, nil)
	require.Equal(t, 404, status)
	require.Empty(t, body)
}

func TestS3Versioning(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("versioned")
	createBucket(t, c, *b, nil)

	put := func(status types.BucketVersioningStatus, mfa types.MFADelete) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
			VersioningConfiguration: &types.VersioningConfiguration{Status: status, MFADelete: mfa}})
		return err
	}
	require.NoError(t, put(types.BucketVersioningStatusEnabled, types.MFADeleteDisabled))
	require.True(t, lastCall(srv).Mutating)
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.BucketVersioningStatusEnabled, out.Status)
	require.Equal(t, types.MFADeleteStatusDisabled, out.MFADelete)

	require.NoError(t, put(types.BucketVersioningStatusSuspended, ""))
	out, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.BucketVersioningStatusSuspended, out.Status)
	require.Equal(t, types.MFADeleteStatusDisabled, out.MFADelete)

	requireS3Error(t, put("Bogus", ""), "MalformedXML", 400)
	status, _, body := s3Raw(t, srv, http.MethodPut, "/versioned?versioning", []byte("<VersioningConfiguration><Status>"), nil)
	require.Equal(t, 400, status)
	require.Contains(t, body, "<Code>MalformedXML</Code>")
	status, _, body = s3Raw(t, srv, http.MethodPut, "/versioned?versioning", nil, nil)
	require.Equal(t, 400, status)
	require.Contains(t, body, "<Code>MissingRequestBodyError</Code>")
}

func TestS3BucketEncryption(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("encrypted")
	createBucket(t, c, *b, nil)
	const keyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

	put := func(alg types.ServerSideEncryption, key *string, bucketKey bool) error {
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg, KMSMasterKeyID: key},
				BucketKeyEnabled:                   aws.Bool(bucketKey),
			}}}})
		return err
	}
	get := func() types.ServerSideEncryptionRule {
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		require.NoError(t, err)
		require.Len(t, out.ServerSideEncryptionConfiguration.Rules, 1)
		return out.ServerSideEncryptionConfiguration.Rules[0]
	}

	require.NoError(t, put(types.ServerSideEncryptionAwsKms, aws.String(keyARN), true))
	rule := get()
	require.Equal(t, types.ServerSideEncryptionAwsKms, rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	require.Equal(t, keyARN, aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID))
	require.True(t, aws.ToBool(rule.BucketKeyEnabled))

	// New objects take the bucket default.
	po := putObject(t, c, *b, "obj", "data")
	require.Equal(t, types.ServerSideEncryptionAwsKms, po.ServerSideEncryption)
	require.Equal(t, keyARN, aws.ToString(po.SSEKMSKeyId))
	require.True(t, aws.ToBool(po.BucketKeyEnabled))

	require.NoError(t, put(types.ServerSideEncryptionAwsKmsDsse, nil, false))
	require.Equal(t, types.ServerSideEncryptionAwsKmsDsse, get().ApplyServerSideEncryptionByDefault.SSEAlgorithm)

	requireS3Error(t, put("DES", nil, false), "MalformedXML", 400)
	requireS3Error(t, put(types.ServerSideEncryptionAes256, aws.String(keyARN), false), "InvalidArgument", 400)

	res1, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res1.ResultMetadata))
	require.True(t, lastCall(srv).Mutating)
	rule = get()
	require.Equal(t, types.ServerSideEncryptionAes256, rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	require.Nil(t, rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
	require.False(t, aws.ToBool(rule.BucketKeyEnabled))
}

func TestS3PublicAccessBlock(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("pab")
	createBucket(t, c, *b, nil)

	_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	require.NoError(t, err)
	out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	p := out.PublicAccessBlockConfiguration
	require.Equal(t, []bool{true, false, false, true},
		[]bool{aws.ToBool(p.BlockPublicAcls), aws.ToBool(p.IgnorePublicAcls), aws.ToBool(p.BlockPublicPolicy), aws.ToBool(p.RestrictPublicBuckets)})

	res2, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res2.ResultMetadata))
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	requireS3Error(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
}

func TestS3BucketPolicy(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("policy-bucket")
	createBucket(t, c, *b, nil)
	put := func(policy string) error {
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)})
		return err
	}

	// Not public: a named principal, and a Deny for everyone (TLS only).
	policy := `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
     "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::policy-bucket/*"},
    {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::policy-bucket", "arn:aws:s3:::policy-bucket/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}`
	putOut, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, putOut.ResultMetadata))
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, policy, aws.ToString(out.Policy))

	// Public policies are refused while BlockPublicPolicy is on (the default).
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-bucket/*"}]}`
	publicAWS := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-bucket/*"}]}`
	requireS3Error(t, put(public), "AccessDenied", 403)
	requireS3Error(t, put(publicAWS), "AccessDenied", 403)
	// A condition on the principal's organization makes it non-public.
	orgOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-bucket/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`
	require.NoError(t, put(orgOnly))

	for _, bad := range []string{
		`not json`,
		`{"Version":"2012-10-17"`,
		`{"Version":"2012-10-17"}`,
		`{"Version":"2012-10-17","Statement":[]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::another-bucket/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ec2:RunInstances","Resource":"arn:aws:s3:::policy-bucket/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-bucket/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-bucket/*"}]}`,
	} {
		requireS3Error(t, put(bad), "MalformedPolicy", 400)
	}

	// With BlockPublicPolicy off, a public policy is stored.
	_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(false)}})
	require.NoError(t, err)
	require.NoError(t, put(public))

	res3, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res3.ResultMetadata))
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	requireS3Error(t, err, "NoSuchBucketPolicy", 404)
}

func TestS3OwnershipControls(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("ownership")
	createBucket(t, c, *b, nil)
	put := func(o types.ObjectOwnership) error {
		_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}})
		return err
	}
	require.NoError(t, put(types.ObjectOwnershipBucketOwnerPreferred))
	out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.ObjectOwnershipBucketOwnerPreferred, out.OwnershipControls.Rules[0].ObjectOwnership)
	requireS3Error(t, put("Everyone"), "MalformedXML", 400)

	_, err = c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	requireS3Error(t, err, "OwnershipControlsNotFoundError", 404)
}

func TestS3BucketTagging(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("tagged")
	createBucket(t, c, *b, nil)
	put := func(tags ...types.Tag) error {
		_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tags}})
		return err
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

	require.NoError(t, put(tag("team", "platform"), tag("cost-center", "42")))
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{tag("team", "platform"), tag("cost-center", "42")}, out.TagSet)

	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = tag(fmt.Sprintf("k%d", i), "v")
	}
	requireS3Error(t, put(many...), "InvalidTag", 400)
	require.NoError(t, put(many[:50]...))
	requireS3Error(t, put(tag("dup", "1"), tag("dup", "2")), "InvalidTag", 400)
	requireS3Error(t, put(tag(strings.Repeat("k", 129), "v")), "InvalidTag", 400)
	requireS3Error(t, put(tag("k", strings.Repeat("v", 257))), "InvalidTag", 400)
	requireS3Error(t, put(tag("aws:cloudformation:stack-name", "x")), "InvalidTag", 400)

	res4, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res4.ResultMetadata))
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	requireS3Error(t, err, "NoSuchTagSet", 404)
}

func TestS3Lifecycle(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("lifecycle")
	createBucket(t, c, *b, nil)
	put := func(rules []types.LifecycleRule, optFns ...func(*s3.PutBucketLifecycleConfigurationInput)) error {
		in := &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}
		for _, f := range optFns {
			f(in)
		}
		_, err := c.PutBucketLifecycleConfiguration(ctx, in)
		return err
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	date := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

	rules := []types.LifecycleRule{
		{
			ID: aws.String("expire-logs"), Status: types.ExpirationStatusEnabled,
			Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration:                     &types.LifecycleExpiration{Days: aws.Int32(30)},
			NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7), NewerNoncurrentVersions: aws.Int32(3)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)},
		},
		{
			ID: aws.String("tiering"), Status: types.ExpirationStatusDisabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
				Prefix: aws.String("data/"), Tags: []types.Tag{tag("class", "cold"), tag("keep", "no")},
				ObjectSizeGreaterThan: aws.Int64(1024), ObjectSizeLessThan: aws.Int64(1 << 30),
			}},
			Transitions: []types.Transition{
				{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa},
				{Days: aws.Int32(90), StorageClass: types.TransitionStorageClassGlacier},
			},
			NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{
				{NoncurrentDays: aws.Int32(30), StorageClass: types.TransitionStorageClassGlacierIr, NewerNoncurrentVersions: aws.Int32(2)},
			},
		},
		{
			ID: aws.String("by-date"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("temp"), Value: aws.String("yes")}},
			Expiration: &types.LifecycleExpiration{Date: &date},
		},
		{
			ID: aws.String("markers"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(0)},
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
		},
		{
			ID: aws.String("legacy-prefix"), Status: types.ExpirationStatusEnabled,
			Prefix:     aws.String("old/"),
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(365)},
			Transitions: []types.Transition{
				{Date: &date, StorageClass: types.TransitionStorageClassDeepArchive},
			},
		},
		{
			Status:     types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
		},
	}
	require.NoError(t, put(rules))
	require.True(t, lastCall(srv).Mutating)

	out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k, out.TransitionDefaultMinimumObjectSize)
	require.Len(t, out.Rules, len(rules))
	require.Equal(t, rules[:5], out.Rules[:5])
	generated := out.Rules[5]
	require.NotEmpty(t, aws.ToString(generated.ID), "S3 assigns an ID to a rule without one")
	generated.ID = nil
	require.Equal(t, rules[5], generated)

	// The default minimum object size for transitions is a header.
	require.NoError(t, put(rules[:1], func(in *s3.PutBucketLifecycleConfigurationInput) {
		in.TransitionDefaultMinimumObjectSize = types.TransitionDefaultMinimumObjectSizeVariesByStorageClass
	}))
	out, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, types.TransitionDefaultMinimumObjectSizeVariesByStorageClass, out.TransitionDefaultMinimumObjectSize)
	require.Equal(t, rules[:1], out.Rules)

	noAction := types.LifecycleRule{ID: aws.String("noop"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{}}
	requireS3Error(t, put([]types.LifecycleRule{noAction}), "InvalidRequest", 400)
	requireS3Error(t, put([]types.LifecycleRule{rules[0], rules[0]}), "InvalidArgument", 400)
	longID := rules[0]
	longID.ID = aws.String(strings.Repeat("x", 256))
	requireS3Error(t, put([]types.LifecycleRule{longID}), "InvalidArgument", 400)
	tooMany := make([]types.LifecycleRule, 1001)
	for i := range tooMany {
		tooMany[i] = rules[0]
		tooMany[i].ID = aws.String(fmt.Sprintf("rule-%d", i))
	}
	requireS3Error(t, put(tooMany), "MalformedXML", 400)
	both := rules[0]
	//lint:ignore SA1019 the legacy top-level Prefix is what this case tests
	both.Prefix = aws.String("x/")
	requireS3Error(t, put([]types.LifecycleRule{both}), "MalformedXML", 400)
	zeroDays := rules[0]
	zeroDays.Expiration = &types.LifecycleExpiration{Days: aws.Int32(0)}
	requireS3Error(t, put([]types.LifecycleRule{zeroDays}), "InvalidArgument", 400)
	// The failed puts left the configuration as it was.
	out, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, rules[:1], out.Rules)

	res5, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "DeleteBucketLifecycle", lastCall(srv).Operation)
	require.Equal(t, 204, httpStatus(t, res5.ResultMetadata))
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	requireS3Error(t, err, "NoSuchLifecycleConfiguration", 404)
}

func TestS3Objects(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("state-bucket")
	key := aws.String("env/prod/terraform.tfstate")
	createBucket(t, c, *b, nil)

	body := `{"version":4}`
	sum := md5.Sum([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	po, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader(body),
		ContentType: aws.String("application/json"), Metadata: map[string]string{"owner": "platform"}})
	require.NoError(t, err)
	require.Equal(t, etag, aws.ToString(po.ETag))
	require.Nil(t, po.VersionId, "no version ID on a bucket that never had versioning")
	require.Equal(t, types.ServerSideEncryptionAes256, po.ServerSideEncryption)

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key})
	require.NoError(t, err)
	require.Equal(t, body, getBody(t, got))
	require.Equal(t, etag, aws.ToString(got.ETag))
	require.Equal(t, int64(len(body)), aws.ToInt64(got.ContentLength))
	require.Equal(t, "application/json", aws.ToString(got.ContentType))
	require.NotNil(t, got.LastModified)
	require.WithinDuration(t, time.Now(), *got.LastModified, time.Minute)
	require.Equal(t, map[string]string{"owner": "platform"}, got.Metadata)
	require.Equal(t, types.ServerSideEncryptionAes256, got.ServerSideEncryption)

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: key})
	require.NoError(t, err)
	require.Equal(t, etag, aws.ToString(head.ETag))
	require.Equal(t, int64(len(body)), aws.ToInt64(head.ContentLength))
	require.Equal(t, "application/json", aws.ToString(head.ContentType))

	ranged, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, Range: aws.String("bytes=2-8")})
	require.NoError(t, err)
	require.Equal(t, body[2:9], getBody(t, ranged))
	require.Equal(t, fmt.Sprintf("bytes 2-8/%d", len(body)), aws.ToString(ranged.ContentRange))

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("missing")})
	requireS3Error(t, err, "NoSuchKey", 404)
	var nsk *types.NoSuchKey
	require.ErrorAs(t, err, &nsk)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("missing")})
	requireS3Error(t, err, "", 404)
	status, _, rawBody := s3Raw(t, srv, http.MethodHead, "/state-bucket/missing", nil, nil)
	require.Equal(t, 404, status)
	require.Empty(t, rawBody)

	// Conditional writes: the Terraform lockfile.
	lock := aws.String("env/prod/terraform.tfstate.tflock")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: lock, Body: strings.NewReader("lock-1"), IfNoneMatch: aws.String("*")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: lock, Body: strings.NewReader("lock-2"), IfNoneMatch: aws.String("*")})
	requireS3Error(t, err, "PreconditionFailed", 412)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader("x"), IfMatch: aws.String(`"0000"`)})
	requireS3Error(t, err, "PreconditionFailed", 412)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader(body), IfMatch: aws.String(etag)})
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, IfMatch: aws.String(`"0000"`)})
	requireS3Error(t, err, "PreconditionFailed", 412)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, IfNoneMatch: aws.String(etag)})
	requireS3Error(t, err, "", 304)

	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	requireS3Error(t, err, "BucketNotEmpty", 409)

	res6, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: lock})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res6.ResultMetadata))
	require.True(t, lastCall(srv).Mutating)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: lock})
	requireS3Error(t, err, "NoSuchKey", 404)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: lock}) // deleting nothing succeeds
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: lock, Body: strings.NewReader("lock-3"), IfNoneMatch: aws.String("*")})
	require.NoError(t, err, "the lock can be taken again once released")

	for _, k := range []*string{key, lock} {
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
		require.NoError(t, err)
	}
	res7, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, 204, httpStatus(t, res7.ResultMetadata))
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	requireS3Error(t, err, "", 404)
}

func TestS3VersionedObjects(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("versioned-objects")
	createBucket(t, c, *b, nil)
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)

	var ids []string
	for i := range 3 {
		out := putObject(t, c, *b, "state", fmt.Sprintf("v%d", i))
		require.NotEmpty(t, aws.ToString(out.VersionId))
		require.NotContains(t, ids, aws.ToString(out.VersionId))
		ids = append(ids, aws.ToString(out.VersionId))
	}
	putObject(t, c, *b, "other", "x")

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("state")})
	require.NoError(t, err)
	require.Equal(t, "v2", getBody(t, got))
	require.Equal(t, ids[2], aws.ToString(got.VersionId))
	got, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("state"), VersionId: aws.String(ids[0])})
	require.NoError(t, err)
	require.Equal(t, "v0", getBody(t, got))
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("state"), VersionId: aws.String("no-such-version")})
	requireS3Error(t, err, "NoSuchVersion", 404)

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("state")})
	require.NoError(t, err)
	require.True(t, aws.ToBool(del.DeleteMarker))
	markerID := aws.ToString(del.VersionId)
	require.NotEmpty(t, markerID)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("state")})
	requireS3Error(t, err, "NoSuchKey", 404)
	require.Equal(t, "true", responseHeader(t, err, "x-amz-delete-marker"))
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("state"), VersionId: aws.String(markerID)})
	requireS3Error(t, err, "MethodNotAllowed", 405)

	// ListObjectsV2 hides the deleted key; ListObjectVersions shows it all, paginated.
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
	require.Equal(t, "other", aws.ToString(list.Contents[0].Key))

	type entry struct {
		key, id string
		latest  bool
		marker  bool
	}
	var entries []entry
	pages := 0
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: b})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(page.Versions)+len(page.DeleteMarkers), 2)
		for _, m := range page.DeleteMarkers {
			entries = append(entries, entry{aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest), true})
		}
		for _, v := range page.Versions {
			entries = append(entries, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), false})
		}
	}
	require.Equal(t, 3, pages)
	require.Len(t, entries, 5)
	others := filterEntries(entries, func(e entry) bool { return e.key == "other" })
	require.Len(t, others, 1)
	require.True(t, others[0].latest)
	require.ElementsMatch(t, []entry{
		{"state", markerID, true, true},
		{"state", ids[2], false, false},
		{"state", ids[1], false, false},
		{"state", ids[0], false, false},
	}, filterEntries(entries, func(e entry) bool { return e.key == "state" }))

	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	requireS3Error(t, err, "BucketNotEmpty", 409)

	// Suspended versioning writes the "null" version.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	require.NoError(t, err)
	out := putObject(t, c, *b, "suspended", "a")
	require.Equal(t, "null", aws.ToString(out.VersionId))
	out = putObject(t, c, *b, "suspended", "b")
	require.Equal(t, "null", aws.ToString(out.VersionId))

	// Emptying the bucket takes permanent deletes of every version.
	vp := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: b})
	var all []types.ObjectIdentifier
	for vp.HasMorePages() {
		page, err := vp.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Versions {
			all = append(all, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			all = append(all, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
	}
	require.Len(t, all, 6)
	for _, id := range all {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: id.Key, VersionId: id.VersionId})
		require.NoError(t, err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	require.NoError(t, err)
}

func filterEntries[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, e := range in {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func TestS3ListBucketsPagination(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	east, west := s3Management(srv, "us-east-1"), s3Management(srv, "eu-west-1")
	want := []string{"list-a", "list-b", "list-c", "list-d", "list-e"}
	for _, n := range want[:4] {
		createBucket(t, east, n, nil)
	}
	createBucket(t, west, "list-e", &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1})
	createBucket(t, s3ClientFor(srv.URL, "us-east-1", otherAccount), "list-other-account", nil)

	var names []string
	pages := 0
	p := s3.NewListBucketsPaginator(east, &s3.ListBucketsInput{MaxBuckets: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(page.Buckets), 2)
		require.Len(t, aws.ToString(page.Owner.ID), 64)
		for _, b := range page.Buckets {
			names = append(names, aws.ToString(b.Name))
			require.NotNil(t, b.CreationDate)
		}
	}
	require.Equal(t, want, names)
	require.Equal(t, 3, pages)

	// Without max-buckets or a continuation token, every bucket at once (the AWS CLI relies on it).
	all, err := east.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, all.Buckets, 5)
	require.Nil(t, all.ContinuationToken)
	require.Equal(t, "eu-west-1", aws.ToString(all.Buckets[4].BucketRegion))
	require.Equal(t, "us-east-1", aws.ToString(all.Buckets[0].BucketRegion))

	filtered, err := east.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	require.Len(t, filtered.Buckets, 1)
	filtered, err = east.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("list-c")})
	require.NoError(t, err)
	require.Len(t, filtered.Buckets, 1)
	require.Equal(t, "list-c", aws.ToString(filtered.Prefix))

	_, err = east.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10001)})
	requireS3Error(t, err, "InvalidArgument", 400)
	_, err = east.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: aws.String("garbage!")})
	requireS3Error(t, err, "InvalidArgument", 400)
}

func TestS3ListObjectsV2Pagination(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("listing")
	createBucket(t, c, *b, nil)
	keys := []string{"a/1", "a/2", "b/1", "c", "d", "e"}
	for _, k := range keys {
		putObject(t, c, *b, k, "body of "+k)
	}

	collect := func(in *s3.ListObjectsV2Input) (objects, prefixes []string, pages int) {
		p := s3.NewListObjectsV2Paginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			pages++
			require.LessOrEqual(t, int(aws.ToInt32(page.KeyCount)), 2)
			require.Equal(t, len(page.Contents)+len(page.CommonPrefixes), int(aws.ToInt32(page.KeyCount)))
			for _, o := range page.Contents {
				objects = append(objects, aws.ToString(o.Key))
				require.Equal(t, int64(len("body of "+aws.ToString(o.Key))), aws.ToInt64(o.Size))
				require.NotEmpty(t, aws.ToString(o.ETag))
			}
			for _, cp := range page.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(cp.Prefix))
			}
		}
		return objects, prefixes, pages
	}

	objects, _, pages := collect(&s3.ListObjectsV2Input{Bucket: b})
	require.Equal(t, keys, objects)
	require.Equal(t, 3, pages)

	objects, _, _ = collect(&s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("a/")})
	require.Equal(t, []string{"a/1", "a/2"}, objects)

	objects, prefixes, pages := collect(&s3.ListObjectsV2Input{Bucket: b, Delimiter: aws.String("/")})
	require.Equal(t, []string{"c", "d", "e"}, objects)
	require.Equal(t, []string{"a/", "b/"}, prefixes)
	require.Equal(t, 3, pages)

	objects, _, _ = collect(&s3.ListObjectsV2Input{Bucket: b, StartAfter: aws.String("b/1")})
	require.Equal(t, []string{"c", "d", "e"}, objects)

	one, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, one.Contents, 1)
	require.True(t, aws.ToBool(one.IsTruncated))
	none, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(0)})
	require.NoError(t, err)
	require.Empty(t, none.Contents)
	require.False(t, aws.ToBool(none.IsTruncated))

	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, ContinuationToken: aws.String("bogus")})
	requireS3Error(t, err, "InvalidArgument", 400)

	// encoding-type=url, as the AWS CLI asks for.
	putObject(t, c, *b, "with space", "x")
	status, _, body := s3Raw(t, srv, http.MethodGet, "/listing?list-type=2&encoding-type=url&prefix=with", nil, nil)
	require.Equal(t, 200, status)
	require.Contains(t, body, "<Key>with+space</Key>")
	require.Contains(t, body, "<EncodingType>url</EncodingType>")
}

func TestS3NotImplemented(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("unimplemented")
	createBucket(t, c, *b, nil)
	putObject(t, c, *b, "k", "v")

	calls := map[string]func() error{
		"PutBucketAcl": func() error {
			_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
			return err
		},
		"PutBucketCors": func() error {
			_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{
				CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}})
			return err
		},
		"GetBucketPolicyStatus": func() error {
			_, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
			return err
		},
		"PutBucketWebsite": func() error {
			_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{
				IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}})
			return err
		},
		"ListObjects": func() error { _, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b}); return err },
		"CreateMultipartUpload": func() error {
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("big")})
			return err
		},
		"CopyObject": func() error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("unimplemented/k")})
			return err
		},
		"PutObjectTagging": func() error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
			return err
		},
		"PutObject with tags": func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("t"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
			return err
		},
		"DeleteObjects": func() error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b,
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
			return err
		},
	}
	for name, call := range calls {
		before := srv.CallCount()
		err := call()
		requireS3Error(t, err, "NotImplemented", 501)
		for _, call := range srv.CallsSince(before) {
			require.Equal(t, 501, call.Status, name)
		}
	}
	// Nothing changed: the object is still the only one, untagged, uncopied.
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
}

func TestS3Checksums(t *testing.T) {
	ctx := context.Background()
	srv := startS3(t)
	c := s3Management(srv, "us-east-1")
	b := aws.String("checksums")
	createBucket(t, c, *b, nil)

	for _, alg := range []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		key := aws.String("obj-" + string(alg))
		body := strings.Repeat("checksummed "+string(alg), 100)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader(body), ChecksumAlgorithm: alg})
		require.NoError(t, err, alg)
		// The SDK validates the returned checksum.
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, ChecksumMode: types.ChecksumModeEnabled})
		require.NoError(t, err, alg)
		require.Equal(t, body, getBody(t, got))
		require.NotNil(t, firstNonNil(got.ChecksumCRC32, got.ChecksumCRC32C, got.ChecksumCRC64NVME, got.ChecksumSHA1, got.ChecksumSHA256), alg)
		require.Equal(t, types.ChecksumTypeFullObject, got.ChecksumType)
	}

	// Over TLS the SDK streams PutObject as aws-chunked with a trailing checksum.
	e := emulator.New(emulator.Options{})
	var trailers []string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tr := r.Header.Get("X-Amz-Trailer"); tr != "" {
			trailers = append(trailers, tr+" "+r.Header.Get("Content-Encoding"))
		}
		e.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	tc := s3ClientFor(ts.URL, "us-east-1", "AKIDEXAMPLE", func(o *s3.Options) { o.HTTPClient = ts.Client() })
	createBucket(t, tc, "tls-bucket", nil)
	body := strings.Repeat("0123456789", 10000)
	_, err := tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls-bucket"), Key: aws.String("big"), Body: strings.NewReader(body)})
	require.NoError(t, err)
	require.NotEmpty(t, trailers, "the SDK should have sent a trailing checksum")
	require.Contains(t, trailers[0], "aws-chunked")
	got, err := tc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tls-bucket"), Key: aws.String("big"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	require.Equal(t, body, getBody(t, got))
	head, err := tc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tls-bucket"), Key: aws.String("big")})
	require.NoError(t, err)
	require.Empty(t, aws.ToString(head.ContentEncoding), "aws-chunked is framing, not the object's encoding")

	// Digests that do not match the body are refused.
	status, _, resp := s3Raw(t, srv, http.MethodPut, "/checksums/bad", []byte("hello"), map[string]string{"x-amz-checksum-crc32": "AAAAAA=="})
	require.Equal(t, 400, status)
	require.Contains(t, resp, "<Code>BadDigest</Code>")
	status, _, resp = s3Raw(t, srv, http.MethodPut, "/checksums/bad", []byte("hello"), map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
	require.Equal(t, 400, status)
	require.Contains(t, resp, "<Code>BadDigest</Code>")
	status, _, resp = s3Raw(t, srv, http.MethodPut, "/checksums/bad", []byte("hello"), map[string]string{"Content-MD5": "nope"})
	require.Equal(t, 400, status)
	require.Contains(t, resp, "<Code>InvalidDigest</Code>")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("bad")})
	requireS3Error(t, err, "", 404)
}

func sha256Sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func firstNonNil(ps ...*string) *string {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// s3Scenario performs the same sequence of calls against any emulator.
func s3Scenario(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	east, west := s3Management(srv, "us-east-1"), s3Management(srv, "eu-west-1")
	other := s3ClientFor(srv.URL, "us-east-1", otherAccount)
	b := aws.String("tf-state-123456789012")

	createBucket(t, east, *b, nil)
	createBucket(t, west, "logs-eu", &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1})
	createBucket(t, other, "other-account-bucket", nil)
	_, err := east.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	_, err = east.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String("alias/tf-state")},
			BucketKeyEnabled: aws.Bool(true)}}}})
	require.NoError(t, err)
	_, err = east.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{
	  "Version": "2012-10-17",
	  "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	    "Resource": ["arn:aws:s3:::tf-state-123456789012", "arn:aws:s3:::tf-state-123456789012/*"],
	    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`)})
	require.NoError(t, err)
	_, err = east.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b,
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("purpose"), Value: aws.String("terraform-state")}}}})
	require.NoError(t, err)
	_, err = east.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(90)},
		}}}})
	require.NoError(t, err)
	_, err = east.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("tf-state-123456789012")})
	require.NoError(t, err)
	putObject(t, east, *b, "prod/terraform.tfstate", `{"serial":1}`)
	putObject(t, east, *b, "prod/terraform.tfstate", `{"serial":2}`)
	putObject(t, east, *b, "prod/terraform.tfstate.tflock", `lock`)
	_, err = east.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("prod/terraform.tfstate.tflock")})
	require.NoError(t, err)
	putObject(t, west, "logs-eu", "2024/01/01.log", "log line")
}

func TestS3SnapshotDeterministic(t *testing.T) {
	var snaps [][]byte
	for range 2 {
		srv := startS3(t)
		s3Scenario(t, srv)
		snap, err := srv.Snapshot()
		require.NoError(t, err)
		snaps = append(snaps, snap)
	}
	require.Equal(t, string(snaps[0]), string(snaps[1]))

	var doc struct {
		Accounts map[string]struct {
			S3 struct {
				Buckets map[string]emus3.BucketSnapshot `json:"buckets"`
			} `json:"s3"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal(snaps[0], &doc))
	mgmt := doc.Accounts[emulator.DefaultManagementAccountID].S3.Buckets
	require.Len(t, mgmt, 2)
	require.Contains(t, doc.Accounts[otherAccount].S3.Buckets, "other-account-bucket")

	state := mgmt["tf-state-123456789012"]
	require.Equal(t, "us-east-1", state.Region)
	require.Equal(t, "Enabled", state.Versioning)
	require.Equal(t, emus3.Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/tf-state", BucketKeyEnabled: true}, state.Encryption)
	require.Nil(t, state.PublicAccessBlock)
	require.Equal(t, "BucketOwnerEnforced", state.Ownership)
	require.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::tf-state-123456789012","arn:aws:s3:::tf-state-123456789012/*"],
		"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, string(state.Policy))
	require.Equal(t, map[string]string{"purpose": "terraform-state"}, state.Tags)
	require.Len(t, state.Lifecycle.Rules, 1)
	require.NotEmpty(t, state.Lifecycle.Rules[0].ID)
	sum := fmt.Sprintf("%x", sha256Sum(`{"serial":2}`))
	require.Equal(t, map[string]emus3.ObjectSnapshot{
		"prod/terraform.tfstate":        {Versions: 2, SHA256: sum},
		"prod/terraform.tfstate.tflock": {Versions: 2, DeleteMarker: true},
	}, state.Objects)
	require.Equal(t, "eu-west-1", mgmt["logs-eu"].Region)
	require.NotNil(t, mgmt["logs-eu"].PublicAccessBlock)
}

// A bucket policy naming an IAM role that does not exist in an account the
// emulator has is refused, as S3 does: MalformedPolicy "Invalid principal
// in policy". A role of an account it does not have is accepted (it cannot
// know), and so is one that exists.
func TestS3BucketPolicyRejectsUnknownRole(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	require.NoError(t, err)
	defer srv.Close()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-one")})
	require.NoError(t, err)
	policy := func(principal string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal +
			`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-one/*"}]}`)
	}
	mgmt := emulator.DefaultManagementAccountID
	_, err = client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bucket-one"), Policy: policy("arn:aws:iam::" + mgmt + ":role/missing")})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "MalformedPolicy", apiErr.ErrorCode())
	require.Equal(t, "Invalid principal in policy", apiErr.ErrorMessage())

	arn, err := srv.CreateRole(mgmt, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+mgmt+`"},"Action":"sts:AssumeRole"}]}`)
	require.NoError(t, err)
	_, err = client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bucket-one"), Policy: policy(arn)})
	require.NoError(t, err)
	_, err = client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bucket-one"), Policy: policy("arn:aws:iam::111122223333:role/elsewhere")})
	require.NoError(t, err)
}
