package scp_test

import (
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/scp"
)

// Since 2025-09-19 SCPs accept the full IAM policy language: Allow with
// conditions and specific resources, NotResource, NotAction in an Allow,
// wildcards anywhere in an action. The library builds and sends them, the
// backend takes them, and a rerun changes nothing.
func TestFullIAMLanguage(t *testing.T) {
	doc, err := scp.Build(scp.Custom(
		foundation.Statement{Sid: "AllowS3ReadsInEU", Effect: foundation.EffectAllow, Action: foundation.Actions("s3:Get*Tagging", "s3:List*"),
			Resource:  foundation.Resources("arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"),
			Condition: foundation.Conditions{"StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}, "ForAnyValue:StringLike": {"aws:TagKeys": {"team*"}}}},
		foundation.Statement{Sid: "AllowAllButIAM", Effect: foundation.EffectAllow, NotAction: foundation.Actions("iam:*User*"), NotResource: foundation.Resources("arn:aws:iam::*:role/Break*Glass")},
		foundation.Statement{Sid: "DenyDeletesOfProdTables", Effect: foundation.EffectDeny, Action: foundation.Actions("dynamodb:Delete*"),
			NotResource: foundation.Resources("arn:aws:dynamodb:*:*:table/scratch-*")},
	))
	if err != nil {
		t.Fatal(err)
	}
	if err := scp.CheckDocument(doc, scp.Limits{}); err != nil {
		t.Fatal(err)
	}
	o := newOrg(t)
	spec := scp.PolicySpec{Name: "full-language", Document: doc}
	p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := o.describe(t, p.ID)
	if !got.Equal(doc) {
		t.Fatalf("read back %s", got.MustJSON())
	}
	o.b.RequireIdempotent(t, func() ([]foundation.Change, error) {
		p, err := scp.EnsurePolicy(o.ctx, o.api, spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	})
}
