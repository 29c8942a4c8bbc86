package ecr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "ecr"

func joinErrs(errs []error) error { return errors.Join(errs...) }

// Spec is the repository wanted, in the account and region of the client.
type Spec struct {
	// Name of the repository ("myapp", "team/service"). Required: 2 to 256
	// characters, lowercase components separated by "/", each made of
	// letters and digits joined by ".", "_", "__" or dashes.
	Name string

	// TagMutability is IMMUTABLE by default (Security Hub ECR.2): a tag,
	// once pushed, cannot be moved to another image. MUTABLE is the
	// explicit opt-out; IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION
	// make the tags that match MutabilityExclusions the exception.
	TagMutability types.ImageTagMutability
	// MutabilityExclusions are wildcard filters ("latest", "dev-*"), 1 to
	// 5, required with the _WITH_EXCLUSION mutabilities and refused with
	// the others.
	MutabilityExclusions []string

	// DisableScanOnPush turns basic scanning on push off. Default: on
	// (Security Hub ECR.1).
	DisableScanOnPush bool

	// Encryption is AES256 by default, KMS when KMSKey is set. ECR cannot
	// change a repository's encryption after creation: a repository that
	// differs is an *EncryptionMismatchError.
	Encryption types.EncryptionType
	// KMSKey is the KMS key (key ARN, key ID, alias name or alias ARN) of
	// KMS and KMS_DSSE encryption; empty means the AWS managed key
	// (aws/ecr). In a dry run it may be the placeholder a dry run of
	// kms.EnsureKey returned for a key it would create (Key.ARN): the
	// repository is planned with KMS encryption under it. A real run
	// refuses a placeholder.
	KMSKey string

	// Lifecycle, when set, is the repository's lifecycle policy (Security
	// Hub ECR.3); nil leaves the lifecycle policy as it is.
	Lifecycle *LifecyclePolicy
	// Policy, when set, is merged into the repository policy (see
	// RepositoryPolicy); nil leaves the repository policy as it is.
	Policy *RepositoryPolicy

	// Tags are put on the repository. Tags with other keys are kept. A
	// repository EnsureRepository creates also carries managed-by=foundation
	// (foundation.ManagedByTagKey), which Tags may not set to another
	// value.
	Tags map[string]string

	// Adopt converges a repository made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged managed-by=foundation, and never pruned (no
	// repository policy statement is removed from it, the builder's
	// reserved Sids included). Without Adopt such a repository is a
	// *foundation.NotManagedError, before any write.
	Adopt bool
}

func (s Spec) withDefaults() Spec {
	if s.TagMutability == "" {
		s.TagMutability = types.ImageTagMutabilityImmutable
	}
	if s.Encryption == "" {
		if s.KMSKey != "" {
			s.Encryption = types.EncryptionTypeKms
		} else {
			s.Encryption = types.EncryptionTypeAes256
		}
	}
	return s
}

var (
	// repoNameRe is the repositoryName constraint of the ECR API model.
	repoNameRe   = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	exclusionRe  = regexp.MustCompile(`^[0-9a-zA-Z._*-]{1,128}$`)
	kmsKeyIDRe   = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	kmsAliasRe   = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	kmsKeyARNRe  = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/(.+)|alias/[a-zA-Z0-9/_-]{1,250})$`)
	maxExclusion = 5
)

// Validate reports every fault of the spec (defaults applied) in one error
// that matches foundation.ErrInvalidSpec; each fault is a
// *foundation.SpecError naming the field and the rule. EnsureRepository
// calls it before any API call. Validate does not know whether the spec is
// for a dry run: it accepts the identifiers a dry run predicted (KMSKey,
// Policy's accounts, organization and roles), which EnsureRepository
// refuses in a real run.
func (s Spec) Validate() error { return errors.Join(s.withDefaults().faults()...) }

func (s Spec) faults() []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	switch n := len(s.Name); {
	case n == 0:
		bad("spec.Name", "", "is required")
	case n < 2 || n > 256:
		bad("spec.Name", s.Name, "must be 2 to 256 characters")
	case !repoNameRe.MatchString(s.Name):
		bad("spec.Name", s.Name, `must be lowercase letters and digits, in components separated by "/", joined by ".", "_", "__" or "-"`)
	}

	switch s.TagMutability {
	case types.ImageTagMutabilityImmutable, types.ImageTagMutabilityMutable:
		if len(s.MutabilityExclusions) > 0 {
			bad("spec.MutabilityExclusions", "", fmt.Sprintf("apply only to %s and %s", types.ImageTagMutabilityImmutableWithExclusion, types.ImageTagMutabilityMutableWithExclusion))
		}
	case types.ImageTagMutabilityImmutableWithExclusion, types.ImageTagMutabilityMutableWithExclusion:
		if n := len(s.MutabilityExclusions); n == 0 || n > maxExclusion {
			bad("spec.MutabilityExclusions", "", fmt.Sprintf("must have 1 to %d filters with %s", maxExclusion, s.TagMutability))
		}
	default:
		bad("spec.TagMutability", string(s.TagMutability), "must be IMMUTABLE, MUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION")
	}
	for i, f := range s.MutabilityExclusions {
		field := fmt.Sprintf("spec.MutabilityExclusions[%d]", i)
		if !exclusionRe.MatchString(f) {
			bad(field, f, "must be 1 to 128 letters, digits, '.', '_', '-' or '*'")
		} else if indexOf(s.MutabilityExclusions, f) != i {
			bad(field, f, "is listed twice")
		}
	}

	switch s.Encryption {
	case types.EncryptionTypeAes256:
		if s.KMSKey != "" {
			bad("spec.KMSKey", s.KMSKey, "must be empty with AES256 encryption (set Encryption to KMS, or leave it empty)")
		}
	case types.EncryptionTypeKms, types.EncryptionTypeKmsDsse:
		if s.KMSKey != "" && !kmsKeyIDRe.MatchString(s.KMSKey) && !kmsAliasRe.MatchString(s.KMSKey) && !kmsKeyARNRe.MatchString(s.KMSKey) && !plan.IsPredicted(s.KMSKey) {
			bad("spec.KMSKey", s.KMSKey, `must be a KMS key ARN, key ID, alias name ("alias/NAME") or alias ARN`)
		} else if strings.HasPrefix(s.KMSKey, "alias/aws/") && s.KMSKey != "alias/aws/ecr" {
			bad("spec.KMSKey", s.KMSKey, "must not be another service's AWS managed key")
		}
	default:
		bad("spec.Encryption", string(s.Encryption), "must be AES256, KMS or KMS_DSSE")
	}

	if s.Lifecycle != nil {
		errs = append(errs, s.Lifecycle.faults("spec.Lifecycle")...)
	}
	if s.Policy != nil {
		errs = append(errs, s.Policy.faults("spec.Policy")...)
	}
	errs = append(errs, awsrules.OwnedTagFaults(pkg, "spec.Tags", s.Tags, awsrules.MaxTags)...)
	return errs
}

// predictedFaults reports the identifiers of the spec that are a dry
// run's placeholders (plan.Predict), which only a dry run plans with.
func (s Spec) predictedFaults() []error {
	var errs []error
	check := func(field, v string) {
		if plan.IsPredicted(v) {
			errs = append(errs, specerr.New(pkg, field, v,
				"is a placeholder a dry run predicted for a resource it would create: a real run needs the real identifier (from the call that creates it, run for real)"))
		}
	}
	check("spec.KMSKey", s.KMSKey)
	if p := s.Policy; p != nil {
		for i, id := range p.PullAccounts {
			check(fmt.Sprintf("spec.Policy.PullAccounts[%d]", i), id)
		}
		check("spec.Policy.PullOrganizationID", p.PullOrganizationID)
		for i, arn := range p.PushRoleARNs {
			check(fmt.Sprintf("spec.Policy.PushRoleARNs[%d]", i), arn)
		}
	}
	return errs
}

func indexOf(l []string, s string) int {
	for i, v := range l {
		if v == s {
			return i
		}
	}
	return -1
}
