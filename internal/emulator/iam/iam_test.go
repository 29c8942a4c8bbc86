package iam_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/awsfoundation/foundation"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

const iamS3ReadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

func iamTagsMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestIAMRoleLifecycle(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	trust := emutest.TrustAccount(emulator.DefaultManagementAccountID, "")

	boundary, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	require.NoError(t, err)
	boundaryARN := aws.ToString(boundary.Policy.Arn)

	created, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("deployer"), Path: aws.String("/ci/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("CI deployments"), MaxSessionDuration: aws.Int32(7200), PermissionsBoundary: aws.String(boundaryARN),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":role/ci/deployer", aws.ToString(created.Role.Arn))
	require.Regexp(t, `^AROA[A-Z2-7]{17}$`, aws.ToString(created.Role.RoleId))
	require.NotNil(t, created.Role.CreateDate)

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("DEPLOYER")}) // names are case-insensitive
	require.NoError(t, err)
	r := got.Role
	require.Equal(t, "deployer", aws.ToString(r.RoleName))
	require.Equal(t, "/ci/", aws.ToString(r.Path))
	require.Equal(t, "CI deployments", aws.ToString(r.Description))
	require.EqualValues(t, 7200, aws.ToInt32(r.MaxSessionDuration))
	require.Equal(t, map[string]string{"team": "platform"}, iamTagsMap(r.Tags))
	require.Equal(t, boundaryARN, aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn))
	require.Equal(t, types.PermissionsBoundaryAttachmentTypePolicy, r.PermissionsBoundary.PermissionsBoundaryType)
	require.NotNil(t, r.RoleLastUsed)
	require.Equal(t, aws.ToString(created.Role.RoleId), aws.ToString(r.RoleId))
	// The trust policy comes back URL-encoded, as from AWS.
	doc := aws.ToString(r.AssumeRolePolicyDocument)
	require.True(t, strings.HasPrefix(doc, "%7B%22"), doc)
	gotDoc, err := foundation.ParsePolicy(doc)
	require.NoError(t, err)
	wantDoc, err := foundation.ParsePolicy(trust)
	require.NoError(t, err)
	require.True(t, wantDoc.Equal(gotDoc))

	// UpdateRole and UpdateAssumeRolePolicy.
	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("deployer"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(43200)})
	require.NoError(t, err)
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deployer"), PolicyDocument: aws.String(newTrust)})
	require.NoError(t, err)
	r = mustGetRole(t, c, "deployer")
	require.Equal(t, "new", aws.ToString(r.Description))
	require.EqualValues(t, 43200, aws.ToInt32(r.MaxSessionDuration))
	gotDoc, err = foundation.ParsePolicy(aws.ToString(r.AssumeRolePolicyDocument))
	require.NoError(t, err)
	require.Equal(t, []string{"ec2.amazonaws.com"}, []string(gotDoc.Statement[0].Principal.Service))

	// Inline policies.
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	require.NoError(t, err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("another"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	require.NoError(t, err)
	inline, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("s3-read")})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(aws.ToString(inline.PolicyDocument), "%7B%22"))
	gotDoc, err = foundation.ParsePolicy(aws.ToString(inline.PolicyDocument))
	require.NoError(t, err)
	wantDoc, _ = foundation.ParsePolicy(iamS3ReadPolicy)
	require.True(t, wantDoc.Equal(gotDoc))
	var names []string
	for p := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String("deployer")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		names = append(names, page.PolicyNames...)
	}
	require.Equal(t, []string{"another", "s3-read"}, names)

	// Managed policies: any well-formed AWS managed ARN, or a customer one.
	for _, arn := range []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", boundaryARN} {
		_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(arn)})
		require.NoError(t, err)
	}
	var attached []string
	for p := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("deployer")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(a.PolicyName))
		}
	}
	require.ElementsMatch(t, []string{"ReadOnlyAccess", "AWSLambdaBasicExecutionRole", "boundary"}, attached)
	pol, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(boundaryARN)})
	require.NoError(t, err)
	require.EqualValues(t, 1, aws.ToInt32(pol.Policy.AttachmentCount))
	require.EqualValues(t, 1, aws.ToInt32(pol.Policy.PermissionsBoundaryUsageCount))

	// Deletion needs the policies gone first.
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
	emutest.RequireIAMError(t, err, "DeleteConflict", "must delete policies first")
	for _, n := range names {
		_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String(n)})
		require.NoError(t, err)
	}
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("s3-read")})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "The role policy with name s3-read cannot be found.")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
	emutest.RequireIAMError(t, err, "DeleteConflict", "must detach all policies first")
	for _, arn := range []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", boundaryARN} {
		_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(arn)})
		require.NoError(t, err)
	}
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(boundaryARN)})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "was not found")

	// Permissions boundary.
	_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("deployer")})
	require.NoError(t, err)
	require.Nil(t, mustGetRole(t, c, "deployer").PermissionsBoundary)
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("deployer"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::aws:policy/PowerUserAccess", aws.ToString(mustGetRole(t, c, "deployer").PermissionsBoundary.PermissionsBoundaryArn))
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("deployer"),
		PermissionsBoundary: aws.String("arn:aws:iam::" + emulator.DefaultManagementAccountID + ":policy/nope")})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "does not exist or is not attachable")

	// Tags.
	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("deployer"), Tags: []types.Tag{
		{Key: aws.String("Team"), Value: aws.String("sre")}, {Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("cost"), Value: aws.String("42")}}})
	require.NoError(t, err)
	_, err = c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("deployer"), TagKeys: []string{"cost"}})
	require.NoError(t, err)
	tags := map[string]string{}
	for p := iam.NewListRoleTagsPaginator(c, &iam.ListRoleTagsInput{RoleName: aws.String("deployer")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for k, v := range iamTagsMap(page.Tags) {
			tags[k] = v
		}
	}
	require.Equal(t, map[string]string{"Team": "sre", "env": "prod"}, tags) // keys are case-insensitive: Team replaced team

	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
	require.NoError(t, err)
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "The role with name deployer cannot be found.")
	var nse *types.NoSuchEntityException
	require.True(t, errors.As(err, &nse))
}

func mustGetRole(t *testing.T, c *iam.Client, name string) *types.Role {
	t.Helper()
	out, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
	require.NoError(t, err)
	return out.Role
}

func TestIAMRoleErrors(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	trust := emutest.TrustAccount(emulator.DefaultManagementAccountID, "")
	create := func(name, doc string, opt ...func(*iam.CreateRoleInput)) error {
		in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}
		for _, o := range opt {
			o(in)
		}
		_, err := c.CreateRole(ctx, in)
		return err
	}
	require.NoError(t, create("app", trust))
	var exists *types.EntityAlreadyExistsException
	err := create("APP", trust)
	require.True(t, errors.As(err, &exists), "%v", err)
	emutest.RequireIAMError(t, err, "EntityAlreadyExists", "Role with name APP already exists.")

	// Malformed documents.
	emutest.RequireIAMError(t, create("bad1", `{"Version":"2012-10-17","Statement":[`), "MalformedPolicyDocument", "invalid Json")
	emutest.RequireIAMError(t, create("bad2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+emulator.DefaultManagementAccountID+`"},"Action":"sts:AssumeRole","Resource":"*"}]}`),
		"MalformedPolicyDocument", "Has prohibited field Resource")
	emutest.RequireIAMError(t, create("bad3", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":{"AWS":"`+emulator.DefaultManagementAccountID+`"},"Action":"sts:AssumeRole"}]}`),
		"MalformedPolicyDocument", "Effect")
	emutest.RequireIAMError(t, create("bad4", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`),
		"MalformedPolicyDocument", "Missing required field Principal")
	emutest.RequireIAMError(t, create("bad5", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+emulator.DefaultManagementAccountID+`"},"Action":"s3:GetObject"}]}`),
		"MalformedPolicyDocument", "may only specify STS AssumeRole actions")
	emutest.RequireIAMError(t, create("bad6", `{"Version":"2012-10-17","Statment":[]}`), "MalformedPolicyDocument", "Statment")
	// URL-encoded documents are accepted.
	enc, err := foundation.ParsePolicy(trust)
	require.NoError(t, err)
	encoded, err := enc.URLEncoded()
	require.NoError(t, err)
	require.NoError(t, create("encoded", encoded))

	// Validation.
	emutest.RequireIAMError(t, create("short", trust, func(in *iam.CreateRoleInput) { in.MaxSessionDuration = aws.Int32(100) }),
		"ValidationError", "greater than or equal to 3600")
	emutest.RequireCode(t, create("long", trust, func(in *iam.CreateRoleInput) { in.MaxSessionDuration = aws.Int32(43201) }), "ValidationError")
	emutest.RequireCode(t, create("pathless", trust, func(in *iam.CreateRoleInput) { in.Path = aws.String("no-slashes") }), "ValidationError")
	emutest.RequireCode(t, create("bad name!", trust), "ValidationError")
	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(60)})
	emutest.RequireCode(t, err, "ValidationError")
	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("nope")})
	emutest.RequireCode(t, err, "NoSuchEntity")
	emutest.RequireIAMError(t, create("boundless", trust, func(in *iam.CreateRoleInput) {
		in.PermissionsBoundary = aws.String("arn:aws:iam::" + emulator.DefaultManagementAccountID + ":policy/missing")
	}), "NoSuchEntity", "does not exist or is not attachable")

	// Identity policies: no principal, resources required.
	put := func(name, doc string) error {
		_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		return err
	}
	emutest.RequireIAMError(t, put("p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`),
		"MalformedPolicyDocument", "should not specify a principal")
	emutest.RequireIAMError(t, put("p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`),
		"MalformedPolicyDocument", "must contain resources")
	emutest.RequireIAMError(t, put("p", `not json`), "MalformedPolicyDocument", "invalid Json")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")

	// The aggregate inline policy size is 10,240 characters.
	big := func(n int) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", n) + `"}]}`
	}
	require.NoError(t, put("big1", big(5000)))
	var limit *types.LimitExceededException
	err = put("big2", big(5200))
	require.True(t, errors.As(err, &limit), "%v", err)
	emutest.RequireIAMError(t, err, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role app")
	require.NoError(t, put("big1", big(100))) // replacing a policy frees its size
	require.NoError(t, put("big2", big(5200)))

	// Attached policies must exist; at most 10 per role.
	attach := func(arn string) error {
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)})
		return err
	}
	emutest.RequireIAMError(t, attach("arn:aws:iam::"+emulator.DefaultManagementAccountID+":policy/missing"), "NoSuchEntity",
		"Policy arn:aws:iam::"+emulator.DefaultManagementAccountID+":policy/missing does not exist or is not attachable.")
	emutest.RequireIAMError(t, attach("arn:aws:iam::999999999999:policy/elsewhere"), "NoSuchEntity", "does not exist")
	emutest.RequireCode(t, attach("not-an-arn"), "InvalidInput")
	for i := 0; i < 10; i++ {
		require.NoError(t, attach(fmt.Sprintf("arn:aws:iam::aws:policy/Policy%d", i)))
	}
	require.NoError(t, attach("arn:aws:iam::aws:policy/Policy3")) // attaching again is a no-op
	emutest.RequireIAMError(t, attach("arn:aws:iam::aws:policy/Policy10"), "LimitExceeded", "PoliciesPerRole: 10")

	// 1000 roles per account.
	for i := iamTestRoleCount(srv, emulator.DefaultManagementAccountID); i < 1000; i++ {
		_, err := srv.CreateRole(emulator.DefaultManagementAccountID, fmt.Sprintf("filler-%04d", i), trust)
		require.NoError(t, err)
	}
	emutest.RequireIAMError(t, create("one-too-many", trust), "LimitExceeded", "RolesPerAccount: 1000")
}

// iamTestRoleCount is how many roles an account has.
func iamTestRoleCount(srv *emulator.Server, account string) int {
	snap, err := srv.Snapshot()
	if err != nil {
		panic(err)
	}
	var s struct {
		Accounts map[string]struct {
			IAM struct {
				Roles map[string]json.RawMessage `json:"roles"`
			} `json:"iam"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(snap, &s); err != nil {
		panic(err)
	}
	return len(s.Accounts[account].IAM.Roles)
}

func TestIAMListRolesPagination(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	trust := emutest.TrustAccount(emulator.DefaultManagementAccountID, "")
	want := []string{"alpha", "bravo", "charlie", "delta", "echo"}
	for i, n := range want {
		path := "/app/"
		if i%2 == 1 {
			path = "/ops/"
		}
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)})
		require.NoError(t, err)
	}
	first, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(100)})
	require.NoError(t, err)
	require.True(t, first.IsTruncated)
	require.Len(t, first.Roles, 2) // capped by the emulator's page size
	require.NotEmpty(t, aws.ToString(first.Marker))
	require.NotEmpty(t, aws.ToString(first.Roles[0].AssumeRolePolicyDocument))
	require.Empty(t, first.Roles[0].Tags)

	var got []string
	pages := 0
	for p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, r := range page.Roles {
			got = append(got, aws.ToString(r.RoleName))
		}
	}
	require.Equal(t, want, got)
	require.Equal(t, 3, pages)

	got = nil
	for p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/ops/")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, r := range page.Roles {
			got = append(got, aws.ToString(r.RoleName))
		}
	}
	require.Equal(t, []string{"bravo", "delta"}, got)

	one, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, one.Roles, 1)
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(0)})
	emutest.RequireCode(t, err, "ValidationError")
}

func TestIAMTrustPolicyPrincipals(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	_, err := srv.CreateRole(emutest.Member, "Existing", emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))
	require.NoError(t, err)
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	n := 0
	create := func(principal string) error {
		n++
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}`
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%d", n)), AssumeRolePolicyDocument: aws.String(doc)})
		return err
	}
	mgmt := emulator.DefaultManagementAccountID
	for _, ok := range []string{
		`{"AWS":"` + mgmt + `"}`,
		`{"AWS":"arn:aws:iam::` + emutest.Member + `:root"}`,
		`{"AWS":"arn:aws:iam::` + emutest.Member + `:role/Existing"}`,
		`{"AWS":"arn:aws:iam::555555555555:role/InAnAccountTheEmulatorDoesNotHave"}`,
		`{"AWS":"arn:aws:iam::555555555555:user/alice"}`,
		`{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}`,
		`"*"`,
		`{"Federated":"cognito-identity.amazonaws.com"}`,
	} {
		require.NoError(t, create(ok), ok)
	}
	for _, bad := range []string{
		`{"AWS":"arn:aws:iam::` + emutest.Member + `:role/Missing"}`,
		`{"AWS":"arn:aws:iam::` + mgmt + `:role/Missing"}`,
		`{"AWS":"arn:aws:iam::` + emutest.Member + `:role/other-path/Existing"}`,
		`{"AWS":"arn:aws:iam::` + mgmt + `:user/alice"}`,
		`{"AWS":"arn:aws:iam::` + emutest.Member + `:role/*"}`,
		`{"AWS":"not-an-arn"}`,
		`{"Service":"not a service"}`,
		`{"Federated":"arn:aws:iam::` + mgmt + `:oidc-provider/token.actions.githubusercontent.com"}`,
		`{"Federated":"arn:aws:iam::` + mgmt + `:saml-provider/Okta"}`,
	} {
		emutest.RequireIAMError(t, create(bad), "MalformedPolicyDocument", "Invalid principal in policy")
	}
	// A role trusting a role in its own account, created first.
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Missing"), AssumeRolePolicyDocument: aws.String(emutest.TrustAccount(mgmt, ""))})
	require.NoError(t, err)
	require.NoError(t, create(`{"AWS":"arn:aws:iam::`+mgmt+`:role/Missing"}`))

	// Federated principals must be this account's identity providers.
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}})
	require.NoError(t, err)
	require.NoError(t, create(`{"Federated":"arn:aws:iam::`+mgmt+`:oidc-provider/token.actions.githubusercontent.com"}`))
	// Not across accounts.
	err = func() error {
		_, err := emutest.IAMClient(srv, emutest.Member).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gh"), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + mgmt + `:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)})
		return err
	}()
	emutest.RequireIAMError(t, err, "MalformedPolicyDocument", "Invalid principal in policy")

	// UpdateAssumeRolePolicy checks the same way.
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r1"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emutest.Member + `:role/Gone"},"Action":"sts:AssumeRole"}]}`)})
	emutest.RequireIAMError(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::`+emutest.Member+`:role/Gone"`)
}

func TestIAMServiceLinkedRoles(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	for service, name := range map[string]string{
		"autoscaling.amazonaws.com":          "AWSServiceRoleForAutoScaling",
		"elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
		"eks.amazonaws.com":                  "AWSServiceRoleForAmazonEKS",
		"eks-nodegroup.amazonaws.com":        "AWSServiceRoleForAmazonEKSNodegroup",
		"ecs.amazonaws.com":                  "AWSServiceRoleForECS",
		"rds.amazonaws.com":                  "AWSServiceRoleForRDS",
		"spot.amazonaws.com":                 "AWSServiceRoleForEC2Spot",
		"organizations.amazonaws.com":        "AWSServiceRoleForOrganizations",
		"sso.amazonaws.com":                  "AWSServiceRoleForSSO",
		"some-new.amazonaws.com":             "AWSServiceRoleForSomeNew", // the fallback
	} {
		out, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
		require.NoError(t, err, service)
		require.Equal(t, name, aws.ToString(out.Role.RoleName))
		require.Equal(t, "/aws-service-role/"+service+"/", aws.ToString(out.Role.Path))
		require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":role/aws-service-role/"+service+"/"+name, aws.ToString(out.Role.Arn))
		r := mustGetRole(t, c, name)
		doc, err := foundation.ParsePolicy(aws.ToString(r.AssumeRolePolicyDocument))
		require.NoError(t, err)
		require.Equal(t, []string{service}, []string(doc.Statement[0].Principal.Service))
		require.Equal(t, []string{"sts:AssumeRole"}, []string(doc.Statement[0].Action))

		_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
		emutest.RequireIAMError(t, err, "InvalidInput", "Service role name "+name+" has been taken in this account, please try a different suffix.")
		var inv *types.InvalidInputException
		require.True(t, errors.As(err, &inv))
	}

	// Custom suffixes, where the service allows them.
	out, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"),
		CustomSuffix: aws.String("fleet"), Description: aws.String("for the fleet")})
	require.NoError(t, err)
	require.Equal(t, "AWSServiceRoleForAutoScaling_fleet", aws.ToString(out.Role.RoleName))
	require.Equal(t, "for the fleet", aws.ToString(out.Role.Description))
	_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com"), CustomSuffix: aws.String("x")})
	emutest.RequireIAMError(t, err, "InvalidInput", "Custom suffix is not allowed for elasticloadbalancing.amazonaws.com")
	_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("not a service")})
	emutest.RequireCode(t, err, "InvalidInput")

	// AWS owns them: IAM's role operations refuse.
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	emutest.RequireIAMError(t, err, "UnmodifiableEntity", "protected role 'AWSServiceRoleForECS'")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("AWSServiceRoleForECS"), PolicyName: aws.String("x"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	emutest.RequireCode(t, err, "UnmodifiableEntity")

	del, err := c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	require.NoError(t, err)
	task := aws.ToString(del.DeletionTaskId)
	require.True(t, strings.HasPrefix(task, "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"), task)
	st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)})
	require.NoError(t, err)
	require.Equal(t, types.DeletionTaskStatusTypeSucceeded, st.Status)
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	emutest.RequireCode(t, err, "NoSuchEntity")
	_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	require.NoError(t, err)
	_, err = c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/aws-service-role/x/y/z")})
	emutest.RequireCode(t, err, "NoSuchEntity")
}

func TestIAMOpenIDConnectProviders(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	const thumb = "6938fd4d98bab03faadb97b34396831e3780aea1"
	out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{thumb}, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("ci")}}})
	require.NoError(t, err)
	arn := aws.ToString(out.OpenIDConnectProviderArn)
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":oidc-provider/token.actions.githubusercontent.com", arn)
	require.Equal(t, map[string]string{"owner": "ci"}, iamTagsMap(out.Tags))

	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com")})
	emutest.RequireIAMError(t, err, "EntityAlreadyExists", "already exists")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example.com")})
	emutest.RequireCode(t, err, "InvalidInput")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://short.example.com"), ThumbprintList: []string{"abc"}})
	emutest.RequireCode(t, err, "ValidationError")
	six := []string{thumb, thumb, thumb, thumb, thumb, thumb}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://many.example.com"), ThumbprintList: six})
	emutest.RequireCode(t, err, "ValidationError")
	// No thumbprint is fine (AWS verifies well-known IdPs itself); a path is part of the ARN.
	eks, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.eks.us-east-1.amazonaws.com/id/ABC123"),
		ClientIDList: []string{"sts.amazonaws.com"}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123", aws.ToString(eks.OpenIDConnectProviderArn))

	got, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, "token.actions.githubusercontent.com", aws.ToString(got.Url))
	require.Equal(t, []string{"sts.amazonaws.com"}, got.ClientIDList)
	require.Equal(t, []string{thumb}, got.ThumbprintList)
	require.NotNil(t, got.CreateDate)

	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	require.NoError(t, err)
	require.Len(t, list.OpenIDConnectProviderList, 2)

	other := strings.Repeat("a", 40)
	_, err = c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{other}})
	require.NoError(t, err)
	_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("my-app")})
	require.NoError(t, err)
	_, err = c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("sts.amazonaws.com")})
	require.NoError(t, err)
	got, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, []string{"my-app"}, got.ClientIDList)
	require.Equal(t, []string{other}, got.ThumbprintList)

	_, err = c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("tier"), Value: aws.String("1")}}})
	require.NoError(t, err)
	_, err = c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"owner"}})
	require.NoError(t, err)
	tags := map[string]string{}
	for p := iam.NewListOpenIDConnectProviderTagsPaginator(c, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for k, v := range iamTagsMap(page.Tags) {
			tags[k] = v
		}
	}
	require.Equal(t, map[string]string{"env": "prod", "tier": "1"}, tags)

	_, err = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	emutest.RequireIAMError(t, err, "NoSuchEntity", arn)
	_, err = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	emutest.RequireCode(t, err, "NoSuchEntity")
}

func TestIAMAccountAliasUniqueAcrossAccounts(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	mgmt, mem := emutest.IAMClient(srv, "AKIDEXAMPLE"), emutest.IAMClient(srv, emutest.Member)

	_, err := mgmt.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	require.NoError(t, err)
	_, err = mem.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	emutest.RequireIAMError(t, err, "EntityAlreadyExists", "The account alias acme-prod already exists.")
	_, err = mem.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-dev")})
	require.NoError(t, err)

	list, err := mgmt.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"acme-prod"}, list.AccountAliases)
	list, err = mem.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"acme-dev"}, list.AccountAliases)

	// An account has one alias: a new one replaces it, freeing the old.
	_, err = mgmt.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-main")})
	require.NoError(t, err)
	list, err = mgmt.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"acme-main"}, list.AccountAliases)
	_, err = mem.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	require.NoError(t, err)

	for _, bad := range []string{"ab", "Upper", "-lead", "trail-", "dou--ble", strings.Repeat("a", 64)} {
		_, err = mgmt.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
		emutest.RequireCode(t, err, "ValidationError")
	}
	_, err = mgmt.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	emutest.RequireIAMError(t, err, "NoSuchEntity", "acme-prod")
	_, err = mgmt.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-main")})
	require.NoError(t, err)
	list, err = mgmt.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	require.NoError(t, err)
	require.Empty(t, list.AccountAliases)
	require.False(t, list.IsTruncated)
}

func TestIAMManagedPolicies(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-state"), Path: aws.String("/terraform/"),
		PolicyDocument: aws.String(iamS3ReadPolicy), Description: aws.String("reads the state bucket"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	p := out.Policy
	arn := aws.ToString(p.Arn)
	require.Equal(t, "arn:aws:iam::"+emulator.DefaultManagementAccountID+":policy/terraform/read-state", arn)
	require.Equal(t, "v1", aws.ToString(p.DefaultVersionId))
	require.Regexp(t, `^ANPA[A-Z2-7]{17}$`, aws.ToString(p.PolicyId))
	require.True(t, p.IsAttachable)
	require.EqualValues(t, 0, aws.ToInt32(p.AttachmentCount))

	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, "reads the state bucket", aws.ToString(got.Policy.Description))
	require.Equal(t, "/terraform/", aws.ToString(got.Policy.Path))
	require.Equal(t, map[string]string{"k": "v"}, iamTagsMap(got.Policy.Tags))

	ver, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	require.NoError(t, err)
	require.True(t, ver.PolicyVersion.IsDefaultVersion)
	require.True(t, strings.HasPrefix(aws.ToString(ver.PolicyVersion.Document), "%7B%22"))
	doc, err := foundation.ParsePolicy(aws.ToString(ver.PolicyVersion.Document))
	require.NoError(t, err)
	want, _ := foundation.ParsePolicy(iamS3ReadPolicy)
	require.True(t, want.Equal(doc))
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	emutest.RequireCode(t, err, "NoSuchEntity")

	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("READ-STATE"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	emutest.RequireIAMError(t, err, "EntityAlreadyExists", "Duplicate names are not allowed")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"*"}]}`)})
	emutest.RequireCode(t, err, "MalformedPolicyDocument")
	for _, n := range []string{"b-policy", "c-policy"} {
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(n), PolicyDocument: aws.String(iamS3ReadPolicy)})
		require.NoError(t, err)
	}

	var names []string
	for pg := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		require.NoError(t, err)
		for _, p := range page.Policies {
			names = append(names, aws.ToString(p.PolicyName))
		}
	}
	require.Equal(t, []string{"b-policy", "c-policy", "read-state"}, names)
	only, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/terraform/")})
	require.NoError(t, err)
	require.Len(t, only.Policies, 1)

	// Attached policies cannot be deleted.
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))})
	require.NoError(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)})
	require.NoError(t, err)
	attached, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true})
	require.NoError(t, err)
	require.Len(t, attached.Policies, 1)
	require.EqualValues(t, 1, aws.ToInt32(attached.Policies[0].AttachmentCount))
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	var conflict *types.DeleteConflictException
	require.True(t, errors.As(err, &conflict), "%v", err)
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	emutest.RequireCode(t, err, "NoSuchEntity")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	emutest.RequireCode(t, err, "NoSuchEntity")

	// AWS managed policies are known by ARN.
	aws1, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")})
	require.NoError(t, err)
	require.Equal(t, "ViewOnlyAccess", aws.ToString(aws1.Policy.PolicyName))
	require.Equal(t, "/job-function/", aws.ToString(aws1.Policy.Path))
}

func TestIAMAssumeRoleIntoCreatedRole(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	// The member account's root creates a role trusting the management account.
	created, err := emutest.IAMClient(srv, emutest.Member).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Deploy"), Path: aws.String("/ci/"),
		AssumeRolePolicyDocument: aws.String(emutest.TrustAccount(emulator.DefaultManagementAccountID, "")), MaxSessionDuration: aws.Int32(7200)})
	require.NoError(t, err)
	roleARN := aws.ToString(created.Role.Arn)

	out, err := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN),
		RoleSessionName: aws.String("deploy"), DurationSeconds: aws.Int32(7200)})
	require.NoError(t, err)
	cfg := emutest.Config(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::"+emutest.Member+":assumed-role/Deploy/deploy", aws.ToString(who.Arn))
	require.True(t, strings.HasPrefix(aws.ToString(who.UserId), aws.ToString(created.Role.RoleId)+":"))

	// The session acts in the member account: it sees the role it assumed.
	r, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Deploy")})
	require.NoError(t, err)
	require.Equal(t, roleARN, aws.ToString(r.Role.Arn))

	// A trust policy that does not name the caller refuses.
	_, err = emutest.IAMClient(srv, emutest.Member).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Deploy"),
		PolicyDocument: aws.String(emutest.TrustAccount(emutest.Member, ""))})
	require.NoError(t, err)
	_, err = sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE")).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("deploy")})
	emutest.RequireCode(t, err, "AccessDenied")
}

// iamScript does the same IAM work against any emulator.
func iamScript(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, srv.AddAccount(emutest.Member))
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("f", 40)}, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	require.NoError(t, err)
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(iamS3ReadPolicy), Description: aws.String("d")})
	require.NoError(t, err)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gha"), Description: aws.String("GitHub Actions"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + emulator.DefaultManagementAccountID +
			`:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}]}`),
		PermissionsBoundary: aws.String(aws.ToString(pol.Policy.Arn)), Tags: []types.Tag{{Key: aws.String("t"), Value: aws.String("1")}}})
	require.NoError(t, err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("gha"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(iamS3ReadPolicy)})
	require.NoError(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("gha"), PolicyArn: pol.Policy.Arn})
	require.NoError(t, err)
	_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
	require.NoError(t, err)
	_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-main")})
	require.NoError(t, err)
	_, err = emutest.IAMClient(srv, emutest.Member).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(emutest.TrustAccount(emulator.DefaultManagementAccountID, ""))})
	require.NoError(t, err)
}

func TestIAMSnapshotDeterministic(t *testing.T) {
	a, b := emutest.Start(t, emulator.Options{}), emutest.Start(t, emulator.Options{})
	iamScript(t, a)
	iamScript(t, b)
	sa, err := a.Snapshot()
	require.NoError(t, err)
	sb, err := b.Snapshot()
	require.NoError(t, err)
	require.Equal(t, string(sa), string(sb))
	s := string(sa)
	for _, want := range []string{`"oidcProviders"`, `"token.actions.githubusercontent.com"`, `"serviceLinkedRoles"`, `"AWSServiceRoleForAutoScaling": "autoscaling.amazonaws.com"`,
		`"alias": "acme-main"`, `"attachedPolicies"`, `"inlinePolicies"`, `"permissionsBoundary": "arn:aws:iam::` + emulator.DefaultManagementAccountID + `:policy/read"`} {
		require.Contains(t, s, want)
	}
	require.NotContains(t, s, "AROA")
	require.NotContains(t, s, "ANPA")

	// Different work, different snapshot.
	_, err = emutest.IAMClient(b, "AKIDEXAMPLE").TagRole(context.Background(), &iam.TagRoleInput{RoleName: aws.String("gha"), Tags: []types.Tag{{Key: aws.String("t"), Value: aws.String("2")}}})
	require.NoError(t, err)
	sb, err = b.Snapshot()
	require.NoError(t, err)
	require.NotEqual(t, string(sa), string(sb))
}
