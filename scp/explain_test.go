package scp_test

import (
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/scp"
)

// The cases of AWS's documentation of SCP and RCP evaluation, as table
// tests. Sources:
//
//	[scp-eval] https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
//	           ("How SCPs work with Allow", "How SCPs work with Deny", "Strategies for using SCPs")
//	[rcp-eval] https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
//	[rcp-ex]   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
//	           (identity perimeter and secure-transport examples)

func evalAllowOf(sid string, actions ...string) *foundation.PolicyDocument {
	return foundation.NewPolicy(foundation.Statement{Sid: sid, Effect: foundation.EffectAllow, Action: foundation.Actions(actions...), Resource: foundation.Resources("*")})
}

func evalDenyOf(sid string, actions ...string) *foundation.PolicyDocument {
	return foundation.NewPolicy(foundation.Statement{Sid: sid, Effect: foundation.EffectDeny, Action: foundation.Actions(actions...), Resource: foundation.Resources("*")})
}

func evalLevel(target, name string, docs ...*foundation.PolicyDocument) scp.Level {
	l := scp.Level{Target: target, Name: name}
	for i, d := range docs {
		id := "p-" + strings.ToLower(name) + string(rune('0'+i))
		nm := id
		if len(d.Statement) == 1 && d.Statement[0].Sid == "" && len(d.Statement[0].Action) == 1 && d.Statement[0].Action[0] == "*" {
			id, nm = "p-FullAWSAccess", "FullAWSAccess"
		}
		l.Policies = append(l.Policies, scp.LevelPolicy{ID: id, Name: nm, Document: d})
	}
	return l
}

func TestEvaluateAWSDocumentedSCPExamples(t *testing.T) {
	full := fullAWSAccess
	cases := []struct {
		source string
		path   []scp.Level
		action string
		want   scp.Outcome
		level  string // the level that decided a deny
	}{
		// [scp-eval] How SCPs work with Allow, figure 1: an Allow at the
		// root, the Production OU and account B: allowed in account B.
		{"scp-eval fig.1", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", full()), evalLevel("111111111111", "B", full())},
			"s3:GetObject", scp.Allow, ""},
		// Figure 2: the Allow is missing at the Production OU: denied in
		// account B, though the root and the account allow it.
		{"scp-eval fig.2", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production"), evalLevel("111111111111", "B", full())},
			"s3:GetObject", scp.ImplicitDeny, "ou-prod"},
		// How SCPs work with Deny, figure 3: a Deny of S3 attached to the
		// Production OU denies S3 in account B, whatever B allows.
		{"scp-eval fig.3 S3", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", full(), evalDenyOf("DenyS3", "s3:*")), evalLevel("111111111111", "B", full())},
			"s3:PutObject", scp.ExplicitDeny, "ou-prod"},
		{"scp-eval fig.3 EC2", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", full(), evalDenyOf("DenyS3", "s3:*")), evalLevel("111111111111", "B", full())},
			"ec2:RunInstances", scp.Allow, ""},
		// A Deny at the root applies to every account below it.
		{"scp-eval deny at root", []scp.Level{evalLevel("r-root", "Root", full(), evalDenyOf("DenyLeave", "organizations:LeaveOrganization")), evalLevel("ou-prod", "Production", full()), evalLevel("111111111111", "B", full())},
			"organizations:LeaveOrganization", scp.ExplicitDeny, "r-root"},
		// Strategies: allow list. FullAWSAccess replaced at the OU by an
		// Allow of EC2 and S3, and at the account by EC2 only: the account
		// can use EC2, not S3 (allowed at the OU, not at the account),
		// not IAM (allowed nowhere below the root).
		{"scp-eval allow list EC2", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", evalAllowOf("AllowEC2S3", "ec2:*", "s3:*")), evalLevel("111111111111", "B", evalAllowOf("AllowEC2", "ec2:*"))},
			"ec2:RunInstances", scp.Allow, ""},
		{"scp-eval allow list S3", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", evalAllowOf("AllowEC2S3", "ec2:*", "s3:*")), evalLevel("111111111111", "B", evalAllowOf("AllowEC2", "ec2:*"))},
			"s3:GetObject", scp.ImplicitDeny, "111111111111"},
		{"scp-eval allow list IAM", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production", evalAllowOf("AllowEC2S3", "ec2:*", "s3:*")), evalLevel("111111111111", "B", evalAllowOf("AllowEC2", "ec2:*"))},
			"iam:CreateUser", scp.ImplicitDeny, "ou-prod"},
		// An explicit deny below a level with no Allow is what AWS reports.
		{"scp-eval deny wins over missing allow", []scp.Level{evalLevel("r-root", "Root", full()), evalLevel("ou-prod", "Production"), evalLevel("111111111111", "B", full(), evalDenyOf("D", "s3:*"))},
			"s3:GetObject", scp.ExplicitDeny, "111111111111"},
	}
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			d := scp.Authorize(c.path, nil, scp.Request{Action: c.action, PrincipalARN: "arn:aws:iam::111111111111:role/Dev", PrincipalAccount: "111111111111"})
			if d.Outcome != c.want {
				t.Fatalf("got %s, want %s\n%s", d, c.want, d.Explain())
			}
			switch d.Outcome {
			case scp.ExplicitDeny:
				if d.By.Target != c.level {
					t.Fatalf("decided at %s, want %s", d.By.Target, c.level)
				}
			case scp.ImplicitDeny:
				if d.LevelTarget != c.level {
					t.Fatalf("decided at %s, want %s", d.LevelTarget, c.level)
				}
			}
			if d.Outcome != scp.Allow {
				assertExemptionsAllow(t, c.path, nil, d, scp.Request{Action: c.action, PrincipalARN: "arn:aws:iam::111111111111:role/Dev", PrincipalAccount: "111111111111"})
			}
		})
	}
}

// assertExemptionsAllow checks that a denied decision proposes exemptions,
// that the first names what decided, and that applying them all allows the
// request.
func assertExemptionsAllow(t *testing.T, scps, rcps []scp.Level, d scp.Decision, req scp.Request) {
	t.Helper()
	if len(d.Exemptions) == 0 {
		t.Fatalf("no exemption for %s", d)
	}
	first := d.Exemptions[0]
	switch d.Outcome {
	case scp.ImplicitDeny:
		if first.Kind != scp.AttachAllow || first.At.Target != d.LevelTarget || first.Action != req.Action {
			t.Fatalf("exemption %s for %s", first, d)
		}
	case scp.ExplicitDeny:
		if first.At.Target != d.By.Target || first.At.Statement != d.By.Statement || first.At.PolicyID != d.By.PolicyID {
			t.Fatalf("exemption %s for %s", first, d)
		}
	}
	for _, e := range d.Exemptions {
		if e.Type == "RESOURCE_CONTROL_POLICY" {
			rcps = e.Apply(rcps)
		} else {
			scps = e.Apply(scps)
		}
	}
	if after := scp.Authorize(scps, rcps, req); !after.Allowed() {
		t.Fatalf("after %v: %s", d.Exemptions, after.Explain())
	}
}

func TestEvaluateAWSDocumentedRCPExamples(t *testing.T) {
	rcpFull := func() *foundation.PolicyDocument {
		return foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Principal: foundation.AnyPrincipal(), Action: foundation.Actions("*"), Resource: foundation.Resources("*")})
	}
	// [rcp-ex] Identity perimeter: deny access to the organization's
	// resources to principals outside it, AWS services excepted.
	perimeter := foundation.NewPolicy(foundation.Statement{Sid: "EnforceOrgIdentities", Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: foundation.Actions("s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole", "sts:DecodeAuthorizationMessage", "sts:GetAccessKeyInfo",
			"sts:GetFederationToken", "sts:GetServiceBearerToken", "sts:GetSessionToken", "sts:SetContext"),
		Resource: foundation.Resources("*"),
		Condition: foundation.Conditions{
			"StringNotEqualsIfExists": {"aws:PrincipalOrgID": {"o-exampleorg"}},
			"BoolIfExists":            {"aws:PrincipalIsAWSService": {"false"}},
		}})
	// [rcp-ex] Secure transport: deny requests that are not over TLS.
	tls := foundation.NewPolicy(foundation.Statement{Sid: "EnforceSecureTransport", Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: foundation.Actions("sts:*", "s3:*", "sqs:*", "secretsmanager:*", "kms:*"), Resource: foundation.Resources("*"),
		Condition: foundation.Conditions{"BoolIfExists": {"aws:SecureTransport": {"false"}}}})
	path := []scp.Level{
		{Target: "r-root", Name: "Root", Policies: []scp.LevelPolicy{{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Document: rcpFull()},
			{ID: "p-perimeter", Name: "DataPerimeter", ARN: "arn:aws:organizations::999999999999:policy/o-exampleorg/resource_control_policy/p-perimeter", Document: perimeter}}},
		{Target: "ou-prod", Name: "Production", Policies: []scp.LevelPolicy{{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Document: rcpFull()},
			{ID: "p-tls", Name: "TLS", Document: tls}}},
		{Target: "111111111111", Name: "B", Policies: []scp.LevelPolicy{{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Document: rcpFull()}}},
	}
	inOrg := scp.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b-bucket/k", PrincipalARN: "arn:aws:iam::222222222222:role/App",
		PrincipalAccount: "222222222222", PrincipalOrgID: "o-exampleorg", Conditions: map[string][]string{"aws:SecureTransport": {"true"}}}
	outside := inOrg
	outside.PrincipalARN, outside.PrincipalAccount, outside.PrincipalOrgID = "arn:aws:iam::333333333333:role/Other", "333333333333", "o-otherorg"
	service := outside
	service.PrincipalARN, service.PrincipalAccount, service.PrincipalOrgID = "", "", ""
	service.Conditions = map[string][]string{"aws:PrincipalIsAWSService": {"true"}, "aws:SecureTransport": {"true"}}
	plain := inOrg
	plain.Conditions = map[string][]string{"aws:SecureTransport": {"false"}}
	cases := []struct {
		name   string
		req    scp.Request
		want   scp.Outcome
		policy string
	}{
		{"principal in the organization", inOrg, scp.Allow, ""},
		{"principal of another organization", outside, scp.ExplicitDeny, "p-perimeter"},
		{"AWS service principal", service, scp.Allow, ""},
		{"not over TLS", plain, scp.ExplicitDeny, "p-tls"},
		{"action the perimeter does not cover", func() scp.Request { r := outside; r.Action = "ec2:DescribeInstances"; return r }(), scp.Allow, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := scp.Authorize(nil, path, c.req)
			if d.Outcome != c.want {
				t.Fatalf("got %s, want %s\n%s", d, c.want, d.Explain())
			}
			if c.want == scp.ExplicitDeny {
				if d.Type != "RESOURCE_CONTROL_POLICY" || d.By.PolicyID != c.policy {
					t.Fatalf("decided by %s %s, want RCP %s", d.Type, d.By, c.policy)
				}
				assertExemptionsAllow(t, nil, path, d, c.req)
				if !strings.Contains(d.Explain(), "explicit deny in a resource control policy") {
					t.Fatal(d.Explain())
				}
			}
		})
	}
	// [rcp-eval] RCPFullAWSAccess cannot be detached, but a level without
	// any RCP allows nothing, as with SCPs.
	bare := []scp.Level{path[0], {Target: "ou-prod", Name: "Production"}, path[2]}
	if d := scp.Authorize(nil, bare, inOrg); d.Outcome != scp.ImplicitDeny || d.Type != "RESOURCE_CONTROL_POLICY" || d.LevelTarget != "ou-prod" {
		t.Fatalf("bare level: %s", d)
	}
}

func TestExplainNamesAndExemptions(t *testing.T) {
	regions := foundation.NewPolicy(foundation.Statement{Sid: "DenyOtherRegions", Effect: foundation.EffectDeny,
		NotAction: foundation.Actions("iam:*", "organizations:*", "sts:*"), Resource: foundation.Resources("*"),
		Condition: foundation.Conditions{
			"StringNotEquals": {"aws:RequestedRegion": {"eu-west-1", "eu-central-1"}},
			"ArnNotLike":      {"aws:PrincipalARN": {"arn:aws:iam::*:role/BreakGlass"}},
		}})
	path := []scp.Level{
		{Target: "r-ab12", Name: "Root", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: fullAWSAccess()}}},
		{Target: "ou-ab12-wkld0001", Name: "Workloads", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: fullAWSAccess()},
			{ID: "p-regions1", Name: "RegionGuard", ARN: "arn:aws:organizations::123456789012:policy/o-x/service_control_policy/p-regions1", Document: regions}}},
		{Target: "111122223333", Name: "prod", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: fullAWSAccess()}}},
	}
	req := scp.Request{Action: "s3:CreateBucket", Region: "us-east-1", PrincipalARN: "arn:aws:iam::111122223333:role/CI", PrincipalAccount: "111122223333"}
	d := scp.Authorize(path, nil, req)
	if d.Outcome != scp.ExplicitDeny || d.Type != "SERVICE_CONTROL_POLICY" {
		t.Fatal(d)
	}
	if got, want := d.By.String(), `statement "DenyOtherRegions" of policy RegionGuard (p-regions1) at Workloads (ou-ab12-wkld0001)`; got != want {
		t.Fatalf("By = %s\nwant %s", got, want)
	}
	if d.By.PolicyARN == "" || len(d.Conditions) != 2 {
		t.Fatalf("%+v", d)
	}
	for _, c := range d.Conditions {
		if !c.Met || c.Request == nil && c.Operator != "ArnNotLike" {
			t.Fatalf("condition %s", c)
		}
	}
	if len(d.Exemptions) != 1 {
		t.Fatalf("exemptions: %v", d.Exemptions)
	}
	e := d.Exemptions[0]
	if e.Kind != scp.ExtendCondition || e.Operator != "ArnNotLike" || e.Key != "aws:PrincipalARN" || e.Values[0] != req.PrincipalARN {
		t.Fatalf("exemption %+v", e)
	}
	if got, want := e.String(), `add ["arn:aws:iam::111122223333:role/CI"] to condition ArnNotLike aws:PrincipalARN of statement "DenyOtherRegions" of policy RegionGuard (p-regions1) at Workloads (ou-ab12-wkld0001)`; got != want {
		t.Fatalf("exemption:\n got %s\nwant %s", got, want)
	}
	// Applying it allows the request: the break-glass pattern extended.
	regions.Statement[0].Condition["ArnNotLike"]["aws:PrincipalARN"] = append(regions.Statement[0].Condition["ArnNotLike"]["aws:PrincipalARN"], req.PrincipalARN)
	if d := scp.Authorize(path, nil, req); !d.Allowed() {
		t.Fatalf("after the exemption: %s", d.Explain())
	}
	// The allowed region and the exempt actions were never denied.
	req.Region = "eu-west-1"
	req.PrincipalARN = "arn:aws:iam::111122223333:role/Other"
	if d := scp.Authorize(path, nil, req); !d.Allowed() {
		t.Fatal(d)
	}

	// Two denies: both are exempted, in order, and an implicit deny asks
	// for an Allow at its level.
	twoDenies := []scp.Level{
		{Target: "r-ab12", Name: "Root", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Document: fullAWSAccess()}, {ID: "p-a", Name: "A", Document: evalDenyOf("DenyS3", "s3:*")}}},
		{Target: "ou-x", Name: "X", Policies: []scp.LevelPolicy{{ID: "p-b", Name: "B", Document: evalDenyOf("DenyPut", "s3:Put*")}}},
	}
	d = scp.Authorize(twoDenies, nil, scp.Request{Action: "s3:PutObject", PrincipalARN: "arn:aws:iam::1:role/R"})
	if len(d.Exemptions) != 3 || d.Exemptions[0].Kind != scp.AddCondition || d.Exemptions[1].Kind != scp.AddCondition || d.Exemptions[2].Kind != scp.AttachAllow {
		t.Fatalf("exemptions %v", d.Exemptions)
	}
	if got := d.Exemptions[2].String(); got != `attach an SCP with an Allow for "s3:PutObject" (or FullAWSAccess) at X (ou-x)` {
		t.Fatal(got)
	}
	// Without a principal, NotAction is extended, or the statement removed.
	d = scp.EvaluateLevels(path, scp.Request{Action: "s3:CreateBucket", Region: "us-east-1"})
	if len(d.Exemptions) != 1 || d.Exemptions[0].Kind != scp.AddNotAction || d.Exemptions[0].Action != "s3:CreateBucket" {
		t.Fatalf("exemptions %v", d.Exemptions)
	}
	if !strings.Contains(d.Explain(), `exemption 1: add "s3:CreateBucket" to NotAction`) {
		t.Fatal(d.Explain())
	}
}

func TestEvaluatePolicyVariablesInResources(t *testing.T) {
	// Deny writes to buckets not named after the principal's account.
	doc := foundation.NewPolicy(foundation.Statement{Sid: "OwnBuckets", Effect: foundation.EffectDeny, Action: foundation.Actions("s3:PutObject"),
		NotResource: foundation.Resources("arn:aws:s3:::state-${aws:PrincipalAccount}/*")})
	docs := []*foundation.PolicyDocument{fullAWSAccess(), doc}
	req := scp.Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::state-111122223333/k", PrincipalAccount: "111122223333"}
	if d := scp.Evaluate(docs, req); !d.Allowed() {
		t.Fatal(d)
	}
	req.PrincipalAccount = "444455556666"
	if d := scp.Evaluate(docs, req); d.Outcome != scp.ExplicitDeny {
		t.Fatal(d)
	}
	// An absent variable makes the pattern match nothing: denied.
	req.PrincipalAccount = ""
	if d := scp.Evaluate(docs, req); d.Outcome != scp.ExplicitDeny {
		t.Fatal(d)
	}
}
