// Command testcontainers starts one container for internal/awstest's
// container backends and keeps it while its parent wants it. It is its own
// module (internal/testcontainers/go.mod) so that testcontainers-go and what
// it pulls (moby, docker, ...) stay out of the library's go.mod and out of
// every consumer's module graph: internal/awstest starts it with the standard
// library only (`go run .` in this directory, GOWORK=off).
//
// Two backends:
//
//	-backend emulator -root <repository root> [-build]
//	    the foundation-emulator image (cmd/foundation-emulator/Dockerfile),
//	    built first when -build is given from a binary built on the host
//	    (CGO_ENABLED=0 GOOS=linux go build) in a temporary build context,
//	    tagged foundation-emulator:test and kept, so later builds reuse
//	    Docker's layer cache; then one container of it, its port published
//	    on 127.0.0.1 only, waited for until /_foundation/health answers.
//	-backend localstack [-image localstack/localstack:4.9]
//	    LocalStack through testcontainers-go's localstack module, with
//	    LOCALSTACK_AUTH_TOKEN passed through when set.
//
// It prints exactly one JSON line on stdout and nothing else:
//
//	{"url":"http://127.0.0.1:32768"}  the container answers there
//	{"skip":"no Docker engine is reachable: ..."}  nothing to run it on
//	{"error":"..."}  it could not be started (exit status 1)
//
// After a url it keeps the container until its stdin closes (the parent
// closed it, or died) or it receives SIGTERM or SIGINT, then terminates the
// container and exits. Logs go to stderr.
//
// The Ryuk reaper must be disabled for the emulator
// (TESTCONTAINERS_RYUK_DISABLED=true): it is an image pulled from a
// registry, and this program removes its container itself. A Docker host
// that publishes ports anywhere but on loopback is refused rather than
// connected to; where the tests run in a container, set
// TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
)

// emulatorImage is the tag the emulator backend builds and keeps.
const emulatorImage = "foundation-emulator:test"

// result is the one line printed on stdout.
type result struct {
	URL   string `json:"url,omitempty"`
	Skip  string `json:"skip,omitempty"`
	Error string `json:"error,omitempty"`
}

func main() {
	backend := flag.String("backend", "emulator", "emulator or localstack")
	root := flag.String("root", "", "emulator: the repository root (cmd/foundation-emulator is built from there)")
	build := flag.Bool("build", false, "emulator: build the image "+emulatorImage+" before running it")
	image := flag.String("image", "localstack/localstack:4.9", "localstack: the image to run")
	timeout := flag.Duration("timeout", 10*time.Minute, "how long building and starting may take")
	flag.Parse()

	// stdout carries the one JSON line: anything a library prints goes to
	// stderr instead.
	out := os.Stdout
	os.Stdout = os.Stderr
	emit := func(r result) {
		b, _ := json.Marshal(r)
		_, _ = out.Write(append(b, '\n'))
	}

	// When the parent dies, stdout and stderr are broken pipes: writing to
	// them must not kill this program before it has removed its container.
	signal.Ignore(syscall.SIGPIPE)

	// The container lives until stdin closes or a signal arrives; either
	// also aborts a start in progress.
	done, stopWatching := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stopWatching()
	done, closed := context.WithCancel(done)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		closed()
	}()

	ctx, cancel := context.WithTimeout(done, *timeout)
	var (
		url       string
		terminate func()
		skip      string
		err       error
	)
	switch *backend {
	case "emulator":
		url, terminate, skip, err = runEmulator(ctx, *root, *build)
	case "localstack":
		url, terminate, skip, err = runLocalStack(ctx, *image)
	default:
		err = fmt.Errorf("unknown -backend %q (emulator or localstack)", *backend)
	}
	cancel()
	switch {
	case skip != "":
		emit(result{Skip: skip})
		return
	case err != nil:
		emit(result{Error: err.Error()})
		os.Exit(1)
	}
	emit(result{URL: url})
	<-done.Done()
	terminate()
}

// runEmulator builds the image when asked, starts one container of it and
// waits until it is healthy.
func runEmulator(ctx context.Context, root string, build bool) (url string, terminate func(), skip string, err error) {
	if reason := dockerMissing(ctx); reason != "" {
		return "", nil, reason, nil
	}
	if !testcontainers.ReadConfig().RyukDisabled {
		return "", nil, "", errors.New("container backend: set TESTCONTAINERS_RYUK_DISABLED=true: " +
			"the Ryuk reaper would be pulled from a registry (the container is removed when the test process is done with it)")
	}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", nil, "", fmt.Errorf("container backend: docker provider: %w", err)
	}
	host, err := provider.DaemonHost(ctx)
	_ = provider.Close()
	if err != nil {
		return "", nil, "", fmt.Errorf("container backend: docker host: %w", err)
	}
	if !loopbackHost(host) {
		return "", nil, "", fmt.Errorf("container backend: Docker publishes ports on %q, not a loopback address; "+
			"set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 (the port is published on the host's loopback)", host)
	}
	if build {
		if root == "" {
			return "", nil, "", errors.New("container backend: -build needs -root")
		}
		if err := buildEmulatorImage(ctx, root); err != nil {
			return "", nil, "", err
		}
	}

	req := testcontainers.ContainerRequest{
		Image:        emulatorImage,
		ExposedPorts: []string{"4566/tcp"},
		HostConfigModifier: func(hc *container.HostConfig) {
			port, _ := network.ParsePort("4566/tcp")
			hc.PortBindings = network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}}
		},
	}
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true})
	terminate = func() { terminateContainer(ctr) }
	if err != nil {
		terminate()
		return "", nil, "", fmt.Errorf("container backend: start %s: %w", emulatorImage, err)
	}
	port, err := ctr.MappedPort(ctx, "4566/tcp")
	if err != nil {
		terminate()
		return "", nil, "", fmt.Errorf("container backend: mapped port: %w", err)
	}
	url = fmt.Sprintf("http://127.0.0.1:%d", port.Num())
	if err := waitHealthy(ctx, url); err != nil {
		logs := containerLogs(ctr)
		terminate()
		return "", nil, "", fmt.Errorf("container backend: %w; container log:\n%s", err, logs)
	}
	return url, terminate, "", nil
}

// buildEmulatorImage builds emulatorImage: the binary with go build, then
// the image from a temporary context holding it and a copy of the
// Dockerfile.
func buildEmulatorImage(ctx context.Context, root string) error {
	dir, err := os.MkdirTemp("", "foundation-emulator-image-")
	if err != nil {
		return fmt.Errorf("container backend: %w", err)
	}
	defer os.RemoveAll(dir)

	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w",
		"-o", filepath.Join(dir, "foundation-emulator"), "./cmd/foundation-emulator")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOWORK=off")
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
	repo, tag, _ := strings.Cut(emulatorImage, ":")
	var buildLog bytes.Buffer
	_, err = provider.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Dockerfile: "Dockerfile", Repo: repo, Tag: tag, KeepImage: true, BuildLogWriter: &buildLog,
	}})
	if err != nil {
		return fmt.Errorf("container backend: docker build %s: %w\n%s", emulatorImage, err, buildLog.String())
	}
	return nil
}

// runLocalStack starts LocalStack with the services the suite uses.
func runLocalStack(ctx context.Context, image string) (url string, terminate func(), skip string, err error) {
	if reason := dockerMissing(ctx); reason != "" {
		return "", nil, reason, nil
	}
	const tokenEnv = "LOCALSTACK_AUTH_TOKEN"
	env := map[string]string{"SERVICES": "s3,dynamodb,sts,iam,kms,ecr,organizations,sso-admin,identitystore"}
	if tok := os.Getenv(tokenEnv); tok != "" {
		env[tokenEnv] = tok
	}
	ctr, err := localstack.Run(ctx, image, testcontainers.WithEnv(env))
	terminate = func() { terminateContainer(ctr) }
	if err != nil {
		terminate()
		return "", nil, "", fmt.Errorf("run %s (set %s for images after March 2026): %w", image, tokenEnv, err)
	}
	ep, err := ctr.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		terminate()
		return "", nil, "", fmt.Errorf("endpoint: %w", err)
	}
	return ep, terminate, "", nil
}

// terminateContainer stops and removes ctr, whatever context its start had.
func terminateContainer(ctr testcontainers.Container) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := testcontainers.TerminateContainer(ctr, testcontainers.StopContext(ctx), testcontainers.StopTimeout(5*time.Second)); err != nil {
		fmt.Fprintln(os.Stderr, "terminate:", err)
	}
}

// dockerMissing returns why Docker cannot be used, or "".
func dockerMissing(ctx context.Context) (reason string) {
	defer func() {
		if r := recover(); r != nil {
			reason = fmt.Sprintf("no Docker engine is reachable (%v)", r)
		}
	}()
	p, err := testcontainers.ProviderDefault.GetProvider()
	if err != nil {
		return "no Docker engine is reachable: " + err.Error()
	}
	defer func() { _ = p.Close() }()
	if err := p.Health(ctx); err != nil {
		return "no Docker engine is reachable: " + err.Error()
	}
	return ""
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

func containerLogs(ctr testcontainers.Container) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 16<<10))
	return string(b)
}
