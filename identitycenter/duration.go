package identitycenter

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Session duration bounds AWS accepts for a permission set.
const (
	MinSessionDuration     = time.Hour
	MaxSessionDuration     = 12 * time.Hour
	DefaultSessionDuration = time.Hour // AWS's default, used when the spec leaves it zero
)

// FormatDuration renders d as an ISO 8601 duration, the form sso-admin
// takes and returns session durations in: 8h is "PT8H", 90m is "PT1H30M",
// 1h0m30s is "PT1H30S", 0 is "PT0S". Fractions of a second are dropped;
// negative durations are rendered with a leading minus sign.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	b.WriteString("PT")
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || (h == 0 && m == 0) {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

var isoDurationRe = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// ParseDuration reads an ISO 8601 duration of weeks, days, hours, minutes
// and seconds ("PT8H", "PT1H30M", "P1D", "PT0.5S"), as AWS returns session
// durations. Years and months are refused: their length is not fixed.
func ParseDuration(s string) (time.Duration, error) {
	m := isoDurationRe.FindStringSubmatch(strings.ToUpper(s))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, fmt.Errorf("identitycenter: %q is not an ISO 8601 duration of weeks, days, hours, minutes and seconds (such as PT8H)", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > int64(1<<62)/int64(unit) {
			return 0, fmt.Errorf("identitycenter: duration %q is out of range", s)
		}
		d += time.Duration(n) * unit
	}
	if m[5] != "" {
		f, err := strconv.ParseFloat(strings.Replace(m[5], ",", ".", 1), 64)
		if err != nil || f > float64(1<<62)/float64(time.Second) {
			return 0, fmt.Errorf("identitycenter: duration %q is out of range", s)
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}
