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
// under it have been listed, and another OU's until its accounts have been
// listed (or a second passed).
type tagsWaitForChildren struct {
	*sdk.Client
	parent, accountParent string
	mu                    sync.Mutex
	listed, accounts      chan struct{}
	once, accountsOnce    sync.Once
	waited                time.Duration
}

func (c *tagsWaitForChildren) ListAccountsForParent(ctx context.Context, in *sdk.ListAccountsForParentInput, opts ...func(*sdk.Options)) (*sdk.ListAccountsForParentOutput, error) {
	if aws.ToString(in.ParentId) == c.accountParent {
		c.accountsOnce.Do(func() { close(c.accounts) })
	}
	return c.Client.ListAccountsForParent(ctx, in, opts...)
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
	var wait chan struct{}
	switch aws.ToString(in.ResourceId) {
	case parent:
		wait = c.listed
	case c.accountParent:
		wait = c.accounts
	}
	if wait != nil {
		start := time.Now()
		select {
		case <-wait:
		case <-time.After(time.Second):
		}
		c.mu.Lock()
		c.waited = max(c.waited, time.Since(start))
		c.mu.Unlock()
	}
	return c.Client.ListTagsForResource(ctx, in, opts...)
}

// TestRerunListsChildrenBesideTheParentsTags: on a rerun, the OUs under an
// existing OU, and the accounts of an OU declared accounts go to, are
// listed while that OU's ownership tag is still being read (the walk down
// the tree waits one round trip per level, not two): the wrapper holds
// Workloads' tag read until Workloads' children are listed, and Dev's
// until its accounts are, which only the prefetch does before the tags
// are known. The rerun makes no mutating call and lists each once.
func TestRerunListsChildrenBesideTheParentsTags(t *testing.T) {
	b, api, ctx := withOrg(t)
	b.Require(t, awstest.CapMemberAccounts)
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{{Path: "Workloads"}, {Path: "Workloads/Dev"}, {Path: "Workloads/Prod"}},
		Accounts: []organizations.AccountSpec{{Name: "dev", Email: "dev@example.com", OU: "Workloads/Dev"}}}
	tree, err := organizations.EnsureTree(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	wrapped := &tagsWaitForChildren{Client: api, parent: tree.OU("Workloads").ID, listed: make(chan struct{}),
		accountParent: tree.OU("Workloads/Dev").ID, accounts: make(chan struct{})}
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
		t.Errorf("an OU's tags were read before its children or accounts were listed: the walk waits for the tags")
	}
	n := map[string]int{}
	for _, c := range b.Calls(mark) {
		n[c.Operation]++
	}
	if n["ListOrganizationalUnitsForParent"] != 2 || n["ListAccountsForParent"] != 1 { // the root's and Workloads' OUs, Dev's accounts
		t.Errorf("ListOrganizationalUnitsForParent %d times (want 2), ListAccountsForParent %d (want 1)", n["ListOrganizationalUnitsForParent"], n["ListAccountsForParent"])
	}
}
