package statebackend

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

const pkg = "statebackend"

// Locking selects how Terraform and OpenTofu lock the state.
type Locking string

// The locking modes. The zero value means LockFile.
const (
	// LockFile is Terraform's S3-native lock file (a "<key>.tflock" object
	// written with a conditional PUT): Terraform >= 1.10, OpenTofu >= 1.10.
	// No lock table is created. This is the default.
	LockFile Locking = "lockfile"
	// LockDynamoDB is the classic DynamoDB lock table (deprecated by
	// Terraform 1.11 but still supported), for older Terraform releases.
	LockDynamoDB Locking = "dynamodb"
	// LockBoth converges the lock table and renders a configuration that
	// takes both locks, the migration path from LockDynamoDB to LockFile.
	LockBoth Locking = "both"
)

func (l Locking) usesTable() bool { return l == LockDynamoDB || l == LockBoth }

func (l Locking) usesLockfile() bool { return l == LockFile || l == LockBoth || l == "" }

// Defaults applied to zero fields of a Spec.
const (
	DefaultKey                                = "terraform.tfstate"
	DefaultNoncurrentVersionExpirationDays    = 90
	DefaultNoncurrentVersionsToKeep           = 5
	DefaultAbortIncompleteMultipartUploadDays = 7
)

// Spec is the state backend wanted in one account and region.
type Spec struct {
	// Bucket is the state bucket's name (required). It must follow the
	// naming rules of S3 general purpose buckets.
	Bucket string
	// Region is the region of the bucket and the lock table (required). It
	// must be an AWS Region of a known partition (scp.KnownRegion: the
	// Regions of the AWS SDKs' partition metadata, every partition), so a
	// typo ("us-east-9") is refused before any call instead of creating a
	// bucket wherever the endpoint resolves.
	Region string
	// AllowUnknownRegion accepts a Region this package does not know yet
	// (one AWS opened after this release); it must still look like a
	// Region name.
	AllowUnknownRegion bool
	// AccountID, when set, is the 12-digit account expected to own the
	// bucket: every S3 call but CreateBucket passes it as
	// ExpectedBucketOwner, so a bucket of the same name in another account
	// ("bucket sniping") is never read or written.
	AccountID string
	// Key is the state object's key, used to render the backend
	// configuration. Default "terraform.tfstate". As Terraform requires, it
	// must not start or end with "/" nor contain "//".
	Key string

	// KMSKeyID selects the bucket's default encryption: "" is SSE-S3
	// (AES256); a key ID, key ARN, alias name ("alias/x") or alias ARN is
	// SSE-KMS with that key and S3 Bucket Keys enabled. ARNs must be in
	// Region. In a dry run it may be the placeholder a dry run of
	// kms.EnsureKey returned for a key it would create (Key.ARN): the plan
	// is SSE-KMS with that key, and BackendConfig shows the placeholder. A
	// real run refuses a placeholder.
	KMSKeyID string

	// Locking is the lock mechanism; the zero value is LockFile.
	Locking Locking
	// LockTable is the DynamoDB lock table's name, required with
	// LockDynamoDB and LockBoth and refused with LockFile.
	LockTable string
	// LockTableKMSKeyID is a customer managed KMS key for the lock table;
	// "" uses the AWS managed key (alias/aws/dynamodb). Either way the
	// table's SSE is KMS. Like KMSKeyID, it may be a dry run's placeholder
	// in a dry run only.
	LockTableKMSKeyID string
	// DisableDeletionProtection turns the lock table's deletion protection
	// off (for example before deleting the table after a migration to
	// LockFile). Default: deletion protection on (Security Hub DynamoDB.6).
	DisableDeletionProtection bool
	// DisablePointInTimeRecovery turns point-in-time recovery of the lock
	// table off. Default: on (Security Hub DynamoDB.2).
	DisablePointInTimeRecovery bool

	// NoncurrentVersionExpirationDays is how many days a state version is
	// kept after it stops being current. Default 90.
	NoncurrentVersionExpirationDays int
	// NoncurrentVersionsToKeep is how many of the newest noncurrent
	// versions are kept regardless of age (1 to 100). Default 5.
	NoncurrentVersionsToKeep int
	// AbortIncompleteMultipartUploadDays is how many days an unfinished
	// multipart upload is kept. Default 7.
	AbortIncompleteMultipartUploadDays int

	// Tags are put on the bucket and the lock table. Tags with other keys
	// already on them are kept. A bucket or table Bootstrap creates also
	// carries managed-by=foundation (foundation.ManagedByTagKey), which
	// Tags may not set to another value.
	Tags map[string]string

	// Adopt converges a bucket or lock table of the spec's names made
	// outside this library (no managed-by=foundation tag) as the spec says,
	// without taking it over: it is never tagged managed-by=foundation, its
	// tags are kept, and nothing the spec does not name is removed from it.
	// Without Adopt such a bucket or table is a *foundation.NotManagedError,
	// before any write to it. A bucket another account owns is a
	// *BucketConflictError whatever Adopt says.
	Adopt bool
}

// withDefaults returns the spec with zero fields set to their defaults.
func (s Spec) withDefaults() Spec {
	if s.Key == "" {
		s.Key = DefaultKey
	}
	if s.Locking == "" {
		s.Locking = LockFile
	}
	if s.NoncurrentVersionExpirationDays == 0 {
		s.NoncurrentVersionExpirationDays = DefaultNoncurrentVersionExpirationDays
	}
	if s.NoncurrentVersionsToKeep == 0 {
		s.NoncurrentVersionsToKeep = DefaultNoncurrentVersionsToKeep
	}
	if s.AbortIncompleteMultipartUploadDays == 0 {
		s.AbortIncompleteMultipartUploadDays = DefaultAbortIncompleteMultipartUploadDays
	}
	return s
}

var (
	regionRe    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	bucketRe    = regexp.MustCompile(`^[a-z0-9.-]+$`)
	tableRe     = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	accountRe   = regexp.MustCompile(`^[0-9]{12}$`)
	keyIDRe     = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	aliasNameRe = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	kmsARNRe    = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):(key/.+|alias/.+)$`)
)

// Validate reports every fault of the spec (defaults applied) in one error
// that matches foundation.ErrInvalidSpec; each fault is a
// *foundation.SpecError naming the field and the rule. Bootstrap calls it
// before any API call. Validate does not know whether the spec is for a dry
// run: it accepts a KMS key a dry run predicted, which Bootstrap refuses in
// a real run.
func (s Spec) Validate() error {
	return errors.Join(s.withDefaults().faults()...)
}

func (s Spec) faults() []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }

	// A name built from an account ID a dry run predicted is checked with
	// a 12-digit stand-in for it (predictedFaults refuses it in a real run).
	for _, rule := range bucketNameFaults(plan.ReplacePredicted(s.Bucket, func(string) string { return "000000000000" })) {
		bad("spec.Bucket", s.Bucket, rule)
	}
	switch {
	case s.Region == "":
		bad("spec.Region", "", "is required")
	case !regionRe.MatchString(s.Region):
		bad("spec.Region", s.Region, `must be a region name such as "us-east-1"`)
	case !s.AllowUnknownRegion && !scp.KnownRegion(s.Region):
		bad("spec.Region", s.Region, `is not an AWS Region (such as "us-east-1"); set AllowUnknownRegion for a Region this package does not know yet`)
	}
	if s.AccountID != "" && !accountRe.MatchString(s.AccountID) && !plan.IsPredicted(s.AccountID) {
		bad("spec.AccountID", s.AccountID, "must be 12 digits")
	}
	switch {
	case s.Key == "":
		bad("spec.Key", "", "must not be empty")
	case strings.HasPrefix(s.Key, "/"):
		bad("spec.Key", s.Key, `must not start with "/"`)
	case strings.HasSuffix(s.Key, "/"):
		bad("spec.Key", s.Key, `must not end with "/" (Terraform refuses it)`)
	case strings.Contains(s.Key, "//"):
		bad("spec.Key", s.Key, `must not contain "//" (Terraform refuses it)`)
	case len(s.Key) > 1024:
		bad("spec.Key", s.Key, "must be at most 1024 bytes")
	case !utf8.ValidString(s.Key) || strings.ContainsFunc(s.Key, unicode.IsControl):
		bad("spec.Key", s.Key, "must be valid UTF-8 without control characters")
	}
	if s.KMSKeyID != "" {
		if rule := kmsKeyFault(s.KMSKeyID, s.Region); rule != "" {
			bad("spec.KMSKeyID", s.KMSKeyID, rule)
		}
	}

	switch s.Locking {
	case LockFile:
		if s.LockTable != "" {
			bad("spec.LockTable", s.LockTable, "must be empty when spec.Locking is LockFile (use LockDynamoDB or LockBoth for a lock table)")
		}
		if s.LockTableKMSKeyID != "" {
			bad("spec.LockTableKMSKeyID", s.LockTableKMSKeyID, "must be empty when spec.Locking is LockFile")
		}
		if s.DisableDeletionProtection {
			bad("spec.DisableDeletionProtection", "", "applies to the lock table only: must be false when spec.Locking is LockFile")
		}
		if s.DisablePointInTimeRecovery {
			bad("spec.DisablePointInTimeRecovery", "", "applies to the lock table only: must be false when spec.Locking is LockFile")
		}
	case LockDynamoDB, LockBoth:
		switch n := len(s.LockTable); {
		case n == 0:
			bad("spec.LockTable", "", fmt.Sprintf("is required when spec.Locking is %q", s.Locking))
		case n < 3 || n > 255:
			bad("spec.LockTable", s.LockTable, "must be 3 to 255 characters long")
		case !tableRe.MatchString(s.LockTable):
			bad("spec.LockTable", s.LockTable, "must contain only letters, digits, underscores, hyphens and dots")
		}
		if s.LockTableKMSKeyID != "" {
			if rule := kmsKeyFault(s.LockTableKMSKeyID, s.Region); rule != "" {
				bad("spec.LockTableKMSKeyID", s.LockTableKMSKeyID, rule)
			}
		}
	default:
		bad("spec.Locking", string(s.Locking), fmt.Sprintf("must be %q (LockFile), %q (LockDynamoDB) or %q (LockBoth)", LockFile, LockDynamoDB, LockBoth))
	}

	days := func(field string, v int) {
		switch {
		case v < 0:
			bad(field, fmt.Sprint(v), "must be a positive number of days (0 means the default)")
		case v > math.MaxInt32:
			bad(field, fmt.Sprint(v), fmt.Sprintf("must be at most %d", math.MaxInt32))
		}
	}
	days("spec.NoncurrentVersionExpirationDays", s.NoncurrentVersionExpirationDays)
	days("spec.AbortIncompleteMultipartUploadDays", s.AbortIncompleteMultipartUploadDays)
	if v := s.NoncurrentVersionsToKeep; v < 1 || v > 100 {
		bad("spec.NoncurrentVersionsToKeep", fmt.Sprint(v), "must be 1 to 100 (0 means the default)")
	}

	errs = append(errs, awsrules.OwnedTagFaults(pkg, "spec.Tags", s.Tags, awsrules.MaxTags)...)
	return errs
}

// bucketNameFaults returns every rule of S3 general purpose bucket naming
// that name breaks.
func bucketNameFaults(name string) []string {
	if name == "" {
		return []string{"is required"}
	}
	var rules []string
	if n := len(name); n < 3 || n > 63 {
		rules = append(rules, "must be 3 to 63 characters long")
	}
	if !bucketRe.MatchString(name) {
		rules = append(rules, "must contain only lowercase letters, numbers, dots and hyphens")
	}
	if !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]) {
		rules = append(rules, "must begin and end with a lowercase letter or number")
	}
	if strings.Contains(name, "..") {
		rules = append(rules, "must not contain two adjacent dots")
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		rules = append(rules, "must not be formatted as an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			rules = append(rules, fmt.Sprintf("must not start with the reserved prefix %q", p))
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			rules = append(rules, fmt.Sprintf("must not end with the reserved suffix %q", s))
		}
	}
	return rules
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// predictedFaults reports the KMS keys, the account and the bucket name
// that are (or hold) a dry run's placeholders, which only a dry run plans
// with.
func (s Spec) predictedFaults() []error {
	var errs []error
	if plan.ContainsPredicted(s.Bucket) {
		errs = append(errs, specerr.New(pkg, "spec.Bucket", s.Bucket,
			"holds an identifier a dry run predicted for an account it would create: a real run needs the account's ID"))
	}
	if plan.IsPredicted(s.AccountID) {
		errs = append(errs, specerr.New(pkg, "spec.AccountID", s.AccountID,
			"is an account ID a dry run predicted for an account it would create: a real run needs the account's ID"))
	}
	for _, f := range []struct{ field, v string }{{"spec.KMSKeyID", s.KMSKeyID}, {"spec.LockTableKMSKeyID", s.LockTableKMSKeyID}} {
		if plan.IsPredicted(f.v) {
			errs = append(errs, specerr.New(pkg, f.field, f.v,
				"is a placeholder a dry run predicted for a key it would create: a real run needs the key's ARN (from kms.EnsureKey run for real)"))
		}
	}
	return errs
}

// kmsKeyFault returns the rule a KMS key identifier breaks, or "". A dry
// run's placeholder is accepted (see predictedFaults).
func kmsKeyFault(id, region string) string {
	switch {
	case keyIDRe.MatchString(id), aliasNameRe.MatchString(id), plan.IsPredicted(id):
		return ""
	case strings.HasPrefix(id, "arn:"):
		m := kmsARNRe.FindStringSubmatch(id)
		if m == nil {
			return "must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)"
		}
		if region != "" && m[2] != region {
			return fmt.Sprintf("must be a key in the backend's region %q, not %q", region, m[2])
		}
		if m[1] != partitionFor(region) && region != "" {
			return fmt.Sprintf("must be in partition %q", partitionFor(region))
		}
		return ""
	default:
		return `must be a KMS key ID, key ARN, alias name ("alias/NAME") or alias ARN`
	}
}

// partitionFor returns the AWS partition of a region (awsrules.Partition).
func partitionFor(region string) string { return awsrules.Partition(region) }
