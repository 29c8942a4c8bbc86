package core

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultManagementAccountID is the account that acts when a request carries
// credentials the emulator did not issue: the organization's management
// account in tests and examples.
const DefaultManagementAccountID = "123456789012"

// DefaultRegion is the region used when a request's credential scope has none.
const DefaultRegion = "us-east-1"

// Options configure the core of an Emulator (the facade's Options, without
// the services' own settings, which it passes in Services). Zero fields take
// their defaults.
type Options struct {
	// ManagementAccountID is the account that exists from the start and acts
	// for credentials the emulator did not issue. Default DefaultManagementAccountID.
	ManagementAccountID string
	// PageSize caps every paginated list response. Default 2, so code that
	// reads only the first page fails its tests.
	PageSize int
	// AsyncDuration is how long, by Clock, an asynchronous change stays in
	// progress when nobody describes it (see Service.Settle). Default
	// DefaultAsyncDuration.
	AsyncDuration time.Duration
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Seed seeds the random source used for throttling faults, so a run with
	// the same seed throttles the same calls. Default 1.
	Seed uint64
	// Logger receives a debug record per request. Default: discard.
	Logger *slog.Logger
	// Consistency is the eventual-consistency model (see Consistency); the
	// zero value turns it off.
	Consistency Consistency
	// Model is the latency and quota model (see Model, DefaultModel); nil,
	// the default, turns it off.
	Model *Model
	// Services holds each service's own settings, by service name, in the
	// type the service's package defines (read with ServiceSettings).
	Services map[string]any
}

// Emulator is the emulator's core: it routes requests by the service named in
// their SigV4 credential scope, serves them one at a time against the
// state, and keeps the accounts, STS sessions, call log and faults. It knows
// no service: each registers itself (Register) and keeps its state in
// account slots (State) or emulator-wide ones (Global).
//
// All state lives in memory, per account. An Emulator is safe for concurrent
// use: requests are served one at a time against the state, latency faults
// are applied outside the lock.
type Emulator struct {
	opts    Options
	onReset func(*Emulator) error // see OnReset (control.go)

	mu       sync.Mutex
	rnd      *mrand.Rand
	accounts map[string]*Account
	sessions map[string]*Session // access key id -> STS session
	calls    []Call
	faults   []*Fault
	reqSeq   int
	quota    *quotaState // the Model's buckets and throttle counts (quota.go)
	model    *Model      // the latency and quota model, nil when off (SetModel; kept by Reset)

	// globals holds the services' state that belongs to no account (S3's
	// bucket namespace is global across accounts, as in AWS), by key; see
	// global.
	globals map[string]any

	services map[string]*Service
}

// New returns an emulator with the management account created and
// every registered service.
func New(opts Options) *Emulator {
	if opts.ManagementAccountID == "" {
		opts.ManagementAccountID = DefaultManagementAccountID
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 2
	}
	if opts.AsyncDuration <= 0 {
		opts.AsyncDuration = DefaultAsyncDuration
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Emulator{
		opts:     opts,
		rnd:      mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		accounts: map[string]*Account{},
		sessions: map[string]*Session{},
		globals:  map[string]any{},
		services: map[string]*Service{},
		quota:    newQuotaState(),
		model:    opts.Model.Clone(),
	}
	e.addAccount(opts.ManagementAccountID)
	for _, reg := range registry {
		s := reg()
		e.services[s.Name] = s
	}
	return e
}

// Global returns the emulator-wide state under key, creating it with init
// on first use. Called with e.mu held.
func Global[T any](e *Emulator, key string, init func() T) T {
	if v, ok := e.globals[key]; ok {
		return v.(T)
	}
	v := init()
	e.globals[key] = v
	return v
}

// ManagementAccountID returns the account that acts for credentials the
// emulator did not issue.
func (e *Emulator) ManagementAccountID() string { return e.opts.ManagementAccountID }

// registry lists the services compiled into the emulator. Each service
// package adds its constructor in an init function (Register); the facade
// imports every service package.
var registry []func() *Service

// Register adds a service to every emulator made afterwards (New, and
// Reset's fresh state). Call it from an init function.
func Register(f func() *Service) { registry = append(registry, f) }

var AccountIDRe = regexp.MustCompile(`^\d{12}$`)

// AddAccount creates an empty account with the given 12-digit ID, as if it
// had been created in or invited to the organization. It is a no-op when the
// account exists.
func (e *Emulator) AddAccount(id string) error {
	if !AccountIDRe.MatchString(id) {
		return fmt.Errorf("emulator: account id %q: must be 12 digits", id)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addAccount(id)
	return nil
}

// Accounts returns the IDs of every account, sorted.
func (e *Emulator) Accounts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]string, 0, len(e.accounts))
	for id := range e.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Account returns the account with the given ID, nil when there is none.
// Called with e.mu held.
func (e *Emulator) Account(id string) *Account { return e.accounts[id] }

// AllAccounts returns every account, sorted by ID. Called with e.mu held.
func (e *Emulator) AllAccounts() []*Account {
	out := make([]*Account, 0, len(e.accounts))
	for _, id := range SortedKeys(e.accounts) {
		out = append(out, e.accounts[id])
	}
	return out
}

// RemoveAccount deletes an account. Called with e.mu held.
func (e *Emulator) RemoveAccount(id string) { delete(e.accounts, id) }

// ServiceSettings returns the settings Options.Services holds for the
// service name, the zero T when there are none.
func ServiceSettings[T any](e *Emulator, name string) T {
	v, _ := e.opts.Services[name].(T)
	return v
}

// Settings returns the Options the emulator was built with (defaults
// filled in).
func (e *Emulator) Settings() Options { return e.opts }

// Lock takes the emulator's lock, under which requests are served, and
// returns the function that releases it: the services' Go API (setup steps
// of tests and examples) runs under it, "defer e.lock()()".
func (e *Emulator) Lock() (unlock func()) {
	e.mu.Lock()
	return e.mu.Unlock
}

// AddSession records temporary credentials (STS AssumeRole) so that requests
// signed with s.AccessKey act as s. Called with e.mu held.
func (e *Emulator) AddSession(s *Session) { e.sessions[s.AccessKey] = s }

// EnsureAccount returns the account with the given ID, creating it empty
// when missing. Called with e.mu held.
func (e *Emulator) EnsureAccount(id string) *Account {
	return e.addAccount(id)
}

func (e *Emulator) addAccount(id string) *Account {
	if a, ok := e.accounts[id]; ok {
		return a
	}
	a := newAccount(id)
	e.accounts[id] = a
	return a
}

func (e *Emulator) Now() time.Time { return e.opts.Clock().UTC() }

// ServeHTTP routes a request by the service named in its SigV4 credential
// scope, applies faults, serves it against the acting account's state and
// records it in the call log.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cred, ok := parseCredentialScope(r)
	if !ok {
		cred, ok = unsignedSTS(r)
	}
	if !ok {
		writeBareError(w, r, &APIError{Status: http.StatusForbidden, Code: "MissingAuthenticationToken",
			Message: "Request is missing Authentication Token"})
		return
	}
	name := cred.service
	if name == "s3" && isS3Control(r) {
		name = "s3control" // S3 Control signs as "s3" too
	}
	e.mu.Lock()
	svc := e.services[name]
	e.mu.Unlock()
	if svc == nil {
		writeBareError(w, r, &APIError{Status: http.StatusBadRequest, Code: "UnknownService",
			Message: fmt.Sprintf("the emulator does not implement service %q", cred.service)})
		return
	}
	body, err := readBody(r)
	if err != nil {
		svc.Protocol.writeError(w, r, svc, "", "", &APIError{Status: http.StatusBadRequest, Code: "IncompleteBody",
			Message: "could not read the request body: " + err.Error()})
		return
	}
	region := cred.region
	if region == "" {
		region = DefaultRegion
	}
	c := &Ctx{Emu: e, r: r, w: w, body: body, svc: svc, Region: region}
	op, form, apiErr := svc.Protocol.operation(svc, r, body)
	c.Op, c.form = op, form

	var latency time.Duration
	var result any
	var def *Operation
	func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.reqSeq++
		c.RequestID = requestID(e.reqSeq)
		call := Call{Seq: len(e.calls) + 1, Service: svc.Name, Operation: op, Region: region, Time: e.Now()}
		call.Status = http.StatusOK
		defer func() {
			if apiErr != nil {
				call.Status, call.ErrorCode = apiErr.Status, apiErr.Code
			}
			e.calls = append(e.calls, call)
		}()
		if apiErr != nil {
			return
		}
		def = svc.Ops[op]
		if def == nil {
			apiErr = notImplemented(svc, op)
			return
		}
		call.Mutating = def.mutating
		e.settleDue()
		id, err := e.identify(cred.accessKey)
		if err != nil {
			apiErr = err
			return
		}
		c.Caller, c.Account = id, e.accounts[id.Account]
		call.Account, call.Caller = id.Account, id.ARN
		if apiErr = e.authorize(c); apiErr != nil { // SCPs and RCPs (authorize.go)
			return
		}
		latency = e.modelLatency(svc.Name, op)
		if apiErr = e.admit(svc, op, id.Account, region); apiErr != nil {
			e.countThrottle(svc.Name, op)
			return
		}
		f, lat := e.matchFaults(&call)
		latency += lat
		if f != nil && !f.AfterHandler {
			apiErr = f.err()
			return
		}
		result, apiErr = safeHandle(def, c)
		if apiErr != nil && apiErr.Code == svc.Throttle.Code {
			e.countThrottle(svc.Name, op) // a service's own quota (concurrency)
		}
		if apiErr != nil && svc.Statuses != nil && apiErr.Status < 500 {
			if st, ok := svc.Statuses[apiErr.Code]; ok && apiErr.Status != st {
				// A copy: a handler may return a shared *APIError (a
				// package-level one), which other requests read.
				e := *apiErr
				e.Status = st
				apiErr = &e
			}
		}
		if f != nil && f.AfterHandler && apiErr == nil {
			result, apiErr = nil, f.err()
		}
		if rr, ok := result.(*RestResponse); ok && rr.Status != 0 {
			call.Status = rr.Status
		}
	}()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		t.Stop()
	}
	e.opts.Logger.LogAttrs(r.Context(), slog.LevelDebug, "emulator request",
		slog.String("service", svc.Name), slog.String("operation", op), slog.Any("error", apiErr))
	if apiErr != nil {
		svc.Protocol.writeError(w, r, svc, op, c.RequestID, apiErr)
		return
	}
	svc.Protocol.writeResult(w, r, svc, op, c.RequestID, result)
}

func safeHandle(def *Operation, c *Ctx) (result any, apiErr *APIError) {
	defer func() {
		if p := recover(); p != nil {
			result, apiErr = nil, &APIError{Status: http.StatusInternalServerError, Code: "InternalFailure",
				Message: fmt.Sprintf("emulator panic in %s: %v", c.Op, p)}
		}
	}()
	res, err := def.handle(c)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: err.Error()}
	}
	return res, nil
}

func notImplemented(svc *Service, op string) *APIError {
	if svc.Protocol == RestXML {
		return &APIError{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: fmt.Sprintf("A header or query you provided implies functionality that is not implemented (emulator: %s %s)", svc.Name, op)}
	}
	code := "UnknownOperationException"
	if svc.Protocol == AWSQuery {
		code = "InvalidAction"
	}
	return &APIError{Status: http.StatusBadRequest, Code: code,
		Message: fmt.Sprintf("the emulator does not implement %s %s", svc.Name, op)}
}

func requestID(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

// isS3Control reports whether a request signed for "s3" is one of the S3
// Control API: its path is under the API version ("/v20180820/"), and it
// names the account in x-amz-account-id (every account-level operation
// does) or in the host ("{AccountId}.s3-control.{region}.amazonaws.com").
// A path-style S3 request for a bucket named "v20180820" carries neither.
func isS3Control(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/v20180820/") {
		return false
	}
	return r.Header.Get("X-Amz-Account-Id") != "" || strings.Contains(r.Host, ".s3-control")
}

// unsignedSTS recognises the STS calls AWS serves without a signature
// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML: the SDKs and the CLI send
// them unsigned): an awsQuery form naming one. It puts the body back.
func unsignedSTS(r *http.Request) (credentialScope, bool) {
	if r.Method != http.MethodPost || r.Body == nil {
		return credentialScope{}, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return credentialScope{}, false
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return credentialScope{}, false
	}
	switch form.Get("Action") {
	case "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
		return credentialScope{service: "sts"}, true
	}
	return credentialScope{}, false
}

// credentialScope is what the SigV4 Authorization header (or a presigned
// URL's X-Amz-Credential) says about who signed for which service.
type credentialScope struct {
	accessKey, region, service string
}

func parseCredentialScope(r *http.Request) (credentialScope, bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return credentialScope{}, false
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q := r.URL.Query().Get("X-Amz-Credential"); q != "" {
		cred = q
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return credentialScope{}, false
	}
	return credentialScope{accessKey: parts[0], region: parts[2], service: parts[3]}, true
}

// readBody reads the whole body, decoding S3's aws-chunked framing when the
// client streamed with trailing checksums.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	sha := r.Header.Get("X-Amz-Content-Sha256")
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") || strings.HasPrefix(sha, "STREAMING-") {
		return decodeAWSChunked(b)
	}
	return b, nil
}

// decodeAWSChunked strips aws-chunked framing: hex-size[;chunk-signature=..]\r\n data \r\n ... 0\r\n trailers \r\n.
func decodeAWSChunked(b []byte) ([]byte, error) {
	var out bytes.Buffer
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			return nil, errors.New("aws-chunked: missing chunk header")
		}
		header := string(b[:i])
		if j := strings.IndexByte(header, ';'); j >= 0 {
			header = header[:j]
		}
		var size int
		if _, err := fmt.Sscanf(strings.TrimSpace(header), "%x", &size); err != nil {
			return nil, fmt.Errorf("aws-chunked: bad chunk size %q", header)
		}
		b = b[i+2:]
		if size == 0 {
			return out.Bytes(), nil
		}
		if len(b) < size {
			return nil, errors.New("aws-chunked: short chunk")
		}
		out.Write(b[:size])
		b = bytes.TrimPrefix(b[size:], []byte("\r\n"))
	}
}

func RandomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

const AlnumUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func RandomUpper(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = AlnumUpper[int(b[i])%len(AlnumUpper)]
	}
	return string(b)
}
