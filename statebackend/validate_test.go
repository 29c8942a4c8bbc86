package statebackend_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

func validSpec() statebackend.Spec {
	return statebackend.Spec{Bucket: "acme-tfstate-123", Region: "us-east-1"}
}

func TestBootstrapRejectsInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := statebackend.API{S3: b.S3(), DynamoDB: b.DynamoDB()}
	long := strings.Repeat("a", 64)
	tags51 := map[string]string{}
	for i := range 51 {
		tags51[strings.Repeat("k", i+1)] = "v"
	}
	cases := []struct {
		name  string
		mod   func(*statebackend.Spec)
		api   *statebackend.API
		field string // named in the message
		rule  string // part of the rule
	}{
		{"bucket empty", func(s *statebackend.Spec) { s.Bucket = "" }, nil, "spec.Bucket", "required"},
		{"bucket too short", func(s *statebackend.Spec) { s.Bucket = "ab" }, nil, "spec.Bucket", "3 to 63"},
		{"bucket too long", func(s *statebackend.Spec) { s.Bucket = long }, nil, "spec.Bucket", "3 to 63"},
		{"bucket uppercase", func(s *statebackend.Spec) { s.Bucket = "My-Bucket" }, nil, "spec.Bucket", "lowercase"},
		{"bucket underscore", func(s *statebackend.Spec) { s.Bucket = "my_bucket" }, nil, "spec.Bucket", "lowercase"},
		{"bucket ends with hyphen", func(s *statebackend.Spec) { s.Bucket = "my-bucket-" }, nil, "spec.Bucket", "begin and end"},
		{"bucket starts with dot", func(s *statebackend.Spec) { s.Bucket = ".mybucket" }, nil, "spec.Bucket", "begin and end"},
		{"bucket adjacent dots", func(s *statebackend.Spec) { s.Bucket = "my..bucket" }, nil, "spec.Bucket", "adjacent dots"},
		{"bucket IP address", func(s *statebackend.Spec) { s.Bucket = "192.168.5.4" }, nil, "spec.Bucket", "IP address"},
		{"bucket xn-- prefix", func(s *statebackend.Spec) { s.Bucket = "xn--state" }, nil, "spec.Bucket", `"xn--"`},
		{"bucket sthree- prefix", func(s *statebackend.Spec) { s.Bucket = "sthree-state" }, nil, "spec.Bucket", `"sthree-"`},
		{"bucket amzn-s3-demo- prefix", func(s *statebackend.Spec) { s.Bucket = "amzn-s3-demo-state" }, nil, "spec.Bucket", `"amzn-s3-demo-"`},
		{"bucket -s3alias suffix", func(s *statebackend.Spec) { s.Bucket = "state-s3alias" }, nil, "spec.Bucket", `"-s3alias"`},
		{"bucket --ol-s3 suffix", func(s *statebackend.Spec) { s.Bucket = "state--ol-s3" }, nil, "spec.Bucket", `"--ol-s3"`},
		{"bucket .mrap suffix", func(s *statebackend.Spec) { s.Bucket = "state.mrap" }, nil, "spec.Bucket", `".mrap"`},
		{"bucket --x-s3 suffix", func(s *statebackend.Spec) { s.Bucket = "state--x-s3" }, nil, "spec.Bucket", `"--x-s3"`},
		{"bucket --table-s3 suffix", func(s *statebackend.Spec) { s.Bucket = "state--table-s3" }, nil, "spec.Bucket", `"--table-s3"`},
		{"region empty", func(s *statebackend.Spec) { s.Region = "" }, nil, "spec.Region", "required"},
		{"region malformed", func(s *statebackend.Spec) { s.Region = "US_EAST_1" }, nil, "spec.Region", "region name"},
		{"account id short", func(s *statebackend.Spec) { s.AccountID = "12345" }, nil, "spec.AccountID", "12 digits"},
		{"key leading slash", func(s *statebackend.Spec) { s.Key = "/env/terraform.tfstate" }, nil, "spec.Key", `start with "/"`},
		{"key trailing slash", func(s *statebackend.Spec) { s.Key = "env/" }, nil, "spec.Key", `end with "/"`},
		{"key double slash", func(s *statebackend.Spec) { s.Key = "env//terraform.tfstate" }, nil, "spec.Key", `"//"`},
		{"kms key garbage", func(s *statebackend.Spec) { s.KMSKeyID = "my-key" }, nil, "spec.KMSKeyID", "KMS key ID"},
		{"kms key other region", func(s *statebackend.Spec) {
			s.KMSKeyID = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		}, nil, "spec.KMSKeyID", "region"},
		{"locking unknown", func(s *statebackend.Spec) { s.Locking = "consul" }, nil, "spec.Locking", "LockFile"},
		{"lock table missing", func(s *statebackend.Spec) { s.Locking = statebackend.LockDynamoDB }, nil, "spec.LockTable", "required"},
		{"lock table with lockfile", func(s *statebackend.Spec) { s.LockTable = "locks" }, nil, "spec.LockTable", "LockFile"},
		{"lock table too short", func(s *statebackend.Spec) { s.Locking, s.LockTable = statebackend.LockBoth, "ab" }, nil, "spec.LockTable", "3 to 255"},
		{"lock table bad chars", func(s *statebackend.Spec) { s.Locking, s.LockTable = statebackend.LockDynamoDB, "tf locks!" }, nil, "spec.LockTable", "letters, digits"},
		{"lock table kms key bad", func(s *statebackend.Spec) {
			s.Locking, s.LockTable, s.LockTableKMSKeyID = statebackend.LockDynamoDB, "tf-locks", "arn:aws:s3:::nope"
		}, nil, "spec.LockTableKMSKeyID", "ARN"},
		{"deletion protection opt-out without table", func(s *statebackend.Spec) { s.DisableDeletionProtection = true }, nil, "spec.DisableDeletionProtection", "lock table"},
		{"noncurrent days negative", func(s *statebackend.Spec) { s.NoncurrentVersionExpirationDays = -1 }, nil, "spec.NoncurrentVersionExpirationDays", "positive"},
		{"abort days negative", func(s *statebackend.Spec) { s.AbortIncompleteMultipartUploadDays = -7 }, nil, "spec.AbortIncompleteMultipartUploadDays", "positive"},
		{"keep versions too many", func(s *statebackend.Spec) { s.NoncurrentVersionsToKeep = 101 }, nil, "spec.NoncurrentVersionsToKeep", "1 to 100"},
		{"keep versions negative", func(s *statebackend.Spec) { s.NoncurrentVersionsToKeep = -1 }, nil, "spec.NoncurrentVersionsToKeep", "1 to 100"},
		{"tag aws: prefix", func(s *statebackend.Spec) { s.Tags = map[string]string{"aws:owner": "me"} }, nil, `spec.Tags["aws:owner"]`, `"aws:"`},
		{"tag empty key", func(s *statebackend.Spec) { s.Tags = map[string]string{"": "x"} }, nil, `spec.Tags[""]`, "empty"},
		{"tag key too long", func(s *statebackend.Spec) { s.Tags = map[string]string{strings.Repeat("k", 129): "x"} }, nil, "spec.Tags", "128"},
		{"tag value too long", func(s *statebackend.Spec) { s.Tags = map[string]string{"team": strings.Repeat("v", 257)} }, nil, `spec.Tags["team"]`, "256"},
		{"tag bad character", func(s *statebackend.Spec) { s.Tags = map[string]string{"team": "a*b"} }, nil, `spec.Tags["team"]`, "may contain only"},
		{"too many tags", func(s *statebackend.Spec) { s.Tags = tags51 }, nil, "spec.Tags", "at most 49"},
		{"nil S3 client", func(s *statebackend.Spec) {}, &statebackend.API{DynamoDB: api.DynamoDB}, "api.S3", "nil"},
		{"nil DynamoDB client with table", func(s *statebackend.Spec) { s.Locking, s.LockTable = statebackend.LockBoth, "tf-locks" },
			&statebackend.API{S3: api.S3}, "api.DynamoDB", "nil"},
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := validSpec()
			tc.mod(&spec)
			a := api
			if tc.api != nil {
				a = *tc.api
			}
			mark := b.Mark()
			for _, dry := range []bool{false, true} {
				got, err := statebackend.Bootstrap(t.Context(), a, spec, foundation.WithDryRun(dry))
				if !errors.Is(err, foundation.ErrInvalidSpec) {
					t.Fatalf("dry=%v: err = %v, want ErrInvalidSpec", dry, err)
				}
				if got != nil {
					t.Errorf("dry=%v: got a Backend with an error", dry)
				}
				if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("dry=%v: error %q does not name %q and %q", dry, err, tc.field, tc.rule)
				}
				var se *foundation.SpecError
				if !errors.As(err, &se) || se.Package != "statebackend" {
					t.Errorf("dry=%v: error is not a statebackend *foundation.SpecError: %#v", dry, err)
				}
			}
			b.RequireNoCalls(t, mark)
			if spec.Validate() == nil && tc.api == nil {
				t.Errorf("Spec.Validate accepts what Bootstrap refuses")
			}
		})
	}
}

func TestBootstrapReportsEveryFault(t *testing.T) {
	b := awstest.New(t)
	mark := b.Mark()
	spec := statebackend.Spec{
		Bucket: "Bad_Bucket", Region: "nowhere", AccountID: "x",
		Locking: statebackend.LockDynamoDB, NoncurrentVersionsToKeep: 500,
	}
	_, err := statebackend.Bootstrap(t.Context(), statebackend.API{S3: b.S3()}, spec)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v, want ErrInvalidSpec", err)
	}
	for _, field := range []string{"spec.Bucket", "spec.Region", "spec.AccountID", "spec.LockTable", "spec.NoncurrentVersionsToKeep", "api.DynamoDB"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
	b.RequireNoCalls(t, mark)
}

func TestValidSpecsPassValidation(t *testing.T) {
	for _, s := range []statebackend.Spec{
		validSpec(),
		{Bucket: "a.b-c.123", Region: "eu-central-1", AccountID: "111122223333", Key: "env/prod/terraform.tfstate"},
		{Bucket: "abc", Region: "cn-north-1", KMSKeyID: "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{Bucket: "state-1", Region: "us-gov-west-1", KMSKeyID: "alias/terraform-state"},
		{Bucket: "state-1", Region: "us-east-1", KMSKeyID: "mrk-1234abcd12ab34cd56ef1234567890ab"},
		{Bucket: "state-1", Region: "us-east-1", KMSKeyID: "arn:aws:kms:us-east-1:111122223333:alias/state"},
		{Bucket: strings.Repeat("a", 63), Region: "ap-southeast-7", Locking: statebackend.LockBoth, LockTable: strings.Repeat("T", 255),
			LockTableKMSKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", DisableDeletionProtection: true, DisablePointInTimeRecovery: true,
			NoncurrentVersionExpirationDays: 1, NoncurrentVersionsToKeep: 100, AbortIncompleteMultipartUploadDays: 1,
			Tags: map[string]string{"Team": "Platform", "cost-center": "1234", "ünïcode key": "a+b=c@d:e/f_g.h-i", "empty": ""}},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", s, err)
		}
	}
}
