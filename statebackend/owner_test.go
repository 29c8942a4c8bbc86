package statebackend_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// bucketTagsOf and tableTagsOf read tags back with each service's own tag
// read.
func bucketTagsOf(t *testing.T, b *awstest.Backend, bucket string) map[string]string {
	t.Helper()
	m := map[string]string{}
	out, err := b.S3().GetBucketTagging(t.Context(), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchTagSet" {
		return m
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func tableTagsOf(t *testing.T, b *awstest.Backend, table string) map[string]string {
	t.Helper()
	d, err := b.DynamoDB().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	var token *string
	for {
		out, err := b.DynamoDB().ListTagsOfResource(t.Context(), &dynamodb.ListTagsOfResourceInput{ResourceArn: d.Table.TableArn, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			return m
		}
	}
}

// strangerBucket and strangerTable make a bucket and a lock table with
// the SDK directly, as someone else would: versioning off, a provisioned
// table without protection, their tag (and managed-by=managedBy unless
// empty).
func strangerBucket(t *testing.T, b *awstest.Backend, bucket, managedBy string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if b.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.Region)}
	}
	if _, err := b.S3().CreateBucket(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	set := []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}}
	if managedBy != "" {
		set = append(set, s3types.Tag{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(managedBy)})
	}
	if _, err := b.S3().PutBucketTagging(t.Context(), &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		t.Fatal(err)
	}
}

func strangerTable(t *testing.T, b *awstest.Backend, table, managedBy string) {
	t.Helper()
	tags := []ddbtypes.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}}
	if managedBy != "" {
		tags = append(tags, ddbtypes.Tag{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(managedBy)})
	}
	_, err := b.DynamoDB().CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:             aws.String(table),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		SSESpecification:      handMadeSSE(b),
		Tags:                  tags,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func bootstrapChanges(t *testing.T, b *awstest.Backend, spec statebackend.Spec) func() ([]foundation.Change, error) {
	ctx := awstest.Context(t, 20*time.Second)
	return func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	}
}

// A bucket and a lock table Bootstrap creates carry managed-by=foundation
// from CreateBucket (CreateBucketConfiguration.Tags) and CreateTable
// themselves, read back with GetBucketTagging and ListTagsOfResource; no
// tagging call follows; a rerun makes no mutating call.
func TestNewBucketAndTableCarryTheOwnershipTag(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockBoth, LockTable: b.Unique("tf-locks"),
		Tags: map[string]string{"team": "platform"}}
	mark := b.Mark()
	if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	for _, c := range b.MutatingCalls(mark) {
		if c.Operation == "TagResource" || c.Operation == "PutBucketTagging" && !b.Lacks(awstest.S3CreateBucketTags) {
			t.Errorf("%s after the create: the ownership tag goes on in the create call", c.Operation)
		}
	}
	for name, got := range map[string]map[string]string{"bucket": bucketTagsOf(t, b, spec.Bucket), "table": tableTagsOf(t, b, spec.LockTable)} {
		if got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || got["team"] != "platform" {
			t.Errorf("%s tags %v", name, got)
		}
	}
	requireConverged(t, b, bootstrapChanges(t, b, spec))
}

// A bucket or a lock table of the spec's names made outside the library
// (untagged, or managed-by=terraform) is a *foundation.NotManagedError
// naming s3:bucket or dynamodb:table, the name and spec.Adopt, before any
// write of the call, in a dry run too: a stranger's table stops the run
// before the bucket is created, and before the library's own drifted
// bucket is repaired.
func TestStrangersBucketAndTableAreRefused(t *testing.T) {
	for _, owner := range []string{"", "terraform"} {
		t.Run("managed-by="+owner, func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 20*time.Second)
			check := func(spec statebackend.Spec, kind, id, service string) {
				t.Helper()
				for _, dry := range []bool{true, false} {
					mark := b.Mark()
					_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
					var nm *foundation.NotManagedError
					if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) {
						t.Fatalf("dry run %v: err = %v", dry, err)
					}
					if nm.Kind != kind || nm.ID != id || nm.Field != "spec.Adopt" || nm.Tag != owner {
						t.Errorf("dry run %v: %+v", dry, *nm)
					}
					for _, c := range b.MutatingCalls(mark) {
						t.Errorf("dry run %v: wrote before refusing the %s (%s): %v", dry, kind, service, c)
					}
				}
			}
			bucket := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockFile}
			strangerBucket(t, b, bucket.Bucket, owner)
			check(bucket, statebackend.ResBucket, bucket.Bucket, "s3")
			if got := bucketTagsOf(t, b, bucket.Bucket); got[foundation.ManagedByTagKey] != owner || got["owner"] != "team-a" {
				t.Errorf("bucket tags %v", got)
			}

			table := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
			strangerTable(t, b, table.LockTable, owner)
			check(table, statebackend.ResTable, table.LockTable, "dynamodb")

			// The library's own bucket, drifted (versioning suspended),
			// with a stranger's table: nothing repaired before the refusal.
			own := table
			own.Bucket = b.Unique("tfstate")
			if _, err := statebackend.Bootstrap(ctx, apiFor(b), statebackend.Spec{Bucket: own.Bucket, Region: b.Region, Locking: statebackend.LockFile}, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			if _, err := b.S3().PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(own.Bucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
				t.Fatal(err)
			}
			check(own, statebackend.ResTable, own.LockTable, "dynamodb")
		})
	}
}

// With Adopt, a stranger's bucket and lock table are converged as the spec
// says but stay theirs: never tagged managed-by=foundation, their tags
// kept (PutBucketTagging writes the whole set), the spec's tags added. The
// rerun makes no mutating call.
func TestAdoptConvergesAStrangersBackendWithoutTakingItOver(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockBoth, LockTable: b.Unique("tf-locks"),
		Tags: map[string]string{"cost-center": "42"}, Adopt: true}
	strangerBucket(t, b, spec.Bucket, "")
	strangerTable(t, b, spec.LockTable, "")
	mark := b.Mark()
	planned, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) == 0 {
		t.Fatal("nothing converged")
	}
	if p, g := resources(planned.Changes), resources(got.Changes); !slices.Equal(p, g) {
		t.Errorf("the dry run planned %v, the run made %v", p, g)
	}
	verifyBucket(t, ctx, b, b.S3(), spec)
	verifyTable(t, ctx, b.DynamoDB(), spec)
	for name, tags := range map[string]map[string]string{"bucket": bucketTagsOf(t, b, spec.Bucket), "table": tableTagsOf(t, b, spec.LockTable)} {
		if _, ok := tags[foundation.ManagedByTagKey]; ok || tags["owner"] != "team-a" || tags["cost-center"] != "42" {
			t.Errorf("%s tags %v: adopted, it stays the owner's", name, tags)
		}
	}
	requireConverged(t, b, bootstrapChanges(t, b, spec))
}

// spec.Tags may not set managed-by to another value: refused before any
// call.
func TestBackendTagsMayNotClaimAnotherOwner(t *testing.T) {
	b := awstest.New(t)
	spec := statebackend.Spec{Bucket: "tfstate-x", Region: "us-east-1", Tags: map[string]string{foundation.ManagedByTagKey: "terraform"}}
	mark := b.Mark()
	_, err := statebackend.Bootstrap(t.Context(), apiFor(b), spec)
	var se *foundation.SpecError
	if !errors.As(err, &se) || se.Field != `spec.Tags["managed-by"]` {
		t.Errorf("err = %v", err)
	}
	b.RequireNoCalls(t, mark)
}

// A CreateBucket or CreateTable AWS applied whose answer was lost leaves
// one bucket and one table, each tagged managed-by=foundation.
func TestLostCreateLeavesTaggedBucketAndTable(t *testing.T) {
	for _, tc := range []struct{ service, op string }{{"s3", "CreateBucket"}, {"dynamodb", "CreateTable"}} {
		t.Run(tc.op, func(t *testing.T) {
			b := awstest.New(t, awstest.WithRegion("eu-west-1"))
			e := b.RequireEmulator(t, awstest.CapFaults)
			spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
			f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: tc.service, Operation: tc.op}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
			if _, err := bootstrapChanges(t, b, spec)(); err != nil || f.Fired() != 1 {
				t.Fatalf("err %v, fired %d", err, f.Fired())
			}
			for name, got := range map[string]map[string]string{"bucket": bucketTagsOf(t, b, spec.Bucket), "table": tableTagsOf(t, b, spec.LockTable)} {
				if got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
					t.Errorf("%s tags %v", name, got)
				}
			}
			requireConverged(t, b, bootstrapChanges(t, b, spec))
		})
	}
}

// strangerFirstS3 is an S3 client whose CreateBucket is beaten by another
// caller of the same account, who makes the bucket with its own tags; in
// us-east-1 AWS then answers the CreateBucket 200 (the caller's account
// owns the bucket) and applies nothing.
type strangerFirstS3 struct {
	statebackend.S3API
	t *testing.T
	b *awstest.Backend
}

func (s strangerFirstS3) CreateBucket(ctx context.Context, in *s3.CreateBucketInput, opts ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	strangerBucket(s.t, s.b, aws.ToString(in.Bucket), "")
	return s.S3API.CreateBucket(ctx, in, opts...)
}

// In us-east-1 a bucket someone else of the account made between
// Bootstrap's HeadBucket and its CreateBucket is answered 200 as if
// created: its tags (someone else's, no managed-by) show it is not the
// library's, and it is refused, not tagged.
func TestUSEast1CreateOfAStrangersBucketIsRefused(t *testing.T) {
	b := awstest.New(t, awstest.WithRegion("us-east-1"))
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: "us-east-1"}
	api := apiFor(b)
	api.S3 = strangerFirstS3{S3API: api.S3, t: t, b: b}
	_, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...)
	var nm *foundation.NotManagedError
	if !errors.As(err, &nm) || nm.ID != spec.Bucket {
		t.Fatalf("err = %v, want a NotManagedError", err)
	}
	if got := bucketTagsOf(t, b, spec.Bucket); got[foundation.ManagedByTagKey] != "" || got["owner"] != "team-a" {
		t.Errorf("the stranger's bucket was tagged: %v", got)
	}
}
