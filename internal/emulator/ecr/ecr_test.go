package ecr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func newECR(srv *emulator.Server, ak string) *ecr.Client {
	return ecr.NewFromConfig(emutest.Config(srv, ak))
}

func TestECRCreateAndDescribe(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	k, err := emutest.NewKMS(srv, "AKIDEXAMPLE").CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("ecr")})
	require.NoError(t, err)
	_, err = emutest.NewKMS(srv, "AKIDEXAMPLE").CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ecr"), TargetKeyId: k.KeyMetadata.KeyId})
	require.NoError(t, err)

	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String("myapp/api"),
		ImageTagMutability:         types.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: aws.String("alias/ecr")},
		Tags:                       []types.Tag{{Key: aws.String("Project"), Value: aws.String("myapp")}},
	})
	require.NoError(t, err)
	repo := out.Repository
	require.Equal(t, "myapp/api", aws.ToString(repo.RepositoryName))
	require.Equal(t, "arn:aws:ecr:us-east-1:"+emulator.DefaultManagementAccountID+":repository/myapp/api", aws.ToString(repo.RepositoryArn))
	require.Equal(t, emulator.DefaultManagementAccountID+".dkr.ecr.us-east-1.amazonaws.com/myapp/api", aws.ToString(repo.RepositoryUri))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(repo.RegistryId))
	require.Equal(t, types.ImageTagMutabilityImmutable, repo.ImageTagMutability)
	require.True(t, repo.ImageScanningConfiguration.ScanOnPush)
	require.Equal(t, types.EncryptionTypeKms, repo.EncryptionConfiguration.EncryptionType)
	require.Equal(t, aws.ToString(k.KeyMetadata.Arn), aws.ToString(repo.EncryptionConfiguration.KmsKey))
	require.NotNil(t, repo.CreatedAt)

	// Defaults: MUTABLE, no scan on push, AES256.
	plain, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("plain")})
	require.NoError(t, err)
	require.Equal(t, types.ImageTagMutabilityMutable, plain.Repository.ImageTagMutability)
	require.False(t, plain.Repository.ImageScanningConfiguration.ScanOnPush)
	require.Equal(t, types.EncryptionTypeAes256, plain.Repository.EncryptionConfiguration.EncryptionType)
	require.Nil(t, plain.Repository.EncryptionConfiguration.KmsKey)
	dsse, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("dsse"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKmsDsse}})
	require.NoError(t, err)
	require.Equal(t, types.EncryptionTypeKmsDsse, dsse.Repository.EncryptionConfiguration.EncryptionType)
	// No key: the AWS managed key for ECR, one per registry and region.
	require.Regexp(t, `^arn:aws:kms:us-east-1:`+emulator.DefaultManagementAccountID+`:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
		aws.ToString(dsse.Repository.EncryptionConfiguration.KmsKey))

	// Errors.
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("myapp/api")})
	var exists *types.RepositoryAlreadyExistsException
	require.True(t, errors.As(err, &exists), "%v", err)
	require.Contains(t, exists.ErrorMessage(), "already exists in the registry with id '"+emulator.DefaultManagementAccountID+"'")
	for _, bad := range []string{"a", "UPPER", "-lead", "trail-", "double//slash", "sp ace", strings.Repeat("a", 257)} {
		_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(bad)})
		var invalid *types.InvalidParameterException
		require.True(t, errors.As(err, &invalid), "%q: %v", bad, err)
	}
	for _, good := range []string{"a__b", "a--b", "team.one/svc_x/v-2"} {
		_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(good)})
		require.NoError(t, err, good)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("badkey"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: aws.String("alias/missing")}})
	var kmsErr *types.KmsException
	require.True(t, errors.As(err, &kmsErr), "%v", err)
	require.Equal(t, "NotFoundException", aws.ToString(kmsErr.KmsError))
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("badkey"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeAes256, KmsKey: k.KeyMetadata.Arn}})
	emutest.RequireCode(t, err, "InvalidParameterException")
	_, err = emutest.NewKMS(srv, "AKIDEXAMPLE").DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyMetadata.KeyId})
	require.NoError(t, err)
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("badkey"),
		EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: k.KeyMetadata.KeyId}})
	require.True(t, errors.As(err, &kmsErr), "%v", err)
	require.Equal(t, "DisabledException", aws.ToString(kmsErr.KmsError))

	// Describe by name.
	d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"plain", "myapp/api"}})
	require.NoError(t, err)
	require.Len(t, d.Repositories, 2)
	require.Equal(t, "plain", aws.ToString(d.Repositories[0].RepositoryName))
	require.Equal(t, types.ImageTagMutabilityImmutable, d.Repositories[1].ImageTagMutability)
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"plain", "missing"}})
	var notFound *types.RepositoryNotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)
	require.Equal(t, "The repository with name 'missing' does not exist in the registry with id '"+emulator.DefaultManagementAccountID+"'", notFound.ErrorMessage())
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"plain"}, MaxResults: aws.Int32(1)})
	emutest.RequireCode(t, err, "InvalidParameterException")

	// Delete.
	del, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("plain"), Force: true})
	require.NoError(t, err)
	require.Equal(t, "plain", aws.ToString(del.Repository.RepositoryName))
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("plain")})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"plain"}})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")

	// Only the caller's registry is served; repositories are per region.
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: aws.String("999999999999")})
	emutest.RequireCode(t, err, "AccessDeniedException")
	west, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}, func(o *ecr.Options) { o.Region = "eu-west-1" })
	require.NoError(t, err)
	require.Empty(t, west.Repositories)
}

func TestECRDescribeRepositoriesPaginates(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	var want []string
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("svc-%d", i)
		want = append(want, name)
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
		require.NoError(t, err)
	}
	first, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(100)})
	require.NoError(t, err)
	require.Len(t, first.Repositories, 2)
	require.NotEmpty(t, aws.ToString(first.NextToken))

	var got []string
	p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, r := range page.Repositories {
			got = append(got, aws.ToString(r.RepositoryName))
		}
	}
	require.Equal(t, want, got)
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1001)})
	emutest.RequireCode(t, err, "InvalidParameterException")
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("%%%")})
	emutest.RequireCode(t, err, "InvalidParameterException")
}

func TestECRTagMutabilityAndScanning(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	filters := []types.ImageTagMutabilityExclusionFilter{
		{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("latest")},
		{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("dev-*")},
	}
	for _, m := range []types.ImageTagMutability{types.ImageTagMutabilityMutableWithExclusion, types.ImageTagMutabilityImmutableWithExclusion} {
		name := strings.ToLower(strings.ReplaceAll(string(m), "_", "-"))
		out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name),
			ImageTagMutability: m, ImageTagMutabilityExclusionFilters: filters})
		require.NoError(t, err)
		require.Equal(t, m, out.Repository.ImageTagMutability)
		require.Equal(t, filters, out.Repository.ImageTagMutabilityExclusionFilters)
		d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		require.NoError(t, err)
		require.Equal(t, m, d.Repositories[0].ImageTagMutability)
		require.Equal(t, filters, d.Repositories[0].ImageTagMutabilityExclusionFilters)
	}

	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo")})
	require.NoError(t, err)
	for _, m := range []types.ImageTagMutability{types.ImageTagMutabilityImmutableWithExclusion, types.ImageTagMutabilityMutableWithExclusion} {
		put, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("repo"),
			ImageTagMutability: m, ImageTagMutabilityExclusionFilters: filters[:1]})
		require.NoError(t, err)
		require.Equal(t, m, put.ImageTagMutability)
		require.Equal(t, filters[:1], put.ImageTagMutabilityExclusionFilters)
		d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
		require.NoError(t, err)
		require.Equal(t, m, d.Repositories[0].ImageTagMutability)
		require.Equal(t, filters[:1], d.Repositories[0].ImageTagMutabilityExclusionFilters)
	}
	// Back to IMMUTABLE drops the filters.
	_, err = c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("repo"), ImageTagMutability: types.ImageTagMutabilityImmutable})
	require.NoError(t, err)
	d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
	require.NoError(t, err)
	require.Equal(t, types.ImageTagMutabilityImmutable, d.Repositories[0].ImageTagMutability)
	require.Empty(t, d.Repositories[0].ImageTagMutabilityExclusionFilters)

	bad := []*ecr.PutImageTagMutabilityInput{
		{ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion},                                 // filters required
		{ImageTagMutability: types.ImageTagMutabilityImmutable, ImageTagMutabilityExclusionFilters: filters}, // filters forbidden
		{ImageTagMutability: types.ImageTagMutabilityMutableWithExclusion, ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{
			{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("bad tag!")}}},
		{ImageTagMutability: types.ImageTagMutabilityMutableWithExclusion, ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{
			{FilterType: "REGEX", Filter: aws.String("x")}}},
		{ImageTagMutability: "SOMETIMES"},
	}
	for i, in := range bad {
		in.RepositoryName = aws.String("repo")
		_, err = c.PutImageTagMutability(ctx, in)
		require.Error(t, err, i)
		emutest.RequireCode(t, err, "InvalidParameterException")
	}
	var six []types.ImageTagMutabilityExclusionFilter
	for i := 0; i < 6; i++ {
		six = append(six, types.ImageTagMutabilityExclusionFilter{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String(fmt.Sprint("t", i))})
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("six"),
		ImageTagMutability: types.ImageTagMutabilityMutableWithExclusion, ImageTagMutabilityExclusionFilters: six})
	emutest.RequireCode(t, err, "InvalidParameterException")
	_, err = c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("missing"), ImageTagMutability: types.ImageTagMutabilityMutable})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")

	scan, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("repo"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	require.NoError(t, err)
	require.True(t, scan.ImageScanningConfiguration.ScanOnPush)
	d, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
	require.NoError(t, err)
	require.True(t, d.Repositories[0].ImageScanningConfiguration.ScanOnPush)
}

func TestECRLifecyclePolicy(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo")})
	require.NoError(t, err)
	repo := aws.String("repo")

	_, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo})
	var none *types.LifecyclePolicyNotFoundException
	require.True(t, errors.As(err, &none), "%v", err)
	put, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: repo, LifecyclePolicyText: aws.String(emutest.ECRLifecycle)})
	require.NoError(t, err)
	require.Equal(t, emutest.ECRLifecycle, aws.ToString(put.LifecyclePolicyText))
	got, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo})
	require.NoError(t, err)
	require.Equal(t, emutest.ECRLifecycle, aws.ToString(got.LifecyclePolicyText))
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(got.RegistryId))

	rule := func(prio, selection, action string) string {
		return `{"rules":[{"rulePriority":` + prio + `,"description":"a rule to check validation","selection":` + selection + `,"action":` + action + `}]}`
	}
	expire := `{"type":"expire"}`
	untagged := `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5}`
	invalid := map[string]string{
		"not json":          strings.Repeat("x", 120),
		"too short":         `{"rules":[]}`,
		"no rules":          `{"rulez":[{"rulePriority":1}], "padding":"` + strings.Repeat("p", 100) + `"}`,
		"zero priority":     rule("0", untagged, expire),
		"fractional":        rule("1.5", untagged, expire),
		"string priority":   rule(`"1"`, untagged, expire),
		"bad tag status":    rule("1", `{"tagStatus":"sometimes","countType":"imageCountMoreThan","countNumber":5}`, expire),
		"tagged no list":    rule("1", `{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":5}`, expire),
		"tagged both lists": rule("1", `{"tagStatus":"tagged","tagPrefixList":["v"],"tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":5}`, expire),
		"untagged w/ list":  rule("1", `{"tagStatus":"untagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5}`, expire),
		"since no unit":     rule("1", `{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":5}`, expire),
		"count with unit":   rule("1", `{"tagStatus":"untagged","countType":"imageCountMoreThan","countUnit":"days","countNumber":5}`, expire),
		"bad count type":    rule("1", `{"tagStatus":"untagged","countType":"imageSizeMoreThan","countNumber":5}`, expire),
		"zero count":        rule("1", `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":0}`, expire),
		"no count":          rule("1", `{"tagStatus":"untagged","countType":"imageCountMoreThan"}`, expire),
		"bad action":        rule("1", untagged, `{"type":"delete"}`),
		"extra property":    rule("1", `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5,"color":"red"}`, expire),
		"five wildcards":    rule("1", `{"tagStatus":"tagged","tagPatternList":["*a*b*c*d*"],"countType":"imageCountMoreThan","countNumber":5}`, expire),
		"duplicate priority": `{"rules":[{"rulePriority":1,"selection":` + untagged + `,"action":` + expire + `},
			{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5},"action":` + expire + `}]}`,
		"any not last": `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":` + expire + `},
			{"rulePriority":2,"selection":` + untagged + `,"action":` + expire + `}]}`,
	}
	for name, text := range invalid {
		_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: repo, LifecyclePolicyText: aws.String(text)})
		var ip *types.InvalidParameterException
		require.True(t, errors.As(err, &ip), "%s: %v", name, err)
	}
	// The stored policy is unchanged by the failed puts.
	got, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo})
	require.NoError(t, err)
	require.Equal(t, emutest.ECRLifecycle, aws.ToString(got.LifecyclePolicyText))
	// Archive transitions are accepted.
	archive := rule("1", `{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90}`, `{"type":"transition","targetStorageClass":"archive"}`)
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: repo, LifecyclePolicyText: aws.String(archive)})
	require.NoError(t, err)

	del, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: repo})
	require.NoError(t, err)
	require.Equal(t, archive, aws.ToString(del.LifecyclePolicyText))
	_, err = c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: repo})
	emutest.RequireCode(t, err, "LifecyclePolicyNotFoundException")
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("missing"), LifecyclePolicyText: aws.String(emutest.ECRLifecycle)})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")
}

func TestECRRepositoryPolicy(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	require.NoError(t, srv.AddAccount(emutest.Member))
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo")})
	require.NoError(t, err)
	repo := aws.String("repo")

	_, err = c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: repo})
	var none *types.RepositoryPolicyNotFoundException
	require.True(t, errors.As(err, &none), "%v", err)

	pull := `{"Version":"2012-10-17","Statement":[{"Sid":"MemberPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emutest.Member +
		`:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
	set, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: repo, PolicyText: aws.String(pull)})
	require.NoError(t, err)
	require.Equal(t, pull, aws.ToString(set.PolicyText))
	got, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: repo})
	require.NoError(t, err)
	require.Equal(t, pull, aws.ToString(got.PolicyText))

	for name, bad := range map[string]string{
		"not json":     `{"Version":`,
		"no principal": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*"}]}`,
		"missing role": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emutest.Member + `:role/Nope"},"Action":"ecr:*"}]}`,
		"too big":      `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 10300) + `","Effect":"Allow","Principal":"*","Action":"ecr:*"}]}`,
	} {
		_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: repo, PolicyText: aws.String(bad)})
		require.Error(t, err, name)
		emutest.RequireCode(t, err, "InvalidParameterException")
	}
	// A policy that denies the caller SetRepositoryPolicy needs force.
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:Set*"}]}`
	_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: repo, PolicyText: aws.String(lockout)})
	emutest.RequireCode(t, err, "InvalidParameterException")
	_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: repo, PolicyText: aws.String(lockout), Force: true})
	require.NoError(t, err)

	del, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: repo})
	require.NoError(t, err)
	require.Equal(t, lockout, aws.ToString(del.PolicyText))
	_, err = c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: repo})
	emutest.RequireCode(t, err, "RepositoryPolicyNotFoundException")
	_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("missing"), PolicyText: aws.String(pull)})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")
}

func TestECRTags(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo"),
		Tags: []types.Tag{{Key: aws.String("Project"), Value: aws.String("myapp")}}})
	require.NoError(t, err)
	arn := out.Repository.RepositoryArn

	_, err = c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{
		{Key: aws.String("Env"), Value: aws.String("prod")}, {Key: aws.String("Project"), Value: aws.String("other")}}})
	require.NoError(t, err)
	lt, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: arn})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("Env"), Value: aws.String("prod")}, {Key: aws.String("Project"), Value: aws.String("other")}}, lt.Tags)
	_, err = c.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"Env"}})
	require.NoError(t, err)
	lt, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: arn})
	require.NoError(t, err)
	require.Len(t, lt.Tags, 1)

	_, err = c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	var badTag *types.InvalidTagParameterException
	require.True(t, errors.As(err, &badTag), "%v", err)
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("other"),
		Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("y")}}})
	emutest.RequireCode(t, err, "InvalidTagParameterException")
	var many []types.Tag
	for i := 0; i < 50; i++ {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: many})
	var tooMany *types.TooManyTagsException
	require.True(t, errors.As(err, &tooMany), "%v", err)

	_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	emutest.RequireCode(t, err, "InvalidParameterException")
	_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{
		ResourceArn: aws.String("arn:aws:ecr:us-east-1:" + emulator.DefaultManagementAccountID + ":repository/missing")})
	emutest.RequireCode(t, err, "RepositoryNotFoundException")
}

func ecrScenario(t *testing.T, srv *emulator.Server) {
	ctx := context.Background()
	c := newECR(srv, "AKIDEXAMPLE")
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("myapp/api"),
		ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
		ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{
			{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("latest")}},
		Tags: []types.Tag{{Key: aws.String("Project"), Value: aws.String("myapp")}}})
	require.NoError(t, err)
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("myapp/api"), LifecyclePolicyText: aws.String(emutest.ECRLifecycle)})
	require.NoError(t, err)
	_, err = c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("myapp/api"),
		PolicyText: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + emulator.DefaultManagementAccountID + `"},"Action":"ecr:*"}]}`)})
	require.NoError(t, err)
}

func TestECRSnapshotIsDeterministic(t *testing.T) {
	var snaps [][]byte
	for i := 0; i < 2; i++ {
		srv := emutest.Start(t, emulator.Options{})
		ecrScenario(t, srv)
		b, err := srv.Snapshot()
		require.NoError(t, err)
		snaps = append(snaps, b)
	}
	require.Equal(t, string(snaps[0]), string(snaps[1]))
	var snap map[string]map[string]map[string]map[string]map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(snaps[0], &snap))
	repo := snap["accounts"][emulator.DefaultManagementAccountID]["ecr"]["us-east-1"]["repositories"]["myapp/api"]
	require.Equal(t, "IMMUTABLE_WITH_EXCLUSION", repo["imageTagMutability"])
	require.Contains(t, repo, "lifecyclePolicy")
	require.Contains(t, repo, "repositoryPolicy")
	require.NotContains(t, string(snaps[0]), "createdAt")
}
