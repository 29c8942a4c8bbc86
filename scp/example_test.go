package scp_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/scp"
)

// Build the SCP of a Suspended OU and a guardrail that keeps workloads in
// two Regions, except for a platform role, and print them as they are sent
// to AWS.
func ExampleBuild() {
	suspended, err := scp.Build(scp.DenyAll(scp.DenyAllOptions{}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(suspended.MustJSON())

	regions, err := scp.Build(
		scp.DenyRootUser(scp.RootUserOptions{}),
		scp.RestrictRegions(scp.RegionOptions{
			Allowed:             []string{"eu-west-1", "eu-central-1"},
			ExemptActions:       []string{"iam:*", "organizations:*", "sts:*", "support:*"},
			ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/PlatformAdmin"},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(regions.MustJSON())
	n, _ := scp.Size(regions)
	fmt.Println(n, "of", scp.DefaultMaxPolicySize, "characters")

	_, err = scp.Build(scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-westt-1"}}))
	fmt.Println(err)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}
	// {"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:*:iam::*:root"}}},{"Sid":"DenyOutsideAllowedRegions","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*","support:*"],"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalARN":"arn:aws:iam::*:role/PlatformAdmin"},"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}
	// 455 of 10240 characters
	// scp: RestrictRegions.Allowed[0]: "eu-westt-1": is not an AWS Region (such as "eu-west-1"); set AllowUnknownRegions for a Region this package does not know yet
}

// Check offline what a guardrail allows.
func ExampleEvaluate() {
	guardrail := scp.MustBuild(scp.RestrictRegions(scp.RegionOptions{
		Allowed:             []string{"eu-west-1"},
		ExemptPrincipalARNs: []string{"arn:aws:iam::*:role/PlatformAdmin"},
	}))
	fullAWSAccess := foundation.NewPolicy(foundation.Statement{Effect: foundation.EffectAllow,
		Action: foundation.Actions("*"), Resource: foundation.Resources("*")})
	attached := []*foundation.PolicyDocument{fullAWSAccess, guardrail}

	for _, req := range []scp.Request{
		{Action: "ec2:RunInstances", Region: "eu-west-3", PrincipalARN: "arn:aws:iam::111122223333:role/Dev"},
		{Action: "iam:CreateRole", Region: "eu-west-3", PrincipalARN: "arn:aws:iam::111122223333:role/Dev"},
		{Action: "ec2:RunInstances", Region: "eu-west-3", PrincipalARN: "arn:aws:iam::111122223333:role/PlatformAdmin"},
	} {
		fmt.Println(req.Action, req.PrincipalARN[len("arn:aws:iam::111122223333:"):], scp.Evaluate(attached, req))
	}
	// Output:
	// ec2:RunInstances role/Dev ExplicitDeny by policy 1 statement 0 (DenyOutsideAllowedRegions)
	// iam:CreateRole role/Dev Allow by policy 0 statement 0
	// ec2:RunInstances role/PlatformAdmin Allow by policy 0 statement 0
}

// Create a guardrail SCP and attach it to an OU of a new organization; the
// second run changes nothing and makes no mutating call. Runs on the
// emulator of package foundationtest: with credentials for AWS, build the
// Organizations client from config.LoadDefaultConfig instead (and use an
// existing OU).
func ExampleEnsurePolicy() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := organizations.NewFromConfig(srv.Config()) // the management account, fake credentials
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		log.Fatal(err)
	}
	ou, err := api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: roots.Roots[0].Id, Name: aws.String("Production")})
	if err != nil {
		log.Fatal(err)
	}
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}

	for run := 1; run <= 2; run++ {
		mark := srv.Mark()
		p, err := scp.EnsurePolicy(ctx, api, scp.PolicySpec{
			Name:        "production-guardrails",
			Description: "No root user, no leaving, no deleting databases",
			Document: scp.MustBuild(
				scp.DenyRootUser(scp.RootUserOptions{}),
				scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
				scp.ProtectActions(scp.ProtectActionsOptions{Sid: "DenyRDSDelete", Actions: []string{"rds:DeleteDBInstance", "rds:DeleteDBCluster"}}),
			),
		}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		a, err := scp.EnsureAttachments(ctx, api, scp.AttachmentSpec{
			TargetID: aws.ToString(ou.OrganizationalUnit.Id),
			Policies: []string{"production-guardrails"},
		}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %d changes, %d mutating calls\n", run, len(p.Changes)+len(a.Changes), len(srv.MutatingCallsSince(mark)))
		for _, c := range append(p.Changes, a.Changes...) {
			fmt.Println(" ", c.Action, c.Resource, c.ID)
		}
		for _, ap := range a.Policies {
			fmt.Println("  attached:", ap.Name, ap.ID)
		}
	}
	// Output:
	// run 1: 3 changes, 3 mutating calls
	//   create organizations:policy production-guardrails
	//   update organizations:policy-type r-c9i8/SERVICE_CONTROL_POLICY
	//   create organizations:policy-attachment ou-c9i8-wbflgrzg/production-guardrails
	//   attached: FullAWSAccess p-FullAWSAccess
	//   attached: production-guardrails p-qtp0kgcr
	// run 2: 0 changes, 0 mutating calls
	//   attached: FullAWSAccess p-FullAWSAccess
	//   attached: production-guardrails p-qtp0kgcr
}
