package examplekit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// AccountChange is one change and the account it was made in (or, in a
// dry run, would be).
type AccountChange struct {
	// Account is the 12-digit ID of the account the change is made in;
	// in a dry run, predicted (foundation.PredictedID) for an account the
	// run would create; "" for a change to a local file (the AWS CLI
	// config), which is in no account.
	Account string
	foundation.Change
}

// Lister is a Report that lists its changes with their accounts, in the
// order they were made: what -json prints.
type Lister interface {
	AccountChanges() []AccountChange
}

// In returns cs as made in account.
func In(account string, cs foundation.Changes) []AccountChange {
	out := make([]AccountChange, len(cs))
	for i, c := range cs {
		out[i] = AccountChange{Account: account, Change: c}
	}
	return out
}

// Local returns cs as changes to local files, in no account: the
// resources named "aws-config:..." (identitycenter.WriteConfigFile) get
// Account "", the others account.
func Local(account string, cs foundation.Changes) []AccountChange {
	out := In(account, cs)
	for i := range out {
		if strings.HasPrefix(out[i].Resource, "aws-config:") {
			out[i].Account = ""
		}
	}
	return out
}

// JSONChange is the JSON form of one change, what -json prints one per
// line (JSON Lines):
//
//	{"action":"create","resource":"kms:key","id":"alias/dev-us-east-1-main","account":"123456789012","fields":[{"field":"Description","to":"dev"}]}
//
// action is create, update or delete; resource is "service:kind"; id
// names the resource as the library reports it (in a dry run, a
// foundation.PredictedID placeholder, whole or inside a name, for what AWS
// assigns on creation); account is the 12-digit account ID (predicted in a
// dry run for an account to be created; "" for a local file); fields, when
// present, are the settings changed, each with its old ("from") and new
// ("to") value.
type JSONChange struct {
	Action   foundation.Action `json:"action"`
	Resource string            `json:"resource"`
	ID       string            `json:"id"`
	Account  string            `json:"account"`
	Fields   []foundation.Diff `json:"fields,omitempty"`
}

// WriteJSON writes cs to w as JSON Lines, one JSONChange per line.
func WriteJSON(w io.Writer, cs []AccountChange) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range cs {
		if err := enc.Encode(JSONChange{Action: c.Action, Resource: c.Resource, ID: c.ID, Account: c.Account, Fields: c.Diffs}); err != nil {
			return err
		}
	}
	return nil
}

// ReadJSON reads what WriteJSON wrote.
func ReadJSON(r io.Reader) ([]JSONChange, error) {
	dec := json.NewDecoder(r)
	var out []JSONChange
	for dec.More() {
		var c JSONChange
		if err := dec.Decode(&c); err != nil {
			return out, fmt.Errorf("-json output: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Stderr is where a program run with -json writes everything meant for
// people (tests replace it).
var Stderr io.Writer = os.Stderr

// Human returns where a program writes what is meant for people: out, or
// with -json, Stderr (stdout then carries only JSON).
func (f Flags) Human(out io.Writer) io.Writer {
	if f.JSON {
		return Stderr
	}
	return out
}

// isNil reports whether r is nil or a nil pointer in an interface.
func isNil(r Report) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// CallerAccount returns id when it is known (Known), else the account of
// cfg's credentials (sts:GetCallerIdentity): in a dry run before the
// organization exists, the account that will create and manage it.
func CallerAccount(ctx context.Context, cfg aws.Config, id string) (string, error) {
	if Known(id) {
		return id, nil
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("who am I: %w", err)
	}
	return aws.ToString(who.Account), nil
}

// Made returns the changes err carries (a *foundation.IncompleteError):
// what the call that failed had made before it failed.
func Made(err error) foundation.Changes {
	var inc *foundation.IncompleteError
	if errors.As(err, &inc) {
		return inc.Changes
	}
	return nil
}

// Incomplete returns err, the failure of one step of a program's converge,
// as a *foundation.IncompleteError carrying every change made before it,
// in every step (cs, in the order made), so that the program prints what
// exists now; err as it is when nothing was made. Its message is err's.
func Incomplete(err error, cs []AccountChange) error {
	if err == nil || len(cs) == 0 {
		return err
	}
	made := make(foundation.Changes, len(cs))
	for i, c := range cs {
		made[i] = c.Change
	}
	return &foundation.IncompleteError{Changes: made, Err: err}
}

// FanOut returns each account's changes of sum (nil: none), those of a
// failed account's task included (the changes its error carries).
func FanOut(sum *organizations.Summary) []AccountChange {
	if sum == nil {
		return nil
	}
	var out []AccountChange
	for _, r := range sum.Results {
		out = append(out, In(r.Target.ID, r.Changes)...)
		out = append(out, In(r.Target.ID, Made(r.Err))...)
	}
	return out
}
