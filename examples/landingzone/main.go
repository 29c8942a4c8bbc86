// Command landingzone stands up the whole foundation of seed 000 ("myapp")
// from one declared spec: the organization with its OU tree
// (Management, Workloads/{Dev,Staging,Production}) and the dev, staging
// and production accounts; the production guardrail SCP; IAM Identity
// Center with AdministratorAccess and ReadOnlyAccess (8 hours) for an admin
// group on all four accounts and the engineers' ~/.aws/config written to
// the output directory; the GitHub OIDC provider and CI role; the ECR
// repository; a KMS key per environment (the AutoScaling service-linked
// role created first); and a Terraform state backend in every account,
// with the backend blocks for Terraform and Terragrunt printed.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials:
//
//	go run ./examples/landingzone                 # converge, then show that a second run changes nothing
//	go run ./examples/landingzone -dry-run        # only read; print what would change
//	go run ./examples/landingzone -no-plan        # write at once, without the plan (a dry run of the whole program) a run makes first
//	go run ./examples/landingzone -spec lz.yaml   # the spec from a YAML or JSON file (README.md, "The spec file")
//	go run ./examples/landingzone -out lz         # the AWS CLI config in ./lz (default: a temporary directory, removed at exit unless -keep)
//	go run ./examples/landingzone -endpoint http://127.0.0.1:4566   # another emulator (go run ./cmd/foundation-emulator)
//	go run ./examples/landingzone -aws -yes -email you@example.com  # real AWS, this machine's credentials
//
// On real AWS the accounts are found (or created) by email: the seed's
// plus-addresses of -email (you+aws-dev@example.com, ...). -aws refuses to
// run without -yes unless it is a -dry-run.
//
// Every resource it makes is tagged managed-by=foundation. One of the
// spec's names found without that tag (made by hand, or by seed 000's
// bash loop: the state bucket and lock table of each account) is refused
// by the plan every run makes before its first write (a dry run of the
// whole program, printed as "Plan: N changes"; -no-plan skips it), the
// error naming the key of the spec file that adopts it and its line,
// nothing changed. adopt: true on an environment adopts its account, KMS
// key and state backend; the adopt block adopts OUs (adopt.ous) and the
// management account's resources, which have no entry of their own
// (guardrail, permissionSets, githubProvider, ciRole, repository,
// imagesKey, cosignKey, managementStateBackend). Adopted, a resource is
// converged without being tagged or pruned; tagging it
// managed-by=foundation instead hands it to the library (README.md,
// "Adopting what exists").
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

func main() { examplekit.Main("landingzone", run) }

func run(ctx context.Context, args []string, out io.Writer) (err error) {
	var f examplekit.Flags
	var specFile, email, outDir string
	var keep bool
	fs := examplekit.NewFlagSet("landingzone", out, &f)
	fs.StringVar(&specFile, "spec", "", "YAML or JSON file with the landing zone spec (default: seed 000)")
	fs.StringVar(&email, "email", "", "address whose plus-aliases name the accounts (you@example.com -> you+aws-dev@example.com)")
	fs.StringVar(&outDir, "out", "", "directory for generated files such as the AWS CLI config, kept (default: a new temporary directory, removed at exit unless -keep; a dry run writes nothing)")
	fs.BoolVar(&keep, "keep", false, "keep the temporary directory of generated files (without -out)")
	if err := examplekit.Parse(fs, &f, args); err != nil {
		return err
	}
	spec := Seed000()
	if specFile != "" {
		var err error
		if spec, err = LoadSpec(specFile); err != nil {
			return err
		}
	}
	if email != "" {
		if err := examplekit.CheckEmail("-email", email); err != nil {
			return err
		}
		spec.Email = email
	}
	if f.RealAWS && email == "" && specFile == "" {
		return errors.New("-aws needs -email (or a -spec with email): the accounts' addresses are plus-aliases of it")
	}
	if err := spec.Validate(); err != nil {
		return err
	}

	env, err := examplekit.Connect(ctx, f, spec.Region, f.Human(out))
	if err != nil {
		return err
	}
	defer env.Close()
	// The files are made in the real run only: its plan (and -dry-run)
	// writes nothing, not even the temporary directory.
	var files *output
	defer func() {
		if files == nil {
			return
		}
		if cerr := files.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("remove the temporary directory: %w", cerr)
		}
	}()
	return examplekit.Run(out, f, func(dryRun bool) (examplekit.Report, error) {
		at, _ := newOutput(outDir, keep, true) // a dry run's makes nothing: no error
		if !dryRun {
			if files == nil {
				made, err := newOutput(outDir, keep, false)
				if err != nil {
					return nil, fmt.Errorf("-out: %w", err)
				}
				files = made
			}
			at = files
		}
		r, err := Converge(ctx, env, spec, at.Dir, env.OptionsFor(dryRun)...)
		if r == nil {
			return nil, err
		}
		r.files, r.realAWS = at, env.RealAWS()
		return r, err
	})
}
