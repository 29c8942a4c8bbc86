package s3account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "s3account"

// ResPublicAccessBlock is the Resource of the changes EnsurePublicAccessBlock
// reports; their ID is the account ID.
const ResPublicAccessBlock = "s3:account-public-access-block"

// API is the part of the S3 Control client EnsurePublicAccessBlock calls.
type API interface {
	GetPublicAccessBlock(ctx context.Context, in *s3control.GetPublicAccessBlockInput, optFns ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3control.PutPublicAccessBlockInput, optFns ...func(*s3control.Options)) (*s3control.PutPublicAccessBlockOutput, error)
}

var _ API = (*s3control.Client)(nil)

// Spec is the account-level S3 Block Public Access configuration to
// converge. The zero value (but AccountID) turns all four settings on, which
// is what AWS Security Hub control S3.1 checks; each Allow field turns one
// off, explicitly.
type Spec struct {
	// AccountID is the account whose setting this is (12 digits): the
	// account the API's credentials act in. Required.
	AccountID string
	// AllowPublicACLs turns BlockPublicAcls off: PUT calls may set public
	// ACLs on buckets and objects.
	AllowPublicACLs bool
	// HonorPublicACLs turns IgnorePublicAcls off: S3 honours public ACLs.
	HonorPublicACLs bool
	// AllowPublicPolicy turns BlockPublicPolicy off: bucket policies may
	// grant public access.
	AllowPublicPolicy bool
	// AllowPublicBuckets turns RestrictPublicBuckets off: buckets with
	// public policies may be reached by anyone.
	AllowPublicBuckets bool
}

var accountRe = regexp.MustCompile(`^[0-9]{12}$`)

// Validate reports every fault of the spec in one error that matches
// foundation.ErrInvalidSpec.
func (s Spec) Validate() error {
	switch {
	case s.AccountID == "":
		return specerr.New(pkg, "spec.AccountID", "", "is required")
	case !accountRe.MatchString(s.AccountID) && !plan.IsPredicted(s.AccountID): // predicted: planned in a dry run only
		return specerr.New(pkg, "spec.AccountID", s.AccountID, "must be 12 digits")
	}
	return nil
}

// MeetsS3_1 reports whether the spec turns all four settings on, as
// Security Hub control S3.1 requires.
func (s Spec) MeetsS3_1() bool {
	return !s.AllowPublicACLs && !s.HonorPublicACLs && !s.AllowPublicPolicy && !s.AllowPublicBuckets
}

// PublicAccessBlock is the account's configuration after
// EnsurePublicAccessBlock (in a dry run, what it would be).
type PublicAccessBlock struct {
	AccountID             string
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
	// Changes lists what was changed (in a dry run, what would be): at
	// most one change, a create when the account had no configuration, an
	// update with a Diff per setting otherwise.
	Changes foundation.Changes
}

// want is the configuration the spec asks for.
func (s Spec) want() *types.PublicAccessBlockConfiguration {
	return &types.PublicAccessBlockConfiguration{
		BlockPublicAcls:       aws.Bool(!s.AllowPublicACLs),
		IgnorePublicAcls:      aws.Bool(!s.HonorPublicACLs),
		BlockPublicPolicy:     aws.Bool(!s.AllowPublicPolicy),
		RestrictPublicBuckets: aws.Bool(!s.AllowPublicBuckets),
	}
}

// EnsurePublicAccessBlock converges the account-level S3 Block Public Access
// configuration (s3control PutPublicAccessBlock) to spec: it reads the
// configuration, and writes only when a setting differs, the whole
// configuration in one call (the API has no per-setting write). A second
// run makes no mutating call. See the package documentation.
func EnsurePublicAccessBlock(ctx context.Context, api API, spec Spec, opts ...foundation.Option) (*PublicAccessBlock, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if api == nil {
		return nil, specerr.New(pkg, "api", "", "must not be nil")
	}
	o := call.Resolve(opts...)
	if plan.IsPredicted(spec.AccountID) && !o.DryRun {
		return nil, specerr.New(pkg, "spec.AccountID", spec.AccountID, "is an account ID a dry run predicted for an account it would create: a real run needs the account's ID")
	}
	log := o.Logger.With(slog.String("account", spec.AccountID))
	rec := plan.New(o)
	// S3 OperationAborted (a conflicting operation in progress) is retried
	// by the client's retryer, as for bucket settings.
	retry := func(so *s3control.Options) { so.Retryer = awsretry.Add(so.Retryer, awsretry.S3...) }

	out, err := api.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(spec.AccountID)}, retry)
	var have *types.PublicAccessBlockConfiguration
	var none *types.NoSuchPublicAccessBlockConfiguration
	switch {
	case errors.As(err, &none):
		log.Debug("no account-level public access block")
	case err != nil:
		return nil, fmt.Errorf("%s: account %s: get public access block: %w", pkg, spec.AccountID, err)
	default:
		have = out.PublicAccessBlockConfiguration
	}
	want := spec.want()
	res := &PublicAccessBlock{AccountID: spec.AccountID,
		BlockPublicAcls: aws.ToBool(want.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(want.IgnorePublicAcls),
		BlockPublicPolicy: aws.ToBool(want.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(want.RestrictPublicBuckets)}
	diffs := Diffs(have, want)
	if len(diffs) == 0 {
		return res, nil
	}
	c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResPublicAccessBlock, ID: spec.AccountID, Diffs: diffs}
	if have == nil {
		c.Action = foundation.ActionCreate
	}
	err = rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := api.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
			AccountId: aws.String(spec.AccountID), PublicAccessBlockConfiguration: want,
		}, retry)
		if err != nil {
			return fmt.Errorf("%s: account %s: put public access block: %w", pkg, spec.AccountID, err)
		}
		return nil
	})
	if err != nil {
		return nil, rec.Fail(err)
	}
	res.Changes = rec.Changes()
	return res, nil
}

// Diffs lists the settings of have (nil: no configuration) that differ from
// want, in the API's order; a setting have lacks reads as "" (unset, which
// S3 treats as false).
func Diffs(have, want *types.PublicAccessBlockConfiguration) []foundation.Diff {
	if have == nil {
		have = &types.PublicAccessBlockConfiguration{}
	}
	show := func(v *bool) string {
		if v == nil {
			return ""
		}
		return strconv.FormatBool(*v)
	}
	var diffs []foundation.Diff
	for _, f := range []struct {
		name       string
		have, want *bool
	}{
		{"BlockPublicAcls", have.BlockPublicAcls, want.BlockPublicAcls},
		{"IgnorePublicAcls", have.IgnorePublicAcls, want.IgnorePublicAcls},
		{"BlockPublicPolicy", have.BlockPublicPolicy, want.BlockPublicPolicy},
		{"RestrictPublicBuckets", have.RestrictPublicBuckets, want.RestrictPublicBuckets},
	} {
		if aws.ToBool(f.have) != aws.ToBool(f.want) {
			diffs = append(diffs, foundation.Diff{Field: f.name, From: show(f.have), To: show(f.want)})
		}
	}
	return diffs
}

// LiteralEndpoint is an option for s3control.NewFromConfig (or a call) that
// sends requests to the client's BaseEndpoint as it is given. S3 Control
// addresses "{AccountId}.{endpoint host}"; an endpoint that cannot take such
// a prefix (the emulator or moto on 127.0.0.1 or localhost) needs this
// option, and the account still travels in the x-amz-account-id header.
// Without a BaseEndpoint (AWS itself) it changes nothing.
//
//	api := s3control.NewFromConfig(cfg, s3account.LiteralEndpoint)
func LiteralEndpoint(o *s3control.Options) {
	next := o.EndpointResolverV2
	if next == nil {
		next = s3control.NewDefaultEndpointResolverV2()
	}
	o.EndpointResolverV2 = literalResolver{next: next}
}

type literalResolver struct{ next s3control.EndpointResolverV2 }

func (r literalResolver) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	ep, err := r.next.ResolveEndpoint(ctx, p)
	if err != nil || p.Endpoint == nil || p.AccountId == nil {
		return ep, err
	}
	ep.URI.Host = strings.TrimPrefix(ep.URI.Host, *p.AccountId+".")
	return ep, nil
}
