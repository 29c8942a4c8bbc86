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
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Backend is what Bootstrap converged: the identifiers of the bucket and the
// lock table, the changes made (in dry run: that would be made) and the
// backend configuration to use them.
type Backend struct {
	Bucket    string
	BucketARN string
	Region    string
	// LockTable and LockTableARN are empty with LockFile. In dry run,
	// LockTableARN is empty when the table does not exist yet and
	// Spec.AccountID is not set.
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
// matching foundation.ErrInvalidSpec and no call is made. On any other error
// the returned Backend is nil; running Bootstrap again resumes the work.
func Bootstrap(ctx context.Context, api API, spec Spec, opts ...foundation.Option) (*Backend, error) {
	spec = spec.withDefaults()
	errs := spec.faults()
	if api.S3 == nil {
		errs = append(errs, specerr.New(pkg, "api.S3", "", "must not be nil"))
	}
	if spec.Locking.usesTable() && api.DynamoDB == nil {
		errs = append(errs, specerr.New(pkg, "api.DynamoDB", "", "must not be nil when spec.Locking is "+string(spec.Locking)))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := call.Resolve(opts...)
	r := &run{api: api, spec: spec, o: o, log: o.Logger.With(slog.String("bucket", spec.Bucket)),
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
	if err := r.ensureBucket(ctx); err != nil {
		return nil, err
	}
	if spec.Locking.usesTable() {
		b.LockTable = spec.LockTable
		arn, err := r.ensureTable(ctx)
		if err != nil {
			return nil, err
		}
		b.LockTableARN = arn
	}
	b.Changes = r.changes
	return b, nil
}

// run is the state of one Bootstrap call.
type run struct {
	api     API
	spec    Spec
	o       call.Options
	log     *slog.Logger
	changes foundation.Changes

	s3Region  func(*s3.Options)
	ddbRegion func(*dynamodb.Options)
}

func (r *run) record(c foundation.Change) {
	r.changes = append(r.changes, c)
	r.log.Debug("change", slog.String("change", c.String()), slog.Bool("dryRun", r.o.DryRun))
}

// write calls fn unless in dry run. The change is recorded once fn
// succeeded (or in dry run). Retries are not made here: the S3 calls carry
// awsretry's codes in their retryer (s3Region), and the few writes AWS
// refuses while something settles wait in awsretry.Wait at their call.
func (r *run) write(ctx context.Context, c foundation.Change, fn func(context.Context) error) error {
	if !r.o.DryRun {
		if err := fn(ctx); err != nil {
			return err
		}
	}
	r.record(c)
	return nil
}

func bucketARN(region, bucket string) string {
	return "arn:" + partitionFor(region) + ":s3:::" + bucket
}
