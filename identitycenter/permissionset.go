package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
)

// PermissionSet is what EnsurePermissionSet converged.
type PermissionSet struct {
	// ARN of the permission set; in dry run, for one that would be
	// created, a placeholder (plan.Predict) that the same dry run's
	// assignments plan with.
	ARN  string
	Name string
	// ProvisionedAccounts are the accounts this call provisioned the
	// permission set to, sorted: every account it is provisioned to when
	// the call changed it (re-provisioned to ALL_PROVISIONED_ACCOUNTS),
	// else those AWS listed with an outdated version; nil when there was
	// nothing to provision. A run that changes nothing does not list
	// every account (a page per 20 accounts of IAM Identity Center's 20
	// requests a second). AWS provisions it to an account when an
	// assignment is created.
	ProvisionedAccounts []string
	Changes             foundation.Changes
}

// EnsurePermissionSet converges a permission set, found by name: created if
// missing; description, session duration and relay state updated
// (UpdatePermissionSet); AWS managed and customer managed policies attached
// and detached so that exactly the spec's are attached; the inline policy
// and permissions boundary put or deleted; the spec's tags set. When any of
// these changed, the permission set is re-provisioned to every account it is
// provisioned to (ProvisionPermissionSet, ALL_PROVISIONED_ACCOUNTS) and the
// provisioning waited for. Accounts whose provisioning is stale
// (LATEST_PERMISSION_SET_NOT_PROVISIONED: a run that stopped between the
// update and the provisioning, or a failed provisioning) are re-provisioned
// one by one even when nothing else changed, so a crashed run is finished
// by the next one. A dry run without an instance plans the creation and
// attachments (predicted ARN) instead of returning ErrNotEnabled. On a
// failure after a write, the error carries a *foundation.IncompleteError
// listing the changes made.
func EnsurePermissionSet(ctx context.Context, api API, spec PermissionSetSpec, opts ...foundation.Option) (*PermissionSet, error) {
	spec = spec.withDefaults()
	var f faults
	spec.check(&f, "spec", true)
	if api.SSOAdmin == nil {
		f.add("api.SSOAdmin", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	r := newRun(api, opts)
	ctx = limited(ctx, limiter(r.o)) // sso-admin calls keep to the run's request rate
	if err := r.resolveInstance(ctx, spec.InstanceARN, "", true, false); err != nil {
		return nil, err
	}
	ps, err := r.ensurePermissionSet(ctx, spec, "spec.Adopt", r.rec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	return ps, nil
}

// psState is what a permission set has, as read (or as created).
type psState struct {
	managed  []string
	customer []CustomerManagedPolicy
	inline   string // the JSON AWS returned; "" for none
	boundary *PermissionsBoundary
	tags     map[string]string
	// The accounts the permission set is provisioned to without its
	// latest version, sorted; read only by a call's first read of it
	// (firstRead).
	stale []string
}

// psRead is a run's first read of an existing permission set, started
// once (firstRead) and awaited by ensurePermissionSet.
type psRead struct {
	done chan struct{}
	st   *psState
	err  error
}

// firstRead starts, once per permission set per call, the read of
// everything a converge compares (its settings and the accounts it is
// provisioned to with an outdated version, six reads side by side) and
// returns it; ensureAccess
// starts those of all its permission sets at once, beside the people.
func (r *run) firstRead(ctx context.Context, name, arn string) *psRead {
	r.mu.Lock()
	if r.reads == nil {
		r.reads = map[string]*psRead{}
	}
	pr, ok := r.reads[arn]
	if !ok {
		pr = &psRead{done: make(chan struct{})}
		r.reads[arn] = pr
	}
	r.mu.Unlock()
	if !ok {
		go func() {
			defer close(pr.done)
			pr.st, pr.err = r.readPermissionSet(ctx, name, arn, true)
		}()
	}
	return pr
}

// prefetchPermissionSets starts the first read of every permission set of
// specs that exists, and returns when they are all read.
func (r *run) prefetchPermissionSets(ctx context.Context, specs []PermissionSetSpec) {
	if len(specs) == 0 || r.loadPermissionSets(ctx) != nil {
		return // ensurePermissionSet meets the error again
	}
	var started []*psRead
	for _, s := range specs {
		if ps := r.permissionSet(s.Name); ps != nil && !plan.IsPredicted(aws.ToString(ps.PermissionSetArn)) {
			started = append(started, r.firstRead(ctx, s.Name, aws.ToString(ps.PermissionSetArn)))
		}
	}
	for _, pr := range started {
		select {
		case <-pr.done:
		case <-ctx.Done():
			return
		}
	}
}

// ensurePermissionSet converges one permission set, recording its changes
// in rec (whose Changes are the result's); adoptField names s.Adopt in the
// caller's spec.
func (r *run) ensurePermissionSet(ctx context.Context, s PermissionSetSpec, adoptField string, rec *plan.Recorder) (*PermissionSet, error) {
	if err := r.loadPermissionSets(ctx); err != nil {
		return nil, err
	}
	res := &PermissionSet{Name: s.Name}
	wrap := func(step string, err error) error {
		return fmt.Errorf("identitycenter: permission set %q: %s: %w", s.Name, step, err)
	}
	ps := r.permissionSet(s.Name)
	fresh := false // created by this run: nothing attached yet, provisioned nowhere
	if ps == nil {
		c := foundation.Change{Action: foundation.ActionCreate, Resource: ResPermissionSet, ID: s.Name}
		raced := false
		applied, err := rec.Do(ctx, c, func(ctx context.Context) error {
			in := &ssoadmin.CreatePermissionSetInput{
				InstanceArn: aws.String(r.instanceARN), Name: aws.String(s.Name),
				SessionDuration: aws.String(FormatDuration(s.SessionDuration)),
				// The ownership tag goes on in the create itself: a lost
				// answer or a crash never leaves an untagged one.
				Tags: tagList(foundation.WithManagedBy(s.Tags)),
			}
			if s.Description != "" {
				in.Description = aws.String(s.Description)
			}
			if s.RelayState != "" {
				in.RelayState = aws.String(s.RelayState)
			}
			// No client token: a lost answer is resolved by finding the
			// permission set by its name (awsretry.Create).
			var err error
			ps, err = awsretry.Create(ctx, r.o, func(ctx context.Context) (*types.PermissionSet, bool, error) {
				found, err := r.lookupPermissionSet(ctx, s.Name)
				return found, found != nil, err
			}, func(ctx context.Context) (*types.PermissionSet, error) {
				out, err := r.api.SSOAdmin.CreatePermissionSet(ctx, in, creating)
				if err != nil {
					return nil, err
				}
				return out.PermissionSet, nil
			})
			switch {
			case err == nil && ps != nil:
				return nil
			case is[*types.ConflictException](err):
				// A permission set of that name exists (created
				// concurrently, or by a create whose answer was lost):
				// not this run's change; find it and converge it below.
				raced = true
				return plan.ErrUnchanged
			case err == nil:
				return wrap("create", fmt.Errorf("empty answer"))
			default:
				return wrap("create", err)
			}
		})
		switch {
		case err != nil:
			return nil, err
		case !applied:
			// Planned: the run's assignments plan with the predicted ARN.
			ps, fresh = &types.PermissionSet{Name: aws.String(s.Name), PermissionSetArn: aws.String(plan.Predict("permission set", s.Name))}, true
			r.setPermissionSet(ps)
		case raced:
			if ps, err = r.findPermissionSet(ctx, s.Name); err != nil {
				return nil, wrap("create", err)
			}
		default:
			fresh = true
			r.setPermissionSet(ps)
		}
	}
	res.ARN = aws.ToString(ps.PermissionSetArn)
	arn := ps.PermissionSetArn
	base := func() (*string, *string) { return aws.String(r.instanceARN), arn }

	have := &psState{tags: map[string]string{}}
	if !fresh {
		pr := r.firstRead(ctx, s.Name, res.ARN)
		select {
		case <-pr.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if pr.err != nil {
			return nil, pr.err
		}
		have = pr.st
		// Ownership first: one made outside this library is not written
		// to unless the spec adopts it.
		if err := foundation.CheckOwner(ResPermissionSet, s.Name, have.tags, s.Adopt, adoptField); err != nil {
			return nil, err
		}
	}
	// prune: what the spec does not list is removed only from a
	// permission set the library made.
	prune := !s.Adopt
	changed := false // anything that needs re-provisioning
	write := func(step string, c foundation.Change, fn func() error) error {
		if err := rec.Write(ctx, c, func(context.Context) error {
			if err := fn(); err != nil {
				return wrap(step, err)
			}
			return nil
		}); err != nil {
			return err
		}
		if c.Resource != ResPermissionSetTags {
			changed = true
		}
		return nil
	}

	// Settings.
	if !fresh {
		var diffs []foundation.Diff
		if s.Description != "" && aws.ToString(ps.Description) != s.Description {
			diffs = append(diffs, foundation.Diff{Field: "Description", From: aws.ToString(ps.Description), To: s.Description})
		}
		want := FormatDuration(s.SessionDuration)
		if d, err := ParseDuration(aws.ToString(ps.SessionDuration)); err != nil || d != s.SessionDuration {
			diffs = append(diffs, foundation.Diff{Field: "SessionDuration", From: aws.ToString(ps.SessionDuration), To: want})
		}
		if s.RelayState != "" && aws.ToString(ps.RelayState) != s.RelayState {
			diffs = append(diffs, foundation.Diff{Field: "RelayState", From: aws.ToString(ps.RelayState), To: s.RelayState})
		}
		if len(diffs) > 0 {
			err := write("update", foundation.Change{Action: foundation.ActionUpdate, Resource: ResPermissionSet, ID: s.Name, Diffs: diffs}, func() error {
				in := &ssoadmin.UpdatePermissionSetInput{SessionDuration: aws.String(want)}
				in.InstanceArn, in.PermissionSetArn = base()
				if s.Description != "" {
					in.Description = aws.String(s.Description)
				}
				if s.RelayState != "" {
					in.RelayState = aws.String(s.RelayState)
				}
				_, err := r.api.SSOAdmin.UpdatePermissionSet(ctx, in, retryConflict)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}

	// AWS managed policies.
	for _, p := range s.ManagedPolicies {
		if slices.Contains(have.managed, p) {
			continue
		}
		err := write("attach managed policy "+p, foundation.Change{Action: foundation.ActionCreate, Resource: ResManagedPolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "ManagedPolicyArn", To: p}}}, func() error {
			in := &ssoadmin.AttachManagedPolicyToPermissionSetInput{ManagedPolicyArn: aws.String(p)}
			in.InstanceArn, in.PermissionSetArn = base()
			return r.attachOnce(ctx, func(ctx context.Context) error {
				_, err := r.api.SSOAdmin.AttachManagedPolicyToPermissionSet(ctx, in, creating)
				return err
			}, func(ctx context.Context) (bool, error) { return r.managedAttached(ctx, res.ARN, p), nil })
		})
		if err != nil {
			return nil, err
		}
	}
	for _, p := range have.managed {
		if !prune || slices.Contains(s.ManagedPolicies, p) {
			continue
		}
		err := write("detach managed policy "+p, foundation.Change{Action: foundation.ActionDelete, Resource: ResManagedPolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "ManagedPolicyArn", From: p}}}, func() error {
			in := &ssoadmin.DetachManagedPolicyFromPermissionSetInput{ManagedPolicyArn: aws.String(p)}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.DetachManagedPolicyFromPermissionSet(ctx, in, retryConflict)
			if is[*types.ResourceNotFoundException](err) {
				return nil // detached concurrently
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}

	// Customer managed policies.
	for _, p := range s.CustomerManagedPolicies {
		if slices.Contains(have.customer, p) {
			continue
		}
		err := write("attach customer managed policy "+p.String(), foundation.Change{Action: foundation.ActionCreate, Resource: ResCustomerManagedPolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "CustomerManagedPolicy", To: p.String()}}}, func() error {
			in := &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{CustomerManagedPolicyReference: cmRef(p)}
			in.InstanceArn, in.PermissionSetArn = base()
			return r.attachOnce(ctx, func(ctx context.Context) error {
				_, err := r.api.SSOAdmin.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, in, creating)
				return err
			}, func(ctx context.Context) (bool, error) {
				st, err := r.readPermissionSet(ctx, s.Name, res.ARN, false)
				return err == nil && slices.Contains(st.customer, p), nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	for _, p := range have.customer {
		if !prune || slices.Contains(s.CustomerManagedPolicies, p) {
			continue
		}
		err := write("detach customer managed policy "+p.String(), foundation.Change{Action: foundation.ActionDelete, Resource: ResCustomerManagedPolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "CustomerManagedPolicy", From: p.String()}}}, func() error {
			in := &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{CustomerManagedPolicyReference: cmRef(p)}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, in, retryConflict)
			if is[*types.ResourceNotFoundException](err) {
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}

	// Inline policy, compared by meaning.
	switch {
	case s.InlinePolicy == nil && have.inline != "" && prune:
		err := write("delete inline policy", foundation.Change{Action: foundation.ActionDelete, Resource: ResInlinePolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "InlinePolicy", From: compactPolicy(have.inline)}}}, func() error {
			in := &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.DeleteInlinePolicyFromPermissionSet(ctx, in, retryConflict)
			return err
		})
		if err != nil {
			return nil, err
		}
	case s.InlinePolicy != nil:
		want := s.InlinePolicy.MustJSON()
		action := foundation.ActionCreate
		if have.inline != "" {
			action = foundation.ActionUpdate
			if doc, err := foundation.ParsePolicy(have.inline); err == nil && doc.Equal(s.InlinePolicy) {
				break
			}
		}
		err := write("put inline policy", foundation.Change{Action: action, Resource: ResInlinePolicy, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "InlinePolicy", From: compactPolicy(have.inline), To: want}}}, func() error {
			in := &ssoadmin.PutInlinePolicyToPermissionSetInput{InlinePolicy: aws.String(want)}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.PutInlinePolicyToPermissionSet(ctx, in, retryConflict)
			return err
		})
		if err != nil {
			return nil, err
		}
	}

	// Permissions boundary.
	switch b := s.PermissionsBoundary; {
	case b == nil && have.boundary != nil && prune:
		err := write("delete permissions boundary", foundation.Change{Action: foundation.ActionDelete, Resource: ResPermissionsBoundary, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: have.boundary.String()}}}, func() error {
			in := &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.DeletePermissionsBoundaryFromPermissionSet(ctx, in, retryConflict)
			if is[*types.ResourceNotFoundException](err) {
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	case b != nil && b.String() != have.boundary.String():
		action := foundation.ActionCreate
		if have.boundary != nil {
			action = foundation.ActionUpdate
		}
		err := write("put permissions boundary", foundation.Change{Action: action, Resource: ResPermissionsBoundary, ID: s.Name,
			Diffs: []foundation.Diff{{Field: "PermissionsBoundary", From: have.boundary.String(), To: b.String()}}}, func() error {
			pb := &types.PermissionsBoundary{}
			if b.CustomerManagedPolicy != nil {
				pb.CustomerManagedPolicyReference = cmRef(*b.CustomerManagedPolicy)
			} else {
				pb.ManagedPolicyArn = aws.String(b.ManagedPolicyARN)
			}
			in := &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{PermissionsBoundary: pb}
			in.InstanceArn, in.PermissionSetArn = base()
			_, err := r.api.SSOAdmin.PutPermissionsBoundaryToPermissionSet(ctx, in, retryConflict)
			return err
		})
		if err != nil {
			return nil, err
		}
	}

	// Tags (never a reason to re-provision). Keys the spec does not list
	// are kept.
	if !fresh {
		var diffs []foundation.Diff
		set := map[string]string{}
		want := awsrules.WantedTags(s.Tags, s.Adopt) // an adopted one is never given the ownership tag
		for _, k := range sortedKeys(want) {
			if old, ok := have.tags[k]; !ok || old != want[k] {
				set[k] = want[k]
				diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
			}
		}
		if len(diffs) > 0 {
			err := write("tag", foundation.Change{Action: foundation.ActionUpdate, Resource: ResPermissionSetTags, ID: s.Name, Diffs: diffs}, func() error {
				_, err := r.api.SSOAdmin.TagResource(ctx, &ssoadmin.TagResourceInput{
					InstanceArn: aws.String(r.instanceARN), ResourceArn: arn, Tags: tagList(set),
				}, retryConflict)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}

	if !fresh {
		accounts, err := r.provision(ctx, s.Name, res.ARN, changed, have, rec)
		if err != nil {
			return nil, err
		}
		res.ProvisionedAccounts = accounts
	}
	res.Changes = rec.Changes()
	return res, nil
}

// findPermissionSet lists the permission sets again and returns the one
// named name; not found is an error.
func (r *run) findPermissionSet(ctx context.Context, name string) (*types.PermissionSet, error) {
	ps, err := r.lookupPermissionSet(ctx, name)
	if err == nil && ps == nil {
		err = fmt.Errorf("a permission set named %q exists but is not listed", name)
	}
	return ps, err
}

// lookupPermissionSet lists the permission sets again and returns the one
// named name, or nil.
func (r *run) lookupPermissionSet(ctx context.Context, name string) (*types.PermissionSet, error) {
	p := ssoadmin.NewListPermissionSetsPaginator(r.api.SSOAdmin, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(r.instanceARN)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryConflict)
		if err != nil {
			return nil, fmt.Errorf("list permission sets: %w", err)
		}
		for _, arn := range out.PermissionSets {
			if ps := r.permissionSet(name); ps != nil && aws.ToString(ps.PermissionSetArn) == arn {
				return ps, nil
			}
			ps, err := r.describePermissionSet(ctx, arn)
			if err != nil {
				return nil, err
			}
			r.setPermissionSet(ps)
			if aws.ToString(ps.Name) == name {
				return ps, nil
			}
		}
	}
	return nil, nil
}

// readPermissionSet reads the attachments, inline policy, boundary and tags
// of an existing permission set, and with accounts the accounts it is
// provisioned to without its latest version: five or six independent
// reads, made side by side.
func (r *run) readPermissionSet(ctx context.Context, name, arn string, accounts bool) (*psState, error) {
	wrap := func(step string, err error) error {
		return fmt.Errorf("identitycenter: permission set %q: %s: %w", name, step, err)
	}
	st := &psState{tags: map[string]string{}}
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListManagedPoliciesInPermissionSetInput{
				InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn)})
			for mp.HasMorePages() {
				out, err := mp.NextPage(ctx, retryConflict)
				if err != nil {
					return wrap("list managed policies", err)
				}
				for _, p := range out.AttachedManagedPolicies {
					st.managed = append(st.managed, aws.ToString(p.Arn))
				}
			}
			return nil
		},
		func(ctx context.Context) error {
			cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{
				InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn)})
			for cp.HasMorePages() {
				out, err := cp.NextPage(ctx, retryConflict)
				if err != nil {
					return wrap("list customer managed policies", err)
				}
				for _, p := range out.CustomerManagedPolicyReferences {
					st.customer = append(st.customer, CustomerManagedPolicy{Name: aws.ToString(p.Name), Path: aws.ToString(p.Path)}.withDefaults())
				}
			}
			return nil
		},
		func(ctx context.Context) error {
			in, err := r.api.SSOAdmin.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{
				InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn)}, retryConflict)
			if err != nil {
				return wrap("get inline policy", err)
			}
			st.inline = strings.TrimSpace(aws.ToString(in.InlinePolicy))
			return nil
		},
		func(ctx context.Context) error {
			pb, err := r.api.SSOAdmin.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{
				InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn)}, retryConflict)
			switch {
			case is[*types.ResourceNotFoundException](err):
			case err != nil:
				return wrap("get permissions boundary", err)
			case pb.PermissionsBoundary != nil:
				b := pb.PermissionsBoundary
				switch {
				case b.CustomerManagedPolicyReference != nil:
					cm := CustomerManagedPolicy{Name: aws.ToString(b.CustomerManagedPolicyReference.Name), Path: aws.ToString(b.CustomerManagedPolicyReference.Path)}.withDefaults()
					st.boundary = &PermissionsBoundary{CustomerManagedPolicy: &cm}
				case aws.ToString(b.ManagedPolicyArn) != "":
					st.boundary = &PermissionsBoundary{ManagedPolicyARN: aws.ToString(b.ManagedPolicyArn)}
				}
			}
			return nil
		},
		func(ctx context.Context) error {
			tp := ssoadmin.NewListTagsForResourcePaginator(r.api.SSOAdmin, &ssoadmin.ListTagsForResourceInput{
				InstanceArn: aws.String(r.instanceARN), ResourceArn: aws.String(arn)})
			for tp.HasMorePages() {
				out, err := tp.NextPage(ctx, retryConflict)
				if err != nil {
					return wrap("list tags", err)
				}
				for _, t := range out.Tags {
					st.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			return nil
		},
	}
	if accounts {
		reads = append(reads, func(ctx context.Context) error {
			list, err := r.provisionedAccounts(ctx, arn, types.ProvisioningStatusLatestPermissionSetNotProvisioned)
			if err != nil {
				return wrap("", err)
			}
			st.stale = list
			return nil
		})
	}
	if err := forEach(ctx, len(reads), len(reads), func(ctx context.Context, i int) error { return reads[i](ctx) }); err != nil {
		return nil, err
	}
	return st, nil
}

// attachOnce attaches a policy to a permission set. A second attach of
// the same policy is refused with ConflictException, so the SDK does not
// retry a lost answer (creating): awsretry.Create looks first whether the
// earlier attempt attached it. A ConflictException (retried by the SDK
// while it may be a conflicting operation in progress) is success only
// when the policy is attached.
func (r *run) attachOnce(ctx context.Context, attach func(context.Context) error, attached func(context.Context) (bool, error)) error {
	_, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (struct{}, bool, error) {
		ok, err := attached(ctx)
		return struct{}{}, ok, err
	}, func(ctx context.Context) (struct{}, error) { return struct{}{}, attach(ctx) })
	if is[*types.ConflictException](err) {
		if ok, _ := attached(ctx); ok {
			return nil // attached concurrently
		}
	}
	return err
}

// managedAttached reports whether the managed policy is attached (after a
// ConflictException on attach); read errors count as "not attached".
func (r *run) managedAttached(ctx context.Context, psARN, policyARN string) bool {
	p := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListManagedPoliciesInPermissionSetInput{
		InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(psARN)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryConflict)
		if err != nil {
			return false
		}
		for _, m := range out.AttachedManagedPolicies {
			if aws.ToString(m.Arn) == policyARN {
				return true
			}
		}
	}
	return false
}

// provision re-provisions the permission set where needed and returns the
// accounts it provisioned it to. changed: the run changed the permission
// set, so every provisioned account is re-provisioned at once
// (ALL_PROVISIONED_ACCOUNTS), listed for the change. Otherwise only the
// accounts the run's first read of it (have) found
// LATEST_PERMISSION_SET_NOT_PROVISIONED are, one by one: a run that
// changes nothing lists only those.
func (r *run) provision(ctx context.Context, name, arn string, changed bool, have *psState, rec *plan.Recorder) ([]string, error) {
	if changed {
		accounts, err := r.provisionedAccounts(ctx, arn, "")
		if err != nil {
			return nil, fmt.Errorf("identitycenter: permission set %q: %w", name, err)
		}
		if len(accounts) == 0 {
			return nil, nil
		}
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResProvisioning, ID: name + "/" + string(types.ProvisionTargetTypeAllProvisionedAccounts),
			Diffs: []foundation.Diff{{Field: "Accounts", To: strings.Join(accounts, ",")}}}
		if err := r.provisionTo(ctx, name, arn, types.ProvisionTargetTypeAllProvisionedAccounts, "", c, rec); err != nil {
			return nil, err
		}
		return accounts, nil
	}
	for _, acct := range have.stale {
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResProvisioning, ID: name + "/" + acct,
			Diffs: []foundation.Diff{{Field: "ProvisioningStatus", From: string(types.ProvisioningStatusLatestPermissionSetNotProvisioned), To: string(types.ProvisioningStatusLatestPermissionSetProvisioned)}}}
		if err := r.provisionTo(ctx, name, arn, types.ProvisionTargetTypeAwsAccount, acct, c, rec); err != nil {
			return nil, err
		}
	}
	return have.stale, nil
}

// provisionedAccounts lists the accounts the permission set is provisioned
// to, filtered by status ("" for all), sorted.
func (r *run) provisionedAccounts(ctx context.Context, arn string, status types.ProvisioningStatus) ([]string, error) {
	var accounts []string
	p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn), ProvisioningStatus: status,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryConflict)
		if err != nil {
			return nil, fmt.Errorf("list provisioned accounts: %w", err)
		}
		accounts = append(accounts, out.AccountIds...)
	}
	sort.Strings(accounts)
	return slices.Compact(accounts), nil
}

// provisionTo calls ProvisionPermissionSet and waits for it; the change
// is recorded once the provisioning succeeded.
func (r *run) provisionTo(ctx context.Context, name, arn string, target types.ProvisionTargetType, account string, c foundation.Change, rec *plan.Recorder) error {
	label := account
	if label == "" {
		label = string(target)
	}
	return rec.Write(ctx, c, func(ctx context.Context) error { return r.provisionWrite(ctx, name, arn, target, account, label) })
}

// provisionWrite provisions the permission set and waits for it.
// ProvisionPermissionSet is not idempotent while a provisioning of the
// same permission set is in progress: a second call is refused with
// ConflictException ("already being provisioned"). So:
//
//   - a lost answer (awsretry.MaybeApplied) is resolved by
//     awsretry.Create: the provisioning in progress for this permission
//     set and target (ListPermissionSetProvisioningStatus) is the earlier
//     attempt, and is waited for;
//   - a ConflictException means another provisioning is in progress (a
//     concurrent run, or one whose answer an earlier run lost): the SDK
//     retries it first; when its attempts are used up, the provisioning
//     in progress is waited for, then the permission set is provisioned
//     again, retried by awsretry.Wait for at most the options'
//     PropagationTimeout.
func (r *run) provisionWrite(ctx context.Context, name, arn string, target types.ProvisionTargetType, account, label string) error {
	in := &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(r.instanceARN), PermissionSetArn: aws.String(arn), TargetType: target}
	if account != "" {
		in.TargetId = aws.String(account)
	}
	find := func(ctx context.Context) (*types.PermissionSetProvisioningStatus, bool, error) {
		st, err := r.provisioningInProgress(ctx, arn, target, account)
		return st, st != nil, err
	}
	err := awsretry.Wait(ctx, r.o, is[*types.ConflictException], func(ctx context.Context) error {
		st, err := awsretry.Create(ctx, r.o, find, func(ctx context.Context) (*types.PermissionSetProvisioningStatus, error) {
			out, err := r.api.SSOAdmin.ProvisionPermissionSet(ctx, in, creating)
			if err != nil {
				return nil, err
			}
			if out.PermissionSetProvisioningStatus == nil {
				return nil, fmt.Errorf("no status in the answer")
			}
			return out.PermissionSetProvisioningStatus, nil
		})
		if is[*types.ConflictException](err) {
			// Wait for the provisioning in progress (its outcome is not
			// ours to report), then provision again.
			if prev, ok, ferr := find(ctx); ferr == nil && ok {
				r.log.Debug("another provisioning is in progress; waiting for it", slog.String("permissionSet", name), slog.String("request", aws.ToString(prev.RequestId)))
				if werr := r.waitProvisioning(ctx, name, label, prev); werr != nil && !is[*ProvisioningError](werr) {
					return werr
				}
			}
			return err
		}
		if err != nil {
			return err
		}
		return r.waitProvisioning(ctx, name, label, st)
	})
	var pe *awsretry.PropagationError
	switch {
	case err == nil:
		return nil
	case is[*ProvisioningError](err):
		return err
	case errors.As(err, &pe):
		return fmt.Errorf("identitycenter: permission set %q: provision to %s: another provisioning was still in progress after %d attempts in %s: %w", name, label, pe.Attempts, pe.Timeout, pe.Err)
	default:
		return fmt.Errorf("identitycenter: permission set %q: provision to %s: %w", name, label, err)
	}
}

// provisioningInProgress returns the provisioning of the permission set to
// the target that is IN_PROGRESS, or nil.
func (r *run) provisioningInProgress(ctx context.Context, arn string, target types.ProvisionTargetType, account string) (*types.PermissionSetProvisioningStatus, error) {
	p := ssoadmin.NewListPermissionSetProvisioningStatusPaginator(r.api.SSOAdmin, &ssoadmin.ListPermissionSetProvisioningStatusInput{
		InstanceArn: aws.String(r.instanceARN), Filter: &types.OperationStatusFilter{Status: types.StatusValuesInProgress},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryConflict)
		if err != nil {
			return nil, fmt.Errorf("list provisioning status: %w", err)
		}
		for _, m := range out.PermissionSetsProvisioningStatus {
			d, err := r.api.SSOAdmin.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
				InstanceArn: aws.String(r.instanceARN), ProvisionPermissionSetRequestId: m.RequestId,
			}, retryConflict)
			if err != nil {
				return nil, fmt.Errorf("describe provisioning status %s: %w", aws.ToString(m.RequestId), err)
			}
			st := d.PermissionSetProvisioningStatus
			if st == nil || st.Status != types.StatusValuesInProgress || aws.ToString(st.PermissionSetArn) != arn {
				continue
			}
			// One for ALL_PROVISIONED_ACCOUNTS has no account; either
			// kind blocks the other.
			if target == types.ProvisionTargetTypeAwsAccount && st.AccountId != nil && aws.ToString(st.AccountId) != account {
				continue
			}
			return st, nil
		}
	}
	return nil, nil
}

// waitProvisioning waits for a provisioning to succeed; a failed one is a
// *ProvisioningError. Other errors are not wrapped: provisionWrite does.
func (r *run) waitProvisioning(ctx context.Context, name, label string, st *types.PermissionSetProvisioningStatus) error {
	reqID := aws.ToString(st.RequestId)
	r.log.Debug("provisioning", slog.String("permissionSet", name), slog.String("target", label), slog.String("request", reqID))
	err := r.rec.Wait(ctx, r.o, fmt.Sprintf("permission set %q provisioning to %s (request %s)", name, label, reqID), func(ctx context.Context) (bool, error) {
		switch st.Status {
		case types.StatusValuesSucceeded:
			return true, nil
		case types.StatusValuesFailed:
			return false, &ProvisioningError{PermissionSet: name, Target: label, RequestID: reqID, Reason: aws.ToString(st.FailureReason)}
		}
		d, err := r.api.SSOAdmin.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: aws.String(r.instanceARN), ProvisionPermissionSetRequestId: aws.String(reqID),
		}, retryConflict)
		if err != nil {
			return false, fmt.Errorf("describe status: %w", err)
		}
		if d.PermissionSetProvisioningStatus != nil {
			st = d.PermissionSetProvisioningStatus
		}
		switch st.Status {
		case types.StatusValuesSucceeded:
			return true, nil
		case types.StatusValuesFailed:
			return false, &ProvisioningError{PermissionSet: name, Target: label, RequestID: reqID, Reason: aws.ToString(st.FailureReason)}
		}
		return false, nil
	})
	return err
}

func cmRef(p CustomerManagedPolicy) *types.CustomerManagedPolicyReference {
	p = p.withDefaults()
	return &types.CustomerManagedPolicyReference{Name: aws.String(p.Name), Path: aws.String(p.Path)}
}

func tagList(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// compactPolicy renders a policy AWS returned in the library's compact form
// for Diffs; a policy that does not parse is shown as returned.
func compactPolicy(s string) string {
	if s == "" {
		return ""
	}
	if d, err := foundation.ParsePolicy(s); err == nil {
		if js, err := d.JSON(); err == nil {
			return js
		}
	}
	return s
}
