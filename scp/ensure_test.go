package scp_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/scp"
)

// org is a fresh organization (all features, SCPs not enabled yet) with a
// Workloads/Production OU.
type org struct {
	b      *awstest.Backend
	api    *organizations.Client
	ctx    context.Context
	rootID string
	prodOU string
	// suspended is created on demand by suspendedOU.
	suspended string
}

func newOrg(t *testing.T) *org {
	t.Helper()
	return orgOn(t, awstest.Context(t, 60*time.Second), awstest.New(t))
}

// orgOn makes the organization of newOrg on b; its calls use ctx.
func orgOn(t *testing.T, ctx context.Context, b *awstest.Backend) *org {
	t.Helper()
	// The test's own organization: it enables SCPs on the root and names
	// its policies and OUs plainly.
	b.Require(t, awstest.CapFreshState)
	o := &org{b: b, api: b.Organizations(), ctx: ctx}
	if _, err := o.api.CreateOrganization(o.ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := o.api.ListRoots(o.ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("list roots: %v", err)
	}
	o.rootID = aws.ToString(roots.Roots[0].Id)
	workloads := o.createOU(t, o.rootID, "Workloads")
	o.prodOU = o.createOU(t, workloads, "Production")
	return o
}

func (o *org) createOU(t *testing.T, parent, name string) string {
	t.Helper()
	out, err := o.api.CreateOrganizationalUnit(o.ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

// attached returns the names of the SCPs attached to target, sorted.
func (o *org) attached(t *testing.T, target string) []string {
	t.Helper()
	var names []string
	p := organizations.NewListPoliciesForTargetPaginator(o.api, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(o.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Policies {
			names = append(names, aws.ToString(s.Name))
		}
	}
	sort.Strings(names)
	return names
}

// describe returns the content and description of the policy with id.
func (o *org) describe(t *testing.T, id string) (*foundation.PolicyDocument, string, string) {
	t.Helper()
	out, err := o.api.DescribePolicy(o.ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	raw := aws.ToString(out.Policy.Content)
	doc, err := foundation.ParsePolicy(raw)
	if err != nil {
		t.Fatal(err)
	}
	return doc, raw, aws.ToString(out.Policy.PolicySummary.Description)
}

func (o *org) tags(t *testing.T, id string) map[string]string {
	t.Helper()
	m := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(o.api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(o.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range page.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	return m
}

// foreignPolicy creates an SCP by hand (no managed-by tag) and returns its ID.
func (o *org) foreignPolicy(t *testing.T, name, content string) string {
	t.Helper()
	out, err := o.api.CreatePolicy(o.ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("made by hand"),
		Content: aws.String(content), Type: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy.PolicySummary.Id)
}

func changeStrings(cs foundation.Changes) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
	}
	return out
}

func requireChanges(t *testing.T, got foundation.Changes, want ...string) {
	t.Helper()
	if g := changeStrings(got); !slices.Equal(g, want) {
		t.Fatalf("changes:\n got %q\nwant %q", g, want)
	}
}

func guardrailSpec(t *testing.T) scp.PolicySpec {
	return scp.PolicySpec{
		Name:        "securecart-guardrails",
		Description: "Seed 002: root user, Regions, encryption, internet gateways",
		Document:    mustDoc(t, seed002),
		Tags:        map[string]string{"team": "platform"},
	}
}

func TestEnsurePolicyCreatesReadsBackAndIsIdempotent(t *testing.T) {
	o := newOrg(t)
	spec := guardrailSpec(t)
	mark := o.b.Mark()
	dry, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	o.b.RequireNoMutations(t, mark)
	requireChanges(t, dry.Changes, "create organizations:policy securecart-guardrails")
	if dry.ID != plan.Predict("scp", spec.Name) || dry.ARN != "" {
		t.Fatalf("dry run: want a predicted ID and no ARN: %+v", dry)
	}
	p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	requireChanges(t, p.Changes, "create organizations:policy securecart-guardrails")
	if !strings.HasPrefix(p.ID, "p-") || !strings.Contains(p.ARN, p.ID) || p.Name != spec.Name {
		t.Fatalf("policy: %+v", p)
	}
	doc, raw, desc := o.describe(t, p.ID)
	if !doc.Equal(spec.Document) {
		t.Fatalf("content read back differs:\n%s", raw)
	}
	if want, _ := scp.Minify(spec.Document); raw != want || p.Size != len([]rune(want)) {
		t.Fatalf("content not written minified (%d characters reported):\n%s", p.Size, raw)
	}
	if desc != spec.Description {
		t.Fatalf("description %q", desc)
	}
	if tags := o.tags(t, p.ID); tags["team"] != "platform" || tags[scp.ManagedByTagKey] != scp.ManagedByTagValue || len(tags) != 2 {
		t.Fatalf("tags: %v", tags)
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p2, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		if p2.ID != p.ID {
			t.Fatalf("second run found %s, not %s", p2.ID, p.ID)
		}
		return p2.Changes, nil
	})
}

func TestEnsurePolicyUpdatesContentDescriptionAndTags(t *testing.T) {
	o := newOrg(t)
	spec := guardrailSpec(t)
	p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// A tag someone else put on the policy is kept.
	if _, err := o.api.TagResource(o.ctx, &organizations.TagResourceInput{ResourceId: aws.String(p.ID),
		Tags: []types.Tag{{Key: aws.String("cost-center"), Value: aws.String("42")}}}); err != nil {
		t.Fatal(err)
	}

	spec.Document = scp.MustBuild(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}), // eu-central-1 dropped
		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),              // added
	)
	spec.Description = "tighter"
	spec.Tags = map[string]string{"team": "security"}

	mark := o.b.Mark()
	dry, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	o.b.RequireNoMutations(t, mark)
	want := []string{
		"update organizations:policy-content securecart-guardrails",
		"update organizations:policy securecart-guardrails",
		"update organizations:policy-tags securecart-guardrails",
	}
	requireChanges(t, dry.Changes, want...)
	var fields []string
	for _, d := range dry.Changes[0].Diffs {
		fields = append(fields, d.Field)
	}
	if got := strings.Join(fields, ", "); got != "Statement DenyOutsideAllowedRegions, Statement DenyLeaveOrganization, "+
		"Statement DenyS3UnapprovedEncryption, Statement DenyUnencryptedEBSVolumes, Statement DenyDisableEBSEncryptionByDefault, "+
		"Statement DenyUnencryptedRDSStorage, Statement DenyInternetGateways" {
		t.Fatalf("content diffs: %s", got)
	}
	if d := dry.Changes[2].Diffs; len(d) != 1 || d[0] != (foundation.Diff{Field: "tag team", From: "platform", To: "security"}) {
		t.Fatalf("tag diffs: %+v", d)
	}

	p2, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	requireChanges(t, p2.Changes, want...)
	doc, _, desc := o.describe(t, p.ID)
	if !doc.Equal(spec.Document) || desc != "tighter" {
		t.Fatalf("read back: %s %q", doc.MustJSON(), desc)
	}
	if tags := o.tags(t, p.ID); tags["team"] != "security" || tags["cost-center"] != "42" {
		t.Fatalf("tags: %v", tags)
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	})
}

func TestEnsurePolicyAdoptsAHandMadePolicyWithoutRewritingIt(t *testing.T) {
	o := newOrg(t)
	// Seed 000's SCP, pasted into the console as printed (indented).
	id := o.foreignPolicy(t, "production-protection", seed000Production)
	spec := scp.PolicySpec{Name: "production-protection", Description: "made by hand", Document: mustDoc(t, seed000), Adopt: true}
	p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != id {
		t.Fatalf("adopted %s, want %s", p.ID, id)
	}
	// Same meaning, other formatting: nothing changes (an adopted policy
	// is not given the marker tag).
	requireChanges(t, p.Changes)
	if _, raw, _ := o.describe(t, id); raw != seed000Production {
		t.Fatal("content was rewritten though it meant the same")
	}
	if tags := o.tags(t, id); len(tags) != 0 {
		t.Fatalf("an adopted policy was tagged: %v", tags)
	}
}

// racingCreate is another run creating the policy between EnsurePolicy's
// read and its create: the other run's CreatePolicy goes out just before
// ours, which gets AWS's answer (DuplicatePolicyException).
type racingCreate struct {
	scp.API
	once  sync.Once
	raced bool
	err   error
}

func (r *racingCreate) CreatePolicy(ctx context.Context, in *organizations.CreatePolicyInput, opts ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error) {
	r.once.Do(func() { _, r.err = r.API.CreatePolicy(ctx, in, opts...); r.raced = true })
	if r.err != nil {
		return nil, fmt.Errorf("the racing create: %w", r.err)
	}
	return r.API.CreatePolicy(ctx, in, opts...)
}

func TestEnsurePolicyCreateRaceConverges(t *testing.T) {
	o := newOrg(t)
	spec := guardrailSpec(t)
	api := &racingCreate{API: o.api}
	p, err := scp.EnsurePolicy(o.ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if !api.raced {
		t.Fatal("no race")
	}
	doc, _, _ := o.describe(t, p.ID)
	if !doc.Equal(spec.Document) || o.tags(t, p.ID)[scp.ManagedByTagKey] != scp.ManagedByTagValue {
		t.Fatal("not converged after the race")
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	})
}

func TestEnsurePolicyRefusesAWSManagedName(t *testing.T) {
	o := newOrg(t)
	// The name check is in validation; an AWS managed policy found by
	// another route is refused too.
	if _, err := scp.EnsurePolicy(o.ctx, o.api, scp.PolicySpec{Name: "FullAWSAccess", Document: fullAWSAccess()}); !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v", err)
	}
}

// A dry run before the organization exists (the first plan of a landing
// zone) lists the policy's creation instead of failing.
func TestEnsurePolicyDryRunBeforeOrganization(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // no organization yet
	ctx := awstest.Context(t, 30*time.Second)
	mark := b.Mark()
	p, err := scp.EnsurePolicy(ctx, b.Organizations(), scp.PolicySpec{
		Name:     "deny-leave",
		Document: scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})),
	}, foundation.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) == 0 || p.Changes[0].Action != foundation.ActionCreate {
		t.Fatalf("want a planned create, got %v", p.Changes)
	}
	b.RequireNoMutations(t, mark)
	if b.Lacks(awstest.OrgNotInUse) {
		return
	}

	_, err = scp.EnsurePolicy(ctx, b.Organizations(), scp.PolicySpec{
		Name:     "deny-leave",
		Document: scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{})),
	})
	var notInUse *types.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("a real run without an organization must fail typed, got %v", err)
	}
}
