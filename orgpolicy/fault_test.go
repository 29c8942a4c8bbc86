package orgpolicy_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/orgpolicy"
)

// Each mutating call of a setup with an RCP, a tag policy and a
// declarative policy (3 CreatePolicy, 3 EnablePolicyType, 3 AttachPolicy)
// fails in turn: a ConcurrentModificationException before or after the
// write, and a write applied whose answer is lost as a retryable 500.
// Every run succeeds (retried) and reaches the state of a run without
// faults: no policy made twice, no attachment missing. The calls come in
// three alike groups: the default test run fails every second one
// (FOUNDATION_TEST_MATRIX=1: each).
func TestFaultsOnEachWrite(t *testing.T) {
	every := 2
	if os.Getenv("FOUNDATION_TEST_MATRIX") == "1" {
		every = 0
	}
	type state struct{ ou string }
	setup := func(t *testing.T, ctx context.Context, b *awstest.Backend) state {
		root := b.Organization(ctx, t)
		ou, err := b.Organizations().CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Prod")})
		if err != nil {
			t.Fatal(err)
		}
		return state{ou: aws.ToString(ou.OrganizationalUnit.Id)}
	}
	all := docs()
	run := func(ctx context.Context, b *awstest.Backend, s state) error {
		api := b.Organizations()
		for _, typ := range []orgpolicy.Type{orgpolicy.RCP, orgpolicy.Tag, orgpolicy.DeclarativeEC2} {
			name := "p-" + string(typ)
			if _, err := orgpolicy.EnsurePolicy(ctx, api, orgpolicy.PolicySpec{Type: typ, Name: name, Document: all[typ]}, awstest.Fast()...); err != nil {
				return err
			}
			if _, err := orgpolicy.EnsureAttachments(ctx, api, orgpolicy.AttachmentSpec{Type: typ, TargetID: s.ou, Policies: []string{name}}, awstest.Fast()...); err != nil {
				return err
			}
		}
		return nil
	}
	awstest.FaultMatrix[state]{
		Setup:    setup,
		Run:      run,
		Match:    emulator.Match{Service: "organizations"},
		Err:      &emulator.APIError{Status: 400, Code: "ConcurrentModificationException", Message: "injected"},
		Variants: []awstest.FaultVariant{{Name: "before", Retried: true}, {Name: "after", After: true, Retried: true}, awstest.LostAnswer500},
		Calls:    9,
		Every:    every,
	}.Test(t)
}
