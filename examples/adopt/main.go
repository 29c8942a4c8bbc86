// Command adopt reads an existing AWS organization into a spec file, and
// converges an organization on such a file: how an organization built by
// hand, in the console or with other tools comes under this library
// without recreating anything.
//
// By default it runs on an embedded AWS emulator, so it needs nothing set up
// and never reads your AWS credentials. There it first makes an
// organization the way people make one by hand (SDK calls one by one, no
// library code): OUs, two accounts, an SCP, an Identity Center group with
// a permission set, trusted access for three services (StackSets
// administered by a member account), root credentials management, a
// security contact and an opt-in Region, a Terraform state bucket and lock
// table inside a member account, GitHub's OIDC provider and a CI role.
// Then it reads it:
//
//	go run ./examples/adopt                        # read into a spec (stdout), then show that converging it changes nothing
//	go run ./examples/adopt -o org.yaml            # write the spec to org.yaml
//	go run ./examples/adopt -spec org.yaml -dry-run    # what converging org.yaml would change
//	go run ./examples/adopt -spec org.yaml         # converge the organization on org.yaml
//	go run ./examples/adopt -endpoint http://127.0.0.1:4566 -o org.yaml   # an emulator you filled yourself (go run ./cmd/foundation-emulator, then the AWS CLI)
//	go run ./examples/adopt -aws -o org.yaml       # real AWS: reads only, with this machine's credentials
//	go run ./examples/adopt -aws -state-buckets 'myapp-terraform-state-*' -o org.yaml   # also state buckets made without the library
//
// Inside member accounts (state backends) it acts through their
// OrganizationAccountAccessRole; an account whose role it cannot assume is
// listed under skipped, and the rest is read.
//
// Reading never writes: the spec goes to stdout (or -o), messages to
// stderr. Converging prints its changes; with -json, stdout gets them as
// JSON Lines (one object per change, as the other examples print them)
// and everything else goes to stderr.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/adopt"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
)

func main() {
	examplekit.Main("adopt", func(ctx context.Context, args []string, _ io.Writer) error {
		return run(ctx, args, os.Stdout, os.Stderr)
	})
}

type flags struct {
	examplekit.Flags
	specFile     string
	outFile      string
	region       string
	stateBuckets string
	accessRole   string
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := examplekit.NewFlagSet("adopt", stderr, &f.Flags)
	fs.StringVar(&f.specFile, "spec", "", "converge the organization on this spec file (YAML or JSON, as -o writes it) instead of reading one")
	fs.StringVar(&f.outFile, "o", "", "write the spec read to this file instead of stdout")
	fs.StringVar(&f.region, "region", "us-east-1", "the region of the management account's Identity Center instance")
	fs.StringVar(&f.accessRole, "access-role", organizations.DefaultRoleName, "the role assumed in member accounts, trusting the management account (AWSControlTowerExecution in a Control Tower landing zone)")
	fs.StringVar(&f.stateBuckets, "state-buckets", "", "comma-separated name patterns (such as myapp-terraform-state-*) of state buckets to read although they lack the managed-by=foundation tag (default on the embedded emulator: "+StateBucketPattern+")")
	if err := examplekit.Parse(fs, &f.Flags, args); err != nil {
		return f, err
	}
	if f.specFile != "" && f.outFile != "" {
		return f, errors.New("-spec converges a file and -o writes one: give one of them")
	}
	if f.JSON && f.specFile == "" {
		return f, errors.New("-json prints the changes of a converge (-spec FILE); the spec read is written as YAML")
	}
	if !roleNameRe.MatchString(f.accessRole) {
		return f, fmt.Errorf("-access-role %q: must be a role name (1 to 64 letters, digits and +=,.@_-)", f.accessRole)
	}
	if f.stateBuckets != "" && f.specFile != "" {
		return f, errors.New("-state-buckets says what to read: it goes without -spec")
	}
	if err := f.readSpec().Validate(); err != nil {
		return f, fmt.Errorf("-state-buckets: %w", err)
	}
	if f.RealAWS && f.specFile == "" && !f.Yes {
		f.DryRun = true // reading never writes: -aws needs no -yes for it
	}
	return f, nil
}

var roleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// readSpec is what -state-buckets asks Read to read.
func (f flags) readSpec() adopt.ReadSpec {
	var s adopt.ReadSpec
	for _, p := range strings.Split(f.stateBuckets, ",") {
		if p = strings.TrimSpace(p); p != "" {
			s.StateBucketPatterns = append(s.StateBucketPatterns, p)
		}
	}
	return s
}

// run is the program: stdout gets the spec, stderr everything else.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.specFile != "" {
		return converge(ctx, f, stdout)
	}
	return read(ctx, f, stdout, stderr)
}

// loadSpec decodes and checks a spec file: every fault at its line. The
// Source places the converge's refusals (adoptions).
func loadSpec(name string) (*adopt.Foundation, examplekit.Source, error) {
	// An organization's spec is larger than a seed's: ten times the
	// examples' limit.
	src := examplekit.Source{File: name}
	if st, err := os.Stat(name); err == nil && st.Size() > 10*examplekit.MaxSpecSize {
		return nil, src, fmt.Errorf("%s: %d bytes: a spec file is at most %d", name, st.Size(), 10*examplekit.MaxSpecSize)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, src, err
	}
	var spec adopt.Foundation
	keys, err := examplekit.DecodeSpec(name, data, &spec)
	if err != nil {
		return nil, src, err
	}
	src.Keys = keys
	if err := src.Check(specFaults(spec.Validate())); err != nil {
		return nil, src, err
	}
	return &spec, src, nil
}

// specFaults are the faults of the file adopt found in err, by key.
func specFaults(err error) []examplekit.SpecFault {
	var faults []examplekit.SpecFault
	for _, se := range adopt.Faults(err) {
		rule := se.Rule
		if se.Value != "" {
			rule = fmt.Sprintf("%q: %s", se.Value, rule)
		}
		faults = append(faults, examplekit.SpecFault{Key: se.Field, Rule: rule})
	}
	return faults
}

// adoptions are the file's entries that adopt a resource made outside the
// library ("adopt: true"): adopt.Converge names each refusal by the key
// of its entry's adopt field ("accounts[2].adopt"), which
// examplekit.Source.Adopting places at its line.
func adoptions(spec *adopt.Foundation) []examplekit.Adoption {
	var out []examplekit.Adoption
	add := func(list string, i int, name string) {
		entry := fmt.Sprintf("%s[%d]", list, i)
		out = append(out, examplekit.AdoptEntry(entry, entry, name))
	}
	for i, o := range spec.OUs {
		add("ous", i, o.Path)
	}
	for i, a := range spec.Accounts {
		add("accounts", i, a.Email)
	}
	for i, p := range spec.Policies {
		add("policies", i, p.Name)
	}
	if ic := spec.IdentityCenter; ic != nil {
		for i, p := range ic.PermissionSets {
			add("identityCenter.permissionSets", i, p.Name)
		}
	}
	for i, p := range spec.OIDCProviders {
		add("oidcProviders", i, p.URL)
	}
	for i, r := range spec.CIRoles {
		add("ciRoles", i, r.Name)
	}
	for i, sb := range spec.StateBackends {
		add("stateBackends", i, sb.Bucket)
	}
	return out
}

// converge converges on the spec file: the changes go to out (with -json
// as JSON Lines, and the rest to stderr).
func converge(ctx context.Context, f flags, out io.Writer) error {
	spec, src, err := loadSpec(f.specFile) // before any connection: bad input makes no call
	if err != nil {
		return err
	}
	env, err := examplekit.Connect(ctx, f.Flags, f.region, f.Human(out))
	if err != nil {
		return err
	}
	defer env.Close()
	api := adopt.NewConvergeAPI(env.Config, adopt.WithAccessRole(f.accessRole))
	return examplekit.Run(out, f.Flags, func(dryRun bool) (examplekit.Report, error) {
		res, err := adopt.Converge(ctx, api, spec, env.OptionsFor(dryRun)...)
		var inc *foundation.IncompleteError
		if faults := specFaults(err); len(faults) > 0 && !errors.As(err, &inc) {
			// What only the organization tells (the management account
			// is the one it says, where it is), before any change.
			return nil, src.Check(faults)
		}
		if err != nil {
			return nil, src.Adopting(err, adoptions(spec)...)
		}
		return report{changes: res.Changes, accounts: res.Accounts}, nil
	})
}

func read(ctx context.Context, f flags, stdout, stderr io.Writer) error {
	env, err := examplekit.Connect(ctx, f.Flags, f.region, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	opts := env.Options(f.Flags)
	spec := f.readSpec()
	if env.Emulator != nil {
		fmt.Fprintln(stderr, "Making an organization by hand (SDK calls one by one, no library code) ...")
		if err := byHand(ctx, env); err != nil {
			return fmt.Errorf("make the organization by hand: %w", err)
		}
		if len(spec.StateBucketPatterns) == 0 {
			spec.StateBucketPatterns = []string{StateBucketPattern}
		}
	}
	found, err := adopt.Read(ctx, adopt.NewReadAPI(env.Config, adopt.WithAccessRole(f.accessRole)), spec, opts...)
	if err != nil {
		return err
	}
	text, err := encode(found)
	if err != nil {
		return err
	}
	if f.outFile == "" {
		if _, err := stdout.Write(text); err != nil {
			return err
		}
	} else if err := os.WriteFile(f.outFile, text, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Read %d OUs, %d accounts, %d SCPs, %d CI roles, %d services, %d state backends", len(found.OUs), len(found.Accounts), len(found.Policies), len(found.CIRoles), len(found.Services), len(found.StateBackends))
	if ic := found.IdentityCenter; ic != nil {
		fmt.Fprintf(stderr, ", %d users, %d groups, %d permission sets", len(ic.Users), len(ic.Groups), len(ic.PermissionSets))
	}
	fmt.Fprintln(stderr)
	for _, s := range found.Skipped {
		fmt.Fprintf(stderr, "  not adopted: %s %s: %s\n", s.Resource, s.ID, s.Reason)
	}
	if f.Once {
		return nil
	}
	// The check that makes the file worth having: converging what was read,
	// as the file says it, plans nothing.
	var back adopt.Foundation
	if _, err := examplekit.DecodeSpec("the spec read", text, &back); err != nil {
		return err
	}
	plan, err := adopt.Converge(ctx, adopt.NewConvergeAPI(env.Config, adopt.WithAccessRole(f.accessRole)), &back, append(opts, foundation.WithDryRun(true))...)
	if err != nil {
		return fmt.Errorf("dry run of the spec read: %w", err)
	}
	if len(plan.Changes) > 0 {
		report{changes: plan.Changes}.Print(stderr, true)
		return fmt.Errorf("a dry run of the spec read plans %d changes; it should plan none", len(plan.Changes))
	}
	fmt.Fprintln(stderr, "A dry run of the spec read plans 0 changes: the organization is adopted as it is.")
	return nil
}

// encode writes the Foundation as a spec file: a header, then YAML, with
// policy documents indented so they read as JSON blocks.
func encode(found *adopt.Foundation) ([]byte, error) {
	show := *found
	show.Policies = append([]adopt.Policy(nil), found.Policies...)
	for i := range show.Policies {
		show.Policies[i].Content = indentJSON(show.Policies[i].Content)
	}
	show.CIRoles = append([]adopt.CIRole(nil), found.CIRoles...)
	for i, r := range show.CIRoles {
		if len(r.InlinePolicies) > 0 {
			m := map[string]string{}
			for k, v := range r.InlinePolicies {
				m[k] = indentJSON(v)
			}
			show.CIRoles[i].InlinePolicies = m
		}
	}
	if ic := found.IdentityCenter; ic != nil {
		c := *ic
		c.PermissionSets = append([]adopt.PermissionSet(nil), ic.PermissionSets...)
		for i := range c.PermissionSets {
			if c.PermissionSets[i].InlinePolicy != "" {
				c.PermissionSets[i].InlinePolicy = indentJSON(c.PermissionSets[i].InlinePolicy)
			}
		}
		show.IdentityCenter = &c
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# An AWS organization as examples/adopt read it on %s.\n", time.Now().UTC().Format("2006-01-02"))
	b.WriteString("# Converge on it: go run ./examples/adopt -spec FILE [-dry-run]. Keys: examples/adopt/README.md.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(show); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func indentJSON(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String() + "\n"
}

// report is the changes of one converge, with the account each is made
// in.
type report struct {
	changes  foundation.Changes
	accounts []string
}

func (r report) Count() int { return len(r.changes) }

func (r report) Print(w io.Writer, dryRun bool) {
	examplekit.Headline(w, len(r.changes), dryRun)
	for _, c := range r.changes {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace(c.String()))
	}
}

// AccountChanges lists the changes for -json.
func (r report) AccountChanges() []examplekit.AccountChange {
	out := make([]examplekit.AccountChange, len(r.changes))
	for i, c := range r.changes {
		out[i] = examplekit.AccountChange{Account: r.accounts[i], Change: c}
	}
	return out
}
