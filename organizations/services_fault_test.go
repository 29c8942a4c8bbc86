package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// TestServiceAccessFaults fails each write of a registry's first run,
// before and after AWS applies it: the failed run names the step, and a
// rerun reaches the undisturbed run's state, then makes no mutating call.
func TestServiceAccessFaults(t *testing.T) {
	awstest.FaultMatrix[organizations.ServiceAccessSpec]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) organizations.ServiceAccessSpec {
			withOrg(t, b)
			a := b.MemberAccount(ctx, t, "sec")
			return organizations.ServiceAccessSpec{Services: []organizations.TrustedServiceSpec{
				{Principal: organizations.ServiceIdentityCenter, DelegatedAdministrators: []string{a}},
				{Principal: organizations.ServiceStackSets},
			}}
		},
		Run: func(ctx context.Context, b *awstest.Backend, spec organizations.ServiceAccessSpec) error {
			_, err := organizations.EnsureServiceAccess(ctx, b.Organizations(), spec, awstest.Fast()...)
			return err
		},
		Match: emulator.Match{Service: "organizations"},
		Calls: 3,
	}.Test(t)
}

// TestRootAccessFaults does the same for enabling centralized root access
// and removing a member account's root credentials.
func TestRootAccessFaults(t *testing.T) {
	type env struct {
		api      organizations.RootAccessAPI
		operator aws.Config
		member   string
	}
	awstest.FaultMatrix[env]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) env {
			withOrg(t, b)
			m := b.MemberAccount(ctx, t, "legacy")
			if err := b.RequireEmulator(t, awstest.CapEmulatorState).SeedRootCredentials(m, emulator.RootCredentials{Password: true, AccessKeys: 1}); err != nil {
				t.Fatal(err)
			}
			return env{organizations.RootAccessAPI{Organizations: b.Organizations(), IAM: iam.NewFromConfig(b.Config())}, operatorConfig(t, ctx, b), m}
		},
		Run: func(ctx context.Context, _ *awstest.Backend, e env) error {
			if _, err := organizations.EnsureRootAccess(ctx, e.api, organizations.RootAccessSpec{}, awstest.Fast()...); err != nil {
				return err
			}
			_, err := organizations.EnsureNoRootCredentials(ctx, e.operator, organizations.RootCredentialsSpec{Accounts: []string{e.member}}, awstest.Fast()...)
			return err
		},
		Match: emulator.Match{},
		Calls: 5,
	}.Test(t)
}
