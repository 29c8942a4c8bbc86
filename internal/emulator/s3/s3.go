package s3

// S3 (restXml, path-style addressing). The emulator serves general-purpose
// buckets and their configuration (versioning, default encryption, public
// access block, policy, ownership controls, tags, lifecycle) plus the object
// operations a Terraform S3 backend with a lockfile needs. Every request the
// route table does not recognise — another subresource, an unknown query
// parameter, a header asking for an unmodelled feature — is answered 501
// NotImplemented, never with a false success.

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/iam"
	iampolicy "github.com/awsfoundation/foundation/internal/emulator/policy"
	"github.com/awsfoundation/foundation/internal/emulator/s3control"
)

const (
	// s3Namespace is the XML namespace of S3 documents.
	s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
	// s3TimeFormat is how S3 writes timestamps in XML bodies.
	s3TimeFormat = "2006-01-02T15:04:05.000Z"
	// s3BucketQuota is the default number of buckets an account may own,
	// which is also how many ListBuckets returns when not paginated.
	s3BucketQuota = 10000
	// s3DefaultMaxKeys is the MaxKeys S3 reports when a list asks for none.
	s3DefaultMaxKeys = 1000
)

func init() {
	core.Register(func() *core.Service {
		ops := map[string]*core.Operation{}
		for _, rt := range s3Routes {
			ops[rt.op] = rt.handler
		}
		return &core.Service{
			Name:     "s3",
			Protocol: core.RestXML,
			Route:    s3Route,
			Throttle: core.APIError{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."},
			Ops:      ops,
			Snapshot: s3Snapshot,
		}
	})
}

// ---------------------------------------------------------------------------
// Routing

// s3Target is what a path-style request's path addresses.
type s3Target int

const (
	s3OnService s3Target = iota // "/": the caller's buckets
	s3OnBucket                  // "/{bucket}"
	s3OnObject                  // "/{bucket}/{key...}"
)

// s3RouteDef maps one request shape to an operation.
type s3RouteDef struct {
	method string
	target s3Target
	// sub is the query key that selects the operation (a subresource such
	// as "versioning"), "" for none; subValue, when set, is the value it
	// must have (list-type=2).
	sub, subValue string
	// params are the other query parameters the operation accepts. Any
	// other query key leaves the request unrouted.
	params []string
	// unsupported are request headers asking for functionality the
	// emulator does not model; their presence leaves the request unrouted.
	unsupported []string
	op          string
	handler     *core.Operation
}

var (
	s3ObjectReadParams = []string{"versionId", "response-cache-control", "response-content-disposition",
		"response-content-encoding", "response-content-language", "response-content-type", "response-expires"}
	s3ObjectWriteUnsupported = []string{"X-Amz-Copy-Source", "X-Amz-Tagging", "X-Amz-Object-Lock-Mode",
		"X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold", "X-Amz-Write-Offset-Bytes",
		"X-Amz-Server-Side-Encryption-Customer-Algorithm"}
	s3ObjectReadUnsupported = []string{"X-Amz-Server-Side-Encryption-Customer-Algorithm"}
)

// s3Routes is the S3 route table; its operations are the service's ops.
var s3Routes = []s3RouteDef{
	{method: http.MethodGet, target: s3OnService, params: []string{"max-buckets", "continuation-token", "prefix", "bucket-region"},
		op: "ListBuckets", handler: s3Read(s3ListBuckets)},

	{method: http.MethodPut, target: s3OnBucket, op: "CreateBucket", handler: s3Write(s3CreateBucket)},
	{method: http.MethodHead, target: s3OnBucket, op: "HeadBucket", handler: s3Read(s3HeadBucket)},
	{method: http.MethodDelete, target: s3OnBucket, op: "DeleteBucket", handler: s3Write(s3DeleteBucket)},
	{method: http.MethodGet, target: s3OnBucket, sub: "location", op: "GetBucketLocation", handler: s3Read(s3GetBucketLocation)},

	{method: http.MethodGet, target: s3OnBucket, sub: "versioning", op: "GetBucketVersioning", handler: s3Read(s3GetBucketVersioning)},
	{method: http.MethodPut, target: s3OnBucket, sub: "versioning", op: "PutBucketVersioning", handler: s3Write(s3PutBucketVersioning)},

	{method: http.MethodGet, target: s3OnBucket, sub: "encryption", op: "GetBucketEncryption", handler: s3Read(s3GetBucketEncryption)},
	{method: http.MethodPut, target: s3OnBucket, sub: "encryption", op: "PutBucketEncryption", handler: s3Write(s3PutBucketEncryption)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "encryption", op: "DeleteBucketEncryption", handler: s3Write(s3DeleteBucketEncryption)},

	{method: http.MethodGet, target: s3OnBucket, sub: "publicAccessBlock", op: "GetPublicAccessBlock", handler: s3Read(s3GetPublicAccessBlock)},
	{method: http.MethodPut, target: s3OnBucket, sub: "publicAccessBlock", op: "PutPublicAccessBlock", handler: s3Write(s3PutPublicAccessBlock)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "publicAccessBlock", op: "DeletePublicAccessBlock", handler: s3Write(s3DeletePublicAccessBlock)},

	{method: http.MethodGet, target: s3OnBucket, sub: "policy", op: "GetBucketPolicy", handler: s3Read(s3GetBucketPolicy)},
	{method: http.MethodPut, target: s3OnBucket, sub: "policy", op: "PutBucketPolicy", handler: s3Write(s3PutBucketPolicy)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "policy", op: "DeleteBucketPolicy", handler: s3Write(s3DeleteBucketPolicy)},

	{method: http.MethodGet, target: s3OnBucket, sub: "ownershipControls", op: "GetBucketOwnershipControls", handler: s3Read(s3GetBucketOwnershipControls)},
	{method: http.MethodPut, target: s3OnBucket, sub: "ownershipControls", op: "PutBucketOwnershipControls", handler: s3Write(s3PutBucketOwnershipControls)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "ownershipControls", op: "DeleteBucketOwnershipControls", handler: s3Write(s3DeleteBucketOwnershipControls)},

	{method: http.MethodGet, target: s3OnBucket, sub: "tagging", op: "GetBucketTagging", handler: s3Read(s3GetBucketTagging)},
	{method: http.MethodPut, target: s3OnBucket, sub: "tagging", op: "PutBucketTagging", handler: s3Write(s3PutBucketTagging)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "tagging", op: "DeleteBucketTagging", handler: s3Write(s3DeleteBucketTagging)},

	{method: http.MethodGet, target: s3OnBucket, sub: "lifecycle", op: "GetBucketLifecycleConfiguration", handler: s3Read(s3GetBucketLifecycle)},
	{method: http.MethodPut, target: s3OnBucket, sub: "lifecycle", op: "PutBucketLifecycleConfiguration", handler: s3Write(s3PutBucketLifecycle)},
	{method: http.MethodDelete, target: s3OnBucket, sub: "lifecycle", op: "DeleteBucketLifecycle", handler: s3Write(s3DeleteBucketLifecycle)},

	// Configurations the emulator has no Put for read as AWS reads them on
	// a bucket that never had one (s3Unconfigured).
	{method: http.MethodGet, target: s3OnBucket, sub: "website", op: "GetBucketWebsite", handler: s3Read(s3Unconfigured("website"))},
	{method: http.MethodGet, target: s3OnBucket, sub: "cors", op: "GetBucketCors", handler: s3Read(s3Unconfigured("cors"))},
	{method: http.MethodGet, target: s3OnBucket, sub: "replication", op: "GetBucketReplication", handler: s3Read(s3Unconfigured("replication"))},
	{method: http.MethodGet, target: s3OnBucket, sub: "object-lock", op: "GetObjectLockConfiguration", handler: s3Read(s3Unconfigured("object-lock"))},
	{method: http.MethodGet, target: s3OnBucket, sub: "logging", op: "GetBucketLogging", handler: s3Read(s3Unconfigured("logging"))},
	{method: http.MethodGet, target: s3OnBucket, sub: "notification", op: "GetBucketNotificationConfiguration", handler: s3Read(s3Unconfigured("notification"))},

	{method: http.MethodGet, target: s3OnBucket, sub: "list-type", subValue: "2",
		params: []string{"prefix", "delimiter", "max-keys", "continuation-token", "start-after", "fetch-owner", "encoding-type"},
		op:     "ListObjectsV2", handler: s3Read(s3ListObjectsV2)},
	{method: http.MethodGet, target: s3OnBucket, sub: "versions",
		params: []string{"prefix", "delimiter", "max-keys", "key-marker", "version-id-marker", "encoding-type"},
		op:     "ListObjectVersions", handler: s3Read(s3ListObjectVersions)},

	{method: http.MethodPut, target: s3OnObject, unsupported: s3ObjectWriteUnsupported, op: "PutObject", handler: s3Write(s3PutObject)},
	{method: http.MethodGet, target: s3OnObject, params: s3ObjectReadParams, unsupported: s3ObjectReadUnsupported,
		op: "GetObject", handler: s3Read(s3GetObject)},
	{method: http.MethodHead, target: s3OnObject, params: s3ObjectReadParams, unsupported: s3ObjectReadUnsupported,
		op: "HeadObject", handler: s3Read(s3HeadObject)},
	{method: http.MethodDelete, target: s3OnObject, params: []string{"versionId"},
		unsupported: []string{"If-Match", "X-Amz-If-Match-Last-Modified-Time", "X-Amz-If-Match-Size", "X-Amz-Bypass-Governance-Retention"},
		op:          "DeleteObject", handler: s3Write(s3DeleteObject)},
}

// s3Route names the operation of a path-style S3 request, or "" when the
// emulator does not implement what the request asks for.
func s3Route(r *http.Request) string {
	bucketName, key := s3PathParts(r)
	target := s3OnService
	switch {
	case key != "":
		target = s3OnObject
	case bucketName != "":
		target = s3OnBucket
	}
	q := r.URL.Query()
	for i := range s3Routes {
		if rt := &s3Routes[i]; rt.matches(r.Method, target, q, r.Header) {
			return rt.op
		}
	}
	return ""
}

func (rt *s3RouteDef) matches(method string, target s3Target, q url.Values, h http.Header) bool {
	if rt.method != method || rt.target != target {
		return false
	}
	if rt.sub != "" {
		v, ok := q[rt.sub]
		if !ok || (rt.subValue != "" && (len(v) == 0 || v[0] != rt.subValue)) {
			return false
		}
	}
	for k := range q {
		// x-id names the operation for the SDKs' benefit; X-Amz-* are the
		// query-string authentication parameters of presigned URLs.
		if k != rt.sub && !slices.Contains(rt.params, k) && k != "x-id" && !strings.HasPrefix(k, "X-Amz-") {
			return false
		}
	}
	for _, name := range rt.unsupported {
		if h.Get(name) != "" {
			return false
		}
	}
	return true
}

// s3PathParts splits a path-style request path into bucket and key.
func s3PathParts(r *http.Request) (bucketName, key string) {
	bucketName, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucketName, key
}

// s3Read and s3Write declare an operation whose request integrity headers
// (Content-MD5, x-amz-content-sha256, flexible checksums) are verified
// before the handler runs, as S3 does for every request.
func s3Read(h func(c *core.Ctx) (any, error)) *core.Operation  { return core.Read(s3Verified(h)) }
func s3Write(h func(c *core.Ctx) (any, error)) *core.Operation { return core.Write(s3Verified(h)) }

func s3Verified(h func(c *core.Ctx) (any, error)) func(c *core.Ctx) (any, error) {
	return func(c *core.Ctx) (any, error) {
		if err := s3VerifyPayload(c); err != nil {
			return nil, err
		}
		return h(c)
	}
}

// ---------------------------------------------------------------------------
// State

// bucket is an S3 general-purpose bucket. Buckets live in s3Buckets:
// one namespace shared by every account, as in AWS.
type bucket struct {
	Name   string
	Owner  string // ID of the account that created the bucket
	Region string
	// LocationConstraint is what GetBucketLocation returns: "" for
	// us-east-1, "EU" for a bucket created with that legacy constraint.
	LocationConstraint string
	Created            time.Time

	Versioning        string // "" (never enabled), "Enabled" or "Suspended"
	MFADelete         string // "", "Enabled" or "Disabled"; stored, not enforced
	Encryption        Encryption
	PublicAccessBlock *s3PublicAccessBlock // nil after DeletePublicAccessBlock
	Ownership         string               // ObjectOwnership; "" after DeleteBucketOwnershipControls
	Policy            string               // the policy document as put; "" for none
	Tags              []s3Tag              // nil for none
	Lifecycle         *s3Lifecycle         // nil for none

	// objects maps a key to its versions, oldest first. A bucket whose
	// versioning was never enabled keeps one "null" version per key.
	objects map[string][]*s3Version
}

// s3Encryption is a bucket's default encryption (the one rule of its
// ServerSideEncryptionConfiguration), or how an object was encrypted.
type Encryption struct {
	Algorithm        string   `json:"algorithm"`
	KMSKeyID         string   `json:"kmsKeyId,omitempty"`
	BucketKeyEnabled bool     `json:"bucketKeyEnabled"`
	BlockedTypes     []string `json:"blockedEncryptionTypes,omitempty"`
}

// s3DefaultEncryption is what every new bucket gets and what
// DeleteBucketEncryption restores: SSE-S3, without a bucket key.
var s3DefaultEncryption = Encryption{Algorithm: "AES256"}

// s3Lifecycle is a bucket's lifecycle configuration.
type s3Lifecycle struct {
	Rules []s3LifecycleRule `json:"rules"`
	// TransitionDefaultMinimumObjectSize is "all_storage_classes_128K" or
	// "varies_by_storage_class".
	TransitionDefaultMinimumObjectSize string `json:"transitionDefaultMinimumObjectSize"`
}

// s3Version is one version of an object, or a delete marker.
type s3Version struct {
	ID           string // "null" unless written while versioning was enabled
	DeleteMarker bool
	Body         []byte
	ETag         string // quoted hex MD5 of Body
	Modified     time.Time
	Header       http.Header // stored headers: Content-Type, Cache-Control, x-amz-meta-*, ...
	StorageClass string
	SSE          Encryption
	// ChecksumAlgorithm and Checksum are the object's full-object checksum
	// (base64), as GetObject returns it with x-amz-checksum-mode: ENABLED.
	ChecksumAlgorithm, Checksum string
}

// latest returns the current version of a key, or nil.
func (b *bucket) latest(key string) *s3Version {
	vs := b.objects[key]
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// version returns the version of a key with the given ID, or nil.
func (b *bucket) version(key, id string) *s3Version {
	for _, v := range b.objects[key] {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// addVersion stores v as the current version of key: with versioning
// enabled it gets a new version ID; otherwise it is the "null" version and
// replaces the previous one.
func (b *bucket) addVersion(key string, v *s3Version) {
	if b.Versioning == "Enabled" {
		v.ID = s3NewVersionID()
	} else {
		v.ID = "null"
		b.removeVersion(key, "null")
	}
	b.objects[key] = append(b.objects[key], v)
}

// removeVersion permanently deletes one version of key and reports what it removed.
func (b *bucket) removeVersion(key, id string) *s3Version {
	vs := b.objects[key]
	for i, v := range vs {
		if v.ID == id {
			vs = slices.Delete(slices.Clone(vs), i, i+1)
			if len(vs) == 0 {
				delete(b.objects, key)
			} else {
				b.objects[key] = vs
			}
			return v
		}
	}
	return nil
}

// sortedKeys returns the bucket's keys under prefix, sorted.
func (b *bucket) sortedKeys(prefix string) []string {
	var keys []string
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// s3NewVersionID returns a new random version ID: 32 URL-safe characters, like S3's.
func s3NewVersionID() string {
	return base64.RawURLEncoding.EncodeToString([]byte(core.RandomHex(24)))
}

// s3CanonicalUserID is the canonical user ID S3 reports as an account's
// Owner ID: 64 hex characters, stable for an account ID.
func s3CanonicalUserID(accountID string) string {
	return core.HashID("s3", core.HexDigits, 64, "canonical user", accountID)
}

// ---------------------------------------------------------------------------
// XML documents shared by requests and responses. Response documents carry
// S3's namespace in Xmlns; requests may omit it.

type s3Owner struct {
	ID string
}

type s3Tag = core.Tag

type s3Tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []s3Tag  `xml:"TagSet>Tag"`
}

type s3VersioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:",omitempty"`
	MFADelete string   `xml:"MfaDelete,omitempty"`
}

type s3SSEConfiguration struct {
	XMLName xml.Name    `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string      `xml:"xmlns,attr,omitempty"`
	Rules   []s3SSERule `xml:"Rule"`
}

type s3SSERule struct {
	Default          *s3SSEByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	Blocked          *s3BlockedTypes `xml:"BlockedEncryptionTypes"`
	BucketKeyEnabled *bool           `xml:"BucketKeyEnabled"`
}

type s3SSEByDefault struct {
	SSEAlgorithm   string
	KMSMasterKeyID string `xml:",omitempty"`
}

type s3BlockedTypes struct {
	EncryptionType []string
}

type s3PublicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `json:"blockPublicAcls"`
	IgnorePublicAcls      bool     `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool     `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool     `json:"restrictPublicBuckets"`
}

type s3OwnershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string
	} `xml:"Rule"`
}

// s3LifecycleConfiguration is the LifecycleConfiguration document. Optional
// elements are pointers so that a GET returns exactly the elements a PUT had.
type s3LifecycleConfiguration struct {
	XMLName xml.Name          `xml:"LifecycleConfiguration"`
	Xmlns   string            `xml:"xmlns,attr,omitempty"`
	Rules   []s3LifecycleRule `xml:"Rule"`
}

type s3LifecycleRule struct {
	ID                             string
	Filter                         *s3LifecycleFilter `xml:",omitempty" json:",omitempty"`
	Prefix                         *string            `xml:",omitempty" json:",omitempty"` // legacy, instead of Filter
	Status                         string
	Transitions                    []s3Transition           `xml:"Transition" json:",omitempty"`
	NoncurrentVersionTransitions   []s3NoncurrentTransition `xml:"NoncurrentVersionTransition" json:",omitempty"`
	Expiration                     *s3Expiration            `xml:",omitempty" json:",omitempty"`
	NoncurrentVersionExpiration    *s3NoncurrentExpiration  `xml:",omitempty" json:",omitempty"`
	AbortIncompleteMultipartUpload *s3AbortIncompleteUpload `xml:",omitempty" json:",omitempty"`
}

type s3LifecycleFilter struct {
	Prefix                *string         `xml:",omitempty" json:",omitempty"`
	Tag                   *s3Tag          `xml:",omitempty" json:",omitempty"`
	And                   *s3LifecycleAnd `xml:",omitempty" json:",omitempty"`
	ObjectSizeGreaterThan *int64          `xml:",omitempty" json:",omitempty"`
	ObjectSizeLessThan    *int64          `xml:",omitempty" json:",omitempty"`
}

type s3LifecycleAnd struct {
	Prefix                *string `xml:",omitempty" json:",omitempty"`
	Tags                  []s3Tag `xml:"Tag" json:",omitempty"`
	ObjectSizeGreaterThan *int64  `xml:",omitempty" json:",omitempty"`
	ObjectSizeLessThan    *int64  `xml:",omitempty" json:",omitempty"`
}

type s3Expiration struct {
	Date                      *string `xml:",omitempty" json:",omitempty"`
	Days                      *int32  `xml:",omitempty" json:",omitempty"`
	ExpiredObjectDeleteMarker *bool   `xml:",omitempty" json:",omitempty"`
}

type s3Transition struct {
	Date         *string `xml:",omitempty" json:",omitempty"`
	Days         *int32  `xml:",omitempty" json:",omitempty"`
	StorageClass string
}

type s3NoncurrentTransition struct {
	NoncurrentDays          *int32 `xml:",omitempty" json:",omitempty"`
	NewerNoncurrentVersions *int32 `xml:",omitempty" json:",omitempty"`
	StorageClass            string
}

type s3NoncurrentExpiration struct {
	NoncurrentDays          *int32 `xml:",omitempty" json:",omitempty"`
	NewerNoncurrentVersions *int32 `xml:",omitempty" json:",omitempty"`
}

type s3AbortIncompleteUpload struct {
	DaysAfterInitiation *int32 `xml:",omitempty" json:",omitempty"`
}

type s3CommonPrefix struct {
	Prefix string
}

// ---------------------------------------------------------------------------
// Errors and small helpers

// s3BucketError is an error that names the bucket, as S3's do.
func s3BucketError(status int, code, bucketName, message string) *core.APIError {
	e := core.Errorf(status, code, "%s", message)
	e.Extra = map[string]string{"BucketName": bucketName}
	return e
}

func s3MalformedXML() *core.APIError {
	return core.Errorf(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

// s3InvalidArgument is S3's InvalidArgument error, naming the argument when
// there is one.
func s3InvalidArgument(name, value, format string, args ...any) *core.APIError {
	e := core.Errorf(http.StatusBadRequest, "InvalidArgument", format, args...)
	if name != "" {
		e.Extra = map[string]string{"ArgumentName": name, "ArgumentValue": value}
	}
	return e
}

func s3PreconditionFailed(condition string) *core.APIError {
	e := core.Errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	e.Extra = map[string]string{"Condition": condition}
	return e
}

// s3NotImplemented answers a request the route table accepted but whose
// details ask for something the emulator does not model.
func s3NotImplemented(c *core.Ctx, what string) *core.APIError {
	return c.NotImplemented(what)
}

// s3DecodeXML decodes a configuration document from the request body.
func s3DecodeXML(c *core.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return core.Errorf(http.StatusBadRequest, "MissingRequestBodyError", "Request Body is empty")
	}
	if err := xml.Unmarshal(c.Body(), v); err != nil {
		return s3MalformedXML()
	}
	return nil
}

// s3XML is a 200 response with an XML document.
func s3XML(body any) *core.RestResponse { return &core.RestResponse{Body: body} }

// s3NoContent is a 204 response.
func s3NoContent() *core.RestResponse { return &core.RestResponse{Status: http.StatusNoContent} }

// s3Bucket returns the bucket the request addresses, after AWS's checks:
// NoSuchBucket; PermanentRedirect (301) when the request was signed for a
// region other than the bucket's (skipped when anyRegion); AccessDenied for
// another account's bucket or a failed x-amz-expected-bucket-owner check.
// Redirects and denials carry the x-amz-bucket-region header, as in AWS.
func s3Bucket(c *core.Ctx, anyRegion bool) (*bucket, error) {
	name, _ := s3PathParts(c.Request())
	b := s3Buckets(c.Emu)[name]
	if b == nil {
		return nil, s3BucketError(http.StatusNotFound, "NoSuchBucket", name, "The specified bucket does not exist")
	}
	if !anyRegion && b.Region != c.Region {
		c.ResponseHeader().Set("X-Amz-Bucket-Region", b.Region)
		e := core.Errorf(http.StatusMovedPermanently, "PermanentRedirect",
			"The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
		e.Extra = map[string]string{"Bucket": name, "Endpoint": "s3." + b.Region + ".amazonaws.com"}
		return nil, e
	}
	expected := c.Request().Header.Get("X-Amz-Expected-Bucket-Owner")
	if b.Owner != c.Account.ID || (expected != "" && expected != b.Owner) {
		c.ResponseHeader().Set("X-Amz-Bucket-Region", b.Region)
		return nil, core.Errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	return b, nil
}

// s3EncodeToken and s3DecodeToken make the opaque continuation tokens of
// ListBuckets and ListObjectsV2 from the last name returned.
func s3EncodeToken(name string) string {
	return base64.StdEncoding.EncodeToString([]byte("emulator:" + name))
}

func s3DecodeToken(param, tok string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(tok)
	name, ok := strings.CutPrefix(string(b), "emulator:")
	if err != nil || !ok {
		return "", s3InvalidArgument(param, tok, "The continuation token provided is incorrect")
	}
	return name, nil
}

// s3IntParam parses an integer query parameter in [min, max]; def when absent.
func s3IntParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	v := q.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, s3InvalidArgument(name, v, "Provided %s not an integer or within integer range", name)
	}
	return n, nil
}

// s3Encoder returns the function that encodes names in a list response:
// identity, or URL encoding for encoding-type=url.
func s3Encoder(q url.Values) (func(string) string, string, error) {
	switch et := q.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		return func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/") }, et, nil
	default:
		return nil, "", s3InvalidArgument("encoding-type", et, "Invalid Encoding Method specified in Request")
	}
}

// ---------------------------------------------------------------------------
// Buckets

var (
	s3BucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3IPv4Re       = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	s3RegionRe     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`)
)

// s3ValidBucketName applies AWS's general-purpose bucket naming rules.
func s3ValidBucketName(name string) bool {
	if !s3BucketNameRe.MatchString(name) || strings.Contains(name, "..") || s3IPv4Re.MatchString(name) {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// s3BucketRegion applies CreateBucket's location-constraint rules for a
// request signed for region and returns the new bucket's region.
func s3BucketRegion(region, constraint string) (string, error) {
	const incompatible = "location constraint is incompatible for the region specific endpoint this request was sent to."
	switch {
	case constraint == "" && region == "us-east-1":
		return region, nil
	case constraint == "":
		return "", core.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException", "The unspecified %s", incompatible)
	case constraint == "EU":
		if region != "eu-west-1" {
			return "", core.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException", "The EU %s", incompatible)
		}
		return region, nil
	case constraint == "us-east-1" || !s3RegionRe.MatchString(constraint):
		e := core.Errorf(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
		e.Extra = map[string]string{"LocationConstraint": constraint}
		return "", e
	case constraint != region:
		return "", core.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException", "The %s %s", constraint, incompatible)
	}
	return region, nil
}

var s3ObjectOwnerships = []string{"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"}

func s3CreateBucket(c *core.Ctx) (any, error) {
	r := c.Request()
	name, _ := s3PathParts(r)
	if !s3ValidBucketName(name) {
		return nil, s3BucketError(http.StatusBadRequest, "InvalidBucketName", name, "The specified bucket is not valid.")
	}
	var cfg struct {
		XMLName            xml.Name `xml:"CreateBucketConfiguration"`
		LocationConstraint string
		Location           *struct{}
		Bucket             *struct{}
		// Tags of a general purpose bucket, set with the create (AWS
		// since 2025-11; the caller needs s3:TagResource).
		Tags []s3Tag `xml:"Tags>Tag"`
	}
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := xml.Unmarshal(c.Body(), &cfg); err != nil {
			return nil, s3MalformedXML()
		}
	}
	if cfg.Location != nil || cfg.Bucket != nil {
		return nil, s3NotImplemented(c, "directory buckets")
	}
	constraint := strings.TrimSpace(cfg.LocationConstraint)
	region, err := s3BucketRegion(c.Region, constraint)
	if err != nil {
		return nil, err
	}
	if err := s3ValidateTags(cfg.Tags, 50); err != nil {
		return nil, err
	}
	ownership := r.Header.Get("X-Amz-Object-Ownership")
	if ownership == "" {
		ownership = "BucketOwnerEnforced"
	} else if !slices.Contains(s3ObjectOwnerships, ownership) {
		return nil, s3InvalidArgument("x-amz-object-ownership", ownership, "Invalid x-amz-object-ownership header: %s", ownership)
	}
	if acl, grants := r.Header.Get("X-Amz-Acl"), s3HasGrantHeaders(r); (acl != "" && acl != "private") || grants {
		if ownership == "BucketOwnerEnforced" {
			return nil, core.Errorf(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership",
				"Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
		return nil, s3NotImplemented(c, "bucket ACLs")
	}
	if strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		return nil, s3NotImplemented(c, "S3 Object Lock")
	}
	location := http.Header{"Location": {"/" + name}}
	if b := s3Buckets(c.Emu)[name]; b != nil {
		switch {
		case b.Owner != c.Account.ID:
			return nil, s3BucketError(http.StatusConflict, "BucketAlreadyExists", name,
				"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		case region == "us-east-1" && b.Region == "us-east-1":
			// AWS's legacy behaviour in North Virginia: 200 OK, nothing changes.
			return &core.RestResponse{Header: location}, nil
		default:
			return nil, s3BucketError(http.StatusConflict, "BucketAlreadyOwnedByYou", name,
				"Your previous request to create the named bucket succeeded and you already own it.")
		}
	}
	owned := 0
	for _, b := range s3Buckets(c.Emu) {
		if b.Owner == c.Account.ID {
			owned++
		}
	}
	if owned >= s3BucketQuota {
		return nil, core.Errorf(http.StatusBadRequest, "TooManyBuckets", "You have attempted to create more buckets than allowed")
	}
	pab := s3PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	s3Buckets(c.Emu)[name] = &bucket{
		Name: name, Owner: c.Account.ID, Region: region, LocationConstraint: constraint, Created: c.Emu.Now(),
		Encryption: s3DefaultEncryption, PublicAccessBlock: &pab, Ownership: ownership,
		Tags:    slices.Clone(cfg.Tags),
		objects: map[string][]*s3Version{},
	}
	return &core.RestResponse{Header: location}, nil
}

func s3HasGrantHeaders(r *http.Request) bool {
	for k := range r.Header {
		if strings.HasPrefix(k, "X-Amz-Grant-") {
			return true
		}
	}
	return false
}

func s3HeadBucket(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	return &core.RestResponse{Header: http.Header{
		"X-Amz-Bucket-Region":      {b.Region},
		"X-Amz-Access-Point-Alias": {"false"},
	}}, nil
}

func s3DeleteBucket(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if len(b.objects) > 0 {
		msg := "The bucket you tried to delete is not empty"
		if b.Versioning != "" {
			msg += ". You must delete all versions in the bucket."
		}
		return nil, s3BucketError(http.StatusConflict, "BucketNotEmpty", b.Name, msg)
	}
	delete(s3Buckets(c.Emu), b.Name)
	return s3NoContent(), nil
}

func s3GetBucketLocation(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, true) // the call clients make to find the region
	if err != nil {
		return nil, err
	}
	return s3XML(struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Xmlns   string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}{Xmlns: s3Namespace, Value: b.LocationConstraint}), nil
}

func s3ListBuckets(c *core.Ctx) (any, error) {
	q := c.Request().URL.Query()
	maxBuckets, err := s3IntParam(q, "max-buckets", 0, 1, s3BucketQuota)
	if err != nil {
		return nil, err
	}
	// The AWS CLI's list-buckets sends neither parameter and expects every
	// bucket, as AWS returns them all (up to the quota) in that case.
	limit := s3BucketQuota
	if q.Has("max-buckets") || q.Has("continuation-token") {
		limit = c.PageSize(maxBuckets)
	}
	after := ""
	if q.Has("continuation-token") {
		if after, err = s3DecodeToken("continuation-token", q.Get("continuation-token")); err != nil {
			return nil, err
		}
	}
	prefix, region := q.Get("prefix"), q.Get("bucket-region")
	var names []string
	for name, b := range s3Buckets(c.Emu) {
		if b.Owner == c.Account.ID && strings.HasPrefix(name, prefix) && (region == "" || b.Region == region) && name > after {
			names = append(names, name)
		}
	}
	sort.Strings(names)

	type bucketXML struct {
		Name         string
		CreationDate string
		BucketRegion string
	}
	res := struct {
		XMLName           xml.Name    `xml:"ListAllMyBucketsResult"`
		Xmlns             string      `xml:"xmlns,attr"`
		Owner             s3Owner     `xml:"Owner"`
		Buckets           []bucketXML `xml:"Buckets>Bucket"`
		ContinuationToken string      `xml:",omitempty"`
		Prefix            string      `xml:",omitempty"`
	}{Xmlns: s3Namespace, Owner: s3Owner{ID: s3CanonicalUserID(c.Account.ID)}, Prefix: prefix}
	if len(names) > limit {
		names = names[:limit]
		res.ContinuationToken = s3EncodeToken(names[limit-1])
	}
	for _, n := range names {
		b := s3Buckets(c.Emu)[n]
		res.Buckets = append(res.Buckets, bucketXML{Name: n, CreationDate: b.Created.Format(s3TimeFormat), BucketRegion: b.Region})
	}
	return s3XML(res), nil
}

// --- versioning

func s3GetBucketVersioning(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	return s3XML(s3VersioningConfiguration{Xmlns: s3Namespace, Status: b.Versioning, MFADelete: b.MFADelete}), nil
}

func s3PutBucketVersioning(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	var in s3VersioningConfiguration
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	if (in.Status != "Enabled" && in.Status != "Suspended") || (in.MFADelete != "" && in.MFADelete != "Enabled" && in.MFADelete != "Disabled") {
		return nil, s3MalformedXML()
	}
	// Once enabled, versioning can only be suspended, never turned back to
	// "never enabled"; MFA delete is stored but not enforced.
	b.Versioning = in.Status
	if in.MFADelete != "" {
		b.MFADelete = in.MFADelete
	}
	return &core.RestResponse{}, nil
}

// --- default encryption

var s3SSEAlgorithms = []string{"AES256", "aws:kms", "aws:kms:dsse"}

func s3GetBucketEncryption(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	enc := b.Encryption
	rule := s3SSERule{
		Default:          &s3SSEByDefault{SSEAlgorithm: enc.Algorithm, KMSMasterKeyID: enc.KMSKeyID},
		BucketKeyEnabled: &enc.BucketKeyEnabled,
	}
	if len(enc.BlockedTypes) > 0 {
		rule.Blocked = &s3BlockedTypes{EncryptionType: enc.BlockedTypes}
	}
	return s3XML(s3SSEConfiguration{Xmlns: s3Namespace, Rules: []s3SSERule{rule}}), nil
}

func s3PutBucketEncryption(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	var in s3SSEConfiguration
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	if len(in.Rules) != 1 || in.Rules[0].Default == nil {
		return nil, s3MalformedXML()
	}
	rule := in.Rules[0]
	alg, key := rule.Default.SSEAlgorithm, rule.Default.KMSMasterKeyID
	if !slices.Contains(s3SSEAlgorithms, alg) {
		return nil, s3MalformedXML()
	}
	if key != "" && alg == "AES256" {
		return nil, s3InvalidArgument("ApplyServerSideEncryptionByDefault", key,
			"a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
	}
	enc := Encryption{Algorithm: alg, KMSKeyID: key, BucketKeyEnabled: rule.BucketKeyEnabled != nil && *rule.BucketKeyEnabled}
	if rule.Blocked != nil {
		for _, t := range rule.Blocked.EncryptionType {
			if t != "NONE" && t != "SSE-C" {
				return nil, s3MalformedXML()
			}
		}
		enc.BlockedTypes = slices.Clone(rule.Blocked.EncryptionType)
	}
	b.Encryption = enc
	return &core.RestResponse{}, nil
}

func s3DeleteBucketEncryption(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	// Since January 2023 every bucket is encrypted: deleting the
	// configuration restores the SSE-S3 default.
	b.Encryption = s3DefaultEncryption
	return s3NoContent(), nil
}

// --- public access block

func s3GetPublicAccessBlock(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if b.PublicAccessBlock == nil {
		return nil, s3BucketError(http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", b.Name,
			"The public access block configuration was not found")
	}
	out := *b.PublicAccessBlock
	out.Xmlns = s3Namespace
	return s3XML(out), nil
}

func s3PutPublicAccessBlock(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	var in s3PublicAccessBlock
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	in.XMLName, in.Xmlns = xml.Name{}, ""
	b.PublicAccessBlock = &in
	return &core.RestResponse{}, nil
}

func s3DeletePublicAccessBlock(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	b.PublicAccessBlock = nil
	return s3NoContent(), nil
}

// --- policy

// s3Unconfigured serves the GET of a bucket subresource the emulator
// cannot configure (it implements no Put for it), so every bucket reads as
// one that never had it, as the S3 API reference describes: 404
// NoSuchWebsiteConfiguration (GetBucketWebsite), NoSuchCORSConfiguration
// (GetBucketCors), ReplicationConfigurationNotFoundError
// (GetBucketReplication), ObjectLockConfigurationNotFoundError
// (GetObjectLockConfiguration); an empty BucketLoggingStatus (GetBucketLogging:
// "logging is disabled") and an empty NotificationConfiguration
// (GetBucketNotificationConfiguration).
func s3Unconfigured(sub string) func(c *core.Ctx) (any, error) {
	return func(c *core.Ctx) (any, error) {
		b, err := s3Bucket(c, false)
		if err != nil {
			return nil, err
		}
		switch sub {
		case "website":
			return nil, s3BucketError(http.StatusNotFound, "NoSuchWebsiteConfiguration", b.Name, "The specified bucket does not have a website configuration")
		case "cors":
			return nil, s3BucketError(http.StatusNotFound, "NoSuchCORSConfiguration", b.Name, "The CORS configuration does not exist")
		case "replication":
			return nil, s3BucketError(http.StatusNotFound, "ReplicationConfigurationNotFoundError", b.Name, "The replication configuration was not found")
		case "object-lock":
			return nil, s3BucketError(http.StatusNotFound, "ObjectLockConfigurationNotFoundError", b.Name, "Object Lock configuration does not exist for this bucket")
		case "logging":
			return s3XML(struct {
				XMLName xml.Name `xml:"BucketLoggingStatus"`
				Xmlns   string   `xml:"xmlns,attr"`
			}{Xmlns: s3Namespace}), nil
		default: // notification
			return s3XML(struct {
				XMLName xml.Name `xml:"NotificationConfiguration"`
				Xmlns   string   `xml:"xmlns,attr"`
			}{Xmlns: s3Namespace}), nil
		}
	}
}

func s3GetBucketPolicy(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, s3BucketError(http.StatusNotFound, "NoSuchBucketPolicy", b.Name, "The bucket policy does not exist")
	}
	return &core.RestResponse{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(b.Policy)}, nil
}

func s3PutBucketPolicy(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	policy := string(c.Body())
	doc, err := s3ValidatePolicy(b.Name, policy)
	if err != nil {
		return nil, err
	}
	if apiErr := s3CheckPrincipals(c, doc); apiErr != nil {
		return nil, apiErr
	}
	// The most restrictive of the bucket's and its owner's account-level
	// settings applies (the S3 user guide, Blocking public access).
	blocked := b.PublicAccessBlock != nil && b.PublicAccessBlock.BlockPublicPolicy
	if owner := c.Emu.Account(b.Owner); owner != nil && s3control.AccountBlocksPublicPolicy(owner) {
		blocked = true
	}
	if blocked && s3PolicyIsPublic(doc) {
		return nil, core.Errorf(http.StatusForbidden, "AccessDenied",
			`User: %s is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::%s" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
			c.Caller.ARN, b.Name)
	}
	b.Policy = policy
	return s3NoContent(), nil
}

func s3DeleteBucketPolicy(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	b.Policy = ""
	return s3NoContent(), nil
}

func s3MalformedPolicy(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, "MalformedPolicy", format, args...)
}

// s3ValidatePolicy checks a bucket policy as S3 does before storing it:
// valid JSON object, a Statement, well-formed statements whose actions are
// S3 actions and whose resources are this bucket or its objects.
func s3ValidatePolicy(bucketName, policy string) (*iampolicy.Doc, error) {
	doc, perr := iampolicy.Parse(policy, iampolicy.KindResource)
	if perr != nil {
		switch perr.Problem {
		case iampolicy.BadJSON:
			return nil, s3MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
		case iampolicy.BadEffect:
			return nil, s3MalformedPolicy("Invalid effect: %s", perr.Value)
		case iampolicy.NoStatement, iampolicy.NoEffect, iampolicy.NoPrincipal, iampolicy.NoAction:
			return nil, s3MalformedPolicy("%s", perr.Msg)
		}
		return nil, s3MalformedPolicy("Invalid policy syntax. (emulator: %s)", perr.Msg)
	}
	arn := "arn:aws:s3:::" + bucketName
	for _, st := range doc.Statement {
		if len(st.Resource) == 0 && len(st.NotResource) == 0 {
			return nil, s3MalformedPolicy("Missing required field Resource")
		}
		for _, a := range iampolicy.Join(st.Action, st.NotAction) {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return nil, s3MalformedPolicy("Policy has invalid action")
			}
		}
		for _, r := range iampolicy.Join(st.Resource, st.NotResource) {
			if r != arn && !strings.HasPrefix(r, arn+"/") {
				return nil, s3MalformedPolicy("Policy has invalid resource")
			}
		}
	}
	return doc, nil
}

// s3RoleARNRe matches an IAM role ARN: account, then the role's path and name.
var s3RoleARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(.+)$`)

// s3CheckPrincipals refuses a policy naming an IAM role that S3 cannot
// resolve, as S3 does ("Invalid principal in policy"): a role of an account
// the emulator has that does not exist, or that was just created and has
// not propagated yet (the Consistency model). Roles of accounts the emulator
// does not have are accepted (it cannot know them).
func s3CheckPrincipals(c *core.Ctx, doc *iampolicy.Doc) *core.APIError {
	for _, st := range doc.Statement {
		for _, p := range []*iampolicy.Principal{st.Principal, st.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, v := range p.AWS {
				m := s3RoleARNRe.FindStringSubmatch(v)
				if m == nil || strings.ContainsAny(v, "*?") {
					continue
				}
				a := c.Emu.Account(m[1])
				if a == nil {
					continue
				}
				r := iam.RoleNamed(a, m[2][strings.LastIndex(m[2], "/")+1:])
				if r == nil || !strings.EqualFold(r.ARN, "arn:aws:iam::"+m[1]+":role/"+m[2]) ||
					c.Emu.NotYetVisible(core.PropagatePrincipal, r.ARN) {
					return s3MalformedPolicy("Invalid principal in policy")
				}
			}
		}
	}
	return nil
}

// s3PolicyIsPublic reports whether a policy is public in the sense
// BlockPublicPolicy checks: an unconditional Allow for the "*" principal
// (or {"AWS": "*"}), or an Allow with NotPrincipal.
func s3PolicyIsPublic(doc *iampolicy.Doc) bool {
	for _, st := range doc.Statement {
		if st.Effect != iampolicy.EffectAllow || len(st.Condition) > 0 {
			continue
		}
		if st.NotPrincipal != nil {
			return true
		}
		if p := st.Principal; p != nil && (p.Wildcard || slices.Contains(p.AWS, "*")) {
			return true
		}
	}
	return false
}

// --- ownership controls

func s3GetBucketOwnershipControls(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if b.Ownership == "" {
		return nil, s3BucketError(http.StatusNotFound, "OwnershipControlsNotFoundError", b.Name,
			"The bucket ownership controls were not found")
	}
	out := s3OwnershipControls{Xmlns: s3Namespace}
	out.Rules = append(out.Rules, struct{ ObjectOwnership string }{b.Ownership})
	return s3XML(out), nil
}

func s3PutBucketOwnershipControls(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	var in s3OwnershipControls
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	if len(in.Rules) != 1 || !slices.Contains(s3ObjectOwnerships, in.Rules[0].ObjectOwnership) {
		return nil, s3MalformedXML()
	}
	b.Ownership = in.Rules[0].ObjectOwnership
	return &core.RestResponse{}, nil
}

func s3DeleteBucketOwnershipControls(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	b.Ownership = ""
	return s3NoContent(), nil
}

// --- tags

func s3GetBucketTagging(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if len(b.Tags) == 0 {
		return nil, s3BucketError(http.StatusNotFound, "NoSuchTagSet", b.Name, "The TagSet does not exist")
	}
	return s3XML(s3Tagging{Xmlns: s3Namespace, TagSet: b.Tags}), nil
}

func s3PutBucketTagging(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	var in s3Tagging
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	if err := s3ValidateTags(in.TagSet, 50); err != nil {
		return nil, err
	}
	b.Tags = slices.Clone(in.TagSet)
	return s3NoContent(), nil
}

func s3DeleteBucketTagging(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	b.Tags = nil
	return s3NoContent(), nil
}

// s3TagRules are S3's tag rules for a tag set of at most max tags
// (PutBucketTagging, lifecycle rule filters): the count is checked first.
func s3TagRules(max int) core.TagRules {
	return core.TagRules{
		Checks: []core.TagCheck{core.TagTooMany, core.TagKeyChars, core.TagKeyLength, core.TagReserved,
			core.TagValueLength, core.TagValueChars, core.TagDuplicate},
		Max: max,
		Err: func(check core.TagCheck, _ int, t core.Tag) *core.APIError {
			invalid := func(format string, args ...any) *core.APIError {
				return core.Errorf(http.StatusBadRequest, "InvalidTag", format, args...)
			}
			switch check {
			case core.TagKeyChars:
				return invalid("The TagKey you have provided is invalid")
			case core.TagKeyLength:
				if t.Key == "" {
					return invalid("The TagKey you have provided is invalid")
				}
				return invalid("The TagKey you have provided is too long, max 128")
			case core.TagReserved:
				return invalid("System tags cannot be added/updated by requester")
			case core.TagValueLength:
				return invalid("The TagValue you have provided is too long, max 256")
			case core.TagValueChars:
				return invalid("The TagValue you have provided is invalid")
			case core.TagDuplicate:
				return invalid("Cannot provide multiple Tags with the same key")
			}
			return invalid("Bucket tag count cannot be greater than %d", max)
		},
	}
}

// s3ValidateTags applies S3's tag rules to a tag set of at most max tags.
func s3ValidateTags(tags []s3Tag, max int) error {
	if err := s3TagRules(max).Check(tags); err != nil {
		return err
	}
	return nil
}

// --- lifecycle

const s3TransitionMinSizeHeader = "X-Amz-Transition-Default-Minimum-Object-Size"

func s3GetBucketLifecycle(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	if b.Lifecycle == nil {
		return nil, s3BucketError(http.StatusNotFound, "NoSuchLifecycleConfiguration", b.Name, "The lifecycle configuration does not exist")
	}
	return &core.RestResponse{
		Header: http.Header{s3TransitionMinSizeHeader: {b.Lifecycle.TransitionDefaultMinimumObjectSize}},
		Body:   s3LifecycleConfiguration{Xmlns: s3Namespace, Rules: b.Lifecycle.Rules},
	}, nil
}

func s3PutBucketLifecycle(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	minSize := c.Request().Header.Get(s3TransitionMinSizeHeader)
	switch minSize {
	case "":
		minSize = "all_storage_classes_128K"
	case "all_storage_classes_128K", "varies_by_storage_class":
	default:
		return nil, s3InvalidArgument("x-amz-transition-default-minimum-object-size", minSize,
			"Invalid value for x-amz-transition-default-minimum-object-size")
	}
	var in s3LifecycleConfiguration
	if err := s3DecodeXML(c, &in); err != nil {
		return nil, err
	}
	rules, err := s3ValidateLifecycle(b.Name, in.Rules)
	if err != nil {
		return nil, err
	}
	b.Lifecycle = &s3Lifecycle{Rules: rules, TransitionDefaultMinimumObjectSize: minSize}
	return &core.RestResponse{Header: http.Header{s3TransitionMinSizeHeader: {minSize}}}, nil
}

func s3DeleteBucketLifecycle(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	b.Lifecycle = nil
	return s3NoContent(), nil
}

var s3TransitionStorageClasses = []string{"GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}

// s3ValidateLifecycle checks lifecycle rules as S3 does and returns them
// ready to store: dates normalised, a missing ID replaced by a generated one
// (deterministic here, random in AWS).
func s3ValidateLifecycle(bucketName string, rules []s3LifecycleRule) ([]s3LifecycleRule, error) {
	if len(rules) == 0 || len(rules) > 1000 {
		return nil, s3MalformedXML()
	}
	out := make([]s3LifecycleRule, len(rules))
	ids := map[string]bool{}
	for i, rule := range rules {
		if rule.ID == "" {
			rule.ID = base64.StdEncoding.EncodeToString([]byte(core.HashID("s3", core.HexDigits, 32, bucketName, "lifecycle", strconv.Itoa(i))))
		}
		if err := s3ValidateRule(&rule); err != nil {
			return nil, err
		}
		if ids[rule.ID] {
			return nil, s3InvalidArgument("ID", rule.ID, "Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[rule.ID] = true
		out[i] = rule
	}
	return out, nil
}

func s3ValidateRule(r *s3LifecycleRule) error {
	invalid := func(format string, args ...any) error { return s3InvalidArgument("", "", format, args...) }
	if utf8.RuneCountInString(r.ID) > 255 {
		return invalid("ID length should not exceed allowed limit of 255")
	}
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return s3MalformedXML()
	}
	if (r.Filter == nil) == (r.Prefix == nil) {
		return s3MalformedXML() // exactly one of Filter and the legacy Prefix
	}
	hasTags := false
	if f := r.Filter; f != nil {
		set := 0
		for _, present := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil} {
			if present {
				set++
			}
		}
		if set > 1 {
			return s3MalformedXML()
		}
		gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
		if a := f.And; a != nil {
			gt, lt = a.ObjectSizeGreaterThan, a.ObjectSizeLessThan
			if err := s3ValidateTags(a.Tags, 50); err != nil {
				return err
			}
			hasTags = len(a.Tags) > 0
		}
		if f.Tag != nil {
			if err := s3ValidateTags([]s3Tag{*f.Tag}, 1); err != nil {
				return err
			}
			hasTags = true
		}
		if (gt != nil && *gt < 0) || (lt != nil && *lt <= 0) {
			return invalid("Object size filter values must be positive")
		}
		if gt != nil && lt != nil && *gt >= *lt {
			return invalid("ObjectSizeGreaterThan must be less than ObjectSizeLessThan")
		}
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil &&
		len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 {
		return core.Errorf(http.StatusBadRequest, "InvalidRequest", "At least one action needs to be specified in a rule")
	}
	if e := r.Expiration; e != nil {
		if s3CountSet(e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil) != 1 {
			return s3MalformedXML()
		}
		if e.Days != nil && *e.Days <= 0 {
			return invalid("'Days' for Expiration action must be a positive integer")
		}
		if e.Date != nil {
			d, err := s3LifecycleDate(*e.Date)
			if err != nil {
				return err
			}
			e.Date = &d
		}
		if e.ExpiredObjectDeleteMarker != nil && hasTags {
			return invalid("ExpiredObjectDeleteMarker cannot be specified with tags")
		}
	}
	for i := range r.Transitions {
		t := &r.Transitions[i]
		if s3CountSet(t.Days != nil, t.Date != nil) != 1 || !slices.Contains(s3TransitionStorageClasses, t.StorageClass) {
			return s3MalformedXML()
		}
		if t.Days != nil {
			if err := s3CheckTransitionDays("Days", "Transition", *t.Days, t.StorageClass); err != nil {
				return err
			}
		} else {
			d, err := s3LifecycleDate(*t.Date)
			if err != nil {
				return err
			}
			t.Date = &d
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if t.NoncurrentDays == nil || !slices.Contains(s3TransitionStorageClasses, t.StorageClass) {
			return s3MalformedXML()
		}
		if err := s3CheckTransitionDays("NoncurrentDays", "NoncurrentVersionTransition", *t.NoncurrentDays, t.StorageClass); err != nil {
			return err
		}
		if err := s3CheckNewerNoncurrent(t.NewerNoncurrentVersions); err != nil {
			return err
		}
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		if e.NoncurrentDays == nil || *e.NoncurrentDays <= 0 {
			return invalid("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
		if err := s3CheckNewerNoncurrent(e.NewerNoncurrentVersions); err != nil {
			return err
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0 {
			return invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if hasTags {
			return invalid("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	return nil
}

func s3CountSet(present ...bool) int {
	n := 0
	for _, p := range present {
		if p {
			n++
		}
	}
	return n
}

func s3CheckTransitionDays(field, action string, days int32, class string) error {
	if days < 0 {
		return s3InvalidArgument("", "", "'%s' for %s action must be a positive integer", field, action)
	}
	if (class == "STANDARD_IA" || class == "ONEZONE_IA") && days < 30 {
		return s3InvalidArgument("", "", "'%s' in %s action must be greater than or equal to 30 for storageClass '%s'", field, action, class)
	}
	return nil
}

func s3CheckNewerNoncurrent(n *int32) error {
	if n != nil && (*n < 1 || *n > 100) {
		return s3InvalidArgument("", "", "NewerNoncurrentVersions must be between 1 and 100")
	}
	return nil
}

// s3LifecycleDate validates a lifecycle Date (ISO 8601, midnight UTC) and
// returns it in S3's format.
func s3LifecycleDate(s string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return "", s3MalformedXML()
	}
	t = t.UTC()
	if !t.Equal(t.Truncate(24 * time.Hour)) {
		return "", s3InvalidArgument("", "", "'Date' must be at midnight GMT")
	}
	return t.Format(s3TimeFormat), nil
}

// ---------------------------------------------------------------------------
// Objects

// s3StoredHeaders are the request headers PutObject stores with an object,
// besides user metadata (x-amz-meta-*); GetObject and HeadObject return them.
var s3StoredHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language",
	"Content-Type", "Expires", "X-Amz-Website-Redirect-Location"}

var s3StorageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"}

// s3ObjectKey returns the key of an object request after S3's length check.
func s3ObjectKey(c *core.Ctx) (string, error) {
	_, key := s3PathParts(c.Request())
	if len(key) > 1024 {
		return "", core.Errorf(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	return key, nil
}

func s3NoSuchKey(key string) *core.APIError {
	e := core.Errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	e.Extra = map[string]string{"Key": key}
	return e
}

func s3PutObject(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	key, err := s3ObjectKey(c)
	if err != nil {
		return nil, err
	}
	r := c.Request()
	cur := b.latest(key)
	exists := cur != nil && !cur.DeleteMarker
	// Conditional writes (the Terraform S3 backend's lockfile uses If-None-Match: *).
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm != "*" {
			return nil, s3NotImplemented(c, "If-None-Match other than *")
		}
		if exists {
			return nil, s3PreconditionFailed("If-None-Match")
		}
	}
	if im := r.Header.Get("If-Match"); im != "" {
		if !exists {
			return nil, s3NoSuchKey(key)
		}
		if !s3ETagMatches(im, cur.ETag) {
			return nil, s3PreconditionFailed("If-Match")
		}
	}
	if acl := r.Header.Get("X-Amz-Acl"); (acl != "" && acl != "private" && acl != "bucket-owner-full-control") || s3HasGrantHeaders(r) {
		if b.Ownership == "BucketOwnerEnforced" {
			return nil, core.Errorf(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
		}
		return nil, s3NotImplemented(c, "object ACLs")
	}
	sse, err := s3ObjectEncryption(r, b.Encryption)
	if err != nil {
		return nil, err
	}
	class := r.Header.Get("X-Amz-Storage-Class")
	switch {
	case class == "":
		class = "STANDARD"
	case class == "GLACIER" || class == "DEEP_ARCHIVE":
		return nil, s3NotImplemented(c, "archive storage classes")
	case !slices.Contains(s3StorageClasses, class):
		return nil, core.Errorf(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid")
	}
	body := bytes.Clone(c.Body())
	md5sum := md5.Sum(body)
	v := &s3Version{
		Body: body, ETag: `"` + hex.EncodeToString(md5sum[:]) + `"`, Modified: c.Emu.Now(),
		Header: s3ObjectRequestHeaders(r), StorageClass: class, SSE: sse,
	}
	v.ChecksumAlgorithm = s3ObjectChecksumAlgorithm(r)
	v.Checksum = s3Checksum(v.ChecksumAlgorithm, body)
	b.addVersion(key, v)

	h := http.Header{"Etag": {v.ETag}}
	if b.Versioning != "" {
		h.Set("X-Amz-Version-Id", v.ID)
	}
	s3SetSSEHeaders(h, sse)
	h.Set("X-Amz-Checksum-"+v.ChecksumAlgorithm, v.Checksum)
	h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
	return &core.RestResponse{Header: h}, nil
}

// s3ObjectRequestHeaders picks the headers PutObject stores.
func s3ObjectRequestHeaders(r *http.Request) http.Header {
	h := http.Header{}
	for _, name := range s3StoredHeaders {
		if v := r.Header.Get(name); v != "" {
			h.Set(name, v)
		}
	}
	// aws-chunked is the transfer framing, not the object's encoding.
	if ce := h.Get("Content-Encoding"); ce != "" {
		var kept []string
		for _, p := range strings.Split(ce, ",") {
			if p = strings.TrimSpace(p); p != "" && p != "aws-chunked" {
				kept = append(kept, p)
			}
		}
		h.Del("Content-Encoding")
		if len(kept) > 0 {
			h.Set("Content-Encoding", strings.Join(kept, ","))
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "binary/octet-stream")
	}
	for k, vs := range r.Header {
		if strings.HasPrefix(k, "X-Amz-Meta-") {
			h[k] = slices.Clone(vs)
		}
	}
	return h
}

// s3ObjectEncryption resolves how a new object is encrypted: the request's
// x-amz-server-side-encryption headers, else the bucket default.
func s3ObjectEncryption(r *http.Request, def Encryption) (Encryption, error) {
	alg := r.Header.Get("X-Amz-Server-Side-Encryption")
	key := r.Header.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
	if alg == "" {
		if key != "" {
			return Encryption{}, s3InvalidArgument("x-amz-server-side-encryption-aws-kms-key-id", key,
				"Specifying x-amz-server-side-encryption-aws-kms-key-id requires x-amz-server-side-encryption")
		}
		return Encryption{Algorithm: def.Algorithm, KMSKeyID: def.KMSKeyID, BucketKeyEnabled: def.BucketKeyEnabled}, nil
	}
	if !slices.Contains(s3SSEAlgorithms, alg) {
		return Encryption{}, s3InvalidArgument("x-amz-server-side-encryption", alg, "The encryption method specified is not supported")
	}
	if key != "" && alg == "AES256" {
		return Encryption{}, s3InvalidArgument("x-amz-server-side-encryption-aws-kms-key-id", key,
			"Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	}
	enc := Encryption{Algorithm: alg, KMSKeyID: key}
	if bk := r.Header.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"); bk != "" {
		enc.BucketKeyEnabled = strings.EqualFold(bk, "true")
	} else if alg == def.Algorithm {
		enc.BucketKeyEnabled = def.BucketKeyEnabled
	}
	return enc, nil
}

func s3SetSSEHeaders(h http.Header, enc Encryption) {
	h.Set("X-Amz-Server-Side-Encryption", enc.Algorithm)
	if enc.KMSKeyID != "" {
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", enc.KMSKeyID)
	}
	if enc.BucketKeyEnabled {
		h.Set("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "true")
	}
}

// s3ETagMatches reports whether an If-Match / If-None-Match header value
// (a list of entity tags, or "*") matches etag.
func s3ETagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// s3FindVersion returns the version a GetObject/HeadObject addresses (the
// latest, or ?versionId=) and the error S3 gives when there is none.
func s3FindVersion(c *core.Ctx, b *bucket, key string) (*s3Version, error) {
	q := c.Request().URL.Query()
	if !q.Has("versionId") {
		v := b.latest(key)
		if v == nil {
			return nil, s3NoSuchKey(key)
		}
		if v.DeleteMarker {
			c.ResponseHeader().Set("X-Amz-Delete-Marker", "true")
			c.ResponseHeader().Set("X-Amz-Version-Id", v.ID)
			return nil, s3NoSuchKey(key)
		}
		return v, nil
	}
	id := q.Get("versionId")
	v := b.version(key, id)
	if v == nil {
		e := core.Errorf(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.")
		e.Extra = map[string]string{"Key": key, "VersionId": id}
		return nil, e
	}
	if v.DeleteMarker {
		c.ResponseHeader().Set("X-Amz-Delete-Marker", "true")
		c.ResponseHeader().Set("X-Amz-Version-Id", v.ID)
		c.ResponseHeader().Set("Allow", "DELETE")
		e := core.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		e.Extra = map[string]string{"Method": c.Request().Method, "ResourceType": "DeleteMarker"}
		return nil, e
	}
	return v, nil
}

// s3Conditions applies GetObject/HeadObject's conditional headers in HTTP's
// order: a failed If-Match / If-Unmodified-Since is 412, a matching
// If-None-Match / unmet If-Modified-Since is 304 Not Modified.
func s3Conditions(r *http.Request, v *s3Version) (notModified bool, err error) {
	modified := v.Modified.Truncate(time.Second)
	if im := r.Header.Get("If-Match"); im != "" {
		if !s3ETagMatches(im, v.ETag) {
			return false, s3PreconditionFailed("If-Match")
		}
	} else if t, perr := http.ParseTime(r.Header.Get("If-Unmodified-Since")); perr == nil && modified.After(t) {
		return false, s3PreconditionFailed("If-Unmodified-Since")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return s3ETagMatches(inm, v.ETag), nil
	}
	if t, perr := http.ParseTime(r.Header.Get("If-Modified-Since")); perr == nil && !modified.After(t) {
		return true, nil
	}
	return false, nil
}

// s3ObjectResponse serves GetObject and HeadObject.
func s3ObjectResponse(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	key, err := s3ObjectKey(c)
	if err != nil {
		return nil, err
	}
	v, err := s3FindVersion(c, b, key)
	if err != nil {
		return nil, err
	}
	r := c.Request()
	h := v.Header.Clone()
	h.Set("Etag", v.ETag)
	h.Set("Last-Modified", v.Modified.Format(http.TimeFormat))
	if b.Versioning != "" {
		h.Set("X-Amz-Version-Id", v.ID)
	}
	notModified, err := s3Conditions(r, v)
	if err != nil {
		return nil, err
	}
	if notModified {
		return &core.RestResponse{Status: http.StatusNotModified, Header: http.Header{
			"Etag": {v.ETag}, "Last-Modified": {h.Get("Last-Modified")}}}, nil
	}
	h.Set("Accept-Ranges", "bytes")
	s3SetSSEHeaders(h, v.SSE)
	if v.StorageClass != "STANDARD" {
		h.Set("X-Amz-Storage-Class", v.StorageClass)
	}
	for k, vs := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "response-"); ok && len(vs) > 0 {
			h.Set(name, vs[0])
		}
	}
	body, status := v.Body, http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		start, end, ok, err := s3ParseRange(rng, len(v.Body))
		if err != nil {
			return nil, err
		}
		if ok {
			body, status = v.Body[start:end+1], http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(v.Body)))
		}
	}
	if status == http.StatusOK && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		h.Set("X-Amz-Checksum-"+v.ChecksumAlgorithm, v.Checksum)
		h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &core.RestResponse{Status: status, Header: h, Body: body}, nil
}

func s3GetObject(c *core.Ctx) (any, error)  { return s3ObjectResponse(c) }
func s3HeadObject(c *core.Ctx) (any, error) { return s3ObjectResponse(c) }

// s3ParseRange parses a single byte range ("bytes=a-b", "bytes=a-",
// "bytes=-n"). Like S3 it ignores a header it cannot parse or one with
// several ranges (ok false: serve the whole object) and answers 416
// InvalidRange for an unsatisfiable range.
func s3ParseRange(header string, size int) (start, end int, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	unsatisfiable := func() error {
		e := core.Errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
		e.Extra = map[string]string{"RangeRequested": header, "ActualObjectSize": strconv.Itoa(size)}
		return e
	}
	switch {
	case first == "": // suffix: the last n bytes
		n, perr := strconv.Atoi(last)
		if perr != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, unsatisfiable()
		}
		return max(size-n, 0), size - 1, true, nil
	default:
		a, perr := strconv.Atoi(first)
		if perr != nil || a < 0 {
			return 0, 0, false, nil
		}
		z := size - 1
		if last != "" {
			if z, perr = strconv.Atoi(last); perr != nil || z < a {
				return 0, 0, false, nil
			}
		}
		if a >= size {
			return 0, 0, false, unsatisfiable()
		}
		return a, min(z, size-1), true, nil
	}
}

func s3DeleteObject(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	key, err := s3ObjectKey(c)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if q := c.Request().URL.Query(); q.Has("versionId") {
		// Permanently delete one version (or delete marker).
		id := q.Get("versionId")
		if v := b.removeVersion(key, id); v != nil && v.DeleteMarker {
			h.Set("X-Amz-Delete-Marker", "true")
		}
		h.Set("X-Amz-Version-Id", id)
		return &core.RestResponse{Status: http.StatusNoContent, Header: h}, nil
	}
	if b.Versioning == "" {
		delete(b.objects, key)
		return s3NoContent(), nil
	}
	// Versioned bucket: a delete marker becomes the current version
	// ("null" while versioning is suspended).
	marker := &s3Version{DeleteMarker: true, Modified: c.Emu.Now()}
	b.addVersion(key, marker)
	h.Set("X-Amz-Delete-Marker", "true")
	h.Set("X-Amz-Version-Id", marker.ID)
	return &core.RestResponse{Status: http.StatusNoContent, Header: h}, nil
}

// --- listing

// s3Entry is one item of a listing: a key (with its versions, newest first)
// or a common prefix.
type s3Entry struct {
	name     string
	isPrefix bool
	versions []*s3Version
}

// s3Listing returns the keys under prefix that sort after startAfter,
// grouped by delimiter into common prefixes, in key order. Keys whose
// current version is a delete marker are left out unless withDeleted.
func (b *bucket) listing(prefix, delim, startAfter string, withDeleted bool) []s3Entry {
	var out []s3Entry
	for _, key := range b.sortedKeys(prefix) {
		if key <= startAfter {
			continue
		}
		vs := b.objects[key]
		if !withDeleted && vs[len(vs)-1].DeleteMarker {
			continue
		}
		if delim != "" {
			if i := strings.Index(key[len(prefix):], delim); i >= 0 {
				cp := key[:len(prefix)+i+len(delim)]
				if n := len(out); n == 0 || out[n-1].name != cp {
					out = append(out, s3Entry{name: cp, isPrefix: true})
				}
				continue
			}
		}
		newest := slices.Clone(vs)
		slices.Reverse(newest)
		out = append(out, s3Entry{name: key, versions: newest})
	}
	return out
}

type s3ObjectXML struct {
	Key               string
	LastModified      string
	ETag              string
	Size              int
	StorageClass      string
	Owner             *s3Owner `xml:",omitempty"`
	ChecksumAlgorithm string   `xml:",omitempty"`
	ChecksumType      string   `xml:",omitempty"`
}

func s3ListObjectsV2(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	q := c.Request().URL.Query()
	enc, encodingType, err := s3Encoder(q)
	if err != nil {
		return nil, err
	}
	maxKeys, err := s3IntParam(q, "max-keys", s3DefaultMaxKeys, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	prefix, delim, startAfter := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after")
	entries := b.listing(prefix, delim, startAfter, false)
	if q.Has("continuation-token") {
		after, err := s3DecodeToken("continuation-token", q.Get("continuation-token"))
		if err != nil {
			return nil, err
		}
		entries = entries[sort.Search(len(entries), func(i int) bool { return entries[i].name > after }):]
	}
	limit := 0
	if maxKeys > 0 {
		limit = c.PageSize(maxKeys)
	}
	res := struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		Xmlns                 string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                string
		Delimiter             string `xml:",omitempty"`
		MaxKeys               int
		KeyCount              int
		IsTruncated           bool
		ContinuationToken     string `xml:",omitempty"`
		NextContinuationToken string `xml:",omitempty"`
		StartAfter            string `xml:",omitempty"`
		EncodingType          string `xml:",omitempty"`
		Contents              []s3ObjectXML
		CommonPrefixes        []s3CommonPrefix
	}{Xmlns: s3Namespace, Name: b.Name, Prefix: enc(prefix), Delimiter: enc(delim), MaxKeys: maxKeys,
		ContinuationToken: q.Get("continuation-token"), StartAfter: enc(startAfter), EncodingType: encodingType}
	if len(entries) > limit {
		entries = entries[:limit]
		if limit > 0 { // max-keys=0 answers an empty, untruncated page
			res.IsTruncated = true
			res.NextContinuationToken = s3EncodeToken(entries[limit-1].name)
		}
	}
	var owner *s3Owner
	if q.Get("fetch-owner") == "true" {
		owner = &s3Owner{ID: s3CanonicalUserID(b.Owner)}
	}
	for _, e := range entries {
		if e.isPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, s3CommonPrefix{Prefix: enc(e.name)})
			continue
		}
		v := e.versions[0]
		res.Contents = append(res.Contents, s3ObjectXML{Key: enc(e.name), LastModified: v.Modified.Format(s3TimeFormat),
			ETag: v.ETag, Size: len(v.Body), StorageClass: v.StorageClass, Owner: owner,
			ChecksumAlgorithm: v.ChecksumAlgorithm, ChecksumType: "FULL_OBJECT"})
	}
	res.KeyCount = len(entries)
	return s3XML(res), nil
}

type s3VersionXML struct {
	XMLName           xml.Name `xml:"Version"`
	Key               string
	VersionID         string `xml:"VersionId"`
	IsLatest          bool
	LastModified      string
	ETag              string
	Size              int
	StorageClass      string
	Owner             s3Owner
	ChecksumAlgorithm string
	ChecksumType      string
}

type s3DeleteMarkerXML struct {
	XMLName      xml.Name `xml:"DeleteMarker"`
	Key          string
	VersionID    string `xml:"VersionId"`
	IsLatest     bool
	LastModified string
	Owner        s3Owner
}

func s3ListObjectVersions(c *core.Ctx) (any, error) {
	b, err := s3Bucket(c, false)
	if err != nil {
		return nil, err
	}
	q := c.Request().URL.Query()
	enc, encodingType, err := s3Encoder(q)
	if err != nil {
		return nil, err
	}
	maxKeys, err := s3IntParam(q, "max-keys", s3DefaultMaxKeys, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keyMarker, versionMarker := q.Get("key-marker"), q.Get("version-id-marker")
	if versionMarker != "" && keyMarker == "" {
		return nil, s3InvalidArgument("version-id-marker", versionMarker, "A version-id marker cannot be specified without a key marker.")
	}

	// Flatten the listing into one item per version (or common prefix),
	// then resume after the markers.
	type item struct {
		name     string
		isPrefix bool
		v        *s3Version
		latest   bool
	}
	var items []item
	for _, e := range b.listing(prefix, delim, "", true) {
		if e.isPrefix {
			items = append(items, item{name: e.name, isPrefix: true})
			continue
		}
		for i, v := range e.versions {
			items = append(items, item{name: e.name, v: v, latest: i == 0})
		}
	}
	start := 0
	if keyMarker != "" {
		start = len(items)
		for i, it := range items {
			if it.name > keyMarker {
				start = i
				break
			}
			if versionMarker != "" && it.name == keyMarker && it.v != nil && it.v.ID == versionMarker {
				start = i + 1
				break
			}
		}
	}
	items = items[start:]

	res := struct {
		XMLName             xml.Name `xml:"ListVersionsResult"`
		Xmlns               string   `xml:"xmlns,attr"`
		Name                string
		Prefix              string
		KeyMarker           string
		VersionIDMarker     string `xml:"VersionIdMarker"`
		NextKeyMarker       string `xml:",omitempty"`
		NextVersionIDMarker string `xml:"NextVersionIdMarker,omitempty"`
		MaxKeys             int
		Delimiter           string `xml:",omitempty"`
		IsTruncated         bool
		EncodingType        string `xml:",omitempty"`
		Entries             []any  // *s3VersionXML and *s3DeleteMarkerXML, in order
		CommonPrefixes      []s3CommonPrefix
	}{Xmlns: s3Namespace, Name: b.Name, Prefix: enc(prefix), KeyMarker: enc(keyMarker), VersionIDMarker: versionMarker,
		MaxKeys: maxKeys, Delimiter: enc(delim), EncodingType: encodingType}
	limit := 0
	if maxKeys > 0 {
		limit = c.PageSize(maxKeys)
	}
	if len(items) > limit {
		items = items[:limit]
		if limit > 0 {
			last := items[limit-1]
			res.IsTruncated = true
			res.NextKeyMarker = enc(last.name)
			if last.v != nil {
				res.NextVersionIDMarker = last.v.ID
			}
		}
	}
	owner := s3Owner{ID: s3CanonicalUserID(b.Owner)}
	for _, it := range items {
		switch {
		case it.isPrefix:
			res.CommonPrefixes = append(res.CommonPrefixes, s3CommonPrefix{Prefix: enc(it.name)})
		case it.v.DeleteMarker:
			res.Entries = append(res.Entries, &s3DeleteMarkerXML{Key: enc(it.name), VersionID: it.v.ID, IsLatest: it.latest,
				LastModified: it.v.Modified.Format(s3TimeFormat), Owner: owner})
		default:
			res.Entries = append(res.Entries, &s3VersionXML{Key: enc(it.name), VersionID: it.v.ID, IsLatest: it.latest,
				LastModified: it.v.Modified.Format(s3TimeFormat), ETag: it.v.ETag, Size: len(it.v.Body),
				StorageClass: it.v.StorageClass, Owner: owner, ChecksumAlgorithm: it.v.ChecksumAlgorithm, ChecksumType: "FULL_OBJECT"})
		}
	}
	return s3XML(res), nil
}

// ---------------------------------------------------------------------------
// Request integrity

// s3ChecksumAlgorithms are S3's flexible checksum algorithms by name; the
// header carrying one is x-amz-checksum-<lower-case name>.
var s3ChecksumAlgorithms = map[string]func() hash.Hash{
	"CRC32":     func() hash.Hash { return crc32.NewIEEE() },
	"CRC32C":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"CRC64NVME": func() hash.Hash { return crc64.New(s3CRC64NVME) },
	"SHA1":      sha1.New,
	"SHA256":    sha256.New,
}

// s3CRC64NVME is the table of the NVMe CRC-64 (reversed polynomial).
var s3CRC64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// s3Checksum returns the base64 checksum of body with a flexible checksum algorithm.
func s3Checksum(alg string, body []byte) string {
	h := s3ChecksumAlgorithms[alg]()
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// s3ObjectChecksumAlgorithm is the algorithm of the checksum stored with a
// new object: the one the client sent (as a header or announced trailer, or
// named in x-amz-sdk-checksum-algorithm), else CRC64NVME, which S3 computes
// for every upload that has none.
func s3ObjectChecksumAlgorithm(r *http.Request) string {
	for alg := range s3ChecksumAlgorithms {
		if r.Header.Get("X-Amz-Checksum-"+alg) != "" {
			return alg
		}
	}
	for _, t := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
		if alg, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(t)), "X-AMZ-CHECKSUM-"); ok && s3ChecksumAlgorithms[alg] != nil {
			return alg
		}
	}
	if alg := strings.ToUpper(r.Header.Get("X-Amz-Sdk-Checksum-Algorithm")); s3ChecksumAlgorithms[alg] != nil {
		return alg
	}
	return "CRC64NVME"
}

// s3VerifyPayload checks a request's body against the integrity headers it
// carries: Content-MD5, a hex x-amz-content-sha256, the decoded length of an
// aws-chunked body and the x-amz-checksum-* headers. (Trailing checksums
// were consumed with the aws-chunked framing and are not re-checked.)
func s3VerifyPayload(c *core.Ctx) error {
	r, body := c.Request(), c.Body()
	if cm := r.Header.Get("Content-Md5"); cm != "" {
		want, err := base64.StdEncoding.DecodeString(cm)
		if err != nil || len(want) != md5.Size {
			return core.Errorf(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		if got := md5.Sum(body); !bytes.Equal(got[:], want) {
			return core.Errorf(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	if sha := r.Header.Get("X-Amz-Content-Sha256"); len(sha) == 64 {
		if got := sha256.Sum256(body); !strings.EqualFold(hex.EncodeToString(got[:]), sha) {
			return core.Errorf(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
				"The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	if dl := r.Header.Get("X-Amz-Decoded-Content-Length"); dl != "" && dl != strconv.Itoa(len(body)) {
		return core.Errorf(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
	}
	declared := 0
	for alg := range s3ChecksumAlgorithms {
		want := r.Header.Get("X-Amz-Checksum-" + alg)
		if want == "" {
			continue
		}
		if declared++; declared > 1 {
			return core.Errorf(http.StatusBadRequest, "InvalidRequest",
				"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		if want != s3Checksum(alg, body) {
			return core.Errorf(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", alg)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Snapshot

type BucketSnapshot struct {
	Region            string                    `json:"region"`
	Versioning        string                    `json:"versioning,omitempty"`
	MFADelete         string                    `json:"mfaDelete,omitempty"`
	Encryption        Encryption                `json:"encryption"`
	PublicAccessBlock *s3PublicAccessBlock      `json:"publicAccessBlock"`
	Ownership         string                    `json:"ownership,omitempty"`
	Policy            json.RawMessage           `json:"policy,omitempty"`
	Tags              map[string]string         `json:"tags,omitempty"`
	Lifecycle         *s3Lifecycle              `json:"lifecycle,omitempty"`
	Objects           map[string]ObjectSnapshot `json:"objects,omitempty"`
}

type ObjectSnapshot struct {
	Versions     int    `json:"versions"` // versions and delete markers
	SHA256       string `json:"sha256,omitempty"`
	DeleteMarker bool   `json:"deleteMarker,omitempty"` // the current version is a delete marker
}

// s3Snapshot returns each owner account's buckets by name. Object bodies
// are recorded as the SHA-256 of the current version.
func s3Snapshot(e *core.Emulator) map[string]any {
	byOwner := map[string]map[string]BucketSnapshot{}
	for name, b := range s3Buckets(e) {
		s := BucketSnapshot{
			Region: b.Region, Versioning: b.Versioning, MFADelete: b.MFADelete, Encryption: b.Encryption,
			PublicAccessBlock: b.PublicAccessBlock, Ownership: b.Ownership, Lifecycle: b.Lifecycle,
		}
		if b.Policy != "" {
			s.Policy = core.CompactJSON(b.Policy)
		}
		if len(b.Tags) > 0 {
			s.Tags = map[string]string{}
			for _, t := range b.Tags {
				s.Tags[t.Key] = t.Value
			}
		}
		if len(b.objects) > 0 {
			s.Objects = map[string]ObjectSnapshot{}
			for key, vs := range b.objects {
				cur := vs[len(vs)-1]
				o := ObjectSnapshot{Versions: len(vs), DeleteMarker: cur.DeleteMarker}
				if !cur.DeleteMarker {
					sum := sha256.Sum256(cur.Body)
					o.SHA256 = hex.EncodeToString(sum[:])
				}
				s.Objects[key] = o
			}
		}
		if byOwner[b.Owner] == nil {
			byOwner[b.Owner] = map[string]BucketSnapshot{}
		}
		byOwner[b.Owner][name] = s
	}
	out := map[string]any{}
	for id, buckets := range byOwner {
		out[id] = map[string]any{"buckets": buckets}
	}
	return out
}

// s3Buckets is the bucket namespace, global across accounts as in AWS:
// bucket name -> bucket.
func s3Buckets(e *core.Emulator) map[string]*bucket {
	return core.Global(e, "s3", func() map[string]*bucket { return map[string]*bucket{} })
}
