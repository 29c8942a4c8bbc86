package emulator

import (
	"sort"
	"time"
)

// DefaultAsyncDuration is Options.AsyncDuration's default.
const DefaultAsyncDuration = 30 * time.Second

// settleDue settles every asynchronous change that has been in progress for
// Options.AsyncDuration, by the emulator's clock: a new or updating DynamoDB
// table, an Organizations CreateAccount request or account closure, an IAM
// Identity Center provisioning or account assignment request. Each also
// settles after its count of describes (TableActivationDescribes, ...),
// whichever comes first, so a client that waits without polling is served
// as AWS would serve it. Called with e.mu held, before every request.
func (e *Emulator) settleDue() {
	now := e.now()
	due := func(since time.Time) bool {
		return !since.IsZero() && !now.Before(since.Add(e.opts.AsyncDuration))
	}
	for _, id := range sortedKeys(e.accounts) {
		a := e.accounts[id]
		for _, region := range sortedKeys(a.tables) {
			for _, t := range a.tables[region] {
				if t.transitional() && due(t.since) {
					t.status, t.sseUpdating, t.settleIn = ddbActive, false, 0
				}
			}
		}
		if o := a.org; o != nil && o.mgmt == id {
			var reqs []*orgCreateRequest
			for _, r := range o.requests {
				if r.state == orgCreateInProgress && due(r.requested) {
					reqs = append(reqs, r)
				}
			}
			sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
			for _, r := range reqs {
				o.complete(e, r)
			}
			for _, m := range o.members {
				if m.status == orgStatusPendingClosure && due(m.closing) {
					m.status, m.closeIn = orgStatusSuspended, 0
				}
			}
		}
		if inst := a.sso; inst != nil {
			var reqs []*ssoRequest
			for _, r := range inst.requests {
				if r.status == ssoStatusInProgress && due(r.created) {
					reqs = append(reqs, r)
				}
			}
			sort.Slice(reqs, func(i, j int) bool { return reqs[i].seq < reqs[j].seq })
			for _, r := range reqs {
				inst.settle(e, r)
			}
		}
	}
}
