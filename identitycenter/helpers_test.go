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
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
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

// apiFor is the API the package is tested with: the backend's clients,
// with withGaps's stand-ins for the reads it lacks.
func apiFor(b *awstest.Backend, optFns ...func(*ssoadmin.Options)) identitycenter.API {
	return withGaps(b, identitycenter.API{SSOAdmin: SSOAdmin(b, optFns...), IdentityStore: IdentityStore(b)})
}

// withGaps wraps api for a backend with registered gaps in reads that
// every converging run makes, so the rest of a run can be tested there. A
// stand-in answers only what AWS would answer for the state the backend
// can hold:
//   - no GetPermissionsBoundaryForPermissionSet (awstest.SSOGetPermissionsBoundary)
//     on a backend that cannot put one either (SSOPermissionsBoundaryWrite):
//     no permission set there has a boundary, and AWS answers
//     ResourceNotFoundException;
//   - no ListTagsForResource (SSOListTagsForResource): the tags the
//     CreatePermissionSet made through a stand-in sent (the ownership tag
//     only: one with other tags is refused, and tests drop theirs there
//     with withoutTags), remembered in the test process by ARN; none for
//     a permission set made otherwise;
//   - no GetGroupMembershipId (IdentityStoreGetMembershipID): the ID is
//     looked up in ListGroupMemberships, which the backend serves.
//
// The stand-ins answer in the test process, so the call recorder (and
// CONFORMANCE.md) never counts them as calls the backend served. On AWS
// and the emulator api is returned as is.
func withGaps(b *awstest.Backend, api identitycenter.API) identitycenter.API {
	if sso, ok := api.SSOAdmin.(*ssoadmin.Client); ok &&
		((b.Lacks(awstest.SSOGetPermissionsBoundary) && b.Lacks(awstest.SSOPermissionsBoundaryWrite)) || b.Lacks(awstest.SSOListTagsForResource)) {
		api.SSOAdmin = gapSSOAdmin{Client: sso,
			noBoundary: b.Lacks(awstest.SSOGetPermissionsBoundary) && b.Lacks(awstest.SSOPermissionsBoundaryWrite),
			noTags:     b.Lacks(awstest.SSOListTagsForResource)}
	}
	if ids, ok := api.IdentityStore.(*identitystore.Client); ok && b.Lacks(awstest.IdentityStoreGetMembershipID) {
		api.IdentityStore = gapIdentityStore{Client: ids}
	}
	return api
}

type gapSSOAdmin struct {
	*ssoadmin.Client
	noBoundary, noTags bool
}

func (c gapSSOAdmin) GetPermissionsBoundaryForPermissionSet(ctx context.Context, in *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error) {
	if !c.noBoundary {
		return c.Client.GetPermissionsBoundaryForPermissionSet(ctx, in, optFns...)
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("withGaps: the backend cannot attach a permissions boundary, so there is none")}
}

// gapTags are the tags the stand-in's CreatePermissionSet sent, by ARN.
var gapTags sync.Map

func (c gapSSOAdmin) ListTagsForResource(ctx context.Context, in *ssoadmin.ListTagsForResourceInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error) {
	if !c.noTags {
		return c.Client.ListTagsForResource(ctx, in, optFns...)
	}
	tags, _ := gapTags.Load(aws.ToString(in.ResourceArn))
	out := &ssoadmin.ListTagsForResourceOutput{}
	out.Tags, _ = tags.([]types.Tag)
	return out, nil
}

func (c gapSSOAdmin) CreatePermissionSet(ctx context.Context, in *ssoadmin.CreatePermissionSetInput, optFns ...func(*ssoadmin.Options)) (*ssoadmin.CreatePermissionSetOutput, error) {
	if !c.noTags {
		return c.Client.CreatePermissionSet(ctx, in, optFns...)
	}
	for _, tg := range in.Tags {
		if aws.ToString(tg.Key) != foundation.ManagedByTagKey {
			return nil, fmt.Errorf("withGaps: permission set %q has tags, which this backend cannot list: drop them (withoutTags)", aws.ToString(in.Name))
		}
	}
	out, err := c.Client.CreatePermissionSet(ctx, in, optFns...)
	if err == nil && out.PermissionSet != nil {
		gapTags.Store(aws.ToString(out.PermissionSet.PermissionSetArn), slices.Clone(in.Tags))
	}
	return out, err
}

type gapIdentityStore struct{ *identitystore.Client }

func (c gapIdentityStore) GetGroupMembershipId(ctx context.Context, in *identitystore.GetGroupMembershipIdInput, optFns ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error) {
	want, ok := in.MemberId.(*istypes.MemberIdMemberUserId)
	if !ok {
		return nil, fmt.Errorf("withGaps: GetGroupMembershipId of a %T", in.MemberId)
	}
	p := identitystore.NewListGroupMembershipsPaginator(c.Client, &identitystore.ListGroupMembershipsInput{IdentityStoreId: in.IdentityStoreId, GroupId: in.GroupId})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, optFns...)
		if err != nil {
			return nil, err
		}
		for _, m := range page.GroupMemberships {
			if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok && u.Value == want.Value {
				return &identitystore.GetGroupMembershipIdOutput{IdentityStoreId: in.IdentityStoreId, MembershipId: m.MembershipId}, nil
			}
		}
	}
	return nil, &istypes.ResourceNotFoundException{Message: aws.String("withGaps: no such membership in ListGroupMemberships")}
}

// withoutTags drops the permission sets' tags on a backend that cannot
// list them (the test then checks less there).
func withoutTags(b *awstest.Backend, spec identitycenter.AccessSpec) identitycenter.AccessSpec {
	if !b.Lacks(awstest.SSOListTagsForResource) {
		return spec
	}
	spec.PermissionSets = slices.Clone(spec.PermissionSets)
	for i := range spec.PermissionSets {
		spec.PermissionSets[i].Tags = nil
	}
	return spec
}

// jobFunction is the AWS managed job-function policy name, or on a backend
// that refuses AWS managed policies under a path, instead the root-path
// AWS managed policy alt.
func jobFunction(b *awstest.Backend, name, alt string) string {
	if b.Lacks(awstest.SSOManagedPolicyPath) {
		return identitycenter.AWSManagedPolicy(alt)
	}
	return identitycenter.AWSManagedPolicy("job-function/" + name)
}

// org is an organization with IAM Identity Center enabled.
type org struct {
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
// the colleague's organizations package) and finds its IAM Identity Center
// instance: on the emulator the test enables it first (the console step,
// which has no API); moto has one from the start.
func newOrg(t *testing.T, ctx context.Context, b *awstest.Backend, names ...string) *org {
	t.Helper()
	b.Require(t, awstest.CapFreshState, awstest.CapIdentityCenter)
	api := b.Organizations()
	if _, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{}, awstest.Fast()...); err != nil {
		t.Fatalf("organization: %v", err)
	}
	o := &org{mgmt: b.AccountID(t), accounts: map[string]string{}}
	if len(names) > 0 {
		spec := organizations.AccountsSpec{}
		for _, n := range names {
			spec.Accounts = append(spec.Accounts, organizations.AccountSpec{Name: n, Email: n + "@example.com"})
		}
		res, err := organizations.EnsureAccounts(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			t.Fatalf("accounts: %v", err)
		}
		for _, n := range names {
			o.accounts[n] = res.Account(n + "@example.com").ID
		}
	}
	if e := b.EmulatorFor(awstest.CapEmulatorState); e != nil {
		if _, _, err := e.EnableIdentityCenter(); err != nil {
			t.Fatal(err)
		}
	}
	inst, err := identitycenter.FindInstance(ctx, SSOAdmin(b), awstest.Fast()...)
	if err != nil {
		t.Fatalf("instance: %v", err)
	}
	o.instanceARN, o.storeID = inst.ARN, inst.IdentityStoreID
	return o
}

// countOps counts the client's calls of an operation after mark.
func countOps(b *awstest.Backend, mark int, op string) int {
	n := 0
	for _, c := range b.Calls(mark) {
		if c.Operation == op {
			n++
		}
	}
	return n
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
