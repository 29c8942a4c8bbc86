package statebackend_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// otherAccount is an account ID that is not the caller's (ExpectedBucketOwner
// only compares it).
const otherAccount = "210987654321"

// memberAccount creates an organization and a member account in it, and
// returns the account's ID: another account the test can act in.
func memberAccount(t *testing.T, ctx context.Context, b *awstest.Backend) string {
	t.Helper()
	b.Require(t, awstest.CapFreshState, awstest.CapMemberAccounts)
	org := b.Organizations()
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	name := b.Unique("other")
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	req := out.CreateAccountStatus.Id
	for {
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req})
		if err != nil {
			t.Fatal(err)
		}
		switch s := st.CreateAccountStatus; s.State {
		case orgtypes.CreateAccountStateSucceeded:
			return aws.ToString(s.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("create account: %s", s.FailureReason)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestBucketOwnedByAnotherAccount(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.S3CrossAccountDenied)
	ctx := awstest.Context(t, 20*time.Second)
	other := memberAccount(t, ctx, b)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}
	if _, err := b.S3(b.ConfigFor(other)).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(spec.Bucket)}); err != nil {
		t.Fatal(err)
	}
	mark := b.Mark()
	_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketNotAccessible || ce.Bucket != spec.Bucket {
		t.Fatalf("err = %v, want a BucketConflictError (not accessible)", err)
	}
	b.RequireNoMutations(t, mark)

	// With the owner named, the other account's bucket is refused too.
	spec.AccountID = b.AccountID(t)
	_, err = statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketNotAccessible {
		t.Fatalf("with AccountID: err = %v", err)
	}
	b.RequireNoMutations(t, mark)
}

func TestExpectedBucketOwner(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, AccountID: b.AccountID(t)}
	if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	verifyBucket(t, ctx, b, b.S3(), spec)
	requireConverged(t, b, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
	if b.Lacks(awstest.S3ExpectedBucketOwner) {
		return
	}
	// Claiming another owner for our own bucket is refused at HeadBucket.
	spec.AccountID = otherAccount
	mark := b.Mark()
	_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketNotAccessible {
		t.Fatalf("err = %v, want BucketNotAccessible", err)
	}
	b.RequireNoMutations(t, mark)
}

func TestBucketInAnotherRegion(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	bucket := b.Unique("tfstate")
	eu := b.Config()
	eu.Region = "eu-west-1"
	if _, err := b.S3(eu).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	mark := b.Mark()
	_, err := statebackend.Bootstrap(ctx, apiFor(b), statebackend.Spec{Bucket: bucket, Region: "us-east-1"}, awstest.Fast()...)
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketInOtherRegion {
		t.Fatalf("err = %v, want BucketInOtherRegion", err)
	}
	t.Logf("%v", err)
	b.RequireNoMutations(t, mark)
}

// TestBootstrapOutsideUSEast1 bootstraps eu-central-1 with clients built for
// us-east-1: every call goes to Spec.Region.
func TestBootstrapOutsideUSEast1(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: "eu-central-1", Locking: statebackend.LockDynamoDB, LockTable: b.Unique("locks")}
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.Config()
	cfg.Region = "eu-central-1"
	out, err := b.S3(cfg).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(spec.Bucket)})
	if err != nil || aws.ToString(out.BucketRegion) != "eu-central-1" {
		t.Errorf("bucket region: %v %v", out, err)
	}
	if !strings.Contains(got.LockTableARN, ":eu-central-1:") {
		t.Errorf("table ARN %s", got.LockTableARN)
	}
	verifyBucket(t, ctx, b, b.S3(cfg), spec)
	verifyTable(t, ctx, b.DynamoDB(cfg), spec)
	// A bucket of that name in us-east-1 terms is "in another region".
	_, err = statebackend.Bootstrap(ctx, apiFor(b), statebackend.Spec{Bucket: spec.Bucket, Region: "us-east-1"}, awstest.Fast()...)
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketInOtherRegion || ce.Region != "eu-central-1" {
		t.Errorf("err = %v, want BucketInOtherRegion (eu-central-1)", err)
	}
}

// racingS3 is another run (or another account) creating the bucket between
// Bootstrap's HeadBucket and its CreateBucket: other creates it just before
// Bootstrap's first CreateBucket goes out, which then gets AWS's answer.
type racingS3 struct {
	statebackend.S3API
	other *s3.Client
	once  sync.Once
	raced bool
	err   error
}

func (r *racingS3) CreateBucket(ctx context.Context, in *s3.CreateBucketInput, opts ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	r.once.Do(func() { _, r.err = r.other.CreateBucket(ctx, in, opts...); r.raced = true })
	if r.err != nil {
		return nil, fmt.Errorf("the racing create: %w", r.err)
	}
	return r.S3API.CreateBucket(ctx, in, opts...)
}

// racingDynamoDB does the same for the lock table.
type racingDynamoDB struct {
	statebackend.DynamoDBAPI
	other *dynamodb.Client
	once  sync.Once
	raced bool
	err   error
}

func (r *racingDynamoDB) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	r.once.Do(func() { _, r.err = r.other.CreateTable(ctx, in, opts...); r.raced = true })
	if r.err != nil {
		return nil, fmt.Errorf("the racing create: %w", r.err)
	}
	return r.DynamoDBAPI.CreateTable(ctx, in, opts...)
}

// TestCreateRaces has another run create the bucket and the table between
// our read and our create: the create's answer says it exists
// (BucketAlreadyOwnedByYou outside us-east-1, ResourceInUseException) and
// Bootstrap converges what is there.
func TestCreateRaces(t *testing.T) {
	b := awstest.New(t, awstest.WithRegion("eu-west-1"))
	// The other run's bucket is the library's by its create's tags.
	b.Need(t, awstest.S3CreateBucketTags)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
	s3r, ddbr := &racingS3{S3API: b.S3(), other: b.S3()}, &racingDynamoDB{DynamoDBAPI: b.DynamoDB(), other: b.DynamoDB()}
	got, err := statebackend.Bootstrap(ctx, statebackend.API{S3: s3r, DynamoDB: ddbr}, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if !s3r.raced || !ddbr.raced {
		t.Fatalf("no race: bucket %v, table %v", s3r.raced, ddbr.raced)
	}
	for _, c := range got.Changes {
		if c.Action == foundation.ActionCreate {
			t.Errorf("reported a create it did not make: %v", c)
		}
	}
	verifyBucket(t, ctx, b, b.S3(), spec)
	verifyTable(t, ctx, b.DynamoDB(), spec)
	requireConverged(t, b, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// TestBucketNameTaken has another account create the bucket between our
// read and our create: AWS answers BucketAlreadyExists.
func TestBucketNameTaken(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	other := memberAccount(t, ctx, b)
	api := apiFor(b)
	s3r := &racingS3{S3API: api.S3, other: b.S3(b.ConfigFor(other))}
	api.S3 = s3r
	_, err := statebackend.Bootstrap(ctx, api, statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}, awstest.Fast()...)
	if !s3r.raced {
		t.Fatalf("no race: %v", err)
	}
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketNameTaken {
		t.Fatalf("err = %v, want BucketNameTaken", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BucketAlreadyExists" {
		t.Errorf("conflict does not unwrap to the AWS error: %v", err)
	}
}

func TestLockTableWithWrongKeySchema(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
	_, err := b.DynamoDB().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(spec.LockTable),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{true, false} {
		_, err = statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
		var tc *statebackend.TableConflictError
		if !errors.As(err, &tc) || tc.Table != spec.LockTable || !strings.Contains(err.Error(), "LockID") {
			t.Fatalf("dry=%v: err = %v, want TableConflictError", dry, err)
		}
	}
}

func TestHeadBucketAccessDenied(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	e.FailNth(emulator.Match{Operation: "HeadBucket"}, 1, emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
	_, err := statebackend.Bootstrap(ctx, apiFor(b), statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}, awstest.Fast()...)
	var ce *statebackend.BucketConflictError
	if !errors.As(err, &ce) || ce.Reason != statebackend.BucketNotAccessible {
		t.Fatalf("err = %v", err)
	}
}

// TestConcurrentBootstraps runs the same bootstrap from several goroutines
// at once: every run succeeds (creates that race converge) and the result is
// the converged backend.
func TestConcurrentBootstraps(t *testing.T) {
	b := awstest.New(t, awstest.WithRegion("eu-west-1"))
	// The runs that lose the create race find the winner's bucket the
	// library's by its create's tags.
	b.Need(t, awstest.S3CreateBucketTags)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: "eu-west-1", Locking: statebackend.LockBoth,
		LockTable: b.Unique("tf-locks"), Tags: map[string]string{"team": "platform"}}
	api := apiFor(b)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	verifyBucket(t, ctx, b, b.S3(), spec)
	verifyTable(t, ctx, b.DynamoDB(), spec)
	requireConverged(t, b, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}
