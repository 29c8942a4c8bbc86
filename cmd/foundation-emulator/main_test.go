package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// Only loopback addresses are served unless -allow-remote, and then with a
// warning naming the risk.
func TestCheckAddr(t *testing.T) {
	for _, tc := range []struct {
		addr        string
		allowRemote bool
		err, warn   string
	}{
		{"127.0.0.1:4566", false, "", ""},
		{"127.0.0.2:4566", false, "", ""},
		{"localhost:4566", false, "", ""},
		{"[::1]:4566", false, "", ""},
		{":4566", false, "every interface, not loopback", ""},
		{"0.0.0.0:4566", false, "-allow-remote", ""},
		{"[::]:4566", false, "every interface", ""},
		{"192.168.1.10:4566", false, `listens on 192.168.1.10`, ""},
		{"emulator.example.com:4566", false, "-allow-remote", ""},
		{"4566", false, "missing port", ""},
		{":4566", true, "", "WARNING: listening on every interface (-allow-remote): the emulator serves unsigned requests from any host"},
		{"192.168.1.10:4566", true, "", "WARNING: listening on 192.168.1.10"},
		{"127.0.0.1:4566", true, "", ""},
	} {
		warn, err := checkAddr(tc.addr, tc.allowRemote)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s (allow %v): %v", tc.addr, tc.allowRemote, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s (allow %v): err = %v, want %q", tc.addr, tc.allowRemote, err, tc.err)
		case !strings.HasPrefix(warn, tc.warn) || (tc.warn == "" && warn != ""):
			t.Errorf("%s (allow %v): warning %q, want %q", tc.addr, tc.allowRemote, warn, tc.warn)
		}
	}
}

// The command refuses a remote address before serving anything, serves
// loopback until its context ends, and prints the warning when allowed.
func TestRunRefusesRemoteUnlessAllowed(t *testing.T) {
	t.Setenv("FOUNDATION_EMULATOR_ADDR", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"-addr", "0.0.0.0:0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "-allow-remote") || out.Len() > 0 {
		t.Errorf("err = %v, stdout %q", err, out.String())
	}
	if err := run(ctx, []string{"-addr", "127.0.0.1:0", "-dump"}, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "foundation emulator listening on http://127.0.0.1:") || errOut.Len() > 0 {
		t.Errorf("loopback: err = %v, stdout %q, stderr %q", err, out.String(), errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"-addr", "127.0.0.1:0", "-allow-remote"}, &out, &errOut); err != nil || errOut.Len() > 0 {
		t.Errorf("loopback with -allow-remote warns: err = %v, stderr %q", err, errOut.String())
	}
	if err := run(ctx, []string{"-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "-allow-remote") {
		t.Errorf("-h: %v", err)
	}
}
