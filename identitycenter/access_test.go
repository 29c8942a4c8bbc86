package identitycenter_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

var seed000Accounts = []string{"myapp-dev", "myapp-staging", "myapp-production"}

// seed000 is seed 000 step 5: AdministratorAccess and ReadOnlyAccess (8
// hours, one AWS managed policy each) assigned to the platform engineers'
// group on the management account and the three workload accounts.
func seed000(o *org) identitycenter.AccessSpec {
	return identitycenter.AccessSpec{
		Users: []identitycenter.UserSpec{{UserName: "you", GivenName: "Platform", FamilyName: "Engineer", Email: "you@example.com"}},
		Groups: []identitycenter.GroupSpec{{DisplayName: "PlatformEngineers", Description: "Platform engineers: admin everywhere",
			Members: []string{"you"}}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", Description: "For platform engineers", SessionDuration: 8 * time.Hour,
				ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}},
			{Name: "ReadOnlyAccess", Description: "For developers and auditors", SessionDuration: 8 * time.Hour,
				ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}},
		},
		Assignments: []identitycenter.AssignmentSpec{{
			Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal("PlatformEngineers")},
			PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"},
			Accounts:       o.ids(append([]string{"management"}, seed000Accounts...)...),
		}},
	}
}

// provisionersPolicy is the inline policy of seed 001 section 3.1. The seed
// shows the policy only as a screenshot ("the IAM permissions to provision
// the Tasks Service"), so this is the policy those steps need: the Copilot
// (CloudFormation, ECS, ECR, ELB, Aurora) and Amplify deployment of the
// Tasks Service.
func provisionersPolicy(extra ...string) *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "ProvisionTasksService", Effect: foundation.EffectAllow, Resource: foundation.Resources("*"),
			Action: foundation.Actions(append([]string{
				"cloudformation:*", "ecs:*", "ecr:*", "elasticloadbalancing:*", "rds:*", "secretsmanager:*", "ssm:*",
				"apigateway:*", "amplify:*", "cognito-idp:*", "logs:*", "s3:*", "ec2:Describe*", "servicediscovery:*",
			}, extra...)...)},
		foundation.Statement{Sid: "PassRolesToServices", Effect: foundation.EffectAllow, Action: foundation.Actions("iam:PassRole", "iam:GetRole"),
			Resource:  foundation.Resources("arn:aws:iam::*:role/*"),
			Condition: foundation.Conditions{"StringEquals": {"iam:PassedToService": {"ecs-tasks.amazonaws.com", "cloudformation.amazonaws.com"}}}},
	)
}

var seed001Accounts = []string{"hiperium-sandbox", "hiperium-security"}

// seed001 is seed 001 section 3: a user in the Provisioners group, the
// provisioners-permission-set with an inline policy, assigned to the group
// on the Sandbox account (accounts: more, as "later we'll add the rest").
func seed001(o *org, accounts ...string) identitycenter.AccessSpec {
	if len(accounts) == 0 {
		accounts = []string{"hiperium-sandbox"}
	}
	return identitycenter.AccessSpec{
		Users: []identitycenter.UserSpec{{UserName: "andres", GivenName: "Andres", FamilyName: "Solorzano",
			DisplayName: "Andres Solorzano", Email: "andres@hiperium.example.com"}},
		Groups: []identitycenter.GroupSpec{{DisplayName: "Provisioners", Members: []string{"andres"}}},
		PermissionSets: []identitycenter.PermissionSetSpec{{
			Name: "provisioners-permission-set", Description: "Provision the Tasks Service", SessionDuration: 4 * time.Hour,
			RelayState:   "https://console.aws.amazon.com/ecs/home",
			InlinePolicy: provisionersPolicy(),
			Tags:         map[string]string{"project": "hiperium"},
		}},
		Assignments: []identitycenter.AssignmentSpec{{
			Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal("Provisioners")},
			PermissionSets: []string{"provisioners-permission-set"},
			Accounts:       o.ids(accounts...),
		}},
	}
}

// verifyAccess reads everything back with the SDK and compares it with the
// spec exactly.
func verifyAccess(t *testing.T, ctx context.Context, b *awstest.Backend, o *org, spec identitycenter.AccessSpec) {
	t.Helper()
	sso, ids := SSOAdmin(b), IdentityStore(b)
	userIDs, groupIDs := map[string]string{}, map[string]string{}
	for _, u := range spec.Users {
		out, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(o.storeID),
			AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
				AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(u.UserName)}}})
		if err != nil {
			t.Fatalf("user %s: %v", u.UserName, err)
		}
		userIDs[u.UserName] = aws.ToString(out.UserId)
		d, err := ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(o.storeID), UserId: out.UserId})
		if err != nil {
			t.Fatal(err)
		}
		display := u.DisplayName
		if display == "" {
			display = u.GivenName + " " + u.FamilyName
		}
		if aws.ToString(d.DisplayName) != display || aws.ToString(d.Name.GivenName) != u.GivenName || aws.ToString(d.Name.FamilyName) != u.FamilyName ||
			len(d.Emails) != 1 || aws.ToString(d.Emails[0].Value) != u.Email || !d.Emails[0].Primary {
			t.Errorf("user %s: %+v %+v %+v", u.UserName, aws.ToString(d.DisplayName), d.Name, d.Emails)
		}
	}
	for _, g := range spec.Groups {
		out, err := ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(o.storeID),
			AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
				AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(g.DisplayName)}}})
		if err != nil {
			t.Fatalf("group %s: %v", g.DisplayName, err)
		}
		groupIDs[g.DisplayName] = aws.ToString(out.GroupId)
		d, err := ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(o.storeID), GroupId: out.GroupId})
		if err != nil || (g.Description != "" && aws.ToString(d.Description) != g.Description) {
			t.Errorf("group %s: description %q (%v)", g.DisplayName, aws.ToString(d.Description), err)
		}
		var members []string
		p := identitystore.NewListGroupMembershipsPaginator(ids, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(o.storeID), GroupId: out.GroupId})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.GroupMemberships {
				if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
					members = append(members, u.Value)
				}
			}
		}
		var want []string
		for _, m := range g.Members {
			want = append(want, userIDs[m])
		}
		if !slices.Equal(sorted(members), sorted(want)) {
			t.Errorf("group %s members %v, want %v", g.DisplayName, members, want)
		}
	}
	psAccounts := map[string][]string{}
	for _, a := range spec.Assignments {
		for _, ps := range a.PermissionSets {
			for _, acct := range a.Accounts {
				if !slices.Contains(psAccounts[ps], acct) {
					psAccounts[ps] = append(psAccounts[ps], acct)
				}
			}
		}
	}
	for _, s := range spec.PermissionSets {
		ps := psByName(t, ctx, sso, o.instanceARN, s.Name)
		arn := ps.PermissionSetArn
		dur := s.SessionDuration
		if dur == 0 {
			dur = time.Hour
		}
		if got := aws.ToString(ps.SessionDuration); got != identitycenter.FormatDuration(dur) {
			t.Errorf("%s: session duration %s, want %s", s.Name, got, identitycenter.FormatDuration(dur))
		}
		if aws.ToString(ps.Description) != s.Description || aws.ToString(ps.RelayState) != s.RelayState {
			t.Errorf("%s: description %q relay state %q", s.Name, aws.ToString(ps.Description), aws.ToString(ps.RelayState))
		}
		mp, err := sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		var managed []string
		for _, m := range mp.AttachedManagedPolicies {
			managed = append(managed, aws.ToString(m.Arn))
		}
		if !slices.Equal(sorted(managed), sorted(s.ManagedPolicies)) {
			t.Errorf("%s: managed policies %v, want %v", s.Name, managed, s.ManagedPolicies)
		}
		in, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case s.InlinePolicy == nil && aws.ToString(in.InlinePolicy) != "":
			t.Errorf("%s: unexpected inline policy %s", s.Name, aws.ToString(in.InlinePolicy))
		case s.InlinePolicy != nil:
			doc, err := foundation.ParsePolicy(aws.ToString(in.InlinePolicy))
			if err != nil || !doc.Equal(s.InlinePolicy) {
				t.Errorf("%s: inline policy %s (%v), want %s", s.Name, aws.ToString(in.InlinePolicy), err, s.InlinePolicy.MustJSON())
			}
		}
		if len(s.Tags) > 0 {
			have := map[string]string{}
			tp := ssoadmin.NewListTagsForResourcePaginator(sso, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(o.instanceARN), ResourceArn: arn})
			for tp.HasMorePages() {
				page, err := tp.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range page.Tags {
					have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
				}
			}
			for k, v := range s.Tags {
				if have[k] != v {
					t.Errorf("%s: tag %s = %q, want %q", s.Name, k, have[k], v)
				}
			}
		}
		want := sorted(psAccounts[s.Name])
		if b.Lacks(awstest.SSOAssignmentProvisions) {
			// The backend provisions nothing on assignment: no provisioned
			// accounts, no AWSReservedSSO_ roles to check.
			checkAssignments(t, ctx, b, o, spec, s.Name, want, userIDs, groupIDs)
			continue
		}
		if got := provisioned(t, ctx, sso, o.instanceARN, aws.ToString(arn), types.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, want) {
			t.Errorf("%s: provisioned (latest) to %v, want %v", s.Name, got, want)
		}
		if got := provisioned(t, ctx, sso, o.instanceARN, aws.ToString(arn), types.ProvisioningStatusLatestPermissionSetNotProvisioned); len(got) > 0 {
			t.Errorf("%s: stale in %v", s.Name, got)
		}
		// Provisioning made the AWSReservedSSO_<name>_<hex> role in each
		// account, with the permission set's session duration.
		for _, acct := range want {
			iamc := iam.NewFromConfig(b.ConfigFor(acct))
			roles, err := iamc.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/sso.amazonaws.com/")})
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, r := range roles.Roles {
				if strings.HasPrefix(aws.ToString(r.RoleName), "AWSReservedSSO_"+s.Name+"_") {
					found = append(found, aws.ToString(r.RoleName))
				}
			}
			if len(found) != 1 {
				t.Errorf("%s in %s: roles %v, want one AWSReservedSSO_%s_*", s.Name, acct, found, s.Name)
				continue
			}
			role, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(found[0])})
			if err != nil {
				t.Fatal(err)
			}
			if got := time.Duration(aws.ToInt32(role.Role.MaxSessionDuration)) * time.Second; got != dur {
				t.Errorf("%s in %s: role %s MaxSessionDuration %v, want %v", s.Name, acct, found[0], got, dur)
			}
		}
		checkAssignments(t, ctx, b, o, spec, s.Name, want, userIDs, groupIDs)
	}
}

// checkAssignments checks that the permission set has exactly the spec's
// principals in each of accounts.
func checkAssignments(t *testing.T, ctx context.Context, b *awstest.Backend, o *org, spec identitycenter.AccessSpec, name string, accounts []string, userIDs, groupIDs map[string]string) {
	t.Helper()
	sso := SSOAdmin(b)
	arn := aws.ToString(psByName(t, ctx, sso, o.instanceARN, name).PermissionSetArn)
	for _, acct := range accounts {
		var wantP []string
		for _, a := range spec.Assignments {
			if !slices.Contains(a.PermissionSets, name) || !slices.Contains(a.Accounts, acct) {
				continue
			}
			for _, p := range a.Principals {
				id := groupIDs[p.Name]
				if p.Type == identitycenter.PrincipalUser {
					id = userIDs[p.Name]
				}
				if k := string(p.Type) + ":" + id; !slices.Contains(wantP, k) {
					wantP = append(wantP, k)
				}
			}
		}
		if got := assignmentsOf(t, ctx, sso, o.instanceARN, arn, acct); !slices.Equal(got, sorted(wantP)) {
			t.Errorf("%s in %s: assignments %v, want %v", name, acct, got, wantP)
		}
	}
}

func TestSeedsConvergeReadBackAndAreIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accounts []string
		spec     func(*org) identitycenter.AccessSpec
	}{
		{"000-admin-readonly", seed000Accounts, seed000},
		{"001-provisioners", seed001Accounts, func(o *org) identitycenter.AccessSpec { return seed001(o) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := awstest.New(t)
			ctx := awstest.Context(t, 30*time.Second)
			o := newOrg(t, ctx, b, tc.accounts...)
			spec := withoutTags(b, tc.spec(o))
			mark := b.Mark()
			got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			calls, mutating := len(b.Calls(mark)), len(b.MutatingCalls(mark))
			t.Logf("%s: fresh run: %d calls, %d mutating, %d changes", tc.name, calls, mutating, len(got.Changes))
			t.Logf("changes:\n%s", got.Changes)
			if got.Instance.ARN != o.instanceARN || got.Instance.IdentityStoreID != o.storeID {
				t.Errorf("instance %+v, want %s %s", got.Instance, o.instanceARN, o.storeID)
			}
			// Every mutating call is a reported change.
			if mutating != len(got.Changes) {
				t.Errorf("%d mutating calls but %d changes:\n%s%v", mutating, len(got.Changes), got.Changes, b.MutatingCalls(mark))
			}
			if n := countOps(b, mark, "ProvisionPermissionSet"); n != 0 {
				t.Errorf("a fresh run called ProvisionPermissionSet %d times (assignments provision)", n)
			}
			verifyAccess(t, ctx, b, o, spec)
			for _, ps := range got.PermissionSets {
				if b.Lacks(awstest.SSOPermissionSetARN) {
					break
				}
				if !strings.HasPrefix(ps.ARN, "arn:aws:sso:::permissionSet/"+o.instanceARN[strings.LastIndex(o.instanceARN, "/")+1:]+"/ps-") {
					t.Errorf("permission set ARN %q", ps.ARN)
				}
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				m := b.Mark()
				again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				t.Logf("%s: converged run: %d calls, 0 mutating", tc.name, len(b.Calls(m)))
				return again.Changes, nil
			})
		})
	}
}

func TestDryRunListsWhatTheRealRunDoes(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, seed000Accounts...)
	spec := seed000(o)
	mark := b.Mark()
	e := b.EmulatorFor(awstest.CapServerCallLog)
	emuMark := 0
	if e != nil {
		emuMark = e.CallCount()
	}
	dry, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if e != nil {
		if m := e.MutatingCallsSince(emuMark); len(m) > 0 {
			t.Fatalf("emulator saw mutating calls in dry run: %v", m)
		}
	}
	real, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := changeLines(dry.Changes), changeLines(real.Changes); !slices.Equal(d, r) {
		t.Errorf("dry run listed%s\nthe real run made%s", joinLines(d), joinLines(r))
	}
	if len(dry.Changes) != 1+1+1+2+2+8 { // user, group, membership, 2 sets, 2 attachments, 8 assignments
		t.Errorf("dry run listed %d changes:\n%s", len(dry.Changes), dry.Changes)
	}
	// Change things, then dry run again: it lists exactly the repairs.
	viewOnly := jobFunction(b, "ViewOnlyAccess", "SecurityAudit")
	spec.PermissionSets[1].SessionDuration = 90 * time.Minute
	spec.PermissionSets[1].ManagedPolicies = []string{viewOnly}
	var want []string
	if !b.Lacks(awstest.IdentityStoreUpdateUser) {
		spec.Users[0].Email = "you@myapp.example.com"
		want = append(want, `update identitystore:user "you": Email: you@example.com -> you@myapp.example.com`)
	}
	want = append(want,
		`update sso:permission-set "ReadOnlyAccess": SessionDuration: PT8H -> PT1H30M`,
		`create sso:managed-policy-attachment "ReadOnlyAccess": ManagedPolicyArn: `+viewOnly,
		`delete sso:managed-policy-attachment "ReadOnlyAccess": ManagedPolicyArn: arn:aws:iam::aws:policy/ReadOnlyAccess -> (none)`)
	if !b.Lacks(awstest.SSOAssignmentProvisions) {
		want = append(want, `update sso:provisioning "ReadOnlyAccess/ALL_PROVISIONED_ACCOUNTS": Accounts: `+strings.Join(sorted(spec.Assignments[0].Accounts), ","))
	}
	mark = b.Mark()
	dry, err = identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	var got []string
	for _, c := range dry.Changes {
		got = append(got, fullString(c))
	}
	if !slices.Equal(got, want) {
		t.Errorf("dry run after a spec change listed%s\nwant%s", joinLines(got), joinLines(want))
	}
	real, err = identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := changeLines(dry.Changes), changeLines(real.Changes); !slices.Equal(d, r) {
		t.Errorf("dry run listed%s\nthe real run made%s", joinLines(d), joinLines(r))
	}
	verifyAccess(t, ctx, b, o, spec)
	again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil || len(again.Changes) != 0 {
		t.Errorf("dry run after convergence: %v\n%s", err, again.Changes)
	}
}
