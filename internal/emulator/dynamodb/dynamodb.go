package dynamodb

// DynamoDB (awsJson1_0): tables with their control-plane settings (billing,
// SSE, deletion protection, point-in-time recovery, tags) and single-item
// reads and writes with condition expressions, enough for Terraform-style
// lock tables.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "dynamodb",
			Protocol:     core.AWSJSON10,
			TargetPrefix: "DynamoDB_20120810",
			ErrorPrefix:  "com.amazonaws.dynamodb.v20120810",
			Throttle: core.APIError{Status: http.StatusBadRequest, Code: "ThrottlingException",
				Message: "Rate of requests exceeds the allowed throughput."},
			Ops: map[string]*core.Operation{
				"CreateTable":               core.Write(ddbCreateTable),
				"DescribeTable":             core.Read(ddbDescribeTable),
				"ListTables":                core.Read(ddbListTables),
				"UpdateTable":               core.Write(ddbUpdateTable),
				"DeleteTable":               core.Write(ddbDeleteTable),
				"UpdateContinuousBackups":   core.Write(ddbUpdateContinuousBackups),
				"DescribeContinuousBackups": core.Read(ddbDescribeContinuousBackups),
				"TagResource":               core.Write(ddbTagResource),
				"UntagResource":             core.Write(ddbUntagResource),
				"ListTagsOfResource":        core.Read(ddbListTagsOfResource),
				"PutItem":                   core.Write(ddbPutItem),
				"GetItem":                   core.Read(ddbGetItem),
				"DeleteItem":                core.Write(ddbDeleteItem),
			},
			Settle:   ddbSettle,
			Snapshot: ddbSnapshot,
		}
	})
}

// Table statuses and other enum values used below.
const (
	ddbActive        = "ACTIVE"
	ddbCreating      = "CREATING"
	ddbUpdating      = "UPDATING"
	ddbDeleting      = "DELETING"
	ddbPayPerRequest = "PAY_PER_REQUEST"
	ddbProvisioned   = "PROVISIONED"
)

// table is a DynamoDB table in one account and region.
type table struct {
	name, id, arn string
	created       time.Time

	// status is ACTIVE, CREATING or UPDATING. A transitional status (and
	// sseUpdating) settles after settleIn more DescribeTable calls.
	status      string
	sseUpdating bool
	settleIn    int
	// since is when the transition began; it also settles once
	// Options.AsyncDuration has passed (Emulator.settleDue).
	since time.Time

	keySchema   []ddbKeyElement
	attrDefs    []ddbAttrDef
	billingMode string
	rcu, wcu    int64
	tableClass  string
	// sse is nil when the table is encrypted with the AWS-owned key.
	sse                *ddbSSE
	deletionProtection bool

	pitr      bool
	pitrDays  int
	pitrSince time.Time

	tags  map[string]string
	items map[string]ddbItem // canonical key -> item
}

// ddbSSE is a table's KMS encryption setting.
type ddbSSE struct {
	keyGiven string // as the client gave it; "" = the AWS-managed key
	keyARN   string
}

type ddbKeyElement struct {
	AttributeName string
	KeyType       string
}

type ddbAttrDef struct {
	AttributeName string
	AttributeType string
}

type ddbTag = core.Tag

type ddbThroughput struct {
	ReadCapacityUnits  *int64
	WriteCapacityUnits *int64
}

type ddbSSESpec struct {
	Enabled        *bool
	SSEType        string
	KMSMasterKeyId string
}

// ddbErr builds a DynamoDB client error (all of them are HTTP 400).
func ddbErr(code, format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, code, format, args...)
}

func ddbValidation(format string, args ...any) *core.APIError {
	return ddbErr("ValidationException", format, args...)
}

func ddbNotFound(name string) *core.APIError {
	return ddbErr("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}

var ddbTableNameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// ddbCheckTableName validates a table name (or a table ARN, which newer
// APIs accept in TableName) and returns the bare name.
func ddbCheckTableName(c *core.Ctx, name string) (string, *core.APIError) {
	if strings.HasPrefix(name, "arn:") {
		region, acct, n, ok := ddbParseTableARN(name)
		if !ok {
			return "", ddbValidation("Invalid TableArn: %s", name)
		}
		if region != c.Region || acct != c.Account.ID {
			return "", ddbNotFound(n)
		}
		name = n
	}
	switch {
	case name == "":
		return "", ddbValidation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	case len(name) < 3:
		return "", ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3", name)
	case len(name) > 255:
		return "", ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
	case !ddbTableNameRe.MatchString(name):
		return "", ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	return name, nil
}

var ddbTableARNRe = regexp.MustCompile(`^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([a-zA-Z0-9_.-]{3,255})$`)

func ddbParseTableARN(arn string) (region, account, name string, ok bool) {
	m := ddbTableARNRe.FindStringSubmatch(arn)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// Settings are DynamoDB's options (the facade's Options fields of the
// same names), passed in core.Options.Services under "dynamodb".
type Settings struct {
	// TableActivationDescribes is how many DescribeTable calls see a new
	// table (or a table update) in its transitional status before it
	// becomes ACTIVE. Default 2.
	TableActivationDescribes int
}

// ddbSettings returns the emulator's DynamoDB settings, defaults filled in.
func ddbSettings(e *core.Emulator) Settings {
	s := core.ServiceSettings[Settings](e, "dynamodb")
	if s.TableActivationDescribes <= 0 {
		s.TableActivationDescribes = 2
	}
	return s
}

// ddbAcctTables returns a's DynamoDB tables: region -> table name -> table.
func ddbAcctTables(a *core.Account) map[string]map[string]*table {
	return core.State(a, "dynamodb", func() map[string]map[string]*table { return map[string]map[string]*table{} })
}

// ddbTables returns the acting account's tables in the request's region,
// creating the region's map when create is set.
func ddbTables(c *core.Ctx, create bool) map[string]*table {
	ts := ddbAcctTables(c.Account)[c.Region]
	if ts == nil && create {
		ts = map[string]*table{}
		ddbAcctTables(c.Account)[c.Region] = ts
	}
	return ts
}

// ddbFindTable returns the named table or ResourceNotFoundException.
func ddbFindTable(c *core.Ctx, name string) (*table, *core.APIError) {
	name, err := ddbCheckTableName(c, name)
	if err != nil {
		return nil, err
	}
	t := ddbTables(c, false)[name]
	if t == nil {
		return nil, ddbNotFound(name)
	}
	return t, nil
}

// ddbNewUUID returns a random version 4 UUID.
func ddbNewUUID() string {
	h := core.RandomHex(32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// ddbManagedKeyARN is the ARN of the AWS-managed key (aws/dynamodb) of an
// account and region: derived from both so it is stable without state.
func ddbManagedKeyARN(account, region string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + core.HashUUID4("dynamodb", "aws/dynamodb", account, region)
}

// ddbKeyARN turns a KMSMasterKeyId (key ID, key ARN, alias name or alias
// ARN) into an ARN.
func ddbKeyARN(c *core.Ctx, key string) string {
	switch {
	case strings.HasPrefix(key, "arn:"):
		return key
	case strings.HasPrefix(key, "alias/"):
		return fmt.Sprintf("arn:aws:kms:%s:%s:%s", c.Region, c.Account.ID, key)
	}
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", c.Region, c.Account.ID, key)
}

// ddbParseSSE validates an SSESpecification and returns the setting it asks
// for: nil for the AWS-owned key.
func ddbParseSSE(c *core.Ctx, spec *ddbSSESpec) (*ddbSSE, *core.APIError) {
	enabled := spec.Enabled != nil && *spec.Enabled
	if spec.SSEType != "" && spec.SSEType != "KMS" && spec.SSEType != "AES256" {
		return nil, ddbValidation("1 validation error detected: Value '%s' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]", spec.SSEType)
	}
	if !enabled {
		if spec.KMSMasterKeyId != "" || spec.SSEType != "" {
			return nil, ddbValidation("One or more parameter values were invalid: SSEType and KMSMasterKeyId can only be specified when SSESpecification.Enabled is true")
		}
		return nil, nil
	}
	if spec.SSEType == "AES256" {
		return nil, ddbValidation("One or more parameter values were invalid: SSEType AES256 is not supported; use KMS")
	}
	s := &ddbSSE{keyGiven: spec.KMSMasterKeyId, keyARN: ddbManagedKeyARN(c.Account.ID, c.Region)}
	if spec.KMSMasterKeyId != "" {
		s.keyARN = ddbKeyARN(c, spec.KMSMasterKeyId)
	}
	return s, nil
}

func sameSSE(a, b *ddbSSE) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.keyARN == b.keyARN
}

// ddbCheckThroughput validates ProvisionedThroughput against a billing mode.
func ddbCheckThroughput(mode string, pt *ddbThroughput) *core.APIError {
	if mode == ddbPayPerRequest {
		if pt != nil && (pt.ReadCapacityUnits != nil || pt.WriteCapacityUnits != nil) {
			return ddbValidation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return nil
	}
	if pt == nil || pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
		return ddbValidation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	if *pt.ReadCapacityUnits < 1 || *pt.WriteCapacityUnits < 1 {
		return ddbValidation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must be greater than 0")
	}
	return nil
}

func ddbCheckBillingMode(mode string) *core.APIError {
	if mode != ddbPayPerRequest && mode != ddbProvisioned {
		return ddbValidation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	return nil
}

func ddbCheckTableClass(class string) *core.APIError {
	if class != "STANDARD" && class != "STANDARD_INFREQUENT_ACCESS" {
		return ddbValidation("1 validation error detected: Value '%s' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", class)
	}
	return nil
}

// ddbCheckKeySchema validates a key schema against the attribute
// definitions: one HASH key, an optional RANGE key, every key attribute
// defined with type S, N or B and no definition unused.
func ddbCheckKeySchema(ks []ddbKeyElement, defs []ddbAttrDef) *core.APIError {
	if len(ks) == 0 {
		return ddbValidation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null")
	}
	if len(ks) > 2 {
		return ddbValidation("1 validation error detected: Value '%v' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", ks)
	}
	if len(defs) == 0 {
		return ddbValidation("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null")
	}
	types := map[string]string{}
	for i, d := range defs {
		if d.AttributeName == "" {
			return ddbValidation("1 validation error detected: Value null at 'attributeDefinitions.%d.member.attributeName' failed to satisfy constraint: Member must not be null", i+1)
		}
		if d.AttributeType != "S" && d.AttributeType != "N" && d.AttributeType != "B" {
			return ddbValidation("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, i+1)
		}
		if _, dup := types[d.AttributeName]; dup {
			return ddbValidation("Cannot have two attributes with the same name: %s", d.AttributeName)
		}
		types[d.AttributeName] = d.AttributeType
	}
	for i, k := range ks {
		if k.AttributeName == "" {
			return ddbValidation("1 validation error detected: Value null at 'keySchema.%d.member.attributeName' failed to satisfy constraint: Member must not be null", i+1)
		}
		if k.KeyType != "HASH" && k.KeyType != "RANGE" {
			return ddbValidation("1 validation error detected: Value '%s' at 'keySchema.%d.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]", k.KeyType, i+1)
		}
	}
	if ks[0].KeyType != "HASH" {
		return ddbValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return ddbValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return ddbValidation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	var keys, defined []string
	missing := false
	for _, k := range ks {
		keys = append(keys, k.AttributeName)
		if _, ok := types[k.AttributeName]; !ok {
			missing = true
		}
	}
	for _, d := range defs {
		defined = append(defined, d.AttributeName)
	}
	if missing {
		return ddbValidation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
			strings.Join(keys, ", "), strings.Join(defined, ", "))
	}
	if len(defs) != len(ks) {
		return ddbValidation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	return nil
}

// ddbTagRules are DynamoDB's tag rules (TagResource and CreateTable).
var ddbTagRules = core.TagRules{
	Checks: []core.TagCheck{core.TagKeyLength, core.TagValueLength, core.TagReserved, core.TagTooMany},
	Max:    50,
	Err: func(check core.TagCheck, n int, t core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength:
			return ddbValidation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		case core.TagValueLength:
			return ddbValidation("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", t.Value)
		case core.TagReserved:
			return ddbValidation("One or more parameter values were invalid: Tag keys starting with 'aws:' are reserved for system use: %s", t.Key)
		}
		return ddbValidation("One or more parameter values were invalid: The number of tags exceeds the limit of 50 (would be %d)", n)
	},
}

// ddbCreateTableInput is CreateTable's request. Secondary indexes and
// streams are not emulated and are rejected rather than ignored.
type ddbCreateTableInput struct {
	TableName                 string
	KeySchema                 []ddbKeyElement
	AttributeDefinitions      []ddbAttrDef
	BillingMode               string
	ProvisionedThroughput     *ddbThroughput
	SSESpecification          *ddbSSESpec
	DeletionProtectionEnabled bool
	Tags                      []ddbTag
	TableClass                string
	GlobalSecondaryIndexes    []json.RawMessage
	LocalSecondaryIndexes     []json.RawMessage
	StreamSpecification       *struct{ StreamEnabled bool }
}

func ddbCreateTable(c *core.Ctx) (any, error) {
	var in ddbCreateTableInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	name, apiErr := ddbCheckTableName(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.GlobalSecondaryIndexes) > 0 || len(in.LocalSecondaryIndexes) > 0 {
		return nil, ddbValidation("One or more parameter values were invalid: secondary indexes are not supported by the emulator")
	}
	if in.StreamSpecification != nil && in.StreamSpecification.StreamEnabled {
		return nil, ddbValidation("One or more parameter values were invalid: streams are not supported by the emulator")
	}
	if err := ddbCheckKeySchema(in.KeySchema, in.AttributeDefinitions); err != nil {
		return nil, err
	}
	if in.BillingMode == "" {
		in.BillingMode = ddbProvisioned
	}
	if err := ddbCheckBillingMode(in.BillingMode); err != nil {
		return nil, err
	}
	if err := ddbCheckThroughput(in.BillingMode, in.ProvisionedThroughput); err != nil {
		return nil, err
	}
	if in.TableClass == "" {
		in.TableClass = "STANDARD"
	}
	if err := ddbCheckTableClass(in.TableClass); err != nil {
		return nil, err
	}
	var sse *ddbSSE
	if in.SSESpecification != nil {
		if sse, apiErr = ddbParseSSE(c, in.SSESpecification); apiErr != nil {
			return nil, apiErr
		}
	}
	if _, err := ddbTagRules.Merge(nil, in.Tags); err != nil {
		return nil, err
	}
	tables := ddbTables(c, true)
	if _, ok := tables[name]; ok {
		return nil, ddbErr("ResourceInUseException", "Table already exists: %s", name)
	}
	t := &table{
		name:    name,
		id:      ddbNewUUID(),
		arn:     fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", c.Region, c.Account.ID, name),
		created: c.Emu.Now(),
		status:  ddbCreating, settleIn: ddbSettings(c.Emu).TableActivationDescribes, since: c.Emu.Now(),
		keySchema: in.KeySchema, attrDefs: in.AttributeDefinitions,
		billingMode: in.BillingMode, tableClass: in.TableClass,
		sse: sse, deletionProtection: in.DeletionProtectionEnabled,
		tags: map[string]string{}, items: map[string]ddbItem{},
	}
	if in.BillingMode == ddbProvisioned {
		t.rcu, t.wcu = *in.ProvisionedThroughput.ReadCapacityUnits, *in.ProvisionedThroughput.WriteCapacityUnits
	}
	for _, tag := range in.Tags {
		t.tags[tag.Key] = tag.Value
	}
	tables[name] = t
	return map[string]any{"TableDescription": t.description()}, nil
}

// ddbTableDescription is AWS's TableDescription (the members emulated).
type ddbTableDescription struct {
	TableName                 string
	TableArn                  string
	TableId                   string
	TableStatus               string
	CreationDateTime          float64
	KeySchema                 []ddbKeyElement
	AttributeDefinitions      []ddbAttrDef
	BillingModeSummary        *ddbBillingModeSummary
	ProvisionedThroughput     ddbThroughputDescription
	SSEDescription            *ddbSSEDescription `json:",omitempty"`
	TableClassSummary         *ddbTableClassSummary
	DeletionProtectionEnabled bool
	ItemCount                 int64
	TableSizeBytes            int64
}

type ddbBillingModeSummary struct{ BillingMode string }

type ddbTableClassSummary struct{ TableClass string }

type ddbThroughputDescription struct {
	ReadCapacityUnits      int64
	WriteCapacityUnits     int64
	NumberOfDecreasesToday int64
}

type ddbSSEDescription struct {
	Status          string
	SSEType         string `json:",omitempty"`
	KMSMasterKeyArn string `json:",omitempty"`
}

// description is the table's TableDescription as of now.
func (t *table) description() ddbTableDescription {
	d := ddbTableDescription{
		TableName: t.name, TableArn: t.arn, TableId: t.id, TableStatus: t.status,
		CreationDateTime: core.EpochSeconds(t.created),
		KeySchema:        t.keySchema, AttributeDefinitions: t.attrDefs,
		BillingModeSummary:        &ddbBillingModeSummary{BillingMode: t.billingMode},
		ProvisionedThroughput:     ddbThroughputDescription{ReadCapacityUnits: t.rcu, WriteCapacityUnits: t.wcu},
		TableClassSummary:         &ddbTableClassSummary{TableClass: t.tableClass},
		DeletionProtectionEnabled: t.deletionProtection,
		ItemCount:                 int64(len(t.items)),
	}
	for _, it := range t.items {
		d.TableSizeBytes += int64(it.size())
	}
	switch {
	case t.sseUpdating && t.sse == nil:
		d.SSEDescription = &ddbSSEDescription{Status: "DISABLING"}
	case t.sseUpdating:
		d.SSEDescription = &ddbSSEDescription{Status: ddbUpdating, SSEType: "KMS", KMSMasterKeyArn: t.sse.keyARN}
	case t.sse != nil:
		d.SSEDescription = &ddbSSEDescription{Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: t.sse.keyARN}
	}
	return d
}

// transitional reports whether the table has a change that has not settled.
func (t *table) transitional() bool { return t.status != ddbActive || t.sseUpdating }

// inUse is the error for changing a table whose last change has not settled.
func (t *table) inUse() *core.APIError {
	doing := "updated"
	if t.status == ddbCreating {
		doing = "created"
	}
	return ddbErr("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being %s: %s", doing, t.name)
}

// startTransition puts the table in status until enough DescribeTable calls
// have seen it.
func (t *table) startTransition(status string, describes int, now time.Time) {
	t.status, t.settleIn, t.since = status, describes, now
}

func ddbDescribeTable(c *core.Ctx) (any, error) {
	var in struct{ TableName string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbFindTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	d := t.description()
	if t.transitional() {
		t.settleIn--
		if t.settleIn <= 0 {
			t.status, t.sseUpdating, t.settleIn = ddbActive, false, 0
		}
	}
	return map[string]any{"Table": d}, nil
}

func ddbListTables(c *core.Ctx) (any, error) {
	var in struct {
		ExclusiveStartTableName string
		Limit                   *int
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	limit := 0
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, ddbValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *in.Limit)
		}
		limit = *in.Limit
	}
	names := core.SortedKeys(ddbTables(c, false))
	start := sort.SearchStrings(names, in.ExclusiveStartTableName)
	if start < len(names) && names[start] == in.ExclusiveStartTableName {
		start++
	}
	names = names[start:]
	out := map[string]any{}
	if n := c.PageSize(limit); len(names) > n {
		names = names[:n]
		out["LastEvaluatedTableName"] = names[n-1]
	}
	out["TableNames"] = append([]string{}, names...)
	return out, nil
}

// ddbUpdateTableInput is UpdateTable's request (the members emulated).
type ddbUpdateTableInput struct {
	TableName                 string
	BillingMode               string
	ProvisionedThroughput     *ddbThroughput
	SSESpecification          *ddbSSESpec
	DeletionProtectionEnabled *bool
	TableClass                string
	GlobalSecondaryIndexUpdates,
	ReplicaUpdates []json.RawMessage
	StreamSpecification json.RawMessage
}

func ddbUpdateTable(c *core.Ctx) (any, error) {
	var in ddbUpdateTableInput
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbFindTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.GlobalSecondaryIndexUpdates) > 0 || len(in.ReplicaUpdates) > 0 || len(in.StreamSpecification) > 0 {
		return nil, ddbValidation("One or more parameter values were invalid: secondary indexes, replicas and streams are not supported by the emulator")
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.SSESpecification == nil &&
		in.DeletionProtectionEnabled == nil && in.TableClass == "" {
		return nil, ddbValidation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if t.transitional() {
		return nil, t.inUse()
	}
	mode := t.billingMode
	if in.BillingMode != "" {
		if err := ddbCheckBillingMode(in.BillingMode); err != nil {
			return nil, err
		}
		mode = in.BillingMode
	}
	if in.ProvisionedThroughput != nil || (mode == ddbProvisioned && mode != t.billingMode) {
		if err := ddbCheckThroughput(mode, in.ProvisionedThroughput); err != nil {
			return nil, err
		}
	}
	if in.TableClass != "" {
		if err := ddbCheckTableClass(in.TableClass); err != nil {
			return nil, err
		}
	}
	var sse *ddbSSE
	if in.SSESpecification != nil {
		if sse, apiErr = ddbParseSSE(c, in.SSESpecification); apiErr != nil {
			return nil, apiErr
		}
	}

	// Validated: apply. Billing, capacity, class and SSE changes are
	// asynchronous in AWS; deletion protection is immediate.
	changed := false
	if mode != t.billingMode {
		t.billingMode, changed = mode, true
		if mode == ddbPayPerRequest {
			t.rcu, t.wcu = 0, 0
		}
	}
	if pt := in.ProvisionedThroughput; pt != nil && mode == ddbProvisioned &&
		(*pt.ReadCapacityUnits != t.rcu || *pt.WriteCapacityUnits != t.wcu) {
		t.rcu, t.wcu, changed = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits, true
	}
	if in.TableClass != "" && in.TableClass != t.tableClass {
		t.tableClass, changed = in.TableClass, true
	}
	if in.SSESpecification != nil && !sameSSE(sse, t.sse) {
		t.sse, t.sseUpdating, changed = sse, true, true
	}
	if in.DeletionProtectionEnabled != nil {
		t.deletionProtection = *in.DeletionProtectionEnabled
	}
	if changed {
		t.startTransition(ddbUpdating, ddbSettings(c.Emu).TableActivationDescribes, c.Emu.Now())
	}
	return map[string]any{"TableDescription": t.description()}, nil
}

func ddbDeleteTable(c *core.Ctx) (any, error) {
	var in struct{ TableName string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbFindTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	if t.deletionProtection {
		return nil, ddbErr("ResourceInUseException",
			"Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	if t.transitional() {
		return nil, t.inUse()
	}
	d := t.description()
	d.TableStatus = ddbDeleting
	delete(ddbTables(c, false), t.name)
	return map[string]any{"TableDescription": d}, nil
}

// ddbFindTableForBackups is ddbFindTable with the exception AWS documents
// for the continuous-backups operations.
func ddbFindTableForBackups(c *core.Ctx, name string) (*table, *core.APIError) {
	t, err := ddbFindTable(c, name)
	if err != nil && err.Code == "ResourceNotFoundException" {
		n := name
		if _, _, bare, ok := ddbParseTableARN(name); ok {
			n = bare
		}
		return nil, ddbErr("TableNotFoundException", "Table not found: %s", n)
	}
	return t, err
}

// continuousBackups is the table's ContinuousBackupsDescription.
func (t *table) continuousBackups(now time.Time) map[string]any {
	pitr := map[string]any{"PointInTimeRecoveryStatus": "DISABLED"}
	if t.pitr {
		earliest := now.Add(-time.Duration(t.pitrDays) * 24 * time.Hour)
		if earliest.Before(t.pitrSince) {
			earliest = t.pitrSince
		}
		latest := now.Add(-5 * time.Minute)
		if latest.Before(earliest) {
			latest = earliest
		}
		pitr = map[string]any{
			"PointInTimeRecoveryStatus":  "ENABLED",
			"RecoveryPeriodInDays":       t.pitrDays,
			"EarliestRestorableDateTime": core.EpochSeconds(earliest),
			"LatestRestorableDateTime":   core.EpochSeconds(latest),
		}
	}
	return map[string]any{"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}
}

func ddbUpdateContinuousBackups(c *core.Ctx) (any, error) {
	var in struct {
		TableName                        string
		PointInTimeRecoverySpecification *struct {
			PointInTimeRecoveryEnabled *bool
			RecoveryPeriodInDays       *int
		}
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	spec := in.PointInTimeRecoverySpecification
	if spec == nil || spec.PointInTimeRecoveryEnabled == nil {
		return nil, ddbValidation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null")
	}
	t, apiErr := ddbFindTableForBackups(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	days := 35
	if spec.RecoveryPeriodInDays != nil {
		days = *spec.RecoveryPeriodInDays
		if !*spec.PointInTimeRecoveryEnabled {
			return nil, ddbValidation("One or more parameter values were invalid: RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true")
		}
		if days < 1 || days > 35 {
			return nil, ddbValidation("1 validation error detected: Value '%d' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value between 1 and 35", days)
		}
	}
	switch {
	case *spec.PointInTimeRecoveryEnabled && !t.pitr:
		t.pitr, t.pitrDays, t.pitrSince = true, days, c.Emu.Now()
	case *spec.PointInTimeRecoveryEnabled:
		t.pitrDays = days
	default:
		t.pitr, t.pitrDays = false, 0
	}
	return map[string]any{"ContinuousBackupsDescription": t.continuousBackups(c.Emu.Now())}, nil
}

func ddbDescribeContinuousBackups(c *core.Ctx) (any, error) {
	var in struct{ TableName string }
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbFindTableForBackups(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	return map[string]any{"ContinuousBackupsDescription": t.continuousBackups(c.Emu.Now())}, nil
}

// ddbFindByARN returns the table a tagging request's ResourceArn names.
func ddbFindByARN(c *core.Ctx, arn string) (*table, *core.APIError) {
	region, acct, name, ok := ddbParseTableARN(arn)
	if !ok {
		return nil, ddbValidation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	var t *table
	if region == c.Region && acct == c.Account.ID {
		t = ddbTables(c, false)[name]
	}
	if t == nil {
		return nil, ddbErr("ResourceNotFoundException", "Requested resource not found: ResourceArn: %s not found", arn)
	}
	return t, nil
}

func ddbTagResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string
		Tags        []ddbTag
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, ddbValidation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	t, apiErr := ddbFindByARN(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	merged, err := ddbTagRules.Merge(t.tags, in.Tags)
	if err != nil {
		return nil, err
	}
	t.tags = merged
	return nil, nil
}

func ddbUntagResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string
		TagKeys     []string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, ddbValidation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	t, apiErr := ddbFindByARN(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	for _, k := range in.TagKeys {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, ddbValidation("One or more parameter values were invalid: Tag keys starting with 'aws:' are reserved for system use: %s", k)
		}
	}
	for _, k := range in.TagKeys {
		delete(t.tags, k)
	}
	return nil, nil
}

// ddbTagPaging is how ListTagsOfResource rejects a NextToken (the
// operation takes no page size).
var ddbTagPaging = core.Paging{BadToken: func() *core.APIError { return ddbValidation("Invalid NextToken") }}

// ddbListTagsOfResource pages through the tags in key order; NextToken is
// the last key returned.
func ddbListTagsOfResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string
		NextToken   string
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbFindByARN(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	keys, next, apiErr := core.Paginate(c, core.SortedKeys(t.tags), func(k string) string { return k }, in.NextToken, nil, ddbTagPaging)
	if apiErr != nil {
		return nil, apiErr
	}
	out := map[string]any{}
	if next != "" {
		out["NextToken"] = next
	}
	tags := make([]ddbTag, 0, len(keys))
	for _, k := range keys {
		tags = append(tags, ddbTag{Key: k, Value: t.tags[k]})
	}
	out["Tags"] = tags
	return out, nil
}

// ddbTableSnapshot is a table's canonical state.
type ddbTableSnapshot struct {
	Status               string            `json:"status"`
	KeySchema            []ddbKeyElement   `json:"keySchema"`
	AttributeDefinitions []ddbAttrDef      `json:"attributeDefinitions"`
	BillingMode          string            `json:"billingMode"`
	ReadCapacityUnits    int64             `json:"readCapacityUnits,omitempty"`
	WriteCapacityUnits   int64             `json:"writeCapacityUnits,omitempty"`
	TableClass           string            `json:"tableClass"`
	SSE                  ddbSSESnapshot    `json:"sse"`
	DeletionProtection   bool              `json:"deletionProtection"`
	PITR                 bool              `json:"pointInTimeRecovery"`
	PITRDays             int               `json:"recoveryPeriodInDays,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"`
	Items                []ddbItem         `json:"items,omitempty"`
}

// ddbSSESnapshot is a table's SSE setting as the client asked for it.
type ddbSSESnapshot struct {
	Enabled        bool   `json:"enabled"`
	KMSMasterKeyID string `json:"kmsMasterKeyId,omitempty"`
}

// ddbSnapshot returns account ID -> region -> table name -> state. Status
// is the settled one, so a snapshot does not depend on DescribeTable calls.
func ddbSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		regions := map[string]map[string]ddbTableSnapshot{}
		for region, tables := range ddbAcctTables(a) {
			if len(tables) == 0 {
				continue
			}
			m := map[string]ddbTableSnapshot{}
			for name, t := range tables {
				s := ddbTableSnapshot{Status: ddbActive, KeySchema: t.keySchema, AttributeDefinitions: t.attrDefs,
					BillingMode: t.billingMode, ReadCapacityUnits: t.rcu, WriteCapacityUnits: t.wcu, TableClass: t.tableClass,
					DeletionProtection: t.deletionProtection, PITR: t.pitr, PITRDays: t.pitrDays}
				if t.sse != nil {
					s.SSE = ddbSSESnapshot{Enabled: true, KMSMasterKeyID: t.sse.keyGiven}
				}
				if len(t.tags) > 0 {
					s.Tags = t.tags
				}
				for _, k := range core.SortedKeys(t.items) {
					s.Items = append(s.Items, t.items[k])
				}
				m[name] = s
			}
			regions[region] = m
		}
		if len(regions) > 0 {
			out[id] = regions
		}
	}
	return out
}

// ddbItem is an item: attribute name -> value.
type ddbItem map[string]*ddbValue

// ddbValue is one AttributeValue. Exactly one member is set on the wire; typ
// names it. B and BS keep the base64 text as sent.
type ddbValue struct {
	typ string
	str string // S, N, B
	bl  bool   // BOOL, NULL
	m   ddbItem
	l   []*ddbValue
	set []string // SS, NS, BS
	// bad explains why the wire value was not exactly one known member.
	bad string
}

// UnmarshalJSON decodes an AttributeValue; shape errors are kept in bad for
// validate to report as AWS does.
func (v *ddbValue) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	switch {
	case len(raw) == 0:
		v.bad = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
		return nil
	case len(raw) > 1:
		v.bad = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
		return nil
	}
	for k, r := range raw {
		v.typ = k
		switch k {
		case "S", "N", "B":
			return json.Unmarshal(r, &v.str)
		case "BOOL", "NULL":
			return json.Unmarshal(r, &v.bl)
		case "M":
			return json.Unmarshal(r, &v.m)
		case "L":
			return json.Unmarshal(r, &v.l)
		case "SS", "NS", "BS":
			return json.Unmarshal(r, &v.set)
		default:
			v.bad = fmt.Sprintf("Supplied AttributeValue has an unknown datatype %s, must contain exactly one of the supported datatypes", k)
		}
	}
	return nil
}

// MarshalJSON encodes the AttributeValue as {"TYPE": value}.
func (v *ddbValue) MarshalJSON() ([]byte, error) {
	var x any
	switch v.typ {
	case "S", "N", "B":
		x = v.str
	case "BOOL", "NULL":
		x = v.bl
	case "M":
		x = v.m
		if v.m == nil {
			x = ddbItem{}
		}
	case "L":
		x = v.l
		if v.l == nil {
			x = []*ddbValue{}
		}
	default:
		x = v.set
	}
	return json.Marshal(map[string]any{v.typ: x})
}

var ddbNumberRe = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// ddbNumber parses a DynamoDB number.
func ddbNumber(s string) (*big.Rat, bool) {
	if !ddbNumberRe.MatchString(strings.TrimSpace(s)) {
		return nil, false
	}
	return new(big.Rat).SetString(strings.TrimSpace(s))
}

var ddbSetNames = map[string]string{"SS": "string", "NS": "number", "BS": "binary"}

// validate checks the value the way DynamoDB does before using it.
func (v *ddbValue) validate() *core.APIError {
	if v == nil {
		return ddbValidation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	if v.bad != "" {
		return ddbValidation("%s", v.bad)
	}
	switch v.typ {
	case "N":
		if _, ok := ddbNumber(v.str); !ok {
			return ddbValidation("The parameter cannot be converted to a numeric value: %s", v.str)
		}
	case "B":
		if _, err := base64.StdEncoding.DecodeString(v.str); err != nil {
			return ddbErr("SerializationException", "Base64 encoded length is expected a multiple of 4 bytes")
		}
	case "NULL":
		if !v.bl {
			return ddbValidation("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
	case "M":
		for _, e := range v.m {
			if err := e.validate(); err != nil {
				return err
			}
		}
	case "L":
		for _, e := range v.l {
			if err := e.validate(); err != nil {
				return err
			}
		}
	case "SS", "NS", "BS":
		if len(v.set) == 0 {
			return ddbValidation("One or more parameter values were invalid: An %s set  may not be empty", ddbSetNames[v.typ])
		}
		seen := map[string]bool{}
		for _, s := range v.set {
			k := s
			if v.typ == "NS" {
				n, ok := ddbNumber(s)
				if !ok {
					return ddbValidation("The parameter cannot be converted to a numeric value: %s", s)
				}
				k = n.RatString()
			} else if v.typ == "BS" {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return ddbErr("SerializationException", "Base64 encoded length is expected a multiple of 4 bytes")
				}
				k = string(b)
			}
			if seen[k] {
				return ddbValidation("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(v.set, ", "))
			}
			seen[k] = true
		}
	}
	return nil
}

// canonical is a string that is equal for equal scalar values (numbers
// compare numerically, binaries by their bytes).
func (v *ddbValue) canonical() string {
	switch v.typ {
	case "N":
		if n, ok := ddbNumber(v.str); ok {
			return "N:" + n.RatString()
		}
	case "B":
		if b, err := base64.StdEncoding.DecodeString(v.str); err == nil {
			return "B:" + string(b)
		}
	}
	return v.typ + ":" + v.str
}

// setKeys returns a set's members in canonical form.
func (v *ddbValue) setKeys() map[string]bool {
	out := map[string]bool{}
	for _, s := range v.set {
		member := &ddbValue{typ: v.typ[:1], str: s}
		out[member.canonical()] = true
	}
	return out
}

// equal reports whether two values are equal by DynamoDB's rules: same type
// and same value (sets regardless of order).
func (v *ddbValue) equal(w *ddbValue) bool {
	if v.typ != w.typ {
		return false
	}
	switch v.typ {
	case "S", "N", "B":
		return v.canonical() == w.canonical()
	case "BOOL", "NULL":
		return v.bl == w.bl
	case "M":
		if len(v.m) != len(w.m) {
			return false
		}
		for k, x := range v.m {
			y, ok := w.m[k]
			if !ok || !x.equal(y) {
				return false
			}
		}
		return true
	case "L":
		if len(v.l) != len(w.l) {
			return false
		}
		for i := range v.l {
			if !v.l[i].equal(w.l[i]) {
				return false
			}
		}
		return true
	default:
		a, b := v.setKeys(), w.setKeys()
		if len(a) != len(b) {
			return false
		}
		for k := range a {
			if !b[k] {
				return false
			}
		}
		return true
	}
}

// size approximates DynamoDB's item size accounting: names plus values.
func (v *ddbValue) size() int {
	switch v.typ {
	case "S", "N":
		return len(v.str)
	case "B":
		return base64.StdEncoding.DecodedLen(len(v.str))
	case "BOOL", "NULL":
		return 1
	case "M":
		return 3 + v.m.size()
	case "L":
		n := 3
		for _, e := range v.l {
			n += 1 + e.size()
		}
		return n
	default:
		n := 0
		for _, s := range v.set {
			n += len(s)
		}
		return n
	}
}

func (it ddbItem) size() int {
	n := 0
	for k, v := range it {
		n += len(k) + v.size()
	}
	return n
}

// ddbMaxItemSize is DynamoDB's item size limit (400 KB).
const ddbMaxItemSize = 400 * 1024

// primaryKey checks that item holds the table's key attributes with the
// defined types and returns the item's canonical key. asKey requires that
// item holds nothing else (a Key parameter); otherwise missing or mistyped
// key attributes are reported as PutItem reports them.
func (t *table) primaryKey(item ddbItem, asKey bool) (string, *core.APIError) {
	types := map[string]string{}
	for _, d := range t.attrDefs {
		types[d.AttributeName] = d.AttributeType
	}
	mismatch := ddbValidation("The provided key element does not match the schema")
	if asKey && len(item) != len(t.keySchema) {
		return "", mismatch
	}
	var key []string
	for _, k := range t.keySchema {
		name, want := k.AttributeName, types[k.AttributeName]
		v, ok := item[name]
		switch {
		case !ok && asKey, ok && asKey && v.typ != want:
			return "", mismatch
		case !ok:
			return "", ddbValidation("One or more parameter values were invalid: Missing the key %s in the item", name)
		case v.typ != want:
			return "", ddbValidation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", name, want, v.typ)
		case v.str == "" && want == "S":
			return "", ddbValidation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		case v.str == "" && want == "B":
			return "", ddbValidation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
		}
		key = append(key, v.canonical())
	}
	return strings.Join(key, "\x00"), nil
}

// ddbItemTable returns the table an item operation addresses: tables that
// are still being created are not found, as in AWS.
func ddbItemTable(c *core.Ctx, name string) (*table, *core.APIError) {
	t, err := ddbFindTable(c, name)
	if err != nil {
		return nil, err
	}
	if t.status == ddbCreating {
		return nil, ddbErr("ResourceNotFoundException", "Requested resource not found")
	}
	return t, nil
}

// ddbExprInput holds the expression members shared by the item operations.
type ddbExprInput struct {
	ConditionExpression       *string
	ProjectionExpression      *string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]*ddbValue
	// The legacy conditional parameters are not emulated.
	Expected            json.RawMessage
	ConditionalOperator json.RawMessage
	AttributesToGet     json.RawMessage
}

// ddbReturnValues validates ReturnValues for PutItem and DeleteItem.
func ddbReturnValues(rv string) *core.APIError {
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return ddbValidation("ReturnValues can only be ALL_OLD or NONE")
	}
	return nil
}

// compile compiles the request's ConditionExpression and
// ProjectionExpression (nil when absent) and checks that every expression attribute name and value is used.
func (in *ddbExprInput) compile() (cond ddbCond, proj []ddbPath, err *core.APIError) {
	if len(in.Expected) > 0 || len(in.ConditionalOperator) > 0 || len(in.AttributesToGet) > 0 {
		return nil, nil, ddbValidation("The legacy parameters Expected, ConditionalOperator and AttributesToGet are not supported by the emulator; use expressions")
	}
	for k, v := range in.ExpressionAttributeValues {
		if err := v.validate(); err != nil {
			return nil, nil, ddbValidation("ExpressionAttributeValues contains invalid value: %s for key %s", err.Message, k)
		}
	}
	if in.ExpressionAttributeNames != nil && len(in.ExpressionAttributeNames) == 0 {
		return nil, nil, ddbValidation("ExpressionAttributeNames must not be empty")
	}
	if in.ExpressionAttributeValues != nil && len(in.ExpressionAttributeValues) == 0 {
		return nil, nil, ddbValidation("ExpressionAttributeValues must not be empty")
	}
	p := &ddbParser{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues,
		usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	if in.ConditionExpression != nil {
		if cond, err = p.parseCondition(*in.ConditionExpression); err != nil {
			return nil, nil, err
		}
	}
	if in.ProjectionExpression != nil {
		if proj, err = p.parseProjection(*in.ProjectionExpression); err != nil {
			return nil, nil, err
		}
	}
	if len(in.ExpressionAttributeNames) > 0 && in.ConditionExpression == nil && in.ProjectionExpression == nil {
		return nil, nil, ddbValidation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if len(in.ExpressionAttributeValues) > 0 && in.ConditionExpression == nil {
		return nil, nil, ddbValidation("ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null")
	}
	if unused := unusedKeys(in.ExpressionAttributeNames, p.usedNames); unused != "" {
		return nil, nil, ddbValidation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", unused)
	}
	if unused := unusedKeys(in.ExpressionAttributeValues, p.usedValues); unused != "" {
		return nil, nil, ddbValidation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", unused)
	}
	return cond, proj, nil
}

func unusedKeys[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for _, k := range core.SortedKeys(m) {
		if !used[k] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

var ddbConditionFailed = core.APIError{Status: http.StatusBadRequest, Code: "ConditionalCheckFailedException",
	Message: "The conditional request failed"}

// ddbCheckCondition evaluates cond against the current item (nil when the
// item does not exist).
func ddbCheckCondition(cond ddbCond, current ddbItem) *core.APIError {
	if cond != nil && !cond.eval(current) {
		e := ddbConditionFailed
		return &e
	}
	return nil
}

func ddbPutItem(c *core.Ctx) (any, error) {
	var in struct {
		TableName    string
		Item         ddbItem
		ReturnValues string
		ddbExprInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbItemTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	if err := ddbReturnValues(in.ReturnValues); err != nil {
		return nil, err
	}
	if in.ProjectionExpression != nil {
		return nil, ddbValidation("ProjectionExpression is not a PutItem parameter")
	}
	for _, v := range in.Item {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	key, apiErr := t.primaryKey(in.Item, false)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.Item.size() > ddbMaxItemSize {
		return nil, ddbValidation("Item size has exceeded the maximum allowed size")
	}
	cond, _, apiErr := in.compile()
	if apiErr != nil {
		return nil, apiErr
	}
	old := t.items[key]
	if err := ddbCheckCondition(cond, old); err != nil {
		return nil, err
	}
	t.items[key] = in.Item
	if in.ReturnValues == "ALL_OLD" && old != nil {
		return map[string]any{"Attributes": old}, nil
	}
	return nil, nil
}

func ddbGetItem(c *core.Ctx) (any, error) {
	var in struct {
		TableName      string
		Key            ddbItem
		ConsistentRead bool
		ddbExprInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbItemTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	for _, v := range in.Key {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	key, apiErr := t.primaryKey(in.Key, true)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.ConditionExpression != nil {
		return nil, ddbValidation("ConditionExpression is not a GetItem parameter")
	}
	_, proj, apiErr := in.compile()
	if apiErr != nil {
		return nil, apiErr
	}
	it, ok := t.items[key]
	if !ok {
		return nil, nil
	}
	if proj != nil {
		it = project(it, proj)
	}
	return map[string]any{"Item": it}, nil
}

func ddbDeleteItem(c *core.Ctx) (any, error) {
	var in struct {
		TableName    string
		Key          ddbItem
		ReturnValues string
		ddbExprInput
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	t, apiErr := ddbItemTable(c, in.TableName)
	if apiErr != nil {
		return nil, apiErr
	}
	if err := ddbReturnValues(in.ReturnValues); err != nil {
		return nil, err
	}
	if in.ProjectionExpression != nil {
		return nil, ddbValidation("ProjectionExpression is not a DeleteItem parameter")
	}
	for _, v := range in.Key {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	key, apiErr := t.primaryKey(in.Key, true)
	if apiErr != nil {
		return nil, apiErr
	}
	cond, _, apiErr := in.compile()
	if apiErr != nil {
		return nil, apiErr
	}
	old := t.items[key]
	if err := ddbCheckCondition(cond, old); err != nil {
		return nil, err
	}
	delete(t.items, key)
	if in.ReturnValues == "ALL_OLD" && old != nil {
		return map[string]any{"Attributes": old}, nil
	}
	return nil, nil
}

// Condition expressions. The emulated grammar:
//
//	cond    = and { OR and }
//	and     = not { AND not }
//	not     = NOT not | primary
//	primary = "(" cond ")" | attribute_exists(path) | attribute_not_exists(path)
//	        | operand ("=" | "<>") operand
//	operand = path | :value
//	path    = name { "." name | "[" digits "]" }    name = identifier | #name
//
// Anything else DynamoDB accepts (other comparators, BETWEEN, IN and the
// other functions) is rejected with a ValidationException naming it.

// ddbCond is a compiled condition.
type ddbCond interface {
	eval(item ddbItem) bool
}

type (
	ddbOr     struct{ l, r ddbCond }
	ddbAnd    struct{ l, r ddbCond }
	ddbNot    struct{ c ddbCond }
	ddbExists struct {
		path ddbPath
		want bool
	}
	ddbCompare struct {
		op   string // "=" or "<>"
		l, r ddbOperand
	}
)

func (c ddbOr) eval(it ddbItem) bool  { return c.l.eval(it) || c.r.eval(it) }
func (c ddbAnd) eval(it ddbItem) bool { return c.l.eval(it) && c.r.eval(it) }
func (c ddbNot) eval(it ddbItem) bool { return !c.c.eval(it) }
func (c ddbExists) eval(it ddbItem) bool {
	_, ok := c.path.resolve(it)
	return ok == c.want
}

// eval compares the operands; a missing attribute equals nothing, so "<>"
// with a missing attribute is true.
func (c ddbCompare) eval(it ddbItem) bool {
	l, lok := c.l.resolve(it)
	r, rok := c.r.resolve(it)
	eq := lok && rok && l.equal(r)
	if c.op == "=" {
		return eq
	}
	return !eq
}

// ddbOperand is a document path or an expression attribute value.
type ddbOperand struct {
	path  ddbPath
	value *ddbValue
}

func (o ddbOperand) resolve(it ddbItem) (*ddbValue, bool) {
	if o.value != nil {
		return o.value, true
	}
	return o.path.resolve(it)
}

// ddbPath is a document path: attribute names and list indexes.
type ddbPath []ddbPathElem

type ddbPathElem struct {
	name  string
	index int // a list index when name is ""
}

func (p ddbPath) resolve(it ddbItem) (*ddbValue, bool) {
	v, ok := it[p[0].name]
	for _, el := range p[1:] {
		if !ok {
			break
		}
		switch {
		case el.name != "" && v.typ == "M":
			v, ok = v.m[el.name]
		case el.name == "" && v.typ == "L" && el.index < len(v.l):
			v = v.l[el.index]
		default:
			ok = false
		}
	}
	return v, ok
}

// project returns the attributes of it the top-level paths name.
func project(it ddbItem, paths []ddbPath) ddbItem {
	out := ddbItem{}
	for _, p := range paths {
		if v, ok := it[p[0].name]; ok {
			out[p[0].name] = v
		}
	}
	return out
}

// ddbToken is a lexical token of an expression.
type ddbToken struct {
	kind byte // 'i' identifier, '#' name placeholder, ':' value placeholder, 'n' number, 'p' punctuation, 0 end
	text string
}

func ddbLex(expr string) ([]ddbToken, string) {
	var toks []ddbToken
	isWord := func(b byte) bool {
		return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
	}
	for i := 0; i < len(expr); {
		ch := expr[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
		case ch == '#' || ch == ':' || isWord(ch):
			j := i + 1
			for j < len(expr) && isWord(expr[j]) {
				j++
			}
			kind := ch
			if isWord(ch) {
				kind = 'i'
				if ch >= '0' && ch <= '9' {
					kind = 'n'
				}
			}
			toks = append(toks, ddbToken{kind: kind, text: expr[i:j]})
			i = j
		case strings.HasPrefix(expr[i:], "<>") || strings.HasPrefix(expr[i:], "<=") || strings.HasPrefix(expr[i:], ">="):
			toks = append(toks, ddbToken{kind: 'p', text: expr[i : i+2]})
			i += 2
		case strings.IndexByte("()[],.=<>", ch) >= 0:
			toks = append(toks, ddbToken{kind: 'p', text: expr[i : i+1]})
			i++
		default:
			return nil, expr[i : i+1]
		}
	}
	return append(toks, ddbToken{}), ""
}

// ddbParser compiles one request's expressions, recording which expression
// attribute names and values they use.
type ddbParser struct {
	names      map[string]string
	values     map[string]*ddbValue
	usedNames  map[string]bool
	usedValues map[string]bool

	kind string // "ConditionExpression", "ProjectionExpression"
	toks []ddbToken
	pos  int
}

func (p *ddbParser) peek() ddbToken { return p.toks[p.pos] }
func (p *ddbParser) next() ddbToken {
	t := p.toks[p.pos]
	if t.kind != 0 {
		p.pos++
	}
	return t
}

func (p *ddbParser) isKeyword(t ddbToken, kw string) bool {
	return t.kind == 'i' && strings.EqualFold(t.text, kw)
}

func (p *ddbParser) errorf(format string, args ...any) *core.APIError {
	return ddbValidation("Invalid %s: %s", p.kind, fmt.Sprintf(format, args...))
}

func (p *ddbParser) syntaxError(t ddbToken) *core.APIError {
	if t.kind == 0 {
		return p.errorf("Syntax error; token: \"<EOF>\"")
	}
	return p.errorf("Syntax error; token: \"%s\"", t.text)
}

func (p *ddbParser) unsupported(what string) *core.APIError {
	return p.errorf("%s is not supported by the emulator", what)
}

func (p *ddbParser) start(kind, expr string) *core.APIError {
	p.kind, p.pos = kind, 0
	if strings.TrimSpace(expr) == "" {
		return ddbValidation("Invalid %s: The expression can not be empty;", kind)
	}
	toks, bad := ddbLex(expr)
	if bad != "" {
		return p.errorf("Syntax error; token: \"%s\"", bad)
	}
	p.toks = toks
	return nil
}

func (p *ddbParser) parseCondition(expr string) (ddbCond, *core.APIError) {
	if err := p.start("ConditionExpression", expr); err != nil {
		return nil, err
	}
	c, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, p.syntaxError(t)
	}
	return c, nil
}

func (p *ddbParser) parseProjection(expr string) ([]ddbPath, *core.APIError) {
	if err := p.start("ProjectionExpression", expr); err != nil {
		return nil, err
	}
	var out []ddbPath
	for {
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		if len(path) > 1 {
			return nil, p.unsupported("a nested document path")
		}
		out = append(out, path)
		t := p.next()
		if t.kind == 0 {
			return out, nil
		}
		if t.text != "," {
			return nil, p.syntaxError(t)
		}
	}
}

func (p *ddbParser) parseOr() (ddbCond, *core.APIError) {
	l, err := p.parseAnd()
	for err == nil && p.isKeyword(p.peek(), "OR") {
		p.next()
		var r ddbCond
		if r, err = p.parseAnd(); err == nil {
			l = ddbOr{l, r}
		}
	}
	return l, err
}

func (p *ddbParser) parseAnd() (ddbCond, *core.APIError) {
	l, err := p.parseNot()
	for err == nil && p.isKeyword(p.peek(), "AND") {
		p.next()
		var r ddbCond
		if r, err = p.parseNot(); err == nil {
			l = ddbAnd{l, r}
		}
	}
	return l, err
}

func (p *ddbParser) parseNot() (ddbCond, *core.APIError) {
	if p.isKeyword(p.peek(), "NOT") {
		p.next()
		c, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return ddbNot{c}, nil
	}
	return p.parsePrimary()
}

// ddbFunctions are DynamoDB's condition functions; the emulated ones are true.
var ddbFunctions = map[string]bool{
	"attribute_exists": true, "attribute_not_exists": true,
	"attribute_type": false, "begins_with": false, "contains": false, "size": false,
}

func (p *ddbParser) parsePrimary() (ddbCond, *core.APIError) {
	t := p.peek()
	if t.kind == 'p' && t.text == "(" {
		p.next()
		c, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.text != ")" || t.kind != 'p' {
			return nil, p.syntaxError(t)
		}
		return c, nil
	}
	if t.kind == 'i' && p.toks[p.pos+1].text == "(" {
		supported, known := ddbFunctions[t.text]
		switch {
		case !known:
			return nil, p.errorf("Invalid function name; function: %s", t.text)
		case !supported:
			return nil, p.unsupported("the function " + t.text)
		}
		p.next()
		p.next()
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.text != ")" || t.kind != 'p' {
			return nil, p.syntaxError(t)
		}
		return ddbExists{path: path, want: t.text == "attribute_exists"}, nil
	}
	l, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	op := p.next()
	switch {
	case op.kind == 'p' && (op.text == "=" || op.text == "<>"):
	case op.kind == 'p' && (op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">="):
		return nil, p.unsupported("the comparator " + op.text)
	case p.isKeyword(op, "BETWEEN") || p.isKeyword(op, "IN"):
		return nil, p.unsupported("the operator " + strings.ToUpper(op.text))
	default:
		return nil, p.syntaxError(op)
	}
	r, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return ddbCompare{op: op.text, l: l, r: r}, nil
}

func (p *ddbParser) parseOperand() (ddbOperand, *core.APIError) {
	t := p.peek()
	if t.kind == ':' {
		p.next()
		v, ok := p.values[t.text]
		if !ok {
			return ddbOperand{}, p.errorf("An expression attribute value used in expression is not defined; attribute value: %s", t.text)
		}
		p.usedValues[t.text] = true
		return ddbOperand{value: v}, nil
	}
	path, err := p.parsePath()
	return ddbOperand{path: path}, err
}

func (p *ddbParser) parseName() (string, *core.APIError) {
	t := p.next()
	switch {
	case t.kind == '#':
		name, ok := p.names[t.text]
		if !ok {
			return "", p.errorf("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.usedNames[t.text] = true
		return name, nil
	case t.kind == 'i' && !p.isKeyword(t, "AND") && !p.isKeyword(t, "OR") && !p.isKeyword(t, "NOT"):
		return t.text, nil
	}
	return "", p.syntaxError(t)
}

func (p *ddbParser) parsePath() (ddbPath, *core.APIError) {
	name, err := p.parseName()
	if err != nil {
		return nil, err
	}
	path := ddbPath{{name: name}}
	for {
		t := p.peek()
		switch {
		case t.kind == 'p' && t.text == ".":
			p.next()
			if name, err = p.parseName(); err != nil {
				return nil, err
			}
			path = append(path, ddbPathElem{name: name})
		case t.kind == 'p' && t.text == "[":
			p.next()
			n := p.next()
			var idx int
			if n.kind != 'n' {
				return nil, p.syntaxError(n)
			}
			if _, err := fmt.Sscanf(n.text, "%d", &idx); err != nil {
				return nil, p.syntaxError(n)
			}
			if t := p.next(); t.text != "]" {
				return nil, p.syntaxError(t)
			}
			path = append(path, ddbPathElem{index: idx})
		default:
			return path, nil
		}
	}
}

// ddbSettle activates the tables that have been in a transitional status
// for Options.AsyncDuration.
func ddbSettle(e *core.Emulator, due func(time.Time) bool) {
	for _, a := range e.AllAccounts() {
		for _, region := range core.SortedKeys(ddbAcctTables(a)) {
			for _, t := range ddbAcctTables(a)[region] {
				if t.transitional() && due(t.since) {
					t.status, t.sseUpdating, t.settleIn = ddbActive, false, 0
				}
			}
		}
	}
}
