package organizations_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// TestAccountConfig: the config acts in the member account, through the
// role Organizations created in it.
func TestAccountConfig(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	mgmtID := b.AccountID(t)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	prod := tree.Account("you+aws-production@example.com")

	cfg, err := organizations.AccountConfig(ctx, b.Config(), prod.ID, organizations.DefaultRoleName,
		organizations.WithSessionName("deploy-42"), organizations.WithDuration(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.STS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != prod.ID || aws.ToString(id.Arn) != "arn:aws:sts::"+prod.ID+":assumed-role/OrganizationAccountAccessRole/deploy-42" {
		t.Errorf("caller identity: %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	// An S3 call lands in the member account (as the emulator's own log
	// says too).
	e := b.EmulatorFor(awstest.CapServerCallLog)
	mark := 0
	if e != nil {
		mark = e.CallCount()
	}
	if _, err := b.S3(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("prod-artifacts-" + prod.ID)}); err != nil {
		t.Fatal(err)
	}
	if e != nil {
		for _, c := range e.CallsSince(mark) {
			if c.Operation == "CreateBucket" && c.Account != prod.ID {
				t.Errorf("CreateBucket acted in %s, want %s", c.Account, prod.ID)
			}
		}
	}
	mine, err := b.S3(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(mine.Buckets) != 1 {
		t.Errorf("member's buckets: %v %v", mine, err)
	}
	mgmt, err := b.S3().ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(mgmt.Buckets) != 0 {
		t.Errorf("management account's buckets: %v %v", mgmt, err)
	}
	// The original config is untouched.
	if id, err := b.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(id.Account) != mgmtID {
		t.Errorf("management identity: %v %v", id, err)
	}

	// An external ID the role's trust requires.
	if _, err := iam.NewFromConfig(b.ConfigFor(prod.ID)).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Auditor"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			mgmtID + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"audit-7f3a"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.AccountConfig(ctx, b.Config(), prod.ID, "Auditor", organizations.WithExternalID("audit-7f3a")); err != nil {
		t.Errorf("with the external ID: %v", err)
	}
	// The refusals below are sts:AssumeRole's, evaluating the trust.
	if !b.Has(awstest.CapTrustEvaluation) {
		return
	}
	_, err = organizations.AccountConfig(ctx, b.Config(), prod.ID, "Auditor")
	if err == nil || !strings.Contains(err.Error(), "assume role arn:aws:iam::"+prod.ID+":role/Auditor") {
		t.Errorf("without the external ID: %v", err)
	}

	// The partition follows the region; a role that cannot be assumed
	// fails at once, naming the role.
	cn := b.Config()
	cn.Region = "cn-north-1"
	_, err = organizations.AccountConfig(ctx, cn, prod.ID, "NoSuchRole")
	if err == nil || !strings.Contains(err.Error(), "arn:aws-cn:iam::"+prod.ID+":role/NoSuchRole") || errors.Is(err, foundation.ErrInvalidSpec) {
		t.Errorf("cn partition: %v", err)
	}
	t.Log(err)
}

func TestAccountConfigRolePath(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	prod := tree.Account("you+aws-production@example.com")
	_, err = organizations.EnsureCrossAccountRole(ctx, iam.NewFromConfig(b.ConfigFor(prod.ID)), organizations.CrossAccountRoleSpec{
		Name: "Deployer", Path: "/deploy/", TrustedAccountIDs: []string{b.AccountID(t)},
	}, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	// sts:AssumeRole of a role that does not exist (the ARN without the
	// path) is refused where trust is evaluated.
	if _, err := organizations.AccountConfig(ctx, b.Config(), prod.ID, "Deployer"); err == nil && b.Has(awstest.CapTrustEvaluation) {
		t.Fatal("a role with a path is not found without it")
	}
	cfg, err := organizations.AccountConfig(ctx, b.Config(), prod.ID, "Deployer", organizations.WithRolePath("/deploy/"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.STS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != prod.ID {
		t.Fatalf("%v %v", id, err)
	}
}

func TestAccountConfigRejectsInvalidArguments(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	noRegion := b.Config()
	noRegion.Region = ""
	cases := []struct {
		name, account, role string
		cfg                 *aws.Config
		opts                []organizations.AccountConfigOption
		field               string
	}{
		{"short account", "12345", "Admin", nil, nil, "accountID"},
		{"account with letters", "12345678901a", "Admin", nil, nil, "accountID"},
		{"role ARN", "111122223333", "arn:aws:iam::111122223333:role/Admin", nil, nil, "roleName"},
		{"role path", "111122223333", "team/Admin", nil, nil, "roleName"},
		{"empty role", "111122223333", "", nil, nil, "roleName"},
		{"session name too short", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithSessionName("x")}, "WithSessionName"},
		{"session name with space", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithSessionName("my session")}, "WithSessionName"},
		{"external ID bad", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithExternalID("a b")}, "WithExternalID"},
		{"duration too short", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithDuration(5 * time.Minute)}, "WithDuration"},
		{"duration too long", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithDuration(13 * time.Hour)}, "WithDuration"},
		{"no region", "111122223333", "Admin", &noRegion, nil, "cfg.Region"},
		{"path without slashes", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithRolePath("deploy")}, "WithRolePath"},
		{"path with space", "111122223333", "Admin", nil, []organizations.AccountConfigOption{organizations.WithRolePath("/a b/")}, "WithRolePath"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := b.Config()
			if c.cfg != nil {
				cfg = *c.cfg
			}
			mark := b.Mark()
			_, err := organizations.AccountConfig(ctx, cfg, c.account, c.role, c.opts...)
			if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("err = %v, want ErrInvalidSpec naming %s", err, c.field)
			}
			b.RequireNoCalls(t, mark)
		})
	}
}

// accessDenied is what sts:AssumeRole answers for a new account's access
// role that has not propagated yet.
var accessDenied = emulator.APIError{Status: 403, Code: "AccessDenied",
	Message: "injected: User is not authorized to perform: sts:AssumeRole"}

// TestAccountConfigWaitsForANewAccountsAccessRole: the first three
// AssumeRole calls are refused, as for a new account's access role; with
// WithAccessWait AccountConfig waits them out and acts in the account;
// without it the refusal is returned at once.
func TestAccountConfigWaitsForANewAccountsAccessRole(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	e := b.RequireEmulator(t, awstest.CapFaults)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	prod := tree.Account("you+aws-production@example.com")
	m := emulator.Match{Service: "sts", Operation: "AssumeRole"}

	f := e.FailNth(m, 1, accessDenied)
	_, err = organizations.AccountConfig(ctx, b.Config(), prod.ID, organizations.DefaultRoleName)
	if !isCode(err, "AccessDenied") || f.Fired() != 1 {
		t.Fatalf("without WithAccessWait: err = %v, %d refusals", err, f.Fired())
	}
	e.RemoveFault(f)

	var faults []*emulator.Fault
	for n := 1; n <= 3; n++ {
		faults = append(faults, e.FailNth(m, n, accessDenied))
	}
	cfg, err := organizations.AccountConfig(ctx, b.Config(), prod.ID, organizations.DefaultRoleName,
		organizations.WithAccessWait(awstest.Fast()...))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		if f.Fired() != 1 {
			t.Fatalf("a refusal fired %d times", f.Fired())
		}
		e.RemoveFault(f)
	}
	id, err := b.STS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != prod.ID {
		t.Fatalf("caller identity: %v %v", id, err)
	}
}

// A refusal that outlasts the propagation timeout is reported naming the
// account, the role and the wait, keeping STS's error.
func TestAccountConfigAccessRefusedPastTheTimeout(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	e := b.RequireEmulator(t, awstest.CapFaults)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	prod := tree.Account("you+aws-production@example.com")
	e.FailAlways(emulator.Match{Service: "sts", Operation: "AssumeRole"}, accessDenied)
	_, err = organizations.AccountConfig(ctx, b.Config(), prod.ID, organizations.DefaultRoleName,
		organizations.WithAccessWait(awstest.Fast(foundation.WithPropagationTimeout(50*time.Millisecond))...))
	want := "organizations: account " + prod.ID + ": assume role arn:aws:iam::" + prod.ID + ":role/OrganizationAccountAccessRole: still refused after "
	if !isCode(err, "AccessDenied") || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v", err)
	}
}

// ForEachAccount waits for each account's access role the same way: the
// first three AssumeRole calls refused, every account's task still runs.
func TestForEachAccountWaitsForAccess(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	e := b.RequireEmulator(t, awstest.CapFaults)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	var targets []organizations.Target
	for _, a := range tree.Accounts {
		targets = append(targets, organizations.Target{ID: a.ID, Name: a.Name})
	}
	for n := 1; n <= 3; n++ {
		e.FailNth(emulator.Match{Service: "sts", Operation: "AssumeRole"}, n, accessDenied)
	}
	var ran atomic.Int32
	sum, err := organizations.ForEachAccount(ctx, b.Config(), organizations.FanOutSpec{Accounts: targets},
		func(context.Context, aws.Config, organizations.Target) (foundation.Changes, error) {
			ran.Add(1)
			return nil, nil
		}, awstest.Fast()...)
	if err != nil || int(ran.Load()) != len(targets) {
		t.Fatalf("%d of %d tasks ran: %v (%v)", ran.Load(), len(targets), err, sum)
	}
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
