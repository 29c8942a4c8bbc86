package orgpolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

// Document is a policy document of any type that can render itself:
// the builders of this package (TagPolicy, BackupPolicy, AIOptOutPolicy,
// DeclarativeEC2Policy, Settings) and, through IAMDocument, SCPs and RCPs.
type Document interface {
	// Type is the policy type the document is for.
	Type() Type
	// Content renders the document as minified JSON, or returns the faults
	// of its options (matching foundation.ErrInvalidSpec).
	Content() (string, error)
}

// assign is the inheritance operator @@assign on a value.
func assign(v any) map[string]any { return map[string]any{OpAssign: v} }

func render(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// TagRule is one tag key a tag policy governs.
type TagRule struct {
	// Key is the tag key with the capitalization required (required).
	Key string
	// Values are the values allowed ("*" wildcards allowed as AWS
	// documents); none: any value.
	Values []string
	// EnforcedFor are the resource types ("ec2:instance", "s3:bucket" or
	// "ec2:*") on which noncompliant tagging operations are refused.
	EnforcedFor []string
	// LockKey forbids child policies to change the key's capitalization
	// (@@operators_allowed_for_child_policies: @@none on tag_key).
	LockKey bool
}

// TagPolicy builds a tag policy: for each rule, the key's capitalization
// (tag_key), the allowed values (tag_value) and where it is enforced
// (enforced_for), each with @@assign.
type TagPolicy struct{ Rules []TagRule }

// Type is Tag.
func (TagPolicy) Type() Type { return Tag }

// Content renders the tag policy.
func (p TagPolicy) Content() (string, error) {
	var errs []error
	tags := map[string]any{}
	for i, r := range p.Rules {
		field := fmt.Sprintf("TagPolicy.Rules[%d]", i)
		if r.Key == "" {
			errs = append(errs, specerr.New(pkg, field+".Key", "", "is required"))
			continue
		}
		errs = append(errs, awsrules.TagFaults(pkg, field, map[string]string{r.Key: ""}, 0)...)
		id := strings.ToLower(r.Key)
		if _, dup := tags[id]; dup {
			errs = append(errs, specerr.New(pkg, field+".Key", r.Key, "is governed twice (tag policies compare keys without case)"))
			continue
		}
		key := assign(r.Key)
		if r.LockKey {
			key[OpChildPolicies] = []string{"@@none"}
		}
		rule := map[string]any{"tag_key": key}
		if len(r.Values) > 0 {
			rule["tag_value"] = assign(r.Values)
		}
		if len(r.EnforcedFor) > 0 {
			for j, rt := range r.EnforcedFor {
				if !resourceTypeRe.MatchString(rt) {
					errs = append(errs, specerr.New(pkg, fmt.Sprintf("%s.EnforcedFor[%d]", field, j), rt, `must be a resource type such as "ec2:instance" or "s3:*"`))
				}
			}
			rule["enforced_for"] = assign(r.EnforcedFor)
		}
		tags[id] = rule
	}
	if len(p.Rules) == 0 {
		errs = append(errs, specerr.New(pkg, "TagPolicy.Rules", "", "must govern at least one tag key"))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return render(map[string]any{"tags": tags})
}

var resourceTypeRe = regexp.MustCompile(`^[a-z0-9-]+:(\*|[A-Za-z0-9-]+(:\*)?)$`)

// BackupRule is one rule of a backup plan.
type BackupRule struct {
	Name string
	// Schedule is a cron expression ("cron(0 5 ? * * *)").
	Schedule string
	// Vault is the backup vault's name (the default: "Default").
	Vault string
	// DeleteAfterDays is the retention; 0 keeps backups.
	DeleteAfterDays int
}

// BackupPlan is one plan of a backup policy, selecting resources by tag.
type BackupPlan struct {
	Name    string
	Regions []string
	Rules   []BackupRule
	// RoleName is the IAM role AWS Backup assumes in each account (the
	// policy names it as arn:aws:iam::$account:role/RoleName).
	RoleName string
	// TagKey and TagValues select the resources backed up.
	TagKey    string
	TagValues []string
}

// BackupPolicy builds a backup policy from plans, each value set with
// @@assign.
type BackupPolicy struct{ Plans []BackupPlan }

// Type is Backup.
func (BackupPolicy) Type() Type { return Backup }

var cronRe = regexp.MustCompile(`^cron\(.+\)$`)

// Content renders the backup policy.
func (p BackupPolicy) Content() (string, error) {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	plans := map[string]any{}
	for i, pl := range p.Plans {
		field := fmt.Sprintf("BackupPolicy.Plans[%d]", i)
		if pl.Name == "" {
			bad(field+".Name", "", "is required")
		}
		if len(pl.Regions) == 0 {
			bad(field+".Regions", "", "must name at least one Region")
		}
		for j, r := range pl.Regions {
			if !scp.KnownRegion(r) {
				bad(fmt.Sprintf("%s.Regions[%d]", field, j), r, "is not an AWS Region this package knows")
			}
		}
		if pl.RoleName == "" {
			bad(field+".RoleName", "", "is required")
		}
		if pl.TagKey == "" || len(pl.TagValues) == 0 {
			bad(field+".TagKey", pl.TagKey, "and TagValues are required: they select the resources backed up")
		}
		rules := map[string]any{}
		for j, r := range pl.Rules {
			rf := fmt.Sprintf("%s.Rules[%d]", field, j)
			if r.Name == "" {
				bad(rf+".Name", "", "is required")
			}
			if !cronRe.MatchString(r.Schedule) {
				bad(rf+".Schedule", r.Schedule, `must be a cron expression such as "cron(0 5 ? * * *)"`)
			}
			if r.DeleteAfterDays < 0 {
				bad(rf+".DeleteAfterDays", fmt.Sprint(r.DeleteAfterDays), "must not be negative")
			}
			vault := r.Vault
			if vault == "" {
				vault = "Default"
			}
			rule := map[string]any{"schedule_expression": assign(r.Schedule), "target_backup_vault_name": assign(vault)}
			if r.DeleteAfterDays > 0 {
				rule["lifecycle"] = map[string]any{"delete_after_days": assign(fmt.Sprint(r.DeleteAfterDays))}
			}
			rules[r.Name] = rule
		}
		if len(pl.Rules) == 0 {
			bad(field+".Rules", "", "must have at least one rule")
		}
		plans[pl.Name] = map[string]any{
			"regions": assign(pl.Regions),
			"rules":   rules,
			"selections": map[string]any{"tags": map[string]any{pl.Name: map[string]any{
				"iam_role_arn": assign("arn:aws:iam::$account:role/" + pl.RoleName),
				"tag_key":      assign(pl.TagKey),
				"tag_value":    assign(pl.TagValues),
			}}},
		}
	}
	if len(p.Plans) == 0 {
		bad("BackupPolicy.Plans", "", "must have at least one plan")
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return render(map[string]any{"plans": plans})
}

// AIOptOutPolicy builds an AI services opt-out policy: Default applies to
// every AI service ("optOut" or "optIn"), Services override it per service
// ("rekognition": "optIn").
type AIOptOutPolicy struct {
	Default  string
	Services map[string]string
	// LockDefault forbids child policies to change the default.
	LockDefault bool
}

// Type is AIServicesOptOut.
func (AIOptOutPolicy) Type() Type { return AIServicesOptOut }

// Content renders the AI services opt-out policy.
func (p AIOptOutPolicy) Content() (string, error) {
	var errs []error
	services := map[string]any{}
	check := func(field, v string) {
		if v != "optOut" && v != "optIn" {
			errs = append(errs, specerr.New(pkg, field, v, `must be "optOut" or "optIn"`))
		}
	}
	if p.Default != "" {
		check("AIOptOutPolicy.Default", p.Default)
		v := assign(p.Default)
		if p.LockDefault {
			v[OpChildPolicies] = []string{"@@none"}
		}
		services["default"] = map[string]any{"opt_out_policy": v}
	}
	for _, s := range sortedStrings(p.Services) {
		check(fmt.Sprintf("AIOptOutPolicy.Services[%q]", s), p.Services[s])
		services[s] = map[string]any{"opt_out_policy": assign(p.Services[s])}
	}
	if len(services) == 0 {
		errs = append(errs, specerr.New(pkg, "AIOptOutPolicy", "", "must set Default or a service"))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return render(map[string]any{"services": services})
}

// DeclarativeEC2Policy builds a declarative policy for EC2: the account
// attributes AWS keeps in the state the policy declares, whatever the
// accounts' principals do.
type DeclarativeEC2Policy struct {
	// BlockPublicAMIs blocks new public sharing of AMIs
	// (image_block_public_access: block_new_sharing).
	BlockPublicAMIs bool
	// BlockPublicSnapshots blocks all public sharing of EBS snapshots
	// (snapshot_block_public_access: block_all_sharing).
	BlockPublicSnapshots bool
	// RequireIMDSv2 makes new instances require IMDSv2 tokens
	// (instance_metadata_defaults http_tokens: required).
	RequireIMDSv2 bool
	// DisableSerialConsole turns off EC2 serial console access.
	DisableSerialConsole bool
}

// Type is DeclarativeEC2.
func (DeclarativeEC2Policy) Type() Type { return DeclarativeEC2 }

// Content renders the declarative policy.
func (p DeclarativeEC2Policy) Content() (string, error) {
	attrs := map[string]any{}
	if p.BlockPublicAMIs {
		attrs["image_block_public_access"] = map[string]any{"state": assign("block_new_sharing")}
	}
	if p.BlockPublicSnapshots {
		attrs["snapshot_block_public_access"] = map[string]any{"state": assign("block_all_sharing")}
	}
	if p.RequireIMDSv2 {
		attrs["instance_metadata_defaults"] = map[string]any{"http_tokens": assign("required")}
	}
	if p.DisableSerialConsole {
		attrs["serial_console_access"] = map[string]any{"status": assign("disabled")}
	}
	if len(attrs) == 0 {
		return "", specerr.New(pkg, "DeclarativeEC2Policy", "", "declares nothing: set at least one attribute")
	}
	return render(map[string]any{"ec2_attributes": attrs})
}

// Settings is a management policy of any type written as a tree, for the
// types this package has no builder for (chatbot, Security Hub,
// Inspector, ...): nested maps whose leaves use the inheritance operators,
// as in {"securityhub": {"enable_in_regions": {"@@assign": [...]}}}. Its
// grammar is checked by Check and EnsurePolicy.
type Settings struct {
	PolicyType Type
	Tree       map[string]any
}

// Type is s.PolicyType.
func (s Settings) Type() Type { return s.PolicyType }

// Content renders the tree.
func (s Settings) Content() (string, error) {
	if Info(s.PolicyType).Authorization || !Known(s.PolicyType) {
		return "", specerr.New(pkg, "Settings.PolicyType", string(s.PolicyType), "must be a management policy type")
	}
	return render(s.Tree)
}

func sortedStrings(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
