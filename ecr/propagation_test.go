package ecr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// notVisible is how ECR refuses a repository policy naming a principal it
// cannot see yet (a role created moments ago).
var notVisible = emulator.APIError{Status: 400, Code: "InvalidParameterException",
	Message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"}

// A policy naming a role ECR does not see yet is retried until it does,
// within the propagation timeout; the same refusal of a policy that names
// only accounts is returned at once (it is not propagation); a principal
// that never appears fails after the timeout, wrapping ECR's error.
func TestSetRepositoryPolicyWaitsForNewPrincipal(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	key := newKey(t, ctx, b, "k")
	match := emulator.Match{Service: "ecr", Operation: "SetRepositoryPolicy"}
	role, err := iam.NewFromConfig(b.Config()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(b.Unique("ci")),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	withRole := func() ecr.Spec {
		spec := specFor(b, key)
		spec.Policy.PushRoleARNs = []string{aws.ToString(role.Role.Arn)}
		return spec
	}
	calls := func(mark int) int {
		n := 0
		for _, c := range b.Calls(mark) {
			if c.Operation == "SetRepositoryPolicy" {
				n++
			}
		}
		return n
	}

	t.Run("new role", func(t *testing.T) {
		f1 := e.FailNth(match, 1, notVisible)
		f2 := e.FailNth(match, 2, notVisible)
		defer e.RemoveFault(f1)
		defer e.RemoveFault(f2)
		mark := b.Mark()
		r, err := ecr.EnsureRepository(ctx, client(b), withRole(), awstest.Fast()...)
		if err != nil {
			t.Fatal(err)
		}
		if n := calls(mark); n != 3 {
			t.Errorf("%d SetRepositoryPolicy calls, want 3 (2 refused while the role propagates)", n)
		}
		if !strings.Contains(r.Changes.String(), ecr.ResourceRepositoryPolicy) {
			t.Errorf("changes %v", r.Changes)
		}
	})
	t.Run("accounts only", func(t *testing.T) {
		f := e.FailNth(match, 1, notVisible)
		defer e.RemoveFault(f)
		mark := b.Mark()
		_, err := ecr.EnsureRepository(ctx, client(b), specFor(b, key), awstest.Fast()...)
		var ip *ecrtypes.InvalidParameterException
		if !errors.As(err, &ip) {
			t.Fatalf("err = %v", err)
		}
		if n := calls(mark); n != 1 {
			t.Errorf("%d SetRepositoryPolicy calls, want 1: only a policy naming a role or user waits", n)
		}
	})
	t.Run("never visible", func(t *testing.T) {
		f := e.FailAlways(match, notVisible)
		defer e.RemoveFault(f)
		_, err := ecr.EnsureRepository(ctx, client(b), withRole(), awstest.Fast(foundation.WithPropagationTimeout(100*time.Millisecond))...)
		var pe *awsretry.PropagationError
		var ip *ecrtypes.InvalidParameterException
		if !errors.As(err, &pe) || !errors.As(err, &ip) || pe.Attempts < 2 ||
			!strings.HasPrefix(err.Error(), `ecr: repository "`) || !strings.Contains(err.Error(), "set repository policy: ") {
			t.Fatalf("err = %v", err)
		}
	})
}

// A CreateRepository that ECR applied but whose answer was lost (a 500) is
// not sent again: the repository is found by name, adopted and reported
// as created, and the run converges it in one go.
func TestLostCreateAnswerIsAdoptedAndReported(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "ecr", Operation: "CreateRepository"}, Nth: 1, AfterHandler: true,
		Err: &emulator.APIError{Status: 500, Code: "ServerException", Message: "injected: applied, answer lost"}})
	mark := b.Mark()
	r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil || f.Fired() != 1 {
		t.Fatalf("fired %d, err %v", f.Fired(), err)
	}
	creates := 0
	for _, c := range b.Calls(mark) {
		if c.Operation == "CreateRepository" {
			creates++
		}
	}
	if got := changeList(r.Changes); creates != 1 || len(got) == 0 || got[0] != "create ecr:repository "+spec.Name {
		t.Errorf("%d CreateRepository calls, changes %q", creates, got)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}
