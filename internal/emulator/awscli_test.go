package emulator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// The emulator is only worth what it matches AWS, so these tests drive it
// with the AWS CLI: a client none of us wrote. Every distinct `aws` found is
// used (Debian's CLI v2 at /usr/bin/aws, and a pip-installed v1 on PATH, as
// the CI image has). FOUNDATION_TEST_AWS_CLI names one explicitly.
//
// Each CLI call costs about a second, so these tests run only with
// FOUNDATION_TEST_AWSCLI=1 (or FOUNDATION_TEST_AWS_CLI set): .ci/run sets it,
// and there a missing CLI is a failure, not a skip.

// awsCLI is one AWS CLI installation.
type awsCLI struct {
	path, version string
}

func findAWSCLIs(t *testing.T) []awsCLI {
	t.Helper()
	asked := os.Getenv("FOUNDATION_TEST_AWSCLI") == "1" || os.Getenv("FOUNDATION_TEST_AWS_CLI") != ""
	if !asked {
		t.Skip("the AWS CLI conformance tests take about 90 s: set FOUNDATION_TEST_AWSCLI=1 to run them (.ci/run does)")
	}
	var candidates []string
	if p := os.Getenv("FOUNDATION_TEST_AWS_CLI"); p != "" {
		candidates = append(candidates, p)
	} else {
		candidates = append(candidates, "/usr/bin/aws")
		if p, err := exec.LookPath("aws"); err == nil {
			candidates = append(candidates, p)
		}
	}
	seen := map[string]bool{}
	var out []awsCLI
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		probe := exec.Command(p, "--version")
		probe.Env = cliEnv(t, "AKIDEXAMPLE") // not even --version sees the user's HOME
		v, err := probe.CombinedOutput()
		if err != nil {
			t.Logf("skipping %s: --version: %v", p, err)
			continue
		}
		version := strings.Fields(string(v))[0]
		if seen[version] {
			continue
		}
		seen[version] = true
		out = append(out, awsCLI{path: p, version: version})
	}
	if len(out) == 0 {
		t.Fatal("FOUNDATION_TEST_AWSCLI=1 but no AWS CLI found (apt-get install awscli, or set FOUNDATION_TEST_AWS_CLI); .ci/run installs it")
	}
	return out
}

// cliRunner runs one CLI against one emulator with fake credentials and an
// isolated home, so the machine's AWS configuration is never read.
type cliRunner struct {
	t   *testing.T
	cli awsCLI
	srv *emulator.Server
	env []string
}

func newCLIRunner(t *testing.T, cli awsCLI, srv *emulator.Server, accessKey string) *cliRunner {
	return &cliRunner{t: t, cli: cli, srv: srv, env: cliEnv(t, accessKey)}
}

// cliEnv is the whole environment an AWS CLI runs with: HOME a fresh
// temporary directory, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE
// empty files in it, fake static credentials, and settings by variable
// only (region, JSON output, no pager, one attempt, no instance metadata).
// Nothing of the user's environment but PATH is passed on, so no test ever
// reads ~/.aws or a profile, role or SSO session the user set. S3 needs no
// addressing setting: with an IP address as endpoint the CLI addresses
// buckets by path.
func cliEnv(t *testing.T, accessKey string) []string {
	t.Helper()
	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	require.NoError(t, os.WriteFile(cfg, nil, 0o600))
	creds := filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(creds, nil, 0o600))
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=not-a-real-secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_DEFAULT_OUTPUT=json",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
}

// run runs `aws ARGS --endpoint-url URL`, returning stdout, stderr and
// whether it succeeded.
func (r *cliRunner) run(args ...string) (string, string, error) {
	r.t.Helper()
	args = append(args, "--endpoint-url", r.srv.URL)
	cmd := exec.Command(r.cli.path, args...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// ok runs the command, requires success and decodes JSON output into a map
// (nil for commands that print nothing).
func (r *cliRunner) ok(args ...string) map[string]any {
	r.t.Helper()
	out, stderr, err := r.run(args...)
	require.NoErrorf(r.t, err, "%s %v: %s", r.cli.version, args, stderr)
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var m map[string]any
	require.NoErrorf(r.t, json.Unmarshal([]byte(out), &m), "%s %v: output %q", r.cli.version, args, out)
	return m
}

// fails runs the command and requires it to fail with the AWS error code.
func (r *cliRunner) fails(code string, args ...string) {
	r.t.Helper()
	_, stderr, err := r.run(args...)
	require.Errorf(r.t, err, "%s %v: expected %s", r.cli.version, args, code)
	require.Containsf(r.t, stderr, code, "%s %v", r.cli.version, args)
}

// failsWithStatus runs the command with --debug and requires it to fail
// with the AWS error code, sent with the HTTP status (as urllib3, under both
// CLIs, logs the status line of each response).
func (r *cliRunner) failsWithStatus(code string, status int, args ...string) {
	r.t.Helper()
	_, stderr, err := r.run(append(args, "--debug")...)
	require.Errorf(r.t, err, "%s %v: expected %s", r.cli.version, args, code)
	require.Containsf(r.t, stderr, "("+code+")", "%s %v", r.cli.version, args)
	require.Regexpf(r.t, `HTTP/1\.1" `+strconv.Itoa(status)+` `, stderr, "%s %v: expected HTTP %d", r.cli.version, args, status)
}

// waitActive describes a table until it is ACTIVE (the CLI's own waiter
// polls every 20 seconds) and returns the last description.
func (r *cliRunner) waitActive(table string) map[string]any {
	r.t.Helper()
	for i := 0; i < 10; i++ {
		desc := r.ok("dynamodb", "describe-table", "--table-name", table)
		if emutest.Dig(desc, "Table", "TableStatus") == "ACTIVE" {
			return desc
		}
	}
	r.t.Fatalf("%s: table %s never became ACTIVE", r.cli.version, table)
	return nil
}

// eachCLI runs test once per AWS CLI found, in parallel, each on its own
// emulator started with opts and with a runner holding the management
// account's fake key.
func eachCLI(t *testing.T, opts emulator.Options, test func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner)) {
	t.Helper()
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			t.Parallel()
			srv := emutest.Start(t, opts)
			test(t, cli, srv, newCLIRunner(t, cli, srv, "AKIDEXAMPLE"))
		})
	}
}

// createAccount runs organizations create-account with args and describes
// the request until it names the account, whose ID it returns.
func (r *cliRunner) createAccount(args ...string) string {
	r.t.Helper()
	created := r.ok(append([]string{"organizations", "create-account"}, args...)...)
	reqID, _ := emutest.Dig(created, "CreateAccountStatus", "Id").(string)
	var id string
	for i := 0; i < 10 && id == ""; i++ {
		st := r.ok("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
		id, _ = emutest.Dig(st, "CreateAccountStatus", "AccountId").(string)
	}
	require.NotEmptyf(r.t, id, "%s: create-account %v never named the account", r.cli.version, args)
	return id
}

func TestAWSCLISTS(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		require.NoError(t, srv.AddAccount(emutest.Member))
		_, err := srv.CreateRole(emutest.Member, "OrganizationAccountAccessRole", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
		require.NoError(t, err)

		who := r.ok("sts", "get-caller-identity")
		require.Equal(t, emulator.DefaultManagementAccountID, who["Account"])
		require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":root", who["Arn"])

		out := r.ok("sts", "assume-role", "--role-arn", "arn:aws:iam::"+emutest.Member+":role/OrganizationAccountAccessRole",
			"--role-session-name", "cli-check", "--duration-seconds", "900")
		require.Equal(t, "arn:aws:sts::"+emutest.Member+":assumed-role/OrganizationAccountAccessRole/cli-check", emutest.Dig(out, "AssumedRoleUser", "Arn"))
		ak, _ := emutest.Dig(out, "Credentials", "AccessKeyId").(string)
		require.True(t, strings.HasPrefix(ak, "ASIA"), ak)

		// The returned credentials act in the member account.
		member := newCLIRunner(t, cli, srv, ak)
		member.env = append(member.env,
			"AWS_SECRET_ACCESS_KEY="+emutest.Dig(out, "Credentials", "SecretAccessKey").(string),
			"AWS_SESSION_TOKEN="+emutest.Dig(out, "Credentials", "SessionToken").(string))
		require.Equal(t, "210987654321", member.ok("sts", "get-caller-identity")["Account"])

		r.fails("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+"210987654321"+":role/Nope", "--role-session-name", "x1")
	})
}

func TestAWSCLIS3(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		const b = "cli-state-bucket"

		r.ok("s3api", "create-bucket", "--bucket", b)
		r.fails("InvalidLocationConstraint", "s3api", "create-bucket", "--bucket", "cli-other", "--create-bucket-configuration", "LocationConstraint=us-east-1")
		r.fails("IllegalLocationConstraintException", "s3api", "create-bucket", "--bucket", "cli-other", "--create-bucket-configuration", "LocationConstraint=eu-west-1")
		r.ok("s3api", "head-bucket", "--bucket", b)

		r.ok("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")
		require.Equal(t, "Enabled", r.ok("s3api", "get-bucket-versioning", "--bucket", b)["Status"])

		r.ok("s3api", "put-bucket-encryption", "--bucket", b, "--server-side-encryption-configuration",
			`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/state"},"BucketKeyEnabled":true}]}`)
		enc := r.ok("s3api", "get-bucket-encryption", "--bucket", b)
		require.Equal(t, "aws:kms", emutest.Dig(enc, "ServerSideEncryptionConfiguration", "Rules", 0, "ApplyServerSideEncryptionByDefault", "SSEAlgorithm"))
		require.Equal(t, true, emutest.Dig(enc, "ServerSideEncryptionConfiguration", "Rules", 0, "BucketKeyEnabled"))

		r.ok("s3api", "delete-public-access-block", "--bucket", b)
		r.fails("NoSuchPublicAccessBlockConfiguration", "s3api", "get-public-access-block", "--bucket", b)
		r.ok("s3api", "put-public-access-block", "--bucket", b, "--public-access-block-configuration",
			"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
		require.Equal(t, true, emutest.Dig(r.ok("s3api", "get-public-access-block", "--bucket", b), "PublicAccessBlockConfiguration", "RestrictPublicBuckets"))

		r.fails("NoSuchBucketPolicy", "s3api", "get-bucket-policy", "--bucket", b)
		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + b + `","arn:aws:s3:::` + b + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
		r.ok("s3api", "put-bucket-policy", "--bucket", b, "--policy", policy)
		got, _ := r.ok("s3api", "get-bucket-policy", "--bucket", b)["Policy"].(string)
		require.Contains(t, got, "DenyInsecureTransport")

		r.ok("s3api", "put-bucket-tagging", "--bucket", b, "--tagging", "TagSet=[{Key=Project,Value=myapp}]")
		require.Equal(t, "myapp", emutest.Dig(r.ok("s3api", "get-bucket-tagging", "--bucket", b), "TagSet", 0, "Value"))

		r.ok("s3api", "put-bucket-lifecycle-configuration", "--bucket", b, "--lifecycle-configuration",
			`{"Rules":[{"ID":"state-retention","Status":"Enabled","Filter":{"Prefix":""},"NoncurrentVersionExpiration":{"NoncurrentDays":90,"NewerNoncurrentVersions":5},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}`)
		lc := r.ok("s3api", "get-bucket-lifecycle-configuration", "--bucket", b)
		require.Equal(t, "state-retention", emutest.Dig(lc, "Rules", 0, "ID"))
		require.EqualValues(t, 90, emutest.Dig(lc, "Rules", 0, "NoncurrentVersionExpiration", "NoncurrentDays"))

		require.Equal(t, "BucketOwnerEnforced", emutest.Dig(r.ok("s3api", "get-bucket-ownership-controls", "--bucket", b), "OwnershipControls", "Rules", 0, "ObjectOwnership"))

		// Objects, with the conditional write Terraform's S3 lockfile uses.
		body := filepath.Join(t.TempDir(), "lock")
		require.NoError(t, os.WriteFile(body, []byte(`{"ID":"lock-1"}`), 0o600))
		if _, stderr, err := r.run("s3api", "put-object", "--bucket", b, "--key", "env/terraform.tfstate.tflock", "--body", body, "--if-none-match", "*"); err != nil && strings.Contains(stderr, "Unknown options") {
			t.Logf("%s predates --if-none-match; conditional writes checked with the other CLI and the SDK", cli.version)
			r.ok("s3api", "put-object", "--bucket", b, "--key", "env/terraform.tfstate.tflock", "--body", body)
		} else {
			require.NoError(t, err, stderr)
			r.fails("PreconditionFailed", "s3api", "put-object", "--bucket", b, "--key", "env/terraform.tfstate.tflock", "--body", body, "--if-none-match", "*")
		}
		require.EqualValues(t, 15, r.ok("s3api", "head-object", "--bucket", b, "--key", "env/terraform.tfstate.tflock")["ContentLength"])
		r.ok("s3api", "delete-object", "--bucket", b, "--key", "env/terraform.tfstate.tflock")

		// Configurations the emulator cannot set read as on a bucket that
		// never had them.
		r.failsWithStatus("NoSuchWebsiteConfiguration", 404, "s3api", "get-bucket-website", "--bucket", b)
		r.failsWithStatus("NoSuchCORSConfiguration", 404, "s3api", "get-bucket-cors", "--bucket", b)
		r.failsWithStatus("ReplicationConfigurationNotFoundError", 404, "s3api", "get-bucket-replication", "--bucket", b)
		r.failsWithStatus("ObjectLockConfigurationNotFoundError", 404, "s3api", "get-object-lock-configuration", "--bucket", b)
		require.Nil(t, r.ok("s3api", "get-bucket-logging", "--bucket", b)["LoggingEnabled"])
		notif := r.ok("s3api", "get-bucket-notification-configuration", "--bucket", b)
		require.Empty(t, notif["TopicConfigurations"])
		require.Empty(t, notif["QueueConfigurations"])
		require.Empty(t, notif["LambdaFunctionConfigurations"])
		r.fails("NoSuchBucket", "s3api", "get-bucket-website", "--bucket", "no-such-bucket-here")

		// Not implemented is never a false success.
		r.fails("NotImplemented", "s3api", "put-bucket-cors", "--bucket", b, "--cors-configuration",
			`{"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"]}]}`)
		r.fails("NoSuchBucket", "s3api", "get-bucket-versioning", "--bucket", "no-such-bucket-here")

		list := r.ok("s3api", "list-buckets")
		require.Equal(t, b, emutest.Dig(list, "Buckets", 0, "Name"))
	})
}

func TestAWSCLIDynamoDB(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{TableActivationDescribes: 1}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		const tbl = "myapp-terraform-locks"

		create := []string{"dynamodb", "create-table", "--table-name", tbl,
			"--attribute-definitions", "AttributeName=LockID,AttributeType=S",
			"--key-schema", "AttributeName=LockID,KeyType=HASH",
			"--billing-mode", "PAY_PER_REQUEST",
			"--sse-specification", "Enabled=true,SSEType=KMS",
			"--tags", "Key=Project,Value=myapp"}
		// Deletion protection arrived in CLI v2.11 / v1.27.
		protection := true
		if _, stderr, err := r.run(append(create, "--deletion-protection-enabled")...); err != nil && strings.Contains(stderr, "Unknown options") {
			t.Logf("%s predates --deletion-protection-enabled; checked with the other CLI and the SDK", cli.version)
			protection = false
		} else {
			require.NoError(t, err, stderr)
		}
		var created map[string]any
		if !protection {
			created = r.ok(create...)
		} else {
			created = r.ok("dynamodb", "describe-table", "--table-name", tbl)
			created = map[string]any{"TableDescription": created["Table"]}
		}
		require.Equal(t, "CREATING", emutest.Dig(created, "TableDescription", "TableStatus"))
		r.fails("ResourceInUseException", "dynamodb", "create-table", "--table-name", tbl,
			"--attribute-definitions", "AttributeName=LockID,AttributeType=S",
			"--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
		desc := r.waitActive(tbl)
		require.Equal(t, "ACTIVE", emutest.Dig(desc, "Table", "TableStatus"))
		require.Equal(t, "PAY_PER_REQUEST", emutest.Dig(desc, "Table", "BillingModeSummary", "BillingMode"))
		require.Equal(t, "ENABLED", emutest.Dig(desc, "Table", "SSEDescription", "Status"))
		if protection {
			require.Equal(t, true, emutest.Dig(desc, "Table", "DeletionProtectionEnabled"))
		}
		arn, _ := emutest.Dig(desc, "Table", "TableArn").(string)
		require.Equal(t, "arn:aws:dynamodb:us-east-1:"+emulator.DefaultManagementAccountID+":table/"+tbl, arn)

		r.ok("dynamodb", "update-continuous-backups", "--table-name", tbl,
			"--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
		require.Equal(t, "ENABLED", emutest.Dig(r.ok("dynamodb", "describe-continuous-backups", "--table-name", tbl),
			"ContinuousBackupsDescription", "PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus"))
		require.Equal(t, "myapp", emutest.Dig(r.ok("dynamodb", "list-tags-of-resource", "--resource-arn", arn), "Tags", 0, "Value"))

		// Terraform's lock: a conditional put, then release.
		item := `{"LockID":{"S":"myapp-terraform-state/env/terraform.tfstate"},"Info":{"S":"{}"}}`
		r.ok("dynamodb", "put-item", "--table-name", tbl, "--item", item, "--condition-expression", "attribute_not_exists(LockID)")
		r.fails("ConditionalCheckFailedException", "dynamodb", "put-item", "--table-name", tbl, "--item", item,
			"--condition-expression", "attribute_not_exists(LockID)")
		got := r.ok("dynamodb", "get-item", "--table-name", tbl, "--consistent-read", "--key", `{"LockID":{"S":"myapp-terraform-state/env/terraform.tfstate"}}`)
		require.Equal(t, "{}", emutest.Dig(got, "Item", "Info", "S"))
		r.ok("dynamodb", "delete-item", "--table-name", tbl, "--key", `{"LockID":{"S":"myapp-terraform-state/env/terraform.tfstate"}}`)

		if protection {
			r.fails("ResourceInUseException", "dynamodb", "delete-table", "--table-name", tbl)
			r.ok("dynamodb", "update-table", "--table-name", tbl, "--no-deletion-protection-enabled")
			r.waitActive(tbl)
		}
		r.ok("dynamodb", "delete-table", "--table-name", tbl)
		r.fails("ResourceNotFoundException", "dynamodb", "describe-table", "--table-name", tbl)
		list := r.ok("dynamodb", "list-tables")
		require.Empty(t, list["TableNames"])
	})
}

func TestAWSCLIOrganizations(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {

		org := r.ok("organizations", "create-organization", "--feature-set", "ALL")
		orgID, _ := emutest.Dig(org, "Organization", "Id").(string)
		require.Regexp(t, `^o-[a-z0-9]{10}$`, orgID)
		require.Equal(t, emulator.DefaultManagementAccountID, emutest.Dig(org, "Organization", "MasterAccountId"))
		r.fails("AlreadyInOrganizationException", "organizations", "create-organization")

		rootID, _ := emutest.Dig(r.ok("organizations", "list-roots"), "Roots", 0, "Id").(string)
		require.Regexp(t, `^r-[a-z0-9]{4}$`, rootID)

		ou := r.ok("organizations", "create-organizational-unit", "--parent-id", rootID, "--name", "Prod")
		ouID, _ := emutest.Dig(ou, "OrganizationalUnit", "Id").(string)
		require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":ou/"+orgID+"/"+ouID, emutest.Dig(ou, "OrganizationalUnit", "Arn"))
		r.fails("DuplicateOrganizationalUnitException", "organizations", "create-organizational-unit", "--parent-id", rootID, "--name", "Prod")

		// AvailablePolicyTypes (deprecated) lists SCPs as available in an
		// all-features organization, not the root's enabled types.
		availableSCP := []any{map[string]any{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}}
		require.Equal(t, availableSCP, emutest.Dig(r.ok("organizations", "describe-organization"), "Organization", "AvailablePolicyTypes"))
		require.Empty(t, emutest.Dig(r.ok("organizations", "list-roots"), "Roots", 0, "PolicyTypes"))

		root := r.ok("organizations", "enable-policy-type", "--root-id", rootID, "--policy-type", "SERVICE_CONTROL_POLICY")
		require.Equal(t, "ENABLED", emutest.Dig(root, "Root", "PolicyTypes", 0, "Status"))
		r.ok("organizations", "enable-policy-type", "--root-id", rootID, "--policy-type", "TAG_POLICY")
		require.Equal(t, availableSCP, emutest.Dig(r.ok("organizations", "describe-organization"), "Organization", "AvailablePolicyTypes"))

		policy := r.ok("organizations", "create-policy", "--name", "deny-leave", "--type", "SERVICE_CONTROL_POLICY",
			"--description", "Members stay in the organization",
			"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)
		policyID, _ := emutest.Dig(policy, "Policy", "PolicySummary", "Id").(string)
		require.Regexp(t, `^p-[a-z0-9]{8}$`, policyID)
		r.ok("organizations", "attach-policy", "--policy-id", policyID, "--target-id", ouID)
		r.fails("DuplicatePolicyAttachmentException", "organizations", "attach-policy", "--policy-id", policyID, "--target-id", ouID)

		// The CLI follows NextToken itself: both pages come back.
		attached := r.ok("organizations", "list-policies-for-target", "--target-id", ouID, "--filter", "SERVICE_CONTROL_POLICY")
		var names []string
		for _, p := range attached["Policies"].([]any) {
			names = append(names, p.(map[string]any)["Name"].(string))
		}
		require.ElementsMatch(t, []string{"FullAWSAccess", "deny-leave"}, names)

		created := r.ok("organizations", "create-account", "--email", "workload@example.com", "--account-name", "Workload")
		require.Equal(t, "IN_PROGRESS", emutest.Dig(created, "CreateAccountStatus", "State"))
		reqID, _ := emutest.Dig(created, "CreateAccountStatus", "Id").(string)
		var accountID string
		for i := 0; i < 10 && accountID == ""; i++ {
			st := r.ok("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
			switch emutest.Dig(st, "CreateAccountStatus", "State") {
			case "SUCCEEDED":
				accountID, _ = emutest.Dig(st, "CreateAccountStatus", "AccountId").(string)
			case "FAILED":
				t.Fatalf("%s: account creation failed: %v", cli.version, st)
			}
		}
		require.Regexp(t, `^\d{12}$`, accountID)

		accounts := r.ok("organizations", "list-accounts")["Accounts"].([]any)
		var ids []string
		for _, a := range accounts {
			ids = append(ids, a.(map[string]any)["Id"].(string))
		}
		require.ElementsMatch(t, []string{emulator.DefaultManagementAccountID, accountID}, ids)
		desc := r.ok("organizations", "describe-account", "--account-id", accountID)
		require.Equal(t, "workload@example.com", emutest.Dig(desc, "Account", "Email"))
		r.fails("AccountNotFoundException", "organizations", "describe-account", "--account-id", "999999999999")
	})
}

func TestAWSCLIIdentityCenter(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		inst, store, accounts := emutest.SSOSetup(t, srv, "workload")
		account := accounts[0]

		list := r.ok("sso-admin", "list-instances")
		require.Equal(t, inst, emutest.Dig(list, "Instances", 0, "InstanceArn"))
		require.Equal(t, store, emutest.Dig(list, "Instances", 0, "IdentityStoreId"))
		if st := emutest.Dig(list, "Instances", 0, "Status"); st != nil {
			require.Equal(t, "ACTIVE", st)
		} else {
			t.Logf("%s's sso-admin model predates InstanceMetadata.Status; checked with the other CLI and the SDK", cli.version)
		}

		group := r.ok("identitystore", "create-group", "--identity-store-id", store, "--display-name", "Admins", "--description", "Administrators")
		groupID, _ := group["GroupId"].(string)
		require.NotEmpty(t, groupID)
		r.ok("identitystore", "create-group", "--identity-store-id", store, "--display-name", "Auditors")
		r.ok("identitystore", "create-group", "--identity-store-id", store, "--display-name", "Developers")
		// The CLI follows NextToken itself (page size 2): all three come back.
		require.Len(t, r.ok("identitystore", "list-groups", "--identity-store-id", store)["Groups"], 3)
		if _, stderr, err := r.run("identitystore", "list-groups", "--identity-store-id", store,
			"--filters", "AttributePath=DisplayName,AttributeValue=Admins"); err != nil && strings.Contains(stderr, "Unknown options") {
			t.Logf("%s has no list-groups --filters; filters checked with the other CLI and the SDK", cli.version)
		} else {
			require.NoError(t, err, stderr)
			filtered := r.ok("identitystore", "list-groups", "--identity-store-id", store,
				"--filters", "AttributePath=DisplayName,AttributeValue=Admins")
			require.Len(t, filtered["Groups"], 1)
			require.Equal(t, groupID, emutest.Dig(filtered, "Groups", 0, "GroupId"))
		}

		user := r.ok("identitystore", "create-user", "--identity-store-id", store, "--user-name", "alice",
			"--display-name", "Alice Doe", "--name", "GivenName=Alice,FamilyName=Doe",
			"--emails", "Value=alice@example.com,Type=work,Primary=true")
		userID, _ := user["UserId"].(string)
		require.NotEmpty(t, userID)
		got := r.ok("identitystore", "get-user-id", "--identity-store-id", store,
			"--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"alice"}}`)
		require.Equal(t, userID, got["UserId"])
		r.fails("ConflictException", "identitystore", "create-user", "--identity-store-id", store, "--user-name", "alice",
			"--display-name", "Alice Again", "--name", "GivenName=Alice,FamilyName=Again")

		ps := r.ok("sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Admin",
			"--description", "Administrator access", "--session-duration", "PT4H")
		psARN, _ := emutest.Dig(ps, "PermissionSet", "PermissionSetArn").(string)
		require.True(t, strings.HasPrefix(psARN, "arn:aws:sso:::permissionSet/ssoins-"), psARN)
		require.Equal(t, "PT4H", emutest.Dig(ps, "PermissionSet", "SessionDuration"))
		r.fails("ConflictException", "sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Admin")
		r.fails("ValidationException", "sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "TooLong", "--session-duration", "PT13H")

		r.ok("sso-admin", "put-inline-policy-to-permission-set", "--instance-arn", inst, "--permission-set-arn", psARN,
			"--inline-policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
		inline, _ := r.ok("sso-admin", "get-inline-policy-for-permission-set", "--instance-arn", inst, "--permission-set-arn", psARN)["InlinePolicy"].(string)
		require.Contains(t, inline, "sts:GetCallerIdentity")

		created := r.ok("sso-admin", "create-account-assignment", "--instance-arn", inst, "--permission-set-arn", psARN,
			"--principal-type", "GROUP", "--principal-id", groupID, "--target-type", "AWS_ACCOUNT", "--target-id", account)
		require.Equal(t, "IN_PROGRESS", emutest.Dig(created, "AccountAssignmentCreationStatus", "Status"))
		reqID, _ := emutest.Dig(created, "AccountAssignmentCreationStatus", "RequestId").(string)
		status := ""
		for i := 0; i < 10 && status != "SUCCEEDED"; i++ {
			st := r.ok("sso-admin", "describe-account-assignment-creation-status", "--instance-arn", inst,
				"--account-assignment-creation-request-id", reqID)
			status, _ = emutest.Dig(st, "AccountAssignmentCreationStatus", "Status").(string)
			require.NotEqual(t, "FAILED", status, "%v", st)
		}
		require.Equal(t, "SUCCEEDED", status)

		assignments := r.ok("sso-admin", "list-account-assignments", "--instance-arn", inst, "--account-id", account, "--permission-set-arn", psARN)
		require.Len(t, assignments["AccountAssignments"], 1)
		require.Equal(t, groupID, emutest.Dig(assignments, "AccountAssignments", 0, "PrincipalId"))
		require.Equal(t, "GROUP", emutest.Dig(assignments, "AccountAssignments", 0, "PrincipalType"))
		forArgs := []string{"sso-admin", "list-account-assignments-for-principal", "--instance-arn", inst,
			"--principal-id", groupID, "--principal-type", "GROUP", "--filter", "AccountId=" + account}
		if _, stderr, err := r.run(forArgs...); err != nil && strings.Contains(stderr, "Invalid choice") {
			t.Logf("%s predates list-account-assignments-for-principal; checked with the other CLI and the SDK", cli.version)
		} else {
			forPrincipal := r.ok(forArgs...)
			require.Len(t, forPrincipal["AccountAssignments"], 1)
			require.Equal(t, psARN, emutest.Dig(forPrincipal, "AccountAssignments", 0, "PermissionSetArn"))
		}
		require.Equal(t, []any{account}, r.ok("sso-admin", "list-accounts-for-provisioned-permission-set",
			"--instance-arn", inst, "--permission-set-arn", psARN)["AccountIds"])

		r.fails("ResourceNotFoundException", "sso-admin", "create-account-assignment", "--instance-arn", inst, "--permission-set-arn", psARN,
			"--principal-type", "USER", "--principal-id", "00000000-0000-0000-0000-000000000000", "--target-type", "AWS_ACCOUNT", "--target-id", account)
	})
}

func TestAWSCLIIAM(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		acct := emulator.DefaultManagementAccountID

		oidc := r.ok("iam", "create-open-id-connect-provider", "--url", "https://token.actions.githubusercontent.com",
			"--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1")
		providerARN, _ := oidc["OpenIDConnectProviderArn"].(string)
		require.Equal(t, "arn:aws:iam::"+acct+":oidc-provider/token.actions.githubusercontent.com", providerARN)
		provider := r.ok("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", providerARN)
		require.Equal(t, "token.actions.githubusercontent.com", provider["Url"])
		require.Equal(t, "sts.amazonaws.com", emutest.Dig(provider, "ClientIDList", 0))

		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN +
			`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
		created := r.ok("iam", "create-role", "--role-name", "gha-deploy", "--path", "/ci/", "--assume-role-policy-document", trust,
			"--description", "GitHub Actions", "--max-session-duration", "7200", "--tags", "Key=team,Value=platform")
		require.Equal(t, "arn:aws:iam::"+acct+":role/ci/gha-deploy", emutest.Dig(created, "Role", "Arn"))
		role := r.ok("iam", "get-role", "--role-name", "gha-deploy")
		// The CLI decodes IAM's URL-encoded document into JSON.
		require.Equal(t, providerARN, emutest.Dig(role, "Role", "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Federated"))
		require.Equal(t, "sts.amazonaws.com", emutest.Dig(role, "Role", "AssumeRolePolicyDocument", "Statement", 0, "Condition", "StringEquals", "token.actions.githubusercontent.com:aud"))
		require.EqualValues(t, 7200, emutest.Dig(role, "Role", "MaxSessionDuration"))
		// IAM returns documents as submitted: the CLI prints the decoded
		// document's keys in the order it received them.
		inOrder := func(out string, keys ...string) {
			t.Helper()
			last := -1
			for _, k := range keys {
				i := strings.Index(out, `"`+k+`"`)
				require.Greaterf(t, i, last, "%s: %q out of submitted order in %s", cli.version, k, out)
				last = i
			}
		}
		out, stderr, err := r.run("iam", "get-role", "--role-name", "gha-deploy")
		require.NoError(t, err, stderr)
		inOrder(out, "Version", "Statement", "Effect", "Principal", "Action", "Condition")
		require.Equal(t, "platform", emutest.Dig(role, "Role", "Tags", 0, "Value"))

		r.ok("iam", "put-role-policy", "--role-name", "gha-deploy", "--policy-name", "state",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::state/*"}]}`)
		inline := r.ok("iam", "get-role-policy", "--role-name", "gha-deploy", "--policy-name", "state")
		require.Equal(t, "s3:GetObject", emutest.Dig(inline, "PolicyDocument", "Statement", 0, "Action"))
		out, stderr, err = r.run("iam", "get-role-policy", "--role-name", "gha-deploy", "--policy-name", "state")
		require.NoError(t, err, stderr)
		inOrder(out, "Version", "Statement", "Effect", "Action", "Resource")
		managed := r.ok("iam", "create-policy", "--policy-name", "state-rw",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Sid":"RW","Effect":"Allow","Action":["s3:PutObject"],"Resource":"*"}]}`)
		out, stderr, err = r.run("iam", "get-policy-version", "--policy-arn", emutest.Dig(managed, "Policy", "Arn").(string), "--version-id", "v1")
		require.NoError(t, err, stderr)
		inOrder(out, "Version", "Statement", "Sid", "Effect", "Action", "Resource")
		r.ok("iam", "attach-role-policy", "--role-name", "gha-deploy", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
		attached := r.ok("iam", "list-attached-role-policies", "--role-name", "gha-deploy")
		require.Equal(t, "ReadOnlyAccess", emutest.Dig(attached, "AttachedPolicies", 0, "PolicyName"))
		r.fails("MalformedPolicyDocument", "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:role/nope"},"Action":"sts:AssumeRole"}]}`)

		slr := r.ok("iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com")
		require.Equal(t, "AWSServiceRoleForAutoScaling", emutest.Dig(slr, "Role", "RoleName"))
		require.Equal(t, "/aws-service-role/autoscaling.amazonaws.com/", emutest.Dig(slr, "Role", "Path"))
		r.fails("InvalidInput", "iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com")
		lf := r.ok("iam", "create-service-linked-role", "--aws-service-name", "lakeformation.amazonaws.com")
		require.Equal(t, "AWSServiceRoleForLakeFormationDataAccess", emutest.Dig(lf, "Role", "RoleName"))
		require.Equal(t, "/aws-service-role/lakeformation.amazonaws.com/", emutest.Dig(lf, "Role", "Path"))

		// The CLI follows Marker itself: all four roles come back.
		roles, _ := r.ok("iam", "list-roles")["Roles"].([]any)
		require.Len(t, roles, 3)
		r.ok("iam", "create-role", "--role-name", "fourth", "--assume-role-policy-document", emutest.TrustAccount(acct, ""))
		roles, _ = r.ok("iam", "list-roles")["Roles"].([]any)
		require.Len(t, roles, 4)

		r.ok("iam", "create-account-alias", "--account-alias", "acme-cli")
		require.Equal(t, "acme-cli", emutest.Dig(r.ok("iam", "list-account-aliases"), "AccountAliases", 0))
		r.fails("NoSuchEntity", "iam", "get-role", "--role-name", "no-such-role")
		r.fails("NoSuchEntity", "iam", "delete-account-alias", "--account-alias", "not-mine")
	})
}

func TestAWSCLIKMS(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {

		key := r.ok("kms", "create-key", "--description", "terraform state", "--tags", "TagKey=Project,TagValue=myapp")
		keyID, _ := emutest.Dig(key, "KeyMetadata", "KeyId").(string)
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, keyID)
		require.Equal(t, "Enabled", emutest.Dig(key, "KeyMetadata", "KeyState"))
		require.Equal(t, "SYMMETRIC_DEFAULT", emutest.Dig(key, "KeyMetadata", "KeySpec"))
		r.ok("kms", "create-alias", "--alias-name", "alias/myapp/state", "--target-key-id", keyID)
		r.fails("AlreadyExistsException", "kms", "create-alias", "--alias-name", "alias/myapp/state", "--target-key-id", keyID)
		r.fails("NotAuthorizedException", "kms", "create-alias", "--alias-name", "alias/aws/state", "--target-key-id", keyID)
		r.fails("ValidationException", "kms", "create-alias", "--alias-name", "myapp-state", "--target-key-id", keyID)
		r.fails("InvalidAliasNameException", "kms", "create-alias", "--alias-name", "alias/my:state", "--target-key-id", keyID)

		desc := r.ok("kms", "describe-key", "--key-id", "alias/myapp/state")
		require.Equal(t, keyID, emutest.Dig(desc, "KeyMetadata", "KeyId"))
		require.Equal(t, "CUSTOMER", emutest.Dig(desc, "KeyMetadata", "KeyManager"))
		r.fails("NotFoundException", "kms", "describe-key", "--key-id", "alias/missing")

		// --rotation-period-in-days arrived in 2024 (CLI v2.15 / v1.32).
		period := 180.0
		if _, stderr, err := r.run("kms", "enable-key-rotation", "--key-id", keyID, "--rotation-period-in-days", "180"); err != nil && strings.Contains(stderr, "Unknown options") {
			t.Logf("%s predates --rotation-period-in-days; the period is checked with the other CLI and the SDK", cli.version)
			r.ok("kms", "enable-key-rotation", "--key-id", keyID)
			period = 365
		} else {
			// (Out-of-range periods are refused by botocore before they are sent.)
			require.NoError(t, err, stderr)
		}
		rot := r.ok("kms", "get-key-rotation-status", "--key-id", keyID)
		require.Equal(t, true, rot["KeyRotationEnabled"])
		if _, ok := rot["RotationPeriodInDays"]; ok || period != 365 {
			require.EqualValues(t, period, rot["RotationPeriodInDays"])
		}

		// The default key policy, then one naming the Auto Scaling
		// service-linked role, which fails until the role exists.
		policy := r.ok("kms", "get-key-policy", "--key-id", keyID, "--policy-name", "default")
		require.Contains(t, policy["Policy"], "Enable IAM User Permissions")
		withSLR := emutest.KeyPolicy([2]string{"arn:aws:iam::" + emulator.DefaultManagementAccountID + ":root", "kms:*"},
			[2]string{emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID), "kms:Decrypt"})
		r.fails("MalformedPolicyDocumentException", "kms", "put-key-policy", "--key-id", keyID, "--policy-name", "default", "--policy", withSLR)
		slr := r.ok("iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com")
		require.Equal(t, emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID), emutest.Dig(slr, "Role", "Arn"))
		r.ok("kms", "put-key-policy", "--key-id", keyID, "--policy-name", "default", "--policy", withSLR)
		require.Equal(t, withSLR, r.ok("kms", "get-key-policy", "--key-id", keyID, "--policy-name", "default")["Policy"])
		r.fails("MalformedPolicyDocumentException", "kms", "put-key-policy", "--key-id", keyID, "--policy-name", "default",
			"--policy", emutest.KeyPolicy([2]string{emutest.AutoScalingSLRARN(emulator.DefaultManagementAccountID), "kms:*"}))

		aliases := r.ok("kms", "list-aliases", "--key-id", keyID)["Aliases"].([]any)
		require.Len(t, aliases, 1)
		del := r.ok("kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "7")
		require.Equal(t, "PendingDeletion", del["KeyState"])
		r.fails("KMSInvalidStateException", "kms", "enable-key", "--key-id", keyID)
		r.ok("kms", "cancel-key-deletion", "--key-id", keyID)
		require.Equal(t, "Disabled", emutest.Dig(r.ok("kms", "describe-key", "--key-id", keyID), "KeyMetadata", "KeyState"))
	})
}

func TestAWSCLIECR(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		const repo = "myapp/api"

		created := r.ok("ecr", "create-repository", "--repository-name", repo, "--image-tag-mutability", "IMMUTABLE",
			"--image-scanning-configuration", "scanOnPush=true", "--encryption-configuration", "encryptionType=KMS",
			"--tags", "Key=Project,Value=myapp")
		require.Equal(t, emulator.DefaultManagementAccountID+".dkr.ecr.us-east-1.amazonaws.com/"+repo, emutest.Dig(created, "repository", "repositoryUri"))
		require.Equal(t, "IMMUTABLE", emutest.Dig(created, "repository", "imageTagMutability"))
		require.Equal(t, true, emutest.Dig(created, "repository", "imageScanningConfiguration", "scanOnPush"))
		r.fails("RepositoryAlreadyExistsException", "ecr", "create-repository", "--repository-name", repo)
		r.fails("InvalidParameterException", "ecr", "create-repository", "--repository-name", "Not_Valid")

		r.ok("ecr", "put-lifecycle-policy", "--repository-name", repo, "--lifecycle-policy-text", emutest.ECRLifecycle)
		lc := r.ok("ecr", "get-lifecycle-policy", "--repository-name", repo)
		require.Equal(t, emutest.ECRLifecycle, lc["lifecyclePolicyText"])
		r.fails("InvalidParameterException", "ecr", "put-lifecycle-policy", "--repository-name", repo, "--lifecycle-policy-text",
			strings.Replace(emutest.ECRLifecycle, `"rulePriority":2`, `"rulePriority":1`, 1))

		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			emulator.DefaultManagementAccountID + `:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
		r.fails("RepositoryPolicyNotFoundException", "ecr", "get-repository-policy", "--repository-name", repo)
		r.ok("ecr", "set-repository-policy", "--repository-name", repo, "--policy-text", policy)
		require.Equal(t, policy, r.ok("ecr", "get-repository-policy", "--repository-name", repo)["policyText"])

		// The CLI follows nextToken: every repository comes back.
		for _, name := range []string{"myapp/worker", "myapp/web"} {
			r.ok("ecr", "create-repository", "--repository-name", name)
		}
		var names []string
		for _, x := range r.ok("ecr", "describe-repositories")["repositories"].([]any) {
			names = append(names, x.(map[string]any)["repositoryName"].(string))
		}
		require.Equal(t, []string{"myapp/api", "myapp/web", "myapp/worker"}, names)
		desc := r.ok("ecr", "describe-repositories", "--repository-names", repo)
		require.Equal(t, "KMS", emutest.Dig(desc, "repositories", 0, "encryptionConfiguration", "encryptionType"))
		r.fails("RepositoryNotFoundException", "ecr", "describe-repositories", "--repository-names", "myapp/missing")
		// KMS without a key: the AWS managed key for ECR, the same for
		// every repository of the registry.
		managedKey, _ := emutest.Dig(desc, "repositories", 0, "encryptionConfiguration", "kmsKey").(string)
		require.Regexp(t, `^arn:aws:kms:us-east-1:`+emulator.DefaultManagementAccountID+`:key/[0-9a-f-]{36}$`, managedKey)
		other := r.ok("ecr", "create-repository", "--repository-name", "myapp/kms2", "--encryption-configuration", "encryptionType=KMS")
		require.Equal(t, managedKey, emutest.Dig(other, "repository", "encryptionConfiguration", "kmsKey"))

		// Images: PutImage, tag immutability, reads, and deleting a
		// repository that holds images.
		manifest := func(layer string) string {
			return `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
				`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:` + strings.Repeat("a", 64) + `"},` +
				`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"sha256:` + strings.Repeat(layer, 64) + `"}]}`
		}
		m1, m2 := manifest("b"), manifest("c")
		sum := sha256.Sum256([]byte(m1))
		digest1 := "sha256:" + hex.EncodeToString(sum[:])
		put := r.ok("ecr", "put-image", "--repository-name", repo, "--image-manifest", m1, "--image-tag", "v1")
		require.Equal(t, digest1, emutest.Dig(put, "image", "imageId", "imageDigest"))
		require.Equal(t, "v1", emutest.Dig(put, "image", "imageId", "imageTag"))
		require.Equal(t, "application/vnd.docker.distribution.manifest.v2+json", emutest.Dig(put, "image", "imageManifestMediaType"))
		r.fails("ImageAlreadyExistsException", "ecr", "put-image", "--repository-name", repo, "--image-manifest", m1, "--image-tag", "v1")
		r.fails("ImageTagAlreadyExistsException", "ecr", "put-image", "--repository-name", repo, "--image-manifest", m2, "--image-tag", "v1")
		r.ok("ecr", "put-image", "--repository-name", repo, "--image-manifest", m2, "--image-tag", "v2",
			"--image-manifest-media-type", "application/vnd.docker.distribution.manifest.v2+json")
		r.ok("ecr", "put-image", "--repository-name", repo, "--image-manifest", m2, "--image-tag", "latest")
		require.Len(t, r.ok("ecr", "list-images", "--repository-name", repo)["imageIds"], 3)
		details := r.ok("ecr", "describe-images", "--repository-name", repo, "--image-ids", "imageTag=v1")
		require.Equal(t, digest1, emutest.Dig(details, "imageDetails", 0, "imageDigest"))
		require.EqualValues(t, 32654, emutest.Dig(details, "imageDetails", 0, "imageSizeInBytes"))
		require.Len(t, r.ok("ecr", "describe-images", "--repository-name", repo)["imageDetails"], 2)
		got := r.ok("ecr", "batch-get-image", "--repository-name", repo, "--image-ids", "imageTag=v1", "imageTag=nope")
		require.Equal(t, m1, emutest.Dig(got, "images", 0, "imageManifest"))
		require.Equal(t, "ImageNotFound", emutest.Dig(got, "failures", 0, "failureCode"))

		// A mutable repository moves a tag to the new image.
		r.ok("ecr", "put-image", "--repository-name", "myapp/web", "--image-manifest", m1, "--image-tag", "latest")
		r.ok("ecr", "put-image", "--repository-name", "myapp/web", "--image-manifest", m2, "--image-tag", "latest")
		untagged := r.ok("ecr", "list-images", "--repository-name", "myapp/web", "--filter", "tagStatus=UNTAGGED")
		require.Equal(t, digest1, emutest.Dig(untagged, "imageIds", 0, "imageDigest"))

		r.fails("RepositoryNotEmptyException", "ecr", "delete-repository", "--repository-name", repo)
		r.ok("ecr", "delete-repository", "--repository-name", repo, "--force")
		r.fails("RepositoryNotFoundException", "ecr", "describe-repositories", "--repository-names", repo)
	})
}

// TestAWSCLIErrorStatuses checks that IAM, IAM Identity Center and
// Organizations errors arrive with the HTTP status AWS sends with them
// (each service's core.ErrorStatuses table).
func TestAWSCLIErrorStatuses(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		inst, store, _ := emutest.SSOSetup(t, srv, "workload")

		// IAM: the awsQueryError httpResponseCode of each code.
		r.failsWithStatus("NoSuchEntity", 404, "iam", "get-role", "--role-name", "no-such-role")
		r.ok("iam", "create-role", "--role-name", "dup", "--assume-role-policy-document", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
		r.failsWithStatus("EntityAlreadyExists", 409, "iam", "create-role", "--role-name", "dup",
			"--assume-role-policy-document", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
		r.ok("iam", "put-role-policy", "--role-name", "dup", "--policy-name", "p",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
		r.failsWithStatus("DeleteConflict", 409, "iam", "delete-role", "--role-name", "dup")
		r.failsWithStatus("MalformedPolicyDocument", 400, "iam", "put-role-policy", "--role-name", "dup", "--policy-name", "q",
			"--policy-document", `{"Version":"2012-10-17","Statement":[]}`)

		// sso-admin and identitystore: the Smithy models' @httpError.
		r.failsWithStatus("ResourceNotFoundException", 404, "sso-admin", "describe-permission-set", "--instance-arn", inst,
			"--permission-set-arn", strings.Replace(inst, ":instance/", ":permissionSet/", 1)+"/ps-0000000000000000")
		r.ok("sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Admin")
		r.failsWithStatus("ConflictException", 409, "sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Admin")
		r.failsWithStatus("ValidationException", 400, "sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Long", "--session-duration", "PT13H")
		r.ok("identitystore", "create-group", "--identity-store-id", store, "--display-name", "Admins")
		r.failsWithStatus("ConflictException", 409, "identitystore", "create-group", "--identity-store-id", store, "--display-name", "Admins")
		r.failsWithStatus("ResourceNotFoundException", 404, "identitystore", "describe-group", "--identity-store-id", store,
			"--group-id", "00000000-0000-0000-0000-000000000000")

		// Organizations sends 400 whatever its model says.
		r.failsWithStatus("AccountNotFoundException", 400, "organizations", "describe-account", "--account-id", "999999999999")
		r.failsWithStatus("AlreadyInOrganizationException", 400, "organizations", "create-organization")
	})
}

// TestAWSCLIAsyncSettlesWithTime checks that asynchronous work settles after
// Options.AsyncDuration by the emulator's clock, for a client that waits
// instead of polling, as well as after its count of describes.
func TestAWSCLIAsyncSettlesWithTime(t *testing.T) {
	t.Parallel()
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			t.Parallel()
			var offset atomic.Int64
			start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			wait := func(d time.Duration) { offset.Add(int64(d)) }
			srv := emutest.Start(t, emulator.Options{AsyncDuration: time.Minute, TableActivationDescribes: 5,
				AccountCreationDescribes: 5, SSOStatusDescribes: 5,
				Clock: func() time.Time { return start.Add(time.Duration(offset.Load())) }})
			inst, _, accounts := emutest.SSOSetup(t, srv, "workload")
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")

			// DynamoDB: CREATING until a minute has passed, then ACTIVE on the
			// first describe.
			created := r.ok("dynamodb", "create-table", "--table-name", "locks",
				"--attribute-definitions", "AttributeName=LockID,AttributeType=S",
				"--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
			require.Equal(t, "CREATING", emutest.Dig(created, "TableDescription", "TableStatus"))
			wait(59 * time.Second)
			require.Equal(t, "CREATING", emutest.Dig(r.ok("dynamodb", "describe-table", "--table-name", "locks"), "Table", "TableStatus"))
			wait(time.Second)
			require.Equal(t, "ACTIVE", emutest.Dig(r.ok("dynamodb", "describe-table", "--table-name", "locks"), "Table", "TableStatus"))

			// Organizations: the account exists once the time has passed,
			// without a DescribeCreateAccountStatus in between.
			req := r.ok("organizations", "create-account", "--email", "later@example.com", "--account-name", "Later")
			reqID, _ := emutest.Dig(req, "CreateAccountStatus", "Id").(string)
			wait(time.Minute)
			var names []string
			for _, a := range r.ok("organizations", "list-accounts")["Accounts"].([]any) {
				names = append(names, a.(map[string]any)["Name"].(string))
			}
			require.Contains(t, names, "Later")
			st := r.ok("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
			require.Equal(t, "SUCCEEDED", emutest.Dig(st, "CreateAccountStatus", "State"))

			// IAM Identity Center: provisioning and assignment settle with time.
			ps := r.ok("sso-admin", "create-permission-set", "--instance-arn", inst, "--name", "Admin")
			psARN, _ := emutest.Dig(ps, "PermissionSet", "PermissionSetArn").(string)
			group, _ := r.ok("identitystore", "create-group", "--identity-store-id", emutest.Dig(r.ok("sso-admin", "list-instances"), "Instances", 0, "IdentityStoreId").(string),
				"--display-name", "Admins")["GroupId"].(string)
			assign := r.ok("sso-admin", "create-account-assignment", "--instance-arn", inst, "--permission-set-arn", psARN,
				"--principal-type", "GROUP", "--principal-id", group, "--target-type", "AWS_ACCOUNT", "--target-id", accounts[0])
			require.Equal(t, "IN_PROGRESS", emutest.Dig(assign, "AccountAssignmentCreationStatus", "Status"))
			wait(time.Minute)
			list := r.ok("sso-admin", "list-account-assignments", "--instance-arn", inst, "--account-id", accounts[0], "--permission-set-arn", psARN)
			require.Len(t, list["AccountAssignments"], 1)
			st = r.ok("sso-admin", "describe-account-assignment-creation-status", "--instance-arn", inst,
				"--account-assignment-creation-request-id", emutest.Dig(assign, "AccountAssignmentCreationStatus", "RequestId").(string))
			require.Equal(t, "SUCCEEDED", emutest.Dig(st, "AccountAssignmentCreationStatus", "Status"))
		})
	}
}

// TestAWSCLIControlAPI is the control API's acceptance, as a user of the
// foundation-emulator server sees it: with plain HTTP requests (what curl
// sends, see cmd/foundation-emulator's walkthrough) it installs a fault that
// the next matching AWS CLI call receives, lists the calls, reads the
// snapshot and resets the state.
func TestAWSCLIControlAPI(t *testing.T) {
	t.Parallel()
	eachCLI(t, emulator.Options{}, func(t *testing.T, cli awsCLI, srv *emulator.Server, r *cliRunner) {
		acct := emulator.DefaultManagementAccountID
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		createRole := []string{"iam", "create-role", "--role-name", "cli-control", "--assume-role-policy-document", trust}

		// curl -s -X POST -d '{...}' $URL/_foundation/faults
		var installed []map[string]any
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults",
			`{"service":"iam","operation":"CreateRole","nth":1,"error":{"code":"LimitExceeded","message":"injected by the control API"}}`,
			&installed))
		require.Len(t, installed, 1)
		require.EqualValues(t, 409, emutest.Dig(installed[0], "error", "status"), "IAM sends LimitExceeded with 409")
		require.EqualValues(t, 0, installed[0]["fired"])

		// The next matching call receives it: the CLI prints the code and
		// message and exits with its status for an error from the service
		// (v2: 254; v1: 255).
		_, stderr, err := r.run(createRole...)
		var exit *exec.ExitError
		require.ErrorAsf(t, err, &exit, "%s: create-role must fail with the injected fault", cli.version)
		wantExit := 254
		if strings.HasPrefix(cli.version, "aws-cli/1.") {
			wantExit = 255
		}
		require.Equal(t, wantExit, exit.ExitCode(), stderr)
		require.Contains(t, stderr, "(LimitExceeded)")
		require.Contains(t, stderr, "injected by the control API")
		// nth:1 fails only the first matching call, before the write: the
		// retry creates the role.
		created := r.ok(createRole...)
		require.Equal(t, "arn:aws:iam::"+acct+":role/cli-control", emutest.Dig(created, "Role", "Arn"))
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/faults", "", &installed))
		require.Len(t, installed, 1)
		require.EqualValues(t, 1, installed[0]["fired"])

		// curl -s $URL/_foundation/calls
		var calls []map[string]any
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/calls", "", &calls))
		require.Len(t, calls, 2)
		for i, want := range []struct {
			status int
			err    string
		}{{409, "LimitExceeded"}, {200, ""}} {
			require.Equal(t, "iam", calls[i]["service"], i)
			require.Equal(t, "CreateRole", calls[i]["operation"], i)
			require.Equal(t, acct, calls[i]["account"], i)
			require.Equal(t, true, calls[i]["mutating"], i)
			require.EqualValues(t, want.status, calls[i]["status"], i)
			require.Equal(t, want.err, calls[i]["error"], i)
		}

		// curl -s $URL/_foundation/snapshot
		var snap json.RawMessage
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/snapshot", "", &snap))
		require.Contains(t, string(snap), "arn:aws:iam::"+acct+":role/cli-control")
		direct, err := srv.Snapshot()
		require.NoError(t, err)
		require.JSONEq(t, string(direct), string(snap), "the control API serves Emulator.Snapshot")

		// curl -s -X POST $URL/_foundation/reset
		var reset map[string]string
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", &reset))
		require.Equal(t, "ok", reset["status"])
		r.fails("NoSuchEntity", "iam", "get-role", "--role-name", "cli-control")
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/calls", "", &calls))
		require.Len(t, calls, 1, "reset empties the call log: only the get-role after it")
		require.Equal(t, "GetRole", calls[0]["operation"])
		require.Equal(t, "NoSuchEntity", calls[0]["error"])
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/faults", "", &installed))
		require.Empty(t, installed, "reset removes the faults")
	})
}

// TestAWSCLIEnvironment runs a stand-in for the CLI that prints its
// environment, the way the CLI tests run `aws`: HOME is a fresh temporary
// directory (not the user's), the config and credentials files are empty
// files in it, and nothing of the test process's environment but PATH
// reaches the CLI (no AWS_PROFILE, AWS_REGION or credentials of the user).
// It runs without FOUNDATION_TEST_AWSCLI: it needs no CLI.
func TestAWSCLIEnvironment(t *testing.T) {
	t.Setenv("AWS_PROFILE", "the-users-profile")
	t.Setenv("AWS_REGION", "eu-north-1")
	t.Setenv("AWS_SESSION_TOKEN", "the-users-token")
	userHome, _ := os.UserHomeDir()

	fake := filepath.Join(t.TempDir(), "aws")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\nenv\n"), 0o700))
	srv := emutest.Start(t, emulator.Options{})
	out, stderr, err := newCLIRunner(t, awsCLI{path: fake, version: "fake/1"}, srv, "AKIDEXAMPLE").run("sts", "get-caller-identity")
	require.NoError(t, err, stderr)

	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	home := env["HOME"]
	require.NotEmpty(t, home)
	require.NotEqual(t, userHome, home)
	require.True(t, strings.HasPrefix(home, os.TempDir()), "HOME %s is not a temporary directory", home)
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		require.Equal(t, home, filepath.Dir(env[k]), k)
		b, err := os.ReadFile(env[k])
		require.NoError(t, err, k)
		require.Empty(t, b, "%s is an empty file", k)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN"} {
		require.NotContains(t, env, k, "the user's %s reaches the CLI", k)
	}
	require.Equal(t, "AKIDEXAMPLE", env["AWS_ACCESS_KEY_ID"])
	require.Equal(t, "us-east-1", env["AWS_DEFAULT_REGION"])
	require.Equal(t, os.Getenv("PATH"), env["PATH"])
	for k := range env {
		switch k {
		case "HOME", "PATH", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
			"AWS_DEFAULT_REGION", "AWS_DEFAULT_OUTPUT", "AWS_EC2_METADATA_DISABLED", "AWS_PAGER", "AWS_MAX_ATTEMPTS",
			"PWD", "SHLVL", "_", "OLDPWD": // set by the shell itself
		default:
			t.Errorf("unexpected variable %s reaches the CLI", k)
		}
	}
}
