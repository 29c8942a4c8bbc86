package main

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
)

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// accountConfig acts as the root user of accountID on the emulator.
func accountConfig(srv *emulator.Server, accountID string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accountID, "x", "")}
}

func TestLandingZoneConvergesAndSecondRunIsNoop(t *testing.T) {
	srv := startEmulator(t)
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out), out.String())
	require.Contains(t, out.String(), `backend "s3"`)
	require.Contains(t, out.String(), "remote_state")

	// The organization: the seed's tree, its accounts in their OUs, the
	// production guardrail on the Production OU.
	mgmt := accountConfig(srv, srv.ManagementAccountID())
	org := orgsdk.NewFromConfig(mgmt)
	accounts := map[string]orgtypes.Account{}
	p := orgsdk.NewListAccountsPaginator(org, &orgsdk.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Accounts {
			accounts[aws.ToString(a.Name)] = a
		}
	}
	require.Len(t, accounts, 4, "management + dev, staging, production")
	spec := Seed000("")
	for _, want := range spec.Tree.Accounts {
		a, ok := accounts[want.Name]
		require.True(t, ok, want.Name)
		require.Equal(t, want.Email, aws.ToString(a.Email))
		require.Equal(t, want.OU, ouPath(t, org, aws.ToString(a.Id)), want.Name)
	}
	prodOU := ouID(t, org, "Workloads/Production")
	pols, err := org.ListPoliciesForTarget(ctx, &orgsdk.ListPoliciesForTargetInput{TargetId: aws.String(prodOU), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	var names []string
	for _, p := range pols.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	sort.Strings(names)
	require.Equal(t, []string{"FullAWSAccess", "myapp-production-guardrails"}, names)

	// The state backend in every workload account.
	for _, want := range spec.Tree.Accounts {
		id := aws.ToString(accounts[want.Name].Id)
		cfg := accountConfig(srv, id)
		s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		bucket := fmt.Sprintf("myapp-terraform-state-%s", id)
		v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		require.NoError(t, err, want.Name)
		require.Equal(t, s3types.BucketVersioningStatusEnabled, v.Status)
		pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		c := pab.PublicAccessBlockConfiguration
		require.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets))
		pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		require.Contains(t, aws.ToString(pol.Policy), "aws:SecureTransport")
		tbl, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("myapp-terraform-locks")})
		require.NoError(t, err, want.Name)
		require.Equal(t, ddbtypes.BillingModePayPerRequest, tbl.Table.BillingModeSummary.BillingMode)
		require.True(t, aws.ToBool(tbl.Table.DeletionProtectionEnabled))
	}
	// Nothing was created in the management account.
	lb, err := s3.NewFromConfig(mgmt, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Empty(t, lb.Buckets)

	// A second run reports nothing and makes no mutating call.
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(ctx, []string{"-endpoint", srv.URL, "-once"}, &out))
	require.Contains(t, out.String(), "Changed 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))
}

func ouPath(t *testing.T, org *orgsdk.Client, child string) string {
	t.Helper()
	path := ""
	for {
		out, err := org.ListParents(context.Background(), &orgsdk.ListParentsInput{ChildId: aws.String(child)})
		require.NoError(t, err)
		parent := out.Parents[0]
		if parent.Type == orgtypes.ParentTypeRoot {
			return path
		}
		ou, err := org.DescribeOrganizationalUnit(context.Background(), &orgsdk.DescribeOrganizationalUnitInput{OrganizationalUnitId: parent.Id})
		require.NoError(t, err)
		if path == "" {
			path = aws.ToString(ou.OrganizationalUnit.Name)
		} else {
			path = aws.ToString(ou.OrganizationalUnit.Name) + "/" + path
		}
		child = aws.ToString(parent.Id)
	}
}

func ouID(t *testing.T, org *orgsdk.Client, path string) string {
	t.Helper()
	roots, err := org.ListRoots(context.Background(), &orgsdk.ListRootsInput{})
	require.NoError(t, err)
	id := aws.ToString(roots.Roots[0].Id)
next:
	for _, name := range splitPath(path) {
		p := orgsdk.NewListOrganizationalUnitsForParentPaginator(org, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(id)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			require.NoError(t, err)
			for _, ou := range page.OrganizationalUnits {
				if aws.ToString(ou.Name) == name {
					id = aws.ToString(ou.Id)
					continue next
				}
			}
		}
		t.Fatalf("OU %q not found", path)
	}
	return id
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}

func TestLandingZoneDryRunMakesNoMutatingCall(t *testing.T) {
	srv := startEmulator(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-dry-run"}, &out))
	require.Empty(t, srv.MutatingCallsSince(0))
	for _, want := range []string{
		"create organizations:organization",
		`create organizations:ou "Workloads/Production"`,
		`create organizations:account "you+aws-production@example.com"`,
		`create organizations:policy "myapp-production-guardrails"`,
		`create organizations:policy-attachment "Workloads/Production <- myapp-production-guardrails"`,
		`create s3:bucket "myapp-terraform-state-<myapp-dev>"`,
	} {
		require.Contains(t, out.String(), want)
	}

	// After a real run, a dry run plans nothing and still writes nothing.
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-once"}, &out))
	mark := srv.CallCount()
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-endpoint", srv.URL, "-dry-run"}, &out))
	require.Contains(t, out.String(), "Would change 0 resources")
	require.Empty(t, srv.MutatingCallsSince(mark))
}

func TestLandingZoneEmbeddedDefaultRunsTwice(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
}

func TestLandingZoneFlags(t *testing.T) {
	var out bytes.Buffer
	for args, want := range map[string][]string{
		"-yes":      {"-aws"},
		"-email":    {"-aws", "-yes"},
		"exclude":   {"-aws", "-endpoint", "http://127.0.0.1:1"},
		"plain":     {"-email", "Me <me@example.com>"},
		"arguments": {"extra"},
	} {
		err := run(context.Background(), want, &out)
		require.ErrorContains(t, err, args)
	}
	require.NotContains(t, out.String(), "Real AWS", "no AWS call may be made before the flags are right")
	require.Equal(t, "me+aws-dev@example.com", Seed000("me@example.com").Tree.Accounts[0].Email)
}
