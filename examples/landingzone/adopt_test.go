package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit/kittest"
)

// handMadeBackend makes a state bucket and lock table in the account cfg
// acts in as seed 000's bash loop does (create-bucket, create-table; no
// tags).
func handMadeBackend(t *testing.T, ctx context.Context, cfg aws.Config, bucket, table string) {
	t.Helper()
	_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	require.NoError(t, err)
}

// requireNotOurs requires that the bucket and table (in the account cfg
// acts in) do not carry managed-by=foundation.
func requireNotOurs(t *testing.T, ctx context.Context, cfg aws.Config, bucket, table string) {
	t.Helper()
	tags, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchTagSet" {
		require.NoError(t, err)
		for _, tag := range tags.TagSet {
			require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), bucket)
		}
	}
	ddb := dynamodb.NewFromConfig(cfg)
	d, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	require.NoError(t, err)
	tt, err := ddb.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.Table.TableArn})
	require.NoError(t, err)
	for _, tag := range tt.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key), table)
	}
}

// Seed 000 done by hand: the dev account made in the console, its state
// bucket and lock table and the management account's made by the bash
// loop, none tagged managed-by=foundation. The run is refused at the key
// that adopts each (the dev environment's line, then the management
// account's backend, whose key the file does not have yet: at project,
// what the bucket is named after), each by the plan the run makes first:
// no mutating call of the whole program; with adopt: true on the
// environment and adopt.managementStateBackend the run converges them,
// untagged, and a rerun makes no mutating call.
func TestLandingZoneAdoptsWhatSeed000MadeByHand(t *testing.T) {
	t.Parallel() // on an emulator of its own
	b, ctx := kittest.NewBackend(t, "", awstest.CapFreshState)
	b.RequireEmulator(t, awstest.CapServerCallLog) // before making anything: the reruns' calls are counted by the server
	mgmtID := b.AccountID(t)
	org := orgsdk.NewFromConfig(b.Config())
	devID := kittest.HandMadeAccount(t, ctx, org, "myapp-dev", "you+aws-dev@example.com")
	handMadeBackend(t, ctx, b.ConfigFor(devID), "myapp-terraform-state-"+devID, "myapp-terraform-locks")
	handMadeBackend(t, ctx, b.Config(), "myapp-terraform-state-"+mgmtID, "myapp-terraform-locks")
	root := kittest.RootID(t, org)

	kittest.RefusedUntilAdopted(t, b, run, "lz.yaml", string(seedFile), []string{"-out", filepath.Join(t.TempDir(), "files")},
		kittest.Refusal{
			Want: []string{`lz.yaml:10:5: environments[0] (myapp-dev): organizations:account "you+aws-dev@example.com" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it to converge it without taking it over, or tag it managed-by=foundation`},
			Check: func(string) {
				require.Equal(t, root, kittest.ParentOf(t, org, devID), "the refused account was moved")
				tags, err := org.ListTagsForResource(ctx, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(devID)})
				require.NoError(t, err)
				require.Empty(t, tags.Tags, "the refused account was tagged")
			},
			Adopt: func(text string) string {
				return strings.Replace(text, "ou: Workloads/Dev}", "ou: Workloads/Dev, adopt: true}", 1)
			},
		},
		kittest.Refusal{
			Want: []string{"account mgmt (" + mgmtID + "): ", `/lz.yaml:4:10: project (myapp-terraform-state-` + mgmtID + `): s3:bucket "myapp-terraform-state-` + mgmtID +
				`" exists but was not made by this library (no managed-by=foundation tag): set adopt.managementStateBackend to true to converge it`},
			Check: func(out string) {
				// Refused by the plan: nothing else was made (before the
				// plan, the run made 74 changes first); the refused bucket
				// untouched.
				require.Contains(t, out, "Plan failed: nothing was changed.")
				_, err := ecrsdk.NewFromConfig(b.Config()).DescribeRepositories(ctx, &ecrsdk.DescribeRepositoriesInput{RepositoryNames: []string{"myapp"}})
				var nf *ecrtypes.RepositoryNotFoundException
				require.ErrorAs(t, err, &nf, "the repository was made before the refusal")
				requireNotOurs(t, ctx, b.Config(), "myapp-terraform-state-"+mgmtID, "myapp-terraform-locks")
				_, err = s3.NewFromConfig(b.Config(), func(o *s3.Options) { o.UsePathStyle = true }).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("myapp-terraform-state-" + mgmtID)})
				require.Error(t, err, "the refused bucket got a policy")
			},
			Adopt: func(text string) string { return text + "adopt: {managementStateBackend: true}\n" },
		},
	)

	tags, err := org.ListTagsForResource(ctx, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(devID)})
	require.NoError(t, err)
	for _, tag := range tags.Tags {
		require.NotEqual(t, foundation.ManagedByTagKey, aws.ToString(tag.Key))
	}
	require.Equal(t, "Workloads/Dev", kittest.OUPath(t, org, devID), "the adopted account is converged")
	requireNotOurs(t, ctx, b.ConfigFor(devID), "myapp-terraform-state-"+devID, "myapp-terraform-locks")
	requireNotOurs(t, ctx, b.Config(), "myapp-terraform-state-"+mgmtID, "myapp-terraform-locks")
}

// The adopt keys take true or false only ("yes" is refused, not taken for
// true), known keys only, and OUs the file declares, each fault at its
// line before any call.
func TestAdoptKeysRefusedBeforeAnyCall(t *testing.T) {
	base := string(seedFile)
	var sub awstest.Subtests
	defer sub.Done(t)
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"environment yes", strings.Replace(base, "ou: Workloads/Dev}", `ou: Workloads/Dev, adopt: "yes"}`, 1),
			[]string{`lz.yaml:10:56: environments[0].adopt: "yes" is not true or false`}},
		{"block on", base + "adopt: {managementStateBackend: on}\n", []string{`lz.yaml:28:9: adopt.managementStateBackend: "on" is not true or false`}},
		{"block not a mapping", base + "adopt: true\n", []string{`lz.yaml:28:1: adopt: "true" is not a mapping`}},
		{"unknown key", base + "adopt: {stateBackends: true}\n", []string{`lz.yaml:28:9: adopt.stateBackends: unknown key "stateBackends"`}},
		{"undeclared OU", base + "adopt: {ous: [Management, Workloads]}\n", []string{
			`lz.yaml:28:27: adopt.ous[1]: "Workloads" is not one of ous or environments[].ou (an OU's parents are never written to: they need no adopting)`}},
	} {
		sub.Run(t, c.name, func(t *testing.T) {
			kittest.RefusesSpec(t, run, "lz.yaml", c.text, c.want, "-out", t.TempDir())
		})
	}
}

// Every key of the adopt block and an environment's adopt reach the
// library spec of what they adopt, and a refusal of each step is placed
// at the key that adopts it (the steps the run test does not reach).
func TestAdoptKeysReachTheLibrarySpecs(t *testing.T) {
	text := strings.Replace(string(seedFile), "ou: Workloads/Dev}", "ou: Workloads/Dev, adopt: true}", 1) +
		"adopt: {ous: [Management, Workloads/Dev], guardrail: true, permissionSets: true, githubProvider: true, ciRole: true,\n" +
		"  repository: true, imagesKey: true, cosignKey: true, managementStateBackend: true}\n"
	s, err := ParseSpec("lz.yaml", []byte(text))
	require.NoError(t, err)
	require.NoError(t, s.Validate())
	const id = "111111111111"
	tree := s.treeSpec()
	for _, ou := range tree.OUs {
		require.Equal(t, ou.Path == "Management" || ou.Path == "Workloads/Dev", ou.Adopt, ou.Path)
	}
	for _, a := range tree.Accounts {
		require.Equal(t, a.Name == "myapp-dev", a.Adopt, a.Name)
	}
	policy, err := s.guardrailPolicy()
	require.NoError(t, err)
	require.True(t, policy.Adopt)
	for _, ps := range s.accessSpec(nil, false).PermissionSets {
		require.True(t, ps.Adopt, ps.Name)
	}
	require.True(t, s.providerSpec().Adopt)
	require.True(t, s.ciRoleSpec("arn:aws:iam::"+id+":oidc-provider/x", id, "k").Adopt)
	require.True(t, s.repositorySpec("k", nil).Adopt)
	require.True(t, s.imagesKeySpec(id).Adopt && s.cosignKeySpec(id).Adopt)
	require.True(t, s.backendSpec("mgmt", id).Adopt && s.backendSpec("dev", id).Adopt && s.accountKeySpec("dev", id).Adopt)
	require.False(t, s.backendSpec("staging", id).Adopt || s.accountKeySpec("staging", id).Adopt)

	seed := Seed000()
	refused := func(step, field string) string {
		return seed.src.Adopting(&foundation.NotManagedError{Kind: "k", ID: "i", Field: field}, seed.adoptions(step, id)...).Error()
	}
	for step, want := range map[string]string{
		"guardrail":             "seed.yaml:12:82: environments[2].protected (myapp-production-guardrails): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.guardrail to true",
		"images key":            "seed.yaml:6:9: region (alias/mgmt-us-east-1-main): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.imagesKey to true",
		"cosign key":            "seed.yaml:4:10: project (alias/myapp-cosign): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.cosignKey to true",
		"repository":            "seed.yaml:24:13: repository (myapp): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.repository to true",
		"GitHub provider":       "seed.yaml:21:19: githubRepository (https://token.actions.githubusercontent.com): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.githubProvider to true",
		"CI role":               "seed.yaml:23:10: cluster (myapp-prod-github-ci): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.ciRole to true",
		"staging: key":          "seed.yaml:11:5: environments[1] (myapp-staging): k \"i\" exists but was not made by this library (no managed-by=foundation tag): add \"adopt: true\" to it",
		"prod: state backend":   "seed.yaml:12:5: environments[2] (myapp-production): k \"i\" exists but was not made by this library (no managed-by=foundation tag): add \"adopt: true\" to it",
		"mgmt: state backend":   "seed.yaml:4:10: project (myapp-terraform-state-111111111111): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.managementStateBackend to true",
		"permission sets/1":     "seed.yaml:15:13: adminGroup (ReadOnlyAccess): k \"i\" exists but was not made by this library (no managed-by=foundation tag): set adopt.permissionSets to true",
		"tree/spec.OUs[2]":      "seed.yaml:11:49: environments[1].ou (Workloads/Staging): k \"i\" exists but was not made by this library (no managed-by=foundation tag): add \"Workloads/Staging\" to adopt.ous",
		"tree/spec.Accounts[2]": "seed.yaml:12:5: environments[2] (myapp-production): k \"i\" exists but was not made by this library (no managed-by=foundation tag): add \"adopt: true\" to it",
	} {
		var got string
		switch step {
		case "permission sets/1":
			got = refused("permission sets", "spec.PermissionSets[1].Adopt")
		case "tree/spec.OUs[2]", "tree/spec.Accounts[2]":
			_, adopt := seed.tree()
			got = seed.src.Adopting(&foundation.NotManagedError{Kind: "k", ID: "i", Field: strings.TrimPrefix(step, "tree/") + ".Adopt"}, adopt...).Error()
		default:
			got = refused(step, "spec.Adopt")
		}
		require.Equal(t, want+" to converge it without taking it over, or tag it managed-by=foundation", got, step)
	}
}
