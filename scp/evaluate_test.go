package scp_test

import (
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/scp"
)

// deny returns a document with one Deny statement of action "svc:Act" on
// "*" under cond.
func deny(cond foundation.Conditions) *foundation.PolicyDocument {
	return foundation.NewPolicy(foundation.Statement{Sid: "D", Effect: foundation.EffectDeny,
		Action: foundation.Actions("svc:Act"), Resource: foundation.Resources("*"), Condition: cond})
}

func TestEvaluateConditionOperators(t *testing.T) {
	type kv = map[string][]string
	cases := []struct {
		name   string
		cond   foundation.Conditions
		ctx    kv
		denied bool
	}{
		{"StringEquals match", foundation.Conditions{"StringEquals": {"k:a": {"x", "y"}}}, kv{"k:a": {"y"}}, true},
		{"StringEquals case-sensitive values", foundation.Conditions{"StringEquals": {"k:a": {"x"}}}, kv{"k:a": {"X"}}, false},
		{"StringEquals key case-insensitive", foundation.Conditions{"StringEquals": {"K:A": {"x"}}}, kv{"k:a": {"x"}}, true},
		{"StringEquals missing key", foundation.Conditions{"StringEquals": {"k:a": {"x"}}}, nil, false},
		{"StringEqualsIfExists missing key", foundation.Conditions{"StringEqualsIfExists": {"k:a": {"x"}}}, nil, true},
		{"StringEqualsIfExists present, other", foundation.Conditions{"StringEqualsIfExists": {"k:a": {"x"}}}, kv{"k:a": {"z"}}, false},
		{"StringNotEquals missing key is true", foundation.Conditions{"StringNotEquals": {"k:a": {"x"}}}, nil, true},
		{"StringNotEquals one of", foundation.Conditions{"StringNotEquals": {"k:a": {"x", "y"}}}, kv{"k:a": {"y"}}, false},
		{"StringNotEqualsIfExists missing", foundation.Conditions{"StringNotEqualsIfExists": {"k:a": {"x"}}}, nil, true},
		{"StringEqualsIgnoreCase", foundation.Conditions{"StringEqualsIgnoreCase": {"k:a": {"Prod"}}}, kv{"k:a": {"PROD"}}, true},
		{"StringLike ?", foundation.Conditions{"StringLike": {"k:a": {"ab?d"}}}, kv{"k:a": {"abcd"}}, true},
		{"StringLike *", foundation.Conditions{"StringLike": {"k:a": {"a*d"}}}, kv{"k:a": {"a/b/c/d"}}, true},
		{"StringNotLike", foundation.Conditions{"StringNotLike": {"k:a": {"prod-*"}}}, kv{"k:a": {"dev-1"}}, true},
		{"StringNotLike missing", foundation.Conditions{"StringNotLike": {"k:a": {"prod-*"}}}, nil, true},
		{"ArnLike per segment", foundation.Conditions{"ArnLike": {"aws:PrincipalArn": {"arn:aws:iam::*:role/*"}}},
			kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/path/Admin"}}, true},
		{"ArnLike wildcard does not cross segments", foundation.Conditions{"ArnLike": {"aws:PrincipalArn": {"arn:aws:iam::*"}}},
			kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/Admin"}}, false},
		{"ArnEquals", foundation.Conditions{"ArnEquals": {"aws:SourceArn": {"arn:aws:sns:eu-west-1:111122223333:topic"}}},
			kv{"aws:SourceArn": {"arn:aws:sns:eu-west-1:111122223333:topic"}}, true},
		{"ArnNotLike missing key is true", foundation.Conditions{"ArnNotLike": {"aws:PrincipalARN": {"arn:aws:iam::*:role/A"}}}, nil, true},
		{"ArnNotLike matching", foundation.Conditions{"ArnNotLike": {"aws:PrincipalARN": {"arn:aws:iam::*:role/A"}}},
			kv{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/A"}}, false},
		{"Bool", foundation.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, kv{"aws:SecureTransport": {"false"}}, true},
		{"Bool missing", foundation.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, nil, false},
		{"BoolIfExists missing", foundation.Conditions{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}}, nil, true},
		{"Null true, absent", foundation.Conditions{"Null": {"k:a": {"true"}}}, nil, true},
		{"Null true, present", foundation.Conditions{"Null": {"k:a": {"true"}}}, kv{"k:a": {"v"}}, false},
		{"Null false, present", foundation.Conditions{"Null": {"k:a": {"false"}}}, kv{"k:a": {"v"}}, true},
		{"ForAnyValue one matches", foundation.Conditions{"ForAnyValue:StringEquals": {"k:a": {"x"}}}, kv{"k:a": {"w", "x"}}, true},
		{"ForAnyValue empty", foundation.Conditions{"ForAnyValue:StringEquals": {"k:a": {"x"}}}, nil, false},
		{"ForAllValues subset", foundation.Conditions{"ForAllValues:StringEquals": {"k:a": {"x", "y"}}}, kv{"k:a": {"x", "y"}}, true},
		{"ForAllValues not subset", foundation.Conditions{"ForAllValues:StringEquals": {"k:a": {"x", "y"}}}, kv{"k:a": {"x", "z"}}, false},
		{"ForAllValues empty is true", foundation.Conditions{"ForAllValues:StringEquals": {"k:a": {"x"}}}, nil, true},
		{"ForAnyValue:StringNotEquals", foundation.Conditions{"ForAnyValue:StringNotEquals": {"k:a": {"x"}}}, kv{"k:a": {"x", "z"}}, true},
		{"StringNotEquals multivalued: none may match", foundation.Conditions{"StringNotEquals": {"k:a": {"x"}}}, kv{"k:a": {"x", "z"}}, false},
		{"operators are ANDed", foundation.Conditions{"StringEquals": {"k:a": {"x"}}, "StringLike": {"k:b": {"y*"}}}, kv{"k:a": {"x"}, "k:b": {"no"}}, false},
		{"keys are ANDed", foundation.Conditions{"StringEquals": {"k:a": {"x"}, "k:b": {"y"}}}, kv{"k:a": {"x"}, "k:b": {"y"}}, true},
		{"NumericLessThan", foundation.Conditions{"NumericLessThan": {"s3:max-keys": {"10"}}}, kv{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan equal is not less", foundation.Conditions{"NumericLessThan": {"s3:max-keys": {"10"}}}, kv{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals", foundation.Conditions{"NumericLessThanEquals": {"s3:max-keys": {"10"}}}, kv{"s3:max-keys": {"10.0"}}, true},
		{"NumericGreaterThan", foundation.Conditions{"NumericGreaterThan": {"aws:MultiFactorAuthAge": {"3600"}}}, kv{"aws:MultiFactorAuthAge": {"7200"}}, true},
		{"NumericGreaterThanEquals", foundation.Conditions{"NumericGreaterThanEquals": {"k:n": {"2"}}}, kv{"k:n": {"1"}}, false},
		{"NumericEquals", foundation.Conditions{"NumericEquals": {"k:n": {"2", "3"}}}, kv{"k:n": {"3"}}, true},
		{"NumericNotEquals", foundation.Conditions{"NumericNotEquals": {"k:n": {"2"}}}, kv{"k:n": {"3"}}, true},
		{"NumericNotEquals missing is true", foundation.Conditions{"NumericNotEquals": {"k:n": {"2"}}}, nil, true},
		{"Numeric not a number matches nothing", foundation.Conditions{"NumericEquals": {"k:n": {"2"}}}, kv{"k:n": {"two"}}, false},
		{"NumericLessThanIfExists missing", foundation.Conditions{"NumericLessThanIfExists": {"k:n": {"2"}}}, nil, true},
		{"DateGreaterThan ISO", foundation.Conditions{"DateGreaterThan": {"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}}, kv{"aws:CurrentTime": {"2026-06-01T12:00:00Z"}}, true},
		{"DateLessThan ISO", foundation.Conditions{"DateLessThan": {"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}}, kv{"aws:CurrentTime": {"2026-06-01T12:00:00Z"}}, false},
		{"DateLessThanEquals epoch vs ISO", foundation.Conditions{"DateLessThanEquals": {"aws:EpochTime": {"2026-01-01T00:00:00Z"}}}, kv{"aws:EpochTime": {"1767225600"}}, true},
		{"DateEquals date only", foundation.Conditions{"DateEquals": {"k:d": {"2026-01-01"}}}, kv{"k:d": {"2026-01-01T00:00:00Z"}}, true},
		{"DateNotEquals", foundation.Conditions{"DateNotEquals": {"k:d": {"2026-01-01"}}}, kv{"k:d": {"2026-01-02"}}, true},
		{"DateGreaterThanEquals", foundation.Conditions{"DateGreaterThanEquals": {"k:d": {"2026-01-02"}}}, kv{"k:d": {"2026-01-01"}}, false},
		{"IpAddress CIDR", foundation.Conditions{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, kv{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress outside", foundation.Conditions{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, kv{"aws:SourceIp": {"198.51.100.1"}}, false},
		{"IpAddress single address", foundation.Conditions{"IpAddress": {"aws:SourceIp": {"198.51.100.1"}}}, kv{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"IpAddress IPv6", foundation.Conditions{"IpAddress": {"aws:SourceIp": {"2001:db8::/32"}}}, kv{"aws:SourceIp": {"2001:db8:1::5"}}, true},
		{"NotIpAddress outside", foundation.Conditions{"NotIpAddress": {"aws:SourceIp": {"203.0.113.0/24", "198.51.100.0/24"}}}, kv{"aws:SourceIp": {"192.0.2.1"}}, true},
		{"NotIpAddress inside", foundation.Conditions{"NotIpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, kv{"aws:SourceIp": {"203.0.113.9"}}, false},
		{"NotIpAddress missing is true", foundation.Conditions{"NotIpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, nil, true},
		{"BinaryEquals", foundation.Conditions{"BinaryEquals": {"k:b": {"QmluYXJ5VmFsdWU="}}}, kv{"k:b": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals differs", foundation.Conditions{"BinaryEquals": {"k:b": {"QmluYXJ5VmFsdWU="}}}, kv{"k:b": {"b3RoZXI="}}, false},
		{"ArnNotEquals", foundation.Conditions{"ArnNotEquals": {"aws:SourceArn": {"arn:aws:sns:eu-west-1:111122223333:topic"}}}, kv{"aws:SourceArn": {"arn:aws:sns:eu-west-1:111122223333:other"}}, true},
		{"variable in value", foundation.Conditions{"StringNotEquals": {"aws:ResourceAccount": {"${aws:PrincipalAccount}"}}},
			kv{"aws:ResourceAccount": {"111122223333"}, "aws:PrincipalAccount": {"444455556666"}}, true},
		{"variable in value, same account", foundation.Conditions{"StringNotEquals": {"aws:ResourceAccount": {"${aws:PrincipalAccount}"}}},
			kv{"aws:ResourceAccount": {"111122223333"}, "aws:PrincipalAccount": {"111122223333"}}, false},
		{"variable absent matches nothing", foundation.Conditions{"StringEquals": {"k:a": {"${aws:PrincipalTag/team}"}}}, kv{"k:a": {""}}, false},
		{"variable default", foundation.Conditions{"StringEquals": {"k:a": {"${aws:PrincipalTag/team, 'none'}"}}}, kv{"k:a": {"none"}}, true},
		{"ForAllValues:StringLike tag keys", foundation.Conditions{"ForAllValues:StringLike": {"aws:TagKeys": {"cost-*", "owner"}}}, kv{"aws:TagKeys": {"cost-center", "secret"}}, false},
		{"ForAnyValue:StringLike tag keys", foundation.Conditions{"ForAnyValue:StringLike": {"aws:TagKeys": {"secret*"}}}, kv{"aws:TagKeys": {"cost-center", "secret"}}, true},
		{"ForAnyValue:NumericGreaterThan", foundation.Conditions{"ForAnyValue:NumericGreaterThan": {"k:n": {"5"}}}, kv{"k:n": {"1", "9"}}, true},
		{"ForAllValues:IpAddress", foundation.Conditions{"ForAllValues:IpAddress": {"k:ip": {"10.0.0.0/8"}}}, kv{"k:ip": {"10.1.1.1", "11.0.0.1"}}, false},
		{"Conditions override typed fields", foundation.Conditions{"StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}}, kv{"aws:RequestedRegion": {"eu-west-1"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := scp.CheckDocument(deny(c.cond), scp.Limits{}); err != nil {
				t.Fatalf("test document invalid: %v", err)
			}
			d := scp.Evaluate([]*foundation.PolicyDocument{fullAWSAccess(), deny(c.cond)}, scp.Request{Action: "svc:Act", Region: "us-west-2", Conditions: c.ctx})
			if got := d.Outcome == scp.ExplicitDeny; got != c.denied {
				t.Fatalf("denied = %v, want %v (%s)", got, c.denied, d)
			}
		})
	}
}

func TestEvaluateSemantics(t *testing.T) {
	allowS3 := foundation.NewPolicy(foundation.Statement{Sid: "S3", Effect: foundation.EffectAllow, Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
	denyNotBucket := foundation.NewPolicy(foundation.Statement{Sid: "OnlyBucket", Effect: foundation.EffectDeny, Action: foundation.Actions("s3:*"),
		NotResource: foundation.Resources("arn:aws:s3:::allowed", "arn:aws:s3:::allowed/*")})

	t.Run("no documents allow nothing", func(t *testing.T) {
		if d := scp.Evaluate(nil, scp.Request{Action: "s3:GetObject"}); d.Outcome != scp.ImplicitDeny || d.Allowed() {
			t.Fatal(d)
		}
	})
	t.Run("allow list", func(t *testing.T) {
		docs := []*foundation.PolicyDocument{allowS3}
		if d := scp.Evaluate(docs, scp.Request{Action: "s3:GetObject"}); !d.Allowed() || d.By.Sid != "S3" {
			t.Fatal(d)
		}
		if d := scp.Evaluate(docs, scp.Request{Action: "ec2:RunInstances"}); d.Outcome != scp.ImplicitDeny {
			t.Fatal(d)
		}
	})
	t.Run("NotResource", func(t *testing.T) {
		docs := []*foundation.PolicyDocument{fullAWSAccess(), denyNotBucket}
		if d := scp.Evaluate(docs, scp.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::allowed/key"}); !d.Allowed() {
			t.Fatal(d)
		}
		if d := scp.Evaluate(docs, scp.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/key"}); d.Outcome != scp.ExplicitDeny {
			t.Fatal(d)
		}
		// An unknown resource is not one of the exempted ones.
		if d := scp.Evaluate(docs, scp.Request{Action: "s3:GetObject"}); d.Outcome != scp.ExplicitDeny {
			t.Fatal(d)
		}
	})
	t.Run("deny wins over allow in any document", func(t *testing.T) {
		docs := []*foundation.PolicyDocument{deny(nil), fullAWSAccess()}
		d := scp.Evaluate(docs, scp.Request{Action: "svc:Act"})
		if d.Outcome != scp.ExplicitDeny || d.By.Policy != 0 || d.String() != "ExplicitDeny by policy 0 statement 0 (D)" {
			t.Fatal(d)
		}
	})
	t.Run("unsupported operators fail closed", func(t *testing.T) {
		cond := foundation.Conditions{"StringFutureOperator": {"s3:max-keys": {"10"}}}
		d := scp.Evaluate([]*foundation.PolicyDocument{fullAWSAccess(), deny(cond)}, scp.Request{Action: "svc:Act"})
		if d.Outcome != scp.ExplicitDeny || len(d.Unsupported) != 1 {
			t.Fatalf("deny: %+v", d)
		}
		allow := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions("*"), Resource: foundation.Resources("*"), Condition: cond})
		d = scp.Evaluate([]*foundation.PolicyDocument{allow}, scp.Request{Action: "svc:Act"})
		if d.Outcome != scp.ImplicitDeny || len(d.Unsupported) != 1 {
			t.Fatalf("allow: %+v", d)
		}
		// A supported condition that is not met still keeps the Deny off.
		cond["StringEquals"] = map[string]foundation.StringList{"k:a": {"x"}}
		d = scp.Evaluate([]*foundation.PolicyDocument{fullAWSAccess(), deny(cond)}, scp.Request{Action: "svc:Act"})
		if d.Outcome != scp.Allow {
			t.Fatalf("deny with unmet condition: %+v", d)
		}
	})
	t.Run("path: every level must allow", func(t *testing.T) {
		root := []*foundation.PolicyDocument{fullAWSAccess()}
		ou := []*foundation.PolicyDocument{allowS3} // FullAWSAccess detached: an allow list
		account := []*foundation.PolicyDocument{fullAWSAccess(), denyNotBucket}
		levels := [][]*foundation.PolicyDocument{root, ou, account}
		if d := scp.EvaluatePath(levels, scp.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::allowed/k"}); !d.Allowed() {
			t.Fatal(d)
		}
		d := scp.EvaluatePath(levels, scp.Request{Action: "ec2:RunInstances"})
		if d.Outcome != scp.ImplicitDeny {
			t.Fatal(d)
		}
		d = scp.EvaluatePath(levels, scp.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"})
		if d.Outcome != scp.ExplicitDeny || d.By.Level != 2 {
			t.Fatal(d)
		}
		if d := scp.EvaluatePath(nil, scp.Request{Action: "s3:GetObject"}); d.Allowed() {
			t.Fatal(d)
		}
	})
}
