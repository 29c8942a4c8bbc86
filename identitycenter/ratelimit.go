package identitycenter

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go/middleware"

	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/ratelimit"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// SSORequestRate is the rate to keep sso-admin requests to on AWS, by
// foundation.WithRequestRate("sso", identitycenter.SSORequestRate): IAM
// Identity Center allows a collective 20 requests a second per account
// (IAM Identity Center quotas, "Throttle limits"); 18 leaves a margin for
// the jitter between when a request leaves and when AWS counts it. With
// the option, every attempt (retries included) takes a token of a bucket
// that the calls of a run sharing a foundation.ReadCache share. Without it
// the package does not limit its rate and relies on the SDK retrying
// throttled requests (ThrottlingException), as before; the bounded
// concurrency of assignments (DefaultAssignmentConcurrency) keeps bursts
// small.
const SSORequestRate = 18.0

// ssoBurst is how many sso-admin requests a run sends at once before the
// rate applies.
const ssoBurst = 4

// limiter returns the sso-admin rate limiter of a run with options o, nil
// when the caller set no rate: the one the run's ReadCache holds for that
// rate (shared by every call of the run), or a new one for this call.
func limiter(o call.Options) *ratelimit.Limiter {
	rate, ok := o.RequestRates["sso"]
	if !ok || rate <= 0 {
		return nil
	}
	l, _ := readcache.Get(o.ReadCache, fmt.Sprintf("ratelimit/sso/%g", rate), func() (*ratelimit.Limiter, error) {
		return ratelimit.New(rate, ssoBurst), nil
	})
	return l
}

type limiterKey struct{}

// limited returns ctx carrying l, which every sso-admin call made with it
// (retryConflict, creating) waits on.
func limited(ctx context.Context, l *ratelimit.Limiter) context.Context {
	return context.WithValue(ctx, limiterKey{}, l)
}

// rateLimited adds to an sso-admin call the wait for a token of the
// limiter its context carries, after the retry middleware, so every attempt
// takes one.
func rateLimited(s *middleware.Stack) error {
	return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("foundation.RateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if l, _ := ctx.Value(limiterKey{}).(*ratelimit.Limiter); l != nil {
				if err := l.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}
