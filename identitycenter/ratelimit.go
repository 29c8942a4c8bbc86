package identitycenter

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/ratelimit"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// SSORequestRate is the rate the package keeps sso-admin requests to on
// AWS: IAM Identity Center allows a collective 20 requests a second per
// account (IAM Identity Center quotas, "Throttle limits"); 18 leaves a
// margin for the jitter between when a request leaves and when AWS counts
// it. It is the default for requests to AWS's own endpoints (hosts under
// amazonaws.com, amazonaws.com.cn and api.aws): every attempt (retries
// included) takes a token of a bucket that the calls of a run sharing a
// foundation.ReadCache share. Requests to any other endpoint (an emulator,
// a proxy) are not limited unless the caller sets a rate with
// foundation.WithRequestRate("sso", r); r <= 0 turns the limit off
// everywhere, relying on the SDK retrying throttled requests.
const SSORequestRate = 18.0

// ssoBurst is how many sso-admin requests a run sends at once before the
// rate applies: under AWS's bucket of 20 (a rate limit of 20 a second
// admits 20 at once from idle), with the same margin as the rate, so a
// run's reads of its permission sets and assignments start side by side
// and the requests still arrive within AWS's bucket.
const ssoBurst = 15

// gate is a run's sso-admin limiter; awsOnly: the default, which holds
// back only requests to AWS's own endpoints.
type gate struct {
	l       *ratelimit.Limiter
	awsOnly bool
}

// limiter returns the sso-admin gate of a run with options o: the
// caller's rate (WithRequestRate("sso", r), or "sso-admin", the API's
// name), else SSORequestRate for AWS's endpoints only; nil when the caller
// turned it off. Its burst is ssoBurst scaled to the rate (a rate of 2 a
// second sends at most 2 at once). The gate is the one the run's
// ReadCache holds for that rate (shared by every call of the run), or a
// new one for this call.
func limiter(o call.Options) *gate {
	rate, set := o.RequestRates["sso"]
	if !set {
		rate, set = o.RequestRates["sso-admin"]
	}
	if set && rate <= 0 {
		return nil
	}
	awsOnly := !set
	if awsOnly {
		rate = SSORequestRate
	}
	g, _ := readcache.Get(o.ReadCache, fmt.Sprintf("ratelimit/sso/%g/%t", rate, awsOnly), func() (*gate, error) {
		burst := min(ssoBurst, max(1, int(rate*ssoBurst/SSORequestRate)))
		return &gate{l: ratelimit.New(rate, burst), awsOnly: awsOnly}, nil
	})
	return g
}

type limiterKey struct{}

// limited returns ctx carrying g, which every sso-admin call made with it
// (retryConflict, creating) waits on.
func limited(ctx context.Context, g *gate) context.Context {
	return context.WithValue(ctx, limiterKey{}, g)
}

// awsDNSSuffixes are the DNS suffixes of AWS's partitions, their
// dnsSuffix and dualStackDnsSuffix (aws-sdk-go-v2's
// internal/endpoints/awsrulesfn/partitions.json): aws, aws-cn, aws-us-gov,
// aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f.
var awsDNSSuffixes = []string{
	"amazonaws.com", "api.aws",
	"amazonaws.com.cn", "api.amazonwebservices.com.cn",
	"amazonaws.eu", "api.amazonwebservices.eu",
	"c2s.ic.gov", "api.aws.ic.gov",
	"sc2s.sgov.gov", "api.aws.scloud",
	"cloud.adc-e.uk", "api.cloud-aws.adc-e.uk",
	"csp.hci.ic.gov", "api.aws.hci.ic.gov",
}

// awsHost reports whether host (with or without a port) is one of AWS's
// own endpoints, which the default rate applies to.
func awsHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, suffix := range awsDNSSuffixes {
		suffix = "." + suffix
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// rateLimited adds to an sso-admin call the wait for a token of the
// gate its context carries, after the retry middleware (so every attempt
// takes one) and the endpoint's resolution (which the default needs),
// before signing.
func rateLimited(s *middleware.Stack) error {
	return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("foundation.RateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if g, _ := ctx.Value(limiterKey{}).(*gate); g != nil {
				req, _ := in.Request.(*smithyhttp.Request)
				if !g.awsOnly || (req != nil && req.URL != nil && awsHost(req.URL.Host)) {
					if err := g.l.Wait(ctx); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
				}
			}
			return next.HandleFinalize(ctx, in)
		}), "Signing", middleware.Before)
}
