package identitycenter_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// psTags reads a permission set's tags with sso-admin's own tag read.
func psTags(t *testing.T, b *awstest.Backend, o *org, arn string) map[string]string {
	t.Helper()
	m := map[string]string{}
	p := ssoadmin.NewListTagsForResourcePaginator(SSOAdmin(b), &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(o.instanceARN), ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range page.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	return m
}

// ownedSpec is one permission set with a managed policy and a tag.
func ownedSpec() identitycenter.AccessSpec {
	return identitycenter.AccessSpec{PermissionSets: []identitycenter.PermissionSetSpec{{
		Name: "DataReaders", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")},
		Tags: map[string]string{"team": "data"},
	}}}
}

// A permission set the library makes carries managed-by=foundation from
// its create; the rerun makes no mutating call.
func TestPermissionSetCarriesTheOwnershipTag(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	spec := withoutTags(b, ownedSpec())
	got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// Where the backend cannot list tags (moto), only the rerun is
	// checked: it must not refuse the permission set it made.
	if !b.Lacks(awstest.SSOListTagsForResource) {
		tags := psTags(t, b, o, got.PermissionSet("DataReaders").ARN)
		if tags[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || tags["team"] != "data" {
			t.Errorf("tags %v, want managed-by=foundation and team=data", tags)
		}
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}

// A permission set of the spec's name made outside the library (no tag,
// or managed-by=terraform) is refused before any write, in a dry run too;
// with Adopt it is converged as the spec says, without the tag and without
// detaching the policy the spec does not list, and the rerun makes no
// mutating call.
func TestStrangersPermissionSetIsRefusedUnlessAdopted(t *testing.T) {
	for _, managedBy := range []string{"", "terraform"} {
		t.Run("managed-by="+managedBy, func(t *testing.T) {
			b := awstest.New(t)
			b.Need(t, awstest.SSOListTagsForResource)
			ctx := awstest.Context(t, 30*time.Second)
			o := newOrg(t, ctx, b)
			sso := SSOAdmin(b)
			in := &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(o.instanceARN), Name: aws.String("DataReaders"), SessionDuration: aws.String("PT1H")}
			if managedBy != "" {
				in.Tags = []types.Tag{{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(managedBy)}}
			}
			made, err := sso.CreatePermissionSet(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			arn := made.PermissionSet.PermissionSetArn
			theirs := identitycenter.AWSManagedPolicy("ViewOnlyAccess")
			if _, err := sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
				InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn, ManagedPolicyArn: aws.String(theirs)}); err != nil {
				t.Fatal(err)
			}

			for _, dry := range []bool{true, false} {
				mark := b.Mark()
				_, err := identitycenter.EnsureAccess(ctx, apiFor(b), ownedSpec(), awstest.Fast(foundation.WithDryRun(dry))...)
				var nm *foundation.NotManagedError
				if !errors.As(err, &nm) || nm.Kind != identitycenter.ResPermissionSet || nm.ID != "DataReaders" ||
					nm.Field != "spec.PermissionSets[0].Adopt" || nm.Tag != managedBy || !errors.Is(err, foundation.ErrNotManaged) {
					t.Fatalf("dry run %v: %v (%#v), want a NotManagedError naming the permission set and spec.PermissionSets[0].Adopt", dry, err, nm)
				}
				if m := b.MutatingCalls(mark); len(m) != 0 {
					t.Fatalf("dry run %v: refused after writing %v", dry, m)
				}
			}

			adopted := ownedSpec()
			adopted.PermissionSets[0].Adopt = true
			if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), adopted, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			tags := psTags(t, b, o, aws.ToString(arn))
			if tags[foundation.ManagedByTagKey] != managedBy || tags["team"] != "data" {
				t.Errorf("tags %v: want the owner's managed-by (%q) kept and team=data", tags, managedBy)
			}
			var attached []string
			p := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(sso, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page.AttachedManagedPolicies {
					attached = append(attached, aws.ToString(m.Arn))
				}
			}
			slices.Sort(attached)
			if want := []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess"), theirs}; !slices.Equal(attached, want) {
				t.Errorf("attached %v, want %v (the spec's added, the owner's kept)", attached, want)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				again, err := identitycenter.EnsureAccess(ctx, apiFor(b), adopted, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				return again.Changes, nil
			})
		})
	}
}

// A CreatePermissionSet AWS applied whose answer was lost leaves exactly
// one permission set, tagged, and the run converges it.
func TestLostPermissionSetCreateLeavesOneTaggedPermissionSet(t *testing.T) {
	b := awstest.New(t)
	em := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b)
	f := em.AddFault(&emulator.Fault{Match: emulator.Match{Service: "sso", Operation: "CreatePermissionSet"}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	got, err := identitycenter.EnsureAccess(ctx, apiFor(b), ownedSpec(), awstest.Fast()...)
	if err != nil || f.Fired() != 1 {
		t.Fatalf("err %v, fired %d", err, f.Fired())
	}
	out, err := SSOAdmin(b).ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(o.instanceARN)})
	if err != nil || len(out.PermissionSets) != 1 {
		t.Fatalf("permission sets %v, %v", out, err)
	}
	if tags := psTags(t, b, o, got.PermissionSet("DataReaders").ARN); tags[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
		t.Errorf("tags %v", tags)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), ownedSpec(), awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}
