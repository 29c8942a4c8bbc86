package ecr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// The Sids of the statements RepositoryPolicy owns in a repository policy.
// Statements with other Sids are the user's: EnsureRepository keeps them
// as they are.
const (
	SidCrossAccountPull = "CrossAccountPull"
	SidOrganizationPull = "OrganizationPull"
	SidPush             = "CIPush"
)

// MaxRepositoryPolicySize is the largest repository policy ECR accepts, in
// characters.
const MaxRepositoryPolicySize = 10240

// The actions the statements grant.
var (
	// PullActions let a principal pull images.
	PullActions = []string{"ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"}
	// PushActions let a principal pull and push images.
	PushActions = []string{
		"ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability",
		"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
	}
)

// RepositoryPolicy builds the statements of a repository policy that grant
// pull and push access:
//
//   - "CrossAccountPull": the roots of PullAccounts may pull (any principal
//     of those accounts their IAM policies allow);
//   - "OrganizationPull": every principal of the organization
//     PullOrganizationID may pull (Principal "*" with aws:PrincipalOrgID);
//   - "CIPush": the roles PushRoleARNs may push (and pull);
//   - Statements, as they are (each with its own Sid).
//
// EnsureRepository merges these statements, by Sid, into the policy the
// repository has: statements with other Sids are kept untouched, and the
// three Sids above are removed when the builder no longer produces them.
//
// In a dry run, an account ID, organization ID or role ARN may be the
// placeholder another dry run predicted for what it would create
// (organizations, oidcfed): the planned policy names it. A real run
// refuses placeholders.
type RepositoryPolicy struct {
	// Partition of the principals' ARNs; default "aws".
	Partition string
	// PullAccounts are 12-digit account IDs.
	PullAccounts []string
	// PullOrganizationID is an organization ID ("o-abcdefghij").
	PullOrganizationID string
	// PushRoleARNs are IAM role ARNs (a CI role).
	PushRoleARNs []string
	// Statements are more statements, each with a Sid (other than the
	// three above), which EnsureRepository sets by Sid.
	//
	// A statement that lets anyone push (Effect Allow, Principal "*" or a
	// NotPrincipal, an action that changes the repository — ecr:*,
	// ecr:PutImage, ecr:BatchDeleteImage, ecr:SetRepositoryPolicy, ... —
	// and no Condition) is refused as an invalid spec before any call,
	// unless AllowPublicPush is set.
	Statements []foundation.Statement
	// AllowPublicPush accepts Statements that let any AWS principal, in any
	// account, push, overwrite or delete images or change the repository
	// (a public push policy: anyone can replace what your deployments
	// pull). Leave it off; a Condition (aws:PrincipalOrgID, aws:SourceVpce,
	// ...) restricting who is the usual fix.
	AllowPublicPush bool
}

func (p RepositoryPolicy) partition() string {
	if p.Partition == "" {
		return "aws"
	}
	return p.Partition
}

// statements returns the statements the builder owns, in order.
func (p RepositoryPolicy) statements() []foundation.Statement {
	var out []foundation.Statement
	if len(p.PullAccounts) > 0 {
		var roots []string
		for _, id := range p.PullAccounts {
			roots = append(roots, "arn:"+p.partition()+":iam::"+id+":root")
		}
		out = append(out, foundation.Statement{Sid: SidCrossAccountPull, Effect: foundation.EffectAllow,
			Principal: foundation.AWSPrincipal(roots...), Action: slices.Clone(PullActions)})
	}
	if p.PullOrganizationID != "" {
		out = append(out, foundation.Statement{Sid: SidOrganizationPull, Effect: foundation.EffectAllow,
			Principal: foundation.AnyPrincipal(), Action: slices.Clone(PullActions),
			Condition: foundation.Conditions{"StringEquals": {"aws:PrincipalOrgID": {p.PullOrganizationID}}}})
	}
	if len(p.PushRoleARNs) > 0 {
		out = append(out, foundation.Statement{Sid: SidPush, Effect: foundation.EffectAllow,
			Principal: foundation.AWSPrincipal(slices.Clone(p.PushRoleARNs)...), Action: slices.Clone(PushActions)})
	}
	for _, st := range p.Statements {
		out = append(out, st.Clone())
	}
	return out
}

// Document returns the builder's statements as a policy document (without
// the statements of the user's that EnsureRepository keeps). An invalid
// builder returns an error matching foundation.ErrInvalidSpec.
func (p RepositoryPolicy) Document() (*foundation.PolicyDocument, error) {
	if errs := p.faults("policy"); len(errs) > 0 {
		return nil, joinErrs(errs)
	}
	return foundation.NewPolicy(p.statements()...), nil
}

// merge returns have with the builder's statements set by Sid and, when
// prune (the repository is the library's), the builder's reserved Sids it
// no longer produces removed. have may be nil.
func (p RepositoryPolicy) merge(have *foundation.PolicyDocument, prune bool) *foundation.PolicyDocument {
	out := have.Clone()
	if out == nil {
		out = &foundation.PolicyDocument{Version: foundation.PolicyVersion}
	}
	want := p.statements()
	for _, sid := range []string{SidCrossAccountPull, SidOrganizationPull, SidPush} {
		if !prune {
			break // an adopted repository's statements are all its owner's
		}
		if !slices.ContainsFunc(want, func(st foundation.Statement) bool { return st.Sid == sid }) {
			out.RemoveStatement(sid)
		}
	}
	for _, st := range want {
		_ = out.SetStatement(st) // every statement has a Sid (validated)
	}
	return out
}

var (
	accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	orgIDRe     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	roleARNRe   = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	partitionRe = regexp.MustCompile(`^aws(-[a-z]+)*$`)
)

func (p RepositoryPolicy) faults(path string) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, path+field, value, rule)) }
	if p.Partition != "" && !partitionRe.MatchString(p.Partition) {
		bad(".Partition", p.Partition, `must be an AWS partition such as "aws" or "aws-cn"`)
	}
	for i, id := range p.PullAccounts {
		if !accountIDRe.MatchString(id) && !plan.IsPredicted(id) {
			bad(fmt.Sprintf(".PullAccounts[%d]", i), id, "must be a 12-digit account ID")
		} else if slices.Index(p.PullAccounts, id) != i {
			bad(fmt.Sprintf(".PullAccounts[%d]", i), id, "is listed twice")
		}
	}
	if p.PullOrganizationID != "" && !orgIDRe.MatchString(p.PullOrganizationID) && !plan.IsPredicted(p.PullOrganizationID) {
		bad(".PullOrganizationID", p.PullOrganizationID, `must be an organization ID: "o-" and 10 to 32 lowercase letters or digits`)
	}
	for i, arn := range p.PushRoleARNs {
		m := roleARNRe.FindStringSubmatch(arn)
		switch {
		case plan.IsPredicted(arn):
			if slices.Index(p.PushRoleARNs, arn) != i {
				bad(fmt.Sprintf(".PushRoleARNs[%d]", i), arn, "is listed twice")
			}
		case m == nil:
			bad(fmt.Sprintf(".PushRoleARNs[%d]", i), arn, "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
		case m[1] != p.partition():
			bad(fmt.Sprintf(".PushRoleARNs[%d]", i), arn, fmt.Sprintf("must be in partition %q", p.partition()))
		case slices.Index(p.PushRoleARNs, arn) != i:
			bad(fmt.Sprintf(".PushRoleARNs[%d]", i), arn, "is listed twice")
		}
	}
	sids := map[string]int{}
	for i, st := range p.Statements {
		f := fmt.Sprintf(".Statements[%d].Sid", i)
		switch j, dup := sids[st.Sid]; {
		case st.Sid == "":
			bad(f, "", "is required: EnsureRepository merges statements by Sid")
		case st.Sid == SidCrossAccountPull || st.Sid == SidOrganizationPull || st.Sid == SidPush:
			bad(f, st.Sid, "is reserved for the statements RepositoryPolicy builds")
		case dup:
			bad(f, st.Sid, fmt.Sprintf("duplicates Statements[%d].Sid", j))
		default:
			sids[st.Sid] = i
		}
	}
	if len(p.Statements) > 0 {
		if err := foundation.NewPolicy(p.Statements...).Validate(); err != nil {
			bad(".Statements", "", strings.TrimPrefix(err.Error(), "invalid policy document: "))
		}
	}
	if !p.AllowPublicPush {
		for i, st := range p.Statements {
			if a := publicWrite(st); a != "" {
				bad(fmt.Sprintf(".Statements[%d]", i), st.Sid, fmt.Sprintf(
					"lets anyone (Principal \"*\", no Condition) %s: add a Condition restricting who, or set AllowPublicPush to accept a public push policy", a))
			}
		}
	}
	if len(errs) == 0 {
		if st := p.statements(); len(st) > 0 {
			if n := len(foundation.NewPolicy(st...).MustJSON()); n > MaxRepositoryPolicySize {
				bad("", "", fmt.Sprintf("is %d characters, more than the %d ECR allows", n, MaxRepositoryPolicySize))
			}
		}
	}
	return errs
}

// writeActions are the ECR repository actions that change a repository or
// its images (the API's write and permissions-management actions on a
// repository resource): a public statement granting any of them is a
// public push policy.
var writeActions = []string{
	"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
	"ecr:BatchDeleteImage", "ecr:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
	"ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:StartLifecyclePolicyPreview",
	"ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration", "ecr:StartImageScan",
	"ecr:TagResource", "ecr:UntagResource", "ecr:ReplicateImage",
}

// publicWrite returns the first write action st grants to anyone without a
// condition ("" when it grants none): an Allow with Principal "*" (or an
// AWS principal "*", or a NotPrincipal) and no Condition.
func publicWrite(st foundation.Statement) string {
	if st.Effect != foundation.EffectAllow || len(st.Condition) > 0 {
		return ""
	}
	public := st.NotPrincipal != nil
	if p := st.Principal; p != nil && (p.Wildcard || slices.Contains(p.AWS, "*")) {
		public = true
	}
	if !public {
		return ""
	}
	for _, w := range writeActions {
		matched := slices.ContainsFunc(st.Action, func(a string) bool { return awsrules.Glob(a, w, true) })
		if len(st.NotAction) > 0 {
			matched = !slices.ContainsFunc(st.NotAction, func(a string) bool { return awsrules.Glob(a, w, true) })
		}
		if matched {
			return "call " + w
		}
	}
	return ""
}
