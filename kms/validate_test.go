package kms_test

import (
	"errors"
	"strings"
	"testing"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/kms"
)

func TestEnsureKeyRejectsInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := apiFor(b)
	tags50 := map[string]string{}
	for i := range 50 {
		tags50[strings.Repeat("k", i+1)] = "v"
	}
	grant := func(g kms.Grant) func(*kms.Spec) {
		return func(s *kms.Spec) { s.Policy.Grants = append(s.Policy.Grants, g) }
	}
	cases := []struct {
		name  string
		mod   func(*kms.Spec)
		api   *kms.API
		field string
		rule  string
	}{
		{"alias empty", func(s *kms.Spec) { s.Alias = "" }, nil, "spec.Alias", "required"},
		{"alias without prefix", func(s *kms.Spec) { s.Alias = "prod-main" }, nil, "spec.Alias", `start with "alias/"`},
		{"alias prefix only", func(s *kms.Spec) { s.Alias = "alias/" }, nil, "spec.Alias", `start with "alias/"`},
		{"alias reserved for AWS", func(s *kms.Spec) { s.Alias = "alias/aws/ebs" }, nil, "spec.Alias", "alias/aws/"},
		{"alias bad character", func(s *kms.Spec) { s.Alias = "alias/prod.main" }, nil, "spec.Alias", "only letters"},
		{"alias too long", func(s *kms.Spec) { s.Alias = "alias/" + strings.Repeat("a", 251) }, nil, "spec.Alias", "256"},
		{"description too long", func(s *kms.Spec) { s.Description = strings.Repeat("d", 8193) }, nil, "spec.Description", "8192"},
		{"rotation period too short", func(s *kms.Spec) { s.RotationPeriodInDays = 89 }, nil, "spec.RotationPeriodInDays", "90 to 2560"},
		{"rotation period too long", func(s *kms.Spec) { s.RotationPeriodInDays = 2561 }, nil, "spec.RotationPeriodInDays", "90 to 2560"},
		{"rotation period with rotation off", func(s *kms.Spec) { s.RotationPeriodInDays, s.DisableRotation = 180, true }, nil, "spec.RotationPeriodInDays", "DisableRotation"},
		{"rotation period on an asymmetric key", func(s *kms.Spec) { s.KeySpec, s.RotationPeriodInDays = kmstypes.KeySpecRsa2048, 365 }, nil, "spec.RotationPeriodInDays", "only for symmetric"},
		{"unknown key spec", func(s *kms.Spec) { s.KeySpec = "AES_256" }, nil, "spec.KeySpec", "not a KMS key spec"},
		{"usage incompatible with spec", func(s *kms.Spec) { s.KeyUsage = kmstypes.KeyUsageTypeSignVerify }, nil, "spec.KeyUsage", "not a usage of SYMMETRIC_DEFAULT"},
		{"HMAC key for encryption", func(s *kms.Spec) {
			s.KeySpec, s.KeyUsage = kmstypes.KeySpecHmac256, kmstypes.KeyUsageTypeEncryptDecrypt
		}, nil, "spec.KeyUsage", "GENERATE_VERIFY_MAC"},
		{"account missing", func(s *kms.Spec) { s.Policy.AccountID = "" }, nil, "spec.Policy.AccountID", "required"},
		{"account malformed", func(s *kms.Spec) { s.Policy.AccountID = "12345" }, nil, "spec.Policy.AccountID", "12 digits"},
		{"partition malformed", func(s *kms.Spec) { s.Policy.Partition = "amazon" }, nil, "spec.Policy.Partition", "partition"},
		{"administrator not an ARN", func(s *kms.Spec) { s.Policy.Administrators = []kms.Principal{kms.AWS("admin")} }, nil, "spec.Policy.Administrators[0]", "12-digit account ID or the ARN"},
		{"user is a group ARN", func(s *kms.Spec) {
			s.Policy.Users = []kms.Principal{kms.AWS("arn:aws:iam::123456789012:group/devs")}
		}, nil, "spec.Policy.Users[0]", "ARN of an account root, IAM role or user"},
		{"user in another partition", func(s *kms.Spec) {
			s.Policy.Users = []kms.Principal{kms.AWS("arn:aws-cn:iam::123456789012:role/app")}
		}, nil, "spec.Policy.Users[0]", `partition "aws"`},
		{"user is a service", func(s *kms.Spec) { s.Policy.Users = []kms.Principal{kms.Service("ec2.amazonaws.com")} }, nil, "spec.Policy.Users[0]", "Grant"},
		{"zero principal", func(s *kms.Spec) { s.Policy.Users = []kms.Principal{{}} }, nil, "spec.Policy.Users[0]", "built with"},
		{"unknown service-linked role", func(s *kms.Spec) {
			s.Policy.Users = []kms.Principal{kms.ServiceLinkedRole("foo.amazonaws.com")}
		}, nil, "spec.Policy.Users[0].AWSServiceName", "not a service whose service-linked role name is known"},
		{"suffix not allowed", func(s *kms.Spec) {
			s.Policy.Users = []kms.Principal{kms.ServiceLinkedRole("eks.amazonaws.com").WithSuffix("x")}
		}, nil, "spec.Policy.Users[0].CustomSuffix", "does not accept a custom suffix"},
		{"service principal malformed", grant(kms.Grant{Sid: "S", Principals: []kms.Principal{kms.Service("eks")}, Actions: []string{"kms:Decrypt"}}),
			nil, "spec.Policy.Grants[2].Principals[0]", "service principal"},
		{"grant without sid", grant(kms.Grant{Principals: []kms.Principal{kms.Service("eks.amazonaws.com")}, Actions: []string{"kms:Decrypt"}}),
			nil, "spec.Policy.Grants[2].Sid", "required"},
		{"grant with a standard sid", grant(kms.Grant{Sid: kms.SidKeyUsers, Principals: []kms.Principal{kms.Service("eks.amazonaws.com")}, Actions: []string{"kms:Decrypt"}}),
			nil, "spec.Policy.Grants[2].Sid", "standard statements"},
		{"grant sid duplicated", grant(kms.Grant{Sid: "Allow EKS", Principals: []kms.Principal{kms.Service("eks.amazonaws.com")}, Actions: []string{"kms:Decrypt"}}),
			nil, "spec.Policy.Grants[2].Sid", "duplicates"},
		{"grant without principals", grant(kms.Grant{Sid: "S", Actions: []string{"kms:Decrypt"}}), nil, "spec.Policy.Grants[2].Principals", "at least one"},
		{"grant with a non-KMS action", grant(kms.Grant{Sid: "S", Principals: []kms.Principal{kms.Service("eks.amazonaws.com")}, Actions: []string{"s3:GetObject"}}),
			nil, "spec.Policy.Grants[2].Actions[0]", "KMS action"},
		{"via service malformed", grant(kms.Grant{Sid: "S", Principals: []kms.Principal{kms.Service("eks.amazonaws.com")}, Actions: []string{"kms:Decrypt"}, ViaServices: []string{"ec2"}}),
			nil, "spec.Policy.Grants[2].ViaServices[0]", "service endpoint"},
		{"extra statement without principal", func(s *kms.Spec) {
			s.Policy.Statements = []foundation.Statement{{Sid: "X", Effect: foundation.EffectAllow, Action: foundation.Actions("kms:Decrypt"), Resource: foundation.Resources("*")}}
		}, nil, "spec.Policy.Statement[3]", "Principal"},
		{"extra statement with a bad effect", func(s *kms.Spec) {
			s.Policy.Statements = []foundation.Statement{{Effect: "Permit", Principal: foundation.AWSPrincipal(account), Action: foundation.Actions("kms:Decrypt"), Resource: foundation.Resources("*")}}
		}, nil, "spec.Policy.Statement[3].Effect", `"Allow" or "Deny"`},
		{"policy too large", func(s *kms.Spec) {
			for i := range 400 {
				s.Policy.Statements = append(s.Policy.Statements, foundation.Statement{Sid: strings.Repeat("s", 10) + strings.Repeat("x", i), Effect: foundation.EffectAllow,
					Principal: foundation.AWSPrincipal(account), Action: foundation.Actions("kms:Decrypt"), Resource: foundation.Resources("*")})
			}
		}, nil, "spec.Policy", "32768"},
		{"tag aws: prefix", func(s *kms.Spec) { s.Tags = map[string]string{"aws:x": "y"} }, nil, `spec.Tags["aws:x"]`, `"aws:"`},
		{"tag reserved key", func(s *kms.Spec) { s.Tags = map[string]string{kms.AliasTagKey: "alias/x"} }, nil, `spec.Tags["foundation:alias"]`, "reserved"},
		{"tag value too long", func(s *kms.Spec) { s.Tags = map[string]string{"env": strings.Repeat("v", 257)} }, nil, `spec.Tags["env"]`, "256"},
		{"tag bad character", func(s *kms.Spec) { s.Tags = map[string]string{"env": "a*b"} }, nil, `spec.Tags["env"]`, "may contain only"},
		{"too many tags", func(s *kms.Spec) { s.Tags = tags50 }, nil, "spec.Tags", "at most 48"},
		{"nil KMS client", func(s *kms.Spec) {}, &kms.API{IAM: api.IAM}, "api.KMS", "nil"},
		{"nil IAM client with a service-linked role", func(s *kms.Spec) {}, &kms.API{KMS: api.KMS}, "api.IAM", "service-linked roles"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := seedSpec(account, "prod", "us-east-1")
			tc.mod(&spec)
			a := api
			if tc.api != nil {
				a = *tc.api
			}
			mark := b.Mark()
			for _, dry := range []bool{false, true} {
				got, err := kms.EnsureKey(t.Context(), a, spec, foundation.WithDryRun(dry))
				if !errors.Is(err, foundation.ErrInvalidSpec) || got != nil {
					t.Fatalf("dry=%v: err = %v, want ErrInvalidSpec", dry, err)
				}
				if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("dry=%v: error %q does not name %q and %q", dry, err, tc.field, tc.rule)
				}
				var se *foundation.SpecError
				if !errors.As(err, &se) || se.Package != "kms" {
					t.Errorf("not a kms *foundation.SpecError: %#v", err)
				}
			}
			b.RequireNoCalls(t, mark)
			if tc.api == nil && spec.Validate() == nil {
				t.Error("Spec.Validate accepts what EnsureKey refuses")
			}
		})
	}
	t.Logf("%d invalid specs", len(cases))
}

func TestValidSpecsPassValidation(t *testing.T) {
	for _, s := range []kms.Spec{
		seedSpec(account, "prod", "us-east-1"),
		{Alias: "alias/a", Policy: kms.KeyPolicy{AccountID: account}},
		{Alias: "alias/sign/" + strings.Repeat("x", 240), KeySpec: kmstypes.KeySpecEccNistP256, Policy: kms.KeyPolicy{AccountID: account}},
		{Alias: "alias/mac_1", KeySpec: kmstypes.KeySpecHmac512, Policy: kms.KeyPolicy{AccountID: account}, DisableRotation: true},
		{Alias: "alias/rsa", KeySpec: kmstypes.KeySpecRsa4096, KeyUsage: kmstypes.KeyUsageTypeSignVerify, Policy: kms.KeyPolicy{AccountID: account}},
		{Alias: "alias/r", RotationPeriodInDays: 90, Description: strings.Repeat("é", 8192),
			Policy: kms.KeyPolicy{AccountID: account, Partition: "aws-cn", Users: []kms.Principal{kms.AWS(account), kms.AWS("arn:aws-cn:sts::123456789012:assumed-role/r/s"),
				kms.ServiceLinkedRole("sso.amazonaws.com")}, Administrators: []kms.Principal{kms.AWS("arn:aws-cn:iam::123456789012:user/path/admin")}},
			Tags: map[string]string{"a b": "c:d/e=f+g-h@i_j.k"}},
		{Alias: "alias/x", RotationPeriodInDays: 2560, Policy: kms.KeyPolicy{AccountID: account,
			Users: []kms.Principal{kms.ServiceLinkedRole("ecs.amazonaws.com").WithSuffix("")}}},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", s.Alias, err)
		}
	}
}

func TestEnsureKeyReportsEveryFault(t *testing.T) {
	b := awstest.New(t)
	mark := b.Mark()
	_, err := kms.EnsureKey(t.Context(), kms.API{}, kms.Spec{Alias: "x", RotationPeriodInDays: 1, Policy: kms.KeyPolicy{AccountID: "x"}})
	for _, f := range []string{"spec.Alias", "spec.RotationPeriodInDays", "spec.Policy.AccountID", "api.KMS"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error does not name %s: %v", f, err)
		}
	}
	b.RequireNoCalls(t, mark)
}
