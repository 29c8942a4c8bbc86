package identitycenter_test

import (
	"testing"
	"time"

	"github.com/awsfoundation/foundation/identitycenter"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		8 * time.Hour: "PT8H", 90 * time.Minute: "PT1H30M", time.Hour: "PT1H", 12 * time.Hour: "PT12H",
		45 * time.Minute: "PT45M", time.Hour + 30*time.Second: "PT1H30S", 2*time.Hour + 5*time.Minute + 7*time.Second: "PT2H5M7S",
		0: "PT0S", 1500 * time.Millisecond: "PT1S", -time.Hour: "-PT1H",
	} {
		if got := identitycenter.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT8H": 8 * time.Hour, "PT1H30M": 90 * time.Minute, "PT12H": 12 * time.Hour, "PT45M": 45 * time.Minute,
		"PT3600S": time.Hour, "P1D": 24 * time.Hour, "P1W": 7 * 24 * time.Hour, "P1DT2H": 26 * time.Hour,
		"PT0.5S": 500 * time.Millisecond, "PT1,5S": 1500 * time.Millisecond, "pt2h": 2 * time.Hour, "PT0S": 0,
	} {
		got, err := identitycenter.ParseDuration(s)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "P", "PT", "8h", "P1Y", "P1M", "PT1H30", "T1H", "PT-1H", "P1DT", "PT1.5H"} {
		if d, err := identitycenter.ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", s, d)
		}
	}
	// Round trip for every whole-minute duration AWS accepts.
	for d := identitycenter.MinSessionDuration; d <= identitycenter.MaxSessionDuration; d += time.Minute {
		if got, err := identitycenter.ParseDuration(identitycenter.FormatDuration(d)); err != nil || got != d {
			t.Fatalf("round trip of %v: %v, %v", d, got, err)
		}
	}
}

func TestInstanceDefaultStartURL(t *testing.T) {
	if got := (identitycenter.Instance{IdentityStoreID: "d-1234567890"}).DefaultStartURL(); got != "https://d-1234567890.awsapps.com/start" {
		t.Fatal(got)
	}
	if got := (identitycenter.Instance{}).DefaultStartURL(); got != "" {
		t.Fatal(got)
	}
}
