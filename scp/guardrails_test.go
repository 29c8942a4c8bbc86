package scp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/scp"
)

// decide builds one guardrail next to FullAWSAccess and evaluates req.
func decide(t *testing.T, g scp.Guardrail, req scp.Request) scp.Decision {
	t.Helper()
	doc, err := scp.Build(g)
	if err != nil {
		t.Fatal(err)
	}
	return scp.Evaluate([]*foundation.PolicyDocument{fullAWSAccess(), doc}, req)
}

func TestGuardrailDecisions(t *testing.T) {
	const acct = "111122223333"
	role := "arn:aws:iam::" + acct + ":role/Dev"
	admin := "arn:aws:iam::" + acct + ":role/PlatformAdmin"
	cases := []struct {
		name string
		g    scp.Guardrail
		req  scp.Request
		want scp.Outcome
		sid  string // of the deciding Deny
	}{
		{"root user denied", scp.DenyRootUser(scp.RootUserOptions{}),
			scp.Request{Action: "iam:CreateAccessKey", PrincipalARN: "arn:aws:iam::" + acct + ":root"}, scp.ExplicitDeny, "DenyRootUser"},
		{"role not root", scp.DenyRootUser(scp.RootUserOptions{}),
			scp.Request{Action: "iam:CreateAccessKey", PrincipalARN: role}, scp.Allow, ""},
		{"root user, only ec2 denied", scp.DenyRootUser(scp.RootUserOptions{Actions: []string{"ec2:*"}}),
			scp.Request{Action: "s3:ListBucket", PrincipalARN: "arn:aws:iam::" + acct + ":root"}, scp.Allow, ""},

		{"region eu-west-3 denied for ec2", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "ec2:RunInstances", Region: "eu-west-3", PrincipalARN: role}, scp.ExplicitDeny, "DenyOutsideAllowedRegions"},
		{"region eu-west-3 allowed for iam", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "iam:CreateRole", Region: "eu-west-3", PrincipalARN: role}, scp.Allow, ""},
		{"global: s3:ListAllMyBuckets", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "s3:ListAllMyBuckets", Region: "us-east-1"}, scp.Allow, ""},
		{"global: s3 account public access (prefix wildcard)", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "s3:PutAccountPublicAccessBlock", Region: "us-east-1"}, scp.Allow, ""},
		{"regional s3 in us-east-1", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "s3:CreateBucket", Region: "us-east-1"}, scp.ExplicitDeny, "DenyOutsideAllowedRegions"},
		{"allowed region", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1", "eu-central-1"}}),
			scp.Request{Action: "ec2:RunInstances", Region: "eu-central-1"}, scp.Allow, ""},
		{"exempted role", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/PlatformAdmin"}}),
			scp.Request{Action: "ec2:RunInstances", Region: "ap-south-1", PrincipalARN: admin}, scp.Allow, ""},
		{"exemption is by role, not by prefix", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/PlatformAdmin"}}),
			scp.Request{Action: "ec2:RunInstances", Region: "ap-south-1", PrincipalARN: admin + "2"}, scp.ExplicitDeny, "DenyOutsideAllowedRegions"},
		{"no region in the request (global endpoint of a regional service)", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			scp.Request{Action: "ec2:DescribeInstances"}, scp.ExplicitDeny, "DenyOutsideAllowedRegions"},

		{"leave organization", scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
			scp.Request{Action: "organizations:LeaveOrganization"}, scp.ExplicitDeny, "DenyLeaveOrganization"},
		{"describe organization", scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
			scp.Request{Action: "organizations:DescribeOrganization"}, scp.Allow, ""},

		{"stop CloudTrail", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "cloudtrail:StopLogging", PrincipalARN: role}, scp.ExplicitDeny, "ProtectCloudTrail"},
		{"delete GuardDuty detector", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "guardduty:DeleteDetector", PrincipalARN: role}, scp.ExplicitDeny, "ProtectGuardDuty"},
		{"disable Security Hub", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "securityhub:DisableSecurityHub", PrincipalARN: role}, scp.ExplicitDeny, "ProtectSecurityHub"},
		{"stop Config recorder", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "config:StopConfigurationRecorder", PrincipalARN: role}, scp.ExplicitDeny, "ProtectConfig"},
		{"delete analyzer", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "access-analyzer:DeleteAnalyzer", PrincipalARN: role}, scp.ExplicitDeny, "ProtectAccessAnalyzer"},
		{"security team may", scp.ProtectSecurityServices(scp.SecurityServicesOptions{ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/Security*"}}),
			scp.Request{Action: "cloudtrail:DeleteTrail", PrincipalARN: "arn:aws:iam::" + acct + ":role/SecurityAdmin"}, scp.Allow, ""},
		{"reading trails", scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
			scp.Request{Action: "cloudtrail:LookupEvents", PrincipalARN: role}, scp.Allow, ""},
		{"only GuardDuty protected", scp.ProtectSecurityServices(scp.SecurityServicesOptions{Services: []scp.SecurityService{scp.GuardDuty}}),
			scp.Request{Action: "cloudtrail:StopLogging", PrincipalARN: role}, scp.Allow, ""},

		{"S3 PutObject AES256 when KMS required", scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
			scp.Request{Action: "s3:PutObject", Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}}, scp.ExplicitDeny, "DenyS3UnapprovedEncryption"},
		{"S3 PutObject DSSE", scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
			scp.Request{Action: "s3:PutObject", Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms:dsse"}}}, scp.Allow, ""},
		{"S3 PutObject without header", scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
			scp.Request{Action: "s3:PutObject"}, scp.Allow, ""},
		{"S3 PutObject without header, header required", scp.RequireS3Encryption(scp.S3EncryptionOptions{RequireHeader: true}),
			scp.Request{Action: "s3:PutObject"}, scp.ExplicitDeny, "DenyS3UploadWithoutEncryptionHeader"},
		{"S3 PutObject AES256 allowed", scp.RequireS3Encryption(scp.S3EncryptionOptions{Algorithms: []string{scp.SSES3, scp.SSEKMS}, RequireHeader: true}),
			scp.Request{Action: "s3:PutObject", Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}}, scp.Allow, ""},
		{"S3 GetObject untouched", scp.RequireS3Encryption(scp.S3EncryptionOptions{RequireHeader: true}),
			scp.Request{Action: "s3:GetObject"}, scp.Allow, ""},

		{"EBS unencrypted", scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
			scp.Request{Action: "ec2:CreateVolume", Resource: "arn:aws:ec2:eu-west-1:" + acct + ":volume/*", Conditions: map[string][]string{"ec2:Encrypted": {"false"}}}, scp.ExplicitDeny, "DenyUnencryptedEBSVolumes"},
		{"EBS encrypted", scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
			scp.Request{Action: "ec2:CreateVolume", Resource: "arn:aws:ec2:eu-west-1:" + acct + ":volume/*", Conditions: map[string][]string{"ec2:Encrypted": {"TRUE"}}}, scp.Allow, ""},
		{"EBS default encryption toggle", scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
			scp.Request{Action: "ec2:DisableEbsEncryptionByDefault"}, scp.ExplicitDeny, "DenyDisableEBSEncryptionByDefault"},
		{"EBS default encryption toggle allowed", scp.RequireEBSEncryption(scp.EBSEncryptionOptions{AllowDisablingEncryptionByDefault: true}),
			scp.Request{Action: "ec2:DisableEbsEncryptionByDefault"}, scp.Allow, ""},

		{"RDS unencrypted instance", scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
			scp.Request{Action: "rds:CreateDBInstance", Conditions: map[string][]string{"rds:StorageEncrypted": {"false"}}}, scp.ExplicitDeny, "DenyUnencryptedRDSStorage"},
		{"RDS Aurora instance (no key)", scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
			scp.Request{Action: "rds:CreateDBInstance"}, scp.Allow, ""},

		{"IGW outside networking account", scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"999988887777"}}),
			scp.Request{Action: "ec2:CreateInternetGateway", PrincipalAccount: acct}, scp.ExplicitDeny, "DenyInternetGateways"},
		{"IGW in networking account", scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"999988887777"}}),
			scp.Request{Action: "ec2:AttachInternetGateway", PrincipalAccount: "999988887777"}, scp.Allow, ""},
		{"egress-only allowed by option", scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"999988887777"}, AllowEgressOnly: true}),
			scp.Request{Action: "ec2:CreateEgressOnlyInternetGateway", PrincipalAccount: acct}, scp.Allow, ""},

		{"RAM external share", scp.DenyExternalResourceSharing(scp.ExternalSharingOptions{}),
			scp.Request{Action: "ram:CreateResourceShare", Conditions: map[string][]string{"ram:RequestedAllowsExternalPrincipals": {"true"}}}, scp.ExplicitDeny, "DenyExternalResourceSharing"},

		{"protected action", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"rds:Delete*"}}),
			scp.Request{Action: "rds:DeleteDBCluster"}, scp.ExplicitDeny, "ProtectActions"},
		{"protected action on other resource", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"s3:DeleteBucket"}, Resources: []string{"arn:aws:s3:::prod-*"}}),
			scp.Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::dev-data"}, scp.Allow, ""},
		{"protected action on protected resource", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"s3:DeleteBucket"}, Resources: []string{"arn:aws:s3:::prod-*"}}),
			scp.Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::prod-data"}, scp.ExplicitDeny, "ProtectActions"},
		{"protected action, tagged principal", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"eks:DeleteCluster"}, UnlessPrincipalTag: map[string]string{"BreakGlass": "yes"}}),
			scp.Request{Action: "eks:DeleteCluster", PrincipalTags: map[string]string{"BreakGlass": "yes"}}, scp.Allow, ""},
		{"protected action, exempt ARN", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"eks:DeleteCluster"}, ExemptPrincipalARNs: []string{admin}}),
			scp.Request{Action: "eks:DeleteCluster", PrincipalARN: admin}, scp.Allow, ""},

		{"deny all", scp.DenyAll(scp.DenyAllOptions{}),
			scp.Request{Action: "sts:GetCallerIdentity"}, scp.ExplicitDeny, "DenyAll"},
		{"deny all, break glass", scp.DenyAll(scp.DenyAllOptions{ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/BreakGlass"}}),
			scp.Request{Action: "sts:GetCallerIdentity", PrincipalARN: "arn:aws:iam::" + acct + ":role/BreakGlass"}, scp.Allow, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decide(t, c.g, c.req)
			if d.Outcome != c.want {
				t.Fatalf("got %s, want %s", d, c.want)
			}
			if c.sid != "" && (d.By == nil || d.By.Sid != c.sid) {
				t.Fatalf("decided by %v, want Sid %s", d.By, c.sid)
			}
		})
	}
}

func TestGuardrailSidsAreStable(t *testing.T) {
	doc := scp.MustBuild(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
		scp.ProtectSecurityServices(scp.SecurityServicesOptions{}),
		scp.RequireS3Encryption(scp.S3EncryptionOptions{RequireHeader: true}),
		scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
		scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
		scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"111122223333"}}),
		scp.DenyExternalResourceSharing(scp.ExternalSharingOptions{}),
		scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"rds:DeleteDBCluster"}}),
	)
	var sids []string
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
	}
	want := "DenyRootUser DenyOutsideAllowedRegions DenyLeaveOrganization ProtectCloudTrail ProtectConfig ProtectGuardDuty " +
		"ProtectSecurityHub ProtectAccessAnalyzer DenyS3UnapprovedEncryption DenyS3UploadWithoutEncryptionHeader " +
		"DenyUnencryptedEBSVolumes DenyDisableEBSEncryptionByDefault DenyUnencryptedRDSStorage DenyInternetGateways " +
		"DenyExternalResourceSharing ProtectActions"
	if got := strings.Join(sids, " "); got != want {
		t.Fatalf("Sids:\n got %s\nwant %s", got, want)
	}
	n, _ := scp.Size(doc)
	t.Logf("every guardrail in one document: %d statements, %d characters minified", len(doc.Statement), n)
	if n > scp.DefaultMaxPolicySize {
		t.Fatalf("every guardrail together no longer fits one SCP: %d characters", n)
	}
}

func TestGuardrailOptionsAreValidated(t *testing.T) {
	cases := []struct {
		name  string
		g     scp.Guardrail
		field string
		rule  string
	}{
		{"unknown region", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1", "eu-westt-1"}}), "RestrictRegions.Allowed[1]", "not an AWS Region"},
		{"no region", scp.RestrictRegions(scp.RegionOptions{}), "RestrictRegions.Allowed", "at least one Region"},
		{"duplicate region", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1", "eu-west-1"}}), "RestrictRegions.Allowed[1]", "twice"},
		{"empty exempt list", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptActions: []string{}}), "RestrictRegions.ExemptActions", "nil"},
		{"bad exempt action", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptActions: []string{"IAM"}}), "RestrictRegions.ExemptActions[0]", "service:action"},
		{"bad principal ARN", scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}, ExemptPrincipalARNs: []string{"Admin"}}), "RestrictRegions.ExemptPrincipalARNs[0]", "ARN"},
		{"bad Sid", scp.DenyRootUser(scp.RootUserOptions{Sid: "deny root!"}), "DenyRootUser.Sid", "letters"},
		{"no account", scp.DenyInternetGateways(scp.InternetGatewayOptions{}), "DenyInternetGateways.ExceptAccounts", "at least one account"},
		{"bad account", scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{"12345"}}), "DenyInternetGateways.ExceptAccounts[0]", "12-digit"},
		{"unknown service", scp.ProtectSecurityServices(scp.SecurityServicesOptions{Services: []scp.SecurityService{"macie"}}), "ProtectSecurityServices.Services[0]", "must be one of"},
		{"bad S3 algorithm", scp.RequireS3Encryption(scp.S3EncryptionOptions{Algorithms: []string{"aws:kms", "SSE-C"}}), "RequireS3Encryption.Algorithms[1]", "AES256"},
		{"no protected action", scp.ProtectActions(scp.ProtectActionsOptions{}), "ProtectActions.Actions", "at least one action"},
		{"bad protected resource", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"s3:DeleteBucket"}, Resources: []string{"prod-bucket"}}), "ProtectActions.Resources[0]", "ARN"},
		{"empty tag key", scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"s3:DeleteBucket"}, UnlessPrincipalTag: map[string]string{"": "x"}}), `ProtectActions.UnlessPrincipalTag[""]`, "1 to 128"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scp.Build(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}), c.g)
			if !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Fatalf("err = %v, want ErrInvalidSpec", err)
			}
			if !strings.Contains(err.Error(), "scp: "+c.field) || !strings.Contains(err.Error(), c.rule) {
				t.Fatalf("err = %v, want field %q and rule %q", err, c.field, c.rule)
			}
			if c.g.Err() == nil {
				t.Fatal("Guardrail.Err is nil")
			}
		})
	}

	// Unknown Regions can be allowed explicitly.
	if _, err := scp.Build(scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"xx-future-1"}, AllowUnknownRegions: true})); err != nil {
		t.Fatal(err)
	}
	// Two guardrails with one Sid.
	_, err := scp.Build(
		scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"rds:DeleteDBCluster"}}),
		scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"eks:DeleteCluster"}}),
	)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), `"ProtectActions": Sid is already used by guardrails[0]`) {
		t.Fatalf("duplicate Sid: %v", err)
	}
	// Custom statements are checked against the SCP grammar.
	_, err = scp.Build(scp.Custom(foundation.Statement{Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
		Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")}))
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "Principal: is not supported") {
		t.Fatalf("custom principal: %v", err)
	}
}

func TestGuardrailStatementsAreCopies(t *testing.T) {
	g := scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}})
	sts, err := g.Statements()
	if err != nil {
		t.Fatal(err)
	}
	sts[0].NotAction[0] = "changed:*"
	again, _ := g.Statements()
	if again[0].NotAction[0] == "changed:*" {
		t.Fatal("Statements shares its slices")
	}
	if got := scp.GlobalServiceActions(); len(got) < 40 || got[0] != "a4b:*" {
		t.Fatalf("GlobalServiceActions: %v", got)
	}
	for _, s := range []string{"iam:*", "organizations:*", "route53:*", "cloudfront:*", "sts:*", "support:*", "budgets:*", "ce:*",
		"health:*", "waf:*", "globalaccelerator:*", "shield:*", "trustedadvisor:*"} {
		if !contains(scp.GlobalServiceActions(), s) {
			t.Errorf("GlobalServiceActions lacks %s", s)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
