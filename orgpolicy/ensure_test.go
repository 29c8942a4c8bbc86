package orgpolicy_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/scp"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const testOrgID = "o-exampleorg1"

// docs holds one valid document per policy type.
func docs() map[orgpolicy.Type]orgpolicy.Document {
	settings := func(t orgpolicy.Type, top string) orgpolicy.Document {
		return orgpolicy.Settings{PolicyType: t, Tree: map[string]any{top: map[string]any{"enable_in_regions": map[string]any{"@@assign": []string{"eu-west-1"}}}}}
	}
	return map[orgpolicy.Type]orgpolicy.Document{
		orgpolicy.SCP: orgpolicy.IAM(orgpolicy.SCP, scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
			scp.Custom(foundation.Statement{Sid: "AllowReadsInEU", Effect: foundation.EffectAllow, Action: foundation.Actions("s3:Get*"),
				Resource: foundation.Resources("arn:aws:s3:::data-*/*"), Condition: foundation.Conditions{"StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}}}))),
		orgpolicy.RCP: orgpolicy.IAM(orgpolicy.RCP, orgpolicy.MustBuildRCP(
			orgpolicy.DenyExternalAccess(orgpolicy.OrgIdentitiesOptions{OrganizationID: testOrgID}),
			orgpolicy.EnforceSecureTransport(orgpolicy.SecureTransportOptions{}),
			orgpolicy.ConfusedDeputyProtection(orgpolicy.ConfusedDeputyOptions{OrganizationID: testOrgID}))),
		orgpolicy.Tag: orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{{Key: "CostCenter", Values: []string{"100", "200"}, EnforcedFor: []string{"ec2:instance"}, LockKey: true}}},
		orgpolicy.Backup: orgpolicy.BackupPolicy{Plans: []orgpolicy.BackupPlan{{Name: "daily", Regions: []string{"eu-west-1"}, RoleName: "Backup",
			TagKey: "backup", TagValues: []string{"daily"}, Rules: []orgpolicy.BackupRule{{Name: "daily", Schedule: "cron(0 5 ? * * *)", DeleteAfterDays: 35}}}}},
		orgpolicy.AIServicesOptOut:        orgpolicy.AIOptOutPolicy{Default: "optOut", LockDefault: true},
		orgpolicy.Chatbot:                 orgpolicy.Settings{PolicyType: orgpolicy.Chatbot, Tree: map[string]any{"chatbot": map[string]any{"platforms": map[string]any{"slack": map[string]any{"client": map[string]any{"@@assign": "disabled"}}}}}},
		orgpolicy.DeclarativeEC2:          orgpolicy.DeclarativeEC2Policy{BlockPublicAMIs: true, BlockPublicSnapshots: true, RequireIMDSv2: true},
		orgpolicy.SecurityHub:             settings(orgpolicy.SecurityHub, "securityhub"),
		orgpolicy.Inspector:               settings(orgpolicy.Inspector, "inspector"),
		orgpolicy.UpgradeRollout:          settings(orgpolicy.UpgradeRollout, "upgrade_rollout"),
		orgpolicy.Bedrock:                 settings(orgpolicy.Bedrock, "bedrock"),
		orgpolicy.S3:                      settings(orgpolicy.S3, "s3_attributes"),
		orgpolicy.NetworkSecurityDirector: settings(orgpolicy.NetworkSecurityDirector, "network_security_director"),
		orgpolicy.GuardDuty:               settings(orgpolicy.GuardDuty, "guardduty"),
	}
}

// servedByMoto are the types moto serves (EnablePolicyType, CreatePolicy;
// backup policies are enabled but not created: OrgBackupPolicies).
var servedByMoto = []orgpolicy.Type{orgpolicy.SCP, orgpolicy.RCP, orgpolicy.Tag, orgpolicy.Backup, orgpolicy.AIServicesOptOut}

// Each of the 14 types is ensured (the type enabled on the root first),
// attached, read back, rerun with no mutating call, and detached.
func TestEveryTypeConvergesReadsBackAndDetaches(t *testing.T) {
	ctx := awstest.Context(t, 60*time.Second)
	b := awstest.New(t)
	root := b.Organization(ctx, t)
	api := b.Organizations()
	ou, err := api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(b.Unique("ou"))})
	if err != nil {
		t.Fatal(err)
	}
	target := aws.ToString(ou.OrganizationalUnit.Id)
	all := docs()
	if len(all) != len(orgpolicy.Types()) || len(orgpolicy.Types()) != len(types.PolicyType("").Values()) {
		t.Fatalf("%d documents, %d types known, the SDK has %d", len(all), len(orgpolicy.Types()), len(types.PolicyType("").Values()))
	}
	for _, info := range orgpolicy.Types() {
		typ := info.Type
		t.Run(string(typ), func(t *testing.T) {
			if !slices.Contains(servedByMoto, typ) {
				b.Need(t, awstest.OrgPolicyTypes2025)
			}
			if typ == orgpolicy.Backup {
				b.Need(t, awstest.OrgBackupPolicies)
			}
			name := b.Unique(strings.ToLower(string(typ)))
			spec := orgpolicy.PolicySpec{Type: typ, Name: name, Description: "test", Document: all[typ], Tags: map[string]string{"team": "platform"}}
			p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) == 0 || p.Changes[0].Action != foundation.ActionCreate {
				t.Fatalf("changes: %v", p.Changes)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return p.Changes, nil
			})
			// Read back: the content as sent, of the type.
			d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(p.ID)})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := all[typ].Content()
			if got := aws.ToString(d.Policy.Content); got != want || d.Policy.PolicySummary.Type != typ {
				t.Fatalf("read back %s %s, want %s", d.Policy.PolicySummary.Type, got, want)
			}

			att := orgpolicy.AttachmentSpec{Type: typ, TargetID: target, Policies: []string{name}}
			a, err := orgpolicy.EnsureAttachments(ctx, api, att, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if !hasChange(a.Changes, "create "+orgpolicy.ResourcePolicyAttachment+" "+target+"/"+name) {
				t.Fatalf("changes: %v", a.Changes)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				a, err := orgpolicy.EnsureAttachments(ctx, api, att, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return a.Changes, nil
			})
			if got := attachedNames(ctx, t, api, target, typ); !slices.Contains(got, name) {
				t.Fatalf("attached: %v", got)
			}
			if info.Authorization && !slices.Contains(attachedNames(ctx, t, api, target, typ), info.ManagedPolicyName) {
				t.Fatalf("%s not kept", info.ManagedPolicyName)
			}

			// Detached when no longer listed.
			att.Policies = nil
			if _, err := orgpolicy.EnsureAttachments(ctx, api, att, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			if got := attachedNames(ctx, t, api, target, typ); slices.Contains(got, name) {
				t.Fatalf("still attached: %v", got)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				a, err := orgpolicy.EnsureAttachments(ctx, api, att, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return a.Changes, nil
			})
		})
	}
}

func hasChange(cs foundation.Changes, want string) bool {
	for _, c := range cs {
		if string(c.Action)+" "+c.Resource+" "+c.ID == want {
			return true
		}
	}
	return false
}

func attachedNames(ctx context.Context, t *testing.T, api *organizations.Client, target string, typ orgpolicy.Type) []string {
	t.Helper()
	var out []string
	p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: typ})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Policies {
			out = append(out, aws.ToString(s.Name))
		}
	}
	return out
}

// The content changes in place; formatting is not drift.
func TestEnsurePolicyUpdatesContentNotFormatting(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	b := awstest.New(t)
	b.Organization(ctx, t)
	api := b.Organizations()
	name := b.Unique("tags")
	spec := orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: name, Content: "{\n  \"tags\": {\"env\": {\"tag_key\": {\"@@assign\": \"Env\"}}}\n}"}
	if _, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec.Content = `{"tags":{"env":{"tag_key":{"@@assign":"Env"}}}}`
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	})
	spec.Document, spec.Content = orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{{Key: "Env", Values: []string{"prod"}}}}, ""
	p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Resource != orgpolicy.ResourcePolicyContent {
		t.Fatalf("changes: %v", p.Changes)
	}
}

// Invalid documents of every kind are refused before any call, each fault
// named.
func TestInvalidSpecsMakeNoCall(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	b := awstest.New(t)
	api := b.Organizations()
	cases := []struct {
		name string
		spec orgpolicy.PolicySpec
		want string
	}{
		{"unknown type", orgpolicy.PolicySpec{Type: "NOT_A_POLICY", Name: "x", Content: "{}"}, "spec.Type"},
		{"SCP with a principal", orgpolicy.PolicySpec{Type: orgpolicy.SCP, Name: "x", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`}, "Principal: is not supported"},
		{"RCP allowing", orgpolicy.PolicySpec{Type: orgpolicy.RCP, Name: "x", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`}, "must be Deny"},
		{"RCP of EC2", orgpolicy.PolicySpec{Type: orgpolicy.RCP, Name: "x", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ec2:*","Resource":"*"}]}`}, "resource control policies apply to"},
		{"RCP without principal", orgpolicy.PolicySpec{Type: orgpolicy.RCP, Name: "x", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`}, `Principal: must be "*"`},
		{"tag value without operator", orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: "x", Content: `{"tags":{"env":{"tag_key":"Env"}}}`}, "inheritance operator"},
		{"unknown operator", orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: "x", Content: `{"tags":{"env":{"tag_key":{"@@set":"Env"}}}}`}, "is not an inheritance operator"},
		{"wrong top key", orgpolicy.PolicySpec{Type: orgpolicy.DeclarativeEC2, Name: "x", Content: `{"ec2":{"x":{"@@assign":"y"}}}`}, `"ec2_attributes"`},
		{"document of another type", orgpolicy.PolicySpec{Type: orgpolicy.Backup, Name: "x", Document: orgpolicy.AIOptOutPolicy{Default: "optOut"}}, "not a BACKUP_POLICY"},
		{"AI opt-out value", orgpolicy.PolicySpec{Type: orgpolicy.AIServicesOptOut, Name: "x", Document: orgpolicy.AIOptOutPolicy{Default: "off"}}, `"optOut" or "optIn"`},
		{"AI opt-out too large", orgpolicy.PolicySpec{Type: orgpolicy.AIServicesOptOut, Name: "x", Content: `{"services":{"` + strings.Repeat("s", 2500) + `":{"opt_out_policy":{"@@assign":"optOut"}}}}`}, "more than the limit of 2500"},
		{"declares nothing", orgpolicy.PolicySpec{Type: orgpolicy.DeclarativeEC2, Name: "x", Document: orgpolicy.DeclarativeEC2Policy{}}, "declares nothing"},
		{"backup without role", orgpolicy.PolicySpec{Type: orgpolicy.Backup, Name: "x", Document: orgpolicy.BackupPolicy{Plans: []orgpolicy.BackupPlan{{Name: "p", Regions: []string{"eu-west-1"}, TagKey: "k", TagValues: []string{"v"}, Rules: []orgpolicy.BackupRule{{Name: "r", Schedule: "cron(0 5 ? * * *)"}}}}}}, "RoleName: is required"},
		{"managed name", orgpolicy.PolicySpec{Type: orgpolicy.RCP, Name: "RCPFullAWSAccess", Document: orgpolicy.IAM(orgpolicy.RCP, orgpolicy.MustBuildRCP(orgpolicy.EnforceSecureTransport(orgpolicy.SecureTransportOptions{})))}, "AWS managed policy"},
	}
	for _, c := range cases {
		mark := b.Mark()
		_, err := orgpolicy.EnsurePolicy(ctx, api, c.spec)
		b.RequireNoCalls(t, mark)
		if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	for _, s := range []orgpolicy.AttachmentSpec{
		{Type: orgpolicy.RCP, TargetID: "r-ab12", Policies: []string{"a"}, DetachFullAWSAccess: true},
		{Type: orgpolicy.AIServicesOptOut, TargetID: "r-ab12", Policies: []string{"a", "b", "c", "d", "e", "f"}},
		{Type: orgpolicy.RCP, TargetID: "r-ab12", Policies: []string{"a", "b", "c", "d", "e"}}, // + RCPFullAWSAccess = 6 > 5
		{Type: orgpolicy.Tag, TargetID: "Production", Policies: []string{"a"}},
	} {
		mark := b.Mark()
		_, err := orgpolicy.EnsureAttachments(ctx, api, s)
		b.RequireNoCalls(t, mark)
		if !errors.Is(err, foundation.ErrInvalidSpec) {
			t.Errorf("%+v: err = %v", s, err)
		}
	}
	if _, err := orgpolicy.BuildRCP(orgpolicy.DenyExternalAccess(orgpolicy.OrgIdentitiesOptions{OrganizationID: "org-1", Actions: []string{"ec2:*"}})); !errors.Is(err, foundation.ErrInvalidSpec) ||
		!strings.Contains(err.Error(), "DenyExternalAccess.OrganizationID") || !strings.Contains(err.Error(), "DenyExternalAccess.Actions[0]") {
		t.Errorf("BuildRCP: %v", err)
	}
}

// A dry run plans enabling the type, creating and attaching, and makes no
// mutating call.
func TestDryRunPlans(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	b := awstest.New(t)
	root := b.Organization(ctx, t)
	api := b.Organizations()
	mark := b.Mark()
	name := b.Unique("ai")
	p, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: orgpolicy.AIServicesOptOut, Name: name, Document: orgpolicy.AIOptOutPolicy{Default: "optOut"}}, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	a, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.AIServicesOptOut, TargetID: root, Policies: []string{p.ID}}, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if !hasChange(p.Changes, "create organizations:policy "+name) ||
		!hasChange(a.Changes, "update organizations:policy-type "+root+"/AISERVICES_OPT_OUT_POLICY") ||
		!hasChange(a.Changes, "create organizations:policy-attachment "+root+"/"+name) {
		t.Fatalf("planned: %v %v", p.Changes, a.Changes)
	}
}

// The effective tag policy of an account is read back merged along its
// path.
func TestReadEffective(t *testing.T) {
	ctx := awstest.Context(t, 60*time.Second)
	b := awstest.New(t)
	b.Need(t, awstest.OrgDescribeEffectivePolicy)
	root := b.Organization(ctx, t)
	acct := b.MemberAccount(ctx, t, "effective")
	api := b.Organizations()
	got, err := orgpolicy.ReadEffective(ctx, api, orgpolicy.Tag, acct)
	if err != nil || got != "" {
		t.Fatalf("before: %q, %v", got, err)
	}
	for i, rule := range []orgpolicy.TagRule{{Key: "CostCenter", Values: []string{"100"}}, {Key: "Owner"}} {
		target := root
		if i == 1 {
			target = acct
		}
		name := b.Unique("tags")
		if _, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: name, Document: orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{rule}}}, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
		if _, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.Tag, TargetID: target, Policies: []string{name}}, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
	}
	got, err = orgpolicy.ReadEffective(ctx, api, orgpolicy.Tag, acct)
	if err != nil {
		t.Fatal(err)
	}
	if got != `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100"]},"owner":{"tag_key":"Owner"}}}` {
		t.Fatalf("effective: %s", got)
	}
	if _, err := orgpolicy.ReadEffective(ctx, api, orgpolicy.SCP, acct); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("SCP: %v", err)
	}
}

// A dry run before the organization exists plans on the organization its
// dry run would create: the policy created, the type enabled on the root
// to be, the attachment made; a predicted identifier of another type is
// refused.
func TestDryRunBeforeTheOrganization(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	b.Need(t, awstest.OrgNotInUse)
	api := b.Organizations()
	mark := b.Mark()
	p, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: "tags", Document: orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{{Key: "Env"}}}}, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	root := plan.Predict("root", "")
	a, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.Tag, TargetID: root, Policies: []string{p.ID}}, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if !hasChange(a.Changes, "update organizations:policy-type "+root+"/TAG_POLICY") || !hasChange(a.Changes, "create organizations:policy-attachment "+root+"/tags") {
		t.Fatalf("planned: %v", a.Changes)
	}
	_, err = orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.Backup, TargetID: root, Policies: []string{p.ID}}, foundation.WithDryRun(true))
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "not a BACKUP_POLICY") {
		t.Fatalf("another type's predicted ID: %v", err)
	}
	_, err = orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.Tag, TargetID: root, Policies: []string{p.ID}})
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("real run with predicted IDs: %v", err)
	}
}
