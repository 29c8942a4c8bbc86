package kittest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// HandMadeAccount makes, as a person in the console does (no tags), the
// organization if there is none and an account of name and email in it,
// and returns the account's ID.
func HandMadeAccount(t testing.TB, ctx context.Context, org *orgsdk.Client, name, email string) string {
	t.Helper()
	if _, err := org.DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{}); err != nil {
		_, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		require.NoError(t, err)
	}
	out, err := org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	require.NoError(t, err)
	for deadline := time.Now().Add(30 * time.Second); ; {
		st, err := org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		require.NoError(t, err)
		switch st.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			return aws.ToString(st.CreateAccountStatus.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("create account %s: %s", email, st.CreateAccountStatus.FailureReason)
		}
		require.True(t, time.Now().Before(deadline), "create account %s: still in progress", email)
		time.Sleep(5 * time.Millisecond)
	}
}

// Refusal is one run of RefusedUntilAdopted: the run must fail with an
// error matching foundation.ErrNotManaged and containing each of Want,
// refused by its plan (an *examplekit.PlanError) with no mutating call;
// Check (if any) then looks at the state and what the run printed, and
// Adopt returns the spec file's text with the key that adopts the refused
// resource.
type Refusal struct {
	Want  []string
	Check func(out string)
	Adopt func(text string) string
}

// RefusedUntilAdopted runs the program (with args, -once and -spec, the
// spec file text written as name) on b, which holds resources of the spec
// made outside the library, once per refusal, each refused as it says by
// the plan the run makes before it writes: the emulator sees no mutating
// call of the whole program, and an -out of args (a directory that does
// not exist yet) is not made. The file is changed by each refusal's
// Adopt; then the program with every key set must converge, and a rerun
// must report "Changed 0 resources" and make no mutating call the
// emulator sees. It returns the converging run's output.
func RefusedUntilAdopted(t *testing.T, b *awstest.Backend, run Main, name, text string, args []string, refusals ...Refusal) string {
	t.Helper()
	emu := b.RequireEmulator(t, awstest.CapServerCallLog)
	path := filepath.Join(t.TempDir(), name)
	args = append([]string{"-endpoint", b.Endpoint, "-once", "-spec", path}, args...)
	var out bytes.Buffer
	for _, r := range refusals {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		out.Reset()
		mark := emu.CallCount()
		err := run(context.Background(), args, &out)
		require.ErrorIs(t, err, foundation.ErrNotManaged, out.String())
		for _, w := range r.Want {
			require.ErrorContains(t, err, w)
		}
		var planned *examplekit.PlanError
		require.ErrorAs(t, err, &planned, "refused by the plan, before any write")
		require.Empty(t, emu.MutatingCallsSince(mark), "the refused run's writes")
		if i := slices.Index(args, "-out"); i >= 0 {
			require.NoDirExists(t, args[i+1], "the refused run's -out: the plan writes no local file")
		}
		require.NotContains(t, out.String(), "made before the failure")
		if r.Check != nil {
			r.Check(out.String())
		}
		text = r.Adopt(text)
	}
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	out.Reset()
	require.NoError(t, run(context.Background(), args, &out), out.String())
	converged := out.String()
	mark := emu.CallCount()
	out.Reset()
	require.NoError(t, run(context.Background(), args, &out), out.String())
	require.Contains(t, out.String(), "Changed 0 resources")
	require.Empty(t, emu.MutatingCallsSince(mark), "the rerun of the adopted spec")
	return converged
}
