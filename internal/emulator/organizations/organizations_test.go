package organizations_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

var (
	orgIDRe    = regexp.MustCompile(`^o-[a-z0-9]{10}$`)
	rootIDRe   = regexp.MustCompile(`^r-[a-z0-9]{4}$`)
	ouIDRe     = regexp.MustCompile(`^ou-[a-z0-9]{4}-[a-z0-9]{8}$`)
	policyIDRe = regexp.MustCompile(`^p-[a-z0-9]{8}$`)
	carIDRe    = regexp.MustCompile(`^car-[a-f0-9]{32}$`)
	memberIDRe = regexp.MustCompile(`^\d{12}$`)
)

func requireReason(t *testing.T, err error, reason types.ConstraintViolationExceptionReason) {
	t.Helper()
	var cv *types.ConstraintViolationException
	require.Truef(t, errors.As(err, &cv), "want ConstraintViolationException %s, got %v", reason, err)
	require.Equal(t, reason, cv.Reason)
}

func TestOrganizationsLifecycle(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client := emutest.OrgClient(srv, "AKIDEXAMPLE")

	_, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	require.True(t, errors.As(err, &notInUse), "%v", err)
	require.NotEmpty(t, notInUse.ErrorMessage())

	created, err := client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	org := created.Organization
	require.Regexp(t, orgIDRe, aws.ToString(org.Id))
	require.Equal(t, types.OrganizationFeatureSetAll, org.FeatureSet)
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(org.MasterAccountId))
	require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":organization/"+aws.ToString(org.Id), aws.ToString(org.Arn))
	require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":account/"+aws.ToString(org.Id)+"/"+emulator.DefaultManagementAccountID,
		aws.ToString(org.MasterAccountArn))

	_, err = client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	var already *types.AlreadyInOrganizationException
	require.True(t, errors.As(err, &already), "%v", err)

	roots, err := client.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	require.Len(t, roots.Roots, 1)
	root := roots.Roots[0]
	require.Regexp(t, rootIDRe, aws.ToString(root.Id))
	require.Equal(t, "Root", aws.ToString(root.Name))
	require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":root/"+aws.ToString(org.Id)+"/"+aws.ToString(root.Id), aws.ToString(root.Arn))
	require.Empty(t, root.PolicyTypes)

	// An account outside any organization.
	require.NoError(t, srv.AddAccount(emutest.Member))
	_, err = emutest.OrgClient(srv, emutest.Member).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	require.True(t, errors.As(err, &notInUse), "%v", err)

	// The management account describes itself.
	acct, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(emulator.DefaultManagementAccountID)})
	require.NoError(t, err)
	require.Equal(t, types.AccountStateActive, acct.Account.State)
	require.Empty(t, acct.Account.Status, "Status was retired on 2026-09-09")

	// A member sees its organization but not the management-only APIs.
	st := emutest.CreateAccount(t, client, "workload", "workload@example.com")
	require.Equal(t, types.CreateAccountStateSucceeded, st.State)
	memberClient := emutest.OrgClient(srv, aws.ToString(st.AccountId))
	seen, err := memberClient.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(org.Id), aws.ToString(seen.Organization.Id))
	_, err = memberClient.ListAccounts(ctx, &organizations.ListAccountsInput{})
	var denied *types.AccessDeniedException
	require.True(t, errors.As(err, &denied), "%v", err)
	_, err = memberClient.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	require.True(t, errors.As(err, &denied), "%v", err)

	_, err = client.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	var notEmpty *types.OrganizationNotEmptyException
	require.True(t, errors.As(err, &notEmpty), "%v", err)

	// An organization without members can be deleted, and created again.
	other := emutest.OrgClient(srv, emutest.Member)
	_, err = other.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling})
	require.NoError(t, err)
	_, err = other.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	require.NoError(t, err)
	_, err = other.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	require.True(t, errors.As(err, &notInUse), "%v", err)

	for _, c := range srv.Calls() {
		switch c.Operation {
		case "CreateOrganization", "DeleteOrganization", "CreateAccount":
			require.True(t, c.Mutating, c.Operation)
		case "DescribeOrganization", "ListRoots", "DescribeAccount", "DescribeCreateAccountStatus", "ListAccounts":
			require.False(t, c.Mutating, c.Operation)
		}
	}
}

func TestOrganizationsOUTree(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, orgID, rootID := emutest.OrgSetup(t, srv)

	parent := rootID
	var ids []string
	for depth := 1; depth <= 5; depth++ {
		out, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			ParentId: aws.String(parent), Name: aws.String("level" + string(rune('0'+depth)))})
		require.NoError(t, err, "depth %d", depth)
		ou := out.OrganizationalUnit
		require.Regexp(t, ouIDRe, aws.ToString(ou.Id))
		require.True(t, strings.HasPrefix(aws.ToString(ou.Id), "ou-"+rootID[2:]+"-"))
		require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":ou/"+orgID+"/"+aws.ToString(ou.Id), aws.ToString(ou.Arn))
		parent = aws.ToString(ou.Id)
		ids = append(ids, parent)
	}
	desc, err := client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ids[1])})
	require.NoError(t, err)
	require.Equal(t, "level2", aws.ToString(desc.OrganizationalUnit.Name))
	require.Equal(t, orgID+"/"+rootID+"/"+ids[0]+"/"+ids[1]+"/", aws.ToString(desc.OrganizationalUnit.Path))

	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(parent), Name: aws.String("level6")})
	requireReason(t, err, types.ConstraintViolationExceptionReasonOuDepthLimitExceeded)

	// Sibling names are unique; cousins may share a name.
	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("level1")})
	var dup *types.DuplicateOrganizationalUnitException
	require.True(t, errors.As(err, &dup), "%v", err)
	sandbox, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("level2")})
	require.NoError(t, err)
	_, err = client.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{
		OrganizationalUnitId: sandbox.OrganizationalUnit.Id, Name: aws.String("level1")})
	require.True(t, errors.As(err, &dup), "%v", err)
	renamed, err := client.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{
		OrganizationalUnitId: sandbox.OrganizationalUnit.Id, Name: aws.String("Sandbox")})
	require.NoError(t, err)
	require.Equal(t, "Sandbox", aws.ToString(renamed.OrganizationalUnit.Name))

	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(rootID), Name: aws.String(strings.Repeat("x", 129))})
	var invalid *types.InvalidInputException
	require.True(t, errors.As(err, &invalid), "%v", err)
	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String("ou-zzzz-zzzzzzzz"), Name: aws.String("orphan")})
	var noParent *types.ParentNotFoundException
	require.True(t, errors.As(err, &noParent), "%v", err)

	parents, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(ids[2])})
	require.NoError(t, err)
	require.Equal(t, []types.Parent{{Id: aws.String(ids[1]), Type: types.ParentTypeOrganizationalUnit}}, parents.Parents)
	parents, err = client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(ids[0])})
	require.NoError(t, err)
	require.Equal(t, types.ParentTypeRoot, parents.Parents[0].Type)

	top, err := client.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
	require.NoError(t, err)
	require.Len(t, top.OrganizationalUnits, 2)

	_, err = client.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ids[3])})
	var notEmpty *types.OrganizationalUnitNotEmptyException
	require.True(t, errors.As(err, &notEmpty), "%v", err)
	_, err = client.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ids[4])})
	require.NoError(t, err)
	_, err = client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ids[4])})
	var notFound *types.OrganizationalUnitNotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)
}

func TestOrganizationsCreateAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, orgID, rootID := emutest.OrgSetup(t, srv)

	out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Prod"),
		Email: aws.String("prod@example.com"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	require.NoError(t, err)
	req := out.CreateAccountStatus
	require.Equal(t, types.CreateAccountStateInProgress, req.State)
	require.Regexp(t, carIDRe, aws.ToString(req.Id))
	require.Nil(t, req.AccountId)
	for i := 0; i < 2; i++ { // Options.AccountCreationDescribes
		st, err := client.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.Id})
		require.NoError(t, err)
		require.Equal(t, types.CreateAccountStateInProgress, st.CreateAccountStatus.State)
	}
	st, err := client.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.Id})
	require.NoError(t, err)
	require.Equal(t, types.CreateAccountStateSucceeded, st.CreateAccountStatus.State)
	id := aws.ToString(st.CreateAccountStatus.AccountId)
	require.Regexp(t, memberIDRe, id)
	require.NotNil(t, st.CreateAccountStatus.CompletedTimestamp)
	require.Contains(t, srv.Accounts(), id)

	acct, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	require.NoError(t, err)
	require.Equal(t, "Prod", aws.ToString(acct.Account.Name))
	require.Equal(t, "prod@example.com", aws.ToString(acct.Account.Email))
	require.Equal(t, types.AccountStateActive, acct.Account.State)
	require.Equal(t, types.AccountJoinedMethodCreated, acct.Account.JoinedMethod)
	require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":account/"+orgID+"/"+id, aws.ToString(acct.Account.Arn))
	require.NotNil(t, acct.Account.JoinedTimestamp)
	tags, err := client.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	require.NoError(t, err)
	require.Equal(t, "prod", aws.ToString(tags.Tags[0].Value))
	children, err := client.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(rootID), ChildType: types.ChildTypeAccount})
	require.NoError(t, err)
	require.Contains(t, []string{aws.ToString(children.Children[0].Id), aws.ToString(children.Children[len(children.Children)-1].Id)}, id)

	_, err = client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("999999999999")})
	var noAccount *types.AccountNotFoundException
	require.True(t, errors.As(err, &noAccount), "%v", err)
	_, err = client.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-00000000000000000000000000000000")})
	var noRequest *types.CreateAccountStatusNotFoundException
	require.True(t, errors.As(err, &noRequest), "%v", err)

	// The email is taken.
	failed := emutest.CreateAccount(t, client, "Prod again", "prod@example.com")
	require.Equal(t, types.CreateAccountStateFailed, failed.State)
	require.Equal(t, types.CreateAccountFailureReasonEmailAlreadyExists, failed.FailureReason)
	require.Nil(t, failed.AccountId)

	// Forced failures, one per request.
	require.Error(t, srv.FailNextAccountCreation("NOT_A_REASON"))
	require.NoError(t, srv.FailNextAccountCreation("ACCOUNT_LIMIT_EXCEEDED"))
	require.NoError(t, srv.FailNextAccountCreation("INVALID_EMAIL"))
	require.Equal(t, types.CreateAccountFailureReasonAccountLimitExceeded, emutest.CreateAccount(t, client, "a", "a@example.com").FailureReason)
	require.Equal(t, types.CreateAccountFailureReasonInvalidEmail, emutest.CreateAccount(t, client, "b", "b@example.com").FailureReason)
	require.Equal(t, types.CreateAccountStateSucceeded, emutest.CreateAccount(t, client, "c", "c@example.com").State)

	statuses, err := client.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateFailed}, MaxResults: aws.Int32(20)})
	require.NoError(t, err)
	require.Len(t, statuses.CreateAccountStatuses, 2) // the page size caps at 2
	require.NotNil(t, statuses.NextToken)
	all := 0
	p := organizations.NewListCreateAccountStatusPaginator(client, &organizations.ListCreateAccountStatusInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		all += len(page.CreateAccountStatuses)
	}
	require.Equal(t, 5, all)

	// Invalid input is refused synchronously.
	_, err = client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("not-an-email")})
	var invalid *types.InvalidInputException
	require.True(t, errors.As(err, &invalid), "%v", err)
}

func TestOrganizationsCreateAccountConcurrencyLimit(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	emutest.OrgSetup(t, srv)
	client := organizations.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
	var first string
	for i := 0; i < 5; i++ {
		out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("acct"),
			Email: aws.String("acct" + string(rune('a'+i)) + "@example.com")})
		require.NoError(t, err)
		if first == "" {
			first = aws.ToString(out.CreateAccountStatus.Id)
		}
	}
	_, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("sixth"), Email: aws.String("sixth@example.com")})
	var tooMany *types.TooManyRequestsException
	require.True(t, errors.As(err, &tooMany), "%v", err)

	require.Equal(t, types.CreateAccountStateSucceeded, emutest.WaitCreateAccount(t, client, first).State)
	_, err = client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("sixth"), Email: aws.String("sixth@example.com")})
	require.NoError(t, err)
}

func TestOrganizationsAssumeRoleIntoCreatedAccount(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, _ := emutest.OrgSetup(t, srv)
	st := emutest.CreateAccount(t, client, "Workloads", "workloads@example.com")
	id := aws.ToString(st.AccountId)

	mgmt := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	out, err := mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("bootstrap")})
	require.NoError(t, err)
	cfg := emutest.Config(srv, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, id, aws.ToString(who.Account))

	// The assumed role acts in a member account of the organization.
	org, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	require.NoError(t, err)
	require.Equal(t, emulator.DefaultManagementAccountID, aws.ToString(org.Organization.MasterAccountId))

	// A custom role name.
	req, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Audit"),
		Email: aws.String("audit@example.com"), RoleName: aws.String("AdminAccess"), IamUserAccessToBilling: types.IAMUserAccessToBillingDeny})
	require.NoError(t, err)
	audit := aws.ToString(emutest.WaitCreateAccount(t, client, aws.ToString(req.CreateAccountStatus.Id)).AccountId)
	_, err = mgmt.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + audit + ":role/AdminAccess"), RoleSessionName: aws.String("audit")})
	require.NoError(t, err)
}

func TestOrganizationsMoveAndClose(t *testing.T) {
	var offset atomic.Int64
	srv := emutest.Start(t, emulator.Options{AccountCreationDescribes: 1, Clock: func() time.Time {
		return emutest.TimeFixed.Add(time.Duration(offset.Load()))
	}})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	require.NoError(t, err)
	ouID := aws.ToString(ou.OrganizationalUnit.Id)

	var ids []string
	for i := 0; i < 12; i++ {
		st := emutest.CreateAccount(t, client, "member", "member"+string(rune('a'+i))+"@example.com")
		require.Equal(t, types.CreateAccountStateSucceeded, st.State)
		ids = append(ids, aws.ToString(st.AccountId))
	}

	move := func(acct, src, dst string) error {
		_, err := client.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct),
			SourceParentId: aws.String(src), DestinationParentId: aws.String(dst)})
		return err
	}
	require.NoError(t, move(ids[0], rootID, ouID))
	var dup *types.DuplicateAccountException
	require.True(t, errors.As(move(ids[0], ouID, ouID), &dup))
	var noSrc *types.SourceParentNotFoundException
	require.True(t, errors.As(move(ids[0], "ou-zzzz-zzzzzzzz", rootID), &noSrc))
	var noDst *types.DestinationParentNotFoundException
	require.True(t, errors.As(move(ids[0], ouID, "ou-zzzz-zzzzzzzz"), &noDst))
	var noAccount *types.AccountNotFoundException
	require.True(t, errors.As(move("999999999999", ouID, rootID), &noAccount))
	inOU, err := client.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(ouID)})
	require.NoError(t, err)
	require.Len(t, inOU.Accounts, 1)
	require.Equal(t, ids[0], aws.ToString(inOU.Accounts[0].Id))

	closeAccount := func(id string) error {
		_, err := client.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)})
		return err
	}
	describe := func(id string) types.AccountState {
		out, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
		require.NoError(t, err)
		return out.Account.State
	}
	requireReason(t, closeAccount(emulator.DefaultManagementAccountID), types.ConstraintViolationExceptionReasonCannotCloseManagementAccount)

	require.NoError(t, closeAccount(ids[0]))
	var closed *types.AccountAlreadyClosedException
	require.True(t, errors.As(closeAccount(ids[0]), &closed))
	require.Equal(t, types.AccountStatePendingClosure, describe(ids[0]))
	require.Equal(t, types.AccountStatePendingClosure, describe(ids[0]))
	require.Equal(t, types.AccountStateSuspended, describe(ids[0]))
	require.True(t, errors.As(closeAccount(ids[0]), &closed))

	// At most 5 closures pending at once.
	for _, id := range ids[1:6] {
		require.NoError(t, closeAccount(id))
	}
	requireReason(t, closeAccount(ids[6]), types.ConstraintViolationExceptionReasonCloseAccountRequestsLimitExceeded)
	settle := func(ids []string) {
		for _, id := range ids {
			for i := 0; describe(id) != types.AccountStateSuspended; i++ {
				require.Less(t, i, 5)
			}
		}
	}
	settle(ids[1:6])
	// 10% of 12 members is below the minimum quota of 10 closures in 30 days.
	for _, id := range ids[6:10] {
		require.NoError(t, closeAccount(id))
	}
	settle(ids[6:10])
	requireReason(t, closeAccount(ids[10]), types.ConstraintViolationExceptionReasonCloseAccountQuotaExceeded)
	offset.Store(int64(31 * 24 * time.Hour))
	require.NoError(t, closeAccount(ids[10]))
}

func TestOrganizationsServiceControlPolicies(t *testing.T) {
	// The SCP quotas before 2026-05-15, which this test counts with;
	// policytypes_test.go checks today's.
	srv := emutest.Start(t, emulator.Options{SCPMaxSize: 5120, SCPMaxAttachments: 5})
	ctx := context.Background()
	client, orgID, rootID := emutest.OrgSetup(t, srv)
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	require.NoError(t, err)
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	acct := aws.ToString(emutest.CreateAccount(t, client, "prod", "prod@example.com").AccountId)

	const deny = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	createPolicy := func(name, content string, typ types.PolicyType) (*organizations.CreatePolicyOutput, error) {
		return client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Content: aws.String(content),
			Description: aws.String(name), Type: typ})
	}
	// Policies can be created before their type is enabled, not attached.
	guard, err := createPolicy("guardrails", deny, types.PolicyTypeServiceControlPolicy)
	require.NoError(t, err)
	guardID := aws.ToString(guard.Policy.PolicySummary.Id)
	require.Regexp(t, policyIDRe, guardID)
	require.Equal(t, "arn:aws:organizations::"+emulator.DefaultManagementAccountID+":policy/"+orgID+"/service_control_policy/"+guardID,
		aws.ToString(guard.Policy.PolicySummary.Arn))
	require.False(t, guard.Policy.PolicySummary.AwsManaged)
	_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(guardID), TargetId: aws.String(ouID)})
	var notEnabled *types.PolicyTypeNotEnabledException
	require.True(t, errors.As(err, &notEnabled), "%v", err)

	enabled, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	require.Equal(t, []types.PolicyTypeSummary{{Type: types.PolicyTypeServiceControlPolicy, Status: types.PolicyTypeStatusEnabled}}, enabled.Root.PolicyTypes)
	_, err = client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	var already *types.PolicyTypeAlreadyEnabledException
	require.True(t, errors.As(err, &already), "%v", err)

	newOU, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(ouID), Name: aws.String("Apps")})
	require.NoError(t, err)
	newAcct := aws.ToString(emutest.CreateAccount(t, client, "apps", "apps@example.com").AccountId)
	scps := func(target string) []string {
		var names []string
		p := organizations.NewListPoliciesForTargetPaginator(client, &organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, s := range page.Policies {
				names = append(names, aws.ToString(s.Name))
			}
		}
		return names
	}
	for _, target := range []string{rootID, ouID, acct, emulator.DefaultManagementAccountID, aws.ToString(newOU.OrganizationalUnit.Id), newAcct} {
		require.Equal(t, []string{"FullAWSAccess"}, scps(target), target)
	}
	full, err := client.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	require.NoError(t, err)
	require.True(t, full.Policy.PolicySummary.AwsManaged)
	require.Equal(t, "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", aws.ToString(full.Policy.PolicySummary.Arn))

	// Attach up to the limit of 5 (FullAWSAccess included).
	attach := func(policy, target string) error {
		_, err := client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
		return err
	}
	require.NoError(t, attach(guardID, ouID))
	var dupAttach *types.DuplicatePolicyAttachmentException
	require.True(t, errors.As(attach(guardID, ouID), &dupAttach))
	for _, name := range []string{"scp3", "scp4", "scp5", "scp6"} {
		p, err := createPolicy(name, deny, types.PolicyTypeServiceControlPolicy)
		require.NoError(t, err)
		err = attach(aws.ToString(p.Policy.PolicySummary.Id), ouID)
		if name == "scp6" {
			requireReason(t, err, types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
		} else {
			require.NoError(t, err)
		}
	}
	_, err = createPolicy("guardrails", deny, types.PolicyTypeServiceControlPolicy)
	var dupPolicy *types.DuplicatePolicyException
	require.True(t, errors.As(err, &dupPolicy), "%v", err)

	targets, err := client.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(guardID)})
	require.NoError(t, err)
	require.Equal(t, []types.PolicyTargetSummary{{TargetId: aws.String(ouID), Name: aws.String("Prod"), Type: types.TargetTypeOrganizationalUnit,
		Arn: ou.OrganizationalUnit.Arn}}, targets.Targets)

	// The last SCP stays; attached policies can't be deleted.
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(acct)})
	requireReason(t, err, types.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded)
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(guardID), TargetId: aws.String(acct)})
	var notAttached *types.PolicyNotAttachedException
	require.True(t, errors.As(err, &notAttached), "%v", err)
	_, err = client.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(guardID)})
	var inUse *types.PolicyInUseException
	require.True(t, errors.As(err, &inUse), "%v", err)
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(guardID), TargetId: aws.String(ouID)})
	require.NoError(t, err)
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(ouID)})
	require.NoError(t, err) // scp3..scp5 remain
	_, err = client.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(guardID)})
	require.NoError(t, err)

	// Content: JSON, a policy grammar, and at most 5120 characters once
	// whitespace outside strings is removed.
	_, err = createPolicy("broken", `{"Statement":`, types.PolicyTypeServiceControlPolicy)
	var malformed *types.MalformedPolicyDocumentException
	require.True(t, errors.As(err, &malformed), "%v", err)
	_, err = createPolicy("noeffect", `{"Statement":[{"Action":"*","Resource":"*"}]}`, types.PolicyTypeServiceControlPolicy)
	require.True(t, errors.As(err, &malformed), "%v", err)
	big := func(n int, pad string) string {
		sid := strings.Repeat("a", n)
		return `{` + pad + `"Version":"2012-10-17",` + pad + `"Statement":[{"Sid":"` + sid + `","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	}
	base := len(big(0, ""))
	_, err = createPolicy("exact", big(5120-base, strings.Repeat(" \n", 500)), types.PolicyTypeServiceControlPolicy)
	require.NoError(t, err)
	_, err = createPolicy("toolarge", big(5121-base, ""), types.PolicyTypeServiceControlPolicy)
	requireReason(t, err, types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)

	// AWS managed policies are immutable.
	_, err = client.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Name: aws.String("x")})
	var invalid *types.InvalidInputException
	require.True(t, errors.As(err, &invalid), "%v", err)
	require.Equal(t, types.InvalidInputExceptionReasonImmutablePolicy, invalid.Reason)

	// Disabling detaches every SCP.
	_, err = client.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	require.Empty(t, scps(ouID))
	require.Empty(t, scps(acct))
	_, err = client.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.True(t, errors.As(err, &notEnabled), "%v", err)

	// Other policy types have no managed policy and no minimum.
	tag, err := createPolicy("tags", `{"tags":{"env":{"tag_key":{"@@assign":"env"}}}}`, types.PolicyTypeTagPolicy)
	require.NoError(t, err)
	_, err = client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeTagPolicy})
	require.NoError(t, err)
	require.NoError(t, attach(aws.ToString(tag.Policy.PolicySummary.Id), acct))
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: tag.Policy.PolicySummary.Id, TargetId: aws.String(acct)})
	require.NoError(t, err)

	// Resource control policies: RCPFullAWSAccess everywhere, not detachable.
	_, err = client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeResourceControlPolicy})
	require.NoError(t, err)
	rcps, err := client.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(acct), Filter: types.PolicyTypeResourceControlPolicy})
	require.NoError(t, err)
	require.Equal(t, "p-RCPFullAWSAccess", aws.ToString(rcps.Policies[0].Id))
	_, err = client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: aws.String(acct)})
	require.True(t, errors.As(err, &invalid), "%v", err)
	require.Equal(t, types.InvalidInputExceptionReasonNonDetachablePolicy, invalid.Reason)
}

func TestOrganizationsSCPLimitOptions(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{SCPMaxSize: 100, SCPMaxAttachments: 2})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	_, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	small := `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`
	var ids []string
	for _, name := range []string{"one", "two"} {
		p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Content: aws.String(small),
			Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy})
		require.NoError(t, err)
		ids = append(ids, aws.ToString(p.Policy.PolicySummary.Id))
	}
	_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(ids[0]), TargetId: aws.String(rootID)})
	require.NoError(t, err)
	_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(ids[1]), TargetId: aws.String(rootID)})
	requireReason(t, err, types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
	_, err = client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("big"), Description: aws.String(""),
		Content: aws.String(`{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("r", 60) + `"}}`),
		Type:    types.PolicyTypeServiceControlPolicy})
	requireReason(t, err, types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
}

func TestOrganizationsTags(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID),
		Name: aws.String("Prod"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	require.NoError(t, err)
	p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String("d"),
		Content: aws.String(`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`), Type: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	for _, id := range []string{rootID, aws.ToString(ou.OrganizationalUnit.Id), aws.ToString(p.Policy.PolicySummary.Id), emulator.DefaultManagementAccountID} {
		_, err := client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []types.Tag{
			{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("3")}}})
		require.NoError(t, err, id)
		_, err = client.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"c"}})
		require.NoError(t, err)
		var keys []string
		pg := organizations.NewListTagsForResourcePaginator(client, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			require.NoError(t, err)
			for _, tag := range page.Tags {
				keys = append(keys, aws.ToString(tag.Key))
			}
		}
		if id == aws.ToString(ou.OrganizationalUnit.Id) {
			require.Equal(t, []string{"a", "b"}, keys)
		} else {
			require.Equal(t, []string{"b"}, keys)
		}
	}
	_, err = client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String("ou-zzzz-zzzzzzzz"),
		Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}})
	var notFound *types.TargetNotFoundException
	require.True(t, errors.As(err, &notFound), "%v", err)
}

func TestOrganizationsPagination(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{AccountCreationDescribes: 1})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	_, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		suffix := string(rune('a' + i))
		emutest.CreateAccount(t, client, "acct-"+suffix, "acct-"+suffix+"@example.com")
		_, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("ou-" + suffix)})
		require.NoError(t, err)
		_, err = client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p-" + suffix), Description: aws.String(""),
			Content: aws.String(`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`), Type: types.PolicyTypeServiceControlPolicy})
		require.NoError(t, err)
	}

	count := func(next func() (int, bool)) (items, pages int) {
		for {
			n, more := next()
			items += n
			pages++
			if !more {
				return
			}
		}
	}
	accounts := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
	seen := map[string]bool{}
	items, pages := count(func() (int, bool) {
		page, err := accounts.NextPage(ctx)
		require.NoError(t, err)
		for _, a := range page.Accounts {
			require.False(t, seen[aws.ToString(a.Id)], "duplicate %s", aws.ToString(a.Id))
			seen[aws.ToString(a.Id)] = true
		}
		return len(page.Accounts), accounts.HasMorePages()
	})
	require.Equal(t, 5, items)
	require.Equal(t, 3, pages)

	children := organizations.NewListChildrenPaginator(client, &organizations.ListChildrenInput{ParentId: aws.String(rootID), ChildType: types.ChildTypeOrganizationalUnit})
	items, pages = count(func() (int, bool) {
		page, err := children.NextPage(ctx)
		require.NoError(t, err)
		return len(page.Children), children.HasMorePages()
	})
	require.Equal(t, 4, items)
	require.Equal(t, 2, pages)

	policies := organizations.NewListPoliciesPaginator(client, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy},
		func(o *organizations.ListPoliciesPaginatorOptions) { o.Limit = 1 })
	managed := 0
	items, pages = count(func() (int, bool) {
		page, err := policies.NextPage(ctx)
		require.NoError(t, err)
		for _, p := range page.Policies {
			if p.AwsManaged {
				managed++
			}
		}
		return len(page.Policies), policies.HasMorePages()
	})
	require.Equal(t, 5, items) // four policies and FullAWSAccess
	require.Equal(t, 5, pages)
	require.Equal(t, 1, managed)

	_, err = client.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("!!not-a-token")})
	var invalid *types.InvalidInputException
	require.True(t, errors.As(err, &invalid), "%v", err)
	require.Equal(t, types.InvalidInputExceptionReasonInvalidPaginationToken, invalid.Reason)
}

// orgScenario drives one emulator through a fixed set of changes.
func orgScenario(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	_, err := client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	prod, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod"),
		Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("1")}}})
	require.NoError(t, err)
	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: prod.OrganizationalUnit.Id, Name: aws.String("Apps")})
	require.NoError(t, err)
	acct := emutest.CreateAccount(t, client, "prod", "prod@example.com").AccountId
	_, err = client.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: acct, SourceParentId: aws.String(rootID), DestinationParentId: prod.OrganizationalUnit.Id})
	require.NoError(t, err)
	p, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-leave"), Description: aws.String("guardrail"),
		Content: aws.String("{\n  \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"organizations:LeaveOrganization\", \"Resource\": \"*\"}\n}"),
		Type:    types.PolicyTypeServiceControlPolicy})
	require.NoError(t, err)
	_, err = client.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: prod.OrganizationalUnit.Id})
	require.NoError(t, err)
}

func TestOrganizationsSnapshotIsDeterministic(t *testing.T) {
	var snaps [][]byte
	for i := 0; i < 2; i++ {
		srv := emutest.Start(t, emulator.Options{Clock: func() time.Time { return time.Now().Add(time.Duration(i) * time.Hour) }})
		orgScenario(t, srv)
		b, err := srv.Snapshot()
		require.NoError(t, err)
		snaps = append(snaps, b)
	}
	require.Equal(t, string(snaps[0]), string(snaps[1]))
	s := string(snaps[0])
	for _, want := range []string{`"/Prod/Apps"`, `"SERVICE_CONTROL_POLICY/FullAWSAccess"`, `"SERVICE_CONTROL_POLICY/deny-leave"`,
		`"prod@example.com"`, `"OrganizationAccountAccessRole"`} {
		require.Contains(t, s, want)
	}
}

func TestOrganizationsInjectedConcurrentModification(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	client, _, rootID := emutest.OrgSetup(t, srv)
	f := srv.FailNth(emulator.Match{Service: "organizations", Operation: "CreateOrganizationalUnit"}, 1,
		emulator.APIError{Status: http.StatusBadRequest, Code: "ConcurrentModificationException",
			Message: "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later."})
	_, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	var cme *types.ConcurrentModificationException
	require.True(t, errors.As(err, &cme), "%v", err)
	require.Equal(t, 1, f.Fired())
	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Prod")})
	require.NoError(t, err)
	calls := srv.MutatingCallsSince(0)
	require.Equal(t, "ConcurrentModificationException", calls[len(calls)-2].ErrorCode)
}

func TestOrganizationsSCPGrammar(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	api := organizations.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	_, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	require.NoError(t, err)
	for name, content := range map[string]string{
		"principal":   `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`,
		"version":     `{"Version":"2020-01-01","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
		"unknown":     `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Foo":1}]}`,
		"unknown-top": `{"Version":"2012-10-17","Extra":1,"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
	} {
		_, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("x"),
			Type: "SERVICE_CONTROL_POLICY", Content: aws.String(content)})
		emutest.RequireCode(t, err, "MalformedPolicyDocumentException")
	}
	_, err = api.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("ok"), Description: aws.String("x"),
		Type: "SERVICE_CONTROL_POLICY", Content: aws.String(`{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::x","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`)})
	require.NoError(t, err)
}
