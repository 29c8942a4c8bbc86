package awstest

import (
	"context"
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
	"github.com/awsfoundation/foundation/internal/emulator"
)

// Environment variables that choose and configure the backend.
const (
	EnvEndpoint        = "FOUNDATION_TEST_ENDPOINT"
	EnvAllowRemote     = "FOUNDATION_TEST_ALLOW_REMOTE"
	EnvLocalStack      = "FOUNDATION_TEST_LOCALSTACK"
	EnvLocalStackImage = "FOUNDATION_TEST_LOCALSTACK_IMAGE"
	EnvLocalStackToken = "LOCALSTACK_AUTH_TOKEN"
)

// Kinds of backend.
const (
	KindEmulator   = "emulator"
	KindEndpoint   = "endpoint"
	KindLocalStack = "localstack"
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
	// Kind is KindEmulator, KindEndpoint or KindLocalStack.
	Kind string
	// Endpoint is the base URL clients use.
	Endpoint string
	// Region is the clients' region.
	Region string
	// Emulator is the in-process emulator, nil on other backends.
	Emulator *emulator.Emulator

	rec *Recorder
	seq atomic.Int64
	id  string
}

// Option configures New.
type Option func(*config)

type config struct {
	region string
	emu    emulator.Options
}

// WithRegion sets the clients' region (default us-east-1).
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithEmulatorOptions sets the options of the in-process emulator.
func WithEmulatorOptions(o emulator.Options) Option { return func(c *config) { c.emu = o } }

var runID = fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)

// New returns a backend for one test, chosen by the environment: a fresh
// in-process emulator by default, FOUNDATION_TEST_ENDPOINT, or a LocalStack
// container when FOUNDATION_TEST_LOCALSTACK=1. Resources are cleaned up with
// the test.
func New(t testing.TB, opts ...Option) *Backend {
	t.Helper()
	c := config{region: DefaultRegion}
	for _, o := range opts {
		o(&c)
	}
	b := &Backend{Region: c.region, rec: &Recorder{}, id: runID}
	switch {
	case os.Getenv(EnvLocalStack) == "1":
		b.Kind, b.Endpoint = KindLocalStack, localStackEndpoint(t)
	case os.Getenv(EnvEndpoint) != "":
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
		b.Kind, b.Endpoint, b.Emulator = KindEmulator, srv.URL, srv.Emulator
		b.id = "" // a fresh emulator needs no unique suffixes
	}
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
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s=%q: not a loopback address; set %s=1 to allow it", EnvEndpoint, ep, EnvAllowRemote)
}

// RequireEmulator skips the test unless the backend is the in-process
// emulator (fault injection, snapshots and the call log need it).
func (b *Backend) RequireEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	if b.Emulator == nil {
		t.Skipf("awstest: needs the in-process emulator (backend is %s); unset %s and %s", b.Kind, EnvEndpoint, EnvLocalStack)
	}
	return b.Emulator
}

// Unique returns prefix made unique for this test run on shared backends
// (an endpoint or LocalStack); on a fresh emulator it returns prefix plus a
// counter, so names and snapshots are reproducible.
func (b *Backend) Unique(prefix string) string {
	n := b.seq.Add(1)
	if b.id == "" {
		return fmt.Sprintf("%s-%d", prefix, n)
	}
	return fmt.Sprintf("%s-%s-%d", prefix, b.id, n)
}

// Config returns an aws.Config for the management account: static fake
// credentials, the backend's endpoint, a fast retryer and the call recorder.
func (b *Backend) Config() aws.Config { return b.config(AccessKeyID, SecretAccessKey, "") }

// ConfigFor returns an aws.Config that acts as the root user of accountID.
// The emulator (like LocalStack) maps a 12-digit access key to that account.
func (b *Backend) ConfigFor(accountID string) aws.Config {
	return b.config(accountID, SecretAccessKey, "")
}

func (b *Backend) config(ak, sk, token string) aws.Config {
	cfg := aws.Config{
		Region:       b.Region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(ak, sk, token)),
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
	b.rec.Install(&cfg)
	return cfg
}

// S3 returns a path-style S3 client for cfg (the management account when
// cfg is omitted).
func (b *Backend) S3(cfg ...aws.Config) *s3.Client {
	return s3.NewFromConfig(b.pick(cfg), func(o *s3.Options) { o.UsePathStyle = true })
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
// mark, by the clients' record and, on the emulator, by its own call log.
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
// reports changes or makes a mutating call. run returns the changes it
// reported. Use it after a first run has converged.
func (b *Backend) RequireIdempotent(t testing.TB, run func() ([]foundation.Change, error)) {
	t.Helper()
	for i := 0; i < 2; i++ {
		mark := b.Mark()
		emuMark := 0
		if b.Emulator != nil {
			emuMark = b.Emulator.CallCount()
		}
		changes, err := run()
		if err != nil {
			t.Fatalf("awstest: converged run %d: %v", i+1, err)
		}
		if len(changes) > 0 {
			t.Fatalf("awstest: converged run %d reported %d changes:\n%s", i+1, len(changes), foundation.Changes(changes))
		}
		b.RequireNoMutations(t, mark)
		if b.Emulator != nil {
			if m := b.Emulator.MutatingCallsSince(emuMark); len(m) > 0 {
				t.Fatalf("awstest: emulator saw %d mutating calls on converged run %d: %v", len(m), i+1, m)
			}
		}
	}
}

// FastOptions returns the foundation options tests use: short poll
// intervals, so async waits follow the emulator's state machine, not sleeps.
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
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "DecodeAuthorizationMessage":
		return false
	}
	return true
}
