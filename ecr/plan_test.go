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

// TestDryRunWithPredictedPrincipals: the accounts and the CI role other
// dry runs would create (organizations, oidcfed) are planned into the
// repository policy.
func TestDryRunWithPredictedPrincipals(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(b, newKey(t, ctx, b, "k"))
	account, role := plan.Predict("account", "dev@example.com"), plan.Predict("iam role", "ci")
	spec.Policy.PullAccounts = append(spec.Policy.PullAccounts, account)
	spec.Policy.PushRoleARNs = []string{role}
	mark := b.Mark()
	dry, err := ecr.EnsureRepository(ctx, client(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	pull, ok1 := dry.Policy.StatementBySid(ecr.SidCrossAccountPull)
	push, ok2 := dry.Policy.StatementBySid(ecr.SidPush)
	if !ok1 || !ok2 || !slices.Contains(pull.Principal.AWS, "arn:aws:iam::"+account+":root") || !slices.Equal(push.Principal.AWS, []string{role}) {
		t.Errorf("the planned policy does not name the predicted principals:\n%s", dry.Policy.MustJSON())
	}
	if !slices.Contains(changeList(dry.Changes), "create ecr:repository-policy "+spec.Name) {
		t.Errorf("changes %q", changeList(dry.Changes))
	}
}

// TestPredictedIdentifiersAreRefusedInARealRun: a dry run's placeholder
// given to a real run is an invalid spec naming the field, before any
// call. Validate, which does not know the mode, accepts it.
func TestPredictedIdentifiersAreRefusedInARealRun(t *testing.T) {
	b := awstest.New(t)
	for field, mod := range map[string]func(*ecr.Spec){
		"spec.KMSKey":                    func(s *ecr.Spec) { s.KMSKey = plan.Predict("kms key", "alias/images") },
		"spec.Policy.PullAccounts[1]":    func(s *ecr.Spec) { s.Policy.PullAccounts[1] = plan.Predict("account", "staging@example.com") },
		"spec.Policy.PullOrganizationID": func(s *ecr.Spec) { s.Policy.PullOrganizationID = plan.Predict("organization", "") },
		"spec.Policy.PushRoleARNs[0]":    func(s *ecr.Spec) { s.Policy.PushRoleARNs = []string{plan.Predict("iam role", "ci")} },
	} {
		spec := specFor(b, "")
		spec.Encryption = ""
		mod(&spec)
		mark := b.Mark()
		r, err := ecr.EnsureRepository(t.Context(), client(b), spec, awstest.Fast()...)
		var se *foundation.SpecError
		if r != nil || !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Field != field || !strings.Contains(err.Error(), "dry run") {
			t.Errorf("%s: r = %+v, err = %v", field, r, err)
		}
		b.RequireNoCalls(t, mark)
		if err := spec.Validate(); err != nil {
			t.Errorf("%s: Validate = %v", field, err)
		}
	}
}
