package foundation

import "github.com/awsfoundation/foundation/internal/call/settings"

// WithRequestRate sets the most requests a second the library sends to
// service from one run: "sso" (or "sso-admin") for the IAM Identity Center API,
// whose quota is a collective 20 requests a second per account (IAM
// Identity Center quotas, "Throttle limits"). Without it package
// identitycenter keeps to identitycenter.SSORequestRate (a margin under
// 20) on AWS's own endpoints and does not limit requests to others (an
// emulator); set it higher when AWS has raised your account's quota, lower
// when other programs share it, or to keep an emulator's modelled quota.
// The calls of a run that share a ReadCache (WithReadCache) share the
// rate; without one each call keeps to it alone. perSecond <= 0 turns the
// limit off: a package then sends as fast as its bounded concurrency
// allows and relies on the SDK retrying throttled requests. The burst (15
// at once from idle at 18 a second) scales with the rate.
func WithRequestRate(service string, perSecond float64) Option {
	return func(s *settings.Settings) {
		if s.RequestRates == nil {
			s.RequestRates = map[string]float64{}
		}
		s.RequestRates[service] = perSecond
	}
}
