package emulator_test

import (
	"strings"
	"testing"
	"time"

	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// TestAWSCLIModelThrottling: the AWS CLI takes the model's throttling
// answers as AWS's: it retries them (standard retry mode, three attempts)
// and then prints the service's code. The clock is stopped, so the bucket
// never refills and every retry is throttled too.
func TestAWSCLIModelThrottling(t *testing.T) {
	t.Parallel()
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			m := &emulator.Model{
				Rates:       []emulator.Rate{{Service: "sso", PerSecond: 1, Burst: 1}},
				Async:       map[string]time.Duration{emulator.AsyncCreateAccount: time.Minute},
				Concurrency: map[string]int{emulator.AsyncCreateAccount: 1},
			}
			srv := emutest.Start(t, emulator.Options{Clock: clock.Now, Model: m})
			r := newCLIRunner(t, cli, srv, "AKIDEXAMPLE")
			for i, kv := range r.env {
				if strings.HasPrefix(kv, "AWS_MAX_ATTEMPTS=") {
					r.env[i] = "AWS_MAX_ATTEMPTS=3"
				}
			}
			r.env = append(r.env, "AWS_RETRY_MODE=standard")

			attempts := func(mark int, op, code string) int {
				n := 0
				for _, c := range srv.CallsSince(mark) {
					if c.Operation == op {
						require.Equal(t, code, c.ErrorCode, "%+v", c)
						n++
					}
				}
				return n
			}

			// IAM Identity Center's ThrottlingException (HTTP 429).
			r.ok("sso-admin", "list-instances")
			mark := srv.CallCount()
			r.failsWithStatus("ThrottlingException", 429, "sso-admin", "list-instances")
			require.Equal(t, 3, attempts(mark, "ListInstances", "ThrottlingException"), "%s retries a throttle", cli.version)

			// Organizations' TooManyRequestsException (HTTP 400) for a
			// CreateAccount beyond the requests in progress.
			r.ok("organizations", "create-organization", "--feature-set", "ALL")
			r.ok("organizations", "create-account", "--account-name", "a", "--email", "a@example.com")
			mark = srv.CallCount()
			r.failsWithStatus("TooManyRequestsException", 400, "organizations", "create-account", "--account-name", "b", "--email", "b@example.com")
			require.Equal(t, 3, attempts(mark, "CreateAccount", "TooManyRequestsException"), "%s retries a throttle", cli.version)
			require.Equal(t, map[string]int{"sso:ListInstances": 3, "organizations:CreateAccount": 3}, srv.Throttled())
		})
	}
}
