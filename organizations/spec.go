package organizations

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/specerr"
)

const pkg = "organizations"

// Defaults and limits.
const (
	// DefaultRoleName is the IAM role Organizations creates in a new account,
	// trusting the management account, when AccountSpec.RoleName is empty.
	DefaultRoleName = "OrganizationAccountAccessRole"
	// DefaultSuspendedOU is the OU path CloseAccount moves accounts to.
	DefaultSuspendedOU = "Suspended"
	// DefaultAccountCreationConcurrency is the most CreateAccount requests
	// EnsureTree and EnsureAccounts have in progress: AWS allows 5 in
	// progress per organization (Organizations quotas, "Number of
	// concurrent account creations"). A larger foundation.WithConcurrency
	// is capped at it. A creation holds its slot from CreateAccount until
	// its status says SUCCEEDED; the move into the OU and the tags come
	// after.
	DefaultAccountCreationConcurrency = 5
	// DefaultAccountConcurrency is how many accounts EnsureTree and
	// EnsureAccounts converge at once (of which at most
	// DefaultAccountCreationConcurrency are being created) unless
	// foundation.WithConcurrency says otherwise.
	DefaultAccountConcurrency = 16
	// DefaultOUConcurrency is how many sibling OUs EnsureTree converges at
	// once unless foundation.WithConcurrency says otherwise.
	DefaultOUConcurrency = 4
	// DefaultReadConcurrency is how many parents ReadTree reads at once.
	DefaultReadConcurrency = 8
	// MaxOUDepth is how deep AWS lets OUs nest under the root.
	MaxOUDepth = 5
)

// OrganizationSpec is the organization wanted: all features enabled and
// the listed policy types enabled on the root. Policy types enabled but not
// listed are left enabled.
type OrganizationSpec struct {
	// PolicyTypes to enable on the root, such as
	// types.PolicyTypeServiceControlPolicy.
	PolicyTypes []types.PolicyType
}

// OUSpec is one organizational unit, named by its path from the root.
//
// An OU the library creates carries managed-by=foundation from its
// CreateOrganizationalUnit call. An OU found at Path without that tag (made
// by hand, by Control Tower, by Terraform) is someone else's: the Ensure
// returns a *foundation.NotManagedError before any write, unless Adopt.
type OUSpec struct {
	// Path is the OU's path from the root, names separated by "/":
	// "Workloads/Production". Missing parents are created (with only the
	// ownership tag). A parent found and not listed is only where the OU
	// is: nothing is written to it, so its owner is not checked.
	Path string
	// Tags are put on the OU. Tags with other keys are kept. managed-by
	// may only be given as managed-by=foundation, and not with Adopt.
	Tags map[string]string
	// RemoveTags are tag keys removed from the OU when present (keys this
	// caller used to manage). They must not be keys of Tags, nor
	// managed-by, and must be empty with Adopt.
	RemoveTags []string
	// Adopt converges an OU made outside this library (no
	// managed-by=foundation tag) as the spec says, without taking it over:
	// it is never tagged, and never pruned (its owner's tags are never
	// removed, so RemoveTags must be empty). An OU that does not exist is
	// created, with managed-by=foundation, Adopt or not.
	Adopt bool
}

// AccountSpec is one member account, identified by its email address (the
// unique key, compared case-insensitively).
type AccountSpec struct {
	// Name is the account's name (1 to 50 printable ASCII characters). It is
	// set at creation; a found account with another name is reported in
	// Account.Drift (Organizations cannot rename accounts).
	Name string
	// Email is the account's root user email address (required).
	Email string
	// OU is the path of the OU the account belongs in; "" is the root.
	OU string
	// RoleName is the IAM role Organizations creates in a new account,
	// trusting the management account. Default DefaultRoleName. Creation only.
	RoleName string
	// BillingAccess is IAM users' access to the account's billing
	// information: ALLOW (AWS's default when empty) or DENY. Creation only.
	BillingAccess types.IAMUserAccessToBilling
	// Tags are put on the account. Tags with other keys are kept.
	// managed-by may only be given as managed-by=foundation, and not with
	// Adopt.
	Tags map[string]string
	// RemoveTags are tag keys removed from the account when present; not
	// managed-by, and none with Adopt.
	RemoveTags []string
	// Adopt converges an account made outside this library (no
	// managed-by=foundation tag: invited, or created by hand or by
	// another tool) as the spec says, without taking it over: it is never
	// tagged, and never pruned. Converging it may move it into OU and put
	// Tags on it; it is never renamed (a name that differs is Drift), and
	// its owner's tags are never removed (RemoveTags must be empty).
	// Without Adopt such an account is refused with a
	// *foundation.NotManagedError before any write to it. The management
	// account is exempt: it is the organization's, not made by name. An
	// account that does not exist is created, with managed-by=foundation,
	// Adopt or not.
	Adopt bool
}

// AccountsSpec is a set of accounts converged together by EnsureAccounts
// (how many at once is foundation.WithConcurrency's).
type AccountsSpec struct {
	Accounts []AccountSpec
}

// TreeSpec is a declared tree of OUs and accounts, converged by EnsureTree
// (how many at once is foundation.WithConcurrency's).
type TreeSpec struct {
	// OUs are the OUs wanted. An OU's ancestors are part of the tree even
	// when not listed (they are created without tags).
	OUs []OUSpec
	// Accounts are the accounts wanted; each one's OU must be in the tree
	// (listed or an ancestor of one listed) or "" for the root.
	Accounts []AccountSpec
}

// CloseWait says how long CloseAccount waits for a closure.
type CloseWait string

// The waits of CloseAccount.
const (
	// CloseWaitPendingClosure (the default) waits until AWS reports the
	// account PENDING_CLOSURE (or SUSPENDED).
	CloseWaitPendingClosure CloseWait = "PENDING_CLOSURE"
	// CloseWaitSuspended waits until the account is SUSPENDED (closed).
	CloseWaitSuspended CloseWait = "SUSPENDED"
	// CloseWaitNone returns once AWS accepted the request.
	CloseWaitNone CloseWait = "NONE"
)

// CloseAccountSpec is a member account to close. Give AccountID or Email.
type CloseAccountSpec struct {
	// AccountID is the 12-digit account ID.
	AccountID string
	// Email finds the account by email (case-insensitively) instead.
	Email string
	// SuspendedOU is the path of the OU closed accounts are moved to. It is
	// created if missing. Default DefaultSuspendedOU.
	SuspendedOU string
	// Wait selects what to wait for; default CloseWaitPendingClosure.
	Wait CloseWait
	// Tags are put on the account before it is closed (for traceability:
	// who closed it and why).
	Tags map[string]string
	// Adopt closes an account found by Email that this library did not
	// make (no managed-by=foundation tag), without taking it over: it is
	// never tagged managed-by=foundation. Without Adopt such an account is
	// refused with a *foundation.NotManagedError before any write. An
	// account given by AccountID is the caller's own choice and is closed
	// whoever made it.
	Adopt bool
}

func (s CloseAccountSpec) withDefaults() CloseAccountSpec {
	if s.SuspendedOU == "" {
		s.SuspendedOU = DefaultSuspendedOU
	}
	if s.Wait == "" {
		s.Wait = CloseWaitPendingClosure
	}
	return s
}

func (s AccountSpec) withDefaults() AccountSpec {
	if s.RoleName == "" {
		s.RoleName = DefaultRoleName
	}
	return s
}

// ---- validation ----

// faults collects SpecErrors.
type faults []error

func (f *faults) add(field, value, rule string) {
	*f = append(*f, specerr.New(pkg, field, value, rule))
}

func (f faults) err() error { return errors.Join(f...) }

var (
	accountIDRe   = regexp.MustCompile(`^[0-9]{12}$`)
	roleNameRe    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	domainRe      = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)
)

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s OrganizationSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s OrganizationSpec) check(f *faults) {
	known := types.PolicyType("").Values()
	seen := map[types.PolicyType]bool{}
	for i, t := range s.PolicyTypes {
		field := fmt.Sprintf("spec.PolicyTypes[%d]", i)
		switch {
		case !slices.Contains(known, t):
			f.add(field, string(t), "must be a known policy type such as SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY")
		case seen[t]:
			f.add(field, string(t), "is listed twice")
		}
		seen[t] = true
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s OUSpec) Validate() error {
	var f faults
	s.check(&f, "spec")
	return f.err()
}

func (s OUSpec) check(f *faults, prefix string) {
	checkPath(f, prefix+".Path", s.Path)
	checkTags(f, prefix, s.Tags, s.RemoveTags, s.Adopt)
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s AccountSpec) Validate() error {
	var f faults
	s.check(&f, "spec")
	return f.err()
}

func (s AccountSpec) check(f *faults, prefix string) {
	s = s.withDefaults()
	switch n := len(s.Name); {
	case n == 0:
		f.add(prefix+".Name", "", "is required")
	case n > 50:
		f.add(prefix+".Name", s.Name, "must be at most 50 characters")
	case strings.IndexFunc(s.Name, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
		f.add(prefix+".Name", s.Name, "must contain only printable ASCII characters")
	}
	if rule := emailFault(s.Email); rule != "" {
		f.add(prefix+".Email", s.Email, rule)
	}
	if s.OU != "" {
		checkPath(f, prefix+".OU", s.OU)
	}
	if !roleNameRe.MatchString(s.RoleName) {
		f.add(prefix+".RoleName", s.RoleName, "must be 1 to 64 letters, digits or + = , . @ _ -")
	}
	switch s.BillingAccess {
	case "", types.IAMUserAccessToBillingAllow, types.IAMUserAccessToBillingDeny:
	default:
		f.add(prefix+".BillingAccess", string(s.BillingAccess), `must be "ALLOW" or "DENY" (or empty for AWS's default, ALLOW)`)
	}
	checkTags(f, prefix, s.Tags, s.RemoveTags, s.Adopt)
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s AccountsSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s AccountsSpec) check(f *faults) {
	checkAccounts(f, s.Accounts, nil)
}

// predictedAccountRule is the fault of an account ID a dry run predicted
// (plan.Predict) given where a real account is needed.
const predictedAccountRule = "is an identifier predicted by a dry run for an account that would be created: it does not exist yet (create it first, then use its 12-digit ID)"

// checkAccounts validates accounts and their uniqueness; ous, when not nil,
// is the set of OU paths of the tree the accounts must reference.
func checkAccounts(f *faults, accounts []AccountSpec, ous map[string]bool) {
	emails := map[string]int{}
	for i, a := range accounts {
		prefix := fmt.Sprintf("spec.Accounts[%d]", i)
		a.check(f, prefix)
		key := strings.ToLower(a.Email)
		if j, dup := emails[key]; dup && a.Email != "" {
			f.add(prefix+".Email", a.Email, fmt.Sprintf("duplicates spec.Accounts[%d].Email (emails are unique, compared case-insensitively)", j))
		} else {
			emails[key] = i
		}
		if ous != nil && a.OU != "" && !ous[a.OU] {
			f.add(prefix+".OU", a.OU, "is not an OU of the tree (list it in spec.OUs)")
		}
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s TreeSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s TreeSpec) check(f *faults) {
	paths := map[string]bool{}
	declared := map[string]int{}
	for i, ou := range s.OUs {
		prefix := fmt.Sprintf("spec.OUs[%d]", i)
		ou.check(f, prefix)
		if j, dup := declared[ou.Path]; dup {
			f.add(prefix+".Path", ou.Path, fmt.Sprintf("duplicates spec.OUs[%d].Path", j))
			continue
		}
		declared[ou.Path] = i
		for _, p := range ancestry(ou.Path) {
			paths[p] = true
		}
	}
	checkAccounts(f, s.Accounts, paths)
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s CloseAccountSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s CloseAccountSpec) check(f *faults) {
	s = s.withDefaults()
	switch {
	case s.AccountID == "" && s.Email == "":
		f.add("spec.AccountID", "", "is required (or spec.Email)")
	case s.AccountID != "" && s.Email != "":
		f.add("spec.Email", s.Email, "must be empty when spec.AccountID is set (give one of them)")
	case s.AccountID != "" && !accountIDRe.MatchString(s.AccountID):
		f.add("spec.AccountID", s.AccountID, "must be 12 digits")
	case s.Email != "":
		if rule := emailFault(s.Email); rule != "" {
			f.add("spec.Email", s.Email, rule)
		}
	}
	checkPath(f, "spec.SuspendedOU", s.SuspendedOU)
	switch s.Wait {
	case CloseWaitPendingClosure, CloseWaitSuspended, CloseWaitNone:
	default:
		f.add("spec.Wait", string(s.Wait), "must be CloseWaitPendingClosure, CloseWaitSuspended or CloseWaitNone")
	}
	checkTags(f, "spec", s.Tags, nil, s.Adopt)
}

// checkPath validates an OU path: names separated by "/", each 1 to 128
// printable ASCII characters without "/", at most MaxOUDepth deep.
func checkPath(f *faults, field, path string) {
	if path == "" {
		f.add(field, "", "is required")
		return
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case s == "" && i == 0:
			f.add(field, path, `must not start with "/" (paths are relative to the root)`)
			return
		case s == "" && i == len(segs)-1:
			f.add(field, path, `must not end with "/"`)
			return
		case s == "":
			f.add(field, path, `must not contain an empty OU name ("//")`)
			return
		case len(s) > 128:
			f.add(field, path, fmt.Sprintf("OU name %q must be at most 128 characters", s[:16]+"..."))
		case strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
			f.add(field, path, fmt.Sprintf("OU name %q must contain only printable ASCII characters", s))
		case strings.TrimSpace(s) != s:
			f.add(field, path, fmt.Sprintf("OU name %q must not start or end with a space", s))
		}
	}
	if len(segs) > MaxOUDepth {
		f.add(field, path, fmt.Sprintf("is %d OUs deep; AWS allows at most %d levels under the root", len(segs), MaxOUDepth))
	}
}

// emailFault returns the rule of AWS's account email rules that email
// breaks, or "".
func emailFault(email string) string {
	if email == "" {
		return "is required"
	}
	if n := len(email); n < 6 || n > 64 {
		return "must be 6 to 64 characters long"
	}
	for _, r := range email {
		if r > 0x7e || r < 0x20 {
			return "must contain only 7-bit printable ASCII characters"
		}
	}
	if strings.Count(email, "@") != 1 {
		return `must contain exactly one "@"`
	}
	local, domain, _ := strings.Cut(email, "@")
	switch {
	case local == "":
		return `must have a local part before "@"`
	case strings.ContainsAny(local, " \t\"'()<>[]:;,\\|%&"):
		return `local part must not contain whitespace or any of " ' ( ) < > [ ] : ; , \ | % &`
	case strings.HasPrefix(local, "."):
		return `local part must not start with "."`
	case !domainRe.MatchString(domain):
		return "domain must contain only letters, digits, hyphens and dots"
	case strings.HasPrefix(domain, "-") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, "-") || strings.HasSuffix(domain, "."):
		return `domain must not start or end with "-" or "."`
	case !strings.Contains(domain, "."):
		return `domain must contain a "."`
	}
	return ""
}

// checkTags validates tags (the rules of Organizations tags, one of the 50
// left to the ownership tag, which the caller may only give its own value)
// and removals (never the ownership tag; none from an adopted resource,
// whose tags are its owner's).
func checkTags(f *faults, prefix string, tags map[string]string, remove []string, adopt bool) {
	*f = append(*f, awsrules.OwnedTagFaults(pkg, prefix+".Tags", tags, awsrules.MaxTags)...)
	if v, ok := tags[foundation.ManagedByTagKey]; ok && adopt && v == foundation.ManagedByTagValue {
		f.add(fmt.Sprintf("%s.Tags[%q]", prefix, foundation.ManagedByTagKey), v,
			"must be left out when "+prefix+".Adopt is set: an adopted resource stays its owner's and is never given the ownership tag")
	}
	for i, k := range remove {
		field := fmt.Sprintf("%s.RemoveTags[%d]", prefix, i)
		switch {
		case adopt:
			f.add(field, k, "must be empty when "+prefix+".Adopt is set: an adopted resource keeps its owner's tags")
		case awsrules.TagKeyRule(k) != "":
			f.add(field, k, awsrules.TagKeyRule(k))
		case k == foundation.ManagedByTagKey:
			f.add(field, k, "is the library's ownership tag: it is never removed")
		default:
			if _, ok := tags[k]; ok {
				f.add(field, k, "is also a key of Tags")
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ancestry returns the path and each of its ancestors, shortest first:
// "a/b/c" -> "a", "a/b", "a/b/c".
func ancestry(path string) []string {
	segs := strings.Split(path, "/")
	out := make([]string, len(segs))
	for i := range segs {
		out[i] = strings.Join(segs[:i+1], "/")
	}
	return out
}

// parentPath returns the parent of path, "" for a top-level OU.
func parentPath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return ""
	}
	return path[:i]
}

// baseName returns the last name of path.
func baseName(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }
