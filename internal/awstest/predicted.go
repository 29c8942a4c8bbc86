package awstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/awsfoundation/foundation"
)

// RefusePredicted makes every client built from cfg fail the test, and the
// call, when a call's input carries an identifier a dry run predicted
// (foundation.PredictedID): a placeholder must never reach AWS.
func RefusePredicted(t testing.TB, cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awstestRefusePredicted",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				raw, _ := json.Marshal(in.Parameters)
				if containsPredicted(raw) {
					op := awsmiddleware.GetOperationName(ctx)
					t.Errorf("%s was called with a predicted identifier: %s", op, raw)
					return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("%s with a placeholder", op)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}

// predictedMarker starts every identifier foundation.PredictedID makes.
var predictedMarker = func() []byte {
	id := foundation.PredictedID("k", "n")
	return []byte(id[:len(id)-len("k n)")])
}()

// containsPredicted reports whether a call's JSON-encoded input carries a
// predicted identifier anywhere, inside a policy document too.
func containsPredicted(raw []byte) bool { return bytes.Contains(raw, predictedMarker) }
