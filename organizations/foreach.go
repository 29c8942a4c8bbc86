package organizations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/bounded"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/plan/fresh"
)

// DefaultFanOutConcurrency is how many accounts ForEachAccount works in at
// once unless foundation.WithConcurrency says otherwise. Each account's work
// makes its own calls; 8 keeps a landing zone of dozens of accounts well
// within the STS and per-service request quotas.
const DefaultFanOutConcurrency = 8

// Target is one account ForEachAccount works in.
type Target struct {
	// ID is the 12-digit account ID (required).
	ID string
	// Name labels the account in the summary ("prod"); default the ID.
	Name string
}

// FanOutSpec says which accounts ForEachAccount works in and how it
// reaches them.
type FanOutSpec struct {
	Accounts []Target
	// RoleName is the role assumed in each member account. Default
	// DefaultRoleName.
	RoleName string
	// ManagementAccountID, when set, is the account whose config is cfg
	// itself: a Target with that ID gets cfg, not an assumed role (the
	// management account has no access role of its own).
	ManagementAccountID string
	// ConfigOptions are passed to AccountConfig (session name, external
	// ID, duration).
	ConfigOptions []AccountConfigOption
}

// AccountTask is the work done in one account with a config that acts in
// it. It returns the changes it made (or, in dry run, would make).
type AccountTask func(ctx context.Context, cfg aws.Config, target Target) (foundation.Changes, error)

// AccountResult is what the task did in one account.
type AccountResult struct {
	Target  Target
	Changes foundation.Changes
	Err     error
}

// Summary is the outcome of ForEachAccount across every account, in the
// spec's order.
type Summary struct {
	Results []AccountResult
}

// ForEachAccount runs task in every account of spec, at most
// foundation.WithConcurrency(n) at a time (default
// DefaultFanOutConcurrency), each with a config from AccountConfig (or cfg
// itself for the management account). AccountConfig waits for each
// account's role to become assumable (WithAccessWait with these options:
// foundation.WithPropagationTimeout, foundation.WithPollInterval), as a new
// account's access role is refused for a while after CreateAccount; the
// other options are not used: pass them to the task's own calls. It runs every account even when some
// fail, and returns the summary of all of them; the error joins the
// failures (each naming its account), so a caller can report everything
// and exit non-zero.
//
// The spec is validated first (foundation.ErrInvalidSpec, no call):
// account IDs must be 12 digits and unique.
//
// In a dry run (foundation.WithDryRun) an account ID the dry run predicted
// for an account it would create (foundation.PredictedID) is a target too:
// its task gets a config whose requests never leave the process and are
// answered as a brand-new, empty account answers them (internal/plan/fresh),
// so the task plans there exactly what a real run makes. In a real run a
// predicted ID is an invalid spec.
func ForEachAccount(ctx context.Context, cfg aws.Config, spec FanOutSpec, task AccountTask, opts ...foundation.Option) (*Summary, error) {
	var f faults
	seen := map[string]int{}
	dryRun := call.Resolve(opts...).DryRun
	for i, t := range spec.Accounts {
		field := fmt.Sprintf("spec.Accounts[%d].ID", i)
		switch {
		case plan.IsPredicted(t.ID) && dryRun:
		case plan.IsPredicted(t.ID):
			f.add(field, t.ID, predictedAccountRule)
		case !accountIDRe.MatchString(t.ID):
			f.add(field, t.ID, "must be 12 digits")
		}
		if j, dup := seen[t.ID]; dup {
			f.add(field, t.ID, fmt.Sprintf("duplicates spec.Accounts[%d]", j))
		}
		seen[t.ID] = i
	}
	if spec.RoleName != "" && !roleNameRe.MatchString(spec.RoleName) {
		f.add("spec.RoleName", spec.RoleName, "must be 1 to 64 letters, digits or + = , . @ _ -")
	}
	if task == nil {
		f.add("task", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	role := spec.RoleName
	if role == "" {
		role = DefaultRoleName
	}
	n := call.Resolve(opts...).Width(DefaultFanOutConcurrency, 0)
	sum := &Summary{Results: make([]AccountResult, len(spec.Accounts))}
	for i, t := range spec.Accounts {
		if t.Name == "" {
			t.Name = t.ID
		}
		sum.Results[i].Target = t
	}
	// Each account's error stays in its result; an account not started
	// because ctx ended gets ctx's error there too.
	started := make([]bool, len(spec.Accounts))
	_ = bounded.ForEach(ctx, len(spec.Accounts), n, func(ctx context.Context, i int) error {
		started[i] = true
		r := &sum.Results[i]
		acfg := cfg
		switch {
		case plan.IsPredicted(r.Target.ID): // dry run: an account it would create
			acfg = fresh.Config(cfg, r.Target.ID)
		case r.Target.ID != spec.ManagementAccountID:
			var err error
			copts := append([]AccountConfigOption{WithAccessWait(opts...)}, spec.ConfigOptions...)
			if acfg, err = AccountConfig(ctx, cfg, r.Target.ID, role, copts...); err != nil {
				r.Err = err
				return nil
			}
		}
		r.Changes, r.Err = task(ctx, acfg, r.Target)
		return nil
	})
	for i := range sum.Results {
		if !started[i] {
			sum.Results[i].Err = ctx.Err()
		}
	}
	return sum, sum.Err()
}

// Err joins the failures, each naming its account; nil when none failed.
func (s *Summary) Err() error {
	var errs []error
	for _, r := range s.Failed() {
		errs = append(errs, fmt.Errorf("account %s (%s): %w", r.Target.Name, r.Target.ID, r.Err))
	}
	return errors.Join(errs...)
}

// Failed returns the results whose task failed.
func (s *Summary) Failed() []AccountResult {
	var out []AccountResult
	for _, r := range s.Results {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// Count returns the number of changes across all accounts.
func (s *Summary) Count() int {
	n := 0
	for _, r := range s.Results {
		n += len(r.Changes)
	}
	return n
}

// Report writes the changes grouped by account, each account's in the
// order they were made (a KMS key before its alias), and lists the
// failures last.
func (s *Summary) Report(w io.Writer) {
	for _, r := range s.Results {
		id := r.Target.ID
		if plan.IsPredicted(id) { // a dry run's account to be created
			id = "ID known after apply"
		}
		fmt.Fprintf(w, "== %s (%s)\n", r.Target.Name, id)
		if len(r.Changes) == 0 && r.Err == nil {
			fmt.Fprintln(w, "  (no changes)")
		}
		for _, c := range r.Changes { // in the order made: a key before its alias
			fmt.Fprintf(w, "  %s\n", c)
		}
		if r.Err != nil {
			fmt.Fprintf(w, "  FAILED: %s\n", strings.ReplaceAll(r.Err.Error(), "\n", "\n    "))
		}
	}
	if failed := s.Failed(); len(failed) > 0 {
		fmt.Fprintf(w, "%d of %d accounts failed:", len(failed), len(s.Results))
		for _, r := range failed {
			fmt.Fprintf(w, " %s", r.Target.Name)
		}
		fmt.Fprintln(w)
	}
}
