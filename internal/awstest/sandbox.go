package awstest

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// awsConfig loads the machine's credentials for a sandbox account the user
// dedicated to these tests: only with FOUNDATION_TEST_AWS=1, and only when
// FOUNDATION_TEST_AWS_ACCOUNT names the very account they act in.
func awsConfig(t testing.TB, region string) aws.Config {
	t.Helper()
	want := os.Getenv(EnvAWSAccount)
	if !accountPattern.MatchString(want) {
		t.Fatalf("awstest: %s=1 needs %s=<the sandbox account's 12-digit ID>, got %q", EnvAWS, EnvAWSAccount, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		t.Fatalf("awstest: load AWS credentials: %v", err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("awstest: sts:GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(out.Account); got != want {
		t.Fatalf("awstest: the credentials act in account %s, not %s=%s: refusing to run", got, EnvAWSAccount, want)
	}
	return cfg
}

func stscredsProvider(api stscreds.AssumeRoleAPIClient, roleARN string) aws.CredentialsProvider {
	return stscreds.NewAssumeRoleProvider(api, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "foundation-test-" + runID
	})
}
