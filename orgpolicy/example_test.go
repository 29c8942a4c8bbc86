package orgpolicy_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
	"github.com/awsfoundation/foundation/orgpolicy"
)

// Build a resource control policy from the data perimeter guardrails and
// print it as it is sent to AWS.
func ExampleBuildRCP() {
	doc, err := orgpolicy.BuildRCP(
		orgpolicy.EnforceSecureTransport(orgpolicy.SecureTransportOptions{Actions: []string{"s3:*", "kms:*"}}),
		orgpolicy.ConfusedDeputyProtection(orgpolicy.ConfusedDeputyOptions{OrganizationID: "o-a1b2c3d4e5", Actions: []string{"s3:*"}}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.MustJSON())
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"EnforceSecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*","kms:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}},{"Sid":"EnforceConfusedDeputyProtection","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:PrincipalIsAWSService":"true"},"Null":{"aws:SourceAccount":"false"},"StringNotEqualsIfExists":{"aws:SourceOrgID":"o-a1b2c3d4e5"}}}]}
}

// Management policies are built from typed settings and rendered with the
// inheritance operators.
func ExampleTagPolicy() {
	content, err := orgpolicy.TagPolicy{Rules: []orgpolicy.TagRule{
		{Key: "CostCenter", Values: []string{"100", "200"}, EnforcedFor: []string{"ec2:instance"}},
	}}.Content()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(content)
	// Output:
	// {"tags":{"costcenter":{"enforced_for":{"@@assign":["ec2:instance"]},"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}
}

// Ensure a declarative policy for EC2 (no public AMIs or snapshots,
// IMDSv2) on the root of a new organization: the policy type is enabled
// first; the second run changes nothing and makes no mutating call. Runs
// on the emulator of package foundationtest.
func ExampleEnsureAttachments() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := organizations.NewFromConfig(srv.Config())
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		log.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	for run := 1; run <= 2; run++ {
		mark := srv.Mark()
		p, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{
			Type: orgpolicy.DeclarativeEC2, Name: "ec2-baseline",
			Document: orgpolicy.DeclarativeEC2Policy{BlockPublicAMIs: true, BlockPublicSnapshots: true, RequireIMDSv2: true},
		}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		a, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{
			Type: orgpolicy.DeclarativeEC2, TargetID: root, Policies: []string{"ec2-baseline"},
		}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %d mutating calls\n", run, len(srv.MutatingCallsSince(mark)))
		for _, c := range append(p.Changes, a.Changes...) {
			fmt.Println(" ", c.Action, c.Resource, c.ID)
		}
	}
	// Output:
	// run 1: 3 mutating calls
	//   create organizations:policy ec2-baseline
	//   update organizations:policy-type r-c9i8/DECLARATIVE_POLICY_EC2
	//   create organizations:policy-attachment r-c9i8/ec2-baseline
	// run 2: 0 mutating calls
}

// Read an account's effective AI services opt-out policy: the root's
// policy, locked, wins over the account's own.
func ExampleReadEffective() {
	srv, err := foundationtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := organizations.NewFromConfig(srv.Config())
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		log.Fatal(err)
	}
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		log.Fatal(err)
	}
	mgmt := srv.ManagementAccountID()
	opts := []foundation.Option{foundation.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	for _, p := range []struct {
		name, target string
		doc          orgpolicy.AIOptOutPolicy
	}{
		{"org-opt-out", aws.ToString(roots.Roots[0].Id), orgpolicy.AIOptOutPolicy{Default: "optOut", LockDefault: true}},
		{"account-opt-in", mgmt, orgpolicy.AIOptOutPolicy{Default: "optIn", Services: map[string]string{"rekognition": "optIn"}}},
	} {
		if _, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: orgpolicy.AIServicesOptOut, Name: p.name, Document: p.doc}, opts...); err != nil {
			log.Fatal(err)
		}
		if _, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: orgpolicy.AIServicesOptOut, TargetID: p.target, Policies: []string{p.name}}, opts...); err != nil {
			log.Fatal(err)
		}
	}
	effective, err := orgpolicy.ReadEffective(ctx, api, orgpolicy.AIServicesOptOut, mgmt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(effective)
	// Output:
	// {"services":{"default":{"opt_out_policy":"optOut"},"rekognition":{"opt_out_policy":"optIn"}}}
}
