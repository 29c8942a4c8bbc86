package statebackend

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation"
)

// ConflictReason says why an existing bucket cannot be used.
type ConflictReason string

// The reasons of a BucketConflictError.
const (
	// BucketInOtherRegion: the bucket exists (it may be yours) in another
	// region than Spec.Region (HeadBucket answered 301).
	BucketInOtherRegion ConflictReason = "exists in another region"
	// BucketNotAccessible: the bucket exists but HeadBucket was refused
	// (403): it belongs to another account (or to an account other than
	// Spec.AccountID), or the caller lacks s3:ListBucket on it.
	BucketNotAccessible ConflictReason = "exists and is owned by another account or not accessible"
	// BucketNameTaken: CreateBucket answered BucketAlreadyExists: another
	// account owns the name.
	BucketNameTaken ConflictReason = "name is taken by another account"
)

// BucketConflictError is returned when the bucket named in the Spec exists
// but cannot be used as the state bucket. Match it with errors.As; it
// unwraps to the AWS error.
type BucketConflictError struct {
	Bucket string
	Reason ConflictReason
	// Region is where the bucket is, when AWS said so (BucketInOtherRegion).
	Region string
	Err    error
}

// Is reports that the error is a foundation.ErrConflict.
func (e *BucketConflictError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *BucketConflictError) Error() string {
	msg := fmt.Sprintf("statebackend: bucket %q: %s", e.Bucket, e.Reason)
	if e.Region != "" {
		msg += fmt.Sprintf(" (%s)", e.Region)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *BucketConflictError) Unwrap() error { return e.Err }

// TableConflictError is returned when the lock table exists but cannot be
// converged in place: its key schema is not a single string hash key
// "LockID", or it is being deleted, archived or has lost access to its KMS
// key. Match it with errors.As.
type TableConflictError struct {
	Table  string
	Reason string
}

// Is reports that the error is a foundation.ErrConflict.
func (e *TableConflictError) Is(target error) bool { return target == foundation.ErrConflict }

func (e *TableConflictError) Error() string {
	return fmt.Sprintf("statebackend: table %q: %s", e.Table, e.Reason)
}

// apiCode returns the AWS error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of the response that produced err, or 0.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// responseHeader returns a header of the response that produced err.
func responseHeader(err error, name string) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get(name)
	}
	return ""
}
