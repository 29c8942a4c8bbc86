// Command securecart stands up seed 002's SecureCart foundation from one
// declared spec, seed.yaml (or the -spec file given instead): an organization with SecurityOU, WorkloadsOU and
// SharedServicesOU and six accounts (security and logging; dev, staging,
// production; shared services for CI/CD; networking); one SCP on every OU
// that denies the root user, Regions other than eu-west-1 and
// eu-central-1, unencrypted S3, EBS and RDS, and internet gateways outside
// the networking account; IAM Identity Center access (Developer on dev and
// staging, SecurityAudit on every account, Deployment on the workload
// accounts, each for a group); and a DeploymentRole in every workload
// account that only the shared-services account can assume.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials:
//
//	go run ./examples/securecart                 # converge, then show that a second run changes nothing
//	go run ./examples/securecart -dry-run        # only read; print what would change
//	go run ./examples/securecart -no-plan        # write at once, without the plan (a dry run of the whole program) a run makes first
//	go run ./examples/securecart -spec my.yaml   # your own spec file (README.md, "The spec file")
//	go run ./examples/securecart -endpoint http://127.0.0.1:4566   # another emulator (go run ./cmd/foundation-emulator)
//	go run ./examples/securecart -aws -yes -email you@example.com  # real AWS, this machine's credentials
//
// On real AWS the accounts are found (or created) by email, the
// plus-addresses of -email (you+securecart-dev@example.com, ...), and IAM
// Identity Center must have been enabled once in the console. -aws refuses
// to run without -yes unless it is a -dry-run.
//
// What it makes is tagged managed-by=foundation; an account, OU, SCP,
// permission set or deployment role of the spec's names found without
// that tag is refused by the plan every run makes before its first write
// (a dry run of the whole program; -no-plan skips it), the error naming
// the key of the spec file that adopts it and its line: adopt: true on the
// account (accounts[i]), the permission set (access[i].permissionSet) or
// the role (deploymentRole, in every target account), and, for what has
// no entry of its own, adopt.ous (OU paths) and adopt.guardrails (README.md,
// "Adopting what exists").
package main

import (
	"context"
	"errors"
	"io"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

func main() { examplekit.Main("securecart", run) }

func run(ctx context.Context, args []string, out io.Writer) error {
	var f examplekit.Flags
	var email, specFile string
	fs := examplekit.NewFlagSet("securecart", out, &f)
	fs.StringVar(&specFile, "spec", "", "YAML or JSON spec file to converge instead of seed 002's seed.yaml (README.md, \"The spec file\")")
	fs.StringVar(&email, "email", "", "address whose plus-aliases name the accounts (you@example.com -> you+securecart-dev@example.com)")
	if err := examplekit.Parse(fs, &f, args); err != nil {
		return err
	}
	if f.RealAWS && email == "" && specFile == "" {
		return errors.New("-aws needs -email (or a -spec with email): the accounts' addresses are plus-aliases of it")
	}
	if email != "" {
		if err := examplekit.CheckEmail("-email", email); err != nil {
			return err
		}
	}
	file := Seed002File()
	if specFile != "" {
		var err error
		if file, err = LoadSpec(specFile); err != nil {
			return err
		}
	}
	if email != "" {
		file.Email = email
	}
	spec := file.Spec()
	if err := spec.Validate(); err != nil {
		return err
	}
	env, err := examplekit.Connect(ctx, f, spec.Region, f.Human(out))
	if err != nil {
		return err
	}
	defer env.Close()
	return examplekit.Run(out, f, func(dryRun bool) (examplekit.Report, error) {
		r, err := Converge(ctx, env.Config, spec, env.OptionsFor(dryRun)...)
		if r == nil {
			return nil, err
		}
		return r, err
	})
}
