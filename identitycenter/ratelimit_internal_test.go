package identitycenter

import (
	"context"
	"testing"
	"time"

	"github.com/awsfoundation/foundation/internal/call"
)

func TestAWSHost(t *testing.T) {
	for host, want := range map[string]bool{
		"sso.us-east-1.amazonaws.com":                 true,
		"SSO.eu-west-1.amazonaws.com:443":             true,
		"sso.cn-north-1.amazonaws.com.cn":             true,
		"sso.us-east-1.api.aws":                       true,
		"sso.us-east-1.amazonaws.com.":                true,
		"sso.eusc-de-east-1.amazonaws.eu":             true,
		"sso.cn-north-1.api.amazonwebservices.com.cn": true,
		"sso.us-iso-east-1.c2s.ic.gov":                true,
		"sso.us-isob-east-1.sc2s.sgov.gov":            true,
		"127.0.0.1:4566":                              false,
		"localhost":                                   false,
		"amazonaws.com.evil.example":                  false,
		"sso.us-east-1.amazonaws.com.evil":            false,
		"":                                            false,
	} {
		if got := awsHost(host); got != want {
			t.Errorf("awsHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestLimiterBurstFollowsTheRate(t *testing.T) {
	for _, tc := range []struct {
		rates   map[string]float64
		nilGate bool
		awsOnly bool
	}{
		{rates: nil, awsOnly: true},
		{rates: map[string]float64{"sso": 2}},
		{rates: map[string]float64{"sso-admin": 2}},
		{rates: map[string]float64{"sso": 0}, nilGate: true},
		{rates: map[string]float64{"sso": 1000}},
	} {
		g := limiter(call.Options{RequestRates: tc.rates})
		if (g == nil) != tc.nilGate || (g != nil && g.awsOnly != tc.awsOnly) {
			t.Errorf("%v: gate %+v", tc.rates, g)
		}
	}
	// A rate of 2 a second sends 2 at once, then one every half second.
	g := limiter(call.Options{RequestRates: map[string]float64{"sso": 2}})
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		if err := g.l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("3 requests at 2 a second took %v: the burst is not scaled to the rate", d)
	}
}
