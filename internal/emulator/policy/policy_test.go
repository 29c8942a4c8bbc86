package policy_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/awsfoundation/foundation/internal/emulator/policy"
	"github.com/stretchr/testify/require"
)

// The cases follow AWS's documented grammar of the IAM JSON policy
// language and its policy elements reference, not the library's builder.

func TestParsePolicyAccepts(t *testing.T) {
	// A single statement object, string forms, "Principal":"*", no Version.
	doc, perr := policy.Parse(` {"Id":"p1","Statement":{"Sid":"any chars: ok","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}} `, policy.KindResource)
	require.Nil(t, perr)
	require.Equal(t, "", doc.Version)
	require.Equal(t, "p1", doc.ID)
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	require.Equal(t, "any chars: ok", st.Sid)
	require.Equal(t, policy.EffectAllow, st.Effect)
	require.Equal(t, &policy.Principal{Wildcard: true}, st.Principal)
	require.Equal(t, []string{"s3:GetObject"}, st.Action)
	require.Equal(t, []string{"arn:aws:s3:::b/*"}, st.Resource)

	// List forms, {"AWS":"*"}, every principal type, NotPrincipal, NotAction,
	// NotResource, conditions with string, bool, number and list values.
	doc, perr = policy.Parse(`{"Version":"2008-10-17","Statement":[
		{"Effect":"Deny","Principal":{"AWS":"*"},"NotAction":["kms:Decrypt","kms:Encrypt"],"NotResource":["a","b"]},
		{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::111111111111:root"],"Service":"logs.amazonaws.com",
		  "Federated":["accounts.google.com"],"CanonicalUser":"abc"},"Action":"*","Resource":"*",
		 "Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10},
		  "StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"],"sts:ExternalId":"x"},"Null":{"aws:TokenIssueTime":true}}},
		{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:role/r"},"Action":"sts:AssumeRole"}]}`, policy.KindResource)
	require.Nil(t, perr)
	require.Equal(t, "2008-10-17", doc.Version)
	require.Len(t, doc.Statement, 3)
	require.Equal(t, []string{"*"}, doc.Statement[0].Principal.AWS)
	require.False(t, doc.Statement[0].Principal.Wildcard)
	require.Equal(t, []string{"kms:Decrypt", "kms:Encrypt"}, doc.Statement[0].NotAction)
	require.Equal(t, []string{"a", "b"}, doc.Statement[0].NotResource)
	p := doc.Statement[1].Principal
	require.Equal(t, []string{"111111111111", "arn:aws:iam::111111111111:root"}, p.AWS)
	require.Equal(t, []string{"logs.amazonaws.com"}, p.Service)
	require.Equal(t, []string{"accounts.google.com"}, p.Federated)
	require.Equal(t, []string{"abc"}, p.CanonicalUser)
	require.Equal(t, map[string]map[string][]string{
		"Bool":            {"aws:SecureTransport": {"false"}},
		"NumericLessThan": {"s3:max-keys": {"10"}},
		"StringEquals":    {"aws:PrincipalOrgID": {"o-1", "o-2"}, "sts:ExternalId": {"x"}},
		"Null":            {"aws:TokenIssueTime": {"true"}},
	}, doc.Statement[1].Condition)
	require.Nil(t, doc.Statement[2].Principal)
	require.Equal(t, []string{"arn:aws:iam::111111111111:role/r"}, doc.Statement[2].NotPrincipal.AWS)

	// An identity policy: no principal, and Resource is the caller's concern.
	doc, perr = policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]},{"Effect":"Allow","Action":"s3:ListBucket"}]}`, policy.KindIdentity)
	require.Nil(t, perr)
	require.Len(t, doc.Statement, 2)
	require.Nil(t, doc.Statement[1].Resource)
}

func TestParsePolicyRefuses(t *testing.T) {
	const allow = `"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"`
	for _, tc := range []struct {
		name, doc string
		kind      policy.Kind
		want      policy.Problem
	}{
		{"not json", `{"Statement":[`, policy.KindResource, policy.BadJSON},
		{"not an object", `[{"Effect":"Allow"}]`, policy.KindResource, policy.BadJSON},
		{"null", `null`, policy.KindResource, policy.BadJSON},
		{"bad version", `{"Version":"2020-01-01","Statement":[{` + allow + `}]}`, policy.KindResource, policy.BadVersion},
		{"version not a string", `{"Version":20121017,"Statement":[{` + allow + `}]}`, policy.KindResource, policy.Syntax},
		{"unknown top-level key", `{"Version":"2012-10-17","Statment":[{` + allow + `}]}`, policy.KindResource, policy.Syntax},
		{"no statement", `{"Version":"2012-10-17"}`, policy.KindResource, policy.NoStatement},
		{"null statement", `{"Version":"2012-10-17","Statement":null}`, policy.KindResource, policy.NoStatement},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, policy.KindResource, policy.NoStatement},
		{"statement a string", `{"Version":"2012-10-17","Statement":"Allow"}`, policy.KindResource, policy.Syntax},
		{"statement list of strings", `{"Version":"2012-10-17","Statement":["Allow"]}`, policy.KindResource, policy.Syntax},
		{"unknown statement key", `{"Version":"2012-10-17","Statement":[{` + allow + `,"X":1}]}`, policy.KindResource, policy.Syntax},
		{"no effect", `{"Statement":[{"Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.NoEffect},
		// "The Effect value is case sensitive." (IAM JSON policy elements: Effect)
		{"lowercase effect", `{"Statement":[{"Effect":"allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.BadEffect},
		{"unknown effect", `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.BadEffect},
		{"effect not a string", `{"Statement":[{"Effect":true,"Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.Syntax},
		{"no action", `{"Statement":[{"Effect":"Allow","Principal":"*","Resource":"*"}]}`, policy.KindResource, policy.NoAction},
		{"empty action list", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"}]}`, policy.KindResource, policy.NoAction},
		{"both actions", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}`, policy.KindResource, policy.BothActions},
		{"action not a string", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:*",1],"Resource":"*"}]}`, policy.KindResource, policy.Syntax},
		{"both resources", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","NotResource":"a"}]}`, policy.KindResource, policy.Syntax},
		{"resource an object", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":{"a":"b"}}]}`, policy.KindResource, policy.Syntax},
		{"no principal", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.NoPrincipal},
		{"both principals", `{"Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":{"AWS":"1"},"Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.BothPrincipals},
		{"principal string not *", `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111111111111:root","Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.Syntax},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Principal":{"Group":"admins"},"Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.Syntax},
		{"empty principal map", `{"Statement":[{"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":"*"}]}`, policy.KindResource, policy.Syntax},
		{"principal in identity policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindIdentity, policy.PrincipalProhibited},
		{"condition not an object", `{"Statement":[{` + allow + `,"Condition":"x"}]}`, policy.KindResource, policy.Syntax},
		{"condition values an object", `{"Statement":[{` + allow + `,"Condition":{"StringEquals":{"k":{"v":1}}}}]}`, policy.KindResource, policy.Syntax},
		{"condition null value", `{"Statement":[{` + allow + `,"Condition":{"StringEquals":{"k":null}}}]}`, policy.KindResource, policy.Syntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, perr := policy.Parse(tc.doc, tc.kind)
			require.Nil(t, doc)
			require.NotNil(t, perr)
			require.Equal(t, tc.want, perr.Problem, perr.Msg)
			require.NotEmpty(t, perr.Error())
		})
	}
}

// The IAM API answers grammar errors with MalformedPolicyDocument.
func TestIAMCreateRoleMalformedTrustPolicy(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	c := emutest.IAMClient(srv, "AKIDEXAMPLE")
	create := func(name, doc string) error {
		_, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)})
		return err
	}
	principal := `"Principal":{"AWS":"` + emulator.DefaultManagementAccountID + `"}`
	for name, tc := range map[string][2]string{
		"version": {`{"Version":"2020-01-01","Statement":[{"Effect":"Allow",` + principal + `,"Action":"sts:AssumeRole"}]}`, "valid version string"},
		"effect":  {`{"Version":"2012-10-17","Statement":[{"Effect":"allow",` + principal + `,"Action":"sts:AssumeRole"}]}`, "Effect"},
		"both":    {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + principal + `,"Action":"sts:AssumeRole","NotAction":"sts:TagSession"}]}`, "Action and NotAction"},
		"unknown": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + principal + `,"Action":"sts:AssumeRole","Actions":"sts:TagSession"}]}`, "Actions"},
		"empty":   {`{"Version":"2012-10-17","Statement":[]}`, "Statement"},
	} {
		emutest.RequireIAMError(t, create("bad-"+name, tc[0]), "MalformedPolicyDocument", tc[1])
	}
	// A single statement object without Version is a valid trust policy.
	require.NoError(t, create("good", `{"Statement":{"Effect":"Allow",`+principal+`,"Action":["sts:AssumeRole","sts:TagSession"]}}`))
}
