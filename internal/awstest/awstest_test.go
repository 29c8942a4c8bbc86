package awstest

import (
	"context"
	"errors"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
)

func TestCheckEndpoint(t *testing.T) {
	for _, ep := range []string{"http://127.0.0.1:4566", "http://localhost:4566", "https://[::1]:8443", "http://127.9.9.9"} {
		require.NoError(t, checkEndpoint(ep, false), ep)
	}
	for _, ep := range []string{"http://10.0.0.5:4566", "https://s3.amazonaws.com", "http://192.168.1.2", "ftp://127.0.0.1", "127.0.0.1:4566", ""} {
		require.Error(t, checkEndpoint(ep, false), ep)
	}
	require.NoError(t, checkEndpoint("https://emulator.example.internal", true))
	require.Error(t, checkEndpoint("not a url", true))
}

func TestIsMutating(t *testing.T) {
	for _, op := range []string{"GetBucketPolicy", "DescribeTable", "ListBuckets", "HeadBucket", "AssumeRole", "GetCallerIdentity"} {
		require.False(t, IsMutating("x", op), op)
	}
	for _, op := range []string{"CreateBucket", "PutBucketPolicy", "UpdateTable", "DeleteItem", "TagResource"} {
		require.True(t, IsMutating("x", op), op)
	}
}

func TestRecorderSeesWhatTheEmulatorSees(t *testing.T) {
	b := New(t)
	e := b.RequireEmulator(t, CapServerCallLog)
	ctx := context.Background()
	mark, emuMark := b.Mark(), e.CallCount()
	for i := 0; i < 3; i++ {
		out, err := b.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		require.NoError(t, err)
		require.Equal(t, e.ManagementAccountID(), aws.ToString(out.Account))
	}
	calls := b.Calls(mark)
	require.Len(t, calls, 3)
	require.Equal(t, "STS", calls[0].Service)
	require.Equal(t, "GetCallerIdentity", calls[0].Operation)
	require.False(t, calls[0].Mutating)
	require.Len(t, e.CallsSince(emuMark), 3)
	b.RequireNoMutations(t, mark)
}

func TestConfigForActsInAccount(t *testing.T) {
	b := New(t)
	b.Require(t, CapMemberAccounts)
	ctx := Context(t, time.Minute)
	member := b.MemberAccount(ctx, t, "member")
	out, err := b.STS(b.ConfigFor(member)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, member, aws.ToString(out.Account))
	require.NotEqual(t, b.AccountID(t), member)
}

func TestRequireIdempotentCatchesChanges(t *testing.T) {
	b := New(t)
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		b.RequireIdempotent(ft, func() ([]foundation.Change, error) {
			return []foundation.Change{{Action: foundation.ActionUpdate, Resource: "s3:bucket-versioning", ID: "b"}}, nil
		})
	}()
	require.True(t, ft.failed, "a run that reports changes must fail the no-op assertion")

	ft = &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		b.RequireIdempotent(ft, func() ([]foundation.Change, error) { return nil, errors.New("boom") })
	}()
	require.True(t, ft.failed)

	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return nil, nil })
}

// fakeT records a fatal failure instead of stopping the real test.
type fakeT struct {
	testing.TB
	failed  bool
	skipped string
}

// skipOf returns why f skipped, or "".
func skipOf(t testing.TB, f func(ft *fakeT)) string {
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		f(ft)
	}()
	return ft.skipped
}

func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeT) Helper()               {}
func (f *fakeT) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	panic("skip")
}

func TestUniqueNames(t *testing.T) {
	b := New(t)
	require.NotEqual(t, b.Unique("state"), b.Unique("state"))

	// On shared backends names carry the run ID and one counter for the
	// whole process, so two tests (two backends) never share a name.
	s1, s2 := &Backend{Kind: KindEndpoint}, &Backend{Kind: KindEndpoint}
	n1, n2 := s1.Unique("state"), s2.Unique("state")
	require.NotEqual(t, n1, n2)
	require.Contains(t, n1, runID)
	// Fresh backends repeat names from one test to the next: reproducible.
	f1, f2 := &Backend{Kind: KindEmulator, fresh: true}, &Backend{Kind: KindEmulator, fresh: true}
	require.Equal(t, f1.Unique("state"), f2.Unique("state"))
}

func TestAccountIDComesFromSTS(t *testing.T) {
	b := New(t)
	id := b.AccountID(t)
	require.Regexp(t, `^[0-9]{12}$`, id)
	out, err := b.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(out.Account), id)
}

func TestCapabilitiesAndGapsSkipNamingThem(t *testing.T) {
	moto := &Backend{Kind: KindMoto, caps: capabilities[KindMoto]}
	why := skipOf(t, func(ft *fakeT) { moto.Require(ft, CapFaults) })
	require.Contains(t, why, string(CapFaults))
	require.Contains(t, why, "moto")
	require.Empty(t, skipOf(t, func(ft *fakeT) { moto.Require(ft, CapFreshState) }))
	why = skipOf(t, func(ft *fakeT) { moto.RequireEmulator(ft, CapSnapshot) })
	require.Contains(t, why, string(CapSnapshot))

	why = skipOf(t, func(ft *fakeT) { moto.Need(ft, SSOGetPermissionsBoundary) })
	require.Contains(t, why, "GetPermissionsBoundaryForPermissionSet")
	require.Contains(t, why, MotoVersion)
	require.True(t, moto.Lacks(SSOGetPermissionsBoundary))

	emu := &Backend{Kind: KindEmulator, caps: capabilities[KindEmulator]}
	require.Empty(t, skipOf(t, func(ft *fakeT) { emu.Need(ft, SSOGetPermissionsBoundary) }))
	require.False(t, emu.Lacks(SSOGetPermissionsBoundary))
	for kind, caps := range capabilities {
		if kind != KindEmulator {
			for c := range caps {
				require.True(t, capabilities[KindEmulator][c], "%s has %s but the emulator does not", kind, c)
			}
		}
	}
}

func TestEveryGapNamesItsBackendAndBehaviour(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range Gaps {
		require.Contains(t, capabilities, g.Backend, g.String())
		require.NotEmpty(t, g.Version, g.String())
		require.NotEmpty(t, g.AWS, g.String())
		require.NotEmpty(t, g.Does, g.String())
		key := g.Backend + string(g.Behaviour)
		require.False(t, seen[key], "listed twice: %s", g)
		seen[key] = true
	}
}

// Each test on a backend that resets starts empty, whatever the test
// before it made.
func TestFreshBackendsStartEmpty(t *testing.T) {
	probe := New(t)
	probe.Require(t, CapFreshState)
	ctx := Context(t, time.Minute)
	var s Subtests
	for i := 0; i < 2; i++ {
		s.Run(t, fmt.Sprint("run", i), func(t *testing.T) {
			b := New(t)
			out, err := b.S3().ListBuckets(ctx, &s3.ListBucketsInput{})
			require.NoError(t, err)
			require.Empty(t, out.Buckets, "the backend kept another test's buckets")
			_, err = b.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Unique("fresh"))})
			require.NoError(t, err)
		})
	}
	s.Done(t)
}

func TestSubtestsThatAllSkipSkipTheirParent(t *testing.T) {
	var s Subtests
	reached := false
	t.Run("parent", func(t *testing.T) {
		s.Run(t, "a", func(t *testing.T) { t.Skip("no") })
		s.Run(t, "b", func(t *testing.T) { t.Skip("no") })
		s.Done(t)
		reached = true // not reached: Done skips
	})
	t.Run("check", func(t *testing.T) {
		require.False(t, reached, "a parent whose subtests all skipped must skip")
	})
}

func TestLocalStackSkipsWithoutDocker(t *testing.T) {
	if os.Getenv(EnvLocalStack) != "1" {
		t.Skipf("set %s=1 to run against LocalStack (needs Docker)", EnvLocalStack)
	}
	b := New(t) // skips, naming what is missing, when there is no Docker
	require.Equal(t, KindLocalStack, b.Kind)
	_, err := b.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
}

func TestEndpointBackend(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	for _, v := range []string{EnvLocalStack, EnvMoto, EnvContainer, EnvAWS} {
		t.Setenv(v, "")
	}
	t.Setenv(EnvEndpoint, srv.URL)
	b := New(t)
	require.Equal(t, KindEndpoint, b.Kind)
	require.Nil(t, b.emu)
	require.Contains(t, b.Unique("state"), runID, "names on a shared endpoint are unique per run")
	mark := b.Mark()
	_, err = b.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Len(t, b.Calls(mark), 1, "the recorder counts calls on any backend")
	require.Equal(t, 1, srv.CallCount())

	t.Setenv(EnvEndpoint, "http://10.1.2.3:4566")
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		New(ft)
	}()
	require.True(t, ft.failed, "a non-loopback endpoint is refused")
}
