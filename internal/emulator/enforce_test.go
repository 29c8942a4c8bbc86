package emulator_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
)

// guardedOrg is an organization with one member account under the OU
// "Workloads", SCPs enabled, and the member's OrganizationAccountAccessRole
// assumed by the management account.
type guardedOrg struct {
	srv                   *emulator.Server
	orgs                  *organizations.Client
	orgID, rootID, ouID   string
	account               string
	memberKey             string // access key of a role session in the member account
	memberRole, memberArn string
}

func newGuardedOrg(t *testing.T) *guardedOrg {
	t.Helper()
	ctx := context.Background()
	g := &guardedOrg{srv: emutest.Start(t, emulator.Options{})}
	g.orgs, g.orgID, g.rootID = emutest.OrgSetup(t, g.srv)
	ou, err := g.orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(g.rootID), Name: aws.String("Workloads")})
	require.NoError(t, err)
	g.ouID = aws.ToString(ou.OrganizationalUnit.Id)
	st := emutest.CreateAccount(t, g.orgs, "prod", "prod@example.com")
	g.account = aws.ToString(st.AccountId)
	_, err = g.orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(g.account),
		SourceParentId: aws.String(g.rootID), DestinationParentId: aws.String(g.ouID)})
	require.NoError(t, err)
	_, err = g.orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(g.rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	g.memberRole = "arn:aws:iam::" + g.account + ":role/OrganizationAccountAccessRole"
	g.memberKey, g.memberArn = g.assume(t, "AKIDEXAMPLE", g.memberRole)
	return g
}

func (g *guardedOrg) assume(t *testing.T, key, role string) (accessKey, arn string) {
	t.Helper()
	out, err := sts.NewFromConfig(emutest.Config(g.srv, key)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("guardrail-test")})
	require.NoError(t, err)
	return aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.AssumedRoleUser.Arn)
}

// policy creates a policy of type typ and attaches it to target; it
// returns the policy's ARN.
func (g *guardedOrg) policy(t *testing.T, typ orgtypes.PolicyType, name, content, target string) string {
	t.Helper()
	ctx := context.Background()
	p, err := g.orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Type: typ,
		Description: aws.String(name), Content: aws.String(content)})
	require.NoError(t, err)
	_, err = g.orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(target)})
	require.NoError(t, err)
	return aws.ToString(p.Policy.PolicySummary.Arn)
}

func s3In(g *guardedOrg, key, region string) *s3.Client {
	cfg := emutest.Config(g.srv, key)
	cfg.Region = region
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func createBucket(c *s3.Client, name, region string) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := c.CreateBucket(context.Background(), in)
	return err
}

// requireDenied requires an AccessDenied(Exception) whose message contains
// every part.
func requireDenied(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	var apiErr smithy.APIError
	require.Truef(t, errors.As(err, &apiErr), "want %s, got %v", code, err)
	require.Equal(t, code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	for _, p := range parts {
		require.Contains(t, apiErr.ErrorMessage(), p)
	}
}

const denyOtherRegions = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideEU","Effect":"Deny",
 "NotAction":["iam:*","organizations:*","sts:*","support:*"],"Resource":"*",
 "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}`

func TestSCPDenyRegionGuardrail(t *testing.T) {
	t.Parallel()
	g := newGuardedOrg(t)
	ctx := context.Background()
	member := s3In(g, g.memberKey, "us-east-1")
	// Before any guardrail, FullAWSAccess alone: nothing is evaluated.
	require.NoError(t, createBucket(member, "before-guardrail", "us-east-1"))

	arn := g.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "region-guard", denyOtherRegions, g.ouID)
	require.Regexp(t, `^arn:aws:organizations::\d{12}:policy/o-[a-z0-9]+/service_control_policy/p-[a-z0-9]+$`, arn)

	// A member's call in another region is denied, naming the SCP.
	err := createBucket(member, "us-bucket-denied", "us-east-1")
	requireDenied(t, err, "AccessDenied", "User: "+g.memberArn+" is not authorized to perform: s3:CreateBucket",
		`on resource: "arn:aws:s3:::us-bucket-denied"`, "with an explicit deny in a service control policy: "+arn)
	var re smithyHTTPStatus
	require.True(t, errors.As(err, &re))
	require.Equal(t, 403, re.HTTPStatusCode())
	// ... and allowed in the allowed one.
	require.NoError(t, createBucket(s3In(g, g.memberKey, "eu-west-1"), "eu-bucket-allowed", "eu-west-1"))
	// Global services the guardrail exempts still work from any region.
	_, err = sts.NewFromConfig(emutest.Config(g.srv, g.memberKey)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	// JSON services answer AccessDeniedException.
	cfg := emutest.Config(g.srv, g.memberKey)
	_, err = kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
	requireDenied(t, err, "AccessDeniedException", "kms:ListKeys", "explicit deny in a service control policy")

	// The management account is not affected.
	require.NoError(t, createBucket(s3In(g, "AKIDEXAMPLE", "us-east-1"), "mgmt-bucket", "us-east-1"))
	// The denied call is in the call log with AWS's status.
	var denied []emulator.Call
	for _, c := range g.srv.Calls() {
		if c.ErrorCode == "AccessDenied" && c.Operation == "CreateBucket" {
			denied = append(denied, c)
		}
	}
	require.Len(t, denied, 1)
	require.Equal(t, 403, denied[0].Status)

	// Detaching FullAWSAccess from the account leaves no Allow there: an
	// implicit deny, worded as AWS does.
	_, err = g.orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(g.account)})
	require.Error(t, err) // already attached
	allowS3 := g.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "allow-s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, g.account)
	require.NotEmpty(t, allowS3)
	_, err = g.orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(g.account)})
	require.NoError(t, err)
	_, err = kms.NewFromConfig(func() aws.Config { c := emutest.Config(g.srv, g.memberKey); c.Region = "eu-west-1"; return c }()).ListKeys(ctx, &kms.ListKeysInput{})
	requireDenied(t, err, "AccessDeniedException", "because no service control policy allows the kms:ListKeys action")
	_, err = s3In(g, g.memberKey, "eu-west-1").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("eu-bucket-allowed")})
	require.NoError(t, err)

	// Disabling the policy type turns enforcement off.
	_, err = g.orgs.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(g.rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	require.NoError(t, createBucket(member, "after-disable", "us-east-1"))
}

// smithyHTTPStatus is what the SDK's response errors offer for the status.
type smithyHTTPStatus interface{ HTTPStatusCode() int }

const dataPerimeterRCP = `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*",
 "Action":["s3:*","kms:*","sts:AssumeRole"],"Resource":"*",
 "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"ORG"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`

func TestRCPDataPerimeterDeniesOtherOrganizations(t *testing.T) {
	t.Parallel()
	g := newGuardedOrg(t)
	ctx := context.Background()
	_, err := g.orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(g.rootID), PolicyType: orgtypes.PolicyTypeResourceControlPolicy})
	require.NoError(t, err)
	member := s3In(g, g.memberKey, "us-east-1")
	require.NoError(t, createBucket(member, "member-data", "us-east-1"))
	arn := g.policy(t, orgtypes.PolicyTypeResourceControlPolicy, "perimeter", strings.Replace(dataPerimeterRCP, "ORG", g.orgID, 1), g.rootID)

	// A principal of another organization's account.
	const outsider = "999988887777"
	require.NoError(t, g.srv.AddAccount(outsider))
	_, err = emutest.OrgClient(g.srv, outsider).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	_, err = s3In(g, outsider, "us-east-1").GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("member-data")})
	requireDenied(t, err, "AccessDenied", "s3:GetBucketVersioning", `"arn:aws:s3:::member-data"`, "with an explicit deny in a resource control policy")
	// Outside the organization, the policy's ARN is not disclosed.
	require.NotContains(t, err.Error(), arn)

	// The organization's own principals pass.
	_, err = member.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("member-data")})
	require.NoError(t, err)
	// The management account's resources are not subject to RCPs.
	require.NoError(t, createBucket(s3In(g, "AKIDEXAMPLE", "us-east-1"), "mgmt-data", "us-east-1"))
	_, err = s3In(g, outsider, "us-east-1").GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("mgmt-data")})
	if err != nil {
		require.NotContains(t, err.Error(), "resource control policy")
	}
	// The outsider's own resources are not the organization's.
	require.NoError(t, createBucket(s3In(g, outsider, "us-east-1"), "outsider-data", "us-east-1"))

	// STS: the management account (in the organization) still assumes the
	// member's access role, as the library's AccountConfig does; the
	// outsider is refused by the RCP before the role's trust is read.
	g.assume(t, "AKIDEXAMPLE", g.memberRole)
	_, err = sts.NewFromConfig(emutest.Config(g.srv, outsider)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(g.memberRole), RoleSessionName: aws.String("outsider")})
	requireDenied(t, err, "AccessDenied", "sts:AssumeRole", "on resource: "+g.memberRole, "with an explicit deny in a resource control policy")

	// KMS: a member's key, addressed by ARN from outside.
	key, err := kms.NewFromConfig(emutest.Config(g.srv, g.memberKey)).CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	_, err = kms.NewFromConfig(emutest.Config(g.srv, outsider)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.Arn})
	requireDenied(t, err, "AccessDeniedException", "kms:DescribeKey", "on resource: "+aws.ToString(key.KeyMetadata.Arn), "resource control policy")
	_, err = kms.NewFromConfig(emutest.Config(g.srv, g.memberKey)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.Arn})
	require.NoError(t, err)
}

// TestAWSCLISCPRegionGuardrail is issue 15's acceptance with the AWS CLI:
// an account under an OU with a region-restricting SCP is refused
// s3api create-bucket in a denied region with an AccessDenied naming the
// SCP, and allowed in an allowed one; the management account is not
// affected.
func TestAWSCLISCPRegionGuardrail(t *testing.T) {
	t.Parallel()
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			g := newGuardedOrg(t)
			arn := g.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "region-guard", denyOtherRegions, g.ouID)
			member := newCLIRunner(t, cli, g.srv, g.memberKey)
			_, stderr, err := member.run("s3api", "create-bucket", "--bucket", "cli-denied")
			require.Error(t, err)
			require.Contains(t, stderr, "(AccessDenied)")
			require.Contains(t, stderr, "with an explicit deny in a service control policy: "+arn)
			member.ok("s3api", "create-bucket", "--bucket", "cli-allowed", "--region", "eu-west-1",
				"--create-bucket-configuration", "LocationConstraint=eu-west-1")
			newCLIRunner(t, cli, g.srv, "AKIDEXAMPLE").ok("s3api", "create-bucket", "--bucket", "cli-mgmt")
		})
	}
}
