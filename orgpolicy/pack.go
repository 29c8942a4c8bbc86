package orgpolicy

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/scp"
)

// PackRCP is scp.Pack for resource control policy guardrails (built with
// DenyExternalAccess, EnforceSecureTransport, ConfusedDeputyProtection or
// scp.NewGuardrail): the RCP grammar (ValidateRCP), the RCP limits (zero
// fields: 5,120 characters and 5 per target), RCPFullAWSAccess always
// taking one slot, and names rcp-guardrails-PATH-N unless NamePrefix says
// otherwise. A Deny in an RCP applies to the resources of every account
// under its target, as in an SCP, so hoisting keeps the effect.
func PackRCP(spec scp.PackSpec) (*scp.Packing, error) {
	spec.Grammar = ValidateRCP
	spec.ManagedPolicyName = Info(RCP).ManagedPolicyName
	spec.DetachFullAWSAccess = false
	l := Limits{MaxPolicySize: spec.Limits.MaxPolicySize, MaxPoliciesPerTarget: spec.Limits.MaxPoliciesPerTarget}.For(RCP)
	spec.Limits = scp.Limits{MaxPolicySize: l.MaxPolicySize, MaxPoliciesPerTarget: l.MaxPoliciesPerTarget}
	if spec.NamePrefix == "" {
		spec.NamePrefix = "rcp-guardrails"
	}
	return scp.Pack(spec)
}

// PackedPolicySpecs returns the EnsurePolicy specs of a packing's policies
// as policies of type t (SCP or RCP), with tags.
func PackedPolicySpecs(t Type, p *scp.Packing, tags map[string]string) []PolicySpec {
	var out []PolicySpec
	for _, s := range p.PolicySpecs("", tags) {
		out = append(out, PolicySpec{Type: t, Name: s.Name, Description: s.Description, Document: IAM(t, s.Document), Tags: s.Tags})
	}
	return out
}

// PackedAttachmentSpecs returns the EnsureAttachments specs of every
// target of a packing, as attachments of type t, TargetIDs looked up in
// ids by path ("" the root).
func PackedAttachmentSpecs(t Type, p *scp.Packing, ids map[string]string) ([]AttachmentSpec, error) {
	var out []AttachmentSpec
	var missing []string
	paths := make([]string, 0, len(p.Free))
	for path := range p.Free {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		id, ok := ids[path]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", path))
			continue
		}
		out = append(out, AttachmentSpec{Type: t, TargetID: id, Policies: append([]string(nil), p.Attachments[path]...)})
	}
	if len(missing) > 0 {
		return nil, specerr.New(pkg, "ids", fmt.Sprint(missing), "has no target ID for these paths")
	}
	return out, nil
}

// ReadOccupied is scp.ReadOccupied for policies of any type: for each
// target (path to ID), the policies of type t attached to it that this
// library does not manage, other than the AWS managed full-access policy.
func ReadOccupied(ctx context.Context, api scp.ReadOccupiedAPI, t Type, ids map[string]string) (map[string][]string, error) {
	out := map[string][]string{}
	paths := make([]string, 0, len(ids))
	for path := range ids {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		pg := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(ids[path]), Filter: t})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx, retryOpt)
			if err != nil {
				return nil, fmt.Errorf("orgpolicy: %s on target %q: list attached policies: %w", t, ids[path], err)
			}
			for _, s := range page.Policies {
				if s.AwsManaged {
					continue
				}
				tags, err := listTags(ctx, api, aws.ToString(s.Id))
				if err != nil {
					return nil, fmt.Errorf("orgpolicy: policy %q: list tags: %w", aws.ToString(s.Name), err)
				}
				if tags[scp.ManagedByTagKey] != scp.ManagedByTagValue {
					out[path] = append(out[path], aws.ToString(s.Name))
				}
			}
		}
		sort.Strings(out[path])
	}
	return out, nil
}
