package ecr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// A statement letting anyone push (Principal "*", a write action, no
// Condition) is refused before any call, in a real run and a dry run,
// unless AllowPublicPush says so; public pull, a conditioned public push
// and a push for named principals are accepted.
func TestPublicPushPolicyIsRefusedUnlessAllowed(t *testing.T) {
	b := awstest.New(t)
	st := func(p *foundation.Principal, actions ...string) foundation.Statement {
		return foundation.Statement{Sid: "Extra", Effect: foundation.EffectAllow, Principal: p, Action: foundation.Actions(actions...)}
	}
	public := []struct {
		name string
		st   foundation.Statement
	}{
		{"ecr:*", st(foundation.AnyPrincipal(), "ecr:*")},
		{"AWS *", st(foundation.AWSPrincipal("*"), "ecr:PutImage")},
		{"push actions", st(foundation.AnyPrincipal(), ecr.PushActions...)},
		{"wildcard action", st(foundation.AnyPrincipal(), "*")},
		{"lower case", st(foundation.AnyPrincipal(), "ECR:batchdeleteimage")},
		{"policy change", st(foundation.AnyPrincipal(), "ecr:Set*")},
		{"NotAction", foundation.Statement{Sid: "Extra", Effect: foundation.EffectAllow, Principal: foundation.AnyPrincipal(), NotAction: foundation.Actions("ecr:BatchDeleteImage")}},
		{"NotPrincipal", foundation.Statement{Sid: "Extra", Effect: foundation.EffectAllow, NotPrincipal: foundation.AWSPrincipal(devAccount), Action: foundation.Actions("ecr:PutImage")}},
	}
	for _, tc := range public {
		t.Run(tc.name, func(t *testing.T) {
			spec := seedSpec(validKey)
			spec.Policy.Statements = []foundation.Statement{tc.st}
			mark := b.Mark()
			for _, dry := range []bool{false, true} {
				r, err := ecr.EnsureRepository(t.Context(), client(b), spec, foundation.WithDryRun(dry))
				if r != nil || !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "spec.Policy.Statements[0]") ||
					!strings.Contains(err.Error(), "AllowPublicPush") {
					t.Fatalf("dry=%v: err = %v", dry, err)
				}
			}
			b.RequireNoCalls(t, mark)
			spec.Policy.AllowPublicPush = true
			if err := spec.Validate(); err != nil {
				t.Errorf("AllowPublicPush does not accept it: %v", err)
			}
		})
	}
	for name, s := range map[string]foundation.Statement{
		"public pull": st(foundation.AnyPrincipal(), ecr.PullActions...),
		"conditioned": {Sid: "Extra", Effect: foundation.EffectAllow, Principal: foundation.AnyPrincipal(), Action: foundation.Actions("ecr:*"),
			Condition: foundation.Conditions{"StringEquals": {"aws:PrincipalOrgID": {"o-abcdefghij"}}}},
		"named": st(foundation.AWSPrincipal("arn:aws:iam::"+devAccount+":root"), "ecr:*"),
		"deny":  {Sid: "Extra", Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(), Action: foundation.Actions("ecr:*")},
	} {
		spec := seedSpec(validKey)
		spec.Policy.Statements = []foundation.Statement{s}
		if err := spec.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
