package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// TestForEachAccountUnderEventualConsistency: with the emulator's
// eventual-consistency model on, each new account's access role is refused
// three times (AccessDenied, as AWS does after CreateAccount); ForEachAccount
// waits it out in every account, and a second pass assumes each role once.
func TestForEachAccountUnderEventualConsistency(t *testing.T) {
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{Consistency: emulator.Consistency{AccountAccessRefusals: 3}}))
	b.RequireEmulator(t, awstest.CapFaults)
	_, api, ctx := withOrg(t, b)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	var targets []organizations.Target
	for _, a := range tree.Accounts {
		targets = append(targets, organizations.Target{ID: a.ID, Name: a.Name})
	}
	assumes := func() int {
		t.Helper()
		mark := b.Mark()
		_, err := organizations.ForEachAccount(ctx, b.Config(), organizations.FanOutSpec{Accounts: targets},
			func(context.Context, aws.Config, organizations.Target) (foundation.Changes, error) { return nil, nil }, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range b.Calls(mark) {
			if c.Operation == "AssumeRole" {
				n++
			}
		}
		return n
	}
	if n := assumes(); n != 4*len(targets) {
		t.Errorf("%d AssumeRole calls for %d new accounts, want 3 refused and 1 accepted each", n, len(targets))
	}
	if n := assumes(); n != len(targets) {
		t.Errorf("%d AssumeRole calls once propagated, want %d", n, len(targets))
	}
}
