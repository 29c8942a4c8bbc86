package core

import (
	"net/http"
	"sort"
	"time"
)

// Call is one request the emulator served, as recorded in its call log.
type Call struct {
	Seq       int       // 1-based position in the log
	Service   string    // SigV4 signing name: "s3", "dynamodb", "sts"
	Operation string    // API operation: "PutBucketVersioning"
	Account   string    // the account the call acted in
	Caller    string    // the caller's ARN
	Region    string    // the credential scope's region
	Mutating  bool      // whether the operation changes state (whether or not it succeeded)
	Status    int       // HTTP status returned
	ErrorCode string    // AWS error code, "" on success
	Time      time.Time // when the call was served
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status < http.StatusBadRequest }

// Calls returns a copy of the call log.
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Call(nil), e.calls...)
}

// CallCount returns the number of calls served so far; pass it to CallsSince
// to see what a piece of code did.
func (e *Emulator) CallCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

// CallsSince returns the calls served after the first n.
func (e *Emulator) CallsSince(n int) []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n > len(e.calls) {
		n = len(e.calls)
	}
	return append([]Call(nil), e.calls[n:]...)
}

// MutatingCallsSince returns the mutating calls served after the first n.
func (e *Emulator) MutatingCallsSince(n int) []Call {
	var out []Call
	for _, c := range e.CallsSince(n) {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// OperationsSince returns "service:Operation" for every call after the first n, in order.
func (e *Emulator) OperationsSince(n int) []string {
	var out []string
	for _, c := range e.CallsSince(n) {
		out = append(out, c.Service+":"+c.Operation)
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
