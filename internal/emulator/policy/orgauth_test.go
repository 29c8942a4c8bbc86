package policy_test

import (
	"testing"

	"github.com/awsfoundation/foundation/internal/emulator/policy"
)

func mustParseOrg(t *testing.T, s string, kind policy.Kind) *policy.Doc {
	t.Helper()
	d, err := policy.Parse(s, kind)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return d
}

const orgFullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestAuthorizeOrgConditionOperators(t *testing.T) {
	type ctx = map[string][]string
	cases := []struct {
		cond   string
		ctx    ctx
		denied bool
	}{
		{`{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}`, ctx{"aws:requestedregion": {"us-east-1"}}, true},
		{`{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}`, ctx{"aws:requestedregion": {"eu-west-1"}}, false},
		{`{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}`, nil, true},
		{`{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`, nil, false},
		{`{"StringEqualsIfExists":{"k:a":"x"}}`, nil, true},
		{`{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/CI-*"}}`, ctx{"aws:principalarn": {"arn:aws:iam::1:role/CI-deploy"}}, true},
		{`{"ArnNotLike":{"aws:PrincipalARN":"arn:aws:iam::*:role/BreakGlass"}}`, ctx{"aws:principalarn": {"arn:aws:iam::111122223333:role/BreakGlass"}}, false},
		{`{"ArnNotLike":{"aws:PrincipalARN":"arn:aws:iam::*:role/BreakGlass"}}`, ctx{"aws:principalarn": {"arn:aws:iam::111122223333:role/Dev"}}, true},
		{`{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:securetransport": {"false"}}, true},
		{`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true},
		{`{"Null":{"aws:RequestTag/owner":"true"}}`, nil, true},
		{`{"Null":{"aws:RequestTag/owner":"true"}}`, ctx{"aws:requesttag/owner": {"me"}}, false},
		{`{"NumericGreaterThan":{"k:n":"5"}}`, ctx{"k:n": {"6"}}, true},
		{`{"NumericLessThanEquals":{"k:n":5}}`, ctx{"k:n": {"6"}}, false},
		{`{"NumericNotEquals":{"k:n":"5"}}`, nil, true},
		{`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:currenttime": {"2026-12-03T00:00:00Z"}}, true},
		{`{"DateLessThan":{"aws:EpochTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:epochtime": {"1767225599"}}, true},
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{"aws:sourceip": {"10.1.2.3"}}, true},
		{`{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.1"]}}`, ctx{"aws:sourceip": {"192.0.2.1"}}, false},
		{`{"BinaryEquals":{"k:b":"QUJD"}}`, ctx{"k:b": {"QUJD"}}, true},
		{`{"ForAnyValue:StringEquals":{"aws:TagKeys":"secret"}}`, ctx{"aws:tagkeys": {"a", "secret"}}, true},
		{`{"ForAnyValue:StringEquals":{"aws:TagKeys":"secret"}}`, nil, false},
		{`{"ForAllValues:StringLike":{"aws:TagKeys":["cost-*","owner"]}}`, ctx{"aws:tagkeys": {"cost-center", "x"}}, false},
		{`{"ForAllValues:StringLike":{"aws:TagKeys":["cost-*","owner"]}}`, nil, true},
		{`{"StringNotEquals":{"k:a":"x"}}`, ctx{"k:a": {"x", "y"}}, false},
		{`{"StringNotEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}`, ctx{"aws:resourceaccount": {"1"}, "aws:principalaccount": {"2"}}, true},
		{`{"StringNotEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}`, ctx{"aws:resourceaccount": {"1"}, "aws:principalaccount": {"1"}}, false},
		{`{"StringEquals":{"k:a":"${aws:PrincipalTag/team, 'none'}"}}`, ctx{"k:a": {"none"}}, true},
		{`{"FutureOperator":{"k:a":"x"}}`, nil, true}, // fails closed
	}
	for _, c := range cases {
		deny := mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":`+c.cond+`}]}`, policy.KindIdentity)
		levels := []policy.OrgLevel{{Target: "r-1", Policies: []policy.OrgPolicy{{ID: "p-FullAWSAccess", Doc: mustParseOrg(t, orgFullAccess, policy.KindIdentity)}, {ID: "p-d", ARN: "arn:p-d", Doc: deny}}}}
		d := policy.AuthorizeOrg(levels, nil, policy.OrgRequest{Action: "s3:GetObject", Context: c.ctx})
		if denied := !d.Allowed; denied != c.denied {
			t.Errorf("%s with %v: denied=%v, want %v", c.cond, c.ctx, denied, c.denied)
		}
		if !d.Allowed && (!d.Explicit || d.Policy.ID != "p-d" || d.Sid != "D" || d.Type != policy.EnforcedSCP) {
			t.Errorf("%s: decided by %+v", c.cond, d)
		}
	}
}

func TestAuthorizeOrgPaths(t *testing.T) {
	full := policy.OrgPolicy{ID: "p-FullAWSAccess", Doc: mustParseOrg(t, orgFullAccess, policy.KindIdentity)}
	allowS3 := policy.OrgPolicy{ID: "p-s3", Doc: mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policy.KindIdentity)}
	path := []policy.OrgLevel{{Target: "r-1", Policies: []policy.OrgPolicy{full}}, {Target: "ou-1", Policies: []policy.OrgPolicy{allowS3}}, {Target: "1", Policies: []policy.OrgPolicy{full}}}
	if d := policy.AuthorizeOrg(path, nil, policy.OrgRequest{Action: "s3:PutObject"}); !d.Allowed {
		t.Fatal(d)
	}
	d := policy.AuthorizeOrg(path, nil, policy.OrgRequest{Action: "kms:Decrypt"})
	if d.Allowed || d.Explicit || d.Level.Target != "ou-1" {
		t.Fatalf("%+v", d)
	}
	// RCPs: Principal "*" and NotResource with a variable.
	rcp := policy.OrgPolicy{ID: "p-r", Doc: mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",
		"NotResource":"arn:aws:s3:::own-${aws:PrincipalAccount}/*"}]}`, policy.KindResource)}
	rfull := policy.OrgPolicy{ID: "p-RCPFullAWSAccess", Doc: mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, policy.KindResource)}
	rpath := []policy.OrgLevel{{Target: "r-1", Policies: []policy.OrgPolicy{rfull, rcp}}}
	req := policy.OrgRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::own-1/k", Context: map[string][]string{"aws:principalaccount": {"1"}}}
	if d := policy.AuthorizeOrg(path, rpath, req); !d.Allowed {
		t.Fatalf("%+v", d)
	}
	req.Context["aws:principalaccount"] = []string{"2"}
	if d := policy.AuthorizeOrg(path, rpath, req); d.Allowed || d.Type != policy.EnforcedRCP {
		t.Fatalf("%+v", d)
	}
	// An explicit SCP deny is reported before an RCP's.
	deny := policy.OrgPolicy{ID: "p-d", Doc: mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, policy.KindIdentity)}
	if d := policy.AuthorizeOrg([]policy.OrgLevel{{Policies: []policy.OrgPolicy{full, deny}}}, rpath, req); d.Type != policy.EnforcedSCP || !d.Explicit {
		t.Fatalf("%+v", d)
	}
}

// BenchmarkAuthorizeOrg is the cost the emulator adds to a member
// account's request under a region guardrail: three levels, FullAWSAccess
// at each, a deny-region SCP at the OU.
func BenchmarkAuthorizeOrg(b *testing.B) {
	t := &testing.T{}
	full := policy.OrgPolicy{ID: "p-FullAWSAccess", Doc: mustParseOrg(t, orgFullAccess, policy.KindIdentity)}
	guard := policy.OrgPolicy{ID: "p-g", Doc: mustParseOrg(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*"],"Resource":"*",
		"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]},"ArnNotLike":{"aws:PrincipalARN":"arn:aws:iam::*:role/BreakGlass"}}}]}`, policy.KindIdentity)}
	path := []policy.OrgLevel{{Policies: []policy.OrgPolicy{full}}, {Policies: []policy.OrgPolicy{full, guard}}, {Policies: []policy.OrgPolicy{full}}}
	req := policy.OrgRequest{Action: "s3:CreateBucket", Context: map[string][]string{"aws:requestedregion": {"us-east-1"}, "aws:principalarn": {"arn:aws:iam::1:role/CI"}}}
	denied := 0
	for b.Loop() {
		if !policy.AuthorizeOrg(path, nil, req).Allowed {
			denied++
		}
	}
	b.ReportMetric(float64(denied)/float64(b.N), "denied/op")
}
