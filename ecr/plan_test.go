package ecr_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/kms"
)

// TestDryRunWithAPredictedKey chains two dry runs as a program does: the
// key ARN a dry run of kms.EnsureKey predicts for the key it would create
// is the repository's KMSKey. The dry run plans the repository with it
// (no KMS read, no write) and lists what the real runs, given the real
// key, make.
func TestDryRunWithAPredictedKey(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	keyAPI := kms.API{KMS: awskms.NewFromConfig(b.Config())}
	keySpec := kms.Spec{Alias: "alias/" + b.Unique("images"), Policy: kms.KeyPolicy{AccountID: b.AccountID(t)},
		DisableRotation: b.Lacks(awstest.KMSRotationPeriod)}
	mark := b.Mark()
	dryKey, err := kms.EnsureKey(ctx, keyAPI, keySpec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.IsPredicted(dryKey.ARN) {
		t.Fatalf("the dry run's key ARN %q is not predicted", dryKey.ARN)
	}
	spec := specFor(b, dryKey.ARN)
	keyCalls := len(b.Calls(mark))
	dry, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	for _, c := range b.Calls(mark)[keyCalls:] {
		if strings.EqualFold(c.Service, "kms") {
			t.Errorf("the dry run read KMS for the predicted key: %v", c)
		}
	}
	if !plan.IsPredicted(dry.ARN) || !plan.IsPredicted(dry.URI) {
		t.Errorf("dry run result %+v", dry)
	}

	key, err := kms.EnsureKey(ctx, keyAPI, keySpec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	spec.KMSKey = key.ARN
	real, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := changeList(dry.Changes), changeList(real.Changes); !slices.Equal(d, r) {
		t.Errorf("the dry run planned %q, the real run made %q", d, r)
	}
	verifyRepository(t, ctx, b, spec, mustParse(t, seedPolicyJSON))
}

// TestPredictedKeyIsRefusedInARealRun: a dry run's placeholder given to a
// real run is an invalid spec naming the field, before any call. Validate,
// which does not know the mode, accepts it.
func TestPredictedKeyIsRefusedInARealRun(t *testing.T) {
	b := awstest.New(t)
	spec := specFor(b, plan.Predict("kms key", "alias/images"))
	mark := b.Mark()
	r, err := ecr.EnsureRepository(t.Context(), client(b), spec, awstest.Fast()...)
	var se *foundation.SpecError
	if r != nil || !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Field != "spec.KMSKey" || !strings.Contains(err.Error(), "dry run") {
		t.Errorf("r = %+v, err = %v", r, err)
	}
	b.RequireNoCalls(t, mark)
	if err := spec.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}
