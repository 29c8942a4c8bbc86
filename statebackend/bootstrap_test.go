package statebackend_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// Key IDs of the customer managed keys the specs name (Bootstrap never
// calls KMS: the keys need not exist).
const (
	testKeyID   = "1234abcd-12ab-34cd-56ef-1234567890ab"
	testTableID = "0000abcd-12ab-34cd-56ef-1234567890ab"
)

// keyARN is the ARN of key id in the backend's management account.
func keyARN(t *testing.T, b *awstest.Backend, id string) string {
	t.Helper()
	return "arn:aws:kms:" + b.Region + ":" + b.AccountID(t) + ":key/" + id
}

func apiFor(b *awstest.Backend) statebackend.API {
	return statebackend.API{S3: b.S3(), DynamoDB: b.DynamoDB()}
}

// mode is one configuration the suite runs through.
type mode struct {
	name string
	spec func(t *testing.T, b *awstest.Backend) statebackend.Spec
}

func modes() []mode {
	base := func(t *testing.T, b *awstest.Backend) statebackend.Spec {
		return statebackend.Spec{
			Bucket: b.Unique("tfstate"), Region: b.Region,
			Tags: map[string]string{"team": "platform", "managed-by": "foundation"},
		}
	}
	return []mode{
		{"lockfile", base},
		{"lockfile-kms", func(t *testing.T, b *awstest.Backend) statebackend.Spec {
			s := base(t, b)
			s.KMSKeyID = keyARN(t, b, testKeyID)
			return s
		}},
		{"dynamodb", func(t *testing.T, b *awstest.Backend) statebackend.Spec {
			s := base(t, b)
			s.Locking, s.LockTable = statebackend.LockDynamoDB, b.Unique("tf-locks")
			return s
		}},
		{"both-cmk", func(t *testing.T, b *awstest.Backend) statebackend.Spec {
			s := base(t, b)
			s.Locking, s.LockTable, s.LockTableKMSKeyID = statebackend.LockBoth, b.Unique("tf-locks"), keyARN(t, b, testTableID)
			s.NoncurrentVersionExpirationDays, s.NoncurrentVersionsToKeep, s.AbortIncompleteMultipartUploadDays = 30, 10, 3
			return s
		}},
	}
}

func TestBootstrapFreshAndIdempotent(t *testing.T) {
	for _, m := range modes() {
		t.Run(m.name, func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 20*time.Second)
			spec := m.spec(t, b)
			mark := b.Mark()
			got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: fresh bootstrap: %d calls, %d mutating", m.name, len(b.Calls(mark)), len(b.MutatingCalls(mark)))
			if got.Bucket != spec.Bucket || got.Region != spec.Region || got.BucketARN != "arn:aws:s3:::"+spec.Bucket {
				t.Errorf("identifiers: %+v", got)
			}
			if got.Changes.Empty() || resources(got.Changes[:1])[0] != "create s3:bucket "+spec.Bucket {
				t.Errorf("changes do not start with the bucket's creation:\n%s", got.Changes)
			}
			verifyBucket(t, ctx, b, b.S3(), spec)
			if spec.LockTable != "" {
				if got.LockTable != spec.LockTable || !strings.HasSuffix(got.LockTableARN, ":table/"+spec.LockTable) {
					t.Errorf("table identifiers: %q %q", got.LockTable, got.LockTableARN)
				}
				verifyTable(t, ctx, b.DynamoDB(), spec)
			} else if got.LockTable != "" || got.LockTableARN != "" {
				t.Errorf("lock table reported with LockFile: %+v", got)
			}
			// The mutations the client saw are exactly the changes reported.
			if n, c := len(b.MutatingCalls(mark)), len(got.Changes); n != c {
				t.Errorf("%d mutating calls but %d changes:\n%s%v", n, c, got.Changes, b.MutatingCalls(mark))
			}
			requireConverged(t, b, func() ([]foundation.Change, error) {
				again, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				if again.Config != got.Config || again.BucketARN != got.BucketARN || again.LockTableARN != got.LockTableARN {
					t.Errorf("second run returns other identifiers: %+v vs %+v", again, got)
				}
				return again.Changes, nil
			})
		})
	}
}

// requireConverged is b.RequireIdempotent where the backend keeps every
// setting Bootstrap writes. A backend that drops the lifecycle rule's
// NewerNoncurrentVersions reads back a rule that differs in that field
// alone, so every run rewrites it: there the two runs may report that change
// and make that one write, and nothing else.
func requireConverged(t *testing.T, b *awstest.Backend, run func() ([]foundation.Change, error)) {
	t.Helper()
	if !b.Lacks(awstest.S3NewerNoncurrentVersions) {
		b.RequireIdempotent(t, run)
		return
	}
	for i := 1; i <= 2; i++ {
		mark := b.Mark()
		changes, err := run()
		if err != nil {
			t.Fatalf("converged run %d: %v", i, err)
		}
		rest := unexplained(b, changes)
		if len(rest) > 0 {
			t.Fatalf("converged run %d reported %d changes:\n%s", i, len(rest), foundation.Changes(rest))
		}
		writes := 0
		for _, c := range b.MutatingCalls(mark) {
			if c.Operation != "PutBucketLifecycleConfiguration" {
				t.Fatalf("converged run %d called %v", i, c)
			}
			writes++
		}
		if writes != len(changes) {
			t.Fatalf("converged run %d: %d lifecycle writes for %d changes", i, writes, len(changes))
		}
	}
}

var newerNoncurrent = regexp.MustCompile(`NewerNoncurrentVersions=\d+`)

// unexplained returns the changes that no registered gap of the backend
// explains: where NewerNoncurrentVersions is dropped, the retention rule's
// update whose only difference is that field is explained.
func unexplained(b *awstest.Backend, changes foundation.Changes) foundation.Changes {
	if !b.Lacks(awstest.S3NewerNoncurrentVersions) {
		return changes
	}
	var rest foundation.Changes
	for _, c := range changes {
		if c.Resource == statebackend.ResBucketLifecycle && len(c.Diffs) == 1 && c.Diffs[0].From != "" &&
			c.Diffs[0].From == newerNoncurrent.ReplaceAllString(c.Diffs[0].To, "NewerNoncurrentVersions=0") {
			continue
		}
		rest = append(rest, c)
	}
	return rest
}

// verifyBucket reads every setting back with the SDK (c may act in another
// region than b's clients).
func verifyBucket(t *testing.T, ctx context.Context, b *awstest.Backend, c *s3.Client, spec statebackend.Spec) {
	t.Helper()
	bucket := aws.String(spec.Bucket)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket}); err != nil {
		t.Fatalf("head bucket: %v", err)
	}
	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning: %v %v", ver, err)
	}
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 {
		t.Fatalf("encryption: %v %v", enc, err)
	}
	rule := enc.ServerSideEncryptionConfiguration.Rules[0]
	if spec.KMSKeyID == "" {
		if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
			t.Errorf("encryption: %+v", rule.ApplyServerSideEncryptionByDefault)
		}
	} else if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms ||
		aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != spec.KMSKeyID || !aws.ToBool(rule.BucketKeyEnabled) {
		t.Errorf("encryption: %+v bucket key %v", rule.ApplyServerSideEncryptionByDefault, aws.ToBool(rule.BucketKeyEnabled))
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("public access block: %v", err)
	}
	p := pab.PublicAccessBlockConfiguration
	if !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("public access block: %+v", p)
	}
	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
	if err != nil || len(own.OwnershipControls.Rules) != 1 || own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("ownership: %v %v", own, err)
	}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	doc, err := foundation.ParsePolicy(aws.ToString(pol.Policy))
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	arn := "arn:aws:s3:::" + spec.Bucket
	for sid, cond := range map[string]foundation.Conditions{
		statebackend.SidDenyInsecureTransport: {"Bool": {"aws:SecureTransport": {"false"}}},
		statebackend.SidDenyOutdatedTLS:       {"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
	} {
		want := foundation.Statement{Sid: sid, Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
			Action: foundation.Actions("s3:*"), Resource: foundation.Resources(arn, arn+"/*"), Condition: cond}
		if st, ok := doc.StatementBySid(sid); !ok || !st.Equal(want) {
			t.Errorf("policy statement %s: %+v", sid, st)
		}
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("lifecycle: %v", err)
	}
	days, keep, abort := int32(90), int32(5), int32(7)
	if spec.NoncurrentVersionExpirationDays != 0 {
		days, keep, abort = int32(spec.NoncurrentVersionExpirationDays), int32(spec.NoncurrentVersionsToKeep), int32(spec.AbortIncompleteMultipartUploadDays)
	}
	i := slices.IndexFunc(lc.Rules, func(r s3types.LifecycleRule) bool { return aws.ToString(r.ID) == statebackend.LifecycleRuleID })
	if i < 0 {
		t.Fatalf("lifecycle rule missing: %+v", lc.Rules)
	}
	r := lc.Rules[i]
	if r.Status != s3types.ExpirationStatusEnabled || r.NoncurrentVersionExpiration == nil ||
		aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != days ||
		(aws.ToInt32(r.NoncurrentVersionExpiration.NewerNoncurrentVersions) != keep && !b.Lacks(awstest.S3NewerNoncurrentVersions)) ||
		r.AbortIncompleteMultipartUpload == nil || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != abort ||
		(r.Filter != nil && aws.ToString(r.Filter.Prefix) != "") {
		t.Errorf("lifecycle rule: %+v", r)
	}
	if len(spec.Tags) == 0 {
		return
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})
	if err != nil {
		t.Fatalf("tags: %v", err)
	}
	have := map[string]string{}
	for _, tg := range tags.TagSet {
		have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	for k, v := range spec.Tags {
		if have[k] != v {
			t.Errorf("bucket tag %s = %q, want %q", k, have[k], v)
		}
	}
}

// verifyTable reads every setting of the lock table back with the SDK.
func verifyTable(t *testing.T, ctx context.Context, c *dynamodb.Client, spec statebackend.Spec) {
	t.Helper()
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(spec.LockTable)})
	if err != nil {
		t.Fatalf("describe table: %v", err)
	}
	d := out.Table
	if d.TableStatus != ddbtypes.TableStatusActive {
		t.Errorf("status %s", d.TableStatus)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("billing mode: %+v", d.BillingModeSummary)
	}
	if len(d.KeySchema) != 1 || aws.ToString(d.KeySchema[0].AttributeName) != "LockID" || d.KeySchema[0].KeyType != ddbtypes.KeyTypeHash ||
		len(d.AttributeDefinitions) != 1 || d.AttributeDefinitions[0].AttributeType != ddbtypes.ScalarAttributeTypeS {
		t.Errorf("key schema %+v attributes %+v", d.KeySchema, d.AttributeDefinitions)
	}
	if d.SSEDescription == nil || d.SSEDescription.Status != ddbtypes.SSEStatusEnabled || d.SSEDescription.SSEType != ddbtypes.SSETypeKms {
		t.Errorf("SSE: %+v", d.SSEDescription)
	} else if spec.LockTableKMSKeyID != "" && aws.ToString(d.SSEDescription.KMSMasterKeyArn) != spec.LockTableKMSKeyID {
		t.Errorf("SSE key %s, want %s", aws.ToString(d.SSEDescription.KMSMasterKeyArn), spec.LockTableKMSKeyID)
	}
	if aws.ToBool(d.DeletionProtectionEnabled) == spec.DisableDeletionProtection {
		t.Errorf("deletion protection %v", aws.ToBool(d.DeletionProtectionEnabled))
	}
	cb, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(spec.LockTable)})
	if err != nil {
		t.Fatalf("describe continuous backups: %v", err)
	}
	pitr := cb.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus
	if (pitr == ddbtypes.PointInTimeRecoveryStatusEnabled) == spec.DisablePointInTimeRecovery {
		t.Errorf("PITR %s", pitr)
	}
	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn})
	if err != nil {
		t.Fatalf("list tags: %v", err)
	}
	have := map[string]string{}
	for _, tg := range tags.Tags {
		have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	// The emulator pages small: read every page.
	for tok := tags.NextToken; tok != nil; {
		more, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range more.Tags {
			have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		tok = more.NextToken
	}
	for k, v := range spec.Tags {
		if have[k] != v {
			t.Errorf("table tag %s = %q, want %q", k, have[k], v)
		}
	}
}

func resources(cs []foundation.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
	}
	return out
}

func TestDryRunListsWhatTheRealRunDoes(t *testing.T) {
	for _, m := range modes() {
		t.Run(m.name, func(t *testing.T) {
			b := awstest.New(t)
			// Where CreateBucket drops its tags, the real run tags after.
			b.Need(t, awstest.S3CreateBucketTags)
			ctx := awstest.Context(t, 20*time.Second)
			spec := m.spec(t, b)
			mark := b.Mark()
			dry, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil {
				t.Fatal(err)
			}
			b.RequireNoMutations(t, mark)
			if e := b.EmulatorFor(awstest.CapServerCallLog); e != nil {
				if m := e.MutatingCallsSince(0); len(m) > 0 {
					t.Fatalf("emulator saw mutating calls in dry run: %v", m)
				}
			}
			real, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			made := real.Changes
			if b.Lacks(awstest.S3BucketDefaults2023) {
				// The dry run predicts a new bucket with the 2023 defaults;
				// this backend creates one without them, so the real run
				// also writes those settings.
				made = slices.DeleteFunc(slices.Clone(made), func(c foundation.Change) bool {
					return slices.Contains(defaults2023, c.Resource) && !slices.ContainsFunc(dry.Changes, func(d foundation.Change) bool { return d.Resource == c.Resource })
				})
			}
			if d, r := resources(dry.Changes), resources(made); !slices.Equal(d, r) {
				t.Errorf("dry run listed\n  %s\nthe real run made\n  %s", strings.Join(d, "\n  "), strings.Join(r, "\n  "))
			}
			if dry.Config != real.Config || dry.BucketARN != real.BucketARN {
				t.Errorf("dry run result differs: %+v vs %+v", dry, real)
			}
			// A dry run on the converged backend lists nothing.
			again, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil || !unexplained(b, again.Changes).Empty() {
				t.Errorf("dry run after convergence: %v\n%s", err, again.Changes)
			}
		})
	}
}

// defaults2023 are the settings AWS gives every new bucket since 2023
// (public access blocked, ACLs disabled, SSE-S3).
var defaults2023 = []string{statebackend.ResBucketPublicAccessBlock, statebackend.ResBucketOwnership, statebackend.ResBucketEncryption}
