package kms_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/kms"
)

func TestEnsureServiceLinkedRole(t *testing.T) {
	var s awstest.Subtests
	for _, tc := range []struct {
		spec       kms.ServiceLinkedRoleSpec
		name, path string
		// named: every backend names this role as AWS does (Auto
		// Scaling's, which seed 000 needs); the others rely on
		// awstest.IAMServiceLinkedRoleNames.
		named bool
	}{
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "eks-nodegroup.amazonaws.com"}, "AWSServiceRoleForAmazonEKSNodegroup", "/aws-service-role/eks-nodegroup.amazonaws.com/", false},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: "web", Description: "web fleet"},
			"AWSServiceRoleForAutoScaling_web", "/aws-service-role/autoscaling.amazonaws.com/", true},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "spot.amazonaws.com"}, "AWSServiceRoleForEC2Spot", "/aws-service-role/spot.amazonaws.com/", false},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "dynamodb.application-autoscaling.amazonaws.com"},
			"AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/", false},
		// A service this package does not know: the caller names the role.
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "lakeformation.amazonaws.com", RoleName: "AWSServiceRoleForLakeFormationDataAccess"},
			"AWSServiceRoleForLakeFormationDataAccess", "/aws-service-role/lakeformation.amazonaws.com/", false},
	} {
		s.Run(t, tc.name, func(t *testing.T) {
			b := awstest.New(t)
			b.Require(t, awstest.CapFreshState) // the account's role of the service is created here
			if !tc.named {
				b.Need(t, awstest.IAMServiceLinkedRoleNames)
			}
			ctx := awstest.Context(t, 10*time.Second)
			c := iam.NewFromConfig(b.Config())
			mark := b.Mark()
			dry, err := kms.EnsureServiceLinkedRole(ctx, c, tc.spec, awstest.Fast(foundation.WithDryRun(true))...)
			if err != nil || dry.RoleName != tc.name || dry.ARN != "" || len(dry.Changes) != 1 {
				t.Fatalf("dry run: %v %+v", err, dry)
			}
			b.RequireNoMutations(t, mark)
			r, err := kms.EnsureServiceLinkedRole(ctx, c, tc.spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			wantARN := "arn:aws:iam::" + b.AccountID(t) + ":role" + tc.path + tc.name
			if r.RoleName != tc.name || r.Path != tc.path || r.ARN != wantARN ||
				!slices.Equal(changeList(r.Changes), []string{"create iam:service-linked-role " + tc.name}) {
				t.Errorf("got %+v", r)
			}
			got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(tc.name)})
			if err != nil || aws.ToString(got.Role.Arn) != wantARN || aws.ToString(got.Role.Description) != tc.spec.Description {
				t.Errorf("GetRole: %v %v", got, err)
			}
			b.RequireIdempotent(t, func() ([]foundation.Change, error) {
				r, err := kms.EnsureServiceLinkedRole(ctx, c, tc.spec, awstest.Fast()...)
				if err != nil {
					return nil, err
				}
				if r.ARN != wantARN {
					t.Errorf("ARN %q", r.ARN)
				}
				return r.Changes, nil
			})
		})
	}
	s.Done(t)
}

// staleIAM answers GetRole with NoSuchEntity the first time, as when
// another run creates the role between our read and our create.
type staleIAM struct {
	*iam.Client
	reads int
}

func (s *staleIAM) GetRole(ctx context.Context, in *iam.GetRoleInput, opts ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	s.reads++
	if s.reads == 1 {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("stale")}
	}
	return s.Client.GetRole(ctx, in, opts...)
}

func TestServiceLinkedRoleRace(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the account's Auto Scaling role is created here
	b.Need(t, awstest.IAMServiceLinkedRoleTaken)
	ctx := awstest.Context(t, 10*time.Second)
	c := iam.NewFromConfig(b.Config())
	spec := kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com"}
	if _, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(spec.AWSServiceName)}); err != nil {
		t.Fatal(err)
	}
	mark := b.Mark()
	r, err := kms.EnsureServiceLinkedRole(ctx, &staleIAM{Client: c}, spec, awstest.Fast()...)
	if err != nil || len(r.Changes) != 0 || r.ARN == "" {
		t.Fatalf("%v %+v", err, r)
	}
	if got := ops(b.Calls(mark)); !slices.Equal(got, []string{"CreateServiceLinkedRole!", "GetRole"}) {
		t.Errorf("calls %v", got)
	}
}

func TestServiceLinkedRoleErrors(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 10*time.Second)
	c := iam.NewFromConfig(b.Config())
	// An InvalidInput that is not a race stays an error (injected: AWS
	// refuses a custom suffix before any call, by the spec's validation).
	if e := b.EmulatorFor(awstest.CapFaults); e != nil {
		f := e.FailNth(emulator.Match{Service: "iam", Operation: "CreateServiceLinkedRole"}, 1,
			emulator.APIError{Status: 400, Code: "InvalidInput", Message: "Custom suffix is not allowed"})
		_, err := kms.EnsureServiceLinkedRole(ctx, c, kms.ServiceLinkedRoleSpec{AWSServiceName: "rds.amazonaws.com"}, awstest.Fast()...)
		var ii *iamtypes.InvalidInputException
		if !errors.As(err, &ii) || f.Fired() != 1 || !strings.HasPrefix(err.Error(), `kms: service-linked role "AWSServiceRoleForRDS": create service-linked role: `) {
			t.Fatalf("err = %v", err)
		}
	}
	// A RoleName that is not the one AWS gives is reported (where the
	// backend names roles as AWS does, and the account has none yet).
	if b.Has(awstest.CapFreshState) && !b.Lacks(awstest.IAMServiceLinkedRoleNames) {
		_, err := kms.EnsureServiceLinkedRole(ctx, c, kms.ServiceLinkedRoleSpec{AWSServiceName: "lakeformation.amazonaws.com", RoleName: "LakeRole"}, awstest.Fast()...)
		if err == nil || !strings.Contains(err.Error(), `AWS named the role "AWSServiceRoleForLakeFormationDataAccess"`) {
			t.Fatalf("err = %v", err)
		}
	}

	mark := b.Mark()
	for _, tc := range []struct {
		spec  kms.ServiceLinkedRoleSpec
		api   kms.IAMAPI
		field string
	}{
		{kms.ServiceLinkedRoleSpec{}, c, "spec.AWSServiceName"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling"}, c, "spec.AWSServiceName"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "foo.amazonaws.com"}, c, "spec.AWSServiceName"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "eks.amazonaws.com", CustomSuffix: "x"}, c, "spec.CustomSuffix"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: "bad suffix"}, c, "spec.CustomSuffix"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: strings.Repeat("s", 40)}, c, "spec.CustomSuffix"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "eks.amazonaws.com", RoleName: "EKS"}, c, "spec.RoleName"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "foo.amazonaws.com", RoleName: "bad name"}, c, "spec.RoleName"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "eks.amazonaws.com", Description: strings.Repeat("d", 1001)}, c, "spec.Description"},
		{kms.ServiceLinkedRoleSpec{AWSServiceName: "eks.amazonaws.com"}, nil, "api"},
	} {
		r, err := kms.EnsureServiceLinkedRole(ctx, tc.api, tc.spec)
		if !errors.Is(err, foundation.ErrInvalidSpec) || r != nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: err = %v", tc.spec, err)
		}
	}
	b.RequireNoCalls(t, mark)
}
