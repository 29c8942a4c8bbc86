package main

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
)

// Spec is SecureCart's whole foundation, declared as one Go value in the
// library's types (the seed's is Seed002, a spec file's is its File.Spec):
// the organization, the guardrails, who gets which access where, and the
// cross-account deployment role. Converge derives the library's specs from
// it (specs.go); Validate checks them all.
type Spec struct {
	Project string // prefixes names and is the Project tag: "securecart"
	// Region is where the program calls AWS and Identity Center's home
	// Region; it must be one of AllowedRegions.
	Region string
	// Email's plus-aliases are the accounts' root emails:
	// you@example.com -> you+securecart-dev@example.com.
	Email string
	// AccessRole is the role the management account assumes in a member
	// account (Organizations creates it with the account).
	AccessRole string

	// Accounts are the member accounts, each in its OU.
	Accounts []Account
	// NetworkAccount is the key of the only account whose principals may
	// create and attach internet gateways.
	NetworkAccount string

	// Guardrails is the SCP attached to every OU in GuardrailOUs: no root
	// user, AllowedRegions only (data residency), S3/EBS/RDS encryption,
	// no internet gateways outside NetworkAccount.
	Guardrails     string
	GuardrailOUs   []string
	AllowedRegions []string
	// RegionExemptPrincipals are IAM principal ARN patterns the Region
	// restriction does not apply to (the security auditors, who must see
	// every Region).
	RegionExemptPrincipals []string

	// Access is who gets which permission set in which accounts, through
	// IAM Identity Center.
	Access []Access

	// DeploymentRole is the role CI/CD pipelines assume in every account of
	// DeploymentTargets; TrustedAccounts (keys) are the only accounts that
	// may assume it (their IDs become its TrustedAccountIDs).
	DeploymentRole    organizations.CrossAccountRoleSpec
	TrustedAccounts   []string
	DeploymentTargets []string

	// AdoptOUs are the OU paths (of Accounts) and AdoptGuardrails says
	// whether the guardrail SCP was made outside this program: converged
	// without being taken over (never tagged managed-by=foundation, never
	// pruned). An account adopts with Account.Adopt, a permission set with
	// its PermissionSetSpec.Adopt, the deployment role with
	// DeploymentRole.Adopt.
	AdoptOUs        []string
	AdoptGuardrails bool

	// src is the file the spec was read from, for faults the library
	// finds in what the program derives from it (Validate).
	src examplekit.Source
}

// ManagementKey names the management account in Access.Accounts.
const ManagementKey = "management"

// Account is one member account.
type Account struct {
	Key     string // "dev": how the spec refers to it, and its email's plus-alias
	Name    string // "securecart-dev"
	OU      string // "WorkloadsOU"
	Purpose string // the Purpose tag
	// Adopt converges the account although it was made outside this
	// program (organizations.AccountSpec.Adopt).
	Adopt bool
}

// Access is one group of people with one permission set in some accounts.
type Access struct {
	Group            string
	GroupDescription string
	PermissionSet    identitycenter.PermissionSetSpec
	// Accounts are account keys (ManagementKey for the management account).
	Accounts []string
}

// deploymentPolicy is the minimum a pipeline needs to ship SecureCart:
// push images to its repositories, roll its ECS services and Lambda
// functions, and pass only its application roles to them.
func deploymentPolicy() *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "ECRLogin", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:GetAuthorizationToken"), Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "ECRPush", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
				"ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"),
			Resource: foundation.Resources("arn:aws:ecr:*:*:repository/securecart/*")},
		foundation.Statement{Sid: "ECSDeploy", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("ecs:UpdateService", "ecs:DescribeServices"),
			Resource: foundation.Resources("arn:aws:ecs:*:*:service/securecart/*")},
		foundation.Statement{Sid: "ECSTaskDefinitions", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"), Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "LambdaDeploy", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("lambda:UpdateFunctionCode", "lambda:PublishVersion", "lambda:UpdateAlias", "lambda:GetFunction"),
			Resource: foundation.Resources("arn:aws:lambda:*:*:function:securecart-*")},
		foundation.Statement{Sid: "PassApplicationRoles", Effect: foundation.EffectAllow,
			Action: foundation.Actions("iam:PassRole"), Resource: foundation.Resources("arn:aws:iam::*:role/securecart/app/*"),
			Condition: foundation.Conditions{"StringEquals": {"iam:PassedToService": {"ecs-tasks.amazonaws.com", "lambda.amazonaws.com"}}}},
	)
}

// developerPolicy is what developers add to view-only access to deploy and
// troubleshoot: read logs and traces, operate SecureCart's services and
// functions, its buckets' objects and tables' items.
func developerPolicy() *foundation.PolicyDocument {
	return foundation.NewPolicy(
		foundation.Statement{Sid: "Troubleshoot", Effect: foundation.EffectAllow,
			Action: foundation.Actions("logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults",
				"cloudwatch:GetMetricData", "xray:GetTraceSummaries", "xray:BatchGetTraces"),
			Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "OperateServices", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("ecs:UpdateService", "ecs:RunTask", "ecs:StopTask", "ecs:ExecuteCommand"),
			Resource: foundation.Resources("arn:aws:ecs:*:*:service/securecart/*", "arn:aws:ecs:*:*:task/securecart/*", "arn:aws:ecs:*:*:task-definition/securecart-*")},
		foundation.Statement{Sid: "OperateFunctions", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:GetFunction"),
			Resource: foundation.Resources("arn:aws:lambda:*:*:function:securecart-*")},
		foundation.Statement{Sid: "Data", Effect: foundation.EffectAllow,
			Action:   foundation.Actions("s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
			Resource: foundation.Resources("arn:aws:s3:::securecart-*/*", "arn:aws:dynamodb:*:*:table/securecart-*")},
	)
}

// email is the root email of the account with key.
func (s Spec) email(key string) string {
	return examplekit.PlusAlias(s.Email, s.Project+"-"+key)
}

// account returns the account with key, or nil.
func (s Spec) account(key string) *Account {
	for i := range s.Accounts {
		if s.Accounts[i].Key == key {
			return &s.Accounts[i]
		}
	}
	return nil
}

// Check reports references the library cannot see: account keys that do
// not exist, the program's Region outside the allowed ones, an email that
// is not plain. Validate checks these and every library spec.
func (s Spec) Check() error {
	var errs []error
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
		errs = append(errs, fmt.Errorf("spec.Email %q: not a plain email address", s.Email))
	}
	if !slices.Contains(s.AllowedRegions, s.Region) {
		errs = append(errs, fmt.Errorf("spec.Region %q: not one of AllowedRegions %v (the guardrails would deny this program)", s.Region, s.AllowedRegions))
	}
	ref := func(field, key string) {
		if key != ManagementKey && s.account(key) == nil {
			errs = append(errs, fmt.Errorf("%s: no account has key %q", field, key))
		}
	}
	ref("spec.NetworkAccount", s.NetworkAccount)
	for i, a := range s.Access {
		for j, k := range a.Accounts {
			ref(fmt.Sprintf("spec.Access[%d].Accounts[%d]", i, j), k)
		}
	}
	for i, k := range s.TrustedAccounts {
		ref(fmt.Sprintf("spec.TrustedAccounts[%d]", i), k)
	}
	for i, k := range s.DeploymentTargets {
		ref(fmt.Sprintf("spec.DeploymentTargets[%d]", i), k)
		if slices.Contains(s.TrustedAccounts, k) {
			errs = append(errs, fmt.Errorf("spec.DeploymentTargets[%d]: %q is also trusted: the role is for other accounts", i, k))
		}
	}
	if len(s.TrustedAccounts) == 0 {
		errs = append(errs, errors.New("spec.TrustedAccounts: the deployment role needs the account its pipelines run in"))
	}
	return errors.Join(errs...)
}
