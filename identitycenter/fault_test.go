package identitycenter_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// drifted001 changes every setting of seed 001's permission set, so the
// run makes the writes a fresh run never does: UpdatePermissionSet,
// AttachManagedPolicy, PutInlinePolicy (update), PutPermissionsBoundary,
// TagResource and ProvisionPermissionSet.
func drifted001(o *org) identitycenter.AccessSpec {
	s := seed001(o, seed001Accounts...)
	p := &s.PermissionSets[0]
	p.Description, p.SessionDuration = "Provision the Tasks Service (v2)", 2*time.Hour
	p.ManagedPolicies = []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}
	p.InlinePolicy = provisionersPolicy("cloudwatch:*")
	p.PermissionsBoundary = &identitycenter.PermissionsBoundary{ManagedPolicyARN: identitycenter.AWSManagedPolicy("PowerUserAccess")}
	p.Tags = map[string]string{"project": "hiperium", "owner": "platform"}
	return s
}

// TestConflictOnEverySSOAdminWriteIsRetried fails each sso-admin write of a
// fresh run (seed 000) and of a drift-repair run (seed 001) in turn with
// ConflictException, as AWS does while another operation on the permission
// set is in progress. The retryer retries it; the run converges.
func TestConflictOnEverySSOAdminWriteIsRetried(t *testing.T) {
	type scenario struct {
		name     string
		accounts []string
		before   func(*org) identitycenter.AccessSpec // converged first, without faults
		spec     func(*org) identitycenter.AccessSpec
	}
	var s awstest.Subtests
	for _, sc := range []scenario{
		{"fresh-000", seed000Accounts, nil, seed000},
		{"drift-001", seed001Accounts, func(o *org) identitycenter.AccessSpec { return seed001(o, seed001Accounts...) }, drifted001},
	} {
		s.Run(t, sc.name, func(t *testing.T) {
			ctx := awstest.Context(t, 60*time.Second)
			prepare := func(t *testing.T, b *awstest.Backend) (*org, identitycenter.AccessSpec) {
				o := newOrg(t, ctx, b, sc.accounts...)
				if sc.before != nil {
					if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), sc.before(o), awstest.Fast()...); err != nil {
						t.Fatal(err)
					}
				}
				return o, sc.spec(o)
			}
			// The reference run lists the writes from the server's log, as
			// the faults count them.
			ref := awstest.New(t)
			refEmu := ref.RequireEmulator(t, awstest.CapFaults)
			_, spec := prepare(t, ref)
			mark := refEmu.CallCount()
			if _, err := identitycenter.EnsureAccess(ctx, apiFor(ref), spec, awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			var writes []string
			for _, c := range refEmu.MutatingCallsSince(mark) {
				if c.Service == "sso" {
					writes = append(writes, c.Operation)
				}
			}
			t.Logf("%s: %d sso-admin writes: %v", sc.name, len(writes), writes)
			for i, op := range writes {
				t.Run(fmt.Sprintf("%d-%s", i+1, op), func(t *testing.T) {
					b := awstest.New(t)
					e := b.RequireEmulator(t, awstest.CapFaults)
					o, spec := prepare(t, b)
					f := e.FailNth(emulator.Match{Service: "sso", MutatingOnly: true}, i+1,
						emulator.APIError{Status: 400, Code: "ConflictException", Message: "injected: an operation on this permission set is in progress"})
					mark := b.Mark()
					got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
					if err != nil {
						t.Fatalf("conflict at %s: %v", op, err)
					}
					if f.Fired() != 1 {
						t.Fatalf("fault fired %d times", f.Fired())
					}
					if n := len(b.MutatingCalls(mark)); n != len(got.Changes) {
						t.Errorf("%d mutating calls but %d changes", n, len(got.Changes))
					}
					verifyAccess(t, ctx, b, o, spec)
					b.RequireIdempotent(t, func() ([]foundation.Change, error) {
						again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
						if err != nil {
							return nil, err
						}
						return again.Changes, nil
					})
				})
			}
		})
	}
	s.Done(t)
}

// TestAccessDeniedOnEachWrite fails each write of a fresh run of seed 000
// in turn with AccessDenied, before and after AWS made it, for each
// service: the run fails naming the package once, and running it again
// converges to exactly the undisturbed run's state.
func TestAccessDeniedOnEachWrite(t *testing.T) {
	var s awstest.Subtests
	for _, service := range []string{"sso", "identitystore"} {
		s.Run(t, service, func(t *testing.T) {
			awstest.FaultMatrix[identitycenter.AccessSpec]{
				Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) identitycenter.AccessSpec {
					return seed000(newOrg(t, ctx, b, seed000Accounts...))
				},
				Run: func(ctx context.Context, b *awstest.Backend, spec identitycenter.AccessSpec) error {
					_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
					return err
				},
				Match: emulator.Match{Service: service},
				Err:   &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"},
				Check: func(t *testing.T, op string, err error) {
					if !strings.HasPrefix(err.Error(), "identitycenter: ") || strings.Count(err.Error(), "identitycenter:") != 1 {
						t.Errorf("%s: error not wrapped once: %v", op, err)
					}
				},
			}.Test(t)
		})
	}
	s.Done(t)
}

// A failure after some writes says what was made: the error carries a
// *foundation.IncompleteError listing exactly the changes made before it.
func TestFailureReportsTheChangesMade(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	o := newOrg(t, ctx, b, seed000Accounts...)
	spec := seed000(o)
	e.FailNth(emulator.Match{Service: "identitystore", Operation: "CreateGroupMembership"}, 1,
		emulator.APIError{Status: 403, Code: "AccessDeniedException", Message: "injected"})
	_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	var inc *foundation.IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("err = %v, want a *foundation.IncompleteError", err)
	}
	want := []string{"create identitystore:user you", "create identitystore:group PlatformEngineers"}
	if got := changeLines(inc.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), "membership PlatformEngineers/you: create") {
		t.Fatalf("err = %v", err)
	}
}
