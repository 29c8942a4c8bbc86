// Package examplekit is what every example program shares: the flags that
// choose where it runs (the embedded emulator by default, another emulator
// with -endpoint, real AWS only with -aws -yes), the management account's
// configuration for that place, and the loop of a run (Run): a plan of the
// whole program (a dry run) before its first write, so that a run its plan
// refuses changes nothing, then the converge, then a second one that
// proves it changes nothing. With -json (Flags.JSON) the loop prints the
// changes, each with its account, as JSON Lines on stdout (WriteJSON,
// JSONChange) and everything else on stderr; a failed converge prints
// what was made before the failure (Made, Incomplete, FanOut).
package examplekit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

// Main runs an example's run function with the command line's arguments
// and a context that ends on Ctrl-C. An error is printed to stderr after
// the command's name and exits 1; -h and -help print the flags and exit 0.
func Main(name string, run func(ctx context.Context, args []string, out io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// CheckEmail returns an error naming the flag (or spec key) when v is not a
// plain address (you@example.com, no display name or angle brackets).
// An empty what leaves the name out (a flag.Value's Set, which the flag
// package prefixes with the flag).
func CheckEmail(what, v string) error {
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v || !strings.Contains(v, "@") {
		if what == "" {
			return fmt.Errorf("%q: not a plain email address", v)
		}
		return fmt.Errorf("%s %q: not a plain email address", what, v)
	}
	return nil
}

// CheckEmailFlag checks an example's -email flag: required with -aws (the
// accounts' addresses are derived from it; need says how) and, when given,
// a plain address.
func CheckEmailFlag(f Flags, email, need string) error {
	if f.RealAWS && email == "" {
		return errors.New("-aws needs -email: " + need)
	}
	if email != "" {
		return CheckEmail("-email", email)
	}
	return nil
}

// PlusAlias returns the plus-address of email for tag:
// PlusAlias("you@example.com", "aws-dev") is "you+aws-dev@example.com".
// email must have passed CheckEmail.
func PlusAlias(email, tag string) string {
	local, domain, _ := strings.Cut(email, "@")
	return local + "+" + tag + "@" + domain
}

// Organization converges the organization and its tree from the
// management account's config cfg (organizations.EnsureOrganization, then
// EnsureTree) and returns them with the management account's ID. In a dry
// run before the organization exists, that ID is the caller's account
// (sts:GetCallerIdentity): the account that will create and manage it.
func Organization(ctx context.Context, cfg aws.Config, org organizations.OrganizationSpec, tree organizations.TreeSpec, opts ...foundation.Option) (*organizations.Organization, *organizations.TreeResult, string, error) {
	api := orgsdk.NewFromConfig(cfg)
	o, err := organizations.EnsureOrganization(ctx, api, org, opts...)
	if err != nil {
		return nil, nil, "", err
	}
	t, err := organizations.EnsureTree(ctx, api, tree, opts...)
	if err != nil {
		return o, nil, "", err
	}
	mgmtID := o.ManagementAccountID
	if !Known(mgmtID) {
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return o, t, "", fmt.Errorf("who am I: %w", err)
		}
		mgmtID = aws.ToString(who.Account)
	}
	return o, t, mgmtID, nil
}

// Known reports whether id names a resource that exists: not empty, and
// not a placeholder a dry run predicted for a resource it would create
// (foundation.IsPredicted).
func Known(id string) bool { return id != "" && !foundation.IsPredicted(id) }

// Headline prints the line that opens every report: "Changed 12
// resources." or, in a dry run, "Would change 12 resources.".
func Headline(out io.Writer, n int, dryRun bool) {
	verb := "Changed"
	if dryRun {
		verb = "Would change"
	}
	fmt.Fprintf(out, "\n%s %d resources.\n", verb, n)
}

// AccountID returns id for a report, or "ID known after apply" when it is
// an account ID a dry run predicted for an account it would create.
func AccountID(id string) string {
	if foundation.IsPredicted(id) {
		return "ID known after apply"
	}
	return id
}

// Labelled returns what, followed by the ID in parentheses when it is
// known: "management account (123456789012)".
func Labelled(what, id string) string {
	if id == "" {
		return what
	}
	return what + " (" + id + ")"
}

// Flags are the flags every example takes.
type Flags struct {
	DryRun   bool
	Endpoint string
	RealAWS  bool
	Yes      bool
	Once     bool
	// JSON prints the changes as JSON Lines on stdout (WriteJSON), and
	// everything else on stderr.
	JSON bool
	// NoPlan skips the plan (a dry run of the whole program) that Run
	// makes before a real run.
	NoPlan bool
}

// NewFlagSet returns the flag set of command name, with the common flags
// registered into f; it prints usage and errors to out. Add the example's
// own flags, then call Parse.
func NewFlagSet(name string, out io.Writer, f *Flags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	f.Register(fs)
	return fs
}

// Parse parses args into fs, refuses positional arguments and checks the
// common flags (Check). -h returns flag.ErrHelp, which Main exits 0 on.
func Parse(fs *flag.FlagSet, f *Flags, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f.Check()
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.BoolVar(&f.DryRun, "dry-run", false, "only read; print the changes that would be made")
	fs.StringVar(&f.Endpoint, "endpoint", "", "URL of another AWS emulator to use instead of the embedded one")
	fs.BoolVar(&f.RealAWS, "aws", false, "use real AWS with this machine's credentials (needs -yes)")
	fs.BoolVar(&f.Yes, "yes", false, "confirm changes to real AWS")
	fs.BoolVar(&f.Once, "once", false, "do not run a second time to show that nothing changes")
	fs.BoolVar(&f.JSON, "json", false, "print the changes (planned with -dry-run, made, or made before a failure) on stdout as JSON Lines, "+
		`one object per change: {"action","resource","id","account","fields"}; everything else goes to stderr`)
	fs.BoolVar(&f.NoPlan, "no-plan", false, "start writing at once: skip the dry run of the whole program that a real run makes first "+
		"(without it, a run that its plan refuses, such as a resource the library did not make, writes nothing)")
}

// Check reports flags that contradict each other. It is called before
// anything touches AWS.
func (f Flags) Check() error {
	switch {
	case f.RealAWS && f.Endpoint != "":
		return errors.New("-aws and -endpoint exclude each other")
	case f.RealAWS && !f.Yes && !f.DryRun:
		return errors.New("-aws changes real AWS accounts: add -yes to confirm (or -dry-run)")
	}
	if f.Endpoint != "" {
		// Checked here, not after the SDK's ten retries (found from
		// outside: ftp://x took 20 s to be refused).
		if u, err := url.Parse(f.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("-endpoint %q: must be an http:// or https:// URL with a host, such as http://127.0.0.1:4566", f.Endpoint)
		}
	}
	return nil
}

// Env is where an example runs: the management account's configuration
// and how to build clients for it.
type Env struct {
	// Config acts as the management account.
	Config aws.Config
	// Emulator is the embedded emulator, nil on another endpoint or AWS.
	Emulator *emulator.Server
	// PathStyle is true on emulators (S3 clients must use path-style URLs).
	PathStyle bool
	realAWS   bool
	close     func()
}

// Connect returns the Env the flags ask for: the embedded emulator (started
// here, with Identity Center enabled along with the organization, which is
// a console step on AWS), another endpoint with fake credentials, or real
// AWS with the machine's credentials (only with -aws). In all three the
// clients retry as the library recommends (foundation.ConfigureRetries).
func Connect(ctx context.Context, f Flags, region string, out io.Writer) (*Env, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	if f.RealAWS {
		// The SDK logs nothing here (its WARN lines would come before
		// the one line that says what to do).
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithLogger(logging.Nop{}))
		if err != nil {
			return nil, fmt.Errorf("-aws: load AWS configuration: %w", err)
		}
		// Credentials are resolved before the first call, so that a
		// machine without them gets one line that says how to provide
		// them, not the SDK's provider chain.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return nil, &CredentialsError{Err: err}
		}
		foundation.ConfigureRetries(&cfg)
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("who am I: %w", err)
		}
		fmt.Fprintf(out, "Real AWS as %s\n", aws.ToString(who.Arn))
		return &Env{Config: cfg, realAWS: true, close: func() {}}, nil
	}
	env := &Env{PathStyle: true, close: func() {}}
	endpoint := f.Endpoint
	if endpoint == "" {
		srv, err := emulator.Start(emulator.Options{IdentityCenter: true})
		if err != nil {
			return nil, err
		}
		env.Emulator, env.close = srv, func() { _ = srv.Close() }
		endpoint = srv.URL
		fmt.Fprintf(out, "Embedded AWS emulator at %s (management account %s)\n", endpoint, srv.ManagementAccountID())
	} else {
		fmt.Fprintf(out, "AWS emulator at %s\n", endpoint)
	}
	env.Config = aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAFOUNDATIONEXAMPL", "emulator-secret-not-real", ""),
		BaseEndpoint: aws.String(endpoint),
		// config.LoadDefaultConfig's defaults, so the emulator sees what AWS sees.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	foundation.ConfigureRetries(&env.Config)
	return env, nil
}

// CredentialsError is Connect's error when -aws finds no usable
// credentials on this machine. Its message is one line that says how to
// provide them; Err is the SDK's error (every provider it tried).
type CredentialsError struct{ Err error }

// Error says how to provide credentials.
func (e *CredentialsError) Error() string {
	return `-aws: no AWS credentials on this machine: sign in with "aws sso login --profile NAME" and set AWS_PROFILE=NAME ` +
		`("aws configure sso" creates the profile), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
}

// Unwrap returns the SDK's error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// SignInNote writes, after the sign-in commands a program prints, that
// they cannot work on an emulator (no IAM Identity Center sign-in, no real
// access portal behind the start URL); nothing on real AWS.
func (e *Env) SignInNote(w io.Writer) {
	if e.realAWS {
		return
	}
	fmt.Fprintln(w, "  On an emulator \"aws sso login\" cannot work: it has no IAM Identity Center sign-in, and the start URL is no"+
		"\n  real access portal. The commands are those of a run on real AWS (-aws -yes).")
}

// RealAWS reports whether the Env is real AWS (-aws), not an emulator.
func (e *Env) RealAWS() bool { return e.realAWS }

// Close stops the embedded emulator, if any.
func (e *Env) Close() { e.close() }

// S3 returns an S3 client for cfg (path-style on emulators).
func (e *Env) S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = e.PathStyle })
}

// Options returns the foundation options for this Env: dry run as flagged,
// and polling paced for an emulator (fast) or AWS (seconds).
func (e *Env) Options(f Flags) []foundation.Option { return e.OptionsFor(f.DryRun) }

// OptionsFor returns Options with dryRun for the flag: the options of one
// converge of Run, which plans with dryRun true before it writes.
func (e *Env) OptionsFor(dryRun bool) []foundation.Option {
	poll := foundation.WithPollInterval(20*time.Millisecond, 2*time.Second)
	if e.realAWS {
		poll = foundation.WithPollInterval(2*time.Second, 30*time.Second)
	}
	return []foundation.Option{foundation.WithDryRun(dryRun), poll}
}

// Report is what one converge did (or would do).
type Report interface {
	// Count is the number of changes.
	Count() int
	// Print writes the changes (and whatever else the example shows).
	Print(w io.Writer, dryRun bool)
}

// Run converges once and prints the report; then, unless it was a dry run
// or -once, converges again and fails if the second run changed anything.
// converge is one converge of the whole program, dryRun saying whether it
// only reads (foundation.WithDryRun; a dry run writes no local file
// either).
//
// A real run plans first, as terraform apply does: unless -no-plan, it
// calls converge(true) and prints only "Plan: N changes"; when the plan
// fails (a resource the library did not make, a conflict, any error) Run
// returns its error, a *PlanError reading as the run's would, having made
// no change: the changes list is empty (nothing on stdout with -json).
// Only a plan that succeeds is followed by converge(false). -dry-run is
// one converge(true), printed.
//
// With -json, out gets only the first converge's changes as JSON Lines
// (WriteJSON; the report must be a Lister): the plan in a dry run, the
// changes made in a real run, and after a failure the changes made before
// it (the failed converge's report, or the changes its error carries, a
// *foundation.IncompleteError, in no known account), and Run returns the
// error, so the program exits non-zero. Everything else goes to Stderr.
func Run(out io.Writer, f Flags, converge func(dryRun bool) (Report, error)) error {
	jsonOut := out
	out = f.Human(out)
	if !f.DryRun && !f.NoPlan {
		if err := Plan(out, converge); err != nil {
			return err
		}
	}
	start := time.Now()
	r, err := converge(f.DryRun)
	if f.JSON {
		if jerr := writeRunJSON(jsonOut, r, err); jerr != nil && err == nil {
			err = jerr
		}
	}
	if err != nil {
		printIncomplete(out, f, err)
		return err
	}
	r.Print(out, f.DryRun)
	fmt.Fprintf(out, "\n(%d changes in %s)\n", r.Count(), time.Since(start).Round(time.Millisecond))
	if f.DryRun || f.Once {
		return nil
	}
	fmt.Fprintln(out, "\nRunning again to check that everything has converged ...")
	again, err := converge(false)
	if err != nil {
		printIncomplete(out, f, err)
		return err
	}
	if n := again.Count(); n > 0 {
		again.Print(out, false)
		return fmt.Errorf("second run made %d changes; expected none", n)
	}
	fmt.Fprintln(out, "Second run: no changes.")
	return nil
}

// Plan makes the plan of a real run: converge(true), the whole program as
// a dry run, and writes to out one line, "Plan: N changes (in 1.2s)", or,
// when it fails, that nothing was changed, and returns the failure as a
// *PlanError.
func Plan(out io.Writer, converge func(dryRun bool) (Report, error)) error {
	start := time.Now()
	p, err := converge(true)
	if err != nil {
		fmt.Fprintln(out, "\nPlan failed: nothing was changed.")
		return planError(err)
	}
	fmt.Fprintf(out, "Plan: %d changes (in %s)\n", p.Count(), time.Since(start).Round(time.Millisecond))
	return nil
}

// PlanError is Run's error when the plan of a real run failed: no change
// was made. Its message is that of Err, the plan's failure, which is the
// run's (the same key and line of the spec file; errors.Is and errors.As
// see it), less the planned changes a *foundation.IncompleteError carries:
// none was made.
type PlanError struct{ Err error }

// Error returns Err's message.
func (e *PlanError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *PlanError) Unwrap() error { return e.Err }

// planError returns err as a *PlanError, without the changes an
// *foundation.IncompleteError at its top carries (planned, not made).
func planError(err error) error {
	if inc, ok := err.(*foundation.IncompleteError); ok {
		err = inc.Err
	}
	return &PlanError{Err: err}
}

// writeRunJSON writes the changes of a converge's report r, or those its
// error err carries when r is nil.
func writeRunJSON(w io.Writer, r Report, err error) error {
	if !isNil(r) {
		l, ok := r.(Lister)
		if !ok {
			return fmt.Errorf("-json: %T lists no changes", r)
		}
		return WriteJSON(w, l.AccountChanges())
	}
	var inc *foundation.IncompleteError
	if errors.As(err, &inc) {
		return WriteJSON(w, In("", inc.Changes))
	}
	return nil
}

// printIncomplete prints the changes a failed call had made (or planned),
// when its error carries them, so the user sees what exists now.
func printIncomplete(out io.Writer, f Flags, err error) {
	var inc *foundation.IncompleteError
	if !errors.As(err, &inc) {
		return
	}
	title := "made before the failure (a rerun finishes the work)"
	if f.DryRun {
		title = "planned before the failure"
	}
	Section(out, title, inc.Changes)
}

// Section prints a titled list of changes.
func Section(out io.Writer, title string, cs foundation.Changes) {
	fmt.Fprintf(out, "\n== %s\n", title)
	if len(cs) == 0 {
		fmt.Fprintln(out, "  (no changes)")
	}
	for _, c := range cs {
		fmt.Fprintf(out, "  %s\n", Line(c))
	}
}

// Line renders a change as foundation.Change.String does, except that an
// identifier a dry run cannot know yet (AWS assigns it on creation: the new
// organization's, a new account's) reads "(ID known after apply)" instead
// of "" or the placeholder quoted.
func Line(c foundation.Change) string {
	s := c.String()
	if c.ID != "" && !foundation.IsPredicted(c.ID) {
		return s
	}
	quoted := fmt.Sprintf("%s %s %q", c.Action, c.Resource, c.ID)
	return fmt.Sprintf("%s %s (ID known after apply)", c.Action, c.Resource) + strings.TrimPrefix(s, quoted)
}
