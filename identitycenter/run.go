package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/bounded"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// Instance is an IAM Identity Center instance.
type Instance struct {
	ARN             string // "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	IdentityStoreID string // "d-1234567890"
	OwnerAccountID  string
	Name            string
	Status          string // "ACTIVE"
}

// DefaultStartURL returns the AWS access portal URL Identity Center gives
// the instance until someone customises it in the console:
// "https://d-1234567890.awsapps.com/start". The API does not return the
// portal URL, so a customised one ("https://my-org.awsapps.com/start") must
// come from the caller. Empty when the identity store ID is unknown.
func (i Instance) DefaultStartURL() string {
	if i.IdentityStoreID == "" {
		return ""
	}
	return "https://" + i.IdentityStoreID + ".awsapps.com/start"
}

// FindInstance returns the caller's IAM Identity Center instance in the
// client's region (ListInstances). An instance still being created is
// waited for. Without one it returns an error matching ErrNotEnabled:
// enabling the organization instance is a console step.
func FindInstance(ctx context.Context, api FindInstanceAPI, opts ...foundation.Option) (*Instance, error) {
	if api == nil {
		return nil, specerr.New(pkg, "api", "", "must not be nil")
	}
	o := call.Resolve(opts...)
	ctx = limited(ctx, limiter(o)) // sso-admin calls keep to the run's request rate
	return findInstance(ctx, api, o, "")
}

func findInstance(ctx context.Context, api FindInstanceAPI, o call.Options, wantARN string) (*Instance, error) {
	var inst *Instance
	err := o.Poll(ctx, "the IAM Identity Center instance to become ACTIVE", func(ctx context.Context) (bool, error) {
		var all []types.InstanceMetadata
		p := ssoadmin.NewListInstancesPaginator(api, &ssoadmin.ListInstancesInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryConflict)
			if err != nil {
				return false, fmt.Errorf("identitycenter: list instances: %w", err)
			}
			all = append(all, out.Instances...)
		}
		var pending *types.InstanceMetadata
		for i, m := range all {
			if wantARN != "" && aws.ToString(m.InstanceArn) != wantARN {
				continue
			}
			switch m.Status {
			case types.InstanceStatusActive, "":
				inst = &Instance{
					ARN: aws.ToString(m.InstanceArn), IdentityStoreID: aws.ToString(m.IdentityStoreId),
					OwnerAccountID: aws.ToString(m.OwnerAccountId), Name: aws.ToString(m.Name), Status: string(m.Status),
				}
				return true, nil
			case types.InstanceStatusCreateInProgress:
				pending = &all[i]
			}
		}
		if pending != nil {
			o.Logger.Debug("instance being created", slog.String("arn", aws.ToString(pending.InstanceArn)))
			return false, nil
		}
		if wantARN != "" {
			return false, fmt.Errorf("identitycenter: instance %s: not found (ListInstances lists %d other instances): %w", wantARN, len(all), ErrNotEnabled)
		}
		return false, fmt.Errorf("identitycenter: %w", ErrNotEnabled)
	})
	return inst, err
}

// run is the state of one exported call. Its maps are guarded by mu; the
// goroutines of a call share it.
type run struct {
	api API
	o   call.Options
	log *slog.Logger

	instanceARN string
	storeID     string
	instance    *Instance // when looked up with ListInstances
	// rec gates the call's writes and records its changes.
	rec *plan.Recorder

	// noInstance is the error (matching ErrNotEnabled) of a dry run that
	// found no instance: the run then plans on an empty instance, as if
	// it had just been enabled, and makes no further call.
	noInstance error

	// mu guards users, groups and sets, and the permission sets' load.
	// With a foundation.ReadCache they are the run's (shared by every call
	// that shares the cache: the identity store's principals and the
	// instance's permission sets are read once per run); else this
	// call's.
	mu     *sync.Mutex
	users  map[string]string // user name -> ID (plan.Predict while only planned, in dry run)
	groups map[string]string // display name -> ID (plan.Predict while only planned)
	sets   *permissionSets   // name -> permission set; ARN plan.Predict while only planned
	// reads are this call's first reads of existing permission sets, by
	// ARN (firstRead); guarded by mu.
	reads map[string]*psRead
}

// permissionSets are the permission sets of an instance by name, loaded
// (every one read) once.
type permissionSets struct {
	byName map[string]*types.PermissionSet
	loaded bool
	load   sync.Mutex // held while loading
}

func newRun(api API, opts []foundation.Option) *run {
	o := call.Resolve(opts...)
	return &run{api: api, o: o, log: o.Logger, rec: plan.New(o), mu: &sync.Mutex{},
		users: map[string]string{}, groups: map[string]string{}, sets: &permissionSets{byName: map[string]*types.PermissionSet{}}}
}

// share makes the run's look-ups those of its ReadCache, once the instance
// and identity store are known: the principals by identity store, the
// permission sets by instance. Without a ReadCache, or in a dry run
// without an instance, the run keeps its own.
func (r *run) share() {
	c := r.o.ReadCache
	if c == nil || r.noInstance != nil {
		return
	}
	r.mu, _ = readcache.Get(c, "identitycenter/mu", func() (*sync.Mutex, error) { return &sync.Mutex{}, nil })
	if r.storeID != "" {
		type principals struct{ users, groups map[string]string }
		p, _ := readcache.Get(c, "identitycenter/principals/"+r.storeID, func() (*principals, error) {
			return &principals{users: map[string]string{}, groups: map[string]string{}}, nil
		})
		r.users, r.groups = p.users, p.groups
	}
	if r.instanceARN != "" {
		r.sets, _ = readcache.Get(c, "identitycenter/permission-sets/"+r.instanceARN, func() (*permissionSets, error) {
			return &permissionSets{byName: map[string]*types.PermissionSet{}}, nil
		})
	}
}

// resolveInstance fills instanceARN and storeID from the spec or, when one
// is needed and missing, from ListInstances. In a dry run, when the spec
// names no instance and ListInstances finds none, it sets noInstance
// instead of failing.
func (r *run) resolveInstance(ctx context.Context, instanceARN, storeID string, needARN, needStore bool) error {
	r.instanceARN, r.storeID = instanceARN, storeID
	if (!needARN || instanceARN != "") && (!needStore || storeID != "") {
		r.share()
		return nil
	}
	inst, err := readcache.Get(r.o.ReadCache, "identitycenter/instance/"+instanceARN, func() (*Instance, error) {
		return findInstance(ctx, r.api.SSOAdmin, r.o, instanceARN)
	})
	if err != nil {
		// A read that plans on the state planned writes would make: a dry
		// run goes on without an instance, as if it had just been enabled.
		if r.rec.Planning() && instanceARN == "" && errors.Is(err, ErrNotEnabled) {
			// Nothing exists without an instance: plan what a run would
			// do once it is enabled, without IDs.
			r.instanceARN, r.storeID, r.noInstance = "", "", err
			r.log.Debug("no instance: dry run plans on an empty one", slog.Any("err", err))
			return nil
		}
		return err
	}
	if storeID != "" && inst.IdentityStoreID != storeID {
		return fmt.Errorf("identitycenter: instance %s uses identity store %s, not the spec's %s", inst.ARN, inst.IdentityStoreID, storeID)
	}
	r.instanceARN, r.storeID, r.instance = inst.ARN, inst.IdentityStoreID, inst
	r.log.Debug("instance", slog.String("arn", inst.ARN), slog.String("identityStore", inst.IdentityStoreID))
	r.share()
	return nil
}

// userID looks a user up by user name (GetUserId). found is false when the
// identity store has no such user.
func (r *run) userID(ctx context.Context, name string) (id string, found bool, err error) {
	r.mu.Lock()
	id, ok := r.users[name]
	r.mu.Unlock()
	if ok || r.noInstance != nil {
		return id, ok, nil
	}
	out, err := r.api.IdentityStore.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(r.storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(name),
		}},
	})
	switch {
	case is[*istypes.ResourceNotFoundException](err):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("identitycenter: user %q: get user id: %w", name, err)
	}
	id = aws.ToString(out.UserId)
	r.mu.Lock()
	r.users[name] = id
	r.mu.Unlock()
	return id, true, nil
}

// groupID looks a group up by display name (GetGroupId).
func (r *run) groupID(ctx context.Context, name string) (id string, found bool, err error) {
	r.mu.Lock()
	id, ok := r.groups[name]
	r.mu.Unlock()
	if ok || r.noInstance != nil {
		return id, ok, nil
	}
	out, err := r.api.IdentityStore.GetGroupId(ctx, &identitystore.GetGroupIdInput{
		IdentityStoreId: aws.String(r.storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(name),
		}},
	})
	switch {
	case is[*istypes.ResourceNotFoundException](err):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("identitycenter: group %q: get group id: %w", name, err)
	}
	id = aws.ToString(out.GroupId)
	r.mu.Lock()
	r.groups[name] = id
	r.mu.Unlock()
	return id, true, nil
}

// principalID resolves a principal; found is false when it does not exist.
func (r *run) principalID(ctx context.Context, p Principal) (string, bool, error) {
	if p.Type == PrincipalUser {
		return r.userID(ctx, p.Name)
	}
	return r.groupID(ctx, p.Name)
}

// loadPermissionSets reads every permission set of the instance once per
// run (ListPermissionSets, then DescribePermissionSet for each), indexed by
// name. A failed load is tried again by the next caller.
func (r *run) loadPermissionSets(ctx context.Context) error {
	if r.noInstance != nil {
		return nil // no instance (dry run): no permission set yet
	}
	sets := r.sets
	sets.load.Lock()
	defer sets.load.Unlock()
	r.mu.Lock()
	loaded := sets.loaded
	r.mu.Unlock()
	if loaded {
		return nil
	}
	var arns []string
	p := ssoadmin.NewListPermissionSetsPaginator(r.api.SSOAdmin, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(r.instanceARN)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryConflict)
		if err != nil {
			return fmt.Errorf("identitycenter: list permission sets: %w", err)
		}
		arns = append(arns, out.PermissionSets...)
	}
	read := make([]*types.PermissionSet, len(arns))
	err := forEach(ctx, len(arns), describeConcurrency, func(ctx context.Context, i int) error {
		ps, err := r.describePermissionSet(ctx, arns[i])
		read[i] = ps
		return err
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	for _, ps := range read {
		if _, ok := sets.byName[aws.ToString(ps.Name)]; !ok { // what a write set meanwhile wins
			sets.byName[aws.ToString(ps.Name)] = ps
		}
	}
	sets.loaded = true
	r.mu.Unlock()
	return nil
}

// describeConcurrency bounds the concurrent reads of a run.
const describeConcurrency = 5

func (r *run) describePermissionSet(ctx context.Context, arn string) (*types.PermissionSet, error) {
	out, err := r.api.SSOAdmin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{
		InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn),
	}, retryConflict)
	if err != nil {
		return nil, fmt.Errorf("identitycenter: permission set %s: describe: %w", arn, err)
	}
	if out.PermissionSet == nil {
		return nil, fmt.Errorf("identitycenter: permission set %s: describe: empty answer", arn)
	}
	return out.PermissionSet, nil
}

// permissionSet returns the permission set named name, or nil.
func (r *run) permissionSet(name string) *types.PermissionSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sets.byName[name]
}

func (r *run) setPermissionSet(ps *types.PermissionSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sets.byName[aws.ToString(ps.Name)] = ps
}

// forEach runs fn for 0..n-1 with at most limit at once (bounded.ForEach).
func forEach(ctx context.Context, n, limit int, fn func(context.Context, int) error) error {
	return bounded.ForEach(ctx, n, limit, fn)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
