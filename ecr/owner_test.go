package ecr_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

func repoTags(t *testing.T, b *awstest.Backend, name string) map[string]string {
	t.Helper()
	d, err := client(b).DescribeRepositories(t.Context(), &awsecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client(b).ListTagsForResource(t.Context(), &awsecr.ListTagsForResourceInput{ResourceArn: d.Repositories[0].RepositoryArn})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

// strangerRepo makes a repository with the SDK directly, as someone else
// would: mutable, their tag (and managed-by=managedBy unless empty), and a
// repository policy with their own statements, one of them under the
// builder's push Sid.
func strangerRepo(t *testing.T, b *awstest.Backend, name, managedBy string) {
	t.Helper()
	tags := []ecrtypes.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}}
	if managedBy != "" {
		tags = append(tags, ecrtypes.Tag{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(managedBy)})
	}
	if _, err := client(b).CreateRepository(t.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(name), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	root := "arn:aws:iam::" + b.AccountID(t) + ":root"
	if _, err := client(b).SetRepositoryPolicy(t.Context(), &awsecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"` + ecr.SidPush + `","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":["ecr:PutImage"]},` +
		`{"Sid":"TheirPull","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":["ecr:BatchGetImage"]}]}`)}); err != nil {
		t.Fatal(err)
	}
}

// A repository EnsureRepository creates carries managed-by=foundation from
// CreateRepository itself (read back with ListTagsForResource); a rerun
// makes no mutating call.
func TestNewRepositoryCarriesTheOwnershipTag(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, "")
	spec.Tags = map[string]string{"app": "myapp"}
	mark := b.Mark()
	if _, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	for _, c := range b.MutatingCalls(mark) {
		if c.Operation == "TagResource" {
			t.Errorf("tagged after CreateRepository: the ownership tag goes on in the create call")
		}
	}
	if got := repoTags(t, b, spec.Name); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || got["app"] != "myapp" {
		t.Errorf("tags %v", got)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// A repository of the name made outside the library (untagged, or
// managed-by=terraform) is a *foundation.NotManagedError naming
// ecr:repository, the name and spec.Adopt, with no mutating call, in a dry
// run too.
func TestStrangersRepositoryIsRefused(t *testing.T) {
	for _, owner := range []string{"", "terraform"} {
		t.Run("managed-by="+owner, func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 20*time.Second)
			spec := specFor(b, "")
			strangerRepo(t, b, spec.Name, owner)
			for _, dry := range []bool{true, false} {
				mark := b.Mark()
				_, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
				var nm *foundation.NotManagedError
				if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) {
					t.Fatalf("dry run %v: err = %v", dry, err)
				}
				if nm.Kind != ecr.ResourceRepository || nm.ID != spec.Name || nm.Field != "spec.Adopt" || nm.Tag != owner {
					t.Errorf("dry run %v: %+v", dry, *nm)
				}
				b.RequireNoMutations(t, mark)
			}
		})
	}
}

// With Adopt, a stranger's repository is converged as the spec says
// (immutable tags, scan on push, lifecycle, the builder's pull statement,
// tags) but stays theirs: never tagged managed-by=foundation, their tag
// kept, and none of their policy statements removed, not even the one
// under the builder's push Sid that the spec does not produce. The rerun
// makes no mutating call.
func TestAdoptConvergesAStrangersRepositoryWithoutTakingItOver(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, "")
	spec.Encryption = "" // theirs is AES256, which ECR cannot change
	spec.Adopt = true
	strangerRepo(t, b, spec.Name, "")
	mark := b.Mark()
	planned, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changes) == 0 {
		t.Fatal("nothing converged")
	}
	if p, g := changeList(planned.Changes), changeList(r.Changes); !slices.Equal(p, g) {
		t.Errorf("the dry run planned %q, the run made %q", p, g)
	}
	tags := repoTags(t, b, spec.Name)
	if _, ok := tags[foundation.ManagedByTagKey]; ok || tags["owner"] != "team-a" || tags["app"] != "myapp" {
		t.Errorf("tags %v: adopted, it stays the owner's", tags)
	}
	pol, err := client(b).GetRepositoryPolicy(ctx, &awsecr.GetRepositoryPolicyInput{RepositoryName: aws.String(spec.Name)})
	if err != nil {
		t.Fatal(err)
	}
	doc := mustParse(t, aws.ToString(pol.PolicyText))
	for _, sid := range []string{ecr.SidPush, "TheirPull", ecr.SidCrossAccountPull} {
		if _, ok := doc.StatementBySid(sid); !ok {
			t.Errorf("repository policy lacks %q: %s", sid, doc.MustJSON())
		}
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// spec.Tags may not set managed-by to another value: refused before any
// call.
func TestRepositoryTagsMayNotClaimAnotherOwner(t *testing.T) {
	b := awstest.New(t)
	spec := specFor(b, "")
	spec.Tags = map[string]string{foundation.ManagedByTagKey: "terraform"}
	mark := b.Mark()
	_, err := ecr.EnsureRepository(t.Context(), client(b), spec)
	var se *foundation.SpecError
	if !errors.As(err, &se) || se.Field != `spec.Tags["managed-by"]` {
		t.Errorf("err = %v", err)
	}
	b.RequireNoCalls(t, mark)
}

// A CreateRepository AWS applied whose answer was lost leaves one
// repository, tagged managed-by=foundation, converged by the same run.
func TestLostCreateRepositoryLeavesOneTaggedRepository(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, "")
	f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "ecr", Operation: "CreateRepository"}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	if _, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...); err != nil || f.Fired() != 1 {
		t.Fatalf("err %v, fired %d", err, f.Fired())
	}
	if got := repoTags(t, b, spec.Name); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
		t.Errorf("tags %v", got)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}
