package kittest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// Main is an example program's run function: its arguments, and where it
// prints its report.
type Main func(ctx context.Context, args []string, out io.Writer) error

// NewBackend returns the selected backend, its clients in region (""
// for awstest's default), and a context that ends with the test or after
// two minutes; it skips the test unless the backend has caps. On the
// in-process emulator Identity Center is enabled along with the
// organization (a console step on AWS, what the programs' embedded
// emulator does too).
func NewBackend(t testing.TB, region string, caps ...awstest.Capability) (*awstest.Backend, context.Context) {
	t.Helper()
	opts := []awstest.Option{awstest.WithEmulatorOptions(emulator.Options{IdentityCenter: true})}
	if region != "" {
		opts = append(opts, awstest.WithRegion(region))
	}
	b := awstest.New(t, opts...)
	if len(caps) > 0 {
		b.Require(t, caps...)
	}
	return b, awstest.Context(t, 2*time.Minute)
}

// Config acts in account id: the management account's (mgmtID) own
// config, or the backend's for a member.
func Config(b *awstest.Backend, mgmtID, id string) aws.Config {
	if id == mgmtID {
		return b.Config()
	}
	return b.ConfigFor(id)
}

// Listed returns every change of a Converge's report: parts in order, then
// each account's in accounts (which may be nil). It fails when the report's
// Count is not the number listed.
func Listed(r interface{ Count() int }, accounts *organizations.Summary, parts ...foundation.Changes) (foundation.Changes, error) {
	var cs foundation.Changes
	for _, p := range parts {
		cs = append(cs, p...)
	}
	if accounts != nil {
		for _, a := range accounts.Results {
			cs = append(cs, a.Changes...)
		}
	}
	if n := r.Count(); n != len(cs) {
		return nil, fmt.Errorf("Count() = %d, but %d changes listed", n, len(cs))
	}
	return cs, nil
}

// Program is an example program under test on a backend.
type Program struct {
	B *awstest.Backend
	// Run runs the program once (-once) against B, with args added
	// ("-dry-run", or the example's own), and prints its report to out.
	Run func(ctx context.Context, out io.Writer, args ...string) error
	// Converge runs the example's Converge with B's recorded clients and
	// returns every change it reported.
	Converge func(ctx context.Context, opts ...foundation.Option) (foundation.Changes, error)
}

// RunWith returns a Program's Run that runs the program with base's
// arguments, then the call's.
func RunWith(run Main, base ...string) func(ctx context.Context, out io.Writer, args ...string) error {
	return func(ctx context.Context, out io.Writer, args ...string) error {
		return run(ctx, append(append([]string{}, base...), args...), out)
	}
}

// DryRunFresh runs the program with -dry-run on a fresh backend, which
// must plan to create the organization, then Converge as a dry run, and
// requires that neither made a mutating call:
// with the test's recorded clients, nor any call the emulator saw (where
// the backend logs its calls). Converge must plan changes; it returns the
// program's output and what Converge planned.
func (p Program) DryRunFresh(t testing.TB, ctx context.Context) (string, foundation.Changes) {
	t.Helper()
	emu := p.B.EmulatorFor(awstest.CapServerCallLog) // the program's own calls, where the server logs them
	mark := p.B.Mark()
	var out bytes.Buffer
	require.NoError(t, p.Run(ctx, &out, "-dry-run"), out.String())
	require.Contains(t, out.String(), "create organizations:organization")
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(0))
		t.Logf("dry run on a fresh emulator: %d calls", emu.CallCount())
	}
	planned, err := p.Converge(ctx, foundation.WithDryRun(true))
	require.NoError(t, err)
	require.NotEmpty(t, planned)
	p.B.RequireNoMutations(t, mark)
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(0))
	}
	return out.String(), planned
}

// DryRunAfterRun runs the program for real, then with -dry-run: it must
// report "Would change 0 resources", Converge as a dry run must plan
// nothing, and neither (nor also, run after the program's dry run) may
// make a mutating call. It returns the dry run's output.
func (p Program) DryRunAfterRun(t testing.TB, ctx context.Context, also ...func()) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, p.Run(ctx, &out), out.String())
	emu := p.B.EmulatorFor(awstest.CapServerCallLog)
	emuMark := 0
	if emu != nil {
		emuMark = emu.CallCount()
	}
	mark := p.B.Mark()
	out.Reset()
	require.NoError(t, p.Run(ctx, &out, "-dry-run"), out.String())
	require.Contains(t, out.String(), "Would change 0 resources")
	for _, f := range also {
		f()
	}
	planned, err := p.Converge(ctx, foundation.WithDryRun(true))
	require.NoError(t, err)
	require.Empty(t, planned)
	p.B.RequireNoMutations(t, mark)
	if emu != nil {
		require.Empty(t, emu.MutatingCallsSince(emuMark))
	}
	return out.String()
}

// SecondRunIsNoop runs the program again (with args added): it must
// report "Changed 0 resources"; then two runs of Converge with the test's
// recorded clients must make no mutating call (awstest's
// RequireIdempotent). It returns the program's output.
func (p Program) SecondRunIsNoop(t testing.TB, ctx context.Context, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, p.Run(ctx, &out, args...), out.String())
	require.Contains(t, out.String(), "Changed 0 resources")
	p.B.RequireIdempotent(t, func() ([]foundation.Change, error) { return p.Converge(ctx) })
	return out.String()
}

// EmbeddedRunsTwice runs the program with args and no -endpoint, on the
// emulator it embeds: it must converge, and converge again with no change.
// It returns the program's output.
func EmbeddedRunsTwice(t testing.TB, run Main, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out), out.String())
	require.Contains(t, out.String(), "Embedded AWS emulator")
	require.Contains(t, out.String(), "Second run: no changes.")
	return out.String()
}

// flagErrors are the refusals every example makes, each the arguments by
// a part of the error: real AWS without -yes, or without -email; -aws with
// -endpoint; an -email that is not a plain address; an argument that is
// not a flag.
var flagErrors = map[string][]string{
	"-yes":                 {"-aws"},
	"-email":               {"-aws", "-yes"},
	"exclude":              {"-aws", "-endpoint", "http://127.0.0.1:1"},
	"plain email":          {"-email", "Me <me@example.com>"},
	"unexpected arguments": {"extra"},
}

// RequireFlagErrors runs the program with the arguments every example
// refuses, and with each of more's: each must fail with an error
// containing its key, before any call to AWS. It returns what the runs
// printed.
func RequireFlagErrors(t testing.TB, run Main, more map[string][]string) string {
	t.Helper()
	var out bytes.Buffer
	for _, cases := range []map[string][]string{flagErrors, more} {
		for want, args := range cases {
			require.ErrorContains(t, run(context.Background(), args, &out), want, args)
		}
	}
	require.NotContains(t, out.String(), "Real AWS", "no AWS call may be made before the flags are right")
	return out.String()
}
