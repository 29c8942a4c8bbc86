package kms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Resource names of the changes EnsureKey reports.
const (
	ResourceKey            = "kms:key"
	ResourceAlias          = "kms:alias"
	ResourceKeyPolicy      = "kms:key-policy"
	ResourceKeyRotation    = "kms:key-rotation"
	ResourceKeyTags        = "kms:key-tags"
	ResourceKeyDescription = "kms:key-description"
)

// policyName is the only key policy name KMS supports.
const policyName = "default"

// orphanDeletionWindowInDays is the waiting period of the deletion EnsureKey
// schedules for a key it created but could not name (another run created
// the alias first): the shortest KMS allows.
const orphanDeletionWindowInDays = 7

// Key is the key EnsureKey converged.
type Key struct {
	// KeyID and ARN of the key. In a dry run that would create the key,
	// both are a placeholder (plan.Predict "kms key" and the alias:
	// "(known after apply: kms key alias/NAME)") that functions given it in
	// the same dry run plan with (statebackend.Spec.KMSKeyID,
	// ecr.Spec.KMSKey), and refuse in a real run.
	KeyID, ARN string
	// Alias is Spec.Alias; AliasARN its ARN (the same placeholder as ARN
	// when ARN is one).
	Alias, AliasARN string
	// Policy is the key policy the key has (in dry run: would have).
	Policy *foundation.PolicyDocument
	// Changes lists every mutation in the order made (in dry run: that
	// would be made), service-linked roles included; empty when the key was
	// already converged.
	Changes foundation.Changes
}

// EnsureKey converges a customer managed KMS key found by its alias:
//
//   - found with DescribeKey("alias/..."); when the alias does not exist,
//     a key this package created for it but could not name (a run that
//     stopped after CreateKey; see AliasTagKey) is adopted, otherwise the
//     key is created (CreateKey with the policy, description and tags) and
//     the alias made (CreateAlias);
//   - before a key policy is written (CreateKey or PutKeyPolicy), the
//     service-linked roles it names are created (EnsureServiceLinkedRole),
//     and a policy KMS refuses because a principal is too new to be seen
//     is retried for the foundation.WithPropagationTimeout option's time;
//   - the key policy is converged on Spec.Policy (compared by meaning), the
//     description on Spec.Description, automatic rotation on (with
//     Spec.RotationPeriodInDays) unless Spec.DisableRotation, and the tags
//     on Spec.Tags (other tags kept);
//   - a Disabled or PendingDeletion key is a *KeyStateError unless the spec
//     asks to enable it (Reenable) or cancel its deletion (CancelDeletion);
//     a key whose KeySpec or KeyUsage differs is a *KeyMismatchError.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made. Run again on a converged
// key it makes only reads and reports no changes.
func EnsureKey(ctx context.Context, api API, spec Spec, opts ...foundation.Option) (*Key, error) {
	spec = spec.withDefaults()
	doc, errs := spec.build()
	if api.KMS == nil {
		errs = append(errs, specerr.New(pkg, "api.KMS", "", "must not be nil"))
	}
	roles := spec.Policy.ServiceLinkedRoles()
	if len(roles) > 0 && api.IAM == nil {
		errs = append(errs, specerr.New(pkg, "api.IAM", "", "must not be nil: the key policy names service-linked roles, which are created first"))
	}
	o := call.Resolve(opts...)
	var js string
	if doc != nil {
		js, _ = doc.JSON() // checked by build
	}
	if !o.DryRun && plan.ContainsPredicted(js) {
		errs = append(errs, specerr.New(pkg, "spec.Policy", spec.Policy.AccountID,
			"names an account a dry run predicted for an account it would create: a real run needs the account's ID"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o.Logger = o.Logger.With(slog.String("alias", spec.Alias))
	r := &keyRun{api: api, spec: spec, doc: doc, policy: js, roles: roles, o: o,
		log: o.Logger, rec: plan.New(o),
		retryPropagation: spec.Policy.namesIAMPrincipals(),
	}
	k, err := r.ensure(ctx)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	k.Alias, k.Policy, k.Changes = spec.Alias, r.doc, r.rec.Changes()
	switch {
	case plan.IsPredicted(k.ARN):
		k.AliasARN = k.ARN
	case k.ARN != "":
		k.AliasARN = aliasARN(k.ARN, spec.Alias)
	}
	return k, nil
}

type keyRun struct {
	api              API
	spec             Spec
	doc              *foundation.PolicyDocument
	policy           string
	roles            []ServiceLinkedRoleSpec
	rolesDone        bool
	retryPropagation bool
	o                call.Options
	log              *slog.Logger
	rec              *plan.Recorder
	// adopted is true for an existing key without the ownership tag that
	// the spec adopts: nothing the spec does not name is removed from it.
	adopted bool
}

func (r *keyRun) errorf(step string, err error) error {
	return fmt.Errorf("kms: key %q: %s: %w", r.spec.Alias, step, err)
}

func (r *keyRun) change(action foundation.Action, res string, diffs ...foundation.Diff) foundation.Change {
	return foundation.Change{Action: action, Resource: res, ID: r.spec.Alias, Diffs: diffs}
}

func (r *keyRun) ensure(ctx context.Context) (*Key, error) {
	meta, err := r.describe(ctx, r.spec.Alias)
	if err != nil {
		return nil, r.errorf("describe key", err)
	}
	if meta == nil {
		meta, err = r.findOrphan(ctx)
		if err != nil {
			return nil, err
		}
		if meta == nil {
			return r.create(ctx)
		}
		r.log.Debug("adopting the key created for the alias", slog.String("keyId", aws.ToString(meta.KeyId)))
		if err := r.createAlias(ctx, meta); err != nil {
			var lost *lostAliasRace
			if !errors.As(err, &lost) {
				return nil, err
			}
			// Another run named its key first: converge that one.
			return r.converge(ctx, lost.winner)
		}
	}
	return r.converge(ctx, meta)
}

// describe returns the key the alias or key ID names, or nil when there is
// none.
func (r *keyRun) describe(ctx context.Context, id string) (*types.KeyMetadata, error) {
	out, err := r.api.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	var nf *types.NotFoundException
	switch {
	case errors.As(err, &nf):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return out.KeyMetadata, nil
}

// findOrphan returns the key a previous run created for the alias but did
// not name (CreateAlias failed or was never made), or nil. Only keys no
// alias targets are considered: their tags are read, and the oldest
// Enabled customer managed key tagged AliasTagKey=alias is chosen.
func (r *keyRun) findOrphan(ctx context.Context) (*types.KeyMetadata, error) {
	aliased := map[string]bool{}
	ap := kms.NewListAliasesPaginator(r.api.KMS, &kms.ListAliasesInput{})
	for ap.HasMorePages() {
		out, err := ap.NextPage(ctx)
		if err != nil {
			return nil, r.errorf("list aliases", err)
		}
		for _, a := range out.Aliases {
			if id := aws.ToString(a.TargetKeyId); id != "" {
				aliased[id] = true
			}
		}
	}
	var found []*types.KeyMetadata
	kp := kms.NewListKeysPaginator(r.api.KMS, &kms.ListKeysInput{})
	for kp.HasMorePages() {
		out, err := kp.NextPage(ctx)
		if err != nil {
			return nil, r.errorf("list keys", err)
		}
		for _, k := range out.Keys {
			id := aws.ToString(k.KeyId)
			if aliased[id] {
				continue
			}
			tags, err := r.listTags(ctx, id)
			if skippable(err) {
				continue // not a key of ours: we can read our keys' tags
			}
			if err != nil {
				return nil, r.errorf("list tags of key "+id, err)
			}
			if tags[AliasTagKey] != r.spec.Alias || !foundation.Managed(tags) {
				continue // only a key this package made (both tags) is taken
			}
			meta, err := r.describe(ctx, id)
			if skippable(err) || err == nil && meta == nil {
				continue
			}
			if err != nil {
				return nil, r.errorf("describe key "+id, err)
			}
			if meta.KeyState == types.KeyStateEnabled && meta.KeyManager == types.KeyManagerTypeCustomer {
				found = append(found, meta)
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(i, j int) bool {
		ti, tj := aws.ToTime(found[i].CreationDate), aws.ToTime(found[j].CreationDate)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return aws.ToString(found[i].KeyId) < aws.ToString(found[j].KeyId)
	})
	return found[0], nil
}

// findEarlier finds the key an earlier CreateKey of this run made while
// its answer was lost (awsretry.Create).
func (r *keyRun) findEarlier(ctx context.Context) (*types.KeyMetadata, bool, error) {
	meta, err := r.findOrphan(ctx)
	return meta, meta != nil, err
}

// creating is the option of kms:CreateKey: the SDK retries only errors
// that prove the key was not made (awsretry.Creating).
func creating(o *kms.Options) { o.Retryer = awsretry.Creating(o.Retryer) }

// skippable reports errors that mean a key is not one EnsureKey created:
// its policy does not let us read it, or it is gone or unusable.
func skippable(err error) bool {
	var (
		ad *types.NotFoundException
		is *types.KMSInvalidStateException
	)
	return errors.As(err, &ad) || errors.As(err, &is) || apiCode(err) == "AccessDeniedException"
}

// create creates the key (after the service-linked roles its policy names)
// and its alias, and turns rotation on.
func (r *keyRun) create(ctx context.Context) (*Key, error) {
	if err := r.ensureRoles(ctx); err != nil {
		return nil, err
	}
	tags := maps.Clone(r.spec.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[AliasTagKey] = r.spec.Alias
	// The ownership tag goes on with the create itself.
	tags[foundation.ManagedByTagKey] = foundation.ManagedByTagValue
	in := &kms.CreateKeyInput{
		Policy:   aws.String(r.policy),
		KeySpec:  r.spec.KeySpec,
		KeyUsage: r.spec.KeyUsage,
		Tags:     sdkTags(tags),
	}
	if r.spec.Description != "" {
		in.Description = aws.String(r.spec.Description)
	}
	var meta *types.KeyMetadata
	applied, err := r.rec.Do(ctx, r.change(foundation.ActionCreate, ResourceKey), func(ctx context.Context) error {
		err := awsretry.Wait(ctx, r.o, r.propagating, func(ctx context.Context) error {
			// CreateKey has no client token: a retry after a lost answer
			// would make a second key. The SDK retries only what proves
			// the key was not made; otherwise the key an earlier attempt
			// made (tagged AliasTagKey=alias, no alias yet) is adopted.
			var err error
			meta, err = awsretry.Create(ctx, r.o, r.findEarlier, func(ctx context.Context) (*types.KeyMetadata, error) {
				out, err := r.api.KMS.CreateKey(ctx, in, creating)
				if err != nil {
					return nil, err
				}
				return out.KeyMetadata, nil
			})
			return err
		})
		return r.policyErr("create key", err)
	})
	if err != nil {
		return nil, err
	}
	if !applied {
		// Planned only: the alias and the rotation that follow the
		// creation, on a key whose ID is known after apply.
		r.rec.Also(r.change(foundation.ActionCreate, ResourceAlias, foundation.Diff{Field: "TargetKeyId", To: "(new key)"}))
		if r.spec.wantRotation() {
			r.rec.Also(r.change(foundation.ActionUpdate, ResourceKeyRotation, r.rotationDiffs(false, 0)...))
		}
		id := plan.Predict("kms key", r.spec.Alias)
		return &Key{KeyID: id, ARN: id}, nil
	}
	r.log.Debug("key created", slog.String("keyId", aws.ToString(meta.KeyId)))
	if err := r.createAlias(ctx, meta); err != nil {
		var lost *lostAliasRace
		if !errors.As(err, &lost) {
			return nil, err
		}
		return r.converge(ctx, lost.winner)
	}
	if r.spec.wantRotation() {
		if err := r.enableRotation(ctx, meta, false, 0); err != nil {
			return nil, err
		}
	}
	return &Key{KeyID: aws.ToString(meta.KeyId), ARN: aws.ToString(meta.Arn)}, nil
}

// lostAliasRace is returned by createAlias when another run named another
// key with the alias first; the key just created was scheduled for
// deletion.
type lostAliasRace struct{ winner *types.KeyMetadata }

func (*lostAliasRace) Error() string { return "alias created concurrently for another key" }

// createAlias names the key with the alias.
func (r *keyRun) createAlias(ctx context.Context, meta *types.KeyMetadata) error {
	id := aws.ToString(meta.KeyId)
	c := r.change(foundation.ActionCreate, ResourceAlias, foundation.Diff{Field: "TargetKeyId", To: id})
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(r.spec.Alias), TargetKeyId: aws.String(id)})
		var exists *types.AlreadyExistsException
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &exists):
			return r.errorf("create alias", err)
		}
		// Another run created the alias between our read and our write.
		winner, derr := r.describe(ctx, r.spec.Alias)
		if derr != nil || winner == nil {
			return r.errorf("create alias", err)
		}
		if aws.ToString(winner.KeyId) == id {
			return nil // ours after all: the response was lost and the call retried
		}
		r.log.Debug("alias created concurrently; deleting the key just created", slog.String("keyId", id))
		del := foundation.Change{Action: foundation.ActionDelete, Resource: ResourceKey, ID: id,
			Diffs: []foundation.Diff{{Field: "PendingWindowInDays", To: strconv.Itoa(orphanDeletionWindowInDays)}}}
		derr = r.rec.Write(ctx, del, func(ctx context.Context) error {
			_, err := r.api.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(orphanDeletionWindowInDays)})
			var invalid *types.KMSInvalidStateException
			switch {
			case err == nil:
				return nil
			case errors.As(err, &invalid) && r.pendingDeletion(ctx, id):
				// Another run that took the key for an orphan lost the
				// alias too, and scheduled its deletion first.
				r.log.Debug("the key just created is already pending deletion", slog.String("keyId", id))
				return plan.ErrUnchanged
			default:
				return r.errorf(fmt.Sprintf("alias was created concurrently for key %s; schedule deletion of the key just created (%s)", aws.ToString(winner.KeyId), id), err)
			}
		})
		if derr != nil {
			return derr
		}
		return &lostAliasRace{winner: winner}
	})
}

// pendingDeletion reports whether the key is pending deletion.
func (r *keyRun) pendingDeletion(ctx context.Context, id string) bool {
	meta, err := r.describe(ctx, id)
	return err == nil && meta != nil && meta.KeyState == types.KeyStatePendingDeletion
}

// converge brings an existing key to the spec.
func (r *keyRun) converge(ctx context.Context, meta *types.KeyMetadata) (*Key, error) {
	id := aws.ToString(meta.KeyId)
	k := &Key{KeyID: id, ARN: aws.ToString(meta.Arn)}
	// Ownership, before any write: a key without managed-by=foundation is
	// someone else's, converged only when the spec adopts it.
	tags, err := r.listTags(ctx, id)
	if err != nil {
		return nil, r.errorf("list tags", err)
	}
	if err := foundation.CheckOwner(ResourceKey, r.spec.Alias, tags, r.spec.Adopt, "spec.Adopt"); err != nil {
		return nil, fmt.Errorf("kms: %w", err)
	}
	r.adopted = !foundation.Managed(tags)
	for _, m := range []struct {
		field      string
		have, want string
	}{
		{"KeyManager", string(meta.KeyManager), string(types.KeyManagerTypeCustomer)},
		{"KeySpec", string(meta.KeySpec), string(r.spec.KeySpec)},
		{"KeyUsage", string(meta.KeyUsage), string(r.spec.KeyUsage)},
	} {
		if m.have != m.want {
			return nil, &KeyMismatchError{Alias: r.spec.Alias, KeyID: id, Field: m.field, Have: m.have, Want: m.want}
		}
	}
	if err := r.ensureState(ctx, meta); err != nil {
		return nil, err
	}
	if err := r.ensureDescription(ctx, meta); err != nil {
		return nil, err
	}
	if err := r.ensurePolicy(ctx, id); err != nil {
		return nil, err
	}
	if err := r.ensureRotation(ctx, meta); err != nil {
		return nil, err
	}
	if err := r.ensureTags(ctx, id, tags); err != nil {
		return nil, err
	}
	return k, nil
}

func (r *keyRun) ensureState(ctx context.Context, meta *types.KeyMetadata) error {
	id := aws.ToString(meta.KeyId)
	stateErr := &KeyStateError{Alias: r.spec.Alias, KeyID: id, State: meta.KeyState, DeletionDate: aws.ToTime(meta.DeletionDate)}
	diff := foundation.Diff{Field: "KeyState", From: string(meta.KeyState), To: string(types.KeyStateEnabled)}
	switch meta.KeyState {
	case types.KeyStateEnabled:
		return nil
	case types.KeyStateDisabled:
		if !r.spec.Reenable {
			return stateErr
		}
		return r.rec.Write(ctx, r.change(foundation.ActionUpdate, ResourceKey, diff), func(ctx context.Context) error {
			return r.enableKey(ctx, id)
		})
	case types.KeyStatePendingDeletion:
		if !r.spec.CancelDeletion {
			return stateErr
		}
		return r.rec.Write(ctx, r.change(foundation.ActionUpdate, ResourceKey, diff), func(ctx context.Context) error {
			if _, err := r.api.KMS.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
				return r.errorf("cancel key deletion", err)
			}
			return r.enableKey(ctx, id)
		})
	default:
		return stateErr
	}
}

func (r *keyRun) enableKey(ctx context.Context, id string) error {
	if _, err := r.api.KMS.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
		return r.errorf("enable key", err)
	}
	return nil
}

func (r *keyRun) ensureDescription(ctx context.Context, meta *types.KeyMetadata) error {
	have := aws.ToString(meta.Description)
	if have == r.spec.Description {
		return nil
	}
	c := r.change(foundation.ActionUpdate, ResourceKeyDescription, foundation.Diff{Field: "Description", From: have, To: r.spec.Description})
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.KMS.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: meta.KeyId, Description: aws.String(r.spec.Description)})
		if err != nil {
			return r.errorf("update key description", err)
		}
		return nil
	})
}

func (r *keyRun) ensurePolicy(ctx context.Context, id string) error {
	out, err := r.api.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String(policyName)})
	if err != nil {
		return r.errorf("get key policy", err)
	}
	have, perr := foundation.ParsePolicy(aws.ToString(out.Policy))
	if r.adopted && perr == nil {
		// Someone else's key: the spec's statements are converged, the
		// owner's other statements kept.
		r.doc = keepOthers(have, r.doc)
		js, err := r.doc.JSON()
		if err != nil {
			return r.errorf("key policy", err)
		}
		r.policy = js
	}
	if perr == nil && have.Equal(r.doc) {
		return nil
	}
	c := r.change(foundation.ActionUpdate, ResourceKeyPolicy, policyDiffs(have, r.doc)...)
	if err := r.ensureRoles(ctx); err != nil {
		return err
	}
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		err := awsretry.Wait(ctx, r.o, r.propagating, func(ctx context.Context) error {
			_, err := r.api.KMS.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String(policyName), Policy: aws.String(r.policy)})
			return err
		})
		return r.policyErr("put key policy", err)
	})
}

// keepOthers returns want plus the statements of have that want does not
// have: a Sid want does not use, or no Sid and unlike each of want's.
func keepOthers(have, want *foundation.PolicyDocument) *foundation.PolicyDocument {
	out := *want
	out.Statement = slices.Clone(want.Statement)
	for _, h := range have.Statement {
		if h.Sid != "" {
			if _, ok := want.StatementBySid(h.Sid); ok {
				continue
			}
		} else if slices.ContainsFunc(want.Statement, h.Equal) {
			continue
		}
		out.Statement = append(out.Statement, h)
	}
	return &out
}

// policyDiffs lists the statements that differ, by Sid; a document that
// cannot be parsed, or differences outside Sid'ed statements, are one
// "Policy" diff.
func policyDiffs(have, want *foundation.PolicyDocument) []foundation.Diff {
	if have == nil {
		return []foundation.Diff{{Field: "Policy", From: "(unreadable)", To: want.MustJSON()}}
	}
	var diffs []foundation.Diff
	seen := map[string]bool{}
	for _, w := range want.Statement {
		seen[w.Sid] = true
		if w.Sid == "" {
			continue
		}
		h, ok := have.StatementBySid(w.Sid)
		switch {
		case !ok:
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + w.Sid + "]", To: mustStatementJSON(w)})
		case !h.Equal(w):
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + w.Sid + "]", From: mustStatementJSON(h), To: mustStatementJSON(w)})
		}
	}
	for _, h := range have.Statement {
		if h.Sid != "" && !seen[h.Sid] {
			diffs = append(diffs, foundation.Diff{Field: "Statement[" + h.Sid + "]", From: mustStatementJSON(h)})
		}
	}
	if len(diffs) == 0 {
		diffs = append(diffs, foundation.Diff{Field: "Policy", From: have.MustJSON(), To: want.MustJSON()})
	}
	return diffs
}

func mustStatementJSON(st foundation.Statement) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.TrimSpace(buf.String())
}

// ensureRoles creates the service-linked roles the policy names, once per
// run, before the policy is written.
func (r *keyRun) ensureRoles(ctx context.Context) error {
	if r.rolesDone {
		return nil
	}
	for _, spec := range r.roles {
		if _, err := ensureLinkedRole(ctx, r.api.IAM, spec, r.o, r.rec); err != nil {
			return err
		}
	}
	r.rolesDone = true
	return nil
}

// propagating reports the errors the key policy writes (CreateKey,
// PutKeyPolicy) retry in awsretry.Wait, for at most the options'
// PropagationTimeout: KMS refuses a policy naming a principal it cannot see
// yet (MalformedPolicyDocumentException), which happens for a while after
// the principal (a service-linked role) was created. Only policies naming
// IAM principals are retried; one naming only accounts and services cannot
// be waiting for propagation, and every error is returned at once.
func (r *keyRun) propagating(err error) bool { return r.retryPropagation && isMalformedPolicy(err) }

// policyErr wraps the error of a key policy write (nil stays nil), saying
// how long it was retried when propagation did not end.
func (r *keyRun) policyErr(step string, err error) error {
	var pe *awsretry.PropagationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return r.errorf(fmt.Sprintf("%s: still refused after %d attempts in %s (a principal does not exist, or has not propagated)",
			step, pe.Attempts, pe.Timeout), pe.Err)
	default:
		return r.errorf(step, err)
	}
}

func isMalformedPolicy(err error) bool {
	var mp *types.MalformedPolicyDocumentException
	return errors.As(err, &mp)
}

func (r *keyRun) rotationDiffs(enabled bool, period int) []foundation.Diff {
	var diffs []foundation.Diff
	if !enabled {
		diffs = append(diffs, foundation.Diff{Field: "KeyRotationEnabled", From: "false", To: "true"})
	}
	if period != r.spec.RotationPeriodInDays {
		from := ""
		if period != 0 {
			from = strconv.Itoa(period)
		}
		diffs = append(diffs, foundation.Diff{Field: "RotationPeriodInDays", From: from, To: strconv.Itoa(r.spec.RotationPeriodInDays)})
	}
	return diffs
}

func (r *keyRun) enableRotation(ctx context.Context, meta *types.KeyMetadata, enabled bool, period int) error {
	c := r.change(foundation.ActionUpdate, ResourceKeyRotation, r.rotationDiffs(enabled, period)...)
	return r.rec.Write(ctx, c, func(ctx context.Context) error {
		_, err := r.api.KMS.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: meta.KeyId, RotationPeriodInDays: aws.Int32(int32(r.spec.RotationPeriodInDays))})
		if err != nil {
			return r.errorf("enable key rotation", err)
		}
		return nil
	})
}

func (r *keyRun) ensureRotation(ctx context.Context, meta *types.KeyMetadata) error {
	if !r.spec.rotates() {
		return nil // KMS rotates only symmetric encryption keys
	}
	out, err := r.api.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: meta.KeyId})
	if err != nil {
		return r.errorf("get key rotation status", err)
	}
	enabled, period := out.KeyRotationEnabled, int(aws.ToInt32(out.RotationPeriodInDays))
	switch {
	case r.spec.DisableRotation && enabled:
		c := r.change(foundation.ActionUpdate, ResourceKeyRotation, foundation.Diff{Field: "KeyRotationEnabled", From: "true", To: "false"})
		return r.rec.Write(ctx, c, func(ctx context.Context) error {
			if _, err := r.api.KMS.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: meta.KeyId}); err != nil {
				return r.errorf("disable key rotation", err)
			}
			return nil
		})
	case r.spec.DisableRotation:
		return nil
	case enabled && period == r.spec.RotationPeriodInDays:
		return nil
	default:
		if !enabled {
			period = 0 // the period of a key that does not rotate is not drift
		}
		return r.enableRotation(ctx, meta, enabled, period)
	}
}

func (r *keyRun) listTags(ctx context.Context, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := kms.NewListResourceTagsPaginator(r.api.KMS, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return tags, nil
}

// ensureTags puts the spec's tags that have (the key's) lacks; an adopted
// key is never given the ownership tag.
func (r *keyRun) ensureTags(ctx context.Context, id string, have map[string]string) error {
	want := awsrules.WantedTags(r.spec.Tags, r.adopted)
	put := map[string]string{}
	var diffs []foundation.Diff
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v := want[k]
		if hv, ok := have[k]; !ok || hv != v {
			put[k] = v
			diffs = append(diffs, foundation.Diff{Field: k, From: hv, To: v})
		}
	}
	if len(put) == 0 {
		return nil
	}
	return r.rec.Write(ctx, r.change(foundation.ActionUpdate, ResourceKeyTags, diffs...), func(ctx context.Context) error {
		if _, err := r.api.KMS.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: sdkTags(put)}); err != nil {
			return r.errorf("tag key", err)
		}
		return nil
	})
}

func sdkTags(m map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{TagKey: aws.String(k), TagValue: aws.String(m[k])})
	}
	return out
}

// aliasARN turns a key ARN into the ARN of an alias in the same account and
// region.
func aliasARN(keyARN, alias string) string {
	i := strings.LastIndex(keyARN, ":")
	if i < 0 {
		return ""
	}
	return keyARN[:i+1] + alias
}

// apiCode returns the AWS error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
