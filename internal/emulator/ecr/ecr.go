package ecr

// Amazon Elastic Container Registry (awsJson1_1, target prefix
// AmazonEC2ContainerRegistry_V20150921): private repositories per account
// and region, with their tag mutability (and its exclusion filters), scan
// on push, encryption (a KMS key must exist in the emulator's KMS), lifecycle
// policies (validated against AWS's documented grammar), repository
// policies and tags, and images as PutImage stores them (manifests, digests,
// tags; layers are not modeled, so a manifest's layers are never checked
// for having been uploaded).
//
// Error statuses: ECR answers every client error with HTTP 400.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/kms"
	iampolicy "github.com/awsfoundation/foundation/internal/emulator/policy"
)

func init() {
	core.Register(func() *core.Service {
		return &core.Service{
			Name:         "ecr",
			Protocol:     core.AWSJSON11,
			TargetPrefix: "AmazonEC2ContainerRegistry_V20150921",
			ErrorPrefix:  "com.amazonaws.ecr",
			Throttle:     core.APIError{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"},
			Ops: map[string]*core.Operation{
				"CreateRepository":              core.Write(ecrCreateRepository),
				"DescribeRepositories":          core.Read(ecrDescribeRepositories),
				"DeleteRepository":              core.Write(ecrDeleteRepository),
				"PutImageTagMutability":         core.Write(ecrPutImageTagMutability),
				"PutImageScanningConfiguration": core.Write(ecrPutImageScanningConfiguration),
				"PutLifecyclePolicy":            core.Write(ecrPutLifecyclePolicy),
				"GetLifecyclePolicy":            core.Read(ecrGetLifecyclePolicy),
				"DeleteLifecyclePolicy":         core.Write(ecrDeleteLifecyclePolicy),
				"SetRepositoryPolicy":           core.Write(ecrSetRepositoryPolicy),
				"GetRepositoryPolicy":           core.Read(ecrGetRepositoryPolicy),
				"DeleteRepositoryPolicy":        core.Write(ecrDeleteRepositoryPolicy),
				"TagResource":                   core.Write(ecrTagResource),
				"UntagResource":                 core.Write(ecrUntagResource),
				"ListTagsForResource":           core.Read(ecrListTagsForResource),
				"PutImage":                      core.Write(ecrPutImage),
				"BatchGetImage":                 core.Read(ecrBatchGetImage),
				"ListImages":                    core.Read(ecrListImages),
				"DescribeImages":                core.Read(ecrDescribeImages),
			},
			Snapshot: ecrSnapshot,
		}
	})
}

// Enum values and limits.
const (
	ecrMutable                = "MUTABLE"
	ecrImmutable              = "IMMUTABLE"
	ecrMutableWithExclusion   = "MUTABLE_WITH_EXCLUSION"
	ecrImmutableWithExclusion = "IMMUTABLE_WITH_EXCLUSION"

	ecrAES256  = "AES256"
	ecrKMS     = "KMS"
	ecrKMSDSSE = "KMS_DSSE"

	ecrMaxTags             = 50
	ecrMaxExclusionFilters = 5
	ecrMinLifecycleText    = 100
	ecrMaxLifecycleText    = 30720
	ecrMaxPolicyText       = 10240
	// ecrNamePattern is the repositoryName constraint of the current API
	// model (it allows "__" and runs of "-" between components).
	ecrNamePattern = `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`
)

var (
	ecrNameRe       = regexp.MustCompile(`^` + ecrNamePattern + `$`)
	ecrFilterRe     = regexp.MustCompile(`^[0-9a-zA-Z._*-]{1,128}$`)
	ecrRepoARNRe    = regexp.MustCompile(`^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)$`)
	ecrRegistryIDRe = regexp.MustCompile(`^[0-9]{12}$`)
)

// ecrRegion is one account's ECR registry in one region.
type ecrRegion struct {
	repos map[string]*ecrRepo
}

// ecrRepo is a private repository.
type ecrRepo struct {
	name, arn, uri, registry string
	created                  time.Time
	mutability               string
	exclusions               []ecrExclusionFilter
	scanOnPush               bool
	encryption               ecrEncryption
	lifecycle                string // "" = none
	policy                   string // "" = none
	tags                     map[string]string
	images                   map[string]*ecrImage // by digest
	imageTags                map[string]string    // image tag -> digest
}

// ecrImage is an image PutImage stored: its manifest and tags.
type ecrImage struct {
	digest, manifest, mediaType string
	tags                        []string // sorted
	size                        int64
	pushed                      time.Time
}

// ecrExclusionFilter is an image tag mutability exclusion filter.
type ecrExclusionFilter struct {
	FilterType string `json:"filterType"`
	Filter     string `json:"filter"`
}

// ecrEncryption is a repository's encryption configuration.
type ecrEncryption struct {
	EncryptionType string `json:"encryptionType"`
	KmsKey         string `json:"kmsKey,omitempty"`
}

// ecrTag is an ECR tag, with ECR's member names.
type ecrTag = core.Tag

// --- errors -------------------------------------------------------------------

func ecrErr(code, format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, code, format, args...)
}

func ecrInvalid(param, format string, args ...any) *core.APIError {
	return ecrErr("InvalidParameterException", "Invalid parameter at '%s' failed to satisfy constraint: '%s'", param, fmt.Sprintf(format, args...))
}

func ecrNotFound(name, registry string) *core.APIError {
	return ecrErr("RepositoryNotFoundException",
		"The repository with name '%s' does not exist in the registry with id '%s'", name, registry)
}

// --- state --------------------------------------------------------------------

func ecrState(c *core.Ctx) *ecrRegion { return ecrRegionOf(c.Account, c.Region) }

func ecrRegionOf(a *core.Account, region string) *ecrRegion {
	regions := core.State(a, "ecr", func() map[string]*ecrRegion { return map[string]*ecrRegion{} })
	r := regions[region]
	if r == nil {
		r = &ecrRegion{repos: map[string]*ecrRepo{}}
		regions[region] = r
	}
	return r
}

// ecrRegistry checks a registryId parameter: the emulator serves only the
// caller's own registry.
func ecrRegistry(c *core.Ctx, registryID string) *core.APIError {
	if registryID == "" || registryID == c.Account.ID {
		return nil
	}
	if !ecrRegistryIDRe.MatchString(registryID) {
		return ecrInvalid("registryId", "must satisfy regular expression '[0-9]{12}'")
	}
	return ecrErr("AccessDeniedException", "User: %s is not authorized to perform: ecr:%s on registry %s (emulator: only the caller's own registry is served)",
		c.Caller.ARN, c.Op, registryID)
}

// ecrManagedKeyARN is the ARN of the account's AWS managed key for ECR in
// region (alias aws/ecr), which ECR uses, and reports as the repository's
// kmsKey, when a repository is created with encryption type KMS or KMS_DSSE
// and no key (EncryptionConfiguration reference: "If no key is specified,
// the default AWS managed KMS key for Amazon ECR will be used"). The
// emulator's KMS does not model AWS managed keys, so the key itself is not
// in KMS state; its ID is a UUID-shaped hash of account and region, the
// same for every repository of the registry, as in AWS.
func ecrManagedKeyARN(region, account string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + core.HashUUID4("ecr", "aws/ecr", account, region)
}

// ecrRepoIn is the repository-naming part of most requests.
type ecrRepoIn struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
}

// ecrFind returns the named repository of the caller's registry.
func ecrFind(c *core.Ctx, in ecrRepoIn) (*ecrRepo, *core.APIError) {
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return nil, err
	}
	if err := ecrCheckName(in.RepositoryName); err != nil {
		return nil, err
	}
	repo, ok := ecrState(c).repos[in.RepositoryName]
	if !ok {
		return nil, ecrNotFound(in.RepositoryName, c.Account.ID)
	}
	return repo, nil
}

func ecrCheckName(name string) *core.APIError {
	if len(name) < 2 || len(name) > 256 {
		return ecrInvalid("repositoryName", "must have length between 2 and 256")
	}
	if !ecrNameRe.MatchString(name) {
		return ecrInvalid("repositoryName", "must satisfy regular expression '%s'", ecrNamePattern)
	}
	return nil
}

// ecrCheckMutability validates a tag mutability setting and its exclusion
// filters, which *_WITH_EXCLUSION settings require and the others forbid.
func ecrCheckMutability(mutability string, filters []ecrExclusionFilter) (string, []ecrExclusionFilter, *core.APIError) {
	if mutability == "" {
		mutability = ecrMutable
	}
	switch mutability {
	case ecrMutable, ecrImmutable:
		if len(filters) > 0 {
			return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters",
				"Image tag mutability exclusion filters can only be specified with %s or %s", ecrMutableWithExclusion, ecrImmutableWithExclusion)
		}
		return mutability, nil, nil
	case ecrMutableWithExclusion, ecrImmutableWithExclusion:
	default:
		return "", nil, ecrInvalid("imageTagMutability", "Member must satisfy enum value set: [%s, %s, %s, %s]",
			ecrMutable, ecrImmutable, ecrImmutableWithExclusion, ecrMutableWithExclusion)
	}
	if len(filters) == 0 {
		return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters",
			"Image tag mutability exclusion filters are required with %s", mutability)
	}
	if len(filters) > ecrMaxExclusionFilters {
		return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters", "Member must have length less than or equal to %d", ecrMaxExclusionFilters)
	}
	seen := map[string]bool{}
	out := make([]ecrExclusionFilter, 0, len(filters))
	for _, f := range filters {
		if f.FilterType != "WILDCARD" {
			return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters.filterType", "Member must satisfy enum value set: [WILDCARD]")
		}
		if !ecrFilterRe.MatchString(f.Filter) {
			return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters.filter", "must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$'")
		}
		if seen[f.Filter] {
			return "", nil, ecrInvalid("imageTagMutabilityExclusionFilters", "Duplicate filter '%s'", f.Filter)
		}
		seen[f.Filter] = true
		out = append(out, f)
	}
	return mutability, out, nil
}

// ecrTagRules are ECR's tag rules (CreateRepository, TagResource).
var ecrTagRules = core.TagRules{
	Checks: []core.TagCheck{core.TagKeyLength, core.TagValueLength, core.TagReserved, core.TagTooMany},
	Max:    ecrMaxTags,
	Err: func(check core.TagCheck, _ int, _ core.Tag) *core.APIError {
		switch check {
		case core.TagKeyLength:
			return ecrErr("InvalidTagParameterException", "Tag keys must be between 1 and 128 characters long.")
		case core.TagValueLength:
			return ecrErr("InvalidTagParameterException", "Tag values can have a maximum length of 256 characters.")
		case core.TagReserved:
			return ecrErr("InvalidTagParameterException", "Tag keys starting with 'aws:' are reserved for system use.")
		}
		return ecrErr("TooManyTagsException", "A repository can have at most %d tags.", ecrMaxTags)
	},
}

// --- output ---------------------------------------------------------------------

func (r *ecrRepo) out() map[string]any {
	m := map[string]any{
		"repositoryArn":              r.arn,
		"registryId":                 r.registry,
		"repositoryName":             r.name,
		"repositoryUri":              r.uri,
		"createdAt":                  core.EpochSeconds(r.created),
		"imageTagMutability":         r.mutability,
		"imageScanningConfiguration": map[string]bool{"scanOnPush": r.scanOnPush},
		"encryptionConfiguration":    r.encryption,
	}
	if len(r.exclusions) > 0 {
		m["imageTagMutabilityExclusionFilters"] = r.exclusions
	}
	return m
}

// --- repositories -------------------------------------------------------------

func ecrCreateRepository(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		Tags                               []ecrTag             `json:"tags"`
		ImageTagMutability                 string               `json:"imageTagMutability"`
		ImageTagMutabilityExclusionFilters []ecrExclusionFilter `json:"imageTagMutabilityExclusionFilters"`
		ImageScanningConfiguration         *struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
		EncryptionConfiguration *ecrEncryption `json:"encryptionConfiguration"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return nil, err
	}
	if err := ecrCheckName(in.RepositoryName); err != nil {
		return nil, err
	}
	mutability, filters, apiErr := ecrCheckMutability(in.ImageTagMutability, in.ImageTagMutabilityExclusionFilters)
	if apiErr != nil {
		return nil, apiErr
	}
	tags, apiErr := ecrTagRules.Merge(nil, in.Tags)
	if apiErr != nil {
		return nil, apiErr
	}
	enc := ecrEncryption{EncryptionType: ecrAES256}
	if in.EncryptionConfiguration != nil {
		enc = *in.EncryptionConfiguration
		switch enc.EncryptionType {
		case ecrAES256:
			if enc.KmsKey != "" {
				return nil, ecrInvalid("encryptionConfiguration", "kmsKey can only be specified when encryptionType is KMS or KMS_DSSE")
			}
		case ecrKMS, ecrKMSDSSE:
			if enc.KmsKey == "" {
				enc.KmsKey = ecrManagedKeyARN(c.Region, c.Account.ID)
			} else {
				if len(enc.KmsKey) > 2048 {
					return nil, ecrInvalid("encryptionConfiguration.kmsKey", "Member must have length less than or equal to 2048")
				}
				arn, code := kms.KeyUsable(c.Emu, c.Account, c.Region, enc.KmsKey)
				if code != "" {
					e := ecrErr("KmsException", "KMS key %s cannot be used to encrypt the repository: %s", enc.KmsKey, code)
					e.Extra = map[string]string{"kmsError": code}
					return nil, e
				}
				// ECR stores the key ARN whichever way the key was named.
				enc.KmsKey = arn
			}
		default:
			return nil, ecrInvalid("encryptionConfiguration.encryptionType", "Member must satisfy enum value set: [%s, %s, %s]", ecrAES256, ecrKMS, ecrKMSDSSE)
		}
	}
	r := ecrState(c)
	if _, ok := r.repos[in.RepositoryName]; ok {
		return nil, ecrErr("RepositoryAlreadyExistsException",
			"The repository with name '%s' already exists in the registry with id '%s'", in.RepositoryName, c.Account.ID)
	}
	repo := &ecrRepo{
		name:       in.RepositoryName,
		arn:        "arn:aws:ecr:" + c.Region + ":" + c.Account.ID + ":repository/" + in.RepositoryName,
		uri:        c.Account.ID + ".dkr.ecr." + c.Region + ".amazonaws.com/" + in.RepositoryName,
		registry:   c.Account.ID,
		created:    c.Emu.Now(),
		mutability: mutability, exclusions: filters,
		scanOnPush: in.ImageScanningConfiguration != nil && in.ImageScanningConfiguration.ScanOnPush,
		encryption: enc,
		tags:       tags,
	}
	r.repos[repo.name] = repo
	return map[string]any{"repository": repo.out()}, nil
}

func ecrDescribeRepositories(c *core.Ctx) (any, error) {
	var in struct {
		RegistryID      string   `json:"registryId"`
		RepositoryNames []string `json:"repositoryNames"`
		NextToken       string   `json:"nextToken"`
		MaxResults      *int     `json:"maxResults"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return nil, err
	}
	r := ecrState(c)
	if len(in.RepositoryNames) > 0 {
		if in.NextToken != "" || in.MaxResults != nil {
			return nil, ecrInvalid("repositoryNames", "nextToken and maxResults cannot be used with repositoryNames")
		}
		if len(in.RepositoryNames) > 100 {
			return nil, ecrInvalid("repositoryNames", "Member must have length less than or equal to 100")
		}
		out := []map[string]any{}
		seen := map[string]bool{}
		for _, name := range in.RepositoryNames {
			repo, err := ecrFind(c, ecrRepoIn{RepositoryName: name})
			if err != nil {
				return nil, err
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, repo.out())
			}
		}
		return map[string]any{"repositories": out}, nil
	}
	page, next, err := core.Paginate(c, core.SortedKeys(r.repos), func(s string) string { return s }, in.NextToken, in.MaxResults, ecrPaging)
	if err != nil {
		return nil, err
	}
	repos := []map[string]any{}
	for _, name := range page {
		repos = append(repos, r.repos[name].out())
	}
	out := map[string]any{"repositories": repos}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func ecrDeleteRepository(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		Force bool `json:"force"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if len(repo.images) > 0 && !in.Force {
		return nil, ecrErr("RepositoryNotEmptyException",
			"The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", repo.name, repo.registry)
	}
	delete(ecrState(c).repos, repo.name)
	return map[string]any{"repository": repo.out()}, nil
}

func ecrPutImageTagMutability(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		ImageTagMutability                 string               `json:"imageTagMutability"`
		ImageTagMutabilityExclusionFilters []ecrExclusionFilter `json:"imageTagMutabilityExclusionFilters"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if in.ImageTagMutability == "" {
		return nil, ecrInvalid("imageTagMutability", "Member must not be null")
	}
	mutability, filters, err := ecrCheckMutability(in.ImageTagMutability, in.ImageTagMutabilityExclusionFilters)
	if err != nil {
		return nil, err
	}
	repo.mutability, repo.exclusions = mutability, filters
	out := map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "imageTagMutability": mutability}
	if len(filters) > 0 {
		out["imageTagMutabilityExclusionFilters"] = filters
	}
	return out, nil
}

func ecrPutImageScanningConfiguration(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		ImageScanningConfiguration *struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if in.ImageScanningConfiguration == nil {
		return nil, ecrInvalid("imageScanningConfiguration", "Member must not be null")
	}
	repo.scanOnPush = in.ImageScanningConfiguration.ScanOnPush
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name,
		"imageScanningConfiguration": map[string]bool{"scanOnPush": repo.scanOnPush}}, nil
}

// --- lifecycle policies -------------------------------------------------------

// ecrLifecycleInvalid is the error for a lifecycle policy that fails
// validation.
func ecrLifecycleInvalid(format string, args ...any) *core.APIError {
	return ecrInvalid("LifecyclePolicyText", "Lifecycle policy validation failure: %s", fmt.Sprintf(format, args...))
}

// ecrObject decodes a JSON object, keeping numbers as json.Number, and
// refuses keys outside allowed (the lifecycle policy schema allows no
// additional properties).
func ecrObject(raw any, what string, allowed ...string) (map[string]any, *core.APIError) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, ecrLifecycleInvalid("%s must be an object", what)
	}
	var extra []string
	for k := range m {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			extra = append(extra, `"`+k+`"`)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, ecrLifecycleInvalid("object instance has properties which are not allowed by the schema: [%s] (%s)", strings.Join(extra, ","), what)
	}
	return m, nil
}

// ecrPositiveInt reads a required integer of at least 1.
func ecrPositiveInt(m map[string]any, key, what string) (int64, *core.APIError) {
	v, ok := m[key]
	if !ok {
		return 0, ecrLifecycleInvalid("object has missing required properties ([\"%s\"]) (%s)", key, what)
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, ecrLifecycleInvalid("%s.%s must be an integer", what, key)
	}
	i, err := n.Int64()
	if err != nil || i < 1 {
		return 0, ecrLifecycleInvalid("%s.%s must be an integer greater than or equal to 1, got %s", what, key, n)
	}
	return i, nil
}

// ecrStrings reads an optional list of non-empty strings.
func ecrStrings(m map[string]any, key, what string) ([]string, bool, *core.APIError) {
	v, ok := m[key]
	if !ok {
		return nil, false, nil
	}
	l, isList := v.([]any)
	if !isList || len(l) == 0 {
		return nil, true, ecrLifecycleInvalid("%s.%s must be a non-empty array of strings", what, key)
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, isStr := x.(string)
		if !isStr || s == "" {
			return nil, true, ecrLifecycleInvalid("%s.%s must be a non-empty array of strings", what, key)
		}
		out = append(out, s)
	}
	return out, true, nil
}

// ecrCheckLifecyclePolicy validates a lifecycle policy as ECR documents it:
// rules with unique positive rulePriority, a selection (tagStatus tagged,
// untagged or any; tagged rules name tagPrefixList or tagPatternList;
// countType imageCountMoreThan, or sinceImagePushed / sinceImagePulled /
// sinceImageTransitioned with countUnit days; countNumber >= 1; an optional
// storageClass) and an action (expire, or transition to archive). A rule
// with tagStatus any must have the highest rulePriority.
func ecrCheckLifecyclePolicy(text string) *core.APIError {
	if n := utf8.RuneCountInString(text); n < ecrMinLifecycleText || n > ecrMaxLifecycleText {
		return ecrInvalid("lifecyclePolicyText", "Member must have length between %d and %d", ecrMinLifecycleText, ecrMaxLifecycleText)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return ecrLifecycleInvalid("the policy is not a valid JSON document")
	}
	top, err := ecrObject(doc, "policy", "rules")
	if err != nil {
		return err
	}
	rawRules, ok := top["rules"].([]any)
	if !ok {
		return ecrLifecycleInvalid("object has missing required properties ([\"rules\"])")
	}
	if len(rawRules) == 0 {
		return ecrLifecycleInvalid("rules must contain at least one rule")
	}
	priorities := map[int64]bool{}
	var maxPriority, anyPriority int64
	anyRules := 0
	for i, raw := range rawRules {
		what := fmt.Sprintf("rules[%d]", i)
		rule, err := ecrObject(raw, what, "rulePriority", "description", "selection", "action")
		if err != nil {
			return err
		}
		prio, err := ecrPositiveInt(rule, "rulePriority", what)
		if err != nil {
			return err
		}
		if priorities[prio] {
			return ecrLifecycleInvalid("rulePriority %d is used by more than one rule; rule priorities must be unique", prio)
		}
		priorities[prio] = true
		maxPriority = max(maxPriority, prio)
		if d, ok := rule["description"]; ok {
			if _, isStr := d.(string); !isStr {
				return ecrLifecycleInvalid("%s.description must be a string", what)
			}
		}
		for _, req := range []string{"selection", "action"} {
			if _, ok := rule[req]; !ok {
				return ecrLifecycleInvalid("object has missing required properties ([\"%s\"]) (%s)", req, what)
			}
		}
		sel, err := ecrObject(rule["selection"], what+".selection",
			"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber", "storageClass")
		if err != nil {
			return err
		}
		status, _ := sel["tagStatus"].(string)
		_, hasPrefixes, err := ecrStrings(sel, "tagPrefixList", what+".selection")
		if err != nil {
			return err
		}
		patterns, hasPatterns, err := ecrStrings(sel, "tagPatternList", what+".selection")
		if err != nil {
			return err
		}
		switch status {
		case "tagged":
			if hasPrefixes == hasPatterns {
				return ecrLifecycleInvalid("%s: a rule with tagStatus tagged must specify exactly one of tagPrefixList and tagPatternList", what)
			}
			for _, p := range patterns {
				if strings.Count(p, "*") > 4 {
					return ecrLifecycleInvalid("%s: tag pattern %q has more than 4 wildcards", what, p)
				}
			}
		case "untagged", "any":
			if hasPrefixes || hasPatterns {
				return ecrLifecycleInvalid("%s: tagPrefixList and tagPatternList can only be used with tagStatus tagged", what)
			}
			if status == "any" {
				anyRules++
				anyPriority = prio
			}
		case "":
			return ecrLifecycleInvalid("object has missing required properties ([\"tagStatus\"]) (%s.selection)", what)
		default:
			return ecrLifecycleInvalid("%s.selection.tagStatus: instance value (%q) not found in enum (possible values: [\"tagged\",\"untagged\",\"any\"])", what, status)
		}
		countType, _ := sel["countType"].(string)
		unit, hasUnit := sel["countUnit"]
		switch countType {
		case "imageCountMoreThan":
			if hasUnit {
				return ecrLifecycleInvalid("%s: countUnit cannot be used with countType imageCountMoreThan", what)
			}
		case "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned":
			if unit != "days" {
				return ecrLifecycleInvalid("%s: countType %s requires countUnit \"days\"", what, countType)
			}
		case "":
			return ecrLifecycleInvalid("object has missing required properties ([\"countType\"]) (%s.selection)", what)
		default:
			return ecrLifecycleInvalid("%s.selection.countType: instance value (%q) not found in enum (possible values: [\"imageCountMoreThan\",\"sinceImagePushed\",\"sinceImagePulled\",\"sinceImageTransitioned\"])", what, countType)
		}
		if _, err := ecrPositiveInt(sel, "countNumber", what+".selection"); err != nil {
			return err
		}
		storage, hasStorage := sel["storageClass"]
		if hasStorage && storage != "standard" && storage != "archive" {
			return ecrLifecycleInvalid("%s.selection.storageClass must be \"standard\" or \"archive\"", what)
		}
		action, err := ecrObject(rule["action"], what+".action", "type", "targetStorageClass")
		if err != nil {
			return err
		}
		target, hasTarget := action["targetStorageClass"]
		switch action["type"] {
		case "expire":
			if hasTarget {
				return ecrLifecycleInvalid("%s: targetStorageClass can only be used with action type transition", what)
			}
		case "transition":
			if target != "archive" {
				return ecrLifecycleInvalid("%s: action type transition requires targetStorageClass \"archive\"", what)
			}
		case nil:
			return ecrLifecycleInvalid("object has missing required properties ([\"type\"]) (%s.action)", what)
		default:
			return ecrLifecycleInvalid("%s.action.type: instance value (%v) not found in enum (possible values: [\"expire\",\"transition\"])", what, action["type"])
		}
	}
	if anyRules > 1 {
		return ecrLifecycleInvalid("only one rule can have tagStatus any")
	}
	if anyRules == 1 && anyPriority != maxPriority {
		return ecrLifecycleInvalid("the rule with tagStatus any must have the highest rulePriority")
	}
	return nil
}

func ecrPutLifecyclePolicy(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		LifecyclePolicyText string `json:"lifecyclePolicyText"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if err := ecrCheckLifecyclePolicy(in.LifecyclePolicyText); err != nil {
		return nil, err
	}
	repo.lifecycle = in.LifecyclePolicyText
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "lifecyclePolicyText": repo.lifecycle}, nil
}

func ecrLifecycleOf(c *core.Ctx) (*ecrRepo, *core.APIError) {
	var in ecrRepoIn
	if err := c.JSON(&in); err != nil {
		return nil, err.(*core.APIError)
	}
	repo, err := ecrFind(c, in)
	if err != nil {
		return nil, err
	}
	if repo.lifecycle == "" {
		return nil, ecrErr("LifecyclePolicyNotFoundException",
			"Lifecycle policy does not exist for the repository with name '%s' in the registry with id '%s'", repo.name, repo.registry)
	}
	return repo, nil
}

func ecrGetLifecyclePolicy(c *core.Ctx) (any, error) {
	repo, err := ecrLifecycleOf(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "lifecyclePolicyText": repo.lifecycle}, nil
}

func ecrDeleteLifecyclePolicy(c *core.Ctx) (any, error) {
	repo, err := ecrLifecycleOf(c)
	if err != nil {
		return nil, err
	}
	text := repo.lifecycle
	repo.lifecycle = ""
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "lifecyclePolicyText": text}, nil
}

// --- repository policies ------------------------------------------------------

// ecrCheckRepositoryPolicy validates a repository policy: a JSON policy
// whose statements name principals, which must exist; unless forced, it
// must not deny the caller a later SetRepositoryPolicy.
func ecrCheckRepositoryPolicy(c *core.Ctx, text string, force bool) *core.APIError {
	invalid := ecrInvalid("PolicyText", "Invalid repository policy provided")
	if text == "" {
		return ecrInvalid("policyText", "Member must not be null")
	}
	if len(text) > ecrMaxPolicyText {
		return ecrInvalid("policyText", "Member must have length less than or equal to %d", ecrMaxPolicyText)
	}
	doc, msg := kms.ParsePolicy(text)
	if msg != "" || !kms.PrincipalsExist(c.Emu, doc) {
		return invalid
	}
	if force {
		return nil
	}
	for _, st := range doc.Statement {
		if st.Effect != "Deny" || len(st.Condition) > 0 {
			continue
		}
		if (len(st.Action) > 0 && !iampolicy.AnyGlob(st.Action, "ecr:SetRepositoryPolicy", true)) ||
			(len(st.NotAction) > 0 && iampolicy.AnyGlob(st.NotAction, "ecr:SetRepositoryPolicy", true)) {
			continue
		}
		if (st.Principal != nil && iampolicy.PrincipalMatches(st.Principal, c.Caller)) ||
			(st.NotPrincipal != nil && !iampolicy.PrincipalMatches(st.NotPrincipal, c.Caller)) {
			return ecrInvalid("PolicyText", "The repository policy would prevent you from setting another policy in the future; use force to set it anyway")
		}
	}
	return nil
}

func ecrSetRepositoryPolicy(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		PolicyText string `json:"policyText"`
		Force      bool   `json:"force"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if err := ecrCheckRepositoryPolicy(c, in.PolicyText, in.Force); err != nil {
		return nil, err
	}
	repo.policy = in.PolicyText
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "policyText": repo.policy}, nil
}

func ecrPolicyOf(c *core.Ctx) (*ecrRepo, *core.APIError) {
	var in ecrRepoIn
	if err := c.JSON(&in); err != nil {
		return nil, err.(*core.APIError)
	}
	repo, err := ecrFind(c, in)
	if err != nil {
		return nil, err
	}
	if repo.policy == "" {
		return nil, ecrErr("RepositoryPolicyNotFoundException",
			"Repository policy does not exist for the repository with name '%s' in the registry with id '%s'", repo.name, repo.registry)
	}
	return repo, nil
}

func ecrGetRepositoryPolicy(c *core.Ctx) (any, error) {
	repo, err := ecrPolicyOf(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "policyText": repo.policy}, nil
}

func ecrDeleteRepositoryPolicy(c *core.Ctx) (any, error) {
	repo, err := ecrPolicyOf(c)
	if err != nil {
		return nil, err
	}
	text := repo.policy
	repo.policy = ""
	return map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "policyText": text}, nil
}

// --- tags ---------------------------------------------------------------------

// ecrByARN resolves a repository ARN of the caller's registry.
func ecrByARN(c *core.Ctx, arn string) (*ecrRepo, *core.APIError) {
	m := ecrRepoARNRe.FindStringSubmatch(arn)
	if m == nil {
		return nil, ecrInvalid("resourceArn", "Invalid ARN %s", arn)
	}
	region, acct, name := m[1], m[2], m[3]
	if acct != c.Account.ID || region != c.Region {
		return nil, ecrNotFound(name, acct)
	}
	repo, ok := ecrState(c).repos[name]
	if !ok {
		return nil, ecrNotFound(name, acct)
	}
	return repo, nil
}

func ecrTagResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		Tags        []ecrTag `json:"tags"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrByARN(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := ecrTagRules.Merge(repo.tags, in.Tags)
	if err != nil {
		return nil, err
	}
	repo.tags = tags
	return nil, nil
}

func ecrUntagResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrByARN(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, ecrErr("InvalidTagParameterException", "Tag keys starting with 'aws:' are reserved for system use.")
		}
	}
	for _, k := range in.TagKeys {
		delete(repo.tags, k)
	}
	return nil, nil
}

func ecrListTagsForResource(c *core.Ctx) (any, error) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrByARN(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := []ecrTag{}
	for _, k := range core.SortedKeys(repo.tags) {
		tags = append(tags, ecrTag{Key: k, Value: repo.tags[k]})
	}
	return map[string]any{"tags": tags}, nil
}

// --- images ---------------------------------------------------------------------

const (
	ecrDockerManifestV2 = "application/vnd.docker.distribution.manifest.v2+json"
	ecrOCIManifest      = "application/vnd.oci.image.manifest.v1+json"
	ecrMaxManifest      = 4194304
)

var ecrTagRe = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,299}$`)

// ecrTagImmutable reports whether the repository's settings make tag
// immutable: IMMUTABLE, or MUTABLE_WITH_EXCLUSION with a matching filter;
// IMMUTABLE_WITH_EXCLUSION makes the tags its filters match mutable.
func (r *ecrRepo) ecrTagImmutable(tag string) bool {
	matched := false
	for _, f := range r.exclusions {
		if iampolicy.Glob(f.Filter, tag, false) {
			matched = true
			break
		}
	}
	switch r.mutability {
	case ecrImmutable:
		return true
	case ecrImmutableWithExclusion:
		return !matched
	case ecrMutableWithExclusion:
		return matched
	}
	return false
}

func (img *ecrImage) id(tag string) map[string]string {
	id := map[string]string{"imageDigest": img.digest}
	if tag != "" {
		id["imageTag"] = tag
	}
	return id
}

// ecrPutImage stores an image manifest as PutImage does: the digest is the
// sha256 of the manifest bytes; the media type is the request's, else the
// manifest's own mediaType. Pushing a manifest and tag already there is
// ImageAlreadyExistsException; moving an immutable tag to another digest is
// ImageTagAlreadyExistsException; moving a mutable tag leaves the image it
// came from with its other tags (or untagged).
func ecrPutImage(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		ImageManifest          string `json:"imageManifest"`
		ImageManifestMediaType string `json:"imageManifestMediaType"`
		ImageTag               string `json:"imageTag"`
		ImageDigest            string `json:"imageDigest"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if in.ImageManifest == "" || len(in.ImageManifest) > ecrMaxManifest {
		return nil, ecrInvalid("imageManifest", "Member must have length between 1 and %d", ecrMaxManifest)
	}
	if in.ImageTag != "" && !ecrTagRe.MatchString(in.ImageTag) {
		return nil, ecrInvalid("imageTag", "Invalid image tag '%s'", in.ImageTag)
	}
	var manifest struct {
		SchemaVersion int    `json:"schemaVersion"`
		MediaType     string `json:"mediaType"`
		Layers        []struct {
			Size int64 `json:"size"`
		} `json:"layers"`
	}
	if json.Unmarshal([]byte(in.ImageManifest), &manifest) != nil {
		return nil, ecrInvalid("ImageManifest", "Invalid JSON syntax")
	}
	mediaType := in.ImageManifestMediaType
	if mediaType == "" {
		mediaType = manifest.MediaType
	}
	if mediaType == "" {
		mediaType = ecrOCIManifest
	}
	if manifest.MediaType != "" && in.ImageManifestMediaType != "" && manifest.MediaType != in.ImageManifestMediaType {
		return nil, ecrInvalid("imageManifestMediaType", "Manifest MediaType '%s' does not match imageManifestMediaType '%s'", manifest.MediaType, in.ImageManifestMediaType)
	}
	sum := sha256.Sum256([]byte(in.ImageManifest))
	digest := "sha256:" + hex.EncodeToString(sum[:])
	if in.ImageDigest != "" && in.ImageDigest != digest {
		return nil, ecrErr("ImageDigestDoesNotMatchException",
			"Invalid parameter at 'imageDigest' failed to satisfy constraint: 'Provided digest %s does not match the calculated digest of the manifest %s'", in.ImageDigest, digest)
	}
	if repo.images == nil {
		repo.images, repo.imageTags = map[string]*ecrImage{}, map[string]string{}
	}
	img := repo.images[digest]
	if img != nil && (in.ImageTag == "" || repo.imageTags[in.ImageTag] == digest) {
		return nil, ecrErr("ImageAlreadyExistsException",
			"Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'",
			digest, in.ImageTag, repo.name, repo.registry)
	}
	if in.ImageTag != "" {
		if old, ok := repo.imageTags[in.ImageTag]; ok && old != digest {
			if repo.ecrTagImmutable(in.ImageTag) {
				return nil, ecrErr("ImageTagAlreadyExistsException",
					"The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the tag is immutable.", in.ImageTag, repo.name)
			}
			prev := repo.images[old]
			prev.tags = slices.DeleteFunc(prev.tags, func(t string) bool { return t == in.ImageTag })
		}
	}
	if img == nil {
		var size int64
		for _, l := range manifest.Layers {
			size += l.Size
		}
		img = &ecrImage{digest: digest, manifest: in.ImageManifest, mediaType: mediaType, size: size, pushed: c.Emu.Now()}
		repo.images[digest] = img
	}
	if in.ImageTag != "" {
		repo.imageTags[in.ImageTag] = digest
		img.tags = append(img.tags, in.ImageTag)
		sort.Strings(img.tags)
	}
	return map[string]any{"image": map[string]any{
		"registryId": repo.registry, "repositoryName": repo.name, "imageId": img.id(in.ImageTag),
		"imageManifest": img.manifest, "imageManifestMediaType": img.mediaType}}, nil
}

// ecrImageID is an ImageIdentifier of a request.
type ecrImageID struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

// ecrResolve finds the image an identifier names, or the failure code
// BatchGetImage reports for it.
func (r *ecrRepo) ecrResolve(id ecrImageID) (*ecrImage, string, string) {
	switch {
	case id.ImageDigest == "" && id.ImageTag == "":
		return nil, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"
	case id.ImageTag != "":
		d, ok := r.imageTags[id.ImageTag]
		if !ok {
			return nil, "ImageNotFound", "Requested image not found"
		}
		if id.ImageDigest != "" && id.ImageDigest != d {
			return nil, "ImageTagDoesNotMatchDigest", "Invalid request parameters: given tag does not map to the given digest"
		}
		return r.images[d], "", ""
	}
	img, ok := r.images[id.ImageDigest]
	if !ok {
		return nil, "ImageNotFound", "Requested image not found"
	}
	return img, "", ""
}

func ecrBatchGetImage(c *core.Ctx) (any, error) {
	var in struct {
		ecrRepoIn
		ImageIds []ecrImageID `json:"imageIds"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	if len(in.ImageIds) < 1 || len(in.ImageIds) > 100 {
		return nil, ecrInvalid("imageIds", "Member must have length between 1 and 100")
	}
	images, failures := []map[string]any{}, []map[string]any{}
	for _, id := range in.ImageIds {
		img, code, reason := repo.ecrResolve(id)
		if img == nil {
			failures = append(failures, map[string]any{"imageId": id, "failureCode": code, "failureReason": reason})
			continue
		}
		images = append(images, map[string]any{"registryId": repo.registry, "repositoryName": repo.name,
			"imageId": img.id(id.ImageTag), "imageManifest": img.manifest, "imageManifestMediaType": img.mediaType})
	}
	return map[string]any{"images": images, "failures": failures}, nil
}

// ecrImageList is the paginated, tagStatus-filtered input of ListImages and
// DescribeImages.
type ecrImageList struct {
	ecrRepoIn
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
	Filter     *struct {
		TagStatus string `json:"tagStatus"`
	} `json:"filter"`
}

// ecrPaging is how ECR list operations reject a maxResults or nextToken.
var ecrPaging = core.Paging{
	Max:      1000,
	BadLimit: func(int) *core.APIError { return ecrInvalid("maxResults", "Member must have value between 1 and 1000") },
	BadToken: func() *core.APIError { return ecrInvalid("nextToken", "Invalid pagination token") },
}

func (in *ecrImageList) wants(tagged bool) (bool, *core.APIError) {
	status := "ANY"
	if in.Filter != nil && in.Filter.TagStatus != "" {
		status = in.Filter.TagStatus
	}
	switch status {
	case "ANY":
		return true, nil
	case "TAGGED":
		return tagged, nil
	case "UNTAGGED":
		return !tagged, nil
	}
	return false, ecrInvalid("filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]")
}

// ecrListImages lists one image ID per tag, and one for each untagged image.
func ecrListImages(c *core.Ctx) (any, error) {
	var in ecrImageList
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	ids := map[string]map[string]string{} // page key -> image ID
	for d, img := range repo.images {
		ok, err := in.wants(len(img.tags) > 0)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(img.tags) == 0 {
			ids[d+"\x00"] = img.id("")
		}
		for _, t := range img.tags {
			ids[d+"\x00"+t] = img.id(t)
		}
	}
	page, next, err := core.Paginate(c, core.SortedKeys(ids), func(s string) string { return s }, in.NextToken, in.MaxResults, ecrPaging)
	if err != nil {
		return nil, err
	}
	out := []map[string]string{}
	for _, k := range page {
		out = append(out, ids[k])
	}
	res := map[string]any{"imageIds": out}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

func ecrDescribeImages(c *core.Ctx) (any, error) {
	var in struct {
		ecrImageList
		ImageIds []ecrImageID `json:"imageIds"`
	}
	if err := c.JSON(&in); err != nil {
		return nil, err
	}
	repo, err := ecrFind(c, in.ecrRepoIn)
	if err != nil {
		return nil, err
	}
	detail := func(img *ecrImage) map[string]any {
		m := map[string]any{"registryId": repo.registry, "repositoryName": repo.name, "imageDigest": img.digest,
			"imageSizeInBytes": img.size, "imagePushedAt": core.EpochSeconds(img.pushed), "imageManifestMediaType": img.mediaType}
		if len(img.tags) > 0 {
			m["imageTags"] = img.tags
		}
		return m
	}
	details := []map[string]any{}
	if len(in.ImageIds) > 0 {
		for _, id := range in.ImageIds {
			img, code, _ := repo.ecrResolve(id)
			if img == nil {
				if code == "ImageNotFound" {
					return nil, ecrErr("ImageNotFoundException", "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '%s'",
						id.ImageDigest, id.ImageTag, repo.name, repo.registry)
				}
				return nil, ecrInvalid("imageIds", "%s", code)
			}
			details = append(details, detail(img))
		}
		return map[string]any{"imageDetails": details}, nil
	}
	var digests []string
	for d, img := range repo.images {
		ok, err := in.wants(len(img.tags) > 0)
		if err != nil {
			return nil, err
		}
		if ok {
			digests = append(digests, d)
		}
	}
	sort.Strings(digests)
	page, next, err := core.Paginate(c, digests, func(s string) string { return s }, in.NextToken, in.MaxResults, ecrPaging)
	if err != nil {
		return nil, err
	}
	for _, d := range page {
		details = append(details, detail(repo.images[d]))
	}
	res := map[string]any{"imageDetails": details}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

// --- snapshot -------------------------------------------------------------------

// ecrSnapshot lists each account's repositories per region by name, with
// policies as canonical JSON and no timestamps.
func ecrSnapshot(e *core.Emulator) map[string]any {
	out := map[string]any{}
	for _, a := range e.AllAccounts() {
		id := a.ID
		regions := map[string]any{}
		for region, r := range core.Slot[map[string]*ecrRegion](a, "ecr") {
			if len(r.repos) == 0 {
				continue
			}
			repos := map[string]any{}
			for name, repo := range r.repos {
				entry := map[string]any{
					"imageTagMutability": repo.mutability,
					"scanOnPush":         repo.scanOnPush,
					"encryption":         repo.encryption,
				}
				if len(repo.exclusions) > 0 {
					entry["imageTagMutabilityExclusionFilters"] = repo.exclusions
				}
				if repo.lifecycle != "" {
					entry["lifecyclePolicy"] = ecrCanonicalJSON(repo.lifecycle)
				}
				if repo.policy != "" {
					entry["repositoryPolicy"] = core.CompactJSON(repo.policy)
				}
				if len(repo.tags) > 0 {
					entry["tags"] = repo.tags
				}
				if len(repo.images) > 0 {
					images := map[string]any{}
					for d, img := range repo.images {
						images[d] = map[string]any{"tags": img.tags, "mediaType": img.mediaType}
					}
					entry["images"] = images
				}
				repos[name] = entry
			}
			regions[region] = map[string]any{"repositories": repos}
		}
		if len(regions) > 0 {
			out[id] = regions
		}
	}
	return out
}

// ecrCanonicalJSON compacts a JSON document with sorted keys, keeping
// numbers as written.
func ecrCanonicalJSON(s string) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(v)
	return b
}
