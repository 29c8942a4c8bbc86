package organizations

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// DefaultSessionName is the role session name AccountConfig uses.
const DefaultSessionName = "foundation"

// AccountConfigOption changes how AccountConfig assumes the role.
type AccountConfigOption func(*accountConfig)

type accountConfig struct {
	path        string
	sessionName string
	externalID  string
	duration    time.Duration
	waitAccess  bool                // WithAccessWait
	wait        []foundation.Option // its options
}

// WithAccessWait makes AccountConfig wait for the role to become
// assumable: sts:AssumeRole refused with AccessDenied is retried
// (internal/awsretry Wait) for the options' foundation.WithPropagationTimeout
// (default 2 minutes), polling at their foundation.WithPollInterval. AWS
// refuses AssumeRole into a new account's access role for a while after
// CreateAccount SUCCEEDED ("You might need to wait a few minutes before you
// can successfully access the account", Organizations API Reference,
// CreateAccount). ForEachAccount always waits, with its own options.
// Without it, AccessDenied is returned at once: a role that does not trust
// the caller is reported without delay.
func WithAccessWait(opts ...foundation.Option) AccountConfigOption {
	return func(c *accountConfig) { c.waitAccess, c.wait = true, opts }
}

// WithSessionName sets the role session name (2 to 64 letters, digits or
// + = , . @ _ -), shown in CloudTrail. Default DefaultSessionName.
func WithSessionName(name string) AccountConfigOption {
	return func(c *accountConfig) { c.sessionName = name }
}

// WithRolePath sets the role's IAM path ("/deploy/"), which STS needs in
// the role ARN. Default "/".
func WithRolePath(path string) AccountConfigOption {
	return func(c *accountConfig) { c.path = path }
}

// WithExternalID sets the external ID the role's trust policy requires.
func WithExternalID(id string) AccountConfigOption {
	return func(c *accountConfig) { c.externalID = id }
}

// WithDuration sets how long each set of credentials lasts: 15 minutes to
// 12 hours, within the role's maximum session duration. Default: the
// SDK's (15 minutes); credentials are refreshed before they expire.
func WithDuration(d time.Duration) AccountConfigOption {
	return func(c *accountConfig) { c.duration = d }
}

// AccountConfig returns a copy of cfg whose credentials assume the role
// arn:<partition>:iam::<accountID>:role/<roleName> through STS (an
// stscreds.AssumeRoleProvider in an aws.CredentialsCache, refreshed before
// expiry), so clients built from it act in the member account. cfg's
// credentials must be allowed to assume the role (the role Organizations
// creates in new accounts, DefaultRoleName, trusts the management account).
// The partition follows cfg.Region (aws-cn for cn-*, aws-us-gov for
// us-gov-*).
//
// The arguments are validated first (foundation.ErrInvalidSpec, no call).
// Then the credentials are retrieved once with ctx, so a role that cannot
// be assumed fails here with a clear error rather than at the first call;
// with WithAccessWait, an AccessDenied is first retried for the
// propagation timeout (a new account's access role).
func AccountConfig(ctx context.Context, cfg aws.Config, accountID, roleName string, opts ...AccountConfigOption) (aws.Config, error) {
	c := accountConfig{sessionName: DefaultSessionName, path: "/"}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	var f faults
	switch {
	case plan.IsPredicted(accountID):
		f.add("accountID", accountID, predictedAccountRule)
	case !accountIDRe.MatchString(accountID):
		f.add("accountID", accountID, "must be 12 digits")
	}
	if !roleNameRe.MatchString(roleName) {
		f.add("roleName", roleName, "must be 1 to 64 letters, digits or + = , . @ _ - (a role name, not an ARN or path)")
	}
	if !sessionNameRe.MatchString(c.sessionName) {
		f.add("WithSessionName", c.sessionName, "must be 2 to 64 letters, digits or + = , . @ _ -")
	}
	if c.externalID != "" && (len(c.externalID) < 2 || len(c.externalID) > 1224 || !externalIDRe.MatchString(c.externalID)) {
		f.add("WithExternalID", c.externalID, "must be 2 to 1224 letters, digits or + = , . @ : / _ -")
	}
	if c.duration != 0 && (c.duration < 15*time.Minute || c.duration > 12*time.Hour) {
		f.add("WithDuration", c.duration.String(), "must be 15m to 12h")
	}
	if !rolePathRe.MatchString(c.path) || len(c.path) > 512 {
		f.add("WithRolePath", c.path, `must start and end with "/" and hold only letters, digits and + = , . @ _ - /`)
	}
	if cfg.Region == "" {
		f.add("cfg.Region", "", "must be set (STS is called in it and it selects the partition)")
	}
	if cfg.Credentials == nil {
		f.add("cfg.Credentials", "", "must be set (they assume the role)")
	}
	if err := f.err(); err != nil {
		return aws.Config{}, err
	}

	roleARN := arn.ARN{Partition: awsrules.Partition(cfg.Region), Service: "iam", AccountID: accountID, Resource: "role" + c.path + roleName}.String()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = c.sessionName
		if c.externalID != "" {
			o.ExternalID = aws.String(c.externalID)
		}
		if c.duration != 0 {
			o.Duration = c.duration
		}
	})
	cache := aws.NewCredentialsCache(provider)
	retrieve := func(ctx context.Context) error { _, err := cache.Retrieve(ctx); return err }
	var err error
	if c.waitAccess {
		err = awsretry.Wait(ctx, call.Resolve(c.wait...), isAccessDenied, retrieve)
	} else {
		err = retrieve(ctx)
	}
	var pe *awsretry.PropagationError
	switch {
	case errors.As(err, &pe):
		return aws.Config{}, fmt.Errorf("organizations: account %s: assume role %s: still refused after %d attempts in %s (the role does not trust the caller, or the account is new and its access role has not propagated): %w",
			accountID, roleARN, pe.Attempts, pe.Timeout, pe.Err)
	case err != nil:
		return aws.Config{}, fmt.Errorf("organizations: account %s: assume role %s: %w", accountID, roleARN, err)
	}
	out := cfg.Copy()
	out.Credentials = cache
	return out, nil
}

var rolePathRe = regexp.MustCompile(`^/([\w+=,.@-]+/)*$`)

// isAccessDenied reports STS's AccessDenied, which AssumeRole answers for a
// role it cannot assume yet.
func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied"
}
