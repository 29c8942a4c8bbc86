package statebackend_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// inFlight is an HTTP client that holds every request for delay (a
// service's latency) and records how many requests were in flight at
// once.
type inFlight struct {
	next  aws.HTTPClient
	delay time.Duration

	mu       sync.Mutex
	now, max int
}

func (c *inFlight) Do(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	time.Sleep(c.delay)
	return c.next.Do(req)
}

// reset returns the most requests in flight at once since the last reset.
func (c *inFlight) reset() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	peak := c.max
	c.max = 0
	return peak
}

// TestRerunReadsSideBySide: on a converged backend with a lock table and
// tags, a rerun makes its 11 reads in two stages (HeadBucket with
// DescribeTable, then the bucket's 7 settings with the table's
// point-in-time recovery and tags): 9 requests in flight at once, so with
// a latency per call the rerun takes about 3 latencies, not 11. With
// WithConcurrency(3) never more than 3 are in flight.
func TestRerunReadsSideBySide(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	cfg := b.Config()
	next := cfg.HTTPClient
	if next == nil {
		next = http.DefaultClient
	}
	hc := &inFlight{next: next}
	cfg.HTTPClient = hc
	api := statebackend.API{S3: b.S3(cfg), DynamoDB: b.DynamoDB(cfg)}
	spec := statebackend.Spec{
		Bucket: b.Unique("tfstate"), Region: b.Region,
		Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks"),
		Tags: map[string]string{"team": "platform"},
	}
	if _, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...); err != nil {
		t.Fatal(err)
	}

	const delay = 40 * time.Millisecond
	hc.reset()
	hc.delay = delay
	mark := b.Mark()
	t0 := time.Now()
	got, err := statebackend.Bootstrap(ctx, api, spec, awstest.Fast()...)
	wall := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	// Where the backend drops NewerNoncurrentVersions (moto), every run
	// rewrites the lifecycle rule after the reads; nothing else changes.
	if rest := unexplained(b, got.Changes); len(rest) != 0 {
		t.Fatalf("rerun changed %v", rest)
	}
	writes := b.MutatingCalls(mark)
	for _, c := range writes {
		if c.Operation != "PutBucketLifecycleConfiguration" || !b.Lacks(awstest.S3NewerNoncurrentVersions) {
			t.Fatalf("rerun called %v", c)
		}
	}
	peak := hc.reset()
	reads := len(b.Calls(mark)) - len(writes)
	ratio := wall.Seconds() / (float64(reads) * delay.Seconds())
	t.Logf("rerun: %d reads, %d requests in flight at most, %v (%.2f of the reads' latencies one after another)", reads, peak, wall, ratio)
	if reads != 11 {
		t.Fatalf("rerun made %d reads, want 11 (HeadBucket, 7 bucket settings, DescribeTable, DescribeContinuousBackups, ListTagsOfResource)", reads)
	}
	if peak != 9 {
		t.Errorf("at most %d requests in flight, want 9 (the bucket's 7 settings with the table's point-in-time recovery and tags)", peak)
	}

	if _, err := statebackend.Bootstrap(ctx, api, spec, append(awstest.Fast(), foundation.WithConcurrency(3))...); err != nil {
		t.Fatal(err)
	}
	if peak := hc.reset(); peak != 3 {
		t.Errorf("WithConcurrency(3): at most %d requests in flight, want 3", peak)
	}
}
