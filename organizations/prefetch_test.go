package organizations_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// tagsWaitForChildren holds an OU's ListTagsForResource until the OUs
// under it have been listed (or a second passed).
type tagsWaitForChildren struct {
	*sdk.Client
	parent string
	mu     sync.Mutex
	listed chan struct{}
	once   sync.Once
	waited time.Duration
}

func (c *tagsWaitForChildren) ListOrganizationalUnitsForParent(ctx context.Context, in *sdk.ListOrganizationalUnitsForParentInput, opts ...func(*sdk.Options)) (*sdk.ListOrganizationalUnitsForParentOutput, error) {
	c.mu.Lock()
	parent := c.parent
	c.mu.Unlock()
	if parent != "" && aws.ToString(in.ParentId) == parent {
		c.once.Do(func() { close(c.listed) })
	}
	return c.Client.ListOrganizationalUnitsForParent(ctx, in, opts...)
}

func (c *tagsWaitForChildren) ListTagsForResource(ctx context.Context, in *sdk.ListTagsForResourceInput, opts ...func(*sdk.Options)) (*sdk.ListTagsForResourceOutput, error) {
	c.mu.Lock()
	parent := c.parent
	c.mu.Unlock()
	if parent != "" && aws.ToString(in.ResourceId) == parent {
		start := time.Now()
		select {
		case <-c.listed:
		case <-time.After(time.Second):
		}
		c.mu.Lock()
		c.waited = time.Since(start)
		c.mu.Unlock()
	}
	return c.Client.ListTagsForResource(ctx, in, opts...)
}

// TestRerunListsChildrenBesideTheParentsTags: on a rerun, the OUs under an
// existing OU are listed while that OU's ownership tag is still being read
// (the walk down the tree waits one round trip per level, not two): the
// wrapper holds Workloads' tag read until Workloads' children are listed,
// which only the prefetch does before the tags are known. The rerun makes
// no mutating call and lists Workloads' children once.
func TestRerunListsChildrenBesideTheParentsTags(t *testing.T) {
	b, api, ctx := withOrg(t)
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Workloads"}, {Path: "Workloads/Dev"}, {Path: "Workloads/Prod"}}}
	tree, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	wrapped := &tagsWaitForChildren{Client: api, parent: tree.OU("Workloads").ID, listed: make(chan struct{})}
	mark := b.Mark()
	if _, err := organizations.EnsureTree(ctx, wrapped, spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	if m := b.MutatingCalls(mark); len(m) != 0 {
		t.Fatalf("rerun made mutating calls: %v", m)
	}
	wrapped.mu.Lock()
	waited := wrapped.waited
	wrapped.mu.Unlock()
	if waited >= time.Second {
		t.Errorf("Workloads' tags were read before its children were listed: the walk waits for the tags")
	}
	n := 0
	for _, c := range b.Calls(mark) {
		if c.Operation == "ListOrganizationalUnitsForParent" {
			n++
		}
	}
	if want := 2; n != want { // the root's, Workloads'
		t.Errorf("ListOrganizationalUnitsForParent %d times, want %d", n, want)
	}
}
