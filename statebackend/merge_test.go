package statebackend

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
)

const userStatement = `{"Sid":"AllowCI","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b-1/*"}`

func TestMergePolicy(t *testing.T) {
	want := tlsStatements(bucketARN("us-east-1", "b-1"))

	// No policy: both statements added.
	doc, diffs, err := mergePolicy(nil, want)
	if err != nil || len(diffs) != 2 || len(doc.Statement) != 2 || doc.Version != foundation.PolicyVersion {
		t.Fatalf("from nothing: diffs=%v doc=%v err=%v", diffs, doc, err)
	}

	// A converged policy written in another order, with other formatting
	// (bare strings vs lists, principal {"AWS":"*"}, boolean false) and a
	// user statement: no change.
	have, err := foundation.ParsePolicy(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid":"DenyOutdatedTLS","Effect":"Deny","Principal":{"AWS":"*"},"Action":"S3:*",
	     "Resource":["arn:aws:s3:::b-1/*","arn:aws:s3:::b-1"],"Condition":{"NumericLessThan":{"s3:TlsVersion":1.2}}},
	    ` + userStatement + `,
	    {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],
	     "Resource":["arn:aws:s3:::b-1","arn:aws:s3:::b-1/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}
	  ]}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, diffs, _ := mergePolicy(have, want); len(diffs) != 0 {
		t.Errorf("converged policy reported as drift: %v", diffs)
	}

	// The user's policy without our statements: ours appended, theirs kept
	// first and unchanged; the input is not modified.
	user, _ := foundation.ParsePolicy(`{"Version":"2012-10-17","Statement":[` + userStatement + `]}`)
	before := user.MustJSON()
	doc, diffs, _ = mergePolicy(user, want)
	if len(diffs) != 2 || len(doc.Statement) != 3 {
		t.Fatalf("diffs=%v statements=%d", diffs, len(doc.Statement))
	}
	if !doc.Statement[0].Equal(user.Statement[0]) || user.MustJSON() != before {
		t.Errorf("user statement changed: %v", doc.Statement[0])
	}

	// One of ours altered (condition weakened): replaced in place, the
	// diff shows from and to.
	altered := doc.Clone()
	altered.Statement[1].Condition = foundation.Conditions{"Bool": {"aws:SecureTransport": {"true"}}}
	doc2, diffs, _ := mergePolicy(altered, want)
	if len(diffs) != 1 || diffs[0].Field != "Statement DenyInsecureTransport" || diffs[0].From == "" {
		t.Fatalf("diffs = %v", diffs)
	}
	if !doc2.Equal(doc) {
		t.Errorf("not repaired:\n%s\n%s", doc2.MustJSON(), doc.MustJSON())
	}

	// Duplicates of our Sid are collapsed.
	dup := doc.Clone()
	dup.Statement = append(dup.Statement, want[0])
	doc3, diffs, _ := mergePolicy(dup, want)
	if len(diffs) != 1 || len(doc3.Statement) != 3 {
		t.Errorf("duplicate: diffs=%v statements=%d", diffs, len(doc3.Statement))
	}
}

func TestTLSStatementsPartition(t *testing.T) {
	st := tlsStatements(bucketARN("cn-north-1", "b-1"))
	if got := []string(st[0].Resource); !reflect.DeepEqual(got, []string{"arn:aws-cn:s3:::b-1", "arn:aws-cn:s3:::b-1/*"}) {
		t.Errorf("resources = %v", got)
	}
	if err := foundation.NewPolicy(st...).Validate(); err != nil {
		t.Error(err)
	}
	for region, want := range map[string]string{"us-east-1": "aws", "us-gov-west-1": "aws-us-gov", "cn-northwest-1": "aws-cn", "eu-west-3": "aws"} {
		if got := partitionFor(region); got != want {
			t.Errorf("partitionFor(%s) = %s", region, got)
		}
	}
}

func TestMergeLifecycle(t *testing.T) {
	spec := Spec{Bucket: "b-1", Region: "us-east-1"}.withDefaults()
	want := retentionRule(spec)
	userRule := s3types.LifecycleRule{ID: aws.String("logs"), Status: s3types.ExpirationStatusEnabled,
		Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("logs/")}, Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(30)}}

	rules, _, changed := mergeLifecycle(nil, want)
	if !changed || len(rules) != 1 {
		t.Fatalf("from nothing: changed=%v rules=%d", changed, len(rules))
	}
	rules, _, changed = mergeLifecycle([]s3types.LifecycleRule{userRule}, want)
	if !changed || len(rules) != 2 || !reflect.DeepEqual(rules[0], userRule) {
		t.Fatalf("user rule not kept first: %+v", rules)
	}

	// Read back as AWS returns it: an empty filter instead of Prefix "".
	readBack := want
	readBack.Filter = &s3types.LifecycleRuleFilter{}
	if _, _, changed := mergeLifecycle([]s3types.LifecycleRule{userRule, readBack}, want); changed {
		t.Error("converged rules reported as drift")
	}
	readBack.Filter = nil
	if _, _, changed := mergeLifecycle([]s3types.LifecycleRule{readBack}, want); changed {
		t.Error("nil filter reported as drift")
	}

	for name, mutate := range map[string]func(*s3types.LifecycleRule){
		"days": func(r *s3types.LifecycleRule) {
			r.NoncurrentVersionExpiration = &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(5)}
		},
		"keep": func(r *s3types.LifecycleRule) {
			r.NoncurrentVersionExpiration = &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(90)}
		},
		"disabled": func(r *s3types.LifecycleRule) { r.Status = s3types.ExpirationStatusDisabled },
		"prefix":   func(r *s3types.LifecycleRule) { r.Filter = &s3types.LifecycleRuleFilter{Prefix: aws.String("x/")} },
		"abort":    func(r *s3types.LifecycleRule) { r.AbortIncompleteMultipartUpload = nil },
		"expire":   func(r *s3types.LifecycleRule) { r.Expiration = &s3types.LifecycleExpiration{Days: aws.Int32(1)} },
		"transition": func(r *s3types.LifecycleRule) {
			r.Transitions = []s3types.Transition{{Days: aws.Int32(30), StorageClass: s3types.TransitionStorageClassGlacier}}
		},
	} {
		drifted := want
		mutate(&drifted)
		rules, diff, changed := mergeLifecycle([]s3types.LifecycleRule{drifted, userRule}, want)
		if !changed || diff.From == "" || diff.From == diff.To {
			t.Errorf("%s: changed=%v diff=%+v", name, changed, diff)
		}
		if len(rules) != 2 || !ruleMatches(rules[0], want) || !reflect.DeepEqual(rules[1], userRule) {
			t.Errorf("%s: rules = %+v", name, rules)
		}
	}
}

func TestMergeTags(t *testing.T) {
	have := map[string]string{"Team": "old", "owner": "alice"}
	merged, diffs := mergeTags(have, map[string]string{"Team": "platform", "env": "prod"})
	if !reflect.DeepEqual(merged, map[string]string{"Team": "platform", "owner": "alice", "env": "prod"}) {
		t.Errorf("merged = %v", merged)
	}
	want := []foundation.Diff{{Field: "tag Team", From: "old", To: "platform"}, {Field: "tag env", To: "prod"}}
	if !reflect.DeepEqual(diffs, want) {
		t.Errorf("diffs = %v", diffs)
	}
	if _, diffs := mergeTags(merged, map[string]string{"env": "prod"}); len(diffs) != 0 {
		t.Errorf("no-op diffs = %v", diffs)
	}
	if _, diffs := mergeTags(map[string]string{}, map[string]string{"empty": ""}); len(diffs) != 1 {
		t.Errorf("missing empty-valued tag not detected")
	}
}

func TestEncryptionDiffs(t *testing.T) {
	sse := encryptionRule("")
	kms := encryptionRule("alias/state")
	if d := encryptionDiffs(&sse, sse); len(d) != 0 {
		t.Errorf("same SSE-S3: %v", d)
	}
	if d := encryptionDiffs(nil, sse); len(d) != 1 || d[0].Field != "SSEAlgorithm" {
		t.Errorf("none -> SSE-S3: %v", d)
	}
	if d := encryptionDiffs(&kms, kms); len(d) != 0 {
		t.Errorf("same KMS: %v", d)
	}
	if d := encryptionDiffs(&sse, kms); len(d) != 3 {
		t.Errorf("SSE-S3 -> KMS: %v", d)
	}
	noBucketKey := encryptionRule("alias/state")
	noBucketKey.BucketKeyEnabled = aws.Bool(false)
	if d := encryptionDiffs(&noBucketKey, kms); len(d) != 1 || d[0].Field != "BucketKeyEnabled" {
		t.Errorf("bucket key off: %v", d)
	}
	other := encryptionRule("alias/other")
	if d := encryptionDiffs(&other, kms); len(d) != 1 || d[0].Field != "KMSMasterKeyID" {
		t.Errorf("other key: %v", d)
	}
	if d := encryptionDiffs(&kms, sse); len(d) != 2 {
		t.Errorf("KMS -> SSE-S3: %v", d)
	}
}

func TestPublicAccessBlockDiffs(t *testing.T) {
	if d := publicAccessBlockDiffs(allBlocked()); len(d) != 0 {
		t.Errorf("all blocked: %v", d)
	}
	if d := publicAccessBlockDiffs(nil); len(d) != 4 || d[0].From != "" {
		t.Errorf("none: %v", d)
	}
	half := allBlocked()
	half.BlockPublicPolicy = aws.Bool(false)
	if d := publicAccessBlockDiffs(half); len(d) != 1 || d[0] != (foundation.Diff{Field: "BlockPublicPolicy", From: "false", To: "true"}) {
		t.Errorf("one off: %v", d)
	}
}

func TestSSEDiffs(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	enabled := &ddbtypes.SSEDescription{Status: ddbtypes.SSEStatusEnabled, SSEType: ddbtypes.SSETypeKms, KMSMasterKeyArn: aws.String(arn)}
	for _, tc := range []struct {
		name  string
		have  *ddbtypes.SSEDescription
		want  string
		diffs int
	}{
		{"owned key", nil, "", 1},
		{"disabled", &ddbtypes.SSEDescription{Status: ddbtypes.SSEStatusDisabled}, "", 1},
		{"managed ok", enabled, "", 0},
		{"arn ok", enabled, arn, 0},
		{"key id ok", enabled, "1234abcd-12ab-34cd-56ef-1234567890ab", 0},
		{"alias accepted", enabled, "alias/locks", 0},
		{"other key", enabled, "arn:aws:kms:us-east-1:111122223333:key/ffffffff-12ab-34cd-56ef-1234567890ab", 1},
		{"owned key, cmk wanted", nil, arn, 2},
	} {
		if d := sseDiffs(tc.have, tc.want); len(d) != tc.diffs {
			t.Errorf("%s: diffs = %v", tc.name, d)
		}
	}
}
