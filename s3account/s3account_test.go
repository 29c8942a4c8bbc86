package s3account_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/s3account"
)

// client returns an S3 Control client for the backend's management account.
// Every backend but AWS itself is addressed as it is (LiteralEndpoint).
func client(b *awstest.Backend) *s3control.Client {
	var opts []func(*s3control.Options)
	if b.Kind != awstest.KindAWS {
		opts = append(opts, s3account.LiteralEndpoint)
	}
	return s3control.NewFromConfig(b.Config(), opts...)
}

// read returns the account's configuration as S3 Control reports it, nil
// when there is none.
func read(t *testing.T, b *awstest.Backend, api *s3control.Client, account string) *types.PublicAccessBlockConfiguration {
	t.Helper()
	out, err := api.GetPublicAccessBlock(awstest.Context(t, 30*time.Second), &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	var none *types.NoSuchPublicAccessBlockConfiguration
	if errors.As(err, &none) {
		return nil
	}
	require.NoError(t, err)
	return out.PublicAccessBlockConfiguration
}

func allOn() *types.PublicAccessBlockConfiguration {
	return &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
}

// Converges an account without a configuration to all four settings on,
// reads it back, and a rerun makes no mutating call.
func TestEnsurePublicAccessBlockConverges(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the setting is the account's: never on a shared account
	ctx := awstest.Context(t, time.Minute)
	api := client(b)
	account := b.AccountID(t)
	require.Nil(t, read(t, b, api, account), "a fresh account has no account-level public access block")

	spec := s3account.Spec{AccountID: account}
	require.True(t, spec.MeetsS3_1())
	got, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.NoError(t, err)
	require.Equal(t, foundation.Changes{{Action: foundation.ActionCreate, Resource: s3account.ResPublicAccessBlock, ID: account,
		Diffs: []foundation.Diff{{Field: "BlockPublicAcls", To: "true"}, {Field: "IgnorePublicAcls", To: "true"},
			{Field: "BlockPublicPolicy", To: "true"}, {Field: "RestrictPublicBuckets", To: "true"}}}}, got.Changes)
	require.True(t, got.BlockPublicAcls && got.IgnorePublicAcls && got.BlockPublicPolicy && got.RestrictPublicBuckets)
	require.Equal(t, allOn(), read(t, b, api, account))

	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
}

// Drift (someone turned settings off) is repaired with one write naming
// only the settings that differ; an explicit opt-out is kept.
func TestEnsurePublicAccessBlockRepairsDrift(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, time.Minute)
	api := client(b)
	account := b.AccountID(t)
	_, err := api.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)}})
	require.NoError(t, err)

	spec := s3account.Spec{AccountID: account, AllowPublicPolicy: true}
	require.False(t, spec.MeetsS3_1())
	mark := b.Mark()
	got, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.NoError(t, err)
	require.Equal(t, foundation.Changes{{Action: foundation.ActionUpdate, Resource: s3account.ResPublicAccessBlock, ID: account,
		Diffs: []foundation.Diff{{Field: "IgnorePublicAcls", From: "false", To: "true"}}}}, got.Changes)
	require.Len(t, b.MutatingCalls(mark), 1)
	require.False(t, got.BlockPublicPolicy)
	require.Equal(t, &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)}, read(t, b, api, account))

	// Back to the default: the opt-out removed is one more update.
	got, err = s3account.EnsurePublicAccessBlock(ctx, api, s3account.Spec{AccountID: account}, awstest.FastOptions()...)
	require.NoError(t, err)
	require.Equal(t, []foundation.Diff{{Field: "BlockPublicPolicy", From: "false", To: "true"}}, got.Changes[0].Diffs)
	require.Equal(t, allOn(), read(t, b, api, account))
}

// A dry run reads, reports the change the real run makes, and writes
// nothing.
func TestEnsurePublicAccessBlockDryRun(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState)
	ctx := awstest.Context(t, time.Minute)
	api := client(b)
	account := b.AccountID(t)
	spec := s3account.Spec{AccountID: account}
	mark := b.Mark()
	plan, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, append(awstest.FastOptions(), foundation.WithDryRun(true))...)
	require.NoError(t, err)
	b.RequireNoMutations(t, mark)
	require.Nil(t, read(t, b, api, account))
	got, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.NoError(t, err)
	require.Equal(t, got.Changes, plan.Changes, "the dry run plans exactly what the run does")
}

// An invalid spec is refused before any call.
func TestEnsurePublicAccessBlockValidatesFirst(t *testing.T) {
	b := awstest.New(t)
	api := client(b)
	for _, account := range []string{"", "12345", "12345678901a"} {
		mark := b.Mark()
		_, err := s3account.EnsurePublicAccessBlock(awstest.Context(t, time.Minute), api, s3account.Spec{AccountID: account})
		require.ErrorIs(t, err, foundation.ErrInvalidSpec, account)
		var se *foundation.SpecError
		require.ErrorAs(t, err, &se)
		require.Equal(t, "spec.AccountID", se.Field)
		b.RequireNoCalls(t, mark)
	}
	_, err := s3account.EnsurePublicAccessBlock(awstest.Context(t, time.Minute), nil, s3account.Spec{AccountID: "123456789012"})
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
}

// A refused write is returned wrapped with the package and the account, and
// reports no change; a write AWS applied but whose answer was lost converges
// on the rerun without another write.
func TestEnsurePublicAccessBlockFailures(t *testing.T) {
	b := awstest.New(t)
	emu := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, time.Minute)
	api := client(b)
	account := b.AccountID(t)
	spec := s3account.Spec{AccountID: account}

	f := emu.FailNth(emulator.Match{Service: "s3control", Operation: "PutPublicAccessBlock"}, 1,
		emulator.APIError{Status: 403, Code: "AccessDenied", Message: "Access Denied"})
	got, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.Nil(t, got)
	require.ErrorContains(t, err, "s3account: account "+account+": put public access block: ")
	require.ErrorContains(t, err, "AccessDenied")
	var inc *foundation.IncompleteError
	require.False(t, errors.As(err, &inc), "nothing was changed")
	emu.RemoveFault(f)

	// Applied, then a non-retryable error: the caller sees the error; the
	// rerun finds the configuration in place.
	f = emu.AddFault(&emulator.Fault{Match: emulator.Match{Service: "s3control", Operation: "PutPublicAccessBlock"}, Nth: 1,
		AfterHandler: true, Err: &emulator.APIError{Status: 400, Code: "InvalidRequest", Message: "lost"}})
	_, err = s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.Error(t, err)
	emu.RemoveFault(f)
	mark := emu.CallCount()
	again, err := s3account.EnsurePublicAccessBlock(ctx, api, spec, awstest.FastOptions()...)
	require.NoError(t, err)
	require.Empty(t, again.Changes)
	require.Empty(t, emu.MutatingCallsSince(mark))
}
