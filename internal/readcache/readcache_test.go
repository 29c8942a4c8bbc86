package readcache

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestGetLoadsOnceForConcurrentCallers(t *testing.T) {
	c := New()
	var loads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := Get(c, "k", func() (int, error) {
				loads.Add(1)
				<-release
				return 42, nil
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	close(release)
	wg.Wait()
	if loads.Load() != 1 {
		t.Fatalf("%d loads, want 1", loads.Load())
	}
	for _, v := range got {
		if v != 42 {
			t.Fatalf("got %v", got)
		}
	}
	if v, ok := Peek[int](c, "k"); !ok || v != 42 {
		t.Fatalf("Peek = %v %v", v, ok)
	}
}

func TestFailedLoadIsNotStored(t *testing.T) {
	c := New()
	boom := errors.New("boom")
	if _, err := Get(c, "k", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	v, err := Get(c, "k", func() (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after a failed load: %v %v", v, err)
	}
}

func TestInvalidateAndPut(t *testing.T) {
	c := New()
	for _, k := range []string{"org/tags/a", "org/tags/b", "org/root"} {
		Put(c, k, k)
	}
	c.Invalidate("org/tags/")
	if c.Len() != 1 {
		t.Fatalf("after prefix invalidate: %d entries", c.Len())
	}
	c.Invalidate("org/root")
	n := 0
	v, _ := Get(c, "org/root", func() (string, error) { n++; return "again", nil })
	if n != 1 || v != "again" {
		t.Fatalf("after invalidate: loads %d value %q", n, v)
	}
}

func TestNilCacheLoadsEveryTime(t *testing.T) {
	var c *Cache
	n := 0
	for range 3 {
		_, _ = Get(c, "k", func() (int, error) { n++; return n, nil })
	}
	Put(c, "k", 1)
	c.Invalidate("k")
	if _, ok := Peek[int](c, "k"); ok || n != 3 {
		t.Fatalf("nil cache: %d loads", n)
	}
}
