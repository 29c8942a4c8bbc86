package awstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// Organization makes sure the management account has an organization with
// all features and returns its root's ID. It needs a fresh backend.
func (b *Backend) Organization(ctx context.Context, t testing.TB) string {
	t.Helper()
	b.Require(t, CapFreshState)
	c := b.Organizations()
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "AlreadyInOrganizationException") {
		t.Fatalf("awstest: create organization: %v", err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) == 0 {
		t.Fatalf("awstest: list roots: %v", err)
	}
	return aws.ToString(roots.Roots[0].Id)
}

// MemberAccount creates a member account in the test's organization (made
// first if need be) and returns its ID once AWS says it exists. Act in it
// with ConfigFor.
func (b *Backend) MemberAccount(ctx context.Context, t testing.TB, name string) string {
	t.Helper()
	b.Require(t, CapMemberAccounts)
	b.Organization(ctx, t)
	c := b.Organizations()
	name = b.Unique(name)
	out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatalf("awstest: create account: %v", err)
	}
	id := out.CreateAccountStatus.Id
	for {
		st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
		if err != nil {
			t.Fatalf("awstest: describe create account status: %v", err)
		}
		switch st.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			return aws.ToString(st.CreateAccountStatus.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("awstest: create account failed: %s", st.CreateAccountStatus.FailureReason)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("awstest: create account: %v", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
