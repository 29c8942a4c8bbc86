package ecr_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
)

// stepOf is how errors name each mutating call.
var stepOf = map[string]string{
	"CreateRepository":              `ecr: repository "myapp": create repository: `,
	"PutImageTagMutability":         `ecr: repository "myapp": put image tag mutability: `,
	"PutImageScanningConfiguration": `ecr: repository "myapp": put image scanning configuration: `,
	"PutLifecyclePolicy":            `ecr: repository "myapp": put lifecycle policy: `,
	"SetRepositoryPolicy":           `ecr: repository "myapp": set repository policy: `,
	"TagResource":                   `ecr: repository "myapp": tag repository: `,
}

// fresh creates the repository's KMS key; drifted also converges seed
// 000's repository and then changes everything EnsureRepository repairs.
// Both return the key's ARN.
func fresh(t *testing.T, ctx context.Context, b *awstest.Backend) string {
	return newKey(t, ctx, b, "prod-us-east-1-main")
}

func drifted(t *testing.T, ctx context.Context, b *awstest.Backend) string {
	t.Helper()
	key := fresh(t, ctx, b)
	if _, err := ecr.EnsureRepository(ctx, client(b), seedSpec(key), awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	c, name := client(b), aws.String("myapp")
	for _, f := range []func() error{
		func() error {
			_, err := c.PutImageTagMutability(ctx, &awsecr.PutImageTagMutabilityInput{RepositoryName: name, ImageTagMutability: ecrtypes.ImageTagMutabilityMutable})
			return err
		},
		func() error {
			_, err := c.PutImageScanningConfiguration(ctx, &awsecr.PutImageScanningConfigurationInput{RepositoryName: name, ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{}})
			return err
		},
		func() error {
			_, err := c.DeleteLifecyclePolicy(ctx, &awsecr.DeleteLifecyclePolicyInput{RepositoryName: name})
			return err
		},
		func() error {
			_, err := c.DeleteRepositoryPolicy(ctx, &awsecr.DeleteRepositoryPolicyInput{RepositoryName: name})
			return err
		},
		func() error {
			_, err := c.UntagResource(ctx, &awsecr.UntagResourceInput{ResourceArn: aws.String("arn:aws:ecr:us-east-1:" + b.AccountID(t) + ":repository/myapp"), TagKeys: []string{"app"}})
			return err
		},
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	return key
}

// TestFaultAtEveryMutatingCall fails each mutating ECR call of a fresh run
// of seed 000's repository, and of the run that repairs it after drift, in
// turn, before the write and after it (the answer lost). The error is
// wrapped once, naming the step; running again reaches exactly the state
// of an undisturbed run.
func TestFaultAtEveryMutatingCall(t *testing.T) {
	var s awstest.Subtests
	defer s.Done(t)
	for _, setup := range []struct {
		name string
		prep func(*testing.T, context.Context, *awstest.Backend) string
		n    int
	}{{"fresh", fresh, 3}, {"drift", drifted, 5}} {
		s.Run(t, setup.name, func(t *testing.T) {
			awstest.FaultMatrix[string]{
				Setup: setup.prep,
				Run: func(ctx context.Context, b *awstest.Backend, keyARN string) error {
					r, err := ecr.EnsureRepository(ctx, client(b), seedSpec(keyARN), awstest.Fast()...)
					if err != nil && r != nil {
						return errors.New("a result with the error: " + err.Error())
					}
					return err
				},
				Match: emulator.Match{Service: "ecr"},
				Calls: setup.n,
				Variants: []awstest.FaultVariant{
					{Name: "before"}, {Name: "after", After: true},
					// The answer lost as a retryable 500: the SDK sends
					// the write again, which must neither fail nor make
					// a second of anything.
					awstest.LostAnswer500,
				},
				Check: func(t *testing.T, op string, err error) {
					var ae smithy.APIError
					if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
						!strings.HasPrefix(err.Error(), stepOf[strings.TrimPrefix(op, "ecr:")]) || strings.Count(err.Error(), "ecr: ") != 1 {
						t.Fatalf("fault at %s: err = %v", op, err)
					}
				},
			}.Test(t)
		})
	}
}

// TestFailedRunReportsWhatItMade: a run that fails after some writes
// returns, with the error, exactly the changes it made (the repository and
// its lifecycle policy, not the repository policy that was refused).
func TestFailedRunReportsWhatItMade(t *testing.T) {
	b := awstest.New(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	e.FailNth(emulator.Match{Service: "ecr", Operation: "SetRepositoryPolicy"}, 1, emulator.APIError{Status: 400, Code: "AccessDeniedException", Message: "injected"})
	mark := b.Mark()
	r, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	var inc *foundation.IncompleteError
	var ae smithy.APIError
	if r != nil || !errors.As(err, &inc) || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" ||
		!strings.HasPrefix(err.Error(), `ecr: repository "`+spec.Name+`": set repository policy: `) {
		t.Fatalf("r = %+v, err = %v", r, err)
	}
	want := []string{"create ecr:repository " + spec.Name, "create ecr:lifecycle-policy " + spec.Name}
	if got := changeList(inc.Changes); !slices.Equal(got, want) {
		t.Errorf("changes of the failed run\n got %q\nwant %q", got, want)
	}
	if n := len(b.MutatingCalls(mark)); n != len(want)+1 { // and the refused SetRepositoryPolicy
		t.Errorf("%d mutating calls: %v", n, b.MutatingCalls(mark))
	}
}
