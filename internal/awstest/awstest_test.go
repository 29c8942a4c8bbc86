package awstest

import (
	"context"
	"errors"
	"os"
	"testing"

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
	e := b.RequireEmulator(t, CapFaults)
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
	e := b.RequireEmulator(t, CapFaults)
	require.NoError(t, e.AddAccount("333333333333"))
	out, err := b.STS(b.ConfigFor("333333333333")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "333333333333", aws.ToString(out.Account))
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
	failed bool
}

func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeT) Helper()               {}

func TestUniqueNames(t *testing.T) {
	b := New(t)
	require.NotEqual(t, b.Unique("state"), b.Unique("state"))
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
	t.Setenv(EnvLocalStack, "")
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
