package foundation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// githubTrustJSON is a GitHub Actions OIDC trust policy, and
// githubTrustURLEncoded the same document written by hand the way IAM returns
// it from GetRole: RFC 3986 percent-encoding, %20 for the space.
const (
	githubTrustJSON = `{"Version":"2012-10-17","Id":"ci trust","Statement":[{"Sid":"GitHubActions","Effect":"Allow",` +
		`"Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},` +
		`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:ref:refs/heads/main"}}}]}`
	githubTrustURLEncoded = `%7B%22Version%22%3A%222012-10-17%22%2C%22Id%22%3A%22ci%20trust%22%2C%22Statement%22%3A%5B%7B` +
		`%22Sid%22%3A%22GitHubActions%22%2C%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A` +
		`%22arn%3Aaws%3Aiam%3A%3A111122223333%3Aoidc-provider%2Ftoken.actions.githubusercontent.com%22%7D%2C` +
		`%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B` +
		`%22token.actions.githubusercontent.com%3Aaud%22%3A%22sts.amazonaws.com%22%7D%2C%22StringLike%22%3A%7B` +
		`%22token.actions.githubusercontent.com%3Asub%22%3A%22repo%3Aocto-org%2Focto-repo%3Aref%3Arefs%2Fheads%2Fmain%22%7D%7D%7D%5D%7D`
)

func mustParse(t testing.TB, s string) *PolicyDocument {
	t.Helper()
	d, err := ParsePolicy(s)
	require.NoError(t, err, "parse %s", s)
	return d
}

func TestParsePolicyForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *PolicyDocument
	}{
		{
			name: "action as string",
			in:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
			want: &PolicyDocument{Version: PolicyVersion, Statement: []Statement{
				{Effect: EffectAllow, Action: StringList{"s3:GetObject"}, Resource: StringList{"arn:aws:s3:::b/*"}},
			}},
		},
		{
			name: "action and resource as lists",
			in: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],` +
				`"NotResource":["arn:aws:s3:::a","arn:aws:s3:::b"]}]}`,
			want: &PolicyDocument{Version: PolicyVersion, Statement: []Statement{
				{Effect: EffectDeny, NotAction: StringList{"iam:*", "sts:*"}, NotResource: StringList{"arn:aws:s3:::a", "arn:aws:s3:::b"}},
			}},
		},
		{
			name: "single statement object",
			in:   `{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"One","Effect":"Allow","Action":"*","Resource":"*"}}`,
			want: &PolicyDocument{Version: PolicyVersion, ID: "x", Statement: []Statement{
				{Sid: "One", Effect: EffectAllow, Action: StringList{"*"}, Resource: StringList{"*"}},
			}},
		},
		{
			name: "principal wildcard",
			in:   `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`,
			want: &PolicyDocument{Statement: []Statement{
				{Effect: EffectAllow, Principal: &Principal{Wildcard: true}, Action: StringList{"s3:GetObject"}},
			}},
		},
		{
			name: "principal map forms",
			in: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root",` +
				`"Service":["ec2.amazonaws.com","lambda.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com",` +
				`"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRole"}]}`,
			want: &PolicyDocument{Statement: []Statement{{
				Effect: EffectAllow,
				Principal: &Principal{
					AWS:           StringList{"arn:aws:iam::111122223333:root"},
					Service:       StringList{"ec2.amazonaws.com", "lambda.amazonaws.com"},
					Federated:     StringList{"cognito-identity.amazonaws.com"},
					CanonicalUser: StringList{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
				},
				Action: StringList{"sts:AssumeRole"},
			}}},
		},
		{
			name: "not principal",
			in:   `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/a"]},"Action":"*"}]}`,
			want: &PolicyDocument{Statement: []Statement{{
				Effect: EffectDeny, NotPrincipal: &Principal{AWS: StringList{"arn:aws:iam::111122223333:role/a"}}, Action: StringList{"*"},
			}}},
		},
		{
			name: "bool and number condition values",
			in: `{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{` +
				`"Bool":{"aws:SecureTransport":false,"aws:MultiFactorAuthPresent":[true,"false"]},` +
				`"NumericLessThan":{"s3:TlsVersion":1.2,"aws:MultiFactorAuthAge":3600,"x:y":-1e3},` +
				`"StringEquals":{"aws:PrincipalOrgID":["o-abc","o-def"]}}}]}`,
			want: &PolicyDocument{Statement: []Statement{{
				Effect: EffectDeny, Action: StringList{"s3:*"}, Resource: StringList{"*"},
				Condition: Conditions{
					"Bool": {
						"aws:SecureTransport":        StringList{"false"},
						"aws:MultiFactorAuthPresent": StringList{"true", "false"},
					},
					"NumericLessThan": {
						"s3:TlsVersion":          StringList{"1.2"},
						"aws:MultiFactorAuthAge": StringList{"3600"},
						"x:y":                    StringList{"-1e3"},
					},
					"StringEquals": {"aws:PrincipalOrgID": StringList{"o-abc", "o-def"}},
				},
			}}},
		},
		{
			name: "surrounding whitespace and pretty printing",
			in:   "\n\t  {\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [ \"s3:ListBucket\" ]\n    }\n  ]\n}\n  ",
			want: &PolicyDocument{Version: PolicyVersion, Statement: []Statement{
				{Effect: EffectAllow, Action: StringList{"s3:ListBucket"}},
			}},
		},
		{
			name: "null members",
			in:   `{"Version":null,"Statement":[{"Sid":null,"Effect":"Allow","Action":"a:b","Resource":null,"Principal":null,"Condition":null}]}`,
			want: &PolicyDocument{Statement: []Statement{{Effect: EffectAllow, Action: StringList{"a:b"}}}},
		},
		{
			name: "url encoded",
			in:   "  %7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%7D%7D\n",
			want: &PolicyDocument{Statement: []Statement{{Effect: EffectAllow, Action: StringList{"s3:GetObject"}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty", "   ", "empty document"},
		{"not an object", `["Statement"]`, "must be a JSON object"},
		{"json null", `null`, "must be a JSON object"},
		{"bad url encoding", `%zz`, "neither JSON nor URL-encoded JSON"},
		{"invalid json", `{"Statement":[`, "parse policy"},
		{"trailing data", `{"Statement":[]} {}`, "parse policy"},
		{"unknown top-level key", `{"Version":"2012-10-17","Statements":[]}`, `unknown key "Statements"`},
		{"key in wrong case", `{"version":"2012-10-17","Statement":[]}`, `unknown key "version"`},
		{"unknown statement key", `{"Statement":[{"Effect":"Allow","Action":"*","Resources":"*"}]}`, `Statement[0]: unknown key "Resources"`},
		{"statement is a string", `{"Statement":"Allow"}`, "Statement: must be an object or a list of objects"},
		{"statement item not an object", `{"Statement":[{"Effect":"Allow","Action":"*"},null]}`, "Statement[1]: must be an object"},
		{"version not a string", `{"Version":2012,"Statement":[]}`, "Version: must be a string"},
		{"effect not a string", `{"Statement":[{"Effect":true,"Action":"*"}]}`, "Effect: must be a string"},
		{"action number", `{"Statement":[{"Effect":"Allow","Action":3}]}`, "Action: must be a string or a list of strings"},
		{"action list with number", `{"Statement":[{"Effect":"Allow","Action":["a:b",3]}]}`, "Action: [1]: must be a string"},
		{"action list with null", `{"Statement":[{"Effect":"Allow","Action":["a:b",null]}]}`, "Action: [1]: must be a string"},
		{"principal string not star", `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"*"}]}`, `must be "*"`},
		{"principal list", `{"Statement":[{"Effect":"Allow","Principal":["*"],"Action":"*"}]}`, `Principal: must be "*" or an object`},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Principal":{"aws":"*"},"Action":"*"}]}`, `unknown principal type "aws"`},
		{"condition value null", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}]}`, "condition value must be"},
		{"condition value object", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"k":{"a":"b"}}}}]}`, "condition value must be"},
		{"condition value nested list", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"k":[["a"]]}}}]}`, "condition value must be"},
		{"condition operator not object", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":"true"}}]}`, "Condition: Bool: must be a JSON object"},
		{"condition not object", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":[]}]}`, "Condition: must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParsePolicy(tt.in)
			require.Error(t, err)
			require.Nil(t, d)
			require.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestPolicyEqual(t *testing.T) {
	const base = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
		 "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
		 "Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}},
		{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`

	same := []struct{ name, other string }{
		{"identical", base},
		{"reordered statements", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"},
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
			 "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
			 "Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}}]}`},
		{"reordered lists and keys", `{"Statement":[
			{"Resource":"arn:aws:s3:::b","Action":"s3:DeleteBucket","Principal":"*","Effect":"Deny","Sid":"Deny"},
			{"Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-2","o-1"]},"Bool":{"aws:SecureTransport":"true"}},
			 "Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b"],"Action":["s3:ListBucket","s3:GetObject"],
			 "Principal":{"AWS":["arn:aws:iam::111122223333:role/b","arn:aws:iam::111122223333:role/a"]},"Effect":"Allow","Sid":"Read"}],
			 "Version":"2012-10-17"}`},
		{"string versus list", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
			 "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
			 "Condition":{"Bool":{"aws:SecureTransport":["true"]},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}},
			{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":["s3:DeleteBucket"],"Resource":["arn:aws:s3:::b"]}]}`},
		{"whitespace", `{ "Version" : "2012-10-17" ,
			"Statement" : [ { "Sid" : "Read" , "Effect" : "Allow" ,
			  "Principal" : { "AWS" : [ "arn:aws:iam::111122223333:role/a" , "arn:aws:iam::111122223333:role/b" ] } ,
			  "Action" : [ "s3:GetObject" , "s3:ListBucket" ] , "Resource" : [ "arn:aws:s3:::b" , "arn:aws:s3:::b/*" ] ,
			  "Condition" : { "Bool" : { "aws:SecureTransport" : "true" } , "StringEquals" : { "aws:PrincipalOrgID" : [ "o-1" , "o-2" ] } } } ,
			{ "Sid" : "Deny" , "Effect" : "Deny" , "Principal" : "*" , "Action" : "s3:DeleteBucket" , "Resource" : "arn:aws:s3:::b" } ] }`},
		{"case of actions and condition keys", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
			 "Action":["S3:getobject","s3:LISTBUCKET"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
			 "Condition":{"Bool":{"AWS:securetransport":"true"},"StringEquals":{"aws:principalorgid":["o-1","o-2"]}}},
			{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:deleteBucket","Resource":"arn:aws:s3:::b"}]}`},
		{"duplicated list items", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b","arn:aws:iam::111122223333:role/a"]},
			 "Action":["s3:GetObject","s3:ListBucket","s3:GetObject","s3:getobject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*","arn:aws:s3:::b"],
			 "Condition":{"Bool":{"aws:SecureTransport":["true","true"]},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2","o-1"]}}},
			{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`},
		{"star principal versus AWS star", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
			 "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
			 "Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}},
			{"Sid":"Deny","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`},
		{"bool condition value", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},
			 "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
			 "Condition":{"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]}}},
			{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`},
	}
	different := []struct{ name, other string }{
		{"different effect", strings.Replace(base, `"Effect":"Deny"`, `"Effect":"Allow"`, 1)},
		{"allow versus deny", strings.Replace(base, `"Effect":"Allow"`, `"Effect":"Deny"`, 1)},
		{"extra action", strings.Replace(base, `"s3:DeleteBucket"`, `["s3:DeleteBucket","s3:PutBucketPolicy"]`, 1)},
		{"different resource", strings.Replace(base, `"arn:aws:s3:::b/*"`, `"arn:aws:s3:::c/*"`, 1)},
		{"resource case", strings.Replace(base, `"arn:aws:s3:::b/*"`, `"arn:aws:s3:::B/*"`, 1)},
		{"condition value differs", strings.Replace(base, `"o-2"`, `"o-3"`, 1)},
		{"condition value case", strings.Replace(base, `"o-2"`, `"O-2"`, 1)},
		{"condition operator case", strings.Replace(base, `"StringEquals"`, `"stringequals"`, 1)},
		{"version missing", strings.Replace(base, `"Version":"2012-10-17",`, ``, 1)},
		{"version differs", strings.Replace(base, `"2012-10-17"`, `"2008-10-17"`, 1)},
		{"action versus not action", strings.Replace(base, `"Action":"s3:DeleteBucket"`, `"NotAction":"s3:DeleteBucket"`, 1)},
		{"resource versus not resource", strings.Replace(base, `"Resource":"arn:aws:s3:::b"}`, `"NotResource":"arn:aws:s3:::b"}`, 1)},
		{"principal versus not principal", strings.Replace(base, `"Principal":"*"`, `"NotPrincipal":"*"`, 1)},
		{"different sid", strings.Replace(base, `"Sid":"Deny"`, `"Sid":"Deny2"`, 1)},
		{"duplicated statement", base[:len(base)-2] +
			`,{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`},
		{"missing condition", strings.Replace(base, `"Bool":{"aws:SecureTransport":"true"},`, ``, 1)},
		{"service principal instead of AWS", strings.Replace(base, `"Principal":"*"`, `"Principal":{"Service":"*"}`, 1)},
	}
	a := mustParse(t, base)
	for _, tt := range same {
		t.Run("equal/"+tt.name, func(t *testing.T) {
			b := mustParse(t, tt.other)
			require.True(t, a.Equal(b), "a=%s\nb=%s", a.Canonical().MustJSON(), b.Canonical().MustJSON())
			require.True(t, b.Equal(a))
		})
	}
	for _, tt := range different {
		t.Run("different/"+tt.name, func(t *testing.T) {
			require.NotEqual(t, base, tt.other, "the replacement did not apply")
			b := mustParse(t, tt.other)
			require.False(t, a.Equal(b), "a=%s\nb=%s", a.Canonical().MustJSON(), b.Canonical().MustJSON())
			require.False(t, b.Equal(a))
		})
	}
}

func TestPolicyEqualEdgeCases(t *testing.T) {
	var nilDoc *PolicyDocument
	require.True(t, nilDoc.Equal(nil))
	require.False(t, nilDoc.Equal(NewPolicy()))
	require.False(t, NewPolicy().Equal(nil))

	// Nil and empty lists are equal; so are nil and empty conditions.
	a := NewPolicy(Statement{Effect: EffectAllow, Action: Actions("s3:GetObject"), Resource: StringList{}, Condition: Conditions{}})
	b := NewPolicy(Statement{Effect: EffectAllow, Action: Actions("s3:GetObject")})
	require.True(t, a.Equal(b))

	// IAM stores an account ID principal as the account's root ARN.
	c := NewPolicy(Statement{Effect: EffectAllow, Principal: AWSPrincipal("111122223333"), Action: Actions("sts:AssumeRole")})
	d := NewPolicy(Statement{Effect: EffectAllow, Principal: AWSPrincipal("arn:aws:iam::111122223333:root"), Action: Actions("sts:AssumeRole")})
	e := NewPolicy(Statement{Effect: EffectAllow, Principal: AWSPrincipal("arn:aws:iam::111122223333:role/root"), Action: Actions("sts:AssumeRole")})
	require.True(t, c.Equal(d))
	require.False(t, c.Equal(e))

	// Statements are a multiset: duplicates count.
	st := Statement{Effect: EffectAllow, Action: Actions("s3:GetObject")}
	require.False(t, NewPolicy(st).Equal(NewPolicy(st, st)))
	require.True(t, NewPolicy(st, st).Equal(NewPolicy(st, st)))
}

func TestStatementEqual(t *testing.T) {
	a := Statement{Sid: "A", Effect: EffectAllow, Principal: AnyPrincipal(), Action: Actions("s3:GetObject", "s3:PutObject"),
		Condition: Conditions{"Bool": {"aws:SecureTransport": {"false"}}}}
	b := Statement{Sid: "A", Effect: EffectAllow, Principal: AWSPrincipal("*"), Action: Actions("S3:PUTOBJECT", "s3:getobject", "s3:GetObject"),
		Condition: Conditions{"Bool": {"AWS:SecureTransport": {"false", "false"}}}}
	require.True(t, a.Equal(b))
	b.Effect = EffectDeny
	require.False(t, a.Equal(b))
	b.Effect = EffectAllow
	b.Action = Actions("s3:GetObject")
	require.False(t, a.Equal(b))
}

func TestPolicyJSON(t *testing.T) {
	d := &PolicyDocument{ID: "id", Version: PolicyVersion, Statement: []Statement{{
		Condition:    Conditions{"StringLike": {"k": {"v&<>"}}, "Bool": {"aws:SecureTransport": {"false"}}},
		NotResource:  StringList{"arn:aws:s3:::x"},
		Resource:     nil,
		NotAction:    nil,
		Action:       Actions("s3:GetObject", "s3:PutObject"),
		NotPrincipal: nil,
		Principal:    &Principal{CanonicalUser: StringList{"c"}, Service: StringList{"s"}, AWS: StringList{"a", "b"}},
		Effect:       EffectAllow,
		Sid:          "S1",
	}}}
	want := `{"Version":"2012-10-17","Id":"id","Statement":[{"Sid":"S1","Effect":"Allow",` +
		`"Principal":{"AWS":["a","b"],"Service":"s","CanonicalUser":"c"},"Action":["s3:GetObject","s3:PutObject"],` +
		`"NotResource":"arn:aws:s3:::x","Condition":{"Bool":{"aws:SecureTransport":"false"},"StringLike":{"k":"v&<>"}}}]}`
	got, err := d.JSON()
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, want, d.MustJSON())

	// Wildcard alone is "*"; an empty document has an empty statement list.
	require.Equal(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*"}]}`,
		NewPolicy(Statement{Effect: EffectDeny, Principal: AnyPrincipal(), Action: Actions("*")}).MustJSON())
	require.Equal(t, `{"Version":"2012-10-17","Statement":[]}`, NewPolicy().MustJSON())

	// json.Marshal of a document gives the same shape.
	b, err := json.Marshal(NewPolicy())
	require.NoError(t, err)
	require.Equal(t, `{"Version":"2012-10-17","Statement":[]}`, string(b))

	var nilDoc *PolicyDocument
	_, err = nilDoc.JSON()
	require.Error(t, err)
	require.Panics(t, func() { _ = nilDoc.MustJSON() })
}

func TestPolicyURLEncodedRoundTrip(t *testing.T) {
	fromJSON := mustParse(t, githubTrustJSON)

	t.Run("hand-written IAM encoding", func(t *testing.T) {
		fromURL := mustParse(t, githubTrustURLEncoded)
		require.True(t, fromJSON.Equal(fromURL))
		require.Equal(t, "ci trust", fromURL.ID)
		require.Equal(t, "repo:octo-org/octo-repo:ref:refs/heads/main",
			fromURL.Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"][0])
	})
	t.Run("URLEncoded writes what IAM returns", func(t *testing.T) {
		enc, err := fromJSON.URLEncoded()
		require.NoError(t, err)
		require.Equal(t, githubTrustURLEncoded, enc)
		require.NotContains(t, enc, "+")
	})
	t.Run("plus and %20 both decode to a space", func(t *testing.T) {
		plus := mustParse(t, strings.Replace(githubTrustURLEncoded, "%20", "+", 1))
		require.Equal(t, "ci trust", plus.ID)
		require.True(t, fromJSON.Equal(plus))
	})
	t.Run("a literal plus survives", func(t *testing.T) {
		d := NewPolicy(Statement{Effect: EffectAllow, Action: Actions("s3:GetObject"), Resource: Resources("arn:aws:s3:::b/a+b c%d")})
		enc, err := d.URLEncoded()
		require.NoError(t, err)
		back := mustParse(t, enc)
		require.Equal(t, d, back)
	})

	docs := []*PolicyDocument{
		fromJSON,
		NewPolicy(
			Statement{Sid: "Trust", Effect: EffectAllow, Principal: ServicePrincipal("ec2.amazonaws.com", "lambda.amazonaws.com"), Action: Actions("sts:AssumeRole")},
			Statement{Effect: EffectDeny, NotPrincipal: AWSPrincipal("arn:aws:iam::111122223333:role/Admin"), NotAction: Actions("iam:*"),
				NotResource: Resources("*"), Condition: Conditions{"Bool": {"aws:SecureTransport": {"false"}}, "IpAddress": {"aws:SourceIp": {"203.0.113.0/24", "2001:db8::/32"}}}},
		),
		NewPolicy(Statement{Effect: EffectAllow, Principal: AnyPrincipal(), Action: Actions("s3:GetObject"), Resource: Resources("arn:aws:s3:::b/*")}),
		NewPolicy(Statement{Effect: EffectAllow, Principal: FederatedPrincipal("cognito-identity.amazonaws.com"), Action: Actions("sts:AssumeRoleWithWebIdentity"),
			Condition: Conditions{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": {"authenticated"}}}}),
	}
	for i, d := range docs {
		js, err := d.JSON()
		require.NoError(t, err)
		fromJS := mustParse(t, js)
		enc, err := fromJS.URLEncoded()
		require.NoError(t, err)
		require.False(t, strings.HasPrefix(enc, "{"))
		back := mustParse(t, enc)
		require.True(t, d.Equal(back), "doc %d: %s", i, js)
		require.Equal(t, js, back.MustJSON(), "doc %d", i)
	}
}

func TestPolicyValidate(t *testing.T) {
	valid := []*PolicyDocument{
		// A trust policy has no Resource.
		NewPolicy(Statement{Effect: EffectAllow, Principal: ServicePrincipal("ec2.amazonaws.com"), Action: Actions("sts:AssumeRole")}),
		mustParse(t, githubTrustJSON),
		{Version: "2008-10-17", Statement: []Statement{{Sid: "1", Effect: EffectDeny, NotAction: Actions("iam:*"), NotResource: Resources("*")}}},
		{Statement: []Statement{{Effect: EffectAllow, Principal: AnyPrincipal(), Action: Actions("*"), Resource: Resources("*")}}},
	}
	for i, d := range valid {
		require.NoError(t, d.Validate(), "doc %d", i)
	}

	bad := &PolicyDocument{Version: "2012-10-18", Statement: []Statement{
		{Sid: "Ok1", Effect: EffectAllow, Action: Actions("s3:GetObject"), Resource: Resources("*")},
		{Sid: "Ok1", Effect: "allow", Action: Actions("s3:GetObject"), NotAction: Actions("s3:PutObject"),
			Resource: Resources("*"), NotResource: Resources("arn:aws:s3:::b")},
		{Sid: "bad-sid", Principal: AnyPrincipal(), NotPrincipal: AWSPrincipal("111122223333")},
		{Effect: EffectDeny, Principal: &Principal{Wildcard: true, Service: StringList{"ec2.amazonaws.com", ""}},
			Action: Actions("s3:GetObject", ""), Resource: Resources("")},
		{Effect: EffectAllow, Principal: &Principal{}, Action: Actions("*"),
			Condition: Conditions{"StringEquals": {"aws:PrincipalOrgID": nil}, "Bool": {}}},
	}}
	err := bad.Validate()
	require.Error(t, err)
	var pe *PolicyError
	require.True(t, errors.As(err, &pe))
	require.Equal(t, []string{
		`Version: "2012-10-18": must be "2012-10-17", "2008-10-17" or empty`,
		`Statement[1].Sid: "Ok1": duplicates Statement[0].Sid`,
		`Statement[1].Effect: must be "Allow" or "Deny", got "allow"`,
		`Statement[1]: must have exactly one of Action and NotAction`,
		`Statement[1]: must not have both Resource and NotResource`,
		`Statement[2].Sid: "bad-sid": must contain only letters (A-Z, a-z) and digits`,
		`Statement[2].Effect: must be "Allow" or "Deny"`,
		`Statement[2]: must have exactly one of Action and NotAction`,
		`Statement[2]: must not have both Principal and NotPrincipal`,
		`Statement[3].Action[1]: must not be empty`,
		`Statement[3].Resource[0]: must not be empty`,
		`Statement[3].Principal: "*" must not be combined with other principals`,
		`Statement[3].Principal.Service[1]: must not be empty`,
		`Statement[4].Principal: must name at least one principal`,
		`Statement[4].Condition["Bool"]: must have at least one condition key`,
		`Statement[4].Condition["StringEquals"]["aws:PrincipalOrgID"]: must have at least one value`,
	}, pe.Problems)
	require.Contains(t, err.Error(), `invalid policy document: Version: "2012-10-18"`)
	require.Contains(t, err.Error(), `; Statement[1].Sid: "Ok1": duplicates Statement[0].Sid; `)
	require.False(t, errors.Is(err, ErrInvalidSpec))

	err = (&PolicyDocument{Version: PolicyVersion}).Validate()
	require.EqualError(t, err, "invalid policy document: Statement: must contain at least one statement")

	var nilDoc *PolicyDocument
	require.Error(t, nilDoc.Validate())
}

func TestPolicySetStatement(t *testing.T) {
	user := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"UserA","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/a"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/c"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},
		{"Sid":"FoundationDenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"},
		{"Sid":"UserB","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}]}`)
	before := user.Clone()

	ours := Statement{Sid: "FoundationDenyInsecure", Effect: EffectDeny, Principal: AnyPrincipal(), Action: Actions("s3:*"),
		Resource: Resources("arn:aws:s3:::b", "arn:aws:s3:::b/*"), Condition: Conditions{"Bool": {"aws:SecureTransport": {"false"}}}}
	require.NoError(t, user.SetStatement(ours))

	require.Len(t, user.Statement, 4)
	require.Equal(t, before.Statement[0], user.Statement[0])
	require.Equal(t, before.Statement[1], user.Statement[1])
	require.Equal(t, ours, user.Statement[2])
	require.Equal(t, before.Statement[3], user.Statement[3])

	// The document holds a copy: changing ours afterwards changes nothing.
	ours.Action[0] = "s3:PutObject"
	require.Equal(t, StringList{"s3:*"}, user.Statement[2].Action)

	// Setting it again is a no-op.
	after := user.Clone()
	got, ok := user.StatementBySid("FoundationDenyInsecure")
	require.True(t, ok)
	require.NoError(t, user.SetStatement(got))
	require.Equal(t, after, user)

	// A new Sid is appended.
	extra := Statement{Sid: "FoundationOrgRead", Effect: EffectAllow, Principal: AnyPrincipal(), Action: Actions("s3:GetObject")}
	require.NoError(t, user.SetStatement(extra))
	require.Len(t, user.Statement, 5)
	require.Equal(t, extra, user.Statement[4])

	// Sid is required.
	require.EqualError(t, user.SetStatement(Statement{Effect: EffectAllow, Action: Actions("*")}), "set statement: Sid is required")
	require.Len(t, user.Statement, 5)

	// Duplicated Sids collapse into the first position.
	dup := NewPolicy(
		Statement{Sid: "X", Effect: EffectAllow, Action: Actions("a:1")},
		Statement{Sid: "Y", Effect: EffectAllow, Action: Actions("a:2")},
		Statement{Sid: "X", Effect: EffectAllow, Action: Actions("a:3")},
	)
	require.NoError(t, dup.SetStatement(Statement{Sid: "X", Effect: EffectDeny, Action: Actions("a:4")}))
	require.Equal(t, []Statement{
		{Sid: "X", Effect: EffectDeny, Action: Actions("a:4")},
		{Sid: "Y", Effect: EffectAllow, Action: Actions("a:2")},
	}, dup.Statement)

	var nilDoc *PolicyDocument
	require.Error(t, nilDoc.SetStatement(extra))
}

func TestPolicyStatementBySidAndRemove(t *testing.T) {
	d := NewPolicy(
		Statement{Sid: "A", Effect: EffectAllow, Action: Actions("a:1")},
		Statement{Effect: EffectAllow, Action: Actions("a:2")},
		Statement{Sid: "B", Effect: EffectAllow, Action: Actions("a:3")},
	)
	st, ok := d.StatementBySid("B")
	require.True(t, ok)
	require.Equal(t, Actions("a:3"), st.Action)
	st.Action[0] = "changed" // a copy
	require.Equal(t, Actions("a:3"), d.Statement[2].Action)

	_, ok = d.StatementBySid("C")
	require.False(t, ok)
	_, ok = d.StatementBySid("")
	require.False(t, ok)

	require.False(t, d.RemoveStatement(""))
	require.False(t, d.RemoveStatement("C"))
	require.Len(t, d.Statement, 3)
	require.True(t, d.RemoveStatement("A"))
	require.Equal(t, []Statement{
		{Effect: EffectAllow, Action: Actions("a:2")},
		{Sid: "B", Effect: EffectAllow, Action: Actions("a:3")},
	}, d.Statement)

	var nilDoc *PolicyDocument
	_, ok = nilDoc.StatementBySid("A")
	require.False(t, ok)
	require.False(t, nilDoc.RemoveStatement("A"))
}

func TestPolicyCloneAndCanonical(t *testing.T) {
	d := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"B","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/x"]},
		 "Action":["S3:PutObject","s3:GetObject","s3:getobject"],"Resource":"*",
		 "Condition":{"StringEquals":{"AWS:PrincipalOrgID":"o-1","aws:principalorgid":"o-2"}}},
		{"Sid":"A","Effect":"Deny","Principal":"*","Action":"*"}]}`)
	orig := d.MustJSON()

	c := d.Clone()
	require.Equal(t, d, c)
	c.Statement[0].Action[0] = "x:y"
	c.Statement[0].Principal.AWS[0] = "x"
	c.Statement[0].Condition["StringEquals"]["AWS:PrincipalOrgID"][0] = "x"
	c.Statement[1].Principal.Wildcard = false
	require.Equal(t, orig, d.MustJSON(), "Clone must be deep")

	can := d.Canonical()
	require.Equal(t, orig, d.MustJSON(), "Canonical must not modify its receiver")
	require.Equal(t, `{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"A","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*"},`+
		`{"Sid":"B","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/x"]},`+
		`"Action":["s3:getobject","s3:putobject"],"Resource":"*","Condition":{"StringEquals":{"aws:principalorgid":["o-1","o-2"]}}}]}`,
		can.MustJSON())
	require.True(t, d.Equal(can))
	require.Equal(t, can, can.Canonical(), "Canonical is idempotent")

	var nilDoc *PolicyDocument
	require.Nil(t, nilDoc.Clone())
	require.Nil(t, nilDoc.Canonical())
}

func TestPolicyConstructors(t *testing.T) {
	d := NewPolicy()
	require.Equal(t, PolicyVersion, d.Version)
	require.Empty(t, d.Statement)

	st := Statement{Effect: EffectAllow, Action: Actions("s3:GetObject")}
	d = NewPolicy(st)
	st.Action[0] = "changed"
	require.Equal(t, Actions("s3:GetObject"), d.Statement[0].Action, "NewPolicy copies its statements")

	require.Equal(t, &Principal{AWS: StringList{"a", "b"}}, AWSPrincipal("a", "b"))
	require.Equal(t, &Principal{Service: StringList{"s"}}, ServicePrincipal("s"))
	require.Equal(t, &Principal{Federated: StringList{"f"}}, FederatedPrincipal("f"))
	require.Equal(t, &Principal{Wildcard: true}, AnyPrincipal())
	require.Equal(t, StringList{"a"}, Resources("a"))
}

func FuzzParsePolicy(f *testing.F) {
	seeds := []string{
		githubTrustJSON,
		githubTrustURLEncoded,
		`{"Statement":{"Effect":"Allow","Action":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","S3:getobject"],"Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Deny","Principal":{"AWS":["*","arn:aws:iam::111122223333:root"],"Service":[]},"NotAction":"iam:*",` +
			`"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":[1.2,-3e4]},"X":null,"Y":{}}}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"a","Condition":{"StringEquals":{"K":"1","k":["2","1"]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{},"Action":[],"Resource":"a&b<c>"}]}`,
		`{"Statement":[]}`,
		`{"Statement":null,"Id":"x"}`,
		`%7B%22Statement%22%3A%5B%5D%7D`,
		`+%7B%22Statement%22%3A%5B%5D%7D+`,
		`{"Statement":[{"Sid":"\u00e9\ud800","Effect":"Allow","Action":"\u0130"}]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParsePolicy(in)
		if err != nil {
			return
		}
		_ = d.Validate() // must not panic
		js, err := d.JSON()
		if err != nil {
			t.Fatalf("JSON of a parsed document: %v", err)
		}
		d2, err := ParsePolicy(js)
		if err != nil {
			t.Fatalf("parse of JSON %q: %v", js, err)
		}
		if !d.Equal(d2) {
			t.Fatalf("not equal after round trip:\n%s\n%s", d.Canonical().MustJSON(), d2.Canonical().MustJSON())
		}
		enc, err := d.URLEncoded()
		if err != nil {
			t.Fatalf("URLEncoded: %v", err)
		}
		d3, err := ParsePolicy(enc)
		if err != nil {
			t.Fatalf("parse of URL-encoded %q: %v", enc, err)
		}
		if !d.Equal(d3) {
			t.Fatalf("not equal after URL-encoded round trip")
		}
		if !d.Canonical().Equal(d) {
			t.Fatalf("Canonical not Equal to its source")
		}
	})
}
