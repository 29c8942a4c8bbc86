package foundation

import "github.com/awsfoundation/foundation/internal/call/settings"

// WithRequestRate sets the most requests a second the library sends to
// service from one run: "sso" for the IAM Identity Center (sso-admin) API,
// whose quota is a collective 20 requests a second per account (IAM
// Identity Center quotas, "Throttle limits"); pass
// identitycenter.SSORequestRate (a margin under 20), more when AWS has
// raised your account's quota, less when other programs share it. Without
// it a package sends as fast as its bounded concurrency allows and relies
// on the SDK retrying throttled requests. The calls of a run that share a ReadCache
// (WithReadCache) share the rate; without one each call keeps to it alone.
// perSecond <= 0 means no limit.
func WithRequestRate(service string, perSecond float64) Option {
	return func(s *settings.Settings) {
		if s.RequestRates == nil {
			s.RequestRates = map[string]float64{}
		}
		s.RequestRates[service] = perSecond
	}
}
