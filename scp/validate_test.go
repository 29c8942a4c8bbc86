package scp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

func TestEnsurePolicyRejectsInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := b.Organizations()
	ctx := awstest.Context(t, 30e9)
	good := scp.MustBuild(scp.DenyRootUser(scp.RootUserOptions{}))
	tags50 := map[string]string{}
	for i := range 50 {
		tags50[fmt.Sprintf("k%02d", i)] = "v"
	}
	cases := []struct {
		name  string
		mod   func(*scp.PolicySpec)
		field string
		rule  string
	}{
		{"name empty", func(s *scp.PolicySpec) { s.Name = "" }, "spec.Name", "required"},
		{"name too long", func(s *scp.PolicySpec) { s.Name = strings.Repeat("n", 129) }, "spec.Name", "at most 128"},
		{"name not ASCII", func(s *scp.PolicySpec) { s.Name = "garde-fou-prod-é" }, "spec.Name", "printable ASCII"},
		{"name of the AWS managed policy", func(s *scp.PolicySpec) { s.Name = "FullAWSAccess" }, "spec.Name", "AWS managed"},
		{"description too long", func(s *scp.PolicySpec) { s.Description = strings.Repeat("d", 513) }, "spec.Description", "at most 512"},
		{"no document", func(s *scp.PolicySpec) { s.Document = nil }, "spec.Document", "required"},
		{"document and content", func(s *scp.PolicySpec) { s.Content = good.MustJSON() }, "spec.Content", "one of them"},
		{"malformed content", func(s *scp.PolicySpec) {
			s.Document, s.Content = nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",}]}`
		}, "spec.Content", "not a valid policy document"},
		{"content with unknown key", func(s *scp.PolicySpec) {
			s.Document, s.Content = nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condtion":{}}]}`
		}, "spec.Content", `unknown key "Condtion"`},
		{"structurally invalid", func(s *scp.PolicySpec) {
			s.Document = foundation.NewPolicy(foundation.Statement{Effect: "Block", Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
		}, "spec.Document", "Effect"},
		{"principal", func(s *scp.PolicySpec) {
			s.Document = foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectDeny, Principal: foundation.AWSPrincipal("111122223333"),
				Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
		}, "spec.Document", "Principal: is not supported"},
		{"not principal", func(s *scp.PolicySpec) {
			s.Document = foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectDeny, NotPrincipal: foundation.AnyPrincipal(),
				Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
		}, "spec.Document", "NotPrincipal: is not supported"},
		{"bad action", func(s *scp.PolicySpec) {
			s.Document = foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectDeny, Action: foundation.Actions("DeleteBucket"), Resource: foundation.Resources("*")})
		}, "spec.Document", `"DeleteBucket": must be "*" or "service:action"`},
		{"unknown operator", func(s *scp.PolicySpec) {
			s.Document = foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectDeny, Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*"),
				Condition: foundation.Conditions{"StringNotEqual": {"aws:RequestedRegion": {"eu-west-1"}}}})
		}, "spec.Document", "unknown condition operator"},
		{"too large", func(s *scp.PolicySpec) { s.Document = docOfSize(t, scp.DefaultMaxPolicySize+1) }, "spec.Document", "10241 characters once minified, more than the limit of 10240"},
		{"negative size limit", func(s *scp.PolicySpec) { s.Limits.MaxPolicySize = -1 }, "spec.Limits.MaxPolicySize", "positive"},
		{"tag aws: prefix", func(s *scp.PolicySpec) { s.Tags = map[string]string{"aws:team": "x"} }, `spec.Tags["aws:team"]`, `"aws:"`},
		{"tag empty key", func(s *scp.PolicySpec) { s.Tags = map[string]string{"": "x"} }, `spec.Tags[""]`, "empty"},
		{"tag value too long", func(s *scp.PolicySpec) { s.Tags = map[string]string{"team": strings.Repeat("v", 257)} }, `spec.Tags["team"]`, "256"},
		{"tag bad character", func(s *scp.PolicySpec) { s.Tags = map[string]string{"team": "a*b"} }, `spec.Tags["team"]`, "may contain only"},
		{"marker tag overridden", func(s *scp.PolicySpec) { s.Tags = map[string]string{scp.ManagedByTagKey: "terraform"} }, `spec.Tags["managed-by"]`, "marker"},
		{"marker tag with adopt", func(s *scp.PolicySpec) {
			s.Adopt, s.Tags = true, map[string]string{scp.ManagedByTagKey: scp.ManagedByTagValue}
		}, `spec.Tags["managed-by"]`, "left out when spec.Adopt is set"},
		{"too many tags", func(s *scp.PolicySpec) { s.Tags = tags50 }, "spec.Tags", "at most 49"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := scp.PolicySpec{Name: "guardrails", Document: good}
			c.mod(&spec)
			mark := b.Mark()
			_, err := scp.EnsurePolicy(ctx, api, spec)
			b.RequireNoCalls(t, mark)
			if !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Fatalf("err = %v, want ErrInvalidSpec", err)
			}
			if !strings.Contains(err.Error(), "scp: "+c.field+":") || !strings.Contains(err.Error(), c.rule) {
				t.Fatalf("err = %v\nwant field %q and rule %q", err, c.field, c.rule)
			}
			if err2 := spec.Validate(); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("Validate = %v", err2)
			}
		})
	}

	t.Run("every fault is listed", func(t *testing.T) {
		mark := b.Mark()
		_, err := scp.EnsurePolicy(ctx, nil, scp.PolicySpec{Description: strings.Repeat("d", 600), Tags: map[string]string{"aws:x": ""}})
		b.RequireNoCalls(t, mark)
		for _, want := range []string{"spec.Name", "spec.Description", "spec.Document", "spec.Tags", "scp: api: must not be nil"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("missing %q in %v", want, err)
			}
		}
	})
}

func TestEnsureAttachmentsRejectsInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := b.Organizations()
	ctx := awstest.Context(t, 30e9)
	cases := []struct {
		name  string
		spec  scp.AttachmentSpec
		field string
		rule  string
	}{
		{"no target", scp.AttachmentSpec{Policies: []string{"a"}}, "spec.TargetID", "required"},
		{"bad target", scp.AttachmentSpec{TargetID: "Production", Policies: []string{"a"}}, "spec.TargetID", "root ID"},
		{"short account", scp.AttachmentSpec{TargetID: "12345678901", Policies: []string{"a"}}, "spec.TargetID", "12-digit"},
		{"bad OU", scp.AttachmentSpec{TargetID: "ou-ab12", Policies: []string{"a"}}, "spec.TargetID", "OU ID"},
		{"bad policy ID", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{"p-12"}}, "spec.Policies[0]", "policy ID"},
		{"duplicate", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{"a", "b", "a"}}, "spec.Policies[2]", "duplicates spec.Policies[0]"},
		{"policy name too long", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{strings.Repeat("x", 129)}}, "spec.Policies[0]", "128"},
		{"too many with FullAWSAccess", scp.AttachmentSpec{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i j", " ")},
			"spec.Policies", "10 policies plus FullAWSAccess, which is kept, exceed the limit of 10"},
		{"too many without FullAWSAccess", scp.AttachmentSpec{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i j k", " "), DetachFullAWSAccess: true},
			"spec.Policies", "11 policies exceed the limit of 10"},
		{"too many at the legacy limits", scp.AttachmentSpec{TargetID: "111122223333", Policies: []string{"a", "b", "c", "d", "e"}, Limits: scp.LegacyLimits},
			"spec.Policies", "5 policies plus FullAWSAccess, which is kept, exceed the limit of 5"},
		{"lower limit", scp.AttachmentSpec{TargetID: "111122223333", Policies: []string{"a", "b"}, Limits: scp.Limits{MaxPoliciesPerTarget: 2}},
			"spec.Policies", "limit of 2"},
		{"zero SCPs", scp.AttachmentSpec{TargetID: "ou-ab12-cdefgh34", DetachFullAWSAccess: true}, "spec.Policies", "at least one SCP"},
		{"FullAWSAccess listed and detached", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{"FullAWSAccess"}, DetachFullAWSAccess: true},
			"spec.DetachFullAWSAccess", "must be false"},
		{"FullAWSAccess twice", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{"FullAWSAccess", "p-FullAWSAccess"}}, "spec.Policies[1]", "twice"},
		{"negative limit", scp.AttachmentSpec{TargetID: "r-ab12", Policies: []string{"a"}, Limits: scp.Limits{MaxPoliciesPerTarget: -5}}, "spec.Limits.MaxPoliciesPerTarget", "positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark := b.Mark()
			_, err := scp.EnsureAttachments(ctx, api, c.spec)
			b.RequireNoCalls(t, mark)
			if !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Fatalf("err = %v, want ErrInvalidSpec", err)
			}
			if !strings.Contains(err.Error(), "scp: "+c.field+":") || !strings.Contains(err.Error(), c.rule) {
				t.Fatalf("err = %v\nwant field %q and rule %q", err, c.field, c.rule)
			}
		})
	}
	// Within the limit: 9 + FullAWSAccess, or 10 with FullAWSAccess listed.
	for _, ok := range []scp.AttachmentSpec{
		{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i", " ")},
		{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i FullAWSAccess", " ")},
		{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i j", " "), DetachFullAWSAccess: true},
		{TargetID: "111122223333", Policies: strings.Split("a b c d e f g h i j", " "), Limits: scp.Limits{MaxPoliciesPerTarget: 11}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%v: %v", ok.Policies, err)
		}
	}
}
