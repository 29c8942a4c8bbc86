package identitycenter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// validAccess is a small valid AccessSpec the cases break one rule of.
func validAccess() identitycenter.AccessSpec {
	return identitycenter.AccessSpec{
		Users:  []identitycenter.UserSpec{{UserName: "alice", GivenName: "Alice", FamilyName: "Liddell", Email: "alice@example.com"}},
		Groups: []identitycenter.GroupSpec{{DisplayName: "Admins", Members: []string{"alice"}}},
		PermissionSets: []identitycenter.PermissionSetSpec{{
			Name: "AdministratorAccess", SessionDuration: 8 * time.Hour,
			ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")},
		}},
		Assignments: []identitycenter.AssignmentSpec{{
			Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")}, PermissionSets: []string{"AdministratorAccess"},
			Accounts: []string{"111122223333"},
		}},
	}
}

func bigPolicy() *foundation.PolicyDocument {
	var actions []string
	for i := range 500 {
		actions = append(actions, fmt.Sprintf("s3:GetObjectVersion%03d", i))
	}
	return foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions(actions...), Resource: foundation.Resources("*")})
}

func TestInvalidSpecsAreRejectedBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := apiFor(b)
	ps := func(f func(*identitycenter.PermissionSetSpec)) func(*identitycenter.AccessSpec) {
		return func(s *identitycenter.AccessSpec) { f(&s.PermissionSets[0]) }
	}
	var managed21 []string
	for i := range 21 {
		managed21 = append(managed21, identitycenter.AWSManagedPolicy(fmt.Sprintf("Policy%d", i)))
	}
	cases := []struct {
		name  string
		mod   func(*identitycenter.AccessSpec)
		field string
		rule  string
	}{
		{"session under an hour", ps(func(p *identitycenter.PermissionSetSpec) { p.SessionDuration = 30 * time.Minute }), "spec.PermissionSets[0].SessionDuration", "between 1 and 12 hours"},
		{"session over 12 hours", ps(func(p *identitycenter.PermissionSetSpec) { p.SessionDuration = 13 * time.Hour }), "spec.PermissionSets[0].SessionDuration", "between 1 and 12 hours"},
		{"session fraction of a second", ps(func(p *identitycenter.PermissionSetSpec) { p.SessionDuration = time.Hour + time.Millisecond }), "SessionDuration", "whole number of seconds"},
		{"name over 32 characters", ps(func(p *identitycenter.PermissionSetSpec) { p.Name = strings.Repeat("A", 33) }), "spec.PermissionSets[0].Name", "at most 32"},
		{"name bad characters", ps(func(p *identitycenter.PermissionSetSpec) { p.Name = "Admin Access!" }), "spec.PermissionSets[0].Name", "letters, digits"},
		{"inline policy over 10240", ps(func(p *identitycenter.PermissionSetSpec) { p.InlinePolicy = bigPolicy() }), "spec.PermissionSets[0].InlinePolicy", "10240 characters minified"},
		{"inline policy invalid", ps(func(p *identitycenter.PermissionSetSpec) {
			p.InlinePolicy = foundation.NewPolicy(foundation.Statement{Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
		}), "spec.PermissionSets[0].InlinePolicy", "Effect"},
		{"inline policy with principal", ps(func(p *identitycenter.PermissionSetSpec) {
			p.InlinePolicy = foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Principal: foundation.AnyPrincipal(),
				Action: foundation.Actions("s3:*"), Resource: foundation.Resources("*")})
		}), "InlinePolicy.Statement[0]", "Principal"},
		{"description over 700", ps(func(p *identitycenter.PermissionSetSpec) { p.Description = strings.Repeat("d", 701) }), "spec.PermissionSets[0].Description", "at most 700"},
		{"description control characters", ps(func(p *identitycenter.PermissionSetSpec) { p.Description = "a\x00b" }), "Description", "Latin-1"},
		{"relay state not https", ps(func(p *identitycenter.PermissionSetSpec) { p.RelayState = "http://console.aws.amazon.com/" }), "spec.PermissionSets[0].RelayState", "https URL"},
		{"relay state not a URL", ps(func(p *identitycenter.PermissionSetSpec) { p.RelayState = "console" }), "spec.PermissionSets[0].RelayState", "https URL"},
		{"managed policy ARN", ps(func(p *identitycenter.PermissionSetSpec) {
			p.ManagedPolicies = []string{"arn:aws:iam::123456789012:policy/Mine"}
		}), "spec.PermissionSets[0].ManagedPolicies[0]", "AWS managed policy ARN"},
		{"managed policy name only", ps(func(p *identitycenter.PermissionSetSpec) { p.ManagedPolicies = []string{"ReadOnlyAccess"} }), "ManagedPolicies[0]", "ARN"},
		{"more than 20 policies", ps(func(p *identitycenter.PermissionSetSpec) { p.ManagedPolicies = managed21 }), "spec.PermissionSets[0].ManagedPolicies", "at most 20"},
		{"customer managed name", ps(func(p *identitycenter.PermissionSetSpec) {
			p.CustomerManagedPolicies = []identitycenter.CustomerManagedPolicy{{Name: "my policy"}}
		}), "CustomerManagedPolicies[0].Name", "letters, digits"},
		{"customer managed path", ps(func(p *identitycenter.PermissionSetSpec) {
			p.CustomerManagedPolicies = []identitycenter.CustomerManagedPolicy{{Name: "Deploy", Path: "team"}}
		}), "CustomerManagedPolicies[0].Path", `start and end with "/"`},
		{"boundary both", ps(func(p *identitycenter.PermissionSetSpec) {
			p.PermissionsBoundary = &identitycenter.PermissionsBoundary{ManagedPolicyARN: identitycenter.AWSManagedPolicy("PowerUserAccess"),
				CustomerManagedPolicy: &identitycenter.CustomerManagedPolicy{Name: "Boundary"}}
		}), "PermissionsBoundary", "exactly one"},
		{"tag aws: prefix", ps(func(p *identitycenter.PermissionSetSpec) { p.Tags = map[string]string{"aws:owner": "me"} }), `Tags["aws:owner"]`, `"aws:"`},
		{"unknown principal", func(s *identitycenter.AccessSpec) {
			s.Assignments[0].Principals = append(s.Assignments[0].Principals, identitycenter.GroupPrincipal("Ghosts"))
		}, "spec.Assignments[0].Principals[1]", "unknown principal"},
		{"unknown user principal", func(s *identitycenter.AccessSpec) {
			s.Assignments[0].Principals = []identitycenter.Principal{identitycenter.UserPrincipal("bob")}
		}, "spec.Assignments[0].Principals[0]", "unknown principal"},
		{"undeclared permission set", func(s *identitycenter.AccessSpec) { s.Assignments[0].PermissionSets = []string{"ReadOnlyAccess"} },
			"spec.Assignments[0].PermissionSets[0]", "not a permission set declared"},
		{"account id 11 digits", func(s *identitycenter.AccessSpec) { s.Assignments[0].Accounts = []string{"11112222333"} }, "spec.Assignments[0].Accounts[0]", "12-digit"},
		{"account id letters", func(s *identitycenter.AccessSpec) { s.Assignments[0].Accounts = []string{"11112222333a"} }, "spec.Assignments[0].Accounts[0]", "12-digit"},
		{"principal type", func(s *identitycenter.AccessSpec) {
			s.Assignments[0].Principals = []identitycenter.Principal{{Type: "ROLE", Name: "x"}}
		}, "spec.Assignments[0].Principals[0].Type", "PrincipalGroup or PrincipalUser"},
		{"user name with space", func(s *identitycenter.AccessSpec) { s.Users[0].UserName = "alice smith" }, "spec.Users[0].UserName", "letters, digits"},
		{"user name reserved", func(s *identitycenter.AccessSpec) { s.Users[0].UserName = "Administrator" }, "spec.Users[0].UserName", "reserved"},
		{"email", func(s *identitycenter.AccessSpec) { s.Users[0].Email = "alice@" }, "spec.Users[0].Email", "email address"},
		{"email with name", func(s *identitycenter.AccessSpec) { s.Users[0].Email = "Alice <alice@example.com>" }, "spec.Users[0].Email", "plain email"},
		{"given name missing", func(s *identitycenter.AccessSpec) { s.Users[0].GivenName = "" }, "spec.Users[0].GivenName", "required"},
		{"undeclared member", func(s *identitycenter.AccessSpec) { s.Groups[0].Members = []string{"bob"} }, "spec.Groups[0].Members[0]", "not a user declared"},
		{"user declared twice", func(s *identitycenter.AccessSpec) { s.Users = append(s.Users, s.Users[0]) }, "spec.Users[1].UserName", "declared twice"},
		{"prune accounts without prune", func(s *identitycenter.AccessSpec) { s.PruneAccounts = []string{"111122223333"} }, "spec.PruneAccounts", "only used with Prune"},
		{"instance ARN", func(s *identitycenter.AccessSpec) { s.InstanceARN = "arn:aws:sso:::instance/nope" }, "spec.InstanceARN", "instance ARN"},
		{"identity store ID", func(s *identitycenter.AccessSpec) { s.IdentityStoreID = "d-xyz" }, "spec.IdentityStoreID", "identity store ID"},
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := validAccess()
			tc.mod(&spec)
			mark := b.Mark()
			for _, dry := range []bool{false, true} {
				got, err := identitycenter.EnsureAccess(t.Context(), api, spec, foundation.WithDryRun(dry))
				if !errors.Is(err, foundation.ErrInvalidSpec) {
					t.Fatalf("dry=%v: err = %v, want ErrInvalidSpec", dry, err)
				}
				if got != nil {
					t.Errorf("dry=%v: a result with an error", dry)
				}
				if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("dry=%v: error %q does not name %q and %q", dry, err, tc.field, tc.rule)
				}
				var se *foundation.SpecError
				if !errors.As(err, &se) || se.Package != "identitycenter" {
					t.Errorf("not an identitycenter *foundation.SpecError: %#v", err)
				}
			}
			if spec.Validate() == nil {
				t.Error("AccessSpec.Validate accepts it")
			}
			b.RequireNoCalls(t, mark)
		})
	}
}

// The standalone functions validate their own specs the same way.
func TestStandaloneFunctionsRejectInvalidSpecsBeforeAnyCall(t *testing.T) {
	b := awstest.New(t)
	api := apiFor(b)
	ctx := t.Context()
	mark := b.Mark()
	checks := map[string]error{}
	_, checks["EnsurePermissionSet"] = identitycenter.EnsurePermissionSet(ctx, api, identitycenter.PermissionSetSpec{Name: "X", SessionDuration: 30 * time.Minute})
	_, checks["EnsurePermissionSet nil api"] = identitycenter.EnsurePermissionSet(ctx, identitycenter.API{}, identitycenter.PermissionSetSpec{Name: "X"})
	_, checks["EnsureAssignments"] = identitycenter.EnsureAssignments(ctx, api, identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{
		Principals: []identitycenter.Principal{identitycenter.GroupPrincipal("Admins")}, PermissionSets: []string{"A"}, Accounts: []string{"1"}}}})
	_, checks["EnsureAssignments empty entry"] = identitycenter.EnsureAssignments(ctx, api, identitycenter.AssignmentsSpec{Assignments: []identitycenter.AssignmentSpec{{}}})
	_, checks["EnsureUser"] = identitycenter.EnsureUser(ctx, api, identitycenter.UserSpec{UserName: "a b", GivenName: "A", FamilyName: "B"})
	_, checks["EnsureUser no store"] = identitycenter.EnsureUser(ctx, identitycenter.API{IdentityStore: api.IdentityStore}, identitycenter.UserSpec{UserName: "ab", GivenName: "A", FamilyName: "B"})
	_, checks["EnsureGroup"] = identitycenter.EnsureGroup(ctx, api, identitycenter.GroupSpec{DisplayName: " padded "})
	_, checks["EnsureMembership"] = identitycenter.EnsureMembership(ctx, api, identitycenter.MembershipSpec{GroupName: "", UserName: "a"})
	_, checks["FindInstance"] = identitycenter.FindInstance(ctx, nil)
	for name, err := range checks {
		if !errors.Is(err, foundation.ErrInvalidSpec) {
			t.Errorf("%s: err = %v, want ErrInvalidSpec", name, err)
		}
	}
	b.RequireNoCalls(t, mark)
}

func TestValidSpecsPassValidation(t *testing.T) {
	s := validAccess()
	s.PermissionSets = append(s.PermissionSets, identitycenter.PermissionSetSpec{
		Name: strings.Repeat("a", 32), Description: "Déploiement; tabs\tand\nnewlines", SessionDuration: 12 * time.Hour,
		RelayState:              "https://console.aws.amazon.com/ecs/v2/home?region=us-east-1#/clusters",
		ManagedPolicies:         []string{identitycenter.AWSManagedPolicy("job-function/ViewOnlyAccess"), "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"},
		CustomerManagedPolicies: []identitycenter.CustomerManagedPolicy{{Name: "Deploy"}, {Name: "Deploy", Path: "/team/"}},
		InlinePolicy:            provisionersPolicy(),
		PermissionsBoundary:     &identitycenter.PermissionsBoundary{CustomerManagedPolicy: &identitycenter.CustomerManagedPolicy{Name: "Boundary"}},
		Tags:                    map[string]string{"team": "platform", "cost-center": "1234"},
	})
	s.Prune, s.PruneAccounts = true, []string{"444455556666"}
	s.IdentityStoreID, s.InstanceARN = "d-1234567890", "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	if err := (identitycenter.PermissionSetSpec{Name: "Minimal"}).Validate(); err != nil {
		t.Errorf("zero session duration means the default: %v", err)
	}
}
