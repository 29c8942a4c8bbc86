package organizations_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// The cross-account role goes through the one role engine (internal/iamrole)
// and so through its ownership rule (issue 16): a role it creates carries
// managed-by=foundation; a role of the name made outside the library is a
// *foundation.NotManagedError naming spec.Adopt, with no write, in a dry run
// too; with Adopt it is converged without the ownership tag and its
// unlisted managed policy stays attached.
func TestCrossAccountRoleOwnership(t *testing.T) {
	b, api, ctx, a := roleEnv(t)
	spec := deploymentRole(a)
	spec.Tags = map[string]string{"project": "securecart"}
	if _, err := ensureRole(ctx, api, spec); err != nil {
		t.Fatal(err)
	}
	tags, err := api.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(spec.Name)})
	if err != nil || !hasTag(tags.Tags, foundation.ManagedByTagKey, foundation.ManagedByTagValue) {
		t.Fatalf("new role's tags %v, %v", tags, err)
	}

	// A stranger's role of another name, with an extra policy attached.
	stranger := deploymentRole(a)
	stranger.Name = "HandMadeDeploymentRole"
	if _, err := api.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(stranger.Name), Path: aws.String(stranger.Path),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + a.shared + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(stranger.Name), PolicyArn: aws.String(a.admin)}); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{true, false} {
		mark := b.Mark()
		_, err := ensureRole(ctx, api, stranger, foundation.WithDryRun(dry))
		var nm *foundation.NotManagedError
		if !errors.As(err, &nm) || nm.Kind != organizations.ResRole || nm.ID != stranger.Name || nm.Field != "spec.Adopt" {
			t.Fatalf("dry run %v: err = %v", dry, err)
		}
		b.RequireNoMutations(t, mark)
	}
	stranger.Adopt = true
	if _, err := ensureRole(ctx, api, stranger); err != nil {
		t.Fatal(err)
	}
	tags, err = api.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(stranger.Name)})
	if err != nil || hasTag(tags.Tags, foundation.ManagedByTagKey, foundation.ManagedByTagValue) {
		t.Errorf("adopted role's tags %v, %v", tags, err)
	}
	att, err := api.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(stranger.Name), MaxItems: aws.Int32(100)})
	found := false
	for _, p := range att.AttachedPolicies {
		found = found || aws.ToString(p.PolicyArn) == a.admin
	}
	if err != nil || !found {
		t.Errorf("the owner's policy was detached: %v, %v", att, err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) { return ensureRole(ctx, api, stranger) })
}

func hasTag(tags []iamtypes.Tag, k, v string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == k && aws.ToString(t.Value) == v {
			return true
		}
	}
	return false
}
