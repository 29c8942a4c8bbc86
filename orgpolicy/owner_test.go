package orgpolicy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/scp"
)

// A tag policy of the spec's name made outside this library (no managed-by
// tag, or managed-by=terraform) is refused before any write, in a dry run
// too; with Adopt it is converged, never tagged managed-by=foundation, its
// owner's tags kept, and a rerun makes no mutating call. A policy the
// library creates carries managed-by=foundation from its create.
func TestEnsurePolicyOwnership(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, 60*time.Second)
	api := b.Organizations()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	tagsOf := func(id string) map[string]string {
		t.Helper()
		out, err := api.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	theirs := `{"tags":{"team":{"tag_key":{"@@assign":"Team"}}}}`
	for _, tc := range []struct{ name, tag string }{{"hand-made", ""}, {"terraform-made", "terraform"}} {
		t.Run(tc.name, func(t *testing.T) {
			in := &organizations.CreatePolicyInput{Name: aws.String(tc.name), Description: aws.String("theirs"), Content: aws.String(theirs),
				Type: orgpolicy.Tag, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}}
			if tc.tag != "" {
				in.Tags = append(in.Tags, types.Tag{Key: aws.String(scp.ManagedByTagKey), Value: aws.String(tc.tag)})
			}
			out, err := api.CreatePolicy(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.Policy.PolicySummary.Id)
			spec := orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: tc.name, Description: "ours", Document: docs()[orgpolicy.Tag]}
			for _, dry := range []bool{true, false} {
				mark := b.Mark()
				_, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast(foundation.WithDryRun(dry))...)
				var nm *foundation.NotManagedError
				if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) || nm.Kind != orgpolicy.ResourcePolicy ||
					nm.ID != tc.name || nm.Field != "spec.Adopt" || nm.Tag != tc.tag {
					t.Fatalf("dry run %v: want a NotManagedError, got %v", dry, err)
				}
				b.RequireNoMutations(t, mark)
			}

			spec.Adopt = true
			p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != id || len(p.Changes) != 2 {
				t.Fatalf("adopted %s (want %s), changes %v", p.ID, id, p.Changes)
			}
			d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := docs()[orgpolicy.Tag].Content(); aws.ToString(d.Policy.Content) != want || aws.ToString(d.Policy.PolicySummary.Description) != "ours" {
				t.Fatalf("not converged: %s", aws.ToString(d.Policy.Content))
			}
			if got := tagsOf(id); got["owner"] != "alice" || got[scp.ManagedByTagKey] != tc.tag {
				t.Fatalf("tags after adopting: %v", got)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				p, err := orgpolicy.EnsurePolicy(ctx, api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return p.Changes, nil
			})
		})
	}

	// Its own: tagged from the create.
	p, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: orgpolicy.Tag, Name: "ours", Document: docs()[orgpolicy.Tag]}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(p.ID); got[scp.ManagedByTagKey] != scp.ManagedByTagValue {
		t.Fatalf("tags of a new policy: %v", got)
	}
}
