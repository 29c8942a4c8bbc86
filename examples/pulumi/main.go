// Command pulumi is a Pulumi Go program that uses the foundation library
// inside pulumi.Run. Before it declares any resource it converges, in the
// account and region of the stack, a KMS key (kms.EnsureKey) and a Terraform
// state backend encrypted with it (statebackend.Bootstrap); then it declares
// a component resource that records their identifiers in the stack and
// exports them with the rendered Terraform backend block.
//
//	pulumi stack init dev
//	pulumi config set aws:region us-east-1
//	pulumi preview   # the library only reads, and logs what it would change
//	pulumi up        # the library converges, then the resources are declared
//
// The library runs first because of the bootstrap problem: the state bucket
// and the key must exist before anything that uses them, and they outlive
// the stack (pulumi destroy leaves them). See README.md.
//
// Stack configuration:
//
//	aws:region            region of the bucket, lock table and key (required)
//	aws:profile           shared-config profile to use (optional)
//	foundation:endpoint   an AWS emulator's URL; static fake credentials are used then
//	foundation:bucket     state bucket; default <project>-tfstate-<account>-<region>
//	foundation:stateKey   state object key in the backend block; default terraform.tfstate
//	foundation:lockTable  also lock with this DynamoDB table (Terraform < 1.10); default none
//	foundation:keyAlias   the key's alias; default alias/<project>-tfstate
package main

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/awsfoundation/foundation"
)

func main() { pulumi.Run(program) }

// StateBackendType is the type token of the component resource that holds
// what the library converged.
const StateBackendType = "foundation:index:StateBackend"

// StateBackend is the component resource that records in the stack the
// identifiers of the state backend and the key. It owns no cloud resource
// (the library manages the bucket, the table and the key, outside Pulumi's
// state); declare resources that use them after it, with
// pulumi.Parent(backend) to group them under it.
type StateBackend struct {
	pulumi.ResourceState
}

// program is the body of pulumi.Run.
func program(ctx *pulumi.Context) error {
	s, profile, err := settingsFromConfig(ctx)
	if err != nil {
		return err
	}
	cfg, err := loadAWSConfig(ctx.Context(), s, profile)
	if err != nil {
		return err
	}

	// 1. The library, before any resource: in preview (ctx.DryRun()) it
	// only reads and reports what it would change.
	out, err := foundationSetup(ctx.Context(), cfg, s, ctx.DryRun())
	if err != nil {
		return fmt.Errorf("foundation: %w", err)
	}
	logChanges(ctx, out.Changes)

	// 2. The resources, which may now use the bucket and the key.
	backend := &StateBackend{}
	if err := ctx.RegisterComponentResource(StateBackendType, "state-backend", backend); err != nil {
		return err
	}
	// Resources of your own go here, for example (with pulumi-aws) an SSM
	// parameter encrypted with out.KeyARN: see README.md.

	// 3. The identifiers, as the component's outputs and the stack's.
	values := exports(out)
	outs := pulumi.Map{}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		outs[k] = pulumi.String(values[k])
		ctx.Export(k, pulumi.String(values[k]))
	}
	return ctx.RegisterResourceOutputs(backend, outs)
}

// settingsFromConfig reads the stack configuration (see the package
// documentation) and returns the settings and the aws:profile.
func settingsFromConfig(ctx *pulumi.Context) (Settings, string, error) {
	region, err := pulumiconfig.Try(ctx, "aws:region")
	if err != nil || region == "" {
		return Settings{}, "", fmt.Errorf("aws:region is not set: pulumi config set aws:region us-east-1")
	}
	c := pulumiconfig.New(ctx, "foundation")
	s := Settings{
		Region:    region,
		Endpoint:  c.Get("endpoint"),
		Name:      ctx.Project(),
		Bucket:    c.Get("bucket"),
		StateKey:  c.Get("stateKey"),
		LockTable: c.Get("lockTable"),
		KeyAlias:  c.Get("keyAlias"),
		// Not the stack: every stack of the project in the account and
		// region shares the backend and the key.
		Tags: map[string]string{"pulumi:project": ctx.Project()},
	}
	if s.Endpoint != "" {
		if err := checkEndpoint(s.Endpoint); err != nil {
			return Settings{}, "", err
		}
	}
	return s, pulumiconfig.Get(ctx, "aws:profile"), nil
}

// emulatorCredentials are the static fake credentials sent to
// foundation:endpoint: an emulator needs none of yours.
var emulatorCredentials = credentials.NewStaticCredentialsProvider("AKIAFOUNDATIONEXAMPL", "emulator-secret-not-real", "")

// loadAWSConfig loads the AWS configuration the usual way (environment,
// shared config and credentials files, SSO, instance roles) for the stack's
// region, or points it at foundation:endpoint with fake credentials.
func loadAWSConfig(ctx context.Context, s Settings, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(s.Region)}
	switch {
	case s.Endpoint != "":
		opts = append(opts, config.WithBaseEndpoint(s.Endpoint), config.WithCredentialsProvider(emulatorCredentials))
	case profile != "":
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// logChanges shows in the Pulumi output what the library changed (in
// preview: would change). These changes are not part of Pulumi's diff: the
// bucket, the table and the key are not Pulumi resources.
func logChanges(ctx *pulumi.Context, cs foundation.Changes) {
	verb := "foundation: "
	if ctx.DryRun() {
		verb = "foundation (preview, not made): "
	}
	if cs.Empty() {
		_ = ctx.Log.Info(verb+"state backend and key up to date", nil)
		return
	}
	for _, c := range cs {
		_ = ctx.Log.Info(verb+c.String(), nil)
	}
}

// exports names the stack outputs. Empty values are left out: the lock
// table with the S3 lock file only, and in a first preview the identifiers
// AWS has not assigned yet (the key's ID and ARNs).
func exports(out *Outputs) map[string]string {
	m := map[string]string{
		"accountId":        out.AccountID,
		"region":           out.Region,
		"stateBucket":      out.Bucket,
		"stateBucketArn":   out.BucketARN,
		"lockTable":        out.LockTable,
		"lockTableArn":     out.LockTableARN,
		"keyId":            out.KeyID,
		"keyArn":           out.KeyARN,
		"keyAlias":         out.KeyAlias,
		"keyAliasArn":      out.KeyAliasARN,
		"terraformBackend": out.Backend,
	}
	maps.DeleteFunc(m, func(_, v string) bool { return v == "" })
	return m
}
