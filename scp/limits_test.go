package scp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/scp"
)

// docOfSize returns a valid SCP whose minified JSON is exactly n characters.
func docOfSize(t testing.TB, n int) *foundation.PolicyDocument {
	t.Helper()
	var actions []string
	build := func(last string) *foundation.PolicyDocument {
		return scp.MustBuild(scp.ProtectActions(scp.ProtectActionsOptions{Sid: "Padding", Actions: append(append([]string(nil), actions...), last)}))
	}
	// Each filler action adds the same 28 characters ("ec2:DescribeSomething0000",).
	base, _ := scp.Size(build("svc:A"))
	for i := 0; base+2+28*(i+1) <= n-120; i++ {
		actions = append(actions, fmt.Sprintf("ec2:DescribeSomething%04d", i))
	}
	size, _ := scp.Size(build("svc:A"))
	if size > n {
		t.Fatalf("cannot build a document of %d characters", n)
	}
	doc := build("svc:" + strings.Repeat("A", 1+n-size))
	if got, _ := scp.Size(doc); got != n {
		t.Fatalf("built %d characters, want %d", got, n)
	}
	return doc
}

func TestSizeIsCountedMinified(t *testing.T) {
	doc := scp.MustBuild(scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}))
	min, err := scp.Minify(doc)
	if err != nil {
		t.Fatal(err)
	}
	if min != `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeaveOrganization","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}` {
		t.Fatalf("minified: %s", min)
	}
	if n, _ := scp.Size(doc); n != len(min) {
		t.Fatalf("size %d", n)
	}
	// Characters, not bytes.
	uni := scp.MustBuild(scp.ProtectActions(scp.ProtectActionsOptions{Actions: []string{"s3:DeleteBucket"}, Resources: []string{"arn:aws:s3:::données"}}))
	s, _ := scp.Minify(uni)
	if n, _ := scp.Size(uni); n != len([]rune(s)) || n == len(s) {
		t.Fatalf("size %d for %d bytes", n, len(s))
	}
	if _, err := scp.Size(nil); err == nil {
		t.Fatal("nil document has a size")
	}
}

func TestSizeLimit(t *testing.T) {
	under, at, over := docOfSize(t, 10239), docOfSize(t, 10240), docOfSize(t, 10241)
	for _, d := range []*foundation.PolicyDocument{under, at} {
		if err := scp.CheckDocument(d, scp.Limits{}); err != nil {
			t.Fatal(err)
		}
	}
	err := scp.CheckDocument(over, scp.Limits{})
	var se *scp.SizeError
	if !errors.Is(err, foundation.ErrInvalidSpec) || !errors.As(err, &se) || se.Size != 10241 || se.Limit != 10240 {
		t.Fatalf("over: %v", err)
	}
	// A raised limit is an option, and so are the limits before 2026-05-15.
	if err := scp.CheckDocument(over, scp.Limits{MaxPolicySize: 20480}); err != nil {
		t.Fatal(err)
	}
	if err := scp.CheckDocument(docOfSize(t, 5121), scp.LegacyLimits); !errors.As(err, &se) || se.Limit != 5120 {
		t.Fatalf("legacy: %v", err)
	}
	// Pretty-printed content is measured minified: 10240 characters once
	// minified pass although the text is much longer.
	pretty := prettyJSON(t, at)
	if len(pretty) <= 10240 {
		t.Fatalf("pretty form is only %d characters", len(pretty))
	}
	if err := (scp.PolicySpec{Name: "padded", Content: pretty}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (scp.PolicySpec{Name: "padded", Content: prettyJSON(t, over)}).Validate(); !errors.As(err, &se) {
		t.Fatalf("pretty over: %v", err)
	}
}

// TestSizeLimitAgainstTheBackend writes documents just under and at the
// limit (accepted), checks one just over is refused before any call, and
// that the backend agrees with the count: with a raised limit the library
// sends it, and AWS's own limit refuses it.
func TestSizeLimitAgainstTheBackend(t *testing.T) {
	o := newOrg(t)
	for i, n := range []int{10239, 10240} {
		if _, err := scp.EnsurePolicy(o.ctx, o.api, scp.PolicySpec{Name: fmt.Sprintf("size-%d", i), Document: docOfSize(t, n)}, awstest.Fast()...); err != nil {
			t.Fatalf("%d characters: %v", n, err)
		}
	}
	mark := o.b.Mark()
	_, err := scp.EnsurePolicy(o.ctx, o.api, scp.PolicySpec{Name: "size-over", Document: docOfSize(t, 10241)})
	o.b.RequireNoCalls(t, mark)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatal(err)
	}
	if o.b.Lacks(awstest.OrgSCPSize) {
		return
	}
	_, err = scp.EnsurePolicy(o.ctx, o.api, scp.PolicySpec{Name: "size-over", Document: docOfSize(t, 10241), Limits: scp.Limits{MaxPolicySize: 12288}}, awstest.Fast()...)
	if err == nil || !strings.Contains(err.Error(), "POLICY_CONTENT_LIMIT_EXCEEDED") && !strings.Contains(err.Error(), "ConstraintViolation") {
		t.Fatalf("%s accepted 10241 characters: %v", o.b.Kind, err)
	}

	// An organization whose limit was raised: only the emulator's options
	// can raise it.
	if !o.b.Has(awstest.CapEmulatorOptions) {
		return
	}
	b := awstest.New(t, awstest.WithEmulatorOptions(emulator.Options{SCPMaxSize: 12288}))
	o2 := &org{b: b, api: b.Organizations(), ctx: o.ctx}
	if _, err := o2.api.CreateOrganization(o.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := scp.EnsurePolicy(o.ctx, o2.api, scp.PolicySpec{Name: "size-over", Document: docOfSize(t, 12000), Limits: scp.Limits{MaxPolicySize: 12288}}, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
}

func prettyJSON(t *testing.T, d *foundation.PolicyDocument) string {
	t.Helper()
	s := d.MustJSON()
	// Indent the way a person does: a newline and spaces after every
	// structural character.
	r := strings.NewReplacer(`{`, "{\n    ", `[`, "[\n      ", `,"`, ",\n    \"", `}`, "\n}", `]`, "\n    ]")
	return r.Replace(s)
}
