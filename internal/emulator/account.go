package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// account is one AWS account's state.
type account struct {
	ID  string
	iam *iamState
	// tables holds DynamoDB tables: region -> table name -> table.
	tables map[string]map[string]*table
	// org is the AWS Organizations organization the account belongs to
	// (shared by its management and member accounts); nil when in none.
	org *organization
	// sso is the IAM Identity Center organization instance (with its identity store) of the organization this account manages; nil when not enabled.
	sso *ssoInstance
	// kms holds KMS keys and aliases per region (kms.go; created lazily).
	kms map[string]*kmsRegion
	// ecr holds ECR repositories per region (ecr.go; created lazily).
	ecr map[string]*ecrRegion
}

func newAccount(id string) *account {
	return &account{ID: id, iam: &iamState{roles: map[string]*role{}}, tables: map[string]map[string]*table{}}
}

// identity is who made a request.
type identity struct {
	Account   string
	ARN       string // arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	UserID    string
	AccessKey string
	RoleARN   string // for assumed-role sessions: the role's IAM ARN
}

// session is a set of temporary credentials issued by AssumeRole.
type session struct {
	identity
	secret, token string
	expires       time.Time
}

func rootIdentity(accountID, accessKey string) identity {
	return identity{Account: accountID, ARN: "arn:aws:iam::" + accountID + ":root", UserID: accountID, AccessKey: accessKey}
}

// identify maps an access key to an identity. Keys issued by AssumeRole act
// as the assumed role; a 12-digit key acts as that account's root user (as in
// LocalStack); any other key acts as the management account's root user.
// Called with e.mu held.
func (e *Emulator) identify(accessKey string) (identity, *APIError) {
	if s, ok := e.sessions[accessKey]; ok {
		if !e.now().Before(s.expires) {
			return identity{}, errorf(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
		}
		if _, ok := e.accounts[s.Account]; !ok {
			return identity{}, errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		return s.identity, nil
	}
	if accountIDRe.MatchString(accessKey) {
		if _, ok := e.accounts[accessKey]; !ok {
			return identity{}, errorf(http.StatusForbidden, "InvalidClientTokenId",
				"The security token included in the request is invalid. (emulator: account %s does not exist)", accessKey)
		}
		return rootIdentity(accessKey, accessKey), nil
	}
	return rootIdentity(e.opts.ManagementAccountID, accessKey), nil
}

// iamState is an account's IAM entities. The STS AssumeRole check reads the
// roles; the IAM API serves them.
type iamState struct {
	roles map[string]*role // lower-cased name -> role (IAM names are unique case-insensitively)
	// The IAM API's other entities (see iam.go); nil until first written.
	oidc     map[string]*iamOIDCProvider  // provider ARN -> provider
	policies map[string]*iamManagedPolicy // lower-cased name -> customer managed policy
	alias    string                       // the account alias, "" when none
	tasks    map[string]string            // service-linked role deletion task ID -> status
}

// role is an IAM role.
type role struct {
	Name               string            `json:"name"`
	Path               string            `json:"path"`
	ID                 string            `json:"-"`
	ARN                string            `json:"arn"`
	AssumeRolePolicy   json.RawMessage   `json:"assumeRolePolicy"` // the document exactly as submitted, as IAM returns it
	Description        string            `json:"description,omitempty"`
	MaxSessionDuration int               `json:"maxSessionDuration"`
	Tags               map[string]string `json:"tags,omitempty"`
	Created            time.Time         `json:"-"`
	// Set through the IAM API (see iam.go).
	Inline        map[string]string `json:"-"` // inline policy name -> document JSON
	Attached      []string          `json:"-"` // attached managed policy ARNs, in attachment order
	Boundary      string            `json:"-"` // permissions boundary policy ARN
	ServiceLinked string            `json:"-"` // AWS service name of a service-linked role
}

var roleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// CreateRole creates an IAM role in an account with the given trust policy,
// as the Organizations service does for a new account's access role. It
// returns the role's ARN.
func (e *Emulator) CreateRole(accountID, name, trustPolicy string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accounts[accountID]
	if !ok {
		return "", fmt.Errorf("emulator: account %s does not exist", accountID)
	}
	r, apiErr := e.createRole(a, name, "/", trustPolicy)
	if apiErr != nil {
		return "", apiErr
	}
	return r.ARN, nil
}

// createRole is called with e.mu held.
func (e *Emulator) createRole(a *account, name, path, trustPolicy string) (*role, *APIError) {
	if !roleNameRe.MatchString(name) {
		return nil, errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint", name)
	}
	if _, ok := a.iam.roles[strings.ToLower(name)]; ok {
		return nil, errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	if !json.Valid([]byte(trustPolicy)) {
		return nil, errorf(http.StatusBadRequest, "MalformedPolicyDocument", "This policy contains invalid Json")
	}
	if path == "" {
		path = "/"
	}
	r := &role{Name: name, Path: path, ID: "AROA" + randomUpper(17), ARN: "arn:aws:iam::" + a.ID + ":role" + path + name,
		AssumeRolePolicy: json.RawMessage(trustPolicy), MaxSessionDuration: 3600, Created: e.now()}
	a.iam.roles[strings.ToLower(name)] = r
	return r, nil
}

func compactJSON(s string) json.RawMessage {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(v)
	return b
}

// AddMemberAccount creates an account (if missing) with an access role
// named roleName that trusts the management account, as AWS Organizations'
// CreateAccount does with OrganizationAccountAccessRole. It is a no-op for
// the role when it already exists.
func (e *Emulator) AddMemberAccount(id, roleName string) error {
	if err := e.AddAccount(id); err != nil {
		return err
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		e.opts.ManagementAccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.accounts[id]
	if _, ok := a.iam.roles[strings.ToLower(roleName)]; ok {
		return nil
	}
	if _, apiErr := e.createRole(a, roleName, "/", trust); apiErr != nil {
		return apiErr
	}
	return nil
}
