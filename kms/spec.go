package kms

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "kms"

// DefaultRotationPeriodInDays is applied to a zero
// Spec.RotationPeriodInDays: AWS's default, rotate yearly.
const DefaultRotationPeriodInDays = 365

// Limits KMS enforces.
const (
	MinRotationPeriodInDays = 90
	MaxRotationPeriodInDays = 2560
	MaxDescriptionLength    = 8192
	MaxAliasLength          = 256
	maxTags                 = 50
)

// AliasTagKey is the tag EnsureKey puts on every key it creates, with the
// alias as value. When a run stopped between CreateKey and CreateAlias, the
// next run finds the key by this tag and adopts it instead of creating a
// second one. Spec.Tags must not set it.
const AliasTagKey = "foundation:alias"

// Spec is the KMS key wanted, found by its alias.
type Spec struct {
	// Alias names the key ("alias/prod-us-east-1-main"). Required:
	// "alias/" followed by letters, digits, "/", "_" and "-", at most 256
	// characters, not "alias/aws/..." (reserved for AWS managed keys).
	Alias string
	// Description of the key (at most 8192 characters).
	Description string
	// Policy builds the key policy. The key's policy is converged on it:
	// statements added by hand are removed (the key policy is the root of
	// access to the key; add them through Policy.Statements).
	Policy KeyPolicy

	// KeySpec is the key's type; default SYMMETRIC_DEFAULT. It cannot be
	// changed after creation.
	KeySpec types.KeySpec
	// KeyUsage defaults to the first usage KMS allows for KeySpec:
	// ENCRYPT_DECRYPT for SYMMETRIC_DEFAULT, RSA and SM2 keys, SIGN_VERIFY
	// for ECC and ML-DSA keys, GENERATE_VERIFY_MAC for HMAC keys and
	// ENCAPSULATE_DECAPSULATE for ML-KEM keys. It cannot be changed after
	// creation.
	KeyUsage types.KeyUsageType

	// DisableRotation turns automatic rotation off. Default: on, for the
	// symmetric encryption keys that support it (Security Hub KMS.4);
	// other key specs do not rotate.
	DisableRotation bool
	// RotationPeriodInDays is the rotation period, 90 to 2560 days;
	// default 365.
	RotationPeriodInDays int

	// Reenable enables the key when it is Disabled. Without it a disabled
	// key is a *KeyStateError: someone disabled it on purpose.
	Reenable bool
	// CancelDeletion cancels the scheduled deletion of a key that is
	// PendingDeletion, and enables it. Without it such a key is a
	// *KeyStateError.
	CancelDeletion bool

	// Tags are put on the key. Tags with other keys already on it are kept.
	// A key EnsureKey creates also carries managed-by=foundation
	// (foundation.ManagedByTagKey), which Tags may not set to another
	// value, and AliasTagKey.
	Tags map[string]string

	// Adopt converges a key made outside this library (no
	// managed-by=foundation tag) that the alias names as the spec says,
	// without taking it over: it is never tagged managed-by=foundation, and
	// never pruned (the statements of its key policy that the spec does not
	// have, by Sid, are kept). Without Adopt such a key is a
	// *foundation.NotManagedError, before any write.
	Adopt bool
}

func (s Spec) withDefaults() Spec {
	if s.KeySpec == "" {
		s.KeySpec = types.KeySpecSymmetricDefault
	}
	if s.KeyUsage == "" {
		s.KeyUsage = defaultUsage(s.KeySpec)
	}
	if s.RotationPeriodInDays == 0 && s.wantRotation() {
		s.RotationPeriodInDays = DefaultRotationPeriodInDays
	}
	return s
}

// rotates reports whether the key supports automatic rotation: symmetric
// encryption keys only.
func (s Spec) rotates() bool {
	return s.KeySpec == types.KeySpecSymmetricDefault && s.KeyUsage == types.KeyUsageTypeEncryptDecrypt
}

func (s Spec) wantRotation() bool { return s.rotates() && !s.DisableRotation }

// usages lists the key usages KMS accepts for each key spec.
var usages = map[types.KeySpec][]types.KeyUsageType{
	types.KeySpecSymmetricDefault:    {types.KeyUsageTypeEncryptDecrypt},
	types.KeySpecRsa2048:             {types.KeyUsageTypeEncryptDecrypt, types.KeyUsageTypeSignVerify},
	types.KeySpecRsa3072:             {types.KeyUsageTypeEncryptDecrypt, types.KeyUsageTypeSignVerify},
	types.KeySpecRsa4096:             {types.KeyUsageTypeEncryptDecrypt, types.KeyUsageTypeSignVerify},
	types.KeySpecEccNistP256:         {types.KeyUsageTypeSignVerify, types.KeyUsageTypeKeyAgreement},
	types.KeySpecEccNistP384:         {types.KeyUsageTypeSignVerify, types.KeyUsageTypeKeyAgreement},
	types.KeySpecEccNistP521:         {types.KeyUsageTypeSignVerify, types.KeyUsageTypeKeyAgreement},
	types.KeySpecEccSecgP256k1:       {types.KeyUsageTypeSignVerify},
	types.KeySpecEccNistEdwards25519: {types.KeyUsageTypeSignVerify},
	types.KeySpecHmac224:             {types.KeyUsageTypeGenerateVerifyMac},
	types.KeySpecHmac256:             {types.KeyUsageTypeGenerateVerifyMac},
	types.KeySpecHmac384:             {types.KeyUsageTypeGenerateVerifyMac},
	types.KeySpecHmac512:             {types.KeyUsageTypeGenerateVerifyMac},
	types.KeySpecSm2:                 {types.KeyUsageTypeEncryptDecrypt, types.KeyUsageTypeSignVerify, types.KeyUsageTypeKeyAgreement},
	types.KeySpecMlDsa44:             {types.KeyUsageTypeSignVerify},
	types.KeySpecMlDsa65:             {types.KeyUsageTypeSignVerify},
	types.KeySpecMlDsa87:             {types.KeyUsageTypeSignVerify},
	types.KeySpecMlKem512:            {types.KeyUsageTypeEncapsulateDecapsulate},
	types.KeySpecMlKem768:            {types.KeyUsageTypeEncapsulateDecapsulate},
	types.KeySpecMlKem1024:           {types.KeyUsageTypeEncapsulateDecapsulate},
}

// defaultUsage is the first usage KMS allows for the key spec.
func defaultUsage(ks types.KeySpec) types.KeyUsageType {
	if u := usages[ks]; len(u) > 0 {
		return u[0]
	}
	return ""
}

var aliasRe = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

// Validate reports every fault of the spec (defaults applied) in one error
// that matches foundation.ErrInvalidSpec; each fault is a
// *foundation.SpecError naming the field and the rule. EnsureKey calls it
// before any API call.
func (s Spec) Validate() error {
	_, errs := s.withDefaults().build()
	return errors.Join(errs...)
}

// build validates the spec (defaults applied) and returns the key policy.
func (s Spec) build() (*foundation.PolicyDocument, []error) {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }

	switch {
	case s.Alias == "":
		bad("spec.Alias", "", `is required ("alias/NAME")`)
	case !strings.HasPrefix(s.Alias, "alias/") || s.Alias == "alias/":
		bad("spec.Alias", s.Alias, `must start with "alias/" followed by a name`)
	case strings.HasPrefix(s.Alias, "alias/aws/"):
		bad("spec.Alias", s.Alias, `must not start with "alias/aws/" (reserved for AWS managed keys)`)
	case len(s.Alias) > MaxAliasLength:
		bad("spec.Alias", s.Alias, fmt.Sprintf("must be at most %d characters", MaxAliasLength))
	case !aliasRe.MatchString(s.Alias):
		bad("spec.Alias", s.Alias, `may contain only letters, digits, "/", "_" and "-" after "alias/"`)
	}
	if n := utf8.RuneCountInString(s.Description); n > MaxDescriptionLength {
		bad("spec.Description", "", fmt.Sprintf("must be at most %d characters, is %d", MaxDescriptionLength, n))
	} else if !utf8.ValidString(s.Description) {
		bad("spec.Description", "", "must be valid UTF-8")
	}

	allowed, known := usages[s.KeySpec]
	switch {
	case !known:
		bad("spec.KeySpec", string(s.KeySpec), "is not a KMS key spec (SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ...)")
	case !slices.Contains(allowed, s.KeyUsage):
		var names []string
		for _, u := range allowed {
			names = append(names, string(u))
		}
		bad("spec.KeyUsage", string(s.KeyUsage), fmt.Sprintf("is not a usage of %s keys (%s)", s.KeySpec, strings.Join(names, ", ")))
	}
	switch {
	case !s.rotates() && known && s.RotationPeriodInDays != 0:
		bad("spec.RotationPeriodInDays", fmt.Sprint(s.RotationPeriodInDays), "automatic rotation is only for symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)")
	case s.DisableRotation && s.RotationPeriodInDays != 0:
		bad("spec.RotationPeriodInDays", fmt.Sprint(s.RotationPeriodInDays), "must not be set with DisableRotation")
	case s.wantRotation() && (s.RotationPeriodInDays < MinRotationPeriodInDays || s.RotationPeriodInDays > MaxRotationPeriodInDays):
		bad("spec.RotationPeriodInDays", fmt.Sprint(s.RotationPeriodInDays), fmt.Sprintf("must be %d to %d days (0 means %d)",
			MinRotationPeriodInDays, MaxRotationPeriodInDays, DefaultRotationPeriodInDays))
	}
	errs = append(errs, tagFaults("spec.Tags", s.Tags)...)

	doc, perrs := s.Policy.document("spec.Policy")
	errs = append(errs, perrs...)
	return doc, errs
}

// tagFaults checks AWS's tag rules, leaving two tags to the alias tag
// (AliasTagKey), a reserved key, and the ownership tag, which may only have
// its own value: those faults come first among their tag's.
func tagFaults(field string, tags map[string]string) []error {
	var errs []error
	n := len(tags)
	if _, ok := tags[foundation.ManagedByTagKey]; ok {
		n--
	}
	if n > maxTags-2 {
		errs = append(errs, specerr.New(pkg, field, "", fmt.Sprintf("must have at most %d tags (the others are %s and %s), has %d", maxTags-2, AliasTagKey, foundation.ManagedByTagKey, n)))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k == foundation.ManagedByTagKey && tags[k] != foundation.ManagedByTagValue {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("%s[%q]", field, k), tags[k], fmt.Sprintf("is the library's ownership tag: leave it out (it is always %s=%s)", foundation.ManagedByTagKey, foundation.ManagedByTagValue)))
		}
		if k == AliasTagKey {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("%s[%q]", field, k), k, "tag key is reserved: EnsureKey sets it to the alias"))
		}
		errs = append(errs, awsrules.TagFaults(pkg, field, map[string]string{k: tags[k]}, 0)...) // this tag's, the count checked above
	}
	return errs
}
