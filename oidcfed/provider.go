package oidcfed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/iamrole"
	"github.com/awsfoundation/foundation/internal/plan"
)

// The Resource names of the changes this package reports.
const (
	ResourceProvider            = "iam:oidc-provider"
	ResourceProviderClientIDs   = "iam:oidc-provider-client-ids"
	ResourceProviderThumbprints = "iam:oidc-provider-thumbprints"
	ResourceProviderTags        = "iam:oidc-provider-tags"

	ResourceRole                    = iamrole.ResourceRole
	ResourceRoleTrustPolicy         = iamrole.ResourceRoleTrustPolicy
	ResourceRoleInlinePolicy        = iamrole.ResourceRoleInlinePolicy
	ResourceRoleManagedPolicy       = iamrole.ResourceRoleManagedPolicy
	ResourceRolePermissionsBoundary = iamrole.ResourceRolePermissionsBoundary
	ResourceRoleTags                = iamrole.ResourceRoleTags
	ResourceRoleSettings            = iamrole.ResourceRoleSettings
)

// Provider is the IAM OIDC provider EnsureProvider converged.
type Provider struct {
	// ARN of the provider. In dry run, for a provider that does not exist
	// yet, it is predicted: computed (arn:aws:iam::ACCOUNT:oidc-provider/HOST)
	// when the account is known from its other providers, otherwise a
	// plan.Predict placeholder, which EnsureCIRole accepts as ProviderARN
	// in the same dry run.
	ARN string
	// URL is the issuer URL of the spec.
	URL string
	// ClientIDs and Thumbprints are the provider's after the run (in dry
	// run: that would be).
	ClientIDs   []string
	Thumbprints []string
	// Changes lists every mutation in the order made (in dry run: that
	// would be made); empty when the provider was already converged.
	Changes foundation.Changes
}

// EnsureProvider converges the IAM OIDC identity provider of an issuer: it
// is found by URL among the account's providers and created when missing;
// its client IDs converge to exactly spec.ClientIDs
// (AddClientIDToOpenIDConnectProvider, RemoveClientIDFromOpenIDConnectProvider),
// its thumbprints to spec.Thumbprints when given
// (UpdateOpenIDConnectProviderThumbprint), and its tags to include
// spec.Tags.
//
// Ownership: CreateOpenIDConnectProvider tags the provider
// managed-by=foundation in the call itself. A provider found by the URL
// without that tag is someone else's: a *foundation.NotManagedError before
// any write (in dry run too) unless spec.Adopt. An adopted provider gets
// the spec's client IDs, thumbprints and tags, but keeps its other client
// IDs and is never given the ownership tag.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made. On a failure after some
// writes, the error carries a *foundation.IncompleteError listing them.
func EnsureProvider(ctx context.Context, api ProviderAPI, spec ProviderSpec, opts ...foundation.Option) (*Provider, error) {
	errs := spec.faults()
	if api == nil {
		errs = append(errs, invalid("api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := call.Resolve(opts...)
	r := &providerRun{api: api, spec: spec, host: hostPath(spec.URL), o: o, rec: plan.New(o)}
	r.log = o.Logger.With(slog.String("provider", r.host))
	p, err := r.ensure(ctx)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	p.Changes = r.rec.Changes()
	return p, nil
}

type providerRun struct {
	api  ProviderAPI
	spec ProviderSpec
	host string
	o    call.Options
	rec  *plan.Recorder
	log  *slog.Logger
}

func (r *providerRun) errorf(step string, err error) error {
	return fmt.Errorf("oidcfed: provider %q: %s: %w", r.host, step, err)
}

func (r *providerRun) ensure(ctx context.Context) (*Provider, error) {
	arn, account, err := r.find(ctx)
	if err != nil {
		return nil, err
	}
	if arn == "" {
		return r.create(ctx, account)
	}
	return r.converge(ctx, arn)
}

// find returns the ARN of the account's provider for the spec's URL, or "",
// and the partition and account of the account's providers (the other
// ones' ARNs name them; "" when it has none). ListOpenIDConnectProviders is
// not paginated: it returns every provider.
func (r *providerRun) find(ctx context.Context) (found string, account *arn.ARN, err error) {
	out, err := r.api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}, retryIAM)
	if err != nil {
		return "", nil, r.errorf("list providers", err)
	}
	for _, p := range out.OpenIDConnectProviderList {
		hp, ok := oidcProviderHostPath(aws.ToString(p.Arn))
		if !ok {
			continue
		}
		if strings.EqualFold(hp, r.host) {
			return aws.ToString(p.Arn), nil, nil
		}
		if a, err := arn.Parse(aws.ToString(p.Arn)); err == nil && account == nil {
			account = &a
		}
	}
	return "", account, nil
}

// predictedARN is the ARN a provider the run would create gets: computed
// when another provider's ARN names the partition and account, otherwise a
// placeholder.
func (r *providerRun) predictedARN(account *arn.ARN) string {
	if account == nil || account.AccountID == "" {
		return plan.Predict("oidc provider", r.spec.URL)
	}
	return arn.ARN{Partition: account.Partition, Service: "iam", AccountID: account.AccountID, Resource: "oidc-provider/" + r.host}.String()
}

func (r *providerRun) create(ctx context.Context, account *arn.ARN) (*Provider, error) {
	p := &Provider{URL: r.spec.URL, ClientIDs: slices.Clone(r.spec.ClientIDs), Thumbprints: lower(r.spec.Thumbprints)}
	c := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceProvider, ID: r.host}
	var raced error
	var out *iam.CreateOpenIDConnectProviderOutput
	applied, err := r.rec.Do(ctx, c, func(ctx context.Context) error {
		in := &iam.CreateOpenIDConnectProviderInput{
			Url:          aws.String(r.spec.URL),
			ClientIDList: slices.Clone(r.spec.ClientIDs),
			// The ownership tag goes on with the create itself.
			Tags: iamTags(foundation.WithManagedBy(r.spec.Tags)),
		}
		if len(r.spec.Thumbprints) > 0 {
			in.ThumbprintList = lower(r.spec.Thumbprints)
		}
		// A lost answer is not resent by the SDK: the provider the earlier
		// attempt made is found by its URL (awsretry.Create), and the
		// change is this run's.
		var err error
		out, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*iam.CreateOpenIDConnectProviderOutput, bool, error) {
			found, _, err := r.find(ctx)
			if err != nil || found == "" {
				return nil, false, err
			}
			// Only a provider with the ownership tag can be the earlier
			// attempt's; another is someone else's, which the create then
			// finds (EntityAlreadyExists) and the owner check refuses.
			if tags, err := r.tags(ctx, found); err != nil || !foundation.Managed(tags) {
				return nil, false, err
			}
			return &iam.CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: aws.String(found)}, true, nil
		}, func(ctx context.Context) (*iam.CreateOpenIDConnectProviderOutput, error) {
			return r.api.CreateOpenIDConnectProvider(ctx, in, creating, retryIAM)
		})
		if isAlreadyExists(err) {
			// Created by another run between our list and our create: not
			// this run's change; converge the existing provider below.
			raced = err
			return plan.ErrUnchanged
		}
		if err != nil {
			return r.errorf("create", err)
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case !applied:
		// Planned: the provider would get this ARN.
		p.ARN = r.predictedARN(account)
		return p, nil
	case raced != nil:
		r.log.Debug("create raced; converging the existing provider")
		found, _, ferr := r.find(ctx)
		if ferr != nil {
			return nil, ferr
		}
		if found == "" {
			return nil, r.errorf("create", raced)
		}
		return r.converge(ctx, found)
	}
	p.ARN = aws.ToString(out.OpenIDConnectProviderArn)
	if len(p.Thumbprints) == 0 {
		// AWS picks the thumbprint itself; report what it chose.
		got, err := r.api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: out.OpenIDConnectProviderArn}, retryIAM)
		if err != nil {
			return nil, r.errorf("get", err)
		}
		p.Thumbprints = got.ThumbprintList
	}
	return p, nil
}

func (r *providerRun) converge(ctx context.Context, arn string) (*Provider, error) {
	out, err := r.api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}, retryIAM)
	if err != nil {
		return nil, r.errorf("get", err)
	}
	p := &Provider{ARN: arn, URL: r.spec.URL, ClientIDs: slices.Clone(r.spec.ClientIDs), Thumbprints: out.ThumbprintList}

	// Ownership, before any write: a provider without managed-by=foundation
	// is someone else's, converged only when the spec adopts it.
	haveTags, err := r.tags(ctx, arn)
	if err != nil {
		return nil, r.errorf("list tags", err)
	}
	if err := foundation.CheckOwner(ResourceProvider, r.host, haveTags, r.spec.Adopt, "spec.Adopt"); err != nil {
		return nil, fmt.Errorf("oidcfed: %w", err)
	}
	adopted := !foundation.Managed(haveTags)

	// Client IDs: add the missing first, so the provider never has none.
	for _, id := range r.spec.ClientIDs {
		if slices.Contains(out.ClientIDList, id) {
			continue
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceProviderClientIDs, ID: r.host,
			Diffs: []foundation.Diff{{Field: "ClientID", To: id}}}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
				OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}, retryIAM); err != nil {
				return r.errorf(fmt.Sprintf("add client ID %q", id), err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	for _, id := range out.ClientIDList {
		if slices.Contains(r.spec.ClientIDs, id) {
			continue
		}
		if adopted {
			// Someone else's provider: its other audiences stay.
			p.ClientIDs = append(p.ClientIDs, id)
			continue
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceProviderClientIDs, ID: r.host,
			Diffs: []foundation.Diff{{Field: "ClientID", From: id}}}
		if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
			_, err := r.api.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{
				OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}, retryIAM)
			if err != nil {
				return r.errorf(fmt.Sprintf("remove client ID %q", id), err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}

	if want := lower(r.spec.Thumbprints); len(want) > 0 {
		have := lower(out.ThumbprintList)
		if !slices.Equal(sortedCopy(have), sortedCopy(want)) {
			c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceProviderThumbprints, ID: r.host,
				Diffs: []foundation.Diff{{Field: "ThumbprintList", From: strings.Join(have, ","), To: strings.Join(want, ",")}}}
			if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
				if _, err := r.api.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
					OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: want}, retryIAM); err != nil {
					return r.errorf("update thumbprints", err)
				}
				return nil
			}); err != nil {
				return nil, err
			}
			p.Thumbprints = want
		}
	}

	// Tags: the spec's are put, others kept; an adopted provider is never
	// given the ownership tag.
	want := awsrules.WantedTags(r.spec.Tags, adopted)
	if len(want) > 0 {
		put, diffs := tagDiff(haveTags, want)
		if len(put) > 0 {
			c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResourceProviderTags, ID: r.host, Diffs: diffs}
			if err := r.rec.Write(ctx, c, func(ctx context.Context) error {
				if _, err := r.api.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{
					OpenIDConnectProviderArn: aws.String(arn), Tags: put}, retryIAM); err != nil {
					return r.errorf("tag", err)
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func (r *providerRun) tags(ctx context.Context, arn string) (map[string]string, error) {
	tags := map[string]string{}
	pg := iam.NewListOpenIDConnectProviderTagsPaginator(r.api, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx, retryIAM)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func tagDiff(have, want map[string]string) ([]types.Tag, []foundation.Diff) {
	return iamrole.TagDiff(have, want)
}

func iamTags(m map[string]string) []types.Tag { return iamrole.Tags(m) }

func lower(l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ToLower(s)
	}
	return out
}

// creating is the option of CreateOpenIDConnectProvider: the SDK does not
// resend a create whose answer may have been lost (awsretry.Creating;
// retryIAM, passed after it, adds ConcurrentModification).
func creating(o *iam.Options) { o.Retryer = awsretry.Creating(o.Retryer) }

// retryIAM adds the codes AWS asks IAM callers to retry
// (ConcurrentModification, internal/awsretry) to the call's retryer. Every
// IAM call of the package passes it.
func retryIAM(o *iam.Options) { o.Retryer = awsretry.Add(o.Retryer, awsretry.IAM...) }
