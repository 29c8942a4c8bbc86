package scp_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

// sized returns a Deny-only guardrail named name of about n characters in
// a policy of its own: one statement protecting made-up actions of svc.
func sized(name, svc string, n int) scp.Guardrail {
	pad := strings.Repeat("X", 80)
	build := func(k int) (*foundation.PolicyDocument, int) {
		actions := make([]string, k)
		for i := range actions {
			actions[i] = fmt.Sprintf("%s:Protected%s%04d", svc, pad, i) // long names: few patterns to evaluate
		}
		doc := scp.MustBuild(scp.ProtectActions(scp.ProtectActionsOptions{Sid: "Deny" + strings.ReplaceAll(name, "-", ""), Actions: actions}))
		size, _ := scp.Size(doc)
		return doc, size
	}
	_, one := build(1)
	per := len(svc) + len(":Protected0000") + len(pad) + 3
	k := max(1, (n-25-one)/per+1)
	doc, size := build(k)
	for size < n-25 {
		k++
		doc, size = build(k)
	}
	return scp.NewGuardrail(name, doc.Statement...)
}

func stmts(g scp.Guardrail) []foundation.Statement {
	sts, err := g.Statements()
	if err != nil {
		panic(err)
	}
	return sts
}

func names(p *scp.Packing) map[string][]string { return p.Attachments }

func unfitNames(p *scp.Packing) []string {
	var out []string
	for _, u := range p.Unfit {
		out = append(out, u.Path+":"+u.Guardrail)
	}
	return out
}

func TestPack(t *testing.T) {
	seven := func() []scp.Guardrail {
		var gs []scp.Guardrail
		for i := 1; i <= 7; i++ {
			gs = append(gs, sized(fmt.Sprintf("g%d", i), fmt.Sprintf("svc%d", i), 4000))
		}
		return gs
	}
	leave := scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})
	root := scp.DenyRootUser(scp.RootUserOptions{})
	allow := scp.AllowAll(scp.AllowAllOptions{})
	cases := []struct {
		name     string
		spec     scp.PackSpec
		attached map[string][]string
		unfit    []string
		hoisted  int
		reason   string // in the first Unfit
	}{
		{
			name:     "an only child's guardrails stay",
			spec:     scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"Workloads/Prod": {leave}}},
			attached: map[string][]string{"Workloads/Prod": {"guardrails-Workloads-Prod-1"}},
		},
		{
			name:     "seven guardrails at the legacy limits: 4 free slots, 3 do not fit",
			spec:     scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"Workloads": seven()}, Limits: scp.LegacyLimits},
			attached: map[string][]string{"Workloads": {"guardrails-Workloads-1", "guardrails-Workloads-2", "guardrails-Workloads-3", "guardrails-Workloads-4"}},
			unfit:    []string{"Workloads:g5", "Workloads:g6", "Workloads:g7"},
			reason:   "Workloads has 4 free slots (limit 5, FullAWSAccess) and its guardrails need 7 policies of at most 5120 characters",
		},
		{
			name:     "the same seven at today's limits: two per policy, four policies",
			spec:     scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"Workloads": seven()}},
			attached: map[string][]string{"Workloads": {"guardrails-Workloads-1", "guardrails-Workloads-2", "guardrails-Workloads-3", "guardrails-Workloads-4"}},
		},
		{
			name: "Control Tower holds two slots: one policy's guardrails do not fit",
			spec: scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"Security": seven()[:3]}, Limits: scp.LegacyLimits,
				Occupied: map[string][]string{"Security": {"aws-guardrails-AAAA", "aws-guardrails-BBBB"}}},
			attached: map[string][]string{"Security": {"guardrails-Security-1", "guardrails-Security-2"}},
			unfit:    []string{"Security:g3"},
			reason:   "Security has 2 free slots (limit 5, FullAWSAccess, 2 held by others (aws-guardrails-AAAA, aws-guardrails-BBBB)) and its guardrails need 3 policies",
		},
		{
			name: "Control Tower and today's limits: everything fits",
			spec: scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"Security": seven()[:3]},
				Occupied: map[string][]string{"Security": {"aws-guardrails-AAAA", "aws-guardrails-BBBB"}}},
			attached: map[string][]string{"Security": {"guardrails-Security-1", "guardrails-Security-2"}},
		},
		{
			name: "a guardrail every child has is hoisted, up to the root",
			spec: scp.PackSpec{Guardrails: map[string][]scp.Guardrail{
				"Workloads/Prod": {leave, root}, "Workloads/Dev": {leave, root}, "Sandbox": {leave}}},
			attached: map[string][]string{"": {"guardrails-root-1"}, "Workloads": {"guardrails-Workloads-1"}},
			hoisted:  3, // leave and root to Workloads, leave to the root
		},
		{
			name: "not when one child lacks it (an account directly under the OU)",
			spec: scp.PackSpec{Targets: []string{"Workloads/111122223333"}, Guardrails: map[string][]scp.Guardrail{
				"Workloads/Prod": {leave}, "Workloads/Dev": {leave}}},
			attached: map[string][]string{"Workloads/Dev": {"guardrails-Workloads-Dev-1"}, "Workloads/Prod": {"guardrails-Workloads-Prod-1"}},
		},
		{
			name: "Allow guardrails stay where they are; a Deny an ancestor has is dropped",
			spec: scp.PackSpec{DetachFullAWSAccess: true, Guardrails: map[string][]scp.Guardrail{
				"": {leave}, "A": {allow, leave}, "B": {allow}}},
			attached: map[string][]string{"": {"guardrails-root-1"}, "A": {"guardrails-A-1"}, "B": {"guardrails-B-1"}},
		},
		{
			name: "a guardrail larger than a policy is split by statements; one statement too large does not fit",
			spec: scp.PackSpec{Limits: scp.Limits{MaxPolicySize: 3000}, Guardrails: map[string][]scp.Guardrail{
				"X": {scp.NewGuardrail("two", append(stmts(sized("a", "s3", 2000)), stmts(sized("b", "ec2", 2000))...)...), sized("huge", "kms", 4000)}}},
			attached: map[string][]string{"X": {"guardrails-X-1", "guardrails-X-2"}},
			unfit:    []string{"X:huge"},
			reason:   "alone is",
		},
		{
			name: "statements with the same Sid go to different policies",
			spec: scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"X": {
				scp.ProtectActions(scp.ProtectActionsOptions{Sid: "Same", Actions: []string{"s3:DeleteBucket"}}),
				scp.ProtectActions(scp.ProtectActionsOptions{Sid: "Same", Actions: []string{"ec2:DeleteVpc"}})}}},
			attached: map[string][]string{"X": {"guardrails-X-1", "guardrails-X-2"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := scp.Pack(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(p), c.attached) {
				t.Fatalf("attached %v, want %v", names(p), c.attached)
			}
			if got := unfitNames(p); !slices.Equal(got, c.unfit) {
				t.Fatalf("unfit %v, want %v", p.Unfit, c.unfit)
			}
			if c.reason != "" && !strings.Contains(p.Unfit[0].Reason, c.reason) {
				t.Fatalf("reason %q, want %q", p.Unfit[0].Reason, c.reason)
			}
			if c.hoisted != 0 && len(p.Hoisted) != c.hoisted {
				t.Fatalf("hoisted %+v", p.Hoisted)
			}
			limits := c.spec.Limits
			if limits.MaxPolicySize == 0 {
				limits.MaxPolicySize = scp.DefaultMaxPolicySize
			}
			for _, pp := range p.Policies {
				if err := scp.CheckDocument(pp.Document, limits); err != nil {
					t.Fatalf("%s: %v", pp.Name, err)
				}
				if n, _ := scp.Size(pp.Document); n != pp.Size {
					t.Fatalf("%s: size %d, reported %d", pp.Name, n, pp.Size)
				}
			}
			// Deterministic: the same spec packs the same.
			again, _ := scp.Pack(c.spec)
			if !reflect.DeepEqual(p, again) {
				t.Fatal("two packings differ")
			}
		})
	}
	if _, err := scp.Pack(scp.PackSpec{Guardrails: map[string][]scp.Guardrail{"/bad/": {leave}}, Limits: scp.Limits{MaxPoliciesPerTarget: -1}}); err == nil ||
		!strings.Contains(err.Error(), `spec.Guardrails["/bad/"]`) || !strings.Contains(err.Error(), "spec.Limits.MaxPoliciesPerTarget") {
		t.Fatalf("invalid spec: %v", err)
	}
}

// A guardrail set that needs 7 policies at the old limits is packed into
// the fewest the new limits allow, and the packed set decides exactly like
// the unpacked one (each guardrail its own policy at its target) on a
// corpus of requests: every action the guardrails name and a few others,
// in several Regions, by several principals, for every account.
func TestPackedEvaluatesLikeUnpacked(t *testing.T) {
	guardrails := map[string][]scp.Guardrail{
		"": {scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})},
		"Workloads/Prod": {
			scp.DenyRootUser(scp.RootUserOptions{}),
			scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/Platform"}}),
			scp.ProtectSecurityServices(scp.SecurityServicesOptions{ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/Security"}}),
			scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
			scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
			scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"444444444444"}}),
			scp.DenyExternalResourceSharing(scp.ExternalSharingOptions{}),
		},
		"Workloads/Dev": {scp.DenyRootUser(scp.RootUserOptions{}), sized("bulk3", "sqs", 3000)},
	}
	for i := 1; i <= 7; i++ {
		guardrails["Workloads/Prod"] = append(guardrails["Workloads/Prod"], sized(fmt.Sprint("bulk", i), fmt.Sprint("svc", i), 3000))
	}
	accounts := []string{"Workloads/Prod/111111111111", "Workloads/Dev/222222222222", "Sandbox/333333333333"}
	spec := scp.PackSpec{Guardrails: guardrails, Targets: accounts}
	old, err := scp.Pack(scp.PackSpec{Guardrails: guardrails, Targets: accounts, Limits: scp.Limits{MaxPolicySize: 5120, MaxPoliciesPerTarget: 100}})
	if err != nil {
		t.Fatal(err)
	}
	packed, err := scp.Pack(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(packed.Unfit) > 0 {
		t.Fatalf("unfit: %+v", packed.Unfit)
	}
	oldProd, newProd := len(old.Attachments["Workloads/Prod"]), len(packed.Attachments["Workloads/Prod"])
	if oldProd < 7 || newProd >= oldProd || newProd > 9 {
		t.Fatalf("Workloads/Prod: %d policies at 5,120 characters, %d at 10,240", oldProd, newProd)
	}
	t.Logf("Workloads/Prod needs %d policies at 5,120 characters (%d slots at the legacy limits), %d at 10,240; in all %d -> %d",
		oldProd, 4, newProd, len(old.Policies), len(packed.Policies))

	full := scp.MustBuild(scp.AllowAll(scp.AllowAllOptions{}))
	levelsOf := func(account string, docsAt func(path string) []*foundation.PolicyDocument) [][]*foundation.PolicyDocument {
		parts := strings.Split(account, "/")
		levels := [][]*foundation.PolicyDocument{append([]*foundation.PolicyDocument{full}, docsAt("")...)}
		for i := range parts {
			levels = append(levels, append([]*foundation.PolicyDocument{full}, docsAt(strings.Join(parts[:i+1], "/"))...))
		}
		return levels
	}
	each := map[string][]*foundation.PolicyDocument{} // each guardrail its own policy
	for path, gs := range guardrails {
		for _, g := range gs {
			each[path] = append(each[path], scp.MustBuild(g))
		}
	}
	unpacked := func(path string) []*foundation.PolicyDocument { return each[path] }
	byPath := map[string][]*foundation.PolicyDocument{}
	for _, pp := range packed.Policies {
		byPath[pp.Path] = append(byPath[pp.Path], pp.Document)
	}
	// Every action the guardrails name (one in 8 of the made-up bulk
	// ones) and a few others.
	actions := map[string]bool{"s3:GetObject": true, "ec2:RunInstances": true, "iam:CreateRole": true, "ec2:CreateVolume": true, "rds:CreateDBInstance": true}
	for _, gs := range guardrails {
		for _, g := range gs {
			for _, st := range stmts(g) {
				for i, a := range st.Action {
					if !strings.Contains(a, "*") && (!strings.Contains(a, ":Protected") || i%8 == 0) {
						actions[a] = true
					}
				}
			}
		}
	}
	principals := []string{"role/Dev", "role/Platform", "role/Security", "root"}
	regions := []string{"eu-west-1", "us-east-1"}
	n, denied := 0, 0
	for _, acct := range accounts {
		id := acct[strings.LastIndexByte(acct, '/')+1:]
		for a := range actions {
			for _, pr := range principals {
				for _, region := range regions {
					encs := []string{"false"} // the encryption keys matter to EBS and RDS only
					if strings.HasPrefix(a, "rds:") || strings.HasPrefix(a, "ec2:Create") {
						encs = append(encs, "true")
					}
					for _, enc := range encs {
						req := scp.Request{Action: a, Region: region, PrincipalARN: "arn:aws:iam::" + id + ":" + pr, PrincipalAccount: id,
							Conditions: map[string][]string{"ec2:Encrypted": {enc}, "rds:StorageEncrypted": {enc}}}
						want := scp.EvaluatePath(levelsOf(acct, unpacked), req)
						got := scp.EvaluatePath(levelsOf(acct, func(p string) []*foundation.PolicyDocument { return byPath[p] }), req)
						if want.Allowed() != got.Allowed() {
							t.Fatalf("%s %+v: unpacked %v, packed %v", acct, req, want, got)
						}
						n++
						if !want.Allowed() {
							denied++
						}
					}
				}
			}
		}
	}
	t.Logf("corpus: %d requests (%d denied) decide the same packed and unpacked", n, denied)
	if denied == 0 || denied == n {
		t.Fatalf("the corpus does not discriminate: %d of %d denied", denied, n)
	}
}

// Packed guardrails converge on a backend: policies and attachments made,
// read back, and a second run makes no mutating call. A policy Control
// Tower-like tooling attached is read as an occupied slot and kept.
func TestPackConverges(t *testing.T) {
	o := newOrg(t)
	ctx := awstest.Context(t, 60*time.Second)
	sandbox := o.createOU(t, o.rootID, "Sandbox")
	parents, err := o.api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(o.prodOU)})
	if err != nil || len(parents.Parents) != 1 {
		t.Fatalf("parents: %v", err)
	}
	workloads := aws.ToString(parents.Parents[0].Id)
	development := o.createOU(t, workloads, "Development")
	ids := map[string]string{"": o.rootID, "Workloads": workloads, "Workloads/Production": o.prodOU, "Workloads/Development": development, "Sandbox": sandbox}
	// Another tool's SCP on the production OU.
	foreign := o.foreignPolicy(t, "aws-guardrails-ct", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*"}]}`)
	if _, err := scp.EnsureAttachments(ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{foreign}}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	occupied, err := scp.ReadOccupied(ctx, o.api, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(occupied, map[string][]string{"Workloads/Production": {"aws-guardrails-ct"}}) {
		t.Fatalf("occupied: %v", occupied)
	}
	spec := scp.PackSpec{Targets: []string{"Workloads/Production", "Workloads/Development", "Sandbox"}, Occupied: occupied, Guardrails: map[string][]scp.Guardrail{
		"Workloads/Production":  {scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}), scp.DenyRootUser(scp.RootUserOptions{}), sized("bulk", "dynamodb", 6000)},
		"Workloads/Development": {scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})},
		"Sandbox":               {scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}), scp.DenyAll(scp.DenyAllOptions{})},
	}}
	run := func() (foundation.Changes, error) {
		p, err := scp.Pack(spec)
		if err != nil || len(p.Unfit) > 0 {
			return nil, fmt.Errorf("pack: %v %v", err, p.Unfit)
		}
		var changes foundation.Changes
		for _, ps := range p.PolicySpecs("", nil) {
			r, err := scp.EnsurePolicy(ctx, o.api, ps, awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			changes = append(changes, r.Changes...)
		}
		specs, err := p.AttachmentSpecs(ids, false, scp.Limits{})
		if err != nil {
			return nil, err
		}
		for _, as := range specs {
			a, err := scp.EnsureAttachments(ctx, o.api, as, awstest.Fast()...)
			if err != nil {
				return nil, err
			}
			changes = append(changes, a.Changes...)
		}
		return changes, nil
	}
	changes, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 0 {
		t.Fatal("no change on the first run")
	}
	// DenyLeaveOrganization is hoisted to Workloads (both its OUs have it),
	// then to the root (Workloads and Sandbox have it).
	requireAttached(t, o, o.rootID, "FullAWSAccess", "guardrails-root-1")
	requireAttached(t, o, o.prodOU, "FullAWSAccess", "aws-guardrails-ct", "guardrails-Workloads-Production-1")
	requireAttached(t, o, sandbox, "FullAWSAccess", "guardrails-Sandbox-1")
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) { return run() })
	var content string
	pg := organizations.NewListPoliciesPaginator(o.api, &organizations.ListPoliciesInput{Filter: "SERVICE_CONTROL_POLICY"})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Policies {
			if aws.ToString(s.Name) == "guardrails-Workloads-Production-1" {
				_, content, _ = o.describe(t, aws.ToString(s.Id))
			}
		}
	}
	if !strings.Contains(content, "DenyRootUser") || strings.Contains(content, "DenyLeaveOrganization") {
		t.Fatalf("content: %s", content)
	}
}
