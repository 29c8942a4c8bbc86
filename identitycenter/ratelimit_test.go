package identitycenter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestRequestRateIsKept: with foundation.WithRequestRate("sso", r), a run
// sends its sso-admin requests no faster than r a second after a burst of
// 15, and the calls sharing a ReadCache share the rate; without the option
// the same work on an endpoint that is not AWS's is not held back.
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
	for range 6 { // six calls of one run: one bucket
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
	if sso < 20 {
		t.Fatalf("only %d sso-admin calls: %v", sso, b.Calls(mark))
	}
	least := time.Duration(float64(sso-15) / rate * float64(time.Second))
	if took < least*9/10 {
		t.Errorf("%d sso-admin calls at %g a second took %v, want at least %v", sso, rate, took, least)
	}
	t.Logf("%d sso-admin calls at %g/s: %v (least %v)", sso, rate, took, least)
}

// pagesOfNothing answers every sso-admin request, without a network, with
// an empty page of permission sets and a next token, pages times, the
// last page without one.
type pagesOfNothing struct {
	mu    sync.Mutex
	pages int
	hosts map[string]int
}

func (p *pagesOfNothing) Do(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.pages--
	left := p.pages
	p.hosts[req.URL.Host]++
	p.mu.Unlock()
	body := `{"PermissionSets":[]}`
	if left > 0 {
		body = fmt.Sprintf(`{"PermissionSets":[],"NextToken":"page-%d"}`, left)
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// TestDefaultRequestRateOnAWSOnly: without foundation.WithRequestRate, a
// run keeps its sso-admin requests to AWS's endpoint (here answered by a
// stand-in HTTP client: no request leaves the process) under
// SSORequestRate after a burst of 15, and does not hold back the same
// requests to another endpoint (an emulator's).
func TestDefaultRequestRateOnAWSOnly(t *testing.T) {
	const pages = 24
	spec := identitycenter.AccessSpec{InstanceARN: "arn:aws:sso:::instance/ssoins-1234567890abcdef", IdentityStoreID: "d-1234567890",
		PermissionSets: []identitycenter.PermissionSetSpec{{Name: "ReadOnlyAccess"}}}
	run := func(endpoint string) (time.Duration, map[string]int) {
		fake := &pagesOfNothing{pages: pages, hosts: map[string]int{}}
		cfg := aws.Config{Region: "us-east-1", HTTPClient: fake,
			Credentials: credentials.NewStaticCredentialsProvider("AKIAFOUNDATIONTEST00", "not-a-secret", "")}
		if endpoint != "" {
			cfg.BaseEndpoint = aws.String(endpoint)
		}
		start := time.Now()
		// A dry run: the listing's pages are its only requests.
		if _, err := identitycenter.EnsureAccess(context.Background(), identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(cfg)}, spec,
			foundation.WithDryRun(true)); err != nil {
			t.Fatal(err)
		}
		return time.Since(start), fake.hosts
	}
	took, hosts := run("")
	if hosts["sso.us-east-1.amazonaws.com"] != pages || len(hosts) != 1 {
		t.Fatalf("requests by host: %v, want %d to sso.us-east-1.amazonaws.com", hosts, pages)
	}
	least := time.Duration(float64(pages-15) / identitycenter.SSORequestRate * float64(time.Second))
	if took < least*9/10 {
		t.Errorf("%d requests to AWS's endpoint took %v, want at least %v (%g a second after 15)", pages, took, least, identitycenter.SSORequestRate)
	}
	other, hosts := run("http://127.0.0.1:1")
	if hosts["127.0.0.1:1"] != pages {
		t.Fatalf("requests by host: %v", hosts)
	}
	if other > least/2 {
		t.Errorf("%d requests to another endpoint took %v: held back by the default meant for AWS's", pages, other)
	}
	t.Logf("AWS's endpoint: %v (least %v); another: %v", took, least, other)
}
