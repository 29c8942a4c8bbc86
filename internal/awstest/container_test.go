package awstest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"
)

// TestContainerBackendServesAndResets builds the emulator's image, starts
// it, calls STS through the SDK, resets it through the control API and
// stops it, logging how long each step took. It needs Docker (.ci/dockerd
// start) and FOUNDATION_TEST_CONTAINER=1, TESTCONTAINERS_RYUK_DISABLED=true
// and, in a container, TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1; it skips
// saying why when no Docker engine is reachable.
func TestContainerBackendServesAndResets(t *testing.T) {
	if os.Getenv("FOUNDATION_TEST_CONTAINER") != "1" {
		t.Skip("set FOUNDATION_TEST_CONTAINER=1 to build and run the emulator's container image")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	start := time.Now()
	url, reset, stop, skip, err := startContainer(ctx)
	if skip != "" {
		t.Skip(skip)
	}
	require.NoError(t, err)
	t.Logf("first container (go run internal/testcontainers, go build, image build, start) until healthy: %v (%s)",
		time.Since(start).Round(time.Millisecond), url)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, url)

	client := sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(url),
	})
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "123456789012", aws.ToString(id.Account))
	require.Len(t, containerCalls(t, ctx, url), 1)

	start = time.Now()
	require.NoError(t, reset(ctx))
	t.Logf("reset: %v", time.Since(start).Round(time.Microsecond))
	require.Empty(t, containerCalls(t, ctx, url), "reset empties the call log")

	start = time.Now()
	stop()
	stopped = true
	t.Logf("stop: %v", time.Since(start).Round(time.Millisecond))
	_, err = http.Get(url + "/_foundation/health")
	require.Error(t, err, "the container is gone")

	// The image is built once per process: a second container starts from it.
	start = time.Now()
	url2, _, stop2, skip, err := startContainer(ctx)
	require.Empty(t, skip)
	require.NoError(t, err)
	t.Logf("second container start until healthy: %v", time.Since(start).Round(time.Millisecond))
	stop2()
	require.NotEmpty(t, url2)
}

func containerCalls(t *testing.T, ctx context.Context, url string) []map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_foundation/calls", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var calls []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&calls))
	return calls
}

// TestContainerSkipsWithoutDocker: with no Docker engine reachable, the
// container backend is a skip that says why, not a failure. testcontainers
// falls back from DOCKER_HOST to the default socket, so this runs only where
// no engine listens there.
func TestContainerSkipsWithoutDocker(t *testing.T) {
	if os.Getenv("FOUNDATION_TEST_CONTAINER") != "1" {
		t.Skip("set FOUNDATION_TEST_CONTAINER=1 to run internal/testcontainers")
	}
	if _, err := os.Stat("/var/run/docker.sock"); err == nil {
		t.Skip("a Docker engine may answer on /var/run/docker.sock: this test is for a machine without one")
	}
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	url, _, stop, skip, err := startContainer(ctx)
	if stop != nil {
		stop()
		t.Skipf("a Docker engine was found (%s): this test is for a machine without one", url)
	}
	t.Logf("skip after %v: %s", time.Since(start).Round(time.Millisecond), skip)
	require.NoError(t, err)
	require.Contains(t, skip, "no Docker engine is reachable")
}

func TestRepoRootIsTheLibrarysModule(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	require.Equal(t, modulePath, goModModule(b))
	require.FileExists(t, filepath.Join(root, containerHelperDir, "go.mod"))
	require.Equal(t, "example.com/x", goModModule([]byte("// c\nmodule \"example.com/x\" // c\n\ngo 1.26\n")))
}
