package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/organizations"
)

// TestInvalidSpecsMakeNoCall: every invalid spec is refused with
// ErrInvalidSpec naming the field and the rule, before any call.
func TestInvalidSpecsMakeNoCall(t *testing.T) {
	b := awstest.New(t)
	api := client(t, b)
	ctx := context.Background()
	tree := func(mod func(*organizations.TreeSpec)) func() error {
		return func() error {
			s := seed000()
			mod(&s)
			_, err := organizations.EnsureTree(ctx, api, s, awstest.Fast()...)
			return err
		}
	}
	ou := func(path string) func() error {
		return func() error {
			_, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: path}, awstest.Fast()...)
			return err
		}
	}
	account := func(mod func(*organizations.AccountSpec)) func() error {
		return func() error {
			s := organizations.AccountSpec{Name: "myapp-dev", Email: "dev@example.com", OU: "Workloads/Dev"}
			mod(&s)
			_, err := organizations.EnsureAccount(ctx, api, s, awstest.Fast()...)
			return err
		}
	}
	closeAcct := func(s organizations.CloseAccountSpec) func() error {
		return func() error { _, err := organizations.CloseAccount(ctx, api, s, awstest.Fast()...); return err }
	}
	tags51 := map[string]string{}
	for i := range 51 {
		tags51[fmt.Sprintf("k%d", i)] = "v"
	}
	cases := []struct {
		name  string
		call  func() error
		field string // named in the message
		rule  string // part of the rule
	}{
		{"ou path empty", ou(""), "spec.Path", "required"},
		{"ou path double slash", ou("Workloads//Prod"), "spec.Path", `empty OU name ("//")`},
		{"ou path leading slash", ou("/Workloads"), "spec.Path", `start with "/"`},
		{"ou path trailing slash", ou("Workloads/"), "spec.Path", `end with "/"`},
		{"ou name too long", ou("Workloads/" + strings.Repeat("x", 129)), "spec.Path", "at most 128"},
		{"ou name control character", ou("Work\tloads"), "spec.Path", "printable ASCII"},
		{"ou name non-ASCII", ou("Prodüktion"), "spec.Path", "printable ASCII"},
		{"ou too deep", ou("a/b/c/d/e/f"), "spec.Path", "at most 5"},
		{"ou name with spaces around", ou(" Workloads"), "spec.Path", "space"},
		{"tree duplicate ou", tree(func(s *organizations.TreeSpec) { s.OUs = append(s.OUs, organizations.OUSpec{Path: "Workloads/Dev"}) }), "spec.OUs[5].Path", "duplicates spec.OUs[2].Path"},
		{"tree duplicate email", tree(func(s *organizations.TreeSpec) { s.Accounts[2].Email = "YOU+aws-dev@example.com" }), "spec.Accounts[2].Email", "duplicates spec.Accounts[0].Email"},
		{"tree account in unknown ou", tree(func(s *organizations.TreeSpec) { s.Accounts[1].OU = "Workloads/QA" }), "spec.Accounts[1].OU", "not an OU of the tree"},
		{"tree ou tag aws: prefix", tree(func(s *organizations.TreeSpec) { s.OUs[0].Tags = map[string]string{"aws:owner": "x"} }), `spec.OUs[0].Tags["aws:owner"]`, `"aws:"`},
		{"email empty", account(func(s *organizations.AccountSpec) { s.Email = "" }), "spec.Email", "required"},
		{"email too short", account(func(s *organizations.AccountSpec) { s.Email = "a@b.c" }), "spec.Email", "6 to 64"},
		{"email too long", account(func(s *organizations.AccountSpec) { s.Email = strings.Repeat("a", 60) + "@example.com" }), "spec.Email", "6 to 64"},
		{"email two @", account(func(s *organizations.AccountSpec) { s.Email = "a@b@example.com" }), "spec.Email", `exactly one "@"`},
		{"email no @", account(func(s *organizations.AccountSpec) { s.Email = "dev.example.com" }), "spec.Email", `exactly one "@"`},
		{"email local part comma", account(func(s *organizations.AccountSpec) { s.Email = "dev,ops@example.com" }), "spec.Email", "local part"},
		{"email local part leading dot", account(func(s *organizations.AccountSpec) { s.Email = ".dev@example.com" }), "spec.Email", `start with "."`},
		{"email domain without dot", account(func(s *organizations.AccountSpec) { s.Email = "dev@localhost" }), "spec.Email", `contain a "."`},
		{"email domain underscore", account(func(s *organizations.AccountSpec) { s.Email = "dev@my_corp.com" }), "spec.Email", "domain must contain only"},
		{"email domain leading hyphen", account(func(s *organizations.AccountSpec) { s.Email = "dev@-corp.com" }), "spec.Email", "start or end"},
		{"account name empty", account(func(s *organizations.AccountSpec) { s.Name = "" }), "spec.Name", "required"},
		{"account name too long", account(func(s *organizations.AccountSpec) { s.Name = strings.Repeat("n", 51) }), "spec.Name", "at most 50"},
		{"account name non-ASCII", account(func(s *organizations.AccountSpec) { s.Name = "prod-ü" }), "spec.Name", "printable ASCII"},
		{"role name with slash", account(func(s *organizations.AccountSpec) { s.RoleName = "team/Admin" }), "spec.RoleName", "1 to 64"},
		{"role name too long", account(func(s *organizations.AccountSpec) { s.RoleName = strings.Repeat("r", 65) }), "spec.RoleName", "1 to 64"},
		{"billing access unknown", account(func(s *organizations.AccountSpec) { s.BillingAccess = "YES" }), "spec.BillingAccess", "ALLOW"},
		{"account ou invalid", account(func(s *organizations.AccountSpec) { s.OU = "Workloads/" }), "spec.OU", `end with "/"`},
		{"tag key empty", account(func(s *organizations.AccountSpec) { s.Tags = map[string]string{"": "x"} }), `spec.Tags[""]`, "empty"},
		{"tag key too long", account(func(s *organizations.AccountSpec) { s.Tags = map[string]string{strings.Repeat("k", 129): "x"} }), "spec.Tags", "128"},
		{"tag value too long", account(func(s *organizations.AccountSpec) { s.Tags = map[string]string{"team": strings.Repeat("v", 257)} }), `spec.Tags["team"]`, "256"},
		{"too many tags", account(func(s *organizations.AccountSpec) { s.Tags = tags51 }), "spec.Tags", "at most 49"},
		{"remove tag also set", account(func(s *organizations.AccountSpec) {
			s.Tags, s.RemoveTags = map[string]string{"team": "a"}, []string{"team"}
		}), "spec.RemoveTags[0]", "also a key of Tags"},
		{"policy type unknown", func() error {
			_, err := organizations.EnsureOrganization(ctx, api, organizations.OrganizationSpec{PolicyTypes: []types.PolicyType{"SCP"}}, awstest.Fast()...)
			return err
		}, "spec.PolicyTypes[0]", "known policy type"},
		{"close without account", closeAcct(organizations.CloseAccountSpec{}), "spec.AccountID", "required"},
		{"close account id and email", closeAcct(organizations.CloseAccountSpec{AccountID: "111122223333", Email: "a@example.com"}), "spec.Email", "one of them"},
		{"close bad account id", closeAcct(organizations.CloseAccountSpec{AccountID: "1111"}), "spec.AccountID", "12 digits"},
		{"close bad suspended ou", closeAcct(organizations.CloseAccountSpec{AccountID: "111122223333", SuspendedOU: "/Suspended"}), "spec.SuspendedOU", `start with "/"`},
		{"close bad wait", closeAcct(organizations.CloseAccountSpec{AccountID: "111122223333", Wait: "forever"}), "spec.Wait", "CloseWait"},
		{"nil api", func() error { _, err := organizations.EnsureTree(ctx, nil, seed000()); return err }, "api", "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark := b.Mark()
			err := c.call()
			if !errors.Is(err, foundation.ErrInvalidSpec) {
				t.Fatalf("err = %v, want ErrInvalidSpec", err)
			}
			var se *foundation.SpecError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), c.rule) {
				t.Errorf("err = %v, want it to name %s and %q", err, c.field, c.rule)
			}
			b.RequireNoCalls(t, mark)
		})
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
}

// TestInvalidSpecListsEveryFault: one error lists every fault.
func TestInvalidSpecListsEveryFault(t *testing.T) {
	spec := organizations.TreeSpec{
		OUs:      []organizations.OUSpec{{Path: "a//b"}, {Path: ""}},
		Accounts: []organizations.AccountSpec{{Name: "", Email: "bad"}},
	}
	err := spec.Validate()
	for _, want := range []string{"spec.OUs[0].Path", "spec.OUs[1].Path", "spec.Accounts[0].Name", "spec.Accounts[0].Email"} {
		if !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("%q not in %v", want, err)
		}
	}
	if err := seed000().Validate(); err != nil {
		t.Errorf("seed 000: %v", err)
	}
	if err := seed001().Validate(); err != nil {
		t.Errorf("seed 001: %v", err)
	}
}
