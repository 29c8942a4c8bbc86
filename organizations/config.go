package organizations

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation/internal/awsrules"
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
// be assumed fails here with a clear error rather than at the first call.
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
	if _, err := cache.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("organizations: account %s: assume role %s: %w", accountID, roleARN, err)
	}
	out := cfg.Copy()
	out.Credentials = cache
	return out, nil
}

var rolePathRe = regexp.MustCompile(`^/([\w+=,.@-]+/)*$`)
