package ecr_test

import (
	"errors"
	"strings"
	"testing"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
)

const validKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func TestEnsureRepositoryRejectsInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	c := client(b)
	tags51 := map[string]string{}
	for i := range 51 {
		tags51[strings.Repeat("k", i+1)] = "v"
	}
	lc := func(rules ...ecr.LifecycleRule) func(*ecr.Spec) {
		return func(s *ecr.Spec) { s.Lifecycle = &ecr.LifecyclePolicy{Rules: rules} }
	}
	cases := []struct {
		name   string
		mod    func(*ecr.Spec)
		nilAPI bool
		field  string
		rule   string
	}{
		{"name empty", func(s *ecr.Spec) { s.Name = "" }, false, "spec.Name", "required"},
		{"name too short", func(s *ecr.Spec) { s.Name = "a" }, false, "spec.Name", "2 to 256"},
		{"name uppercase", func(s *ecr.Spec) { s.Name = "MyApp" }, false, "spec.Name", "lowercase"},
		{"name trailing slash", func(s *ecr.Spec) { s.Name = "team/" }, false, "spec.Name", "lowercase"},
		{"name leading dash", func(s *ecr.Spec) { s.Name = "-app" }, false, "spec.Name", "lowercase"},
		{"name too long", func(s *ecr.Spec) { s.Name = strings.Repeat("a", 257) }, false, "spec.Name", "2 to 256"},
		{"mutability unknown", func(s *ecr.Spec) { s.TagMutability = "FROZEN" }, false, "spec.TagMutability", "IMMUTABLE, MUTABLE"},
		{"exclusions without the exclusion form", func(s *ecr.Spec) { s.MutabilityExclusions = []string{"latest"} }, false, "spec.MutabilityExclusions", "apply only to"},
		{"exclusion form without exclusions", func(s *ecr.Spec) { s.TagMutability = "MUTABLE_WITH_EXCLUSION" }, false, "spec.MutabilityExclusions", "1 to 5"},
		{"too many exclusions", func(s *ecr.Spec) {
			s.TagMutability, s.MutabilityExclusions = "IMMUTABLE_WITH_EXCLUSION", []string{"a", "b", "c", "d", "e", "f"}
		}, false, "spec.MutabilityExclusions", "1 to 5"},
		{"bad exclusion filter", func(s *ecr.Spec) {
			s.TagMutability, s.MutabilityExclusions = "IMMUTABLE_WITH_EXCLUSION", []string{"dev/*"}
		}, false, "spec.MutabilityExclusions[0]", "letters, digits"},
		{"KMS key with AES256", func(s *ecr.Spec) { s.Encryption = "AES256" }, false, "spec.KMSKey", "AES256"},
		{"unknown encryption", func(s *ecr.Spec) { s.Encryption = "SSE" }, false, "spec.Encryption", "AES256, KMS or KMS_DSSE"},
		{"KMS key malformed", func(s *ecr.Spec) { s.KMSKey = "my-key" }, false, "spec.KMSKey", "KMS key ARN"},
		{"another service's AWS managed key", func(s *ecr.Spec) { s.KMSKey = "alias/aws/s3" }, false, "spec.KMSKey", "AWS managed key"},
		{"lifecycle without rules", lc(), false, "spec.Lifecycle.Rules", "at least one"},
		{"lifecycle priority zero", lc(ecr.KeepLastTagged(0, 30, "sha-")), false, "spec.Lifecycle.Rules[0].Priority", "positive"},
		{"lifecycle priorities not unique", lc(ecr.KeepLastTagged(1, 30, "sha-"), ecr.ExpireUntaggedAfter(1, 1)), false, "spec.Lifecycle.Rules[1].Priority", "unique"},
		{"lifecycle any rule not last", lc(ecr.KeepLast(1, 100), ecr.ExpireUntaggedAfter(2, 1)), false, "spec.Lifecycle.Rules[0].Priority", "highest priority"},
		{"lifecycle count zero", lc(ecr.KeepLastTagged(1, 0, "sha-")), false, "spec.Lifecycle.Rules[0].CountNumber", "at least 1"},
		{"lifecycle empty prefix", lc(ecr.KeepLastTagged(1, 30, "")), false, "spec.Lifecycle.Rules[0].TagPrefixes[0]", "1 to 128"},
		{"lifecycle tagged without prefix", lc(ecr.KeepLastTagged(1, 30)), false, "spec.Lifecycle.Rules[0]", "exactly one of"},
		{"pull account malformed", func(s *ecr.Spec) { s.Policy.PullAccounts = []string{"1111"} }, false, "spec.Policy.PullAccounts[0]", "12-digit"},
		{"pull account twice", func(s *ecr.Spec) { s.Policy.PullAccounts = []string{devAccount, devAccount} }, false, "spec.Policy.PullAccounts[1]", "twice"},
		{"org ID malformed", func(s *ecr.Spec) { s.Policy.PullOrganizationID = "o-ABC" }, false, "spec.Policy.PullOrganizationID", "o-"},
		{"org ID too short", func(s *ecr.Spec) { s.Policy.PullOrganizationID = "o-abc123" }, false, "spec.Policy.PullOrganizationID", "10 to 32"},
		{"push role not a role", func(s *ecr.Spec) {
			s.Policy.PushRoleARNs = []string{"arn:aws:iam::123456789012:user/ci"}
		}, false, "spec.Policy.PushRoleARNs[0]", "IAM role ARN"},
		{"push role other partition", func(s *ecr.Spec) {
			s.Policy.PushRoleARNs = []string{"arn:aws-cn:iam::123456789012:role/ci"}
		}, false, "spec.Policy.PushRoleARNs[0]", `partition "aws"`},
		{"statement without sid", func(s *ecr.Spec) {
			s.Policy.Statements = []foundation.Statement{{Effect: "Allow", Principal: foundation.AWSPrincipal(devAccount), Action: foundation.Actions("ecr:BatchGetImage")}}
		}, false, "spec.Policy.Statements[0].Sid", "required"},
		{"statement with a reserved sid", func(s *ecr.Spec) {
			s.Policy.Statements = []foundation.Statement{{Sid: ecr.SidPush, Effect: "Allow", Principal: foundation.AWSPrincipal(devAccount), Action: foundation.Actions("ecr:PutImage")}}
		}, false, "spec.Policy.Statements[0].Sid", "reserved"},
		{"statement invalid", func(s *ecr.Spec) {
			s.Policy.Statements = []foundation.Statement{{Sid: "X", Effect: "Permit", Principal: foundation.AWSPrincipal(devAccount), Action: foundation.Actions("ecr:PutImage")}}
		}, false, "spec.Policy.Statements", "Effect"},
		{"tag aws: prefix", func(s *ecr.Spec) { s.Tags = map[string]string{"aws:x": "y"} }, false, `spec.Tags["aws:x"]`, `"aws:"`},
		{"tag value too long", func(s *ecr.Spec) { s.Tags = map[string]string{"app": strings.Repeat("v", 257)} }, false, `spec.Tags["app"]`, "256"},
		{"too many tags", func(s *ecr.Spec) { s.Tags = tags51 }, false, "spec.Tags", "at most 49"},
		{"nil client", func(s *ecr.Spec) {}, true, "api", "nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := seedSpec(validKey)
			tc.mod(&spec)
			var api ecr.API = c
			if tc.nilAPI {
				api = nil
			}
			mark := b.Mark()
			for _, dry := range []bool{false, true} {
				got, err := ecr.EnsureRepository(t.Context(), api, spec, foundation.WithDryRun(dry))
				if !errors.Is(err, foundation.ErrInvalidSpec) || got != nil {
					t.Fatalf("dry=%v: err = %v, want ErrInvalidSpec", dry, err)
				}
				if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("dry=%v: error %q does not name %q and %q", dry, err, tc.field, tc.rule)
				}
				var se *foundation.SpecError
				if !errors.As(err, &se) || se.Package != "ecr" {
					t.Errorf("not an ecr *foundation.SpecError: %#v", err)
				}
			}
			b.RequireNoCalls(t, mark)
			if !tc.nilAPI && spec.Validate() == nil {
				t.Error("Spec.Validate accepts what EnsureRepository refuses")
			}
		})
	}
	t.Logf("%d invalid specs", len(cases))
}

func TestValidSpecsPassValidation(t *testing.T) {
	for _, s := range []ecr.Spec{
		seedSpec(validKey),
		{Name: "ab"},
		{Name: "team/sub-team/svc__v2.x", TagMutability: "MUTABLE", DisableScanOnPush: true, Encryption: "KMS"},
		{Name: "a--b_c", TagMutability: "MUTABLE_WITH_EXCLUSION", MutabilityExclusions: []string{"latest", "dev-*", "a", "b", "c"}},
		{Name: "x1", Encryption: "KMS_DSSE", KMSKey: "alias/ecr"},
		{Name: "x2", KMSKey: "1234abcd-12ab-34cd-56ef-1234567890ab"},
		{Name: "x3", KMSKey: "arn:aws-cn:kms:cn-north-1:123456789012:alias/ecr", Policy: &ecr.RepositoryPolicy{Partition: "aws-cn",
			PushRoleARNs: []string{"arn:aws-cn:iam::123456789012:role/path/ci"}, PullOrganizationID: "o-" + strings.Repeat("a", 32)}},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", s.Name, err)
		}
	}
}

func TestEnsureRepositoryReportsEveryFault(t *testing.T) {
	b := awstest.New(t)
	mark := b.Mark()
	_, err := ecr.EnsureRepository(t.Context(), (*awsecr.Client)(nil), ecr.Spec{Name: "A", TagMutability: "X", Encryption: "AES256", KMSKey: "k",
		Lifecycle: &ecr.LifecyclePolicy{}, Policy: &ecr.RepositoryPolicy{PullOrganizationID: "x"}})
	for _, f := range []string{"spec.Name", "spec.TagMutability", "spec.KMSKey", "spec.Lifecycle.Rules", "spec.Policy.PullOrganizationID"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("error does not name %s: %v", f, err)
		}
	}
	b.RequireNoCalls(t, mark)
}
