package testkit

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/foundationtest"
)

func app(srv *foundationtest.Server) App {
	return App{Name: "myapp", Repository: "octo-org/myapp", AccountID: srv.ManagementAccountID(), Region: foundationtest.Region}
}

func TestBootstrapConvergesAndIsIdempotent(t *testing.T) {
	srv := foundationtest.NewServer(t)
	ctx := context.Background()
	var first *Result
	srv.RequireIdempotent(t, func() error {
		r, err := Bootstrap(ctx, srv.Config(), app(srv))
		if first == nil {
			first = r
		} else if err == nil && len(r.Changes) > 0 {
			t.Errorf("second run reported changes:\n%s", r.Changes)
		}
		return err
	})
	if first == nil || len(first.Changes) == 0 {
		t.Fatal("first run reported no changes")
	}
	// Read it back as AWS has it.
	role, err := iam.NewFromConfig(srv.Config()).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("myapp-github-ci")})
	if err != nil || aws.ToString(role.Role.Arn) != first.RoleARN {
		t.Fatalf("role: %v %v", role, err)
	}
	if !strings.Contains(aws.ToString(role.Role.AssumeRolePolicyDocument), "repo%3Aocto-org%2Fmyapp%3Aref%3Arefs%2Fheads%2Fmain") {
		t.Fatalf("trust policy: %s", aws.ToString(role.Role.AssumeRolePolicyDocument))
	}
}

func TestDryRunMakesNoMutatingCall(t *testing.T) {
	srv := foundationtest.NewServer(t)
	srv.RequireNoMutations(t, func() error {
		r, err := Bootstrap(context.Background(), srv.Config(), app(srv), foundation.WithDryRun(true))
		if err == nil && len(r.Changes) == 0 {
			t.Error("a dry run on an empty account planned nothing")
		}
		return err
	})
}

func TestRefusedWriteIsATypedError(t *testing.T) {
	srv := foundationtest.NewServer(t)
	srv.FailAlways(foundationtest.Match{Service: "iam", Operation: "CreateRole"},
		foundationtest.Error{Code: "AccessDenied", Message: "explicit deny in a service control policy"})
	_, err := Bootstrap(context.Background(), srv.Config(), app(srv))
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("err = %v", err)
	}
	// Once the deny is lifted, a rerun finishes the job.
	srv.ClearFaults()
	srv.RequireIdempotent(t, func() error {
		_, err := Bootstrap(context.Background(), srv.Config(), app(srv))
		return err
	})
}

func TestLostResponsesMakeNoSecondResource(t *testing.T) {
	srv := foundationtest.NewServer(t)
	// Every write is applied, then its response is lost with a retryable
	// error: the SDK retries it.
	srv.FailNthAfter(foundationtest.Match{MutatingOnly: true}, 1, foundationtest.Error{Code: "InternalFailure", Status: 500})
	if _, err := Bootstrap(context.Background(), srv.Config(), app(srv)); err != nil {
		t.Logf("first run: %v (a rerun must finish)", err)
	}
	srv.ClearFaults()
	srv.RequireIdempotent(t, func() error {
		_, err := Bootstrap(context.Background(), srv.Config(), app(srv))
		return err
	})
	clean := foundationtest.NewServer(t)
	if _, err := Bootstrap(context.Background(), clean.Config(), app(clean)); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Snapshot()
	want, _ := clean.Snapshot()
	if string(got) != string(want) {
		t.Fatal("the state after a lost response differs from a clean run's")
	}
}

// The library's test-only dependencies must not reach this module.
func TestNoContainerDependencies(t *testing.T) {
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(sum), "\n") {
		l := strings.ToLower(line)
		if strings.Contains(l, "docker") || strings.Contains(l, "testcontainers") || strings.Contains(l, "moby") {
			t.Errorf("go.sum: %s", line)
		}
	}
}
