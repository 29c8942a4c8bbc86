package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// startEmulator starts an emulator with seed 000's workload accounts, as
// `go run ./cmd/foundation-emulator -accounts ...` does.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	for _, a := range seed000.Accounts {
		require.NoError(t, srv.AddMemberAccount(a.ID, seed000.AccessRole))
	}
	return srv
}

// accountConfig acts as the root of accountID on the emulator.
func accountConfig(srv *emulator.Server, accountID string) aws.Config {
	return aws.Config{Region: seed000.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accountID, "x", "")}
}

func TestLandingZoneConvergesAndSecondRunIsNoop(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out), out.String())
	require.Contains(t, out.String(), `backend "s3"`)
	require.Contains(t, out.String(), "remote_state")

	// Read the state back in every account.
	for _, a := range seed000.Accounts {
		cfg := accountConfig(srv, a.ID)
		s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		bucket := fmt.Sprintf("myapp-terraform-state-%s", a.ID)
		v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		require.NoError(t, err, a.Name)
		require.Equal(t, s3types.BucketVersioningStatusEnabled, v.Status)
		pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		c := pab.PublicAccessBlockConfiguration
		require.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets))
		pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		require.Contains(t, aws.ToString(pol.Policy), "aws:SecureTransport")

		tbl, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("myapp-terraform-locks")})
		require.NoError(t, err, a.Name)
		require.Equal(t, ddbtypes.BillingModePayPerRequest, tbl.Table.BillingModeSummary.BillingMode)
		require.True(t, aws.ToBool(tbl.Table.DeletionProtectionEnabled))
	}
	// Nothing was created in the management account.
	mgmt := s3.NewFromConfig(accountConfig(srv, srv.ManagementAccountID()), func(o *s3.Options) { o.UsePathStyle = true })
	lb, err := mgmt.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Empty(t, lb.Buckets)

	// A second run reports nothing and makes no mutating call.
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out))
	require.Contains(t, out.String(), "Changed 0 resources in 3 accounts")
	require.Empty(t, srv.MutatingCallsSince(mark))
}

func TestLandingZoneDryRunMakesNoMutatingCall(t *testing.T) {
	srv := startEmulator(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-dry-run"}, &out))
	require.Empty(t, srv.MutatingCallsSince(0))
	for _, a := range seed000.Accounts {
		require.Contains(t, out.String(), "create s3:bucket \"myapp-terraform-state-"+a.ID+"\"")
		require.Contains(t, out.String(), a.Name+" ("+a.ID+")")
	}
	require.Contains(t, out.String(), "create dynamodb:table \"myapp-terraform-locks\"")
}

func TestLandingZoneEmbeddedDefaultRunsTwice(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
}

func TestLandingZoneFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-aws"}, &out)
	require.ErrorContains(t, err, "-yes")
	err = run(context.Background(), []string{"-aws", "-yes"}, &out)
	require.ErrorContains(t, err, "-accounts")
	err = run(context.Background(), []string{"-aws", "-endpoint", "http://127.0.0.1:1"}, &out)
	require.ErrorContains(t, err, "exclude")
	_, err = parseAccounts("dev=123")
	require.ErrorContains(t, err, "12-digit")
	accts, err := parseAccounts("dev=111111111111, prod=333333333333")
	require.NoError(t, err)
	require.Equal(t, []Account{{"dev", "111111111111"}, {"prod", "333333333333"}}, accts)
	require.False(t, strings.Contains(out.String(), "Real AWS"), "no AWS call may be made without -yes")
}
