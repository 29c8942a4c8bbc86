package readme

// The README's imports: the aliases the library's package names force
// (its organizations, kms, ecr and iam-using packages take the short
// names, so the SDK's clients are imported as orgsdk, kmssdk, ...).
import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ecrsdk "github.com/aws/aws-sdk-go-v2/service/ecr"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// README's "Testing your own tools" imports.
import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/foundationtest"
)

// What mytool needs.
import "github.com/aws/aws-sdk-go-v2/service/sts"

// program is README's "Client configuration": a main's configuration.
func program(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	foundation.ConfigureRetries(&cfg) // standard mode, foundation.RetryMaxAttempts (10), backoff capped at 20 s
	return converge(ctx, cfg)         // every client is built from cfg; AccountConfig's member configs inherit it
}

// program is never run: it loads this machine's AWS configuration.
var _ = program

// organization is README's first "Usage" snippet: a whole organization,
// from the management account's cfg; it returns a config that acts in the
// new member account, and that account's ID.
func organization(ctx context.Context, cfg aws.Config, opts ...foundation.Option) (aws.Config, string, error) {
	org := orgsdk.NewFromConfig(cfg)
	if _, err := organizations.EnsureOrganization(ctx, org, organizations.OrganizationSpec{
		PolicyTypes: []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy},
	}, opts...); err != nil {
		return aws.Config{}, "", err
	}
	tree, err := organizations.EnsureTree(ctx, org, organizations.TreeSpec{
		OUs: []organizations.OUSpec{{Path: "Workloads/Production"}, {Path: "Suspended"}},
		Accounts: []organizations.AccountSpec{
			{Name: "myapp-production", Email: "you+aws-production@example.com", OU: "Workloads/Production"},
		},
	}, opts...)
	if err != nil {
		return aws.Config{}, "", err
	}
	guardrails, err := scp.Build(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"us-east-1", "us-west-2"}}),
		scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
	)
	if err != nil {
		return aws.Config{}, "", err
	}
	if _, err := scp.EnsurePolicy(ctx, org, scp.PolicySpec{Name: "production-guardrails", Document: guardrails}, opts...); err != nil {
		return aws.Config{}, "", err
	}
	if _, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{
		TargetID: tree.OU("Workloads/Production").ID, Policies: []string{"production-guardrails"},
	}, opts...); err != nil {
		return aws.Config{}, "", err
	}
	accountID := tree.Account("you+aws-production@example.com").ID
	prod, err := organizations.AccountConfig(ctx, cfg, accountID, organizations.DefaultRoleName) // acts in the member account
	return prod, accountID, err
}

// stateBackend is README's second "Usage" snippet: a state backend in the
// member account.
func stateBackend(ctx context.Context, prod aws.Config, accountID string, opts ...foundation.Option) error {
	backend, err := statebackend.Bootstrap(ctx,
		statebackend.API{S3: s3.NewFromConfig(prod), DynamoDB: dynamodb.NewFromConfig(prod)},
		statebackend.Spec{
			Bucket:    "myapp-terraform-state-" + accountID,
			Region:    "us-east-1",
			AccountID: accountID,             // every S3 call checks the bucket's owner
			Locking:   statebackend.LockBoth, // S3 lockfile (Terraform >= 1.10) and a DynamoDB table while migrating
			LockTable: "myapp-terraform-locks",
			Tags:      map[string]string{"Project": "myapp"},
		},
		opts...)
	if err != nil {
		return err // errors.Is(err, foundation.ErrInvalidSpec) for bad input, AWS errors wrapped with the step that failed
	}
	fmt.Print(backend.Changes)             // what was created or repaired; empty on a converged backend
	fmt.Print(backend.Config.Terraform())  // terraform { backend "s3" { ... } }
	fmt.Print(backend.Config.Terragrunt()) // remote_state { ... } for root.hcl
	return nil
}

// ciKeysAccess is README's third "Usage" snippet: keyless CI, a key and
// images in the member account, and people's access to it.
func ciKeysAccess(ctx context.Context, cfg, prod aws.Config, accountID string, opts ...foundation.Option) error {
	iamClient := iamsdk.NewFromConfig(prod)
	provider, err := oidcfed.EnsureProvider(ctx, iamClient, oidcfed.GitHub().ProviderSpec(), opts...)
	if err != nil {
		return err
	}
	role, err := oidcfed.EnsureGitHubRole(ctx, iamClient, oidcfed.RoleSpec{
		Name:        "myapp-prod-github-ci",
		ProviderARN: provider.ARN,
		Subjects:    []oidcfed.Subject{oidcfed.GitHubBranch("octo-org/myapp", "main")}, // "repo:*" is refused before any call
	}, opts...)
	if err != nil {
		return err
	}
	key, err := kms.EnsureKey(ctx, kms.API{KMS: kmssdk.NewFromConfig(prod), IAM: iamClient}, kms.Spec{
		Alias: "alias/prod-us-east-1-main",
		Policy: kms.KeyPolicy{AccountID: accountID, Grants: []kms.Grant{{
			Sid:        "Allow AutoScaling", // the service-linked role is created first
			Principals: []kms.Principal{kms.ServiceLinkedRole("autoscaling.amazonaws.com")},
			Actions:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"},
		}}},
	}, opts...)
	if err != nil {
		return err
	}
	repo, err := ecr.EnsureRepository(ctx, ecrsdk.NewFromConfig(prod), ecr.Spec{Name: "myapp", KMSKey: key.ARN}, opts...) // IMMUTABLE, scan on push
	if err != nil {
		return err
	}
	sso := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg)}
	access, err := identitycenter.EnsureAccess(ctx, sso, identitycenter.AccessSpec{
		Groups: []identitycenter.GroupSpec{{DisplayName: "PlatformAdmins"}},
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "AdministratorAccess", SessionDuration: 8 * time.Hour,
			ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}}},
		Assignments: []identitycenter.AssignmentSpec{{Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("PlatformAdmins")},
			PermissionSets: []string{"AdministratorAccess"}, Accounts: []string{accountID}}},
	}, opts...)
	if err != nil {
		return err
	}
	fmt.Println(role.ARN, repo.URI, access.Instance.DefaultStartURL())
	return nil
}

// converge runs the three, as a program would.
func converge(ctx context.Context, cfg aws.Config, opts ...foundation.Option) error {
	prod, accountID, err := organization(ctx, cfg, opts...)
	if err != nil {
		return err
	}
	if err := stateBackend(ctx, prod, accountID, opts...); err != nil {
		return err
	}
	return ciKeysAccess(ctx, cfg, prod, accountID, opts...)
}

// TestUsage runs README's "Usage" on the emulator, polling fast: it
// converges, and a second run makes no mutating call.
func TestUsage(t *testing.T) {
	srv := foundationtest.NewServer(t, foundationtest.WithIdentityCenter(), foundationtest.WithAsyncDuration(time.Millisecond))
	fast := foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)
	srv.RequireIdempotent(t, func() error { return converge(t.Context(), srv.Config(), fast) })
}

// mytool is the tool README's "Testing your own tools" tests: a key and a
// CI role.
var mytool tool

type tool struct{}

// Bootstrap converges the tool's key and CI role.
func (tool) Bootstrap(ctx context.Context, cfg aws.Config) (*oidcfed.Role, error) {
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, err
	}
	iamClient := iamsdk.NewFromConfig(cfg)
	if _, err := kms.EnsureKey(ctx, kms.API{KMS: kmssdk.NewFromConfig(cfg), IAM: iamClient},
		kms.Spec{Alias: "alias/mytool", Policy: kms.KeyPolicy{AccountID: aws.ToString(who.Account)}}); err != nil {
		return nil, err
	}
	provider, err := oidcfed.EnsureProvider(ctx, iamClient, oidcfed.GitHub().ProviderSpec())
	if err != nil {
		return nil, err
	}
	return oidcfed.EnsureGitHubRole(ctx, iamClient, oidcfed.RoleSpec{Name: "mytool-ci", ProviderARN: provider.ARN,
		Subjects: []oidcfed.Subject{oidcfed.GitHubBranch("octo-org/mytool", "main")}})
}

func TestBootstrap(t *testing.T) {
	ctx := t.Context()
	srv := foundationtest.NewServer(t) // closed when the test ends
	cfg := srv.Config()                // the management account; srv.Config(id) acts in a member account
	// A second run makes no mutating call.
	srv.RequireIdempotent(t, func() error { _, err := mytool.Bootstrap(ctx, cfg); return err })
}

func TestBootstrapFailures(t *testing.T) {
	ctx := t.Context()
	srv := foundationtest.NewServer(t)
	cfg := srv.Config()
	// The first CreateKey is applied and its answer lost: the SDK retries it.
	srv.FailNthAfter(foundationtest.Match{Service: "kms", Operation: "CreateKey"}, 1,
		foundationtest.Error{Code: "InternalFailure", Status: 500})
	srv.FailAlways(foundationtest.Match{Service: "iam", Operation: "CreateRole"}, foundationtest.Error{Code: "AccessDenied"})
	mark := srv.Mark()
	_, err := mytool.Bootstrap(ctx, cfg)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("want AccessDenied, got %v", err)
	}
	calls := srv.CallsSince(mark) // every request any client made: service, operation, account, outcome
	snap, err := srv.Snapshot()   // the whole state as canonical JSON
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls; snapshot of %d bytes", len(calls), len(snap))
}
