package core

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLowerBoundConcurrencyBinds(t *testing.T) {
	m := &Model{DefaultLatency: 50 * time.Millisecond,
		Async:       map[string]time.Duration{AsyncCreateAccount: 60 * time.Second},
		Rates:       []Rate{{Service: "sso", PerSecond: 20, Burst: 20}},
		Concurrency: map[string]int{}} // CreateAccount: the service's own 5
	w := Workload{
		Accounts: 12,
		Account: Chain{
			{{Service: "organizations", Operation: "CreateAccount"}},
			{{Service: "organizations", Operation: "MoveAccount"}},
			{{Service: "sso", Operation: "CreateAccountAssignment"}},
		},
		Org: Chain{{{Service: "sso", Operation: "CreatePermissionSet"}}},
	}
	b := LowerBound(m, w)
	// One account: 60 s + the describe's 50 ms, then two 50 ms calls.
	if got, want := b.Constraints["chain account"], 60*time.Second+150*time.Millisecond; got != want {
		t.Errorf("chain account = %v, want %v", got, want)
	}
	// 12 accounts through 5 slots: 3 rounds of 60 s, the describe, then
	// the two calls after.
	want := 180*time.Second + 150*time.Millisecond
	if b.Wall != want || b.Binding != "concurrency organizations:CreateAccount" {
		t.Errorf("bound = %v by %q, want %v by concurrency: %v", b.Wall, b.Binding, want, b)
	}
	// 13 sso calls fit in the burst of 20: no rate constraint.
	if _, ok := b.Constraints["rate sso (management)"]; ok {
		t.Errorf("unexpected sso rate constraint: %v", b)
	}
	// 3 calls per account, one describe per CreateAccount, one org call.
	if b.Calls != 12*3+12+1 {
		t.Errorf("calls = %d, want %d", b.Calls, 12*3+12+1)
	}
}

func TestLowerBoundRatesBind(t *testing.T) {
	m := DefaultModel()
	w := Workload{
		Accounts: 100,
		Account: Chain{
			{{Service: "sso", Operation: "CreateAccountAssignment", Count: 2}},
			{{Service: "s3", Operation: "PutBucketVersioning", Count: 4000, Member: true}},
		},
		OUs: 10, OUDepth: 3,
		OU: Chain{{{Service: "organizations", Operation: "CreateOrganizationalUnit"}}},
	}
	b := LowerBound(m, w)
	// 200 assignments + 200 describes in the management account's 20 TPS
	// sso bucket, 20 at once: (400-20)/20 s, plus a call's latency.
	if got, want := b.Constraints["rate sso (management)"], 19*time.Second+50*time.Millisecond; got != want {
		t.Errorf("sso rate = %v, want %v (%v)", got, want, b)
	}
	// Each member account's own 3,500/s S3 bucket: (4000-3500)/3500 s.
	if got, want := b.Constraints["rate s3 (member)"], 142857143*time.Nanosecond+50*time.Millisecond; got-want > time.Microsecond || want-got > time.Microsecond {
		t.Errorf("s3 rate = %v, want %v", got, want)
	}
	if got, want := b.Constraints["chain ou"], 150*time.Millisecond; got != want {
		t.Errorf("chain ou = %v, want %v", got, want)
	}
	// The assignment stage: 5 s + the describe; then the S3 stage.
	if got, want := b.Constraints["chain account"], 5*time.Second+100*time.Millisecond; got != want {
		t.Errorf("chain account = %v, want %v", got, want)
	}
	// 100 x 2 assignments, 10 slots, 5 s each: 20 rounds = 100 s.
	if got, want := b.Constraints["concurrency sso:CreateAccountAssignment"], 100*time.Second+50*time.Millisecond+50*time.Millisecond; got != want {
		t.Errorf("assignment concurrency = %v, want %v", got, want)
	}
	if b.Binding != "concurrency sso:CreateAccountAssignment" || b.Wall != b.Constraints[b.Binding] {
		t.Errorf("binding = %q, %v", b.Binding, b)
	}
	if b.Calls != 100*(2+4000)+200+10 {
		t.Errorf("calls = %d", b.Calls)
	}
	if !strings.HasPrefix(b.String(), "lower bound 1m40.1s, ") {
		t.Errorf("String() = %s", b)
	}
}

func TestLowerBoundEmptyAndOff(t *testing.T) {
	if b := LowerBound(DefaultModel(), Workload{}); b.Wall != 0 || b.Calls != 0 {
		t.Errorf("empty workload: %v", b)
	}
	// No model: calls take no time; only counts remain.
	b := LowerBound(nil, Workload{Accounts: 3, Account: Chain{{{Service: "organizations", Operation: "CreateAccount"}}}})
	if b.Wall != 0 || b.Calls != 3 {
		t.Errorf("nil model: %v", b)
	}
}

func TestModelRateOfAndLatencyOf(t *testing.T) {
	m := &Model{DefaultLatency: time.Millisecond,
		Latency: map[string]time.Duration{"kms": 2 * time.Millisecond, "kms:CreateKey": 3 * time.Millisecond},
		Rates:   []Rate{{Service: "kms", PerSecond: 100}, {Service: "kms", Operations: []string{"CreateKey"}, PerSecond: 5}}}
	for _, c := range []struct {
		op   string
		want time.Duration
	}{{"CreateKey", 3 * time.Millisecond}, {"DescribeKey", 2 * time.Millisecond}} {
		if got := m.LatencyOf("kms", c.op); got != c.want {
			t.Errorf("LatencyOf(kms, %s) = %v, want %v", c.op, got, c.want)
		}
	}
	if got := m.LatencyOf("s3", "PutObject"); got != time.Millisecond {
		t.Errorf("LatencyOf(s3) = %v", got)
	}
	if r, i := m.RateOf("kms", "CreateKey"); r == nil || i != 1 {
		t.Errorf("RateOf(kms, CreateKey) = %v, %d: the operation's own quota wins", r, i)
	}
	if r, i := m.RateOf("kms", "DescribeKey"); r == nil || i != 0 {
		t.Errorf("RateOf(kms, DescribeKey) = %v, %d", r, i)
	}
	if r, _ := m.RateOf("iam", "CreateRole"); r != nil {
		t.Errorf("RateOf(iam) = %v", r)
	}
	if b := (&Rate{PerSecond: 0.5}).burst(); b != 1 {
		t.Errorf("burst of 0.5/s = %v, want 1", b)
	}
}

func TestModelJSON(t *testing.T) {
	m := DefaultModel()
	m.TimeScale = 0.05
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseModel(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip:\n%s\n%s", b, b2)
	}
	d, err := ParseModel([]byte(`{"default":true,"latency":{"sso":"80ms"},"concurrency":{"organizations:CreateAccount":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.LatencyOf("sso", "ListInstances") != 80*time.Millisecond || d.Concurrency[AsyncCreateAccount] != 3 ||
		d.Async[AsyncCreateAccount] != 60*time.Second || len(d.Rates) != len(DefaultRates()) {
		t.Errorf("default with overrides: %v", d)
	}
	for _, bad := range []string{`{"latency":{"sso":"fast"}}`, `{"rates":[{"service":"sso"}]}`, `{"concurrency":{"sso:ListInstances":2}}`, `{"concurrency":{"sso:ProvisionPermissionSet":2}}`, `[]`, `{"timeScale":-1}`} {
		if _, err := ParseModel([]byte(bad)); err == nil {
			t.Errorf("ParseModel(%s): no error", bad)
		}
	}
	if m, err := ParseModel([]byte(" default\n")); err != nil || m.Rates == nil {
		t.Errorf("ParseModel(default) = %v, %v", m, err)
	}
}

// TestDefaultModelSources: every default rate says where AWS documents it.
func TestDefaultModelSources(t *testing.T) {
	m := DefaultModel()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, r := range append(m.Rates, AssumedRates()...) {
		if !strings.Contains(r.Source, "https://docs.aws.amazon.com/") && !strings.HasPrefix(r.Source, "unconfirmed") {
			t.Errorf("rate %s %v: source %q names no AWS page and is not marked unconfirmed", r.Service, r.Operations, r.Source)
		}
	}
}
