package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/statebackend"
)

// The library's in-process emulator is internal to the main module, so the
// tests that call AWS use an endpoint someone runs, as the main module's
// suite does with FOUNDATION_TEST_ENDPOINT:
//
//	go run ./cmd/foundation-emulator &   # from the repository's root
//	cd examples/pulumi && FOUNDATION_TEST_ENDPOINT=http://127.0.0.1:4566 go test ./...

const project = "foundation-pulumi"

// testEndpoint returns FOUNDATION_TEST_ENDPOINT or skips the test. Like the
// main module's harness it refuses a non-loopback endpoint unless
// FOUNDATION_TEST_ALLOW_REMOTE=1.
func testEndpoint(t *testing.T) string {
	t.Helper()
	ep := os.Getenv("FOUNDATION_TEST_ENDPOINT")
	if ep == "" {
		t.Skip("FOUNDATION_TEST_ENDPOINT is not set: start an emulator (go run ./cmd/foundation-emulator from the repository's root) and set it to its URL")
	}
	u, err := url.Parse(ep)
	if err != nil || u.Hostname() == "" {
		t.Fatalf("FOUNDATION_TEST_ENDPOINT %q: not a URL", ep)
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) && os.Getenv("FOUNDATION_TEST_ALLOW_REMOTE") != "1" {
		t.Fatalf("FOUNDATION_TEST_ENDPOINT %q is not a loopback address: set FOUNDATION_TEST_ALLOW_REMOTE=1 to use it", ep)
	}
	return ep
}

// unique returns a suffix that keeps the names of one test run apart from
// those of earlier runs on the same emulator.
func unique(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func mutations(cs foundation.Changes) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func TestDefaultNames(t *testing.T) {
	for _, tc := range []struct{ name, bucket, alias string }{
		{"foundation-pulumi", "foundation-pulumi-tfstate-123456789012-us-east-1", "alias/foundation-pulumi-tfstate"},
		{"My_App.Infra", "my-app-infra-tfstate-123456789012-us-east-1", "alias/My_App-Infra-tfstate"},
		{"---", "foundation-tfstate-123456789012-us-east-1", "alias/foundation-tfstate"},
		{strings.Repeat("a-", 40), strings.Repeat("a-", 15) + "a-tfstate-123456789012-us-east-1", "alias/" + strings.Repeat("a-", 39) + "a-tfstate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bucket := defaultBucketName(tc.name, "123456789012", "us-east-1")
			if bucket != tc.bucket {
				t.Errorf("defaultBucketName = %q, want %q", bucket, tc.bucket)
			}
			alias := defaultKeyAlias(tc.name)
			if alias != tc.alias {
				t.Errorf("defaultKeyAlias = %q, want %q", alias, tc.alias)
			}
			// Whatever the project's name, the library accepts the names.
			if err := (statebackend.Spec{Bucket: bucket, Region: "us-east-1"}).Validate(); err != nil {
				t.Errorf("bucket %q: %v", bucket, err)
			}
			if err := (kms.Spec{Alias: alias, Policy: kms.KeyPolicy{AccountID: "123456789012"}}).Validate(); err != nil {
				t.Errorf("alias %q: %v", alias, err)
			}
		})
	}
	if got := defaultBucketName("x", "123456789012", "ap-southeast-2"); len(got) > 63 {
		t.Errorf("bucket %q is longer than 63", got)
	}
}

func TestExportsLeaveOutEmptyValues(t *testing.T) {
	got := exports(&Outputs{AccountID: "123456789012", Region: "us-east-1", Bucket: "b", BucketARN: "arn:aws:s3:::b",
		KeyAlias: "alias/k", Backend: "terraform {}\n"})
	want := []string{"accountId", "keyAlias", "region", "stateBucket", "stateBucketArn", "terraformBackend"}
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, want) {
		t.Errorf("exports = %v, want the keys %v", keys, want)
	}
}

// mocks stands in for the Pulumi engine and records the resources declared.
type mocks struct {
	mu    sync.Mutex
	types []string
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.types = append(m.types, args.TypeToken)
	return args.Name + "-id", args.Inputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

// runStack runs body as a stack with the configuration given, in preview
// when dryRun.
func runStack(m *mocks, cfg map[string]string, dryRun bool, body pulumi.RunFunc) error {
	return pulumi.RunErr(body, pulumi.WithMocks(project, "test", m), func(info *pulumi.RunInfo) {
		info.Config, info.DryRun = cfg, dryRun
	})
}

func TestSettingsFromConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     map[string]string
		want    Settings
		profile string
		err     string
	}{
		{name: "defaults", cfg: map[string]string{"aws:region": "eu-west-1"},
			want: Settings{Region: "eu-west-1", Name: project, Tags: map[string]string{"pulumi:project": project}}},
		{name: "everything", cfg: map[string]string{
			"aws:region": "us-east-1", "aws:profile": "prod",
			"foundation:endpoint": "http://127.0.0.1:4566", "foundation:bucket": "state", "foundation:stateKey": "app/terraform.tfstate",
			"foundation:lockTable": "locks", "foundation:keyAlias": "alias/state",
		}, profile: "prod", want: Settings{Region: "us-east-1", Endpoint: "http://127.0.0.1:4566", Name: project, Bucket: "state",
			StateKey: "app/terraform.tfstate", LockTable: "locks", KeyAlias: "alias/state", Tags: map[string]string{"pulumi:project": project}}},
		{name: "no region", cfg: map[string]string{}, err: "aws:region is not set"},
		{name: "bad endpoint", cfg: map[string]string{"aws:region": "us-east-1", "foundation:endpoint": "127.0.0.1:4566"}, err: "foundation:endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				got     Settings
				profile string
				err     error
			)
			runErr := runStack(&mocks{}, tc.cfg, true, func(ctx *pulumi.Context) error {
				got, profile, err = settingsFromConfig(ctx)
				return nil
			})
			if runErr != nil {
				t.Fatal(runErr)
			}
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if got.Region != tc.want.Region || got.Endpoint != tc.want.Endpoint || got.Name != tc.want.Name || got.Bucket != tc.want.Bucket ||
					got.StateKey != tc.want.StateKey || got.LockTable != tc.want.LockTable || got.KeyAlias != tc.want.KeyAlias ||
					got.Tags["pulumi:project"] != project || len(got.Tags) != 1 {
					t.Errorf("settings = %+v, want %+v", got, tc.want)
				}
				if profile != tc.profile {
					t.Errorf("profile = %q, want %q", profile, tc.profile)
				}
			}
		})
	}
}

// TestFoundationSetup runs the library part against FOUNDATION_TEST_ENDPOINT:
// a preview reads only and reports the changes, up converges, and both run
// again change nothing.
func TestFoundationSetup(t *testing.T) {
	ep := testEndpoint(t)
	ctx := context.Background()
	id := unique(t)
	for _, locking := range []string{"lockfile", "both"} {
		t.Run(locking, func(t *testing.T) {
			s := Settings{Region: "us-east-1", Endpoint: ep, Name: "pulumi-test-" + id + "-" + locking,
				Tags: map[string]string{"pulumi:project": project}}
			if locking == "both" {
				s.LockTable = "pulumi-test-" + id + "-locks"
			}
			cfg, err := loadAWSConfig(ctx, s, "")
			if err != nil {
				t.Fatal(err)
			}

			preview, err := foundationSetup(ctx, cfg, s, true)
			if err != nil {
				t.Fatal(err)
			}
			if preview.Changes.Empty() || preview.KeyARN != "" {
				t.Fatalf("first preview: changes %v, key ARN %q; want changes and no key yet", mutations(preview.Changes), preview.KeyARN)
			}
			again, err := foundationSetup(ctx, cfg, s, true)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(mutations(again.Changes), mutations(preview.Changes)) {
				t.Fatalf("the preview changed something: a second preview reports\n%v\nafter\n%v", again.Changes, preview.Changes)
			}

			up, err := foundationSetup(ctx, cfg, s, false)
			if err != nil {
				t.Fatal(err)
			}
			wantBucket := defaultBucketName(s.Name, up.AccountID, s.Region)
			switch {
			case up.Changes.Empty():
				t.Error("up made no change")
			case up.Bucket != wantBucket || preview.Bucket != wantBucket:
				t.Errorf("bucket = %q (preview %q), want %q derived from the account", up.Bucket, preview.Bucket, wantBucket)
			case up.KeyARN == "" || up.KeyID == "" || up.KeyAlias != defaultKeyAlias(s.Name) || up.KeyAliasARN == "":
				t.Errorf("key = %+v", up)
			case !strings.Contains(up.Backend, `kms_key_id`) || !strings.Contains(up.Backend, up.KeyARN) || !strings.Contains(up.Backend, wantBucket):
				t.Errorf("backend block does not name the bucket and the key ARN:\n%s", up.Backend)
			case locking == "both" && (up.LockTable != s.LockTable || up.LockTableARN == "" || !strings.Contains(up.Backend, "dynamodb_table")):
				t.Errorf("lock table = %q %q, backend:\n%s", up.LockTable, up.LockTableARN, up.Backend)
			case locking == "lockfile" && (up.LockTable != "" || strings.Contains(up.Backend, "dynamodb_table")):
				t.Errorf("lock table %q with the lock file only", up.LockTable)
			}

			for _, dryRun := range []bool{false, true} {
				next, err := foundationSetup(ctx, cfg, s, dryRun)
				if err != nil {
					t.Fatal(err)
				}
				if !next.Changes.Empty() {
					t.Errorf("run after up (dry run %v) reports changes:\n%v", dryRun, next.Changes)
				}
				if next.KeyARN != up.KeyARN || next.Backend != up.Backend {
					t.Errorf("run after up: key %q backend\n%s\nwant %q\n%s", next.KeyARN, next.Backend, up.KeyARN, up.Backend)
				}
			}
		})
	}
}

// TestFoundationSetupInvalidAlias checks that the library's validation
// reaches the program: a bad alias stops it before any write.
func TestFoundationSetupInvalidAlias(t *testing.T) {
	ep := testEndpoint(t)
	ctx := context.Background()
	s := Settings{Region: "us-east-1", Endpoint: ep, Name: "pulumi-test-" + unique(t), KeyAlias: "alias/aws/s3"}
	cfg, err := loadAWSConfig(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = foundationSetup(ctx, cfg, s, false)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Alias") {
		t.Fatalf("err = %v, want an invalid spec naming spec.Alias", err)
	}
}

// TestProgram runs the whole Pulumi program on a mocked engine against
// FOUNDATION_TEST_ENDPOINT: preview first (nothing is created), then up,
// each declaring the component.
func TestProgram(t *testing.T) {
	ep := testEndpoint(t)
	ctx := context.Background()
	id := unique(t)
	cfg := map[string]string{
		"aws:region":          "us-east-1",
		"foundation:endpoint": ep,
		"foundation:bucket":   "pulumi-program-" + id,
		"foundation:keyAlias": "alias/pulumi-program-" + id,
	}
	s := Settings{Region: "us-east-1", Endpoint: ep, Name: project, Bucket: cfg["foundation:bucket"], KeyAlias: cfg["foundation:keyAlias"],
		Tags: map[string]string{"pulumi:project": project}}
	awsCfg, err := loadAWSConfig(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}

	for _, dryRun := range []bool{true, false} {
		m := &mocks{}
		if err := runStack(m, cfg, dryRun, program); err != nil {
			t.Fatalf("program (dry run %v): %v", dryRun, err)
		}
		if !slices.Contains(m.types, StateBackendType) {
			t.Errorf("program (dry run %v) declared %v, want a %s", dryRun, m.types, StateBackendType)
		}
		left, err := foundationSetup(ctx, awsCfg, s, true)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case dryRun && left.Changes.Empty():
			t.Error("the preview created the backend or the key")
		case !dryRun && !left.Changes.Empty():
			t.Errorf("up left changes to make:\n%v", left.Changes)
		case !dryRun && left.Bucket != cfg["foundation:bucket"]:
			t.Errorf("bucket = %q", left.Bucket)
		}
	}
}
