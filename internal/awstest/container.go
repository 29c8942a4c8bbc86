package awstest

// The container backend: the foundation-emulator command in its container
// image (cmd/foundation-emulator/Dockerfile), started with testcontainers-go
// and reset between tests through its control API (/_foundation/reset).
//
// The image is built once per test process from a binary built on the host
// (CGO_ENABLED=0 go build) and a copy of the Dockerfile in a temporary build
// context, tagged foundation-emulator:test and kept, so a rerun reuses
// Docker's layer cache. The Dockerfile is FROM scratch: nothing is pulled
// from a registry. Set TESTCONTAINERS_RYUK_DISABLED=true (the Ryuk reaper is
// an image from a registry) and, where the tests themselves run in a
// container, TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: the container's port is
// published on the host's loopback interface only, and a Docker host that
// resolves to anything but loopback is refused rather than connected to.
// .ci/dockerd starts a throwaway Docker engine for CI.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
)

// containerImage is the tag the container backend builds and keeps.
const containerImage = "foundation-emulator:test"

var (
	containerBuildMu sync.Mutex
	containerBuilt   bool
)

// startContainer builds the image from cmd/foundation-emulator/Dockerfile (binary built with go build into a temp build context), starts one container with testcontainers-go, waits for /_foundation/health, and returns its base URL (http://127.0.0.1:<mapped port>), a reset function (POST /_foundation/reset) and a stop function. skip is non-empty (and err nil) when no Docker engine is reachable, naming why.
func startContainer(ctx context.Context) (url string, reset func(context.Context) error, stop func(), skip string, err error) {
	if reason := dockerMissing(ctx); reason != "" {
		return "", nil, nil, reason, nil
	}
	if !testcontainers.ReadConfig().RyukDisabled {
		return "", nil, nil, "", errors.New("container backend: set TESTCONTAINERS_RYUK_DISABLED=true: " +
			"the Ryuk reaper would be pulled from a registry (stop removes the container instead)")
	}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", nil, nil, "", fmt.Errorf("container backend: docker provider: %w", err)
	}
	host, err := provider.DaemonHost(ctx)
	_ = provider.Close()
	if err != nil {
		return "", nil, nil, "", fmt.Errorf("container backend: docker host: %w", err)
	}
	if !loopbackHost(host) {
		return "", nil, nil, "", fmt.Errorf("container backend: Docker publishes ports on %q, not a loopback address; "+
			"set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 (the port is published on the host's loopback)", host)
	}
	if err := buildContainerImage(ctx); err != nil {
		return "", nil, nil, "", err
	}

	req := testcontainers.ContainerRequest{
		Image:        containerImage,
		ExposedPorts: []string{"4566/tcp"},
		HostConfigModifier: func(hc *container.HostConfig) {
			port, _ := network.ParsePort("4566/tcp")
			hc.PortBindings = network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}}
		},
	}
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true})
	stop = func() {
		if ctr == nil {
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = ctr.Terminate(sctx, testcontainers.StopTimeout(5*time.Second))
	}
	if err != nil {
		stop()
		return "", nil, nil, "", fmt.Errorf("container backend: start %s: %w", containerImage, err)
	}
	port, err := ctr.MappedPort(ctx, "4566/tcp")
	if err != nil {
		stop()
		return "", nil, nil, "", fmt.Errorf("container backend: mapped port: %w", err)
	}
	url = fmt.Sprintf("http://127.0.0.1:%d", port.Num())
	if err := waitHealthy(ctx, url); err != nil {
		logs := containerLogs(ctx, ctr)
		stop()
		return "", nil, nil, "", fmt.Errorf("container backend: %w; container log:\n%s", err, logs)
	}
	reset = func(ctx context.Context) error { return postReset(ctx, url) }
	return url, reset, stop, "", nil
}

// buildContainerImage builds containerImage once per process: the binary
// with go build, then the image from a temporary context holding it and a
// copy of the Dockerfile.
func buildContainerImage(ctx context.Context) error {
	containerBuildMu.Lock()
	defer containerBuildMu.Unlock()
	if containerBuilt {
		return nil
	}
	root, err := repoRoot(ctx)
	if err != nil {
		return fmt.Errorf("container backend: %w", err)
	}
	dir, err := os.MkdirTemp("", "foundation-emulator-image-")
	if err != nil {
		return fmt.Errorf("container backend: %w", err)
	}
	defer os.RemoveAll(dir)

	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w",
		"-o", filepath.Join(dir, "foundation-emulator"), "./cmd/foundation-emulator")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("container backend: go build ./cmd/foundation-emulator: %w\n%s", err, out)
	}
	dockerfile, err := os.ReadFile(filepath.Join(root, "cmd", "foundation-emulator", "Dockerfile"))
	if err != nil {
		return fmt.Errorf("container backend: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		return fmt.Errorf("container backend: %w", err)
	}

	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Errorf("container backend: docker provider: %w", err)
	}
	defer provider.Close()
	repo, tag, _ := strings.Cut(containerImage, ":")
	var buildLog bytes.Buffer
	_, err = provider.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Dockerfile: "Dockerfile", Repo: repo, Tag: tag, KeepImage: true, BuildLogWriter: &buildLog,
	}})
	if err != nil {
		return fmt.Errorf("container backend: docker build %s: %w\n%s", containerImage, err, buildLog.String())
	}
	containerBuilt = true
	return nil
}

// repoRoot is the directory of the module's go.mod, found by walking up
// from the working directory (a test runs in its package's directory).
func repoRoot(ctx context.Context) (string, error) {
	if out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull {
			return filepath.Dir(gomod), nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// waitHealthy polls /_foundation/health until it answers 200.
func waitHealthy(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_foundation/health", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/_foundation/health: not healthy: %v", url, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
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

func containerLogs(ctx context.Context, ctr testcontainers.Container) string {
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 16<<10))
	return string(b)
}
