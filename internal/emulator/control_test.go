package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/core"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func TestControlHealthInfoAndErrors(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{ManagementAccountID: "210987654321"})
	var m map[string]string
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/health", "", &m))
	require.Equal(t, map[string]string{"status": "ok"}, m)

	m = nil
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/info", "", &m))
	require.Equal(t, "210987654321", m["managementAccountId"])
	require.NotEmpty(t, m["version"])

	m = nil
	require.Equal(t, http.StatusNotFound, emutest.Control(t, srv, http.MethodGet, "/_foundation/nosuch", "", &m))
	require.Contains(t, m["error"], "/_foundation/nosuch")
	require.Equal(t, http.StatusNotFound, emutest.Control(t, srv, http.MethodGet, "/_foundation/", "", &m))

	m = nil
	require.Equal(t, http.StatusMethodNotAllowed, emutest.Control(t, srv, http.MethodGet, "/_foundation/reset", "", &m))
	require.Contains(t, m["error"], "POST")

	// The control API leaves no trace in the call log.
	require.Empty(t, srv.Calls())
}

func TestControlCallsSnapshotAndReset(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)

	var calls []map[string]any
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/calls", "", &calls))
	require.Len(t, calls, 2)
	require.Equal(t, "sts", calls[0]["service"])
	require.Equal(t, "GetCallerIdentity", calls[0]["operation"])
	require.Equal(t, emulator.DefaultManagementAccountID, calls[0]["account"])
	require.Equal(t, false, calls[0]["mutating"])
	require.Equal(t, float64(200), calls[0]["status"])
	require.Equal(t, "", calls[0]["error"])
	require.Equal(t, "CreateRole", calls[1]["operation"])
	require.Equal(t, true, calls[1]["mutating"])

	calls = nil
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/calls?since=1", "", &calls))
	require.Len(t, calls, 1)
	require.Equal(t, "CreateRole", calls[0]["operation"])
	require.Equal(t, http.StatusBadRequest, emutest.Control(t, srv, http.MethodGet, "/_foundation/calls?since=x", "", nil))

	var snap map[string]any
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/snapshot", "", &snap))
	want, err := srv.Snapshot()
	require.NoError(t, err)
	require.Contains(t, string(want), `"ci"`)
	var wantMap map[string]any
	require.NoError(t, json.Unmarshal(want, &wantMap))
	require.Equal(t, wantMap, snap)

	fresh, err := emulator.New(emulator.Options{}).Snapshot()
	require.NoError(t, err)
	srv.Throttle(emulator.Match{Service: "iam"}, 1)
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", nil))
	after, err := srv.Snapshot()
	require.NoError(t, err)
	require.Equal(t, string(fresh), string(after))
	require.Empty(t, srv.Calls())
	// Faults went with the old state: IAM answers again.
	_, err = iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ci")})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "NoSuchEntity", apiErr.ErrorCode())
}

func TestControlResetRunsOnReset(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	setup := func(e *emulator.Emulator) error { return e.AddAccount("111111111111") }
	srv.OnReset(setup)
	require.Equal(t, []string{emulator.DefaultManagementAccountID}, srv.Accounts())
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", nil))
	require.Equal(t, []string{"111111111111", emulator.DefaultManagementAccountID}, srv.Accounts())

	srv.OnReset(func(*emulator.Emulator) error { return errors.New("boom") })
	var m map[string]string
	require.Equal(t, http.StatusInternalServerError, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", &m))
	require.Contains(t, m["error"], "boom")
	require.Len(t, srv.Accounts(), 2, "a failed reset keeps the old state")
}

// TestControlResetCoversEveryField fails when a field is added to Emulator
// that Reset does not carry over from the fresh emulator.
func TestControlResetCoversEveryField(t *testing.T) {
	handled := map[string]bool{"opts": true, "onReset": true, "mu": true, "model": true, // kept
		"rnd": true, "accounts": true, "sessions": true, "globals": true, "services": true,
		"calls": true, "faults": true, "reqSeq": true, "quota": true} // replaced
	typ := reflect.TypeFor[core.Emulator]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		require.True(t, handled[name], "Emulator.%s: Reset (control.go) must replace it with the fresh emulator's, and this test list it", name)
	}
}

func TestControlResetWithRequestsInFlight(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	client := sts.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 4 {
		wg.Go(func() {
			for range 25 {
				if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 10 {
		require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", nil))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i, c := range srv.Calls() {
		require.Equal(t, i+1, c.Seq, "the call log after a reset is the fresh one's")
	}
}

func TestControlFaults(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	ctx := context.Background()
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	cfg.RetryMaxAttempts = 1
	client := sts.NewFromConfig(cfg)
	iamc := iam.NewFromConfig(cfg)

	// Bad bodies are rejected before anything is installed.
	for _, body := range []string{
		`{}`,                                  // no kind
		`{"service":"sts","nth":-1}`,          // negative
		`{"throttle":1.5}`,                    // not a fraction
		`{"nth":1,"throttle":0.5}`,            // two kinds
		`{"latency":"soon"}`,                  // not a duration
		`{"latency":"1ms","after":true}`,      // after without a failure
		`{"error":{"status":200,"code":"X"}}`, // not an error status
		`{"error":{"status":400}}`,            // no code
		`{"servce":"sts","nth":1}`,            // misspelt key
		`[{"nth":1},{"nth":0,"throttle":-1}]`, // the second is bad
		`{"nth":1} {"nth":2}`,                 // two values
		`not json`,
	} {
		var m map[string]string
		require.Equal(t, http.StatusBadRequest, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults", body, &m), body)
		require.NotEmpty(t, m["error"], body)
	}
	var faults []struct {
		Fired   int    `json:"fired"`
		Latency string `json:"latency"`
	}
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/faults", "", &faults))
	require.Empty(t, faults)

	// Fail the 2nd GetCallerIdentity with a chosen error.
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults",
		`{"service":"sts","operation":"GetCallerIdentity","nth":2,"error":{"status":403,"code":"AccessDenied","message":"no"}}`, &faults))
	require.Len(t, faults, 1)
	_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "AccessDenied", apiErr.ErrorCode())
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/faults", "", &faults))
	require.Equal(t, 1, faults[0].Fired)
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodDelete, "/_foundation/faults", "", nil))
	faults = nil
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/faults", "", &faults))
	require.Empty(t, faults)

	// After the write: the role exists although CreateRole failed.
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults",
		`[{"service":"iam","operation":"CreateRole","nth":1,"after":true}]`, nil))
	_, err = iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "InternalFailure", apiErr.ErrorCode())
	_, err = iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodDelete, "/_foundation/faults", "", nil))

	// Throttle every call with the service's throttling error.
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults", `{"service":"sts","throttle":1}`, nil))
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "Throttling", apiErr.ErrorCode())
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodDelete, "/_foundation/faults", "", nil))

	// Fail always (an error alone) and latency.
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/faults",
		`[{"service":"iam","error":{"code":"AccessDenied"}},{"service":"sts","latency":"150ms"}]`, &faults))
	require.Len(t, faults, 2)
	require.Equal(t, "150ms", faults[1].Latency)
	_, err = iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "AccessDenied", apiErr.ErrorCode())
	require.Equal(t, http.StatusForbidden, srv.Calls()[len(srv.Calls())-1].Status, "IAM sends AccessDenied with 403")
	start := time.Now()
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}
