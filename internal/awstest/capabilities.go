package awstest

import (
	"sort"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// Capability is something a test needs from its backend beyond the AWS
// API itself. A test asks for it with Require (or RequireEmulator for the
// ones only the in-process emulator has) and skips, naming it, where the
// backend lacks it.
type Capability string

const (
	// CapFreshState: the test starts on a backend with nothing in it, so it
	// can create the organization, enable policy types on the root, and
	// assert whole-state facts (every OU, every account).
	CapFreshState Capability = "a fresh backend (the test's own organization)"
	// CapMemberAccounts: ConfigFor(id) acts in a member account the test
	// created.
	CapMemberAccounts Capability = "member accounts the test can act in"
	// CapIdentityCenter: an IAM Identity Center instance, or a way to enable
	// one (a console step on AWS).
	CapIdentityCenter Capability = "an IAM Identity Center instance"
	// CapFaults: programmable faults (fail the Nth call before or after the
	// write, throttle, delay).
	CapFaults Capability = "fault injection"
	// CapSnapshot: a canonical snapshot of the whole state.
	CapSnapshot Capability = "state snapshots"
	// CapServerCallLog: the backend's own log of the calls it served.
	CapServerCallLog Capability = "the server's call log"
	// CapEmulatorState: setting up state that no AWS API can (an account
	// creation that fails, accounts without an organization, Identity Center
	// enabled by the console).
	CapEmulatorState Capability = "state only the emulator can set up"
	// CapEmulatorOptions: the emulator's options (page size, clock, async
	// settling, identity).
	CapEmulatorOptions Capability = "the emulator's options"
	// CapQuotas: AWS's service quotas enforced (SCP size and count, 5
	// CreateAccount in flight, 10 outstanding assignments).
	CapQuotas Capability = "AWS's quotas enforced"
	// CapTrustEvaluation: sts:AssumeRole evaluates the role's trust policy.
	CapTrustEvaluation Capability = "trust policies evaluated by sts:AssumeRole"
)

// capabilities are what each kind of backend has. The in-process emulator
// has everything; what it lacks elsewhere is this table, not a guess in
// each test.
var capabilities = map[string]map[Capability]bool{
	KindEmulator: set(CapFreshState, CapMemberAccounts, CapIdentityCenter, CapFaults, CapSnapshot,
		CapServerCallLog, CapEmulatorState, CapEmulatorOptions, CapQuotas, CapTrustEvaluation),
	// The container is the same emulator behind its control API: reset
	// per test; faults and snapshots stay in-process for now.
	KindContainer: set(CapFreshState, CapMemberAccounts, CapIdentityCenter, CapQuotas, CapTrustEvaluation),
	// moto 5.2.1: reset per test, an Identity Center instance from the
	// start, member accounts through assumed-role credentials.
	KindMoto: set(CapFreshState, CapMemberAccounts, CapIdentityCenter),
	// Shared endpoints hold other tests' state and are never reset.
	KindEndpoint:   set(),
	KindLocalStack: set(CapMemberAccounts),
	KindAWS:        set(CapMemberAccounts, CapIdentityCenter, CapQuotas, CapTrustEvaluation),
}

func set(cs ...Capability) map[Capability]bool {
	m := map[Capability]bool{}
	for _, c := range cs {
		m[c] = true
	}
	return m
}

// Has reports whether the backend has every capability in cs.
func (b *Backend) Has(cs ...Capability) bool {
	for _, c := range cs {
		if !b.caps[c] {
			return false
		}
	}
	return true
}

// Require skips the test unless the backend has every capability in cs,
// naming the ones it lacks.
func (b *Backend) Require(t testing.TB, cs ...Capability) {
	t.Helper()
	var missing []string
	for _, c := range cs {
		if !b.caps[c] {
			missing = append(missing, string(c))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Skipf("awstest: needs %s (backend %s lacks it)", strings.Join(missing, ", "), b.Kind)
	}
}

// Subtests runs subtests one after another and makes their parent report
// SKIP, not PASS, when every one of them skipped:
//
//	var s awstest.Subtests
//	for _, tc := range cases {
//		s.Run(t, tc.name, func(t *testing.T) { ... })
//	}
//	s.Done(t)
type Subtests struct {
	ran, skipped int
}

// Run runs f as a subtest of t and counts whether it skipped.
func (s *Subtests) Run(t *testing.T, name string, f func(t *testing.T)) bool {
	t.Helper()
	var skipped bool
	ok := t.Run(name, func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		f(t)
	})
	s.ran++
	if skipped {
		s.skipped++
	}
	return ok
}

// Done skips t when every subtest run through s skipped.
func (s *Subtests) Done(t *testing.T) {
	t.Helper()
	if s.ran > 0 && s.skipped == s.ran && !t.Failed() {
		t.Skipf("awstest: all %d subtests skipped", s.ran)
	}
}

// EmulatorFor returns the in-process emulator when the backend is one, for
// a test that checks more there (the server's own call log, say) but runs
// everywhere; nil on other backends. need names what it is used for.
func (b *Backend) EmulatorFor(need Capability) *emulator.Emulator {
	if !b.caps[need] {
		return nil
	}
	return b.emu
}
