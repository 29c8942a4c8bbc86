package foundationtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// DefaultManagementAccountID is the management account of a server started
// without WithManagementAccount.
const DefaultManagementAccountID = emulator.DefaultManagementAccountID

// Region is the region of the aws.Config values a Server returns.
const Region = "us-east-1"

// secret is the fake secret key of every Config: the emulator does not check
// signatures, and nothing here is ever a real credential.
const secret = "foundationtest-secret-not-real"

// Server is an AWS emulator serving on a loopback port: S3, DynamoDB, STS,
// IAM, Organizations, IAM Identity Center (sso-admin, identitystore), KMS
// and ECR, over their real wire protocols. Point clients at URL, or build
// them from Config.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:port.
	URL string

	srv *emulator.Server
}

// Option configures a Server.
type Option func(*emulator.Options)

// WithManagementAccount sets the account that exists from the start and
// acts for credentials the server did not issue (default
// DefaultManagementAccountID).
func WithManagementAccount(id string) Option {
	return func(o *emulator.Options) { o.ManagementAccountID = id }
}

// WithPageSize sets how many items every paginated list returns per page.
// The default is 2, so code that reads only the first page fails its tests.
func WithPageSize(n int) Option { return func(o *emulator.Options) { o.PageSize = n } }

// WithIdentityCenter enables the organization instance of IAM Identity
// Center as soon as the management account creates its organization. In AWS
// that is a console step with no API.
func WithIdentityCenter() Option { return func(o *emulator.Options) { o.IdentityCenter = true } }

// WithAsyncDuration sets how long asynchronous work (a DynamoDB table
// CREATING, an account being created or closed, an Identity Center
// assignment or provisioning) stays in progress when nobody polls it. It
// also settles after a couple of polls, whichever comes first.
func WithAsyncDuration(d time.Duration) Option {
	return func(o *emulator.Options) { o.AsyncDuration = d }
}

// WithClock sets the server's clock (default time.Now), for tests that
// drive time themselves.
func WithClock(now func() time.Time) Option { return func(o *emulator.Options) { o.Clock = now } }

// Start starts a server. Close it when done. In a test, NewServer does both.
func Start(opts ...Option) (*Server, error) {
	var o emulator.Options
	for _, f := range opts {
		f(&o)
	}
	srv, err := emulator.Start(o)
	if err != nil {
		return nil, fmt.Errorf("foundationtest: start: %w", err)
	}
	return &Server{URL: srv.URL, srv: srv}, nil
}

// NewServer starts a server for t and closes it when t ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// ManagementAccountID returns the management account's ID.
func (s *Server) ManagementAccountID() string { return s.srv.ManagementAccountID() }

// Config returns an aws.Config whose clients call the server with static
// fake credentials, acting as the root user of accountID, or of the
// management account when accountID is omitted. It never reads the
// machine's AWS configuration. S3 clients built from it need path-style
// addressing (s3.Options.UsePathStyle).
func (s *Server) Config(accountID ...string) aws.Config {
	key := "AKIAFOUNDATIONTESTKIT"
	if len(accountID) > 0 && accountID[0] != "" {
		key = accountID[0] // the emulator maps a 12-digit access key to that account
	}
	return aws.Config{
		Region:       Region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, "")),
		BaseEndpoint: aws.String(s.URL),
		// What config.LoadDefaultConfig sets, so the server sees what AWS sees.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
}

// AddAccount creates a member account that Config(id) acts in, with an
// access role named roleName (OrganizationAccountAccessRole when empty)
// that the management account can assume, as AWS Organizations'
// CreateAccount makes. Accounts an organization creates through the API
// need no AddAccount.
func (s *Server) AddAccount(id, roleName string) error {
	if roleName == "" {
		roleName = "OrganizationAccountAccessRole"
	}
	return s.srv.AddMemberAccount(id, roleName)
}

// EnableIdentityCenter enables the organization instance of IAM Identity
// Center (the console step), once the management account has an
// organization.
func (s *Server) EnableIdentityCenter() (instanceARN, identityStoreID string, err error) {
	return s.srv.EnableIdentityCenter()
}

// SeedRootCredentials gives the root user of an account a console
// password (when password is true) and the given numbers of access keys,
// MFA devices and signing certificates, as the account's owner would by
// signing in as the root user (no API can): the state that
// organizations.EnsureNoRootCredentials removes.
func (s *Server) SeedRootCredentials(accountID string, password bool, accessKeys, mfaDevices, signingCertificates int) error {
	return s.srv.SeedRootCredentials(accountID, emulator.RootCredentials{Password: password, AccessKeys: accessKeys,
		MFADevices: mfaDevices, SigningCertificates: signingCertificates})
}

// Snapshot returns the server's whole state as canonical JSON: equal states
// give equal bytes, whatever the order of the calls that made them.
func (s *Server) Snapshot() ([]byte, error) { return s.srv.Snapshot() }

// Reset empties the server, as if it had just started.
func (s *Server) Reset() error { return s.srv.Reset() }

// Call is one request the server answered.
type Call struct {
	Service   string // SigV4 signing name: "s3", "iam", "organizations"
	Operation string // "PutBucketVersioning"
	Account   string // the account the call acted in
	Mutating  bool   // whether the operation changes state (whether or not it succeeded)
	Status    int    // HTTP status returned
	ErrorCode string // AWS error code, "" on success
}

func (c Call) String() string {
	s := c.Service + ":" + c.Operation
	if c.ErrorCode != "" {
		s += " (" + c.ErrorCode + ")"
	}
	return s
}

// Mark returns the number of calls answered so far; CallsSince(mark) are
// the calls after it.
func (s *Server) Mark() int { return s.srv.CallCount() }

// Calls returns every call the server answered.
func (s *Server) Calls() []Call { return s.CallsSince(0) }

// CallsSince returns the calls answered after mark.
func (s *Server) CallsSince(mark int) []Call {
	var out []Call
	for _, c := range s.srv.CallsSince(mark) {
		out = append(out, Call{Service: c.Service, Operation: c.Operation, Account: c.Account, Mutating: c.Mutating,
			Status: c.Status, ErrorCode: c.ErrorCode})
	}
	return out
}

// MutatingCallsSince returns the calls after mark that change state.
func (s *Server) MutatingCallsSince(mark int) []Call {
	var out []Call
	for _, c := range s.CallsSince(mark) {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// RequireIdempotent runs run twice: the first run converges, the second
// must make no mutating call. It fails t, listing the calls, when the
// second run changed anything or either run returned an error.
func (s *Server) RequireIdempotent(t testing.TB, run func() error) {
	t.Helper()
	if err := run(); err != nil {
		t.Fatalf("foundationtest: first run: %v", err)
	}
	s.RequireNoMutations(t, run)
}

// RequireNoMutations fails t if run returns an error or makes a mutating
// call: for a run on converged state, or a dry run.
func (s *Server) RequireNoMutations(t testing.TB, run func() error) {
	t.Helper()
	mark := s.Mark()
	if err := run(); err != nil {
		t.Fatalf("foundationtest: run: %v", err)
	}
	if m := s.MutatingCallsSince(mark); len(m) > 0 {
		t.Fatalf("foundationtest: expected no mutating calls, got %d: %s", len(m), list(m))
	}
}

// RequireNoCalls fails t if run makes any call at all: for input that must
// be refused before anything is sent. run's own error is its business.
func (s *Server) RequireNoCalls(t testing.TB, run func()) {
	t.Helper()
	mark := s.Mark()
	run()
	if c := s.CallsSince(mark); len(c) > 0 {
		t.Fatalf("foundationtest: expected no calls, got %d: %s", len(c), list(c))
	}
}

func list(cs []Call) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}
