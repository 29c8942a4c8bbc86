package kms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// ResourceServiceLinkedRole is the Resource of the change that creates a
// service-linked role.
const ResourceServiceLinkedRole = "iam:service-linked-role"

// linkedRole is what AWS names the service-linked role of one service.
type linkedRole struct {
	name string
	// suffix: the service accepts a CustomSuffix (the role is then named
	// name + "_" + suffix).
	suffix bool
}

// linkedRoles maps a service principal to the service-linked role AWS
// creates for it (iam:CreateServiceLinkedRole). The path of each role is
// "/aws-service-role/<service>/". Services not listed here need
// ServiceLinkedRoleSpec.RoleName.
var linkedRoles = map[string]linkedRole{
	"access-analyzer.amazonaws.com":                  {name: "AWSServiceRoleForAccessAnalyzer"},
	"autoscaling.amazonaws.com":                      {name: "AWSServiceRoleForAutoScaling", suffix: true},
	"backup.amazonaws.com":                           {name: "AWSServiceRoleForBackup"},
	"cloudtrail.amazonaws.com":                       {name: "AWSServiceRoleForCloudTrail"},
	"compute-optimizer.amazonaws.com":                {name: "AWSServiceRoleForComputeOptimizer"},
	"config.amazonaws.com":                           {name: "AWSServiceRoleForConfig"},
	"dynamodb.application-autoscaling.amazonaws.com": {name: "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"},
	"ecs.amazonaws.com":                              {name: "AWSServiceRoleForECS"},
	"ecs.application-autoscaling.amazonaws.com":      {name: "AWSServiceRoleForApplicationAutoScaling_ECSService"},
	"eks.amazonaws.com":                              {name: "AWSServiceRoleForAmazonEKS"},
	"eks-fargate.amazonaws.com":                      {name: "AWSServiceRoleForAmazonEKSForFargate"},
	"eks-nodegroup.amazonaws.com":                    {name: "AWSServiceRoleForAmazonEKSNodegroup"},
	"elasticache.amazonaws.com":                      {name: "AWSServiceRoleForElastiCache"},
	"elasticbeanstalk.amazonaws.com":                 {name: "AWSServiceRoleForElasticBeanstalk", suffix: true},
	"elasticloadbalancing.amazonaws.com":             {name: "AWSServiceRoleForElasticLoadBalancing"},
	"es.amazonaws.com":                               {name: "AWSServiceRoleForAmazonElasticsearchService"},
	"guardduty.amazonaws.com":                        {name: "AWSServiceRoleForAmazonGuardDuty"},
	"kafka.amazonaws.com":                            {name: "AWSServiceRoleForKafka"},
	"ops.apigateway.amazonaws.com":                   {name: "AWSServiceRoleForAPIGateway"},
	"opensearchservice.amazonaws.com":                {name: "AWSServiceRoleForAmazonOpenSearchService"},
	"organizations.amazonaws.com":                    {name: "AWSServiceRoleForOrganizations"},
	"rds.amazonaws.com":                              {name: "AWSServiceRoleForRDS"},
	"replication.ecr.amazonaws.com":                  {name: "AWSServiceRoleForECRReplication"},
	"securityhub.amazonaws.com":                      {name: "AWSServiceRoleForSecurityHub"},
	"spot.amazonaws.com":                             {name: "AWSServiceRoleForEC2Spot"},
	"spotfleet.amazonaws.com":                        {name: "AWSServiceRoleForEC2SpotFleet"},
	"ssm.amazonaws.com":                              {name: "AWSServiceRoleForAmazonSSM"},
	"sso.amazonaws.com":                              {name: "AWSServiceRoleForSSO"},
	"support.amazonaws.com":                          {name: "AWSServiceRoleForSupport"},
	"transitgateway.amazonaws.com":                   {name: "AWSServiceRoleForVPCTransitGateway"},
	"trustedadvisor.amazonaws.com":                   {name: "AWSServiceRoleForTrustedAdvisor"},
}

// KnownServiceLinkedRoles returns the services whose service-linked role
// name this package knows, sorted.
func KnownServiceLinkedRoles() []string {
	out := make([]string, 0, len(linkedRoles))
	for s := range linkedRoles {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

var (
	servicePrincipalRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`)
	roleNameRe         = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	suffixRe           = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// ServiceLinkedRoleSpec is the service-linked role wanted.
type ServiceLinkedRoleSpec struct {
	// AWSServiceName is the service principal the role is linked to
	// ("autoscaling.amazonaws.com"). Required.
	AWSServiceName string
	// Description is given to the role when it is created; an existing
	// role's description is left as it is.
	Description string
	// CustomSuffix is appended to the role name ("_" + suffix), for the
	// services that allow several roles (Auto Scaling, Elastic Beanstalk).
	CustomSuffix string
	// RoleName is the name AWS gives the service's role, needed only for a
	// service this package does not know (see KnownServiceLinkedRoles);
	// for a known service it must be empty or equal to the known name.
	RoleName string
}

// roleName returns the name of the role AWS creates for the spec.
func (s ServiceLinkedRoleSpec) roleName() string {
	name := s.RoleName
	if name == "" {
		name = linkedRoles[s.AWSServiceName].name
	}
	if s.CustomSuffix != "" {
		name += "_" + s.CustomSuffix
	}
	return name
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s ServiceLinkedRoleSpec) Validate() error { return errors.Join(s.faults("spec")...) }

func (s ServiceLinkedRoleSpec) faults(path string) []error {
	var errs []error
	bad := func(field, value, rule string) {
		errs = append(errs, specerr.New(pkg, path+"."+field, value, rule))
	}
	known, ok := linkedRoles[s.AWSServiceName]
	switch {
	case s.AWSServiceName == "":
		bad("AWSServiceName", "", "is required")
	case !servicePrincipalRe.MatchString(s.AWSServiceName):
		bad("AWSServiceName", s.AWSServiceName, `must be a service principal such as "autoscaling.amazonaws.com"`)
	case !ok && s.RoleName == "":
		bad("AWSServiceName", s.AWSServiceName, "is not a service whose service-linked role name is known (see KnownServiceLinkedRoles); "+
			"give EnsureServiceLinkedRole the RoleName AWS uses, and name the role by ARN in key policies")
	}
	if s.RoleName != "" {
		switch {
		case !roleNameRe.MatchString(s.RoleName):
			bad("RoleName", s.RoleName, "must be 1 to 64 characters: letters, digits and +=,.@_-")
		case ok && s.RoleName != known.name:
			bad("RoleName", s.RoleName, fmt.Sprintf("AWS names the role of %s %q", s.AWSServiceName, known.name))
		}
	}
	if s.CustomSuffix != "" {
		switch {
		case !suffixRe.MatchString(s.CustomSuffix):
			bad("CustomSuffix", s.CustomSuffix, "must be 1 to 64 characters: letters, digits and +=,.@_-")
		case ok && !known.suffix:
			bad("CustomSuffix", s.CustomSuffix, s.AWSServiceName+" does not accept a custom suffix")
		case len(s.roleName()) > 64:
			bad("CustomSuffix", s.CustomSuffix, "makes the role name longer than 64 characters")
		}
	}
	if len(s.Description) > 1000 {
		bad("Description", "", "must be at most 1000 characters")
	}
	return errs
}

// LinkedRole is the service-linked role EnsureServiceLinkedRole converged.
type LinkedRole struct {
	// RoleName ("AWSServiceRoleForAutoScaling"), Path
	// ("/aws-service-role/autoscaling.amazonaws.com/") and ARN. In dry
	// run, ARN is empty when the role does not exist yet.
	RoleName, Path, ARN string
	// Changes lists the role's creation, or is empty.
	Changes foundation.Changes
}

// EnsureServiceLinkedRole makes sure the service-linked role of
// spec.AWSServiceName exists: it reads the role by the name AWS gives it
// (iam:GetRole) and creates it (iam:CreateServiceLinkedRole) when missing.
// A create that races another (IAM answers InvalidInput "... has been
// taken in this account") reads the role again and converges.
//
// The spec is validated first: an invalid one returns an error matching
// foundation.ErrInvalidSpec and no call is made.
func EnsureServiceLinkedRole(ctx context.Context, api IAMAPI, spec ServiceLinkedRoleSpec, opts ...foundation.Option) (*LinkedRole, error) {
	errs := spec.faults("spec")
	if api == nil {
		errs = append(errs, specerr.New(pkg, "api", "", "must not be nil"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := call.Resolve(opts...)
	rec := plan.New(o)
	r, err := ensureLinkedRole(ctx, api, spec, o, rec)
	if err != nil {
		return nil, rec.Fail(err)
	}
	r.Changes = rec.Changes()
	return r, nil
}

// ensureLinkedRole converges one validated spec, its change recorded in
// rec.
func ensureLinkedRole(ctx context.Context, api IAMAPI, spec ServiceLinkedRoleSpec, o call.Options, rec *plan.Recorder) (*LinkedRole, error) {
	name := spec.roleName()
	log := o.Logger.With(slog.String("role", name))
	res := &LinkedRole{RoleName: name, Path: "/aws-service-role/" + spec.AWSServiceName + "/"}
	fail := func(step string, err error) error {
		return fmt.Errorf("kms: service-linked role %q: %s: %w", name, step, err)
	}
	role, err := getRole(ctx, api, name)
	if err != nil {
		return nil, fail("get role", err)
	}
	if role != nil {
		log.Debug("service-linked role exists")
		res.ARN, res.Path = aws.ToString(role.Arn), aws.ToString(role.Path)
		return res, nil
	}
	change := foundation.Change{Action: foundation.ActionCreate, Resource: ResourceServiceLinkedRole, ID: name,
		Diffs: []foundation.Diff{{Field: "AWSServiceName", To: spec.AWSServiceName}}}
	in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(spec.AWSServiceName)}
	if spec.Description != "" {
		in.Description = aws.String(spec.Description)
	}
	if spec.CustomSuffix != "" {
		in.CustomSuffix = aws.String(spec.CustomSuffix)
	}
	err = rec.Write(ctx, change, func(ctx context.Context) error {
		// No client token: a lost answer is not resent by the SDK; the
		// role the earlier attempt made is found by its name
		// (awsretry.Create) and reported as this run's.
		made, err := awsretry.Create(ctx, o, func(ctx context.Context) (*iamtypes.Role, bool, error) {
			role, err := getRole(ctx, api, name)
			return role, role != nil, err
		}, func(ctx context.Context) (*iamtypes.Role, error) {
			out, err := api.CreateServiceLinkedRole(ctx, in, creatingIAM, retryIAM)
			if err != nil {
				return nil, err
			}
			return out.Role, nil
		})
		var invalid *iamtypes.InvalidInputException
		switch {
		case err == nil:
			log.Debug("service-linked role created")
			if got := aws.ToString(made.RoleName); got != name {
				return fail("create service-linked role", fmt.Errorf("AWS named the role %q: set RoleName to it", got))
			}
			res.ARN, res.Path = aws.ToString(made.Arn), aws.ToString(made.Path)
			return nil
		case errors.As(err, &invalid):
			// "Service role name ... has been taken in this account":
			// another run (or the service itself) created the role
			// between our read and our create. Read it again; any other
			// invalid input stays an error.
			role, gerr := getRole(ctx, api, name)
			if gerr != nil || role == nil {
				return fail("create service-linked role", err)
			}
			log.Debug("service-linked role created concurrently")
			res.ARN, res.Path = aws.ToString(role.Arn), aws.ToString(role.Path)
			return plan.ErrUnchanged
		default:
			return fail("create service-linked role", err)
		}
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// getRole returns the role, or nil when it does not exist.
func getRole(ctx context.Context, api IAMAPI, name string) (*iamtypes.Role, error) {
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}, retryIAM)
	var nse *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &nse):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return out.Role, nil
}

// creatingIAM is the option of CreateServiceLinkedRole: the SDK does not
// resend a create whose answer may have been lost (awsretry.Creating;
// retryIAM, passed after it, adds ConcurrentModification).
func creatingIAM(o *iam.Options) { o.Retryer = awsretry.Creating(o.Retryer) }

// retryIAM adds the codes AWS asks IAM callers to retry
// (ConcurrentModification, internal/awsretry) to the call's retryer.
func retryIAM(o *iam.Options) { o.Retryer = awsretry.Add(o.Retryer, awsretry.IAM...) }
