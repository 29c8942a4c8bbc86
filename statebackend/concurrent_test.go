package statebackend_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
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

// TestReadErrorKeepsItsPlace: the reads are made side by side, but a
// failed read is reported where its setting comes in the order of the
// writes, after the writes before it and with none after it, as when the
// reads were made one by one: on a backend where every setting drifted,
// a failed GetBucketVersioning (the 4th bucket setting),
// DescribeContinuousBackups or ListTagsOfResource (the table's last two)
// returns that read's error, and the run's changes are exactly those the
// undisturbed repair makes before that setting.
func TestReadErrorKeepsItsPlace(t *testing.T) {
	ctx := awstest.Context(t, 60*time.Second)
	ref := awstest.New(t)
	ref.RequireEmulator(t, awstest.CapFaults)
	spec, _, _ := driftedBackend(t, ctx, ref)
	full, err := statebackend.Bootstrap(ctx, apiFor(ref), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ service, op, step, res string }{
		{"s3", "GetBucketVersioning", "get versioning", statebackend.ResBucketVersioning},
		{"dynamodb", "DescribeContinuousBackups", "describe continuous backups", statebackend.ResTablePITR},
		// The table's tags are read before the run's first write (the
		// table's ownership check comes before the bucket's writes): the
		// failed read stops the run before any change.
		{"dynamodb", "ListTagsOfResource", "list tags", ""},
	} {
		t.Run(tc.op, func(t *testing.T) {
			b := awstest.New(t)
			e := b.RequireEmulator(t, awstest.CapFaults)
			spec, _, _ := driftedBackend(t, ctx, b)
			var want []string
			for _, c := range full.Changes {
				if tc.res == "" || strings.HasPrefix(c.Resource, tc.res) {
					break
				}
				want = append(want, c.Resource)
			}
			f := e.FailAlways(emulator.Match{Service: tc.service, Operation: tc.op}, emulator.APIError{Status: 403, Code: "AccessDenied", Message: "injected"})
			mark := b.Mark()
			_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
			e.RemoveFault(f)
			checkFault(t, tc.service+":"+tc.op, err)
			if !strings.Contains(err.Error(), tc.step) {
				t.Errorf("error does not name %q: %v", tc.step, err)
			}
			var inc *foundation.IncompleteError
			if !errors.As(err, &inc) && len(want) > 0 {
				t.Fatalf("not an IncompleteError: %v", err)
			}
			var got []string
			if inc != nil {
				for _, c := range inc.Changes {
					got = append(got, c.Resource)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("changes before the failed read:\n got %v\nwant %v", got, want)
			}
			// One write per change: none after the failed read.
			if w := b.MutatingCalls(mark); len(w) != len(want) {
				t.Errorf("%d writes for the %d changes before the failed read: %v", len(w), len(want), w)
			}
			t.Logf("%s failed after %v", tc.op, got)
		})
	}
}
