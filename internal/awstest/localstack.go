package awstest

import (
	"context"
	"os"
	"time"
)

// DefaultLocalStackImage is the image started when
// FOUNDATION_TEST_LOCALSTACK_IMAGE is unset. Images published after March
// 2026 need LOCALSTACK_AUTH_TOKEN; Organizations, Identity Center and ECR need
// LocalStack's paid tier.
const DefaultLocalStackImage = "localstack/localstack:4.9"

// startLocalStack starts a container through internal/testcontainers (see
// container.go) and returns its endpoint, or a reason to skip when Docker is
// not available. LOCALSTACK_AUTH_TOKEN reaches it through the environment.
// The container lives until the test binary exits: then the program's stdin
// closes and it removes the container.
func startLocalStack() (endpoint, skip string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	image := os.Getenv(EnvLocalStackImage)
	if image == "" {
		image = DefaultLocalStackImage
	}
	h, skip, err := startHelper(ctx, root, "-backend", "localstack", "-image", image, "-timeout", "5m")
	if skip != "" || err != nil {
		return "", skip, err
	}
	return h.url, "", nil
}
