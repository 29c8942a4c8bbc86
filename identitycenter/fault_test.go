package identitycenter_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

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
	t.Parallel()
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
			for _, i := range awstest.Sampled(writes, func(op string) string { return op }) { // FOUNDATION_TEST_MATRIX=1: each
				op := writes[i]
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
//
// The eight CreateAccountAssignment calls are alike: the default test run
// fails a sample (PerOperation, which overrides Every: each operation and
// each variant once; FOUNDATION_TEST_MATRIX=1: each call in each variant).
func TestAccessDeniedOnEachWrite(t *testing.T) {
	t.Parallel()
	every := 4
	if os.Getenv("FOUNDATION_TEST_MATRIX") == "1" {
		every = 0
	}
	var s awstest.Subtests
	for _, g := range []struct {
		service, op string
		every       int
	}{
		{"sso", "CreatePermissionSet", 0},
		{"sso", "AttachManagedPolicyToPermissionSet", 0},
		{"sso", "CreateAccountAssignment", every},
		{"identitystore", "", 0},
	} {
		s.Run(t, strings.TrimSuffix(g.service+"/"+g.op, "/"), func(t *testing.T) {
			awstest.FaultMatrix[identitycenter.AccessSpec]{
				Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) identitycenter.AccessSpec {
					return seed000(newOrg(t, ctx, b, seed000Accounts...))
				},
				Run: func(ctx context.Context, b *awstest.Backend, spec identitycenter.AccessSpec) error {
					_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
					return err
				},
				Match: emulator.Match{Service: g.service, Operation: g.op},
				Every: g.every,
				Err:   &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"},

				PerOperation: true, // a sample: each operation and each variant once (FOUNDATION_TEST_MATRIX=1: every call)
				// lost-500: the write applied, its answer lost as a
				// retryable 500: no duplicate, no failure.
				Variants: []awstest.FaultVariant{{Name: "before"}, {Name: "after", After: true}, awstest.LostAnswer500, notApplied500},
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

// TestFaultOnEachDriftRepairWrite is the sweep of TestAccessDeniedOnEachWrite
// on a drift repair (seed 001 converged, then drifted001): the writes a
// fresh run never makes, ProvisionPermissionSet among them. A
// ProvisionPermissionSet whose answer is lost is found in progress and
// waited for, not retried into "already being provisioned" until the
// retryer gives up.
func TestFaultOnEachDriftRepairWrite(t *testing.T) {
	t.Parallel()
	awstest.FaultMatrix[identitycenter.AccessSpec]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) identitycenter.AccessSpec {
			o := newOrg(t, ctx, b, seed001Accounts...)
			if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), seed001(o, seed001Accounts...), awstest.Fast()...); err != nil {
				t.Fatal(err)
			}
			return drifted001(o)
		},
		Run: func(ctx context.Context, b *awstest.Backend, spec identitycenter.AccessSpec) error {
			_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			return err
		},
		Match:    emulator.Match{Service: "sso"},
		Err:      &emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"},
		Variants: []awstest.FaultVariant{{Name: "before"}, {Name: "after", After: true}, awstest.LostAnswer500, notApplied500},
		Check: func(t *testing.T, op string, err error) {
			if !strings.HasPrefix(err.Error(), "identitycenter: ") || strings.Count(err.Error(), "identitycenter:") != 1 {
				t.Errorf("%s: error not wrapped once: %v", op, err)
			}
		},
		PerOperation: true, // a sample: each operation and each variant once (FOUNDATION_TEST_MATRIX=1: every call)
	}.Test(t)
}

// concurrentModification is identitystore's ConflictException for a
// resource another request is changing: AWS asks to retry it.
var concurrentModification = emulator.APIError{Status: 409, Code: "ConflictException",
	Message: "injected: another request modified the resource", Extra: map[string]string{"Reason": "CONCURRENT_MODIFICATION"}}

// TestConcurrentModificationOnEachIdentityStoreWriteIsRetried fails each
// identitystore write of a fresh run (CreateUser, CreateGroup,
// CreateGroupMembership) once with ConflictException
// CONCURRENT_MODIFICATION: the retryer retries it, the run succeeds and
// reaches the undisturbed run's state, with no duplicate.
func TestConcurrentModificationOnEachIdentityStoreWriteIsRetried(t *testing.T) {
	awstest.FaultMatrix[identitycenter.AccessSpec]{
		Setup: func(t *testing.T, ctx context.Context, b *awstest.Backend) identitycenter.AccessSpec {
			return seed000(newOrg(t, ctx, b, seed000Accounts...))
		},
		Run: func(ctx context.Context, b *awstest.Backend, spec identitycenter.AccessSpec) error {
			_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			return err
		},
		Match:    emulator.Match{Service: "identitystore"},
		Err:      &concurrentModification,
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}},
		Calls:    3,
	}.Test(t)
}

// A CONCURRENT_MODIFICATION conflict that persists is an error naming the
// step, never "already a member": the membership is not reported made and
// the next run creates it.
func TestPersistingConcurrentModificationIsAnError(t *testing.T) {
	for _, op := range []string{"CreateUser", "CreateGroup", "CreateGroupMembership"} {
		t.Run(op, func(t *testing.T) {
			b := awstest.New(t)
			e := b.RequireEmulator(t, awstest.CapFaults)
			ctx := awstest.Context(t, 30*time.Second)
			spec := seed000(newOrg(t, ctx, b, seed000Accounts...))
			f := e.FailAlways(emulator.Match{Service: "identitystore", Operation: op}, concurrentModification)
			_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			var ce *istypes.ConflictException
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "identitycenter: ") || !strings.Contains(err.Error(), ": create: ") {
				t.Fatalf("err = %v", err)
			}
			if f.Fired() < 2 {
				t.Errorf("the conflict was tried %d times: not retried", f.Fired())
			}
			e.RemoveFault(f)
			got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(got.Changes, func(c foundation.Change) bool { return c.Action == foundation.ActionCreate }) {
				t.Errorf("the next run created nothing: %v", changeLines(got.Changes))
			}
		})
	}
}

// unseenAccount is what CreateAccountAssignment answers for an account
// Identity Center has not learnt of from Organizations yet.
var unseenAccount = emulator.APIError{Status: 400, Code: "ValidationException",
	Message: "injected: the account is not a member of the organization"}

// TestAssignmentToANewAccountWaitsForIdentityCenter: the first three
// CreateAccountAssignment calls are refused as for an account Identity
// Center has not seen yet; the run waits them out and converges to the
// undisturbed run's state, every assignment made once.
func TestAssignmentToANewAccountWaitsForIdentityCenter(t *testing.T) {
	ref := awstest.New(t)
	refEmu := ref.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(ref), seed000(newOrg(t, ctx, ref, seed000Accounts...)), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	want, err := refEmu.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	spec := seed000(newOrg(t, ctx, b, seed000Accounts...))
	m := emulator.Match{Service: "sso", Operation: "CreateAccountAssignment"}
	var faults []*emulator.Fault
	for n := 1; n <= 3; n++ {
		faults = append(faults, e.FailNth(m, n, unseenAccount))
	}
	got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		if f.Fired() != 1 {
			t.Fatalf("a refusal fired %d times", f.Fired())
		}
	}
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, want) {
		t.Fatalf("state differs from the undisturbed run's:\n%s", awstest.FirstDiff(snap, want))
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
	if len(got.Changes) == 0 {
		t.Fatal("no changes reported")
	}
}

// A refusal that outlasts the propagation timeout is reported naming the
// assignment and the wait, keeping AWS's error.
func TestAssignmentRefusedPastTheTimeout(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 30*time.Second)
	spec := seed000(newOrg(t, ctx, b, seed000Accounts...))
	e.FailAlways(emulator.Match{Service: "sso", Operation: "CreateAccountAssignment"}, unseenAccount)
	_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast(foundation.WithPropagationTimeout(50*time.Millisecond))...)
	var ve *ssotypes.ValidationException
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") { // one per assignment
		if !strings.HasPrefix(line, "identitycenter: assignment ") || !strings.Contains(line, ": create: still refused after ") ||
			strings.Count(line, "identitycenter:") != 1 {
			t.Fatalf("err = %v", err)
		}
	}
}

// notApplied500 is a retryable 500 before the write: AWS did not apply it.
// A create guarded by a read (awsretry.Create) finds nothing and creates
// again.
var notApplied500 = awstest.FaultVariant{Name: "500-before", Retried: true,
	Err: &emulator.APIError{Status: 500, Code: "InternalFailure", Message: "injected: not applied"}}

// TestLostAnswersAreReportedAsMade: a create AWS applied whose answer was
// lost (a retryable 500 after the write) is found by reading and reported
// as this run's change: the run reports exactly the undisturbed run's
// changes, for each create without a client token.
func TestLostAnswersAreReportedAsMade(t *testing.T) {
	ctx := awstest.Context(t, 30*time.Second)
	ref := awstest.New(t)
	ref.RequireEmulator(t, awstest.CapFaults)
	undisturbed, err := identitycenter.EnsureAccess(ctx, apiFor(ref), seed000(newOrg(t, ctx, ref, seed000Accounts...)), awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := changeLines(undisturbed.Changes)
	for _, m := range []emulator.Match{
		{Service: "identitystore", Operation: "CreateUser"},
		{Service: "identitystore", Operation: "CreateGroup"},
		{Service: "identitystore", Operation: "CreateGroupMembership"},
		{Service: "sso", Operation: "CreatePermissionSet"},
		{Service: "sso", Operation: "AttachManagedPolicyToPermissionSet"},
	} {
		t.Run(m.Operation, func(t *testing.T) {
			b := awstest.New(t)
			e := b.RequireEmulator(t, awstest.CapFaults)
			spec := seed000(newOrg(t, ctx, b, seed000Accounts...))
			f := e.AddFault(&emulator.Fault{Match: m, Nth: 1, AfterHandler: true, Err: awstest.LostAnswer500.Err})
			got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil || f.Fired() != 1 {
				t.Fatalf("err = %v, fault fired %d times", err, f.Fired())
			}
			if g := changeLines(got.Changes); !slices.Equal(g, want) {
				t.Errorf("changes\n got %q\nwant %q", g, want)
			}
		})
	}
}
