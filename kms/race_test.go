package kms_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/kms"
)

// TestConcurrentRunsConverge starts several EnsureKey runs at once on a
// fresh account: all succeed and agree on one key; keys made by the runs
// that lost the alias are scheduled for deletion.
func TestConcurrentRunsConverge(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // every key of the account is checked
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	if b.Lacks(awstest.IAMServiceLinkedRoleTaken) {
		// The runs would race on the service-linked role too, and the
		// backend refuses the loser in a way AWS does not: the role exists
		// first, and the runs race on the key and its alias.
		if _, err := kms.EnsureServiceLinkedRole(ctx, apiFor(b).IAM, kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com"}, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
	}
	const n = 4
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
			errs[i] = err
			if err == nil {
				keys[i] = k.KeyID
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if keys[i] != keys[0] {
			t.Errorf("runs converged different keys: %v", keys)
		}
	}
	verifyKey(t, ctx, b, spec, keys[0])
	c := awskms.NewFromConfig(b.Config())
	p := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range out.Keys {
			if aws.ToString(k.KeyId) == keys[0] {
				continue
			}
			d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil || d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
				t.Errorf("extra key %s left %v %v", aws.ToString(k.KeyId), d.KeyMetadata.KeyState, err)
			}
		}
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return k.Changes, nil
	})
}
