package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// TestAdoptOrganizationBuiltWithAWSCLI is issue 16's acceptance: an
// organization made only with AWS CLI commands (no library code, a client
// nobody here wrote) reads into a spec whose dry run plans 0 changes and
// whose real run makes 0 mutating calls (read from the emulator's call
// log). The CLI costs about a second a call, so this runs with
// FOUNDATION_TEST_AWSCLI=1 (.ci/run sets it; there a missing CLI fails).
func TestAdoptOrganizationBuiltWithAWSCLI(t *testing.T) {
	if os.Getenv("FOUNDATION_TEST_AWSCLI") != "1" {
		t.Skip("about 45 AWS CLI calls: set FOUNDATION_TEST_AWSCLI=1 to run (.ci/run does)")
	}
	cli := "/usr/bin/aws"
	if p := os.Getenv("FOUNDATION_TEST_AWS_CLI"); p != "" {
		cli = p
	}
	srv, err := emulator.Start(emulator.Options{IdentityCenter: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })

	// The CLI sees nothing of this machine's AWS configuration.
	home := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		require.NoError(t, os.WriteFile(filepath.Join(home, f), nil, 0o600))
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=not-a-real-secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_DEFAULT_OUTPUT=json", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	var as []string // the credentials of an assumed role: nil for the management account's
	aws := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(cli, append(args, "--endpoint-url", srv.URL)...)
		cmd.Env = append(append([]string(nil), env...), as...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "aws %v: %s", args, stderr.String())
		if stdout.Len() == 0 {
			return nil
		}
		var out map[string]any
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
		return out
	}
	str := func(m map[string]any, path ...any) string {
		var v any = m
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v.(string)
	}

	aws("organizations", "create-organization", "--feature-set", "ALL")
	root := str(aws("organizations", "list-roots"), "Roots", 0, "Id")
	aws("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
	workloads := str(aws("organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads", "--tags", "Key=owner,Value=platform"), "OrganizationalUnit", "Id")
	prod := str(aws("organizations", "create-organizational-unit", "--parent-id", workloads, "--name", "Production"), "OrganizationalUnit", "Id")
	account := func(name, ou string) string {
		req := str(aws("organizations", "create-account", "--account-name", name, "--email", "aws+"+name+"@example.com"), "CreateAccountStatus", "Id")
		for {
			st := aws("organizations", "describe-create-account-status", "--create-account-request-id", req)
			if str(st, "CreateAccountStatus", "State") == "SUCCEEDED" {
				id := str(st, "CreateAccountStatus", "AccountId")
				aws("organizations", "move-account", "--account-id", id, "--source-parent-id", root, "--destination-parent-id", ou)
				return id
			}
			require.Equal(t, "IN_PROGRESS", str(st, "CreateAccountStatus", "State"))
			time.Sleep(100 * time.Millisecond)
		}
	}
	dev, production := account("shop-dev", workloads), account("shop-prod", prod)
	policy := str(aws("organizations", "create-policy", "--name", "deny-leave-organization", "--description", "members stay", "--type", "SERVICE_CONTROL_POLICY",
		"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`), "Policy", "PolicySummary", "Id")
	aws("organizations", "attach-policy", "--policy-id", policy, "--target-id", prod)

	inst := aws("sso-admin", "list-instances")
	instARN, store := str(inst, "Instances", 0, "InstanceArn"), str(inst, "Instances", 0, "IdentityStoreId")
	user := str(aws("identitystore", "create-user", "--identity-store-id", store, "--user-name", "jane", "--display-name", "Jane Doe",
		"--name", "GivenName=Jane,FamilyName=Doe", "--emails", "Value=jane@example.com,Type=work,Primary=true"), "UserId")
	group := str(aws("identitystore", "create-group", "--identity-store-id", store, "--display-name", "shop-admins"), "GroupId")
	aws("identitystore", "create-group-membership", "--identity-store-id", store, "--group-id", group, "--member-id", "UserId="+user)
	ps := str(aws("sso-admin", "create-permission-set", "--instance-arn", instARN, "--name", "ShopAdmin", "--session-duration", "PT4H"), "PermissionSet", "PermissionSetArn")
	aws("sso-admin", "attach-managed-policy-to-permission-set", "--instance-arn", instARN, "--permission-set-arn", ps, "--managed-policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
	for _, acct := range []string{dev, production} {
		req := str(aws("sso-admin", "create-account-assignment", "--instance-arn", instARN, "--target-id", acct, "--target-type", "AWS_ACCOUNT",
			"--permission-set-arn", ps, "--principal-type", "GROUP", "--principal-id", group), "AccountAssignmentCreationStatus", "RequestId")
		for str(aws("sso-admin", "describe-account-assignment-creation-status", "--instance-arn", instARN, "--account-assignment-creation-request-id", req),
			"AccountAssignmentCreationStatus", "Status") != "SUCCEEDED" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	provider := str(aws("iam", "create-open-id-connect-provider", "--url", "https://token.actions.githubusercontent.com",
		"--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1"), "OpenIDConnectProviderArn")
	aws("iam", "create-role", "--role-name", "shop-github-ci", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"`+provider+`"},"Action":"sts:AssumeRoleWithWebIdentity",`+
			`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:example-org/shop:ref:refs/heads/main"}}}]}`)
	aws("iam", "put-role-policy", "--role-name", "shop-github-ci", "--policy-name", "push-images",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:PutImage"],"Resource":"*"}]}`)

	// Trusted access: StackSets administered by the dev account, and IAM.
	for _, p := range []string{"member.org.stacksets.cloudformation.amazonaws.com", "iam.amazonaws.com", "account.amazonaws.com"} {
		aws("organizations", "enable-aws-service-access", "--service-principal", p)
	}
	aws("organizations", "register-delegated-administrator", "--account-id", dev, "--service-principal", "member.org.stacksets.cloudformation.amazonaws.com")
	// dev's security contact (aws-cli 2.9.19 has no account enable-region).
	aws("account", "put-alternate-contact", "--account-id", dev, "--alternate-contact-type", "SECURITY", "--name", "Shop Security",
		"--title", "Security lead", "--email-address", "security@example.com", "--phone-number", "+1 555 0100")

	// The dev account's state backend, made through its access role: the
	// bucket as a careful team makes it, and a lock table. (aws-cli
	// 2.9.19 has no --deletion-protection-enabled: the table is adopted
	// with disableDeletionProtection.)
	creds := aws("sts", "assume-role", "--role-arn", "arn:aws:iam::"+dev+":role/OrganizationAccountAccessRole", "--role-session-name", "by-hand")
	as = []string{"AWS_ACCESS_KEY_ID=" + str(creds, "Credentials", "AccessKeyId"), "AWS_SECRET_ACCESS_KEY=" + str(creds, "Credentials", "SecretAccessKey"),
		"AWS_SESSION_TOKEN=" + str(creds, "Credentials", "SessionToken"), "AWS_DEFAULT_REGION=eu-west-1"}
	bucket := "shop-terraform-state-" + dev
	arn := "arn:aws:s3:::" + bucket
	aws("s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1")
	aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration",
		`{"Rules":[{"ID":"foundation-state-retention","Status":"Enabled","Filter":{"Prefix":""},"NoncurrentVersionExpiration":{"NoncurrentDays":30,"NewerNoncurrentVersions":5},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}`)
	aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", `{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["`+arn+`","`+arn+`/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},`+
		`{"Sid":"DenyOutdatedTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["`+arn+`","`+arn+`/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}]}`)
	aws("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", "TagSet=[{Key=team,Value=shop}]")
	aws("dynamodb", "create-table", "--table-name", "shop-terraform-locks", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=LockID,AttributeType=S", "--key-schema", "AttributeName=LockID,KeyType=HASH",
		"--sse-specification", "Enabled=true,SSEType=KMS", "--tags", "Key=team,Value=shop")
	for str(aws("dynamodb", "describe-table", "--table-name", "shop-terraform-locks"), "Table", "TableStatus") != "ACTIVE" {
		time.Sleep(100 * time.Millisecond)
	}
	aws("dynamodb", "update-continuous-backups", "--table-name", "shop-terraform-locks", "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
	as = nil

	file := filepath.Join(t.TempDir(), "org.yaml")
	_, msgs, err := runProgram(t, "-endpoint", srv.URL, "-o", file, "-state-buckets", "shop-terraform-state-*")
	require.NoError(t, err, msgs)
	require.Contains(t, msgs, "Read 2 OUs, 3 accounts, 1 SCPs, 1 CI roles, 3 services, 1 state backends, 1 users, 1 groups, 1 permission sets")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(data), "lockTable: shop-terraform-locks")
	require.Contains(t, string(data), "disableDeletionProtection: true")
	require.Contains(t, string(data), "- aws+shop-dev@example.com", "the delegated administrator, by email")
	require.Contains(t, string(data), "email: security@example.com", "dev's security contact")
	require.Contains(t, msgs, "A dry run of the spec read plans 0 changes")
	mark := srv.CallCount()
	out, msgs, err := runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.NoError(t, err, msgs)
	require.Contains(t, out, "Changed 0 resources.")
	require.Empty(t, srv.MutatingCallsSince(mark), "the real run of the adopted spec")

	// A delegated administrator registered behind the file's back is
	// reported by the next run, which writes nothing.
	aws("organizations", "register-delegated-administrator", "--account-id", production, "--service-principal", "member.org.stacksets.cloudformation.amazonaws.com")
	mark = srv.CallCount()
	_, msgs, err = runProgram(t, "-endpoint", srv.URL, "-spec", file)
	require.ErrorContains(t, err, "unexpected delegated administrators: member.org.stacksets.cloudformation.amazonaws.com is administered by "+production, msgs)
	require.Empty(t, srv.MutatingCallsSince(mark))
}
