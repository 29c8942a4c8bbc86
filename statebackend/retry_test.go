package statebackend_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/call/settings"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

func codeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// provisionedTable makes a lock table with provisioned billing, which
// Bootstrap repairs with UpdateTable: one of the library's (tagged
// managed-by=foundation) that drifted.
func provisionedTable(t *testing.T, b *awstest.Backend, spec statebackend.Spec) {
	t.Helper()
	_, err := b.DynamoDB().CreateTable(awstest.Context(t, 10*time.Second), &dynamodb.CreateTableInput{
		Tags:                  []ddbtypes.Tag{{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(foundation.ManagedByTagValue)}},
		TableName:             aws.String(spec.LockTable),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		SSESpecification:      handMadeSSE(b),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRetriesDoNotMultiply: an error the old per-package loops retried at
// every level (the write, the UpdateTable loop, the call) is now retried
// only by the client's retryer, and that retryer does not retry it: one
// UpdateTable call, where the nested loops made up to 25.
func TestRetriesDoNotMultiply(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
	provisionedTable(t, b, spec)
	api := apiFor(b)
	var calls func() int // how many UpdateTable calls were answered
	if e := b.EmulatorFor(awstest.CapFaults); e != nil {
		// The server refuses: the client's retryer sees the error too.
		f := e.FailAlways(emulator.Match{Service: "dynamodb", Operation: "UpdateTable"},
			emulator.APIError{Status: 400, Code: "ContinuousBackupsUnavailableException", Message: "injected"})
		calls = f.Fired
	} else {
		// Elsewhere the client refuses, as AWS would: the library's own
		// loops are what is counted.
		r := &refuseUpdateTable{DynamoDBAPI: api.DynamoDB}
		api.DynamoDB, calls = r, func() int { return r.calls }
	}
	_, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...)
	if codeOf(err) != "ContinuousBackupsUnavailableException" {
		t.Fatalf("err = %v", err)
	}
	if n := calls(); n != 1 {
		t.Errorf("UpdateTable called %d times, want 1", n)
	}
}

// refuseUpdateTable answers every UpdateTable with
// ContinuousBackupsUnavailableException, before anything is written.
type refuseUpdateTable struct {
	statebackend.DynamoDBAPI
	calls int
}

func (r *refuseUpdateTable) UpdateTable(context.Context, *dynamodb.UpdateTableInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	r.calls++
	return nil, &smithy.GenericAPIError{Code: "ContinuousBackupsUnavailableException", Message: "Backups are being enabled for the table"}
}

// TestS3OperationAbortedIsRetriedByTheClient: OperationAborted is retried
// by the client's retryer (awsretry.S3), at most its MaxAttempts (5 for
// the test clients), never more.
func TestS3OperationAbortedIsRetriedByTheClient(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}
	aborted := emulator.APIError{Status: 409, Code: "OperationAborted", Message: "A conflicting conditional operation is currently in progress against this resource. Try again."}
	once := e.FailNth(emulator.Match{Service: "s3", Operation: "PutBucketVersioning"}, 1, aborted)
	if _, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	if once.Fired() != 1 {
		t.Errorf("fault fired %d times", once.Fired())
	}

	spec.Bucket = b.Unique("tfstate")
	always := e.FailAlways(emulator.Match{Service: "s3", Operation: "PutBucketVersioning"}, aborted)
	_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if codeOf(err) != "OperationAborted" {
		t.Fatalf("err = %v", err)
	}
	if n := always.Fired(); n < 2 || n > 5 {
		t.Errorf("PutBucketVersioning attempted %d times, want the client's 5 at most", n)
	}
}

// TestWaitsAreBoundedByTime: a refusal that never clears stops once the
// bound from the options has passed: UpdateTable busy
// (ResourceInUseException) within WaitTimeout, point-in-time recovery
// unavailable within the propagation timeout.
func TestWaitsAreBoundedByTime(t *testing.T) {
	const bound = 150 * time.Millisecond
	var s awstest.Subtests
	defer s.Done(t)
	s.Run(t, "UpdateTable busy", func(t *testing.T) {
		b := awstest.New(t)
		e := b.RequireEmulator(t, awstest.CapFaults)
		ctx := awstest.Context(t, 20*time.Second)
		spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
		provisionedTable(t, b, spec)
		f := e.FailAlways(emulator.Match{Service: "dynamodb", Operation: "UpdateTable"},
			emulator.APIError{Status: 400, Code: "ResourceInUseException", Message: "injected"})
		start := time.Now()
		_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithWaitTimeout(bound))...)
		took := time.Since(start)
		var inUse *ddbtypes.ResourceInUseException
		if !errors.As(err, &inUse) {
			t.Fatalf("err = %v", err)
		}
		if f.Fired() < 2 || took > bound+5*time.Second {
			t.Errorf("%d attempts in %s, want retries within %s", f.Fired(), took, bound)
		}
	})
	s.Run(t, "PITR unavailable", func(t *testing.T) {
		b := awstest.New(t)
		e := b.RequireEmulator(t, awstest.CapFaults)
		ctx := awstest.Context(t, 20*time.Second)
		spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks")}
		f := e.FailAlways(emulator.Match{Service: "dynamodb", Operation: "UpdateContinuousBackups"},
			emulator.APIError{Status: 400, Code: "ContinuousBackupsUnavailableException", Message: "injected"})
		short := foundation.Option(func(s *settings.Settings) { s.PropagationTimeout = bound })
		start := time.Now()
		_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(short)...)
		took := time.Since(start)
		if codeOf(err) != "ContinuousBackupsUnavailableException" {
			t.Fatalf("err = %v", err)
		}
		if f.Fired() < 2 || took < bound || took > bound+5*time.Second {
			t.Errorf("%d attempts in %s, want retries for %s", f.Fired(), took, bound)
		}
	})
}
