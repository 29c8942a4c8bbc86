package statebackend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Resource names used in Changes for the bucket.
const (
	ResBucket                  = "s3:bucket"
	ResBucketPublicAccessBlock = "s3:bucket-public-access-block"
	ResBucketOwnership         = "s3:bucket-ownership-controls"
	ResBucketEncryption        = "s3:bucket-encryption"
	ResBucketVersioning        = "s3:bucket-versioning"
	ResBucketLifecycle         = "s3:bucket-lifecycle"
	ResBucketPolicy            = "s3:bucket-policy"
	ResBucketTagging           = "s3:bucket-tagging"
)

// The Sids of the statements Bootstrap owns in the bucket policy and the ID
// of the lifecycle rule it owns. Statements and rules with other Sids and IDs
// are the user's and are kept as they are.
const (
	SidDenyInsecureTransport = "DenyInsecureTransport"
	SidDenyOutdatedTLS       = "DenyOutdatedTLS"
	LifecycleRuleID          = "foundation-state-retention"
)

// MinimumTLSVersion is the lowest TLS version the bucket policy accepts.
const MinimumTLSVersion = "1.2"

func (r *run) bucketErr(step string, err error) error {
	return fmt.Errorf("statebackend: bucket %q: %s: %w", r.spec.Bucket, step, err)
}

func (r *run) owner() *string {
	if r.spec.AccountID == "" {
		return nil
	}
	return aws.String(r.spec.AccountID)
}

func (r *run) bucketChange(action foundation.Action, res string, diffs ...foundation.Diff) foundation.Change {
	return foundation.Change{Action: action, Resource: res, ID: r.spec.Bucket, Diffs: diffs}
}

// ensureBucket converges the bucket and its configuration, in this order:
// bucket, public access block, ownership controls, encryption, versioning,
// lifecycle, policy, tags. exists is what headBucket found. The settings
// are read side by side (with also, the lock table's reads that can be
// made now), then compared and written one by one in that order; a read's
// error is returned where its setting comes, after the writes before it.
// before runs once the reads are made and the bucket's owner is checked,
// before the bucket's first write (the lock table's owner check).
func (r *run) ensureBucket(ctx context.Context, exists bool, also []*read, before func(context.Context) error) error {
	// fresh: the bucket's creation is only planned (a dry run), so its
	// configuration cannot be read; it is predicted from the settings AWS
	// gives every new bucket.
	fresh := false
	if !exists {
		// The bucket's create is the run's first write: the lock table's
		// reads and owner check come before it.
		r.readAll(ctx, also...)
		also = nil
		if err := before(ctx); err != nil {
			return err
		}
		applied, err := r.rec.Do(ctx, r.bucketChange(foundation.ActionCreate, ResBucket), r.createBucket)
		if err != nil {
			return err
		}
		fresh = !applied
	}
	tags := r.bucketTagsStep(fresh)
	steps := []bucketStep{
		r.publicAccessBlockStep(fresh),
		r.ownershipStep(fresh),
		r.encryptionStep(fresh),
		r.versioningStep(fresh),
		r.lifecycleStep(fresh),
		r.policyStep(fresh),
		tags,
	}
	var reads []*read
	for _, s := range steps {
		reads = append(reads, s.read)
	}
	r.readAll(ctx, append(reads, also...)...)
	if !fresh {
		// Ownership, before any write to it: a bucket without
		// managed-by=foundation is someone else's, converged only when
		// the spec adopts it. A bucket this run created is the library's
		// even when the backend dropped the create's tags (it has none),
		// but not when it has someone else's tags: in us-east-1
		// CreateBucket answers 200 for a bucket the caller's account
		// already owns, so one made by another caller of the account
		// between HeadBucket and CreateBucket looks created.
		if err := tags.read.result(ctx); err != nil {
			return err
		}
		r.bucketCreated = r.bucketCreated && (len(r.bucketTagSet) == 0 || foundation.Managed(r.bucketTagSet))
		if !r.bucketCreated {
			if err := foundation.CheckOwner(ResBucket, r.spec.Bucket, r.bucketTagSet, r.spec.Adopt, "spec.Adopt"); err != nil {
				return fmt.Errorf("statebackend: %w", err)
			}
		}
		if exists {
			if err := before(ctx); err != nil {
				return err
			}
		}
	}
	for _, s := range steps {
		if s.read != nil {
			if err := s.read.result(ctx); err != nil {
				return err
			}
		}
		if err := s.apply(ctx); err != nil {
			return err
		}
	}
	return nil
}

// bucketStep is one setting of the bucket: read reads it into the step
// (nil for a fresh bucket, whose setting is predicted, or a setting not
// managed), apply compares it with the wanted one and writes the
// difference.
type bucketStep struct {
	read  *read
	apply func(context.Context) error
}

// headBucket reports whether the bucket exists and is ours to use.
func (r *run) headBucket(ctx context.Context) (bool, error) {
	out, err := r.api.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
	var nf *s3types.NotFound
	var nsb *s3types.NoSuchBucket
	switch status := httpStatus(err); {
	case err == nil:
		if reg := aws.ToString(out.BucketRegion); reg != "" && reg != r.spec.Region {
			return false, &BucketConflictError{Bucket: r.spec.Bucket, Reason: BucketInOtherRegion, Region: reg}
		}
		r.log.Debug("bucket exists")
		return true, nil
	case errors.As(err, &nf), errors.As(err, &nsb), status == http.StatusNotFound:
		r.log.Debug("bucket does not exist")
		return false, nil
	case status == http.StatusMovedPermanently:
		return false, &BucketConflictError{Bucket: r.spec.Bucket, Reason: BucketInOtherRegion,
			Region: responseHeader(err, "X-Amz-Bucket-Region"), Err: err}
	case status == http.StatusForbidden:
		return false, &BucketConflictError{Bucket: r.spec.Bucket, Reason: BucketNotAccessible, Err: err}
	default:
		return false, r.bucketErr("head bucket", err)
	}
}

func (r *run) createBucket(ctx context.Context) error {
	in := &s3.CreateBucketInput{
		Bucket:          aws.String(r.spec.Bucket),
		ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced,
		// The ownership tag goes on with the create itself (S3 takes a
		// general purpose bucket's tags in CreateBucketConfiguration since
		// 2025-11; the caller needs s3:TagResource).
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{Tags: s3Tags(foundation.WithManagedBy(r.spec.Tags))},
	}
	if r.spec.Region != "us-east-1" {
		in.CreateBucketConfiguration.LocationConstraint = s3types.BucketLocationConstraint(r.spec.Region)
	}
	// CreateBucket has no client token. When its answer is lost (a 5xx, a
	// broken connection) the SDK does not send it again
	// (awsretry.Creating, which still retries throttling and S3's
	// OperationAborted): awsretry.Create looks the bucket up and, found,
	// adopts it as this run's creation, so it is reported; not found, it
	// creates again.
	_, err := awsretry.Create(ctx, r.waitOptions(), func(ctx context.Context) (struct{}, bool, error) {
		ok, err := r.headBucket(ctx)
		if err != nil || !ok {
			return struct{}{}, false, err
		}
		// Only a bucket with the ownership tag can be the earlier
		// attempt's; another is someone else's, which the create then
		// finds (BucketAlreadyOwnedByYou) and the owner check refuses.
		tags, err := r.bucketTags(ctx)
		return struct{}{}, err == nil && foundation.Managed(tags), err
	}, func(ctx context.Context) (struct{}, error) {
		_, err := r.api.S3.CreateBucket(ctx, in, r.s3Region, func(o *s3.Options) { o.Retryer = awsretry.Creating(o.Retryer, awsretry.S3...) })
		return struct{}{}, err
	})
	var owned *s3types.BucketAlreadyOwnedByYou
	var taken *s3types.BucketAlreadyExists
	switch {
	case err == nil:
		r.bucketCreated = true
		return nil
	case errors.As(err, &owned):
		// Created concurrently by us (another run): converge it.
		r.log.Debug("bucket created concurrently")
		return plan.ErrUnchanged
	case errors.As(err, &taken):
		return &BucketConflictError{Bucket: r.spec.Bucket, Reason: BucketNameTaken, Err: err}
	default:
		return r.bucketErr("create bucket", err)
	}
}

// ---- public access block ----

func (r *run) publicAccessBlockStep(fresh bool) (s bucketStep) {
	var have *s3types.PublicAccessBlockConfiguration
	if fresh {
		have = allBlocked()
	} else {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			switch {
			case apiCode(err) == "NoSuchPublicAccessBlockConfiguration":
			case err != nil:
				return r.bucketErr("get public access block", err)
			default:
				have = out.PublicAccessBlockConfiguration
			}
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyPublicAccessBlock(ctx, have) }
	return s
}

func (r *run) applyPublicAccessBlock(ctx context.Context, have *s3types.PublicAccessBlockConfiguration) error {
	diffs := publicAccessBlockDiffs(have)
	if len(diffs) == 0 {
		return nil
	}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketPublicAccessBlock, diffs...), func(ctx context.Context) error {
		_, err := r.api.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			PublicAccessBlockConfiguration: allBlocked(),
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put public access block", err)
		}
		return nil
	})
}

func allBlocked() *s3types.PublicAccessBlockConfiguration {
	return &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
	}
}

// publicAccessBlockDiffs lists the flags of have that are not on; have nil
// means no configuration.
func publicAccessBlockDiffs(have *s3types.PublicAccessBlockConfiguration) []foundation.Diff {
	if have == nil {
		have = &s3types.PublicAccessBlockConfiguration{}
	}
	var diffs []foundation.Diff
	for _, f := range []struct {
		name string
		v    *bool
	}{
		{"BlockPublicAcls", have.BlockPublicAcls},
		{"IgnorePublicAcls", have.IgnorePublicAcls},
		{"BlockPublicPolicy", have.BlockPublicPolicy},
		{"RestrictPublicBuckets", have.RestrictPublicBuckets},
	} {
		if !aws.ToBool(f.v) {
			from := ""
			if f.v != nil {
				from = "false"
			}
			diffs = append(diffs, foundation.Diff{Field: f.name, From: from, To: "true"})
		}
	}
	return diffs
}

// ---- ownership controls ----

func (r *run) ownershipStep(fresh bool) (s bucketStep) {
	var have []s3types.OwnershipControlsRule
	if fresh {
		have = []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}
	} else {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			switch {
			case apiCode(err) == "OwnershipControlsNotFoundError":
			case err != nil:
				return r.bucketErr("get ownership controls", err)
			case out.OwnershipControls != nil:
				have = out.OwnershipControls.Rules
			}
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyOwnership(ctx, have) }
	return s
}

func (r *run) applyOwnership(ctx context.Context, have []s3types.OwnershipControlsRule) error {
	if len(have) == 1 && have[0].ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced {
		return nil
	}
	var from []string
	for _, rule := range have {
		from = append(from, string(rule.ObjectOwnership))
	}
	diff := foundation.Diff{Field: "ObjectOwnership", From: strings.Join(from, ","), To: string(s3types.ObjectOwnershipBucketOwnerEnforced)}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketOwnership, diff), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}},
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put ownership controls", err)
		}
		return nil
	})
}

// ---- default encryption ----

func (r *run) encryptionStep(fresh bool) (s bucketStep) {
	var have *s3types.ServerSideEncryptionRule
	if fresh {
		have = &s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}
	} else {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			switch {
			case apiCode(err) == "ServerSideEncryptionConfigurationNotFoundError":
			case err != nil:
				return r.bucketErr("get encryption", err)
			case out.ServerSideEncryptionConfiguration != nil && len(out.ServerSideEncryptionConfiguration.Rules) > 0:
				have = &out.ServerSideEncryptionConfiguration.Rules[0]
			}
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyEncryption(ctx, have) }
	return s
}

func (r *run) applyEncryption(ctx context.Context, have *s3types.ServerSideEncryptionRule) error {
	want := encryptionRule(r.spec.KMSKeyID)
	diffs := encryptionDiffs(have, want)
	if len(diffs) == 0 {
		return nil
	}
	if have != nil {
		// Keep a setting this library does not manage (blocking SSE-C).
		want.BlockedEncryptionTypes = have.BlockedEncryptionTypes
	}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketEncryption, diffs...), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{want}},
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put encryption", err)
		}
		return nil
	})
}

// encryptionRule is the default encryption wanted: SSE-S3 when kmsKeyID is
// empty, else SSE-KMS with the key and S3 Bucket Keys.
func encryptionRule(kmsKeyID string) s3types.ServerSideEncryptionRule {
	if kmsKeyID == "" {
		return s3types.ServerSideEncryptionRule{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256},
		}
	}
	return s3types.ServerSideEncryptionRule{
		ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(kmsKeyID),
		},
		BucketKeyEnabled: aws.Bool(true),
	}
}

// encryptionDiffs compares the bucket's first encryption rule (nil: none)
// with the wanted one. BucketKeyEnabled only matters with SSE-KMS.
func encryptionDiffs(have *s3types.ServerSideEncryptionRule, want s3types.ServerSideEncryptionRule) []foundation.Diff {
	var hAlg, hKey string
	var hBK *bool
	if have != nil {
		if d := have.ApplyServerSideEncryptionByDefault; d != nil {
			hAlg, hKey = string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID)
		}
		hBK = have.BucketKeyEnabled
	}
	wd := want.ApplyServerSideEncryptionByDefault
	wAlg, wKey := string(wd.SSEAlgorithm), aws.ToString(wd.KMSMasterKeyID)
	var diffs []foundation.Diff
	if hAlg != wAlg {
		diffs = append(diffs, foundation.Diff{Field: "SSEAlgorithm", From: hAlg, To: wAlg})
	}
	if hKey != wKey {
		diffs = append(diffs, foundation.Diff{Field: "KMSMasterKeyID", From: hKey, To: wKey})
	}
	if wd.SSEAlgorithm == s3types.ServerSideEncryptionAwsKms && !aws.ToBool(hBK) {
		from := ""
		if hBK != nil {
			from = "false"
		}
		diffs = append(diffs, foundation.Diff{Field: "BucketKeyEnabled", From: from, To: "true"})
	}
	return diffs
}

// ---- versioning ----

func (r *run) versioningStep(fresh bool) (s bucketStep) {
	var have s3types.BucketVersioningStatus
	if !fresh {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			if err != nil {
				return r.bucketErr("get versioning", err)
			}
			have = out.Status
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyVersioning(ctx, have) }
	return s
}

func (r *run) applyVersioning(ctx context.Context, have s3types.BucketVersioningStatus) error {
	if have == s3types.BucketVersioningStatusEnabled {
		return nil
	}
	diff := foundation.Diff{Field: "Status", From: string(have), To: string(s3types.BucketVersioningStatusEnabled)}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketVersioning, diff), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put versioning", err)
		}
		return nil
	})
}

// ---- lifecycle ----

func (r *run) lifecycleStep(fresh bool) (s bucketStep) {
	var have []s3types.LifecycleRule
	var minSize s3types.TransitionDefaultMinimumObjectSize
	if !fresh {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			switch {
			case apiCode(err) == "NoSuchLifecycleConfiguration":
			case err != nil:
				return r.bucketErr("get lifecycle configuration", err)
			default:
				have, minSize = out.Rules, out.TransitionDefaultMinimumObjectSize
			}
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyLifecycle(ctx, have, minSize) }
	return s
}

func (r *run) applyLifecycle(ctx context.Context, have []s3types.LifecycleRule, minSize s3types.TransitionDefaultMinimumObjectSize) error {
	rules, diff, changed := mergeLifecycle(have, retentionRule(r.spec))
	if !changed {
		return nil
	}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketLifecycle, diff), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			LifecycleConfiguration:             &s3types.BucketLifecycleConfiguration{Rules: rules},
			TransitionDefaultMinimumObjectSize: minSize,
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put lifecycle configuration", err)
		}
		return nil
	})
}

// retentionRule is the lifecycle rule Bootstrap owns: it applies to every
// object, expires noncurrent versions after the configured days while
// keeping the newest ones, and aborts incomplete multipart uploads.
func retentionRule(s Spec) s3types.LifecycleRule {
	return s3types.LifecycleRule{
		ID:     aws.String(LifecycleRuleID),
		Status: s3types.ExpirationStatusEnabled,
		Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{
			NoncurrentDays:          aws.Int32(int32(s.NoncurrentVersionExpirationDays)),
			NewerNoncurrentVersions: aws.Int32(int32(s.NoncurrentVersionsToKeep)),
		},
		AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{
			DaysAfterInitiation: aws.Int32(int32(s.AbortIncompleteMultipartUploadDays)),
		},
	}
}

// mergeLifecycle puts want into the rules, replacing the rule with the same
// ID in place (and dropping duplicates of that ID) or appending it. Other
// rules are kept verbatim and in order. changed is false when the rule
// already matches.
func mergeLifecycle(have []s3types.LifecycleRule, want s3types.LifecycleRule) (rules []s3types.LifecycleRule, diff foundation.Diff, changed bool) {
	id := aws.ToString(want.ID)
	diff = foundation.Diff{Field: "Rule " + id, To: describeRule(want)}
	found, dup := false, false
	for _, rule := range have {
		if aws.ToString(rule.ID) != id {
			rules = append(rules, rule)
			continue
		}
		if found {
			dup = true
			continue
		}
		found = true
		if ruleMatches(rule, want) {
			rules = append(rules, rule)
		} else {
			diff.From = describeRule(rule)
			changed = true
			rules = append(rules, want)
		}
	}
	if !found {
		rules, changed = append(rules, want), true
	}
	if dup {
		changed = true
		if diff.From == "" {
			diff.From = "duplicate rules with this ID"
		}
	}
	return rules, diff, changed
}

// ruleMatches reports whether rule does exactly what want does: same
// status, a filter that selects every object, the same noncurrent
// expiration and multipart abort, and no other action.
func ruleMatches(rule, want s3types.LifecycleRule) bool {
	return rule.Status == want.Status &&
		matchesEverything(rule) &&
		rule.Expiration == nil && len(rule.Transitions) == 0 && len(rule.NoncurrentVersionTransitions) == 0 &&
		rule.NoncurrentVersionExpiration != nil &&
		aws.ToInt32(rule.NoncurrentVersionExpiration.NoncurrentDays) == aws.ToInt32(want.NoncurrentVersionExpiration.NoncurrentDays) &&
		aws.ToInt32(rule.NoncurrentVersionExpiration.NewerNoncurrentVersions) == aws.ToInt32(want.NoncurrentVersionExpiration.NewerNoncurrentVersions) &&
		rule.AbortIncompleteMultipartUpload != nil &&
		aws.ToInt32(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation) == aws.ToInt32(want.AbortIncompleteMultipartUpload.DaysAfterInitiation)
}

// matchesEverything reports whether the rule's filter (or legacy prefix)
// selects every object.
func matchesEverything(rule s3types.LifecycleRule) bool {
	//lint:ignore SA1019 rules written by other tools may still use the legacy top-level Prefix
	if aws.ToString(rule.Prefix) != "" {
		return false
	}
	f := rule.Filter
	return f == nil || (aws.ToString(f.Prefix) == "" && f.Tag == nil && f.And == nil &&
		f.ObjectSizeGreaterThan == nil && f.ObjectSizeLessThan == nil)
}

// describeRule renders the parts of a lifecycle rule that matter here, for
// Diffs.
func describeRule(rule s3types.LifecycleRule) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	add("Status", string(rule.Status))
	if !matchesEverything(rule) {
		add("Filter", "(not every object)")
	}
	if e := rule.NoncurrentVersionExpiration; e != nil {
		add("NoncurrentDays", strconv.Itoa(int(aws.ToInt32(e.NoncurrentDays))))
		add("NewerNoncurrentVersions", strconv.Itoa(int(aws.ToInt32(e.NewerNoncurrentVersions))))
	}
	if a := rule.AbortIncompleteMultipartUpload; a != nil {
		add("AbortIncompleteMultipartUploadDays", strconv.Itoa(int(aws.ToInt32(a.DaysAfterInitiation))))
	}
	if rule.Expiration != nil {
		add("Expiration", "set")
	}
	if len(rule.Transitions) > 0 || len(rule.NoncurrentVersionTransitions) > 0 {
		add("Transitions", "set")
	}
	return strings.Join(parts, " ")
}

// ---- bucket policy ----

// tlsStatements are the statements Bootstrap owns in the bucket policy:
// deny every request not made over TLS, and every request made with a TLS
// version older than MinimumTLSVersion.
func tlsStatements(bucketARN string) []foundation.Statement {
	res := foundation.Resources(bucketARN, bucketARN+"/*")
	return []foundation.Statement{
		{
			Sid: SidDenyInsecureTransport, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
			Action: foundation.Actions("s3:*"), Resource: res,
			Condition: foundation.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		{
			Sid: SidDenyOutdatedTLS, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
			Action: foundation.Actions("s3:*"), Resource: res,
			Condition: foundation.Conditions{"NumericLessThan": {"s3:TlsVersion": {MinimumTLSVersion}}},
		},
	}
}

func (r *run) policyStep(fresh bool) (s bucketStep) {
	var have *foundation.PolicyDocument
	if !fresh {
		s.read = newRead(func(ctx context.Context) error {
			out, err := r.api.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
			switch {
			case apiCode(err) == "NoSuchBucketPolicy":
			case err != nil:
				return r.bucketErr("get bucket policy", err)
			case strings.TrimSpace(aws.ToString(out.Policy)) != "":
				have, err = foundation.ParsePolicy(aws.ToString(out.Policy))
				if err != nil {
					return r.bucketErr("read the existing bucket policy (left untouched)", err)
				}
			}
			return nil
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyPolicy(ctx, have) }
	return s
}

func (r *run) applyPolicy(ctx context.Context, have *foundation.PolicyDocument) error {
	doc, diffs, err := mergePolicy(have, tlsStatements(bucketARN(r.spec.Region, r.spec.Bucket)))
	if err != nil {
		return r.bucketErr("merge bucket policy", err)
	}
	if len(diffs) == 0 {
		return nil
	}
	text, err := doc.JSON()
	if err != nil {
		return r.bucketErr("merge bucket policy", err)
	}
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketPolicy, diffs...), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(), Policy: aws.String(text),
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put bucket policy", err)
		}
		return nil
	})
}

// mergePolicy sets each wanted statement into a copy of have (nil: no
// policy), found by Sid; the other statements are kept as they are. diffs is
// empty when every wanted statement is already there with the same meaning
// (compared with Statement.Equal, so order and formatting are not drift).
func mergePolicy(have *foundation.PolicyDocument, want []foundation.Statement) (*foundation.PolicyDocument, []foundation.Diff, error) {
	doc := have.Clone()
	if doc == nil {
		doc = foundation.NewPolicy()
	}
	if doc.Version == "" {
		doc.Version = foundation.PolicyVersion
	}
	var diffs []foundation.Diff
	for _, st := range want {
		cur, ok := doc.StatementBySid(st.Sid)
		if ok && cur.Equal(st) && countSid(doc, st.Sid) == 1 {
			continue
		}
		d := foundation.Diff{Field: "Statement " + st.Sid, To: statementJSON(st)}
		if ok {
			d.From = statementJSON(cur)
		}
		diffs = append(diffs, d)
		if err := doc.SetStatement(st); err != nil {
			return nil, nil, err
		}
	}
	return doc, diffs, nil
}

func countSid(d *foundation.PolicyDocument, sid string) int {
	n := 0
	for _, st := range d.Statement {
		if st.Sid == sid {
			n++
		}
	}
	return n
}

func statementJSON(st foundation.Statement) string {
	s, err := foundation.NewPolicy(st).JSON()
	if err != nil {
		return "(invalid statement)"
	}
	// Strip the document wrapper: {"Version":"...","Statement":X} -> X.
	const prefix = `{"Version":"` + foundation.PolicyVersion + `","Statement":`
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, "}") {
		s = s[len(prefix) : len(s)-1]
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
}

// ---- tags ----

func (r *run) bucketTagsStep(fresh bool) (s bucketStep) {
	// The tags are read even when the spec has none: the ownership check
	// needs them.
	// A bucket a dry run would create gets its tags with CreateBucket.
	r.bucketTagSet = foundation.WithManagedBy(r.spec.Tags)
	if !fresh {
		s.read = newRead(func(ctx context.Context) (err error) {
			r.bucketTagSet, err = r.bucketTags(ctx)
			return err
		})
	}
	s.apply = func(ctx context.Context) error { return r.applyBucketTags(ctx, r.bucketTagSet) }
	return s
}

// bucketTags returns the bucket's tags (none: NoSuchTagSet).
func (r *run) bucketTags(ctx context.Context) (map[string]string, error) {
	have := map[string]string{}
	out, err := r.api.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner()}, r.s3Region)
	switch {
	case apiCode(err) == "NoSuchTagSet":
	case err != nil:
		return nil, r.bucketErr("get tags", err)
	default:
		for _, t := range out.TagSet {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return have, nil
}

// applyBucketTags puts the spec's tags that have lacks. PutBucketTagging
// replaces the whole tag set: the set written is have with the spec's keys
// set, so no tag of the owner's is ever dropped; an adopted bucket is never
// given the ownership tag.
func (r *run) applyBucketTags(ctx context.Context, have map[string]string) error {
	merged, diffs := mergeTags(have, r.wantTags(have, r.bucketCreated))
	if len(diffs) == 0 {
		return nil
	}
	set := s3Tags(merged)
	return r.rec.Write(ctx, r.bucketChange(foundation.ActionUpdate, ResBucketTagging, diffs...), func(ctx context.Context) error {
		_, err := r.api.S3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
			Bucket: aws.String(r.spec.Bucket), ExpectedBucketOwner: r.owner(),
			Tagging: &s3types.Tagging{TagSet: set},
		}, r.s3Region)
		if err != nil {
			return r.bucketErr("put tags", err)
		}
		return nil
	})
}

// wantTags is the spec's tags for a resource whose tags are have: with the
// ownership tag when this run created it (created: a backend that dropped
// the create's tags gets it now), without it when have lacks it otherwise
// (an adopted resource stays its owner's).
func (r *run) wantTags(have map[string]string, created bool) map[string]string {
	switch {
	case created:
		return foundation.WithManagedBy(r.spec.Tags)
	case foundation.Managed(have):
		return r.spec.Tags
	}
	return awsrules.WantedTags(r.spec.Tags, true)
}

// s3Tags returns m as S3 tags sorted by key.
func s3Tags(m map[string]string) []s3types.Tag {
	set := make([]s3types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return set
}

// mergeTags returns have with want's keys set, and a diff per key of want
// that is missing or different. Keys of have that want does not name are
// kept.
func mergeTags(have, want map[string]string) (map[string]string, []foundation.Diff) {
	merged := make(map[string]string, len(have)+len(want))
	for k, v := range have {
		merged[k] = v
	}
	var diffs []foundation.Diff
	for _, k := range sortedKeys(want) {
		v := want[k]
		if old, ok := have[k]; !ok || old != v {
			diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: v})
		}
		merged[k] = v
	}
	return merged, diffs
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
