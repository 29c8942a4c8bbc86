package organizations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/organizations"
)

// In a dry run an account the dry run would create (a predicted ID) is a
// target: its task gets a config answered in the process as a new account
// answers, which sends nothing (the endpoint is a closed port). In a real
// run the same target is an invalid spec.
func TestForEachAccountPlansInAccountsToBeCreated(t *testing.T) {
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	id := foundation.PredictedID("account", "dev@example.com")
	spec := organizations.FanOutSpec{Accounts: []organizations.Target{{ID: id, Name: "dev"}}}
	task := func(ctx context.Context, cfg aws.Config, t organizations.Target) (foundation.Changes, error) {
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		return foundation.Changes{{Action: foundation.ActionCreate, Resource: "test:thing", ID: aws.ToString(who.Account)}}, nil
	}
	sum, err := organizations.ForEachAccount(ctx, cfg, spec, task, foundation.WithDryRun(true))
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := sum.Results[0].Changes; len(got) != 1 || got[0].ID != id {
		t.Fatalf("the task did not act in the predicted account: %v", got)
	}
	_, err = organizations.ForEachAccount(ctx, cfg, spec, task)
	if !errors.Is(err, foundation.ErrInvalidSpec) {
		t.Fatalf("real run with a predicted account: %v, want ErrInvalidSpec", err)
	}
}
