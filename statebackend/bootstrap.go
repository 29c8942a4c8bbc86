package statebackend

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Backend is what Bootstrap converged: the identifiers of the bucket and the
// lock table, the changes made (in dry run: that would be made) and the
// backend configuration to use them.
type Backend struct {
	Bucket    string
	BucketARN string
	Region    string
	// LockTable and LockTableARN are empty with LockFile. In a dry run
	// that would create the table without Spec.AccountID set,
	// LockTableARN is a placeholder (plan.Predict: "(known after apply:
	// dynamodb table NAME)").
	LockTable    string
	LockTableARN string
	// Changes lists every mutation in the order made; empty when the
	// backend was already converged.
	Changes foundation.Changes
	// Config renders the Terraform and Terragrunt backend configuration.
	Config BackendConfig
}

// Bootstrap converges the Terraform state backend of one account and region:
// the state bucket (versioning, default encryption, public access block,
// BucketOwnerEnforced, TLS-only bucket policy, retention lifecycle rule,
// tags) and, with LockDynamoDB or LockBoth, the lock table (LockID hash key,
// on-demand, KMS encryption, point-in-time recovery, deletion protection,
// tags). It makes only the writes needed; run again on a converged backend
// it makes none and reports no changes. See the package documentation.
//
// The spec and api are validated first: an invalid one returns an error
// matching foundation.ErrInvalidSpec and no call is made. A KMS key that a
// dry run of kms.EnsureKey predicted (Key.ARN of a key it would create) is
// accepted in a dry run, which plans SSE-KMS with it, and is an invalid
// spec in a real run. On any other error the returned Backend is nil and
// the error carries the changes made before it (a
// *foundation.IncompleteError); running Bootstrap again resumes the work.
func Bootstrap(ctx context.Context, api API, spec Spec, opts ...foundation.Option) (*Backend, error) {
	spec = spec.withDefaults()
	errs := spec.faults()
	if api.S3 == nil {
		errs = append(errs, specerr.New(pkg, "api.S3", "", "must not be nil"))
	}
	if spec.Locking.usesTable() && api.DynamoDB == nil {
		errs = append(errs, specerr.New(pkg, "api.DynamoDB", "", "must not be nil when spec.Locking is "+string(spec.Locking)))
	}
	o := call.Resolve(opts...)
	o.Logger = o.Logger.With(slog.String("bucket", spec.Bucket))
	rec := plan.New(o)
	// Validation: a predicted key (a dry run's placeholder) is only
	// valid while planning.
	if !rec.Planning() {
		errs = append(errs, spec.predictedFaults()...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r := &run{api: api, spec: spec, o: o, log: o.Logger, rec: rec,
		// Every call goes to Spec.Region, whatever region the clients were
		// built for: one pair of clients can bootstrap every region of an
		// account.
		// S3 OperationAborted (a configuration write racing the bucket's
		// create) is retried by the client's retryer.
		s3Region: func(so *s3.Options) {
			so.Region = spec.Region
			so.Retryer = awsretry.Add(so.Retryer, awsretry.S3...)
		},
		ddbRegion: func(do *dynamodb.Options) { do.Region = spec.Region },
	}

	b := &Backend{
		Bucket:    spec.Bucket,
		BucketARN: bucketARN(spec.Region, spec.Bucket),
		Region:    spec.Region,
		Config:    configFor(spec),
	}
	// The reads are made side by side, in two stages: HeadBucket and
	// DescribeTable, then (ensureBucket) the bucket's settings with the
	// table's point-in-time recovery and tags. Writes, and the errors of
	// reads, come in the order of the sequential run: bucket, then table.
	var exists bool
	head := newRead(func(ctx context.Context) (err error) {
		exists, err = r.headBucket(ctx)
		return err
	})
	var table *tableReads
	if spec.Locking.usesTable() {
		table = r.newTableReads()
		r.readAll(ctx, head, table.describe)
	}
	if err := head.result(ctx); err != nil {
		return nil, rec.Fail(err)
	}
	// The lock table's owner is checked before the bucket's first write:
	// one Bootstrap refuses a table it may not write to before it writes
	// anything.
	if err := r.ensureBucket(ctx, exists, table.next(r), func(ctx context.Context) error { return r.checkTableOwner(ctx, table) }); err != nil {
		return nil, rec.Fail(err)
	}
	if spec.Locking.usesTable() {
		b.LockTable = spec.LockTable
		arn, err := r.ensureTable(ctx, table)
		if err != nil {
			return nil, rec.Fail(err)
		}
		b.LockTableARN = arn
	}
	b.Changes = rec.Changes()
	return b, nil
}

// run is the state of one Bootstrap call.
type run struct {
	api  API
	spec Spec
	o    call.Options
	log  *slog.Logger
	// rec gates and records every write. Retries are not made here: the
	// S3 calls carry awsretry's codes in their retryer (s3Region), and the
	// few writes AWS refuses while something settles wait in
	// awsretry.Wait at their call.
	rec *plan.Recorder

	s3Region  func(*s3.Options)
	ddbRegion func(*dynamodb.Options)

	// bucketTagSet is the bucket's tags, as read (bucketTagsStep);
	// bucketCreated says this run's CreateBucket made the bucket.
	bucketTagSet  map[string]string
	bucketCreated bool
}

func bucketARN(region, bucket string) string {
	return "arn:" + partitionFor(region) + ":s3:::" + bucket
}
