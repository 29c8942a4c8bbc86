package scp_test

import (
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/scp"
)

// seed000Production is the SCP seed 000 (Step 4) attaches to the Production
// OU, as printed there.
const seed000Production = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyDangerousEKSOperations",
      "Effect": "Deny",
      "Action": [
        "eks:DeleteCluster",
        "eks:DeleteNodegroup"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {
          "aws:PrincipalTag/AllowDestructive": "true"
        }
      }
    },
    {
      "Sid": "DenyRDSDelete",
      "Effect": "Deny",
      "Action": [
        "rds:DeleteDBInstance",
        "rds:DeleteDBCluster"
      ],
      "Resource": "*"
    },
    {
      "Sid": "RequireRegions",
      "Effect": "Deny",
      "NotAction": [
        "iam:*",
        "sts:*",
        "route53:*",
        "cloudfront:*",
        "waf:*",
        "acm:*",
        "support:*",
        "health:*"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {
          "aws:RequestedRegion": [
            "us-east-1",
            "us-west-2"
          ]
        }
      }
    }
  ]
}`

// seed000 builds seed 000's production SCP from the guardrail library.
func seed000() (*foundation.PolicyDocument, error) {
	return scp.Build(
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:                "DenyDangerousEKSOperations",
			Actions:            []string{"eks:DeleteCluster", "eks:DeleteNodegroup"},
			UnlessPrincipalTag: map[string]string{"AllowDestructive": "true"},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:     "DenyRDSDelete",
			Actions: []string{"rds:DeleteDBInstance", "rds:DeleteDBCluster"},
		}),
		scp.RestrictRegions(scp.RegionOptions{
			Sid:           "RequireRegions",
			Allowed:       []string{"us-east-1", "us-west-2"},
			ExemptActions: []string{"iam:*", "sts:*", "route53:*", "cloudfront:*", "waf:*", "acm:*", "support:*", "health:*"},
		}),
	)
}

// seed001DenyList builds seed 001's deny-list SCP ("hiperium-scp-policy",
// section 2; its statements are in the author's repository the seed
// points to): an Allow of everything, then denials of leaving the
// organization, of CloudWatch alarm and dashboard changes, of disabling
// Config, of any GuardDuty change, of RAM sharing outside the organization
// and with whole organizations or OUs, of deleting flow logs and log
// streams, and of VPC peering and Global Accelerator.
func seed001DenyList() (*foundation.PolicyDocument, error) {
	return scp.Build(
		scp.AllowAll(scp.AllowAllOptions{Sid: "AllowsAllActions"}),
		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectCloudWatch", Actions: []string{
			"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:DisableAlarmActions",
			"cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState",
		}}),
		scp.ProtectSecurityServices(scp.SecurityServicesOptions{Services: []scp.SecurityService{scp.Config}}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectGuardDutyConfiguration", Actions: []string{
			"guardduty:AcceptInvitation", "guardduty:ArchiveFindings", "guardduty:CreateDetector", "guardduty:CreateFilter",
			"guardduty:CreateIPSet", "guardduty:CreateMembers", "guardduty:CreatePublishingDestination",
			"guardduty:CreateSampleFindings", "guardduty:CreateThreatIntelSet", "guardduty:DeclineInvitations",
			"guardduty:DeleteDetector", "guardduty:DeleteFilter", "guardduty:DeleteInvitations", "guardduty:DeleteIPSet",
			"guardduty:DeleteMembers", "guardduty:DeletePublishingDestination", "guardduty:DeleteThreatIntelSet",
			"guardduty:DisassociateFromMasterAccount", "guardduty:DisassociateMembers", "guardduty:InviteMembers",
			"guardduty:StartMonitoringMembers", "guardduty:StopMonitoringMembers", "guardduty:TagResource",
			"guardduty:UnarchiveFindings", "guardduty:UntagResource", "guardduty:UpdateDetector", "guardduty:UpdateFilter",
			"guardduty:UpdateFindingsFeedback", "guardduty:UpdateIPSet", "guardduty:UpdatePublishingDestination",
			"guardduty:UpdateThreatIntelSet",
		}}),
		scp.DenyExternalResourceSharing(scp.ExternalSharingOptions{}),
		scp.Custom(foundation.Statement{
			Sid:      "DenySharingWithOrganizationsAndOUs",
			Effect:   foundation.EffectDeny,
			Action:   foundation.Actions("ram:CreateResourceShare", "ram:AssociateResourceShare"),
			Resource: foundation.Resources("*"),
			Condition: foundation.Conditions{"ForAnyValue:StringLike": {"ram:Principal": {
				"arn:aws:organizations::*:organization/*", "arn:aws:organizations::*:ou/*"}}},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "ProtectFlowLogs", Actions: []string{"ec2:DeleteFlowLogs", "logs:DeleteLogStream"}}),
		scp.ProtectActions(scp.ProtectActionsOptions{Sid: "DenyPeeringAndGlobalAccelerator", Actions: []string{
			"ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection", "globalaccelerator:Create*", "globalaccelerator:Update*",
		}}),
	)
}

// seed001Suspended is seed 001's SCP for the Suspended OU: deny everything.
func seed001Suspended() (*foundation.PolicyDocument, error) {
	return scp.Build(scp.DenyAll(scp.DenyAllOptions{}))
}

// seed002NetworkingAccount is seed 002's networking account (SharedServicesOU).
const seed002NetworkingAccount = "222233334444"

// seed002 builds seed 002's SCPs (Step 3): no root user, approved Regions
// only (data residency), encryption for S3, EBS and RDS, and no internet
// gateways outside the networking account.
func seed002() (*foundation.PolicyDocument, error) {
	return scp.Build(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{
			Allowed:             []string{"eu-west-1", "eu-central-1"},
			ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/SecurityAuditRole"},
		}),
		scp.RequireS3Encryption(scp.S3EncryptionOptions{}),
		scp.RequireEBSEncryption(scp.EBSEncryptionOptions{}),
		scp.RequireRDSEncryption(scp.RDSEncryptionOptions{}),
		scp.DenyInternetGateways(scp.InternetGatewayOptions{ExceptAccounts: []string{seed002NetworkingAccount}}),
	)
}

func mustDoc(t *testing.T, build func() (*foundation.PolicyDocument, error)) *foundation.PolicyDocument {
	t.Helper()
	doc, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if err := scp.CheckDocument(doc, scp.Limits{}); err != nil {
		t.Fatalf("built document is not a valid SCP: %v", err)
	}
	return doc
}

func TestSeed000ProductionSCPIsReproducedExactly(t *testing.T) {
	doc := mustDoc(t, seed000)
	want, err := foundation.ParsePolicy(seed000Production)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Equal(want) {
		t.Fatalf("not Equal to seed 000:\n got %s\nwant %s", doc.MustJSON(), want.MustJSON())
	}
	// Byte for byte once minified: same statements, same order, same Sids.
	if got, want := doc.MustJSON(), want.MustJSON(); got != want {
		t.Fatalf("minified differs:\n got %s\nwant %s", got, want)
	}
}

func TestSeed000Decisions(t *testing.T) {
	docs := []*foundation.PolicyDocument{fullAWSAccess(), mustDoc(t, seed000)}
	cases := []struct {
		name string
		req  scp.Request
		want scp.Outcome
	}{
		{"delete EKS cluster untagged", scp.Request{Action: "eks:DeleteCluster", Region: "us-east-1"}, scp.ExplicitDeny},
		{"delete EKS cluster tagged", scp.Request{Action: "eks:DeleteCluster", Region: "us-east-1",
			PrincipalTags: map[string]string{"AllowDestructive": "true"}}, scp.Allow},
		{"delete nodegroup tag false", scp.Request{Action: "eks:DeleteNodegroup", Region: "us-west-2",
			PrincipalTags: map[string]string{"AllowDestructive": "false"}}, scp.ExplicitDeny},
		{"tag key case-insensitive", scp.Request{Action: "eks:DeleteCluster", Region: "us-east-1",
			PrincipalTags: map[string]string{"allowdestructive": "true"}}, scp.Allow},
		{"delete RDS even tagged", scp.Request{Action: "rds:DeleteDBCluster", Region: "us-east-1",
			PrincipalTags: map[string]string{"AllowDestructive": "true"}}, scp.ExplicitDeny},
		{"action case-insensitive", scp.Request{Action: "RDS:deletedbinstance", Region: "us-east-1"}, scp.ExplicitDeny},
		{"ec2 in eu-west-3", scp.Request{Action: "ec2:RunInstances", Region: "eu-west-3"}, scp.ExplicitDeny},
		{"ec2 in us-west-2", scp.Request{Action: "ec2:RunInstances", Region: "us-west-2"}, scp.Allow},
		{"iam from eu-west-3", scp.Request{Action: "iam:CreateRole", Region: "eu-west-3"}, scp.Allow},
		{"acm exempt", scp.Request{Action: "acm:RequestCertificate", Region: "ap-south-1"}, scp.Allow},
		{"organizations not exempt here", scp.Request{Action: "organizations:ListAccounts", Region: "eu-west-1"}, scp.ExplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := scp.Evaluate(docs, c.req)
			if d.Outcome != c.want {
				t.Fatalf("%+v: got %s, want %s", c.req, d, c.want)
			}
		})
	}
}

func TestSeed001SCPs(t *testing.T) {
	deny := mustDoc(t, seed001DenyList)
	if n := len(deny.Statement); n != 9 {
		t.Fatalf("deny list has %d statements, want 9", n)
	}
	// The deny list carries its own Allow *, so it works with or without
	// FullAWSAccess.
	docs := []*foundation.PolicyDocument{deny}
	cases := []struct {
		req  scp.Request
		want scp.Outcome
	}{
		{scp.Request{Action: "s3:GetObject"}, scp.Allow},
		{scp.Request{Action: "organizations:LeaveOrganization"}, scp.ExplicitDeny},
		{scp.Request{Action: "cloudwatch:DeleteAlarms"}, scp.ExplicitDeny},
		{scp.Request{Action: "cloudwatch:GetMetricData"}, scp.Allow},
		{scp.Request{Action: "config:StopConfigurationRecorder"}, scp.ExplicitDeny},
		{scp.Request{Action: "guardduty:UpdateFindingsFeedback"}, scp.ExplicitDeny},
		{scp.Request{Action: "guardduty:GetFindings"}, scp.Allow},
		{scp.Request{Action: "ram:CreateResourceShare", Conditions: map[string][]string{"ram:RequestedAllowsExternalPrincipals": {"true"}}}, scp.ExplicitDeny},
		{scp.Request{Action: "ram:UpdateResourceShare", Conditions: map[string][]string{"ram:RequestedAllowsExternalPrincipals": {"false"}}}, scp.Allow},
		{scp.Request{Action: "ram:AssociateResourceShare", Conditions: map[string][]string{"ram:Principal": {"111122223333", "arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34"}}}, scp.ExplicitDeny},
		{scp.Request{Action: "ram:AssociateResourceShare", Conditions: map[string][]string{"ram:Principal": {"111122223333"}}}, scp.Allow},
		{scp.Request{Action: "ram:AssociateResourceShare"}, scp.Allow}, // ForAnyValue with no values is false
		{scp.Request{Action: "ec2:DeleteFlowLogs"}, scp.ExplicitDeny},
		{scp.Request{Action: "logs:DeleteLogStream"}, scp.ExplicitDeny},
		{scp.Request{Action: "globalaccelerator:CreateAccelerator"}, scp.ExplicitDeny},
		{scp.Request{Action: "globalaccelerator:DescribeAccelerator"}, scp.Allow},
		{scp.Request{Action: "ec2:AcceptVpcPeeringConnection"}, scp.ExplicitDeny},
	}
	for _, c := range cases {
		if d := scp.Evaluate(docs, c.req); d.Outcome != c.want {
			t.Errorf("%s: got %s, want %s", c.req.Action, d, c.want)
		}
	}

	suspended := mustDoc(t, seed001Suspended)
	if got := suspended.MustJSON(); got != `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}` {
		t.Fatalf("suspended SCP: %s", got)
	}
	for _, a := range []string{"iam:CreateUser", "sts:AssumeRole", "s3:ListAllMyBuckets"} {
		if d := scp.Evaluate([]*foundation.PolicyDocument{fullAWSAccess(), suspended}, scp.Request{Action: a, Region: "us-east-1"}); d.Outcome != scp.ExplicitDeny {
			t.Errorf("suspended: %s: %s", a, d)
		}
	}
}

func TestSeed002SCPs(t *testing.T) {
	doc := mustDoc(t, seed002)
	docs := []*foundation.PolicyDocument{fullAWSAccess(), doc}
	const member = "555566667777"
	role := "arn:aws:iam::" + member + ":role/Developer"
	cases := []struct {
		name string
		req  scp.Request
		want scp.Outcome
	}{
		{"root user", scp.Request{Action: "s3:ListAllMyBuckets", Region: "eu-west-1", PrincipalARN: "arn:aws:iam::" + member + ":root"}, scp.ExplicitDeny},
		{"root user in GovCloud", scp.Request{Action: "ec2:DescribeInstances", Region: "eu-west-1", PrincipalARN: "arn:aws-us-gov:iam::" + member + ":root"}, scp.ExplicitDeny},
		{"role", scp.Request{Action: "s3:ListAllMyBuckets", Region: "eu-west-1", PrincipalARN: role}, scp.Allow},
		{"ec2 eu-west-3", scp.Request{Action: "ec2:DescribeInstances", Region: "eu-west-3", PrincipalARN: role}, scp.ExplicitDeny},
		{"iam from eu-west-3", scp.Request{Action: "iam:ListRoles", Region: "eu-west-3", PrincipalARN: role}, scp.Allow},
		{"security audit role in us-west-2", scp.Request{Action: "ec2:DescribeInstances", Region: "us-west-2",
			PrincipalARN: "arn:aws:iam::" + member + ":role/SecurityAuditRole"}, scp.Allow},
		{"S3 upload SSE-S3 asked", scp.Request{Action: "s3:PutObject", Region: "eu-west-1", PrincipalARN: role,
			Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}}, scp.ExplicitDeny},
		{"S3 upload SSE-KMS", scp.Request{Action: "s3:PutObject", Region: "eu-west-1", PrincipalARN: role,
			Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}}}, scp.Allow},
		{"S3 upload bucket default", scp.Request{Action: "s3:PutObject", Region: "eu-west-1", PrincipalARN: role}, scp.Allow},
		{"EBS unencrypted volume", scp.Request{Action: "ec2:CreateVolume", Region: "eu-west-1", PrincipalARN: role,
			Resource: "arn:aws:ec2:eu-west-1:" + member + ":volume/*", Conditions: map[string][]string{"ec2:Encrypted": {"false"}}}, scp.ExplicitDeny},
		{"EBS encrypted volume", scp.Request{Action: "ec2:CreateVolume", Region: "eu-west-1", PrincipalARN: role,
			Resource: "arn:aws:ec2:eu-west-1:" + member + ":volume/*", Conditions: map[string][]string{"ec2:Encrypted": {"true"}}}, scp.Allow},
		{"RunInstances unencrypted root volume", scp.Request{Action: "ec2:RunInstances", Region: "eu-central-1", PrincipalARN: role,
			Resource: "arn:aws:ec2:eu-central-1:" + member + ":volume/*", Conditions: map[string][]string{"ec2:Encrypted": {"false"}}}, scp.ExplicitDeny},
		{"RunInstances on the instance resource", scp.Request{Action: "ec2:RunInstances", Region: "eu-central-1", PrincipalARN: role,
			Resource: "arn:aws:ec2:eu-central-1:" + member + ":instance/*"}, scp.Allow},
		{"disable EBS default encryption", scp.Request{Action: "ec2:DisableEbsEncryptionByDefault", Region: "eu-west-1", PrincipalARN: role}, scp.ExplicitDeny},
		{"RDS unencrypted", scp.Request{Action: "rds:CreateDBInstance", Region: "eu-west-1", PrincipalARN: role,
			Conditions: map[string][]string{"rds:StorageEncrypted": {"false"}}}, scp.ExplicitDeny},
		{"RDS cluster encrypted", scp.Request{Action: "rds:CreateDBCluster", Region: "eu-west-1", PrincipalARN: role,
			Conditions: map[string][]string{"rds:StorageEncrypted": {"true"}}}, scp.Allow},
		{"IGW in workload account", scp.Request{Action: "ec2:CreateInternetGateway", Region: "eu-west-1", PrincipalARN: role, PrincipalAccount: member}, scp.ExplicitDeny},
		{"egress-only IGW in workload account", scp.Request{Action: "ec2:CreateEgressOnlyInternetGateway", Region: "eu-west-1", PrincipalARN: role, PrincipalAccount: member}, scp.ExplicitDeny},
		{"IGW in networking account", scp.Request{Action: "ec2:AttachInternetGateway", Region: "eu-west-1",
			PrincipalARN: "arn:aws:iam::" + seed002NetworkingAccount + ":role/Network", PrincipalAccount: seed002NetworkingAccount}, scp.Allow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := scp.Evaluate(docs, c.req); d.Outcome != c.want {
				t.Fatalf("got %s, want %s", d, c.want)
			}
		})
	}
	n, err := scp.Size(doc)
	if err != nil || n > scp.DefaultMaxPolicySize {
		t.Fatalf("seed 002 SCP is %d characters (%v)", n, err)
	}
	t.Logf("seed 002 SCP: %d statements, %d characters minified", len(doc.Statement), n)
}

// fullAWSAccess is the AWS managed FullAWSAccess policy.
func fullAWSAccess() *foundation.PolicyDocument {
	return foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions("*"), Resource: foundation.Resources("*")})
}
