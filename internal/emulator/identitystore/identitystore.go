package identitystore

// IAM Identity Center identity store (awsJson1_1, SigV4 signing name
// "identitystore"): the users, groups and group memberships of the identity
// store that EnableIdentityCenter creates with the organization instance.
// Only the management account that owns the instance may use it.
//
// User, group and membership IDs are UUID-shaped hashes of the store, the
// entity's unique name and a per-store counter: deterministic, like every
// other ID in the emulator. UserName and group DisplayName are unique
// case-insensitively, and the ListUsers/ListGroups filters and the GetUserId
// and GetGroupId unique attributes match them case-insensitively.
//
// Error statuses: see idsErrors. Errors carry "Message" and
// "RequestId" members (ResourceNotFoundException adds ResourceType and
// ResourceId, ConflictException a Reason).

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "identitystore",
			Protocol:     core.AWSJSON11,
			TargetPrefix: "AWSIdentityStore",
			ErrorPrefix:  "com.amazonaws.identitystore",
			Statuses:     idsErrors,
			Throttle: core.APIError{Status: idsErrors.Status("ThrottlingException"), Code: "ThrottlingException", Message: "Rate exceeded",
				Extra: map[string]string{"Message": "Rate exceeded"}},
			Ops: map[string]*core.Operation{
				"CreateUser":                    core.Write(idsCreateUser),
				"DescribeUser":                  core.Read(idsDescribeUser),
				"UpdateUser":                    core.Write(idsUpdateUser),
				"DeleteUser":                    core.Write(idsDeleteUser),
				"ListUsers":                     core.Read(idsListUsers),
				"GetUserId":                     core.Read(idsGetUserID),
				"CreateGroup":                   core.Write(idsCreateGroup),
				"DescribeGroup":                 core.Read(idsDescribeGroup),
				"UpdateGroup":                   core.Write(idsUpdateGroup),
				"DeleteGroup":                   core.Write(idsDeleteGroup),
				"ListGroups":                    core.Read(idsListGroups),
				"GetGroupId":                    core.Read(idsGetGroupID),
				"CreateGroupMembership":         core.Write(idsCreateGroupMembership),
				"DescribeGroupMembership":       core.Read(idsDescribeGroupMembership),
				"DeleteGroupMembership":         core.Write(idsDeleteGroupMembership),
				"ListGroupMemberships":          core.Read(idsListGroupMemberships),
				"ListGroupMembershipsForMember": core.Read(idsListGroupMembershipsForMember),
				"GetGroupMembershipId":          core.Read(idsGetGroupMembershipID),
			},
			Snapshot: idsSnapshot,
		}
	})
}

// Store is an identity store.
type Store struct {
	id          string
	seq         int // numbers users, groups and memberships for their IDs
	users       map[string]*idsUser
	groups      map[string]*idsGroup
	memberships map[string]*idsMembership
}

// idsErrors maps the identity store's error codes to the HTTP status AWS
// sends with each (the identitystore API reference's error list; the same
// table as sso-admin's).
var idsErrors = core.ErrorStatuses{
	"ValidationException":           http.StatusBadRequest,
	"ServiceQuotaExceededException": http.StatusPaymentRequired,
	"AccessDeniedException":         http.StatusForbidden,
	"ResourceNotFoundException":     http.StatusNotFound,
	"ConflictException":             http.StatusConflict,
	"ThrottlingException":           http.StatusTooManyRequests,
	"InternalServerException":       http.StatusInternalServerError,
}

// idsMaxResults is the largest MaxResults of the list operations.
const idsMaxResults = 100

// idsAcctStore returns the identity store of the IAM Identity Center
// instance that account a owns, nil when it has none.
func idsAcctStore(a *core.Account) *Store { return core.Slot[*Store](a, "identitystore") }

// CreateStore creates the identity store with the given ID for account
// a (the owner of a new IAM Identity Center instance, which has none yet).
func CreateStore(a *core.Account, id string) *Store {
	s := &Store{id: id, users: map[string]*idsUser{}, groups: map[string]*idsGroup{}, memberships: map[string]*idsMembership{}}
	core.SetSlot(a, "identitystore", s)
	return s
}

// ID is the store's ID (d-XXXXXXXXXX).
func (s *Store) ID() string { return s.id }

// Principal returns the name of a user (typ "USER": its UserName) or a
// group ("GROUP": its DisplayName); ok is false when there is none with
// that ID.
func (s *Store) Principal(typ, id string) (name string, ok bool) {
	if typ == "USER" {
		if u := s.users[id]; u != nil {
			return u.UserName, true
		}
		return "", false
	}
	if g := s.groups[id]; g != nil {
		return g.DisplayName, true
	}
	return "", false
}

// idsName is a user's name.
type idsName struct {
	Formatted       string `json:"Formatted,omitempty"`
	FamilyName      string `json:"FamilyName,omitempty"`
	GivenName       string `json:"GivenName,omitempty"`
	MiddleName      string `json:"MiddleName,omitempty"`
	HonorificPrefix string `json:"HonorificPrefix,omitempty"`
	HonorificSuffix string `json:"HonorificSuffix,omitempty"`
}

// idsEmail is one of a user's email addresses.
type idsEmail struct {
	Value   string `json:"Value,omitempty"`
	Type    string `json:"Type,omitempty"`
	Primary bool   `json:"Primary,omitempty"`
}

// idsUser is a user. The exported fields are its attributes as the API
// renders them.
type idsUser struct {
	seq, revision     int
	created, updated  time.Time
	UserName          string          `json:"UserName"`
	DisplayName       string          `json:"DisplayName,omitempty"`
	Name              *idsName        `json:"Name,omitempty"`
	Emails            []idsEmail      `json:"Emails,omitempty"`
	NickName          string          `json:"NickName,omitempty"`
	ProfileURL        string          `json:"ProfileUrl,omitempty"`
	UserType          string          `json:"UserType,omitempty"`
	Title             string          `json:"Title,omitempty"`
	PreferredLanguage string          `json:"PreferredLanguage,omitempty"`
	Locale            string          `json:"Locale,omitempty"`
	Timezone          string          `json:"Timezone,omitempty"`
	Addresses         json.RawMessage `json:"Addresses,omitempty"`
	PhoneNumbers      json.RawMessage `json:"PhoneNumbers,omitempty"`
	id                string
}

// idsGroup is a group.
type idsGroup struct {
	seq, revision    int
	created, updated time.Time
	id               string
	DisplayName      string
	Description      string
}

// idsMembership is a user's membership of a group.
type idsMembership struct {
	seq             int
	created         time.Time
	id, group, user string
}

// --- errors ---------------------------------------------------------------------

// idsErr builds an identity store client error with the members the
// service's exceptions carry.
func idsErr(c *core.Ctx, code, format string, args ...any) *core.APIError {
	e := idsErrors.Err(code, format, args...)
	e.Extra = map[string]string{"Message": e.Message, "RequestId": c.RequestID}
	return e
}

func idsValidation(c *core.Ctx) func(format string, args ...any) *core.APIError {
	return func(format string, args ...any) *core.APIError {
		return idsErr(c, "ValidationException", format, args...)
	}
}

func idsNotFound(c *core.Ctx, typ, id string) *core.APIError {
	e := idsErr(c, "ResourceNotFoundException", "%s not found.", idsTypeWord(typ))
	e.Extra["ResourceType"] = typ
	if id != "" {
		e.Extra["ResourceId"] = id
	}
	return e
}

func idsTypeWord(typ string) string {
	switch typ {
	case "USER":
		return "User"
	case "GROUP":
		return "Group"
	case "GROUP_MEMBERSHIP":
		return "GroupMembership"
	}
	return "IdentityStore"
}

func idsConflict(c *core.Ctx, format string, args ...any) *core.APIError {
	e := idsErr(c, "ConflictException", format, args...)
	e.Extra["Reason"] = "UNIQUENESS_CONSTRAINT_VIOLATION"
	return e
}

// --- lookups --------------------------------------------------------------------

var (
	idsStoreIDRe  = regexp.MustCompile(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	idsUserNameRe = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	idsTextRe     = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r\x{0020}\x{00A0}\x{3000}]+$`)
)

// idsDecode decodes the request body and resolves its IdentityStoreId: only
// the management account owning the instance can use its store.
func idsDecode[T any](c *core.Ctx, in *T, storeID func(*T) string) (*Store, *core.APIError) {
	if err := c.JSON(in); err != nil {
		if apiErr, ok := err.(*core.APIError); ok {
			return nil, apiErr
		}
		return nil, idsValidation(c)("%v", err)
	}
	id := storeID(in)
	if id == "" {
		return nil, idsValidation(c)("1 validation error detected: Value null at 'identityStoreId' failed to satisfy constraint: Member must not be null")
	}
	if !idsStoreIDRe.MatchString(id) {
		return nil, idsValidation(c)("1 validation error detected: Value '%s' at 'identityStoreId' failed to satisfy constraint: Member must satisfy regular expression pattern: d-[0-9a-f]{10}$|^[0-9a-f]{8}\\b-[0-9a-f]{4}\\b-[0-9a-f]{4}\\b-[0-9a-f]{4}\\b-[0-9a-f]{12}", id)
	}
	if s := idsAcctStore(c.Account); s != nil && s.id == id {
		return s, nil
	}
	for _, a := range c.Emu.AllAccounts() {
		if s := idsAcctStore(a); s != nil && s.id == id {
			return nil, idsErr(c, "AccessDeniedException", "User: %s is not authorized to perform: identitystore:%s on resource: %s",
				c.Caller.ARN, c.Op, "arn:aws:identitystore::"+a.ID+":identitystore/"+id)
		}
	}
	return nil, idsNotFound(c, "IDENTITY_STORE", id)
}

// idsPaging is how the identity store's list operations reject a
// MaxResults or NextToken (the errors carry the request's ID).
func idsPaging(c *core.Ctx) core.Paging {
	invalid := idsValidation(c)
	return core.Paging{
		Max: idsMaxResults,
		BadLimit: func(n int) *core.APIError {
			return invalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", n, idsMaxResults)
		},
		BadToken: func() *core.APIError {
			return invalid("The NextToken provided is invalid. Use the NextToken from a previous response.")
		},
	}
}

// nextID returns a fresh UUID-shaped ID for an entity named name.
func (s *Store) nextID(kind, name string, taken func(string) bool) (string, int) {
	for {
		s.seq++
		id := core.HashUUID("sso", "identitystore", s.id, kind, name, strconv.Itoa(s.seq))
		if !taken(id) {
			return id, s.seq
		}
	}
}

func (s *Store) userNamed(name string) *idsUser {
	for _, u := range s.users {
		if strings.EqualFold(u.UserName, name) {
			return u
		}
	}
	return nil
}

func (s *Store) groupNamed(name string) *idsGroup {
	for _, g := range s.groups {
		if strings.EqualFold(g.DisplayName, name) {
			return g
		}
	}
	return nil
}

func (s *Store) membership(group, user string) *idsMembership {
	for _, m := range s.memberships {
		if m.group == group && m.user == user {
			return m
		}
	}
	return nil
}

func idsReserved(name string) bool {
	return strings.EqualFold(name, "Administrator") || strings.EqualFold(name, "AWSAdministrators")
}

// idsCheckText validates a free-text attribute (1-1024 characters).
func idsCheckText(c *core.Ctx, member, v string) *core.APIError {
	if n := utf8.RuneCountInString(v); n < 1 || n > 1024 || !idsTextRe.MatchString(v) {
		return idsValidation(c)("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length between 1 and 1024 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r\\u0020\\u00A0\\u3000]+", member)
	}
	return nil
}

// --- output ---------------------------------------------------------------------

func (s *Store) userOut(u *idsUser) map[string]any {
	b, _ := json.Marshal(u)
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	out["UserId"], out["IdentityStoreId"] = u.id, s.id
	out["UserArn"] = "arn:aws:identitystore:::user/" + u.id
	out["UserStatus"] = "ENABLED"
	out["Revision"] = strconv.Itoa(u.revision)
	out["CreatedAt"], out["UpdatedAt"] = core.EpochSeconds(u.created), core.EpochSeconds(u.updated)
	return out
}

func (s *Store) groupOut(g *idsGroup) map[string]any {
	out := map[string]any{"GroupId": g.id, "IdentityStoreId": s.id, "DisplayName": g.DisplayName,
		"GroupArn": "arn:aws:identitystore:::group/" + g.id, "Revision": strconv.Itoa(g.revision),
		"CreatedAt": core.EpochSeconds(g.created), "UpdatedAt": core.EpochSeconds(g.updated)}
	if g.Description != "" {
		out["Description"] = g.Description
	}
	return out
}

func (s *Store) membershipOut(m *idsMembership) map[string]any {
	return map[string]any{"IdentityStoreId": s.id, "MembershipId": m.id, "GroupId": m.group,
		"MemberId": map[string]string{"UserId": m.user}, "MembershipArn": "arn:aws:identitystore:::membership/" + m.id,
		"CreatedAt": core.EpochSeconds(m.created)}
}

// --- users ----------------------------------------------------------------------

type idsUserInput struct {
	IdentityStoreId   string
	UserName          *string
	DisplayName       *string
	Name              *idsName
	Emails            []idsEmail
	NickName          string
	ProfileUrl        string
	UserType          string
	Title             string
	PreferredLanguage string
	Locale            string
	Timezone          string
	Addresses         json.RawMessage
	PhoneNumbers      json.RawMessage
}

// idsCheckUser validates a user's attributes (on create, and after an
// update of self, which may keep its own UserName).
func idsCheckUser(c *core.Ctx, s *Store, u, self *idsUser) *core.APIError {
	invalid := idsValidation(c)
	switch {
	case u.UserName == "":
		return invalid("1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null")
	case utf8.RuneCountInString(u.UserName) > 128 || !idsUserNameRe.MatchString(u.UserName):
		return invalid("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	case idsReserved(u.UserName):
		return invalid("The user name %s is reserved and can't be used.", u.UserName)
	case u.DisplayName == "":
		return invalid("DisplayName is required for users in IAM Identity Center.")
	case u.Name == nil || u.Name.GivenName == "" || u.Name.FamilyName == "":
		return invalid("Name.GivenName and Name.FamilyName are required for users in IAM Identity Center.")
	case len(u.Emails) > 1:
		return invalid("1 validation error detected: Value at 'emails' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	if apiErr := idsCheckText(c, "displayName", u.DisplayName); apiErr != nil {
		return apiErr
	}
	for _, e := range u.Emails {
		if e.Value == "" || utf8.RuneCountInString(e.Value) > 1024 {
			return invalid("1 validation error detected: Value at 'emails.1.member.value' failed to satisfy constraint: Member must have length between 1 and 1024")
		}
	}
	if other := s.userNamed(u.UserName); other != nil && other != self {
		return idsConflict(c, "Duplicate UserName: a user named %s already exists in identity store %s.", u.UserName, s.id)
	}
	return nil
}

func idsCreateUser(c *core.Ctx) (any, error) {
	var in idsUserInput
	s, apiErr := idsDecode(c, &in, func(in *idsUserInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	u := &idsUser{Name: in.Name, Emails: in.Emails, NickName: in.NickName, ProfileURL: in.ProfileUrl, UserType: in.UserType,
		Title: in.Title, PreferredLanguage: in.PreferredLanguage, Locale: in.Locale, Timezone: in.Timezone,
		Addresses: in.Addresses, PhoneNumbers: in.PhoneNumbers, revision: 1, created: c.Emu.Now()}
	u.updated = u.created
	if in.UserName != nil {
		u.UserName = *in.UserName
	}
	if in.DisplayName != nil {
		u.DisplayName = *in.DisplayName
	}
	if apiErr := idsCheckUser(c, s, u, nil); apiErr != nil {
		return nil, apiErr
	}
	u.id, u.seq = s.nextID("user", strings.ToLower(u.UserName), func(id string) bool { return s.users[id] != nil })
	s.users[u.id] = u
	return map[string]any{"IdentityStoreId": s.id, "UserId": u.id, "UserArn": "arn:aws:identitystore:::user/" + u.id,
		"Revision": strconv.Itoa(u.revision)}, nil
}

// idsUserOf resolves a UserId.
func idsUserOf(c *core.Ctx, s *Store, id string) (*idsUser, *core.APIError) {
	if id == "" {
		return nil, idsValidation(c)("1 validation error detected: Value null at 'userId' failed to satisfy constraint: Member must not be null")
	}
	u, ok := s.users[id]
	if !ok {
		return nil, idsNotFound(c, "USER", id)
	}
	return u, nil
}

type idsUserIDInput struct{ IdentityStoreId, UserId string }

func idsDescribeUser(c *core.Ctx) (any, error) {
	var in idsUserIDInput
	s, apiErr := idsDecode(c, &in, func(in *idsUserIDInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := idsUserOf(c, s, in.UserId)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.userOut(u), nil
}

// idsOperation is one UpdateUser/UpdateGroup attribute operation; a null or
// absent value removes the attribute.
type idsOperation struct {
	AttributePath  string
	AttributeValue json.RawMessage
}

// idsString decodes an attribute value that must be a string ("" = remove).
func idsString(v json.RawMessage) (string, bool) {
	if len(v) == 0 || string(v) == "null" {
		return "", true
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err == nil
}

func idsUpdateUser(c *core.Ctx) (any, error) {
	var in struct {
		IdentityStoreId, UserId string
		Operations              []idsOperation
	}
	s, apiErr := idsDecode(c, &in, func(in *struct {
		IdentityStoreId, UserId string
		Operations              []idsOperation
	}) string {
		return in.IdentityStoreId
	})
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := idsUserOf(c, s, in.UserId)
	if apiErr != nil {
		return nil, apiErr
	}
	invalid := idsValidation(c)
	if len(in.Operations) < 1 || len(in.Operations) > 100 {
		return nil, invalid("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	next := *u
	if u.Name != nil {
		n := *u.Name
		next.Name = &n
	}
	strs := map[string]*string{"username": &next.UserName, "displayname": &next.DisplayName, "nickname": &next.NickName,
		"profileurl": &next.ProfileURL, "usertype": &next.UserType, "title": &next.Title,
		"preferredlanguage": &next.PreferredLanguage, "locale": &next.Locale, "timezone": &next.Timezone}
	for _, op := range in.Operations {
		path := strings.ToLower(op.AttributePath)
		if p, ok := strs[path]; ok {
			v, ok := idsString(op.AttributeValue)
			if !ok {
				return nil, invalid("The value of %s must be a string.", op.AttributePath)
			}
			*p = v
			continue
		}
		if field, ok := strings.CutPrefix(path, "name."); ok {
			if next.Name == nil {
				next.Name = &idsName{}
			}
			names := map[string]*string{"givenname": &next.Name.GivenName, "familyname": &next.Name.FamilyName,
				"formatted": &next.Name.Formatted, "middlename": &next.Name.MiddleName,
				"honorificprefix": &next.Name.HonorificPrefix, "honorificsuffix": &next.Name.HonorificSuffix}
			p, ok := names[field]
			if !ok {
				return nil, invalid("Invalid attribute path %s.", op.AttributePath)
			}
			v, ok := idsString(op.AttributeValue)
			if !ok {
				return nil, invalid("The value of %s must be a string.", op.AttributePath)
			}
			*p = v
			continue
		}
		var err error
		switch path {
		case "name":
			next.Name = nil
			if len(op.AttributeValue) > 0 && string(op.AttributeValue) != "null" {
				err = json.Unmarshal(op.AttributeValue, &next.Name)
			}
		case "emails":
			next.Emails = nil
			if len(op.AttributeValue) > 0 && string(op.AttributeValue) != "null" {
				err = json.Unmarshal(op.AttributeValue, &next.Emails)
			}
		case "addresses":
			next.Addresses = nil
			if string(op.AttributeValue) != "null" {
				next.Addresses = op.AttributeValue
			}
		case "phonenumbers":
			next.PhoneNumbers = nil
			if string(op.AttributeValue) != "null" {
				next.PhoneNumbers = op.AttributeValue
			}
		default:
			return nil, invalid("Invalid attribute path %s.", op.AttributePath)
		}
		if err != nil {
			return nil, invalid("The value of %s is not valid: %v", op.AttributePath, err)
		}
	}
	if apiErr := idsCheckUser(c, s, &next, u); apiErr != nil {
		return nil, apiErr
	}
	next.revision++
	next.updated = c.Emu.Now()
	*u = next
	return map[string]any{"IdentityStoreId": s.id, "UserId": u.id, "UserArn": "arn:aws:identitystore:::user/" + u.id,
		"Revision": strconv.Itoa(u.revision)}, nil
}

func idsDeleteUser(c *core.Ctx) (any, error) {
	var in idsUserIDInput
	s, apiErr := idsDecode(c, &in, func(in *idsUserIDInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := idsUserOf(c, s, in.UserId)
	if apiErr != nil {
		return nil, apiErr
	}
	for id, m := range s.memberships {
		if m.user == u.id {
			delete(s.memberships, id)
		}
	}
	delete(s.users, u.id)
	return struct{}{}, nil
}

// idsFilter is a ListUsers/ListGroups filter.
type idsFilter struct{ AttributePath, AttributeValue string }

// idsFilterValue validates filters (at most one, on path) and returns the
// value to match ("" = no filter).
func idsFilterValue(c *core.Ctx, filters []idsFilter, path string) (string, *core.APIError) {
	invalid := idsValidation(c)
	switch {
	case len(filters) == 0:
		return "", nil
	case len(filters) > 1:
		return "", invalid("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 1")
	case !strings.EqualFold(filters[0].AttributePath, path):
		return "", invalid("Invalid filter attribute path %s: the only supported attribute path is %s.", filters[0].AttributePath, path)
	case filters[0].AttributeValue == "":
		return "", invalid("1 validation error detected: Value at 'filters.1.member.attributeValue' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	return filters[0].AttributeValue, nil
}

type idsListInput struct {
	IdentityStoreId string
	MaxResults      *int
	NextToken       string
	Filters         []idsFilter
}

func idsListUsers(c *core.Ctx) (any, error) {
	var in idsListInput
	s, apiErr := idsDecode(c, &in, func(in *idsListInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	want, apiErr := idsFilterValue(c, in.Filters, "UserName")
	if apiErr != nil {
		return nil, apiErr
	}
	var users []*idsUser
	for _, u := range s.users {
		if want == "" || strings.EqualFold(u.UserName, want) {
			users = append(users, u)
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].seq < users[j].seq })
	page, next, apiErr := core.Paginate(c, users, func(u *idsUser) string { return core.SeqKey(u.seq) }, in.NextToken, in.MaxResults, idsPaging(c))
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]any{}
	for _, u := range page {
		out = append(out, s.userOut(u))
	}
	return core.PageOut("Users", out, next), nil
}

// idsAlternate is an AlternateIdentifier: a unique attribute or an external ID.
type idsAlternate struct {
	UniqueAttribute *struct {
		AttributePath  string
		AttributeValue json.RawMessage
	}
	ExternalId *struct{ Issuer, Id string }
}

// idsUnique validates an AlternateIdentifier and returns its unique
// attribute's lower-cased path and value; ok is false for an external ID,
// which the emulator never holds.
func idsUnique(c *core.Ctx, alt *idsAlternate) (path, value string, ok bool, apiErr *core.APIError) {
	invalid := idsValidation(c)
	switch {
	case alt == nil || (alt.UniqueAttribute == nil && alt.ExternalId == nil):
		return "", "", false, invalid("1 validation error detected: Value null at 'alternateIdentifier' failed to satisfy constraint: Member must not be null")
	case alt.UniqueAttribute != nil && alt.ExternalId != nil:
		return "", "", false, invalid("AlternateIdentifier must specify exactly one of UniqueAttribute and ExternalId.")
	case alt.ExternalId != nil:
		if alt.ExternalId.Issuer == "" || alt.ExternalId.Id == "" {
			return "", "", false, invalid("ExternalId requires Issuer and Id.")
		}
		return "", "", false, nil
	}
	v, isString := idsString(alt.UniqueAttribute.AttributeValue)
	if !isString || v == "" {
		return "", "", false, invalid("The AttributeValue of a UniqueAttribute must be a non-empty string.")
	}
	return strings.ToLower(alt.UniqueAttribute.AttributePath), v, true, nil
}

func idsGetUserID(c *core.Ctx) (any, error) {
	var in struct {
		IdentityStoreId     string
		AlternateIdentifier *idsAlternate
	}
	s, apiErr := idsDecode(c, &in, func(in *struct {
		IdentityStoreId     string
		AlternateIdentifier *idsAlternate
	}) string {
		return in.IdentityStoreId
	})
	if apiErr != nil {
		return nil, apiErr
	}
	path, value, ok, apiErr := idsUnique(c, in.AlternateIdentifier)
	if apiErr != nil {
		return nil, apiErr
	}
	var found *idsUser
	if ok {
		switch path {
		case "username":
			found = s.userNamed(value)
		case "emails.value":
			for _, u := range s.users {
				for _, e := range u.Emails {
					if strings.EqualFold(e.Value, value) && (found == nil || u.seq < found.seq) {
						found = u
					}
				}
			}
		default:
			return nil, idsValidation(c)("Invalid AttributePath %s: use userName or emails.value.", in.AlternateIdentifier.UniqueAttribute.AttributePath)
		}
	}
	if found == nil {
		return nil, idsNotFound(c, "USER", "")
	}
	return map[string]any{"IdentityStoreId": s.id, "UserId": found.id, "UserArn": "arn:aws:identitystore:::user/" + found.id}, nil
}

// --- groups ---------------------------------------------------------------------

// idsCheckGroup validates a group's attributes (self as for idsCheckUser).
func idsCheckGroup(c *core.Ctx, s *Store, g, self *idsGroup) *core.APIError {
	if g.DisplayName == "" {
		return idsValidation(c)("1 validation error detected: Value null at 'displayName' failed to satisfy constraint: Member must not be null")
	}
	if apiErr := idsCheckText(c, "displayName", g.DisplayName); apiErr != nil {
		return apiErr
	}
	if idsReserved(g.DisplayName) {
		return idsValidation(c)("The group name %s is reserved and can't be used.", g.DisplayName)
	}
	if g.Description != "" {
		if apiErr := idsCheckText(c, "description", g.Description); apiErr != nil {
			return apiErr
		}
	}
	if other := s.groupNamed(g.DisplayName); other != nil && other != self {
		return idsConflict(c, "Duplicate GroupDisplayName: a group named %s already exists in identity store %s.", g.DisplayName, s.id)
	}
	return nil
}

func idsCreateGroup(c *core.Ctx) (any, error) {
	var in struct{ IdentityStoreId, DisplayName, Description string }
	s, apiErr := idsDecode(c, &in, func(in *struct{ IdentityStoreId, DisplayName, Description string }) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	g := &idsGroup{DisplayName: in.DisplayName, Description: in.Description, revision: 1, created: c.Emu.Now()}
	g.updated = g.created
	if apiErr := idsCheckGroup(c, s, g, nil); apiErr != nil {
		return nil, apiErr
	}
	g.id, g.seq = s.nextID("group", strings.ToLower(g.DisplayName), func(id string) bool { return s.groups[id] != nil })
	s.groups[g.id] = g
	return map[string]any{"IdentityStoreId": s.id, "GroupId": g.id, "GroupArn": "arn:aws:identitystore:::group/" + g.id,
		"Revision": strconv.Itoa(g.revision)}, nil
}

// idsGroupOf resolves a GroupId.
func idsGroupOf(c *core.Ctx, s *Store, id string) (*idsGroup, *core.APIError) {
	if id == "" {
		return nil, idsValidation(c)("1 validation error detected: Value null at 'groupId' failed to satisfy constraint: Member must not be null")
	}
	g, ok := s.groups[id]
	if !ok {
		return nil, idsNotFound(c, "GROUP", id)
	}
	return g, nil
}

type idsGroupIDInput struct{ IdentityStoreId, GroupId string }

func idsDescribeGroup(c *core.Ctx) (any, error) {
	var in idsGroupIDInput
	s, apiErr := idsDecode(c, &in, func(in *idsGroupIDInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	g, apiErr := idsGroupOf(c, s, in.GroupId)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.groupOut(g), nil
}

func idsUpdateGroup(c *core.Ctx) (any, error) {
	type input struct {
		IdentityStoreId, GroupId string
		Operations               []idsOperation
	}
	var in input
	s, apiErr := idsDecode(c, &in, func(in *input) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	g, apiErr := idsGroupOf(c, s, in.GroupId)
	if apiErr != nil {
		return nil, apiErr
	}
	invalid := idsValidation(c)
	if len(in.Operations) < 1 || len(in.Operations) > 100 {
		return nil, invalid("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	next := *g
	for _, op := range in.Operations {
		v, ok := idsString(op.AttributeValue)
		if !ok {
			return nil, invalid("The value of %s must be a string.", op.AttributePath)
		}
		switch strings.ToLower(op.AttributePath) {
		case "displayname":
			next.DisplayName = v
		case "description":
			next.Description = v
		default:
			return nil, invalid("Invalid attribute path %s.", op.AttributePath)
		}
	}
	if apiErr := idsCheckGroup(c, s, &next, g); apiErr != nil {
		return nil, apiErr
	}
	next.revision++
	next.updated = c.Emu.Now()
	*g = next
	return map[string]any{"IdentityStoreId": s.id, "GroupId": g.id, "GroupArn": "arn:aws:identitystore:::group/" + g.id,
		"Revision": strconv.Itoa(g.revision)}, nil
}

func idsDeleteGroup(c *core.Ctx) (any, error) {
	var in idsGroupIDInput
	s, apiErr := idsDecode(c, &in, func(in *idsGroupIDInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	g, apiErr := idsGroupOf(c, s, in.GroupId)
	if apiErr != nil {
		return nil, apiErr
	}
	for id, m := range s.memberships {
		if m.group == g.id {
			delete(s.memberships, id)
		}
	}
	delete(s.groups, g.id)
	return struct{}{}, nil
}

func idsListGroups(c *core.Ctx) (any, error) {
	var in idsListInput
	s, apiErr := idsDecode(c, &in, func(in *idsListInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	want, apiErr := idsFilterValue(c, in.Filters, "DisplayName")
	if apiErr != nil {
		return nil, apiErr
	}
	var groups []*idsGroup
	for _, g := range s.groups {
		if want == "" || strings.EqualFold(g.DisplayName, want) {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].seq < groups[j].seq })
	page, next, apiErr := core.Paginate(c, groups, func(g *idsGroup) string { return core.SeqKey(g.seq) }, in.NextToken, in.MaxResults, idsPaging(c))
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]any{}
	for _, g := range page {
		out = append(out, s.groupOut(g))
	}
	return core.PageOut("Groups", out, next), nil
}

func idsGetGroupID(c *core.Ctx) (any, error) {
	type input struct {
		IdentityStoreId     string
		AlternateIdentifier *idsAlternate
	}
	var in input
	s, apiErr := idsDecode(c, &in, func(in *input) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	path, value, ok, apiErr := idsUnique(c, in.AlternateIdentifier)
	if apiErr != nil {
		return nil, apiErr
	}
	var found *idsGroup
	if ok {
		if path != "displayname" {
			return nil, idsValidation(c)("Invalid AttributePath %s: use displayName.", in.AlternateIdentifier.UniqueAttribute.AttributePath)
		}
		found = s.groupNamed(value)
	}
	if found == nil {
		return nil, idsNotFound(c, "GROUP", "")
	}
	return map[string]any{"IdentityStoreId": s.id, "GroupId": found.id, "GroupArn": "arn:aws:identitystore:::group/" + found.id}, nil
}

// --- memberships ----------------------------------------------------------------

// idsMemberID is the MemberId union: only users can be members.
type idsMemberID struct{ UserId string }

func idsMemberOf(c *core.Ctx, s *Store, m *idsMemberID) (*idsUser, *core.APIError) {
	if m == nil || m.UserId == "" {
		return nil, idsValidation(c)("1 validation error detected: Value null at 'memberId' failed to satisfy constraint: Member must not be null")
	}
	return idsUserOf(c, s, m.UserId)
}

type idsMembershipInput struct {
	IdentityStoreId, GroupId string
	MemberId                 *idsMemberID
}

// idsGroupAndMember decodes a membership input and resolves its group and user.
func idsGroupAndMember(c *core.Ctx) (*Store, *idsGroup, *idsUser, *core.APIError) {
	var in idsMembershipInput
	s, apiErr := idsDecode(c, &in, func(in *idsMembershipInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, nil, nil, apiErr
	}
	g, apiErr := idsGroupOf(c, s, in.GroupId)
	if apiErr != nil {
		return nil, nil, nil, apiErr
	}
	u, apiErr := idsMemberOf(c, s, in.MemberId)
	if apiErr != nil {
		return nil, nil, nil, apiErr
	}
	return s, g, u, nil
}

func idsCreateGroupMembership(c *core.Ctx) (any, error) {
	s, g, u, apiErr := idsGroupAndMember(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if s.membership(g.id, u.id) != nil {
		return nil, idsConflict(c, "Member %s is already a member of group %s.", u.id, g.id)
	}
	m := &idsMembership{group: g.id, user: u.id, created: c.Emu.Now()}
	m.id, m.seq = s.nextID("membership", g.id+"/"+u.id, func(id string) bool { return s.memberships[id] != nil })
	s.memberships[m.id] = m
	return map[string]any{"IdentityStoreId": s.id, "MembershipId": m.id,
		"MembershipArn": "arn:aws:identitystore:::membership/" + m.id}, nil
}

func idsGetGroupMembershipID(c *core.Ctx) (any, error) {
	s, g, u, apiErr := idsGroupAndMember(c)
	if apiErr != nil {
		return nil, apiErr
	}
	m := s.membership(g.id, u.id)
	if m == nil {
		return nil, idsNotFound(c, "GROUP_MEMBERSHIP", "")
	}
	return map[string]any{"IdentityStoreId": s.id, "MembershipId": m.id,
		"MembershipArn": "arn:aws:identitystore:::membership/" + m.id}, nil
}

type idsMembershipIDInput struct{ IdentityStoreId, MembershipId string }

func idsMembershipOf(c *core.Ctx) (*Store, *idsMembership, *core.APIError) {
	var in idsMembershipIDInput
	s, apiErr := idsDecode(c, &in, func(in *idsMembershipIDInput) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, nil, apiErr
	}
	if in.MembershipId == "" {
		return nil, nil, idsValidation(c)("1 validation error detected: Value null at 'membershipId' failed to satisfy constraint: Member must not be null")
	}
	m, ok := s.memberships[in.MembershipId]
	if !ok {
		return nil, nil, idsNotFound(c, "GROUP_MEMBERSHIP", in.MembershipId)
	}
	return s, m, nil
}

func idsDescribeGroupMembership(c *core.Ctx) (any, error) {
	s, m, apiErr := idsMembershipOf(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.membershipOut(m), nil
}

func idsDeleteGroupMembership(c *core.Ctx) (any, error) {
	s, m, apiErr := idsMembershipOf(c)
	if apiErr != nil {
		return nil, apiErr
	}
	delete(s.memberships, m.id)
	return struct{}{}, nil
}

// membershipsPage pages the memberships that keep selects, in creation order.
func (s *Store) membershipsPage(c *core.Ctx, keep func(*idsMembership) bool, token string, maxResults *int) (any, error) {
	var list []*idsMembership
	for _, m := range s.memberships {
		if keep(m) {
			list = append(list, m)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	page, next, apiErr := core.Paginate(c, list, func(m *idsMembership) string { return core.SeqKey(m.seq) }, token, maxResults, idsPaging(c))
	if apiErr != nil {
		return nil, apiErr
	}
	out := []map[string]any{}
	for _, m := range page {
		out = append(out, s.membershipOut(m))
	}
	return core.PageOut("GroupMemberships", out, next), nil
}

func idsListGroupMemberships(c *core.Ctx) (any, error) {
	type input struct {
		IdentityStoreId, GroupId string
		MaxResults               *int
		NextToken                string
	}
	var in input
	s, apiErr := idsDecode(c, &in, func(in *input) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	g, apiErr := idsGroupOf(c, s, in.GroupId)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.membershipsPage(c, func(m *idsMembership) bool { return m.group == g.id }, in.NextToken, in.MaxResults)
}

func idsListGroupMembershipsForMember(c *core.Ctx) (any, error) {
	type input struct {
		IdentityStoreId string
		MemberId        *idsMemberID
		MaxResults      *int
		NextToken       string
	}
	var in input
	s, apiErr := idsDecode(c, &in, func(in *input) string { return in.IdentityStoreId })
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := idsMemberOf(c, s, in.MemberId)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.membershipsPage(c, func(m *idsMembership) bool { return m.user == u.id }, in.NextToken, in.MaxResults)
}

// --- snapshot -------------------------------------------------------------------

// idsSnapshot renders each identity store under the management account that
// owns it: users by UserName (their attributes), groups by DisplayName with
// their members' UserNames; never IDs, revisions or timestamps.
func idsSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		s := idsAcctStore(a)
		if s == nil {
			continue
		}
		users := map[string]any{}
		for _, u := range s.users {
			b, _ := json.Marshal(u)
			users[u.UserName] = json.RawMessage(b)
		}
		groups := map[string]any{}
		for _, g := range s.groups {
			members := []string{}
			for _, m := range s.memberships {
				if m.group == g.id {
					members = append(members, s.users[m.user].UserName)
				}
			}
			sort.Strings(members)
			groups[g.DisplayName] = map[string]any{"description": g.Description, "members": members}
		}
		out[id] = map[string]any{"identityStoreId": s.id, "users": users, "groups": groups}
	}
	return out
}
