package core

import (
	"net/http"
	"time"
)

// Account is one AWS account's state. The core knows no service: each
// service keeps its state for the account in a slot of its own (state,
// slot, setSlot), keyed by the service's name.
type Account struct {
	ID    string
	slots map[string]any
}

func newAccount(id string) *Account {
	return &Account{ID: id, slots: map[string]any{}}
}

// State returns the value in a's slot key, creating it with init on first
// use.
func State[T any](a *Account, key string, init func() T) T {
	if v, ok := a.slots[key]; ok {
		return v.(T)
	}
	v := init()
	a.slots[key] = v
	return v
}

// Slot returns the value in a's slot key, the zero T when there is none.
func Slot[T any](a *Account, key string) T {
	v, _ := a.slots[key].(T)
	return v
}

// SetSlot stores v in a's slot key.
func SetSlot(a *Account, key string, v any) {
	if v == nil {
		delete(a.slots, key)
		return
	}
	a.slots[key] = v
}

// Identity is who made a request.
type Identity struct {
	Account   string
	ARN       string // arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	UserID    string
	AccessKey string
	RoleARN   string // for assumed-role sessions: the role's IAM ARN
}

// Session is a set of temporary credentials issued by AssumeRole.
type Session struct {
	Identity
	Secret, Token string
	Expires       time.Time
}

func RootIdentity(accountID, accessKey string) Identity {
	return Identity{Account: accountID, ARN: "arn:aws:iam::" + accountID + ":root", UserID: accountID, AccessKey: accessKey}
}

// identify maps an access key to an identity. Keys issued by AssumeRole act
// as the assumed role; a 12-digit key acts as that account's root user (as in
// LocalStack); any other key acts as the management account's root user.
// Called with e.mu held.
func (e *Emulator) identify(accessKey string) (Identity, *APIError) {
	if s, ok := e.sessions[accessKey]; ok {
		if !e.Now().Before(s.Expires) {
			return Identity{}, Errorf(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
		}
		if _, ok := e.accounts[s.Account]; !ok {
			return Identity{}, Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		return s.Identity, nil
	}
	if AccountIDRe.MatchString(accessKey) {
		if _, ok := e.accounts[accessKey]; !ok {
			return Identity{}, Errorf(http.StatusForbidden, "InvalidClientTokenId",
				"The security token included in the request is invalid. (emulator: account %s does not exist)", accessKey)
		}
		return RootIdentity(accessKey, accessKey), nil
	}
	return RootIdentity(e.opts.ManagementAccountID, accessKey), nil
}
