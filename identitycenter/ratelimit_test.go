package identitycenter_test

import (
	"testing"
	"time"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestRequestRateIsKept: with foundation.WithRequestRate("sso", r), a run
// sends its sso-admin requests no faster than r a second after a burst of
// 4, and two calls sharing a ReadCache share the rate; without the option
// the same work is not held back.
func TestRequestRateIsKept(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 30*time.Second)
	newOrg(t, ctx, b, "dev")
	spec := identitycenter.AccessSpec{
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "ReadOnlyAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}}}}
	if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}
	const rate = 100.0
	cache := foundation.NewReadCache()
	opts := awstest.Fast(foundation.WithRequestRate("sso", rate), foundation.WithReadCache(cache))
	mark := b.Mark()
	start := time.Now()
	for range 2 { // two calls of one run: one bucket
		if _, err := identitycenter.EnsureAccess(ctx, apiFor(b), spec, opts...); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	sso := 0
	for _, c := range b.Calls(mark) {
		if c.Service == "SSO Admin" {
			sso++
		}
	}
	if sso < 10 {
		t.Fatalf("only %d sso-admin calls: %v", sso, b.Calls(mark))
	}
	least := time.Duration(float64(sso-4) / rate * float64(time.Second))
	if took < least*9/10 {
		t.Errorf("%d sso-admin calls at %g a second took %v, want at least %v", sso, rate, took, least)
	}
	t.Logf("%d sso-admin calls at %g/s: %v (least %v)", sso, rate, took, least)
}
