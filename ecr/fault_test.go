package ecr_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

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
	if _, err := ecr.EnsureRepository(ctx, client(b), seedSpec(key), fast()...); err != nil {
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
			ctx := awstest.Context(t, 60*time.Second)
			ref := awstest.New(t)
			e := ref.RequireEmulator(t, awstest.CapFaults)
			keyARN := setup.prep(t, ctx, ref)
			mark := e.CallCount()
			if _, err := ecr.EnsureRepository(ctx, client(ref), seedSpec(keyARN), fast()...); err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, c := range e.MutatingCallsSince(mark) {
				ops = append(ops, c.Operation)
			}
			if len(ops) != setup.n {
				t.Fatalf("%d mutating calls: %v", len(ops), ops)
			}
			want, err := e.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			for _, after := range []bool{false, true} {
				for i, op := range ops {
					t.Run(fmt.Sprintf("after=%v/%d-%s", after, i+1, op), func(t *testing.T) {
						b := awstest.New(t)
						e := b.RequireEmulator(t, awstest.CapFaults)
						keyARN := setup.prep(t, ctx, b)
						f := e.AddFault(&emulator.Fault{
							Match: emulator.Match{Service: "ecr", MutatingOnly: true}, Nth: i + 1, AfterHandler: after,
							Err: &emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"},
						})
						spec := seedSpec(keyARN)
						r, err := ecr.EnsureRepository(ctx, client(b), spec, fast()...)
						var ae smithy.APIError
						if err == nil || r != nil || f.Fired() != 1 || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
							!strings.HasPrefix(err.Error(), stepOf[op]) || strings.Count(err.Error(), "ecr: ") != 1 {
							t.Fatalf("fault at %s (fired %d): err = %v", op, f.Fired(), err)
						}
						e.RemoveFault(f)
						if _, err := ecr.EnsureRepository(ctx, client(b), spec, fast()...); err != nil {
							t.Fatalf("re-run: %v", err)
						}
						got, err := e.Snapshot()
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, want) {
							t.Errorf("state after recovery differs from the reference:\n%s", firstDiff(got, want))
						}
					})
				}
			}
		})
	}
}
