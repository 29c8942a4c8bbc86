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
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/kms"
)

const slrName = "AWSServiceRoleForAutoScaling"

func TestSeedKeyConvergesOnAFreshAccount(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the account's Auto Scaling service-linked role is created here
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	mark := b.Mark()
	emuMark := 0
	if e := b.EmulatorFor(awstest.CapServerCallLog); e != nil {
		emuMark = e.CallCount()
	}
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fresh: %d calls, %d mutating: %v", len(b.Calls(mark)), len(b.MutatingCalls(mark)), ops(b.Calls(mark)))
	want := append([]string{
		"create iam:service-linked-role " + slrName,
		"create kms:key " + spec.Alias,
		"create kms:alias " + spec.Alias,
	}, rotationChange(spec)...)
	if got := changeList(k.Changes); !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q", got, want)
	}
	if n := len(b.MutatingCalls(mark)); n != len(want) {
		t.Errorf("%d mutating calls for %d changes: %v", n, len(want), ops(b.MutatingCalls(mark)))
	}
	if k.Alias != spec.Alias || k.KeyID == "" || !strings.HasSuffix(k.ARN, ":key/"+k.KeyID) ||
		k.AliasARN != "arn:aws:kms:us-east-1:"+b.AccountID(t)+":"+spec.Alias {
		t.Errorf("identifiers: %+v", k)
	}

	// The service-linked role was created before the key policy naming it
	// was accepted: in the emulator's log, CreateServiceLinkedRole succeeds
	// before the one successful CreateKey.
	if e := b.EmulatorFor(awstest.CapServerCallLog); e != nil {
		var seq []string
		for _, c := range e.CallsSince(emuMark) {
			if c.Mutating {
				seq = append(seq, c.Operation+map[bool]string{true: "", false: "!"}[c.OK()])
			}
		}
		i, j := slices.Index(seq, "CreateServiceLinkedRole"), slices.Index(seq, "CreateKey")
		if i < 0 || j < 0 || i > j {
			t.Errorf("CreateServiceLinkedRole does not precede CreateKey: %v", seq)
		}
	}

	verifyKey(t, ctx, b, spec, k.KeyID)
	role, err := iam.NewFromConfig(b.Config()).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slrName)})
	if err != nil || aws.ToString(role.Role.Path) != "/aws-service-role/autoscaling.amazonaws.com/" {
		t.Errorf("service-linked role: %v %v", role, err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		again, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		if again.KeyID != k.KeyID || again.ARN != k.ARN {
			t.Errorf("second run found another key: %+v", again)
		}
		return again.Changes, nil
	})
}

// verifyKey reads everything back with the SDK.
func verifyKey(t *testing.T, ctx context.Context, b *awstest.Backend, spec kms.Spec, keyID string) {
	t.Helper()
	c := awskms.NewFromConfig(b.Config())
	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(spec.Alias)})
	if err != nil {
		t.Fatal(err)
	}
	m := d.KeyMetadata
	if aws.ToString(m.KeyId) != keyID || m.KeyState != kmstypes.KeyStateEnabled || aws.ToString(m.Description) != spec.Description ||
		m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || m.KeyManager != kmstypes.KeyManagerTypeCustomer {
		t.Errorf("key: %+v", m)
	}
	want, err := spec.Policy.Document()
	if err != nil {
		t.Fatal(err)
	}
	if have := keyPolicy(t, ctx, c, keyID); !have.Equal(want) {
		t.Errorf("policy\n have %s\n want %s", have.MustJSON(), want.MustJSON())
	}
	rot, err := c.GetKeyRotationStatus(ctx, &awskms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	period := int32(spec.RotationPeriodInDays)
	if period == 0 {
		period = kms.DefaultRotationPeriodInDays
	}
	switch {
	case err != nil:
		t.Errorf("rotation: %v", err)
	case spec.DisableRotation && rot.KeyRotationEnabled:
		t.Errorf("rotation on, the spec turns it off")
	case !spec.DisableRotation && (!rot.KeyRotationEnabled || aws.ToInt32(rot.RotationPeriodInDays) != period):
		t.Errorf("rotation: enabled %v, period %d; want every %d days", rot.KeyRotationEnabled, aws.ToInt32(rot.RotationPeriodInDays), period)
	}
	tags := keyTags(t, ctx, c, keyID)
	for k, v := range spec.Tags {
		if tags[k] != v {
			t.Errorf("tag %s = %q, want %q (have %v)", k, tags[k], v, tags)
		}
	}
	if tags[kms.AliasTagKey] != spec.Alias {
		t.Errorf("tag %s = %q", kms.AliasTagKey, tags[kms.AliasTagKey])
	}
}

func keyTags(t *testing.T, ctx context.Context, c *awskms.Client, keyID string) map[string]string {
	t.Helper()
	tags := map[string]string{}
	p := awskms.NewListResourceTagsPaginator(c, &awskms.ListResourceTagsInput{KeyId: aws.String(keyID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range out.Tags {
			tags[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
		}
	}
	return tags
}

// toggleRotation turns the key's rotation the other way than spec wants
// it, as someone at the console would.
func toggleRotation(ctx context.Context, c *awskms.Client, spec kms.Spec, keyID string) error {
	if spec.DisableRotation {
		_, err := c.EnableKeyRotation(ctx, &awskms.EnableKeyRotationInput{KeyId: aws.String(keyID)})
		return err
	}
	_, err := c.DisableKeyRotation(ctx, &awskms.DisableKeyRotationInput{KeyId: aws.String(keyID)})
	return err
}

func TestDryRunListsEveryChange(t *testing.T) {
	b := awstest.New(t)
	b.Require(t, awstest.CapFreshState) // the account's Auto Scaling service-linked role is created here
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "staging", "eu-west-1")
	mark := b.Mark()
	dry, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	// The identifiers AWS gives the key are predicted: the next call of
	// the same dry run plans with them.
	if p := plan.Predict("kms key", spec.Alias); dry.KeyID != p || dry.ARN != p || dry.AliasARN != p || !plan.IsPredicted(dry.ARN) || dry.Policy == nil {
		t.Errorf("dry run result: %+v", dry)
	}
	real, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if d, r := changeList(dry.Changes), changeList(real.Changes); !slices.Equal(d, r) || len(d) != 3+len(rotationChange(spec)) {
		t.Errorf("dry run listed\n  %s\nthe real run made\n  %s", strings.Join(d, "\n  "), strings.Join(r, "\n  "))
	}
	// Drift: a dry run lists the repairs and makes none.
	c := awskms.NewFromConfig(b.Config())
	if err := toggleRotation(ctx, c, spec, real.KeyID); err != nil {
		t.Fatal(err)
	}
	mark = b.Mark()
	dry, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(true))...)
	if err != nil {
		t.Fatal(err)
	}
	b.RequireNoMutations(t, mark)
	if got := changeList(dry.Changes); !slices.Equal(got, []string{"update kms:key-rotation " + spec.Alias}) {
		t.Errorf("dry run on drift: %q", got)
	}
}

func TestDriftIsRepaired(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	c := awskms.NewFromConfig(b.Config())
	id := aws.String(k.KeyID)
	// Someone turns rotation the other way, replaces the policy with the
	// default one, rewrites the description and a tag.
	rootOnly := `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + b.AccountID(t) + `:root"},"Action":"kms:*","Resource":"*"}]}`
	for _, f := range []func() error{
		func() error { return toggleRotation(ctx, c, spec, k.KeyID) },
		func() error {
			_, err := c.PutKeyPolicy(ctx, &awskms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: aws.String(rootOnly)})
			return err
		},
		func() error {
			_, err := c.TagResource(ctx, &awskms.TagResourceInput{KeyId: id, Tags: []kmstypes.Tag{
				{TagKey: aws.String("env"), TagValue: aws.String("dev")}, {TagKey: aws.String("owner"), TagValue: aws.String("someone")}}})
			return err
		},
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	fixed, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"update kms:key-policy " + spec.Alias,
		"update kms:key-rotation " + spec.Alias,
		"update kms:key-tags " + spec.Alias,
	}
	if got := changeList(fixed.Changes); !slices.Equal(got, want) {
		t.Errorf("changes\n got %q\nwant %q\n%s", got, want, fixed.Changes)
	}
	t.Logf("repair:\n%s", fixed.Changes)
	verifyKey(t, ctx, b, spec, k.KeyID)
	if tags := keyTags(t, ctx, c, k.KeyID); tags["owner"] != "someone" {
		t.Errorf("a tag the spec does not name was changed: %v", tags)
	}

	// A rotation period changed by hand is drift too, where the backend
	// reports the period.
	if rotationReported(b) {
		if _, err := c.EnableKeyRotation(ctx, &awskms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(180)}); err != nil {
			t.Fatal(err)
		}
		fixed, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil || len(fixed.Changes) != 1 || fixed.Changes[0].Diffs[0] != (foundation.Diff{Field: "RotationPeriodInDays", From: "180", To: "365"}) {
			t.Fatalf("period repair: %v %+v", err, fixed)
		}
		// And a spec that changes the period, or turns rotation off.
		spec.RotationPeriodInDays = 730
		if fixed, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...); err != nil || len(fixed.Changes) != 1 {
			t.Fatalf("new period: %v %+v", err, fixed)
		}
		verifyKey(t, ctx, b, spec, k.KeyID)
		spec.RotationPeriodInDays, spec.DisableRotation = 0, true
		if fixed, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...); err != nil || len(fixed.Changes) != 1 {
			t.Fatalf("rotation off: %v %+v", err, fixed)
		}
	}
	rot, err := c.GetKeyRotationStatus(ctx, &awskms.GetKeyRotationStatusInput{KeyId: id})
	if err != nil || rot.KeyRotationEnabled {
		t.Errorf("rotation still on: %+v %v", rot, err)
	}
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return k.Changes, nil
	})
}

// TestPropagationErrorIsRetried injects the error KMS returns for a key
// policy naming a principal it cannot see yet.
func TestPropagationErrorIsRetried(t *testing.T) {
	malformed := emulator.APIError{Status: 400, Code: "MalformedPolicyDocumentException",
		Message: "Policy contains a statement with one or more invalid principals."}
	var s awstest.Subtests
	defer s.Done(t)
	for _, op := range []string{"PutKeyPolicy", "CreateKey"} {
		s.Run(t, op, func(t *testing.T) {
			b := awstest.New(t)
			e := b.RequireEmulator(t, awstest.CapFaults)
			ctx := awstest.Context(t, 20*time.Second)
			spec := specFor(t, b, "prod", "us-east-1")
			if op == "PutKeyPolicy" {
				// A key whose policy has drifted: the repair puts the policy.
				k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
				if err != nil {
					t.Fatal(err)
				}
				spec.Policy.Users = []kms.Principal{kms.ServiceLinkedRole("eks.amazonaws.com")}
				_ = k
			}
			f := e.FailNth(emulator.Match{Service: "kms", Operation: op}, 1, malformed)
			mark := b.Mark()
			k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
			if err != nil {
				t.Fatal(err)
			}
			if f.Fired() != 1 {
				t.Errorf("fault fired %d times", f.Fired())
			}
			var attempts []string
			for _, c := range b.Calls(mark) {
				if c.Operation == op {
					attempts = append(attempts, ops([]awstest.Call{c})...)
				}
			}
			if !slices.Equal(attempts, []string{op + "!", op}) {
				t.Errorf("%s attempts: %v", op, attempts)
			}
			verifyKey(t, ctx, b, spec, k.KeyID)
		})
	}
}

func TestPropagationRetryIsBounded(t *testing.T) {
	b := awstest.New(t)
	b.Need(t, awstest.KMSPolicyPrincipalsExist)
	ctx := awstest.Context(t, 20*time.Second)
	// A role that never appears: KMS keeps refusing the policy.
	acct := b.AccountID(t)
	spec := kms.Spec{Alias: "alias/" + b.Unique("app"), Policy: kms.KeyPolicy{AccountID: acct,
		Users: []kms.Principal{kms.AWS("arn:aws:iam::" + acct + ":role/" + b.Unique("does-not-exist"))}},
	}
	start := time.Now()
	_, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithPropagationTimeout(100*time.Millisecond))...)
	var mp *kmstypes.MalformedPolicyDocumentException
	if !errors.As(err, &mp) || !strings.Contains(err.Error(), `kms: key "`+spec.Alias+`": create key: still refused after`) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	t.Log(err)
	// A policy that names only accounts and services is not retried: the
	// error cannot be propagation. KMS would accept that policy: the
	// refusal is injected.
	e := b.EmulatorFor(awstest.CapFaults)
	if e == nil {
		return
	}
	f := e.FailAlways(emulator.Match{Service: "kms", Operation: "CreateKey"}, emulator.APIError{Status: 400, Code: "MalformedPolicyDocumentException", Message: "bad"})
	spec = specFor(t, b, "prod", "us-east-1")
	spec.Policy.Grants = spec.Policy.Grants[:1] // EKS only
	_, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if !errors.As(err, &mp) || f.Fired() != 1 {
		t.Errorf("fired %d: err = %v", f.Fired(), err)
	}
}

// TestRoleCreatedWhileRetrying: the policy names a role that another
// program creates a moment later; the retry outlasts the gap.
func TestRoleCreatedWhileRetrying(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	acct, role := b.AccountID(t), b.Unique("ci")
	spec := kms.Spec{Alias: "alias/" + b.Unique("ci"), Policy: kms.KeyPolicy{AccountID: acct,
		Users: []kms.Principal{kms.AWS("arn:aws:iam::" + acct + ":role/" + role)}},
		DisableRotation: !rotationReported(b)}
	done := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, err := iam.NewFromConfig(b.Config()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		done <- err
	}()
	mark := b.Mark()
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithPropagationTimeout(10*time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range b.Calls(mark) {
		if c.Operation == "CreateKey" {
			n++
		}
	}
	// Where KMS checks that principals exist, the first CreateKey was
	// refused; elsewhere the first one succeeded.
	if n < 2 && !b.Lacks(awstest.KMSPolicyPrincipalsExist) {
		t.Errorf("CreateKey called %d times", n)
	}
	verifyKey(t, ctx, b, spec, k.KeyID)
}

func TestKeyStates(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	c := awskms.NewFromConfig(b.Config())
	id := aws.String(k.KeyID)
	if _, err := c.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	var se *kms.KeyStateError
	for _, dry := range []bool{false, true} {
		mark := b.Mark()
		_, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast(foundation.WithDryRun(dry))...)
		if !errors.As(err, &se) || se.State != kmstypes.KeyStateDisabled || se.KeyID != k.KeyID || !strings.Contains(err.Error(), "Reenable") {
			t.Fatalf("disabled key: %v", err)
		}
		b.RequireNoMutations(t, mark)
	}
	spec.Reenable = true
	got, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil || !slices.Equal(changeList(got.Changes), []string{"update kms:key " + spec.Alias}) {
		t.Fatalf("re-enable: %v %v", err, got)
	}
	verifyKey(t, ctx, b, spec, k.KeyID)

	if _, err := c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if !errors.As(err, &se) || se.State != kmstypes.KeyStatePendingDeletion || se.DeletionDate.IsZero() || !strings.Contains(err.Error(), "CancelDeletion") {
		t.Fatalf("pending deletion: %v", err)
	}
	t.Log(err)
	spec.CancelDeletion = true
	got, err = kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cancel deletion:\n%s", got.Changes)
	verifyKey(t, ctx, b, spec, k.KeyID)
	b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return k.Changes, nil
	})
}

func TestKeyOfAnotherTypeIsAMismatch(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	c := awskms.NewFromConfig(b.Config())
	out, err := c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256, KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		t.Fatal(err)
	}
	alias := "alias/" + b.Unique("mac")
	if _, err := c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	mark := b.Mark()
	_, err = kms.EnsureKey(ctx, apiFor(b), kms.Spec{Alias: alias, Policy: kms.KeyPolicy{AccountID: b.AccountID(t)}, Adopt: true}, awstest.Fast()...)
	var me *kms.KeyMismatchError
	if !errors.As(err, &me) || me.Field != "KeySpec" || me.Have != "HMAC_256" || me.Want != "SYMMETRIC_DEFAULT" {
		t.Fatalf("err = %v", err)
	}
	b.RequireNoMutations(t, mark)
	// The same spec with the HMAC key spec converges it (no rotation: HMAC
	// keys do not rotate).
	k, err := kms.EnsureKey(ctx, apiFor(b), kms.Spec{Alias: alias, KeySpec: kmstypes.KeySpecHmac256, Policy: kms.KeyPolicy{AccountID: b.AccountID(t)}, Adopt: true}, awstest.Fast()...)
	if err != nil || k.KeyID != aws.ToString(out.KeyMetadata.KeyId) {
		t.Fatalf("%v %+v", err, k)
	}
	t.Logf("HMAC key:\n%s", k.Changes)
}

// raceKMS creates the alias for a key of its own just before EnsureKey's
// CreateAlias, as a concurrent run would (naming the key's spec and usage,
// as EnsureKey does).
type raceKMS struct {
	*awskms.Client
	winner string
}

func (r *raceKMS) CreateAlias(ctx context.Context, in *awskms.CreateAliasInput, opts ...func(*awskms.Options)) (*awskms.CreateAliasOutput, error) {
	if r.winner == "" {
		out, err := r.Client.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("prod-us-east-1-main"),
			KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
			Tags: []kmstypes.Tag{{TagKey: aws.String(kms.AliasTagKey), TagValue: in.AliasName}, {TagKey: aws.String(foundation.ManagedByTagKey), TagValue: aws.String(foundation.ManagedByTagValue)}}})
		if err != nil {
			return nil, err
		}
		r.winner = aws.ToString(out.KeyMetadata.KeyId)
		if _, err := r.Client.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: in.AliasName, TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
			return nil, err
		}
	}
	return r.Client.CreateAlias(ctx, in, opts...)
}

func TestLostAliasRaceConvergesTheWinner(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	race := &raceKMS{Client: awskms.NewFromConfig(b.Config())}
	api := apiFor(b)
	api.KMS = race
	k, err := kms.EnsureKey(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID != race.winner {
		t.Errorf("converged %s, the alias names %s", k.KeyID, race.winner)
	}
	t.Logf("changes:\n%s", k.Changes)
	if !slices.ContainsFunc(k.Changes, func(c foundation.Change) bool {
		return c.Action == foundation.ActionDelete && c.Resource == kms.ResourceKey
	}) {
		t.Error("the key created for nothing is not reported deleted")
	}
	verifyKey(t, ctx, b, kms.Spec{Alias: spec.Alias, Description: spec.Description, Policy: spec.Policy, Tags: spec.Tags, DisableRotation: spec.DisableRotation}, race.winner)
}

// TestOrphanKeyIsAdopted: a run stopped after CreateKey; the next run
// adopts that key rather than creating another.
func TestOrphanKeyIsAdopted(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	c := awskms.NewFromConfig(b.Config())
	// Unrelated keys, with and without aliases and tags, and an orphan
	// of another alias.
	for i, tag := range []string{"", "alias/other", ""} {
		in := &awskms.CreateKeyInput{Description: aws.String("unrelated " + string(rune('a'+i)))}
		if tag != "" {
			in.Tags = []kmstypes.Tag{{TagKey: aws.String(kms.AliasTagKey), TagValue: aws.String(tag)}}
		}
		out, err := c.CreateKey(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/unrelated"), TargetKeyId: out.KeyMetadata.KeyId})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	spec := specFor(t, b, "prod", "us-east-1")
	// The first run's CreateAlias is refused (a client that refuses it, so
	// the test runs on every backend): the key is left without its alias.
	refused := kms.API{KMS: &refuseCreateAlias{KMSAPI: c}, IAM: apiFor(b).IAM}
	if _, err := kms.EnsureKey(ctx, refused, spec, awstest.Fast()...); err == nil {
		t.Fatal("the refused CreateAlias was not reported")
	}
	keys, _ := c.ListKeys(ctx, &awskms.ListKeysInput{Limit: aws.Int32(100)})
	before := len(keys.Keys)
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ = c.ListKeys(ctx, &awskms.ListKeysInput{Limit: aws.Int32(100)})
	if len(keys.Keys) != before {
		t.Errorf("%d keys, was %d: a second key was created", len(keys.Keys), before)
	}
	if got := changeList(k.Changes); !slices.Equal(got, append([]string{"create kms:alias " + spec.Alias}, rotationChange(spec)...)) {
		t.Errorf("changes %q", got)
	}
	verifyKey(t, ctx, b, spec, k.KeyID)
}

func TestDescriptionDrift(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	k, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	c := awskms.NewFromConfig(b.Config())
	_, err = c.UpdateKeyDescription(ctx, &awskms.UpdateKeyDescriptionInput{KeyId: aws.String(k.KeyID), Description: aws.String("edited")})
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := kms.EnsureKey(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil || !slices.Equal(changeList(fixed.Changes), []string{"update kms:key-description " + spec.Alias}) {
		t.Fatalf("%v %+v", err, fixed)
	}
	verifyKey(t, ctx, b, spec, k.KeyID)
}

// TestAdoptedOrphanLosesTheAliasRace: the key a stopped run left for the
// alias is adopted, but another run names its own key first. The run
// converges the other run's key and deletes the orphan.
func TestAdoptedOrphanLosesTheAliasRace(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	c := awskms.NewFromConfig(b.Config())
	orphan, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String(spec.Description),
		KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
		Tags: []kmstypes.Tag{{TagKey: aws.String(kms.AliasTagKey), TagValue: aws.String(spec.Alias)}, {TagKey: aws.String(foundation.ManagedByTagKey), TagValue: aws.String(foundation.ManagedByTagValue)}}})
	if err != nil {
		t.Fatal(err)
	}
	orphanID := aws.ToString(orphan.KeyMetadata.KeyId)
	race := &raceKMS{Client: c}
	api := apiFor(b)
	api.KMS = race
	k, err := kms.EnsureKey(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID != race.winner || k.KeyID == orphanID {
		t.Errorf("converged %s; the alias names %s, the orphan was %s", k.KeyID, race.winner, orphanID)
	}
	if !slices.Contains(changeList(k.Changes), "delete kms:key "+orphanID) {
		t.Errorf("the orphan is not reported deleted: %q", changeList(k.Changes))
	}
	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(orphanID)})
	if err != nil || d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		t.Errorf("orphan: %v %v", d, err)
	}
	verifyKey(t, ctx, b, kms.Spec{Alias: spec.Alias, Description: spec.Description, Policy: spec.Policy, Tags: spec.Tags, DisableRotation: spec.DisableRotation}, race.winner)
}

// doubleDeleteKMS is raceKMS whose ScheduleKeyDeletion finds the key
// already pending deletion: a third run took the key for an orphan, lost
// the alias too, and deleted it first.
type doubleDeleteKMS struct{ *raceKMS }

func (d doubleDeleteKMS) ScheduleKeyDeletion(ctx context.Context, in *awskms.ScheduleKeyDeletionInput, opts ...func(*awskms.Options)) (*awskms.ScheduleKeyDeletionOutput, error) {
	if _, err := d.Client.ScheduleKeyDeletion(ctx, in); err != nil {
		return nil, err
	}
	return d.Client.ScheduleKeyDeletion(ctx, in, opts...)
}

func TestLostKeyAlreadyDeletedByAnotherRun(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := specFor(t, b, "prod", "us-east-1")
	race := &raceKMS{Client: awskms.NewFromConfig(b.Config())}
	api := apiFor(b)
	api.KMS = doubleDeleteKMS{race}
	k, err := kms.EnsureKey(ctx, api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID != race.winner {
		t.Errorf("converged %s, the alias names %s", k.KeyID, race.winner)
	}
	// (A backend that schedules the deletion again reports it.)
	if !b.Lacks(awstest.KMSScheduleDeletionTwice) && slices.ContainsFunc(k.Changes, func(c foundation.Change) bool { return c.Action == foundation.ActionDelete }) {
		t.Errorf("a deletion another run made is reported: %s", k.Changes)
	}
	verifyKey(t, ctx, b, kms.Spec{Alias: spec.Alias, Description: spec.Description, Policy: spec.Policy, Tags: spec.Tags, DisableRotation: spec.DisableRotation}, race.winner)
}

// refuseCreateAlias refuses every CreateAlias as AWS does without the
// permission, before anything is written.
type refuseCreateAlias struct{ kms.KMSAPI }

func (r *refuseCreateAlias) CreateAlias(context.Context, *awskms.CreateAliasInput, ...func(*awskms.Options)) (*awskms.CreateAliasOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:CreateAlias"}
}
