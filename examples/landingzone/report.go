package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/organizations"
)

// Print writes the changes grouped by account (the organization and the
// management account first), each account's in the order they were made,
// then what to paste into Terraform and Terragrunt, and where the CLI
// config is and how to sign in with it.
func (r *Result) Print(out io.Writer, dryRun bool) {
	examplekit.Headline(out, r.Count(), dryRun)
	mgmt := examplekit.Labelled("organization and management account", r.Organization.ManagementAccountID)
	cs := append(foundation.Changes{}, r.Organization.Changes...)
	cs = append(cs, r.Tree.Changes...)
	cs = append(cs, r.Management...)
	section(out, mgmt, cs)
	if r.Accounts != nil && len(r.Accounts.Results) > 0 {
		fmt.Fprintln(out)
		printAccounts(out, r.Accounts)
	}
	if dryRun {
		if r.ConfigFile != "" {
			fmt.Fprintf(out, "\nAWS CLI config (sso-session %q): %s (a dry run writes nothing)\n", r.spec.SSOSessionName, r.ConfigFile)
		}
		return
	}
	for _, res := range r.Accounts.Results {
		if b := r.Backends[res.Target.ID]; b != nil {
			fmt.Fprintf(out, "\n# Terraform backend for %s (%s)\n%s", res.Target.Name, res.Target.ID, b.Config.Terraform())
		}
	}
	if len(r.Accounts.Results) > 0 {
		first := r.Accounts.Results[len(r.Accounts.Results)-1].Target
		if b := r.Backends[first.ID]; b != nil {
			fmt.Fprintf(out, "\n# Terragrunt root.hcl remote_state (%s shown; one per account)\n%s", first.Name, b.Config.Terragrunt())
		}
	}
	if r.ConfigFile != "" {
		r.printSignIn(out)
	}
}

// printSignIn says where the CLI config is (or that it is removed at
// exit) and how to sign in with it: on AWS, aws sso login; on an emulator,
// which has no Identity Center sign-in, that the login cannot work there
// and what to run after a run on AWS.
func (r *Result) printSignIn(out io.Writer) {
	session := r.spec.SSOSessionName
	login := func(file string) string {
		return fmt.Sprintf("AWS_CONFIG_FILE=%s aws sso login --sso-session %s", file, session)
	}
	kept := r.files == nil || r.files.Kept
	where := r.ConfigFile
	if !kept {
		where += " (removed at exit: -keep or -out DIR keeps it)"
	}
	fmt.Fprintf(out, "\nAWS CLI config (sso-session %q): %s\n", session, where)
	switch {
	case !r.realAWS:
		fmt.Fprintf(out, "  The file has the profiles a real run writes, but \"aws sso login\" cannot work on an emulator: the emulator\n"+
			"  has no IAM Identity Center sign-in, and the file's start URL is no real access portal. After a run on real AWS\n"+
			"  (-aws -yes -out DIR):\n  %s\n", login(configPath("DIR")))
	case kept:
		fmt.Fprintf(out, "  %s\n", login(r.ConfigFile))
	default:
		fmt.Fprintf(out, "  Rerun with -out DIR to keep it (a converged run only writes the file), then:\n  %s\n", login(configPath("DIR")))
	}
}

// section prints a titled list of changes, as examplekit.Section does,
// each with line.
func section(out io.Writer, title string, cs foundation.Changes) {
	fmt.Fprintf(out, "\n== %s\n", title)
	if len(cs) == 0 {
		fmt.Fprintln(out, "  (no changes)")
	}
	for _, c := range cs {
		fmt.Fprintf(out, "  %s\n", line(c))
	}
}

// line renders a change for the report (examplekit.Line).
func line(c foundation.Change) string { return examplekit.Line(c) }

// printAccounts writes each account's changes in the order they were made
// (organizations.Summary.Report sorts them by resource type, which lists a
// key's alias before the key), its failure, and the failed accounts last.
func printAccounts(out io.Writer, sum *organizations.Summary) {
	for _, res := range sum.Results {
		fmt.Fprintf(out, "== %s (%s)\n", res.Target.Name, examplekit.AccountID(res.Target.ID))
		if len(res.Changes) == 0 && res.Err == nil {
			fmt.Fprintln(out, "  (no changes)")
		}
		for _, c := range res.Changes {
			fmt.Fprintf(out, "  %s\n", line(c))
		}
		if res.Err != nil {
			fmt.Fprintf(out, "  FAILED: %s\n", strings.ReplaceAll(res.Err.Error(), "\n", "\n    "))
		}
	}
	if failed := sum.Failed(); len(failed) > 0 {
		fmt.Fprintf(out, "%d of %d accounts failed:", len(failed), len(sum.Results))
		for _, res := range failed {
			fmt.Fprintf(out, " %s", res.Target.Name)
		}
		fmt.Fprintln(out)
	}
}
