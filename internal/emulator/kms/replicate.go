package kms

import (
	"regexp"
	"slices"
	"sort"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	iampolicy "github.com/awsfoundation/foundation/internal/emulator/policy"
)

// Multi-Region keys: ReplicateKey copies a multi-Region primary key into
// another region of the same account, with the same key ID (mrk-...) and
// key material; the replica has its own policy, description, tags and
// state. DescribeKey lists a key's replicas in MultiRegionConfiguration.
// Source: the KMS API reference, ReplicateKey and MultiRegionConfiguration.
// The replica's transient Creating state is not modelled (it is Enabled
// at once).

var kmsRegionRe = regexp.MustCompile(`^([a-z]+-){2,3}\d$`)

func kmsReplicateKey(c *core.Ctx) (any, error) {
	var in struct {
		KeyId         string
		ReplicaRegion string
		Policy        *string
		Description   *string
		Tags          []struct{ TagKey, TagValue string }
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if in.ReplicaRegion == "" {
		return nil, kmsValidation("Value null at 'replicaRegion' failed to satisfy constraint: Member must not be null")
	}
	if !kmsRegionRe.MatchString(in.ReplicaRegion) {
		return nil, kmsValidation("Value '%s' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d$", in.ReplicaRegion)
	}
	k, apiErr := kmsKeyFor(c, in.KeyId, kmsLookup{})
	if apiErr != nil {
		return nil, apiErr
	}
	switch {
	case !k.multiRegion:
		return nil, kmsErr("UnsupportedOperationException", "%s is not a multi-Region key", k.arn)
	case k.primaryRegion != "":
		return nil, kmsErr("UnsupportedOperationException", "%s is not a multi-Region primary key", k.arn)
	case in.ReplicaRegion == k.region:
		return nil, kmsValidation("The replica region %s must be different from the primary key's region", in.ReplicaRegion)
	}
	r := kmsRegionOf(c.Emu, c.Account, in.ReplicaRegion)
	if _, ok := r.keys[k.id]; ok {
		return nil, kmsErr("AlreadyExistsException", "Replica key %s already exists in region %s", k.id, in.ReplicaRegion)
	}
	policy := k.policy
	if in.Policy != nil {
		policy = *in.Policy
	}
	description := k.description
	if in.Description != nil {
		description = *in.Description
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.TagKey] = t.TagValue
	}
	rep := &kmsKey{id: k.id, arn: kmsARN(in.ReplicaRegion, k.account, "key/"+k.id), account: k.account, region: in.ReplicaRegion,
		description: description, usage: k.usage, spec: k.spec, multiRegion: true, primaryRegion: k.region, policy: policy,
		state: kmsEnabled, created: c.Emu.Now(), tags: tags}
	r.keys[k.id] = rep
	r.used[k.id] = true
	var outTags []map[string]string
	for _, key := range core.SortedKeys(tags) {
		outTags = append(outTags, map[string]string{"TagKey": key, "TagValue": tags[key]})
	}
	return map[string]any{"ReplicaKeyMetadata": kmsWithReplicas(c.Emu, rep), "ReplicaPolicy": policy, "ReplicaTags": outTags}, nil
}

// kmsWithReplicas is k's metadata with the replicas of its multi-Region
// key listed, as DescribeKey returns them.
func kmsWithReplicas(e *core.Emulator, k *kmsKey) map[string]any {
	m := k.metadata()
	if !k.multiRegion {
		return m
	}
	owner := e.Account(k.account)
	if owner == nil {
		return m
	}
	regions := core.State(owner, "kms", func() map[string]*kmsRegion { return map[string]*kmsRegion{} })
	var names []string
	for name := range regions {
		names = append(names, name)
	}
	sort.Strings(names)
	replicas := []any{}
	for _, name := range names {
		if rk := regions[name].keys[k.id]; rk != nil && rk.primaryRegion != "" {
			replicas = append(replicas, map[string]any{"Arn": rk.arn, "Region": rk.region})
		}
	}
	if cfg, ok := m["MultiRegionConfiguration"].(map[string]any); ok {
		cfg["ReplicaKeys"] = replicas
	}
	return m
}

// ServiceMayUse reports whether the key keyARN (in its own region and
// account) is enabled, a symmetric encryption key, and has a key policy
// that lets the service principal (e.g. "sso.amazonaws.com") call action;
// it returns the KMS error code when not. For services that encrypt their
// data with a customer managed key (IAM Identity Center).
func ServiceMayUse(e *core.Emulator, keyARN, service, action string) string {
	m := kmsARNRe.FindStringSubmatch(keyARN)
	if m == nil {
		return "InvalidArnException"
	}
	owner := e.Account(m[3])
	if owner == nil || m[4] != "key" {
		return "NotFoundException"
	}
	_, code := KeyUsable(e, owner, m[2], keyARN)
	if code != "" {
		return code
	}
	k := kmsRegionOf(e, owner, m[2]).keys[m[5]]
	doc, msg := ParsePolicy(k.policy)
	if msg != "" {
		return "AccessDeniedException"
	}
	// A statement for the service principal (conditions such as
	// aws:SourceAccount are taken as met: the service calls for its owner).
	allowed := false
	for _, st := range doc.Statement {
		if st.Principal == nil || !(st.Principal.Wildcard || slices.Contains(st.Principal.Service, service)) {
			continue
		}
		if len(st.Action) > 0 && !iampolicy.AnyGlob(st.Action, action, true) {
			continue
		}
		if len(st.NotAction) > 0 && iampolicy.AnyGlob(st.NotAction, action, true) {
			continue
		}
		if st.Effect == iampolicy.EffectDeny && len(st.Condition) == 0 {
			return "AccessDeniedException"
		}
		if st.Effect == iampolicy.EffectAllow {
			allowed = true
		}
	}
	if !allowed {
		return "AccessDeniedException"
	}
	return ""
}

// MultiRegionKeyIn reports whether keyARN is a multi-Region key with a key
// of the same ID (the primary or a replica) in region.
func MultiRegionKeyIn(e *core.Emulator, keyARN, region string) (multiRegion, present bool) {
	m := kmsARNRe.FindStringSubmatch(keyARN)
	if m == nil {
		return false, false
	}
	owner := e.Account(m[3])
	if owner == nil {
		return false, false
	}
	k := kmsRegionOf(e, owner, m[2]).keys[m[5]]
	if k == nil || !k.multiRegion {
		return false, false
	}
	return true, kmsRegionOf(e, owner, region).keys[m[5]] != nil
}
