package core

// The control API: plain JSON over HTTP under ControlPrefix, served by
// Handler and so by every emulator.Server (Start, Serve and so the
// foundation-emulator command and its container image) next to the AWS APIs. No AWS operation uses the prefix: it
// is not a valid S3 bucket name (underscore) and every other service is
// routed by its SigV4 credential scope, which control requests do not carry.
//
//	GET    /_foundation/health    {"status":"ok"}
//	GET    /_foundation/info      {"managementAccountId":"123456789012","version":"v0.0.0-..."}
//	POST   /_foundation/reset     replace all state (accounts, sessions, call log, faults) with a
//	                              fresh emulator's, built from the same Options; {"status":"ok"}
//	GET    /_foundation/snapshot  the canonical JSON snapshot (Emulator.Snapshot)
//	GET    /_foundation/calls     the call log, oldest first: [{"seq":1,"service":"sts",
//	                              "operation":"GetCallerIdentity","account":"...","caller":"...",
//	                              "region":"us-east-1","mutating":false,"status":200,"error":"",
//	                              "time":"..."}]; ?since=N returns the calls after the first N
//	GET    /_foundation/faults    the installed faults, each with "fired": how many calls it failed
//	POST   /_foundation/faults    install faults: one fault object or a list of them (see below);
//	                              answers with the installed faults
//	DELETE /_foundation/faults    uninstall every fault; {"status":"ok"}
//	GET    /_foundation/model     the latency and quota model and the throttle counts:
//	                              {"model":{...} or null,"throttled":{"sso:ListInstances":3}}
//	PUT    /_foundation/model     set the model (POST too): "default" or {"default":true,"timeScale":0.05}
//	                              (AWS's figures, overridden by the fields given) or a whole model
//	                              {"timeScale":1,"defaultLatency":"50ms","latency":{"sso":"80ms"},
//	                              "rates":[{"service":"sso","perSecond":20,"burst":20}],
//	                              "async":{"organizations:CreateAccount":"60s"},
//	                              "concurrency":{"organizations:CreateAccount":5}}; kept by reset
//	DELETE /_foundation/model     turn the model off
//
// A fault (the kinds of faults.go; a field left out matches anything):
//
//	{"service":"s3","operation":"PutBucketVersioning","account":"123456789012","mutatingOnly":true,
//	 "nth":2,            fail only the 2nd matching call (1-based)
//	 "throttle":0.5,     or: fail that fraction of matching calls (seeded; default error: the
//	                     service's throttling error, which SDKs retry)
//	 "error":{"status":400,"code":"AccessDenied","message":"..."},
//	                     the error returned (status defaults to the one AWS sends the code
//	                     with, 400 when unknown; without "error", nth fails with 500
//	                     InternalFailure); alone, without nth or throttle: fail every
//	                     matching call
//	 "after":true,       apply the change first, then fail (AWS did the work, the response was lost)
//	 "latency":"250ms"}  add this delay to every matching call (alone: a pure delay)
//
// Errors are {"error":"..."} with 400 (bad request body), 404 (unknown path
// under the prefix) or 405 (wrong method). Reset is atomic with respect to
// AWS requests: a request in flight is served wholly against the old state
// or wholly against the new one.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// ControlPrefix is the path prefix of the control API that every Server
// serves beside the AWS APIs (see the comment at the top of control.go).
const ControlPrefix = "/_foundation/"

// Handler serves the control API under ControlPrefix and everything
// else as AWS requests to e.
func Handler(e *Emulator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, ControlPrefix) {
			e.serveControl(w, r)
			return
		}
		e.ServeHTTP(w, r)
	})
}

// OnReset registers setup to run on the fresh state each time Reset
// replaces the emulator's state, before any request sees it; the
// foundation-emulator command uses it to recreate its -accounts. Nil
// removes it.
func (e *Emulator) OnReset(setup func(*Emulator) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onReset = setup
}

// Reset replaces all state (accounts, STS sessions, S3 buckets, the call
// log, faults, the random source) with that of a new Emulator built from
// the same Options, then set up by the OnReset function. The *Emulator stays
// the same, so Servers and callers holding it see the new state. A request
// in flight is served wholly against the old state or the new one.
func (e *Emulator) Reset() error {
	fresh := New(e.opts) // opts never change after New
	e.mu.Lock()
	setup := e.onReset
	e.mu.Unlock()
	if setup != nil {
		if err := setup(fresh); err != nil {
			return fmt.Errorf("emulator: reset: %w", err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// Every field of Emulator but opts, mu and onReset: a field added to
	// Emulator must be carried over here too (TestControlResetCoversEveryField).
	e.rnd, e.accounts, e.sessions, e.globals, e.services = fresh.rnd, fresh.accounts, fresh.sessions, fresh.globals, fresh.services
	e.calls, e.faults, e.reqSeq, e.quota = fresh.calls, fresh.faults, fresh.reqSeq, fresh.quota
	return nil
}

// controlCall is a Call as the control API reports it.
type controlCall struct {
	Seq       int       `json:"seq"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	Account   string    `json:"account"`
	Caller    string    `json:"caller"`
	Region    string    `json:"region"`
	Mutating  bool      `json:"mutating"`
	Status    int       `json:"status"`
	Error     string    `json:"error"`
	Time      time.Time `json:"time"`
}

// controlFault is a Fault as the control API takes and reports it.
type controlFault struct {
	Service      string        `json:"service,omitempty"`
	Operation    string        `json:"operation,omitempty"`
	Account      string        `json:"account,omitempty"`
	MutatingOnly bool          `json:"mutatingOnly,omitempty"`
	Nth          int           `json:"nth,omitempty"`
	Throttle     float64       `json:"throttle,omitempty"`
	Error        *controlError `json:"error,omitempty"`
	After        bool          `json:"after,omitempty"`
	Latency      string        `json:"latency,omitempty"`
	Fired        int           `json:"fired"` // output only
}

type controlError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// fault validates cf and builds the Fault it describes. statuses is the
// error status table of the service cf names, if any.
func (cf controlFault) fault(statuses ErrorStatuses) (*Fault, error) {
	f := &Fault{Match: Match{Service: cf.Service, Operation: cf.Operation, Account: cf.Account,
		MutatingOnly: cf.MutatingOnly}, Nth: cf.Nth, Fraction: cf.Throttle, AfterHandler: cf.After}
	switch {
	case cf.Nth < 0:
		return nil, errors.New("nth: must be 1 or more")
	case cf.Throttle < 0 || cf.Throttle > 1:
		return nil, errors.New("throttle: must be a fraction in (0, 1]")
	case cf.Nth > 0 && cf.Throttle > 0:
		return nil, errors.New("nth and throttle: give one, not both")
	}
	if cf.Latency != "" {
		d, err := time.ParseDuration(cf.Latency)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("latency: %q is not a duration such as \"250ms\"", cf.Latency)
		}
		f.Latency = d
	}
	fails := cf.Nth > 0 || cf.Throttle > 0 || cf.Error != nil
	if !fails && f.Latency == 0 {
		return nil, errors.New("a fault needs nth, throttle, error or latency")
	}
	if cf.After && !fails {
		return nil, errors.New("after: needs nth, throttle or error")
	}
	if ce := cf.Error; ce != nil {
		if ce.Code == "" {
			return nil, errors.New("error.code: required")
		}
		status := ce.Status
		if status == 0 {
			status = statuses.Status(ce.Code) // 400 when the service has no table
		}
		if status < 400 || status > 599 {
			return nil, fmt.Errorf("error.status: %d is not an HTTP error status", ce.Status)
		}
		msg := ce.Message
		if msg == "" {
			msg = "injected fault"
		}
		f.Err = &APIError{Status: status, Code: ce.Code, Message: msg}
	} else if cf.Nth > 0 {
		f.Err = Errorf(http.StatusInternalServerError, "InternalFailure", "injected fault")
	}
	return f, nil
}

func describeFault(f *Fault) controlFault {
	cf := controlFault{Service: f.Match.Service, Operation: f.Match.Operation, Account: f.Match.Account,
		MutatingOnly: f.Match.MutatingOnly, Nth: f.Nth, Throttle: f.Fraction, After: f.AfterHandler, Fired: f.Fired()}
	if f.Latency > 0 {
		cf.Latency = f.Latency.String()
	}
	if f.Err != nil {
		cf.Error = &controlError{Status: f.Err.Status, Code: f.Err.Code, Message: f.Err.Message}
	}
	return cf
}

func (e *Emulator) describeFaults() []controlFault {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]controlFault, 0, len(e.faults))
	for _, f := range e.faults {
		out = append(out, describeFault(f))
	}
	return out
}

func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	method := func(allowed ...string) bool {
		for _, m := range allowed {
			if r.Method == m {
				return true
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeControlError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("%s %s: method not allowed (use %s)", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
		return false
	}
	switch name {
	case "health":
		if method(http.MethodGet) {
			writeControlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	case "info":
		if method(http.MethodGet) {
			writeControlJSON(w, http.StatusOK, map[string]string{
				"managementAccountId": e.ManagementAccountID(), "version": buildVersion()})
		}
	case "reset":
		if !method(http.MethodPost) {
			return
		}
		if err := e.Reset(); err != nil {
			writeControlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeControlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "snapshot":
		if !method(http.MethodGet) {
			return
		}
		snap, err := e.Snapshot()
		if err != nil {
			writeControlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(snap, '\n'))
	case "calls":
		if !method(http.MethodGet) {
			return
		}
		since := 0
		if s := r.URL.Query().Get("since"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				writeControlError(w, http.StatusBadRequest, fmt.Sprintf("since: %q is not a call count", s))
				return
			}
			since = n
		}
		calls := e.CallsSince(since)
		out := make([]controlCall, 0, len(calls))
		for _, c := range calls {
			out = append(out, controlCall{Seq: c.Seq, Service: c.Service, Operation: c.Operation,
				Account: c.Account, Caller: c.Caller, Region: c.Region, Mutating: c.Mutating,
				Status: c.Status, Error: c.ErrorCode, Time: c.Time})
		}
		writeControlJSON(w, http.StatusOK, out)
	case "faults":
		if !method(http.MethodGet, http.MethodPost, http.MethodDelete) {
			return
		}
		switch r.Method {
		case http.MethodDelete:
			e.ClearFaults()
			writeControlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
			return
		case http.MethodPost:
			faults, err := e.readControlFaults(w, r)
			if err != nil {
				writeControlError(w, http.StatusBadRequest, "faults: "+err.Error())
				return
			}
			for _, f := range faults {
				e.AddFault(f)
			}
		}
		writeControlJSON(w, http.StatusOK, e.describeFaults())
	case "model":
		e.serveModel(w, r)
	default:
		writeControlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s%s (health, info, reset, snapshot, calls, faults, model)", ControlPrefix, name))
	}
}

// readControlFaults decodes one fault object or a list of them, rejecting
// unknown fields so a misspelt key does not silently match every call.
func (e *Emulator) readControlFaults(w http.ResponseWriter, r *http.Request) ([]*Fault, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	body = []byte(strings.TrimSpace(string(body)))
	var list []controlFault
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if len(body) > 0 && body[0] == '[' {
		err = dec.Decode(&list)
	} else {
		var one controlFault
		err = dec.Decode(&one)
		list = []controlFault{one}
	}
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	if dec.More() {
		return nil, errors.New("body: more than one JSON value")
	}
	out := make([]*Fault, 0, len(list))
	for i, cf := range list {
		var statuses ErrorStatuses
		e.mu.Lock()
		if svc := e.services[cf.Service]; svc != nil {
			statuses = svc.Statuses
		}
		e.mu.Unlock()
		f, err := cf.fault(statuses)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	writeControlJSON(w, status, map[string]string{"error": msg})
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// buildVersion is the version of the module this emulator was built from:
// a release tag, or a pseudo-version with the VCS revision for a build from
// a checkout, "(devel)" when the toolchain stamped none.
func buildVersion() string {
	const module = "github.com/awsfoundation/foundation"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := ""
	if bi.Main.Path == module {
		v = bi.Main.Version
	} else {
		for _, d := range bi.Deps {
			if d.Path == module {
				v = d.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "(devel) " + s.Value
			}
		}
		return "(devel)"
	}
	return v
}
