package s3control

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// xmlns is the namespace of S3 Control documents.
const xmlns = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// pabPath is the path of the account's public access block.
const pabPath = "/v20180820/configuration/publicAccessBlock"

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:          "s3control",
			Protocol:      core.RestXML,
			WrappedErrors: true,
			Route:         route,
			Throttle:      core.APIError{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."},
			Ops: map[string]*core.Operation{
				"PutPublicAccessBlock":    core.Write(putPublicAccessBlock),
				"GetPublicAccessBlock":    core.Read(getPublicAccessBlock),
				"DeletePublicAccessBlock": core.Write(deletePublicAccessBlock),
			},
			Snapshot: snapshot,
		}
	})
}

// route names the operation of an S3 Control request; "" leaves it
// unrouted (501 NotImplemented).
func route(r *http.Request) string {
	if r.URL.Path != pabPath || r.URL.RawQuery != "" {
		return ""
	}
	switch r.Method {
	case http.MethodPut:
		return "PutPublicAccessBlock"
	case http.MethodGet:
		return "GetPublicAccessBlock"
	case http.MethodDelete:
		return "DeletePublicAccessBlock"
	}
	return ""
}

// PublicAccessBlock is an account's S3 Block Public Access configuration,
// as S3 Control reads and writes it.
type PublicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `json:"blockPublicAcls"`
	IgnorePublicAcls      bool     `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool     `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool     `json:"restrictPublicBuckets"`
}

// state is one account's S3 Control state.
type state struct {
	pab *PublicAccessBlock // nil: no configuration
}

func stateOf(a *core.Account) *state {
	return core.State(a, "s3control", func() *state { return &state{} })
}

// AccountPublicAccessBlock returns a copy of the account's configuration,
// nil when it has none. Called with the emulator locked.
func AccountPublicAccessBlock(a *core.Account) *PublicAccessBlock {
	st := core.Slot[*state](a, "s3control")
	if st == nil || st.pab == nil {
		return nil
	}
	out := *st.pab
	return &out
}

// AccountBlocksPublicPolicy reports whether the account's configuration
// turns BlockPublicPolicy on. Called with the emulator locked.
func AccountBlocksPublicPolicy(a *core.Account) bool {
	p := AccountPublicAccessBlock(a)
	return p != nil && p.BlockPublicPolicy
}

// account checks the x-amz-account-id header: present, 12 digits, and the
// caller's own account.
func account(c *core.Ctx) (*core.Account, error) {
	id := c.Request().Header.Get("X-Amz-Account-Id")
	if id == "" {
		return nil, core.Errorf(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-account-id")
	}
	if !core.AccountIDRe.MatchString(id) {
		return nil, core.Errorf(http.StatusBadRequest, "InvalidAccountId", "Account id %s is not valid", id)
	}
	if id != c.Account.ID {
		return nil, core.Errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	return c.Account, nil
}

func putPublicAccessBlock(c *core.Ctx) (any, error) {
	a, err := account(c)
	if err != nil {
		return nil, err
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, core.Errorf(http.StatusBadRequest, "MissingRequestBodyError", "Request Body is empty")
	}
	var in PublicAccessBlock
	if err := xml.Unmarshal(body, &in); err != nil || in.XMLName.Local != "PublicAccessBlockConfiguration" {
		return nil, core.Errorf(http.StatusBadRequest, "MalformedXML",
			"The XML you provided was not well-formed or did not validate against our published schema")
	}
	in.XMLName, in.Xmlns = xml.Name{}, ""
	stateOf(a).pab = &in
	return &core.RestResponse{}, nil
}

func getPublicAccessBlock(c *core.Ctx) (any, error) {
	a, err := account(c)
	if err != nil {
		return nil, err
	}
	p := AccountPublicAccessBlock(a)
	if p == nil {
		return nil, &core.APIError{Status: http.StatusNotFound, Code: "NoSuchPublicAccessBlockConfiguration",
			Message: "The public access block configuration was not found", Extra: map[string]string{"AccountId": a.ID}}
	}
	p.Xmlns = xmlns
	return &core.RestResponse{Body: p}, nil
}

func deletePublicAccessBlock(c *core.Ctx) (any, error) {
	a, err := account(c)
	if err != nil {
		return nil, err
	}
	stateOf(a).pab = nil
	return &core.RestResponse{Status: http.StatusNoContent}, nil
}

// snapshot is each account's configuration (accounts without one are left
// out, so an emulator that never served S3 Control snapshots as before).
func snapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		if p := AccountPublicAccessBlock(a); p != nil {
			out[a.ID] = map[string]any{"publicAccessBlock": p}
		}
	}
	return out
}
