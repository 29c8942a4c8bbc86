package core

import "time"

// DefaultLatency is DefaultModel's latency of a call that Model.Latency does
// not name: 50 ms. AWS publishes no latency figures; 50 ms is the round
// trip of a control-plane call from a nearby region as the issue that asked
// for the model measured it (unconfirmed: the emulator's assumption).
const DefaultLatency = 50 * time.Millisecond

// DefaultModel returns a new Model with AWS's figures: the request-rate
// quotas AWS documents per account, the limits on asynchronous requests in
// progress, and how long asynchronous work takes. Each figure's source is
// in its Rate.Source, or in the comments below; a figure AWS does not
// document says "unconfirmed" and is the emulator's choice. Change the copy
// it returns (TimeScale for benchmarks) before passing it to New.
func DefaultModel() *Model {
	return &Model{
		TimeScale:      1,
		DefaultLatency: DefaultLatency,
		Latency:        map[string]time.Duration{},
		Rates:          DefaultRates(),
		Async: map[string]time.Duration{
			// CreateAccount: the API reference says the request is
			// asynchronous and to poll DescribeCreateAccountStatus; it gives
			// no duration. Accounts are usually created in about a minute
			// (unconfirmed: the emulator's choice; the issue that asked for
			// the model says "tens of seconds").
			AsyncCreateAccount: 60 * time.Second,
			// Account assignments and provisioning: IAM Identity Center
			// documents no duration; they settle in seconds (unconfirmed:
			// the emulator's choice).
			AsyncCreateAccountAssignment: 5 * time.Second,
			AsyncDeleteAccountAssignment: 5 * time.Second,
			AsyncProvisionPermissionSet:  5 * time.Second,
		},
		Concurrency: map[string]int{
			// Organizations: five CreateAccount requests in progress per
			// organization (see orgMaxCreatesInProgress in the organizations
			// package for the error AWS sends beyond it).
			AsyncCreateAccount: 5,
			// IAM Identity Center quotas, Throttle limits:
			// "CreateAccountAssignment has a maximum limit of 10 asynchronous
			// calls in progress at any time"
			// (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
			AsyncCreateAccountAssignment: 10,
		},
	}
}

// DefaultRates returns DefaultModel's request-rate quotas, per calling
// account (and region, for regional services).
func DefaultRates() []Rate {
	return []Rate{
		{Service: "sso", PerSecond: 20, Burst: 20,
			Source: "IAM Identity Center quotas, Throttle limits: the IAM Identity Center APIs have a collective throttle of 20 transactions per second (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html)"},
		{Service: "identitystore", PerSecond: 20, Burst: 20,
			Source: "IAM Identity Center quotas, Throttle limits: 20 TPS collective, applied here to the Identity Store API too (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html)"},
	}
}
