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
			// organization (unconfirmed: the emulator's long-standing
			// figure, which the issue that asked for the model also states;
			// AWS's CreateAccount reference documents no such limit nor a
			// dedicated error, see orgMaxCreatesInProgress in the
			// organizations package for what the emulator answers).
			AsyncCreateAccount: 5,
			// AWS SSO (IAM Identity Center) quotas, throttle limits: "The
			// CreateAccountAssignment has a maximum rate of 10 outstanding
			// async calls"
			// (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
			AsyncCreateAccountAssignment: 10,
		},
	}
}

// DefaultRates returns DefaultModel's request-rate quotas: every rate AWS
// documents for the operations the emulator serves, per calling account
// (and region, for regional services), each with its source. A bucket holds
// one second of calls (AWS counts "requests per second" in one-second
// intervals; the KMS guide says so explicitly).
//
// Not modelled, because AWS publishes no figure (unconfirmed): the
// Organizations API (TooManyRequestsException is documented, the rate is
// not), the IAM API (IAM throttles with token buckets per API whose sizes it
// does not publish: "IAM and AWS STS independently implement a token bucket
// algorithm ... The number of tokens that a bucket holds and the refill rate
// depends on the API", AWS Security Blog, How to monitor and query IAM
// resources at scale, part 2), the Identity Store API (see AssumedRates),
// the ECR repository APIs (the ECR quotas list only image push and pull
// APIs) and DynamoDB's data plane (throughput is capacity, not a call rate).
func DefaultRates() []Rate {
	const (
		ssoSrc = "AWS SSO (IAM Identity Center) quotas, throttle limits: \"All AWS SSO APIs have a throttle limit maximum of 20 transactions per second (TPS)\" (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html; wording of the guide's source, awsdocs/aws-single-sign-on-user-guide, doc_source/limits.md)"
		stsSrc = "IAM User Guide, IAM and AWS STS quotas, STS request quotas: 600 requests per second per account per Region, shared by AssumeRole, DecodeAuthorizationMessage, GetAccessKeyInfo, GetCallerIdentity, GetFederationToken and GetSessionToken; the account making the request is charged (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)"
		kmsSrc = "AWS KMS Developer Guide, Request quotas, per account and Region, each operation its own quota (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html)"
		ecrSrc = "Amazon ECR User Guide, service quotas, per account and Region (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html)"
		ddbSrc = "Amazon DynamoDB Developer Guide, Best practices for managing the control plane: \"a control plane throttle limit of 2,500 requests per second\" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html)"
		s3Src  = "Amazon S3 User Guide, Best practices design patterns: optimizing Amazon S3 performance: 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per partitioned prefix; modelled as 3,500 for every call of an account, which is stricter and never binds a foundation's bucket settings (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html; figures well known, the page not re-read for this model)"
	)
	kms := func(perSecond float64, ops ...string) Rate {
		return Rate{Service: "kms", Operations: ops, PerSecond: perSecond, Source: kmsSrc}
	}
	ecr := func(perSecond float64, op string) Rate {
		return Rate{Service: "ecr", Operations: []string{op}, PerSecond: perSecond, Source: ecrSrc}
	}
	rates := []Rate{
		{Service: "sso", PerSecond: 20, Burst: 20, Source: ssoSrc},
		{Service: "sts", Operations: []string{"AssumeRole", "DecodeAuthorizationMessage", "GetAccessKeyInfo",
			"GetCallerIdentity", "GetFederationToken", "GetSessionToken"}, PerSecond: 600, Source: stsSrc},
		{Service: "dynamodb", Operations: []string{"CreateTable", "DescribeTable", "ListTables", "UpdateTable",
			"DeleteTable", "UpdateContinuousBackups", "DescribeContinuousBackups", "TagResource", "UntagResource",
			"ListTagsOfResource", "DescribeTimeToLive", "UpdateTimeToLive"}, PerSecond: 2500, Source: ddbSrc},
		{Service: "s3", PerSecond: 3500, Source: s3Src},
		// KMS: one quota per operation (the management operations the
		// emulator serves).
		kms(5, "CancelKeyDeletion"), kms(5, "CreateAlias"), kms(5, "CreateKey"), kms(15, "DeleteAlias"),
		kms(2000, "DescribeKey"), kms(5, "DisableKey"), kms(5, "DisableKeyRotation"), kms(5, "EnableKey"),
		kms(15, "EnableKeyRotation"), kms(1000, "GetKeyPolicy"), kms(1000, "GetKeyRotationStatus"),
		kms(500, "ListAliases"), kms(100, "ListKeyPolicies"), kms(500, "ListKeys"), kms(2000, "ListResourceTags"),
		kms(15, "PutKeyPolicy"), kms(15, "ScheduleKeyDeletion"), kms(10, "TagResource"), kms(5, "UntagResource"),
		kms(5, "UpdateAlias"), kms(5, "UpdateKeyDescription"),
		// ECR: the image APIs have documented rates.
		ecr(1000, "BatchCheckLayerAvailability"), ecr(2000, "BatchGetImage"), ecr(100, "CompleteLayerUpload"),
		ecr(500, "GetAuthorizationToken"), ecr(3000, "GetDownloadUrlForLayer"), ecr(100, "InitiateLayerUpload"),
		ecr(10, "PutImage"), ecr(500, "UploadLayerPart"),
	}
	return rates
}

// AssumedRates returns rates AWS does not document, by analogy with
// documented ones, for a caller who wants them modelled anyway
// (append them to Model.Rates). Each Source says "unconfirmed".
func AssumedRates() []Rate {
	return []Rate{
		{Service: "identitystore", PerSecond: 20, Burst: 20,
			Source: "unconfirmed: the Identity Store API's rate is not published; 20 TPS by analogy with the IAM Identity Center (sso-admin) APIs"},
	}
}
