package scp

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
)

// The stable Sids of the guardrails' statements. Each guardrail with a Sid
// option uses its default from this list when the option is empty.
const (
	SidDenyRootUser                        = "DenyRootUser"
	SidDenyOutsideAllowedRegions           = "DenyOutsideAllowedRegions"
	SidDenyLeaveOrganization               = "DenyLeaveOrganization"
	SidProtectCloudTrail                   = "ProtectCloudTrail"
	SidProtectConfig                       = "ProtectConfig"
	SidProtectGuardDuty                    = "ProtectGuardDuty"
	SidProtectSecurityHub                  = "ProtectSecurityHub"
	SidProtectAccessAnalyzer               = "ProtectAccessAnalyzer"
	SidDenyS3UnapprovedEncryption          = "DenyS3UnapprovedEncryption"
	SidDenyS3UploadWithoutEncryptionHeader = "DenyS3UploadWithoutEncryptionHeader"
	SidDenyUnencryptedEBSVolumes           = "DenyUnencryptedEBSVolumes"
	SidDenyDisableEBSEncryptionByDefault   = "DenyDisableEBSEncryptionByDefault"
	SidDenyUnencryptedRDSStorage           = "DenyUnencryptedRDSStorage"
	SidDenyInternetGateways                = "DenyInternetGateways"
	SidDenyExternalResourceSharing         = "DenyExternalResourceSharing"
	SidProtectActions                      = "ProtectActions"
	SidDenyAll                             = "DenyAll"
	SidAllowAll                            = "AllowAll"
)

var (
	accountRe    = regexp.MustCompile(`^[0-9]{12}$`)
	arnPatternRe = regexp.MustCompile(`^arn:(\*|aws[a-z-]*):(iam|sts)::(\*|[0-9*?]{1,12}):\S+$`)
)

// anyResource is the Resource of statements that apply to every resource.
var anyResource = foundation.Resources("*")

// ---------------------------------------------------------------- root user

// RootUserOptions configure DenyRootUser.
type RootUserOptions struct {
	// Sid defaults to "DenyRootUser".
	Sid string
	// Actions denied to the root user; default every action ("*").
	Actions []string
}

// DenyRootUser denies the member accounts' root users every action (or
// Actions): a Deny statement on requests whose aws:PrincipalArn is an
// account root ("arn:*:iam::*:root", with StringLike, in any partition).
//
// SCPs never restrict the management account, and AWS's centralized root
// access tasks (sts:AssumeRoot) are not affected.
func DenyRootUser(o RootUserOptions) Guardrail {
	f := &faults{name: "DenyRootUser"}
	sid := f.sid(o.Sid, SidDenyRootUser)
	actions := f.actions("Actions", o.Actions, []string{"*"})
	return f.build(foundation.Statement{
		Sid:      sid,
		Effect:   foundation.EffectDeny,
		Action:   actions,
		Resource: anyResource,
		Condition: foundation.Conditions{
			"StringLike": {"aws:PrincipalArn": {"arn:*:iam::*:root"}},
		},
	})
}

// ---------------------------------------------------------------- regions

// globalServiceActions is the NotAction list of AWS's example SCP "Deny
// access to AWS based on the requested AWS Region" (AWS Organizations User
// Guide, general examples): the global services, and the operations of
// regional services, whose requests are served in us-east-1 whatever
// region the caller works in.
var globalServiceActions = []string{
	"a4b:*",
	"acm:*",
	"aws-marketplace-management:*",
	"aws-marketplace:*",
	"aws-portal:*",
	"budgets:*",
	"ce:*",
	"chime:*",
	"cloudfront:*",
	"config:*",
	"cur:*",
	"directconnect:*",
	"ec2:DescribeRegions",
	"ec2:DescribeTransitGateways",
	"ec2:DescribeVpnGateways",
	"fms:*",
	"globalaccelerator:*",
	"health:*",
	"iam:*",
	"importexport:*",
	"kms:*",
	"mobileanalytics:*",
	"networkmanager:*",
	"organizations:*",
	"pricing:*",
	"route53:*",
	"route53domains:*",
	"route53-recovery-cluster:*",
	"route53-recovery-control-config:*",
	"route53-recovery-readiness:*",
	"s3:GetAccountPublic*",
	"s3:ListAllMyBuckets",
	"s3:ListMultiRegionAccessPoints",
	"s3:PutAccountPublic*",
	"shield:*",
	"sts:*",
	"support:*",
	"trustedadvisor:*",
	"waf-regional:*",
	"waf:*",
	"wafv2:*",
	"wellarchitected:*",
}

// GlobalServiceActions returns a copy of the default exemptions of
// RestrictRegions: the NotAction list of AWS's example SCP "Deny access to
// AWS based on the requested AWS Region" (IAM, Organizations, Route 53,
// CloudFront, STS, Support, Budgets, Cost Explorer, Health, WAF, Global
// Accelerator, Shield, Trusted Advisor, KMS, ACM and the others AWS lists).
// AWS notes that the list may lag new global services; append yours to it.
func GlobalServiceActions() []string { return slices.Clone(globalServiceActions) }

// knownRegions are the AWS Regions, every partition, as published in the
// AWS SDKs' partition metadata.
var knownRegions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-northeast-1": true, "ap-northeast-2": true,
	"ap-northeast-3": true, "ap-south-1": true, "ap-south-2": true, "ap-southeast-1": true, "ap-southeast-2": true,
	"ap-southeast-3": true, "ap-southeast-4": true, "ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ca-central-1": true, "ca-west-1": true, "eu-central-1": true, "eu-central-2": true, "eu-north-1": true,
	"eu-south-1": true, "eu-south-2": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"il-central-1": true, "me-central-1": true, "me-south-1": true, "me-west-1": true, "mx-central-1": true,
	"sa-east-1": true, "sa-west-1": true, "us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"cn-north-1": true, "cn-northwest-1": true,
	"us-gov-east-1": true, "us-gov-west-1": true,
	"eusc-de-east-1": true,
	"us-iso-east-1":  true, "us-iso-west-1": true, "us-isob-east-1": true, "us-isob-west-1": true,
	"eu-isoe-west-1": true, "us-isof-east-1": true, "us-isof-south-1": true,
}

// KnownRegion reports whether name is an AWS Region this package knows.
func KnownRegion(name string) bool { return knownRegions[name] }

// RegionOptions configure RestrictRegions.
type RegionOptions struct {
	// Sid defaults to "DenyOutsideAllowedRegions".
	Sid string
	// Allowed are the Regions requests may target (required). Each must
	// be a known AWS Region (KnownRegion) unless AllowUnknownRegions.
	Allowed []string
	// ExemptActions are the actions never denied, whatever the Region:
	// the global services. Nil means GlobalServiceActions(); a list
	// replaces it.
	ExemptActions []string
	// ExemptPrincipalARNs are IAM principal ARN patterns (ArnNotLike on
	// aws:PrincipalARN, such as "arn:aws:iam::*:role/PlatformAdmin") whose
	// requests are never denied by this statement.
	ExemptPrincipalARNs []string
	// AllowUnknownRegions skips the check of Allowed against the Regions
	// this package knows, for a Region launched after this release.
	AllowUnknownRegions bool
}

// RestrictRegions denies requests that target a Region not in Allowed, as
// AWS's example SCP "Deny access to AWS based on the requested AWS Region"
// does: one Deny statement with NotAction (the exempted global services),
// Resource "*", StringNotEquals on aws:RequestedRegion, and ArnNotLike on
// aws:PrincipalARN when ExemptPrincipalARNs are given.
func RestrictRegions(o RegionOptions) Guardrail {
	f := &faults{name: "RestrictRegions"}
	sid := f.sid(o.Sid, SidDenyOutsideAllowedRegions)
	if len(o.Allowed) == 0 {
		f.add("Allowed", "", "must name at least one Region")
	}
	seen := map[string]bool{}
	for i, r := range o.Allowed {
		field := fmt.Sprintf("Allowed[%d]", i)
		switch {
		case r == "":
			f.add(field, "", "must not be empty")
		case seen[r]:
			f.add(field, r, "is listed twice")
		case !o.AllowUnknownRegions && !knownRegions[r]:
			f.add(field, r, `is not an AWS Region (such as "eu-west-1"); set AllowUnknownRegions for a Region this package does not know yet`)
		}
		seen[r] = true
	}
	exempt := o.ExemptActions
	if exempt == nil {
		exempt = globalServiceActions
	} else if len(exempt) == 0 {
		f.add("ExemptActions", "", "must not be an empty list: leave it nil for GlobalServiceActions()")
	}
	exempt = f.actions("ExemptActions", exempt, globalServiceActions)
	cond := foundation.Conditions{
		"StringNotEquals": {"aws:RequestedRegion": slices.Clone(o.Allowed)},
	}
	if len(o.ExemptPrincipalARNs) > 0 {
		cond["ArnNotLike"] = map[string]foundation.StringList{"aws:PrincipalARN": f.principalARNs("ExemptPrincipalARNs", o.ExemptPrincipalARNs)}
	}
	return f.build(foundation.Statement{
		Sid:       sid,
		Effect:    foundation.EffectDeny,
		NotAction: exempt,
		Resource:  anyResource,
		Condition: cond,
	})
}

// ---------------------------------------------------------------- organization

// LeaveOrganizationOptions configure DenyLeaveOrganization.
type LeaveOrganizationOptions struct {
	// Sid defaults to "DenyLeaveOrganization".
	Sid string
}

// DenyLeaveOrganization denies organizations:LeaveOrganization, so a member
// account cannot remove itself from the organization (and from its SCPs).
func DenyLeaveOrganization(o LeaveOrganizationOptions) Guardrail {
	f := &faults{name: "DenyLeaveOrganization"}
	return f.build(foundation.Statement{
		Sid:      f.sid(o.Sid, SidDenyLeaveOrganization),
		Effect:   foundation.EffectDeny,
		Action:   foundation.Actions("organizations:LeaveOrganization"),
		Resource: anyResource,
	})
}

// ---------------------------------------------------------------- security services

// SecurityService names a security service ProtectSecurityServices guards.
type SecurityService string

// The security services ProtectSecurityServices knows.
const (
	CloudTrail     SecurityService = "cloudtrail"
	Config         SecurityService = "config"
	GuardDuty      SecurityService = "guardduty"
	SecurityHub    SecurityService = "securityhub"
	AccessAnalyzer SecurityService = "access-analyzer"
)

// AllSecurityServices lists every SecurityService, in the order their
// statements are written.
var AllSecurityServices = []SecurityService{CloudTrail, Config, GuardDuty, SecurityHub, AccessAnalyzer}

var securityServiceStatements = map[SecurityService]struct {
	sid     string
	actions []string
}{
	// Stopping or deleting trails and event data stores.
	CloudTrail: {SidProtectCloudTrail, []string{
		"cloudtrail:DeleteEventDataStore",
		"cloudtrail:DeleteTrail",
		"cloudtrail:StopEventDataStoreIngestion",
		"cloudtrail:StopLogging",
	}},
	// AWS's example "Prevent users from disabling AWS Config or changing
	// its rules".
	Config: {SidProtectConfig, []string{
		"config:DeleteConfigRule",
		"config:DeleteConfigurationRecorder",
		"config:DeleteDeliveryChannel",
		"config:StopConfigurationRecorder",
	}},
	// Deleting or disabling detectors (UpdateDetector can set Enable to
	// false), and leaving or dismantling the administrator relationship.
	GuardDuty: {SidProtectGuardDuty, []string{
		"guardduty:DeleteDetector",
		"guardduty:DeleteMembers",
		"guardduty:DeletePublishingDestination",
		"guardduty:DisassociateFromAdministratorAccount",
		"guardduty:DisassociateFromMasterAccount",
		"guardduty:DisassociateMembers",
		"guardduty:StopMonitoringMembers",
		"guardduty:UpdateDetector",
	}},
	// Disabling Security Hub or its standards, and leaving the
	// administrator relationship.
	SecurityHub: {SidProtectSecurityHub, []string{
		"securityhub:BatchDisableStandards",
		"securityhub:DeleteMembers",
		"securityhub:DisableSecurityHub",
		"securityhub:DisassociateFromAdministratorAccount",
		"securityhub:DisassociateFromMasterAccount",
		"securityhub:DisassociateMembers",
	}},
	// Deleting analyzers.
	AccessAnalyzer: {SidProtectAccessAnalyzer, []string{
		"access-analyzer:DeleteAnalyzer",
	}},
}

// SecurityServiceActions returns the actions ProtectSecurityServices denies
// for s, or nil for an unknown service.
func SecurityServiceActions(s SecurityService) []string {
	return slices.Clone(securityServiceStatements[s].actions)
}

// SecurityServicesOptions configure ProtectSecurityServices.
type SecurityServicesOptions struct {
	// Services to protect; default AllSecurityServices.
	Services []SecurityService
	// ExemptPrincipalARNs are IAM principal ARN patterns (the security
	// team's role) allowed to make these calls (ArnNotLike on
	// aws:PrincipalARN).
	ExemptPrincipalARNs []string
}

// ProtectSecurityServices denies the calls that stop, delete or disable the
// security services: one Deny statement per service, with the Sids
// "ProtectCloudTrail", "ProtectConfig", "ProtectGuardDuty",
// "ProtectSecurityHub" and "ProtectAccessAnalyzer". SecurityServiceActions
// lists the actions of each.
func ProtectSecurityServices(o SecurityServicesOptions) Guardrail {
	f := &faults{name: "ProtectSecurityServices"}
	services := o.Services
	if services == nil {
		services = AllSecurityServices
	} else if len(services) == 0 {
		f.add("Services", "", "must not be an empty list: leave it nil for every service")
	}
	exempt := f.principalARNs("ExemptPrincipalARNs", o.ExemptPrincipalARNs)
	seen := map[SecurityService]bool{}
	var statements []foundation.Statement
	for i, s := range services {
		def, ok := securityServiceStatements[s]
		switch {
		case !ok:
			f.add(fmt.Sprintf("Services[%d]", i), string(s), `must be one of "cloudtrail", "config", "guardduty", "securityhub", "access-analyzer"`)
			continue
		case seen[s]:
			f.add(fmt.Sprintf("Services[%d]", i), string(s), "is listed twice")
			continue
		}
		seen[s] = true
		statements = append(statements, denyStatement(def.sid, def.actions, nil, exempt))
	}
	return f.build(statements...)
}

// denyStatement is a Deny of actions on resources ("*" when nil), with an
// ArnNotLike exemption when exempt is not empty.
func denyStatement(sid string, actions, resources, exempt []string) foundation.Statement {
	st := foundation.Statement{
		Sid:      sid,
		Effect:   foundation.EffectDeny,
		Action:   slices.Clone(actions),
		Resource: anyResource,
	}
	if len(resources) > 0 {
		st.Resource = slices.Clone(resources)
	}
	if len(exempt) > 0 {
		st.Condition = foundation.Conditions{"ArnNotLike": {"aws:PrincipalARN": slices.Clone(exempt)}}
	}
	return st
}

// ---------------------------------------------------------------- encryption

// The values of the s3:x-amz-server-side-encryption condition key.
const (
	SSES3      = "AES256"
	SSEKMS     = "aws:kms"
	SSEKMSDSSE = "aws:kms:dsse"
)

// S3EncryptionOptions configure RequireS3Encryption.
type S3EncryptionOptions struct {
	// Algorithms are the server-side encryption values uploads may ask
	// for: SSES3 ("AES256"), SSEKMS ("aws:kms"), SSEKMSDSSE
	// ("aws:kms:dsse"). Default: SSEKMS and SSEKMSDSSE (KMS only).
	Algorithms []string
	// RequireHeader also denies uploads that do not name their
	// encryption (no x-amz-server-side-encryption header), which would
	// otherwise get the bucket's default encryption.
	RequireHeader bool
}

// RequireS3Encryption governs the server-side encryption S3 uploads ask for.
//
// What it enforces: since January 2023 S3 encrypts every new object (SSE-S3
// when the bucket has no other default), so no upload is stored
// unencrypted and an SCP cannot, and need not, deny "uploads without
// encryption". This guardrail denies s3:PutObject (which also authorizes
// CopyObject and multipart uploads) when the request's
// s3:x-amz-server-side-encryption is present and not one of Algorithms
// (statement "DenyS3UnapprovedEncryption": StringNotEquals with Null
// false), so with the default no request can ask for SSE-S3 instead of KMS.
// With RequireHeader, uploads without the header are denied too (statement
// "DenyS3UploadWithoutEncryptionHeader": Null true), so every upload must
// name an approved algorithm instead of relying on the bucket default; this
// also refuses SSE-C uploads, which do not send that header.
func RequireS3Encryption(o S3EncryptionOptions) Guardrail {
	f := &faults{name: "RequireS3Encryption"}
	algs := o.Algorithms
	if algs == nil {
		algs = []string{SSEKMS, SSEKMSDSSE}
	} else if len(algs) == 0 {
		f.add("Algorithms", "", "must not be an empty list: leave it nil for aws:kms and aws:kms:dsse")
	}
	seen := map[string]bool{}
	for i, a := range algs {
		switch {
		case a != SSES3 && a != SSEKMS && a != SSEKMSDSSE:
			f.add(fmt.Sprintf("Algorithms[%d]", i), a, `must be "AES256", "aws:kms" or "aws:kms:dsse"`)
		case seen[a]:
			f.add(fmt.Sprintf("Algorithms[%d]", i), a, "is listed twice")
		}
		seen[a] = true
	}
	const key = "s3:x-amz-server-side-encryption"
	statements := []foundation.Statement{{
		Sid:      SidDenyS3UnapprovedEncryption,
		Effect:   foundation.EffectDeny,
		Action:   foundation.Actions("s3:PutObject"),
		Resource: anyResource,
		Condition: foundation.Conditions{
			"StringNotEquals": {key: slices.Clone(algs)},
			"Null":            {key: {"false"}},
		},
	}}
	if o.RequireHeader {
		statements = append(statements, foundation.Statement{
			Sid:       SidDenyS3UploadWithoutEncryptionHeader,
			Effect:    foundation.EffectDeny,
			Action:    foundation.Actions("s3:PutObject"),
			Resource:  anyResource,
			Condition: foundation.Conditions{"Null": {key: {"true"}}},
		})
	}
	return f.build(statements...)
}

// EBSEncryptionOptions configure RequireEBSEncryption.
type EBSEncryptionOptions struct {
	// AllowDisablingEncryptionByDefault leaves out the statement that
	// denies ec2:DisableEbsEncryptionByDefault.
	AllowDisablingEncryptionByDefault bool
}

// RequireEBSEncryption denies creating unencrypted EBS volumes: statement
// "DenyUnencryptedEBSVolumes" denies ec2:CreateVolume and ec2:RunInstances
// on volume resources ("arn:*:ec2:*:*:volume/*") whose ec2:Encrypted is
// false (with the account's EBS encryption by default on, every new volume
// is encrypted and passes), and statement "DenyDisableEBSEncryptionByDefault"
// denies turning that account setting off.
func RequireEBSEncryption(o EBSEncryptionOptions) Guardrail {
	f := &faults{name: "RequireEBSEncryption"}
	statements := []foundation.Statement{{
		Sid:       SidDenyUnencryptedEBSVolumes,
		Effect:    foundation.EffectDeny,
		Action:    foundation.Actions("ec2:CreateVolume", "ec2:RunInstances"),
		Resource:  foundation.Resources("arn:*:ec2:*:*:volume/*"),
		Condition: foundation.Conditions{"Bool": {"ec2:Encrypted": {"false"}}},
	}}
	if !o.AllowDisablingEncryptionByDefault {
		statements = append(statements, foundation.Statement{
			Sid:      SidDenyDisableEBSEncryptionByDefault,
			Effect:   foundation.EffectDeny,
			Action:   foundation.Actions("ec2:DisableEbsEncryptionByDefault"),
			Resource: anyResource,
		})
	}
	return f.build(statements...)
}

// RDSEncryptionOptions configure RequireRDSEncryption.
type RDSEncryptionOptions struct {
	// Sid defaults to "DenyUnencryptedRDSStorage".
	Sid string
}

// RequireRDSEncryption denies rds:CreateDBInstance and rds:CreateDBCluster
// requests whose rds:StorageEncrypted is false (Bool). Aurora instances,
// whose storage is the cluster's, carry no such key and are not denied;
// restores from snapshots keep the snapshot's encryption and are not
// covered.
func RequireRDSEncryption(o RDSEncryptionOptions) Guardrail {
	f := &faults{name: "RequireRDSEncryption"}
	return f.build(foundation.Statement{
		Sid:       f.sid(o.Sid, SidDenyUnencryptedRDSStorage),
		Effect:    foundation.EffectDeny,
		Action:    foundation.Actions("rds:CreateDBCluster", "rds:CreateDBInstance"),
		Resource:  anyResource,
		Condition: foundation.Conditions{"Bool": {"rds:StorageEncrypted": {"false"}}},
	})
}

// ---------------------------------------------------------------- networking

// InternetGatewayOptions configure DenyInternetGateways.
type InternetGatewayOptions struct {
	// Sid defaults to "DenyInternetGateways".
	Sid string
	// ExceptAccounts are the 12-digit IDs of the accounts (the networking
	// account) whose principals may still create and attach internet
	// gateways (required).
	ExceptAccounts []string
	// AllowEgressOnly leaves ec2:CreateEgressOnlyInternetGateway (IPv6
	// outbound-only gateways) out of the denied actions.
	AllowEgressOnly bool
}

// DenyInternetGateways denies ec2:CreateInternetGateway,
// ec2:AttachInternetGateway and, unless AllowEgressOnly,
// ec2:CreateEgressOnlyInternetGateway to principals of every account but
// ExceptAccounts (StringNotEquals on aws:PrincipalAccount), so only the
// networking account can give VPCs a path to the internet.
func DenyInternetGateways(o InternetGatewayOptions) Guardrail {
	f := &faults{name: "DenyInternetGateways"}
	sid := f.sid(o.Sid, SidDenyInternetGateways)
	accounts := f.accounts("ExceptAccounts", o.ExceptAccounts, true)
	actions := []string{"ec2:AttachInternetGateway", "ec2:CreateInternetGateway"}
	if !o.AllowEgressOnly {
		actions = append(actions, "ec2:CreateEgressOnlyInternetGateway")
	}
	return f.build(foundation.Statement{
		Sid:       sid,
		Effect:    foundation.EffectDeny,
		Action:    actions,
		Resource:  anyResource,
		Condition: foundation.Conditions{"StringNotEquals": {"aws:PrincipalAccount": accounts}},
	})
}

// ExternalSharingOptions configure DenyExternalResourceSharing.
type ExternalSharingOptions struct {
	// Sid defaults to "DenyExternalResourceSharing".
	Sid string
}

// DenyExternalResourceSharing denies ram:CreateResourceShare and
// ram:UpdateResourceShare when the share allows principals outside the
// organization (Bool ram:RequestedAllowsExternalPrincipals true), AWS's
// example "Prevent external sharing".
func DenyExternalResourceSharing(o ExternalSharingOptions) Guardrail {
	f := &faults{name: "DenyExternalResourceSharing"}
	return f.build(foundation.Statement{
		Sid:       f.sid(o.Sid, SidDenyExternalResourceSharing),
		Effect:    foundation.EffectDeny,
		Action:    foundation.Actions("ram:CreateResourceShare", "ram:UpdateResourceShare"),
		Resource:  anyResource,
		Condition: foundation.Conditions{"Bool": {"ram:RequestedAllowsExternalPrincipals": {"true"}}},
	})
}

// ---------------------------------------------------------------- named actions

// ProtectActionsOptions configure ProtectActions.
type ProtectActionsOptions struct {
	// Sid defaults to "ProtectActions". Give each ProtectActions of one
	// document its own.
	Sid string
	// Actions denied (required), such as "rds:DeleteDBCluster".
	Actions []string
	// Resources the denial applies to; default "*".
	Resources []string
	// UnlessPrincipalTag exempts principals carrying one of these tags with
	// exactly that value (StringNotEquals on aws:PrincipalTag/KEY; a
	// principal with any one of them is exempt; one without the tag is
	// denied).
	UnlessPrincipalTag map[string]string
	// ExemptPrincipalARNs are IAM principal ARN patterns exempted
	// (ArnNotLike on aws:PrincipalARN).
	ExemptPrincipalARNs []string
}

// ProtectActions denies the named actions, unless the principal carries
// one of UnlessPrincipalTag or matches ExemptPrincipalARNs. Without either
// the actions are denied to everyone: "nobody deletes production
// databases".
func ProtectActions(o ProtectActionsOptions) Guardrail {
	f := &faults{name: "ProtectActions"}
	sid := f.sid(o.Sid, SidProtectActions)
	actions := f.actions("Actions", o.Actions, nil)
	for i, r := range o.Resources {
		if r == "" {
			f.add(fmt.Sprintf("Resources[%d]", i), "", "must not be empty")
		} else if r != "*" && !strings.HasPrefix(r, "arn:") {
			f.add(fmt.Sprintf("Resources[%d]", i), r, `must be "*" or an ARN (pattern)`)
		}
	}
	st := denyStatement(sid, actions, o.Resources, nil)
	cond := foundation.Conditions{}
	if len(o.UnlessPrincipalTag) > 0 {
		keys := make([]string, 0, len(o.UnlessPrincipalTag))
		for k := range o.UnlessPrincipalTag {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := map[string]foundation.StringList{}
		for _, k := range keys {
			if n := utf8.RuneCountInString(k); n == 0 || n > 128 {
				f.add(fmt.Sprintf("UnlessPrincipalTag[%q]", k), k, "tag key must be 1 to 128 characters")
			}
			if utf8.RuneCountInString(o.UnlessPrincipalTag[k]) > 256 {
				f.add(fmt.Sprintf("UnlessPrincipalTag[%q]", k), o.UnlessPrincipalTag[k], "tag value must be at most 256 characters")
			}
			m["aws:PrincipalTag/"+k] = foundation.StringList{o.UnlessPrincipalTag[k]}
		}
		cond["StringNotEquals"] = m
	}
	if len(o.ExemptPrincipalARNs) > 0 {
		cond["ArnNotLike"] = map[string]foundation.StringList{"aws:PrincipalARN": f.principalARNs("ExemptPrincipalARNs", o.ExemptPrincipalARNs)}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	return f.build(st)
}

// ---------------------------------------------------------------- all

// DenyAllOptions configure DenyAll.
type DenyAllOptions struct {
	// Sid defaults to "DenyAll".
	Sid string
	// ExemptPrincipalARNs are IAM principal ARN patterns still allowed,
	// such as a break-glass role (ArnNotLike on aws:PrincipalARN).
	ExemptPrincipalARNs []string
}

// DenyAll denies every action on every resource: the SCP of a Suspended OU
// holding accounts waiting to be closed.
func DenyAll(o DenyAllOptions) Guardrail {
	f := &faults{name: "DenyAll"}
	sid := f.sid(o.Sid, SidDenyAll)
	exempt := f.principalARNs("ExemptPrincipalARNs", o.ExemptPrincipalARNs)
	return f.build(denyStatement(sid, []string{"*"}, nil, exempt))
}

// AllowAllOptions configure AllowAll.
type AllowAllOptions struct {
	// Sid defaults to "AllowAll".
	Sid string
}

// AllowAll allows every action on every resource, like the AWS managed
// FullAWSAccess policy: the Allow a deny-list SCP carries when it replaces
// FullAWSAccess on a target.
func AllowAll(o AllowAllOptions) Guardrail {
	f := &faults{name: "AllowAll"}
	return f.build(foundation.Statement{
		Sid:      f.sid(o.Sid, SidAllowAll),
		Effect:   foundation.EffectAllow,
		Action:   foundation.Actions("*"),
		Resource: anyResource,
	})
}
