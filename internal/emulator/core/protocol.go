package core

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// APIError is an error as AWS returns it: an HTTP status, a code the SDKs
// turn into typed exceptions, and a message. Extra carries protocol-specific
// fields (S3's BucketName, Key).
type APIError struct {
	Status  int
	Code    string
	Message string
	Extra   map[string]string
}

func (e *APIError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// ErrorCode, ErrorMessage and ErrorFault make *APIError a smithy.APIError,
// so errors from the emulator's Go API match like SDK errors.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault reports whether the client or the server is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// ErrorStatuses maps a service's error codes to the HTTP status AWS sends
// with each. A service keeps one such table, next to its error codes,
// instead of statuses scattered over its handlers; a code it does not list
// is sent with 400.
type ErrorStatuses map[string]int

// Status returns the HTTP status for code (400 when the table has none).
func (t ErrorStatuses) Status(code string) int {
	if st, ok := t[code]; ok {
		return st
	}
	return http.StatusBadRequest
}

// Err builds an *APIError with the status the table gives code.
func (t ErrorStatuses) Err(code, format string, args ...any) *APIError {
	return Errorf(t.Status(code), code, format, args...)
}

// Errorf builds an *APIError.
func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Protocol is one of AWS's wire protocols.
type Protocol int

const (
	AWSJSON10 Protocol = iota + 1 // DynamoDB
	AWSJSON11                     // Organizations, KMS, ECR, sso-admin, identitystore
	AWSQuery                      // STS, IAM
	RestXML                       // S3
	RestJSON                      // Account (restJson1)
)

// Service is one AWS service the emulator speaks, keyed by its SigV4 signing name.
type Service struct {
	Name     string // SigV4 signing name: "s3", "dynamodb", "sts", ...
	Protocol Protocol
	// TargetPrefix is the X-Amz-Target prefix of JSON protocols ("DynamoDB_20120810").
	TargetPrefix string
	// ErrorPrefix is the shape-id namespace JSON errors carry in __type
	// ("com.amazonaws.dynamodb.v20120810").
	ErrorPrefix string
	// XMLNS is the namespace of awsQuery responses ("https://sts.amazonaws.com/doc/2011-06-15/").
	XMLNS string
	// Route names the operation of a REST request; "" means not implemented.
	Route func(r *http.Request) string
	// WrappedErrors makes a RestXML service's errors
	// <ErrorResponse><Error>...</Error><RequestId/><HostId/></ErrorResponse>,
	// as S3 Control sends them, instead of S3's bare <Error>.
	WrappedErrors bool
	// Throttle is the error the service returns when throttling.
	Throttle APIError
	// Statuses is the service's table of client error codes and the HTTP
	// status AWS sends with each (ErrorStatuses); handler errors are sent
	// with the status the table gives their code.
	Statuses ErrorStatuses
	Ops      map[string]*Operation
	// Settle settles the service's asynchronous changes that due reports
	// have been in progress for Options.AsyncDuration (see settleDue).
	// Called with e.mu held, before every request.
	Settle func(e *Emulator, due func(since time.Time) bool)
	// Snapshot returns the service's state per account ID, in a form that
	// marshals to canonical JSON (no timestamps, no random values).
	Snapshot func(e *Emulator) map[string]any
}

// Operation is one API operation of a service.
type Operation struct {
	mutating bool
	handle   func(c *Ctx) (any, error)
}

func Read(h func(c *Ctx) (any, error)) *Operation  { return &Operation{handle: h} }
func Write(h func(c *Ctx) (any, error)) *Operation { return &Operation{mutating: true, handle: h} }

// Ctx is one request being served.
type Ctx struct {
	// Emu is the emulator serving the request (locked while the handler
	// runs).
	Emu  *Emulator
	r    *http.Request
	w    http.ResponseWriter
	body []byte
	svc  *Service
	form url.Values

	Op        string
	Region    string
	RequestID string
	Caller    Identity
	Account   *Account
}

// JSON decodes a JSON protocol request body into v.
func (c *Ctx) JSON(v any) error {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return Errorf(http.StatusBadRequest, "SerializationException", "could not decode request: %v", err)
	}
	return nil
}

// Form returns a form value of an awsQuery request.
func (c *Ctx) Form(key string) string { return c.form.Get(key) }

// FormList returns the members of an awsQuery list parameter
// (Name.member.1, Name.member.2, ...).
func (c *Ctx) FormList(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := c.form[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// FormStructs returns the members of an awsQuery list of structures
// (Name.member.N.Field), one map per member keyed by field.
func (c *Ctx) FormStructs(name string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		prefix := name + ".member." + strconv.Itoa(i) + "."
		m := map[string]string{}
		for k, v := range c.form {
			if strings.HasPrefix(k, prefix) {
				m[strings.TrimPrefix(k, prefix)] = v[0]
			}
		}
		if len(m) == 0 {
			return out
		}
		out = append(out, m)
	}
}

// HasForm reports whether an awsQuery request carries the parameter key
// (even empty).
func (c *Ctx) HasForm(key string) bool {
	_, ok := c.form[key]
	return ok
}

// ResponseHeader is the header of the response being written (REST
// protocols set response headers on errors too).
func (c *Ctx) ResponseHeader() http.Header { return c.w.Header() }

// NotImplemented is the error for a request the emulator recognises but
// does not implement (what says which part), in the service's protocol.
func (c *Ctx) NotImplemented(what string) *APIError { return notImplemented(c.svc, c.Op+": "+what) }

// Request is the HTTP request being served (REST protocols read path,
// query and headers from it).
func (c *Ctx) Request() *http.Request { return c.r }

// Body is the raw request body (aws-chunked framing removed).
func (c *Ctx) Body() []byte { return c.body }

// PageSize is the emulator's page size capped by a client's limit (0 = none).
func (c *Ctx) PageSize(clientLimit int) int {
	n := c.Emu.opts.PageSize
	if clientLimit > 0 && clientLimit < n {
		n = clientLimit
	}
	return n
}

// RestResponse is what a restXML handler returns.
type RestResponse struct {
	Status int
	Header http.Header
	// Body is marshalled as XML with an XML declaration unless it is []byte,
	// which is written as is; nil writes no body.
	Body any
}

func (p Protocol) operation(svc *Service, r *http.Request, body []byte) (string, url.Values, *APIError) {
	switch p {
	case AWSJSON10, AWSJSON11:
		target := r.Header.Get("X-Amz-Target")
		op, ok := strings.CutPrefix(target, svc.TargetPrefix+".")
		if !ok || op == "" {
			return target, nil, Errorf(http.StatusBadRequest, "UnknownOperationException", "unknown X-Amz-Target %q", target)
		}
		return op, nil, nil
	case AWSQuery:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", nil, Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err)
		}
		for k, v := range r.URL.Query() {
			if _, ok := form[k]; !ok {
				form[k] = v
			}
		}
		op := form.Get("Action")
		if op == "" {
			return "", form, Errorf(http.StatusBadRequest, "MissingAction", "the request must contain the parameter Action")
		}
		return op, form, nil
	case RestXML, RestJSON:
		op := svc.Route(r)
		if op == "" {
			return r.Method + " " + r.URL.Path, nil, notImplemented(svc, r.Method+" "+r.URL.RawQuery)
		}
		return op, nil, nil
	}
	return "", nil, Errorf(http.StatusInternalServerError, "InternalFailure", "unknown protocol")
}

func (p Protocol) writeError(w http.ResponseWriter, r *http.Request, svc *Service, op, reqID string, e *APIError) {
	if e.Status == 0 {
		c := *e // never written in place: e may be shared between requests
		c.Status = http.StatusBadRequest
		e = &c
	}
	w.Header().Set("X-Amzn-RequestId", reqID)
	switch p {
	case AWSJSON10, AWSJSON11:
		ct := "application/x-amz-json-1.0"
		if p == AWSJSON11 {
			ct = "application/x-amz-json-1.1"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		body := map[string]any{"__type": svc.ErrorPrefix + "#" + e.Code, "message": e.Message}
		for k, v := range e.Extra {
			body[k] = v
		}
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(body)
	case RestJSON:
		// restJson1: the code in X-Amzn-ErrorType, the message (and any
		// extra members) in the body.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		body := map[string]any{"message": e.Message}
		for k, v := range e.Extra {
			body[k] = v
		}
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(body)
	case AWSQuery:
		w.Header().Set("Content-Type", "text/xml")
		typ := "Sender"
		if e.Status >= 500 {
			typ = "Receiver"
		}
		w.WriteHeader(e.Status)
		_ = writeXML(w, struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Xmlns   string   `xml:"xmlns,attr"`
			Error   struct {
				Type    string
				Code    string
				Message string
			}
			RequestID string `xml:"RequestId"`
		}{Xmlns: svc.XMLNS, Error: struct {
			Type    string
			Code    string
			Message string
		}{typ, e.Code, e.Message}, RequestID: reqID})
	default:
		w.Header().Set("X-Amz-Request-Id", reqID)
		w.Header().Set("X-Amz-Id-2", "emulator/"+reqID)
		if svc.WrappedErrors {
			writeWrappedError(w, r, reqID, e)
			return
		}
		writeBareError(w, r, e)
	}
}

// writeBareError writes an S3-style XML error; HEAD responses carry no body.
func writeBareError(w http.ResponseWriter, r *http.Request, e *APIError) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	_ = xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	keys := SortedKeys(e.Extra)
	for _, k := range keys {
		fmt.Fprintf(&b, "<%s>", k)
		_ = xml.EscapeText(&b, []byte(e.Extra[k]))
		fmt.Fprintf(&b, "</%s>", k)
	}
	b.WriteString("</Error>")
	_, _ = w.Write([]byte(b.String()))
}

// writeWrappedError writes an S3 Control-style XML error: the <Error> in an
// <ErrorResponse> with the request ID beside it.
func writeWrappedError(w http.ResponseWriter, r *http.Request, reqID string, e *APIError) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<ErrorResponse><Error><Code>")
	_ = xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	for _, k := range SortedKeys(e.Extra) {
		fmt.Fprintf(&b, "<%s>", k)
		_ = xml.EscapeText(&b, []byte(e.Extra[k]))
		fmt.Fprintf(&b, "</%s>", k)
	}
	b.WriteString("</Error><RequestId>")
	_ = xml.EscapeText(&b, []byte(reqID))
	b.WriteString("</RequestId><HostId>emulator/")
	_ = xml.EscapeText(&b, []byte(reqID))
	b.WriteString("</HostId></ErrorResponse>")
	_, _ = w.Write([]byte(b.String()))
}

func (p Protocol) writeResult(w http.ResponseWriter, r *http.Request, svc *Service, op, reqID string, result any) {
	w.Header().Set("X-Amzn-RequestId", reqID)
	switch p {
	case AWSJSON10, AWSJSON11:
		ct := "application/x-amz-json-1.0"
		if p == AWSJSON11 {
			ct = "application/x-amz-json-1.1"
		}
		w.Header().Set("Content-Type", ct)
		if result == nil {
			result = struct{}{}
		}
		b, err := json.Marshal(result)
		if err != nil {
			p.writeError(w, r, svc, op, reqID, Errorf(500, "InternalFailure", "marshal: %v", err))
			return
		}
		if p == AWSJSON10 {
			// DynamoDB sends the CRC32 of every response body; the SDK
			// checks it.
			w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
		}
		_, _ = w.Write(b)
	case RestJSON:
		// restJson1: a JSON body, none for an operation without output.
		if result == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		b, err := json.Marshal(result)
		if err != nil {
			p.writeError(w, r, svc, op, reqID, Errorf(500, "InternalServerException", "marshal: %v", err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case AWSQuery:
		w.Header().Set("Content-Type", "text/xml")
		var b strings.Builder
		fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op, svc.XMLNS)
		if result != nil {
			x, err := xml.Marshal(result)
			if err != nil {
				p.writeError(w, r, svc, op, reqID, Errorf(500, "InternalFailure", "marshal: %v", err))
				return
			}
			b.Write(x)
		}
		fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, reqID, op)
		_, _ = w.Write([]byte(b.String()))
	default:
		w.Header().Set("X-Amz-Request-Id", reqID)
		w.Header().Set("X-Amz-Id-2", "emulator/"+reqID)
		rr, _ := result.(*RestResponse)
		if rr == nil {
			rr = &RestResponse{}
		}
		for k, vs := range rr.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		status := rr.Status
		if status == 0 {
			status = http.StatusOK
		}
		switch body := rr.Body.(type) {
		case nil:
			w.WriteHeader(status)
		case []byte:
			if r.Method != http.MethodHead {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.WriteHeader(status)
			if r.Method != http.MethodHead {
				_, _ = w.Write(body)
			}
		default:
			x, err := xml.Marshal(body)
			if err != nil {
				writeBareError(w, r, Errorf(500, "InternalError", "marshal: %v", err))
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(xml.Header))
			_, _ = w.Write(x)
		}
	}
}

func writeXML(w http.ResponseWriter, v any) error {
	x, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(x)
	return err
}

func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// CompactJSON is s with insignificant white space removed (s itself when it
// is not JSON), as the snapshots show documents.
func CompactJSON(s string) json.RawMessage {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(v)
	return b
}
