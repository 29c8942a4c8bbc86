package emulator

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The emulator is only worth what it matches AWS, so these tests drive it
// with the AWS CLI: a client none of us wrote. Every distinct `aws` found is
// used (Debian's CLI v2 at /usr/bin/aws, and a pip-installed v1 on PATH, as
// the CI image has). FOUNDATION_TEST_AWS_CLI names one explicitly.

// awsCLI is one AWS CLI installation.
type awsCLI struct {
	path, version string
}

func findAWSCLIs(t *testing.T) []awsCLI {
	t.Helper()
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
		v, err := exec.Command(p, "--version").CombinedOutput()
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
		t.Skip("no AWS CLI found (apt-get install awscli, or set FOUNDATION_TEST_AWS_CLI); .ci/run installs it")
	}
	return out
}

// cliRunner runs one CLI against one emulator with fake credentials and an
// isolated home, so the machine's AWS configuration is never read.
type cliRunner struct {
	t   *testing.T
	cli awsCLI
	srv *Server
	env []string
}

func newCLIRunner(t *testing.T, cli awsCLI, srv *Server, accessKey string) *cliRunner {
	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	require.NoError(t, os.WriteFile(cfg, []byte("[default]\nregion = us-east-1\noutput = json\ns3 =\n    addressing_style = path\n"), 0o600))
	creds := filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(creds, nil, 0o600))
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=not-a-real-secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
	return &cliRunner{t: t, cli: cli, srv: srv, env: env}
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

// waitActive describes a table until it is ACTIVE (the CLI's own waiter
// polls every 20 seconds) and returns the last description.
func (r *cliRunner) waitActive(table string) map[string]any {
	r.t.Helper()
	for i := 0; i < 10; i++ {
		desc := r.ok("dynamodb", "describe-table", "--table-name", table)
		if dig(desc, "Table", "TableStatus") == "ACTIVE" {
			return desc
		}
	}
	r.t.Fatalf("%s: table %s never became ACTIVE", r.cli.version, table)
	return nil
}

// dig walks a decoded JSON value by keys and list indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestAWSCLISTS(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			srv := startTest(t, Options{})
			require.NoError(t, srv.AddAccount(member))
			_, err := srv.CreateRole(member, "OrganizationAccountAccessRole", trustAccount(DefaultManagementAccountID, ""))
			require.NoError(t, err)
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")

			who := r.ok("sts", "get-caller-identity")
			require.Equal(t, DefaultManagementAccountID, who["Account"])
			require.Equal(t, "arn:aws:iam::"+DefaultManagementAccountID+":root", who["Arn"])

			out := r.ok("sts", "assume-role", "--role-arn", "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole",
				"--role-session-name", "cli-check", "--duration-seconds", "900")
			require.Equal(t, "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/cli-check", dig(out, "AssumedRoleUser", "Arn"))
			ak, _ := dig(out, "Credentials", "AccessKeyId").(string)
			require.True(t, strings.HasPrefix(ak, "ASIA"), ak)

			// The returned credentials act in the member account.
			member := newCLIRunner(t, cli, srv, ak)
			member.env = append(member.env,
				"AWS_SECRET_ACCESS_KEY="+dig(out, "Credentials", "SecretAccessKey").(string),
				"AWS_SESSION_TOKEN="+dig(out, "Credentials", "SessionToken").(string))
			require.Equal(t, "210987654321", member.ok("sts", "get-caller-identity")["Account"])

			r.fails("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+"210987654321"+":role/Nope", "--role-session-name", "x1")
		})
	}
}

func TestAWSCLIS3(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			srv := startTest(t, Options{})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")
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
			require.Equal(t, "aws:kms", dig(enc, "ServerSideEncryptionConfiguration", "Rules", 0, "ApplyServerSideEncryptionByDefault", "SSEAlgorithm"))
			require.Equal(t, true, dig(enc, "ServerSideEncryptionConfiguration", "Rules", 0, "BucketKeyEnabled"))

			r.ok("s3api", "delete-public-access-block", "--bucket", b)
			r.fails("NoSuchPublicAccessBlockConfiguration", "s3api", "get-public-access-block", "--bucket", b)
			r.ok("s3api", "put-public-access-block", "--bucket", b, "--public-access-block-configuration",
				"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
			require.Equal(t, true, dig(r.ok("s3api", "get-public-access-block", "--bucket", b), "PublicAccessBlockConfiguration", "RestrictPublicBuckets"))

			r.fails("NoSuchBucketPolicy", "s3api", "get-bucket-policy", "--bucket", b)
			policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + b + `","arn:aws:s3:::` + b + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
			r.ok("s3api", "put-bucket-policy", "--bucket", b, "--policy", policy)
			got, _ := r.ok("s3api", "get-bucket-policy", "--bucket", b)["Policy"].(string)
			require.Contains(t, got, "DenyInsecureTransport")

			r.ok("s3api", "put-bucket-tagging", "--bucket", b, "--tagging", "TagSet=[{Key=Project,Value=myapp}]")
			require.Equal(t, "myapp", dig(r.ok("s3api", "get-bucket-tagging", "--bucket", b), "TagSet", 0, "Value"))

			r.ok("s3api", "put-bucket-lifecycle-configuration", "--bucket", b, "--lifecycle-configuration",
				`{"Rules":[{"ID":"state-retention","Status":"Enabled","Filter":{"Prefix":""},"NoncurrentVersionExpiration":{"NoncurrentDays":90,"NewerNoncurrentVersions":5},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}`)
			lc := r.ok("s3api", "get-bucket-lifecycle-configuration", "--bucket", b)
			require.Equal(t, "state-retention", dig(lc, "Rules", 0, "ID"))
			require.EqualValues(t, 90, dig(lc, "Rules", 0, "NoncurrentVersionExpiration", "NoncurrentDays"))

			require.Equal(t, "BucketOwnerEnforced", dig(r.ok("s3api", "get-bucket-ownership-controls", "--bucket", b), "OwnershipControls", "Rules", 0, "ObjectOwnership"))

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

			// Not implemented is never a false success.
			r.fails("NotImplemented", "s3api", "get-bucket-cors", "--bucket", b)
			r.fails("NoSuchBucket", "s3api", "get-bucket-versioning", "--bucket", "no-such-bucket-here")

			list := r.ok("s3api", "list-buckets")
			require.Equal(t, b, dig(list, "Buckets", 0, "Name"))
		})
	}
}

func TestAWSCLIDynamoDB(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			srv := startTest(t, Options{TableActivationDescribes: 1})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")
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
			require.Equal(t, "CREATING", dig(created, "TableDescription", "TableStatus"))
			r.fails("ResourceInUseException", "dynamodb", "create-table", "--table-name", tbl,
				"--attribute-definitions", "AttributeName=LockID,AttributeType=S",
				"--key-schema", "AttributeName=LockID,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
			desc := r.waitActive(tbl)
			require.Equal(t, "ACTIVE", dig(desc, "Table", "TableStatus"))
			require.Equal(t, "PAY_PER_REQUEST", dig(desc, "Table", "BillingModeSummary", "BillingMode"))
			require.Equal(t, "ENABLED", dig(desc, "Table", "SSEDescription", "Status"))
			if protection {
				require.Equal(t, true, dig(desc, "Table", "DeletionProtectionEnabled"))
			}
			arn, _ := dig(desc, "Table", "TableArn").(string)
			require.Equal(t, "arn:aws:dynamodb:us-east-1:"+DefaultManagementAccountID+":table/"+tbl, arn)

			r.ok("dynamodb", "update-continuous-backups", "--table-name", tbl,
				"--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
			require.Equal(t, "ENABLED", dig(r.ok("dynamodb", "describe-continuous-backups", "--table-name", tbl),
				"ContinuousBackupsDescription", "PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus"))
			require.Equal(t, "myapp", dig(r.ok("dynamodb", "list-tags-of-resource", "--resource-arn", arn), "Tags", 0, "Value"))

			// Terraform's lock: a conditional put, then release.
			item := `{"LockID":{"S":"myapp-terraform-state/env/terraform.tfstate"},"Info":{"S":"{}"}}`
			r.ok("dynamodb", "put-item", "--table-name", tbl, "--item", item, "--condition-expression", "attribute_not_exists(LockID)")
			r.fails("ConditionalCheckFailedException", "dynamodb", "put-item", "--table-name", tbl, "--item", item,
				"--condition-expression", "attribute_not_exists(LockID)")
			got := r.ok("dynamodb", "get-item", "--table-name", tbl, "--consistent-read", "--key", `{"LockID":{"S":"myapp-terraform-state/env/terraform.tfstate"}}`)
			require.Equal(t, "{}", dig(got, "Item", "Info", "S"))
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
}

func TestAWSCLIOrganizations(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			srv := startTest(t, Options{})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")

			org := r.ok("organizations", "create-organization", "--feature-set", "ALL")
			orgID, _ := dig(org, "Organization", "Id").(string)
			require.Regexp(t, `^o-[a-z0-9]{10}$`, orgID)
			require.Equal(t, DefaultManagementAccountID, dig(org, "Organization", "MasterAccountId"))
			r.fails("AlreadyInOrganizationException", "organizations", "create-organization")

			rootID, _ := dig(r.ok("organizations", "list-roots"), "Roots", 0, "Id").(string)
			require.Regexp(t, `^r-[a-z0-9]{4}$`, rootID)

			ou := r.ok("organizations", "create-organizational-unit", "--parent-id", rootID, "--name", "Prod")
			ouID, _ := dig(ou, "OrganizationalUnit", "Id").(string)
			require.Equal(t, "arn:aws:organizations::"+DefaultManagementAccountID+":ou/"+orgID+"/"+ouID, dig(ou, "OrganizationalUnit", "Arn"))
			r.fails("DuplicateOrganizationalUnitException", "organizations", "create-organizational-unit", "--parent-id", rootID, "--name", "Prod")

			root := r.ok("organizations", "enable-policy-type", "--root-id", rootID, "--policy-type", "SERVICE_CONTROL_POLICY")
			require.Equal(t, "ENABLED", dig(root, "Root", "PolicyTypes", 0, "Status"))

			policy := r.ok("organizations", "create-policy", "--name", "deny-leave", "--type", "SERVICE_CONTROL_POLICY",
				"--description", "Members stay in the organization",
				"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)
			policyID, _ := dig(policy, "Policy", "PolicySummary", "Id").(string)
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
			require.Equal(t, "IN_PROGRESS", dig(created, "CreateAccountStatus", "State"))
			reqID, _ := dig(created, "CreateAccountStatus", "Id").(string)
			var accountID string
			for i := 0; i < 10 && accountID == ""; i++ {
				st := r.ok("organizations", "describe-create-account-status", "--create-account-request-id", reqID)
				switch dig(st, "CreateAccountStatus", "State") {
				case "SUCCEEDED":
					accountID, _ = dig(st, "CreateAccountStatus", "AccountId").(string)
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
			require.ElementsMatch(t, []string{DefaultManagementAccountID, accountID}, ids)
			desc := r.ok("organizations", "describe-account", "--account-id", accountID)
			require.Equal(t, "workload@example.com", dig(desc, "Account", "Email"))
			r.fails("AccountNotFoundException", "organizations", "describe-account", "--account-id", "999999999999")
		})
	}
}
