package awstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// Environment variables that choose and configure the backend.
const (
	EnvEndpoint        = "FOUNDATION_TEST_ENDPOINT"
	EnvAllowRemote     = "FOUNDATION_TEST_ALLOW_REMOTE"
	EnvMoto            = "FOUNDATION_TEST_MOTO"
	EnvMotoServer      = "FOUNDATION_TEST_MOTO_SERVER" // the moto_server command (default: moto_server on PATH)
	EnvContainer       = "FOUNDATION_TEST_CONTAINER"
	EnvLocalStack      = "FOUNDATION_TEST_LOCALSTACK"
	EnvLocalStackImage = "FOUNDATION_TEST_LOCALSTACK_IMAGE"
	EnvLocalStackToken = "LOCALSTACK_AUTH_TOKEN"
	EnvAWS             = "FOUNDATION_TEST_AWS"
	EnvAWSAccount      = "FOUNDATION_TEST_AWS_ACCOUNT"
	EnvReport          = "FOUNDATION_TEST_REPORT" // a directory: every test process appends what it called there
)

// Kinds of backend.
const (
	KindEmulator   = "emulator"
	KindEndpoint   = "endpoint"
	KindMoto       = "moto"
	KindContainer  = "container"
	KindLocalStack = "localstack"
	KindAWS        = "aws"
)

// Static fake credentials: they act as the management account on the
// emulator. Never real ones.
const (
	AccessKeyID     = "AKIAFOUNDATIONTEST01"
	SecretAccessKey = "foundation-test-secret-access-key-not-real"
)

// DefaultRegion is the region test clients use unless told otherwise.
const DefaultRegion = "us-east-1"

// Backend is where a test's AWS calls go.
type Backend struct {
	// Kind is one of the Kind constants.
	Kind string
	// Endpoint is the base URL clients use ("" on real AWS).
	Endpoint string
	// Region is the clients' region.
	Region string

	emu  *emulator.Emulator // the in-process emulator; reach it through RequireEmulator
	caps map[Capability]bool
	rec  *Recorder
	base aws.Config // real AWS only: the credentials chain the user opted into
	acct struct {
		once sync.Once
		id   string
		err  error
	}
	fresh bool         // state was empty when the test started: names need no run suffix
	seq   atomic.Int64 // names of a fresh backend
}

// Option configures New.
type Option func(*config)

type config struct {
	region string
	emu    emulator.Options
}

// WithRegion sets the clients' region (default us-east-1).
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithEmulatorOptions sets the options of the in-process emulator. Other
// backends ignore them; a test that depends on an option asks for the
// capability it gives (CapEmulatorOptions).
func WithEmulatorOptions(o emulator.Options) Option { return func(c *config) { c.emu = o } }

// runID tells this test process's names apart from every other run's on a
// shared backend.
var runID = func() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// seq numbers the names of the whole process, so two tests (or two
// backends of one test) never share a name.
var seq atomic.Int64

// Selected returns the kind of backend the environment selects.
func Selected() string {
	switch {
	case os.Getenv(EnvAWS) == "1":
		return KindAWS
	case os.Getenv(EnvLocalStack) == "1":
		return KindLocalStack
	case os.Getenv(EnvContainer) == "1":
		return KindContainer
	case os.Getenv(EnvMoto) == "1":
		return KindMoto
	case os.Getenv(EnvEndpoint) != "":
		return KindEndpoint
	}
	return KindEmulator
}

// New returns a backend for one test, chosen by the environment:
//
//   - a fresh in-process emulator (the default);
//   - FOUNDATION_TEST_MOTO=1: a moto_server this process starts on a free
//     loopback port, reset before each test and stopped at exit;
//   - FOUNDATION_TEST_CONTAINER=1: the emulator's image, built from
//     cmd/foundation-emulator/Dockerfile and run with testcontainers-go,
//     reset before each test;
//   - FOUNDATION_TEST_ENDPOINT=URL: any AWS-compatible endpoint, shared and
//     never reset (loopback only unless FOUNDATION_TEST_ALLOW_REMOTE=1);
//   - FOUNDATION_TEST_LOCALSTACK=1: a LocalStack container, shared;
//   - FOUNDATION_TEST_AWS=1 with FOUNDATION_TEST_AWS_ACCOUNT: a sandbox AWS
//     account, with the machine's credentials, shared.
//
// Everything the test made is discarded with the test on the backends that
// reset; on shared ones names come from Unique.
func New(t testing.TB, opts ...Option) *Backend {
	t.Helper()
	c := config{region: DefaultRegion}
	for _, o := range opts {
		o(&c)
	}
	b := &Backend{Region: c.region, rec: &Recorder{}}
	switch kind := Selected(); kind {
	case KindAWS:
		b.Kind = KindAWS
		b.base = awsConfig(t, c.region)
	case KindLocalStack:
		b.Kind, b.Endpoint = KindLocalStack, localStackEndpoint(t)
	case KindContainer, KindMoto:
		b.Kind = kind
		b.Endpoint = lease(t, kind)
		b.fresh = true
	case KindEndpoint:
		ep := os.Getenv(EnvEndpoint)
		if err := checkEndpoint(ep, os.Getenv(EnvAllowRemote) == "1"); err != nil {
			t.Fatalf("awstest: %v", err)
		}
		b.Kind, b.Endpoint = KindEndpoint, ep
	default:
		srv, err := emulator.Start(c.emu)
		if err != nil {
			t.Fatalf("awstest: start emulator: %v", err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		b.Kind, b.Endpoint, b.emu = KindEmulator, srv.URL, srv.Emulator
		b.fresh = true
	}
	b.caps = capabilities[b.Kind]
	report.register(t, b)
	return b
}

// checkEndpoint refuses anything but a loopback http(s) endpoint unless
// allowRemote is set, so a stray variable cannot point the suite at a real
// account.
func checkEndpoint(ep string, allowRemote bool) error {
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s=%q: must be an http(s) URL", EnvEndpoint, ep)
	}
	if allowRemote {
		return nil
	}
	if isLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s=%q: not a loopback address; set %s=1 to allow it", EnvEndpoint, ep, EnvAllowRemote)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RequireEmulator skips the test unless the backend is the in-process
// emulator, naming the capability the test needs it for (faults, snapshots,
// its clock, state only it can set up). It is the only way to the emulator.
func (b *Backend) RequireEmulator(t testing.TB, need Capability) *emulator.Emulator {
	t.Helper()
	if b.emu == nil {
		t.Skipf("awstest: needs %s: only the in-process emulator has it (backend is %s)", need, b.Kind)
	}
	return b.emu
}

// Unique returns prefix made unique for this test process and run: the
// process's random run ID and a counter shared by every test and backend
// of the process. On a backend that starts empty (the emulator, moto, the
// container) nothing else can collide: the name is prefix and this
// backend's own counter, so names and snapshots are reproducible. Keep prefix short: the suffix
// adds up to 12 characters.
func (b *Backend) Unique(prefix string) string {
	if b.fresh {
		return fmt.Sprintf("%s-%d", prefix, b.seq.Add(1))
	}
	return fmt.Sprintf("%s-%s-%d", prefix, runID, seq.Add(1))
}

// RunID is this process's run ID: on shared backends every name from
// Unique carries it, and the sweep command finds leftovers by it.
func RunID() string { return runID }

// AccountID returns the account the backend's management credentials act
// in, from sts:GetCallerIdentity (never a constant: moto and the emulator
// use 123456789012, LocalStack 000000000000).
func (b *Backend) AccountID(t testing.TB) string {
	t.Helper()
	b.acct.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := sts.NewFromConfig(b.Config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			b.acct.err = err
			return
		}
		b.acct.id = aws.ToString(out.Account)
	})
	if b.acct.err != nil {
		t.Fatalf("awstest: sts:GetCallerIdentity: %v", b.acct.err)
	}
	return b.acct.id
}

// Config returns an aws.Config for the management account: static fake
// credentials, the backend's endpoint, a fast retryer and the call recorder.
func (b *Backend) Config() aws.Config {
	if b.Kind == KindAWS {
		return b.finish(b.base.Copy())
	}
	return b.config(credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""))
}

// ConfigFor returns an aws.Config that acts in accountID. On the emulator a
// 12-digit access key acts as that account's root user; elsewhere the
// management account assumes the account's OrganizationAccountAccessRole,
// as an operator would.
func (b *Backend) ConfigFor(accountID string) aws.Config {
	switch b.Kind {
	case KindEmulator, KindContainer:
		return b.config(credentials.NewStaticCredentialsProvider(accountID, SecretAccessKey, ""))
	}
	mgmt := b.Config()
	cfg := mgmt.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscredsProvider(sts.NewFromConfig(mgmt),
		fmt.Sprintf("arn:%s:iam::%s:role/OrganizationAccountAccessRole", awsrules.Partition(b.Region), accountID)))
	return cfg
}

func (b *Backend) config(creds aws.CredentialsProvider) aws.Config {
	cfg := aws.Config{
		Region:       b.Region,
		Credentials:  aws.NewCredentialsCache(creds),
		BaseEndpoint: aws.String(b.Endpoint),
		// What config.LoadDefaultConfig sets: request checksums (CRC32,
		// aws-chunked trailers) as real programs send them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 5
				o.MaxBackoff = 20 * time.Millisecond
			})
		},
	}
	return b.finish(cfg)
}

func (b *Backend) finish(cfg aws.Config) aws.Config {
	b.rec.Install(&cfg)
	return cfg
}

// S3 returns a path-style S3 client for cfg (the management account when
// cfg is omitted).
func (b *Backend) S3(cfg ...aws.Config) *s3.Client {
	return s3.NewFromConfig(b.pick(cfg), func(o *s3.Options) { o.UsePathStyle = b.Kind != KindAWS })
}

// DynamoDB returns a DynamoDB client for cfg (the management account when omitted).
func (b *Backend) DynamoDB(cfg ...aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(b.pick(cfg))
}

// Organizations returns an Organizations client for cfg (the management
// account when omitted).
func (b *Backend) Organizations(cfg ...aws.Config) *organizations.Client {
	return organizations.NewFromConfig(b.pick(cfg))
}

// STS returns an STS client for cfg (the management account when omitted).
func (b *Backend) STS(cfg ...aws.Config) *sts.Client { return sts.NewFromConfig(b.pick(cfg)) }

func (b *Backend) pick(cfg []aws.Config) aws.Config {
	if len(cfg) > 0 {
		return cfg[0]
	}
	return b.Config()
}

// Recorder returns the recorder every client of this backend reports to.
func (b *Backend) Recorder() *Recorder { return b.rec }

// Mark returns the number of calls recorded so far.
func (b *Backend) Mark() int { return b.rec.Len() }

// Calls returns the calls recorded after mark.
func (b *Backend) Calls(mark int) []Call { return b.rec.Since(mark) }

// MutatingCalls returns the mutating calls recorded after mark.
func (b *Backend) MutatingCalls(mark int) []Call {
	var out []Call
	for _, c := range b.rec.Since(mark) {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// RequireNoMutations fails the test if any mutating call was made after
// mark, by the clients' record.
func (b *Backend) RequireNoMutations(t testing.TB, mark int) {
	t.Helper()
	if m := b.MutatingCalls(mark); len(m) > 0 {
		t.Fatalf("awstest: expected no mutating calls, got %d: %v", len(m), m)
	}
}

// RequireNoCalls fails the test if any call at all was made after mark
// (for invalid input, which must be rejected before any call).
func (b *Backend) RequireNoCalls(t testing.TB, mark int) {
	t.Helper()
	if c := b.Calls(mark); len(c) > 0 {
		t.Fatalf("awstest: expected no calls, got %d: %v", len(c), c)
	}
}

// RequireIdempotent runs run twice more and fails the test if either run
// reports changes or makes a mutating call (by the clients' record and, on
// the in-process emulator, by its own call log too). run returns the
// changes it reported. Use it after a first run has converged.
func (b *Backend) RequireIdempotent(t testing.TB, run func() ([]foundation.Change, error)) {
	t.Helper()
	for i := 0; i < 2; i++ {
		mark := b.Mark()
		emuMark := 0
		if b.emu != nil {
			emuMark = b.emu.CallCount()
		}
		changes, err := run()
		if err != nil {
			t.Fatalf("awstest: converged run %d: %v", i+1, err)
		}
		if len(changes) > 0 {
			t.Fatalf("awstest: converged run %d reported %d changes:\n%s", i+1, len(changes), foundation.Changes(changes))
		}
		b.RequireNoMutations(t, mark)
		if b.emu != nil {
			if m := b.emu.MutatingCallsSince(emuMark); len(m) > 0 {
				t.Fatalf("awstest: emulator saw %d mutating calls on converged run %d: %v", len(m), i+1, m)
			}
		}
	}
}

// FastOptions returns the foundation options tests use: short poll
// intervals, so async waits follow the backend's state machine, not sleeps.
func FastOptions() []foundation.Option {
	return []foundation.Option{
		foundation.WithPollInterval(5*time.Millisecond, 50*time.Millisecond),
		foundation.WithWaitTimeout(30 * time.Second),
	}
}

// Context returns a context that ends with the test or after d.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var localStack struct {
	once     sync.Once
	endpoint string
	skip     string
	err      error
}

// localStackEndpoint starts (once per test binary) a LocalStack container.
func localStackEndpoint(t testing.TB) string {
	t.Helper()
	localStack.once.Do(func() {
		localStack.endpoint, localStack.skip, localStack.err = startLocalStack()
	})
	if localStack.skip != "" {
		t.Skipf("awstest: %s=1 but %s", EnvLocalStack, localStack.skip)
	}
	if localStack.err != nil {
		t.Fatalf("awstest: start LocalStack: %v", localStack.err)
	}
	return localStack.endpoint
}

// IsMutating reports whether an operation changes state, judged by its
// name as AWS names operations: reads are Get*, Describe*, List*, Head*,
// plus a few known read-only verbs.
func IsMutating(service, operation string) bool {
	for _, p := range []string{"Get", "Describe", "List", "Head", "Lookup", "Search", "Scan", "Query", "BatchGet", "Select"} {
		if strings.HasPrefix(operation, p) {
			return false
		}
	}
	switch operation {
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "AssumeRoot", "DecodeAuthorizationMessage":
		return false
	}
	return true
}

// DecodePolicy undoes IAM's URL encoding of a policy document (the SDK
// returns documents as IAM sends them); a document that is already JSON is
// returned as it is.
func DecodePolicy(t testing.TB, s string) string {
	t.Helper()
	if strings.HasPrefix(s, "{") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatalf("awstest: decode policy %q: %v", s, err)
	}
	return u
}
