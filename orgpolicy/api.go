package orgpolicy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/scp"
)

// PolicyAPI is the part of the Organizations client EnsurePolicy uses
// (package scp's, which it uses for SCPs). *organizations.Client
// satisfies it.
type PolicyAPI = scp.PolicyAPI

// AttachmentAPI is the part of the Organizations client EnsureAttachments
// uses. *organizations.Client satisfies it.
type AttachmentAPI = scp.AttachmentAPI

// EffectiveAPI is the part of the Organizations client ReadEffective uses.
// *organizations.Client satisfies it.
type EffectiveAPI interface {
	DescribeEffectivePolicy(ctx context.Context, params *organizations.DescribeEffectivePolicyInput, optFns ...func(*organizations.Options)) (*organizations.DescribeEffectivePolicyOutput, error)
}

// API is what a program that creates, attaches and reads policies of
// every type passes.
type API interface {
	scp.API
	EffectiveAPI
}

var (
	_ API          = (*organizations.Client)(nil)
	_ EffectiveAPI = (*organizations.Client)(nil)
)
