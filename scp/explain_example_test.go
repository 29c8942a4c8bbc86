package scp_test

import (
	"fmt"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/scp"
)

// Authorize evaluates a request along the organization path and says what
// denied it, why, and the smallest change that would let it through.
func ExampleAuthorize() {
	full := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow, Action: foundation.Actions("*"), Resource: foundation.Resources("*")})
	regions := scp.MustBuild(scp.RestrictRegions(scp.RegionOptions{
		Sid: "DenyOtherRegions", Allowed: []string{"eu-west-1"}, ExemptActions: []string{"iam:*", "sts:*"},
	}))
	path := []scp.Level{
		{Target: "r-ab12", Name: "Root", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: full}}},
		{Target: "ou-ab12-wkld0001", Name: "Workloads", Policies: []scp.LevelPolicy{
			{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: full},
			{ID: "p-regions1", Name: "RegionGuard", Document: regions}}},
		{Target: "111122223333", Name: "prod", Policies: []scp.LevelPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: full}}},
	}
	d := scp.Authorize(path, nil, scp.Request{Action: "s3:CreateBucket", Region: "us-east-1",
		PrincipalARN: "arn:aws:iam::111122223333:role/CI", PrincipalAccount: "111122223333"})
	fmt.Print(d.Explain())
	// Output:
	// denied: explicit deny in a service control policy: statement "DenyOtherRegions" of policy RegionGuard (p-regions1) at Workloads (ou-ab12-wkld0001)
	//   condition StringNotEquals aws:RequestedRegion ["eu-west-1"] (request: ["us-east-1"]): met
	//   exemption 1: add condition ArnNotLike aws:PrincipalArn ["arn:aws:iam::111122223333:role/CI"] to statement "DenyOtherRegions" of policy RegionGuard (p-regions1) at Workloads (ou-ab12-wkld0001)
}
