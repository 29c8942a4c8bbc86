package kms_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/kms"
)

// keyTags reads a key's tags with KMS's own tag read, every page.
func ownerKeyTags(t *testing.T, b *awstest.Backend, id string) map[string]string {
	t.Helper()
	m := map[string]string{}
	pg := awskms.NewListResourceTagsPaginator(awskms.NewFromConfig(b.Config()), &awskms.ListResourceTagsInput{KeyId: aws.String(id)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
		}
	}
	return m
}

// strangerKey makes a key and its alias with the SDK directly, as someone
// else would: their policy (the account's root and their own auditor
// statement), their tag, managed-by=managedBy unless empty.
func strangerKey(t *testing.T, b *awstest.Backend, alias, managedBy string) string {
	t.Helper()
	c := awskms.NewFromConfig(b.Config())
	root := "arn:aws:iam::" + b.AccountID(t) + ":root"
	tags := []kmstypes.Tag{{TagKey: aws.String("owner"), TagValue: aws.String("team-a")}}
	if managedBy != "" {
		tags = append(tags, kmstypes.Tag{TagKey: aws.String(foundation.ManagedByTagKey), TagValue: aws.String(managedBy)})
	}
	out, err := c.CreateKey(t.Context(), &awskms.CreateKeyInput{Tags: tags, KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"TheirAuditor","Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"kms:DescribeKey","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(t.Context(), &awskms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

// A key EnsureKey creates carries managed-by=foundation from CreateKey
// itself (no TagResource), read back with ListResourceTags; a rerun makes
// no mutating call.
func TestNewKeyCarriesTheOwnershipTag(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	delete(spec.Tags, foundation.ManagedByTagKey)
	mark := b.Mark()
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.MutatingCalls(mark) {
		if c.Operation == "TagResource" {
			t.Errorf("tagged after CreateKey: the ownership tag goes on in the create call")
		}
	}
	if got := ownerKeyTags(t, b, k.KeyID); got[foundation.ManagedByTagKey] != foundation.ManagedByTagValue || got["env"] != "prod" || got[kms.AliasTagKey] != spec.Alias {
		t.Errorf("tags %v", got)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return k.Changes, nil
	})
}

// A key the alias names that was made outside the library (untagged, or
// managed-by=terraform) is a *foundation.NotManagedError naming kms:key,
// the alias and spec.Adopt, with no mutating call, in a dry run too.
func TestStrangersKeyIsRefused(t *testing.T) {
	for _, owner := range []string{"", "terraform"} {
		t.Run("managed-by="+owner, func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 20*time.Second)
			spec := specFor(t, b, "prod", "us-east-1")
			id := strangerKey(t, b, spec.Alias, owner)
			for _, dry := range []bool{true, false} {
				mark := b.Mark()
				_, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
				var nm *foundation.NotManagedError
				if !errors.As(err, &nm) || !errors.Is(err, foundation.ErrNotManaged) {
					t.Fatalf("dry run %v: err = %v", dry, err)
				}
				if nm.Kind != kms.ResourceKey || nm.ID != spec.Alias || nm.Field != "spec.Adopt" || nm.Tag != owner {
					t.Errorf("dry run %v: %+v", dry, *nm)
				}
				b.RequireNoMutations(t, mark)
			}
			if got := ownerKeyTags(t, b, id); got[foundation.ManagedByTagKey] != owner || got["owner"] != "team-a" {
				t.Errorf("tags %v", got)
			}
		})
	}
}

// With Adopt, a stranger's key is converged as the spec says (the spec's
// statements, description, rotation, tags) but stays theirs: never tagged
// managed-by=foundation, their tag kept, and their own key policy
// statement (a Sid the spec does not have) kept. The rerun makes no
// mutating call.
func TestAdoptConvergesAStrangersKeyWithoutTakingItOver(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	spec.Adopt = true
	id := strangerKey(t, b, spec.Alias, "")
	mark := b.Mark()
	planned, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	got := changeList(k.Changes)
	if p := changeList(planned.Changes); !slices.Equal(p, got) {
		t.Errorf("the dry run planned %q, the run made %q", p, got)
	}
	for _, want := range []string{"update kms:key-policy " + spec.Alias, "update kms:key-description " + spec.Alias, "update kms:key-tags " + spec.Alias} {
		if !slices.Contains(got, want) {
			t.Errorf("changes %q lack %q", got, want)
		}
	}
	if k.KeyID != id {
		t.Errorf("converged %s, not the alias's key %s", k.KeyID, id)
	}
	tags := ownerKeyTags(t, b, id)
	if _, ok := tags[foundation.ManagedByTagKey]; ok || tags["owner"] != "team-a" || tags["env"] != "prod" {
		t.Errorf("tags %v: adopted, it stays the owner's", tags)
	}
	doc := keyPolicy(t, ctx, awskms.NewFromConfig(b.Config()), id)
	for _, sid := range []string{"TheirAuditor", "Allow EKS", "Allow AutoScaling"} {
		if _, ok := doc.StatementBySid(sid); !ok {
			t.Errorf("key policy lacks %q: %s", sid, doc.MustJSON())
		}
	}
	if _, ok := k.Policy.StatementBySid("TheirAuditor"); !ok {
		t.Errorf("Key.Policy is not the policy the key has: %s", k.Policy.MustJSON())
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return k.Changes, nil
	})
}

// spec.Tags may not set managed-by to another value: refused before any
// call.
func TestKeyTagsMayNotClaimAnotherOwner(t *testing.T) {
	b := awstest.New(t)
	spec := seedSpec(account, "prod", "us-east-1")
	spec.Tags = map[string]string{foundation.ManagedByTagKey: "terraform"}
	mark := b.Mark()
	_, err := kms.EnsureKey(t.Context(), apiFor(b), spec)
	var se *foundation.SpecError
	if !errors.As(err, &se) || se.Field != `spec.Tags["managed-by"]` {
		t.Errorf("err = %v", err)
	}
	b.RequireNoCalls(t, mark)
}

// A CreateKey AWS applied whose answer was lost leaves exactly one key for
// the alias, tagged managed-by=foundation.
func TestLostCreateKeyLeavesOneTaggedKey(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "kms", Operation: "CreateKey"}, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil || f.Fired() != 1 {
		t.Fatalf("err %v, fired %d", err, f.Fired())
	}
	c := awskms.NewFromConfig(b.Config())
	n := 0
	pg := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range out.Keys {
			if ownerKeyTags(t, b, aws.ToString(key.KeyId))[kms.AliasTagKey] == spec.Alias {
				n++
			}
		}
	}
	if tags := ownerKeyTags(t, b, k.KeyID); n != 1 || tags[foundation.ManagedByTagKey] != foundation.ManagedByTagValue {
		t.Errorf("%d keys for the alias; tags %v", n, tags)
	}
}

// An unaliased key tagged AliasTagKey=alias but not managed-by=foundation
// is not taken for a stopped run's key (someone else made it): EnsureKey
// creates its own, and leaves that one alone.
func TestOrphanWithoutTheOwnershipTagIsNotTaken(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	c := awskms.NewFromConfig(b.Config())
	theirs, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String(kms.AliasTagKey), TagValue: aws.String(spec.Alias)}}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID == aws.ToString(theirs.KeyMetadata.KeyId) || !slices.Contains(changeList(k.Changes), "create kms:key "+spec.Alias) {
		t.Errorf("took %s (theirs %s); changes %q", k.KeyID, aws.ToString(theirs.KeyMetadata.KeyId), changeList(k.Changes))
	}
	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: theirs.KeyMetadata.KeyId})
	if err != nil || d.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("their key: %v %v", d, err)
	}
}
