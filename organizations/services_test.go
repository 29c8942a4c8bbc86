package organizations_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// Services every backend serves delegated administrators for (moto 5.2.1
// knows six; access-analyzer and config-multiaccountsetup are among them).
const (
	analyzer = organizations.ServiceAccessAnalyzer
	config   = organizations.ServiceConfigMultiAccount
	catalog  = "servicecatalog.amazonaws.com"
)

// readServiceAccess reads the registry back with the SDK: the services with
// trusted access, and each service's delegated administrators.
func readServiceAccess(t *testing.T, ctx context.Context, api *sdk.Client, principals ...string) (enabled []string, admins map[string][]string) {
	t.Helper()
	p := sdk.NewListAWSServiceAccessForOrganizationPaginator(api, &sdk.ListAWSServiceAccessForOrganizationInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.EnabledServicePrincipals {
			enabled = append(enabled, aws.ToString(s.ServicePrincipal))
		}
	}
	sort.Strings(enabled)
	admins = map[string][]string{}
	for _, principal := range principals {
		p := sdk.NewListDelegatedAdministratorsPaginator(api, &sdk.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(principal)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.DelegatedAdministrators {
				admins[principal] = append(admins[principal], aws.ToString(d.Id))
			}
		}
		sort.Strings(admins[principal])
	}
	return enabled, admins
}

// TestEnsureServiceAccess converges a registry from nothing: a dry run
// plans it with reads only, the run enables every service before it
// registers any administrator, the state reads back, and reruns are no-ops.
func TestEnsureServiceAccess(t *testing.T) {
	b, api, ctx := withOrg(t)
	a1 := b.MemberAccount(ctx, t, "sec")
	a2 := b.MemberAccount(ctx, t, "ops")
	spec := organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: analyzer, DelegatedAdministrators: []string{a1}},
		{Principal: config, DelegatedAdministrators: []string{a1, a2}},
		{Principal: catalog},
	}}
	want := []string{
		"create organizations:service-access " + analyzer,
		"create organizations:service-access " + config,
		"create organizations:service-access " + catalog,
		"create organizations:delegated-administrator " + analyzer + "/" + a1,
		"create organizations:delegated-administrator " + config + "/" + a1,
		"create organizations:delegated-administrator " + config + "/" + a2,
	}
	render := func(cs foundation.Changes) []string {
		var out []string
		for _, c := range cs {
			out = append(out, string(c.Action)+" "+c.Resource+" "+c.ID)
		}
		return out
	}

	mark := b.Mark()
	planned, err := organizations.EnsureServiceAccess(ctx, api, spec, dry()...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if got := render(planned.Changes); !slices.Equal(got, want) {
		t.Fatalf("dry run changes:\n got %q\nwant %q", got, want)
	}

	mark = b.Mark()
	res, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(res.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
	// Every service's trusted access before any administrator.
	ops := opsOf(b.MutatingCalls(mark))
	if len(ops) != 6 || slices.Index(ops, "RegisterDelegatedAdministrator") != 3 || countOps(b.MutatingCalls(mark), "EnableAWSServiceAccess") != 3 {
		t.Fatalf("mutating calls in order: %v", ops)
	}
	enabled, admins := readServiceAccess(t, ctx, api, analyzer, config, catalog)
	for _, p := range []string{analyzer, config, catalog} {
		if !slices.Contains(enabled, p) {
			t.Errorf("trusted access for %s not enabled: %v", p, enabled)
		}
	}
	wantAdmins := []string{a1, a2}
	sort.Strings(wantAdmins)
	if !slices.Equal(admins[analyzer], []string{a1}) || !slices.Equal(admins[config], wantAdmins) || len(admins[catalog]) != 0 {
		t.Fatalf("delegated administrators read back: %v", admins)
	}
	if len(res.Unexpected) != 0 {
		t.Fatalf("unexpected: %+v", res.Unexpected)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// TestServiceAccessDrift: an administrator nobody declared is reported as a
// typed error and left in place; with Prune it is deregistered, and the
// registry then reruns clean.
func TestServiceAccessDrift(t *testing.T) {
	b, api, ctx := withOrg(t)
	a1 := b.MemberAccount(ctx, t, "sec")
	intruder := b.MemberAccount(ctx, t, "intruder")
	spec := organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: config, DelegatedAdministrators: []string{a1}},
	}}
	if _, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	// Someone registers another administrator by hand.
	if _, err := api.RegisterDelegatedAdministrator(ctx, &sdk.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(intruder), ServicePrincipal: aws.String(config)}); err != nil {
		t.Fatal(err)
	}

	mark := b.Mark()
	res, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
	var drift *organizations.UnexpectedDelegatedAdministratorError
	if !errors.As(err, &drift) || len(drift.Findings) != 1 || drift.Findings[0].AccountID != intruder || drift.Findings[0].Principal != config {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
	b.RequireNoMutations(t, mark)
	if res == nil || len(res.Unexpected) != 1 || res.Unexpected[0].Pruned || len(res.Changes) != 0 {
		t.Fatalf("result = %+v", res)
	}
	if _, admins := readServiceAccess(t, ctx, api, config); !slices.Contains(admins[config], intruder) {
		t.Fatalf("the unexpected administrator was removed without Prune: %v", admins)
	}
	// A service with an unexpected administrator gets no registration
	// until the drift is resolved.
	a2 := b.MemberAccount(ctx, t, "ops")
	grown := organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: config, DelegatedAdministrators: []string{a1, a2}},
	}}
	mark = b.Mark()
	if _, err := organizations.EnsureServiceAccess(ctx, api, grown, awstest.Fast()...); !errors.As(err, &drift) {
		t.Fatalf("err = %v", err)
	}
	b.RequireNoMutations(t, mark)

	// A dry run with Prune plans the removal; the run makes it.
	spec.Prune = true
	mark = b.Mark()
	planned, err := organizations.EnsureServiceAccess(ctx, api, spec, dry()...)
	if err != nil || len(planned.Changes) != 1 || planned.Changes[0].Action != foundation.ActionDelete {
		t.Fatalf("dry run: %+v %v", planned, err)
	}
	b.RequireNoMutations(t, mark)
	res, err = organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
	if err != nil || len(res.Unexpected) != 1 || !res.Unexpected[0].Pruned {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if _, admins := readServiceAccess(t, ctx, api, config); !slices.Equal(admins[config], []string{a1}) {
		t.Fatalf("after prune: %v", admins)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// TestServiceAccessLostRegistration: RegisterDelegatedAdministrator applied
// but its answer lost; the SDK's retry meets AccountAlreadyRegisteredException
// and the run converges without an error.
func TestServiceAccessLostRegistration(t *testing.T) {
	b, api, ctx := withOrg(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	a1 := b.MemberAccount(ctx, t, "sec")
	e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "organizations", Operation: "RegisterDelegatedAdministrator"},
		Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
	spec := organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: organizations.ServiceIdentityCenter, DelegatedAdministrators: []string{a1}}}}
	plan, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := organizations.EnsureServiceAccess(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, admins := readServiceAccess(t, ctx, api, organizations.ServiceIdentityCenter); !slices.Equal(admins[organizations.ServiceIdentityCenter], []string{a1}) {
		t.Fatalf("admins: %v", admins)
	}
	// The registration whose answer was lost is this run's change: the
	// run reports what its dry run planned (found from outside: it was
	// left out, as if someone else had made it).
	if got, want := res.Changes.String(), plan.Changes.String(); got != want {
		t.Fatalf("changes made:\n%s\nplanned:\n%s", got, want)
	}
}

// TestServiceAccessInvalid: every fault is named before any call; the
// management account as an administrator is refused before any write.
func TestServiceAccessInvalid(t *testing.T) {
	b, api, ctx := withOrg(t)
	mark := b.Mark()
	_, err := organizations.EnsureServiceAccess(ctx, api, organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: "guardduty.amazonaws.com"},
		{Principal: ""},
		{Principal: "sso amazonaws"},
		{Principal: analyzer, DelegatedAdministrators: []string{"12345", "(known after apply: account a@example.com)"}},
		{Principal: analyzer},
	}}, awstest.Fast()...)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"spec.Services[0].Principal", "guardduty:EnableOrganizationAdminAccount", "spec.Services[1].Principal",
		"spec.Services[2].Principal", "spec.Services[3].DelegatedAdministrators[0]", "spec.Services[3].DelegatedAdministrators[1]", "listed twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q: %v", want, err)
		}
	}
	b.RequireNoCalls(t, mark)

	mark = b.Mark()
	_, err = organizations.EnsureServiceAccess(ctx, api, organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
		{Principal: analyzer, DelegatedAdministrators: []string{b.AccountID(t)}}}}, awstest.Fast()...)
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "management account") {
		t.Fatalf("err = %v", err)
	}
	b.RequireNoMutations(t, mark)
}
