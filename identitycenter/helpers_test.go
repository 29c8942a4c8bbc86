package identitycenter_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// SSOAdmin and IdentityStore are the Identity Center clients of a test
// backend (the harness has no helper for them).
func SSOAdmin(b *awstest.Backend, optFns ...func(*ssoadmin.Options)) *ssoadmin.Client {
	return ssoadmin.NewFromConfig(b.Config(), optFns...)
}

func IdentityStore(b *awstest.Backend) *identitystore.Client {
	return identitystore.NewFromConfig(b.Config())
}

func apiFor(b *awstest.Backend) identitycenter.API {
	return identitycenter.API{SSOAdmin: SSOAdmin(b), IdentityStore: IdentityStore(b)}
}

func fast(extra ...foundation.Option) []foundation.Option {
	return append(awstest.FastOptions(), extra...)
}

// org is an organization with Identity Center enabled on the emulator.
type org struct {
	e           *emulator.Emulator
	mgmt        string
	accounts    map[string]string // account name -> ID
	instanceARN string
	storeID     string
}

func (o *org) ids(names ...string) []string {
	var out []string
	for _, n := range names {
		if n == "management" {
			out = append(out, o.mgmt)
			continue
		}
		out = append(out, o.accounts[n])
	}
	return out
}

// newOrg creates the organization with the named member accounts (with
// the colleague's organizations package) and enables IAM Identity Center,
// the console step.
func newOrg(t *testing.T, ctx context.Context, b *awstest.Backend, names ...string) *org {
	t.Helper()
	e := b.RequireEmulator(t, awstest.CapFaults)
	api := b.Organizations()
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, fast()...); err != nil {
		t.Fatalf("organization: %v", err)
	}
	o := &org{e: e, mgmt: e.ManagementAccountID(), accounts: map[string]string{}}
	if len(names) > 0 {
		spec := organizations.AccountsSpec{}
		for _, n := range names {
			spec.Accounts = append(spec.Accounts, organizations.AccountSpec{Name: n, Email: n + "@example.com"})
		}
		res, err := organizations.EnsureAccounts(ctx, api, spec, fast()...)
		if err != nil {
			t.Fatalf("accounts: %v", err)
		}
		for _, n := range names {
			o.accounts[n] = res.Account(n + "@example.com").ID
		}
	}
	arn, store, err := e.EnableIdentityCenter()
	if err != nil {
		t.Fatal(err)
	}
	o.instanceARN, o.storeID = arn, store
	return o
}

// requests captures the inputs of the sso-admin calls a client makes.
type requests struct {
	mu        sync.Mutex
	provision []string // "ARN-suffix target-type target-id"
	ops       []string
}

func (r *requests) option() func(*ssoadmin.Options) {
	return func(o *ssoadmin.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("captureInput",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					r.mu.Lock()
					r.ops = append(r.ops, awsmiddleware.GetOperationName(ctx))
					if p, ok := in.Parameters.(*ssoadmin.ProvisionPermissionSetInput); ok {
						r.provision = append(r.provision, string(p.TargetType)+" "+aws.ToString(p.TargetId))
					}
					r.mu.Unlock()
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
}

func (r *requests) provisions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.provision)
}

// opsSince counts the emulator's calls of an operation after mark.
func opsSince(e *emulator.Emulator, mark int, op string) int {
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == op {
			n++
		}
	}
	return n
}

// psByName finds a permission set with the SDK.
func psByName(t *testing.T, ctx context.Context, c *ssoadmin.Client, instanceARN, name string) *types.PermissionSet {
	t.Helper()
	p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, arn := range out.PermissionSets {
			d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(d.PermissionSet.Name) == name {
				return d.PermissionSet
			}
		}
	}
	t.Fatalf("permission set %q not found", name)
	return nil
}

// provisioned lists the accounts of a permission set with a status filter.
func provisioned(t *testing.T, ctx context.Context, c *ssoadmin.Client, instanceARN, psARN string, status types.ProvisioningStatus) []string {
	t.Helper()
	var out []string
	p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(c, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(psARN), ProvisioningStatus: status})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.AccountIds...)
	}
	sort.Strings(out)
	return out
}

// assignmentsOf lists "TYPE:principalID" assigned to a permission set in an account.
func assignmentsOf(t *testing.T, ctx context.Context, c *ssoadmin.Client, instanceARN, psARN, account string) []string {
	t.Helper()
	var out []string
	p := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(psARN), AccountId: aws.String(account)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.AccountAssignments {
			out = append(out, string(a.PrincipalType)+":"+aws.ToString(a.PrincipalId))
		}
	}
	sort.Strings(out)
	return out
}

func changeLines(cs []foundation.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func joinLines(s []string) string { return "\n  " + strings.Join(s, "\n  ") }

// fullString is Change.String without shortening long values.
func fullString(c foundation.Change) string {
	s := fmt.Sprintf("%s %s %q", c.Action, c.Resource, c.ID)
	for i, d := range c.Diffs {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		switch {
		case d.From == "":
			s += sep + d.Field + ": " + d.To
		case d.To == "":
			s += sep + d.Field + ": " + d.From + " -> (none)"
		default:
			s += sep + d.Field + ": " + d.From + " -> " + d.To
		}
	}
	return s
}
