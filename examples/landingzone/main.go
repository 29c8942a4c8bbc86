// Command landingzone stands up the foundation of seed 000 ("myapp"): the
// organization with its OU tree (Management, Workloads/{Dev,Staging,
// Production}), the dev, staging and production accounts, the production
// guardrail SCP, and a Terraform state backend in every workload account
// (the seed's Steps 1-4 and 10), then prints what changed and the backend
// blocks for Terraform and Terragrunt. It grows into the whole seed-000
// foundation as the library does.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials:
//
//	go run ./examples/landingzone            # converge, then show that a second run changes nothing
//	go run ./examples/landingzone -dry-run   # only read; print what would change
//	go run ./examples/landingzone -endpoint http://127.0.0.1:4566   # another emulator (go run ./cmd/foundation-emulator)
//	go run ./examples/landingzone -aws -yes -email you@example.com  # real AWS, this machine's credentials
//
// On real AWS the accounts are found (or created) by email: the seed's
// plus-addresses of -email (you+aws-dev@example.com, ...). -aws refuses to
// run without -yes unless it is a -dry-run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "landingzone:", err)
		os.Exit(1)
	}
}

type flags struct {
	dryRun   bool
	endpoint string
	realAWS  bool
	yes      bool
	email    string
	once     bool
}

func parseFlags(args []string, out io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("landingzone", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.BoolVar(&f.dryRun, "dry-run", false, "only read; print the changes that would be made")
	fs.StringVar(&f.endpoint, "endpoint", "", "URL of another AWS emulator to use instead of the embedded one")
	fs.BoolVar(&f.realAWS, "aws", false, "use real AWS with this machine's credentials (needs -yes)")
	fs.BoolVar(&f.yes, "yes", false, "confirm changes to real AWS")
	fs.StringVar(&f.email, "email", "", "address whose plus-aliases name the accounts (you@example.com -> you+aws-dev@example.com)")
	fs.BoolVar(&f.once, "once", false, "do not run a second time to show that nothing changes")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case f.realAWS && f.endpoint != "":
		return f, errors.New("-aws and -endpoint exclude each other")
	case f.realAWS && !f.yes && !f.dryRun:
		return f, errors.New("-aws changes real AWS accounts: add -yes to confirm (or -dry-run)")
	case f.realAWS && f.email == "":
		return f, errors.New("-aws needs -email: the accounts' addresses are plus-aliases of it")
	}
	if f.email != "" {
		if a, err := mail.ParseAddress(f.email); err != nil || a.Address != f.email || !strings.Contains(f.email, "@") {
			return f, fmt.Errorf("-email %q: not a plain email address", f.email)
		}
	}
	return f, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	f, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	spec := Seed000(f.email)
	base, pathStyle, cleanup, err := baseConfig(ctx, f, spec, out)
	if err != nil {
		return err
	}
	defer cleanup()

	opts := []foundation.Option{foundation.WithDryRun(f.dryRun), foundation.WithPollInterval(20*time.Millisecond, 2*time.Second)}
	if f.realAWS {
		opts[1] = foundation.WithPollInterval(2*time.Second, 30*time.Second)
	}
	start := time.Now()
	res, err := Converge(ctx, base, pathStyle, spec, opts...)
	if err != nil {
		return err
	}
	res.Report(out, f.dryRun)
	fmt.Fprintf(out, "\n(%d changes in %s)\n", res.Count(), time.Since(start).Round(time.Millisecond))
	if f.dryRun || f.once {
		return nil
	}
	fmt.Fprintln(out, "\nRunning again to check that the landing zone has converged ...")
	again, err := Converge(ctx, base, pathStyle, spec, opts...)
	if err != nil {
		return err
	}
	if n := again.Count(); n > 0 {
		again.Report(out, false)
		return fmt.Errorf("second run made %d changes; expected none", n)
	}
	fmt.Fprintln(out, "Second run: no changes.")
	return nil
}

// baseConfig returns the management account's aws.Config: on the embedded
// emulator (started here), on another endpoint, or on real AWS.
func baseConfig(ctx context.Context, f flags, spec Spec, out io.Writer) (cfg aws.Config, pathStyle bool, cleanup func(), err error) {
	cleanup = func() {}
	if f.realAWS {
		cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(spec.Region))
		if err != nil {
			return cfg, false, cleanup, fmt.Errorf("load AWS configuration: %w", err)
		}
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return cfg, false, cleanup, fmt.Errorf("who am I: %w", err)
		}
		fmt.Fprintf(out, "Real AWS as %s\n", aws.ToString(who.Arn))
		return cfg, false, cleanup, nil
	}
	endpoint := f.endpoint
	if endpoint == "" {
		srv, err := emulator.Start(emulator.Options{})
		if err != nil {
			return cfg, false, cleanup, err
		}
		cleanup = func() { _ = srv.Close() }
		endpoint = srv.URL
		fmt.Fprintf(out, "Embedded AWS emulator at %s (management account %s)\n", endpoint, srv.ManagementAccountID())
	} else {
		fmt.Fprintf(out, "AWS emulator at %s\n", endpoint)
	}
	cfg = aws.Config{
		Region:       spec.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAFOUNDATIONEXAMPL", "emulator-secret-not-real", ""),
		BaseEndpoint: aws.String(endpoint),
		// config.LoadDefaultConfig's defaults, so the emulator sees what AWS sees.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	return cfg, true, cleanup, nil
}
