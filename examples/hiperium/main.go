// Command hiperium builds seed 001 ("Implementing a Multi-Account
// Environment with AWS Organizations and the IAM Identity Center", the
// Hiperium project) from one declared spec, seed.yaml (or the -spec file
// given instead): the organization with
// its Security, Sandbox, Workloads/{SDLC,Prod}, Deployments/{SDLC,Prod} and
// Suspended OUs; the Sandbox and IdP-Pre accounts; the deny-list SCP on
// every OU but Suspended and a deny-all SCP on Suspended; in IAM Identity
// Center a Provisioners group with a user and the
// provisioners-permission-set (an inline policy) assigned to the group on
// the accounts; and the seed's AWS CLI profiles ("sandbox", "idp-pre")
// written to a config file of their own. -close EMAIL retires an account:
// it is moved to Suspended, tagged and closed.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials:
//
//	go run ./examples/hiperium                      # converge, then show that a second run changes nothing
//	go run ./examples/hiperium -dry-run             # only read; print what would change
//	go run ./examples/hiperium -no-plan             # write at once, without the plan (a dry run of the whole program) a run makes first
//	go run ./examples/hiperium -spec my.yaml        # your own spec file (README.md, "The spec file")
//	go run ./examples/hiperium -endpoint http://127.0.0.1:4566   # another emulator (go run ./cmd/foundation-emulator)
//	go run ./examples/hiperium -aws -yes -email you@example.com  # real AWS, this machine's credentials
//	go run ./examples/hiperium -close you+idp-pre@example.com    # ... and close the IdP-Pre account
//
// The profiles go to <-out>/config (default: a new temporary directory,
// printed at the end), never to ~/.aws/config unless -out says so.
//
// What it makes is tagged managed-by=foundation; an OU, account, SCP or
// permission set of the spec's names found without that tag is refused
// by the plan every run makes before its first write (a dry run of the
// whole program; -no-plan skips it), the error naming the key of the
// spec file that adopts it and its line: adopt: true on the account (accounts[i]), the
// guardrail (guardrails[i]) or the permission set (permissionSets[i]),
// and, for what has no entry of its own, adopt.ous (OU paths of ous) and
// adopt.retire (the accounts of retire and -close not in accounts: an
// account is closed only if the library made it or the file adopts it).
// README.md, "Adopting what exists".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/awsfoundation/foundation/internal/examplekit"
)

func main() { examplekit.Main("hiperium", run) }

// emails is a repeatable flag of email addresses.
type emails []string

func (e *emails) String() string { return strings.Join(*e, ",") }

func (e *emails) Set(v string) error {
	if err := examplekit.CheckEmail("", v); err != nil {
		return err
	}
	*e = append(*e, v)
	return nil
}

type flags struct {
	kit      examplekit.Flags
	specFile string
	email    string
	out      string
	startURL string
	close    emails
}

func parseFlags(args []string, out io.Writer) (flags, error) {
	var f flags
	fs := examplekit.NewFlagSet("hiperium", out, &f.kit)
	fs.StringVar(&f.specFile, "spec", "", "YAML or JSON spec file to converge instead of seed 001's seed.yaml (README.md, \"The spec file\")")
	fs.StringVar(&f.email, "email", "", "address whose plus-aliases name the accounts (you@example.com -> you+sandbox@example.com)")
	fs.StringVar(&f.out, "out", "", "directory of the AWS CLI config file the profiles are written to (default: a new temporary directory)")
	fs.StringVar(&f.startURL, "start-url", "", "AWS access portal URL of the profiles; overrides the spec's startURL (default https://<identity store ID>.awsapps.com/start)")
	fs.Var(&f.close, "close", "close the member account with this email: move it to Suspended, tag it, close it (repeatable)")
	if err := examplekit.Parse(fs, &f.kit, args); err != nil {
		return f, err
	}
	if f.kit.RealAWS && f.email == "" && f.specFile == "" {
		return f, errors.New("-aws needs -email (or a -spec with email): the accounts' addresses are plus-aliases of it")
	}
	if f.email != "" {
		return f, examplekit.CheckEmail("-email", f.email)
	}
	return f, nil
}

// spec is the spec the flags ask for: seed.yaml or the -spec file, with
// -email, -start-url and -close applied, validated as a whole program
// (Spec.Validate).
func (f flags) spec() (Spec, error) {
	file := Seed001File()
	if f.specFile != "" {
		var err error
		if file, err = LoadSpec(f.specFile); err != nil {
			return Spec{}, err
		}
	}
	if f.email != "" {
		file.Email = f.email
	}
	if f.startURL != "" {
		file.StartURL = f.startURL
	}
	spec := file.Spec()
	spec.Retire = append(spec.Retire, f.close...)
	return spec, spec.Validate()
}

func run(ctx context.Context, args []string, out io.Writer) error {
	f, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	spec, err := f.spec()
	if err != nil {
		return err
	}

	// A dry run (-dry-run, or the plan a run makes first) writes nothing:
	// its config file is in a directory that does not exist. The real run
	// makes the temporary directory (without -out) when it starts.
	dryRunConfig := filepath.Join(f.out, "config")
	if f.out == "" {
		dryRunConfig = filepath.Join(os.TempDir(), "hiperium-dry-run", "config")
	}
	configFile := ""
	realConfig := func() (string, error) {
		if configFile != "" {
			return configFile, nil
		}
		dir := f.out
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "hiperium-"); err != nil {
				return "", err
			}
		}
		configFile = filepath.Join(dir, "config")
		return configFile, nil
	}

	human := f.kit.Human(out)
	env, err := examplekit.Connect(ctx, f.kit, spec.Region, human)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Emulator != nil && len(spec.Retire) > 0 && !f.kit.DryRun {
		// A fresh embedded emulator has no account to close: build the
		// seed as declared first, so that -close shows a closure.
		before := spec
		before.Retire = nil
		config, err := realConfig()
		if err != nil {
			return err
		}
		r, err := Converge(ctx, env.Config, before, config, env.OptionsFor(false)...)
		if err != nil {
			return err
		}
		fmt.Fprintf(human, "Built the seed first (%d changes) so that the embedded emulator has accounts to close.\n", r.Count())
	}
	var last *Result
	err = examplekit.Run(out, f.kit, func(dryRun bool) (examplekit.Report, error) {
		config := dryRunConfig
		if !dryRun {
			var err error
			if config, err = realConfig(); err != nil {
				return nil, err
			}
		}
		r, err := Converge(ctx, env.Config, spec, config, env.OptionsFor(dryRun)...)
		if r == nil {
			return nil, err
		}
		last = r
		return r, err
	})
	if err != nil {
		return err
	}
	if f.kit.DryRun || len(last.ProfileAccounts) == 0 {
		return nil
	}
	var names []string // in the spec's order: "sandbox" first, as in the seed
	fmt.Fprintf(human, "\nAWS CLI profiles written to %s:\n", configFile)
	for _, p := range spec.Profiles {
		if id, ok := last.ProfileAccounts[p.Name]; ok {
			names = append(names, p.Name)
			fmt.Fprintf(human, "  %-8s account %s, role %s\n", p.Name, id, p.PermissionSet)
		}
	}
	fmt.Fprintf(human, "Use them with:\n  export AWS_CONFIG_FILE=%s\n  aws sso login --profile %s\n", configFile, names[0])
	env.SignInNote(human)
	return nil
}
