package organizations

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/plan"
)

// CloseAccount closes a member account the way the seeds do by hand: it
// moves the account to the suspended OU (spec.SuspendedOU, default
// "Suspended", created if missing), tags it (spec.Tags), then closes it
// (CloseAccount) and waits as spec.Wait says (default: until AWS reports it
// PENDING_CLOSURE).
//
// It is idempotent: an account already closing or closed (PENDING_CLOSURE,
// SUSPENDED) in the suspended OU needs no call; one elsewhere is moved.
// The management account is refused with a *ManagementAccountError, and
// AWS's closure quotas with a *CloseQuotaError (not retried). On error the
// result is nil and the error carries the changes made before it (a
// *foundation.IncompleteError).
func CloseAccount(ctx context.Context, api CloseAccountAPI, spec CloseAccountSpec, opts ...foundation.Option) (*Account, error) {
	var f faults
	spec.check(&f)
	checkAPI(&f, api)
	if err := f.err(); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	r := newRun(api, opts)
	a, err := r.closeAccount(ctx, api, spec)
	if err != nil {
		return nil, r.rec.Fail(err)
	}
	return a, nil
}

func (r *run) closeAccount(ctx context.Context, api CloseAccountAPI, spec CloseAccountSpec) (*Account, error) {
	who := spec.AccountID
	if who == "" {
		who = fmt.Sprintf("%q", spec.Email)
	}

	desc, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	if err != nil {
		return nil, fmt.Errorf("organizations: account %s: describe organization: %w", who, err)
	}
	mgmt := aws.ToString(desc.Organization.MasterAccountId)

	// The account.
	var acct *types.Account
	if spec.AccountID != "" {
		if spec.AccountID == mgmt {
			return nil, &ManagementAccountError{AccountID: mgmt}
		}
		out, err := api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(spec.AccountID)}, retryCME)
		if err != nil {
			return nil, fmt.Errorf("organizations: account %s: describe: %w", who, err)
		}
		acct = out.Account
	} else {
		if _, err := r.loadRoot(ctx); err != nil {
			return nil, err
		}
		if acct, err = r.findAccount(ctx, spec.Email); err != nil {
			return nil, err
		}
		if acct == nil {
			return nil, fmt.Errorf("organizations: account %s: close: %w", who, ErrAccountNotFound)
		}
		if aws.ToString(acct.Id) == mgmt {
			return nil, &ManagementAccountError{AccountID: mgmt}
		}
		// Found by email: an account someone else made is not moved,
		// tagged or closed unless the spec adopts it.
		if !spec.Adopt {
			tags, err := r.tags(ctx, aws.ToString(acct.Id))
			if err != nil {
				return nil, fmt.Errorf("organizations: account %s: %w", who, err)
			}
			if err := foundation.CheckOwner(ResAccount, spec.Email, tags, false, "spec.Adopt"); err != nil {
				return nil, err
			}
		}
	}
	a := &Account{ID: aws.ToString(acct.Id), ARN: aws.ToString(acct.Arn), Name: aws.ToString(acct.Name), Email: aws.ToString(acct.Email),
		OU: spec.SuspendedOU, State: accountState(acct)}

	// The suspended OU, and the account in it.
	if _, err := r.ensureOUs(ctx, []OUSpec{{Path: spec.SuspendedOU}}, 1, nil); err != nil {
		return nil, err
	}
	target := r.node(spec.SuspendedOU)
	parentID, err := r.parentOf(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("organizations: account %q: %w", a.Email, err)
	}
	a.ParentID = parentID
	if target.fresh || parentID != target.id {
		// A suspended OU that would be created (dry run) has a predicted
		// ID: the move is planned, never sent.
		if err := r.moveAccount(ctx, r.rec, a.Email, a.ID, parentID, target.id, spec.SuspendedOU); err != nil {
			return nil, err
		}
		a.ParentID = target.id
	}
	if err := r.ensureTags(ctx, a.ID, ResAccountTags, a.Email, spec.Tags, nil, r.rec); err != nil {
		return nil, fmt.Errorf("organizations: account %q: %w", a.Email, err)
	}

	// The closure.
	if a.State == types.AccountStateActive || a.State == types.AccountStatePendingActivation {
		c := foundation.Change{Action: foundation.ActionUpdate, Resource: ResAccountStatus, ID: a.Email,
			Diffs: []foundation.Diff{{Field: "State", From: string(a.State), To: string(types.AccountStatePendingClosure)}}}
		applied, err := r.rec.Do(ctx, c, func(ctx context.Context) error {
			_, err := api.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(a.ID)}, retryCME)
			switch reason := constraintReason(err); {
			case err == nil:
				return nil
			case is[*types.AccountAlreadyClosedException](err):
				r.log.Debug("account closed concurrently", slog.String("account", a.ID))
				return plan.ErrUnchanged
			case reason == types.ConstraintViolationExceptionReasonCloseAccountQuotaExceeded,
				reason == types.ConstraintViolationExceptionReasonCloseAccountRequestsLimitExceeded:
				return &CloseQuotaError{AccountID: a.ID, Email: a.Email, Reason: reason, Err: err}
			case reason == types.ConstraintViolationExceptionReasonCannotCloseManagementAccount:
				return &ManagementAccountError{AccountID: a.ID, Err: err}
			default:
				return fmt.Errorf("organizations: account %q: close: %w", a.Email, err)
			}
		})
		if err != nil {
			return nil, err
		}
		if !applied { // planned: nothing to wait for
			a.Changes = r.rec.Changes()
			return a, nil
		}
	}
	a.Changes = r.rec.Changes()
	if spec.Wait == CloseWaitNone || a.State == types.AccountStateSuspended || a.State == types.AccountStateClosed {
		return a, nil
	}
	err = r.rec.Wait(ctx, r.o, fmt.Sprintf("account %q to be %s", a.Email, spec.Wait), func(ctx context.Context) (bool, error) {
		out, err := api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(a.ID)}, retryCME)
		if err != nil {
			return false, err
		}
		a.State = accountState(out.Account)
		switch a.State {
		case types.AccountStateSuspended, types.AccountStateClosed:
			return true, nil
		case types.AccountStatePendingClosure:
			return spec.Wait == CloseWaitPendingClosure, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("organizations: account %q: wait for closure: %w", a.Email, err)
	}
	return a, nil
}
