package identitystore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func idsUserNameAttr(name string) types.AlternateIdentifier {
	return &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
		AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(name)}}
}

func TestIdentityStoreUsers(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	_, store, _ := emutest.SSOSetup(t, srv)
	require.Regexp(t, `^d-[0-9a-f]{10}$`, store)
	client := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()

	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, emutest.CreateUser(t, client, store, fmt.Sprintf("user%d", i)))
	}

	// UserName is unique (case-insensitively).
	_, err := client.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(store),
		UserName: aws.String("USER0"), DisplayName: aws.String("dup"),
		Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")}})
	var conflict *types.ConflictException
	require.True(t, errors.As(err, &conflict), "%v", err)
	require.Equal(t, types.ConflictExceptionReasonUniquenessConstraintViolation, conflict.Reason)
	require.NotEmpty(t, aws.ToString(conflict.RequestId))

	// Identity Center requires DisplayName and Name; reserved and malformed names fail.
	for name, in := range map[string]*identitystore.CreateUserInput{
		"no display name": {UserName: aws.String("x1"), Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")}},
		"no name":         {UserName: aws.String("x2"), DisplayName: aws.String("X")},
		"no user name":    {DisplayName: aws.String("X"), Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")}},
		"reserved":        {UserName: aws.String("Administrator"), DisplayName: aws.String("X"), Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")}},
		"space":           {UserName: aws.String("has space"), DisplayName: aws.String("X"), Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")}},
		"two emails": {UserName: aws.String("x3"), DisplayName: aws.String("X"), Name: &types.Name{GivenName: aws.String("a"), FamilyName: aws.String("b")},
			Emails: []types.Email{{Value: aws.String("a@example.com")}, {Value: aws.String("b@example.com")}}},
	} {
		in.IdentityStoreId = aws.String(store)
		_, err := client.CreateUser(ctx, in)
		var ve *types.ValidationException
		require.Truef(t, errors.As(err, &ve), "%s: %v", name, err)
	}

	desc, err := client.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[2])})
	require.NoError(t, err)
	require.Equal(t, "user2", aws.ToString(desc.UserName))
	require.Equal(t, "User user2", aws.ToString(desc.DisplayName))
	require.Equal(t, "user2", aws.ToString(desc.Name.FamilyName))
	require.Equal(t, "user2@example.com", aws.ToString(desc.Emails[0].Value))
	require.True(t, desc.Emails[0].Primary)
	require.Equal(t, types.UserStatusEnabled, desc.UserStatus)
	require.Equal(t, "arn:aws:identitystore:::user/"+ids[2], aws.ToString(desc.UserArn))
	require.NotNil(t, desc.CreatedAt)

	// ListUsers pages (page size 2) through the paginator, in creation order.
	var names []string
	p := identitystore.NewListUsersPaginator(client, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Users), 2)
		pages++
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	require.Equal(t, []string{"user0", "user1", "user2", "user3", "user4"}, names)
	require.Equal(t, 3, pages)

	filtered, err := client.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store),
		//lint:ignore SA1019 the emulator serves the deprecated filters too: older tools still send them
		Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("user3")}}})
	require.NoError(t, err)
	require.Len(t, filtered.Users, 1)
	require.Equal(t, ids[3], aws.ToString(filtered.Users[0].UserId))
	_, err = client.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store),
		//lint:ignore SA1019 the emulator serves the deprecated filters too
		Filters: []types.Filter{{AttributePath: aws.String("Title"), AttributeValue: aws.String("x")}}})
	emutest.RequireCode(t, err, "ValidationException")

	got, err := client.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store), AlternateIdentifier: idsUserNameAttr("user1")})
	require.NoError(t, err)
	require.Equal(t, ids[1], aws.ToString(got.UserId))
	got, err = client.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
			AttributePath: aws.String("emails.value"), AttributeValue: document.NewLazyDocument("user4@example.com")}}})
	require.NoError(t, err)
	require.Equal(t, ids[4], aws.ToString(got.UserId))
	_, err = client.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store), AlternateIdentifier: idsUserNameAttr("nobody")})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeUser, nf.ResourceType)

	// UpdateUser replaces attributes and bumps the revision.
	upd, err := client.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[0]),
		Operations: []types.AttributeOperation{
			{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Renamed")},
			{AttributePath: aws.String("name.givenName"), AttributeValue: document.NewLazyDocument("New")},
		}})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(upd.Revision))
	desc, err = client.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[0])})
	require.NoError(t, err)
	require.Equal(t, "Renamed", aws.ToString(desc.DisplayName))
	require.Equal(t, "New", aws.ToString(desc.Name.GivenName))
	_, err = client.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[0]),
		Operations: []types.AttributeOperation{{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("user1")}}})
	emutest.RequireCode(t, err, "ConflictException")

	_, err = client.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[4])})
	require.NoError(t, err)
	_, err = client.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(ids[4])})
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeUser, nf.ResourceType)
	require.Equal(t, ids[4], aws.ToString(nf.ResourceId))
}

func TestIdentityStoreGroupsAndMemberships(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	_, store, _ := emutest.SSOSetup(t, srv)
	client := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()

	admins := emutest.CreateGroup(t, client, store, "Admins")
	devs := emutest.CreateGroup(t, client, store, "Developers")
	emutest.CreateGroup(t, client, store, "Auditors")
	_, err := client.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("admins")})
	emutest.RequireCode(t, err, "ConflictException")
	_, err = client.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("")})
	emutest.RequireCode(t, err, "ValidationException")

	var groups []string
	gp := identitystore.NewListGroupsPaginator(client, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		require.NoError(t, err)
		for _, g := range page.Groups {
			groups = append(groups, aws.ToString(g.DisplayName))
		}
	}
	require.Equal(t, []string{"Admins", "Developers", "Auditors"}, groups)
	filtered, err := client.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store),
		//lint:ignore SA1019 the emulator serves the deprecated filters too
		Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("Developers")}}})
	require.NoError(t, err)
	require.Len(t, filtered.Groups, 1)
	require.Equal(t, devs, aws.ToString(filtered.Groups[0].GroupId))
	require.Equal(t, "group Developers", aws.ToString(filtered.Groups[0].Description))

	gid, err := client.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Admins")}}})
	require.NoError(t, err)
	require.Equal(t, admins, aws.ToString(gid.GroupId))

	var users []string
	for i := 0; i < 3; i++ {
		users = append(users, emutest.CreateUser(t, client, store, fmt.Sprintf("member%d", i)))
	}
	var memberships []string
	for _, u := range users {
		out, err := client.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
			GroupId: aws.String(admins), MemberId: &types.MemberIdMemberUserId{Value: u}})
		require.NoError(t, err)
		memberships = append(memberships, aws.ToString(out.MembershipId))
	}
	_, err = client.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(admins), MemberId: &types.MemberIdMemberUserId{Value: users[0]}})
	emutest.RequireCode(t, err, "ConflictException")
	_, err = client.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(admins), MemberId: &types.MemberIdMemberUserId{Value: "00000000-0000-0000-0000-000000000000"}})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeUser, nf.ResourceType)
	_, err = client.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(devs), MemberId: &types.MemberIdMemberUserId{Value: users[1]}})
	require.NoError(t, err)

	var members []string
	mp := identitystore.NewListGroupMembershipsPaginator(client, &identitystore.ListGroupMembershipsInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(admins)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.GroupMemberships), 2)
		for _, m := range page.GroupMemberships {
			require.Equal(t, admins, aws.ToString(m.GroupId))
			members = append(members, m.MemberId.(*types.MemberIdMemberUserId).Value)
		}
	}
	require.Equal(t, users, members)

	forMember, err := client.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: aws.String(store), MemberId: &types.MemberIdMemberUserId{Value: users[1]}})
	require.NoError(t, err)
	require.Len(t, forMember.GroupMemberships, 2)

	mid, err := client.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(admins), MemberId: &types.MemberIdMemberUserId{Value: users[2]}})
	require.NoError(t, err)
	require.Equal(t, memberships[2], aws.ToString(mid.MembershipId))
	_, err = client.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: mid.MembershipId})
	require.NoError(t, err)
	_, err = client.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(store),
		GroupId: aws.String(admins), MemberId: &types.MemberIdMemberUserId{Value: users[2]}})
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeGroupMembership, nf.ResourceType)
	_, err = client.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: mid.MembershipId})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	// Deleting a group removes its memberships.
	_, err = client.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(devs)})
	require.NoError(t, err)
	forMember, err = client.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: aws.String(store), MemberId: &types.MemberIdMemberUserId{Value: users[1]}})
	require.NoError(t, err)
	require.Len(t, forMember.GroupMemberships, 1)
	_, err = client.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(devs)})
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeGroup, nf.ResourceType)
	require.Equal(t, devs, aws.ToString(nf.ResourceId))
}

func TestIdentityStoreAccess(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	_, err := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE").ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d-0123456789")})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	require.Equal(t, types.ResourceTypeIdentityStore, nf.ResourceType)

	_, store, accounts := emutest.SSOSetup(t, srv, "workload")
	_, err = emutest.IdentityStoreClient(srv, accounts[0]).ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store)})
	emutest.RequireCode(t, err, "AccessDeniedException")
	_, err = emutest.IdentityStoreClient(srv, "AKIDEXAMPLE").ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("not-a-store")})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = emutest.IdentityStoreClient(srv, "AKIDEXAMPLE").ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(store), MaxResults: aws.Int32(500)})
	emutest.RequireCode(t, err, "ValidationException")
}
