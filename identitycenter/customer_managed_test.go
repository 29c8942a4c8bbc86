package identitycenter_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestCustomerManagedPoliciesAndBoundary references IAM policies that must
// exist in every account: where one is missing, AWS fails the assignment's
// provisioning and the reason is surfaced; once created, a re-run converges.
// A backend that provisions nothing on assignment (so fails nothing) or
// cannot attach a boundary checks the customer managed policies only.
func TestCustomerManagedPoliciesAndBoundary(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	provisions := !b.Lacks(awstest.SSOAssignmentProvisions)
	boundary := !b.Lacks(awstest.SSOPermissionsBoundaryWrite)
	o := newOrg(t, ctx, b, seed001Accounts...)
	createPolicies := func(acct string) {
		c := iam.NewFromConfig(b.ConfigFor(acct))
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`
		for _, p := range [][2]string{{"TasksDeploy", "/"}, {"DeveloperBoundary", "/boundaries/"}} {
			if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(p[0]), Path: aws.String(p[1]), PolicyDocument: aws.String(doc)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	createPolicies(o.accounts["hiperium-sandbox"])
	spec := withoutTags(b, seed001(o, seed001Accounts...))
	p := &spec.PermissionSets[0]
	p.CustomerManagedPolicies = []identitycenter.CustomerManagedPolicy{{Name: "TasksDeploy"}}
	if boundary {
		p.PermissionsBoundary = &identitycenter.PermissionsBoundary{CustomerManagedPolicy: &identitycenter.CustomerManagedPolicy{Name: "DeveloperBoundary", Path: "/boundaries/"}}
	}

	if provisions {
		_, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		var ae *identitycenter.AssignmentError
		if !errors.As(err, &ae) || ae.AccountID != o.accounts["hiperium-security"] || ae.Reason == "" {
			t.Fatalf("err = %v, want an *AssignmentError for the account without the policies", err)
		}
		t.Logf("AWS's reason: %s", ae.Reason)
		createPolicies(o.accounts["hiperium-security"])
		got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		if w := []string{"create sso:account-assignment GROUP:Provisioners/provisioners-permission-set/" + o.accounts["hiperium-security"]}; !slices.Equal(changeLines(got.Changes), w) {
			t.Errorf("re-run changes %v, want %v", changeLines(got.Changes), w)
		}
	} else {
		createPolicies(o.accounts["hiperium-security"])
		if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
			t.Fatal(err)
		}
	}
	verifyAccess(t, ctx, b, o, spec)
	sso := SSOAdmin(b)
	arn := psByName(t, ctx, sso, o.instanceARN, p.Name).PermissionSetArn
	cm, err := sso.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn})
	if err != nil || len(cm.CustomerManagedPolicyReferences) != 1 || aws.ToString(cm.CustomerManagedPolicyReferences[0].Name) != "TasksDeploy" {
		t.Errorf("customer managed policies: %v %+v", err, cm)
	}
	if boundary {
		pb, err := sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: aws.String(o.instanceARN), PermissionSetArn: arn})
		if err != nil || pb.PermissionsBoundary.CustomerManagedPolicyReference == nil ||
			aws.ToString(pb.PermissionsBoundary.CustomerManagedPolicyReference.Path) != "/boundaries/" {
			t.Errorf("boundary: %v %+v", err, pb)
		}
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return again.Changes, nil
	})
	// Dropping them detaches and deletes them, and re-provisions.
	p.CustomerManagedPolicies, p.PermissionsBoundary = nil, nil
	got, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	w := []string{"delete sso:customer-managed-policy-attachment provisioners-permission-set"}
	if boundary {
		w = append(w, "delete sso:permissions-boundary provisioners-permission-set")
	}
	if provisions {
		w = append(w, "update sso:provisioning provisioners-permission-set/ALL_PROVISIONED_ACCOUNTS")
	}
	if !slices.Equal(changeLines(got.Changes), w) {
		t.Errorf("changes%s\nwant%s", joinLines(changeLines(got.Changes)), joinLines(w))
	}
	verifyAccess(t, ctx, b, o, spec)
}
