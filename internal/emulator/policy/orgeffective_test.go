package policy_test

import (
	"strings"
	"testing"

	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

func TestEffectiveManagementPolicy(t *testing.T) {
	for _, c := range []struct {
		name   string
		levels [][]string
		want   string
	}{
		{"none", [][]string{{}, {}}, ""},
		{"assign at the root", [][]string{{`{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`}}, `{"services":{"default":{"opt_out_policy":"optOut"}}}`},
		{"a child assigns over its parent", [][]string{
			{`{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`},
			{`{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`}}, `{"services":{"default":{"opt_out_policy":"optIn"}}}`},
		{"@@none locks the value and forbids new keys below", [][]string{
			{`{"services":{"default":{"opt_out_policy":{"@@assign":"optOut","@@operators_allowed_for_child_policies":["@@none"]}}}}`},
			{`{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`}}, `{"services":{"default":{"opt_out_policy":"optOut"}}}`},
		{"only @@append allowed: assign ignored, append kept", [][]string{
			{`{"plans":{"p":{"regions":{"@@assign":["eu-west-1"],"@@operators_allowed_for_child_policies":["@@append"]}}}}`},
			{`{"plans":{"p":{"regions":{"@@assign":["us-east-1"]}}}}`, `{"plans":{"p":{"regions":{"@@append":["eu-central-1"]}}}}`}},
			`{"plans":{"p":{"regions":["eu-west-1","eu-central-1"]}}}`},
		{"append and remove along the path", [][]string{
			{`{"tags":{"cc":{"tag_value":{"@@assign":["1","2"]}}}}`},
			{`{"tags":{"cc":{"tag_value":{"@@append":["3","1"]}}}}`},
			{`{"tags":{"cc":{"tag_value":{"@@remove":["2"]}}}}`}}, `{"tags":{"cc":{"tag_value":["1","3"]}}}`},
		{"a restriction binds the levels below, not its own", [][]string{
			{`{"tags":{"cc":{"tag_key":{"@@assign":"CC","@@operators_allowed_for_child_policies":["@@none"]}}}}`, `{"tags":{"cc":{"tag_key":{"@@assign":"Cc"}}}}`},
			{`{"tags":{"cc":{"tag_key":{"@@assign":"cc"}}}}`}}, `{"tags":{"cc":{"tag_key":"Cc"}}}`},
	} {
		got, ok := policy.EffectiveManagementPolicy(c.levels)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: got %s (%v), want %s", c.name, got, ok, c.want)
		}
	}
}

func TestCheckOrganizationPolicy(t *testing.T) {
	for _, c := range []struct{ typ, content, problem string }{
		{"SERVICE_CONTROL_POLICY", `{"Statement":{"Effect":"Allow","Action":"s3:Get*Object","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`, ""},
		{"SERVICE_CONTROL_POLICY", `{"Statement":[{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, `Statement[1]: duplicate Sid "A"`},
		{"RESOURCE_CONTROL_POLICY", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s*:*","Resource":"*"}}`, "resource control policies support only"},
		{"TAG_POLICY", `{"tags":{"a":{"tag_key":{"@@assign":"A"}}},"x":{}}`, `unknown top-level key "x"`},
		{"INSPECTOR_POLICY", `{"anything":{"x":{"@@assign":"y"}}}`, ""},
		{"GUARDDUTY_POLICY", `{"guardduty":{"x":"y"}}`, "guardduty.x: a value must be set with an inheritance operator"},
		{"BACKUP_POLICY", `{"plans":{}} {}`, "more than one JSON value"},
	} {
		if got := policy.CheckOrganizationPolicy(c.typ, c.content); (c.problem == "") != (got == "") || c.problem != "" && !strings.Contains(got, c.problem) {
			t.Errorf("%s %s: %q, want %q", c.typ, c.content, got, c.problem)
		}
	}
}
