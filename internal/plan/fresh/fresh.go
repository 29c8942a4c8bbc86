// Package fresh plans work in accounts that a dry run would create.
//
// A dry run predicts the ID of an account it would create
// (foundation.PredictedID), but no role can be assumed in an account that
// does not exist, so the Ensure functions that would run in it have no
// config to read with. Config gives them one whose requests never leave
// the process: each read the library makes is answered as a brand-new,
// empty account answers it (the service's typed not-found exception, or an
// empty list), so every Ensure function plans in a new account exactly the
// changes a real run makes there, with the same code that makes them.
//
// The answers are one table, Answers below. A request the table does not
// answer fails with an *UnansweredError naming the service and the
// operation: a read the library starts making shows up as a failed dry run
// in tests, never as a wrong plan. Writes are never answered (a dry run
// makes none; plan.Recorder gates them), so a write that reached the
// config is a bug that fails loudly too.
//
// What "empty" means here is a new member account created by
// Organizations: no KMS keys or aliases of its own, no IAM roles but the
// access role Organizations creates, no account alias, no S3 buckets, no
// S3 account-level Block Public Access, no DynamoDB tables. The table
// holds the reads the four example programs' dry runs make there (each is
// exercised by their tests): kms.EnsureKey, statebackend.Bootstrap,
// s3account.EnsurePublicAccessBlock, organizations.EnsureCrossAccountRole
// and EnsureAccountAlias.
package fresh

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Operation names one AWS operation by the SDK's package ("kms",
// "s3control") and the operation's name ("DescribeKey").
type Operation struct{ Service, Name string }

// operationOf names the operation whose input in is (*kms.DescribeKeyInput
// is kms DescribeKey). The operation is known from its input before the
// SDK's own middleware names it, so Config's middleware can run first:
// before any other (a test's call recorder included) sees a request that
// is never sent.
func operationOf(in any) Operation {
	t := reflect.TypeOf(in)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return Operation{}
	}
	return Operation{Service: path.Base(t.PkgPath()), Name: strings.TrimSuffix(t.Name(), "Input")}
}

func (o Operation) String() string { return o.Service + " " + o.Name }

// answer returns what a new account answers to a request: an output of the
// operation's type, or the error AWS returns.
type answer func(account string, in any) (any, error)

// Answers is the one table of what a brand-new account answers to each read
// the library makes in a member account (kms.EnsureKey,
// statebackend.Bootstrap, s3account.EnsurePublicAccessBlock,
// organizations.EnsureCrossAccountRole and EnsureAccountAlias). Add a row when a library function starts reading something new in
// a member account; the tests of the examples' dry runs fail until then.
var Answers = map[Operation]answer{
	// STS: the caller is the access role assumed in the account.
	{"sts", "GetCallerIdentity"}: func(account string, _ any) (any, error) {
		return &sts.GetCallerIdentityOutput{Account: aws.String(account),
			Arn:    aws.String("arn:aws:sts::" + account + ":assumed-role/OrganizationAccountAccessRole/foundation-dry-run"),
			UserId: aws.String("AROAFRESHACCOUNTDRYRUN:foundation-dry-run")}, nil
	},

	// KMS: no keys (AWS managed keys are made when a service first uses
	// them), no aliases of the account's own. AWS also lists its
	// predefined aliases (alias/aws/...) without a TargetKeyId; they are
	// left out: the library looks for its own aliases only.
	{"kms", "DescribeKey"}: func(_ string, in any) (any, error) {
		return nil, &kmstypes.NotFoundException{Message: aws.String("Alias " + aws.ToString(in.(*kms.DescribeKeyInput).KeyId) + " is not found.")}
	},
	{"kms", "ListAliases"}: empty(&kms.ListAliasesOutput{}),
	{"kms", "ListKeys"}:    empty(&kms.ListKeysOutput{}),

	// IAM: no roles (but the access role Organizations made, which the
	// library does not read there), no account alias.
	{"iam", "GetRole"}: func(_ string, in any) (any, error) {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("The role with name " + aws.ToString(in.(*iam.GetRoleInput).RoleName) + " cannot be found.")}
	},
	{"iam", "ListAccountAliases"}: empty(&iam.ListAccountAliasesOutput{AccountAliases: []string{}}),

	// S3: no buckets.
	{"s3", "HeadBucket"}: func(string, any) (any, error) { return nil, &s3types.NotFound{} },

	// S3 Control: no account-level Block Public Access.
	{"s3control", "GetPublicAccessBlock"}: func(string, any) (any, error) {
		return nil, &s3ctypes.NoSuchPublicAccessBlockConfiguration{Message: aws.String("The public access block configuration was not found")}
	},

	// DynamoDB: no tables.
	{"dynamodb", "DescribeTable"}: func(_ string, in any) (any, error) {
		return nil, &ddbtypes.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + aws.ToString(in.(*dynamodb.DescribeTableInput).TableName) + " not found")}
	},
}

func empty[T any](out *T) answer {
	return func(string, any) (any, error) {
		v := *out // a copy: callers may keep what they get
		return &v, nil
	}
}

// Config returns cfg for the account a dry run would create with the
// predicted ID account: every request made with a client built from it is
// answered by Answers in the process, as that account would answer it once
// created, and never sent. Only a dry run may use it.
func Config(cfg aws.Config, account string) aws.Config {
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), func(stack *middleware.Stack) error {
		// First of all: nothing else sees the request, which is never
		// serialised, signed or sent.
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("foundation/fresh-account",
			func(ctx context.Context, in middleware.InitializeInput, _ middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := operationOf(in.Parameters)
				a, ok := Answers[op]
				if !ok {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &UnansweredError{Operation: op, Account: account}
				}
				out, err := a(account, in.Parameters)
				return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, err
			}), middleware.Before)
	})
	return cfg
}

// UnansweredError is the error of a request made with Config's config
// that Answers does not answer: a write (a dry run never writes, so a
// write that gets here is a bug), or a read the table lacks.
type UnansweredError struct {
	Operation Operation
	Account   string
}

func (e *UnansweredError) Error() string {
	return fmt.Sprintf("dry run in account %s, which would be created: %s is not answered for a new account "+
		"(internal/plan/fresh.Answers answers the reads the library makes there; a write never gets there)", e.Account, e.Operation)
}

// Operations lists the operations Answers answers, sorted.
func Operations() []Operation {
	out := make([]Operation, 0, len(Answers))
	for op := range Answers {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
