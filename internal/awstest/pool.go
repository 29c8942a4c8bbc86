package awstest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// A server is a backend process this test binary started (moto_server, an
// emulator container) that can be reset to empty.
type server struct {
	url   string
	reset func(context.Context) error
	stop  func()
}

// pools hold this process's servers by kind. A test leases one for its
// whole life, resets it first and gives it back at cleanup; when none is
// idle another is started, so nested or parallel tests never wait on each
// other. Every server is stopped when the test binary's last test ends
// (StopServers, called from TestMain, or at process exit by the OS).
var pools = struct {
	sync.Mutex
	idle  map[string][]*server
	all   []*server
	skip  map[string]string
	start map[string]func(context.Context) (*server, string, error)
}{
	idle: map[string][]*server{},
	skip: map[string]string{},
	start: map[string]func(context.Context) (*server, string, error){
		KindMoto:      startMoto,
		KindContainer: startContainerServer,
	},
}

// lease returns the URL of a reset server of kind, leased to t until its
// cleanup. It skips t when the kind cannot run here and says why.
func lease(t testing.TB, kind string) string {
	t.Helper()
	pools.Lock()
	if reason := pools.skip[kind]; reason != "" {
		pools.Unlock()
		t.Skipf("awstest: %s", reason)
	}
	var s *server
	if n := len(pools.idle[kind]); n > 0 {
		s, pools.idle[kind] = pools.idle[kind][n-1], pools.idle[kind][:n-1]
	}
	pools.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if s == nil {
		var skip string
		var err error
		s, skip, err = pools.start[kind](ctx)
		if skip != "" {
			pools.Lock()
			pools.skip[kind] = skip
			pools.Unlock()
			t.Skipf("awstest: %s", skip)
		}
		if err != nil {
			t.Fatalf("awstest: start %s: %v", kind, err)
		}
		pools.Lock()
		pools.all = append(pools.all, s)
		pools.Unlock()
	}
	if err := s.reset(ctx); err != nil {
		t.Fatalf("awstest: reset %s at %s: %v", kind, s.url, err)
	}
	t.Cleanup(func() {
		pools.Lock()
		pools.idle[kind] = append(pools.idle[kind], s)
		pools.Unlock()
	})
	return s.url
}

// Main runs a package's tests and then stops every server the harness
// started for them. Packages call it from TestMain:
//
//	func TestMain(m *testing.M) { awstest.Main(m) }
func Main(m interface{ Run() int }) {
	code := m.Run()
	StopServers()
	os.Exit(code)
}

// StopServers stops every server this process started.
func StopServers() {
	pools.Lock()
	all := pools.all
	pools.all, pools.idle = nil, map[string][]*server{}
	pools.Unlock()
	for _, s := range all {
		s.stop()
	}
}

func startContainerServer(ctx context.Context) (*server, string, error) {
	url, reset, stop, skip, err := startContainer(ctx)
	if skip != "" {
		return nil, fmt.Sprintf("%s=1 but %s", EnvContainer, skip), nil
	}
	if err != nil {
		return nil, "", err
	}
	return &server{url: url, reset: reset, stop: stop}, "", nil
}
