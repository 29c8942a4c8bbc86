package account

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/awsfoundation/foundation"
)

// RegionsSpec is which opt-in Regions an account has enabled. Regions it
// does not name are left as they are.
type RegionsSpec struct {
	// AccountID is the member account to converge; empty for the account
	// the API's credentials act in (see ContactsSpec.AccountID).
	AccountID string
	// Enabled are opt-in Regions to enable ("eu-central-2"). A Region
	// enabled by default is already enabled: naming it changes nothing.
	Enabled []string
	// Disabled are opt-in Regions to disable. Disabling a Region enabled
	// by default is refused by AWS (a *RegionError).
	Disabled []string
	// NoWait returns as soon as each change is accepted (ENABLING,
	// DISABLING) instead of waiting until it settles; AWS takes minutes
	// to hours to enable a Region. Waits use the options' poll interval
	// and wait timeout.
	NoWait bool
}

var regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s RegionsSpec) Validate() error { return errors.Join(s.faults(false)...) }

func (s RegionsSpec) faults(planning bool) []error {
	errs := accountFaults(s.AccountID, planning)
	if len(s.Enabled)+len(s.Disabled) == 0 {
		errs = append(errs, invalid("spec", "", "names no Region: set Enabled or Disabled"))
	}
	seen := map[string]string{}
	for _, l := range []struct {
		field   string
		regions []string
	}{{"spec.Enabled", s.Enabled}, {"spec.Disabled", s.Disabled}} {
		for i, r := range l.regions {
			f := fmt.Sprintf("%s[%d]", l.field, i)
			if !regionRe.MatchString(r) {
				errs = append(errs, invalid(f, r, "must be a Region name such as eu-central-2"))
				continue
			}
			if other, dup := seen[r]; dup {
				errs = append(errs, invalid(f, r, "is also "+other))
				continue
			}
			seen[r] = f
		}
	}
	return errs
}

// RegionError reports a Region that cannot be put in the state the spec
// asks: disabling a Region enabled by default, or one AWS does not accept
// as an opt-in target. It matches foundation.ErrConflict.
type RegionError struct {
	AccountID string
	Region    string
	// Status is the Region's status (ENABLED_BY_DEFAULT, ...), "" when AWS
	// refused the Region itself.
	Status string
	Err    error
}

func (e *RegionError) Error() string {
	if e.Status != "" {
		return fmt.Sprintf("%s: %s: region %s is %s and cannot be disabled", pkg, where(e.AccountID), e.Region, e.Status)
	}
	return fmt.Sprintf("%s: %s: region %s is not an opt-in Region: %v", pkg, where(e.AccountID), e.Region, e.Err)
}

// Unwrap returns foundation.ErrConflict and the API error.
func (e *RegionError) Unwrap() []error { return []error{foundation.ErrConflict, e.Err} }

// Regions is the opt-in status of the Regions the spec named after
// EnsureRegionOptIn (in a dry run, what it would be).
type Regions struct {
	AccountID string
	// Status is each named Region's status: ENABLED, ENABLED_BY_DEFAULT,
	// DISABLED, or ENABLING/DISABLING with NoWait (and in a dry run).
	Status map[string]types.RegionOptStatus
	// Changes lists an update per Region enabled or disabled (in a dry
	// run, that would be), with a Diff of RegionOptStatus.
	Changes foundation.Changes
}

// EnsureRegionOptIn converges the opt-in status of the Regions the spec
// names: each is read (GetRegionOptStatus) and enabled (EnableRegion) or
// disabled (DisableRegion) when it is not already, or on its way there.
// A Region still settling the other way (DISABLING when it should be
// enabled) is waited for first; AWS's ConflictException for a Region in
// transition is waited out the same way, never taken for success. Unless
// spec.NoWait, each change is waited for until ENABLED or DISABLED. A
// second run makes no mutating call.
func EnsureRegionOptIn(ctx context.Context, api RegionsAPI, spec RegionsSpec, opts ...foundation.Option) (*Regions, error) {
	o, rec, err := begin(opts, api, spec.faults)
	if err != nil {
		return nil, err
	}
	res := &Regions{AccountID: spec.AccountID, Status: map[string]types.RegionOptStatus{}}
	get := func(ctx context.Context, region string) (types.RegionOptStatus, error) {
		if isPlanned(spec.AccountID) {
			return types.RegionOptStatusDisabled, nil // a new account has every opt-in Region disabled
		}
		out, err := api.GetRegionOptStatus(ctx, &acct.GetRegionOptStatusInput{AccountId: accountParam(spec.AccountID), RegionName: aws.String(region)})
		if err != nil {
			var ve *types.ValidationException
			if errors.As(err, &ve) && ve.Reason == types.ValidationExceptionReasonInvalidRegionOptTarget {
				return "", &RegionError{AccountID: spec.AccountID, Region: region, Err: err}
			}
			return "", wrap(spec.AccountID, "region "+region+": get opt status", err)
		}
		return out.RegionOptStatus, nil
	}
	// waitFor waits until region is no longer in transition; want is the
	// status it should settle to (for the message).
	waitFor := func(region string, status *types.RegionOptStatus) error {
		return rec.Wait(ctx, o, fmt.Sprintf("%s: %s: region %s to settle", pkg, where(spec.AccountID), region), func(ctx context.Context) (bool, error) {
			st, err := get(ctx, region)
			if err != nil {
				return false, err
			}
			*status = st
			return st != types.RegionOptStatusEnabling && st != types.RegionOptStatusDisabling, nil
		})
	}
	converge := func(region string, enable bool) error {
		st, err := get(ctx, region)
		if err != nil {
			return err
		}
		target, passing := types.RegionOptStatusEnabled, types.RegionOptStatusEnabling
		if !enable {
			target, passing = types.RegionOptStatusDisabled, types.RegionOptStatusDisabling
		}
		switch {
		case st == types.RegionOptStatusEnabledByDefault && enable:
			res.Status[region] = st
			return nil
		case st == types.RegionOptStatusEnabledByDefault:
			return &RegionError{AccountID: spec.AccountID, Region: region, Status: string(st)}
		case st == target:
			res.Status[region] = st
			return nil
		case st == passing:
			res.Status[region] = st
			if spec.NoWait {
				return nil
			}
			if err := waitFor(region, &st); err != nil {
				return err
			}
			res.Status[region] = st
			return nil
		case st == types.RegionOptStatusEnabling || st == types.RegionOptStatusDisabling:
			// Settling the other way: AWS refuses a change until it has.
			if err := waitFor(region, &st); err != nil {
				return err
			}
			if st == target {
				res.Status[region] = st
				return nil
			}
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResRegion, ID: changeID(spec.AccountID, region),
			Diffs: []foundation.Diff{{Field: "RegionOptStatus", From: string(st), To: string(target)}}}
		err = rec.Write(ctx, c, func(ctx context.Context) error {
			for attempt := 1; ; attempt++ {
				var err error
				if enable {
					_, err = api.EnableRegion(ctx, &acct.EnableRegionInput{AccountId: accountParam(spec.AccountID), RegionName: aws.String(region)})
				} else {
					_, err = api.DisableRegion(ctx, &acct.DisableRegionInput{AccountId: accountParam(spec.AccountID), RegionName: aws.String(region)})
				}
				var ce *types.ConflictException
				var ve *types.ValidationException
				switch {
				case errors.As(err, &ce) && attempt >= 3:
					return wrap(spec.AccountID, "region "+region+": still in conflict after waiting", err)
				case errors.As(err, &ce):
					// In transition after all (another caller, or the read
					// was stale): wait for it to settle, then change it.
					var now types.RegionOptStatus
					if werr := waitFor(region, &now); werr != nil {
						return werr
					}
					if now == target {
						return nil
					}
					continue
				case errors.As(err, &ve) && ve.Reason == types.ValidationExceptionReasonInvalidRegionOptTarget:
					return &RegionError{AccountID: spec.AccountID, Region: region, Err: err}
				case err != nil:
					verb := "enable"
					if !enable {
						verb = "disable"
					}
					return wrap(spec.AccountID, verb+" region "+region, err)
				}
				return nil
			}
		})
		if err != nil {
			return err
		}
		res.Status[region] = passing
		if spec.NoWait || rec.Planning() {
			if rec.Planning() {
				res.Status[region] = target
			}
			return nil
		}
		if err := waitFor(region, &st); err != nil {
			return err
		}
		if st != target {
			return fmt.Errorf("%s: %s: region %s settled %s, not %s", pkg, where(spec.AccountID), region, st, target)
		}
		res.Status[region] = st
		return nil
	}
	for _, r := range spec.Enabled {
		if err := converge(r, true); err != nil {
			return nil, rec.Fail(err)
		}
	}
	for _, r := range spec.Disabled {
		if err := converge(r, false); err != nil {
			return nil, rec.Fail(err)
		}
	}
	res.Changes = rec.Changes()
	return res, nil
}
