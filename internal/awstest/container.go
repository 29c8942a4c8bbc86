package awstest

// The container backends: the foundation-emulator command in its container
// image (cmd/foundation-emulator/Dockerfile), reset between tests through its
// control API (/_foundation/reset), and LocalStack.
//
// Both are started by testcontainers-go, which lives in its own module,
// internal/testcontainers, so that it and what it pulls (moby, docker, ...)
// stay out of the library's go.mod and every consumer's module graph. This
// package runs that module's program as a subprocess with the standard
// library only (`go run .` in its directory, GOWORK=off; Go caches the
// executable, so only the first run on a machine compiles it), reads the one
// JSON line it prints ({"url"}, {"skip"} or {"error"}), keeps its stdin open
// while the container is wanted and closes it to have the container
// removed.
//
// The emulator's image is built once per test process from a binary built on
// the host (CGO_ENABLED=0 go build) and a copy of the Dockerfile in a
// temporary build context, tagged foundation-emulator:test and kept, so a
// rerun reuses Docker's layer cache. The Dockerfile is FROM scratch: nothing
// is pulled from a registry. Set TESTCONTAINERS_RYUK_DISABLED=true (the Ryuk
// reaper is an image from a registry) and, where the tests themselves run in
// a container, TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: the container's port
// is published on the host's loopback interface only, and a Docker host that
// resolves to anything but loopback is refused rather than connected to.
// .ci/dockerd starts a throwaway Docker engine for CI.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// modulePath is the library's module: its go.mod marks the repository root.
const modulePath = "github.com/awsfoundation/foundation"

// containerHelperDir is the directory of the module whose program starts
// containers, relative to the repository root.
const containerHelperDir = "internal/testcontainers"

var (
	containerBuildMu sync.Mutex
	containerBuilt   bool
)

// startContainer starts one container of the emulator's image (built first,
// once per process) through internal/testcontainers and returns its base
// URL (http://127.0.0.1:<mapped port>), a reset function (POST
// /_foundation/reset) and a stop function. skip is non-empty (and err nil)
// when no Docker engine is reachable, naming why.
func startContainer(ctx context.Context) (url string, reset func(context.Context) error, stop func(), skip string, err error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, nil, "", fmt.Errorf("container backend: %w", err)
	}
	args := []string{"-backend", "emulator", "-root", root}
	// The first start builds the image; others wait for it, then only run.
	containerBuildMu.Lock()
	build := !containerBuilt
	if build {
		defer containerBuildMu.Unlock()
		args = append(args, "-build")
	} else {
		containerBuildMu.Unlock()
	}
	h, skip, err := startHelper(ctx, root, args...)
	if skip != "" || err != nil {
		return "", nil, nil, skip, err
	}
	if build {
		containerBuilt = true
	}
	url = h.url
	reset = func(ctx context.Context) error { return postReset(ctx, url) }
	return url, reset, h.stop, "", nil
}

// A helper is a running internal/testcontainers program holding one
// container.
type helper struct {
	url  string
	stop func()
}

// startHelper runs internal/testcontainers with args and waits for its JSON
// line. The program keeps running (and its container with it) until stop.
func startHelper(ctx context.Context, root string, args ...string) (*helper, string, error) {
	cmd := exec.Command("go", append([]string{"run", "."}, args...)...)
	cmd.Dir = filepath.Join(root, containerHelperDir)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	// Its own process group, so that stop reaches the program `go run`
	// started as well; and if this process dies, stdin closes and the
	// program removes its container (the go command gets SIGKILL).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start go run in %s: %w", cmd.Dir, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			_ = stdin.Close()
			select {
			case <-exited:
			case <-time.After(90 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		})
	}

	type line struct {
		res struct{ URL, Skip, Error string }
		err error
	}
	lines := make(chan line, 1)
	go func() {
		r := bufio.NewReader(stdout)
		b, err := r.ReadBytes('\n')
		var l line
		if err != nil {
			l.err = fmt.Errorf("no result line: %w", err)
		} else if err := json.Unmarshal(b, &l.res); err != nil {
			l.err = fmt.Errorf("result line %q: %w", bytes.TrimSpace(b), err)
		}
		lines <- l
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case <-ctx.Done():
		stop()
		return nil, "", fmt.Errorf("%s: %w\n%s", cmd.Dir, ctx.Err(), stderr)
	case l := <-lines:
		switch {
		case l.err != nil:
			stop()
			<-exited
			return nil, "", fmt.Errorf("%s: %w\n%s", cmd.Dir, l.err, stderr)
		case l.res.Skip != "":
			stop()
			return nil, l.res.Skip, nil
		case l.res.Error != "":
			stop()
			return nil, "", errors.New(l.res.Error)
		case l.res.URL == "":
			stop()
			return nil, "", fmt.Errorf("%s: a result line without url\n%s", cmd.Dir, stderr)
		}
		return &helper{url: l.res.URL, stop: stop}, "", nil
	}
}

// repoRoot is the directory of the library's go.mod, found by walking up
// from the working directory (a test runs in its package's directory).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && goModModule(b) == modulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

// goModModule returns the module path a go.mod declares.
func goModModule(gomod []byte) string {
	for l := range strings.Lines(string(gomod)) {
		l, _, _ = strings.Cut(l, "//")
		if f := strings.Fields(l); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

func postReset(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/_foundation/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("container backend: reset: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("container backend: reset: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
