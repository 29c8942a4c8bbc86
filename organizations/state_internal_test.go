package organizations

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// TestAccountStateFallsBackToStatus: Account.State is read first (Status
// was retired on 2026-09-09 and the emulator no longer sends it); an
// endpoint that sends only the old Status (moto 5.2.1 sends both, older
// endpoints only Status) still gives the account's state.
func TestAccountStateFallsBackToStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   types.Account
		want types.AccountState
	}{
		{"State only", types.Account{State: types.AccountStatePendingActivation}, types.AccountStatePendingActivation},
		{"Status only", types.Account{Status: types.AccountStatusSuspended}, types.AccountStateSuspended},
		{"State wins", types.Account{State: types.AccountStateClosed, Status: types.AccountStatusSuspended}, types.AccountStateClosed},
		{"neither", types.Account{}, ""},
	} {
		if got := accountState(&tc.in); got != tc.want {
			t.Errorf("%s: accountState = %q, want %q", tc.name, got, tc.want)
		}
	}
	// The closed states: SUSPENDED (from Status or State), PENDING_CLOSURE, CLOSED.
	for _, s := range []types.AccountState{types.AccountStatePendingClosure, types.AccountStateSuspended, types.AccountStateClosed} {
		if !closedState(s) {
			t.Errorf("closedState(%s) = false", s)
		}
	}
	if closedState(types.AccountStateActive) || closedState(types.AccountStatePendingActivation) {
		t.Error("an active or activating account counted as closed")
	}
}
