package awstest

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
)

// DefaultLocalStackImage is the image started when
// FOUNDATION_TEST_LOCALSTACK_IMAGE is unset. Images published after March
// 2026 need LOCALSTACK_AUTH_TOKEN; Organizations, Identity Center and ECR need
// LocalStack's paid tier.
const DefaultLocalStackImage = "localstack/localstack:4.9"

// startLocalStack starts a container and returns its endpoint, or a reason
// to skip when Docker is not available. The container lives until the test
// binary exits (testcontainers' reaper removes it).
func startLocalStack() (endpoint, skip string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if reason := dockerMissing(ctx); reason != "" {
		return "", reason, nil
	}
	image := os.Getenv(EnvLocalStackImage)
	if image == "" {
		image = DefaultLocalStackImage
	}
	env := map[string]string{"SERVICES": "s3,dynamodb,sts,iam,kms,ecr,organizations,sso-admin,identitystore"}
	if tok := os.Getenv(EnvLocalStackToken); tok != "" {
		env[EnvLocalStackToken] = tok
	}
	ctr, err := localstack.Run(ctx, image, testcontainers.WithEnv(env))
	if err != nil {
		return "", "", fmt.Errorf("run %s (set %s for images after March 2026): %w", image, EnvLocalStackToken, err)
	}
	ep, err := ctr.PortEndpoint(ctx, "4566/tcp", "http")
	if err != nil {
		_ = testcontainers.TerminateContainer(ctr)
		return "", "", fmt.Errorf("endpoint: %w", err)
	}
	return ep, "", nil
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
