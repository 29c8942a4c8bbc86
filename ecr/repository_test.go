package ecr_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
)

func TestSeedRepositoryConvergesOnAFreshAccount(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "prod-us-east-1-main"))
	acct := b.AccountID(t)
	mark := b.Mark()
	repo, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fresh: %d calls, %d mutating", len(b.Calls(mark)), len(b.MutatingCalls(mark)))
	want := []string{"create ecr:repository " + spec.Name, "create ecr:lifecycle-policy " + spec.Name, "create ecr:repository-policy " + spec.Name}
	if got := changeList(repo.Changes); !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q", got, want)
	}
	if n := len(b.MutatingCalls(mark)); n != len(want) {
		t.Errorf("%d mutating calls", n)
	}
	if repo.ARN != "arn:aws:ecr:us-east-1:"+acct+":repository/"+spec.Name || repo.URI != acct+".dkr.ecr.us-east-1.amazonaws.com/"+spec.Name ||
		repo.RegistryID != acct || !repo.Policy.Equal(mustParse(t, seedPolicyJSON)) {
		t.Errorf("result: %+v", repo)
	}
	verifyRepository(t, ctx, b, spec, mustParse(t, seedPolicyJSON))
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}

// verifyRepository reads everything back with the SDK.
func verifyRepository(t *testing.T, ctx context.Context, b *awstest.Backend, spec ecr.Spec, policy *foundation.PolicyDocument) {
	t.Helper()
	c := client(b)
	d, err := c.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{RepositoryNames: []string{spec.Name}})
	if err != nil || len(d.Repositories) != 1 {
		t.Fatalf("describe: %v %v", d, err)
	}
	r := d.Repositories[0]
	mut := spec.TagMutability
	if mut == "" {
		mut = ecrtypes.ImageTagMutabilityImmutable
	}
	var filters []string
	for _, f := range r.ImageTagMutabilityExclusionFilters {
		filters = append(filters, aws.ToString(f.Filter))
	}
	if r.ImageTagMutability != mut || !slices.Equal(filters, spec.MutabilityExclusions) {
		t.Errorf("mutability %s %v", r.ImageTagMutability, filters)
	}
	if r.ImageScanningConfiguration == nil || r.ImageScanningConfiguration.ScanOnPush == spec.DisableScanOnPush {
		t.Errorf("scanning %+v", r.ImageScanningConfiguration)
	}
	if spec.KMSKey != "" && (r.EncryptionConfiguration.EncryptionType != ecrtypes.EncryptionTypeKms || aws.ToString(r.EncryptionConfiguration.KmsKey) != spec.KMSKey) {
		t.Errorf("encryption %+v", r.EncryptionConfiguration)
	}
	if spec.Lifecycle != nil {
		lc, err := c.GetLifecyclePolicy(ctx, &awsecr.GetLifecyclePolicyInput{RepositoryName: aws.String(spec.Name)})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := spec.Lifecycle.JSON()
		if !ecr.LifecycleEqual(aws.ToString(lc.LifecyclePolicyText), want) {
			t.Errorf("lifecycle\n have %s\n want %s", aws.ToString(lc.LifecyclePolicyText), want)
		}
	}
	if policy != nil {
		p, err := c.GetRepositoryPolicy(ctx, &awsecr.GetRepositoryPolicyInput{RepositoryName: aws.String(spec.Name)})
		if err != nil {
			t.Fatal(err)
		}
		if have := mustParse(t, aws.ToString(p.PolicyText)); !have.Equal(policy) {
			t.Errorf("policy\n have %s\n want %s", have.MustJSON(), policy.MustJSON())
		}
	}
	tags, err := c.ListTagsForResource(ctx, &awsecr.ListTagsForResourceInput{ResourceArn: r.RepositoryArn})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, tg := range tags.Tags {
		have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	for k, v := range spec.Tags {
		if have[k] != v {
			t.Errorf("tag %s = %q, want %q", k, have[k], v)
		}
	}
}

func TestDryRunListsEveryChange(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	mark := b.Mark()
	dry, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if dry.ARN != plan.Predict("ecr repository", spec.Name) || dry.URI != plan.Predict("ecr repository URI", spec.Name) ||
		!dry.Policy.Equal(mustParse(t, seedPolicyJSON)) {
		t.Errorf("dry result %+v", dry)
	}
	real, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := changeList(dry.Changes), changeList(real.Changes); !slices.Equal(d, r) {
		t.Errorf("dry run listed %q, the real run made %q", d, r)
	}
	// On drift, the dry run lists every repair and makes none.
	c := client(b)
	want := []string{"update ecr:repository-tag-mutability " + spec.Name}
	if scanOffServed(b) {
		if _, err := c.PutImageScanningConfiguration(ctx, &awsecr.PutImageScanningConfigurationInput{RepositoryName: aws.String(spec.Name),
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: false}}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "update ecr:repository-scanning "+spec.Name)
	}
	if _, err := c.PutImageTagMutability(ctx, &awsecr.PutImageTagMutabilityInput{RepositoryName: aws.String(spec.Name), ImageTagMutability: ecrtypes.ImageTagMutabilityMutable}); err != nil {
		t.Fatal(err)
	}
	mark = b.Mark()
	dry, err = ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if got := changeList(dry.Changes); !slices.Equal(got, want) {
		t.Errorf("dry run on drift: %q", got)
	}
}

func TestDriftIsRepairedAndUserStatementsKept(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	repo, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	c := client(b)
	name := aws.String(spec.Name)
	// Drift: scanning off, tags mutable, a lifecycle policy of someone
	// else's, our statement edited and a statement of the user's added,
	// a tag changed.
	user := foundation.Statement{Sid: "LambdaPull", Effect: foundation.EffectAllow, Principal: foundation.ServicePrincipal("lambda.amazonaws.com"),
		Action: foundation.Actions("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")}
	edited := mustParse(t, seedPolicyJSON)
	edited.Statement[0].Principal.AWS = edited.Statement[0].Principal.AWS[:1]
	edited.Statement = append(edited.Statement, user)
	for _, f := range []func() error{
		func() error {
			if !scanOffServed(b) {
				return nil
			}
			_, err := c.PutImageScanningConfiguration(ctx, &awsecr.PutImageScanningConfigurationInput{RepositoryName: name, ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{}})
			return err
		},
		func() error {
			_, err := c.PutImageTagMutability(ctx, &awsecr.PutImageTagMutabilityInput{RepositoryName: name, ImageTagMutability: ecrtypes.ImageTagMutabilityMutable})
			return err
		},
		func() error {
			_, err := c.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(
				`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1000},"action":{"type":"expire"}}]}`)})
			return err
		},
		func() error {
			_, err := c.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: name, PolicyText: aws.String(edited.MustJSON())})
			return err
		},
		func() error {
			_, err := c.TagResource(ctx, &awsecr.TagResourceInput{ResourceArn: aws.String(repo.ARN),
				Tags: []ecrtypes.Tag{{Key: aws.String("app"), Value: aws.String("other")}, {Key: aws.String("owner"), Value: aws.String("me")}}})
			return err
		},
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	fixed, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"update ecr:repository-tag-mutability " + spec.Name}
	if scanOffServed(b) {
		want = append(want, "update ecr:repository-scanning "+spec.Name)
	}
	want = append(want, "update ecr:lifecycle-policy "+spec.Name, "update ecr:repository-policy "+spec.Name, "update ecr:repository-tags "+spec.Name)
	if got := changeList(fixed.Changes); !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q", got, want)
	}
	t.Logf("repair:\n%s", fixed.Changes)
	withUser := mustParse(t, seedPolicyJSON)
	withUser.Statement = append(withUser.Statement, user)
	verifyRepository(t, ctx, b, spec, withUser)

	// The spec drops the cross-account pull and grants a CI role push:
	// our old statement goes, the user's stays.
	role, err := iam.NewFromConfig(b.Config()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(b.Unique("myapp-github-ci")),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	spec.Policy = &ecr.RepositoryPolicy{PushRoleARNs: []string{aws.ToString(role.Role.Arn)}, PullOrganizationID: "o-a1b2c3d4e5"}
	got, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil || len(got.Changes) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
	t.Logf("policy change: %s", got.Changes)
	sids := []string{}
	for _, st := range got.Policy.Statement {
		sids = append(sids, st.Sid)
	}
	if !slices.Equal(sids, []string{"LambdaPull", ecr.SidOrganizationPull, ecr.SidPush}) {
		t.Errorf("statements %v", sids)
	}
	verifyRepository(t, ctx, b, spec, got.Policy)

	// A builder with nothing left removes our statements only.
	spec.Policy = &ecr.RepositoryPolicy{}
	got, err = ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil || len(got.Policy.Statement) != 1 || got.Policy.Statement[0].Sid != "LambdaPull" {
		t.Fatalf("%v %+v", err, got)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

func TestPolicyOfOnlyOurStatementsIsDeletedWhenEmptied(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := ecr.Spec{Name: b.Unique("team/svc"), Policy: &ecr.RepositoryPolicy{PullAccounts: []string{devAccount}}}
	if _, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	spec.Policy.PullAccounts = nil
	got, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil || !slices.Equal(changeList(got.Changes), []string{"delete ecr:repository-policy " + spec.Name}) || got.Policy != nil {
		t.Fatalf("%v %+v", err, got)
	}
	_, err = client(b).GetRepositoryPolicy(ctx, &awsecr.GetRepositoryPolicyInput{RepositoryName: aws.String(spec.Name)})
	var nf *ecrtypes.RepositoryPolicyNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("policy still there: %v", err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

func TestMutabilityForms(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := ecr.Spec{Name: b.Unique("base-images"), TagMutability: ecrtypes.ImageTagMutabilityImmutableWithExclusion, MutabilityExclusions: []string{"latest", "dev-*"}}
	for _, step := range []struct {
		mut     ecrtypes.ImageTagMutability
		filters []string
		changes int
	}{
		{ecrtypes.ImageTagMutabilityImmutableWithExclusion, []string{"latest", "dev-*"}, 1},
		{ecrtypes.ImageTagMutabilityImmutableWithExclusion, []string{"dev-*", "latest"}, 0}, // order does not matter
		{ecrtypes.ImageTagMutabilityImmutableWithExclusion, []string{"latest"}, 1},
		{ecrtypes.ImageTagMutabilityMutableWithExclusion, []string{"v*"}, 1},
		{ecrtypes.ImageTagMutabilityMutable, nil, 1},
		{"", nil, 1}, // the default, IMMUTABLE
	} {
		spec.TagMutability, spec.MutabilityExclusions = step.mut, step.filters
		got, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil || len(got.Changes) != step.changes {
			t.Fatalf("%s %v: %v %v", step.mut, step.filters, err, got)
		}
		if step.changes > 0 {
			t.Logf("%s", got.Changes)
		}
		if step.mut != ecrtypes.ImageTagMutabilityImmutableWithExclusion || step.changes > 0 {
			verifyRepository(t, ctx, b, spec, nil)
		}
	}
	if !scanOffServed(b) {
		return
	}
	spec.DisableScanOnPush = true
	got, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil || !slices.Equal(changeList(got.Changes), []string{"update ecr:repository-scanning " + spec.Name}) {
		t.Fatalf("%v %+v", err, got)
	}
	verifyRepository(t, ctx, b, spec, nil)
}

func TestEncryptionMismatchIsATypedError(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	key1, key2 := newKey(t, ctx, b, "one"), newKey(t, ctx, b, "two")
	plain, sealed := b.Unique("plain"), b.Unique("sealed")
	if _, err := ecr.EnsureRepository(ctx, client(b), ecr.Spec{Name: plain}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	if _, err := ecr.EnsureRepository(ctx, client(b), ecr.Spec{Name: sealed, KMSKey: key1}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	keyID := key1[strings.LastIndex(key1, "/")+1:]
	for _, tc := range []struct {
		spec       ecr.Spec
		have, want ecrtypes.EncryptionType
		mismatch   bool
	}{
		{ecr.Spec{Name: plain, KMSKey: key1}, "AES256", "KMS", true},
		{ecr.Spec{Name: plain, Encryption: "KMS"}, "AES256", "KMS", true},
		{ecr.Spec{Name: sealed}, "KMS", "AES256", true},
		{ecr.Spec{Name: sealed, KMSKey: key2}, "KMS", "KMS", true},
		{ecr.Spec{Name: sealed, Encryption: "KMS_DSSE", KMSKey: key1}, "KMS", "KMS_DSSE", true},
		{ecr.Spec{Name: sealed, KMSKey: keyID}, "", "", false},
		{ecr.Spec{Name: sealed, Encryption: "KMS"}, "", "", false},
	} {
		for _, dry := range []bool{false, true} {
			mark := b.Mark()
			_, err := ecr.EnsureRepository(ctx, client(b), tc.spec, awstest.Fast(foundation.WithDryRun(dry))...)
			var me *ecr.EncryptionMismatchError
			if !tc.mismatch {
				if err != nil {
					t.Errorf("%+v: %v", tc.spec, err)
				}
				continue
			}
			if !errors.As(err, &me) || me.Have != tc.have || me.Want != tc.want || me.Repository != tc.spec.Name ||
				!strings.Contains(err.Error(), "cannot change a repository's encryption after creation") {
				t.Errorf("%+v: err = %v", tc.spec, err)
			}
			b.RequireNoMutations(t, mark)
		}
	}
	_, err := ecr.EnsureRepository(ctx, client(b), ecr.Spec{Name: sealed}, awstest.Fast()...)
	t.Log(err)
}

// raceECR creates the repository, as another run of the library would
// (tagged managed-by=foundation, nothing else), just before
// EnsureRepository's CreateRepository.
type raceECR struct{ *awsecr.Client }

func (r raceECR) CreateRepository(ctx context.Context, in *awsecr.CreateRepositoryInput, opts ...func(*awsecr.Options)) (*awsecr.CreateRepositoryOutput, error) {
	if _, err := r.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: in.RepositoryName,
		Tags: []ecrtypes.Tag{{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(foundation.ManagedByTagValue)}}}); err != nil {
		return nil, err
	}
	return r.Client.CreateRepository(ctx, in, opts...)
}

func TestCreateRaceConverges(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, "")
	spec.Encryption, spec.KMSKey = "", ""
	got, err := ecr.EnsureRepository(ctx, raceECR{client(b)}, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// The other run's repository is converged: mutable and unscanned
	// become immutable and scanned, tags are added.
	want := []string{"update ecr:repository-tag-mutability " + spec.Name, "update ecr:repository-scanning " + spec.Name, "create ecr:lifecycle-policy " + spec.Name,
		"create ecr:repository-policy " + spec.Name, "update ecr:repository-tags " + spec.Name}
	if g := changeList(got.Changes); !slices.Equal(g, want) {
		t.Errorf("changes %q", g)
	}
	verifyRepository(t, ctx, b, spec, mustParse(t, seedPolicyJSON))
}
