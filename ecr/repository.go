package ecr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes EnsureRepository reports.
const (
	ResourceRepository              = "ecr:repository"
	ResourceRepositoryTagMutability = "ecr:repository-tag-mutability"
	ResourceRepositoryScanning      = "ecr:repository-scanning"
	ResourceLifecyclePolicy         = "ecr:lifecycle-policy"
	ResourceRepositoryPolicy        = "ecr:repository-policy"
	ResourceRepositoryTags          = "ecr:repository-tags"
)

// Repository is the repository EnsureRepository converged.
type Repository struct {
	Name string
	// ARN, URI ("ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME") and
	// RegistryID (the account). In a dry run that would create the
	// repository, ARN and URI are placeholders (plan.Predict: "(known
	// after apply: ecr repository NAME)", "(known after apply: ecr
	// repository URI NAME)") and RegistryID is empty.
	ARN, URI, RegistryID string
	// Policy is the repository policy the repository has (in dry run:
	// would have) when Spec.Policy is set: the builder's statements merged
	// into the user's. Nil when there is none.
	Policy *foundation.PolicyDocument
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the repository was already converged.
	Changes foundation.Changes
}

// EnsureRepository converges a private ECR repository: created when
// missing (with its mutability, scanning, encryption and tags), then its
// tag mutability (IMMUTABLE unless the spec opts out), scan on push (on
// unless the spec opts out), lifecycle policy (Spec.Lifecycle, compared by
// meaning), repository policy (Spec.Policy's statements merged by Sid into
// the user's) and tags. A repository with another encryption is an
// *EncryptionMismatchError: ECR cannot change it.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made. Spec.KMSKey may be the key
// ARN a dry run of kms.EnsureKey predicted for a key it would create (and
// Spec.Policy's accounts, organization and roles identifiers other dry runs
// predicted): a dry run plans the repository with them, a real run refuses
// them as an invalid spec. Run again on a converged repository
// it makes only reads and reports no changes. On error the result is nil
// and the error carries the changes made before it (a
// *foundation.IncompleteError).
func EnsureRepository(ctx context.Context, api API, spec Spec, opts ...foundation.Option) (*Repository, error) {
	spec = spec.withDefaults()
	errs := spec.faults()
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	o := call.Resolve(opts...)
	o.Logger = o.Logger.With(slog.String("repository", spec.Name))
	rec := plan.New(o)
	// Validation: a predicted identifier (a dry run's placeholder) is
	// only valid while planning.
	if !rec.Planning() {
		errs = append(errs, spec.predictedFaults()...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r := &repoRun{api: api, spec: spec, o: o, log: o.Logger, rec: rec}
	repo, err := r.ensure(ctx)
	if err != nil {
		return nil, rec.Fail(err)
	}
	repo.Changes = rec.Changes()
	return repo, nil
}

type repoRun struct {
	api  API
	spec Spec
	o    call.Options
	log  *slog.Logger
	rec  *plan.Recorder
	// adopted is true for an existing repository without the ownership
	// tag that the spec adopts: nothing the spec does not name is removed.
	adopted bool
}

// errorf wraps err (nil stays nil) with the repository and the step.
func (r *repoRun) errorf(step string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("ecr: repository %q: %s: %w", r.spec.Name, step, err)
}

func (r *repoRun) change(action foundation.Action, res string, diffs ...foundation.Diff) foundation.Change {
	return foundation.Change{Action: action, Resource: res, ID: r.spec.Name, Diffs: diffs}
}

func (r *repoRun) ensure(ctx context.Context) (*Repository, error) {
	have, err := r.describe(ctx)
	if err != nil {
		return nil, r.errorf("describe repository", err)
	}
	// fresh: created in this run (or, in dry run, to be created): its
	// lifecycle policy, repository policy and tags are known.
	fresh := false
	if have == nil {
		if have, fresh, err = r.create(ctx); err != nil {
			return nil, err
		}
	}
	res := &Repository{Name: r.spec.Name}
	var haveTags map[string]string
	if have == nil {
		// Planned only: AWS names the repository when it creates it.
		res.ARN, res.URI = plan.Predict("ecr repository", r.spec.Name), plan.Predict("ecr repository URI", r.spec.Name)
	} else {
		res.ARN, res.URI, res.RegistryID = aws.ToString(have.RepositoryArn), aws.ToString(have.RepositoryUri), aws.ToString(have.RegistryId)
		if !fresh {
			// Ownership, before any write: a repository without
			// managed-by=foundation is someone else's, converged only
			// when the spec adopts it.
			if haveTags, err = r.tags(ctx, res.ARN); err != nil {
				return nil, r.errorf("list tags", err)
			}
			if err := foundation.CheckOwner(ResourceRepository, r.spec.Name, haveTags, r.spec.Adopt, "spec.Adopt"); err != nil {
				return nil, fmt.Errorf("ecr: %w", err)
			}
			r.adopted = !foundation.Managed(haveTags)
		}
		if err := r.ensureEncryption(have); err != nil {
			return nil, err
		}
		if err := r.ensureMutability(ctx, have); err != nil {
			return nil, err
		}
		if err := r.ensureScanning(ctx, have); err != nil {
			return nil, err
		}
	}
	if err := r.ensureLifecycle(ctx, fresh); err != nil {
		return nil, err
	}
	pol, err := r.ensurePolicy(ctx, fresh)
	if err != nil {
		return nil, err
	}
	res.Policy = pol
	if have != nil && !fresh {
		if err := r.ensureTags(ctx, res.ARN, haveTags); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// describe returns the repository, or nil when it does not exist.
func (r *repoRun) describe(ctx context.Context) (*types.Repository, error) {
	out, err := r.api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{r.spec.Name}})
	var nf *types.RepositoryNotFoundException
	switch {
	case errors.As(err, &nf):
		return nil, nil
	case err != nil:
		return nil, err
	}
	for i := range out.Repositories {
		if aws.ToString(out.Repositories[i].RepositoryName) == r.spec.Name {
			return &out.Repositories[i], nil
		}
	}
	return nil, nil
}

func (r *repoRun) exclusionFilters() []types.ImageTagMutabilityExclusionFilter {
	var out []types.ImageTagMutabilityExclusionFilter
	for _, f := range r.spec.MutabilityExclusions {
		out = append(out, types.ImageTagMutabilityExclusionFilter{Filter: aws.String(f), FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard})
	}
	return out
}

// create creates the repository and reports whether it is new and
// unread (or, in a dry run, would be created: it then returns no
// repository). When another run created the repository first, it returns
// that one, not created; when this run's create was applied but its
// answer lost, it returns the repository, reported as created, to be read
// like an existing one.
func (r *repoRun) create(ctx context.Context) (*types.Repository, bool, error) {
	enc := &types.EncryptionConfiguration{EncryptionType: r.spec.Encryption}
	if r.spec.KMSKey != "" {
		enc.KmsKey = aws.String(r.spec.KMSKey)
	}
	var have *types.Repository
	created, adopted := false, false
	in := &ecr.CreateRepositoryInput{
		RepositoryName:                     aws.String(r.spec.Name),
		ImageTagMutability:                 r.spec.TagMutability,
		ImageTagMutabilityExclusionFilters: r.exclusionFilters(),
		ImageScanningConfiguration:         &types.ImageScanningConfiguration{ScanOnPush: !r.spec.DisableScanOnPush},
		EncryptionConfiguration:            enc,
		// The ownership tag goes on with the create itself.
		Tags: sdkTags(foundation.WithManagedBy(r.spec.Tags)),
	}
	applied, err := r.rec.Do(ctx, r.change(foundation.ActionCreate, ResourceRepository), func(ctx context.Context) error {
		// A create whose answer is lost (a 5xx, a broken connection) is
		// not sent again by the SDK (awsretry.Creating): awsretry.Create
		// looks the repository up by name and, found, adopts it as this
		// run's creation, so it is reported; not found, it creates again.
		repo, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (*types.Repository, bool, error) {
			h, err := r.describe(ctx)
			if err != nil || h == nil {
				return nil, false, err
			}
			// Only a repository with the ownership tag can be the earlier
			// attempt's; another is someone else's, which the create then
			// finds (RepositoryAlreadyExists) and the owner check refuses.
			if tags, err := r.tags(ctx, aws.ToString(h.RepositoryArn)); err != nil || !foundation.Managed(tags) {
				return nil, false, err
			}
			adopted = true
			return h, true, nil
		}, func(ctx context.Context) (*types.Repository, error) {
			out, err := r.api.CreateRepository(ctx, in, func(o *ecr.Options) { o.Retryer = awsretry.Creating(o.Retryer) })
			if err != nil {
				return nil, err
			}
			return out.Repository, nil
		})
		var exists *types.RepositoryAlreadyExistsException
		switch {
		case err == nil:
			have, created = repo, true
			return nil
		case errors.As(err, &exists):
			// Another run created it between our read and our create:
			// converge it.
			r.log.Debug("repository created concurrently")
			h, derr := r.describe(ctx)
			if derr != nil || h == nil {
				return r.errorf("create repository", err)
			}
			have = h
			return plan.ErrUnchanged
		default:
			return r.errorf("create repository", err)
		}
	})
	if err != nil {
		return nil, false, err
	}
	// An adopted repository is read like an existing one (it is almost
	// surely the one this run created, but reading costs little).
	return have, (created && !adopted) || !applied, nil
}

func (r *repoRun) ensureEncryption(have *types.Repository) error {
	ht, hk := types.EncryptionTypeAes256, ""
	if e := have.EncryptionConfiguration; e != nil {
		if e.EncryptionType != "" {
			ht = e.EncryptionType
		}
		hk = aws.ToString(e.KmsKey)
	}
	if ht == r.spec.Encryption && kmsKeyMatches(hk, r.spec.KMSKey) {
		return nil
	}
	return &EncryptionMismatchError{Repository: r.spec.Name, Have: ht, Want: r.spec.Encryption, HaveKey: hk, WantKey: r.spec.KMSKey}
}

// kmsKeyMatches reports whether the key ECR reports (a key ARN) is the one
// the spec names. A spec without a key accepts any key (ECR reports the
// AWS managed key by its ARN); an alias cannot be resolved without KMS and
// matches any key: name the key by ARN or ID to have it checked.
func kmsKeyMatches(have, want string) bool {
	switch {
	case want == "" || have == want:
		return true
	case strings.HasPrefix(want, "alias/") || strings.Contains(want, ":alias/"):
		return true
	case kmsKeyIDRe.MatchString(want):
		return strings.HasSuffix(have, ":key/"+want) || have == want
	default:
		return false
	}
}

func (r *repoRun) ensureMutability(ctx context.Context, have *types.Repository) error {
	hm := have.ImageTagMutability
	if hm == "" {
		hm = types.ImageTagMutabilityMutable
	}
	var hf []string
	for _, f := range have.ImageTagMutabilityExclusionFilters {
		hf = append(hf, aws.ToString(f.Filter))
	}
	wf := slices.Clone(r.spec.MutabilityExclusions)
	slices.Sort(hf)
	slices.Sort(wf)
	if hm == r.spec.TagMutability && slices.Equal(hf, wf) {
		return nil
	}
	var diffs []foundation.Diff
	if hm != r.spec.TagMutability {
		diffs = append(diffs, foundation.Diff{Field: "ImageTagMutability", From: string(hm), To: string(r.spec.TagMutability)})
	}
	if !slices.Equal(hf, wf) {
		diffs = append(diffs, foundation.Diff{Field: "ImageTagMutabilityExclusionFilters", From: strings.Join(hf, ","), To: strings.Join(wf, ",")})
	}
	return r.rec.Write(ctx, r.change(foundation.ActionUpdate, ResourceRepositoryTagMutability, diffs...), func(ctx context.Context) error {
		_, err := r.api.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{
			RepositoryName: aws.String(r.spec.Name), ImageTagMutability: r.spec.TagMutability,
			ImageTagMutabilityExclusionFilters: r.exclusionFilters(),
		})
		return r.errorf("put image tag mutability", err)
	})
}

func (r *repoRun) ensureScanning(ctx context.Context, have *types.Repository) error {
	hs := have.ImageScanningConfiguration != nil && have.ImageScanningConfiguration.ScanOnPush
	want := !r.spec.DisableScanOnPush
	if hs == want {
		return nil
	}
	c := r.change(foundation.ActionUpdate, ResourceRepositoryScanning, foundation.Diff{Field: "ScanOnPush", From: strconv.FormatBool(hs), To: strconv.FormatBool(want)})
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
			RepositoryName: aws.String(r.spec.Name), ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: want},
		})
		return r.errorf("put image scanning configuration", err)
	})
}

func (r *repoRun) ensureLifecycle(ctx context.Context, fresh bool) error {
	if r.spec.Lifecycle == nil {
		return nil
	}
	want := r.spec.Lifecycle.render()
	have := ""
	if !fresh {
		out, err := r.api.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(r.spec.Name)})
		var nf *types.LifecyclePolicyNotFoundException
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return r.errorf("get lifecycle policy", err)
		default:
			have = aws.ToString(out.LifecyclePolicyText)
		}
	}
	if have != "" && lifecycleEqual(have, *r.spec.Lifecycle) {
		return nil
	}
	action := foundation.ActionUpdate
	if have == "" {
		action = foundation.ActionCreate
	}
	c := r.change(action, ResourceLifecyclePolicy, foundation.Diff{Field: "LifecyclePolicyText", From: have, To: want})
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(r.spec.Name), LifecyclePolicyText: aws.String(want)})
		return r.errorf("put lifecycle policy", err)
	})
}

func (r *repoRun) ensurePolicy(ctx context.Context, fresh bool) (*foundation.PolicyDocument, error) {
	if r.spec.Policy == nil {
		return nil, nil
	}
	var have *foundation.PolicyDocument
	if !fresh {
		out, err := r.api.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(r.spec.Name)})
		var nf *types.RepositoryPolicyNotFoundException
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return nil, r.errorf("get repository policy", err)
		default:
			if have, err = foundation.ParsePolicy(aws.ToString(out.PolicyText)); err != nil {
				// A policy this package cannot read cannot be merged into.
				return nil, r.errorf("read repository policy", err)
			}
		}
	}
	want := r.spec.Policy.merge(have, !r.adopted)
	if have != nil && have.Equal(want) {
		return have, nil
	}
	if len(want.Statement) == 0 {
		if have == nil {
			return nil, nil
		}
		c := r.change(foundation.ActionDelete, ResourceRepositoryPolicy, policyDiffs(have, want)...)
		return nil, r.rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := r.api.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(r.spec.Name)})
			var nf *types.RepositoryPolicyNotFoundException
			if errors.As(err, &nf) {
				return nil
			}
			return r.errorf("delete repository policy", err)
		})
	}
	text, err := want.JSON()
	if err != nil {
		return nil, r.errorf("render repository policy", err)
	}
	if len(text) > MaxRepositoryPolicySize {
		return nil, r.errorf("merge repository policy", fmt.Errorf("the merged policy is %d characters, more than the %d ECR allows", len(text), MaxRepositoryPolicySize))
	}
	action := foundation.ActionUpdate
	if have == nil {
		action = foundation.ActionCreate
	}
	c := r.change(action, ResourceRepositoryPolicy, policyDiffs(have, want)...)
	// A role or user created moments ago (the CI role of oidcfed, say) is
	// refused as a principal until IAM has propagated it: wait that out,
	// within the options' PropagationTimeout.
	propagating := func(err error) bool { return namesIAMPrincipal(want) && isPrincipalNotVisible(err) }
	o := r.o
	o.Logger = r.log
	return want, r.rec.Write(ctx, c, func(ctx context.Context) error {
		err := awsretry.Wait(ctx, o, propagating, func(ctx context.Context) error {
			_, err := r.api.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(r.spec.Name), PolicyText: aws.String(text)})
			return err
		})
		return r.errorf("set repository policy", err)
	})
}

// isPrincipalNotVisible reports whether ECR refused a repository policy the
// way it refuses a principal it cannot see yet: InvalidParameterException,
// "Invalid parameter at 'PolicyText' failed to satisfy constraint:
// 'Invalid repository policy provided'" (or, more recently, 'Principal not
// found'). See https://github.com/hashicorp/terraform-provider-aws/issues/39064;
// the Terraform provider retries the same message for its propagation
// timeout. The same message also means a policy ECR will never accept, so
// it is waited out only when the policy names an IAM role or user
// (namesIAMPrincipal), and the wait is bounded.
func isPrincipalNotVisible(err error) bool {
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		return false
	}
	m := ip.ErrorMessage()
	return strings.Contains(m, "Invalid repository policy provided") || strings.Contains(m, "Principal not found")
}

// namesIAMPrincipal reports whether a statement of p names an IAM role or
// user (which may be new), not only accounts, services or "*".
func namesIAMPrincipal(p *foundation.PolicyDocument) bool {
	for _, st := range p.Statement {
		if st.Principal == nil {
			continue
		}
		for _, id := range st.Principal.AWS {
			if strings.Contains(id, ":role/") || strings.Contains(id, ":user/") {
				return true
			}
		}
	}
	return false
}

// policyDiffs lists the statements that differ, by Sid.
func policyDiffs(have, want *foundation.PolicyDocument) []foundation.Diff {
	if have == nil {
		have = &foundation.PolicyDocument{}
	}
	var diffs []foundation.Diff
	for _, w := range want.Statement {
		h, ok := have.StatementBySid(w.Sid)
		switch {
		case !ok:
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + w.Sid + "]", To: statementJSON(w)})
		case !h.Equal(w):
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + w.Sid + "]", From: statementJSON(h), To: statementJSON(w)})
		}
	}
	for _, h := range have.Statement {
		if _, ok := want.StatementBySid(h.Sid); !ok && h.Sid != "" {
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + h.Sid + "]", From: statementJSON(h)})
		}
	}
	if len(diffs) == 0 {
		diffs = append(diffs, foundation.Diff{Field: "Policy", From: have.MustJSON(), To: want.MustJSON()})
	}
	return diffs
}

func statementJSON(st foundation.Statement) string { return marshal(st) }

// tags returns the repository's tags (ListTagsForResource, which ECR does
// not paginate).
func (r *repoRun) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := r.api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for _, t := range out.Tags {
		have[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return have, nil
}

// ensureTags puts the spec's tags that have (the repository's) lacks; an
// adopted repository is never given the ownership tag.
func (r *repoRun) ensureTags(ctx context.Context, arn string, have map[string]string) error {
	want := awsrules.WantedTags(r.spec.Tags, r.adopted)
	put := map[string]string{}
	var diffs []foundation.Diff
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if hv, ok := have[k]; !ok || hv != want[k] {
			put[k] = want[k]
			diffs = append(diffs, foundation.Diff{Field: k, From: hv, To: want[k]})
		}
	}
	if len(put) == 0 {
		return nil
	}
	return r.rec.Write(ctx, r.change(foundation.ActionUpdate, ResourceRepositoryTags, diffs...), func(ctx context.Context) error {
		_, err := r.api.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: sdkTags(put)})
		return r.errorf("tag repository", err)
	})
}

func sdkTags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
