package ecr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
)

func TestSeedPoliciesAreReproducedExactly(t *testing.T) {
	spec := seedSpec("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	lc, err := spec.Lifecycle.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if lc != seedLifecycleJSON {
		t.Errorf("lifecycle\n got %s\nwant %s", lc, seedLifecycleJSON)
	}
	doc, err := spec.Policy.Document()
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.MustJSON(); got != seedPolicyJSON {
		t.Errorf("policy\n got %s\nwant %s", got, seedPolicyJSON)
	}
	if err := spec.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLifecycleRules(t *testing.T) {
	p := ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{
		ecr.ExpireTaggedAfter(1, 90, "pr-", "feature-"),
		{Priority: 5, TagStatus: ecr.TagStatusTagged, TagPatterns: []string{"v*.*.*-rc*"}, CountType: ecr.CountDaysSincePulled, CountNumber: 30},
		ecr.ExpireUntaggedAfter(2, 7),
		ecr.KeepLast(10, 500),
	}}
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"description":"Delete tagged images after 90 days"`, `"tagPatternList":["v*.*.*-rc*"]`,
		`"countType":"sinceImagePulled","countUnit":"days","countNumber":30`, `"tagStatus":"any","countType":"imageCountMoreThan","countNumber":500`} {
		if !strings.Contains(js, want) {
			t.Errorf("%s does not contain %s", js, want)
		}
	}

	for _, tc := range []struct {
		name  string
		rules []ecr.LifecycleRule
		field string
		rule  string
	}{
		{"no rules", nil, "policy.Rules", "at least one"},
		{"priority zero", []ecr.LifecycleRule{ecr.ExpireUntaggedAfter(0, 1)}, "policy.Rules[0].Priority", "positive"},
		{"priority duplicated", []ecr.LifecycleRule{ecr.KeepLastTagged(1, 3, "v"), ecr.ExpireUntaggedAfter(1, 1)}, "policy.Rules[1].Priority", "unique"},
		{"any rule not last", []ecr.LifecycleRule{ecr.KeepLast(1, 100), ecr.ExpireUntaggedAfter(2, 1)}, "policy.Rules[0].Priority", "highest priority"},
		{"two any rules", []ecr.LifecycleRule{ecr.KeepLast(1, 100), ecr.KeepLast(2, 50)}, "policy.Rules[1].TagStatus", "only one rule"},
		{"tagged without prefixes", []ecr.LifecycleRule{ecr.KeepLastTagged(1, 3)}, "policy.Rules[0]", "exactly one of TagPrefixes and TagPatterns"},
		{"untagged with prefixes", []ecr.LifecycleRule{{Priority: 1, TagStatus: ecr.TagStatusUntagged, TagPrefixes: []string{"x"}, CountType: ecr.CountImagesMoreThan, CountNumber: 1}},
			"policy.Rules[0]", "tagged images only"},
		{"bad prefix", []ecr.LifecycleRule{ecr.KeepLastTagged(1, 3, "sha:")}, "policy.Rules[0].TagPrefixes[0]", "letters, digits"},
		{"too many wildcards", []ecr.LifecycleRule{{Priority: 1, TagStatus: ecr.TagStatusTagged, TagPatterns: []string{"*a*b*c*d*"}, CountType: ecr.CountImagesMoreThan, CountNumber: 1}},
			"policy.Rules[0].TagPatterns[0]", "at most 4"},
		{"count zero", []ecr.LifecycleRule{ecr.KeepLastTagged(1, 0, "sha-")}, "policy.Rules[0].CountNumber", "at least 1"},
		{"bad tag status", []ecr.LifecycleRule{{Priority: 1, TagStatus: "all", CountType: ecr.CountImagesMoreThan, CountNumber: 1}}, "policy.Rules[0].TagStatus", `"tagged"`},
		{"bad count type", []ecr.LifecycleRule{{Priority: 1, TagStatus: ecr.TagStatusUntagged, CountType: "sinceImageBuilt", CountNumber: 1}}, "policy.Rules[0].CountType", "imageCountMoreThan"},
	} {
		_, err := ecr.LifecyclePolicy{Rules: tc.rules}.JSON()
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestRepositoryPolicyBuilder(t *testing.T) {
	p := ecr.RepositoryPolicy{
		PullOrganizationID: "o-a1b2c3d4e5",
		PushRoleARNs:       []string{"arn:aws:iam::123456789012:role/myapp-github-ci"},
		Statements: []foundation.Statement{{Sid: "LambdaPull", Effect: foundation.EffectAllow,
			Principal: foundation.ServicePrincipal("lambda.amazonaws.com"), Action: foundation.Actions("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")}},
	}
	doc, err := p.Document()
	if err != nil {
		t.Fatal(err)
	}
	org, ok := doc.StatementBySid(ecr.SidOrganizationPull)
	if !ok || !org.Principal.Wildcard || org.Condition["StringEquals"]["aws:PrincipalOrgID"][0] != "o-a1b2c3d4e5" {
		t.Errorf("org statement: %+v", org)
	}
	push, ok := doc.StatementBySid(ecr.SidPush)
	if !ok || len(push.Action) != len(ecr.PushActions) || push.Principal.AWS[0] != "arn:aws:iam::123456789012:role/myapp-github-ci" {
		t.Errorf("push statement: %+v", push)
	}
	if _, ok := doc.StatementBySid("LambdaPull"); !ok || len(doc.Statement) != 3 {
		t.Errorf("statements: %s", doc.MustJSON())
	}
}
