// Command autochart builds seed 003 ("How to set up AWS accounts for
// multiple product environments") from one declared spec, seed.yaml (or
// the -spec file given instead): an
// "autochart" OU with a dev and a prod account (created through
// Organizations, root emails the seed's plus-addresses), an account alias
// for console sign-in in each, and the seed's per-person admin access —
// done through IAM Identity Center instead of IAM users: one Identity
// Center user per person, an AdministratorAccess permission set assigned to
// each person in dev and prod, and AWS CLI profiles named
// <product>_<env>_<user> (autochart_dev_paul) written to one config file
// per person.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials:
//
//	go run ./examples/autochart                 # converge, then show that a second run changes nothing
//	go run ./examples/autochart -dry-run        # only read; print what would change
//	go run ./examples/autochart -no-plan        # write at once, without the plan (a dry run of the whole program) a run makes first
//	go run ./examples/autochart -spec my.yaml   # your own spec file (README.md, "The spec file")
//	go run ./examples/autochart -out ./profiles # write the CLI profiles under ./profiles (default: a new temp dir)
//	go run ./examples/autochart -endpoint http://127.0.0.1:4566   # another emulator (go run ./cmd/foundation-emulator)
//	go run ./examples/autochart -aws -yes -email paul@example.com # real AWS, this machine's credentials
//
// The profiles are written to <out>/<user>/config, never to ~/.aws/config:
// use one with AWS_CONFIG_FILE=<out>/paul/config aws sso login --profile
// autochart_dev_paul, or merge it into your own config.
//
// What it makes is tagged managed-by=foundation; the OU, an account or the
// permission set of the spec's names found without that tag is refused
// by the plan every run makes before its first write (a dry run of the
// whole program; -no-plan skips it), the error naming the key of the
// spec file that adopts it and its line: adopt: true on the environment (its account) or
// on permissionSet, and adopt.ou for the OU, a plain value of the file
// (README.md, "Adopting what exists").
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

func main() { examplekit.Main("autochart", run) }

type flags struct {
	examplekit.Flags
	email    string
	specFile string
	outDir   string
}

func parseFlags(args []string, out io.Writer) (flags, error) {
	var f flags
	fs := examplekit.NewFlagSet("autochart", out, &f.Flags)
	fs.StringVar(&f.specFile, "spec", "", "YAML or JSON spec file to converge instead of seed 003's seed.yaml (README.md, \"The spec file\")")
	fs.StringVar(&f.email, "email", "", "your address: the accounts' root emails are its plus-aliases (paul+autochart_dev@example.com) and it is the Identity Center user's email")
	fs.StringVar(&f.outDir, "out", "", "directory for the generated AWS CLI config files, one per person (<out>/<user>/config); default: a new temporary directory")
	if err := examplekit.Parse(fs, &f.Flags, args); err != nil {
		return f, err
	}
	if f.RealAWS && f.email == "" && f.specFile == "" {
		return f, errors.New("-aws needs -email (or a -spec with email): the accounts' root emails are plus-aliases of it")
	}
	if f.email != "" {
		return f, examplekit.CheckEmail("-email", f.email)
	}
	return f, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	f, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	file := Seed003File()
	if f.specFile != "" {
		if file, err = LoadSpec(f.specFile); err != nil {
			return err
		}
	}
	if f.email != "" {
		file.Email = f.email
	}
	spec := file.Spec()
	if err := spec.Validate(); err != nil {
		return err
	}
	// The profiles go to a directory of their own, never ~/.aws/config. A
	// dry run (-dry-run, or the plan a run makes first) writes nothing, so
	// it creates no directory either: it plans the files a real run writes
	// in a new, empty temporary directory, which the real run makes when
	// it starts.
	dryRunDir := f.outDir
	if dryRunDir == "" {
		dryRunDir = filepath.Join(os.TempDir(), "autochart-aws-config-*")
	}
	outDir, madeTemp := f.outDir, false
	realDir := func() (string, error) {
		if outDir == "" {
			dir, err := os.MkdirTemp("", "autochart-aws-config-")
			if err != nil {
				return "", err
			}
			outDir, madeTemp = dir, true
		}
		return outDir, nil
	}

	human := f.Human(out)
	env, err := examplekit.Connect(ctx, f.Flags, spec.Region, human)
	if err != nil {
		return err
	}
	defer env.Close()
	var last *Result
	err = examplekit.Run(out, f.Flags, func(dryRun bool) (examplekit.Report, error) {
		dir := dryRunDir
		if !dryRun {
			var err error
			if dir, err = realDir(); err != nil {
				return nil, err
			}
		}
		r, err := Converge(ctx, env.Config, spec, dir, env.OptionsFor(dryRun)...)
		if r == nil {
			return nil, err
		}
		last = r
		return r, err
	})
	if err != nil {
		return err
	}
	if last != nil && !f.DryRun && len(last.Profiles) > 0 {
		where := "in " + outDir
		if madeTemp {
			where = "in a new temporary directory, " + outDir
		}
		fmt.Fprintf(human, "\nAWS CLI profiles written %s:\n", where)
		for _, p := range last.Profiles {
			fmt.Fprintf(human, "  %s: AWS_CONFIG_FILE=%s aws sso login --profile %s\n", p.User, p.Path, p.Names[0])
		}
		env.SignInNote(human)
	}
	return nil
}
