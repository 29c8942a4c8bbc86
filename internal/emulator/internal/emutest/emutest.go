package emutest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/stretchr/testify/require"
)

// Dig walks a decoded JSON value by keys and list indexes.
func Dig(v any, path ...any) any {
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

// Control sends a control API request and decodes the JSON answer into out
// (when not nil), returning the status.
func Control(t *testing.T, srv *emulator.Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s: %s", method, path, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "%s %s: %s", method, path, b)
	}
	return resp.StatusCode
}

// Config returns a config for srv acting with access key ak.
func Config(srv *emulator.Server, ak string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(ak, "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = time.Millisecond })
		},
	}
}

func Start(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

type NoRateLimit struct{}

// GetToken never waits.
func (NoRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}

// AddTokens does nothing.
func (NoRateLimit) AddTokens(uint) error { return nil }

// ECRLifecycle is a valid lifecycle policy: expire untagged images after 14
// days, keep the last 30 release images.
const ECRLifecycle = `{"rules":[
 {"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},
 {"rulePriority":2,"description":"keep releases","selection":{"tagStatus":"tagged","tagPatternList":["v*.*.*"],"countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}},
 {"rulePriority":10,"description":"everything else","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":100},"action":{"type":"expire"}}]}`

func IAMClient(srv *emulator.Server, ak string) *iam.Client {
	return iam.NewFromConfig(Config(srv, ak))
}

// RequireIAMError requires an AWS error with the code and a message
// containing msg.
func RequireIAMError(t *testing.T, err error, code, msg string) {
	t.Helper()
	RequireCode(t, err, code)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	require.Contains(t, apiErr.ErrorMessage(), msg)
}

func IdentityStoreClient(srv *emulator.Server, ak string) *identitystore.Client {
	return identitystore.NewFromConfig(Config(srv, ak))
}

// CreateUser creates a user with the attributes IAM Identity Center requires.
func CreateUser(t *testing.T, client *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := client.CreateUser(context.Background(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(store), UserName: aws.String(name), DisplayName: aws.String("User " + name),
		Name:   &idstypes.Name{GivenName: aws.String("Given"), FamilyName: aws.String(name)},
		Emails: []idstypes.Email{{Value: aws.String(name + "@example.com"), Primary: true, Type: aws.String("work")}},
	})
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, aws.ToString(out.UserId))
	return aws.ToString(out.UserId)
}

func CreateGroup(t *testing.T, client *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := client.CreateGroup(context.Background(), &identitystore.CreateGroupInput{
		IdentityStoreId: aws.String(store), DisplayName: aws.String(name), Description: aws.String("group " + name)})
	require.NoError(t, err)
	return aws.ToString(out.GroupId)
}

const AutoScalingSLR = "AWSServiceRoleForAutoScaling"

func AutoScalingSLRARN(account string) string {
	return "arn:aws:iam::" + account + ":role/aws-service-role/autoscaling.amazonaws.com/" + AutoScalingSLR
}

// KeyPolicy builds a key policy of Allow statements: principal ARN -> actions.
func KeyPolicy(grants ...[2]string) string {
	var sts []string
	for i, g := range grants {
		sts = append(sts, fmt.Sprintf(`{"Sid":"Grant%d","Effect":"Allow","Principal":{"AWS":%q},"Action":%q,"Resource":"*"}`, i, g[0], g[1]))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
}

func NewKMS(srv *emulator.Server, ak string) *kms.Client {
	return kms.NewFromConfig(Config(srv, ak))
}

// OrgClient returns an Organizations client acting with access key ak.
func OrgClient(srv *emulator.Server, ak string) *organizations.Client {
	return organizations.NewFromConfig(Config(srv, ak))
}

// OrgSetup creates an organization managed by the default management
// account and returns the client, organization and root IDs.
func OrgSetup(t *testing.T, srv *emulator.Server) (*organizations.Client, string, string) {
	t.Helper()
	ctx := context.Background()
	client := OrgClient(srv, "AKIDEXAMPLE")
	out, err := client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	roots, err := client.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	require.Len(t, roots.Roots, 1)
	return client, aws.ToString(out.Organization.Id), aws.ToString(roots.Roots[0].Id)
}

// CreateAccount requests an account and describes the request until it settles.
func CreateAccount(t *testing.T, client *organizations.Client, name, email string) *orgtypes.CreateAccountStatus {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	require.NoError(t, err)
	return WaitCreateAccount(t, client, aws.ToString(out.CreateAccountStatus.Id))
}

func WaitCreateAccount(t *testing.T, client *organizations.Client, id string) *orgtypes.CreateAccountStatus {
	t.Helper()
	for i := 0; i < 10; i++ {
		st, err := client.DescribeCreateAccountStatus(context.Background(),
			&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})
		require.NoError(t, err)
		if st.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress {
			return st.CreateAccountStatus
		}
	}
	t.Fatalf("create account request %s never settled", id)
	return nil
}

// SSOSetup creates an organization with a member account per name, enables
// IAM Identity Center and returns the instance ARN, identity store ID and
// the member account IDs.
func SSOSetup(t *testing.T, srv *emulator.Server, members ...string) (string, string, []string) {
	t.Helper()
	orgs, _, _ := OrgSetup(t, srv)
	var accounts []string
	for _, name := range members {
		st := CreateAccount(t, orgs, name, name+"@example.com")
		require.Equal(t, "SUCCEEDED", string(st.State))
		accounts = append(accounts, aws.ToString(st.AccountId))
	}
	inst, store, err := srv.EnableIdentityCenter()
	require.NoError(t, err)
	return inst, store, accounts
}

const Member = "210987654321"

func TrustAccount(account string, extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root"},"Action":"sts:AssumeRole"` + extra + `}]}`
}

func RequireCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	require.Truef(t, errors.As(err, &apiErr), "want %s, got %v", code, err)
	require.Equal(t, code, apiErr.ErrorCode())
}

var TimeFixed = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
