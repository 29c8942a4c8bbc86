package scp_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

const strangerContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}`

// strangerPolicy creates an SCP as another tool would (with the SDK, tags
// as given) and returns its ID.
func (o *org) strangerPolicy(t *testing.T, name string, tags map[string]string) string {
	t.Helper()
	in := &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("theirs"),
		Content: aws.String(strangerContent), Type: types.PolicyTypeServiceControlPolicy}
	for k, v := range tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := o.api.CreatePolicy(o.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy.PolicySummary.Id)
}

func requireNotManaged(t *testing.T, err error, name, tag string) {
	t.Helper()
	var nm *foundation.NotManagedError
	if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) || !errors.Is(err, foundation.ErrConflict) {
		t.Fatalf("want a *foundation.NotManagedError, got %v", err)
	}
	if nm.Kind != scp.ResourcePolicy || nm.ID != name || nm.Field != "spec.Adopt" || nm.Tag != tag {
		t.Fatalf("error names %+v", *nm)
	}
}

// A policy of the spec's name that this library did not make (no
// managed-by tag, or managed-by=terraform) is refused before any write,
// in a dry run too, and left exactly as it was.
func TestEnsurePolicyRefusesAPolicyItDidNotMake(t *testing.T) {
	o := newOrg(t)
	for _, tc := range []struct{ name, tag string }{{"hand-made", ""}, {"terraform-made", "terraform"}} {
		t.Run(tc.name, func(t *testing.T) {
			tags := map[string]string{"owner": "alice"}
			if tc.tag != "" {
				tags[scp.ManagedByTagKey] = tc.tag
			}
			id := o.strangerPolicy(t, tc.name, tags)
			spec := scp.PolicySpec{Name: tc.name, Description: "ours", Document: mustDoc(t, seed000), Tags: map[string]string{"team": "platform"}}
			for _, dry := range []bool{true, false} {
				mark := o.b.Mark()
				p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast(foundation.WithDryRun(dry))...)
				if p != nil {
					t.Fatalf("dry run %v: result %+v", dry, p)
				}
				requireNotManaged(t, err, tc.name, tc.tag)
				o.b.RequireNoMutations(t, mark)
			}
			if _, raw, desc := o.describe(t, id); raw != strangerContent || desc != "theirs" {
				t.Fatalf("the stranger's policy changed: %s %q", raw, desc)
			}
			if got := o.tags(t, id); len(got) != len(tags) || got["owner"] != "alice" || got[scp.ManagedByTagKey] != tc.tag {
				t.Fatalf("the stranger's tags changed: %v", got)
			}
		})
	}
}

// With Adopt, a stranger's policy is converged as the spec says but never
// given the marker nor stripped of its owner's tags; a rerun changes
// nothing; and an attachment list that leaves it out does not detach it.
func TestEnsurePolicyAdoptConvergesWithoutTakingOver(t *testing.T) {
	o := newOrg(t)
	for _, tc := range []struct{ name, tag string }{{"hand-made", ""}, {"terraform-made", "terraform"}} {
		t.Run(tc.name, func(t *testing.T) {
			tags := map[string]string{"owner": "alice"}
			if tc.tag != "" {
				tags[scp.ManagedByTagKey] = tc.tag
			}
			id := o.strangerPolicy(t, tc.name, tags)
			spec := scp.PolicySpec{Name: tc.name, Description: "ours", Document: mustDoc(t, seed000), Tags: map[string]string{"team": "platform"}, Adopt: true}
			want := []string{
				"update organizations:policy-content " + tc.name,
				"update organizations:policy " + tc.name,
				"update organizations:policy-tags " + tc.name,
			}
			mark := o.b.Mark()
			dry, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil {
				t.Fatal(err)
			}
			o.b.RequireNoMutations(t, mark)
			requireChanges(t, dry.Changes, want...)
			p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, p.Changes, want...)
			if p.ID != id {
				t.Fatalf("adopted %s, want %s", p.ID, id)
			}
			if doc, _, desc := o.describe(t, id); !doc.Equal(spec.Document) || desc != "ours" {
				t.Fatalf("not converged: %q", desc)
			}
			got := o.tags(t, id)
			if got["team"] != "platform" || got["owner"] != "alice" || got[scp.ManagedByTagKey] != tc.tag || len(got) != len(tags)+1 {
				t.Fatalf("tags after adopting: %v", got)
			}
			o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return p.Changes, nil
			})

			// Attached to an OU, it is never detached by a list leaving it
			// out: it is not the library's.
			if _, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{tc.name}}, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			res, err := scp.EnsureAttachments(o.ctx, o.api, scp.AttachmentSpec{TargetID: o.prodOU, Policies: []string{}}, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, res.Changes)
			if names := o.attached(t, o.prodOU); !slices.Contains(names, tc.name) {
				t.Fatalf("the adopted policy was detached: %v", names)
			}
		})
	}
}

// strangerWins is another tool creating the policy while EnsurePolicy's
// own CreatePolicy is lost on the way (a connection error: maybe applied).
type strangerWins struct {
	scp.API
	o *org
	t *testing.T
}

func (s *strangerWins) CreatePolicy(ctx context.Context, in *organizations.CreatePolicyInput, opts ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error) {
	s.o.strangerPolicy(s.t, aws.ToString(in.Name), nil)
	return nil, &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}
}

// A create whose answer was lost is taken as this run's only if the policy
// found carries the ownership tag: one made meanwhile by someone else is
// refused, left untagged, and not made twice.
func TestEnsurePolicyLostCreateFindsAStrangersPolicy(t *testing.T) {
	o := newOrg(t)
	spec := scp.PolicySpec{Name: "raced", Document: mustDoc(t, seed000)}
	_, err := scp.EnsurePolicy(o.ctx, &strangerWins{API: o.api, o: o, t: t}, spec, awstest.Fast()...)
	requireNotManaged(t, err, "raced", "")
	page, err := o.api.ListPolicies(o.ctx, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range page.Policies {
		if aws.ToString(p.Name) == "raced" {
			n++
			if tags := o.tags(t, aws.ToString(p.Id)); len(tags) != 0 {
				t.Errorf("the stranger's policy was tagged: %v", tags)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d policies named raced", n)
	}
}
