package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Resource types of the instance settings' changes.
const (
	ResInstanceEncryption = "sso:instance-encryption"
	ResInstanceRegion     = "sso:instance-region"
)

// InstanceSettingsSpec is how the organization instance keeps its data and
// in which Regions it runs: a customer managed KMS key (2025-09) and
// multi-Region replication (2026-02).
//
// Multi-Region replication needs what the API cannot set: the instance
// connected to an external identity provider (a console step), the key a
// customer managed multi-Region key ("key/mrk-...") with a replica in each
// added Region (kms ReplicateKey), and each replica's key policy letting
// Identity Center use it (copy the primary's). EnsureInstanceSettings sets
// the key first, then adds the Regions, one at a time as AWS requires.
type InstanceSettingsSpec struct {
	// InstanceARN is the instance; empty finds it with ListInstances.
	InstanceARN string
	// KMSKeyARN is the customer managed key that encrypts the instance's
	// data: a key ARN, not an alias. Empty leaves the encryption as it is.
	// Its key policy must let sso.amazonaws.com and
	// identitystore.amazonaws.com use it (see the IAM Identity Center user
	// guide's baseline key policy), or AWS refuses it.
	KMSKeyARN string
	// Regions are the Regions, other than the primary one, the instance
	// is replicated to.
	Regions []string
	// PruneRegions removes the additional Regions not in Regions. Off by
	// default: removing a Region ends the access portal there.
	PruneRegions bool
}

// InstanceSettings is the instance's settings after EnsureInstanceSettings.
type InstanceSettings struct {
	InstanceARN   string
	PrimaryRegion string
	// KMSKeyARN is the customer managed key, "" for an AWS owned key.
	KMSKeyARN string
	// Regions are the additional Regions, sorted.
	Regions []string
	// Changes lists the changes made (in a dry run: that would be made).
	Changes foundation.Changes
}

// InstanceSettingsAPI is the sso-admin calls EnsureInstanceSettings makes.
type InstanceSettingsAPI interface {
	FindInstanceAPI
	DescribeInstance(context.Context, *ssoadmin.DescribeInstanceInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeInstanceOutput, error)
	UpdateInstance(context.Context, *ssoadmin.UpdateInstanceInput, ...func(*ssoadmin.Options)) (*ssoadmin.UpdateInstanceOutput, error)
	AddRegion(context.Context, *ssoadmin.AddRegionInput, ...func(*ssoadmin.Options)) (*ssoadmin.AddRegionOutput, error)
	RemoveRegion(context.Context, *ssoadmin.RemoveRegionInput, ...func(*ssoadmin.Options)) (*ssoadmin.RemoveRegionOutput, error)
	DescribeRegion(context.Context, *ssoadmin.DescribeRegionInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeRegionOutput, error)
}

var _ InstanceSettingsAPI = (*ssoadmin.Client)(nil)

var kmsKeyARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key/([a-zA-Z0-9-]+)$`)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s InstanceSettingsSpec) Validate() error {
	var errs []error
	if s.InstanceARN != "" && !instanceARNRe.MatchString(s.InstanceARN) {
		errs = append(errs, specerr.New(pkg, "spec.InstanceARN", s.InstanceARN, "must be an instance ARN (arn:aws:sso:::instance/ssoins-...)"))
	}
	m := kmsKeyARNRe.FindStringSubmatch(s.KMSKeyARN)
	if s.KMSKeyARN != "" && m == nil {
		errs = append(errs, specerr.New(pkg, "spec.KMSKeyARN", s.KMSKeyARN, "must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); an alias is not accepted"))
	}
	seen := map[string]bool{}
	for i, r := range s.Regions {
		field := fmt.Sprintf("spec.Regions[%d]", i)
		switch {
		case !regionRe.MatchString(r):
			errs = append(errs, specerr.New(pkg, field, r, "must be a Region name such as eu-west-1"))
		case seen[r]:
			errs = append(errs, specerr.New(pkg, field, r, "is listed twice"))
		case m != nil && r == m[1]:
			errs = append(errs, specerr.New(pkg, field, r, "is the key's Region, the instance's primary Region: list only additional Regions"))
		}
		seen[r] = true
	}
	if len(s.Regions) > 0 && (m == nil || !strings.HasPrefix(m[2], "mrk-")) {
		errs = append(errs, specerr.New(pkg, "spec.KMSKeyARN", s.KMSKeyARN, "must be a multi-Region key (key/mrk-...) for the instance to be replicated to spec.Regions"))
	}
	return errors.Join(errs...)
}

// EnsureInstanceSettings converges the organization instance's encryption
// key and additional Regions. The key is set first (UpdateInstance) and
// waited for until its status is ENABLED (UPDATE_FAILED is returned with
// AWS's reason); then each missing Region is added (AddRegion) and waited
// for until ACTIVE, one at a time; with PruneRegions, Regions not listed
// are removed last. A second run makes no call that writes.
//
// In a dry run nothing is written and nothing waited for. On error the
// result is nil and the error carries the changes made before it (a
// *foundation.IncompleteError). It must be called in the instance's
// primary Region, by the management account.
func EnsureInstanceSettings(ctx context.Context, api InstanceSettingsAPI, spec InstanceSettingsSpec, opts ...foundation.Option) (*InstanceSettings, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if api == nil {
		return nil, specerr.New(pkg, "api", "", "must not be nil")
	}
	o := call.Resolve(opts...)
	ctx = limited(ctx, limiter(o)) // sso-admin calls keep to the run's request rate
	rec := plan.New(o)
	out, err := ensureInstanceSettings(ctx, api, spec, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	out.Changes = rec.Changes()
	return out, nil
}

func ensureInstanceSettings(ctx context.Context, api InstanceSettingsAPI, spec InstanceSettingsSpec, o call.Options, rec *plan.Recorder) (*InstanceSettings, error) {
	arn := spec.InstanceARN
	if arn == "" {
		inst, err := findInstance(ctx, api, o, "")
		if err != nil {
			return nil, err
		}
		arn = inst.ARN
	}
	describe := func(ctx context.Context) (*ssoadmin.DescribeInstanceOutput, error) {
		d, err := api.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(arn)}, retryConflict)
		if err != nil {
			return nil, fmt.Errorf("identitycenter: instance %s: describe: %w", arn, err)
		}
		return d, nil
	}
	d, err := describe(ctx)
	if err != nil {
		return nil, err
	}
	res := &InstanceSettings{InstanceARN: arn, PrimaryRegion: aws.ToString(d.PrimaryRegion)}
	enc := d.EncryptionConfigurationDetails
	if enc != nil && enc.KeyType == types.KmsKeyTypeCustomerManagedKey {
		res.KMSKeyARN = aws.ToString(enc.KmsKeyArn)
	}
	waitKey := func(ctx context.Context) error {
		return rec.Wait(ctx, o, "the instance's encryption to be ENABLED", func(ctx context.Context) (bool, error) {
			d, err := describe(ctx)
			if err != nil {
				return false, err
			}
			e := d.EncryptionConfigurationDetails
			if e == nil {
				return true, nil
			}
			switch e.EncryptionStatus {
			case types.KmsKeyStatusUpdateFailed:
				return false, fmt.Errorf("identitycenter: instance %s: encryption with %s failed: %s", arn, aws.ToString(e.KmsKeyArn), aws.ToString(e.EncryptionStatusReason))
			case types.KmsKeyStatusUpdating:
				return false, nil
			}
			return true, nil
		})
	}
	// 1. The key.
	if enc != nil && enc.EncryptionStatus == types.KmsKeyStatusUpdating {
		if err := waitKey(ctx); err != nil {
			return nil, err
		}
	}
	if spec.KMSKeyARN != "" && res.KMSKeyARN != spec.KMSKeyARN {
		from := "AWS owned key"
		if res.KMSKeyARN != "" {
			from = res.KMSKeyARN
		}
		change := foundation.Change{Action: foundation.ActionUpdate, Resource: ResInstanceEncryption, ID: arn,
			Diffs: []foundation.Diff{{Field: "kms key", From: from, To: spec.KMSKeyARN}}}
		applied, err := rec.Do(ctx, change, func(ctx context.Context) error {
			_, err := api.UpdateInstance(ctx, &ssoadmin.UpdateInstanceInput{InstanceArn: aws.String(arn),
				EncryptionConfiguration: &types.EncryptionConfiguration{KeyType: types.KmsKeyTypeCustomerManagedKey, KmsKeyArn: aws.String(spec.KMSKeyARN)}}, retryConflict)
			var conflict *types.ConflictException
			if errors.As(err, &conflict) {
				// An update in progress: when it is to this key, it is
				// this run's attempt whose answer was lost (the SDK resent
				// it), and the change is this run's; the wait follows.
				if d, derr := describe(ctx); derr == nil && d.EncryptionConfigurationDetails != nil &&
					aws.ToString(d.EncryptionConfigurationDetails.KmsKeyArn) == spec.KMSKeyARN {
					return nil
				}
			}
			if err != nil {
				return fmt.Errorf("identitycenter: instance %s: encrypt with %s: %w", arn, spec.KMSKeyARN, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if applied {
			if err := waitKey(ctx); err != nil {
				return nil, err
			}
		}
		res.KMSKeyARN = spec.KMSKeyARN
	}

	// 2. The Regions, one workflow at a time.
	have := map[string]types.RegionStatus{}
	for _, r := range d.Regions {
		if !r.IsPrimaryRegion {
			have[aws.ToString(r.RegionName)] = r.Status
		}
	}
	waitRegion := func(ctx context.Context, region string, gone bool) error {
		return rec.Wait(ctx, o, "Region "+region+" of the instance to settle", func(ctx context.Context) (bool, error) {
			out, err := api.DescribeRegion(ctx, &ssoadmin.DescribeRegionInput{InstanceArn: aws.String(arn), RegionName: aws.String(region)}, retryConflict)
			var nf *types.ResourceNotFoundException
			if gone && errors.As(err, &nf) {
				return true, nil
			}
			if err != nil {
				return false, fmt.Errorf("identitycenter: instance %s: Region %s: %w", arn, region, err)
			}
			return out.Status == types.RegionStatusActive, nil
		})
	}
	for region, st := range have {
		if st != types.RegionStatusActive {
			if err := waitRegion(ctx, region, st == types.RegionStatusRemoving); err != nil {
				return nil, err
			}
		}
	}
	for _, region := range spec.Regions {
		if _, ok := have[region]; ok {
			continue
		}
		change := foundation.Change{Action: foundation.ActionCreate, Resource: ResInstanceRegion, ID: region}
		applied, err := rec.Do(ctx, change, func(ctx context.Context) error {
			_, err := api.AddRegion(ctx, &ssoadmin.AddRegionInput{InstanceArn: aws.String(arn), RegionName: aws.String(region)}, retryConflict)
			if err != nil {
				return fmt.Errorf("identitycenter: instance %s: add Region %s: %w", arn, region, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if applied {
			if err := waitRegion(ctx, region, false); err != nil {
				return nil, err
			}
		}
		have[region] = types.RegionStatusActive
	}
	if spec.PruneRegions {
		for region := range have {
			if slices.Contains(spec.Regions, region) {
				continue
			}
			change := foundation.Change{Action: foundation.ActionDelete, Resource: ResInstanceRegion, ID: region}
			applied, err := rec.Do(ctx, change, func(ctx context.Context) error {
				_, err := api.RemoveRegion(ctx, &ssoadmin.RemoveRegionInput{InstanceArn: aws.String(arn), RegionName: aws.String(region)}, retryConflict)
				if err != nil {
					return fmt.Errorf("identitycenter: instance %s: remove Region %s: %w", arn, region, err)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if applied {
				if err := waitRegion(ctx, region, true); err != nil {
					return nil, err
				}
			}
			delete(have, region)
		}
	}
	for region := range have {
		res.Regions = append(res.Regions, region)
	}
	slices.Sort(res.Regions)
	return res, nil
}
