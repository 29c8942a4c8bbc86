package foundationtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation/foundationtest"
)

// ExampleWithModel: a server that throttles as AWS does. The clock is
// stopped here so the output is the same on every run: IAM Identity
// Center's 20 requests per second are admitted, the 21st is throttled.
func ExampleWithModel() {
	stopped := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := foundationtest.DefaultModel()
	m.TimeScale = 0.01 // AWS's figures at 1/100 of real time: 50 ms calls take 0.5 ms
	srv, err := foundationtest.Start(foundationtest.WithModel(m),
		foundationtest.WithClock(func() time.Time { return stopped }))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	cfg := srv.Config()
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} } // show the error instead of retrying it
	client := ssoadmin.NewFromConfig(cfg)
	for i := 1; i <= 21; i++ {
		_, err := client.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
		var ae smithy.APIError
		if errors.As(err, &ae) {
			fmt.Printf("call %d: %s\n", i, ae.ErrorCode())
		}
	}
	fmt.Println(srv.Throttled())
	// Output:
	// call 21: ThrottlingException
	// map[sso:ListInstances:1]
}

func TestWithModelOffByDefault(t *testing.T) {
	stopped := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // the bucket below never refills
	srv := foundationtest.NewServer(t, foundationtest.WithClock(func() time.Time { return stopped }))
	client := ssoadmin.NewFromConfig(srv.Config())
	for i := 0; i < 40; i++ {
		_, err := client.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Throttled(); len(got) != 0 {
		t.Fatalf("throttled without a model: %v", got)
	}
	// Turned on later, with the default model's figures: 20 of 40 calls
	// pass in the stopped second.
	m := foundationtest.DefaultModel()
	m.DefaultLatency = 0
	if err := srv.SetModel(m); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config()
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	once := ssoadmin.NewFromConfig(cfg)
	throttled := 0
	for i := 0; i < 40; i++ {
		var ae smithy.APIError
		if _, err := once.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{}); errors.As(err, &ae) && ae.ErrorCode() == "ThrottlingException" {
			throttled++
		}
	}
	if throttled != 20 || srv.Throttled()["sso:ListInstances"] != throttled {
		t.Fatalf("throttled %d calls, server counted %v", throttled, srv.Throttled())
	}
}
