package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// noRetry is a config for srv that makes every call once.
func noRetry(srv *emulator.Server, ak string) aws.Config {
	cfg := emutest.Config(srv, ak)
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return cfg
}

func requireAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want %s, got %v", code, err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
}

// TestModelThrottlesAtTheDocumentedRate: with the clock stopped, a bucket
// admits its burst (one second of calls) and answers the next call with the
// service's own throttling error; half a second later it admits half a
// second's worth. Each account has its own buckets, each KMS operation its
// own quota, as AWS documents.
func TestModelThrottlesAtTheDocumentedRate(t *testing.T) {
	clock := newFakeClock()
	m := emulator.DefaultModel()
	m.DefaultLatency = 0 // keep the test fast; latency has its own test
	srv := emutest.Start(t, emulator.Options{Clock: clock.Now, Model: m})
	require.NoError(t, srv.AddAccount("111111111111"))
	ctx := context.Background()

	sso := ssoadmin.NewFromConfig(noRetry(srv, "AKIDEXAMPLE"))
	list := func() error { _, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); return err }
	for i := 0; i < 20; i++ { // IAM Identity Center: 20 TPS
		require.NoError(t, list(), "call %d", i+1)
	}
	requireAPIError(t, list(), "ThrottlingException")
	clock.Advance(500 * time.Millisecond)
	for i := 0; i < 10; i++ {
		require.NoError(t, list(), "call %d after 500ms", i+1)
	}
	requireAPIError(t, list(), "ThrottlingException")

	// Another account's quota is its own.
	other := ssoadmin.NewFromConfig(noRetry(srv, "111111111111"))
	_, err := other.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	require.NoError(t, err)

	// KMS: CreateKey 5 per second; DescribeKey has its own quota.
	k := kms.NewFromConfig(noRetry(srv, "AKIDEXAMPLE"))
	var keyID string
	for i := 0; i < 5; i++ {
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		require.NoError(t, err, "CreateKey %d", i+1)
		keyID = aws.ToString(out.KeyMetadata.KeyId)
	}
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{})
	requireAPIError(t, err, "ThrottlingException")
	_, err = k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	require.NoError(t, err)

	got := srv.Throttled()
	require.Equal(t, map[string]int{"sso:ListInstances": 2, "kms:CreateKey": 1}, got)
	// The throttled calls are in the call log with their error, and did
	// nothing: five keys.
	n := 0
	for p := kms.NewListKeysPaginator(k, &kms.ListKeysInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		n += len(page.Keys)
	}
	require.Equal(t, 5, n)
	// Each with the status the service sends it with (the @httpError
	// traits of the Smithy models: sso-admin 429, KMS 400).
	status := map[string]int{"sso": http.StatusTooManyRequests, "kms": http.StatusBadRequest}
	throttled := 0
	for _, c := range srv.Calls() {
		if c.ErrorCode == "ThrottlingException" {
			throttled++
			require.Equal(t, status[c.Service], c.Status, "%+v", c)
		}
	}
	require.Equal(t, 3, throttled)
}

// TestModelThrottledCallsSucceedWithTheSDKRetryer: 100 concurrent calls
// against a 20 TPS quota (run at 1/20 real time) are throttled, and the
// SDK's standard retryer, which retries the service's throttling error,
// gets every one through.
func TestModelThrottledCallsSucceedWithTheSDKRetryer(t *testing.T) {
	m := emulator.DefaultModel()
	m.TimeScale = 0.05
	m.DefaultLatency = 0
	srv := emutest.Start(t, emulator.Options{Model: m})
	cfg := emutest.Config(srv, "AKIDEXAMPLE")
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 50
			o.MaxBackoff = 20 * time.Millisecond
			o.RateLimiter = emutest.NoRateLimit{}
		})
	}
	sso := ssoadmin.NewFromConfig(cfg)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := sso.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// 20 at once, then 400 per wall second (20 TPS at 1/20 real time).
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	require.Positive(t, srv.Throttled()["sso:ListInstances"])
	ok := 0
	for _, c := range srv.Calls() {
		if c.Operation == "ListInstances" && c.OK() {
			ok++
		}
	}
	require.Equal(t, 100, ok)
}

// TestModelCreateAccountTakesItsDuration: under the model a CreateAccount
// request is IN_PROGRESS however often it is described, until its duration
// has passed on the clock (scaled by TimeScale), and then SUCCEEDED.
func TestModelCreateAccountTakesItsDuration(t *testing.T) {
	for _, scale := range []float64{1, 0.5} {
		clock := newFakeClock()
		m := &emulator.Model{TimeScale: scale, Async: map[string]time.Duration{emulator.AsyncCreateAccount: 60 * time.Second}}
		srv := emutest.Start(t, emulator.Options{Clock: clock.Now, Model: m})
		orgs, _, _ := emutest.OrgSetup(t, srv)
		ctx := context.Background()
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")})
		require.NoError(t, err)
		describe := func() *orgtypes.CreateAccountStatus {
			st, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
			require.NoError(t, err)
			return st.CreateAccountStatus
		}
		for i := 0; i < 5; i++ {
			require.Equal(t, orgtypes.CreateAccountStateInProgress, describe().State, "describe %d", i+1)
		}
		wall := time.Duration(float64(60*time.Second) * scale)
		clock.Advance(wall - time.Second)
		require.Equal(t, orgtypes.CreateAccountStateInProgress, describe().State, "scale %v", scale)
		clock.Advance(time.Second)
		st := describe()
		require.Equal(t, orgtypes.CreateAccountStateSucceeded, st.State, "scale %v", scale)
		require.NotEmpty(t, aws.ToString(st.AccountId))
	}
}

// TestModelCreateAccountConcurrencyLimit: requests beyond the limit on
// CreateAccount requests in progress are answered with
// TooManyRequestsException (which the SDKs retry) and counted; once a
// request has finished, its slot is free.
func TestModelCreateAccountConcurrencyLimit(t *testing.T) {
	clock := newFakeClock()
	m := &emulator.Model{Async: map[string]time.Duration{emulator.AsyncCreateAccount: 60 * time.Second},
		Concurrency: map[string]int{emulator.AsyncCreateAccount: 2}}
	srv := emutest.Start(t, emulator.Options{Clock: clock.Now, Model: m})
	emutest.OrgSetup(t, srv)
	orgs := organizations.NewFromConfig(noRetry(srv, "AKIDEXAMPLE"))
	ctx := context.Background()
	create := func(name string) error {
		_, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		return err
	}
	require.NoError(t, create("a"))
	require.NoError(t, create("b"))
	requireAPIError(t, create("c"), "TooManyRequestsException")
	require.Equal(t, map[string]int{"organizations:CreateAccount": 1}, srv.Throttled())
	clock.Advance(60 * time.Second)
	require.NoError(t, create("c"))
	// The default model keeps AWS's five.
	require.Equal(t, 5, emulator.DefaultModel().Concurrency[emulator.AsyncCreateAccount])
}

// TestModelLowerBoundIsReachable: a client that keeps five account
// creations in flight and polls often takes no less than LowerBound says
// (nothing can) and not much more, and makes at least its calls.
func TestModelLowerBoundIsReachable(t *testing.T) {
	const scale = 0.002 // a 60 s creation takes 120 ms
	m := emulator.DefaultModel()
	m.TimeScale = scale
	srv := emutest.Start(t, emulator.Options{Model: m})
	emutest.OrgSetup(t, srv)
	orgs := organizations.NewFromConfig(noRetry(srv, "AKIDEXAMPLE"))
	ctx := context.Background()
	const accounts = 12
	w := emulator.Workload{Accounts: accounts, Account: emulator.Chain{
		{{Service: "organizations", Operation: "CreateAccount"}},
		{{Service: "organizations", Operation: "ListParents"}},
	}}
	bound := emulator.LowerBound(srv.Model(), w)
	require.Equal(t, "concurrency organizations:CreateAccount", bound.Binding)

	mark := srv.CallCount()
	start := time.Now()
	slots := make(chan struct{}, 5)
	errs := make(chan error, accounts)
	var wg sync.WaitGroup
	for i := 0; i < accounts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				slots <- struct{}{}
				name := fmt.Sprintf("acct-%02d", i)
				out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
				if err != nil {
					return err
				}
				var id string
				for id == "" {
					time.Sleep(10 * time.Millisecond) // 5 s of model time
					st, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
					if err != nil {
						return err
					}
					id = aws.ToString(st.CreateAccountStatus.AccountId)
				}
				<-slots // the slot is free once the status says SUCCEEDED
				_, err = orgs.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
				return err
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	took := time.Duration(float64(time.Since(start)) / scale)
	require.GreaterOrEqual(t, took, bound.Wall, "%v", bound)
	require.Less(t, took, bound.Wall*2, "%v", bound) // 1.07-1.10x on an idle machine; slack for a loaded one
	require.GreaterOrEqual(t, len(srv.CallsSince(mark)), bound.Calls)
	require.Empty(t, srv.Throttled())
	t.Logf("measured %v of model time against %v (%.2fx), %d calls against %d", took.Round(time.Second), bound.Wall,
		took.Seconds()/bound.Wall.Seconds(), len(srv.CallsSince(mark)), bound.Calls)
}

// TestModelAssignmentTakesItsDuration: account assignments settle by time
// under the model, not by describes.
func TestModelAssignmentTakesItsDuration(t *testing.T) {
	clock := newFakeClock()
	srv := emutest.Start(t, emulator.Options{Clock: clock.Now})
	inst, store, accounts := emutest.SSOSetup(t, srv, "dev")
	require.NoError(t, srv.SetModel(&emulator.Model{Async: map[string]time.Duration{
		emulator.AsyncCreateAccountAssignment: 5 * time.Second, emulator.AsyncProvisionPermissionSet: 5 * time.Second}}))
	ctx := context.Background()
	ids := emutest.IdentityStoreClient(srv, "AKIDEXAMPLE")
	user := emutest.CreateUser(t, ids, store, "alice")
	sso := ssoadmin.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Admin")})
	require.NoError(t, err)
	out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst),
		PermissionSetArn: ps.PermissionSet.PermissionSetArn, PrincipalId: aws.String(user), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(accounts[0]), TargetType: ssotypes.TargetTypeAwsAccount})
	require.NoError(t, err)
	describe := func() ssotypes.StatusValues {
		st, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus.RequestId})
		require.NoError(t, err)
		return st.AccountAssignmentCreationStatus.Status
	}
	for i := 0; i < 5; i++ {
		require.Equal(t, ssotypes.StatusValuesInProgress, describe())
	}
	clock.Advance(5 * time.Second)
	require.Equal(t, ssotypes.StatusValuesSucceeded, describe())
}

// TestModelLatency: a call takes the model's latency for its operation,
// else its service, else the default, scaled by TimeScale.
func TestModelLatency(t *testing.T) {
	m := &emulator.Model{TimeScale: 0.1, DefaultLatency: 100 * time.Millisecond,
		Latency: map[string]time.Duration{"sts:GetCallerIdentity": 5 * time.Second}}
	srv := emutest.Start(t, emulator.Options{Model: m})
	ctx := context.Background()
	timed := func(f func() error) time.Duration {
		start := time.Now()
		require.NoError(t, f())
		return time.Since(start)
	}
	s := sts.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	override := timed(func() error { _, err := s.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err })
	require.GreaterOrEqual(t, override, 500*time.Millisecond)
	sso := ssoadmin.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"))
	d := timed(func() error { _, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); return err })
	require.GreaterOrEqual(t, d, 10*time.Millisecond)
	// Relative, not absolute: a loaded machine (CI under -race) adds its
	// own time to both calls, never 490 ms to one alone.
	require.Less(t, d, override, "the default latency, not the override")
}

// TestModelOffByDefault: without a model nothing is throttled, nothing is
// delayed and asynchronous work settles by describes, as before.
func TestModelOffByDefault(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	require.Nil(t, srv.Model())
	ctx := context.Background()
	sso := ssoadmin.NewFromConfig(noRetry(srv, "AKIDEXAMPLE"))
	start := time.Now()
	for i := 0; i < 200; i++ { // ten times IAM Identity Center's quota
		_, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		require.NoError(t, err)
	}
	require.Less(t, time.Since(start), 5*time.Second)
	orgs, _, _ := emutest.OrgSetup(t, srv)
	require.Equal(t, orgtypes.CreateAccountStateSucceeded, emutest.CreateAccount(t, orgs, "dev", "dev@example.com").State)
	require.Empty(t, srv.Throttled())
}

// TestModelControlAPI: the model is set, read and turned off through the
// control API, and survives a reset.
func TestModelControlAPI(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	var got struct {
		Model *struct {
			TimeScale      float64           `json:"timeScale"`
			DefaultLatency string            `json:"defaultLatency"`
			Async          map[string]string `json:"async"`
			Rates          []emulator.Rate   `json:"rates"`
		} `json:"model"`
		Throttled map[string]int `json:"throttled"`
	}
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodGet, "/_foundation/model", "", &got))
	require.Nil(t, got.Model)
	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPut, "/_foundation/model",
		`{"default":true,"timeScale":0.05,"async":{"organizations:CreateAccount":"20s"}}`, &got))
	require.NotNil(t, got.Model)
	require.Equal(t, 0.05, got.Model.TimeScale)
	require.Equal(t, "50ms", got.Model.DefaultLatency)
	require.Equal(t, "20s", got.Model.Async[emulator.AsyncCreateAccount])
	require.Equal(t, "5s", got.Model.Async[emulator.AsyncCreateAccountAssignment])
	require.NotEmpty(t, got.Model.Rates)
	require.Equal(t, 0.05, srv.Model().TimeScale)

	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodPost, "/_foundation/reset", "", nil))
	require.NotNil(t, srv.Model(), "reset keeps the model")

	var bad map[string]string
	require.Equal(t, http.StatusBadRequest, emutest.Control(t, srv, http.MethodPut, "/_foundation/model", `{"timeScale":2,"latencies":{}}`, &bad))
	require.Contains(t, bad["error"], "unknown field")
	require.Equal(t, http.StatusBadRequest, emutest.Control(t, srv, http.MethodPut, "/_foundation/model", `{"async":{"s3:PutObject":"1s"}}`, &bad))
	require.Contains(t, bad["error"], "s3:PutObject")

	require.Equal(t, http.StatusOK, emutest.Control(t, srv, http.MethodDelete, "/_foundation/model", "", &got))
	require.Nil(t, got.Model)
	require.Nil(t, srv.Model())
}
