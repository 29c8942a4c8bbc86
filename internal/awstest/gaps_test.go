package awstest

import (
	"context"
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// A probe asks the backend whether it behaves as AWS does in one
// behaviour: lacks is true when it does not.
type probe func(ctx context.Context, t *testing.T, b *Backend) (lacks bool)

// probes check registry entries against the backend itself, so an entry
// cannot outlive the gap (moto fixed it) and the emulator is held to the
// same behaviour.
var probes = map[Behaviour]probe{
	SSOGetPermissionsBoundary: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{
			InstanceArn: inst, PermissionSetArn: ps})
		return unimplemented(t, err, "ResourceNotFoundException") // none attached: AWS says ResourceNotFound
	},
	SSOListTagsForResource: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		_, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: ps})
		return unimplemented(t, err)
	},
	SSOProvisioningStatus: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		ps := permissionSet(ctx, t, b, sso, inst)
		out, err := sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
			TargetType: "ALL_PROVISIONED_ACCOUNTS"})
		require.NoError(t, err)
		_, err = sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: inst, ProvisionPermissionSetRequestId: out.PermissionSetProvisioningStatus.RequestId})
		return unimplemented(t, err)
	},
	IdentityStoreGetMembershipID: func(ctx context.Context, t *testing.T, b *Backend) bool {
		b.Require(t, CapIdentityCenter)
		organizationRoot(ctx, t, b)
		d, err := ssoadmin.NewFromConfig(b.Config()).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		require.NoError(t, err)
		require.NotEmpty(t, d.Instances, "no Identity Center instance")
		store := d.Instances[0].IdentityStoreId
		ids := identitystore.NewFromConfig(b.Config())
		u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: store, UserName: aws.String(b.Unique("probe")),
			DisplayName: aws.String("Probe"), Name: &idtypes.Name{GivenName: aws.String("P"), FamilyName: aws.String("Robe")}})
		require.NoError(t, err)
		g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String(b.Unique("probe"))})
		require.NoError(t, err)
		member := &idtypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}
		_, err = ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: g.GroupId, MemberId: member})
		require.NoError(t, err)
		_, err = ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: g.GroupId, MemberId: member})
		return unimplemented(t, err)
	},
	IAMAddClientIDToOIDCProvider: func(ctx context.Context, t *testing.T, b *Backend) bool {
		c := iam.NewFromConfig(b.Config())
		p, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://" + b.Unique("probe") + ".example.com"), ClientIDList: []string{"sts.amazonaws.com"},
			ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}})
		require.NoError(t, err)
		_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: p.OpenIDConnectProviderArn, ClientID: aws.String("another")})
		return unimplemented(t, err)
	},
	SSODefaultSessionDuration: func(ctx context.Context, t *testing.T, b *Backend) bool {
		sso, inst := ssoInstance(ctx, t, b)
		out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String(b.Unique("probe"))})
		if err != nil {
			var de *smithy.DeserializationError
			if errors.As(err, &de) {
				return true
			}
			t.Fatalf("unexpected error: %v", err)
		}
		return aws.ToString(out.PermissionSet.SessionDuration) != "PT1H"
	},
	OrgDuplicateOU: func(ctx context.Context, t *testing.T, b *Backend) bool {
		org := organizationRoot(ctx, t, b)
		c := b.Organizations()
		name := aws.String(b.Unique("probe"))
		_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: org, Name: name})
		require.NoError(t, err)
		_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: org, Name: name})
		if err != nil && !hasCode(err, "DuplicateOrganizationalUnitException") {
			t.Fatalf("unexpected error: %v", err)
		}
		return err == nil
	},
}

func TestRegisteredGapsMatchTheBackend(t *testing.T) {
	var s Subtests
	for _, behaviour := range sortedBehaviours() {
		s.Run(t, string(behaviour), func(t *testing.T) {
			b := New(t, WithEmulatorOptions(emulator.Options{IdentityCenter: true}))
			b.Require(t, CapFreshState)
			ctx := Context(t, time.Minute)
			lacks := probes[behaviour](ctx, t, b)
			switch {
			case lacks && !b.Lacks(behaviour):
				t.Fatalf("%s lacks %q but the registry does not say so: add a Gap", b.Kind, behaviour)
			case !lacks && b.Lacks(behaviour):
				t.Fatalf("%s now does %q as AWS does: remove its Gap from the registry", b.Kind, behaviour)
			}
		})
	}
	s.Done(t)
}

func sortedBehaviours() []Behaviour {
	var out []Behaviour
	for k := range probes {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// unimplemented reports whether err says the operation is not implemented
// (an AWS-style NotImplemented, or moto's HTML 500 page for Python's
// NotImplementedError); any other error than the ones AWS may answer fails
// the test.
func unimplemented(t *testing.T, err error, awsCodes ...string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusInternalServerError {
		return true
	}
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotImplemented", "NotImplementedException", "InternalFailure":
			return true
		}
		for _, c := range awsCodes {
			if ae.ErrorCode() == c {
				return false
			}
		}
	}
	t.Fatalf("unexpected error: %v", err)
	return false
}

func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func ssoInstance(ctx context.Context, t *testing.T, b *Backend) (*ssoadmin.Client, *string) {
	t.Helper()
	b.Require(t, CapIdentityCenter)
	organizationRoot(ctx, t, b) // the emulator enables Identity Center with the organization
	sso := ssoadmin.NewFromConfig(b.Config())
	out, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)
	require.NotEmpty(t, out.Instances, "no Identity Center instance")
	return sso, out.Instances[0].InstanceArn
}

func permissionSet(ctx context.Context, t *testing.T, b *Backend, sso *ssoadmin.Client, inst *string) *string {
	t.Helper()
	out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String(b.Unique("probe")),
		SessionDuration: aws.String("PT1H")}) // without it moto answers a number (see SSODefaultSessionDuration)
	require.NoError(t, err)
	return out.PermissionSet.PermissionSetArn
}

func organizationRoot(ctx context.Context, t *testing.T, b *Backend) *string {
	t.Helper()
	c := b.Organizations()
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"})
	if err != nil && !hasCode(err, "AlreadyInOrganizationException") {
		t.Fatalf("create organization on %s: %v", b.Kind, err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	return roots.Roots[0].Id
}
