package ssoadmin

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/kms"
)

// Instance settings: the encryption of the instance's data with a customer
// managed KMS key (UpdateInstance EncryptionConfiguration, 2025-09) and
// multi-Region replication (AddRegion, RemoveRegion, ListRegions,
// DescribeRegion, 2026-02). Sources: the IAM Identity Center API reference
// (UpdateInstance, DescribeInstance, AddRegion, RemoveRegion) and the user
// guide's "Using IAM Identity Center across multiple AWS Regions"
// prerequisites: an organization instance, an external identity provider,
// a customer managed multi-Region key with a replica in the added Region.
//
// Modelled: the key must exist, be enabled, be a symmetric encryption key
// and have a key policy that lets sso.amazonaws.com use it (kms:Decrypt),
// else the documented exception with its KMS_* reason; the encryption
// status is UPDATING for the first SSOStatusDescribes DescribeInstance
// calls, then ENABLED; an added Region is ADDING for as many region reads,
// then ACTIVE; one add or remove workflow at a time (ConflictException).
// Not confirmed against AWS: the exception AddRegion returns when a
// prerequisite is missing (ValidationException here) and when the Region
// is already added (ConflictException here). The instance's primary Region
// is the Region of the first request that reads or changes these settings
// (the emulator does not keep Identity Center per Region).

// ssoSettings are an instance's encryption and Regions.
type ssoSettings struct {
	primary, keyType, keyARN string
	encStatus                string
	encReads                 int // DescribeInstance reads until the status settles
	regions                  map[string]*ssoRegion
}

type ssoRegion struct {
	name, status string
	added        time.Time
	reads        int
}

var ssoRegionNameRe = regexp.MustCompile(`^([a-z]+-){2,3}\d$`)

func ssoSettingsOf(c *core.Ctx, inst *ssoInstance) *ssoSettings {
	a := c.Emu.Account(inst.owner)
	return core.State(a, "sso-settings", func() *ssoSettings {
		return &ssoSettings{primary: c.Region, keyType: "AWS_OWNED_KMS_KEY", encStatus: "ENABLED",
			regions: map[string]*ssoRegion{c.Region: {name: c.Region, status: "ACTIVE", added: inst.created}}}
	})
}

// settle moves the workflows on by one read.
func (s *ssoSettings) settle() {
	if s.encStatus == "UPDATING" {
		if s.encReads--; s.encReads <= 0 {
			s.encStatus = "ENABLED"
		}
	}
	for name, r := range s.regions {
		if r.status == "ACTIVE" {
			continue
		}
		if r.reads--; r.reads <= 0 {
			if r.status == "REMOVING" {
				delete(s.regions, name)
			} else {
				r.status = "ACTIVE"
			}
		}
	}
}

// describe adds the settings to DescribeInstance's answer.
func (s *ssoSettings) describe(m map[string]any) map[string]any {
	enc := map[string]any{"KeyType": s.keyType, "EncryptionStatus": s.encStatus}
	if s.keyARN != "" {
		enc["KmsKeyArn"] = s.keyARN
	}
	m["EncryptionConfigurationDetails"] = enc
	m["PrimaryRegion"] = s.primary
	var regions []map[string]any
	for _, r := range s.sorted() {
		regions = append(regions, r.metadata(s.primary))
	}
	m["Regions"] = regions
	return m
}

func (s *ssoSettings) sorted() []*ssoRegion {
	out := make([]*ssoRegion, 0, len(s.regions))
	for _, r := range s.regions {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (r *ssoRegion) metadata(primary string) map[string]any {
	return map[string]any{"RegionName": r.name, "Status": r.status, "IsPrimaryRegion": r.name == primary, "AddedDate": core.EpochSeconds(r.added)}
}

func (s *ssoSettings) busy() bool {
	for _, r := range s.regions {
		if r.status != "ACTIVE" {
			return true
		}
	}
	return false
}

// ssoDescribeInstanceSettings is DescribeInstance with the settings.
func ssoDescribeInstanceSettings(c *core.Ctx) (any, error) {
	var in struct{ InstanceArn string }
	inst, apiErr := ssoDecode(c, &in, func(in *struct{ InstanceArn string }) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, apiErr
	}
	s := ssoSettingsOf(c, inst)
	s.settle()
	return s.describe(inst.metadata()), nil
}

func ssoUpdateInstance(c *core.Ctx) (any, error) {
	type encryption struct {
		KeyType   string
		KmsKeyArn string
	}
	var in struct {
		InstanceArn             string
		Name                    *string
		EncryptionConfiguration *encryption
		PermissionSetsEnabled   *bool
	}
	inst, apiErr := ssoDecode(c, &in, func(in *struct {
		InstanceArn             string
		Name                    *string
		EncryptionConfiguration *encryption
		PermissionSetsEnabled   *bool
	}) string {
		return in.InstanceArn
	})
	if apiErr != nil {
		return nil, apiErr
	}
	if in.EncryptionConfiguration != nil && in.PermissionSetsEnabled != nil {
		return nil, ssoValidation("EncryptionConfiguration and PermissionSetsEnabled cannot be updated in the same request")
	}
	s := ssoSettingsOf(c, inst)
	enc := in.EncryptionConfiguration
	if enc == nil {
		return map[string]any{}, nil
	}
	switch enc.KeyType {
	case "AWS_OWNED_KMS_KEY":
		if enc.KmsKeyArn != "" {
			return nil, ssoValidation("KmsKeyArn cannot be specified when KeyType is AWS_OWNED_KMS_KEY")
		}
		if len(s.regions) > 1 {
			return nil, ssoValidation("The instance is replicated to additional Regions: remove them before using an AWS owned key")
		}
	case "CUSTOMER_MANAGED_KEY":
		if enc.KmsKeyArn == "" {
			return nil, ssoValidation("KmsKeyArn is required when KeyType is CUSTOMER_MANAGED_KEY")
		}
		if apiErr := ssoKeyUsable(c, enc.KmsKeyArn); apiErr != nil {
			return nil, apiErr
		}
	case "":
		return nil, ssoRequired("encryptionConfiguration.keyType")
	default:
		return nil, ssoConstraint("encryptionConfiguration.keyType", enc.KeyType, "Member must satisfy enum value set: [AWS_OWNED_KMS_KEY, CUSTOMER_MANAGED_KEY]")
	}
	if s.encStatus == "UPDATING" {
		return nil, ssoConflict("An encryption update of instance %s is in progress", inst.arn)
	}
	if s.keyType == enc.KeyType && s.keyARN == enc.KmsKeyArn {
		return map[string]any{}, nil
	}
	s.keyType, s.keyARN, s.encStatus, s.encReads = enc.KeyType, enc.KmsKeyArn, "UPDATING", ssoDescribes(c.Emu)
	return map[string]any{}, nil
}

// ssoKeyUsable checks a customer managed key as Identity Center does,
// answering with the documented exception and its KMS_* reason.
func ssoKeyUsable(c *core.Ctx, arn string) *core.APIError {
	withReason := func(e *core.APIError, reason string) *core.APIError {
		e.Extra["Reason"] = reason
		return e
	}
	switch kms.ServiceMayUse(c.Emu, arn, "sso.amazonaws.com", "kms:Decrypt") {
	case "":
		return nil
	case "InvalidArnException":
		return ssoConstraint("encryptionConfiguration.kmsKeyArn", arn, "Member must satisfy regular expression pattern: arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\\d{12}:key/[a-zA-Z0-9-]+")
	case "NotFoundException":
		return withReason(ssoNotFound("KMS key %s not found", arn), "KMS_NotFoundException")
	case "DisabledException":
		return withReason(ssoValidation("KMS key %s is disabled", arn), "KMS_DisabledException")
	case "KMSInvalidStateException":
		return withReason(ssoValidation("KMS key %s is pending deletion", arn), "KMS_InvalidStateException")
	case "InvalidKeyUsageException":
		return withReason(ssoValidation("KMS key %s is not a symmetric encryption key", arn), "KMS_InvalidKeyUsageException")
	default:
		return withReason(ssoErr("AccessDeniedException", "IAM Identity Center cannot use KMS key %s: its key policy does not allow sso.amazonaws.com", arn), "KMS_AccessDeniedException")
	}
}

type ssoRegionInput struct {
	InstanceArn string
	RegionName  string
}

func ssoRegionRequest(c *core.Ctx) (*ssoInstance, *ssoSettings, string, *core.APIError) {
	var in ssoRegionInput
	inst, apiErr := ssoDecode(c, &in, func(in *ssoRegionInput) string { return in.InstanceArn })
	if apiErr != nil {
		return nil, nil, "", apiErr
	}
	if in.RegionName == "" {
		return nil, nil, "", ssoRequired("regionName")
	}
	if !ssoRegionNameRe.MatchString(in.RegionName) {
		return nil, nil, "", ssoConstraint("regionName", in.RegionName, "Member must satisfy regular expression pattern: ([a-z]+-){2,3}\\d")
	}
	return inst, ssoSettingsOf(c, inst), in.RegionName, nil
}

func ssoAddRegion(c *core.Ctx) (any, error) {
	inst, s, region, apiErr := ssoRegionRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	switch {
	case c.Region != s.primary:
		return nil, ssoValidation("Regions can be added only from the primary Region %s", s.primary)
	case s.regions[region] != nil:
		return nil, ssoConflict("Region %s is already %s in instance %s", region, strings.ToLower(s.regions[region].status), inst.arn)
	case s.busy():
		return nil, ssoConflict("Another add or remove Region workflow is in progress for instance %s", inst.arn)
	case !core.ServiceSettings[Settings](c.Emu, "sso").ExternalIdentityProvider:
		return nil, ssoValidation("Multi-Region replication requires an external identity provider as the identity source of instance %s", inst.arn)
	case s.keyType != "CUSTOMER_MANAGED_KEY" || s.encStatus != "ENABLED":
		return nil, ssoValidation("Multi-Region replication requires instance %s to be encrypted with a customer managed multi-Region KMS key", inst.arn)
	}
	multi, present := kms.MultiRegionKeyIn(c.Emu, s.keyARN, region)
	switch {
	case !multi:
		return nil, ssoValidation("KMS key %s is not a multi-Region key", s.keyARN)
	case !present:
		return nil, ssoValidation("KMS key %s has no replica in Region %s", s.keyARN, region)
	}
	s.regions[region] = &ssoRegion{name: region, status: "ADDING", added: c.Emu.Now(), reads: ssoDescribes(c.Emu)}
	return map[string]any{"Status": "ADDING"}, nil
}

func ssoRemoveRegion(c *core.Ctx) (any, error) {
	inst, s, region, apiErr := ssoRegionRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	r := s.regions[region]
	switch {
	case c.Region != s.primary:
		return nil, ssoValidation("Regions can be removed only from the primary Region %s", s.primary)
	case region == s.primary:
		return nil, ssoValidation("The primary Region %s cannot be removed", region)
	case r == nil:
		return nil, ssoNotFound("Region %s is not a Region of instance %s", region, inst.arn)
	case s.busy():
		return nil, ssoConflict("Another add or remove Region workflow is in progress for instance %s", inst.arn)
	}
	r.status, r.reads = "REMOVING", ssoDescribes(c.Emu)
	return map[string]any{"Status": "REMOVING"}, nil
}

func ssoDescribeRegion(c *core.Ctx) (any, error) {
	inst, s, region, apiErr := ssoRegionRequest(c)
	if apiErr != nil {
		return nil, apiErr
	}
	s.settle()
	r := s.regions[region]
	if r == nil {
		return nil, ssoNotFound("Region %s is not a Region of instance %s", region, inst.arn)
	}
	return r.metadata(s.primary), nil
}

func ssoListRegions(c *core.Ctx) (any, error) {
	var in struct {
		InstanceArn string
		MaxResults  *int
		NextToken   string
	}
	inst, apiErr := ssoDecode(c, &in, func(in *struct {
		InstanceArn string
		MaxResults  *int
		NextToken   string
	}) string {
		return in.InstanceArn
	})
	if apiErr != nil {
		return nil, apiErr
	}
	s := ssoSettingsOf(c, inst)
	s.settle()
	page, next, apiErr := core.Paginate(c, s.sorted(), func(r *ssoRegion) string { return r.name }, in.NextToken, in.MaxResults, ssoPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]any{}
	for _, r := range page {
		out = append(out, r.metadata(s.primary))
	}
	return core.PageOut("Regions", out, next), nil
}
