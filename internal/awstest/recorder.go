package awstest

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Call is one API call a client made, as the client saw it.
type Call struct {
	Service   string // the SDK's service ID: "S3", "DynamoDB", "STS"
	Operation string // "PutBucketVersioning"
	Mutating  bool
	Err       error // the final error, after retries
}

func (c Call) String() string {
	s := c.Service + ":" + c.Operation
	if c.Err != nil {
		s += " (failed)"
	}
	return s
}

// Recorder records every API call made by clients built from a config it
// was installed in. It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	calls []Call
}

// Install adds the recording middleware to cfg.
func (r *Recorder) Install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awstestRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				n := &callNames{}
				out, md, err := next.HandleInitialize(context.WithValue(ctx, callNamesKey{}, n), in)
				svc, op := n.service, n.operation
				if svc == "" || op == "" {
					svc, op = awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
				}
				r.mu.Lock()
				r.calls = append(r.calls, Call{Service: svc, Operation: op, Mutating: IsMutating(svc, op), Err: err})
				r.mu.Unlock()
				return out, md, err
			}), middleware.Before)
		if err != nil {
			return err
		}
		// Some clients (s3control) set the operation's names in the
		// context only after the initialize step: read them once the
		// request is being sent.
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awstestRecorderNames",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if n, ok := ctx.Value(callNamesKey{}).(*callNames); ok && n.service == "" {
					n.service, n.operation = awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
					if n.service == "" || n.operation == "" { // smithy's own stack values
						n.service, n.operation = middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
					}
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.Before)
	})
}

type callNamesKey struct{}

// callNames are a call's names as the finalize step saw them.
type callNames struct{ service, operation string }

// Len returns the number of calls recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// Since returns the calls recorded after the first n.
func (r *Recorder) Since(n int) []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n > len(r.calls) {
		panic(fmt.Sprintf("awstest: mark %d beyond %d recorded calls", n, len(r.calls)))
	}
	return append([]Call(nil), r.calls[n:]...)
}
