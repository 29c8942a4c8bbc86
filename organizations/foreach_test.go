package organizations_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/awsfoundation/foundation/internal/awstest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/organizations"
)

func TestForEachAccount(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	tree, err := organizations.EnsureTree(ctx, api, seed000(), awstest.Fast()...)
	require.NoError(t, err)
	mgmt := b.AccountID(t)

	targets := []organizations.Target{{ID: mgmt, Name: "management"}}
	for _, a := range tree.Accounts {
		targets = append(targets, organizations.Target{ID: a.ID, Name: a.Name})
	}
	var inFlight, peak atomic.Int32
	sum, err := organizations.ForEachAccount(ctx, b.Config(), organizations.FanOutSpec{
		Accounts: targets, ManagementAccountID: mgmt,
	}, func(ctx context.Context, cfg aws.Config, target organizations.Target) (foundation.Changes, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		if aws.ToString(who.Account) != target.ID {
			return nil, errors.New("acting in " + aws.ToString(who.Account))
		}
		if target.Name == "myapp-staging" {
			return nil, errors.New("boom")
		}
		bucket := "fanout-" + target.ID
		_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		return foundation.Changes{{Action: foundation.ActionCreate, Resource: "s3:bucket", ID: bucket}}, err
	}, foundation.WithConcurrency(2))
	require.Error(t, err)
	require.ErrorContains(t, err, "account myapp-staging")
	require.Len(t, sum.Results, 4)
	require.LessOrEqual(t, peak.Load(), int32(2), "never more accounts at once than asked")
	require.Len(t, sum.Failed(), 1)
	require.Equal(t, 3, sum.Count())
	for i, r := range sum.Results {
		require.Equal(t, targets[i].ID, r.Target.ID, "results in the spec's order")
	}

	var out bytes.Buffer
	sum.Report(&out)
	require.Contains(t, out.String(), "== management ("+mgmt+")")
	require.Contains(t, out.String(), "FAILED: boom")
	require.Contains(t, out.String(), "1 of 4 accounts failed: myapp-staging")
}

func TestForEachAccountValidates(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	mark := b.Mark()
	_, err := organizations.ForEachAccount(ctx, b.Config(), organizations.FanOutSpec{
		Accounts: []organizations.Target{{ID: "123"}, {ID: "111111111111"}, {ID: "111111111111"}, {ID: plan.Predict("account", "new@example.com")}},
		RoleName: "bad/role",
	}, nil)
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	for _, want := range []string{"spec.Accounts[0].ID", "spec.Accounts[2].ID", "spec.Accounts[3].ID: \"(known after apply: account new@example.com)\": is an identifier predicted by a dry run", "spec.RoleName", "task"} {
		require.ErrorContains(t, err, want)
	}
	b.RequireNoCalls(t, mark)
}
