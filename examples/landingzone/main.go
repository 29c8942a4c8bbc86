// Command landingzone stands up the foundation of seed 000 ("myapp": a
// management account and dev, staging and production workload accounts).
// This first version bootstraps the Terraform state backend of every
// workload account, the seed's Step 10, in one run, and prints what changed
// and the backend blocks to paste into Terraform or Terragrunt. It grows into
// the whole seed-000 foundation.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up:
//
//	go run ./examples/landingzone             # converge, then show a second run changes nothing
//	go run ./examples/landingzone -dry-run    # only read, print what would change
//	go run ./examples/landingzone -endpoint http://127.0.0.1:4566 \
//	    -accounts dev=111111111111,staging=222222222222,prod=333333333333
//	go run ./examples/landingzone -aws -yes -accounts dev=...,staging=...,prod=...
//
// -endpoint talks to another emulator (go run ./cmd/foundation-emulator
// -accounts ...) with fake credentials. -aws uses the machine's AWS
// credentials against real AWS and refuses to run without -yes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/statebackend"
)

// Account is one workload account of the landing zone.
type Account struct {
	Name string // dev, staging, prod
	ID   string // 12-digit account ID
}

// Spec is the landing zone to converge.
type Spec struct {
	Project string // prefixes every name: "myapp"
	Region  string
	// AccessRole is the role in each member account that the management
	// account assumes (Organizations creates OrganizationAccountAccessRole).
	AccessRole string
	Accounts   []Account
	// Locking is the Terraform lock mechanism of every state backend. The
	// seed uses a DynamoDB table; Terraform >= 1.10 locks with an S3
	// lockfile. LockBoth keeps both while state moves over.
	Locking statebackend.Locking
}

// seed000 is the landing zone of seed 000. The account IDs are the
// emulator's; on real AWS pass -accounts.
var seed000 = Spec{
	Project:    "myapp",
	Region:     "us-east-1",
	AccessRole: "OrganizationAccountAccessRole",
	Accounts: []Account{
		{Name: "dev", ID: "111111111111"},
		{Name: "staging", ID: "222222222222"},
		{Name: "prod", ID: "333333333333"},
	},
	Locking: statebackend.LockBoth,
}

// maxParallelAccounts bounds how many accounts are converged at once.
const maxParallelAccounts = 3

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
	accounts string
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
	fs.StringVar(&f.accounts, "accounts", "", "workload accounts as name=id,name=id (default: the emulator's)")
	fs.BoolVar(&f.once, "once", false, "do not run a second time to show that nothing changes")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case f.realAWS && f.endpoint != "":
		return f, errors.New("-aws and -endpoint exclude each other")
	case f.realAWS && !f.yes && !f.dryRun:
		return f, errors.New("-aws changes real AWS accounts: add -yes to confirm (or -dry-run)")
	case f.realAWS && f.accounts == "":
		return f, errors.New("-aws needs -accounts name=id,... (the emulator's account IDs are not yours)")
	}
	return f, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	f, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	spec := seed000
	if f.accounts != "" {
		if spec.Accounts, err = parseAccounts(f.accounts); err != nil {
			return err
		}
	}
	base, pathStyle, cleanup, err := baseConfig(ctx, f, spec, out)
	if err != nil {
		return err
	}
	defer cleanup()

	opts := []foundation.Option{foundation.WithDryRun(f.dryRun), foundation.WithPollInterval(50*time.Millisecond, 2*time.Second)}
	results, err := converge(ctx, base, pathStyle, spec, opts)
	if err != nil {
		return err
	}
	report(out, results, f.dryRun)
	if f.dryRun || f.once {
		return nil
	}
	fmt.Fprintln(out, "\nRunning again to check that the landing zone has converged ...")
	again, err := converge(ctx, base, pathStyle, spec, opts)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range again {
		n += len(r.backend.Changes)
	}
	if n > 0 {
		report(out, again, false)
		return fmt.Errorf("second run made %d changes; expected none", n)
	}
	fmt.Fprintln(out, "Second run: no changes.")
	return nil
}

func parseAccounts(s string) ([]Account, error) {
	var accounts []Account
	for _, kv := range strings.Split(s, ",") {
		name, id, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || name == "" || len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("-accounts: %q: want name=12-digit-id", kv)
		}
		accounts = append(accounts, Account{Name: name, ID: id})
	}
	return accounts, nil
}

// baseConfig returns the management account's aws.Config: on the embedded
// emulator (started here, with the workload accounts and their access
// roles), on another endpoint, or on real AWS.
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
		for _, a := range spec.Accounts {
			if err := srv.AddMemberAccount(a.ID, spec.AccessRole); err != nil {
				return cfg, false, cleanup, err
			}
		}
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

// memberConfig returns a config that acts in accountID through its access
// role. (The organizations package will provide this as AccountConfig.)
func memberConfig(base aws.Config, accountID, role string) aws.Config {
	cfg := base.Copy()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::"+accountID+":role/"+role,
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "foundation-landingzone" })
	cfg.Credentials = aws.NewCredentialsCache(provider)
	return cfg
}

type result struct {
	account Account
	backend *statebackend.Backend
}

// converge bootstraps the state backend of every account, a few accounts
// at a time, and returns the results in the spec's order.
func converge(ctx context.Context, base aws.Config, pathStyle bool, spec Spec, opts []foundation.Option) ([]result, error) {
	results := make([]result, len(spec.Accounts))
	errs := make([]error, len(spec.Accounts))
	sem := make(chan struct{}, maxParallelAccounts)
	var wg sync.WaitGroup
	for i, a := range spec.Accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cfg := memberConfig(base, a.ID, spec.AccessRole)
			api := statebackend.API{
				S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
				DynamoDB: dynamodb.NewFromConfig(cfg),
			}
			b, err := statebackend.Bootstrap(ctx, api, statebackend.Spec{
				Bucket:    fmt.Sprintf("%s-terraform-state-%s", spec.Project, a.ID),
				Region:    spec.Region,
				AccountID: a.ID,
				Key:       "terraform.tfstate",
				Locking:   spec.Locking,
				LockTable: spec.Project + "-terraform-locks",
				Tags:      map[string]string{"Project": spec.Project, "Environment": a.Name, "ManagedBy": "foundation"},
			}, opts...)
			if err != nil {
				errs[i] = fmt.Errorf("account %s (%s): %w", a.Name, a.ID, err)
				return
			}
			results[i] = result{account: a, backend: b}
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

func report(out io.Writer, results []result, dryRun bool) {
	verb := "Changed"
	if dryRun {
		verb = "Would change"
	}
	total := 0
	for _, r := range results {
		total += len(r.backend.Changes)
	}
	fmt.Fprintf(out, "\n%s %d resources in %d accounts.\n", verb, total, len(results))
	for _, r := range results {
		fmt.Fprintf(out, "\n== %s (%s): state bucket %s, lock table %s\n", r.account.Name, r.account.ID, r.backend.Bucket, r.backend.LockTable)
		changes := append(foundation.Changes(nil), r.backend.Changes...)
		sort.SliceStable(changes, func(i, j int) bool { return changes[i].Resource < changes[j].Resource })
		for _, c := range changes {
			fmt.Fprintf(out, "  %s\n", c)
		}
		if len(changes) == 0 {
			fmt.Fprintln(out, "  (no changes)")
		}
	}
	if dryRun || len(results) == 0 {
		return
	}
	for _, r := range results {
		fmt.Fprintf(out, "\n# Terraform backend for %s (%s)\n%s", r.account.Name, r.account.ID, r.backend.Config.Terraform())
	}
	fmt.Fprintf(out, "\n# Terragrunt root.hcl remote_state (%s shown; one per account)\n%s", results[0].account.Name, results[0].backend.Config.Terragrunt())
}
