package identitycenter_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation/identitycenter"
)

// instancesFake has only ListInstances, the one call of FindInstance: a
// fake for one function needs only that function's calls.
type instancesFake struct{ instances []types.InstanceMetadata }

var _ identitycenter.FindInstanceAPI = instancesFake{}

func (f instancesFake) ListInstances(context.Context, *ssoadmin.ListInstancesInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error) {
	return &ssoadmin.ListInstancesOutput{Instances: f.instances}, nil
}

func TestFindInstanceFake(t *testing.T) {
	ctx := context.Background()
	inst, err := identitycenter.FindInstance(ctx, instancesFake{[]types.InstanceMetadata{{
		InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-1234567890abcdef"), IdentityStoreId: aws.String("d-1234567890"),
		OwnerAccountId: aws.String("111111111111"), Status: types.InstanceStatusActive,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if inst.ARN != "arn:aws:sso:::instance/ssoins-1234567890abcdef" || inst.IdentityStoreID != "d-1234567890" || inst.OwnerAccountID != "111111111111" {
		t.Errorf("instance: %+v", inst)
	}
	if _, err := identitycenter.FindInstance(ctx, instancesFake{}); !errors.Is(err, identitycenter.ErrNotEnabled) {
		t.Errorf("no instance: %v, want ErrNotEnabled", err)
	}
}
